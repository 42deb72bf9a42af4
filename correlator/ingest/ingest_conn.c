/* ingest_conn.c -- one sensor connection, on its own thread: TLS handshake,
 * HELLO/WELCOME, then BATCH -> check -> store -> ACK, strictly in order
 * (PROTOCOL.md section 3). Every failure ends this connection only. */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <openssl/err.h>

#include "frame.h"
#include "ingest_batch.h"
#include "ingest_server_int.h"
#include "log.h"
#include "tls.h"

#define RBUF_START   (64u << 10) /* receive buffer; grows to a frame's size */
#define RBUF_KEEP    (1u << 20)  /* larger buffers are freed once empty */
#define LINGER_MS    2000        /* after an ERROR, see linger() */
#define LINGER_BYTES (64u << 20)
#define ACK_BATCH    64 /* ACKs sent in one write at most */

typedef struct conn {
    ingest_server_t *srv;
    ingest_slot_t *slot;
    const ingest_config_t *cfg;
    SSL *ssl;
    int fd;
    bool broken;     /* a fatal TLS error: no close_notify */
    bool sent_error; /* an ERROR went out: linger so it is not lost to a reset */
    char who[INGEST_NAME_MAX + INGEST_REMOTE_MAX + 4]; /* "name (addr)" or "addr" */
    char name[INGEST_NAME_MAX + 1];
    struct frame_hello hello;
    uint8_t *buf; /* received bytes: frames from pos to len */
    size_t cap, len, pos;
    uint8_t acks[ACK_BATCH * FRAME_ACK_LEN];
    size_t ack_len;
    ingest_store_t *store;
    ingest_batch_t batch;
    ingest_stats_sample_t prev_stats; /* for rates between stats events */
    uint64_t last_stored;             /* highest batch seq stored for (name, spool_id) */
    uint64_t last_seq;                /* last batch seq seen on this connection */
    uint32_t in_flight;               /* batches submitted to Redis, not yet acked */
    uint64_t batches, events;
} conn_t;

static bool settle(conn_t *c);

/* ---- socket and slot --------------------------------------------------------------- */

static void set_timeouts(int fd, unsigned sec)
{
    struct timeval tv = {(time_t)sec, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void socket_options(int fd, unsigned timeout)
{
    int one = 1, idle = 60, intvl = 10, cnt = 6;
    /* ACKs and WELCOME are small: send them now, not after Nagle's delay */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    /* notice a sensor that vanished without a FIN within ~2 minutes */
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    set_timeouts(fd, timeout);
}

static bool slot_flag(conn_t *c, const bool *flag)
{
    pthread_mutex_lock(&c->srv->lock);
    bool v = *flag;
    pthread_mutex_unlock(&c->srv->lock);
    return v;
}

static bool stopping(conn_t *c)
{
    return atomic_load(&c->srv->stopping);
}

/* ---- sending ------------------------------------------------------------------------- */

static bool send_all(conn_t *c, const void *p, size_t n)
{
    if (c->broken) return false;
    ERR_clear_error();
    int r = SSL_write(c->ssl, p, (int)n);
    if (r == (int)n) return true;
    char why[256];
    tls_failure_reason(c->ssl, r, why, sizeof(why));
    c->broken = true;
    if (!stopping(c)) log_warn("%s: send failed: %s", c->who, why);
    return false;
}

static bool flush_acks(conn_t *c)
{
    if (c->ack_len == 0) return true;
    bool ok = send_all(c, c->acks, c->ack_len);
    c->ack_len = 0;
    return ok;
}

static bool queue_ack(conn_t *c, uint64_t seq)
{
    frame_ack_encode(c->acks + c->ack_len, seq);
    c->ack_len += FRAME_ACK_LEN;
    return c->ack_len < sizeof(c->acks) || flush_acks(c);
}

/* ERROR code text, after the acks of every batch stored before (so the
 * sensor knows which batch was refused); the caller then closes. */
static void send_error(conn_t *c, uint16_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void send_error(conn_t *c, uint16_t code, const char *fmt, ...)
{
    char text[FRAME_ERROR_TEXT_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    uint8_t frame[FRAME_ERROR_LEN_MAX];
    size_t n = frame_error_encode(frame, code, text);
    ingest_count(INGEST_C_ERRORS, 1);
    log_warn("%s: ERROR %u (%s): %s", c->who, code, frame_error_name(code), text);
    if (flush_acks(c) && send_all(c, frame, n)) c->sent_error = true;
}

/* After an ERROR: stop sending and discard what the sensor still sends (the
 * batches it pipelined) for a moment. Closing with unread data would make
 * the kernel answer with a reset, and a reset can destroy the ERROR (and
 * the last ACKs) before the sensor has read them. */
static void linger(conn_t *c)
{
    shutdown(c->fd, SHUT_WR);
    uint64_t end = ingest_now_ms() + LINGER_MS;
    size_t total = 0;
    char scratch[16384];
    for (uint64_t now = ingest_now_ms(); now < end && total < LINGER_BYTES; now = ingest_now_ms()) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, (int)(end - now)) <= 0) break;
        ssize_t n = recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT);
        if (n <= 0) break; /* the sensor closed (or gave up) too */
        total += (size_t)n;
    }
}

