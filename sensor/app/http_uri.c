/* http_uri.c -- the http.uri buffer: request URI normalisation as Suricata 7
 * does it (see http_buffers.h).
 *
 * Suricata builds http.uri from libhtp's normalised parsed URI (path, then
 * "?" query, then "#" fragment; app-layer-htp-libhtp.c). With the stock
 * config libhtp runs its IDS personality: %XX and %uXXXX decoding in the
 * path, encoded separators decoded, '\' to '/', '/' runs squeezed, UTF-8
 * best-fit mapping, then RFC 3986 dot-segment removal. Suricata turns the
 * personality's path lowercasing off (app-layer-htp.c) and '+' to space off;
 * it %XX-decodes the query itself. Every stage writes at or before the byte
 * it reads, so the whole pipeline runs in place and never grows. */
#include "http_buffers.h"

#include <string.h>

/* ---- bytes ---- */

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex2(const uint8_t *p)
{
    return hexval(p[0]) >= 0 && hexval(p[1]) >= 0;
}

static uint8_t hexbyte(const uint8_t *p)
{
    return (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
}

static hbuf_t part(const uint8_t *p, size_t n)
{
    hbuf_t h = {p, (uint32_t)n};
    return h;
}

/* ---- best fit ---- */

/* Code points >= 0x100 that libhtp's default Windows-1252 best-fit map turns
 * into ASCII punctuation: the look-alikes that can hide a separator, a dot
 * or a quote. Sorted. Fullwidth forms are handled by range below. */
static const struct {
    uint16_t cp;
    uint8_t c;
} fit[] = {
    {0x02B9, '\''}, {0x02BA, '"'},  {0x02BC, '\''}, {0x02C4, '^'}, {0x02C8, '\''}, {0x02CB, '`'},
    {0x02CD, '_'},  {0x0300, '`'},  {0x0302, '^'},  {0x0303, '~'}, {0x030E, '"'},  {0x0331, '_'},
    {0x0332, '_'},  {0x037E, ';'},  {0x0589, ':'},  {0x066A, '%'}, {0x2000, ' '},  {0x2001, ' '},
    {0x2002, ' '},  {0x2003, ' '},  {0x2004, ' '},  {0x2005, ' '}, {0x2006, ' '},  {0x2010, '-'},
    {0x2011, '-'},  {0x2017, '='},  {0x2032, '\''}, {0x2035, '`'}, {0x2044, '/'},  {0x2212, '-'},
    {0x2215, '/'},  {0x2216, '\\'}, {0x2217, '*'},  {0x2223, '|'}, {0x2236, ':'},  {0x223C, '~'},
    {0x2303, '^'},  {0x2329, '<'},  {0x232A, '>'},  {0x2758, '|'}, {0x3000, ' '},  {0x3008, '<'},
    {0x3009, '>'},  {0x301A, '['},  {0x301B, ']'},
};

/* One byte for a code point: itself below 0x100, the best fit, else '?'
 * (libhtp's replacement byte; code points past 0xFFFF always get it). */
static uint8_t best_fit(uint32_t cp)
{
    if (cp < 0x100) return (uint8_t)cp;
    /* U+FF01..U+FF5E are fullwidth '!'..'~'; U+FF1F maps to '?' either way */
    if (cp >= 0xFF01 && cp <= 0xFF5E) return (uint8_t)(cp - 0xFF01 + '!');
    size_t lo = 0, hi = sizeof(fit) / sizeof(fit[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (fit[mid].cp == cp) return fit[mid].c;
        if (fit[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return '?';
}

/* %uHHHH (p at the first H): %u00HH is the byte HH, others go through the
 * best-fit map (libhtp decode_u_encoding_path / _params). */
static uint8_t u_decode(const uint8_t *p)
{
    uint32_t cp = (uint32_t)hexbyte(p) << 8 | hexbyte(p + 2);
    return best_fit(cp);
}

/* ---- decoding ---- */

/* One %-escape at in[*r] (in[*r] == '%'), n bytes in all. Returns the output
 * byte and advances *r. An escape needs two more bytes; with u_ok, %u needs
 * four hex digits; anything invalid keeps the '%' and decodes nothing
 * (libhtp's default HTP_URL_DECODE_PRESERVE_PERCENT). */
static uint8_t percent(const uint8_t *in, size_t n, size_t *r, bool u_ok)
{
    size_t i = *r;
    if (i + 2 < n) {
        if (u_ok && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
            if (i + 5 < n && hex2(in + i + 2) && hex2(in + i + 4)) {
                *r = i + 6;
                return u_decode(in + i + 2);
            }
        } else if (hex2(in + i + 1)) {
            *r = i + 3;
            return hexbyte(in + i + 1);
        }
    }
    *r = i + 1;
    return '%';
}

/* Path decoding (libhtp htp_decode_path_inplace, IDS personality): %XX and
 * %uXXXX decoded, encoded '/' and '\' too (path_separators_decode); '\' is a
 * separator (backslash_convert_slashes); a '/' right after a '/' is dropped
 * (path_separators_compress). NUL is kept: nothing terminates the path. */
static size_t decode_path(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t r = 0, w = 0;
    bool prev_sep = false;
    while (r < n) {
        uint8_t c = in[r];
        if (c == '%')
            c = percent(in, n, &r, true);
        else
            r++;
        if (c == '\\') c = '/';
        if (c == '/') {
            if (prev_sep) continue;
            prev_sep = true;
        } else {
            prev_sep = false;
        }
        out[w++] = c;
    }
    return w;
}

/* Query and fragment decoding (libhtp htp_urldecode_inplace): %XX always,
 * %uXXXX only with u_ok (the fragment uses the path's decoder settings, the
 * query the urlencoded ones), '+' stays '+' (Suricata turns plus-to-space
 * off in HTPConfigSetDefaultsPhase1). */
static size_t url_decode(const uint8_t *in, size_t n, uint8_t *out, bool u_ok)
{
    size_t r = 0, w = 0;
    while (r < n) {
        uint8_t c = in[r];
        if (c == '%')
            c = percent(in, n, &r, u_ok);
        else
            r++;
        out[w++] = c;
    }
    return w;
}

/* Continuation bytes a UTF-8 lead byte needs, and the allowed range of the
 * first one. Overlong forms are accepted (libhtp decodes with its
 * allow-overlong DFA, so %C0%AF is '/'); surrogates (ED A0..BF) and code
 * points past U+10FFFF are not. 0 for a byte that cannot start a character. */
static size_t utf8_lead(uint8_t c, uint32_t *cp, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC0 && c <= 0xDF) {
        *cp = c & 0x1Fu;
        return 1;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        *cp = c & 0x0Fu;
        if (c == 0xED) *hi = 0x9F;
        return 2;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        *cp = c & 0x07u;
        if (c == 0xF4) *hi = 0x8F;
        return 3;
    }
    return 0;
}

/* UTF-8 to single bytes (libhtp htp_utf8_decode_path_inplace, enabled by
 * utf8_convert_bestfit in the IDS personality). ASCII is copied; a valid
 * sequence becomes its best-fit byte; an invalid byte becomes '?': a lone
 * bad byte is consumed, a sequence broken by a bad byte loses its bytes so
 * far and the bad byte starts afresh. A sequence cut by the end of the path
 * is dropped without a trace, as libhtp does. */
static size_t utf8_fit(uint8_t *p, size_t n)
{
    size_t r = 0, w = 0;
    while (r < n) {
        uint8_t c = p[r], lo, hi;
        uint32_t cp = 0;
        if (c < 0x80) {
            p[w++] = c;
            r++;
            continue;
        }
        size_t need = utf8_lead(c, &cp, &lo, &hi), k = 1;
        if (need == 0) {
            p[w++] = '?';
            r++;
            continue;
        }
        for (; k <= need && r + k < n; k++) {
            uint8_t cc = p[r + k];
            if (cc < (k == 1 ? lo : 0x80) || cc > (k == 1 ? hi : 0xBF)) break;
            cp = cp << 6 | (cc & 0x3Fu);
        }
        if (k > need) {
            p[w++] = best_fit(cp);
            r += need + 1;
        } else if (r + k >= n) {
            break; /* cut by the end */
        } else {
            p[w++] = '?';
            r += k;
        }
    }
    return w;
}

/* ---- dot segments ---- */

static bool at(const uint8_t *p, size_t n, size_t i, const char *lit)
{
    size_t m = strlen(lit);
    return i <= n && n - i >= m && memcmp(p + i, lit, m) == 0;
}

/* Drop the last output segment and the '/' before it (RFC 3986 5.2.4 C). */
static size_t pop_segment(const uint8_t *p, size_t w)
{
    while (w > 0 && p[w - 1] != '/')
        w--;
    return w > 0 ? w - 1 : 0;
}

/* RFC 3986 5.2.4 remove_dot_segments, in place, as libhtp
 * htp_normalize_uri_path_inplace does it. The rules B and C that end the
 * input leave a "/" to be emitted, which libhtp then drops: "/a/." gives
 * "/a" and "/a/.." gives "" (RFC: "/a/" and "/"). Kept for fidelity. */
static size_t remove_dots(uint8_t *p, size_t n)
{
    size_t r = 0, w = 0;
    bool slash = false; /* a "/" replaced a dot segment and heads the input */
    while (r < n) {
        if (!slash) {
            /* A: "../" or "./" at the head */
            if (at(p, n, r, "../")) {
                r += 3;
                continue;
            }
            if (at(p, n, r, "./")) {
                r += 2;
                continue;
            }
            /* D: the input is "." or ".." */
            if ((n - r == 1 && p[r] == '.') || (n - r == 2 && at(p, n, r, ".."))) break;
            if (p[r] == '/') {
                slash = true;
                r++;
            }
        }
        if (slash) {
            /* B: "/./" or a final "/." */
            if (at(p, n, r, "./") || (n - r == 1 && p[r] == '.')) {
                r += n - r == 1 ? 1 : 2;
                continue;
            }
            /* C: "/../" or a final "/.." */
            if (at(p, n, r, "../") || (n - r == 2 && at(p, n, r, ".."))) {
                r += n - r == 2 ? 2 : 3;
                w = pop_segment(p, w);
                continue;
            }
            p[w++] = '/';
            slash = false;
        }
        /* E: the segment up to the next '/' */
        while (r < n && p[r] != '/')
            p[w++] = p[r++];
    }
    return w;
}

/* ---- split ---- */

/* Authority [a, e): user[:password]@host[:port]; host may be "[v6]". */
static void split_authority(const uint8_t *a, size_t n, http_uri_parts_t *o)
{
    const uint8_t *at_sign = n ? memchr(a, '@', n) : NULL;
    if (at_sign != NULL) {
        size_t cl = (size_t)(at_sign - a);
        const uint8_t *colon = cl ? memchr(a, ':', cl) : NULL;
        if (colon != NULL) {
            o->user = part(a, (size_t)(colon - a));
            o->password = part(colon + 1, cl - (size_t)(colon - a) - 1);
        } else {
            o->user = part(a, cl);
        }
        a = at_sign + 1;
        n -= cl + 1;
    }
    if (n > 0 && a[0] == '[') {
        const uint8_t *rb = memchr(a, ']', n);
        if (rb == NULL) {
            o->host = part(a, n); /* unterminated: all of it is the host */
            return;
        }
        size_t hl = (size_t)(rb - a) + 1;
        o->host = part(a, hl);
        const uint8_t *colon = hl < n ? memchr(a + hl, ':', n - hl) : NULL;
        if (colon != NULL) o->port = part(colon + 1, n - (size_t)(colon + 1 - a));
        return;
    }
    const uint8_t *colon = n ? memchr(a, ':', n) : NULL;
    if (colon != NULL) {
        o->port = part(colon + 1, n - (size_t)(colon + 1 - a));
        n = (size_t)(colon - a);
    }
    o->host = part(a, n);
}

/* libhtp htp_parse_uri, without copies. */
void http_uri_split(const uint8_t *uri, size_t len, http_uri_parts_t *o)
{
    memset(o, 0, sizeof(*o));
    if (len == 0) return;
    size_t pos = 0;
    if (uri[0] != '/') {
        /* anything up to the first ':' is a scheme; without ':' it is a
         * path, as Apache treats it */
        const uint8_t *colon = memchr(uri, ':', len);
        if (colon != NULL) {
            o->scheme = part(uri, (size_t)(colon - uri));
            pos = (size_t)(colon - uri) + 1;
        }
    }
    if (o->scheme.p != NULL && pos + 2 < len && uri[pos] == '/' && uri[pos + 1] == '/' &&
        uri[pos + 2] != '/') {
        size_t s = pos + 2, e = s;
        while (e < len && uri[e] != '?' && uri[e] != '/' && uri[e] != '#')
            e++;
        split_authority(uri + s, e - s, o);
        pos = e;
    }
    size_t s = pos;
    while (pos < len && uri[pos] != '?' && uri[pos] != '#')
        pos++;
    o->path = part(uri + s, pos - s);
    if (pos < len && uri[pos] == '?') {
        s = ++pos;
        while (pos < len && uri[pos] != '#')
            pos++;
        o->query = part(uri + s, pos - s);
    }
    if (pos < len && uri[pos] == '#') o->fragment = part(uri + pos + 1, len - pos - 1);
}

/* ---- public ---- */

size_t http_uri_normalize(const uint8_t *in, size_t len, uint8_t *out, size_t outcap)
{
    size_t n = len < outcap ? len : outcap;
    http_uri_parts_t u;
    http_uri_split(in, n, &u);
    /* Each part is written no further right than where it is read from, so
     * in == out is safe: parts are taken in order and never grow. */
    size_t w = 0;
    if (u.path.p != NULL) {
        w = decode_path(u.path.p, u.path.len, out);
        w = utf8_fit(out, w);
        w = remove_dots(out, w);
    }
    if (u.query.p != NULL) {
        out[w++] = '?';
        w += url_decode(u.query.p, u.query.len, out + w, false);
    }
    if (u.fragment.p != NULL) {
        out[w++] = '#';
        w += url_decode(u.fragment.p, u.fragment.len, out + w, true);
    }
    return w;
}

/* libhtp htp_normalize_parsed_uri for the hostname: URL-decoded with the
 * path's decoder settings, then htp_normalize_hostname_inplace (lowercase,
 * trailing dots removed). */
size_t http_uri_host_normalize(uint8_t *host, size_t len)
{
    size_t n = url_decode(host, len, host, true);
    for (size_t i = 0; i < n; i++)
        if (host[i] >= 'A' && host[i] <= 'Z') host[i] = (uint8_t)(host[i] + 32);
    while (n > 0 && host[n - 1] == '.')
        n--;
    return n;
}
