/* fwd_http_response.h -- strict, bounded parser of one HTTP/1.1 response
 * (RFC 9112), as the forwarder reads it after a POST.
 *
 * Bytes are pushed in as they arrive, in pieces of any size; nothing is
 * allocated. The parser keeps the status, what the framing headers say
 * (Content-Length, Transfer-Encoding: chunked, Connection), Retry-After,
 * and the first FWD_HTTP_BODY_KEEP bytes of the body for the log; the rest
 * of the body is counted and dropped, up to body_cap bytes.
 *
 * Strict: a status line "HTTP/1.x NNN reason"; header names are tokens with
 * the colon right after; values without control bytes; no obsolete line
 * folding; Content-Length digits only and the same in every copy; the only
 * transfer coding is a single "chunked"; not both Content-Length and
 * Transfer-Encoding. Bare LF ends a line as CRLF does (RFC 9112 2.2); a bare
 * CR is an error. Interim 1xx responses are skipped (at most
 * FWD_HTTP_INTERIM_MAX); 101 is an error (we never ask to switch).
 *
 * Errors are one line in err, naming the byte offset in the response:
 * "HTTP response: byte 17: bad status code '2x0'". An error after the
 * header block leaves status and headers_done set, so the caller still
 * knows what the server answered (and must close the connection, whose
 * framing is lost). */
#ifndef SOC_FWD_HTTP_RESPONSE_H
#define SOC_FWD_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd_result.h"

/* Limits. A line counts its CR; the framing budget holds the status line,
 * header lines, chunk-size lines and trailers of one response. */
#define FWD_HTTP_LINE_MAX    8192  /* one line */
#define FWD_HTTP_HEADERS_MAX 65536 /* framing budget */
#define FWD_HTTP_FIELDS_MAX  128   /* header fields (and trailer fields) */
#define FWD_HTTP_INTERIM_MAX 8     /* 1xx responses before the final one */
#define FWD_HTTP_BODY_KEEP   1024  /* first body bytes kept for messages */
#define FWD_HTTP_REASON_MAX  64    /* reason phrase kept (cut, control bytes as '?') */
#define FWD_HTTP_ERR_MAX     200

typedef enum fwd_http_rc {
    FWD_HTTP_MORE = 0,  /* not complete: feed more (or call fwd_http_resp_eof) */
    FWD_HTTP_DONE = 1,  /* one whole response */
    FWD_HTTP_ERROR = 2, /* malformed, oversized or cut short: err says why */
} fwd_http_rc_t;

typedef struct fwd_http_resp {
    /* ---- what the response said (valid as far as parsed) ---- */
    int status; /* final status 200..599 once headers_done, else 0 */
    char reason[FWD_HTTP_REASON_MAX];
    bool headers_done;    /* the final response's header block is complete */
    bool keep_alive;      /* the connection may carry the next request */
    bool chunked;         /* Transfer-Encoding: chunked */
    bool have_length;     /* Content-Length given */
    uint64_t length;      /* its value */
    uint64_t body_len;    /* body bytes seen (decoded, without chunk framing) */
    uint32_t retry_after; /* Retry-After in seconds (delta form only), else 0 */
    char body[FWD_HTTP_BODY_KEEP];
    size_t body_kept; /* bytes in body (first bytes of the body) */
    char err[FWD_HTTP_ERR_MAX];
    /* ---- parser state (private) ---- */
    int state;
    uint64_t body_cap;
    uint64_t offset;     /* bytes consumed so far */
    uint64_t remaining;  /* body or chunk bytes still to come */
    size_t header_bytes; /* header and trailer bytes so far */
    unsigned fields, interim;
    bool seen_length, seen_te, http10, conn_close, conn_keep_alive;
    uint64_t line_start; /* offset of the line being collected */
    size_t line_len;
    char line[FWD_HTTP_LINE_MAX + 1];
} fwd_http_resp_t;

/* Ready for a response whose body may hold up to body_cap bytes. */
void fwd_http_resp_init(fwd_http_resp_t *r, uint64_t body_cap);

/* Push len bytes. *used gets how many were consumed: all of them unless
 * the response ended inside them (DONE; the rest belongs to no request of
 * ours) or an error was found (ERROR). After DONE or ERROR, further calls
 * consume nothing and return the same result. */
fwd_http_rc_t fwd_http_resp_feed(fwd_http_resp_t *r, const void *data, size_t len, size_t *used);

/* The server closed the connection: completes a body that runs to the
 * close; anything else not yet complete is an ERROR ("cut short"). */
fwd_http_rc_t fwd_http_resp_eof(fwd_http_resp_t *r);

/* Whether any byte of a response arrived (a closed keep-alive connection
 * gives none, and then the request may be sent again on a new one). */
bool fwd_http_resp_started(const fwd_http_resp_t *r);

/* What a final status means for the payload: 2xx delivered; 408, 429 and
 * 5xx retryable; everything else (3xx: redirects are not followed, 4xx)
 * permanent. */
fwd_status_t fwd_http_status_class(int status);

/* A short one-line summary of the kept body for messages: a TAXII error
 * object's "title" (and "description"), else the first bytes with runs of
 * white space as one space and control bytes as '?'. "" when empty. */
const char *fwd_http_body_summary(const fwd_http_resp_t *r, char *out, size_t cap);

#endif
