/* rule_address.c -- address and port groups: "any", single values, CIDRs,
 * ranges, lists, variables and negation, resolved into allow-lists.
 *
 * Negation follows Suricata: a group is flattened, each element landing in
 * the positive or the negative list by the parity of the '!' above it
 * ("![a,!b]" puts a in the negative and b in the positive list); the result
 * is the positive list (or everything, IPv4 and IPv6, when it is empty)
 * minus the negative list. A group that negates everything, or ends up
 * empty, is an error. Resolved groups are cached by their text. */
#include "rule_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP_MAX_DEPTH  16     /* nested lists and variables */
#define GROUP_MAX_RANGES 100000 /* per list while building */

typedef struct u128 {
    uint64_t hi, lo;
} u128_t;

typedef struct range {
    u128_t lo, hi;
} range_t;

typedef struct rlist {
    range_t *r;
    size_t n, cap;
} rlist_t;

/* Positive and negative lists per family: [0] IPv4 (or ports), [1] IPv6. */
typedef struct build {
    rule_set_t *rs;
    bool ports;
    rlist_t pos[2], neg[2];
    char *err;
    size_t errlen;
} build_t;

static int u128_cmp(u128_t a, u128_t b)
{
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

static u128_t u128_inc(u128_t a)
{
    a.lo++;
    if (a.lo == 0) a.hi++;
    return a;
}

static u128_t u128_dec(u128_t a)
{
    if (a.lo == 0) a.hi--;
    a.lo--;
    return a;
}

static u128_t family_max(build_t *b, int fam)
{
    if (b->ports) return (u128_t){0, 65535};
    if (fam == 0) return (u128_t){0, UINT32_MAX};
    return (u128_t){UINT64_MAX, UINT64_MAX};
}

/* Message about the element s (cut to 64 bytes); returns false. */
static bool fail(build_t *b, const char *what, const char *s, size_t len)
{
    snprintf(b->err, b->errlen, "%s '%.*s'", what, (int)(len > 64 ? 64 : len), s);
    return false;
}

static bool rlist_add(build_t *b, rlist_t *l, u128_t lo, u128_t hi)
{
    if (l->n == l->cap) {
        if (l->cap >= GROUP_MAX_RANGES) {
            snprintf(b->err, b->errlen, "too many elements");
            return false;
        }
        size_t cap = l->cap ? l->cap * 2 : 8;
        range_t *r = realloc(l->r, cap * sizeof(*r));
        if (r == NULL) {
            snprintf(b->err, b->errlen, "out of memory");
            return false;
        }
        l->r = r;
        l->cap = cap;
    }
    l->r[l->n++] = (range_t){lo, hi};
    return true;
}

static bool add(build_t *b, int fam, bool neg, u128_t lo, u128_t hi)
{
    return rlist_add(b, neg ? &b->neg[fam] : &b->pos[fam], lo, hi);
}

static int range_cmp(const void *x, const void *y)
{
    const range_t *a = x, *c = y;
    return u128_cmp(a->lo, c->lo);
}

/* Sort and merge overlapping or adjacent ranges. */
static void normalise(build_t *b, rlist_t *l, int fam)
{
    if (l->n == 0) return;
    qsort(l->r, l->n, sizeof(range_t), range_cmp);
    u128_t max = family_max(b, fam);
    size_t o = 0;
    for (size_t i = 1; i < l->n; i++) {
        range_t *cur = &l->r[o];
        bool touches = u128_cmp(cur->hi, max) == 0 || u128_cmp(l->r[i].lo, u128_inc(cur->hi)) <= 0;
        if (touches) {
            if (u128_cmp(l->r[i].hi, cur->hi) > 0) cur->hi = l->r[i].hi;
        } else {
            l->r[++o] = l->r[i];
        }
    }
    l->n = o + 1;
}

/* pos -= neg; both normalised; the result stays normalised. */
static bool subtract(build_t *b, rlist_t *pos, const rlist_t *neg)
{
    rlist_t out = {0};
    size_t j = 0;
    for (size_t i = 0; i < pos->n; i++) {
        u128_t lo = pos->r[i].lo, hi = pos->r[i].hi;
        bool alive = true;
        while (j < neg->n && u128_cmp(neg->r[j].hi, lo) < 0)
            j++;
        for (size_t k = j; alive && k < neg->n && u128_cmp(neg->r[k].lo, hi) <= 0; k++) {
            if (u128_cmp(neg->r[k].lo, lo) > 0 && !rlist_add(b, &out, lo, u128_dec(neg->r[k].lo))) {
                free(out.r);
                return false;
            }
            if (u128_cmp(neg->r[k].hi, hi) >= 0)
                alive = false;
            else
                lo = u128_inc(neg->r[k].hi);
        }
        if (alive && !rlist_add(b, &out, lo, hi)) {
            free(out.r);
            return false;
        }
    }
    free(pos->r);
    *pos = out;
    return true;
}

/* ---- elements ---- */

static bool parse_v4(const char *s, size_t len, uint32_t *out)
{
    char buf[16];
    if (len == 0 || len >= sizeof(buf)) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    unsigned v = 0, parts = 0, digits = 0, cur = 0;
    for (size_t i = 0; i <= len; i++) {
        char ch = buf[i];
        if (ch >= '0' && ch <= '9') {
            cur = cur * 10 + (unsigned)(ch - '0');
            if (++digits > 3 || cur > 255) return false;
        } else if (ch == '.' || ch == '\0') {
            if (digits == 0) return false;
            v = (v << 8) | cur;
            parts++;
            cur = digits = 0;
        } else {
            return false;
        }
    }
    if (parts != 4) return false;
    *out = v;
    return true;
}

static bool parse_v6(const char *s, size_t len, u128_t *out)
{
    char buf[64];
    unsigned char a[16];
    if (len == 0 || len >= sizeof(buf)) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET6, buf, a) != 1) return false;
    out->hi = out->lo = 0;
    for (int i = 0; i < 8; i++)
        out->hi = (out->hi << 8) | a[i];
    for (int i = 8; i < 16; i++)
        out->lo = (out->lo << 8) | a[i];
    return true;
}

