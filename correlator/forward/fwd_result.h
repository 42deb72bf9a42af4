/* fwd_result.h -- how one delivery to the national centre went.
 *
 * Every transport (fwd_https, fwd_syslog_tls) ends a send with one of three
 * outcomes, which is all the delivery loop needs to decide what to do with
 * the incident version in the outbox:
 *
 *   FWD_DELIVERED  the centre took it (HTTP 2xx; syslog: written, and the
 *                  connection was still up afterwards)
 *   FWD_RETRYABLE  try the same payload again later: network or TLS error,
 *                  timeout, HTTP 5xx, 408, 429
 *   FWD_PERMANENT  this payload will never be accepted as it is: HTTP 4xx
 *                  other than 408/429, a redirect (not followed), a payload
 *                  the transport refuses to put on the wire
 *
 * reason is one line for the log and the timeline, naming the endpoint and
 * what happened ("https://nc.example:443/taxii2/...: HTTP 503 Service
 * Unavailable"). */
#ifndef SOC_FWD_RESULT_H
#define SOC_FWD_RESULT_H

#include <stdbool.h>
#include <stdint.h>

typedef enum fwd_status {
    FWD_DELIVERED = 0,
    FWD_RETRYABLE = 1,
    FWD_PERMANENT = 2,
} fwd_status_t;

#define FWD_REASON_MAX 512

typedef struct fwd_result {
    fwd_status_t status;
    int http_status;      /* final HTTP status, 0 when there was none (or syslog) */
    uint32_t retry_after; /* seconds from a Retry-After header (delta form), else 0 */
    unsigned connects;    /* connections opened for this send (0: an open one was reused) */
    bool sent;            /* payload bytes were handed to TLS (it may still be lost) */
    char reason[FWD_REASON_MAX];
} fwd_result_t;

/* Set res's status and reason ("LABEL: " + the formatted rest, cut to
 * fit); returns st. */
fwd_status_t fwd_result_set(fwd_result_t *res, fwd_status_t st, const char *label, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));

/* "delivered", "retryable", "permanent". */
static inline const char *fwd_status_name(fwd_status_t s)
{
    switch (s) {
    case FWD_DELIVERED: return "delivered";
    case FWD_RETRYABLE: return "retryable";
    case FWD_PERMANENT: return "permanent";
    }
    return "?";
}

#endif
