/* intel.c -- the indicator set: adding, building, looking up (see intel.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel_int.h"

static const char *const type_names[INTEL_TYPE_COUNT + 1] = {"ip",  "cidr",   "domain", "url",
                                                             "ja3", "sha256", "auto"};
static const char *const format_names[] = {"plain", "csv", "adblock", "ipsum", "stix"};

const char *intel_type_name(intel_type_t type)
{
    return (unsigned)type <= INTEL_TYPE_COUNT ? type_names[type] : "?";
}

int intel_type_parse(const char *s, size_t n)
{
    for (int i = 0; i <= INTEL_TYPE_COUNT; i++)
        if (strlen(type_names[i]) == n && memcmp(type_names[i], s, n) == 0) return i;
    return -1;
}

const char *intel_format_name(intel_format_t format)
{
    return (unsigned)format <= INTEL_FMT_STIX ? format_names[format] : "?";
}

int intel_format_parse(const char *s, size_t n)
{
    for (int i = 0; i <= INTEL_FMT_STIX; i++)
        if (strlen(format_names[i]) == n && memcmp(format_names[i], s, n) == 0) return i;
    return -1;
}

void intel_feed_defaults(intel_feed_t *f, const char *name, intel_format_t format)
{
    memset(f, 0, sizeof(*f));
    f->name = name;
    f->format = format;
    f->type = INTEL_AUTO;
    f->confidence = -1;
    f->expires_usec = INTEL_NEVER;
    f->min_count = 1;
}

intel_set_t *intel_new(void)
{
    intel_set_t *set = calloc(1, sizeof(*set));
    if (!set) return NULL;
    for (int t = 0; t < INTEL_TYPE_COUNT; t++)
        ctx_hset_init(&set->exact[t]);
    ctx_hset_init(&set->sources);
    set->strs = malloc(4096);
    if (!set->strs) {
        free(set);
        return NULL;
    }
    set->strs[0] = '\0';
    set->strs_len = 1;
    set->strs_cap = 4096;
    return set;
}

void intel_free(intel_set_t *set)
{
    if (!set) return;
    for (int t = 0; t < INTEL_TYPE_COUNT; t++)
        ctx_hset_free(&set->exact[t]);
    ctx_hset_free(&set->sources);
    ctx_ptable_free(set->cidrs);
    free(set->inds);
    free(set->strs);
    free(set->source_off);
    free(set);
}

/* Copy n bytes as a string into the arena; 0 on failure (offset 0 is ""). */
static uint32_t store(intel_set_t *set, const char *s, size_t n)
{
    if (n == 0) return 0;
    if (set->strs_len + n + 1 > UINT32_MAX) return 0;
    if (set->strs_len + n + 1 > set->strs_cap) {
        size_t cap = set->strs_cap;
        while (cap < set->strs_len + n + 1)
            cap *= 2;
        char *ns = realloc(set->strs, cap);
        if (!ns) return 0;
        set->strs = ns;
        set->strs_cap = cap;
    }
    uint32_t off = (uint32_t)set->strs_len;
    memcpy(set->strs + off, s, n);
    set->strs[off + n] = '\0';
    set->strs_len += n + 1;
    return off;
}

/* Source name -> index, interned. -1 over the limit or out of memory. */
static int source_index(intel_set_t *set, const char *s, size_t n)
{
    uint32_t idx;
    if (ctx_hset_get(&set->sources, s, n, &idx)) return (int)idx;
    if (set->nsources >= INTEL_MAX_SOURCES) return -1;
    if (set->nsources == set->sources_cap) {
        size_t cap = set->sources_cap ? set->sources_cap * 2 : 16;
        uint32_t *no = realloc(set->source_off, cap * sizeof(*no));
        if (!no) return -1;
        set->source_off = no;
        set->sources_cap = cap;
    }
    uint32_t off = store(set, s, n);
    if (!off) return -1;
    if (ctx_hset_put(&set->sources, s, n, (uint32_t)set->nsources, NULL) < 0) return -1;
    set->source_off[set->nsources] = off;
    return (int)set->nsources++;
}

/* Cut a description at max bytes, not inside a UTF-8 sequence. */
static size_t cut_utf8(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    return k;
}

/* The same value from the same source: keep one, with the later expiry
 * and the higher confidence. Returns the chain's last indicator. */
