/* corr_engine_load.c -- a snapshot back into a new engine (the format is
 * described in corr_engine_save.c). Every count is checked against the
 * bytes left before anything is allocated, every time against a range that
 * keeps the window arithmetic from overflowing; a snapshot that is torn,
 * altered or inconsistent is refused whole with one line. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/corr_engine_int.h"

/* ---- reading ---------------------------------------------------------------------- */

typedef struct rd {
    const uint8_t *p;
    size_t len, off;
    bool bad;
    char *err;
    size_t errlen;
} rd_t;

static void rd_fail(rd_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rd_fail(rd_t *r, const char *fmt, ...)
{
    if (r->bad) return;
    r->bad = true;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    for (char *c = what; *c; c++) /* snapshot bytes quoted in it: one printable line */
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) *c = '?';
    if (r->err && r->errlen) snprintf(r->err, r->errlen, "snapshot: byte %zu: %s", r->off, what);
}

static bool rd_take(rd_t *r, void *out, size_t n)
{
    if (r->bad || r->len - r->off < n) {
        rd_fail(r, "truncated");
        if (out) memset(out, 0, n);
        return false;
    }
    if (out) memcpy(out, r->p + r->off, n);
    r->off += n;
    return true;
}

static uint64_t rd_u64(rd_t *r)
{
    uint8_t x[8];
    uint64_t v = 0;
    if (!rd_take(r, x, 8)) return 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | x[i];
    return v;
}

static uint32_t rd_u32(rd_t *r)
{
    uint8_t x[4];
    uint32_t v = 0;
    if (!rd_take(r, x, 4)) return 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | x[i];
    return v;
}

static uint8_t rd_u8(rd_t *r)
{
    uint8_t v = 0;
    rd_take(r, &v, 1);
    return v;
}

/* A time: CW_UNSET only where unset_ok. */
static int64_t rd_time(rd_t *r, bool unset_ok)
{
    int64_t v = (int64_t)rd_u64(r);
    if ((v == CW_UNSET && unset_ok) || (v >= -SNAP_TIME_OK && v <= SNAP_TIME_OK)) return v;
    rd_fail(r, "time %" PRId64 " out of range", v);
    return 0;
}

/* A count of items of at least min_size bytes each, checked against what
 * is left. */
static uint32_t rd_count(rd_t *r, size_t min_size)
{
    uint32_t n = rd_u32(r);
    if (!r->bad && (uint64_t)n * min_size > r->len - r->off) {
        rd_fail(r, "count %" PRIu32 " exceeds the snapshot", n);
        return 0;
    }
    return n;
}

/* A string of at most max - 1 bytes (pointer into the snapshot, not
 * NUL-terminated). */
static const char *rd_str(rd_t *r, size_t max, size_t *len)
{
    uint32_t n = rd_u32(r);
    *len = 0;
    if (r->bad) return "";
    if (n >= max) {
        rd_fail(r, "string of %" PRIu32 " bytes (limit %zu)", n, max - 1);
        return "";
    }
    const char *s = (const char *)r->p + r->off;
    if (!rd_take(r, NULL, n)) return "";
    *len = n;
    return s;
}

/* rd_str copied into a NUL-terminated buffer of cap bytes. */
static size_t rd_cstr(rd_t *r, char *out, size_t cap)
{
    size_t n;
    const char *s = rd_str(r, cap, &n);
    memcpy(out, s, n);
    out[n] = '\0';
    if (memchr(out, '\0', n)) rd_fail(r, "NUL byte in a string");
    return n;
}

/* ---- loading ------------------------------------------------------------------------ */

typedef struct loader {
    corr_engine_t *e;
    rd_t rd;
    char id[CORR_EVENT_ID_MAX];
    char text[CORR_KEY_MAX];
} loader_t;

