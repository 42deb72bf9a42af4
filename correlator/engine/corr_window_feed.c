/* corr_window_feed.c -- the windows of the correlation types: how an event
 * enters a key's window, when the window fires, and what the watermark
 * does to it (close, expire). Semantics in ENGINE.md. */
#include <string.h>

#include "engine/corr_engine_int.h"

static inline int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static inline int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Bucket-qualified value hash: one table holds the values of every open
 * bucket of a key. */
static uint64_t bucket_hash(uint64_t h, int64_t start)
{
    uint64_t z = (uint64_t)start + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (h ^ z) ? (h ^ z) : 1;
}

static size_t nsteps(const cw_rule_t *r)
{
    size_t k = r->rule->corr.nrules;
    return r->kind == CW_ORDERED ? 2 * k : k;
}

static bool steps_ready(corr_engine_t *e, cw_rule_t *r, cw_key_t *key)
{
    if (key->w.steps) return true;
    size_t n = nsteps(r);
    key->w.steps = cw_alloc(&e->mem, (n ? n : 1) * sizeof(int64_t));
    if (!key->w.steps) return false;
    for (size_t i = 0; i < n; i++)
        key->w.steps[i] = CW_UNSET;
    return true;
}

/* Forget temporal steps too old to be part of a match completed at or
 * after the watermark. */
static void steps_prune(const corr_engine_t *e, const cw_rule_t *r, cw_key_t *key)
{
    if (!key->w.steps) return;
    size_t k = r->rule->corr.nrules;
    int64_t dead = e->wm - r->span;
    for (size_t i = 0; i < k; i++) {
        if (key->w.steps[i] == CW_UNSET || key->w.steps[i] > dead) continue;
        key->w.steps[i] = CW_UNSET;
        if (r->kind == CW_ORDERED) key->w.steps[k + i] = CW_UNSET;
    }
}

static void steps_reset(const cw_rule_t *r, cw_key_t *key)
{
    for (size_t i = 0; i < nsteps(r); i++)
        key->w.steps[i] = CW_UNSET;
}

/* ---- feeding -------------------------------------------------------------- */

static void fire_now(corr_engine_t *e, cw_rule_t *r, uint32_t k, uint64_t count, int64_t first,
                     int64_t last, int64_t ev_from)
{
    cw_fire_t f = {count, first, last, ev_from, e->cur_id, true};
    cw_fired(e, r, k, &f);
}

/* Sliding event_count: the earliest window (t_b - span, t_b] holding the
 * new event with `need` events fires and takes every pending event up to
 * t_b. Before the event no window held that many, so only windows ending
 * at or after it, within span of it, are looked at. */
static void feed_slide_count(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t ts)
{
    cw_times_t *q = &r->keys[k].w.times;
    cw_times_drop_front(q, cw_times_after(q, e->wm - r->span));
    long p = cw_times_insert(&e->mem, q, ts);
    if (p < 0) return;
    /* without a window of `need` events, the times within span + lateness
     * are few; this bound only matters when lateness is many timespans */
    uint64_t cap = 4 * r->need + 64;
    if (q->n > cap) {
        uint32_t drop = (uint32_t)(q->n - cap);
        cw_times_drop_front(q, drop);
        p -= drop;
        if (p < 0) return;
    }
    for (uint32_t b = (uint32_t)p; b < q->n && cw_times_at(q, b) < ts + r->span; b++) {
        int64_t tb = cw_times_at(q, b);
        uint32_t a = cw_times_after(q, tb - r->span);
        if ((uint64_t)(b - a) + 1 < r->need) continue;
        int64_t first = cw_times_at(q, a);
        cw_times_drop_front(q, b + 1);
        fire_now(e, r, k, (uint64_t)(b - a) + 1, first, tb, first);
        return;
    }
}

/* ---- coarse sliding event_count ---------------------------------------------- */

static uint32_t slot_count(const cw_wheel_t *w, int64_t x)
{
    if (x < 0 || x > w->top || x <= w->top - CW_WHEEL_SLOTS) return 0;
    return w->c[x % CW_WHEEL_SLOTS];
}

static void slot_clear(cw_wheel_t *w, int64_t x)
{
    w->total -= w->c[x % CW_WHEEL_SLOTS];
    w->c[x % CW_WHEEL_SLOTS] = 0;
}

/* Like feed_slide_count with counts per slot: windows are wslots slots
 * ending at the event's slot (or, for a late event, at a later one). */