/* One address: "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0",
 * "1.2.3.4-1.2.3.9", the same for IPv6 (no netmask form). */
static bool elem_addr(build_t *b, const char *s, size_t len, bool neg)
{
    const char *slash = memchr(s, '/', len);
    const char *dash = memchr(s, '-', len);
    size_t alen = slash ? (size_t)(slash - s) : dash ? (size_t)(dash - s) : len;
    bool v6 = memchr(s, ':', len) != NULL;
    int fam = v6 ? 1 : 0;
    u128_t lo = {0, 0}, hi;
    uint32_t a4;
    if (v6 ? !parse_v6(s, alen, &lo) : !parse_v4(s, alen, &a4))
        return fail(b, "invalid address", s, len);
    if (!v6) lo.lo = a4;
    hi = lo;
    if (dash && !slash) {
        uint32_t h4;
        const char *e = dash + 1;
        size_t elen = len - alen - 1;
        if (v6 ? !parse_v6(e, elen, &hi) : !parse_v4(e, elen, &h4))
            return fail(b, "invalid address range", s, len);
        if (!v6) hi = (u128_t){0, h4};
        if (u128_cmp(lo, hi) > 0) return fail(b, "address range ends before it starts:", s, len);
    } else if (slash) {
        const char *m = slash + 1;
        size_t mlen = len - alen - 1;
        uint64_t bits;
        uint32_t mask4;
        if (!v6 && memchr(m, '.', mlen)) {
            if (!parse_v4(m, mlen, &mask4) || (mask4 & (~mask4 >> 1)) != 0)
                return fail(b, "invalid netmask in", s, len);
            bits = (uint64_t)__builtin_popcount(mask4);
        } else if (!rule_parse_u64(m, mlen, v6 ? 128 : 32, &bits)) {
            return fail(b, "invalid prefix length in", s, len);
        }
        unsigned host = (v6 ? 128u : 32u) - (unsigned)bits; /* host bits */
        u128_t hm = {0, 0};                                 /* host mask */
        if (host >= 64) {
            hm.lo = UINT64_MAX;
            hm.hi = host >= 128 ? UINT64_MAX : (host == 64 ? 0 : (UINT64_MAX >> (128 - host)));
        } else if (host > 0) {
            hm.lo = UINT64_MAX >> (64 - host);
        }
        lo.hi &= ~hm.hi, lo.lo &= ~hm.lo;
        hi.hi = lo.hi | hm.hi, hi.lo = lo.lo | hm.lo;
        if (!v6) lo.hi = hi.hi = 0, hi.lo &= UINT32_MAX;
    }
    return add(b, fam, neg, lo, hi);
}

