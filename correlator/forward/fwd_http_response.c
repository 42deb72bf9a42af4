/* fwd_http_response.c -- see fwd_http_response.h. */
#include "fwd_http_response.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "json_reader.h"

enum {
    S_STATUS,     /* status line */
    S_HEADER,     /* header lines up to the empty one */
    S_BODY_LEN,   /* Content-Length body */
    S_BODY_CLOSE, /* body up to the close of the connection */
    S_CHUNK_SIZE, /* chunk-size line */
    S_CHUNK_DATA, /* chunk data */
    S_CHUNK_END,  /* the CRLF after chunk data */
    S_TRAILER,    /* trailer lines after the last chunk */
    S_DONE,
    S_ERROR,
};

#define CONTENT_LENGTH_DIGITS 18 /* < 2^63: no overflow, far above any cap */

static fwd_http_rc_t fail_at(fwd_http_resp_t *r, uint64_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static fwd_http_rc_t fail_at(fwd_http_resp_t *r, uint64_t at, const char *fmt, ...)
{
    int n = snprintf(r->err, sizeof(r->err), "HTTP response: byte %" PRIu64 ": ", at);
    if (n > 0 && (size_t)n < sizeof(r->err)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    r->state = S_ERROR;
    r->keep_alive = false;
    return FWD_HTTP_ERROR;
}

/* Outside text for a message: short, control bytes as '?'. */
static const char *q(const char *s, size_t n, char *out, size_t cap)
{
    return err_quote(s, n, out, cap);
}

void fwd_http_resp_init(fwd_http_resp_t *r, uint64_t body_cap)
{
    memset(r, 0, offsetof(fwd_http_resp_t, line));
    r->line[0] = '\0';
    r->body_cap = body_cap;
    r->state = S_STATUS;
}

bool fwd_http_resp_started(const fwd_http_resp_t *r)
{
    return r->offset > 0;
}

fwd_status_t fwd_http_status_class(int status)
{
    if (status >= 200 && status <= 299) return FWD_DELIVERED;
    if (status == 408 || status == 429 || (status >= 500 && status <= 599)) return FWD_RETRYABLE;
    return FWD_PERMANENT;
}

/* ---- status line ------------------------------------------------------------ */

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reason phrase and field values: HTAB, SP, VCHAR, obs-text. */
static bool text_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static fwd_http_rc_t on_status_line(fwd_http_resp_t *r, const char *s, size_t n)
{
    char qb[80];
    if (n < 12 || memcmp(s, "HTTP/", 5) != 0 || !digit(s[5]) || s[6] != '.' || !digit(s[7]) ||
        s[8] != ' ' || (n > 12 && s[12] != ' '))
        return fail_at(r, r->line_start, "bad status line '%s'", q(s, n, qb, sizeof(qb)));
    if (s[5] != '1')
        return fail_at(r, r->line_start, "not HTTP/1.x: '%s'", q(s, n > 12 ? 12 : n, qb, 40));
    if (s[9] < '1' || s[9] > '5' || !digit(s[10]) || !digit(s[11]))
        return fail_at(r, r->line_start + 9, "bad status code '%s'", q(s + 9, 3, qb, sizeof(qb)));
    const char *reason = n > 13 ? s + 13 : "";
    size_t rlen = n > 13 ? n - 13 : 0;
    for (size_t i = 0; i < rlen; i++)
        if (!text_byte((unsigned char)reason[i]))
            return fail_at(r, r->line_start + 13 + i, "control byte 0x%02x in the reason phrase",
                           (unsigned char)reason[i]);
    r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    err_quote(reason, rlen, r->reason, sizeof(r->reason));
    r->http10 = s[7] == '0';
    r->state = S_HEADER;
    return FWD_HTTP_MORE;
}

/* ---- header fields ---------------------------------------------------------- */

static bool tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit((char)c) ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool name_is(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Calls fn on each element of a comma-separated list, OWS trimmed, empty
 * elements skipped (RFC 9110 5.6.1). Stops at the first nonzero result. */
static fwd_http_rc_t each_element(fwd_http_resp_t *r, const char *v, size_t n,
                                  fwd_http_rc_t (*fn)(fwd_http_resp_t *, const char *, size_t))
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && ows(v[a]))
            a++;
        while (b > a && ows(v[b - 1]))
            b--;
        if (b > a) {
            fwd_http_rc_t rc = fn(r, v + a, b - a);
            if (rc != FWD_HTTP_MORE) return rc;
        }
        i = j + 1;
    }
    return FWD_HTTP_MORE;
}

