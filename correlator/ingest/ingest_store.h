/* ingest_store.h -- soc-ingest's writes to Redis (hiredis, unix socket).
 *
 * Keys (PROTOCOL.md, "Redis layout"):
 *   soc:events:{N}        stream of shard N: sensor, id, type, ts, event
 *   soc:ingest:{N}:seq    hash "<sensor>/<spool_id>" -> last batch seq stored in shard N
 *   soc:sensor:<name>     hash: the sensor registry
 *   soc:sensors           set of sensor names
 *   soc:ingest:stats      hash of counters (ingest_stats.h)
 *
 * A batch is stored with one Lua script call per shard it touches (the
 * shard's events and its dedup hash change atomically), all shards in one
 * pipeline; only when every shard succeeded is the registry's last_batch
 * moved, so WELCOME never announces a batch that is not wholly stored.
 *
 * One ingest_store is one Redis connection, used by one thread. Connecting
 * is gated by a process-wide backoff, so a Redis that is down is not
 * hammered by every sensor that reconnects. */
#ifndef SOC_INGEST_STORE_H
#define SOC_INGEST_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "ingest_batch.h"
#include "ingest_stats.h"

#define INGEST_PASSWORD_MAX 256

typedef struct ingest_store_opts {
    const char *socket;
    const char *user;
    const char *password;
    uint32_t shards;
    uint64_t stream_maxlen;
    uint32_t timeout_ms; /* per command (a large batch's scripts take a while) */
} ingest_store_opts_t;

typedef struct ingest_store ingest_store_t;

/* Read the first line of path (without its newline) into out. */
int ingest_read_password(const char *path, char *out, size_t cap, char *err, size_t errlen);

/* Connect, AUTH, load the scripts. NULL with the reason in err ("redis
 * /var/lib/soc/redis/redis.sock: Connection refused (next try in 2.0 s)").
 * opts must outlive the store. */
ingest_store_t *ingest_store_open(const ingest_store_opts_t *opts, char *err, size_t errlen);
void ingest_store_close(ingest_store_t *s);

/* HELLO: record the sensor in the registry and read the last batch seq
 * stored for (name, spool_id) into *last_seq. */
int ingest_store_hello(ingest_store_t *s, const char *name, const struct frame_hello *h,
                       const char *remote, uint64_t *last_seq, char *err, size_t errlen);

/* Batches are stored as a pipeline, so Redis writes one batch while the
 * connection reads and checks the next:
 *   submit    sends the shard scripts of a built batch (the batch may be
 *             reused at once: its bytes are in hiredis's buffer);
 *   complete  reads the replies of the oldest submitted batch: 1 with its
 *             seq and *stored (events added; 0: a duplicate), then queues
 *             its registry update; 0 when none is in flight; -1 when Redis
 *             failed or refused (nothing may be acked; some shards may be
 *             stored, the resend completes them);
 *   busy      whether a batch awaits complete;
 *   settle    reads the replies of the registry updates still owed.
 * At most two batches may be in flight. ingest_store_batch does all three
 * for one batch. */
int ingest_store_submit(ingest_store_t *s, const char *name, const char *spool_id,
                        const ingest_batch_t *b, char *err, size_t errlen);
int ingest_store_complete(ingest_store_t *s, const char *name, const char *spool_id, uint64_t *seq,
                          uint64_t *stored, char *err, size_t errlen);
bool ingest_store_busy(const ingest_store_t *s);
int ingest_store_settle(ingest_store_t *s, char *err, size_t errlen);
int ingest_store_batch(ingest_store_t *s, const char *name, const char *spool_id,
                       const ingest_batch_t *b, uint64_t *stored, char *err, size_t errlen);

/* HINCRBY soc:ingest:stats by the deltas. */
int ingest_store_add_counters(ingest_store_t *s, const uint64_t d[INGEST_C_COUNT], char *err,
                              size_t errlen);

/* The Lua sources (for tests and PROTOCOL.md). */
extern const char ingest_shard_script[];
extern const char ingest_registry_script[];

#endif
