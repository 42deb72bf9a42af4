/* fwd_syslog_tls.h -- syslog over TLS (RFC 5425) to the national centre:
 * already framed messages ("MSG-LEN SP SYSLOG-MSG", built by the format
 * code) written on one persistent mutual-TLS connection.
 *
 * RFC 5425 has no acknowledgement, so "delivered" means: written, and the
 * connection was still up confirm_ms later. Before a write the connection
 * is checked without waiting (a receiver that restarted has closed it: a
 * new one is opened); after it, a receiver that drops the connection within
 * confirm_ms (a reset because it is gone, a TLS alert because it refuses
 * our certificate, a close because it disliked the frame) turns the result
 * into FWD_RETRYABLE. On a connection that was reused, the write is tried
 * once more on a new connection first (a message may then arrive twice).
 *
 * Frames are checked before anything is sent, so a bad one can never
 * desynchronise the receiver's framing for the messages after it. */
#ifndef SOC_FWD_SYSLOG_TLS_H
#define SOC_FWD_SYSLOG_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "fwd_result.h"
#include "fwd_tls.h"

#define FWD_SYSLOG_CONFIRM_MS_DEF 100
#define FWD_SYSLOG_TLS_MSG_MAX    (16u << 20) /* largest SYSLOG-MSG we put on the wire */
#define FWD_SYSLOG_TLS_BATCH_MAX  (64u << 20) /* bytes of frames in one send */

typedef struct fwd_syslog_tls fwd_syslog_tls_t;

/* Loads the TLS material; connects lazily. NULL with one line in err. */
fwd_syslog_tls_t *fwd_syslog_tls_new(const fwd_endpoint_tls_t *cfg, char *err, size_t errlen);
void fwd_syslog_tls_free(fwd_syslog_tls_t *s);

/* How long to wait after each write for the receiver to drop the
 * connection (default FWD_SYSLOG_CONFIRM_MS_DEF; 0 only looks at what has
 * already arrived). Longer catches more, but every message waits it out. */
void fwd_syslog_tls_set_confirm_ms(fwd_syslog_tls_t *s, uint32_t ms);

/* Checks that buf holds one or more whole RFC 5425 frames: MSG-LEN (no
 * leading zero, at most max_msg), one space, a SYSLOG-MSG of exactly that
 * many bytes starting with '<' (PRI). The number of frames goes to *count.
 * 0, or -1 with one line in err naming the byte offset. */
int fwd_syslog_tls_check_frames(const void *buf, size_t len, size_t max_msg, size_t *count,
                                char *err, size_t errlen);

/* Sends the frames in buf (len bytes, checked as above with max_msg
 * FWD_SYSLOG_TLS_MSG_MAX) and fills res: FWD_DELIVERED, FWD_RETRYABLE
 * (network, TLS, the receiver dropped the connection) or FWD_PERMANENT
 * (bad frames: nothing sent). Returns res->status. */
fwd_status_t fwd_syslog_tls_send(fwd_syslog_tls_t *s, const void *buf, size_t len,
                                 fwd_result_t *res);

/* Drops the connection (the next send opens a new one). */
void fwd_syslog_tls_disconnect(fwd_syslog_tls_t *s);

#endif