/* One port: "80", "1024:", ":1023", "1000:2000". */
static bool elem_port(build_t *b, const char *s, size_t len, bool neg)
{
    const char *colon = memchr(s, ':', len);
    uint64_t lo = 0, hi = 65535;
    if (colon == NULL) {
        if (!rule_parse_u64(s, len, 65535, &lo)) return fail(b, "invalid port", s, len);
        hi = lo;
    } else {
        size_t l1 = (size_t)(colon - s), l2 = len - l1 - 1;
        const char *p1 = s, *p2 = colon + 1;
        rule_trim(&p1, &l1);
        rule_trim(&p2, &l2);
        if ((l1 == 0 && l2 == 0) || (l1 && !rule_parse_u64(p1, l1, 65535, &lo)) ||
            (l2 && !rule_parse_u64(p2, l2, 65535, &hi)))
            return fail(b, "invalid port range", s, len);
        if (lo > hi) return fail(b, "port range ends before it starts:", s, len);
    }
    return add(b, 0, neg, (u128_t){0, lo}, (u128_t){0, hi});
}

static bool elem_any(build_t *b, bool neg)
{
    if (!add(b, 0, neg, (u128_t){0, 0}, family_max(b, 0))) return false;
    return b->ports || add(b, 1, neg, (u128_t){0, 0}, family_max(b, 1));
}

static bool elem(build_t *b, const char *s, size_t len, bool neg, int depth);

/* "[a, b, [c, d]]": split at commas outside inner brackets. */
static bool elem_list(build_t *b, const char *s, size_t len, bool neg, int depth)
{
    if (len < 2 || s[len - 1] != ']') return fail(b, "unbalanced '[' in", s, len);
    const char *p = s + 1, *end = s + len - 1;
    const char *start = p;
    int nest = 0;
    for (; p <= end; p++) {
        if (p < end && *p == '[') nest++;
        if (p < end && *p == ']' && --nest < 0) return fail(b, "unbalanced ']' in", s, len);
        if (p == end || (*p == ',' && nest == 0)) {
            if (!elem(b, start, (size_t)(p - start), neg, depth + 1)) return false;
            start = p + 1;
        }
    }
    if (nest != 0) return fail(b, "unbalanced '[' in", s, len);
    return true;
}

static bool elem_var(build_t *b, const char *s, size_t len, bool neg, int depth)
{
    const strmap_t *m = b->ports ? &b->rs->vars.port : &b->rs->vars.addr;
    const char *val = rule_vars_get(m, s + 1, len - 1);
    if (val == NULL) return fail(b, "undefined variable", s, len);
    return elem(b, val, strlen(val), neg, depth + 1);
}

static bool elem(build_t *b, const char *s, size_t len, bool neg, int depth)
{
    rule_trim(&s, &len);
    if (depth > GROUP_MAX_DEPTH) return fail(b, "nested too deep near", s, len);
    if (len == 0) {
        snprintf(b->err, b->errlen, "empty element");
        return false;
    }
    if (s[0] == '!') return elem(b, s + 1, len - 1, !neg, depth);
    if (s[0] == '[') return elem_list(b, s, len, neg, depth);
    if (s[0] == '$') return elem_var(b, s, len, neg, depth);
    if (rule_eq(s, len, "any")) return elem_any(b, neg);
    for (size_t i = 0; i < len; i++)
        if (rule_is_space(s[i]) || s[i] == ']' || s[i] == ',')
            return fail(b, "invalid element", s, len);
    return b->ports ? elem_port(b, s, len, neg) : elem_addr(b, s, len, neg);
}

/* Resolve the flattened lists into b->pos (the allow-lists). */
static bool resolve(build_t *b)
{
    int fams = b->ports ? 1 : 2;
    bool any_pos = false, full_neg = true;
    for (int f = 0; f < fams; f++) {
        normalise(b, &b->pos[f], f);
        normalise(b, &b->neg[f], f);
        any_pos |= b->pos[f].n > 0;
        range_t *n0 = b->neg[f].r;
        full_neg &= b->neg[f].n == 1 && n0[0].lo.hi == 0 && n0[0].lo.lo == 0 &&
                    u128_cmp(n0[0].hi, family_max(b, f)) == 0;
    }
    if (full_neg) {
        snprintf(b->err, b->errlen, "negates every %s", b->ports ? "port" : "address");
        return false;
    }
    for (int f = 0; f < fams && !any_pos; f++)
        if (!rlist_add(b, &b->pos[f], (u128_t){0, 0}, family_max(b, f))) return false;
    size_t left = 0;
    for (int f = 0; f < fams; f++) {
        if (!subtract(b, &b->pos[f], &b->neg[f])) return false;
        left += b->pos[f].n;
    }
    if (left == 0) {
        snprintf(b->err, b->errlen, "matches no %s", b->ports ? "port" : "address");
        return false;
    }
    return true;
}