static fwd_http_rc_t on_coding(fwd_http_resp_t *r, const char *v, size_t n)
{
    char qb[64];
    if (!name_is(v, n, "chunked"))
        return fail_at(r, r->line_start, "unsupported transfer coding '%s'", q(v, n, qb, 40));
    if (r->chunked) return fail_at(r, r->line_start, "chunked applied twice");
    r->chunked = true;
    return FWD_HTTP_MORE;
}

static fwd_http_rc_t on_connection_opt(fwd_http_resp_t *r, const char *v, size_t n)
{
    if (name_is(v, n, "close")) r->conn_close = true;
    if (name_is(v, n, "keep-alive")) r->conn_keep_alive = true;
    return FWD_HTTP_MORE;
}

static fwd_http_rc_t on_content_length(fwd_http_resp_t *r, const char *v, size_t n)
{
    char qb[64];
    bool ok = n > 0 && n <= CONTENT_LENGTH_DIGITS;
    uint64_t len = 0;
    for (size_t i = 0; ok && i < n; i++) {
        ok = digit(v[i]);
        len = len * 10 + (uint64_t)(v[i] - '0');
    }
    if (!ok) return fail_at(r, r->line_start, "bad Content-Length '%s'", q(v, n, qb, 40));
    if (r->have_length && r->length != len)
        return fail_at(r, r->line_start, "Content-Length %" PRIu64 " after %" PRIu64, len,
                       r->length);
    r->have_length = true;
    r->length = len;
    return FWD_HTTP_MORE;
}

/* Delta-seconds only; an HTTP-date is left alone (0: the caller's backoff). */
static void on_retry_after(fwd_http_resp_t *r, const char *v, size_t n)
{
    uint64_t secs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!digit(v[i])) return;
        if (secs < UINT32_MAX) secs = secs * 10 + (uint64_t)(v[i] - '0');
    }
    r->retry_after = n == 0 ? 0 : secs > UINT32_MAX ? UINT32_MAX : (uint32_t)secs;
}

static fwd_http_rc_t on_field_value(fwd_http_resp_t *r, const char *name, size_t nlen,
                                    const char *v, size_t vlen)
{
    if (name_is(name, nlen, "content-length")) {
        r->seen_length = true;
        return on_content_length(r, v, vlen);
    }
    if (name_is(name, nlen, "transfer-encoding")) {
        r->seen_te = true;
        return each_element(r, v, vlen, on_coding);
    }
    if (name_is(name, nlen, "connection")) return each_element(r, v, vlen, on_connection_opt);
    if (name_is(name, nlen, "retry-after")) on_retry_after(r, v, vlen);
    return FWD_HTTP_MORE;
}

/* One "name: value" line of the header block or the trailer. */
static fwd_http_rc_t on_field(fwd_http_resp_t *r, const char *s, size_t n, bool trailer)
{
    char qb[80];
    if (ows(s[0])) return fail_at(r, r->line_start, "obsolete line folding");
    if (++r->fields > FWD_HTTP_FIELDS_MAX)
        return fail_at(r, r->line_start, "more than %d header fields", FWD_HTTP_FIELDS_MAX);
    size_t i = 0;
    while (i < n && tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i == n || s[i] != ':')
        return fail_at(r, r->line_start, "bad header line '%s'", q(s, n, qb, 60));
    size_t nlen = i++;
    while (i < n && ows(s[i]))
        i++;
    size_t end = n;
    while (end > i && ows(s[end - 1]))
        end--;
    for (size_t k = i; k < end; k++)
        if (!text_byte((unsigned char)s[k]))
            return fail_at(r, r->line_start + k, "control byte 0x%02x in header %s",
                           (unsigned char)s[k], q(s, nlen, qb, 60));
    if (trailer) return FWD_HTTP_MORE; /* framing is settled by then */
    return on_field_value(r, s, nlen, s + i, end - i);
}

