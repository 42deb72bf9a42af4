/* corr_stream.c -- see corr_stream.h. */
#include "daemon/corr_stream.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "ingest/ingest_store.h"
#include "log.h"

#define CKPT_MAGIC "SOCCKPT1\n"
#define ID_LEN     48 /* a stream id "ms-seq" fits */
#define RETRY_MS   1000

typedef struct shard {
    char key[40];
    char last[ID_LEN];    /* last id processed (what the snapshot covers once saved) */
    char seen[ID_LEN];    /* newest id of the read being processed */
    char (*acks)[ID_LEN]; /* processed since the last checkpoint */
    uint32_t got;         /* entries of the last read */
    int64_t frontier;     /* newest event time read (a shard is not in time order:
                             flow events come when their flow ends) */
    bool holding;         /* an entry of this shard waits: so do the later ones */
    size_t nacks, cap;
} shard_t;

/* Entries read from every shard, evaluated in event-time order. Each
 * shard's stream is in arrival order, but a read takes up to read-count
 * entries per shard, and an offline replay or a backlog packs minutes of
 * event time into one read: so entries are merged across shards, and an
 * entry newer than what every still-busy shard has delivered waits for the
 * next read (a k-way merge of the shards by event time). */
typedef struct item {
    shard_t *sh;
    char *id, *eid, *ev; /* one allocation: stream id, event id, EVE line */
    size_t evlen;
    int64_t ts;
    size_t order; /* arrival: ties keep it, and a shard's entries stay in it */
    bool held;
} item_t;

typedef struct items {
    item_t *v;
    size_t n, cap, next_order;
} items_t;