static uint32_t merge_same(intel_set_t *set, uint32_t head, int src, int confidence,
                           int64_t expires, bool *merged)
{
    uint32_t last = head;
    *merged = false;
    for (uint32_t i = head; i != INTEL_NONE; i = set->inds[i].next) {
        intel_ind_t *ind = &set->inds[i];
        last = i;
        if (ind->source != src) continue;
        if (expires > ind->expires) ind->expires = expires;
        if (confidence > ind->confidence) ind->confidence = (uint8_t)confidence;
        *merged = true;
        return i;
    }
    return last;
}

static bool grow_inds(intel_set_t *set)
{
    if (set->n < set->cap) return true;
    size_t cap = set->cap ? set->cap * 2 : 256;
    intel_ind_t *ni = realloc(set->inds, cap * sizeof(*ni));
    if (!ni) return false;
    set->inds = ni;
    set->cap = cap;
    return true;
}

int intel_add_value(intel_set_t *set, const intel_value_t *v, const char *source, size_t srclen,
                    int confidence, int64_t expires, const char *desc, size_t desclen, char *err,
                    size_t errlen)
{
    if (set->finished) {
        snprintf(err, errlen, "indicator set already finished");
        return -2;
    }
    if (!source || !srclen) {
        source = "manual";
        srclen = 6;
    }
    if (confidence < 0) confidence = 0;
    if (confidence > 100) confidence = 100;
    int src = source_index(set, source, srclen);
    if (src < 0) {
        snprintf(err, errlen, "more than %d sources, or out of memory", INTEL_MAX_SOURCES);
        return -2;
    }
    ctx_hset_t *h = &set->exact[v->type];
    uint32_t head = INTEL_NONE, last = INTEL_NONE;
    if (ctx_hset_get(h, v->key, v->keylen, &head)) {
        bool merged;
        last = merge_same(set, head, src, confidence, expires, &merged);
        if (merged) return 0;
    }
    if (set->n >= INTEL_MAX_INDICATORS || !grow_inds(set)) {
        snprintf(err, errlen, "more than %u indicators, or out of memory", INTEL_MAX_INDICATORS);
        return -2;
    }
    size_t dlen = desc ? cut_utf8(desc, desclen, INTEL_MAX_DESC) : 0;
    uint32_t voff = store(set, v->text, v->len);
    uint32_t doff = dlen ? store(set, desc, dlen) : 0;
    uint32_t idx = (uint32_t)set->n;
    if (!voff || (dlen && !doff) ||
        (head == INTEL_NONE && ctx_hset_put(h, v->key, v->keylen, idx, NULL) < 0)) {
        snprintf(err, errlen, "out of memory");
        return -2;
    }
    set->inds[idx] = (intel_ind_t){
        expires, voff, doff, INTEL_NONE, (uint16_t)src, (uint8_t)v->type, (uint8_t)confidence};
    if (last != INTEL_NONE) set->inds[last].next = idx;
    set->n++;
    return 1;
}

int intel_add(intel_set_t *set, intel_type_t type, const char *value, size_t len,
              const char *source, int confidence, int64_t expires_usec, const char *desc, char *err,
              size_t errlen)
{
    intel_value_t v;
    if (!intel_value_parse(type, value, len, &v, err, errlen)) return -1;
    return intel_add_value(set, &v, source, source ? strlen(source) : 0, confidence, expires_usec,
                           desc, desc ? strlen(desc) : 0, err, errlen);
}

bool intel_finish(intel_set_t *set, char *err, size_t errlen)
{
    if (set->finished) return true;
    set->cidrs = ctx_ptable_new();
    if (!set->cidrs) goto oom;
    const ctx_hset_t *h = &set->exact[INTEL_CIDR];
    for (size_t e = 0; e < h->count; e++) {
        const uint8_t *key = (const uint8_t *)ctx_hset_key(h, (uint32_t)e);
        ctx_ip_t net = {0, 0};
        for (int i = 0; i < 8; i++) {
            net.hi = net.hi << 8 | key[i];
            net.lo = net.lo << 8 | key[8 + i];
        }
        if (!ctx_ptable_add(set->cidrs, net, key[16], h->ents[e].value)) goto oom;
    }
    if (!ctx_ptable_build(set->cidrs)) goto oom;
    set->finished = true;
    return true;
oom:
    snprintf(err, errlen, "out of memory building the indicator tables");
    return false;
}