/* A 1xx before the real answer: forget it and read the next status line. */
static fwd_http_rc_t interim(fwd_http_resp_t *r)
{
    if (r->status == 101) return fail_at(r, r->line_start, "unexpected 101 Switching Protocols");
    if (++r->interim > FWD_HTTP_INTERIM_MAX)
        return fail_at(r, r->line_start, "more than %d interim (1xx) responses",
                       FWD_HTTP_INTERIM_MAX);
    r->status = 0;
    r->reason[0] = '\0';
    r->chunked = r->have_length = r->seen_length = r->seen_te = false;
    r->conn_close = r->conn_keep_alive = false;
    r->length = 0;
    r->retry_after = 0;
    r->state = S_STATUS;
    return FWD_HTTP_MORE;
}

static fwd_http_rc_t done(fwd_http_resp_t *r)
{
    r->state = S_DONE;
    return FWD_HTTP_DONE;
}

static fwd_http_rc_t on_headers_end(fwd_http_resp_t *r)
{
    if (r->status < 200) return interim(r);
    r->headers_done = true;
    r->keep_alive = !r->conn_close && (!r->http10 || r->conn_keep_alive);
    /* RFC 9112 6.1: both at once is how responses get split; refuse. */
    if (r->seen_te && r->seen_length)
        return fail_at(r, r->line_start, "both Transfer-Encoding and Content-Length");
    if (r->status == 204 || r->status == 304) return done(r);
    if (r->chunked) {
        r->state = S_CHUNK_SIZE;
        return FWD_HTTP_MORE;
    }
    if (r->have_length) {
        if (r->length > r->body_cap)
            return fail_at(r, r->line_start, "body of %" PRIu64 " bytes over the %" PRIu64 " limit",
                           r->length, r->body_cap);
        if (r->length == 0) return done(r);
        r->remaining = r->length;
        r->state = S_BODY_LEN;
        return FWD_HTTP_MORE;
    }
    r->keep_alive = false; /* the close is what ends the body */
    r->state = S_BODY_CLOSE;
    return FWD_HTTP_MORE;
}

/* ---- chunks ------------------------------------------------------------------ */

