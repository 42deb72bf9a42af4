/* fwd_tls.c -- see fwd_tls.h. */
#include "fwd_tls.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"
#include "tls.h"

/* TLS 1.2 suites: forward secrecy and AEAD only (TLS 1.3 suites all are). */
#define FWD_TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20"
#define FWD_WRITE_CHUNK   (1u << 20) /* one SSL_write at most (int-sized) */

/* The first certificate problem the handshake met, for the reason line. */
struct fwd_verify {
    bool set;
    int err, depth;
    char subject[256];
};

struct fwd_tls {
    SSL_CTX *ctx;
    char host[FWD_HOST_MAX + 1];
    char name[FWD_HOST_MAX + 1]; /* what the certificate must carry */
    char port[8];
    char label[FWD_HOST_MAX + 10];
    uint32_t connect_ms, io_ms, idle_ms;
    int fd;
    SSL *ssl;
    int64_t last_used_ns;
    struct fwd_verify verify;
};

/* ---- clock ------------------------------------------------------------------- */

int64_t fwd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t fwd_deadline_ms(uint32_t ms)
{
    return fwd_now_ns() + (int64_t)ms * 1000000LL;
}

static int ms_left(int64_t deadline)
{
    int64_t left = (deadline - fwd_now_ns() + 999999) / 1000000;
    return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* 1 ready, 0 timed out. A poll error is "ready" so the I/O call reports it. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int r = poll(&p, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR) continue;
        return r != 0;
    }
}

/* ---- SIGPIPE ------------------------------------------------------------------ */

/* OpenSSL writes with write(2): a peer that reset the connection raises
 * SIGPIPE. It is blocked for this thread around socket work, and one it
 * caused is taken off the pending set, so the process's disposition is
 * left alone. */
struct pipe_guard {
    sigset_t old;
    bool was_pending, held;
};

static void pipe_hold(struct pipe_guard *g)
{
    sigset_t pipe, pend;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    g->was_pending = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1;
    g->held = pthread_sigmask(SIG_BLOCK, &pipe, &g->old) == 0;
}

static void pipe_release(struct pipe_guard *g)
{
    if (!g->held) return;
    int saved = errno;
    sigset_t pipe, pend;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    if (!g->was_pending && sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1) {
        const struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
    errno = saved;
}

/* ---- set-up -------------------------------------------------------------------- */

static bool host_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > FWD_HOST_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '[' || c == ']' || c == '@') return false;
    }
    return true;
}

static SSL_CTX *make_ctx(const fwd_endpoint_tls_t *cfg, char *err, size_t errlen)
{
    SSL_CTX *ctx = tls_client_ctx(cfg->cert_file, cfg->key_file, cfg->ca_file, err, errlen);
    if (!ctx) return NULL;
    /* The common helper is TLS 1.3 only (sensor to ingest, both ours); the
     * national centre may still speak 1.2, so that is the floor here. */
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(ctx, FWD_TLS12_CIPHERS) != 1) {
        SSL_CTX_free(ctx);
        ERR_clear_error();
        err_set(-1, err, errlen, "TLS: cannot set protocol versions and cipher suites");
        return NULL;
    }
    /* Renegotiation is an attack surface we do not need; an EOF without
     * close_notify is reported as a plain close (bodies are length-framed). */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
                                 SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
    return ctx;
}

fwd_tls_t *fwd_tls_new(const fwd_endpoint_tls_t *cfg, char *err, size_t errlen)
{
    if (!cfg || !cfg->host || !host_ok(cfg->host)) {
        err_set(-1, err, errlen, "forwarder endpoint: host missing or not a host name/address");
        return NULL;
    }
    const char *name = cfg->server_name && *cfg->server_name ? cfg->server_name : cfg->host;
    if (!host_ok(name)) {
        err_set(-1, err, errlen, "forwarder endpoint %s: bad server name", cfg->host);
        return NULL;
    }
    if (cfg->port == 0) {
        err_set(-1, err, errlen, "forwarder endpoint %s: port 0", cfg->host);
        return NULL;
    }
    fwd_tls_t *t = calloc(1, sizeof(*t));
    if (!t) {
        err_set(-1, err, errlen, "forwarder endpoint %s: out of memory", cfg->host);
        return NULL;
    }
    t->ctx = make_ctx(cfg, err, errlen);
    if (!t->ctx) {
        free(t);
        return NULL;
    }
    snprintf(t->host, sizeof(t->host), "%s", cfg->host);
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(t->port, sizeof(t->port), "%u", (unsigned)cfg->port);
    snprintf(t->label, sizeof(t->label), strchr(t->host, ':') ? "[%s]:%s" : "%s:%s", t->host,
             t->port);
    t->connect_ms =
        cfg->connect_timeout_ms ? cfg->connect_timeout_ms : FWD_CONNECT_TIMEOUT_MS_DEFAULT;
    t->io_ms = cfg->io_timeout_ms ? cfg->io_timeout_ms : FWD_IO_TIMEOUT_MS_DEFAULT;
    t->idle_ms = cfg->idle_max_ms ? cfg->idle_max_ms : FWD_IDLE_MAX_MS_DEFAULT;
    t->fd = -1;
    return t;
}

