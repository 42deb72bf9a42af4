/* http.c -- HTTP/1.x heads and body framing (see http.h). */
#include "http.h"

#include <string.h>

/* ---- small byte helpers ---- */

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool eq_nocase(const uint8_t *a, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != (uint8_t)lit[i]) return false;
    return true;
}

static bool prefix_nocase(const uint8_t *a, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && eq_nocase(a, m, lit);
}

/* A method is taken as libhtp takes it: any visible characters up to the
 * first space, not only RFC 9110 tokens, since attacks put their payload
 * there ("${jndi:ldap://...} / HTTP/1.1") and rules look for it. */
static bool is_method_char(uint8_t c)
{
    return c > 0x20 && c < 0x7f;
}

static http_span_t span(const uint8_t *p, size_t len)
{
    http_span_t s = {p, (uint32_t)len};
    return s;
}

/* Trim spaces and tabs on both sides. */
static http_span_t trim(const uint8_t *p, size_t len)
{
    while (len > 0 && is_ws(p[0])) {
        p++;
        len--;
    }
    while (len > 0 && is_ws(p[len - 1]))
        len--;
    return span(p, len);
}

/* Bytes of leading CR/LF: tolerated before a start line (stray CRLF after a
 * body is common). */
static size_t skip_blank(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
        i++;
    return i;
}

size_t http_find_head_end(const uint8_t *buf, size_t len, size_t from)
{
    size_t start = skip_blank(buf, len);
    size_t i = from > start ? from : start;
    while (i < len) {
        const uint8_t *nl = memchr(buf + i, '\n', len - i);
        if (nl == NULL) return 0;
        size_t j = (size_t)(nl - buf) + 1;
        if (j < len && buf[j] == '\n') return j + 1;
        if (j + 1 < len && buf[j] == '\r' && buf[j + 1] == '\n') return j + 2;
        if (j >= len || (buf[j] == '\r' && j + 1 >= len)) return 0;
        i = j;
    }
    return 0;
}

/* One line of the head: [p, p+len) without its CR/LF. */
typedef struct line {
    const uint8_t *p;
    size_t len;
} line_t;

/* Next line within [*pos, end). The head end was found first, so every line
 * up to it ends in LF. */
static line_t next_line(const uint8_t *buf, size_t *pos, size_t end)
{
    line_t l = {buf + *pos, 0};
    const uint8_t *nl = memchr(buf + *pos, '\n', end - *pos);
    size_t stop = nl ? (size_t)(nl - buf) : end;
    l.len = stop - *pos;
    if (l.len > 0 && l.p[l.len - 1] == '\r') l.len--;
    *pos = nl ? stop + 1 : end;
    return l;
}

/* Decimal Content-Length: digits only (after trimming), at most 18 of them. */
static bool parse_length(http_span_t v, uint64_t *out)
{
    if (v.len == 0 || v.len > 18) return false;
    uint64_t n = 0;
    for (uint32_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9') return false;
        n = n * 10 + (uint64_t)(v.p[i] - '0');
    }
    *out = n;
    return true;
}

static bool has_chunked(http_span_t te)
{
    for (uint32_t i = 0; i + 7 <= te.len; i++)
        if (eq_nocase(te.p + i, 7, "chunked")) return true;
    return false;
}

/* Header fields either head kind cares about. */
enum hdr_id { H_HOST, H_UA, H_CL, H_CT, H_REFERER, H_COOKIE, H_TE, H_LOCATION, H_COUNT };
static const char *const hdr_names[H_COUNT] = {
    "host",    "user-agent", "content-length",    "content-type",
    "referer", "cookie",     "transfer-encoding", "location",
};

/* Walk header lines from pos to end; the first occurrence of each known
 * header is stored in h[]. */