typedef struct session {
    const corr_config_t *cfg;
    corr_pipeline_t *p;
    redisContext *c;
    incident_store_t *store;
    shard_t *sh;
    char ckpt_key[128];
    uint64_t next_ckpt_ms;
    items_t items;
} session_t;

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static redisReply *command(session_t *s, char *err, size_t errlen, int argc, const char **argv,
                           const size_t *lens)
{
    redisReply *r = redisCommandArgv(s->c, argc, argv, lens);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        err_set(-1, err, errlen, "redis: %s: %s", argv[0], r ? r->str : s->c->errstr);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* ---- stream ids ------------------------------------------------------------------ */

static void id_split(const char *id, uint64_t *ms, uint64_t *seq)
{
    char *end;
    *ms = strtoull(id, &end, 10);
    *seq = *end == '-' ? strtoull(end + 1, NULL, 10) : 0;
}

static bool id_le(const char *a, const char *b)
{
    uint64_t am, as, bm, bs;
    id_split(a, &am, &as);
    id_split(b, &bm, &bs);
    return am < bm || (am == bm && as <= bs);
}

/* ---- connection ------------------------------------------------------------------- */

static int connect_redis(session_t *s, char *err, size_t errlen)
{
    const corr_config_t *cfg = s->cfg;
    char pass[INGEST_PASSWORD_MAX];
    if (ingest_read_password(cfg->redis_password_file, pass, sizeof(pass), err, errlen) != 0)
        return -1;
    s->c = redisConnectUnix(cfg->redis_socket);
    if (!s->c || s->c->err)
        return err_set(-1, err, errlen, "redis %s: %s", cfg->redis_socket,
                       s->c ? s->c->errstr : "out of memory");
    const char *auth[] = {"AUTH", cfg->redis_user, pass};
    redisReply *r = command(s, err, errlen, 3, auth, NULL);
    if (!r) return -1;
    freeReplyObject(r);
    s->store = incident_store_attach(s->c, &cfg->incidents);
    if (!s->store) return err_set(-1, err, errlen, "correlator: out of memory");
    corr_pipeline_set_store(s->p, s->store);
    for (uint32_t i = 0; i < cfg->shards; i++) {
        const char *argv[] = {"XGROUP", "CREATE", s->sh[i].key, cfg->group, "0", "MKSTREAM"};
        redisReply *g = redisCommandArgv(s->c, 6, argv, NULL);
        bool ok = g && (g->type != REDIS_REPLY_ERROR || strncmp(g->str, "BUSYGROUP", 9) == 0);
        if (!ok)
            err_set(-1, err, errlen, "redis: XGROUP CREATE %s: %s", s->sh[i].key,
                    g ? g->str : s->c->errstr);
        freeReplyObject(g);
        if (!ok) return -1;
    }
    return 0;
}

static void items_clear(items_t *it)
{
    for (size_t i = 0; i < it->n; i++)
        free(it->v[i].id);
    it->n = 0;
}

static void items_free(items_t *it)
{
    items_clear(it);
    free(it->v);
}

static void disconnect(session_t *s)
{
    items_clear(&s->items);
    corr_pipeline_set_store(s->p, NULL);
    incident_store_close(s->store); /* attached: leaves the context to us */
    s->store = NULL;
    redisFree(s->c);
    s->c = NULL;
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        s->sh[i].nacks = 0;
}

/* ---- checkpoint ------------------------------------------------------------------- */

/* The engine back to the stored snapshot (or empty) and the shards' ids. */
static int load_checkpoint(session_t *s, char *err, size_t errlen)
{
    const char *argv[] = {"GET", s->ckpt_key};
    redisReply *r = command(s, err, errlen, 2, argv, NULL);
    if (!r) return -1;
    const char *p = r->type == REDIS_REPLY_STRING ? r->str : NULL;
    size_t len = p ? r->len : 0, ml = strlen(CKPT_MAGIC);
    uint32_t n = 0;
    bool ok = p && len > ml && memcmp(p, CKPT_MAGIC, ml) == 0;
    const char *q = ok ? p + ml : NULL, *end = p + len;
    ok = ok && sscanf(q, "%" SCNu32, &n) == 1 && n == s->cfg->shards;
    for (uint32_t i = 0; ok && i < n; i++) {
        q = memchr(q, '\n', (size_t)(end - q));
        ok = q && ++q < end && sscanf(q, "%47[0-9-]", s->sh[i].last) == 1;
    }
    if (ok) q = memchr(q, '\n', (size_t)(end - q));
    ok = ok && q;
    char why[256];
    if (ok && corr_pipeline_restore(s->p, q + 1, (size_t)(end - q - 1), why, sizeof(why)) != 0) {
        log_warn("correlator: checkpoint %s unusable (%s); starting from nothing", s->ckpt_key,
                 why);
        ok = false;
    } else if (!ok && p) {
        log_warn("correlator: checkpoint %s is not for %u shards; starting from nothing",
                 s->ckpt_key, s->cfg->shards);
    }
    if (!ok) {
        for (uint32_t i = 0; i < s->cfg->shards; i++)
            snprintf(s->sh[i].last, ID_LEN, "0-0");
        corr_pipeline_restore(s->p, NULL, 0, why, sizeof(why));
    }
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        memcpy(s->sh[i].seen, s->sh[i].last, ID_LEN);
    freeReplyObject(r);
    return 0;
}

static int ack_shard(session_t *s, shard_t *sh, char *err, size_t errlen)
{
    if (sh->nacks == 0) return 0;
    size_t argc = 3 + sh->nacks;
    const char **argv = malloc(argc * sizeof(*argv));
    if (!argv) return err_set(-1, err, errlen, "correlator: out of memory");
    argv[0] = "XACK";
    argv[1] = sh->key;
    argv[2] = s->cfg->group;
    for (size_t i = 0; i < sh->nacks; i++)
        argv[3 + i] = sh->acks[i];
    redisReply *r = command(s, err, errlen, (int)argc, argv, NULL);
    free(argv);
    if (!r) return -1;
    freeReplyObject(r);
    sh->nacks = 0;
    return 0;
}

static bool append(corr_bytes_t *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) return false;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return true;
}

/* Snapshot first, acknowledgements after: a crash in between only makes
 * the next run skip (and then acknowledge) events the snapshot covers. */
