/* rule_util.c -- arena, string map and small parsing helpers for the rule
 * parser; the buffer table and the comparison of rule.h. */
#include "rule_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- arena ---- */

#define ARENA_CHUNK (64u << 10)

struct arena_chunk {
    arena_chunk_t *prev;
    size_t size, used;
    _Alignas(8) unsigned char data[];
};

void *arena_alloc(arena_t *a, size_t n)
{
    if (n > SIZE_MAX / 2) return NULL;
    n = (n + 7) & ~(size_t)7;
    arena_chunk_t *c = a->head;
    if (c == NULL || c->size - c->used < n) {
        size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
        c = malloc(sizeof(*c) + size);
        if (c == NULL) return NULL;
        c->prev = a->head;
        c->size = size;
        c->used = 0;
        a->head = c;
        a->bytes += size;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void *arena_dup(arena_t *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n ? n : 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *q = arena_alloc(a, n + 1);
    if (q == NULL) return NULL;
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

arena_mark_t arena_mark(const arena_t *a)
{
    arena_mark_t m = {a->head, a->head ? a->head->used : 0};
    return m;
}

void arena_rollback(arena_t *a, arena_mark_t m)
{
    while (a->head && a->head != m.chunk) {
        arena_chunk_t *prev = a->head->prev;
        a->bytes -= a->head->size;
        free(a->head);
        a->head = prev;
    }
    if (a->head) a->head->used = m.used;
}

void arena_free(arena_t *a)
{
    arena_rollback(a, (arena_mark_t){NULL, 0});
}

/* ---- string map ---- */

static uint32_t str_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static strmap_slot_t *slot_for(strmap_slot_t *slots, size_t cap, const char *key, size_t len,
                               uint32_t h)
{
    size_t i = h & (cap - 1);
    for (;;) {
        strmap_slot_t *s = &slots[i];
        if (s->key == NULL) return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) return s;
        i = (i + 1) & (cap - 1);
    }
}

strmap_slot_t *strmap_find(const strmap_t *m, const char *key, size_t len)
{
    if (m->cap == 0 || len > UINT32_MAX) return NULL;
    strmap_slot_t *s = slot_for(m->slots, m->cap, key, len, str_hash(key, len));
    return s->key ? s : NULL;
}

static bool strmap_grow(strmap_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    strmap_slot_t *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL) return false;
    for (size_t i = 0; i < m->cap; i++) {
        strmap_slot_t *o = &m->slots[i];
        if (o->key) *slot_for(slots, cap, o->key, o->len, o->hash) = *o;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

bool strmap_put(strmap_t *m, const char *key, size_t len, void *val)
{
    if (len > UINT32_MAX) return false;
    if ((m->n + 1) * 4 > m->cap * 3 && !strmap_grow(m)) return false;
    uint32_t h = str_hash(key, len);
    strmap_slot_t *s = slot_for(m->slots, m->cap, key, len, h);
    if (s->key == NULL) {
        s->key = key;
        s->len = (uint32_t)len;
        s->hash = h;
        m->n++;
    }
    s->val = val;
    return true;
}

void strmap_clear(strmap_t *m)
{
    if (m->slots) memset(m->slots, 0, m->cap * sizeof(*m->slots));
    m->n = 0;
}

void strmap_free(strmap_t *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

/* ---- parsing helpers ---- */

bool rule_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void rule_trim(const char **s, size_t *len)
{
    while (*len && rule_is_space(**s))
        (*s)++, (*len)--;
    while (*len && rule_is_space((*s)[*len - 1]))
        (*len)--;
}

bool rule_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0 || len > 20) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    if (v > max) return false;
    *out = v;
    return true;
}

bool rule_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    bool neg = false;
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++, len--;
    }
    uint64_t u;
    if (!rule_parse_u64(s, len, (uint64_t)INT64_MAX, &u)) return false;
    int64_t v = neg ? -(int64_t)u : (int64_t)u;
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

bool rule_eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

bool rule_eq_nocase(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

bool rule_next_field(const char **s, const char *end, const char **f, size_t *flen)
{
    if (*s == NULL || *s > end) return false;
    const char *p = *s;
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *stop = comma ? comma : end;
    *f = p;
    *flen = (size_t)(stop - p);
    rule_trim(f, flen);
    *s = comma ? comma + 1 : NULL;
    return true;
}

bool rule_quoted(const char *v, size_t len, const char **in, size_t *ilen)
{
    if (len < 2 || v[0] != '"' || v[len - 1] != '"') return false;
    size_t bs = 0; /* backslashes right before the closing quote */
    while (bs < len - 2 && v[len - 2 - bs] == '\\')
        bs++;
    if (bs % 2) return false;
    *in = v + 1;
    *ilen = len - 2;
    return true;
}

/* Value after an operator prefix; spaces allowed between. */
static bool cmp_number(const char *s, size_t len, uint64_t max, uint64_t *v)
{
    rule_trim(&s, &len);
    return rule_parse_u64(s, len, max, v);
}

static bool cmp_range(const char *s, size_t len, size_t sep, size_t seplen, uint64_t max,
                      rule_cmp_t *out, const char **why)
{
    uint64_t lo, hi;
    if (!cmp_number(s, sep, max, &lo) ||
        !cmp_number(s + sep + seplen, len - sep - seplen, max, &hi)) {
        *why = "invalid number";
        return false;
    }
    if (lo >= hi) {
        *why = "range must have the low value first";
        return false;
    }
    out->op = RULE_CMP_RANGE;
    out->lo = lo;
    out->hi = hi;
    return true;
}

bool rule_parse_cmp(const char *s, size_t len, uint64_t max, rule_cmp_t *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    rule_trim(&s, &len);
    *why = "invalid number";
    if (len == 0) {
        *why = "missing value";
        return false;
    }
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '<' && s[i + 1] == '>') return cmp_range(s, len, i, 2, max, out, why);
    static const struct {
        const char *p;
        uint8_t op;
    } pre[] = {{"<=", RULE_CMP_LE}, {">=", RULE_CMP_GE}, {"!=", RULE_CMP_NE}, {"<", RULE_CMP_LT},
               {">", RULE_CMP_GT},  {"!", RULE_CMP_NE},  {"=", RULE_CMP_EQ}};
    for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
        size_t pl = strlen(pre[i].p);
        if (len > pl && memcmp(s, pre[i].p, pl) == 0) {
            out->op = pre[i].op;
            if (!cmp_number(s + pl, len - pl, max, &out->lo)) return false;
            if (out->op == RULE_CMP_LT && out->lo == 0) {
                *why = "'<0' matches nothing";
                return false;
            }
            return true;
        }
    }
    const char *dash = memchr(s, '-', len);
    if (dash && dash != s) return cmp_range(s, len, (size_t)(dash - s), 1, max, out, why);
    out->op = RULE_CMP_EQ;
    return cmp_number(s, len, max, &out->lo);
}

