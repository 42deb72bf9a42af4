/* intel_value.c -- checking and normalising indicator values, the same
 * way for feeds and for the event fields they are matched against. */
#include <stdio.h>
#include <string.h>

#include "intel_int.h"

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool intel_domain_norm(const char *s, size_t n, char *out, size_t cap, size_t *outlen, bool strict)
{
    if (n && s[n - 1] == '.') n--;
    if (n == 0 || n > INTEL_MAX_DOMAIN || n >= cap) return false;
    size_t label = 0, labels = 1;
    for (size_t i = 0; i < n; i++) {
        char c = lower(s[i]);
        out[i] = c;
        if (c == '\0') return false;
        if (!strict) continue;
        if (c == '.') {
            if (label == 0) return false; /* empty label */
            label = 0;
            labels++;
            continue;
        }
        if (!is_alnum(c) && c != '-' && c != '_') return false;
        if (++label > 63) return false;
    }
    out[n] = '\0';
    *outlen = n;
    if (!strict) return true;
    /* the top-level label is never all digits (RFC 3696 2): "300.1.2.3"
     * is a mistyped address, not a name */
    bool digits = true;
    for (size_t i = n - label; i < n; i++)
        digits = digits && out[i] >= '0' && out[i] <= '9';
    return label > 0 && labels >= 2 && !digits;
}

static bool default_port(const char *scheme, size_t n, unsigned port)
{
    return (n == 4 && memcmp(scheme, "http", 4) == 0 && port == 80) ||
           (n == 5 && memcmp(scheme, "https", 5) == 0 && port == 443);
}

/* Bounded appends into the URL buffer. */
typedef struct ubuf {
    char *p;
    size_t len;
    bool ok;
} ubuf_t;

static void put(ubuf_t *b, const char *s, size_t n, bool fold)
{
    if (!b->ok || b->len + n > INTEL_MAX_URL) {
        b->ok = false;
        return;
    }
    for (size_t i = 0; i < n; i++)
        b->p[b->len++] = fold ? lower(s[i]) : s[i];
}

/* "host", "[v6]", with an optional ":port"; port is dropped when it is the
 * scheme's default or empty. */
static bool put_hostport(ubuf_t *b, const char *scheme, size_t slen, const char *h, size_t n)
{
    const char *port = NULL;
    size_t hlen = n;
    if (n && h[0] == '[') {
        const char *rb = memchr(h, ']', n);
        if (!rb) return false;
        hlen = (size_t)(rb - h) + 1;
        if (hlen < n) {
            if (h[hlen] != ':') return false;
            port = h + hlen + 1;
        }
    } else {
        const char *colon = memchr(h, ':', n);
        if (colon) {
            hlen = (size_t)(colon - h);
            port = colon + 1;
        }
    }
    if (hlen == 0) return false;
    put(b, h, hlen, true);
    if (!port) return true;
    size_t plen = (size_t)(h + n - port);
    unsigned v = 0;
    if (plen > 5) return false;
    for (size_t i = 0; i < plen; i++) {
        if (port[i] < '0' || port[i] > '9') return false;
        v = v * 10 + (unsigned)(port[i] - '0');
    }
    if (v > 65535) return false;
    if (plen == 0 || default_port(scheme, slen, v)) return true;
    char num[8];
    int k = snprintf(num, sizeof(num), ":%u", v);
    put(b, num, (size_t)k, false);
    return true;
}

bool intel_url_norm(const char *s, size_t n, char *out, size_t *outlen)
{
    if (n == 0 || n > INTEL_MAX_URL) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f) return false;
    size_t i = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
    while (i < n && (is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i + 3 > n || memcmp(s + i, "://", 3) != 0) return false;
    ubuf_t b = {out, 0, true};
    put(&b, s, i, true);
    char scheme[16];
    size_t slen = i < sizeof(scheme) ? i : 0;
    for (size_t k = 0; k < slen; k++)
        scheme[k] = lower(s[k]);
    put(&b, "://", 3, false);
    size_t a = i + 3, e = a;
    while (e < n && s[e] != '/' && s[e] != '?' && s[e] != '#')
        e++;
    const char *at = NULL; /* userinfo ends at the last '@' of the authority */
    for (size_t k = a; k < e; k++)
        if (s[k] == '@') at = s + k;
    if (at) {
        put(&b, s + a, (size_t)(at - (s + a)) + 1, false);
        a = (size_t)(at - s) + 1;
    }
    if (!put_hostport(&b, scheme, slen, s + a, e - a)) return false;
    const char *hash = memchr(s + e, '#', n - e);
    size_t rest = hash ? (size_t)(hash - (s + e)) : n - e;
    if (rest == 0 || s[e] == '?') put(&b, "/", 1, false);
    put(&b, s + e, rest, false);
    if (!b.ok) return false;
    out[b.len] = '\0';
    *outlen = b.len;
    return true;
}

