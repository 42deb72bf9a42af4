/* http_buffers.c -- Suricata's HTTP sticky buffers from a head (see
 * http_buffers.h); http.uri's normalisation lives in http_uri.c.
 *
 * The head is scanned again here, as libhtp reads it, rather than taken from
 * http.h's few fields: the header buffers need every header line, with
 * libhtp's folding, repetition and name/value rules. Header lines become
 * "fields" (one per logical line); repeats of a name are chained to its
 * first field and their values joined with ", " on output, as libhtp's
 * header table does. Built buffers go into the arena, sized so that no head
 * up to HTTP_MAX_HEAD can fill it (see the bound at HTTP_BUF_ARENA below). */
#include "http_buffers.h"

#include <string.h>

_Static_assert(HTTP_MAX_HEAD <= 0xFFFF, "field offsets are 16-bit");
_Static_assert(HTTP_BUF_MAX_FIELDS <= 0xFFFF, "field links are 16-bit");

#define FIELD_ARENA 0x80000000u /* http_field_t.off is in the arena */
#define NO_FIELD    ((uint16_t)HTTP_BUF_MAX_FIELDS)
#define F_FIRST     1u /* first field of its name */
#define F_REPEATED  2u /* the name came again (libhtp HTP_FIELD_REPEATED) */
/* libhtp counts repeats past the second occurrence of a name, over all
 * names, and drops them once there were this many (htp_request_generic.c). */
#define MAX_REPEATS 64u

/* ---- names ---- */

static const struct {
    const char *name, *legacy;
    unsigned dirs;
} buf_info[HTTP_BUF_COUNT] = {
    [HTTP_BUF_URI] = {"http.uri", "http_uri", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_URI_RAW] = {"http.uri.raw", "http_raw_uri", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_METHOD] = {"http.method", "http_method", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_REQUEST_LINE] = {"http.request_line", "http_request_line", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_HOST] = {"http.host", "http_host", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_HOST_RAW] = {"http.host.raw", "http_raw_host", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_USER_AGENT] = {"http.user_agent", "http_user_agent", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_REFERER] = {"http.referer", "http_referer", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_ACCEPT] = {"http.accept", "http_accept", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_ACCEPT_ENC] = {"http.accept_enc", "http_accept_enc", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_ACCEPT_LANG] = {"http.accept_lang", "http_accept_lang", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_CONNECTION] = {"http.connection", "http_connection", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_REQUEST_BODY] = {"http.request_body", "http_client_body", HTTP_BUF_DIR_REQUEST},
    [HTTP_BUF_STAT_CODE] = {"http.stat_code", "http_stat_code", HTTP_BUF_DIR_RESPONSE},
    [HTTP_BUF_STAT_MSG] = {"http.stat_msg", "http_stat_msg", HTTP_BUF_DIR_RESPONSE},
    [HTTP_BUF_RESPONSE_LINE] = {"http.response_line", "http_response_line", HTTP_BUF_DIR_RESPONSE},
    [HTTP_BUF_LOCATION] = {"http.location", "http_location", HTTP_BUF_DIR_RESPONSE},
    [HTTP_BUF_SERVER] = {"http.server", "http_server", HTTP_BUF_DIR_RESPONSE},
    [HTTP_BUF_RESPONSE_BODY] = {"http.response_body", "http_server_body", HTTP_BUF_DIR_RESPONSE},
    [HTTP_BUF_PROTOCOL] = {"http.protocol", "http_protocol", 3},
    [HTTP_BUF_COOKIE] = {"http.cookie", "http_cookie", 3},
    [HTTP_BUF_CONTENT_TYPE] = {"http.content_type", "http_content_type", 3},
    [HTTP_BUF_CONTENT_LEN] = {"http.content_len", "http_content_len", 3},
    [HTTP_BUF_HEADER] = {"http.header", "http_header", 3},
    [HTTP_BUF_HEADER_RAW] = {"http.header.raw", "http_raw_header", 3},
    [HTTP_BUF_HEADER_NAMES] = {"http.header_names", "http_header_names", 3},
    [HTTP_BUF_START] = {"http.start", "http_start", 3},
};