/* ---- receiving ----------------------------------------------------------------------- */

/* Room for the rest of the frame at pos (its header says how long it is). */
static bool make_room(conn_t *c)
{
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->pos = 0;
    }
    size_t want = RBUF_START;
    if (c->len >= FRAME_HEADER_LEN) {
        /* frame_decode has checked the length against the limit */
        const uint8_t *h = c->buf;
        size_t plen = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
        if (FRAME_HEADER_LEN + plen > want) want = FRAME_HEADER_LEN + plen;
    }
    if (c->cap >= want) return true;
    uint8_t *b = realloc(c->buf, want);
    if (!b) return false;
    c->buf = b;
    c->cap = want;
    return true;
}

/* Input can be read without blocking. */
static bool input_ready(conn_t *c)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    return SSL_pending(c->ssl) > 0 || poll(&p, 1, 0) > 0;
}

/* Bytes read (> 0), 0 at end of stream, -1 timeout or error (logged). */
static int tls_read(conn_t *c)
{
    size_t room = c->cap - c->len;
    ERR_clear_error();
    int r = SSL_read(c->ssl, c->buf + c->len, room > INT32_MAX ? INT32_MAX : (int)room);
    if (r > 0) {
        c->len += (size_t)r;
        return r;
    }
    int kind = SSL_get_error(c->ssl, r);
    if (kind == SSL_ERROR_ZERO_RETURN) return 0; /* close_notify, or EOF (ignored-EOF mode) */
    c->broken = true;
    if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
        if (c->name[0])
            log_info("%s: nothing received for %u s, closing", c->who, c->cfg->idle_timeout);
        else
            log_warn("%s: timed out waiting for HELLO", c->who);
        return -1;
    }
    char why[256];
    tls_failure_reason(c->ssl, r, why, sizeof(why));
    if (!stopping(c)) log_warn("%s: %s", c->who, why);
    return -1;
}

/* Next frame (payload length at most limit) into *f; its bytes stay valid
 * until the next call. 1: a frame; 0: the peer closed between frames;
 * -1: closed, timed out or failed (logged; ERROR sent when one is due). */
static int next_frame(conn_t *c, uint32_t limit, struct frame *f)
{
    for (;;) {
        size_t used;
        char err[256];
        int r = frame_decode(c->buf + c->pos, c->len - c->pos, limit, f, &used, err, sizeof(err));
        if (r == FRAME_OK) {
            c->pos += used;
            return 1;
        }
        if (r < 0) {
            if (settle(c)) send_error(c, (uint16_t)frame_status_error(r), "%s", err);
            return -1;
        }
        if (!make_room(c)) {
            send_error(c, FRAME_ERR_BUSY, "server busy (out of memory), retry later");
            return -1;
        }
        /* before we may block: what is in flight is stored and acked, or
         * the sensor, waiting for those ACKs, would wait for us */
        if (c->in_flight > 0 && !input_ready(c) && !settle(c)) return -1;
        if (!flush_acks(c)) return -1;
        int n = tls_read(c);
        if (n > 0) continue;
        if (n < 0) return -1;
        if (slot_flag(c, &c->slot->timed_out)) {
            log_warn("%s: timed out waiting for HELLO", c->who);
        } else if (slot_flag(c, &c->slot->superseded)) {
            log_info("%s: replaced by a newer session of the same sensor", c->who);
        } else if (c->len > c->pos && !stopping(c)) {
            log_warn("%s: connection closed in the middle of a frame (%zu bytes of it received)",
                     c->who, c->len - c->pos);
        } else if (c->len == c->pos) {
            return 0;
        }
        return -1;
    }
}

/* ---- handshake and HELLO ----------------------------------------------------------------- */

static bool handshake(conn_t *c)
{
    SSL_set_fd(c->ssl, c->fd);
    ERR_clear_error();
    int r = SSL_accept(c->ssl);
    if (r == 1) return true;
    char why[256];
    const char *reason = tls_failure_reason(c->ssl, r, why, sizeof(why));
    c->broken = true;
    if (slot_flag(c, &c->slot->timed_out)) reason = "timed out waiting for the peer";
    if (stopping(c)) return false;
    ingest_count(ingest_refusal_counter(reason), 1);
    /* a bare connect and close (port probe, health check) is not worth a warning */
    log_msg(strcmp(reason, "connection closed by peer") == 0 ? SOC_LOG_INFO : SOC_LOG_WARN,
            "refused %s: %s", c->slot->remote, reason);
    return false;
}

