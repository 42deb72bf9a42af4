/* corr_stream.c -- see corr_stream.h.
 *
 * Two connections: one only reads (XREADGROUP, its replies read and built
 * in place in reply buffers, corr_reply.h), the other writes (incidents,
 * checkpoints, acknowledgements). The next read is sent before the
 * entries of the last one are evaluated, so Redis prepares it on its own
 * core meanwhile; what is evaluated, and in which order, does not change.
 * Stream ids are numbers here (corr_sid.h), written as text only for the
 * checkpoint and XACK. */
#include "daemon/corr_stream.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/corr_items.h"
#include "daemon/corr_reply.h"
#include "daemon/corr_sid.h"
#include "err.h"
#include "ingest/ingest_event.h"
#include "ingest/ingest_store.h"
#include "log.h"

#define CKPT_MAGIC "SOCCKPT1\n"
#define RETRY_MS   1000
#define ACK_BATCH  8192 /* ids per XACK command (the commands of a checkpoint are pipelined) */
/* An idle checkpoint (below) may come early once this many times what the
 * last snapshot took has passed since it: snapshots then never take more
 * than about 1/CKPT_IDLE_RATIO of the time. */
#define CKPT_IDLE_RATIO 10

typedef struct shard {
    char key[40];
    corr_sid_t last;  /* last id processed (what the snapshot covers once saved) */
    corr_sid_t seen;  /* newest id of the read being processed */
    corr_sid_t *acks; /* processed since the last checkpoint */
    size_t nacks, cap;
    corr_sid_t read_last; /* id of the last entry of the last read */
    uint32_t got;         /* entries of the last read */
    int64_t frontier;     /* newest event time read (a shard is not in time order:
                             flow events come when their flow ends) */
} shard_t;

typedef struct session {
    const corr_config_t *cfg;
    corr_pipeline_t *p;
    redisContext *c;  /* incidents, checkpoints, acknowledgements */
    redisContext *rd; /* XREADGROUP only: written by hiredis, replies read by corr_reply */
    incident_store_t *store;
    shard_t *sh;
    char ckpt_key[128];
    uint64_t next_ckpt_us, last_ckpt_us, ckpt_cost_us;
    char *ackcmd;       /* one XACK of up to ACK_BATCH ids, in Redis's protocol */
    corr_items_t items; /* entries read, not yet evaluated (k-way merge, see process) */
} session_t;

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
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

/* ---- connection ------------------------------------------------------------------- */