size_t intel_count(const intel_set_t *set, int type)
{
    if (!set) return 0;
    if (type < 0 || type >= INTEL_TYPE_COUNT) return set->n;
    size_t c = 0;
    for (size_t i = 0; i < set->n; i++)
        c += set->inds[i].type == type;
    return c;
}

/* ---- lookups ------------------------------------------------------------- */

/* Append the live indicators of one chain. */
static size_t emit_chain(const intel_set_t *set, uint32_t head, int64_t ts, const char *field,
                         intel_hit_t *hits, size_t max)
{
    size_t k = 0;
    for (uint32_t i = head; i != INTEL_NONE && k < max; i = set->inds[i].next) {
        const intel_ind_t *ind = &set->inds[i];
        if (ts >= ind->expires) continue;
        hits[k++] = (intel_hit_t){i,
                                  (intel_type_t)ind->type,
                                  set->strs + ind->value_off,
                                  set->strs + set->source_off[ind->source],
                                  set->strs + ind->desc_off,
                                  ind->confidence,
                                  ind->expires,
                                  field};
    }
    return k;
}

static bool ready(const intel_set_t *set, size_t max)
{
    return set && set->finished && max > 0 && set->n > 0;
}

size_t intel_match_ip(const intel_set_t *set, ctx_ip_t addr, int64_t ts_usec, const char *field,
                      intel_hit_t *hits, size_t max)
{
    if (!ready(set, max)) return 0;
    size_t k = 0;
    uint8_t key[16];
    uint32_t head;
    ctx_ip_bytes(addr, key);
    if (ctx_hset_get(&set->exact[INTEL_IP], key, sizeof(key), &head))
        k += emit_chain(set, head, ts_usec, field, hits, max);
    /* every prefix containing the address, most specific first */
    const ctx_pnode_t *n = ctx_ptable_node(set->cidrs, ctx_ptable_lookup(set->cidrs, addr));
    for (; n && k < max; n = ctx_ptable_node(set->cidrs, n->parent))
        if (n->count)
            k += emit_chain(set, ctx_ptable_values(set->cidrs)[n->first], ts_usec, field, hits + k,
                            max - k);
    return k;
}

size_t intel_match_domain(const intel_set_t *set, const char *name, size_t n, int64_t ts_usec,
                          const char *field, intel_hit_t *hits, size_t max)
{
    if (!ready(set, max) || set->exact[INTEL_DOMAIN].count == 0) return 0;
    char buf[INTEL_MAX_DOMAIN + 1];
    size_t len, k = 0;
    if (!intel_domain_norm(name, n, buf, sizeof(buf), &len, false)) return 0;
    /* the name, then each parent: a.b.evil.example, b.evil.example, ... */
    const char *p = buf, *end = buf + len;
    for (;;) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        if (!dot) break; /* indicators have two labels at least */
        uint32_t head;
        if (ctx_hset_get(&set->exact[INTEL_DOMAIN], p, (size_t)(end - p), &head))
            k += emit_chain(set, head, ts_usec, field, hits + k, max - k);
        if (k >= max) break;
        p = dot + 1;
    }
    return k;
}

size_t intel_match_url(const intel_set_t *set, const char *url, size_t n, int64_t ts_usec,
                       const char *field, intel_hit_t *hits, size_t max)
{
    if (!ready(set, max) || set->exact[INTEL_URL].count == 0) return 0;
    char buf[INTEL_MAX_URL + 1];
    size_t len;
    uint32_t head;
    if (!intel_url_norm(url, n, buf, &len)) return 0;
    if (!ctx_hset_get(&set->exact[INTEL_URL], buf, len, &head)) return 0;
    return emit_chain(set, head, ts_usec, field, hits, max);
}

size_t intel_match_hash(const intel_set_t *set, intel_type_t type, const char *hex, size_t n,
                        int64_t ts_usec, const char *field, intel_hit_t *hits, size_t max)
{
    if (!ready(set, max) || (type != INTEL_JA3 && type != INTEL_SHA256)) return 0;
    size_t want = type == INTEL_JA3 ? 32 : 64;
    char buf[65];
    uint32_t head;
    if (n != want || set->exact[type].count == 0) return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (hex[i] >= 'A' && hex[i] <= 'F') ? (char)(hex[i] + 32) : hex[i];
    if (!ctx_hset_get(&set->exact[type], buf, n, &head)) return 0;
    return emit_chain(set, head, ts_usec, field, hits, max);
}