static int checkpoint(session_t *s, char *err, size_t errlen)
{
    corr_bytes_t b = {0};
    char line[ID_LEN + 16];
    int n = snprintf(line, sizeof(line), "%s%" PRIu32 "\n", CKPT_MAGIC, s->cfg->shards);
    bool ok = append(&b, line, (size_t)n);
    for (uint32_t i = 0; ok && i < s->cfg->shards; i++) {
        n = snprintf(line, sizeof(line), "%s\n", s->sh[i].last);
        ok = append(&b, line, (size_t)n);
    }
    if (!ok || corr_pipeline_snapshot(s->p, &b) != 0) {
        corr_bytes_free(&b);
        return err_set(-1, err, errlen, "correlator: out of memory for a checkpoint");
    }
    const char *argv[] = {"SET", s->ckpt_key, (const char *)b.p};
    size_t lens[] = {3, strlen(s->ckpt_key), b.len};
    redisReply *r = command(s, err, errlen, 3, argv, lens);
    corr_bytes_free(&b);
    if (!r) return -1;
    freeReplyObject(r);
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        if (ack_shard(s, &s->sh[i], err, errlen) != 0) return -1;
    s->next_ckpt_ms = mono_ms() + s->cfg->checkpoint_ms;
    return 0;
}

/* ---- entries ---------------------------------------------------------------------- */

static bool remember(shard_t *sh, const char *id)
{
    if (sh->nacks == sh->cap) {
        size_t cap = sh->cap ? sh->cap * 2 : 1024;
        char(*a)[ID_LEN] = realloc(sh->acks, cap * sizeof(*a));
        if (!a) return false;
        sh->acks = a;
        sh->cap = cap;
    }
    snprintf(sh->acks[sh->nacks++], ID_LEN, "%s", id);
    return true;
}

static const redisReply *field(const redisReply *e, const char *name)
{
    const redisReply *f = e->element[1];
    for (size_t i = 0; f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements; i += 2)
        if (f->element[i]->type == REDIS_REPLY_STRING && strcmp(f->element[i]->str, name) == 0)
            return f->element[i + 1];
    return NULL;
}

/* The EVE timestamp, found without parsing the whole event (0 when absent:
 * such events go first and are then refused by the pipeline). */
static int64_t event_time(const char *ev)
{
    static const char key[] = "\"timestamp\":\"";
    const char *p = ev ? strstr(ev, key) : NULL;
    if (!p) return 0;
    p += sizeof(key) - 1;
    const char *q = strchr(p, '"');
    int64_t us = 0;
    return q && ingest_parse_time(p, (size_t)(q - p), &us) ? us : 0;
}

static int items_add(items_t *it, shard_t *sh, const redisReply *e)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 4096;
        item_t *v = realloc(it->v, cap * sizeof(*v));
        if (!v) return -1;
        it->v = v;
        it->cap = cap;
    }
    const redisReply *ev = field(e, "event"), *eid = field(e, "id");
    const char *id = e->element[0]->str;
    bool ours = ev && eid && ev->type == REDIS_REPLY_STRING && eid->type == REDIS_REPLY_STRING;
    size_t il = strlen(id) + 1, el = ours ? eid->len + 1 : 1, vl = ours ? ev->len + 1 : 1;
    char *m = malloc(il + el + vl);
    if (!m) return -1;
    item_t *t = &it->v[it->n++];
    *t = (item_t){.sh = sh, .id = m, .eid = m + il, .ev = m + il + el, .order = it->next_order++};
    memcpy(t->id, id, il);
    t->eid[0] = t->ev[0] = '\0';
    if (ours) { /* else trimmed while pending, or not ours: only acknowledged */
        memcpy(t->eid, eid->str, el);
        memcpy(t->ev, ev->str, vl);
        t->evlen = ev->len;
        t->ts = event_time(t->ev);
    }
    return 0;
}

/* Copy every entry of an XREADGROUP reply (then freed); per shard, how many
 * came and the event time of the last. */
