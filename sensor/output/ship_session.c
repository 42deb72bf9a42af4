/* ship_session.c -- the shipper thread: one session at a time with
 * soc-ingest (PROTOCOL.md section 3), reconnecting with backoff.
 *
 * The socket is non-blocking and every wait is a poll() that also watches
 * the stop eventfd, so ship_close never waits for a network timeout. Batches
 * are sent as soon as the spool returns them (the spool's payload pointer is
 * valid only until the next spool_next), up to a window; acks must come in
 * the order of the batches. */
#include "ship_int.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tls.h"

#define IDLE_WAIT_MS   250 /* nothing in flight: wait this long for a batch */
#define REFILL_WAIT_MS 10  /* batches in flight, window open: look for more this often */
#define CLOSE_WAIT_MS  1000
#define READ_RETRY_MS  1000 /* the spool could not be read: try again after this */
#define RBUF_CAP       (2 * (FRAME_HEADER_LEN + FRAME_CONTROL_MAX))

struct inflight {
    uint64_t seq;
    uint32_t nevents;
    size_t len;
    int64_t sent_ns;
};

struct session {
    ship_t *sh;
    int fd;
    SSL *ssl;
    uint8_t rbuf[RBUF_CAP];
    size_t rlen;
    char why[512];  /* why the session ended */
    bool welcomed;  /* WELCOME received: losing it now is "connection lost" */
    bool progress;  /* an ACK arrived: the backoff starts over */
    bool got_error; /* the ingest sent ERROR */
    enum ship_backoff backoff;
    uint32_t max_payload;
    struct inflight q[SHIP_WINDOW_BATCHES];
    size_t qhead, qn;
    uint64_t qbytes;
    /* a spooled batch larger than max_payload, waiting for the window to
     * empty so it can be re-packed (the pointer is the spool's) */
    bool have_big;
    const uint8_t *big;
    size_t big_len;
    uint64_t big_seq;
    uint32_t big_n;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int ms_left(int64_t deadline)
{
    int64_t left = (deadline - now_ns()) / 1000000;
    return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

static bool stopping(const ship_t *sh)
{
    return atomic_load(&sh->stop);
}

static int fail(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof(s->why), fmt, ap);
    va_end(ap);
    return -1;
}

/* 1: fd ready; 0: timed out; -1: stop requested. */
static int wait_fd(struct session *s, int fd, short events, int timeout_ms)
{
    struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = s->sh->wake_fd, .events = POLLIN}};
    for (;;) {
        if (stopping(s->sh)) return -1;
        int r = poll(p, 2, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return 1; /* let the I/O call report the error */
        if (p[1].revents) return -1;
        return r > 0 ? 1 : 0;
    }
}

/* ---- TCP and TLS ----------------------------------------------------------- */

static int connect_one(struct session *s, const struct addrinfo *ai, int64_t deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return fail(s, "socket: %s", strerror(errno));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
        fail(s, "connect to %s:%s: %s", s->sh->host, s->sh->port, strerror(errno));
        close(fd);
        return -1;
    }
    int w = wait_fd(s, fd, POLLOUT, ms_left(deadline));
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (w == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        return fd;
    }
    if (w == 0)
        fail(s, "connect to %s:%s: timed out", s->sh->host, s->sh->port);
    else if (w > 0)
        fail(s, "connect to %s:%s: %s", s->sh->host, s->sh->port, strerror(soerr));
    else
        fail(s, "stopping");
    close(fd);
    return -1;
}

static int tcp_connect(struct session *s)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int r = getaddrinfo(s->sh->host, s->sh->port, &hints, &res);
    if (r != 0) return fail(s, "cannot resolve %s: %s", s->sh->host, gai_strerror(r));
    int64_t deadline = now_ns() + SHIP_CONNECT_TIMEOUT_MS * 1000000LL;
    int fd = -1;
    for (const struct addrinfo *ai = res; ai && fd < 0 && !stopping(s->sh); ai = ai->ai_next)
        fd = connect_one(s, ai, deadline);
    freeaddrinfo(res);
    return fd;
}

/* After a failed SSL call: wait for what it wants, or give the reason. */
static int ssl_wait(struct session *s, int ret, int64_t deadline, const char *what)
{
    int e = SSL_get_error(s->ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        int w = wait_fd(s, s->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, ms_left(deadline));
        if (w > 0) return 0;
        return w == 0 ? fail(s, "%s: timed out waiting for the ingest", what) : fail(s, "stopping");
    }
    char buf[256];
    return fail(s, "%s: %s", what, tls_failure_reason(s->ssl, ret, buf, sizeof(buf)));
}