void fwd_tls_free(fwd_tls_t *t)
{
    if (!t) return;
    fwd_tls_close(t);
    SSL_CTX_free(t->ctx);
    free(t);
}

const char *fwd_tls_label(const fwd_tls_t *t)
{
    return t->label;
}

uint32_t fwd_tls_io_timeout_ms(const fwd_tls_t *t)
{
    return t->io_ms;
}

void fwd_tls_touch(fwd_tls_t *t)
{
    t->last_used_ns = fwd_now_ns();
}

/* ---- closing ------------------------------------------------------------------- */

static void close_conn(fwd_tls_t *t)
{
    if (t->ssl) {
        ERR_clear_error();
        SSL_shutdown(t->ssl); /* close_notify if the socket takes it now */
        SSL_free(t->ssl);
        t->ssl = NULL;
    }
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
    ERR_clear_error();
}

void fwd_tls_close(fwd_tls_t *t)
{
    if (!t || (!t->ssl && t->fd < 0)) return;
    struct pipe_guard g;
    pipe_hold(&g);
    close_conn(t);
    pipe_release(&g);
}

/* ---- TCP ------------------------------------------------------------------------ */

static int connect_one(const struct addrinfo *ai, int64_t deadline, char *why, size_t whylen)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return err_set(-1, why, whylen, "connect: socket: %s", strerror(errno));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
        err_set(-1, why, whylen, "connect: %s", strerror(errno));
        close(fd);
        return -1;
    }
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (!wait_fd(fd, POLLOUT, deadline)) {
        err_set(-1, why, whylen, "connect: timed out");
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        err_set(-1, why, whylen, "connect: %s", strerror(soerr ? soerr : errno));
    } else {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        return fd;
    }
    close(fd);
    return -1;
}

static int tcp_connect(fwd_tls_t *t, int64_t deadline, char *why, size_t whylen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV},
                    *res = NULL;
    int r = getaddrinfo(t->host, t->port, &hints, &res);
    if (r != 0) return err_set(-1, why, whylen, "cannot resolve %s: %s", t->host, gai_strerror(r));
    int fd = -1;
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        if (ai != res && fwd_now_ns() >= deadline) break;
        fd = connect_one(ai, deadline, why, whylen);
    }
    freeaddrinfo(res);
    return fd;
}

/* ---- handshake ------------------------------------------------------------------- */

/* Keeps OpenSSL's verdict and notes the first failure: which certificate
 * (depth, subject) and why, which the one-line reason then names. */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    if (ok) return ok;
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    fwd_tls_t *t = ssl ? SSL_get_app_data(ssl) : NULL;
    if (t && !t->verify.set) {
        t->verify.set = true;
        t->verify.err = X509_STORE_CTX_get_error(xs);
        t->verify.depth = X509_STORE_CTX_get_error_depth(xs);
        X509 *cert = X509_STORE_CTX_get_current_cert(xs);
        t->verify.subject[0] = '\0';
        if (cert)
            X509_NAME_oneline(X509_get_subject_name(cert), t->verify.subject,
                              (int)sizeof(t->verify.subject));
    }
    return ok;
}

static int handshake_failed(fwd_tls_t *t, int ret, char *why, size_t whylen)
{
    long v = SSL_get_verify_result(t->ssl);
    char phrase[256], subj[200];
    tls_failure_reason(t->ssl, ret, phrase, sizeof(phrase));
    if (v != X509_V_OK && t->verify.set) {
        err_quote(t->verify.subject, strlen(t->verify.subject), subj, sizeof(subj));
        const char *extra = "";
        if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH)
            extra = ", expected ";
        err_set(-1, why, whylen, "TLS handshake: %s: %s (depth %d, %s%s%s)", phrase,
                X509_verify_cert_error_string(v), t->verify.depth, subj, extra,
                *extra ? t->name : "");
    } else {
        err_set(-1, why, whylen, "TLS handshake: %s", phrase);
    }
    close_conn(t);
    return -1;
}

