/* ingest_store.c -- see ingest_store.h. */
#include "ingest_store.h"

#include "ingest_config.h"

#include "err.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

/* KEYS[1] soc:events:{N}, KEYS[2] soc:ingest:{N}:seq
 * ARGV: "<sensor>/<spool_id>", batch seq, maxlen, sensor, then per event
 * id, type, ts, event. Seqs are compared as decimal strings (no leading
 * zeros), exact beyond 2^53 where Lua numbers are not. Only the last XADD
 * trims (MAXLEN ~): once per call is enough and costs less than per event.
 * Returns the number of events added, 0 when this shard already holds the
 * batch. */
const char ingest_shard_script[] =
    "local last = redis.call('HGET', KEYS[2], ARGV[1])\n"
    "local seq = ARGV[2]\n"
    "if last and (#seq < #last or (#seq == #last and seq <= last)) then return 0 end\n"
    "local k, s = KEYS[1], ARGV[4]\n"
    "for i = 5, #ARGV - 4, 4 do\n"
    "  redis.call('XADD', k, '*', 'sensor', s, 'id', ARGV[i], 'type', ARGV[i + 1],\n"
    "             'ts', ARGV[i + 2], 'event', ARGV[i + 3])\n"
    "end\n"
    "local i = #ARGV - 3\n"
    "redis.call('XADD', k, 'MAXLEN', '~', ARGV[3], '*', 'sensor', s, 'id', ARGV[i],\n"
    "           'type', ARGV[i + 1], 'ts', ARGV[i + 2], 'event', ARGV[i + 3])\n"
    "redis.call('HSET', KEYS[2], ARGV[1], seq)\n"
    "return (#ARGV - 4) / 4\n";

/* KEYS[1] soc:sensor:<name>
 * ARGV: batch seq, spool_id, events added, then field/value pairs to set.
 * last_batch only moves forward within one spool; a new spool replaces it. */
const char ingest_registry_script[] =
    "local cur = redis.call('HMGET', KEYS[1], 'last_batch', 'last_batch_spool')\n"
    "local seq, last = ARGV[1], cur[1]\n"
    "if cur[2] ~= ARGV[2] or not last or #seq > #last or (#seq == #last and seq > last) then\n"
    "  redis.call('HSET', KEYS[1], 'last_batch', seq, 'last_batch_spool', ARGV[2])\n"
    "end\n"
    "if ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[1], 'events', ARGV[3]) end\n"
    "for i = 4, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end\n"
    "return 1\n";

enum { SCRIPT_SHARD, SCRIPT_REGISTRY, SCRIPT_COUNT };
static const char *const script_src[SCRIPT_COUNT] = {ingest_shard_script, ingest_registry_script};

/* Replies owed by Redis, in the order the calls went out: the shard
 * scripts of a submitted batch, or the registry update of a stored one. */
typedef struct pending {
    bool registry;  /* else the shard scripts of a batch */
    uint32_t calls; /* replies to read */
    uint64_t seq;
    bool has_stats; /* for the registry update once stored */
    ingest_stats_sample_t stats;
} pending_t;

#define PENDING_MAX 8

struct ingest_store {
    const ingest_store_opts_t *o;
    redisContext *c;
    pending_t q[PENDING_MAX]; /* FIFO of replies owed */
    uint32_t head, n;
    const char **argv; /* reused argument vectors */
    size_t *argvlen;
    size_t argcap;
};

/* ---- connect backoff (process-wide) --------------------------------------------- */

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 5000

static pthread_mutex_t backoff_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t backoff_until_ms, backoff_ms;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* 0 when a connection may be tried now, else ms to wait. */
static uint64_t backoff_wait(void)
{
    pthread_mutex_lock(&backoff_lock);
    uint64_t now = now_ms(), wait = backoff_until_ms > now ? backoff_until_ms - now : 0;
    pthread_mutex_unlock(&backoff_lock);
    return wait;
}

static uint64_t backoff_failed(void)
{
    pthread_mutex_lock(&backoff_lock);
    backoff_ms = backoff_ms ? backoff_ms * 2 : BACKOFF_MIN_MS;
    if (backoff_ms > BACKOFF_MAX_MS) backoff_ms = BACKOFF_MAX_MS;
    backoff_until_ms = now_ms() + backoff_ms;
    uint64_t w = backoff_ms;
    pthread_mutex_unlock(&backoff_lock);
    return w;
}