static int items_take(items_t *it, session_t *s, redisReply *r)
{
    int rc = 0;
    for (uint32_t k = 0; k < s->cfg->shards; k++)
        s->sh[k].got = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && rc == 0; i++) {
        const redisReply *st = r->element[i];
        if (st->type != REDIS_REPLY_ARRAY || st->elements != 2) continue;
        shard_t *sh = NULL;
        for (uint32_t k = 0; k < s->cfg->shards && !sh; k++)
            if (strcmp(s->sh[k].key, st->element[0]->str) == 0) sh = &s->sh[k];
        const redisReply *list = st->element[1];
        for (size_t j = 0; sh && j < list->elements && rc == 0; j++) {
            const redisReply *e = list->element[j];
            if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
                e->element[0]->type != REDIS_REPLY_STRING)
                continue;
            rc = items_add(it, sh, e);
            if (rc == 0 && it->v[it->n - 1].ts > sh->frontier) sh->frontier = it->v[it->n - 1].ts;
            sh->got++;
        }
    }
    freeReplyObject(r);
    return rc;
}

static int by_order(const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int by_time(const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    if (x->held != y->held) return x->held ? 1 : -1; /* held ones at the end */
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* One entry. Entries the snapshot covers are only acknowledged. */
static int entry(session_t *s, const item_t *it, char *err, size_t errlen)
{
    shard_t *sh = it->sh;
    if (!remember(sh, it->id)) return err_set(-1, err, errlen, "correlator: out of memory");
    if (id_le(it->id, sh->last)) return 0;
    if (!id_le(it->id, sh->seen)) snprintf(sh->seen, ID_LEN, "%s", it->id);
    if (!it->ev[0]) return 0;
    char why[512];
    if (corr_pipeline_event(s->p, it->ev, it->evlen, it->eid, why, sizeof(why)) != 0)
        return err_set(-1, err, errlen, "incident store: %s", why);
    if (why[0]) log_warn("correlator: %s entry %s: %s", sh->key, it->id, why);
    return 0;
}

/* Evaluate what is safe: entries no newer than `safe`, each shard's up to
 * its first newer one (so a shard's processed entries stay a prefix of its
 * stream, which is what its checkpoint id says); keep the rest. */
static int process(session_t *s, items_t *it, int64_t safe, char *err, size_t errlen)
{
    if (it->n == 0) return 0;
    for (uint32_t k = 0; k < s->cfg->shards; k++)
        s->sh[k].holding = false;
    for (size_t i = 0; i < it->n; i++) { /* v is in arrival order here */
        item_t *t = &it->v[i];
        t->held = t->sh->holding || t->ts > safe;
        t->sh->holding = t->held;
    }
    qsort(it->v, it->n, sizeof(*it->v), by_time);
    size_t done = 0;
    int rc = 0;
    for (; done < it->n && !it->v[done].held && rc == 0; done++)
        rc = entry(s, &it->v[done], err, errlen);
    for (uint32_t k = 0; rc == 0 && k < s->cfg->shards; k++)
        if (!id_le(s->sh[k].seen, s->sh[k].last))
            snprintf(s->sh[k].last, ID_LEN, "%s", s->sh[k].seen);
    for (size_t i = 0; i < done; i++)
        free(it->v[i].id);
    memmove(it->v, it->v + done, (it->n - done) * sizeof(*it->v));
    it->n -= done;
    /* back to arrival order for the next merge */
    for (size_t i = 0; i < it->n; i++)
        it->v[i].held = false;
    qsort(it->v, it->n, sizeof(*it->v), by_order);
    return rc;
}

/* What was delivered to this consumer before and never acknowledged: all
 * of it, from every shard, then in event-time order. */
static int replay_pending(session_t *s, items_t *it, char *err, size_t errlen)
{
    char count[16];
    snprintf(count, sizeof(count), "%" PRIu32, s->cfg->read_count);
    for (uint32_t i = 0; i < s->cfg->shards; i++) {
        char start[ID_LEN] = "0";
        for (;;) {
            const char *argv[] = {"XREADGROUP",     "GROUP",      s->cfg->group,
                                  s->cfg->consumer, "COUNT",      count,
                                  "STREAMS",        s->sh[i].key, start};
            redisReply *r = command(s, err, errlen, 9, argv, NULL);
            if (!r) return -1;
            if (items_take(it, s, r) != 0)
                return err_set(-1, err, errlen, "correlator: out of memory");
            if (s->sh[i].got == 0) break;
            snprintf(start, sizeof(start), "%s", it->v[it->n - 1].id);
        }
    }
    return process(s, it, INT64_MAX, err, errlen);
}

/* New entries; a shard that filled its read-count may have more, so the
 * merge may not pass the event time of its last entry. */
static int read_new(session_t *s, items_t *it, char *err, size_t errlen)
{
    /* XREADGROUP GROUP g c COUNT n BLOCK ms STREAMS key... >... */
    const char *argv[9 + 2 * CORR_SHARDS_MAX];
    char count[16], block[24];
    snprintf(count, sizeof(count), "%" PRIu32, s->cfg->read_count);
    snprintf(block, sizeof(block), "%" PRIu64, s->cfg->block_ms);
    const char *head[] = {"XREADGROUP", "GROUP", s->cfg->group, s->cfg->consumer, "COUNT",
                          count,        "BLOCK", block,         "STREAMS"};
    memcpy(argv, head, sizeof(head));
    size_t k = 9;
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        argv[k++] = s->sh[i].key;
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        argv[k++] = ">";
    redisReply *r = command(s, err, errlen, (int)k, argv, NULL);
    if (!r) return -1;
    if (items_take(it, s, r) != 0) return err_set(-1, err, errlen, "correlator: out of memory");
    int64_t safe = INT64_MAX;
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        if (s->sh[i].got == s->cfg->read_count && s->sh[i].frontier < safe)
            safe = s->sh[i].frontier;
    return process(s, it, safe, err, errlen);
}

/* ---- the loop --------------------------------------------------------------------- */

static int session(session_t *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload,
                   char *err, size_t errlen)
{
    if (connect_redis(s, err, errlen) != 0 || load_checkpoint(s, err, errlen) != 0 ||
        replay_pending(s, &s->items, err, errlen) != 0 || checkpoint(s, err, errlen) != 0)
        return -1;
    log_info("correlator: consuming %" PRIu32 " shards as %s/%s", s->cfg->shards, s->cfg->group,
             s->cfg->consumer);
    while (!*stop) {
        if (*reload) {
            *reload = 0;
            char why[512];
            if (!corr_pipeline_reload(s->p, why, sizeof(why)))
                log_warn("correlator: reload failed, keeping the rules in use: %s", why);
        }
        if (read_new(s, &s->items, err, errlen) != 0) return -1;
        if (mono_ms() >= s->next_ckpt_ms && checkpoint(s, err, errlen) != 0) return -1;
    }
    return checkpoint(s, err, errlen);
}

int corr_stream_run(const corr_config_t *cfg, corr_pipeline_t *p, volatile sig_atomic_t *stop,
                    volatile sig_atomic_t *reload)
{
    session_t s = {.cfg = cfg, .p = p};
    s.sh = calloc(cfg->shards, sizeof(*s.sh));
    if (!s.sh) {
        log_error("correlator: out of memory");
        return 1;
    }
    for (uint32_t i = 0; i < cfg->shards; i++)
        snprintf(s.sh[i].key, sizeof(s.sh[i].key), "soc:events:{%" PRIu32 "}", i);
    snprintf(s.ckpt_key, sizeof(s.ckpt_key), "soc:corr:checkpoint:%s", cfg->consumer);
    char err[512];
    while (!*stop) {
        if (session(&s, stop, reload, err, sizeof(err)) == 0) break;
        log_warn("correlator: %s; back to the last checkpoint in %d ms", err, RETRY_MS);
        disconnect(&s);
        struct timespec ts = {RETRY_MS / 1000, (RETRY_MS % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    disconnect(&s);
    items_free(&s.items);
    for (uint32_t i = 0; i < cfg->shards; i++)
        free(s.sh[i].acks);
    free(s.sh);
    return 0;
}
