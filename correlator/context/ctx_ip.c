/* ctx_ip.c -- IP address and prefix parsing (see ctx_ip.h). */
#include "ctx_ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define V4_MAPPED_HI 0ull
#define V4_MAPPED_LO 0x0000ffff00000000ull

static uint64_t load_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* A dotted quad by inet_pton's own rules (four decimal parts of 0..255,
 * no leading zeros, nothing else), without copying it to a C string:
 * most event addresses are IPv4. */
static bool parse_v4(const char *s, size_t n, uint64_t *lo)
{
    unsigned part = 0, parts = 0;
    uint64_t v = 0;
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (c >= '0' && c <= '9') {
            if (digit && part == 0) return false; /* leading zero */
            part = part * 10 + (c - '0');
            if (part > 255) return false;
            if (!digit && ++parts > 4) return false;
            digit = true;
        } else if (c == '.' && digit && parts < 4) {
            v = v << 8 | part;
            part = 0;
            digit = false;
        } else {
            return false;
        }
    }
    if (parts < 4 || !digit) return false;
    *lo = v << 8 | part;
    return true;
}

bool ctx_ip_parse(const char *s, size_t n, ctx_ip_t *out)
{
    uint64_t v4;
    if (parse_v4(s, n, &v4)) {
        out->hi = V4_MAPPED_HI;
        out->lo = V4_MAPPED_LO | v4;
        return true;
    }
    char buf[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof(buf)) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) return false; /* embedded NUL */
    struct in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        const uint8_t *b = (const uint8_t *)&a4;
        out->hi = V4_MAPPED_HI;
        out->lo =
            V4_MAPPED_LO | (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
        return true;
    }
    struct in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) != 1) return false;
    out->hi = load_be64(a6.s6_addr);
    out->lo = load_be64(a6.s6_addr + 8);
    return true;
}

bool ctx_ip_is_v4(ctx_ip_t a)
{
    return a.hi == V4_MAPPED_HI && (a.lo >> 32) == (V4_MAPPED_LO >> 32);
}

ctx_ip_t ctx_ip_mask(ctx_ip_t a, unsigned len)
{
    if (len == 0) return (ctx_ip_t){0, 0};
    if (len < 64) return (ctx_ip_t){a.hi & ~(~0ull >> len), 0};
    if (len == 64) return (ctx_ip_t){a.hi, 0};
    if (len < 128) return (ctx_ip_t){a.hi, a.lo & ~(~0ull >> (len - 64))};
    return a;
}

ctx_ip_t ctx_ip_last(ctx_ip_t net, unsigned len)
{
    if (len == 0) return (ctx_ip_t){~0ull, ~0ull};
    if (len < 64) return (ctx_ip_t){net.hi | (~0ull >> len), ~0ull};
    if (len == 64) return (ctx_ip_t){net.hi, ~0ull};
    if (len < 128) return (ctx_ip_t){net.hi, net.lo | (~0ull >> (len - 64))};
    return net;
}

bool ctx_prefix_parse(const char *s, size_t n, ctx_ip_t *net, unsigned *len, bool *host_bits)
{
    *host_bits = false;
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    ctx_ip_t a;
    if (!ctx_ip_parse(s, alen, &a)) return false;
    bool v4 = !memchr(s, ':', alen); /* "::ffff:10.0.0.0/104" counts in IPv6 bits */
    unsigned max = v4 ? 32 : 128, plen = max;
    if (slash) {
        const char *p = slash + 1, *end = s + n;
        if (p == end || end - p > 3) return false;
        if (*p == '0' && end - p > 1) return false; /* no leading zeros */
        plen = 0;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9') return false;
            plen = plen * 10 + (unsigned)(*p - '0');
        }
        if (plen > max) return false;
    }
    unsigned l = v4 ? plen + 96 : plen;
    ctx_ip_t m = ctx_ip_mask(a, l);
    if (ctx_ip_cmp(m, a) != 0) {
        *host_bits = true;
        *net = m;
        *len = l;
        return false;
    }
    *net = m;
    *len = l;
    return true;
}

void ctx_ip_bytes(ctx_ip_t a, uint8_t out[16])
{
    store_be64(out, a.hi);
    store_be64(out + 8, a.lo);
}

void ctx_ip_format(ctx_ip_t a, char out[CTX_IP_STRLEN])
{
    if (ctx_ip_is_v4(a)) {
        snprintf(out, CTX_IP_STRLEN, "%u.%u.%u.%u", (unsigned)(a.lo >> 24) & 0xff,
                 (unsigned)(a.lo >> 16) & 0xff, (unsigned)(a.lo >> 8) & 0xff,
                 (unsigned)a.lo & 0xff);
        return;
    }
    struct in6_addr a6;
    ctx_ip_bytes(a, a6.s6_addr);
    if (!inet_ntop(AF_INET6, &a6, out, CTX_IP_STRLEN)) out[0] = '\0';
}

void ctx_prefix_format(ctx_ip_t net, unsigned len, char out[CTX_IP_STRLEN])
{
    char a[CTX_IP_STRLEN];
    ctx_ip_format(net, a);
    bool v4 = ctx_ip_is_v4(net) && len >= 96;
    unsigned l = (v4 ? len - 96 : len) & 0xff; /* 0..128 */
    size_t n = strnlen(a, 46);                 /* INET6_ADDRSTRLEN - 1 */
    snprintf(out, CTX_IP_STRLEN, "%.*s/%u", (int)n, a, l);
}