static void backoff_ok(void)
{
    pthread_mutex_lock(&backoff_lock);
    backoff_ms = 0;
    backoff_until_ms = 0;
    pthread_mutex_unlock(&backoff_lock);
}

/* ---- basics ------------------------------------------------------------------------ */

int ingest_read_password(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) return err_set(-1, err, errlen, "%s: %s", path, strerror(errno));
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    if (!ok) return err_set(-1, err, errlen, "%s: empty", path);
    size_t n = strcspn(out, "\r\n");
    if (out[n] == '\0' && n == cap - 1)
        return err_set(-1, err, errlen, "%s: first line too long", path);
    out[n] = '\0';
    if (n == 0) return err_set(-1, err, errlen, "%s: first line is empty", path);
    return 0;
}

/* One line for a failed command: the server's error text or the link's. */
static int reply_error(ingest_store_t *s, const redisReply *r, const char *what, char *err,
                       size_t errlen)
{
    if (!r)
        return err_set(-1, err, errlen, "redis: %s: %s", what,
                       s->c->errstr[0] ? s->c->errstr : "no reply");
    if (r->type == REDIS_REPLY_ERROR)
        return err_set(-1, err, errlen, "redis: %s: %.200s", what, r->str);
    return err_set(-1, err, errlen, "redis: %s: unexpected reply type %d", what, r->type);
}

static bool argv_reserve(ingest_store_t *s, size_t n)
{
    if (s->argcap >= n) return true;
    size_t cap = s->argcap ? s->argcap : 64;
    while (cap < n)
        cap *= 2;
    const char **a = realloc(s->argv, cap * sizeof(*a));
    if (!a) return false;
    s->argv = a;
    size_t *l = realloc(s->argvlen, cap * sizeof(*l));
    if (!l) return false;
    s->argvlen = l;
    s->argcap = cap;
    return true;
}

static void set_arg(ingest_store_t *s, size_t i, const char *p, size_t n)
{
    s->argv[i] = p;
    s->argvlen[i] = n;
}

/* argv[0..1] = EVAL source. Redis keeps each script compiled under the
 * SHA-1 of its source, so EVAL costs a hash of a few hundred bytes more
 * than EVALSHA and never meets NOSCRIPT (after SCRIPT FLUSH or a restart):
 * pipelined calls need no replay. */
static void set_script(ingest_store_t *s, int script)
{
    set_arg(s, 0, "EVAL", 4);
    set_arg(s, 1, script_src[script], strlen(script_src[script]));
}

/* ---- open / close ------------------------------------------------------------------- */

static int authenticate(ingest_store_t *s, char *err, size_t errlen)
{
    const char *argv[] = {"AUTH", s->o->user, s->o->password};
    redisReply *r = redisCommandArgv(s->c, 3, argv, NULL);
    int rc = 0;
    if (!r || r->type != REDIS_REPLY_STATUS) rc = reply_error(s, r, "AUTH", err, errlen);
    freeReplyObject(r);
    return rc;
}

ingest_store_t *ingest_store_open(const ingest_store_opts_t *o, char *err, size_t errlen)
{
    uint64_t wait = backoff_wait();
    if (wait) {
        err_set(-1, err, errlen, "redis %s: not retrying for %.1f s after a failure", o->socket,
                (double)wait / 1000);
        return NULL;
    }
    ingest_store_t *s = calloc(1, sizeof(*s));
    if (!s) {
        err_set(-1, err, errlen, "redis: out of memory");
        return NULL;
    }
    s->o = o;
    struct timeval tv = {5, 0};
    s->c = redisConnectUnixWithTimeout(o->socket, tv);
    char why[512];
    if (!s->c || s->c->err) {
        snprintf(why, sizeof(why), "redis %s: %s", o->socket,
                 s->c ? s->c->errstr : "cannot allocate a context");
        goto failed;
    }
    struct timeval cmd = {o->timeout_ms / 1000, (o->timeout_ms % 1000) * 1000};
    if (redisSetTimeout(s->c, cmd) != REDIS_OK || authenticate(s, why, sizeof(why)) != 0)
        goto failed;
    backoff_ok();
    return s;
failed:;
    uint64_t next = backoff_failed();
    err_set(-1, err, errlen, "%s (next try in %.1f s)", why, (double)next / 1000);
    ingest_store_close(s);
    return NULL;
}