static int hexval(char c)
{
    if (digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static fwd_http_rc_t on_chunk_size(fwd_http_resp_t *r, const char *s, size_t n)
{
    char qb[64];
    size_t i = 0;
    uint64_t size = 0;
    for (; i < n && hexval(s[i]) >= 0; i++) {
        if (size > (UINT64_MAX >> 4))
            return fail_at(r, r->line_start, "chunk size '%s' too large", q(s, n, qb, 40));
        size = size << 4 | (uint64_t)hexval(s[i]);
    }
    size_t digits = i;
    while (i < n && ows(s[i]))
        i++;
    bool ok = digits > 0 && (i == n || s[i] == ';');
    for (size_t k = i; ok && k < n; k++)
        ok = text_byte((unsigned char)s[k]);
    if (!ok) return fail_at(r, r->line_start, "bad chunk size line '%s'", q(s, n, qb, 40));
    if (size == 0) {
        r->state = S_TRAILER;
        return FWD_HTTP_MORE;
    }
    if (size > r->body_cap - r->body_len)
        return fail_at(r, r->line_start, "body over the %" PRIu64 " byte limit", r->body_cap);
    r->remaining = size;
    r->state = S_CHUNK_DATA;
    return FWD_HTTP_MORE;
}

/* ---- lines --------------------------------------------------------------------- */

static fwd_http_rc_t on_line(fwd_http_resp_t *r, const char *s, size_t n)
{
    switch (r->state) {
    case S_STATUS: return on_status_line(r, s, n);
    case S_HEADER: return n == 0 ? on_headers_end(r) : on_field(r, s, n, false);
    case S_CHUNK_SIZE: return on_chunk_size(r, s, n);
    case S_CHUNK_END:
        if (n != 0) return fail_at(r, r->line_start, "chunk data not followed by CRLF");
        r->state = S_CHUNK_SIZE;
        return FWD_HTTP_MORE;
    case S_TRAILER: return n == 0 ? done(r) : on_field(r, s, n, true);
    default: return fail_at(r, r->line_start, "internal: line in state %d", r->state);
    }
}

static const char *line_what(int state)
{
    switch (state) {
    case S_STATUS: return "status line";
    case S_HEADER: return "header line";
    case S_TRAILER: return "trailer line";
    default: return "chunk line";
    }
}

/* Collects bytes up to a LF; a whole line goes to on_line. Returns the
 * bytes consumed (the state is S_ERROR when it failed). */
static size_t step_line(fwd_http_resp_t *r, const uint8_t *p, size_t len)
{
    if (r->line_len == 0) r->line_start = r->offset;
    const uint8_t *lf = memchr(p, '\n', len);
    size_t take = lf ? (size_t)(lf - p) + 1 : len;
    size_t content = lf ? take - 1 : take;
    if (content > FWD_HTTP_LINE_MAX - r->line_len) {
        fail_at(r, r->line_start, "%s longer than %d bytes", line_what(r->state),
                FWD_HTTP_LINE_MAX);
        return take;
    }
    if (take > FWD_HTTP_HEADERS_MAX - r->header_bytes) {
        fail_at(r, r->line_start, "more than %d bytes of headers and chunk framing",
                FWD_HTTP_HEADERS_MAX);
        return take;
    }
    r->header_bytes += take;
    memcpy(r->line + r->line_len, p, content);
    r->line_len += content;
    if (!lf) return take;
    size_t n = r->line_len;
    r->line_len = 0;
    if (n > 0 && r->line[n - 1] == '\r') n--;
    const char *cr = memchr(r->line, '\r', n);
    if (cr) {
        fail_at(r, r->line_start + (uint64_t)(cr - r->line), "bare CR in the %s",
                line_what(r->state));
        return take;
    }
    r->line[n] = '\0';
    on_line(r, r->line, n);
    return take;
}

/* ---- body ---------------------------------------------------------------------- */

static void keep_body(fwd_http_resp_t *r, const uint8_t *p, size_t n)
{
    if (r->body_kept < sizeof(r->body)) {
        size_t k = sizeof(r->body) - r->body_kept;
        if (k > n) k = n;
        memcpy(r->body + r->body_kept, p, k);
        r->body_kept += k;
    }
    r->body_len += n;
}

static size_t step_body(fwd_http_resp_t *r, const uint8_t *p, size_t len)
{
    if (r->state == S_BODY_CLOSE) {
        uint64_t room = r->body_cap - r->body_len;
        if (len > room) { /* up to the cap, so the message is the same however it is split */
            keep_body(r, p, (size_t)room);
            fail_at(r, r->offset + room, "body over the %" PRIu64 " byte limit", r->body_cap);
            return (size_t)room;
        }
        keep_body(r, p, len);
        return len;
    }
    size_t take = r->remaining < len ? (size_t)r->remaining : len;
    keep_body(r, p, take);
    r->remaining -= take;
    if (r->remaining == 0) {
        if (r->state == S_BODY_LEN)
            done(r);
        else
            r->state = S_CHUNK_END;
    }
    return take;
}

fwd_http_rc_t fwd_http_resp_feed(fwd_http_resp_t *r, const void *data, size_t len, size_t *used)
{
    const uint8_t *p = data;
    size_t off = 0;
    while (off < len && r->state != S_DONE && r->state != S_ERROR) {
        size_t n;
        if (r->state == S_BODY_LEN || r->state == S_BODY_CLOSE || r->state == S_CHUNK_DATA)
            n = step_body(r, p + off, len - off);
        else
            n = step_line(r, p + off, len - off);
        off += n;
        r->offset += n;
    }
    if (used) *used = off;
    return r->state == S_DONE    ? FWD_HTTP_DONE
           : r->state == S_ERROR ? FWD_HTTP_ERROR
                                 : FWD_HTTP_MORE;
}

fwd_http_rc_t fwd_http_resp_eof(fwd_http_resp_t *r)
{
    switch (r->state) {
    case S_DONE: return FWD_HTTP_DONE;
    case S_ERROR: return FWD_HTTP_ERROR;
    case S_BODY_CLOSE: r->keep_alive = false; return done(r);
    case S_STATUS:
        if (r->offset == 0) return fail_at(r, 0, "connection closed before any response");
        return fail_at(r, r->offset, "connection closed in the status line");
    case S_HEADER: return fail_at(r, r->offset, "connection closed in the headers");
    case S_BODY_LEN:
        return fail_at(r, r->offset,
                       "connection closed after %" PRIu64 " of %" PRIu64 " body bytes", r->body_len,
                       r->length);
    case S_TRAILER: return fail_at(r, r->offset, "connection closed in the trailer");
    default:
        return fail_at(r, r->offset, "connection closed in the chunked body (%" PRIu64 " bytes)",
                       r->body_len);
    }
}

/* ---- messages ----------------------------------------------------------------- */

/* A TAXII 2.1 error object: {"title": ..., "description": ...}. */
static bool taxii_error(const fwd_http_resp_t *r, char *out, size_t cap)
{
    size_t i = 0;
    while (i < r->body_kept &&
           (r->body[i] == ' ' || r->body[i] == '\t' || r->body[i] == '\r' || r->body[i] == '\n'))
        i++;
    if (r->body_len != r->body_kept || i == r->body_kept || r->body[i] != '{') return false;
    json_tok_t toks[64];
    int nt = json_parse(r->body, r->body_kept, toks, 64, NULL, 0);
    if (nt < 1) return false;
    const json_tok_t *title = json_get(r->body, toks, nt, "title");
    const json_tok_t *desc = json_get(r->body, toks, nt, "description");
    char t[160] = "", d[160] = "";
    if (!title || json_tok_string(r->body, title, t, sizeof(t), NULL) != JSON_OK || !*t)
        return false;
    if (desc && json_tok_string(r->body, desc, d, sizeof(d), NULL) != JSON_OK) d[0] = '\0';
    char both[330];
    snprintf(both, sizeof(both), "%s%s%s", t, *d ? ": " : "", d);
    err_quote(both, strlen(both), out, cap);
    return true;
}

const char *fwd_http_body_summary(const fwd_http_resp_t *r, char *out, size_t cap)
{
    if (!out || cap == 0) return "";
    out[0] = '\0';
    if (r->body_kept == 0 || taxii_error(r, out, cap)) return out;
    char flat[200];
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < r->body_kept && n < sizeof(flat) - 1; i++) {
        char c = r->body[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = n > 0;
            continue;
        }
        if (space && n < sizeof(flat) - 2) flat[n++] = ' ';
        space = false;
        flat[n++] = c;
    }
    bool more = n == sizeof(flat) - 1 || r->body_len > r->body_kept;
    err_quote(flat, n, out, cap);
    size_t ol = strlen(out);
    bool marked = ol >= 3 && strcmp(out + ol - 3, "...") == 0;
    if (more && !marked && ol + 4 <= cap) memcpy(out + ol, "...", 4);
    return out;
}
