/* http.h -- HTTP/1.x message heads and body framing.
 *
 * Pure parsers over a byte span: no flow knowledge, no allocation. Spans in
 * the results point into the caller's input and live as long as it does.
 * A head is the start line plus header lines up to the empty line; it must
 * end within HTTP_MAX_HEAD bytes. Lines may end in CRLF or a bare LF; folded
 * continuation lines (obs-fold) are ignored; header names match without
 * regard to case and the first occurrence of a header wins. */
#ifndef SOC_HTTP_H
#define SOC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_proto.h"

#define HTTP_MAX_HEAD   16384u
#define HTTP_PROBE_LINE 4096u /* first line of a request with an unlisted method */

typedef struct http_span {
    const uint8_t *p;
    uint32_t len; /* 0 = absent */
} http_span_t;

typedef struct http_request {
    http_span_t method, uri, protocol;
    http_span_t host, user_agent, content_type, referer, cookie, transfer_encoding;
    uint64_t content_length;
    bool has_content_length;
    bool chunked;      /* Transfer-Encoding names chunked (wins over length) */
    uint32_t head_len; /* bytes consumed, leading blank lines included */
} http_request_t;

typedef struct http_response {
    http_span_t protocol, reason;
    http_span_t content_type, transfer_encoding, location;
    uint16_t status; /* 100..999 */
    uint64_t content_length;
    bool has_content_length;
    bool chunked;
    uint32_t head_len;
} http_response_t;

/* Parse a head at buf. DONE fills *out; MORE when the head has not ended yet
 * (and is still under the bound); ERROR for a malformed start line, a bad
 * Content-Length or a head over HTTP_MAX_HEAD. */
app_parse_t http_parse_request(const uint8_t *buf, size_t len, http_request_t *out);
app_parse_t http_parse_response(const uint8_t *buf, size_t len, http_response_t *out);

/* Offset just past the empty line ending the head starting at buf, or 0 when
 * the head has not ended within len bytes. Scanning starts at `from` (bytes
 * already known not to hold the end), so re-scans of a growing buffer stay
 * linear. */
size_t http_find_head_end(const uint8_t *buf, size_t len, size_t from);

/* Cheap checks on the first bytes of a direction: a known method followed by
 * a space, or "HTTP/1." (what a server's first bytes look like). Fewer bytes
 * than that pass when they are a prefix of it (a tiny first segment). */
bool http_probe_request(const uint8_t *buf, size_t len);
bool http_probe_response(const uint8_t *buf, size_t len);

/* The request's host (absolute URI authority, else Host header) without port,
 * userinfo or trailing dot; *port is the explicit port or -1. Returns false
 * when there is no host. The span is not lowercased. */
bool http_request_host(const http_request_t *req, http_span_t *host, int32_t *port);

/* Body framing. The body state machine consumes body bytes incrementally so
 * the next message in the stream is found without buffering the body. */
typedef enum http_body_kind {
    HTTP_BODY_NONE,
    HTTP_BODY_LENGTH,  /* Content-Length bytes */
    HTTP_BODY_CHUNKED, /* chunks up to the zero chunk and trailer */
    HTTP_BODY_CLOSE,   /* until the connection closes (responses only) */
} http_body_kind_t;

typedef struct http_body {
    uint8_t kind;   /* http_body_kind_t */
    uint8_t state;  /* chunk parser state */
    uint8_t digits; /* hex digits of the current chunk size */
    uint64_t left;  /* bytes left in the body or current chunk */
    uint64_t seen;  /* body bytes seen (chunk data only for chunked) */
} http_body_t;

void http_body_request(http_body_t *b, const http_request_t *req);
/* req_head: the request was HEAD, so no body whatever the headers say. */
void http_body_response(http_body_t *b, const http_response_t *resp, bool req_head);

/* Consume body bytes from buf; *used is set to the bytes that belonged to the
 * body. DONE when the body ended (the rest of buf is the next message), MORE
 * when all of buf was body, ERROR on a malformed chunk-size line. */
app_parse_t http_body_feed(http_body_t *b, const uint8_t *buf, size_t len, size_t *used);

/* Account for n body bytes that were lost (a TCP gap). Returns false when the
 * framing cannot say where the body continues (past a chunk, or past the
 * end); a Content-Length body may end exactly at the gap (left becomes 0). */
bool http_body_skip(http_body_t *b, uint64_t n);

#endif
