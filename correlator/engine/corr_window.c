/* corr_window.c -- memory accounting, hashes, small strings, evidence and
 * address sets of the engine's keys. */
#include <stdlib.h>
#include <string.h>

#include "engine/corr_engine.h"
#include "engine/corr_window.h"

/* ---- memory ------------------------------------------------------------ */

void *cw_alloc(cw_mem_t *m, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p) m->bytes += n;
    return p;
}

void *cw_resize(cw_mem_t *m, void *p, size_t old_n, size_t new_n, size_t elem)
{
    if (new_n && elem > SIZE_MAX / new_n) return NULL;
    size_t bytes = new_n * elem;
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) return NULL;
    if (new_n > old_n) memset((char *)q + old_n * elem, 0, (new_n - old_n) * elem);
    m->bytes = m->bytes - old_n * elem + new_n * elem;
    return q;
}

void cw_release(cw_mem_t *m, void *p, size_t n)
{
    if (!p) return;
    free(p);
    m->bytes -= n;
}

/* ---- hashing ----------------------------------------------------------- */

static inline uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = rotl(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = rotl(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = rotl(v2, 32);                                                                         \
    } while (0)

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t cw_siphash(const uint64_t key[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v0 = key[0] ^ 0x736f6d6570736575ull, v1 = key[1] ^ 0x646f72616e646f6dull;
    uint64_t v2 = key[0] ^ 0x6c7967656e657261ull, v3 = key[1] ^ 0x7465646279746573ull;
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t w = load_le64(p + i);
        v3 ^= w;
        SIPROUND;
        SIPROUND;
        v0 ^= w;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = full; i < len; i++)
        b |= (uint64_t)p[i] << (8 * (i - full));
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t cw_fnv1a(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

size_t cw_event_id(const char *id, char *out)
{
    static const char hex[] = "0123456789abcdef";
    if (!id) id = "";
    size_t len = strnlen(id, 1u << 20);
    if (len < CORR_EVENT_ID_MAX) {
        memcpy(out, id, len + 1);
        return len;
    }
    size_t keep = CORR_EVENT_ID_MAX - 18; /* '#', 16 hex, NUL */
    uint64_t h = cw_fnv1a(id, len);
    memcpy(out, id, keep);
    out[keep] = '#';
    for (int i = 0; i < 16; i++)
        out[keep + 1 + i] = hex[(h >> (60 - 4 * i)) & 15];
    out[keep + 17] = '\0';
    return keep + 17;
}

/* ---- small strings ------------------------------------------------------ */

bool cw_str_set(cw_mem_t *m, cw_str_t *s, const char *text, size_t len)
{
    if (len >= UINT32_MAX) return false;
    if (!s->p || s->cap < len + 1) {
        uint32_t ncap = (uint32_t)len + 1 < 32 ? 32 : (uint32_t)len + 1;
        char *p = cw_resize(m, s->p, s->cap, ncap, 1);
        if (!p) return false;
        s->p = p;
        s->cap = ncap;
    }
    memcpy(s->p, text, len);
    s->p[len] = '\0';
    s->len = (uint32_t)len;
    return true;
}

void cw_str_free(cw_mem_t *m, cw_str_t *s)
{
    cw_release(m, s->p, s->cap);
    *s = (cw_str_t){0};
}

/* ---- evidence ------------------------------------------------------------ */

void cw_evid_init(cw_evid_t *v)
{
    *v = (cw_evid_t){.min_ts = CW_NEVER};
}

/* Physical slot of the i-th id in order. */
static cw_item_t *slot_of(const cw_evid_t *v, uint32_t max, uint32_t i)
{
    uint32_t h = max / 2;
    if (v->n < max || i < h) return &v->items[i];
    return &v->items[h + (v->ring + (i - h)) % (max - h)];
}

/* Move the live ids down over the overwritten ones. Ids are appended in
 * arrival order and kept in that order, so their offsets grow along it:
 * each moves to a place at or before its own, in place. */
static void compact(cw_evid_t *v, uint32_t max)
{
    uint32_t o = 0;
    for (uint32_t i = 0; i < v->n; i++) {
        cw_item_t *it = slot_of(v, max, i);
        memmove(v->buf + o, v->buf + it->off, it->len + 1);
        it->off = o;
        o += it->len + 1;
    }
    v->used = o;
    v->garbage = 0;
}

static bool buf_append(cw_mem_t *m, cw_evid_t *v, uint32_t max, const char *id, size_t len,
                       uint32_t *off)
{
    if (v->garbage > 4096 && v->garbage > v->used / 2) compact(v, max);
    if (v->used + len + 1 > v->bcap) {
        size_t ncap = v->bcap ? (size_t)v->bcap * 2 : 64;
        while (ncap < v->used + len + 1)
            ncap *= 2;
        if (ncap > UINT32_MAX) return false;
        char *nb = cw_resize(m, v->buf, v->bcap, ncap, 1);
        if (!nb) return false;
        v->buf = nb;
        v->bcap = (uint32_t)ncap;
    }
    memcpy(v->buf + v->used, id, len);
    v->buf[v->used + len] = '\0';
    *off = v->used;
    v->used += (uint32_t)len + 1;
    return true;
}

bool cw_evid_add(cw_mem_t *m, cw_evid_t *v, uint32_t max, int64_t ts, const char *id, size_t len,
                 uint64_t *dropped)
{
    if (max == 0) {
        (*dropped)++;
        return true;
    }
    uint32_t off;
    if (!buf_append(m, v, max, id, len, &off)) return false;
    cw_item_t *it;
    if (v->n < max) {
        if (v->n == v->cap) {
            uint32_t ncap = v->cap ? v->cap * 2 : 4;
            if (ncap > max) ncap = max;
            cw_item_t *ni = cw_resize(m, v->items, v->cap, ncap, sizeof(*ni));
            if (!ni) return false;
            v->items = ni;
            v->cap = ncap;
        }
        it = &v->items[v->n++];
    } else { /* full: the oldest of the latest half goes */
        uint32_t h = max / 2;
        it = &v->items[h + v->ring];
        v->ring = (v->ring + 1) % (max - h);
        v->garbage += it->len + 1;
        (*dropped)++;
    }
    *it = (cw_item_t){ts, off, (uint32_t)len};
    if (ts < v->min_ts) v->min_ts = ts;
    return true;
}

static void reverse(cw_item_t *a, uint32_t n)
{
    for (uint32_t i = 0; i < n / 2; i++) {
        cw_item_t t = a[i];
        a[i] = a[n - 1 - i];
        a[n - 1 - i] = t;
    }
}

void cw_evid_drop_upto(cw_mem_t *m, cw_evid_t *v, uint32_t max, int64_t t)
{
    (void)m;
    if (v->n == 0 || v->min_ts > t) return;
    if (v->n == max && v->ring) { /* put the ring in order: rotate left by ring */
        uint32_t h = max / 2, r = max - h;
        reverse(v->items + h, v->ring);
        reverse(v->items + h + v->ring, r - v->ring);
        reverse(v->items + h, r);
        v->ring = 0;
    }
    uint32_t k = 0;
    v->min_ts = CW_NEVER;
    for (uint32_t i = 0; i < v->n; i++) {
        if (v->items[i].ts <= t) {
            v->garbage += v->items[i].len + 1;
            continue;
        }
        if (v->items[i].ts < v->min_ts) v->min_ts = v->items[i].ts;
        v->items[k++] = v->items[i];
    }
    v->n = k;
    if (k == 0) v->used = v->garbage = 0;
}

const char *cw_evid_get(const cw_evid_t *v, uint32_t max, uint32_t i, int64_t *ts)
{
    const cw_item_t *it = slot_of(v, max, i);
    if (ts) *ts = it->ts;
    return v->buf + it->off;
}

void cw_evid_clear(cw_evid_t *v)
{
    v->n = v->ring = v->used = v->garbage = 0;
    v->min_ts = CW_NEVER;
}

void cw_evid_free(cw_mem_t *m, cw_evid_t *v)
{
    cw_release(m, v->items, (size_t)v->cap * sizeof(cw_item_t));
    cw_release(m, v->buf, v->bcap);
    cw_evid_init(v);
}

/* ---- address sets -------------------------------------------------------- */

bool cw_ips_add(cw_mem_t *m, cw_ips_t *s, uint32_t max, const char *ip, size_t len,
                uint64_t *dropped)
{
    if (len == 0 || len >= CW_IP_LEN) return true; /* not an address */
    for (uint32_t i = 0; i < s->n; i++)
        if (memcmp(s->v[i], ip, len) == 0 && s->v[i][len] == '\0') return true;
    if (s->n >= max) {
        (*dropped)++;
        return true;
    }
    if (s->n == s->cap) {
        uint32_t ncap = s->cap ? s->cap * 2 : 1;
        if (ncap > max) ncap = max;
        char(*nv)[CW_IP_LEN] = cw_resize(m, s->v, s->cap, ncap, CW_IP_LEN);
        if (!nv) return false;
        s->v = nv;
        s->cap = ncap;
    }
    memcpy(s->v[s->n], ip, len);
    s->v[s->n++][len] = '\0';
    return true;
}

void cw_ips_free(cw_mem_t *m, cw_ips_t *s)
{
    cw_release(m, s->v, (size_t)s->cap * CW_IP_LEN);
    *s = (cw_ips_t){0};
}