static void feed_wheel(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t ts)
{
    cw_key_t *key = &r->keys[k];
    cw_wheel_t *w = &key->w.wheel;
    if (!w->c) {
        w->c = cw_alloc(&e->mem, CW_WHEEL_SLOTS * sizeof(*w->c));
        if (!w->c) return;
        w->top = CW_UNSET;
    }
    int64_t s = ts / r->slot;
    if (w->top == CW_UNSET || s > w->top) { /* the ring moves on: clear the slots it reuses */
        for (int64_t x = w->top == CW_UNSET || s - w->top > CW_WHEEL_SLOTS ? s - CW_WHEEL_SLOTS + 1
                                                                           : w->top + 1;
             x <= s; x++)
            if (x >= 0) slot_clear(w, x);
        w->top = s;
    } else if (s <= w->top - CW_WHEEL_SLOTS) {
        return; /* older than the ring holds */
    }
    if (w->c[s % CW_WHEEL_SLOTS] < UINT32_MAX) {
        w->c[s % CW_WHEEL_SLOTS]++;
        w->total++;
    }
    key->newest = key->newest > ts ? key->newest : ts;
    uint64_t sum = 0;
    for (int64_t x = s - r->wslots + 1; x <= s; x++)
        sum += slot_count(w, x);
    for (int64_t end = s;; end++) {
        if (sum >= r->need) {
            int64_t lo = end - r->wslots + 1;
            while (slot_count(w, lo) == 0)
                lo++;
            int64_t last = end == w->top ? key->newest : end * r->slot + r->slot - 1;
            for (int64_t x = end; x > w->top - CW_WHEEL_SLOTS && x >= 0; x--)
                slot_clear(w, x);
            fire_now(e, r, k, sum, lo * r->slot, last, lo * r->slot);
            return;
        }
        if (end >= w->top || end - s + 1 >= r->wslots) return;
        sum += slot_count(w, end + 1);
        sum -= slot_count(w, end + 1 - r->wslots);
    }
}

static cw_bucket_t *feed_bucket(corr_engine_t *e, cw_rule_t *r, cw_key_t *key, int64_t ts)
{
    cw_bucket_t *b = cw_buckets_get(&e->mem, &key->w.buckets, cw_bucket_start(ts, r->span));
    if (!b) return NULL;
    b->count++;
    b->first = min64(b->first, ts);
    b->last = max64(b->last, ts);
    (void)cw_str_set(&e->mem, &b->last_id, e->cur_id, e->cur_idlen);
    return b;
}

static void feed_tumble_values(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t ts,
                               const uint64_t *vals, size_t nvals)
{
    cw_key_t *key = &r->keys[k];
    cw_bucket_t *b = feed_bucket(e, r, key, ts);
    if (!b) return;
    for (size_t i = 0; i < nvals; i++) {
        uint64_t h = bucket_hash(vals[i], b->start);
        if (cw_vtab_find(&key->vals, h)) continue;
        if (key->vals.n >= e->cfg.values_max) {
            e->st.values_dropped++;
            continue;
        }
        cw_val_t *v = cw_vtab_insert(&e->mem, &key->vals, h);
        if (!v) return;
        v->t = b->start;
        b->distinct++;
    }
}

/* Sliding value_count: the distinct values last seen within span of the
 * key's newest event. */
static void feed_slide_values(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t ts,
                              const uint64_t *vals, size_t nvals)
{
    cw_key_t *key = &r->keys[k];
    key->newest = max64(key->newest, ts);
    int64_t horizon = key->newest - r->span;
    for (size_t i = 0; i < nvals && ts > horizon; i++) {
        cw_val_t *v = cw_vtab_find(&key->vals, vals[i]);
        if (!v && key->vals.n >= e->cfg.values_max) cw_vtab_remove(&key->vals, horizon, false);
        if (!v && key->vals.n >= e->cfg.values_max) {
            e->st.values_dropped++;
            continue;
        }
        if (!v && !(v = cw_vtab_insert(&e->mem, &key->vals, vals[i]))) return;
        v->t = max64(v->t, ts);
    }
    if (key->vals.n < r->need) return;
    cw_vtab_remove(&key->vals, horizon, false);
    if (key->vals.n < r->need) return;
    int64_t first;
    uint32_t n = cw_vtab_count_after(&key->vals, horizon, &first);
    cw_vtab_clear(&key->vals);
    fire_now(e, r, k, n, first, key->newest, horizon + 1);
}

