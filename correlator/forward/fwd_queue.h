/* fwd_queue.h -- the forwarder's state in Redis (correlator/forward/README.md).
 *
 *   soc:outbox:{inc}:changes          stream: incident versions to pass on,
 *                                     written by the incident scripts, read
 *                                     here as consumer group "forwarder"
 *   soc:forward:{inc}:queue:NAME      list: rendered versions waiting for
 *                                     endpoint NAME, oldest first
 *   soc:forward:{inc}:dead:NAME       list: versions NAME refused for good
 *                                     (4xx): kept, counted, never dropped
 *   soc:forward:{inc}:status:NAME     hash: delivered, failures, last_*, alarm
 *   soc:forward:{inc}:endpoints       hash: NAME -> "type target"
 *
 * Everything shares the {inc} slot with the incidents, so a change moves
 * from the outbox into the queues (and out of the outbox) in one MULTI, and
 * a delivery leaves its queue and lands on the incident's timeline in one
 * MULTI: a crash in between repeats a step, never loses or reorders one.
 *
 * A queue item is "ID VERSION REASON\n" followed by the payload exactly as
 * it goes on the wire, rendered once: every resend is byte-identical. */
#ifndef SOC_FWD_QUEUE_H
#define SOC_FWD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incidents/incident_id.h"

struct redisContext;

#define FWD_OUTBOX_KEY   "soc:outbox:{inc}:changes"
#define FWD_GROUP        "forwarder"
#define FWD_KEY_PREFIX   "soc:forward:{inc}:"
#define FWD_ENDPOINTS    FWD_KEY_PREFIX "endpoints"
#define FWD_ITEM_HDR_MAX 96

/* One outbox entry: an incident version and the fields frozen with it. */
typedef struct fwd_change {
    char stream_id[48];
    char id[INCIDENT_ID_MAX];
    uint32_t version;
    char reason[16];
    char status[24];
    int priority, severity;
    uint64_t count;
    int64_t last_seen, updated_at;
    uint32_t rule_version;
} fwd_change_t;

/* Parse an XREADGROUP/XRANGE entry (a redisReply *: [id, [f, v, ...]]).
 * false with one line in err (the entry is malformed). */
bool fwd_change_parse(const void *entry, fwd_change_t *c, char *err, size_t errlen);

/* Create the consumer group (from the start of the stream) if missing. */
int fwd_group_ensure(struct redisContext *r, char *err, size_t errlen);

/* Queue one change for n endpoints (items[i] for names[i]; NULL: that
 * endpoint's filter said no) and take it out of the outbox, atomically. */
int fwd_fanout(struct redisContext *r, const fwd_change_t *c, const char *const *names,
               const char *const *items, const size_t *lens, size_t n, char *err, size_t errlen);

/* The oldest queued item of an endpoint: 1 with *item (malloc'd, caller
 * frees) and *len, 0 when the queue is empty, -1 on a Redis error. */
int fwd_head(struct redisContext *r, const char *name, char **item, size_t *len, char *err,
             size_t errlen);

/* The item's header: incident id, version and reason; the payload starts
 * at *payload_off. false when the header is malformed. */
bool fwd_item_header(const char *item, size_t len, char *id, size_t idcap, uint32_t *version,
                     char *reason, size_t reasoncap, size_t *payload_off);

/* Outcomes of one attempt, recorded on the endpoint's status and the
 * incident's timeline (actor "forwarder"). */
int fwd_delivered(struct redisContext *r, const char *name, const char *item, size_t len,
                  int64_t now_usec, char *err, size_t errlen);
int fwd_failed(struct redisContext *r, const char *name, const char *item, size_t len,
               const char *why, int64_t now_usec, int64_t retry_at_usec, char *err, size_t errlen);
/* Refused for good: the item moves to the dead list (kept, counted). */
int fwd_parked(struct redisContext *r, const char *name, const char *item, size_t len,
               const char *why, int64_t now_usec, char *err, size_t errlen);

/* Queue depth, and the alarm when it passes `alarm` (counted once per
 * crossing). Returns the depth or -1. */
long long fwd_depth_check(struct redisContext *r, const char *name, uint64_t alarm,
                          int64_t now_usec, char *err, size_t errlen);

/* Register the endpoint ("type target") for socctl forward status. */
int fwd_register(struct redisContext *r, const char *name, const char *desc, char *err,
                 size_t errlen);

#endif
