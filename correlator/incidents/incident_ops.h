/* incident_ops.h -- what analysts do to incidents (socctl, Redis user
 * `console`). Each change is one Lua script call that also writes the
 * incident's timeline (actor, time, field, old and new value) and keeps
 * the queues and status counters right.
 *
 * Every call returns INCIDENT_OK, INCIDENT_ERR (Redis) or INCIDENT_REFUSED
 * (no such incident, a transition the workflow does not allow, bad
 * arguments) with one line in err. now_usec is the wall-clock time of the
 * change. Actor and assignee names: 1..64 bytes of letters, digits and
 * . _ @ - (an assignee of "" unassigns). */
#ifndef SOC_INCIDENT_OPS_H
#define SOC_INCIDENT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident_filter.h"
#include "incident_record.h"
#include "incident_status.h"
#include "incident_store.h"

#define INCIDENT_NAME_MAX    64
#define INCIDENT_COMMENT_MAX 4096

/* new -> acknowledged. */
int incident_ack(incident_store_t *s, const char *id, const char *actor, int64_t now_usec,
                 char *err, size_t errlen);
/* Any change the workflow allows (incident_status.h). */
int incident_set_status(incident_store_t *s, const char *id, incident_status_t to,
                        const char *actor, int64_t now_usec, char *err, size_t errlen);
int incident_assign(incident_store_t *s, const char *id, const char *assignee, const char *actor,
                    int64_t now_usec, char *err, size_t errlen);
/* Text of 1..INCIDENT_COMMENT_MAX bytes; newlines and tabs allowed, other
 * control characters not. */
int incident_comment(incident_store_t *s, const char *id, const char *text, const char *actor,
                     int64_t now_usec, char *err, size_t errlen);
/* Merge `from` into `into`: `into` (which must be open) takes from's count,
 * times, IPs, attack ids, evidence, samples and links, and the higher
 * priority and severity; `from` becomes closed with merged_into = into, and
 * later matches of its rule and group key extend `into`. */
int incident_merge(incident_store_t *s, const char *into, const char *from, const char *actor,
                   int64_t now_usec, char *err, size_t errlen);

/* One incident, with its timeline if asked. incident_free() it after. */
int incident_get(incident_store_t *s, const char *id, bool with_timeline, incident_t *out,
                 char *err, size_t errlen);

typedef struct incident_list {
    incident_t *v;
    size_t n;
    size_t skipped; /* records that could not be read (each reported through log_warn) */
} incident_list_t;

/* The incidents that pass f, in queue order (priority, then first seen,
 * then id), at most limit of them. */
int incident_list(incident_store_t *s, const incident_filter_t *f, size_t limit,
                  incident_list_t *out, char *err, size_t errlen);
void incident_list_free(incident_list_t *l);

/* Whether a name is acceptable as actor or assignee. */
bool incident_name_ok(const char *name);

#endif