static void parse_headers(const uint8_t *buf, size_t pos, size_t end, http_span_t h[H_COUNT])
{
    memset(h, 0, sizeof(http_span_t) * H_COUNT);
    while (pos < end) {
        line_t l = next_line(buf, &pos, end);
        if (l.len == 0) break;       /* the empty line ending the head */
        if (is_ws(l.p[0])) continue; /* obs-fold continuation: ignored */
        const uint8_t *colon = memchr(l.p, ':', l.len);
        if (colon == NULL) continue; /* not a header; tolerated like most servers do */
        http_span_t name = trim(l.p, (size_t)(colon - l.p));
        size_t vo = (size_t)(colon - l.p) + 1;
        http_span_t value = trim(l.p + vo, l.len - vo);
        for (int k = 0; k < H_COUNT; k++) {
            if (h[k].p == NULL && eq_nocase(name.p, name.len, hdr_names[k])) {
                h[k] = value;
                if (h[k].p == NULL) h[k].p = l.p + vo; /* present but empty */
                break;
            }
        }
    }
}

/* Common tail: body length fields from the headers. */
static bool body_fields(const http_span_t h[H_COUNT], uint64_t *cl, bool *has_cl, bool *chunked)
{
    *chunked = h[H_TE].p != NULL && has_chunked(h[H_TE]);
    *has_cl = false;
    *cl = 0;
    if (h[H_CL].p != NULL && !*chunked) {
        if (!parse_length(h[H_CL], cl)) return false;
        *has_cl = true;
    }
    return true;
}

/* Find the head end or say why not. */
static app_parse_t head_bounds(const uint8_t *buf, size_t len, size_t *start, size_t *end)
{
    *start = skip_blank(buf, len);
    *end = http_find_head_end(buf, len, 0);
    if (*end == 0) return len >= HTTP_MAX_HEAD ? APP_PARSE_ERROR : APP_PARSE_MORE;
    if (*end > HTTP_MAX_HEAD) return APP_PARSE_ERROR;
    return APP_PARSE_DONE;
}

/* Request line: method SP uri SP protocol. The protocol is the last word so
 * a URI with a raw space still parses. */
static bool parse_request_line(line_t l, http_request_t *out)
{
    size_t i = 0;
    while (i < l.len && is_method_char(l.p[i]))
        i++;
    if (i == 0 || i >= l.len || !is_ws(l.p[i])) return false;
    out->method = span(l.p, i);
    http_span_t rest = trim(l.p + i, l.len - i);
    size_t k = rest.len;
    while (k > 0 && !is_ws(rest.p[k - 1]))
        k--;
    if (k == 0) return false; /* HTTP/0.9 (no protocol) is not supported */
    out->protocol = span(rest.p + k, rest.len - k);
    out->uri = trim(rest.p, k);
    return out->uri.len > 0 && prefix_nocase(out->protocol.p, out->protocol.len, "http/");
}

app_parse_t http_parse_request(const uint8_t *buf, size_t len, http_request_t *out)
{
    memset(out, 0, sizeof(*out));
    size_t pos, end;
    app_parse_t st = head_bounds(buf, len, &pos, &end);
    if (st != APP_PARSE_DONE) return st;
    if (!parse_request_line(next_line(buf, &pos, end), out)) return APP_PARSE_ERROR;
    http_span_t h[H_COUNT];
    parse_headers(buf, pos, end, h);
    out->host = h[H_HOST];
    out->user_agent = h[H_UA];
    out->content_type = h[H_CT];
    out->referer = h[H_REFERER];
    out->cookie = h[H_COOKIE];
    out->transfer_encoding = h[H_TE];
    if (!body_fields(h, &out->content_length, &out->has_content_length, &out->chunked))
        return APP_PARSE_ERROR;
    out->head_len = (uint32_t)end;
    return APP_PARSE_DONE;
}

