/* incident_record.h -- one incident as read back from Redis (KEYS.md,
 * "the record"), for socctl and the forwarder.
 *
 * Every string points into the Redis reply the record keeps (reply_), so a
 * record has one owner and incident_free() releases everything. Strings
 * are never NULL: an absent field reads as "" (or 0). Sets come sorted
 * (byte order), lists in their stored order. */
#ifndef SOC_INCIDENT_RECORD_H
#define SOC_INCIDENT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident_status.h"

typedef struct incident_strv {
    const char **v;
    size_t n;
} incident_strv_t;

/* One timeline entry: a change with who, when, what. */
typedef struct incident_tl {
    const char *stream_id; /* Redis stream entry id */
    int64_t ts_usec;
    const char *actor, *action, *field, *old_value, *new_value;
    const char **extra; /* other field/value pairs ("match", "from" ...), 2 * n_extra */
    size_t n_extra;
} incident_tl_t;

typedef struct incident {
    const char *id, *title, *rule_id, *group_key, *assignee, *asset_name, *merged_into;
    uint32_t rule_version;
    int severity, priority, asset_level;
    incident_status_t status;
    int64_t first_seen, last_seen;                                           /* event time */
    int64_t created_at, updated_at, acknowledged_at, resolved_at, closed_at; /* 0: not yet */
    int64_t sla_acknowledge_by, sla_resolve_by;
    uint64_t count, evidence_total;
    incident_strv_t src_ips, dest_ips, tactics, techniques, links, merged_from;
    incident_strv_t evidence; /* the first ids, then the latest */
    incident_strv_t samples;  /* EVE lines, same split */
    incident_tl_t *timeline;
    size_t n_timeline;
    bool has_timeline;
    void *reply_; /* the redisReply everything points into */
} incident_t;

/* Fill inc from the reply of the GET script (incident_lua.c), taking
 * ownership of reply (a redisReply *) in every case. 0, or -1 with one line
 * in err naming the incident and the field at fault; inc is then empty. */
int incident_from_reply(void *reply, incident_t *inc, char *err, size_t errlen);
void incident_free(incident_t *inc);

/* "informational", "low", "medium", "high", "critical"; "?" outside 0..4. */
const char *incident_severity_name(int severity);

#endif