static void load_wheel(loader_t *L, cw_rule_t *r, uint32_t k, bool keep)
{
    rd_t *rd = &L->rd;
    int64_t top = rd_time(rd, true), newest = rd_time(rd, true);
    uint32_t n = rd_count(rd, 12);
    cw_wheel_t *w = keep ? &r->keys[k].w.wheel : NULL;
    if (keep && !rd->bad && top != CW_UNSET) {
        r->keys[k].newest = newest;
        w->top = top;
        if (!(w->c = cw_alloc(&L->e->mem, CW_WHEEL_SLOTS * sizeof(*w->c))))
            rd_fail(rd, "out of memory");
    }
    for (uint32_t i = 0; i < n && !rd->bad; i++) {
        int64_t x = rd_time(rd, false);
        uint32_t c = rd_u32(rd);
        if (rd->bad) break;
        if (top == CW_UNSET || x < 0 || x > top || x <= top - CW_WHEEL_SLOTS || c == 0) {
            rd_fail(rd, "slot %" PRId64 " outside the window", x);
            break;
        }
        if (!keep) continue;
        if (w->c[x % CW_WHEEL_SLOTS]) {
            rd_fail(rd, "slot %" PRId64 " twice", x);
            break;
        }
        w->c[x % CW_WHEEL_SLOTS] = c;
        w->total += c;
    }
}

static void load_window(loader_t *L, cw_rule_t *r, uint32_t k, uint8_t kind, bool keep)
{
    rd_t *rd = &L->rd;
    corr_engine_t *e = L->e;
    cw_mem_t *m = &e->mem;
    if (kind == CW_SLIDE_COUNT) {
        uint32_t n = rd_count(rd, 8);
        for (uint32_t i = 0; i < n && !rd->bad; i++) {
            int64_t t = rd_time(rd, false);
            if (keep && !rd->bad && cw_times_insert(m, &r->keys[k].w.times, t) < 0)
                rd_fail(rd, "out of memory");
        }
    } else if (kind == CW_WHEEL_COUNT) {
        load_wheel(L, r, k, keep);
    } else if (kind == CW_TUMBLE_COUNT || kind == CW_TUMBLE_VALUES) {
        uint32_t n = rd_count(rd, 44);
        for (uint32_t i = 0; i < n && !rd->bad; i++) {
            int64_t start = rd_time(rd, false);
            uint64_t count = rd_u64(rd), distinct = rd_u64(rd);
            int64_t first = rd_time(rd, false), last = rd_time(rd, false);
            size_t len = rd_cstr(rd, L->id, sizeof(L->id));
            if (!keep || rd->bad) continue;
            cw_bucket_t *b = cw_buckets_get(m, &r->keys[k].w.buckets, start);
            if (!b) {
                rd_fail(rd, "out of memory");
                continue;
            }
            if (b->count) { /* a second bucket with one start */
                rd_fail(rd, "bucket %" PRId64 " twice", start);
                continue;
            }
            b->count = count;
            b->distinct = distinct;
            b->first = first;
            b->last = last;
            if (!cw_str_set(m, &b->last_id, L->id, len)) rd_fail(rd, "out of memory");
        }
    } else if (kind == CW_TEMPORAL || kind == CW_ORDERED) {
        uint32_t n = rd_count(rd, 8);
        size_t want = keep ? r->rule->corr.nrules * (kind == CW_ORDERED ? 2 : 1) : 0;
        if (keep && n && n != want)
            rd_fail(rd, "%" PRIu32 " temporal steps, expected %zu", n, want);
        cw_key_t *key = keep ? &r->keys[k] : NULL;
        if (keep && n && !rd->bad && !(key->w.steps = cw_alloc(m, want * sizeof(int64_t))))
            rd_fail(rd, "out of memory");
        for (uint32_t i = 0; i < n && !rd->bad; i++) {
            int64_t t = rd_time(rd, true);
            if (keep && !rd->bad) key->w.steps[i] = t;
        }
    }
    if (kind != CW_SLIDE_VALUES && kind != CW_TUMBLE_VALUES) return;
    int64_t newest = rd_time(rd, true);
    uint32_t n = rd_count(rd, 16);
    if (keep) r->keys[k].newest = newest;
    for (uint32_t i = 0; i < n && !rd->bad; i++) {
        uint64_t h = rd_u64(rd);
        int64_t t = rd_time(rd, false);
        if (!keep || rd->bad) continue;
        cw_key_t *key = &r->keys[k];
        if (!h || cw_vtab_find(&key->vals, h)) {
            rd_fail(rd, "bad or repeated value hash");
        } else if (key->vals.n >= e->cfg.values_max) {
            e->st.values_dropped++;
        } else {
            cw_val_t *v = cw_vtab_insert(m, &key->vals, h);
            if (!v)
                rd_fail(rd, "out of memory");
            else
                v->t = t;
        }
    }
}