/* After a failed SSL call: wait for what it wants (0), or -1 when it is an
 * error or the deadline passed. */
static int ssl_wait(fwd_tls_t *t, int ret, int64_t deadline, bool *timed_out)
{
    int e = SSL_get_error(t->ssl, ret);
    *timed_out = false;
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return -1;
    if (wait_fd(t->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return 0;
    *timed_out = true;
    return -1;
}

static int tls_handshake(fwd_tls_t *t, int64_t deadline, char *why, size_t whylen)
{
    memset(&t->verify, 0, sizeof(t->verify));
    t->ssl = SSL_new(t->ctx);
    if (!t->ssl || tls_client_set_host(t->ssl, t->name) != 0 || SSL_set_fd(t->ssl, t->fd) != 1) {
        close_conn(t);
        return err_set(-1, why, whylen, "TLS: cannot set up the connection");
    }
    SSL_set_app_data(t->ssl, t);
    SSL_set_verify(t->ssl, SSL_VERIFY_PEER, verify_cb);
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(t->ssl);
        if (r == 1) return 0;
        bool timed_out;
        if (ssl_wait(t, r, deadline, &timed_out) == 0) continue;
        if (timed_out) {
            close_conn(t);
            return err_set(-1, why, whylen, "TLS handshake: timed out after %u ms",
                           (unsigned)t->connect_ms);
        }
        return handshake_failed(t, r, why, whylen);
    }
}

static int connect_new(fwd_tls_t *t, char *why, size_t whylen)
{
    close_conn(t);
    int64_t deadline = fwd_deadline_ms(t->connect_ms);
    t->fd = tcp_connect(t, deadline, why, whylen);
    if (t->fd < 0) return -1;
    if (tls_handshake(t, deadline, why, whylen) != 0) return -1;
    t->last_used_ns = fwd_now_ns();
    return 0;
}

/* ---- using the connection ------------------------------------------------------ */

/* Reads what is there without waiting: true while the connection is fine.
 * TLS 1.3 tickets and key updates are consumed here (SSL_read gives
 * WANT_READ after them). */
static bool peek_alive(fwd_tls_t *t, char *why, size_t whylen)
{
    for (;;) {
        struct pollfd p = {.fd = t->fd, .events = POLLIN};
        if (SSL_pending(t->ssl) == 0 && poll(&p, 1, 0) == 0) return true;
        unsigned char junk[512];
        ERR_clear_error();
        int r = SSL_read(t->ssl, junk, sizeof(junk));
        if (r > 0) {
            err_set(-1, why, whylen, "peer sent %d unexpected bytes", r);
            return false;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
        if (e == SSL_ERROR_ZERO_RETURN) {
            err_set(-1, why, whylen, "connection closed by peer");
        } else {
            char phrase[256];
            err_set(-1, why, whylen, "%s", tls_failure_reason(t->ssl, r, phrase, sizeof(phrase)));
        }
        return false;
    }
}

bool fwd_tls_alive(fwd_tls_t *t)
{
    if (!t->ssl) return false;
    struct pipe_guard g;
    pipe_hold(&g);
    char why[128];
    bool ok = peek_alive(t, why, sizeof(why));
    if (!ok) close_conn(t);
    pipe_release(&g);
    return ok;
}

int fwd_tls_open(fwd_tls_t *t, char *why, size_t whylen)
{
    if (t->ssl && fwd_now_ns() - t->last_used_ns > (int64_t)t->idle_ms * 1000000LL)
        fwd_tls_close(t); /* servers drop idle connections; do not race them */
    if (fwd_tls_alive(t)) return 0;
    struct pipe_guard g;
    pipe_hold(&g);
    int rc = connect_new(t, why, whylen);
    pipe_release(&g);
    return rc == 0 ? 1 : -1;
}

/* A peer that refuses us late (TLS 1.3 checks our certificate after our
 * handshake is done) sends an alert and closes; a write racing that close
 * fails with a reset while the alert waits unread. Fetch it for the reason. */
static bool alert_after_reset(fwd_tls_t *t, char *phrase, size_t cap)
{
    unsigned char junk[256];
    ERR_clear_error();
    int r = SSL_read(t->ssl, junk, sizeof(junk));
    if (r > 0 || SSL_get_error(t->ssl, r) != SSL_ERROR_SSL) return false;
    tls_failure_reason(t->ssl, r, phrase, cap);
    return strncmp(phrase, "refused by peer", 15) == 0;
}

/* One line for a failed read or write; closes the connection. */
static int io_failed(fwd_tls_t *t, int ret, bool timed_out, const char *what, char *why,
                     size_t whylen)
{
    int e = SSL_get_error(t->ssl, ret);
    char phrase[256];
    if (timed_out) {
        err_set(-1, why, whylen, "%s: timed out", what);
    } else if (e == SSL_ERROR_ZERO_RETURN) {
        err_set(-1, why, whylen, "%s: connection closed by peer", what);
    } else {
        tls_failure_reason(t->ssl, ret, phrase, sizeof(phrase));
        /* the peer's alert, when one came, says more than "reset" */
        char alert[256];
        if (e == SSL_ERROR_SYSCALL && alert_after_reset(t, alert, sizeof(alert)))
            memcpy(phrase, alert, sizeof(phrase));
        err_set(-1, why, whylen, "%s: %s", what, phrase);
    }
    close_conn(t);
    return -1;
}

static int write_all(fwd_tls_t *t, const unsigned char *p, size_t len, int64_t deadline, char *why,
                     size_t whylen)
{
    while (len > 0) {
        int n = len > FWD_WRITE_CHUNK ? (int)FWD_WRITE_CHUNK : (int)len;
        ERR_clear_error();
        int r = SSL_write(t->ssl, p, n); /* retried with the same arguments until done */
        if (r > 0) {
            p += r, len -= (size_t)r;
            continue;
        }
        bool timed_out;
        if (ssl_wait(t, r, deadline, &timed_out) == 0) continue;
        return io_failed(t, r, timed_out, "send", why, whylen);
    }
    return 0;
}

int fwd_tls_write(fwd_tls_t *t, const void *buf, size_t len, int64_t deadline_ns, char *why,
                  size_t whylen)
{
    if (!t->ssl) return err_set(-1, why, whylen, "send: not connected");
    struct pipe_guard g;
    pipe_hold(&g);
    int rc = write_all(t, buf, len, deadline_ns, why, whylen);
    pipe_release(&g);
    if (rc == 0) t->last_used_ns = fwd_now_ns();
    return rc;
}

static ssize_t read_some(fwd_tls_t *t, void *buf, size_t cap, int64_t deadline, char *why,
                         size_t whylen)
{
    int n = cap > INT_MAX ? INT_MAX : (int)cap;
    for (;;) {
        ERR_clear_error();
        int r = SSL_read(t->ssl, buf, n);
        if (r > 0) return r;
        if (SSL_get_error(t->ssl, r) == SSL_ERROR_ZERO_RETURN) {
            close_conn(t);
            return 0;
        }
        bool timed_out;
        if (ssl_wait(t, r, deadline, &timed_out) == 0) continue;
        io_failed(t, r, timed_out, "receive", why, whylen);
        return timed_out ? FWD_TLS_TIMEOUT : -1;
    }
}

ssize_t fwd_tls_read(fwd_tls_t *t, void *buf, size_t cap, int64_t deadline_ns, char *why,
                     size_t whylen)
{
    if (!t->ssl) return err_set(-1, why, whylen, "receive: not connected");
    if (cap == 0) return err_set(-1, why, whylen, "receive: no room");
    struct pipe_guard g;
    pipe_hold(&g);
    ssize_t r = read_some(t, buf, cap, deadline_ns, why, whylen);
    pipe_release(&g);
    return r;
}

int fwd_tls_linger_check(fwd_tls_t *t, uint32_t wait_ms, char *why, size_t whylen)
{
    if (!t->ssl) return err_set(-1, why, whylen, "connection closed by peer");
    struct pipe_guard g;
    pipe_hold(&g);
    int64_t deadline = fwd_deadline_ms(wait_ms);
    int rc = 0;
    for (;;) {
        if (!peek_alive(t, why, whylen)) {
            close_conn(t);
            rc = -1;
            break;
        }
        if (fwd_now_ns() >= deadline || !wait_fd(t->fd, POLLIN, deadline)) break;
    }
    pipe_release(&g);
    return rc;
}
