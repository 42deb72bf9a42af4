/* ingest_server.c -- see ingest_server.h. */
#include "ingest_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ingest_server_int.h"
#include "log.h"
#include "tls.h"

#define CONN_STACK_SIZE (512u << 10) /* OpenSSL and hiredis need little */
#define POLL_MS         250          /* deadline and reload granularity */

uint64_t ingest_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "1.2.3.4:5", "[2001:db8::1]:5"; v4-mapped IPv6 shown as IPv4. */
static void format_remote(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
        port = ntohs(a->sin_port);
        snprintf(out, cap, "%s:%u", host, port);
        return;
    }
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
    port = ntohs(a->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
        inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], host, sizeof(host));
        snprintf(out, cap, "%s:%u", host, port);
    } else {
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
        snprintf(out, cap, "[%s]:%u", host, port);
    }
}

/* ---- set-up ---------------------------------------------------------------------- */

static int open_listener(const ingest_config_t *cfg, char *err, size_t errlen)
{
    int fd = socket(cfg->listen_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "listen %s: socket: %s", cfg->listen, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)&cfg->listen_addr, cfg->listen_addr_len) != 0 ||
        listen(fd, 511) != 0) {
        snprintf(err, errlen, "listen %s: %s", cfg->listen, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

ingest_server_t *ingest_server_new(const ingest_config_t *cfg, const char *password, char *err,
                                   size_t errlen)
{
    ingest_server_t *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    s->listen_fd = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    snprintf(s->password, sizeof(s->password), "%s", password);
    s->store_opts = (ingest_store_opts_t){
        .socket = cfg->redis_socket,
        .user = cfg->redis_user,
        .password = s->password,
        .shards = cfg->shards,
        .stream_maxlen = cfg->stream_maxlen,
        .timeout_ms = 30000,
    };
    s->nslots = cfg->max_connections + INGEST_BUSY_SLOTS;
    s->slots = calloc(s->nslots, sizeof(*s->slots));
    if (!s->slots) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    s->ctx = tls_server_ctx(cfg->cert, cfg->key, cfg->ca, cfg->crl, err, errlen);
    if (!s->ctx) goto fail;
    /* A sensor that just closes the TCP connection ends its session like
     * one that sends close_notify (its unacked batches are resent anyway). */
    SSL_CTX_set_options(s->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* Read whole TLS records, several per recv, rather than header then
     * body: half the system calls for a stream of large batches. */
    SSL_CTX_set_read_ahead(s->ctx, 1);
    SSL_CTX_set_default_read_buffer_len(s->ctx, 64u << 10);
    s->listen_fd = open_listener(cfg, err, errlen);
    if (s->listen_fd < 0) goto fail;
    return s;
fail:
    ingest_server_free(s);
    return NULL;
}

void ingest_server_free(ingest_server_t *s)
{
    if (!s) return;
    if (s->listen_fd >= 0) close(s->listen_fd);
    if (s->ctx) SSL_CTX_free(s->ctx);
    ingest_store_close(s->stats_store);
    free(s->slots);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->changed);
    explicit_bzero(s->password, sizeof(s->password));
    free(s);
}

/* ---- slots ---------------------------------------------------------------------- */

/* A free slot, normal while under max-connections, else a busy one. */
static ingest_slot_t *take_slot(ingest_server_t *s, int fd)
{
    ingest_slot_t *slot = NULL;
    pthread_mutex_lock(&s->lock);
    bool busy = s->active >= s->cfg->max_connections;
    if (!busy || s->busy_active < INGEST_BUSY_SLOTS) {
        for (uint32_t i = 0; i < s->nslots; i++) {
            if (!s->slots[i].used) {
                slot = &s->slots[i];
                break;
            }
        }
    }
    if (slot) {
        memset(slot, 0, sizeof(*slot));
        slot->used = true;
        slot->busy = busy;
        slot->fd = fd;
        slot->srv = s;
        slot->deadline_ms = ingest_now_ms() + (uint64_t)s->cfg->handshake_timeout * 1000;
        if (busy)
            s->busy_active++;
        else
            s->active++;
    }
    pthread_mutex_unlock(&s->lock);
    return slot;
}

void ingest_server_release(ingest_server_t *s, ingest_slot_t *slot)
{
    pthread_mutex_lock(&s->lock);
    int fd = slot->fd;
    slot->fd = -1;
    if (slot->busy)
        s->busy_active--;
    else
        s->active--;
    slot->used = false;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    if (fd >= 0) close(fd);
}

void ingest_server_claim(ingest_server_t *s, ingest_slot_t *slot, const char *name)
{
    pthread_mutex_lock(&s->lock);
    for (uint32_t i = 0; i < s->nslots; i++) {
        ingest_slot_t *o = &s->slots[i];
        if (o == slot || !o->used || !o->in_session || o->fd < 0) continue;
        if (strcmp(o->name, name) != 0) continue;
        o->superseded = true;
        shutdown(o->fd, SHUT_RD);
    }
    snprintf(slot->name, sizeof(slot->name), "%s", name);
    slot->in_session = true;
    pthread_mutex_unlock(&s->lock);
}

/* Cut handshakes (and HELLOs) that passed their deadline. */
static void enforce_deadlines(ingest_server_t *s)
{
    uint64_t now = ingest_now_ms();
    pthread_mutex_lock(&s->lock);
    for (uint32_t i = 0; i < s->nslots; i++) {
        ingest_slot_t *o = &s->slots[i];
        if (!o->used || o->in_session || o->timed_out || o->fd < 0 || now < o->deadline_ms)
            continue;
        o->timed_out = true;
        shutdown(o->fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&s->lock);
}

/* ---- accepting --------------------------------------------------------------------- */

static void start_connection(ingest_server_t *s, int fd, const struct sockaddr_storage *peer)
{
    ingest_count(INGEST_C_CONNECTIONS, 1);
    char remote[INGEST_REMOTE_MAX];
    format_remote(peer, remote, sizeof(remote));
    ingest_slot_t *slot = take_slot(s, fd);
    if (!slot) {
        ingest_count(INGEST_C_BUSY, 1);
        log_warn("refused %s: server busy (%u connections)", remote, s->cfg->max_connections);
        close(fd);
        return;
    }
    snprintf(slot->remote, sizeof(slot->remote), "%s", remote);
    slot->ssl = SSL_new(s->ctx); /* here: tls_server_reload_crl runs on this thread */
    pthread_attr_t attr;
    pthread_t th;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, CONN_STACK_SIZE);
    int rc = slot->ssl ? pthread_create(&th, &attr, ingest_conn_main, slot) : ENOMEM;
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        log_error("refused %s: cannot start a connection thread: %s", remote, strerror(rc));
        if (slot->ssl) SSL_free(slot->ssl);
        ingest_server_release(s, slot);
    }
}

static void reload_crl(ingest_server_t *s)
{
    char err[512];
    if (tls_server_reload_crl(s->ctx, s->cfg->crl, err, sizeof(err)) == 0)
        log_info("reloaded the CRL %s", s->cfg->crl);
    else
        log_error("CRL not reloaded, the old one stays in force: %s", err);
}

static void *accept_main(void *arg)
{
    ingest_server_t *s = arg;
    while (!atomic_load(&s->stopping)) {
        if (atomic_exchange(&s->reload, false)) reload_crl(s);
        enforce_deadlines(s);
        struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
        int n = poll(&p, 1, POLL_MS);
        if (n <= 0) continue;
        struct sockaddr_storage peer;
        socklen_t plen = sizeof(peer);
        int fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                log_error("accept: %s", strerror(errno));
                struct timespec t = {0, 100 * 1000 * 1000}; /* let connections close */
                nanosleep(&t, NULL);
            }
            continue;
        }
        start_connection(s, fd, &peer);
    }
    return NULL;
}