/* One key: parsed whole; kept when keep (its rule r still applies; r is
 * NULL otherwise). */
static void load_key(loader_t *L, cw_rule_t *r, uint8_t kind, bool keep)
{
    rd_t *rd = &L->rd;
    corr_engine_t *e = L->e;
    size_t tlen;
    const char *text = rd_str(rd, CORR_KEY_MAX, &tlen);
    uint64_t serial = rd_u64(rd);
    int64_t due = (int64_t)rd_u64(rd); /* only compared: any value is safe */
    if (!rd->bad && tlen == 0) rd_fail(rd, "empty group key");
    memcpy(L->text, text, tlen);
    L->text[tlen] = '\0';
    uint32_t k = CW_NIL;
    if (keep && !rd->bad) {
        uint64_t h = cw_key_hash(e, L->text, tlen);
        if (cw_key_find(e, r, L->text, tlen, h) != CW_NIL)
            rd_fail(rd, "group key '%.60s' twice", L->text);
        else if ((k = cw_key_create(e, r, L->text, tlen, h, serial, due)) == CW_NIL)
            rd_fail(rd, "out of memory");
        if (serial > e->serial) e->serial = serial;
    }
    keep = keep && !rd->bad;
    cw_key_t tmp = {0}, *key = keep ? &r->keys[k] : &tmp;
    key->supp_until = rd_time(rd, true);
    key->supp_first = rd_time(rd, true);
    key->supp_last = rd_time(rd, true);
    key->supp_from = rd_time(rd, true);
    key->supp_count = rd_u64(rd);
    key->supp_matches = rd_u64(rd);
    size_t len = rd_cstr(rd, L->id, sizeof(L->id));
    if (keep && len && !cw_str_set(&e->mem, &key->supp_id, L->id, len))
        rd_fail(rd, "out of memory");
    uint32_t n = rd_count(rd, 12);
    for (uint32_t i = 0; i < n && !rd->bad; i++) {
        int64_t ts = rd_time(rd, false);
        len = rd_cstr(rd, L->id, sizeof(L->id));
        if (keep && !rd->bad &&
            !cw_evid_add(&e->mem, &key->evid, e->cfg.evidence_max, ts, L->id, len,
                         &e->st.evidence_dropped))
            rd_fail(rd, "out of memory");
    }
    cw_ips_t *sets[2] = {&key->src, &key->dst};
    for (int s = 0; s < 2; s++) {
        n = rd_count(rd, 4);
        for (uint32_t i = 0; i < n && !rd->bad; i++) {
            len = rd_cstr(rd, L->id, CW_IP_LEN);
            if (keep && !rd->bad &&
                !cw_ips_add(&e->mem, sets[s], e->cfg.ips_max, L->id, len, &e->st.ips_dropped))
                rd_fail(rd, "out of memory");
        }
    }
    load_window(L, r, k, kind, keep);
}

