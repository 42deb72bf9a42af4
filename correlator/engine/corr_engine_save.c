/* corr_engine_save.c -- snapshots of the engine's state (checkpoints); read
 * back by corr_engine_load.c.
 *
 * Binary, little-endian, ending in a SipHash-2-4 (fixed key) of all that
 * comes before it, so a torn or altered snapshot is refused whole:
 *
 *   "SOCCWIN1" u32 format(1) u64 seed[2] i64 max_ts i64 watermark u64 serial
 *   u32 nstats u64 stats[nstats]
 *   u32 nrules, per rule:
 *     str id u32 version u64 fingerprint u8 kind u64 events,matches,suppressed,evictions
 *     u32 nkeys, per key (least recently used first):
 *       str text u64 serial i64 due
 *       i64 supp_until,supp_first,supp_last,supp_from u64 supp_count,supp_matches str supp_id
 *       u32 n (i64 ts str id)[n]           evidence, in order
 *       u32 n str[n]  u32 n str[n]         src and dest addresses
 *       window by kind: sliding count u32 n i64[n]; coarse count i64 top,newest
 *       u32 n (i64 slot u32 count)[n]; tumbling u32 n (i64 start u64 count,
 *       distinct i64 first,last str id)[n]; values i64 newest u32 n (u64 h i64 t)[n];
 *       temporal u32 n i64[n]
 *   u64 checksum
 *
 * str is u32 length and bytes. Loading checks every length against what is
 * left before allocating, and every time against a range that keeps the
 * window arithmetic from overflowing. */
#include <stdlib.h>
#include <string.h>

#include "engine/corr_engine_int.h"

const uint64_t cw_snap_key[2] = {0x534f43434f525231ull, 0x736e617073686f74ull};

uint64_t *cw_stat_field(corr_engine_stats_t *s, int i)
{
    uint64_t *f[SNAP_STATS] = {
        &s->events,    &s->late_dropped,   &s->bad_time,         &s->matches,     &s->suppressed,
        &s->evictions, &s->values_dropped, &s->evidence_dropped, &s->ips_dropped, &s->unchained};
    return f[i];
}

/* ---- writing ------------------------------------------------------------------- */

void corr_bytes_free(corr_bytes_t *b)
{
    free(b->p);
    *b = (corr_bytes_t){0};
}

static void put(corr_bytes_t *b, const void *p, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + n)
            ncap *= 2;
        uint8_t *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_u64(corr_bytes_t *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, 8);
}

static void put_u32(corr_bytes_t *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, 4);
}

