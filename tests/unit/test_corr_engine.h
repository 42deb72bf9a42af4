/* test_corr_engine.h -- helpers of the correlation engine tests: record
 * every match (copied: the engine's pointers live during the callback
 * only) and feed events built from JSON at a given time and id. */
#ifndef SOC_TEST_CORR_ENGINE_H
#define SOC_TEST_CORR_ENGINE_H

#include <stdbool.h>
#include <stdlib.h>

#include "engine/corr_engine.h"
#include "test_corr_util.h"

#define SEC 1000000ll

typedef struct rec {
    char rule[136];
    char key[256];
    char mid[700];
    int64_t first, last;
    uint64_t count, nsupp;
    bool flush, has_event;
    char ids[2048]; /* comma-joined */
    char src[256], dst[256];
} rec_t;

typedef struct recs {
    rec_t *r;
    size_t n, cap;
} recs_t;

static inline void join(char *out, size_t cap, const char *const *v, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "," : "", v[i]);
}

static inline void record_match(void *ud, const corr_match_t *m)
{
    recs_t *R = ud;
    if (R->n == R->cap) {
        R->cap = R->cap ? R->cap * 2 : 64;
        R->r = realloc(R->r, R->cap * sizeof(*R->r));
        assert_non_null(R->r);
    }
    rec_t *r = &R->r[R->n++];
    memset(r, 0, sizeof(*r));
    snprintf(r->rule, sizeof(r->rule), "%s", m->rule->id);
    snprintf(r->key, sizeof(r->key), "%s", m->group_key);
    snprintf(r->mid, sizeof(r->mid), "%s", m->match_id);
    r->first = m->first_usec;
    r->last = m->last_usec;
    r->count = m->count;
    r->nsupp = m->n_suppressed;
    r->flush = m->flush;
    r->has_event = m->event != NULL;
    join(r->ids, sizeof(r->ids), m->event_ids, m->n_event_ids);
    join(r->src, sizeof(r->src), m->src_ips, m->n_src);
    join(r->dst, sizeof(r->dst), m->dest_ips, m->n_dest);
}

static inline void recs_free(recs_t *R)
{
    free(R->r);
    *R = (recs_t){0};
}

/* The i-th recorded match of rule id (NULL when fewer). */
static inline const rec_t *rec_of(const recs_t *R, const char *rule, size_t i)
{
    for (size_t k = 0; k < R->n; k++)
        if (strcmp(R->r[k].rule, rule) == 0 && i-- == 0) return &R->r[k];
    return NULL;
}

static inline size_t recs_count(const recs_t *R, const char *rule)
{
    size_t n = 0;
    for (size_t k = 0; k < R->n; k++)
        n += strcmp(R->r[k].rule, rule) == 0;
    return n;
}

static tevent_t feed_tev;

static inline void feed(corr_engine_t *e, const char *json, int64_t ts, const char *id)
{
    make_event(&feed_tev, json, NULL);
    feed_tev.ev.ts_usec = ts;
    feed_tev.ev.id = id;
    corr_engine_event(e, &feed_tev.ev);
}

static inline void feed_x(corr_engine_t *e, const char *json, const char *extra, int64_t ts,
                          const char *id)
{
    make_event(&feed_tev, json, extra);
    feed_tev.ev.ts_usec = ts;
    feed_tev.ev.id = id;
    corr_engine_event(e, &feed_tev.ev);
}

/* A TCP flow (or alert, dns ...) event of the given type. */
static inline void feed_ev(corr_engine_t *e, const char *type, const char *src, const char *dst,
                           int port, int64_t ts, const char *id)
{
    char json[512];
    snprintf(json, sizeof(json),
             "{\"event_type\":\"%s\",\"src_ip\":\"%s\",\"dest_ip\":\"%s\",\"dest_port\":%d,"
             "\"proto\":\"TCP\",\"alert\":{\"severity\":2},\"dns\":{\"rrname\":\"a.vn\"}}",
             type, src, dst, port);
    feed(e, json, ts, id);
}

static inline corr_engine_t *engine_for(const corr_ruleset_t *rs, recs_t *R,
                                        const corr_engine_config_t *cfg)
{
    corr_engine_t *e = corr_engine_new(rs, cfg, record_match, R);
    assert_non_null(e);
    return e;
}

#endif