static void build_free(build_t *b)
{
    for (int f = 0; f < 2; f++) {
        free(b->pos[f].r);
        free(b->neg[f].r);
    }
}

static bool is_full(build_t *b, int f)
{
    return b->pos[f].n == 1 && b->pos[f].r[0].lo.hi == 0 && b->pos[f].r[0].lo.lo == 0 &&
           u128_cmp(b->pos[f].r[0].hi, family_max(b, f)) == 0;
}

static void put_v6(uint8_t out[16], u128_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v.hi >> (56 - 8 * i));
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)(v.lo >> (56 - 8 * i));
}

static rule_addr_t *emit_addr(build_t *b)
{
    arena_t *a = &b->rs->shared;
    rule_addr_t *g = arena_alloc(a, sizeof(*g));
    rule_v4_range_t *v4 = arena_alloc(a, (b->pos[0].n + 1) * sizeof(*v4));
    rule_v6_range_t *v6 = arena_alloc(a, (b->pos[1].n + 1) * sizeof(*v6));
    if (!g || !v4 || !v6) return NULL;
    for (size_t i = 0; i < b->pos[0].n; i++)
        v4[i] = (rule_v4_range_t){(uint32_t)b->pos[0].r[i].lo.lo, (uint32_t)b->pos[0].r[i].hi.lo};
    for (size_t i = 0; i < b->pos[1].n; i++) {
        put_v6(v6[i].lo, b->pos[1].r[i].lo);
        put_v6(v6[i].hi, b->pos[1].r[i].hi);
    }
    g->n4 = (uint32_t)b->pos[0].n;
    g->n6 = (uint32_t)b->pos[1].n;
    g->v4 = v4;
    g->v6 = v6;
    g->any = is_full(b, 0) && is_full(b, 1);
    return g;
}

static rule_ports_t *emit_ports(build_t *b)
{
    arena_t *a = &b->rs->shared;
    rule_ports_t *g = arena_alloc(a, sizeof(*g));
    rule_port_range_t *r = arena_alloc(a, (b->pos[0].n + 1) * sizeof(*r));
    if (!g || !r) return NULL;
    for (size_t i = 0; i < b->pos[0].n; i++)
        r[i] = (rule_port_range_t){(uint16_t)b->pos[0].r[i].lo.lo, (uint16_t)b->pos[0].r[i].hi.lo};
    g->n = (uint32_t)b->pos[0].n;
    g->r = r;
    g->any = is_full(b, 0);
    return g;
}

static void *group_get(rule_set_t *rs, bool ports, const char *s, size_t len, char *err,
                       size_t errlen)
{
    strmap_t *cache = ports ? &rs->port_cache : &rs->addr_cache;
    strmap_slot_t *hit = strmap_find(cache, s, len);
    if (hit) return hit->val;
    build_t b = {.rs = rs, .ports = ports, .err = err, .errlen = errlen};
    void *g = NULL;
    if (elem(&b, s, len, false, 0) && resolve(&b)) {
        g = ports ? (void *)emit_ports(&b) : (void *)emit_addr(&b);
        const char *key = g ? arena_strndup(&rs->shared, s, len) : NULL;
        if (key == NULL || !strmap_put(cache, key, len, g)) {
            snprintf(err, errlen, "out of memory");
            g = NULL;
        }
    }
    build_free(&b);
    return g;
}

const rule_addr_t *rule_addr_get(rule_set_t *rs, const char *s, size_t len, char *err,
                                 size_t errlen)
{
    return group_get(rs, false, s, len, err, errlen);
}

const rule_ports_t *rule_ports_get(rule_set_t *rs, const char *s, size_t len, char *err,
                                   size_t errlen)
{
    return group_get(rs, true, s, len, err, errlen);
}