static void feed_temporal(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t ts, uint64_t mask)
{
    cw_key_t *key = &r->keys[k];
    if (!steps_ready(e, r, key)) return;
    steps_prune(e, r, key);
    size_t n = r->rule->corr.nrules;
    int64_t *last = key->w.steps, lo = CW_NEVER, hi = CW_UNSET;
    for (size_t i = 0; i < n && i < 64; i++)
        if (mask >> i & 1) last[i] = max64(last[i], ts);
    for (size_t i = 0; i < n; i++) {
        if (last[i] == CW_UNSET) return;
        lo = min64(lo, last[i]);
        hi = max64(hi, last[i]);
    }
    if (hi - lo >= r->span) return;
    steps_reset(r, key);
    fire_now(e, r, k, n, lo, hi, lo);
}

/* temporal_ordered: step i keeps the chain r0 <= r1 <= ... <= ri (event
 * times) with the latest start, and when it ended. */
static void feed_ordered(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t ts, uint64_t mask)
{
    cw_key_t *key = &r->keys[k];
    if (!steps_ready(e, r, key)) return;
    steps_prune(e, r, key);
    size_t n = r->rule->corr.nrules;
    int64_t *start = key->w.steps, *end = key->w.steps + n;
    for (size_t i = 0; i < n && i < 64; i++) {
        if (!(mask >> i & 1)) continue;
        int64_t cand = i == 0 ? ts : CW_UNSET;
        if (i > 0 && start[i - 1] != CW_UNSET && end[i - 1] <= ts) cand = start[i - 1];
        if (cand == CW_UNSET || ts - cand >= r->span) continue;
        if (start[i] == CW_UNSET || cand > start[i] || (cand == start[i] && ts < end[i])) {
            start[i] = cand;
            end[i] = ts;
        }
    }
    if (n == 0 || start[n - 1] == CW_UNSET) return;
    int64_t first = start[n - 1], last = end[n - 1];
    steps_reset(r, key);
    fire_now(e, r, k, n, first, last, first);
}

void cw_window_feed(corr_engine_t *e, cw_rule_t *r, uint32_t k, uint64_t mask, const uint64_t *vals,
                    size_t nvals)
{
    int64_t ts = e->cur_ts;
    switch (r->kind) {
    case CW_SLIDE_COUNT: feed_slide_count(e, r, k, ts); break;
    case CW_WHEEL_COUNT: feed_wheel(e, r, k, ts); break;
    case CW_TUMBLE_COUNT: (void)feed_bucket(e, r, &r->keys[k], ts); break;
    case CW_SLIDE_VALUES: feed_slide_values(e, r, k, ts, vals, nvals); break;
    case CW_TUMBLE_VALUES: feed_tumble_values(e, r, k, ts, vals, nvals); break;
    case CW_TEMPORAL: feed_temporal(e, r, k, ts, mask); break;
    case CW_ORDERED: feed_ordered(e, r, k, ts, mask); break;
    default: break;
    }
}

/* ---- the watermark ------------------------------------------------------------ */

/* Close the key's first bucket: judge the condition on what it holds. */
static void close_bucket(corr_engine_t *e, cw_rule_t *r, uint32_t k)
{
    cw_key_t *key = &r->keys[k];
    cw_bucket_t b = key->w.buckets.b[0];
    uint64_t measure = r->kind == CW_TUMBLE_COUNT ? b.count : b.distinct;
    if (r->kind == CW_TUMBLE_VALUES) cw_vtab_remove(&key->vals, b.start, true);
    if (corr_op_holds(r->rule->corr.op, measure, r->rule->corr.threshold)) {
        cw_fire_t f = {measure, b.first, b.last, b.start, b.last_id.p ? b.last_id.p : "", false};
        cw_fired(e, r, k, &f);
        if (r->rule->nused_by) e->st.unchained++;
    }
    cw_buckets_remove_first(&e->mem, &r->keys[k].w.buckets);
}

static bool is_tumbling(const cw_rule_t *r)
{
    return r->kind == CW_TUMBLE_COUNT || r->kind == CW_TUMBLE_VALUES;
}

/* The latest time of the key's window state, after which it can be
 * forgotten (CW_UNSET: no state). */
