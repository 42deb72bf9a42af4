/* incident_filter.h -- which incidents `socctl incidents list` shows.
 *
 * Pure functions (no Redis), so the rules are unit-tested on their own:
 *   status     "open" (new, acknowledged, investigating: the queue; the
 *              default), "all", or one status name
 *   priority   1..5 ("2" or "P2"), exact
 *   asset      asset name, exact
 *   assignee   user, exact
 *   since      last_seen (event time) at or after this time
 *   overdue    an SLA deadline has passed (incident_sla_check) */
#ifndef SOC_INCIDENT_FILTER_H
#define SOC_INCIDENT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident_record.h"

typedef enum incident_select {
    INCIDENT_SELECT_OPEN = 0,
    INCIDENT_SELECT_ALL,
    INCIDENT_SELECT_STATUS, /* the one in .status */
} incident_select_t;

typedef struct incident_filter {
    incident_select_t select;
    incident_status_t status;
    int priority;         /* 0: any */
    const char *asset;    /* NULL: any */
    const char *assignee; /* NULL: any */
    int64_t since_usec;   /* 0: any */
    bool overdue;
    int64_t now_usec; /* for overdue */
} incident_filter_t;

void incident_filter_init(incident_filter_t *f, int64_t now_usec);
/* "open", "all" or a status name; false with the choices in err. */
bool incident_filter_set_status(incident_filter_t *f, const char *s, char *err, size_t errlen);
bool incident_filter_match(const incident_filter_t *f, const incident_t *inc);

/* "2" or "P2"/"p2", 1..5. */
bool incident_parse_priority(const char *s, int *out);

/* A time for --since, in microseconds since the epoch (UTC):
 *   2026-03-01                     midnight UTC
 *   2026-03-01T08:30[:15][Z|+07:00|+0700]   (a space may replace the T)
 *   @1772353815                    seconds since the epoch
 *   90s, 30m, 2h, 7d, 2w           that long before now
 * false with one line in err. */
bool incident_parse_time(const char *s, int64_t now_usec, int64_t *out, char *err, size_t errlen);

#endif