/* Status line: HTTP/x.y SP 3DIGIT [SP reason]. */
static bool parse_status_line(line_t l, http_response_t *out)
{
    if (!prefix_nocase(l.p, l.len, "http/")) return false;
    size_t i = 0;
    while (i < l.len && !is_ws(l.p[i]))
        i++;
    out->protocol = span(l.p, i);
    while (i < l.len && is_ws(l.p[i]))
        i++;
    if (l.len - i < 3) return false;
    unsigned code = 0;
    for (int k = 0; k < 3; k++) {
        uint8_t c = l.p[i + (size_t)k];
        if (c < '0' || c > '9') return false;
        code = code * 10 + (unsigned)(c - '0');
    }
    i += 3;
    if (i < l.len && !is_ws(l.p[i])) return false;
    if (code < 100) return false;
    out->status = (uint16_t)code;
    out->reason = trim(l.p + i, l.len - i);
    return true;
}

app_parse_t http_parse_response(const uint8_t *buf, size_t len, http_response_t *out)
{
    memset(out, 0, sizeof(*out));
    size_t pos, end;
    app_parse_t st = head_bounds(buf, len, &pos, &end);
    if (st != APP_PARSE_DONE) return st;
    if (!parse_status_line(next_line(buf, &pos, end), out)) return APP_PARSE_ERROR;
    http_span_t h[H_COUNT];
    parse_headers(buf, pos, end, h);
    out->content_type = h[H_CT];
    out->transfer_encoding = h[H_TE];
    out->location = h[H_LOCATION];
    if (!body_fields(h, &out->content_length, &out->has_content_length, &out->chunked))
        return APP_PARSE_ERROR;
    out->head_len = (uint32_t)end;
    return APP_PARSE_DONE;
}

/* ---- probing ---- */

/* buf starts with lit, or (when shorter) is a prefix of it. */
static bool starts_as(const uint8_t *buf, size_t len, const char *lit)
{
    size_t m = strlen(lit);
    return len > 0 && memcmp(buf, lit, len < m ? len : m) == 0;
}

/* Any other method: a complete first line "METHOD SP target SP HTTP/1.x". */
static bool request_line_shape(const uint8_t *buf, size_t len)
{
    const uint8_t *nl = memchr(buf, '\n', len < HTTP_PROBE_LINE ? len : HTTP_PROBE_LINE);
    if (!nl) return false;
    size_t n = (size_t)(nl - buf), i = 0;
    if (n > 0 && buf[n - 1] == '\r') n--;
    while (i < n && is_method_char(buf[i]))
        i++;
    /* method, space, at least one byte of target, " HTTP/1.x" */
    if (i == 0 || n < i + 11 || buf[i] != ' ') return false;
    return memcmp(buf + n - 9, " HTTP/1.", 8) == 0 && (buf[n - 1] == '0' || buf[n - 1] == '1');
}

bool http_probe_request(const uint8_t *buf, size_t len)
{
    static const char *const methods[] = {
        "GET ",        "POST ",
        "HEAD ",       "PUT ",
        "DELETE ",     "OPTIONS ",
        "CONNECT ",    "TRACE ",
        "PATCH ",      "PROPFIND ",
        "PROPPATCH ",  "MKCOL ",
        "COPY ",       "MOVE ",
        "LOCK ",       "UNLOCK ",
        "SEARCH ",     "REPORT ",
        "MERGE ",      "CHECKOUT ",
        "MKACTIVITY ", "VERSION-CONTROL ",
    };
    for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++)
        if (starts_as(buf, len, methods[k])) return true;
    return request_line_shape(buf, len);
}

bool http_probe_response(const uint8_t *buf, size_t len)
{
    return starts_as(buf, len, "HTTP/1.");
}

/* ---- host ---- */

/* Authority of an absolute URI ("http://user@host:port/..."), if any. */
static bool uri_authority(http_span_t uri, http_span_t *auth)
{
    size_t skip;
    if (prefix_nocase(uri.p, uri.len, "http://"))
        skip = 7;
    else if (prefix_nocase(uri.p, uri.len, "https://"))
        skip = 8;
    else
        return false;
    size_t i = skip;
    while (i < uri.len && uri.p[i] != '/' && uri.p[i] != '?' && uri.p[i] != '#')
        i++;
    http_span_t a = span(uri.p + skip, i - skip);
    const uint8_t *at = a.len ? memchr(a.p, '@', a.len) : NULL;
    if (at != NULL) a = span(at + 1, a.len - (size_t)(at + 1 - a.p));
    *auth = a;
    return a.len > 0;
}