static int64_t state_end(const cw_rule_t *r, const cw_key_t *key)
{
    switch (r->kind) {
    case CW_SLIDE_COUNT:
        return key->w.times.n ? cw_times_at(&key->w.times, key->w.times.n - 1) + r->span : CW_UNSET;
    case CW_WHEEL_COUNT:
        return key->w.wheel.total ? (key->w.wheel.top + 1) * r->slot + r->span : CW_UNSET;
    case CW_TUMBLE_COUNT:
    case CW_TUMBLE_VALUES:
        return key->w.buckets.n ? key->w.buckets.b[key->w.buckets.n - 1].start + r->span : CW_UNSET;
    case CW_SLIDE_VALUES: return key->vals.n ? key->newest + r->span : CW_UNSET;
    case CW_TEMPORAL:
    case CW_ORDERED: {
        int64_t hi = CW_UNSET;
        for (size_t i = 0; key->w.steps && i < r->rule->corr.nrules; i++)
            hi = max64(hi, key->w.steps[i]);
        return hi == CW_UNSET ? CW_UNSET : hi + r->span;
    }
    default: return CW_UNSET;
    }
}

int64_t cw_window_next_due(const corr_engine_t *e, const cw_rule_t *r, const cw_key_t *key)
{
    (void)e;
    int64_t end = state_end(r, key), due;
    due = max64(end, key->supp_until);
    if (due == CW_UNSET) return CW_UNSET + 1; /* nothing left: drop at the next look */
    if (is_tumbling(r) && key->w.buckets.n) due = min64(due, key->w.buckets.b[0].start + r->span);
    if (key->supp_count) due = min64(due, key->supp_until);
    return due;
}

/* Times before which the key's evidence can no longer be part of a match. */
static int64_t evidence_horizon(const corr_engine_t *e, const cw_rule_t *r, const cw_key_t *key)
{
    switch (r->kind) {
    case CW_SLIDE_COUNT:
    case CW_WHEEL_COUNT:
    case CW_TEMPORAL:
    case CW_ORDERED: return e->wm - r->span;
    case CW_SLIDE_VALUES: return key->newest == CW_UNSET ? e->wm : key->newest - r->span;
    case CW_TUMBLE_COUNT:
    case CW_TUMBLE_VALUES: {
        int64_t b = e->wm >= 0 ? cw_bucket_start(e->wm, r->span) : e->wm;
        if (key->w.buckets.n) b = min64(b, key->w.buckets.b[0].start);
        return b - 1;
    }
    default: return CW_UNSET;
    }
}

void cw_window_due(corr_engine_t *e, cw_rule_t *r, uint32_t k)
{
    for (;;) { /* bucket closes and suppress ends, in time order */
        cw_key_t *key = &r->keys[k];
        int64_t tb =
            is_tumbling(r) && key->w.buckets.n ? key->w.buckets.b[0].start + r->span : CW_NEVER;
        int64_t tf = key->supp_count ? key->supp_until : CW_NEVER;
        if (min64(tb, tf) > e->wm) break;
        if (tb <= tf)
            close_bucket(e, r, k);
        else
            cw_flush(e, r, k);
    }
    cw_key_t *key = &r->keys[k];
    switch (r->kind) { /* expire what the watermark left behind */
    case CW_SLIDE_COUNT:
        cw_times_drop_front(&key->w.times, cw_times_after(&key->w.times, e->wm - r->span));
        break;
    case CW_SLIDE_VALUES:
        if (key->newest != CW_UNSET && e->wm >= key->newest + r->span) cw_vtab_clear(&key->vals);
        break;
    case CW_TEMPORAL:
    case CW_ORDERED: steps_prune(e, r, key); break;
    default: break;
    }
    if (r->keep_evidence && !key->supp_count)
        cw_evid_drop_upto(&e->mem, &key->evid, e->cfg.evidence_max, evidence_horizon(e, r, key));
    int64_t due = cw_window_next_due(e, r, key);
    if (due <= e->wm) {
        cw_key_drop(e, r, k);
        return;
    }
    cw_heap_update(e, r, k, due);
}

void cw_window_free(corr_engine_t *e, cw_rule_t *r, cw_key_t *key)
{
    switch (r->kind) {
    case CW_SLIDE_COUNT: cw_times_free(&e->mem, &key->w.times); break;
    case CW_WHEEL_COUNT:
        cw_release(&e->mem, key->w.wheel.c, key->w.wheel.c ? CW_WHEEL_SLOTS * sizeof(uint32_t) : 0);
        key->w.wheel = (cw_wheel_t){0};
        break;
    case CW_TUMBLE_COUNT:
    case CW_TUMBLE_VALUES: cw_buckets_free(&e->mem, &key->w.buckets); break;
    case CW_TEMPORAL:
    case CW_ORDERED:
        if (key->w.steps) {
            size_t n = nsteps(r);
            cw_release(&e->mem, key->w.steps, (n ? n : 1) * sizeof(int64_t));
            key->w.steps = NULL;
        }
        break;
    default: break;
    }
    cw_vtab_free(&e->mem, &key->vals);
}