bool rule_cmp_match(const rule_cmp_t *c, uint64_t v)
{
    switch (c->op) {
    case RULE_CMP_EQ: return v == c->lo;
    case RULE_CMP_NE: return v != c->lo;
    case RULE_CMP_LT: return v < c->lo;
    case RULE_CMP_LE: return v <= c->lo;
    case RULE_CMP_GT: return v > c->lo;
    case RULE_CMP_GE: return v >= c->lo;
    case RULE_CMP_RANGE: return v > c->lo && v < c->hi;
    default: return false;
    }
}

/* ---- buffers ---- */

#define TS RULE_DIR_TOSERVER
#define TC RULE_DIR_TOCLIENT

static const rule_buf_info_t buf_info[RULE_BUF_COUNT] = {
    [RULE_BUF_PAYLOAD] = {"payload", APP_UNKNOWN, TS | TC},
    [RULE_BUF_HTTP_URI] = {"http.uri", APP_HTTP, TS},
    [RULE_BUF_HTTP_URI_RAW] = {"http.uri.raw", APP_HTTP, TS},
    [RULE_BUF_HTTP_METHOD] = {"http.method", APP_HTTP, TS},
    [RULE_BUF_HTTP_HOST] = {"http.host", APP_HTTP, TS},
    [RULE_BUF_HTTP_HOST_RAW] = {"http.host.raw", APP_HTTP, TS},
    [RULE_BUF_HTTP_USER_AGENT] = {"http.user_agent", APP_HTTP, TS},
    [RULE_BUF_HTTP_HEADER] = {"http.header", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_HEADER_RAW] = {"http.header.raw", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_HEADER_NAMES] = {"http.header_names", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_COOKIE] = {"http.cookie", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_REQUEST_BODY] = {"http.request_body", APP_HTTP, TS},
    [RULE_BUF_HTTP_STAT_CODE] = {"http.stat_code", APP_HTTP, TC},
    [RULE_BUF_HTTP_STAT_MSG] = {"http.stat_msg", APP_HTTP, TC},
    [RULE_BUF_HTTP_RESPONSE_BODY] = {"http.response_body", APP_HTTP, TC},
    [RULE_BUF_FILE_DATA] = {"file.data", APP_UNKNOWN, TS | TC},
    [RULE_BUF_HTTP_CONTENT_TYPE] = {"http.content_type", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_CONTENT_LEN] = {"http.content_len", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_REQUEST_LINE] = {"http.request_line", APP_HTTP, TS},
    [RULE_BUF_HTTP_RESPONSE_LINE] = {"http.response_line", APP_HTTP, TC},
    [RULE_BUF_HTTP_START] = {"http.start", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_PROTOCOL] = {"http.protocol", APP_HTTP, TS | TC},
    [RULE_BUF_HTTP_REFERER] = {"http.referer", APP_HTTP, TS},
    [RULE_BUF_HTTP_LOCATION] = {"http.location", APP_HTTP, TC},
    [RULE_BUF_HTTP_SERVER] = {"http.server", APP_HTTP, TC},
    [RULE_BUF_HTTP_ACCEPT] = {"http.accept", APP_HTTP, TS},
    [RULE_BUF_HTTP_ACCEPT_ENC] = {"http.accept_enc", APP_HTTP, TS},
    [RULE_BUF_HTTP_ACCEPT_LANG] = {"http.accept_lang", APP_HTTP, TS},
    [RULE_BUF_HTTP_CONNECTION] = {"http.connection", APP_HTTP, TS | TC},
    [RULE_BUF_DNS_QUERY] = {"dns.query", APP_DNS, TS},
    [RULE_BUF_TLS_SNI] = {"tls.sni", APP_TLS, TS},
    [RULE_BUF_JA3_HASH] = {"ja3.hash", APP_TLS, TS},
    [RULE_BUF_JA3_STRING] = {"ja3.string", APP_TLS, TS},
    [RULE_BUF_JA3S_HASH] = {"ja3s.hash", APP_TLS, TC},
    [RULE_BUF_JA3S_STRING] = {"ja3s.string", APP_TLS, TC},
    [RULE_BUF_TLS_CERT_SUBJECT] = {"tls.cert_subject", APP_TLS, TC},
    [RULE_BUF_TLS_CERT_ISSUER] = {"tls.cert_issuer", APP_TLS, TC},
    [RULE_BUF_TLS_CERT_SERIAL] = {"tls.cert_serial", APP_TLS, TC},
    [RULE_BUF_TLS_CERT_FINGERPRINT] = {"tls.cert_fingerprint", APP_TLS, TC},
    [RULE_BUF_TLS_CERTS] = {"tls.certs", APP_TLS, TC},
};

const rule_buf_info_t *rule_buf_info(rule_buf_t id)
{
    if ((unsigned)id >= RULE_BUF_COUNT) return NULL;
    return &buf_info[id];
}

bool rule_buf_multi(rule_buf_t id)
{
    return id == RULE_BUF_TLS_CERTS;
}