static void put_u8(corr_bytes_t *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put_i64(corr_bytes_t *b, int64_t v)
{
    put_u64(b, (uint64_t)v);
}

static void put_str(corr_bytes_t *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

uint64_t cw_fingerprint(const cw_rule_t *r)
{
    const corr_spec_t *s = &r->rule->corr;
    corr_bytes_t b = {0};
    put_u8(&b, r->kind);
    put_i64(&b, r->rule->suppress_usec);
    if (s->type != CORR_TYPE_NONE) {
        put_u8(&b, (uint8_t)s->type);
        put_u8(&b, s->ordered);
        put_i64(&b, s->timespan_usec);
        put_u8(&b, (uint8_t)s->op);
        put_u64(&b, s->threshold);
        put_str(&b, s->field ? s->field : "", s->field ? strlen(s->field) : 0);
        for (size_t i = 0; i < s->ngroup_by; i++)
            put_str(&b, s->group_by[i], strlen(s->group_by[i]));
        put_u8(&b, 0xfe);
        for (size_t i = 0; i < s->nrules; i++)
            put_str(&b, s->rules[i]->id, strlen(s->rules[i]->id));
        put_u8(&b, 0xfd);
        for (size_t a = 0; a < s->naliases; a++) {
            put_str(&b, s->aliases[a].name, strlen(s->aliases[a].name));
            for (size_t i = 0; i < s->nrules; i++)
                put_str(&b, s->aliases[a].fields[i], strlen(s->aliases[a].fields[i]));
        }
    }
    uint64_t h = b.oom ? 0 : cw_fnv1a(b.p, b.len);
    corr_bytes_free(&b);
    return h;
}

static int cmp_val(const void *a, const void *b)
{
    uint64_t x = ((const cw_val_t *)a)->h, y = ((const cw_val_t *)b)->h;
    return x < y ? -1 : x > y;
}

/* Values sorted by hash: a table's slot order depends on its history, the
 * snapshot should not. */
static void save_values(corr_bytes_t *b, const cw_key_t *key)
{
    cw_val_t *v = malloc((key->vals.n ? key->vals.n : 1) * sizeof(*v));
    if (!v) {
        b->oom = true;
        return;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < key->vals.cap; i++)
        if (key->vals.s[i].h) v[n++] = key->vals.s[i];
    qsort(v, n, sizeof(*v), cmp_val);
    put_i64(b, key->newest);
    put_u32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        put_u64(b, v[i].h);
        put_i64(b, v[i].t);
    }
    free(v);
}

static void save_window(corr_bytes_t *b, const cw_rule_t *r, const cw_key_t *key)
{
    switch (r->kind) {
    case CW_SLIDE_COUNT:
        put_u32(b, key->w.times.n);
        for (uint32_t i = 0; i < key->w.times.n; i++)
            put_i64(b, cw_times_at(&key->w.times, i));
        break;
    case CW_WHEEL_COUNT: {
        const cw_wheel_t *w = &key->w.wheel;
        uint32_t n = 0;
        int64_t top = w->c ? w->top : CW_UNSET;
        put_i64(b, top);
        put_i64(b, key->newest);
        for (int64_t x = top - CW_WHEEL_SLOTS + 1; top != CW_UNSET && x <= top; x++)
            n += x >= 0 && w->c[x % CW_WHEEL_SLOTS];
        put_u32(b, n);
        for (int64_t x = top - CW_WHEEL_SLOTS + 1; top != CW_UNSET && x <= top; x++) {
            if (x < 0 || !w->c[x % CW_WHEEL_SLOTS]) continue;
            put_i64(b, x);
            put_u32(b, w->c[x % CW_WHEEL_SLOTS]);
        }
        break;
    }
    case CW_TUMBLE_COUNT:
    case CW_TUMBLE_VALUES:
        put_u32(b, key->w.buckets.n);
        for (uint32_t i = 0; i < key->w.buckets.n; i++) {
            const cw_bucket_t *bk = &key->w.buckets.b[i];
            put_i64(b, bk->start);
            put_u64(b, bk->count);
            put_u64(b, bk->distinct);
            put_i64(b, bk->first);
            put_i64(b, bk->last);
            put_str(b, bk->last_id.p ? bk->last_id.p : "", bk->last_id.len);
        }
        break;
    case CW_TEMPORAL:
    case CW_ORDERED: {
        uint32_t n =
            key->w.steps ? (uint32_t)(r->rule->corr.nrules * (r->kind == CW_ORDERED ? 2 : 1)) : 0;
        put_u32(b, n);
        for (uint32_t i = 0; i < n; i++)
            put_i64(b, key->w.steps[i]);
        break;
    }
    default: break;
    }
    if (r->kind == CW_SLIDE_VALUES || r->kind == CW_TUMBLE_VALUES) save_values(b, key);
}

static void save_key(corr_bytes_t *b, const corr_engine_t *e, const cw_rule_t *r,
                     const cw_key_t *key)
{
    put_str(b, key->text, key->tlen);
    put_u64(b, key->serial);
    put_i64(b, key->due);
    put_i64(b, key->supp_until);
    put_i64(b, key->supp_first);
    put_i64(b, key->supp_last);
    put_i64(b, key->supp_from);
    put_u64(b, key->supp_count);
    put_u64(b, key->supp_matches);
    put_str(b, key->supp_id.p ? key->supp_id.p : "", key->supp_id.len);
    put_u32(b, key->evid.n);
    for (uint32_t i = 0; i < key->evid.n; i++) {
        int64_t ts;
        const char *id = cw_evid_get(&key->evid, e->cfg.evidence_max, i, &ts);
        put_i64(b, ts);
        put_str(b, id, strlen(id));
    }
    const cw_ips_t *sets[2] = {&key->src, &key->dst};
    for (int s = 0; s < 2; s++) {
        put_u32(b, sets[s]->n);
        for (uint32_t i = 0; i < sets[s]->n; i++)
            put_str(b, sets[s]->v[i], strlen(sets[s]->v[i]));
    }
    save_window(b, r, key);
}

int corr_engine_save(const corr_engine_t *e, corr_bytes_t *out)
{
    if (!e || !out) return -1;
    size_t start = out->len;
    put(out, SNAP_MAGIC, 8);
    put_u32(out, SNAP_FORMAT);
    put_u64(out, e->seed[0]);
    put_u64(out, e->seed[1]);
    put_i64(out, e->max_ts);
    put_i64(out, e->wm);
    put_u64(out, e->serial);
    put_u32(out, SNAP_STATS);
    corr_engine_stats_t st = e->st;
    for (int i = 0; i < SNAP_STATS; i++)
        put_u64(out, *cw_stat_field(&st, i));
    uint32_t nr = 0;
    for (size_t i = 0; i < e->nrules; i++)
        nr += e->rules[i].nkeys > 0;
    put_u32(out, nr);
    for (size_t i = 0; i < e->nrules; i++) {
        const cw_rule_t *r = &e->rules[i];
        if (!r->nkeys) continue;
        put_str(out, r->rule->id, strlen(r->rule->id));
        put_u32(out, r->rule->version);
        put_u64(out, cw_fingerprint(r));
        put_u8(out, r->kind);
        put_u64(out, r->st.events);
        put_u64(out, r->st.matches);
        put_u64(out, r->st.suppressed);
        put_u64(out, r->st.evictions);
        put_u32(out, r->nkeys);
        for (uint32_t k = r->lru_tail; k != CW_NIL; k = r->keys[k].prev)
            save_key(out, e, r, &r->keys[k]);
    }
    if (!out->oom) put_u64(out, cw_siphash(cw_snap_key, out->p + start, out->len - start));
    if (out->oom) {
        out->len = start;
        return -1;
    }
    return 0;
}