/* HELLO, sensor name, registry, WELCOME. */
static bool hello(conn_t *c)
{
    char cn[INGEST_NAME_MAX + 2], err[512];
    if (tls_peer_name(c->ssl, cn, sizeof(cn)) != 0 || !ingest_name_valid(cn)) {
        send_error(c, FRAME_ERR_UNAUTHORISED,
                   "certificate name is not a sensor name ([A-Za-z0-9._-], at most 64 bytes)");
        return false;
    }
    struct frame f;
    int r = next_frame(c, FRAME_CONTROL_MAX, &f);
    if (r == 0) log_info("%s: closed before HELLO", c->who);
    if (r <= 0) return false;
    if (f.type != FRAME_HELLO) {
        send_error(c, FRAME_ERR_MALFORMED, "frame: expected HELLO first, got %s",
                   frame_type_name(f.type));
        return false;
    }
    r = frame_hello_decode(f.payload, f.len, &c->hello, err, sizeof(err));
    if (r != FRAME_OK) {
        send_error(c, (uint16_t)frame_status_error(r), "%s", err);
        return false;
    }
    memcpy(c->name, cn, strlen(cn) + 1); /* ingest_name_valid: at most 64 bytes */
    snprintf(c->who, sizeof(c->who), "%s (%s)", cn, c->slot->remote);
    /* the handshake deadline ends here; an older session of this sensor
     * finishes its batch and closes */
    ingest_server_claim(c->srv, c->slot, cn);
    c->store = ingest_store_open(&c->srv->store_opts, err, sizeof(err));
    if (!c->store || ingest_store_hello(c->store, cn, &c->hello, c->slot->remote, &c->last_stored,
                                        err, sizeof(err)) != 0) {
        log_warn("%s: storage unavailable: %s", c->who, err);
        send_error(c, FRAME_ERR_BUSY, "storage unavailable, retry later");
        return false;
    }
    set_timeouts(c->fd, c->cfg->idle_timeout);
    uint8_t w[FRAME_WELCOME_LEN];
    frame_welcome_encode(w, c->last_stored, c->cfg->max_payload);
    if (!send_all(c, w, sizeof(w))) return false;
    ingest_count(INGEST_C_SESSIONS, 1);
    log_info("%s: session: version %s, interface %s, boot %s, spool %s, last batch %" PRIu64,
             c->who, c->hello.version, c->hello.interface, c->hello.boot_id, c->hello.spool_id,
             c->last_stored);
    return true;
}

/* ---- batches -------------------------------------------------------------------------------- */

/* The oldest batch in flight is stored: count it and queue its ACK. False
 * when Redis failed (ERROR 5 sent: the sensor resends from its spool). */
static bool complete_one(conn_t *c)
{
    char err[512];
    uint64_t seq = 0, stored = 0;
    int r = ingest_store_complete(c->store, c->name, c->hello.spool_id, &seq, &stored, err,
                                  sizeof(err));
    if (r < 0) {
        ingest_count(INGEST_C_STORE_FAILURES, 1);
        log_warn("%s: batch not stored: %s", c->who, err);
        c->in_flight = 0;
        send_error(c, FRAME_ERR_BUSY, "storage unavailable, retry later");
        return false;
    }
    if (r == 0) return true;
    c->in_flight--;
    c->last_stored = seq;
    if (stored == 0) {
        ingest_count(INGEST_C_DUPLICATES, 1);
    } else {
        ingest_count(INGEST_C_BATCHES, 1);
        ingest_count(INGEST_C_EVENTS, stored);
        c->batches++;
        c->events += stored;
    }
    return queue_ack(c, seq);
}

/* Every batch in flight stored and acked (before an ERROR, a duplicate's
 * ACK or a wait for more input), and the registry updates read. */
static bool settle(conn_t *c)
{
    while (c->in_flight > 0)
        if (!complete_one(c)) return false;
    char err[512];
    if (c->store && ingest_store_settle(c->store, err, sizeof(err)) != 0) {
        /* the batches are stored and acked; only the registry lags */
        log_warn("%s: registry not updated: %s", c->who, err);
    }
    return true;
}