static int32_t parse_port(const uint8_t *p, size_t n)
{
    if (n == 0 || n > 5) return -1;
    int32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return (v >= 1 && v <= 65535) ? v : -1;
}

bool http_request_host(const http_request_t *req, http_span_t *host, int32_t *port)
{
    http_span_t a;
    *port = -1;
    if (!uri_authority(req->uri, &a)) a = req->host;
    if (a.len == 0) return false;
    size_t hl = a.len;
    if (a.p[0] == '[') { /* IPv6 literal keeps its brackets */
        const uint8_t *rb = memchr(a.p, ']', a.len);
        if (rb != NULL) {
            hl = (size_t)(rb - a.p) + 1;
            if (hl < a.len && a.p[hl] == ':') *port = parse_port(a.p + hl + 1, a.len - hl - 1);
        }
    } else {
        const uint8_t *colon = memchr(a.p, ':', a.len);
        if (colon != NULL && memchr(colon + 1, ':', a.len - (size_t)(colon + 1 - a.p)) == NULL) {
            hl = (size_t)(colon - a.p);
            *port = parse_port(colon + 1, a.len - hl - 1);
        }
    }
    while (hl > 0 && a.p[hl - 1] == '.')
        hl--;
    *host = span(a.p, hl);
    return hl > 0;
}

/* ---- body framing ---- */

enum chunk_state {
    CS_SIZE,     /* hex digits of a chunk size */
    CS_EXT,      /* chunk extension, up to LF */
    CS_SIZE_LF,  /* CR seen after the size line */
    CS_DATA,     /* chunk data */
    CS_DATA_END, /* CRLF after chunk data */
    CS_DATA_LF,  /* CR seen after chunk data */
    CS_TRAILER,  /* start of a trailer line (or the final empty line) */
    CS_TRAILER_LINE,
    CS_TRAILER_LF,
};

static void body_init(http_body_t *b, http_body_kind_t kind, uint64_t left)
{
    memset(b, 0, sizeof(*b));
    b->kind = (uint8_t)kind;
    b->left = left;
    b->state = CS_SIZE;
}

void http_body_request(http_body_t *b, const http_request_t *req)
{
    if (req->chunked)
        body_init(b, HTTP_BODY_CHUNKED, 0);
    else if (req->has_content_length && req->content_length > 0)
        body_init(b, HTTP_BODY_LENGTH, req->content_length);
    else
        body_init(b, HTTP_BODY_NONE, 0);
}