static redisContext *open_conn(const corr_config_t *cfg, const char *pass, char *err, size_t errlen)
{
    redisContext *c = redisConnectUnix(cfg->redis_socket);
    if (!c || c->err) {
        err_set(-1, err, errlen, "redis %s: %s", cfg->redis_socket,
                c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    const char *auth[] = {"AUTH", cfg->redis_user, pass};
    redisReply *r = redisCommandArgv(c, 3, auth, NULL);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        err_set(-1, err, errlen, "redis: AUTH: %s", r ? r->str : c->errstr);
        freeReplyObject(r);
        redisFree(c);
        return NULL;
    }
    freeReplyObject(r);
    return c;
}

static int connect_redis(session_t *s, char *err, size_t errlen)
{
    const corr_config_t *cfg = s->cfg;
    char pass[INGEST_PASSWORD_MAX];
    if (ingest_read_password(cfg->redis_password_file, pass, sizeof(pass), err, errlen) != 0)
        return -1;
    s->c = open_conn(cfg, pass, err, errlen);
    s->rd = s->c ? open_conn(cfg, pass, err, errlen) : NULL;
    explicit_bzero(pass, sizeof(pass));
    if (!s->rd) return -1;
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

static void disconnect(session_t *s)
{
    corr_items_clear(&s->items);
    corr_pipeline_set_store(s->p, NULL);
    incident_store_close(s->store); /* attached: leaves the context to us */
    s->store = NULL;
    redisFree(s->c);
    redisFree(s->rd); /* a read still on its way: its entries stay pending, read again */
    s->c = s->rd = NULL;
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
        char id[CORR_SID_LEN];
        q = memchr(q, '\n', (size_t)(end - q));
        ok = q && ++q < end && sscanf(q, "%47[0-9-]", id) == 1 &&
             corr_sid_parse(id, strlen(id), &s->sh[i].last);
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
            s->sh[i].last = (corr_sid_t){0, 0};
        corr_pipeline_restore(s->p, NULL, 0, why, sizeof(why));
    }
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        s->sh[i].seen = s->sh[i].last;
    freeReplyObject(r);
    return 0;
}

/* One bulk string of Redis's protocol ("$LEN\r\nBYTES\r\n") at out. */
static size_t resp_bulk(char *out, const char *p, size_t n)
{
    out[0] = '$';
    size_t k = 1 + corr_sid_dec(out + 1, n);
    memcpy(out + k, "\r\n", 2);
    memcpy(out + k + 2, p, n);
    memcpy(out + k + 2 + n, "\r\n", 2);
    return k + n + 4;
}

/* "XACK key group id..." for n ids, formatted here: the ids are many, and
 * hiredis's own formatting of a command costs more than the rest of the
 * checkpoint. Needs ACK_CMD_MAX bytes. */
#define ACK_CMD_MAX (64 + 2 * 128 + ACK_BATCH * (CORR_SID_LEN + 8))
static size_t ack_command(char *out, const char *key, const char *group, const corr_sid_t *ids,
                          size_t n)
{
    out[0] = '*';
    size_t k = 1 + corr_sid_dec(out + 1, n + 3);
    memcpy(out + k, "\r\n", 2);
    k += 2;
    k += resp_bulk(out + k, "XACK", 4);
    k += resp_bulk(out + k, key, strlen(key));
    k += resp_bulk(out + k, group, strlen(group));
    char id[CORR_SID_LEN];
    size_t ms_len = 0;
    for (size_t i = 0; i < n; i++) { /* ids of one millisecond share their first part */
        if (i == 0 || ids[i].ms != ids[i - 1].ms) {
            ms_len = corr_sid_dec(id, ids[i].ms);
            id[ms_len++] = '-';
        }
        k += resp_bulk(out + k, id, ms_len + corr_sid_dec(id + ms_len, ids[i].seq));
    }
    return k;
}

/* XACK of everything the shard processed since the last checkpoint, in
 * commands of ACK_BATCH ids sent together. */
static int ack_shard(session_t *s, shard_t *sh, char *err, size_t errlen)
{
    size_t ncmd = 0;
    for (size_t off = 0; off < sh->nacks; off += ACK_BATCH, ncmd++) {
        size_t n = sh->nacks - off < ACK_BATCH ? sh->nacks - off : ACK_BATCH;
        size_t len = ack_command(s->ackcmd, sh->key, s->cfg->group, sh->acks + off, n);
        if (redisAppendFormattedCommand(s->c, s->ackcmd, len) != REDIS_OK)
            return err_set(-1, err, errlen, "redis: XACK: %s", s->c->errstr);
    }
    int rc = 0;
    for (size_t i = 0; i < ncmd; i++) { /* every reply is read, even after an error */
        void *v = NULL;
        redisReply *r = redisGetReply(s->c, &v) == REDIS_OK ? v : NULL;
        if (!r) return err_set(-1, err, errlen, "redis: XACK: %s", s->c->errstr);
        if (r->type == REDIS_REPLY_ERROR && rc == 0)
            rc = err_set(-1, err, errlen, "redis: XACK: %s", r->str);
        freeReplyObject(r);
    }
    if (rc == 0) sh->nacks = 0;
    return rc;
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
    uint64_t t0 = mono_us();
    corr_bytes_t b = {0};
    char line[CORR_SID_LEN + 16];
    int n = snprintf(line, sizeof(line), "%s%" PRIu32 "\n", CKPT_MAGIC, s->cfg->shards);
    bool ok = append(&b, line, (size_t)n);
    for (uint32_t i = 0; ok && i < s->cfg->shards; i++) {
        size_t k = corr_sid_format(s->sh[i].last, line);
        line[k++] = '\n';
        ok = append(&b, line, k);
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
    /* what an early checkpoint costs again: the snapshot (the acknowledgements
     * are owed anyway) */
    s->ckpt_cost_us = mono_us() - t0;
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        if (ack_shard(s, &s->sh[i], err, errlen) != 0) return -1;
    s->last_ckpt_us = mono_us();
    s->next_ckpt_us = s->last_ckpt_us + s->cfg->checkpoint_ms * 1000;
    return 0;
}

static bool unacked(const session_t *s)
{
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        if (s->sh[i].nacks > 0) return true;
    return false;
}

/* When an idle checkpoint may come (see maybe_checkpoint). */
static uint64_t idle_ckpt_at(const session_t *s)
{
    return s->last_ckpt_us + CKPT_IDLE_RATIO * s->ckpt_cost_us;
}

/* Checkpoint at the interval; and when the streams have gone quiet with
 * entries still unacknowledged, early (as often as its cost allows): a
 * caught-up correlator leaves nothing pending for long, and a restart
 * nothing to redo. */
static int maybe_checkpoint(session_t *s, bool idle, char *err, size_t errlen)
{
    uint64_t now = mono_us();
    bool due = now >= s->next_ckpt_us || (idle && now >= idle_ckpt_at(s) && unacked(s));
    return due ? checkpoint(s, err, errlen) : 0;
}

/* ---- entries ---------------------------------------------------------------------- */

static bool remember(shard_t *sh, corr_sid_t id)
{
    if (sh->nacks == sh->cap) {
        size_t cap = sh->cap ? sh->cap * 2 : 1024;
        corr_sid_t *a = realloc(sh->acks, cap * sizeof(*a));
        if (!a) return false;
        sh->acks = a;
        sh->cap = cap;
    }
    sh->acks[sh->nacks++] = id;
    return true;
}

static const redisReply *field(const redisReply *e, const char *name)
{
    const redisReply *f = e->element[1];
    for (size_t i = 0; f && f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements; i += 2)
        if (f->element[i] && f->element[i]->type == REDIS_REPLY_STRING &&
            strcmp(f->element[i]->str, name) == 0)
            return f->element[i + 1];
    return NULL;
}

/* The EVE timestamp, found without parsing the whole event (0 when absent:
 * such events go first and are then refused by the pipeline). */
static int64_t event_time(const char *ev)
{
    static const char key[] = "\"timestamp\":\"";
    /* the sensors write it first; else the first occurrence, as strstr finds */
    const char *p = strncmp(ev,
                            "{"
                            "\"timestamp\":\"",
                            sizeof(key)) == 0
                        ? ev + 1
                        : strstr(ev, key);
    if (!p) return 0;
    p += sizeof(key) - 1;
    const char *q = strchr(p, '"');
    int64_t us = 0;
    return q && ingest_parse_time(p, (size_t)(q - p), &us) ? us : 0;
}

/* One entry of a reply ([id, [field, value, ...]]) into the items. */
static int take_entry(session_t *s, uint32_t k, uint32_t slot, const redisReply *e)
{
    shard_t *sh = &s->sh[k];
    corr_item_t t = {.shard = k, .buf = slot};
    if (!corr_sid_parse(e->element[0]->str, e->element[0]->len, &t.id)) {
        log_warn("correlator: %s: entry id '%.48s' is not MS-SEQ; skipped", sh->key,
                 e->element[0]->str);
        return 0;
    }
    const redisReply *ev = field(e, "event"), *eid = field(e, "id");
    if (ev && eid && ev->type == REDIS_REPLY_STRING && eid->type == REDIS_REPLY_STRING) {
        t.ev = ev->str; /* else trimmed while pending, or not ours: only acknowledged */
        t.evlen = ev->len;
        t.eid = eid->str;
        t.ts = event_time(t.ev);
    }
    if (!corr_items_add(&s->items, &t)) return -1;
    if (t.ts > sh->frontier) sh->frontier = t.ts;
    sh->read_last = t.id;
    sh->got++;
    return 0;
}

/* Every entry of an XREADGROUP reply (built in buffer `slot`) into the
 * items; per shard, how many came and the newest event time. */
static int take(session_t *s, const redisReply *r, uint32_t slot)
{
    int rc = 0;
    for (uint32_t k = 0; k < s->cfg->shards; k++)
        s->sh[k].got = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && rc == 0; i++) {
        const redisReply *st = r->element[i];
        if (!st || st->type != REDIS_REPLY_ARRAY || st->elements != 2 || !st->element[0] ||
            st->element[0]->type != REDIS_REPLY_STRING || !st->element[1] ||
            st->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        uint32_t k = 0;
        while (k < s->cfg->shards && strcmp(s->sh[k].key, st->element[0]->str) != 0)
            k++;
        const redisReply *list = st->element[1];
        for (size_t j = 0; k < s->cfg->shards && j < list->elements && rc == 0; j++) {
            const redisReply *e = list->element[j];
            if (e && e->type == REDIS_REPLY_ARRAY && e->elements == 2 && e->element[0] &&
                e->element[0]->type == REDIS_REPLY_STRING && e->element[1])
                rc = take_entry(s, k, slot, e);
        }
    }
    return rc;
}

/* ---- reads ------------------------------------------------------------------------ */

/* Send an XREADGROUP on the reading connection; its reply is taken later. */
static int send_read(session_t *s, int argc, const char **argv, char *err, size_t errlen)
{
    if (redisAppendCommandArgv(s->rd, argc, argv, NULL) != REDIS_OK)
        return err_set(-1, err, errlen, "redis: XREADGROUP: %s", s->rd->errstr);
    for (int done = 0; !done;)
        if (redisBufferWrite(s->rd, &done) != REDIS_OK)
            return err_set(-1, err, errlen, "redis: XREADGROUP: %s", s->rd->errstr);
    return 0;
}

/* Wait for the read sent last and take its entries; *got: how many. */
static int take_read(session_t *s, size_t *got, char *err, size_t errlen)
{
    uint32_t slot;
    corr_rbuf_t *b = corr_items_buffer(&s->items, &slot);
    if (!b) return err_set(-1, err, errlen, "correlator: out of memory");
    redisReply *r;
    int rc = 0;
    char why[256];
    if (corr_reply_read(s->rd->fd, b, &r, why, sizeof(why)) != 0)
        rc = err_set(-1, err, errlen, "XREADGROUP: %s", why);
    else if (r->type == REDIS_REPLY_ERROR)
        rc = err_set(-1, err, errlen, "redis: XREADGROUP: %s", r->str);
    else if (take(s, r, slot) != 0)
        rc = err_set(-1, err, errlen, "correlator: out of memory");
    if (s->items.slots[slot].live == 0) corr_items_done_with(&s->items, slot);
    *got = 0;
    for (uint32_t k = 0; k < s->cfg->shards; k++)
        *got += s->sh[k].got;
    return rc;
}

/* How long a read may wait for entries: the configured block, or less when
 * an idle checkpoint will be allowed sooner (a quiet stream then gets it
 * in time). At least 1 ms: BLOCK 0 would wait forever. */
static uint64_t block_ms(const session_t *s)
{
    uint64_t ms = s->cfg->block_ms, now = mono_us(), at = idle_ckpt_at(s);
    if (unacked(s) && at > now && (at - now) / 1000 + 1 < ms) ms = (at - now) / 1000 + 1;
    return ms ? ms : 1;
}

/* New entries of every shard; BLOCK only when the last read found none. */
static int send_new(session_t *s, bool block, char *err, size_t errlen)
{
    /* XREADGROUP GROUP g c COUNT n [BLOCK ms] STREAMS key... >... */
    const char *argv[9 + 2 * CORR_SHARDS_MAX];
    char count[16], ms[24];
    snprintf(count, sizeof(count), "%" PRIu32, s->cfg->read_count);
    snprintf(ms, sizeof(ms), "%" PRIu64, block_ms(s));
    size_t k = 0;
    const char *head[] = {"XREADGROUP", "GROUP", s->cfg->group, s->cfg->consumer, "COUNT", count};
    for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
        argv[k++] = head[i];
    if (block) {
        argv[k++] = "BLOCK";
        argv[k++] = ms;
    }
    argv[k++] = "STREAMS";
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        argv[k++] = s->sh[i].key;
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        argv[k++] = ">";
    return send_read(s, (int)k, argv, err, errlen);
}

/* A shard that filled its read-count may have more, so the merge may not
 * pass the newest event time it has delivered. */
static int64_t safe_time(const session_t *s)
{
    int64_t safe = INT64_MAX;
    for (uint32_t i = 0; i < s->cfg->shards; i++)
        if (s->sh[i].got == s->cfg->read_count && s->sh[i].frontier < safe)
            safe = s->sh[i].frontier;
    return safe;
}

/* One entry. Entries the snapshot covers are only acknowledged. */
static int entry(session_t *s, const corr_item_t *it, char *err, size_t errlen)
{
    shard_t *sh = &s->sh[it->shard];
    if (!remember(sh, it->id)) return err_set(-1, err, errlen, "correlator: out of memory");
    if (corr_sid_cmp(it->id, sh->last) <= 0) return 0;
    if (corr_sid_cmp(it->id, sh->seen) > 0) sh->seen = it->id;
    if (!it->ev) return 0;
    char why[512];
    if (corr_pipeline_event(s->p, it->ev, it->evlen, it->eid, why, sizeof(why)) != 0)
        return err_set(-1, err, errlen, "incident store: %s", why);
    if (why[0]) {
        char id[CORR_SID_LEN];
        corr_sid_format(it->id, id);
        log_warn("correlator: %s entry %s: %s", sh->key, id, why);
    }
    return 0;
}

/* Entries read from every shard are evaluated in event-time order. Each
 * shard's stream is in arrival order, but a read takes up to read-count
 * entries per shard, and an offline replay or a backlog packs minutes of
 * event time into one read: so entries are merged across shards, and an
 * entry newer than what every still-busy shard has delivered waits for
 * the next read (a k-way merge of the shards by event time). */
static int process(session_t *s, int64_t safe, char *err, size_t errlen)
{
    corr_items_t *it = &s->items;
    if (!corr_items_ready(it, safe)) return err_set(-1, err, errlen, "correlator: out of memory");
    for (size_t k = 0; k < it->nready; k++)
        if (entry(s, &it->v[it->ready[k]], err, errlen) != 0) return -1;
    for (uint32_t k = 0; k < s->cfg->shards; k++)
        if (corr_sid_cmp(s->sh[k].seen, s->sh[k].last) > 0) s->sh[k].last = s->sh[k].seen;
    corr_items_drop_ready(it);
    return 0;
}

/* What was delivered to this consumer before and never acknowledged: all
 * of it, from every shard, then in event-time order. */
static int replay_pending(session_t *s, char *err, size_t errlen)
{
    char count[16];
    snprintf(count, sizeof(count), "%" PRIu32, s->cfg->read_count);
    for (uint32_t i = 0; i < s->cfg->shards; i++) {
        char start[CORR_SID_LEN] = "0";
        for (;;) {
            const char *argv[] = {"XREADGROUP",     "GROUP",      s->cfg->group,
                                  s->cfg->consumer, "COUNT",      count,
                                  "STREAMS",        s->sh[i].key, start};
            size_t got;
            if (send_read(s, 9, argv, err, errlen) != 0 || take_read(s, &got, err, errlen) != 0)
                return -1;
            if (s->sh[i].got == 0) break;
            corr_sid_format(s->sh[i].read_last, start);
        }
    }
    return process(s, INT64_MAX, err, errlen);
}

/* ---- the loop --------------------------------------------------------------------- */

static int session(session_t *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload,
                   char *err, size_t errlen)
{
    if (connect_redis(s, err, errlen) != 0 || load_checkpoint(s, err, errlen) != 0 ||
        replay_pending(s, err, errlen) != 0 || checkpoint(s, err, errlen) != 0)
        return -1;
    log_info("correlator: consuming %" PRIu32 " shards as %s/%s", s->cfg->shards, s->cfg->group,
             s->cfg->consumer);
    if (send_new(s, false, err, errlen) != 0) return -1;
    while (!*stop) {
        if (*reload) {
            *reload = 0;
            char why[512];
            if (!corr_pipeline_reload(s->p, why, sizeof(why)))
                log_warn("correlator: reload failed, keeping the rules in use: %s", why);
        }
        size_t got;
        if (take_read(s, &got, err, errlen) != 0) return -1;
        /* more may be waiting: Redis prepares the next read while this one
         * is evaluated (a quiet stream is read again after the checkpoint,
         * which decides how long that read may wait) */
        if (got && send_new(s, false, err, errlen) != 0) return -1;
        if (process(s, safe_time(s), err, errlen) != 0) return -1;
        if (maybe_checkpoint(s, got == 0, err, errlen) != 0) return -1;
        if (!got && send_new(s, true, err, errlen) != 0) return -1;
    }
    size_t got; /* the read on its way is evaluated too */
    if (take_read(s, &got, err, errlen) != 0 || process(s, safe_time(s), err, errlen) != 0)
        return -1;
    return checkpoint(s, err, errlen);
}

int corr_stream_run(const corr_config_t *cfg, corr_pipeline_t *p, volatile sig_atomic_t *stop,
                    volatile sig_atomic_t *reload)
{
    session_t s = {.cfg = cfg, .p = p};
    s.sh = calloc(cfg->shards, sizeof(*s.sh));
    s.ackcmd = malloc(ACK_CMD_MAX);
    if (!s.sh || !s.ackcmd || !corr_items_init(&s.items, cfg->shards)) {
        log_error("correlator: out of memory");
        free(s.sh);
        free(s.ackcmd);
        corr_items_free(&s.items);
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
    corr_items_free(&s.items);
    for (uint32_t i = 0; i < cfg->shards; i++)
        free(s.sh[i].acks);
    free(s.sh);
    free(s.ackcmd);
    return 0;
}