static int tls_connect(struct session *s)
{
    s->ssl = SSL_new(s->sh->ctx);
    if (!s->ssl || tls_client_set_host(s->ssl, s->sh->host) != 0 || SSL_set_fd(s->ssl, s->fd) != 1)
        return fail(s, "TLS: cannot set up the connection");
    int64_t deadline = now_ns() + SHIP_CONNECT_TIMEOUT_MS * 1000000LL;
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(s->ssl);
        if (r == 1) return 0;
        if (ssl_wait(s, r, deadline, "TLS handshake") != 0) return -1;
    }
}

/* The whole buffer (SSL_write without partial writes: retried with the
 * same arguments until done). */
static int conn_write(struct session *s, const void *buf, size_t len, int64_t deadline)
{
    if (len == 0) return 0;
    for (;;) {
        ERR_clear_error();
        int r = SSL_write(s->ssl, buf, (int)len);
        if (r > 0) return 0;
        if (ssl_wait(s, r, deadline, "send") != 0) return -1;
    }
}

/* Reads what has arrived, without waiting. 0, or -1 when the connection is
 * gone (frames already buffered are still handled by the caller). */
static int conn_fill(struct session *s)
{
    while (s->rlen < sizeof(s->rbuf)) {
        ERR_clear_error();
        int r = SSL_read(s->ssl, s->rbuf + s->rlen, (int)(sizeof(s->rbuf) - s->rlen));
        if (r > 0) {
            s->rlen += (size_t)r;
            continue;
        }
        int e = SSL_get_error(s->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
        if (e == SSL_ERROR_ZERO_RETURN) return fail(s, "closed by the ingest");
        char buf[256];
        return fail(s, "%s", tls_failure_reason(s->ssl, r, buf, sizeof(buf)));
    }
    return 0;
}

static void send_error(struct session *s, uint16_t code, const char *text)
{
    uint8_t f[FRAME_ERROR_LEN_MAX];
    size_t n = frame_error_encode(f, code, text);
    char keep[sizeof(s->why)];
    memcpy(keep, s->why, sizeof(keep)); /* the first reason is the one to log */
    conn_write(s, f, n, now_ns() + CLOSE_WAIT_MS * 1000000LL);
    memcpy(s->why, keep, sizeof(keep));
}

static void conn_close(struct session *s)
{
    if (s->ssl) {
        ERR_clear_error();
        SSL_shutdown(s->ssl); /* close_notify, best effort, no waiting */
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    ERR_clear_error();
}

/* ---- frames from the ingest ------------------------------------------------ */

static void q_push(struct session *s, uint64_t seq, uint32_t n, size_t len)
{
    s->q[(s->qhead + s->qn) % SHIP_WINDOW_BATCHES] =
        (struct inflight){.seq = seq, .nevents = n, .len = len, .sent_ns = now_ns()};
    s->qn++;
    s->qbytes += len;
}

static const struct inflight *q_front(const struct session *s)
{
    return s->qn ? &s->q[s->qhead] : NULL;
}

static void q_pop(struct session *s)
{
    s->qbytes -= s->q[s->qhead].len;
    s->qhead = (s->qhead + 1) % SHIP_WINDOW_BATCHES;
    s->qn--;
}

static int on_ack(struct session *s, const struct frame *f)
{
    uint64_t seq;
    char err[256];
    if (frame_ack_decode(f->payload, f->len, &seq, err, sizeof(err)) != FRAME_OK) {
        fail(s, "%s", err);
        send_error(s, FRAME_ERR_MALFORMED, err);
        return -1;
    }
    const struct inflight *front = q_front(s);
    if (!front || front->seq != seq) {
        if (front)
            fail(s, "ACK for batch %" PRIu64 " but the oldest unacked is %" PRIu64, seq,
                 front->seq);
        else
            fail(s, "ACK for batch %" PRIu64 " with no batch in flight", seq);
        send_error(s, FRAME_ERR_MALFORMED, s->why);
        return -1;
    }
    spool_ack(s->sh->sp, seq);
    q_pop(s);
    atomic_fetch_add(&s->sh->acked_batches, 1);
    s->progress = true;
    return 0;
}

/* The ingest refused the oldest unacked batch (PROTOCOL.md 5): sending it
 * again would fail forever, so it is set aside and counted. */
static void set_aside(struct session *s, uint16_t code)
{
    const struct inflight *front = q_front(s);
    if (!s->welcomed || !front || code == FRAME_ERR_BUSY || code == FRAME_ERR_VERSION) return;
    spool_ack(s->sh->sp, front->seq);
    atomic_fetch_add(&s->sh->rejected_batches, 1);
    atomic_fetch_add(&s->sh->rejected_events, front->nevents);
    log_error("ingest %s:%s: batch %" PRIu64 " (%" PRIu32 " events) refused with ERROR %u; set "
              "aside and counted as dropped",
              s->sh->host, s->sh->port, front->seq, front->nevents, code);
    q_pop(s);
}

static int on_error(struct session *s, const struct frame *f)
{
    uint16_t code;
    const char *text;
    size_t tlen;
    char err[256];
    s->got_error = true;
    if (frame_error_decode(f->payload, f->len, &code, &text, &tlen, err, sizeof(err)) != FRAME_OK)
        return fail(s, "bad ERROR frame from the ingest: %s", err);
    if (tlen > FRAME_ERROR_TEXT_MAX) tlen = FRAME_ERROR_TEXT_MAX;
    fail(s, "ingest sent ERROR %u (%s): %.*s", code, frame_error_name(code), (int)tlen, text);
    if (code == FRAME_ERR_BUSY)
        s->backoff = SHIP_BACKOFF_BUSY;
    else if (!s->welcomed && (code == FRAME_ERR_VERSION || code == FRAME_ERR_UNAUTHORISED))
        s->backoff = SHIP_BACKOFF_LONG;
    set_aside(s, code);
    return -1;
}

static int on_welcome(struct session *s, const struct frame *f)
{
    uint64_t last;
    char err[256];
    if (frame_welcome_decode(f->payload, f->len, &last, &s->max_payload, err, sizeof(err)) !=
        FRAME_OK) {
        fail(s, "%s", err);
        send_error(s, FRAME_ERR_MALFORMED, err);
        return -1;
    }
    spool_rewind(s->sh->sp);
    spool_skip_to(s->sh->sp, last);
    s->welcomed = true;
    atomic_store(&s->sh->connected, true);
    log_info("ingest %s:%s: connected as %s (ingest holds batches up to %" PRIu64
             " of spool %s; limit %" PRIu32 " bytes)",
             s->sh->host, s->sh->port, s->sh->cert_cn, last, s->sh->spool_id, s->max_payload);
    return 0;
}

static int on_frame(struct session *s, const struct frame *f)
{
    if (f->type == FRAME_ERROR) return on_error(s, f);
    if (f->type == FRAME_WELCOME && !s->welcomed) return on_welcome(s, f);
    if (f->type == FRAME_ACK && s->welcomed) return on_ack(s, f);
    fail(s, "unexpected %s frame from the ingest%s", frame_type_name(f->type),
         s->welcomed ? "" : " before WELCOME");
    send_error(s, FRAME_ERR_MALFORMED, s->why);
    return -1;
}

/* Handles every whole frame in the buffer. */
static int drain_frames(struct session *s)
{
    size_t off = 0;
    int rc = 0;
    while (rc == 0 && off < s->rlen) {
        struct frame f;
        size_t used;
        char err[256];
        int r = frame_decode(s->rbuf + off, s->rlen - off, FRAME_CONTROL_MAX, &f, &used, err,
                             sizeof(err));
        if (r == FRAME_NEED_MORE) break;
        if (r != FRAME_OK) {
            fail(s, "from the ingest: %s", err);
            send_error(s, (uint16_t)frame_status_error(r), err);
            return -1;
        }
        rc = on_frame(s, &f);
        off += used;
    }
    memmove(s->rbuf, s->rbuf + off, s->rlen - off);
    s->rlen -= off;
    return rc;
}

/* Waits up to timeout_ms for data from the ingest and handles it. A frame
 * explains a closed connection better than the close does, so buffered
 * frames are handled before a read failure counts. */
static int pump(struct session *s, int timeout_ms)
{
    if (SSL_pending(s->ssl) == 0) {
        int w = wait_fd(s, s->fd, POLLIN, timeout_ms);
        if (w < 0) return fail(s, "stopping");
        if (w == 0) return 0;
    }
    int fr = conn_fill(s);
    char why[sizeof(s->why)];
    memcpy(why, s->why, sizeof(why));
    if (drain_frames(s) != 0) return -1;
    if (fr != 0) {
        memcpy(s->why, why, sizeof(why));
        return -1;
    }
    return 0;
}

/* ---- the session ----------------------------------------------------------- */

static int hello(struct session *s)
{
    uint8_t f[FRAME_HELLO_LEN_MAX];
    size_t n = frame_hello_encode(f, sizeof(f), &s->sh->hello);
    if (n == 0) return fail(s, "cannot encode HELLO (bad version or interface name)");
    int64_t deadline = now_ns() + SHIP_WELCOME_TIMEOUT_MS * 1000000LL;
    if (conn_write(s, f, n, deadline) != 0) return -1;
    while (!s->welcomed) {
        if (now_ns() >= deadline)
            return fail(s, "no WELCOME within %d s", SHIP_WELCOME_TIMEOUT_MS / 1000);
        if (pump(s, ms_left(deadline)) != 0) return -1;
    }
    return 0;
}

static int send_batch(struct session *s, const uint8_t *p, size_t len, uint64_t seq, uint32_t n)
{
    uint8_t prefix[FRAME_BATCH_PREFIX_LEN];
    frame_batch_prefix_encode(prefix, seq, n, (uint32_t)len);
    int64_t deadline = now_ns() + SHIP_ACK_TIMEOUT_MS * 1000000LL;
    if (conn_write(s, prefix, sizeof(prefix), deadline) == 0 &&
        conn_write(s, p, len, deadline) == 0) {
        q_push(s, seq, n, len);
        return 0;
    }
    /* An ingest that refuses a batch sends ERROR and closes, which resets
     * a connection we are still writing to; the ERROR may be readable
     * yet, and says more than "connection reset" (and which batch to set
     * aside). */
    char why[sizeof(s->why)];
    memcpy(why, s->why, sizeof(why));
    if (!stopping(s->sh)) {
        conn_fill(s);
        drain_frames(s);
    }
    if (!s->got_error) memcpy(s->why, why, sizeof(why));
    return -1;
}

static void repack_flush(struct session *s, struct frame_batch_writer *w, uint32_t *made)
{
    if (w->count == 0) return;
    if (ship_append(s->sh, w->buf + FRAME_BATCH_PREFIX_LEN, w->len - FRAME_BATCH_PREFIX_LEN,
                    w->count) == 0)
        (*made)++;
    frame_batch_writer_reset(w, 1);
}

/* PROTOCOL.md 3.2: a spooled batch above the ingest's limit goes again as
 * smaller batches with new numbers; the old record is acked away. Runs when
 * nothing is in flight, so acking it acks nothing unsent. */
static void repack(struct session *s)
{
    uint32_t cap =
        s->sh->cfg.batch_bytes < s->max_payload ? s->sh->cfg.batch_bytes : s->max_payload;
    struct frame_batch_writer w;
    frame_batch_writer_init(&w, 1, cap);
    uint32_t made = 0;
    uint64_t lost = 0;
    const uint8_t *p = s->big, *end = s->big + s->big_len;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        int r = frame_batch_writer_append_line(&w, (const char *)p, len);
        if (r == FRAME_E_FULL) {
            repack_flush(s, &w, &made);
            r = frame_batch_writer_append_line(&w, (const char *)p, len);
        }
        if (r != FRAME_OK) lost++;
        p += len + 1;
    }
    repack_flush(s, &w, &made);
    frame_batch_writer_free(&w);
    atomic_fetch_add(&s->sh->repack_too_large, lost);
    spool_ack(s->sh->sp, s->big_seq);
    log_warn("ingest %s:%s: batch %" PRIu64 " (%zu bytes) is above the ingest's limit of %" PRIu32
             " bytes: re-packed into %" PRIu32 " batches, %" PRIu64
             " events too large dropped (lower sensor.ingest.batch-bytes)",
             s->sh->host, s->sh->port, s->big_seq, s->big_len, s->max_payload, made, lost);
    s->have_big = false;
}

static bool window_open(const struct session *s)
{
    return !s->have_big && s->qn < SHIP_WINDOW_BATCHES && s->qbytes < SHIP_WINDOW_BYTES;
}

/* Sends spooled batches while the window allows; waits up to wait_ms for
 * the first one. */
static int fill_window(struct session *s, int wait_ms, bool *read_error)
{
    *read_error = false;
    while (window_open(s)) {
        const uint8_t *p;
        size_t len;
        uint64_t seq;
        uint32_t n;
        int r = spool_next(s->sh->sp, &p, &len, &seq, &n, wait_ms);
        wait_ms = 0;
        *read_error = r < 0; /* logged by the spool; retried after a pause */
        if (r != 1) return 0;
        if (FRAME_BATCH_HEADER_LEN + len > s->max_payload) {
            s->have_big = true;
            s->big = p;
            s->big_len = len;
            s->big_seq = seq;
            s->big_n = n;
            return 0;
        }
        if (send_batch(s, p, len, seq, n) != 0) return -1;
    }
    return 0;
}

static int stream(struct session *s)
{
    for (;;) {
        if (stopping(s->sh)) return fail(s, "stopping");
        if (s->have_big && s->qn == 0) repack(s);
        bool read_error;
        if (fill_window(s, s->qn ? 0 : IDLE_WAIT_MS, &read_error) != 0) return -1;
        const struct inflight *front = q_front(s);
        int wait = read_error ? READ_RETRY_MS : 0;
        if (front) {
            int64_t due = front->sent_ns + SHIP_ACK_TIMEOUT_MS * 1000000LL;
            if (now_ns() >= due)
                return fail(s, "no ACK for batch %" PRIu64 " within %d s", front->seq,
                            SHIP_ACK_TIMEOUT_MS / 1000);
            if (!read_error) wait = window_open(s) ? REFILL_WAIT_MS : ms_left(due);
        }
        /* With nothing in flight this only notices an ERROR or a close. */
        if (pump(s, wait) != 0) return -1;
    }
}

static int session_run(struct session *s)
{
    ship_t *sh = s->sh;
    s->fd = -1;
    s->ssl = NULL;
    s->rlen = s->qn = s->qhead = 0;
    s->qbytes = 0;
    s->welcomed = s->progress = s->have_big = s->got_error = false;
    s->backoff = SHIP_BACKOFF_NORMAL;
    s->why[0] = '\0';
    spool_rewind(sh->sp);
    int rc = -1;
    if ((s->fd = tcp_connect(s)) >= 0 && tls_connect(s) == 0 && hello(s) == 0) rc = stream(s);
    conn_close(s);
    atomic_store(&sh->connected, false);
    spool_rewind(sh->sp);
    return rc;
}

/* ---- the thread -------------------------------------------------------------- */

static uint32_t next_rand(uint64_t *st)
{
    /* xorshift64*: jitter only, not security */
    uint64_t x = *st;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

/* One line per change of state: a sensor cut off for hours logs its
 * reason once, not once per retry. */
static void log_outcome(struct session *s, char *last, size_t lastlen)
{
    ship_t *sh = s->sh;
    if (stopping(sh)) return;
    if (s->welcomed) {
        log_warn("ingest %s:%s: connection lost: %s (%zu batches unacked, sent again after "
                 "reconnecting)",
                 sh->host, sh->port, s->why, s->qn);
        last[0] = '\0';
        return;
    }
    if (strcmp(last, s->why) == 0) {
        log_debug("ingest %s:%s: %s (again)", sh->host, sh->port, s->why);
        return;
    }
    log_warn("ingest %s:%s: cannot connect: %s (retrying with backoff; events stay spooled)",
             sh->host, sh->port, s->why);
    snprintf(last, lastlen, "%s", s->why);
}

/* Sleeps ms unless stopped; false when stopped. */
static bool backoff_sleep(ship_t *sh, uint32_t ms)
{
    struct pollfd p = {.fd = sh->wake_fd, .events = POLLIN};
    int64_t deadline = now_ns() + (int64_t)ms * 1000000LL;
    while (!stopping(sh)) {
        int left = ms_left(deadline);
        if (left <= 0) return true;
        if (poll(&p, 1, left) > 0) break;
    }
    return false;
}

void *ship_thread_main(void *arg)
{
    ship_t *sh = arg;
    struct session *s = calloc(1, sizeof(*s)); /* ~9 KiB: off the thread's stack */
    if (!s) {
        log_error("ingest %s:%s: out of memory; events stay spooled", sh->host, sh->port);
        return NULL;
    }
    s->sh = sh;
    uint64_t rnd = 0;
    if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd) || rnd == 0)
        rnd = (uint64_t)now_ns() | 1;
    char last[sizeof(s->why)] = "";
    unsigned attempt = 0;
    while (!stopping(sh)) {
        session_run(s);
        log_outcome(s, last, sizeof(last));
        if (s->progress) attempt = 0;
        uint32_t ms = ship_backoff_ms(s->backoff, attempt, next_rand(&rnd));
        if (attempt < 64) attempt++;
        if (!backoff_sleep(sh, ms)) break;
        atomic_fetch_add(&sh->reconnects, 1);
    }
    free(s);
    return NULL;
}