static bool handle_batch(conn_t *c, const struct frame *f)
{
    char err[512];
    uint64_t seq;
    uint32_t count;
    struct frame_batch_iter it;
    if (frame_batch_open(f->payload, f->len, &seq, &count, &it, err, sizeof(err)) != FRAME_OK) {
        if (settle(c)) send_error(c, FRAME_ERR_MALFORMED, "%s", err);
        return false;
    }
    if (seq <= c->last_seq) {
        if (settle(c))
            send_error(c, FRAME_ERR_MALFORMED,
                       "batch %" PRIu64 ": seq not above the previous batch %" PRIu64
                       " on this connection",
                       seq, c->last_seq);
        return false;
    }
    c->last_seq = seq;
    if (seq <= c->last_stored) { /* stored before, its ACK was lost */
        ingest_count(INGEST_C_DUPLICATES, 1);
        return settle(c) && queue_ack(c, seq);
    }
    int r = ingest_batch_build(&c->batch, f->payload, f->len, c->name, c->cfg->shards,
                               &c->prev_stats, err, sizeof(err));
    if (r != INGEST_OK) {
        uint16_t code = r == INGEST_E_FOREIGN ? FRAME_ERR_UNAUTHORISED
                        : r == INGEST_E_NOMEM ? FRAME_ERR_BUSY
                                              : FRAME_ERR_MALFORMED;
        if (settle(c)) send_error(c, code, "%s", err);
        return false;
    }
    if (ingest_store_submit(c->store, c->name, c->hello.spool_id, &c->batch, err, sizeof(err)) !=
        0) {
        ingest_count(INGEST_C_STORE_FAILURES, 1);
        log_warn("%s: batch %" PRIu64 " not stored: %s", c->who, seq, err);
        c->in_flight = 0;
        send_error(c, FRAME_ERR_BUSY, "storage unavailable, retry later");
        return false;
    }
    c->in_flight++;
    if (c->batch.has_stats) c->prev_stats = c->batch.stats;
    ingest_batch_trim(&c->batch);
    /* two in flight: Redis has the newer one to work on while the older
     * one's replies are read */
    return c->in_flight < 2 || complete_one(c);
}

static void session(conn_t *c)
{
    if (!hello(c)) return;
    struct frame f;
    /* after a stop request or a newer session, only the batch in progress
     * is finished */
    while (!stopping(c) && !slot_flag(c, &c->slot->superseded)) {
        if (next_frame(c, c->cfg->max_payload, &f) <= 0) break;
        if (f.type == FRAME_BATCH) {
            if (!handle_batch(c, &f)) return;
            if (c->pos == c->len && c->cap > RBUF_KEEP) { /* idle sensors hold little */
                free(c->buf);
                c->buf = NULL;
                c->cap = c->len = c->pos = 0;
            }
        } else if (f.type == FRAME_ERROR) {
            uint16_t code;
            const char *text;
            size_t n;
            if (frame_error_decode(f.payload, f.len, &code, &text, &n, NULL, 0) == FRAME_OK)
                log_warn("%s: sensor sent ERROR %u: %.*s", c->who, code,
                         n > FRAME_ERROR_TEXT_MAX ? FRAME_ERROR_TEXT_MAX : (int)n, text);
            else
                log_warn("%s: sensor sent a malformed ERROR frame", c->who);
            return;
        } else {
            if (settle(c))
                send_error(c, FRAME_ERR_MALFORMED, "frame: %s not allowed after WELCOME",
                           frame_type_name(f.type));
            return;
        }
    }
    if (settle(c)) flush_acks(c);
    log_info("%s: closed after %" PRIu64 " batches, %" PRIu64 " events stored", c->who, c->batches,
             c->events);
}

/* ---- thread -------------------------------------------------------------------------------- */

void *ingest_conn_main(void *arg)
{
    ingest_slot_t *slot = arg;
    ingest_server_t *srv = slot->srv;
    conn_t *c = calloc(1, sizeof(*c));
    if (!c) {
        SSL_free(slot->ssl);
        ingest_server_release(srv, slot);
        return NULL;
    }
    c->srv = srv;
    c->slot = slot;
    c->cfg = srv->cfg;
    c->ssl = slot->ssl;
    c->fd = slot->fd; /* stays open until ingest_server_release */
    snprintf(c->who, sizeof(c->who), "%s", slot->remote);
    socket_options(c->fd, c->cfg->handshake_timeout);
    if (handshake(c)) {
        if (slot->busy) {
            ingest_count(INGEST_C_BUSY, 1);
            send_error(c, FRAME_ERR_BUSY, "server busy (%u connections), retry later",
                       c->cfg->max_connections);
        } else {
            session(c);
        }
        if (!c->broken) SSL_shutdown(c->ssl); /* close_notify; the peer's is not awaited */
        if (c->sent_error) linger(c);
    }
    ingest_store_close(c->store);
    ingest_batch_free(&c->batch);
    free(c->buf);
    SSL_free(c->ssl);
    free(c);
    ingest_server_release(srv, slot);
    return NULL;
}
