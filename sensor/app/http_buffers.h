/* http_buffers.h -- Suricata's HTTP sticky buffers, built from a parsed head.
 *
 * Pure functions, no allocation: a request or response head (the bytes that
 * http_parse_request / http_parse_response accepted) goes in, one byte span
 * per buffer id comes out. Spans point into the head or into the caller's
 * http_bufs_t and stay valid until its next fill or until the head goes.
 *
 * The contents follow Suricata 7 with its stock suricata.yaml: libhtp's IDS
 * personality with path lowercasing switched off, '+' left alone in the
 * query, the URI without scheme and authority (uri-include-all: no). Every
 * rule is cited where it is implemented (http_buffers.c, http_uri.c).
 *
 * Known differences from Suricata, all on odd input: the best-fit map for
 * non-ASCII code points in the path covers ASCII look-alikes only (letters
 * with diacritics become '?', libhtp folds them to the base letter); a host
 * from a Host header with a port is lowercased (libhtp forgets to, against
 * Suricata's documented contract); header lines beyond HTTP_BUF_MAX_FIELDS
 * are left out of the normalised buffers (truncated is set). Checked against
 * libhtp 0.5.42 set up as Suricata on generated heads; where libhtp changed
 * since (response header names lose trailing blanks only, 0.5.44) the newer
 * behaviour is followed. */
#ifndef SOC_HTTP_BUFFERS_H
#define SOC_HTTP_BUFFERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* One buffer. p == NULL: absent (no such header, wrong direction); p set and
 * len 0: present but empty (e.g. "Accept:" with no value). */
typedef struct hbuf {
    const uint8_t *p;
    uint32_t len;
} hbuf_t;

typedef enum http_buf_id {
    /* request only */
    HTTP_BUF_URI,          /* http.uri: normalised path ?query #fragment */
    HTTP_BUF_URI_RAW,      /* http.uri.raw: as on the wire */
    HTTP_BUF_METHOD,       /* http.method */
    HTTP_BUF_REQUEST_LINE, /* http.request_line: without CRLF */
    HTTP_BUF_HOST,         /* http.host: lowercase, no port */
    HTTP_BUF_HOST_RAW,     /* http.host.raw */
    HTTP_BUF_USER_AGENT,   /* http.user_agent */
    HTTP_BUF_REFERER,      /* http.referer */
    HTTP_BUF_ACCEPT,       /* http.accept */
    HTTP_BUF_ACCEPT_ENC,   /* http.accept_enc */
    HTTP_BUF_ACCEPT_LANG,  /* http.accept_lang */
    HTTP_BUF_CONNECTION,   /* http.connection */
    HTTP_BUF_REQUEST_BODY, /* http.request_body: filled by the caller */
    /* response only */
    HTTP_BUF_STAT_CODE,     /* http.stat_code: "200" */
    HTTP_BUF_STAT_MSG,      /* http.stat_msg: "OK" */
    HTTP_BUF_RESPONSE_LINE, /* http.response_line: without CRLF */
    HTTP_BUF_LOCATION,      /* http.location */
    HTTP_BUF_SERVER,        /* http.server */
    HTTP_BUF_RESPONSE_BODY, /* http.response_body (file.data): by the caller */
    /* both directions, each from its own head */
    HTTP_BUF_PROTOCOL,     /* http.protocol: "HTTP/1.1" */
    HTTP_BUF_COOKIE,       /* http.cookie: Cookie, or Set-Cookie in responses */
    HTTP_BUF_CONTENT_TYPE, /* http.content_type */
    HTTP_BUF_CONTENT_LEN,  /* http.content_len */
    HTTP_BUF_HEADER,       /* http.header: "Name: value\r\n"..., no cookies */
    HTTP_BUF_HEADER_RAW,   /* http.header.raw: header lines + empty line */
    HTTP_BUF_HEADER_NAMES, /* http.header_names: "\r\nA\r\nB\r\n\r\n" */
    HTTP_BUF_START,        /* http.start: line, normalised headers, CRLF */
    HTTP_BUF_COUNT
} http_buf_id_t;

#define HTTP_BUF_DIR_REQUEST  1u
#define HTTP_BUF_DIR_RESPONSE 2u

/* Suricata keyword name ("http.uri"); NULL when id is out of range. */
const char *http_buffer_name(int id);
/* Id for a keyword name, the dotted one or the legacy one ("http_uri",
 * "http_raw_uri", "http_client_body", "http_server_body", ...); -1 if not an
 * HTTP buffer. name need not be NUL-terminated. */
int http_buffer_lookup(const char *name, size_t len);
/* HTTP_BUF_DIR_* bits of the heads that carry the buffer; 0 when out of
 * range. */
unsigned http_buffer_dirs(int id);

/* ---- buffers of one head ---- */

/* Header lines kept for the normalised buffers. Servers refuse far fewer
 * (Apache: 100); a head with more sets truncated, which a caller may report
 * as an anomaly. */
#define HTTP_BUF_MAX_FIELDS 1024u
/* Arena that holds every built buffer of any head up to HTTP_MAX_HEAD bytes
 * (bound worked out in http_buffers.c). */