void http_body_response(http_body_t *b, const http_response_t *resp, bool req_head)
{
    unsigned s = resp->status;
    if (req_head || s < 200 || s == 204 || s == 304)
        body_init(b, HTTP_BODY_NONE, 0);
    else if (resp->chunked)
        body_init(b, HTTP_BODY_CHUNKED, 0);
    else if (resp->has_content_length)
        body_init(b, resp->content_length ? HTTP_BODY_LENGTH : HTTP_BODY_NONE,
                  resp->content_length);
    else
        body_init(b, HTTP_BODY_CLOSE, 0);
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* End of a chunk-size line: data follows, or the zero chunk starts the
 * trailer. */
static app_parse_t size_line_done(http_body_t *b)
{
    if (b->digits == 0) return APP_PARSE_ERROR;
    b->state = b->left ? CS_DATA : CS_TRAILER;
    return APP_PARSE_MORE;
}

static app_parse_t next_chunk(http_body_t *b)
{
    b->state = CS_SIZE;
    b->digits = 0;
    b->left = 0;
    return APP_PARSE_MORE;
}

/* One framing byte of a chunked body (everything but chunk data). DONE when
 * the final empty line was read. */
static app_parse_t chunk_byte(http_body_t *b, uint8_t c)
{
    switch (b->state) {
    case CS_SIZE: {
        int v = hexval(c);
        if (v >= 0) {
            if (b->digits >= 15) return APP_PARSE_ERROR; /* no sane chunk is that large */
            b->left = (b->left << 4) | (uint64_t)v;
            b->digits++;
            return APP_PARSE_MORE;
        }
        if (c == ';' || is_ws(c)) {
            b->state = CS_EXT;
            return b->digits ? APP_PARSE_MORE : APP_PARSE_ERROR;
        }
        if (c == '\r') {
            b->state = CS_SIZE_LF;
            return APP_PARSE_MORE;
        }
        if (c == '\n') return size_line_done(b);
        return APP_PARSE_ERROR;
    }
    case CS_EXT: return c == '\n' ? size_line_done(b) : APP_PARSE_MORE;
    case CS_SIZE_LF: return c == '\n' ? size_line_done(b) : APP_PARSE_ERROR;
    case CS_DATA_END: /* CRLF, or a bare LF, after chunk data */
        if (c == '\r') {
            b->state = CS_DATA_LF;
            return APP_PARSE_MORE;
        }
        return c == '\n' ? next_chunk(b) : APP_PARSE_ERROR;
    case CS_DATA_LF: return c == '\n' ? next_chunk(b) : APP_PARSE_ERROR;
    case CS_TRAILER:
        if (c == '\n') return APP_PARSE_DONE;
        b->state = c == '\r' ? CS_TRAILER_LF : CS_TRAILER_LINE;
        return APP_PARSE_MORE;
    case CS_TRAILER_LINE:
        if (c == '\n') b->state = CS_TRAILER;
        return APP_PARSE_MORE;
    case CS_TRAILER_LF: return c == '\n' ? APP_PARSE_DONE : APP_PARSE_ERROR;
    default: return APP_PARSE_ERROR;
    }
}

static app_parse_t chunked_feed(http_body_t *b, const uint8_t *buf, size_t len, size_t *used)
{
    size_t i = 0;
    while (i < len) {
        if (b->state == CS_DATA) {
            size_t n = len - i;
            if ((uint64_t)n > b->left) n = (size_t)b->left;
            b->left -= n;
            b->seen += n;
            i += n;
            if (b->left == 0) b->state = CS_DATA_END;
            continue;
        }
        app_parse_t st = chunk_byte(b, buf[i++]);
        if (st != APP_PARSE_MORE) {
            *used = i;
            return st;
        }
    }
    *used = i;
    return APP_PARSE_MORE;
}

app_parse_t http_body_feed(http_body_t *b, const uint8_t *buf, size_t len, size_t *used)
{
    *used = 0;
    switch (b->kind) {
    case HTTP_BODY_NONE: return APP_PARSE_DONE;
    case HTTP_BODY_CLOSE:
        b->seen += len;
        *used = len;
        return APP_PARSE_MORE;
    case HTTP_BODY_LENGTH: {
        size_t n = len;
        if ((uint64_t)n > b->left) n = (size_t)b->left;
        b->left -= n;
        b->seen += n;
        *used = n;
        return b->left == 0 ? APP_PARSE_DONE : APP_PARSE_MORE;
    }
    case HTTP_BODY_CHUNKED: return chunked_feed(b, buf, len, used);
    default: return APP_PARSE_ERROR;
    }
}

bool http_body_skip(http_body_t *b, uint64_t n)
{
    bool ok = b->kind == HTTP_BODY_CLOSE || (b->kind == HTTP_BODY_LENGTH && n <= b->left) ||
              (b->kind == HTTP_BODY_CHUNKED && b->state == CS_DATA && n <= b->left);
    if (!ok) return false;
    b->seen += n;
    if (b->kind == HTTP_BODY_CLOSE) return true;
    b->left -= n;
    if (b->kind == HTTP_BODY_CHUNKED && b->left == 0) b->state = CS_DATA_END;
    return true;
}
