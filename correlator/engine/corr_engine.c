/* corr_engine.c -- the engine's entry points: configuration, one event
 * through the detection rules and on into the correlation rules that use
 * them (in order of depth, so a chain sees its parts' matches of the same
 * event), the watermark, statistics. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/corr_engine_int.h"

#define TS_MAX 253402300799999999ll /* 9999-12-31T23:59:59.999999Z */

void corr_engine_config_defaults(corr_engine_config_t *cfg)
{
    *cfg = (corr_engine_config_t){
        .lateness_usec = 5 * 1000000ll,
        .max_keys_per_rule = 100000,
        .evidence_max = 100,
        .ips_max = 32,
        .values_max = 10000,
        .late_detections = true,
    };
}

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void seed_random(uint64_t seed[2])
{
    if (getrandom(seed, 2 * sizeof(uint64_t), 0) == (ssize_t)(2 * sizeof(uint64_t))) return;
    struct timespec ts; /* no entropy source: still differs per process */
    clock_gettime(CLOCK_REALTIME, &ts);
    seed[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
    seed[1] = (uint64_t)getpid() * 0xbf58476d1ce4e5b9ull ^ (uint64_t)(uintptr_t)seed;
}

corr_engine_t *corr_engine_new(const corr_ruleset_t *rs, const corr_engine_config_t *cfg,
                               corr_match_fn on_match, void *ud)
{
    if (!rs) return NULL;
    corr_engine_t *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    e->rs = rs;
    if (cfg)
        e->cfg = *cfg;
    else
        corr_engine_config_defaults(&e->cfg);
    corr_engine_config_t *c = &e->cfg;
    if (c->lateness_usec < 0) c->lateness_usec = 0;
    if (c->lateness_usec > CORR_ENGINE_LATENESS_MAX) c->lateness_usec = CORR_ENGINE_LATENESS_MAX;
    c->max_keys_per_rule = clamp_u32(c->max_keys_per_rule, 1, CORR_ENGINE_KEYS_MAX);
    c->evidence_max = clamp_u32(c->evidence_max, 0, CORR_ENGINE_EVIDENCE_MAX);
    c->ips_max = clamp_u32(c->ips_max, 0, CORR_ENGINE_IPS_MAX);
    c->values_max = clamp_u32(c->values_max, 1, CORR_ENGINE_VALUES_MAX);
    if (c->max_future_usec < 0) c->max_future_usec = 0;
    if (c->max_future_usec > CORR_ENGINE_FUTURE_MAX) c->max_future_usec = CORR_ENGINE_FUTURE_MAX;
    if (c->hash_seed[0] || c->hash_seed[1]) {
        e->seed[0] = c->hash_seed[0];
        e->seed[1] = c->hash_seed[1];
    } else {
        seed_random(e->seed);
    }
    e->on_match = on_match;
    e->ud = ud;
    e->max_ts = e->wm = e->clock = CW_UNSET;
    e->ids = cw_alloc(&e->mem, ((size_t)c->evidence_max + 1) * sizeof(char *));
    e->srcs = cw_alloc(&e->mem, ((size_t)c->ips_max + 1) * sizeof(char *));
    e->dsts = cw_alloc(&e->mem, ((size_t)c->ips_max + 1) * sizeof(char *));
    e->groups = cw_alloc(&e->mem, CW_MAX_REFS * sizeof(*e->groups));
    if (!e->ids || !e->srcs || !e->dsts || !e->groups || !cw_rules_init(e)) {
        corr_engine_free(e);
        return NULL;
    }
    return e;
}

void corr_engine_free(corr_engine_t *e)
{
    if (!e) return;
    cw_rules_free(e);
    cw_release(&e->mem, e->heap, (size_t)e->hcap * sizeof(*e->heap));
    cw_release(&e->mem, e->work, e->capwork * sizeof(*e->work));
    for (size_t i = 0; e->groups && i < CW_MAX_REFS; i++)
        cw_release(&e->mem, e->groups[i].text, CORR_KEY_MAX);
    cw_release(&e->mem, e->groups, CW_MAX_REFS * sizeof(*e->groups));
    cw_release(&e->mem, e->ids, ((size_t)e->cfg.evidence_max + 1) * sizeof(char *));
    cw_release(&e->mem, e->srcs, ((size_t)e->cfg.ips_max + 1) * sizeof(char *));
    cw_release(&e->mem, e->dsts, ((size_t)e->cfg.ips_max + 1) * sizeof(char *));
    free(e);
}

/* ---- one event ------------------------------------------------------------- */

/* The key of the current event in rule r, found or created, and touched. */
static uint32_t key_for(corr_engine_t *e, cw_rule_t *r, const char *text, size_t len)
{
    uint64_t h = cw_key_hash(e, text, len);
    uint32_t k = cw_key_find(e, r, text, len, h);
    if (k != CW_NIL) {
        cw_key_touch(r, k);
        return k;
    }
    return cw_key_create(e, r, text, len, h, ++e->serial, CW_NEVER);
}

/* A standalone detection rule with suppress: its key is the suppress key. */
static void detect_suppressed(corr_engine_t *e, cw_rule_t *r)
{
    size_t len = corr_group_key(r->rule, e->cur, e->key, sizeof(e->key));
    if (!len) return;
    uint32_t k = key_for(e, r, e->key, len);
    if (k == CW_NIL) return;
    cw_record(e, r, k);
    int64_t ts = e->cur_ts;
    cw_fire_t f = {1, ts, ts, ts, e->cur_id, true};
    cw_fired(e, r, k, &f);
    cw_heap_lower(e, r, k, cw_window_next_due(e, r, &r->keys[k]));
}

static cw_group_t *group_for(corr_engine_t *e, size_t *ngroups, const char *text, size_t len)
{
    for (size_t g = 0; g < *ngroups; g++)
        if (e->groups[g].len == len && memcmp(e->groups[g].text, text, len) == 0)
            return &e->groups[g];
    if (*ngroups == CW_MAX_REFS) return NULL;
    cw_group_t *g = &e->groups[*ngroups];
    if (!g->text && !(g->text = cw_alloc(&e->mem, CORR_KEY_MAX))) return NULL;
    memcpy(g->text, text, len + 1);
    g->len = len;
    g->mask = 0;
    g->nvals = 0;
    (*ngroups)++;
    return g;
}

static int child_index(const corr_rule_t *p, uint32_t child)
{
    for (size_t i = 0; i < p->corr.nrules && i < CW_MAX_REFS; i++)
        if (p->corr.rules[i]->index == child) return (int)i;
    return -1;
}

/* The current event reached correlation rule p through the referenced
 * rules in children: one feed per distinct group key (an event matching
 * two of the rules counts once). */
static void feed_rule(corr_engine_t *e, uint32_t p, const uint32_t *children, size_t nc)
{
    cw_rule_t *r = &e->rules[p];
    const corr_rule_t *rule = r->rule;
    bool values = r->kind == CW_SLIDE_VALUES || r->kind == CW_TUMBLE_VALUES;
    size_t ngroups = 0;
    for (size_t c = 0; c < nc; c++) {
        int ci = child_index(rule, children[c]);
        if (ci < 0) continue;
        const corr_rule_t *child = rule->corr.rules[ci];
        size_t len = corr_group_key_for(rule, child, e->cur, e->key, sizeof(e->key));
        if (!len) continue; /* a group-by field is missing */
        cw_group_t *g = group_for(e, &ngroups, e->key, len);
        if (!g) continue;
        g->mask |= 1ull << ci;
        if (!values) continue;
        size_t vl = corr_count_value(rule, child, e->cur, e->val, sizeof(e->val));
        if (!vl) continue;
        uint64_t h = cw_siphash(e->seed, e->val, vl);
        h = h ? h : 1;
        bool dup = false;
        for (size_t i = 0; i < g->nvals && !dup; i++)
            dup = g->vals[i] == h;
        if (!dup) g->vals[g->nvals++] = h;
    }
    for (size_t gi = 0; gi < ngroups; gi++) {
        cw_group_t *g = &e->groups[gi];
        if (values && !g->nvals) continue; /* no value to count */
        uint32_t k = key_for(e, r, g->text, g->len);
        if (k == CW_NIL) continue;
        r->st.events++;
        if (r->keep_evidence) cw_record(e, r, k);
        cw_window_feed(e, r, k, g->mask, g->vals, g->nvals);
        cw_heap_lower(e, r, k, cw_window_next_due(e, r, &r->keys[k]));
    }
}

/* Feed the queued correlation rules, shallowest first (ties: ruleset
 * order), so a rule sees every part's match of this event at once. */
static void run_work(corr_engine_t *e)
{
    uint32_t children[CW_MAX_REFS];
    while (e->nwork) {
        size_t best = 0;
        for (size_t i = 1; i < e->nwork; i++) {
            const cw_rule_t *a = &e->rules[e->work[i].rule], *b = &e->rules[e->work[best].rule];
            if (a->depth < b->depth ||
                (a->depth == b->depth && e->work[i].rule < e->work[best].rule))
                best = i;
        }
        uint32_t p = e->work[best].rule;
        size_t nc = 0, w = 0;
        for (size_t i = 0; i < e->nwork; i++) {
            if (e->work[i].rule == p) {
                if (nc < CW_MAX_REFS) children[nc++] = e->work[i].child;
            } else {
                e->work[w++] = e->work[i];
            }
        }
        e->nwork = w;
        feed_rule(e, p, children, nc);
    }
}

/* Move the watermark (never back) and do what falls due. */
static void set_watermark(corr_engine_t *e, int64_t wm)
{
    if (e->wm != CW_UNSET && wm <= e->wm) return;
    e->wm = wm;
    cw_run_due(e);
}

static void event_indexed(corr_engine_t *e, const corr_event_t *ev);

void corr_engine_event(corr_engine_t *e, const corr_event_t *ev)
{
    if (!e || !ev) return;
    bool indexed = corr_doc_index(&ev->eve); /* unless the caller did */
    event_indexed(e, ev);
    if (indexed) corr_doc_unindex();
}

/* Whether ts is further ahead of the clock than the configuration allows
 * (both within 0..TS_MAX: no overflow). */
static bool too_far_ahead(const corr_engine_t *e, int64_t ts)
{
    return e->cfg.max_future_usec > 0 && e->clock != CW_UNSET &&
           ts - e->clock > e->cfg.max_future_usec;
}

static void event_indexed(corr_engine_t *e, const corr_event_t *ev)
{
    e->st.events++;
    int64_t ts = ev->ts_usec;
    if (ts < 0 || ts > TS_MAX) {
        e->st.bad_time++;
        return;
    }
    if (too_far_ahead(e, ts)) { /* a wrong clock: it must not move time for everyone */
        e->st.future_clamped++;
        ts = e->max_ts != CW_UNSET ? e->max_ts : e->clock;
    }
    e->cur_ts = ts;
    bool late = e->wm != CW_UNSET && ts < e->wm;
    if (late) {
        e->st.late_dropped++;
        if (!e->cfg.late_detections) return;
    } else {
        if (e->max_ts == CW_UNSET || ts > e->max_ts) e->max_ts = ts;
        set_watermark(e, e->max_ts - e->cfg.lateness_usec);
    }
    corr_category_t cat = corr_event_category(ev);
    if (cat == CORR_CAT_NONE) return;
    e->cur = ev;
    e->cur_idlen = cw_event_id(ev->id, e->cur_id);
    e->ips_ready = false;
    e->nwork = 0;
    const corr_rule_t *const *list;
    size_t n = corr_ruleset_detections(e->rs, cat, &list);
    for (size_t i = 0; i < n; i++) {
        if (!corr_rule_match(list[i], ev)) continue;
        cw_rule_t *r = &e->rules[list[i]->index];
        r->st.events++;
        if (r->kind == CW_DETECT)
            detect_suppressed(e, r);
        else if (list[i]->standalone)
            cw_emit_stateless(e, r);
        if (!late) cw_queue_parents(e, list[i]);
    }
    run_work(e);
    e->cur = NULL;
}

void corr_engine_advance(corr_engine_t *e, int64_t watermark_usec)
{
    if (!e) return;
    if (watermark_usec > TS_MAX) watermark_usec = TS_MAX;
    set_watermark(e, watermark_usec);
}

int64_t corr_engine_watermark(const corr_engine_t *e)
{
    return e ? e->wm : CW_UNSET;
}

void corr_engine_set_clock(corr_engine_t *e, int64_t now_usec)
{
    if (e && now_usec >= 0 && now_usec <= TS_MAX) e->clock = now_usec;
}

/* ---- statistics -------------------------------------------------------------- */

void corr_engine_stats(const corr_engine_t *e, corr_engine_stats_t *out)
{
    *out = e->st;
    out->bytes = e->mem.bytes + sizeof(*e);
}

bool corr_engine_rule_stats(const corr_engine_t *e, size_t i, corr_rule_stats_t *out)
{
    if (!e || i >= e->nrules) return false;
    *out = e->rules[i].st;
    return true;
}