int ingest_server_start(ingest_server_t *s, char *err, size_t errlen)
{
    int rc = pthread_create(&s->accept_thread, NULL, accept_main, s);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the accept thread: %s", strerror(rc));
        return -1;
    }
    s->accept_started = true;
    return 0;
}

void ingest_server_reload_crl(ingest_server_t *s)
{
    atomic_store(&s->reload, true);
}

void ingest_server_stop(ingest_server_t *s, unsigned wait_sec)
{
    atomic_store(&s->stopping, true);
    if (s->accept_started) pthread_join(s->accept_thread, NULL);
    s->accept_started = false;
    if (s->listen_fd >= 0) close(s->listen_fd);
    s->listen_fd = -1;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_sec;
    pthread_mutex_lock(&s->lock);
    /* reading stops; a batch being stored is finished and acked */
    for (uint32_t i = 0; i < s->nslots; i++)
        if (s->slots[i].used && s->slots[i].fd >= 0) shutdown(s->slots[i].fd, SHUT_RD);
    while (s->active + s->busy_active > 0)
        if (pthread_cond_timedwait(&s->changed, &s->lock, &until) != 0) break;
    uint32_t left = s->active + s->busy_active;
    pthread_mutex_unlock(&s->lock);
    if (left) log_warn("stopping with %u connections still busy", left);
}

/* ---- counters ------------------------------------------------------------------------ */

void ingest_server_flush_counters(ingest_server_t *s)
{
    uint64_t d[INGEST_C_COUNT];
    ingest_counters_take(d);
    bool any = false;
    for (int i = 0; i < INGEST_C_COUNT; i++)
        any |= d[i] != 0;
    if (!any) return;
    char err[512];
    if (!s->stats_store) s->stats_store = ingest_store_open(&s->store_opts, err, sizeof(err));
    if (s->stats_store && ingest_store_add_counters(s->stats_store, d, err, sizeof(err)) == 0) {
        s->stats_down_logged = false;
        return;
    }
    ingest_counters_put_back(d);
    ingest_store_close(s->stats_store);
    s->stats_store = NULL;
    if (!s->stats_down_logged) log_warn("counters not saved: %s", err);
    s->stats_down_logged = true;
}