const char *http_buffer_name(int id)
{
    return id >= 0 && id < HTTP_BUF_COUNT ? buf_info[id].name : NULL;
}

unsigned http_buffer_dirs(int id)
{
    return id >= 0 && id < HTTP_BUF_COUNT ? buf_info[id].dirs : 0;
}

static bool name_is(const char *name, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(name, lit, len) == 0;
}

int http_buffer_lookup(const char *name, size_t len)
{
    for (int i = 0; i < HTTP_BUF_COUNT; i++)
        if (name_is(name, len, buf_info[i].name) || name_is(name, len, buf_info[i].legacy))
            return i;
    return -1;
}

/* ---- bytes ---- */

static bool is_lws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* A line starting with one of these continues the previous header
 * (libhtp htp_is_folding_char counts NUL too). */
static bool is_fold(uint8_t c)
{
    return is_lws(c) || c == 0;
}

/* libhtp htp_is_space / C isspace */
static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool eq_nocase(const uint8_t *a, size_t n, const uint8_t *b, size_t m)
{
    if (n != m) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

static bool eq_lit(const uint8_t *a, size_t n, const char *lit)
{
    return eq_nocase(a, n, (const uint8_t *)lit, strlen(lit));
}

static hbuf_t hb(const uint8_t *p, size_t n)
{
    hbuf_t h = {p, (uint32_t)n};
    return h;
}

/* ---- arena ----
 *
 * Bound, for a head of H bytes whose start line has L bytes and header
 * lines S bytes (S + L <= H), with at most F fields: folded line copies <= S;
 * joined values of the single-header buffers <= S (each repeat's ", " fits in
 * its line's "Name:"); normalised URI and host <= L + S; header names
 * <= S + 4; http.start <= L + S + 3F + 4 (a field adds at most ": " and CR
 * over its line's bytes); http.header, when built apart from it, <= S + 3F.
 * Sum <= 6H + 6F + 8, which HTTP_BUF_ARENA covers. put() still cuts rather
 * than overrun, should the bound ever be wrong. */

static void put(http_bufs_t *b, const void *p, size_t n)
{
    size_t room = sizeof(b->arena) - b->used;
    if (n > room) {
        n = room;
        b->truncated = true;
    }
    if (n) memcpy(b->arena + b->used, p, n);
    b->used += (uint32_t)n;
}

static void put_str(http_bufs_t *b, const char *s)
{
    put(b, s, strlen(s));
}

/* The arena bytes written since start, as a buffer. */
static hbuf_t since(const http_bufs_t *b, uint32_t start)
{
    return hb(b->arena + start, b->used - start);
}

/* ---- fields ---- */

static const uint8_t *fline(const http_bufs_t *b, const http_field_t *f)
{
    return (f->off & FIELD_ARENA) ? b->arena + (f->off & ~FIELD_ARENA) : b->head + f->off;
}

static hbuf_t fname(const http_bufs_t *b, const http_field_t *f)
{
    return hb(fline(b, f), f->name_len);
}

static hbuf_t fvalue(const http_bufs_t *b, const http_field_t *f)
{
    return hb(fline(b, f) + f->val_off, f->val_len);
}

/* First field named like name, or NO_FIELD. */
static uint16_t find_first(const http_bufs_t *b, const uint8_t *name, size_t n)
{
    for (uint16_t i = 0; i < b->nfields; i++) {
        const http_field_t *f = &b->f[i];
        if ((f->flags & F_FIRST) && f->name_len == n && eq_nocase(fline(b, f), n, name, n))
            return i;
    }
    return NO_FIELD;
}

/* Split a logical line into name and value (libhtp
 * htp_parse_request_header_generic and the response twin): the name is
 * everything before the first ':' less trailing blanks; the value skips
 * blanks after the ':' and loses trailing ones. A line without ':' is a
 * header with an empty name whose value is the whole line, taken as is in a
 * request and trimmed like any value in a response. In a request a NUL
 * before the ':' makes the line colon-less too. */
static void split_field(const uint8_t *line, size_t len, bool resp, http_field_t *f)
{
    const uint8_t *colon = memchr(line, ':', len);
    if (colon != NULL && !resp && memchr(line, 0, (size_t)(colon - line)) != NULL) colon = NULL;
    size_t ne = 0, vs = 0, ve = len;
    if (colon != NULL) {
        ne = (size_t)(colon - line);
        vs = ne + 1;
        while (ne > 0 && is_lws(line[ne - 1]))
            ne--;
    }
    if (colon != NULL || resp) {
        while (vs < len && is_lws(line[vs]))
            vs++;
        while (ve > vs && is_lws(line[ve - 1]))
            ve--;
    }
    f->name_len = (uint16_t)ne;
    f->val_off = (uint16_t)vs;
    f->val_len = (uint16_t)(ve - vs);
}

/* Record one logical header line (libhtp htp_process_request_header_generic
 * and its response twin): a new name gets a field; a repeat joins the chain
 * of the first one unless over the repeat budget; a repeated Content-Length
 * keeps only the first value. */
static void add_field(http_bufs_t *b, uint32_t off, size_t len, bool resp)
{
    if (b->nfields >= HTTP_BUF_MAX_FIELDS) {
        b->truncated = true;
        return;
    }
    http_field_t *f = &b->f[b->nfields];
    memset(f, 0, sizeof(*f));
    f->off = off;
    f->len = (uint16_t)len;
    f->next = NO_FIELD;
    const uint8_t *line = fline(b, f);
    split_field(line, len, resp, f);
    uint16_t first = find_first(b, line, f->name_len);
    if (first == NO_FIELD) {
        f->flags = F_FIRST;
        b->nfields++;
        return;
    }
    http_field_t *h = &b->f[first];
    if (!(h->flags & F_REPEATED))
        h->flags |= F_REPEATED;
    else if (b->reps < MAX_REPEATS)
        b->reps++;
    else
        return;
    if (eq_lit(line, f->name_len, "content-length")) return;
    uint16_t last = first;
    while (b->f[last].next != NO_FIELD)
        last = b->f[last].next;
    b->f[last].next = b->nfields++;
}

/* How a head's continuation lines are read. */
enum fold { FOLD_JOIN, FOLD_RESP11 };

/* Header lines in [pos, end): LF-terminated, the last one empty. A line
 * that starts with a blank continues the previous one: libhtp joins the
 * lines, CR/LF removed, blanks kept (htp_connp_REQ_HEADERS). In an HTTP/1.1
 * response a continuation that has a ':' while the line so far has one
 * starts a new header instead, less its first byte (htp_connp_RES_HEADERS).
 * A continuation with nothing before it starts a line, blanks trimmed. */
static void scan_fields(http_bufs_t *b, size_t pos, size_t end, bool resp, enum fold fold)
{
    const uint8_t *h = b->head;
    bool pending = false, in_arena = false;
    uint32_t p_off = 0, p_len = 0;
    while (pos < end) {
        const uint8_t *nl = memchr(h + pos, '\n', end - pos);
        size_t stop = nl ? (size_t)(nl - h) : end, n = stop - pos;
        if (n > 0 && h[pos + n - 1] == '\r') n--;
        size_t line = pos;
        pos = nl ? stop + 1 : end;
        if (n == 0) break; /* the empty line ending the head */
        if (is_fold(h[line]) && pending) {
            const uint8_t *pl = in_arena ? b->arena + p_off : h + p_off;
            bool split = fold == FOLD_RESP11 && memchr(h + line, ':', n) != NULL &&
                         memchr(pl, ':', p_len) != NULL;
            if (!split) {
                if (!in_arena) { /* first continuation: move the line to the arena */
                    uint32_t copy = b->used;
                    put(b, h + p_off, p_len);
                    p_off = copy;
                    in_arena = true;
                }
                put(b, h + line, n);
                p_len = b->used - p_off;
                continue;
            }
            add_field(b, in_arena ? p_off | FIELD_ARENA : p_off, p_len, resp);
            in_arena = false;
            p_off = (uint32_t)line + 1;
            p_len = (uint32_t)n - 1;
            continue;
        }
        if (pending) add_field(b, in_arena ? p_off | FIELD_ARENA : p_off, p_len, resp);
        while (n > 0 && is_fold(h[line])) { /* folding with nothing to fold into */
            line++;
            n--;
        }
        pending = true;
        in_arena = false;
        p_off = (uint32_t)line;
        p_len = (uint32_t)n;
    }
    if (pending) add_field(b, in_arena ? p_off | FIELD_ARENA : p_off, p_len, resp);
}

/* ---- values ---- */

/* The value of a name: its fields' values joined with ", " (libhtp's table
 * keeps one entry per name). Points into the head when there is one field. */
static hbuf_t value_of(http_bufs_t *b, uint16_t first)
{
    const http_field_t *f = &b->f[first];
    if (f->next == NO_FIELD) return fvalue(b, f);
    uint32_t start = b->used;
    for (uint16_t i = first; i != NO_FIELD; i = b->f[i].next) {
        if (i != first) put_str(b, ", ");
        hbuf_t v = fvalue(b, &b->f[i]);
        put(b, v.p, v.len);
    }
    return since(b, start);
}

static hbuf_t header_value(http_bufs_t *b, const char *name)
{
    uint16_t i = find_first(b, (const uint8_t *)name, strlen(name));
    if (i == NO_FIELD) return hb(NULL, 0);
    return value_of(b, i);
}

/* "Name: value\r\n" for every name (value joined as above), skipping the
 * one named skip (NULL: none). Suricata's detect-http-header.c and
 * detect-http-start.c write exactly this. */
static void put_fields(http_bufs_t *b, const char *skip)
{
    for (uint16_t i = 0; i < b->nfields; i++) {
        const http_field_t *f = &b->f[i];
        if (!(f->flags & F_FIRST)) continue;
        hbuf_t n = fname(b, f);
        if (skip != NULL && eq_lit(n.p, n.len, skip)) continue;
        put(b, n.p, n.len);
        put_str(b, ": ");
        for (uint16_t j = i; j != NO_FIELD; j = b->f[j].next) {
            if (j != i) put_str(b, ", ");
            hbuf_t v = fvalue(b, &b->f[j]);
            put(b, v.p, v.len);
        }
        put_str(b, "\r\n");
    }
}

static uint16_t distinct(const http_bufs_t *b)
{
    uint16_t n = 0;
    for (uint16_t i = 0; i < b->nfields; i++)
        n += (b->f[i].flags & F_FIRST) ? 1 : 0;
    return n;
}

/* http.header_names (detect-http-header-names.c): "\r\n", each name and
 * "\r\n", then "\r\n"; empty with no headers. */
static hbuf_t header_names(http_bufs_t *b)
{
    uint32_t start = b->used;
    if (distinct(b) > 0) {
        put_str(b, "\r\n");
        for (uint16_t i = 0; i < b->nfields; i++) {
            if (!(b->f[i].flags & F_FIRST)) continue;
            hbuf_t n = fname(b, &b->f[i]);
            put(b, n.p, n.len);
            put_str(b, "\r\n");
        }
        put_str(b, "\r\n");
    }
    return since(b, start);
}

/* http.start (detect-http-start.c): the start line, CRLF, every header
 * normalised (cookies included), and one more CRLF when there were headers.
 * http.header is the same headers without skip; when no header is named
 * skip it is a slice of http.start and costs nothing. */
static void start_and_header(http_bufs_t *b, hbuf_t line, const char *skip)
{
    uint32_t start = b->used;
    put(b, line.p, line.len);
    put_str(b, "\r\n");
    uint32_t hdr = b->used;
    put_fields(b, NULL);
    uint32_t hdr_end = b->used;
    if (distinct(b) > 0) put_str(b, "\r\n");
    b->b[HTTP_BUF_START] = since(b, start);
    if (find_first(b, (const uint8_t *)skip, strlen(skip)) == NO_FIELD) {
        b->b[HTTP_BUF_HEADER] = hb(b->arena + hdr, hdr_end - hdr);
        return;
    }
    uint32_t h = b->used;
    put_fields(b, skip);
    b->b[HTTP_BUF_HEADER] = since(b, h);
}

/* ---- head layout ---- */

typedef struct head {
    size_t line, line_len; /* start line, CR/LF excluded */
    size_t hdr, end;       /* header lines and empty line: [hdr, end) */
} head_t;

/* Bytes before the start line that libhtp skips: empty lines. */
static size_t skip_blank(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

static bool layout(http_bufs_t *b, const uint8_t *p, size_t n, bool resp, head_t *h)
{
    memset(b->b, 0, sizeof(b->b));
    b->truncated = false;
    b->nfields = b->reps = 0;
    b->used = 0;
    b->head = p;
    h->end = http_find_head_end(p, n, 0);
    if (h->end == 0 || h->end > HTTP_MAX_HEAD) return false;
    h->line = skip_blank(p, h->end);
    const uint8_t *nl = memchr(p + h->line, '\n', h->end - h->line);
    if (nl == NULL) return false;
    h->hdr = (size_t)(nl - p) + 1;
    h->line_len = (size_t)(nl - p) - h->line;
    if (h->line_len > 0 && p[h->line + h->line_len - 1] == '\r') h->line_len--;
    /* libhtp's htp_parse_protocol: only the exact "HTTP/1.1" counts */
    bool v11 = h->line_len >= 8 && memcmp(p + h->line, "HTTP/1.1", 8) == 0 &&
               (h->line_len == 8 || is_space(p[h->line + 8]));
    scan_fields(b, h->hdr, h->end, resp, resp && v11 ? FOLD_RESP11 : FOLD_JOIN);
    b->b[HTTP_BUF_HEADER_RAW] = hb(p + h->hdr, h->end - h->hdr);
    return true;
}

static bool inside(http_span_t s, const uint8_t *p, size_t n)
{
    return s.p != NULL && s.p >= p && s.len <= n && (size_t)(s.p - p) <= n - s.len;
}

/* ---- hosts ---- */

/* Trim C-isspace bytes on both sides (bstr_util_mem_trim). */
static hbuf_t trim_space(hbuf_t v)
{
    while (v.len > 0 && is_space(v.p[0])) {
        v.p++;
        v.len--;
    }
    while (v.len > 0 && is_space(v.p[v.len - 1]))
        v.len--;
    return v;
}

/* Hostname of a "host[:port]" string (libhtp htp_parse_hostport): blanks
 * trimmed, an IPv6 literal keeps its brackets and needs the ']', otherwise
 * the name ends at the first ':' (blanks before it dropped). Absent when
 * nothing is left or the ']' is missing. */
static hbuf_t hostport_name(hbuf_t v)
{
    v = trim_space(v);
    if (v.len == 0) return hb(NULL, 0);
    if (v.p[0] == '[') {
        const uint8_t *rb = memchr(v.p, ']', v.len);
        return rb ? hb(v.p, (size_t)(rb - v.p) + 1) : hb(NULL, 0);
    }
    const uint8_t *colon = memchr(v.p, ':', v.len);
    if (colon == NULL) return v;
    size_t n = (size_t)(colon - v.p);
    while (n > 0 && is_space(v.p[n - 1]))
        n--;
    return hb(v.p, n);
}

/* A URI's hostname, normalised into the arena (absolute URI or CONNECT). */
static hbuf_t uri_host(http_bufs_t *b, hbuf_t h)
{
    uint32_t start = b->used;
    put(b, h.p, h.len);
    size_t n = http_uri_host_normalize(b->arena + start, b->used - start);
    b->used = start + (uint32_t)n;
    return hb(b->arena + start, n);
}

/* http.host is tx->request_hostname: the URI's host when the request has
 * one, else the Host header's. http.host.raw (detect-http-host.c) is the
 * URI's (normalised) host, else the raw Host header value. */
static void request_hosts(http_bufs_t *b, const http_request_t *req, bool connect)
{
    hbuf_t uh = hb(NULL, 0);
    if (connect) { /* libhtp parses CONNECT's target as host:port */
        uh = hostport_name(hb(req->uri.p, req->uri.len));
    } else {
        http_uri_parts_t u;
        http_uri_split(req->uri.p, req->uri.len, &u);
        uh = u.host;
    }
    if (uh.p != NULL) {
        b->b[HTTP_BUF_HOST] = b->b[HTTP_BUF_HOST_RAW] = uri_host(b, uh);
        return;
    }
    hbuf_t raw = header_value(b, "host");
    b->b[HTTP_BUF_HOST_RAW] = raw;
    if (raw.p == NULL) return;
    hbuf_t name = hostport_name(raw);
    if (name.p == NULL) return;
    /* Suricata documents http.host as all lowercase; libhtp lowercases a
     * Host value only when it has no port, we always do. */
    uint32_t start = b->used;
    for (uint32_t i = 0; i < name.len; i++) {
        uint8_t c = lower(name.p[i]);
        put(b, &c, 1);
    }
    b->b[HTTP_BUF_HOST] = since(b, start);
}

/* ---- public ---- */

bool http_bufs_request(http_bufs_t *b, const uint8_t *head, size_t len, const http_request_t *req)
{
    head_t h;
    if (!layout(b, head, len, false, &h) || !inside(req->method, head, h.end) ||
        !inside(req->uri, head, h.end) || !inside(req->protocol, head, h.end)) {
        memset(b->b, 0, sizeof(b->b));
        return false;
    }
    hbuf_t line = hb(head + h.line, h.line_len);
    b->b[HTTP_BUF_REQUEST_LINE] = line;
    b->b[HTTP_BUF_METHOD] = hb(req->method.p, req->method.len);
    b->b[HTTP_BUF_URI_RAW] = hb(req->uri.p, req->uri.len);
    b->b[HTTP_BUF_PROTOCOL] = hb(req->protocol.p, req->protocol.len);

    /* libhtp reads CONNECT's URI as an authority: no path, so Suricata's
     * normalised URI is empty (the method name is matched exactly) */
    bool connect = req->method.len == 7 && memcmp(req->method.p, "CONNECT", 7) == 0;
    uint32_t start = b->used;
    if (!connect) {
        size_t room = sizeof(b->arena) - b->used;
        if (room < req->uri.len) b->truncated = true;
        b->used += (uint32_t)http_uri_normalize(req->uri.p, req->uri.len, b->arena + start, room);
    }
    b->b[HTTP_BUF_URI] = since(b, start);
    request_hosts(b, req, connect);

    static const struct {
        int id;
        const char *name;
    } vals[] = {
        {HTTP_BUF_USER_AGENT, "user-agent"},
        {HTTP_BUF_REFERER, "referer"},
        {HTTP_BUF_ACCEPT, "accept"},
        {HTTP_BUF_ACCEPT_ENC, "accept-encoding"},
        {HTTP_BUF_ACCEPT_LANG, "accept-language"},
        {HTTP_BUF_CONNECTION, "connection"},
        {HTTP_BUF_COOKIE, "cookie"},
        {HTTP_BUF_CONTENT_TYPE, "content-type"},
        {HTTP_BUF_CONTENT_LEN, "content-length"},
    };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        b->b[vals[i].id] = header_value(b, vals[i].name);

    b->b[HTTP_BUF_HEADER_NAMES] = header_names(b);
    start_and_header(b, line, "cookie");
    return true;
}

/* Status line as libhtp htp_parse_response_line_generic reads it: protocol
 * and status are words, the message is the rest after the blanks that
 * follow the status (trailing blanks kept). */
static void status_line(http_bufs_t *b, hbuf_t l)
{
    size_t i = 0, s;
    while (i < l.len && is_space(l.p[i]))
        i++;
    for (s = i; i < l.len && !is_space(l.p[i]); i++)
        ;
    if (i > s) b->b[HTTP_BUF_PROTOCOL] = hb(l.p + s, i - s);
    while (i < l.len && is_space(l.p[i]))
        i++;
    for (s = i; i < l.len && !is_space(l.p[i]); i++)
        ;
    if (i > s) b->b[HTTP_BUF_STAT_CODE] = hb(l.p + s, i - s);
    while (i < l.len && is_space(l.p[i]))
        i++;
    if (i < l.len) b->b[HTTP_BUF_STAT_MSG] = hb(l.p + i, l.len - i);
}

bool http_bufs_response(http_bufs_t *b, const uint8_t *head, size_t len,
                        const http_response_t *resp)
{
    head_t h;
    if (!layout(b, head, len, true, &h) || resp->status == 0 ||
        !inside(resp->protocol, head, h.end)) {
        memset(b->b, 0, sizeof(b->b));
        return false;
    }
    hbuf_t line = hb(head + h.line, h.line_len);
    b->b[HTTP_BUF_RESPONSE_LINE] = line;
    status_line(b, line);

    static const struct {
        int id;
        const char *name;
    } vals[] = {
        {HTTP_BUF_LOCATION, "location"},          {HTTP_BUF_SERVER, "server"},
        {HTTP_BUF_COOKIE, "set-cookie"},          {HTTP_BUF_CONTENT_TYPE, "content-type"},
        {HTTP_BUF_CONTENT_LEN, "content-length"},
    };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        b->b[vals[i].id] = header_value(b, vals[i].name);

    b->b[HTTP_BUF_HEADER_NAMES] = header_names(b);
    start_and_header(b, line, "set-cookie");
    return true;
}

/* ---- bodies ---- */

void http_body_buf_init(http_body_buf_t *bb, uint8_t *mem, uint32_t cap, const http_body_t *framing)
{
    memset(bb, 0, sizeof(*bb));
    bb->framing = *framing;
    bb->data = mem;
    bb->cap = mem ? cap : 0;
}

void http_body_buf_append(http_body_buf_t *bb, const uint8_t *p, size_t n)
{
    size_t room = (size_t)bb->cap - bb->len;
    if (n > room) {
        n = room;
        bb->truncated = true;
    }
    if (n) memcpy(bb->data + bb->len, p, n);
    bb->len += (uint32_t)n;
}

/* Chunked: framing bytes go through http_body_feed one at a time; a byte
 * that raises framing.seen was chunk data, and then framing.left more data
 * bytes follow, which go through in one call. So http.c stays the only
 * chunk parser and the result does not depend on how the stream is cut. */
static app_parse_t chunked_feed(http_body_buf_t *bb, const uint8_t *buf, size_t len, size_t *used)
{
    size_t i = 0;
    while (i < len) {
        uint64_t seen = bb->framing.seen;
        size_t u = 0;
        app_parse_t st = http_body_feed(&bb->framing, buf + i, 1, &u);
        if (bb->framing.seen > seen) {
            http_body_buf_append(bb, buf + i, u);
            i += u;
            size_t n = len - i;
            if ((uint64_t)n > bb->framing.left) n = (size_t)bb->framing.left;
            if (st == APP_PARSE_MORE && n > 0) {
                st = http_body_feed(&bb->framing, buf + i, n, &u);
                http_body_buf_append(bb, buf + i, u);
                i += u;
            }
        } else {
            i += u;
        }
        if (st == APP_PARSE_MORE && u == 0) break; /* cannot happen; never spin */
        if (st != APP_PARSE_MORE) {
            *used = i;
            return st;
        }
    }
    *used = i;
    return APP_PARSE_MORE;
}

app_parse_t http_body_buf_feed(http_body_buf_t *bb, const uint8_t *buf, size_t len, size_t *used)
{
    if (bb->framing.kind == HTTP_BODY_CHUNKED) return chunked_feed(bb, buf, len, used);
    app_parse_t st = http_body_feed(&bb->framing, buf, len, used);
    if (st != APP_PARSE_ERROR) http_body_buf_append(bb, buf, *used);
    return st;
}