static bool hex_norm(const char *s, size_t n, size_t want, char *out)
{
    if (n != want) return false;
    for (size_t i = 0; i < n; i++) {
        char c = lower(s[i]);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        out[i] = c;
    }
    out[n] = '\0';
    return true;
}

static bool set_text(intel_value_t *v, intel_type_t type, size_t len)
{
    v->type = type;
    v->len = len;
    memcpy(v->key, v->text, len);
    v->keylen = len;
    return true;
}

static bool parse_ip(const char *s, size_t n, intel_value_t *v)
{
    ctx_ip_t ip;
    if (!ctx_ip_parse(s, n, &ip)) return false;
    ctx_ip_format(ip, v->text);
    v->type = INTEL_IP;
    v->len = strlen(v->text);
    ctx_ip_bytes(ip, v->key);
    v->keylen = 16;
    return true;
}

/* A prefix; a bare address is its host prefix. host_bits reports
 * "10.0.0.1/8" so the message can say so. */
static bool parse_cidr(const char *s, size_t n, intel_value_t *v, bool *host_bits)
{
    ctx_ip_t net;
    unsigned len;
    if (!ctx_prefix_parse(s, n, &net, &len, host_bits)) {
        if (*host_bits) ctx_prefix_format(net, len, v->text);
        return false;
    }
    ctx_prefix_format(net, len, v->text);
    v->type = INTEL_CIDR;
    v->len = strlen(v->text);
    ctx_ip_bytes(net, v->key);
    v->key[16] = (uint8_t)len;
    v->keylen = 17;
    return true;
}

static bool parse_typed(intel_type_t type, const char *s, size_t n, intel_value_t *v,
                        bool *host_bits)
{
    size_t len;
    switch (type) {
    case INTEL_IP: return parse_ip(s, n, v);
    case INTEL_CIDR: return parse_cidr(s, n, v, host_bits);
    case INTEL_DOMAIN:
        if (n >= 2 && s[0] == '*' && s[1] == '.') { /* "*.evil.example": subdomains match anyway */
            s += 2;
            n -= 2;
        }
        return intel_domain_norm(s, n, v->text, sizeof(v->text), &len, true) &&
               set_text(v, type, len);
    case INTEL_URL: return intel_url_norm(s, n, v->text, &len) && set_text(v, type, len);
    case INTEL_JA3: return hex_norm(s, n, 32, v->text) && set_text(v, type, 32);
    case INTEL_SHA256: return hex_norm(s, n, 64, v->text) && set_text(v, type, 64);
    default: return false;
    }
}

static intel_type_t detect(const char *s, size_t n)
{
    if (n >= 3 && memmem(s, n, "://", 3)) return INTEL_URL;
    if (memchr(s, '/', n)) return INTEL_CIDR;
    ctx_ip_t ip;
    if (ctx_ip_parse(s, n, &ip)) return INTEL_IP;
    char tmp[65];
    if (n == 32 && hex_norm(s, n, 32, tmp)) return INTEL_JA3;
    if (n == 64 && hex_norm(s, n, 64, tmp)) return INTEL_SHA256;
    return INTEL_DOMAIN;
}

static const char *const expect_text[INTEL_TYPE_COUNT] = {
    "an IPv4 or IPv6 address",
    "an IPv4 or IPv6 CIDR",
    "a domain name",
    "an absolute URL (scheme://host/path)",
    "a JA3 hash (32 hex digits)",
    "a SHA-256 hash (64 hex digits)",
};

bool intel_value_parse(intel_type_t type, const char *s, size_t n, intel_value_t *v, char *err,
                       size_t errlen)
{
    char tmp[CTX_SHOW_MAX];
    bool host_bits = false;
    if (!s) { /* no value at all reads as an empty one */
        s = "";
        n = 0;
    }
    intel_type_t t = type == INTEL_AUTO ? detect(s, n) : type;
    if ((unsigned)t < INTEL_TYPE_COUNT && parse_typed(t, s, n, v, &host_bits)) return true;
    if (host_bits)
        snprintf(err, errlen, "host bits set in '%s' (did you mean %s?)", ctx_show(s, n, tmp),
                 v->text);
    else if (type == INTEL_AUTO && t == INTEL_DOMAIN)
        snprintf(err, errlen, "not an ip, cidr, domain, url, ja3 or sha256 value: '%s'",
                 ctx_show(s, n, tmp));
    else
        snprintf(err, errlen, "expected %s, got '%s'", expect_text[t], ctx_show(s, n, tmp));
    return false;
}
