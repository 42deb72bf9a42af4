/* incident_store.h -- the incident store in Redis: what the correlator
 * calls when a correlation rule fires.
 *
 * incident_apply() turns one rule match into an incident, or extends the
 * open incident of the same rule and group key, in ONE Lua script call
 * (atomic). It is idempotent: a match id already applied within
 * correlator.incidents.match-ttl (default 7 days) changes nothing and
 * answers what its first application answered, so the correlator may
 * re-apply the matches of events it re-reads after a crash. Keys and the
 * record are described in correlator/incidents/KEYS.md; analyst operations
 * are in incident_ops.h.
 *
 * A store is one Redis connection; not thread-safe (one per thread). */
#ifndef SOC_INCIDENT_STORE_H
#define SOC_INCIDENT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident_config.h"
#include "incident_id.h"

struct redisContext;
typedef struct incident_store incident_store_t;

/* Return codes of the store's calls. */
#define INCIDENT_OK  0
#define INCIDENT_ERR (-1) /* Redis or the connection failed: retry later */
#define INCIDENT_REFUSED                                                                           \
    (-2) /* the request is wrong (bad match, no such incident,                                     \
            transition not allowed): retrying will not help */

/* Connect over a unix socket as user (AUTH with the first line of
 * password_file). cfg is copied. NULL with one line in err. */
incident_store_t *incident_store_connect(const char *socket_path, const char *user,
                                         const char *password_file, const incident_config_t *cfg,
                                         char *err, size_t errlen);
/* Use a connection the caller made (and keeps: close does not free it). */
incident_store_t *incident_store_attach(struct redisContext *c, const incident_config_t *cfg);
void incident_store_close(incident_store_t *s);
/* false once the connection has failed: close the store and connect again. */
bool incident_store_ok(const incident_store_t *s);
/* The store's connection, for a caller's own commands on it (the
 * forwarder's queues); the store keeps it. */
struct redisContext *incident_store_redis(incident_store_t *s);

typedef struct incident_match {
    const char *match_id; /* deterministic id of this match (rule id + group key + the id of the
                             event that completed it): applying the same match twice is a no-op */
    const char *rule_id;  /* printable, no control characters */
    uint32_t rule_version;
    const char *title;
    int severity;          /* 0 informational .. 4 critical */
    int priority;          /* 1 (P1, most urgent) .. 5 */
    const char *group_key; /* "src_ip=1.2.3.4|dest_ip=10.20.0.10" */
    int64_t first_seen_usec, last_seen_usec;
    uint64_t count; /* events in this match, >= 1 */
    const char *const *src_ips;
    size_t n_src;
    const char *const *dest_ips;
    size_t n_dest;
    const char *asset_name; /* NULL or "" when unknown */
    int asset_level;        /* 1..5, 0 unknown */
    const char *const *tactics;
    size_t n_tactics;
    const char *const *techniques;
    size_t n_techniques;
    const char *const *event_ids; /* evidence */
    size_t n_event_ids;
    const char *const *samples; /* a few whole EVE JSON lines */
    size_t n_samples;
} incident_match_t;

/* Limits of a match (longer is refused, except samples: a sample longer
 * than INCIDENT_SAMPLE_MAX is left out, the rest of the match applies). */
#define INCIDENT_MATCH_ID_MAX  1024
#define INCIDENT_RULE_ID_MAX   256
#define INCIDENT_TITLE_MAX     1024
#define INCIDENT_GROUP_KEY_MAX 4096
#define INCIDENT_ITEM_MAX      1024 /* an ip, tactic, technique, event id, asset name */
#define INCIDENT_SAMPLE_MAX    65536
/* Event ids of one match sent to Redis; beyond it the first and the last
 * halves go, and the rest only count in evidence_total. */
#define INCIDENT_MATCH_EVENTS_MAX 100000

/* Apply one match at now_usec (wall clock: SLA deadlines count from it).
 * On success the incident's id goes to id_out (INCIDENT_ID_MAX bytes are
 * enough) and *created says whether this match opened it. INCIDENT_OK,
 * INCIDENT_ERR or INCIDENT_REFUSED, with one line in err. */
int incident_apply(incident_store_t *s, const incident_match_t *m, int64_t now_usec, char *id_out,
                   size_t idcap, bool *created, char *err, size_t errlen);

#endif