static void load_header(loader_t *L)
{
    rd_t *rd = &L->rd;
    corr_engine_t *e = L->e;
    char magic[8];
    if (rd_take(rd, magic, 8) && memcmp(magic, SNAP_MAGIC, 8) != 0) {
        rd->off = 0;
        rd_fail(rd, "not a snapshot");
    }
    uint32_t format = rd_u32(rd);
    if (!rd->bad && format != SNAP_FORMAT)
        rd_fail(rd, "format %" PRIu32 " (this is %d)", format, SNAP_FORMAT);
    e->seed[0] = rd_u64(rd);
    e->seed[1] = rd_u64(rd);
    e->max_ts = rd_time(rd, true);
    e->wm = rd_time(rd, true);
    e->serial = rd_u64(rd);
    uint32_t nst = rd_count(rd, 8);
    for (uint32_t i = 0; i < nst && !rd->bad; i++) {
        uint64_t v = rd_u64(rd);
        if (i < SNAP_STATS) *cw_stat_field(&e->st, (int)i) = v;
    }
}

static void load_rules(loader_t *L)
{
    rd_t *rd = &L->rd;
    corr_engine_t *e = L->e;
    uint32_t nr = rd_count(rd, 4);
    for (uint32_t i = 0; i < nr && !rd->bad; i++) {
        char id[CORR_KEY_MAX];
        rd_cstr(rd, id, sizeof(id));
        uint32_t version = rd_u32(rd);
        uint64_t fp = rd_u64(rd);
        uint8_t kind = rd_u8(rd);
        corr_rule_stats_t st = {.events = rd_u64(rd), .matches = rd_u64(rd)};
        st.suppressed = rd_u64(rd);
        st.evictions = rd_u64(rd);
        uint32_t nkeys = rd_count(rd, 80);
        if (rd->bad) break;
        if (kind > CW_ORDERED) {
            rd_fail(rd, "rule '%.60s': unknown kind %u", id, kind);
            break;
        }
        const corr_rule_t *rule = corr_ruleset_find(e->rs, id);
        cw_rule_t *r = rule && strcmp(rule->id, id) == 0 ? &e->rules[rule->index] : NULL;
        bool keep = r && r->rule->version == version && r->kind == kind && cw_fingerprint(r) == fp;
        if (keep) {
            r->st.events = st.events;
            r->st.matches = st.matches;
            r->st.suppressed = st.suppressed;
            r->st.evictions = st.evictions;
        } else {
            e->st.snapshot_rules_dropped++;
            e->st.snapshot_keys_dropped += nkeys;
        }
        /* least recently used first: over the cap, the oldest are left out */
        uint32_t skip =
            keep && nkeys > e->cfg.max_keys_per_rule ? nkeys - e->cfg.max_keys_per_rule : 0;
        e->st.snapshot_keys_dropped += skip;
        for (uint32_t k = 0; k < nkeys && !rd->bad; k++)
            load_key(L, keep && k >= skip ? r : NULL, kind, keep && k >= skip);
    }
}

corr_engine_t *corr_engine_load(const corr_ruleset_t *rs, const corr_engine_config_t *cfg,
                                corr_match_fn on_match, void *ud, const void *buf, size_t len,
                                char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!buf || len < 8 + 8) {
        if (err && errlen) snprintf(err, errlen, "snapshot: %zu bytes, too short", len);
        return NULL;
    }
    const uint8_t *p = buf;
    uint64_t sum = 0;
    for (int i = 7; i >= 0; i--)
        sum = (sum << 8) | p[len - 8 + i];
    if (cw_siphash(cw_snap_key, p, len - 8) != sum) {
        if (err && errlen) snprintf(err, errlen, "snapshot: checksum mismatch (torn or altered)");
        return NULL;
    }
    corr_engine_t *e = corr_engine_new(rs, cfg, on_match, ud);
    loader_t *L = calloc(1, sizeof(*L));
    if (!e || !L) {
        if (err && errlen) snprintf(err, errlen, "snapshot: out of memory");
        corr_engine_free(e);
        free(L);
        return NULL;
    }
    L->e = e;
    L->rd = (rd_t){.p = p, .len = len - 8, .err = err, .errlen = errlen};
    load_header(L);
    load_rules(L);
    if (!L->rd.bad && L->rd.off != L->rd.len) rd_fail(&L->rd, "trailing bytes");
    bool bad = L->rd.bad;
    free(L);
    if (bad) {
        corr_engine_free(e);
        return NULL;
    }
    return e;
}