#define HTTP_BUF_ARENA (6u * HTTP_MAX_HEAD + 6u * HTTP_BUF_MAX_FIELDS + 64u)

/* One logical header line (folded lines joined); internal to the fill. */
typedef struct http_field {
    uint32_t off;      /* line start in the head, or in the arena (FIELD_ARENA bit) */
    uint16_t len;      /* line bytes, CR/LF excluded */
    uint16_t name_len; /* name = line[0, name_len) */
    uint16_t val_off;  /* value = line[val_off, val_off + val_len) */
    uint16_t val_len;
    uint16_t next;  /* next field of the same name, or HTTP_BUF_MAX_FIELDS */
    uint16_t flags; /* internal */
} http_field_t;

/* Scratch for one head: about 120 KiB, so keep one per worker thread and
 * reuse it. Buffers point into it and into the head bytes, so fill it while
 * the head is still in the stream buffer and inspect before the next fill. */
typedef struct http_bufs {
    hbuf_t b[HTTP_BUF_COUNT];
    bool truncated; /* header lines past HTTP_BUF_MAX_FIELDS were left out
                     * (or the arena ran out, which no head can make it do) */
    uint16_t nfields;
    uint16_t reps; /* libhtp's count of third and later repeats */
    uint32_t used; /* arena bytes in use */
    const uint8_t *head;
    http_field_t f[HTTP_BUF_MAX_FIELDS];
    uint8_t arena[HTTP_BUF_ARENA];
} http_bufs_t;

/* Fill every request buffer from head[0, len): the head the parser accepted
 * (leading blank lines allowed, bytes after the head ignored) and req, the
 * result of http_parse_request on those same bytes. Response and body
 * buffers are left absent. False (all absent) when the head does not end
 * within len, is over HTTP_MAX_HEAD or req's spans are not inside it. */
bool http_bufs_request(http_bufs_t *b, const uint8_t *head, size_t len, const http_request_t *req);
/* Same for a response head and http_parse_response's result. */
bool http_bufs_response(http_bufs_t *b, const uint8_t *head, size_t len,
                        const http_response_t *resp);

/* ---- URI normalisation (http_uri.c) ---- */

/* Parts of a request URI split the way libhtp does: a scheme only when the
 * URI does not start with '/', an authority only after a scheme and exactly
 * two slashes. Absent parts have p == NULL. */
typedef struct http_uri_parts {
    hbuf_t scheme, user, password, host, port, path, query, fragment;
} http_uri_parts_t;

void http_uri_split(const uint8_t *uri, size_t len, http_uri_parts_t *out);

/* http.uri of a request URI: path percent-decoded (%XX and %uXXXX,
 * separators too), '\' turned into '/', runs of '/' squeezed, UTF-8 mapped to
 * single bytes, dot segments removed; then "?" and the %XX-decoded query,
 * "#" and the decoded fragment. Scheme and authority are dropped. The result
 * is never longer than the input, so outcap >= len always suffices; with a
 * smaller outcap the input is taken as cut at outcap bytes. out may be the
 * same buffer as in. Returns the bytes written. */
size_t http_uri_normalize(const uint8_t *in, size_t len, uint8_t *out, size_t outcap);

/* A hostname taken from the URI (absolute form, or CONNECT's authority):
 * percent-decoded, lowercased, trailing dots removed, in place. Returns the
 * new length. */
size_t http_uri_host_normalize(uint8_t *host, size_t len);

/* ---- bodies ---- */

/* De-chunked body bytes for http.request_body / http.response_body, kept up
 * to a limit in the caller's storage. Content encodings (gzip, deflate) are
 * not undone: the buffer holds the body as framed on the wire. */
#define HTTP_BODY_BUF_DEFAULT (64u * 1024u)

typedef struct http_body_buf {
    http_body_t framing; /* as set up by http_body_request/response */
    uint8_t *data;
    uint32_t cap; /* the limit */
    uint32_t len;
    bool truncated; /* body bytes past the limit were dropped */
} http_body_buf_t;

/* Start a body: mem holds cap bytes (HTTP_BODY_BUF_DEFAULT unless
 * configured); framing comes from http_body_request/http_body_response. */
void http_body_buf_init(http_body_buf_t *bb, uint8_t *mem, uint32_t cap,
                        const http_body_t *framing);
/* Keep n body bytes that are already free of framing (a Content-Length or
 * connection-close body). */
void http_body_buf_append(http_body_buf_t *bb, const uint8_t *p, size_t n);
/* Consume stream bytes with the framing state, exactly like http_body_feed
 * (same result and *used), keeping the body bytes: chunk data only, for a
 * chunked body. Arbitrary splits of the stream give the same buffer. */
app_parse_t http_body_buf_feed(http_body_buf_t *bb, const uint8_t *buf, size_t len, size_t *used);

static inline hbuf_t http_body_buf_view(const http_body_buf_t *bb)
{
    hbuf_t h = {bb->data, bb->len};
    return h;
}

#endif
