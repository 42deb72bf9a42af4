/* fwd_tls.h -- the forwarder's TLS client: one endpoint of the national
 * centre, one persistent connection to it.
 *
 * The context pins the centre's CA (only the given CA file is trusted, never
 * the system store), presents the appliance's client certificate, speaks
 * TLS 1.2 or 1.3 (forward-secret AEAD suites only for 1.2) and verifies the
 * server's certificate against the configured name: a DNS name (also sent
 * as SNI) or an IP address (matched against IP SANs, no SNI).
 *
 * Sockets are non-blocking; every wait is a poll() bounded by a deadline, so
 * a silent or slow peer costs at most the configured timeout. SIGPIPE is
 * held off around writes, per thread, so a peer that went away gives an
 * error instead of killing the process (no signal disposition is changed).
 * Failure reasons are one line, which the transports prefix with the
 * endpoint: "TLS handshake: unknown CA (server certificate not issued by the
 * pinned CA): unable to get local issuer certificate (depth 0,
 * /CN=nc.example)", "connect: Connection refused", "receive: refused by
 * peer: unknown CA" (TLS 1.3 servers judge our certificate after our side
 * of the handshake is done, so their refusal comes with the first read).
 *
 * Single-threaded use per fwd_tls_t; no state outside it. */
#ifndef SOC_FWD_TLS_H
#define SOC_FWD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FWD_CONNECT_TIMEOUT_MS_DEFAULT 10000
#define FWD_IO_TIMEOUT_MS_DEFAULT      30000
#define FWD_IDLE_MAX_MS_DEFAULT        60000
#define FWD_HOST_MAX                   253 /* longest DNS name */

/* One endpoint. Strings are read during fwd_tls_new only (host and
 * server_name are copied; the files are loaded there). */
typedef struct fwd_endpoint_tls {
    const char *host;            /* DNS name or IPv4/IPv6 literal to connect to */
    uint16_t port;               /* 1..65535 */
    const char *server_name;     /* name the certificate must carry; NULL or "": host */
    const char *ca_file;         /* pinned CA certificate(s), PEM */
    const char *cert_file;       /* client certificate chain, PEM (NULL with key_file: none) */
    const char *key_file;        /* its private key, PEM, unencrypted */
    uint32_t connect_timeout_ms; /* TCP connect and TLS handshake; 0: default */
    uint32_t io_timeout_ms;      /* sending one payload, reading one response; 0: default */
    uint32_t idle_max_ms;        /* a connection idle longer is reopened before use; 0: default */
} fwd_endpoint_tls_t;

typedef struct fwd_tls fwd_tls_t;

/* Loads the certificates and key and checks the endpoint; no connection is
 * made yet. NULL with a one-line message in err ("FILE: reason"). */
fwd_tls_t *fwd_tls_new(const fwd_endpoint_tls_t *cfg, char *err, size_t errlen);
void fwd_tls_free(fwd_tls_t *t);

/* "host:port" ("[::1]:443"), for messages. */
const char *fwd_tls_label(const fwd_tls_t *t);

/* Monotonic clock in nanoseconds (deadlines below). */
int64_t fwd_now_ns(void);
/* Deadline ms milliseconds from now. */
int64_t fwd_deadline_ms(uint32_t ms);
/* The endpoint's timeouts after defaults were applied. */
uint32_t fwd_tls_io_timeout_ms(const fwd_tls_t *t);

/* A usable connection: the open one when it is still up and has not idled
 * longer than idle_max_ms, else a new one (TCP connect + handshake within
 * connect_timeout_ms). Returns 1 when a new connection was opened, 0 when
 * the open one is reused, -1 on failure with the reason in why. */
int fwd_tls_open(fwd_tls_t *t, char *why, size_t whylen);

/* Without waiting: is the open connection still up? A peer that closed
 * (FIN, close_notify, an alert) or sent anything unasked is taken as gone,
 * and the connection is closed here. */
bool fwd_tls_alive(fwd_tls_t *t);

/* All of buf before the deadline. 0, or -1 with the reason in why (the
 * connection is closed then). */
int fwd_tls_write(fwd_tls_t *t, const void *buf, size_t len, int64_t deadline_ns, char *why,
                  size_t whylen);

/* Up to cap bytes, waiting until the deadline for the first. Bytes read,
 * 0 when the peer closed the connection, -1 on error, FWD_TLS_TIMEOUT when
 * the deadline passed (why set for both). After 0 or an error the
 * connection is closed. */
#define FWD_TLS_TIMEOUT (-2)
ssize_t fwd_tls_read(fwd_tls_t *t, void *buf, size_t cap, int64_t deadline_ns, char *why,
                     size_t whylen);

/* After a write to a peer that never answers (syslog): waits up to wait_ms
 * for the peer to drop the connection (a reset, an alert, a close). 0 when
 * it is still up, -1 with the reason in why when it went away. */
int fwd_tls_linger_check(fwd_tls_t *t, uint32_t wait_ms, char *why, size_t whylen);

/* Marks the connection used now (for idle_max_ms). */
void fwd_tls_touch(fwd_tls_t *t);

/* Closes the connection (close_notify, best effort, no waiting). */
void fwd_tls_close(fwd_tls_t *t);

#endif