void ingest_store_close(ingest_store_t *s)
{
    if (!s) return;
    if (s->c) redisFree(s->c);
    free(s->argv);
    free(s->argvlen);
    free(s);
}

/* ---- HELLO ----------------------------------------------------------------------------- */

static bool parse_u64(const char *p, size_t n, uint64_t *v)
{
    if (n == 0 || n > 20) return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        uint64_t d = (uint64_t)(p[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

int ingest_store_hello(ingest_store_t *s, const char *name, const struct frame_hello *h,
                       const char *remote, uint64_t *last_seq, char *err, size_t errlen)
{
    char key[96], now[24];
    snprintf(key, sizeof(key), "soc:sensor:%s", name);
    snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
    const char *get[] = {"HMGET", key, "last_batch", "last_batch_spool"};
    const char *set[] = {"HSET",     key,         "name",       name,      "version",
                         h->version, "interface", h->interface, "boot_id", h->boot_id,
                         "spool_id", h->spool_id, "remote",     remote,    "last_seen",
                         now,        "connected", now};
    const char *first[] = {"HSETNX", key, "first_seen", now};
    const char *add[] = {"SADD", "soc:sensors", name};
    redisAppendCommandArgv(s->c, 4, get, NULL);
    redisAppendCommandArgv(s->c, (int)(sizeof(set) / sizeof(set[0])), set, NULL);
    redisAppendCommandArgv(s->c, 4, first, NULL);
    redisAppendCommandArgv(s->c, 3, add, NULL);
    int rc = 0;
    *last_seq = 0;
    for (int i = 0; i < 4; i++) {
        redisReply *r = NULL;
        if (redisGetReply(s->c, (void **)&r) != REDIS_OK) r = NULL;
        if (!r || r->type == REDIS_REPLY_ERROR) {
            if (rc == 0) rc = reply_error(s, r, i == 0 ? "HMGET" : "registry", err, errlen);
            if (!r) return -1; /* the link is gone: no more replies */
        } else if (i == 0) {
            if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
                if (rc == 0) rc = reply_error(s, r, "HMGET", err, errlen);
            } else if (r->element[0]->type == REDIS_REPLY_STRING &&
                       r->element[1]->type == REDIS_REPLY_STRING &&
                       strcmp(r->element[1]->str, h->spool_id) == 0 &&
                       !parse_u64(r->element[0]->str, r->element[0]->len, last_seq)) {
                *last_seq = 0; /* unreadable: resends are deduplicated anyway */
            }
        }
        freeReplyObject(r);
    }
    return rc;
}

/* ---- batches ---------------------------------------------------------------------------- */

typedef struct batch_args {
    char field[INGEST_NAME_MAX + 2 + FRAME_ID_HEX_LEN];
    char seq[24], maxlen[24];
    char keys[2][48];
} batch_args_t;

/* argv for shard sh (from index 2): 2 keys, field, seq, maxlen, name, events. */
static int shard_args(ingest_store_t *s, const ingest_batch_t *b, uint32_t sh, const char *name,
                      batch_args_t *a)
{
    uint32_t n;
    const uint32_t *idx = ingest_batch_shard(b, sh, &n);
    if (!argv_reserve(s, 10 + 4 * (size_t)n)) return -1;
    snprintf(a->keys[0], sizeof(a->keys[0]), "soc:events:{%u}", sh);
    snprintf(a->keys[1], sizeof(a->keys[1]), "soc:ingest:{%u}:seq", sh);
    set_arg(s, 2, "2", 1);
    set_arg(s, 3, a->keys[0], strlen(a->keys[0]));
    set_arg(s, 4, a->keys[1], strlen(a->keys[1]));
    set_arg(s, 5, a->field, strlen(a->field));
    set_arg(s, 6, a->seq, strlen(a->seq));
    set_arg(s, 7, a->maxlen, strlen(a->maxlen));
    set_arg(s, 8, name, strlen(name));
    size_t k = 9;
    for (uint32_t i = 0; i < n; i++) {
        const ingest_event_t *e = &b->ev[idx[i]];
        set_arg(s, k++, e->id.p, e->id.len);
        set_arg(s, k++, e->type.p, e->type.len);
        set_arg(s, k++, e->ts.p, e->ts.len);
        set_arg(s, k++, e->line, e->len);
    }
    return (int)k;
}

/* ---- pipelined batches ------------------------------------------------------------ */

static pending_t *push(ingest_store_t *s)
{
    pending_t *p = &s->q[(s->head + s->n) % PENDING_MAX];
    memset(p, 0, sizeof(*p));
    s->n++;
    return p;
}

/* Send what the appended calls left in hiredis's buffer, so Redis works on
 * them while the caller reads the next batch. */
static int send_pipeline(ingest_store_t *s, char *err, size_t errlen)
{
    int done = 0;
    while (!done)
        if (redisBufferWrite(s->c, &done) != REDIS_OK)
            return reply_error(s, NULL, "sending scripts", err, errlen);
    return 0;
}

int ingest_store_submit(ingest_store_t *s, const char *name, const char *spool_id,
                        const ingest_batch_t *b, char *err, size_t errlen)
{
    if (b->nshards > INGEST_SHARDS_MAX) return err_set(-1, err, errlen, "too many shards");
    if (s->n + 2 > PENDING_MAX) return err_set(-1, err, errlen, "too many batches in flight");
    batch_args_t a;
    snprintf(a.field, sizeof(a.field), "%s/%s", name, spool_id);
    snprintf(a.seq, sizeof(a.seq), "%" PRIu64, b->seq);
    snprintf(a.maxlen, sizeof(a.maxlen), "%" PRIu64, s->o->stream_maxlen);
    pending_t *p = push(s);
    p->seq = b->seq;
    p->has_stats = b->has_stats;
    p->stats = b->stats;
    uint32_t n;
    for (uint32_t sh = 0; sh < b->nshards; sh++) {
        ingest_batch_shard(b, sh, &n);
        if (n == 0) continue;
        int argc = shard_args(s, b, sh, name, &a);
        if (argc < 0) return err_set(-1, err, errlen, "redis: out of memory");
        set_script(s, SCRIPT_SHARD);
        if (redisAppendCommandArgv(s->c, argc, s->argv, s->argvlen) != REDIS_OK)
            return err_set(-1, err, errlen, "redis: out of memory");
        p->calls++;
    }
    return send_pipeline(s, err, errlen);
}

/* Queue the registry update of a stored batch: last_batch, events,
 * last_seen, stats. Only after every shard of the batch succeeded, so
 * WELCOME never announces a batch that is not wholly stored. */
static int append_registry(ingest_store_t *s, const char *name, const char *spool_id,
                           const pending_t *b, uint64_t stored, char *err, size_t errlen)
{
    char key[96], seq[24], nev[24], now[24], pk[24], dr[24], ed[24], pps[32], dps[32];
    snprintf(key, sizeof(key), "soc:sensor:%s", name);
    snprintf(seq, sizeof(seq), "%" PRIu64, b->seq);
    snprintf(nev, sizeof(nev), "%" PRIu64, stored);
    snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
    if (!argv_reserve(s, 32)) return err_set(-1, err, errlen, "redis: out of memory");
    const char *v[24] = {"1", key, seq, spool_id, nev, "last_seen", now};
    int k = 7;
    if (b->has_stats) {
        const ingest_stats_sample_t *st = &b->stats;
        snprintf(pk, sizeof(pk), "%" PRIu64, st->packets);
        snprintf(dr, sizeof(dr), "%" PRIu64, st->drops);
        snprintf(ed, sizeof(ed), "%" PRIu64, st->events_dropped);
        const char *more[] = {"packets",        pk, "drops",      dr,
                              "events_dropped", ed, "stats_time", st->ts};
        memcpy(v + k, more, sizeof(more));
        k += 8;
        if (st->has_rates) {
            snprintf(pps, sizeof(pps), "%.3f", st->packets_per_sec);
            snprintf(dps, sizeof(dps), "%.3f", st->drops_per_sec);
            const char *rates[] = {"packets_per_sec", pps, "drops_per_sec", dps};
            memcpy(v + k, rates, sizeof(rates));
            k += 4;
        }
    }
    for (int i = 0; i < k; i++)
        set_arg(s, 2 + (size_t)i, v[i], strlen(v[i]));
    set_script(s, SCRIPT_REGISTRY);
    if (redisAppendCommandArgv(s->c, 2 + k, s->argv, s->argvlen) != REDIS_OK)
        return err_set(-1, err, errlen, "redis: out of memory");
    pending_t *reg = push(s);
    reg->registry = true;
    reg->calls = 1;
    return send_pipeline(s, err, errlen);
}

/* Read the replies of the oldest entry; *added sums the events stored. */
static int read_entry(ingest_store_t *s, const pending_t *p, uint64_t *added, char *err,
                      size_t errlen)
{
    int rc = 0;
    for (uint32_t i = 0; i < p->calls; i++) {
        redisReply *r = NULL;
        if (redisGetReply(s->c, (void **)&r) != REDIS_OK)
            return reply_error(s, NULL, p->registry ? "registry script" : "XADD script", err,
                               errlen);
        if (r->type == REDIS_REPLY_INTEGER)
            *added += (uint64_t)r->integer;
        else if (rc == 0)
            rc = reply_error(s, r, p->registry ? "registry script" : "XADD script", err, errlen);
        freeReplyObject(r);
    }
    return rc;
}

int ingest_store_complete(ingest_store_t *s, const char *name, const char *spool_id, uint64_t *seq,
                          uint64_t *stored, char *err, size_t errlen)
{
    while (s->n > 0) {
        pending_t p = s->q[s->head];
        s->head = (s->head + 1) % PENDING_MAX;
        s->n--;
        uint64_t added = 0;
        if (read_entry(s, &p, &added, err, errlen) != 0) return -1;
        if (p.registry) continue;
        *seq = p.seq;
        *stored = added;
        return append_registry(s, name, spool_id, &p, added, err, errlen) < 0 ? -1 : 1;
    }
    return 0;
}

bool ingest_store_busy(const ingest_store_t *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (!s->q[(s->head + i) % PENDING_MAX].registry) return true;
    return false;
}

int ingest_store_settle(ingest_store_t *s, char *err, size_t errlen)
{
    while (s->n > 0) {
        uint64_t added = 0;
        pending_t p = s->q[s->head];
        if (!p.registry) return err_set(-1, err, errlen, "a batch is still in flight");
        s->head = (s->head + 1) % PENDING_MAX;
        s->n--;
        if (read_entry(s, &p, &added, err, errlen) != 0) return -1;
    }
    return 0;
}

int ingest_store_batch(ingest_store_t *s, const char *name, const char *spool_id,
                       const ingest_batch_t *b, uint64_t *stored, char *err, size_t errlen)
{
    uint64_t seq;
    *stored = 0;
    if (ingest_store_submit(s, name, spool_id, b, err, errlen) != 0 ||
        ingest_store_complete(s, name, spool_id, &seq, stored, err, errlen) < 0)
        return -1;
    return ingest_store_settle(s, err, errlen);
}

/* ---- counters ---------------------------------------------------------------------------- */

int ingest_store_add_counters(ingest_store_t *s, const uint64_t d[INGEST_C_COUNT], char *err,
                              size_t errlen)
{
    int sent = 0, rc = 0;
    for (int i = 0; i < INGEST_C_COUNT; i++) {
        if (!d[i]) continue;
        char n[24];
        snprintf(n, sizeof(n), "%" PRIu64, d[i]);
        const char *argv[] = {"HINCRBY", "soc:ingest:stats", ingest_counter_name(i), n};
        if (redisAppendCommandArgv(s->c, 4, argv, NULL) != REDIS_OK)
            return err_set(-1, err, errlen, "redis: out of memory");
        sent++;
    }
    for (int i = 0; i < sent; i++) {
        redisReply *r = NULL;
        if (redisGetReply(s->c, (void **)&r) != REDIS_OK)
            return reply_error(s, NULL, "HINCRBY", err, errlen);
        if (r->type != REDIS_REPLY_INTEGER && rc == 0)
            rc = reply_error(s, r, "HINCRBY", err, errlen);
        freeReplyObject(r);
    }
    return rc;
}
