/* ship.c -- set-up of the shipper, the packet thread's side (batches into
 * the spool, drop reports, the drain at exit) and its counters. The
 * network side is ship_session.c. */
#include "ship_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eve.h"
#include "log.h"
#include "tls.h"

#define REPORT_INTERVAL_NS 1000000000LL /* at most one drop anomaly per second */
#define DRAIN_STEP_MS      20

void ship_config_defaults(ship_config_t *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->spool_dir, sizeof(c->spool_dir), "%s", SHIP_DEFAULT_SPOOL_DIR);
    c->spool_bytes = SHIP_DEFAULT_SPOOL_BYTES;
    c->batch_events = SHIP_DEFAULT_BATCH_EVENTS;
    c->batch_bytes = SHIP_DEFAULT_BATCH_BYTES;
    c->flush_ms = SHIP_DEFAULT_FLUSH_MS;
    c->drain_ms = SHIP_DEFAULT_DRAIN_MS;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- spool_id ---------------------------------------------------------- */

static void random_hex_id(char out[FRAME_ID_HEX_LEN + 1])
{
    uint8_t r[FRAME_ID_HEX_LEN / 2];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        /* No entropy source: time and pid still make collisions unlikely,
         * and a collision can only cause duplicates (PROTOCOL.md 3.1). */
        uint64_t t = (uint64_t)mono_ns() ^ ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
        for (size_t i = 0; i < sizeof(r); i++)
            r[i] = (uint8_t)(t >> ((i % 8) * 8)) ^ (uint8_t)(i * 37);
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(r); i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[FRAME_ID_HEX_LEN] = '\0';
}

/* 1: a valid id read; 0: missing; -1: present but unusable (*why). */
static int read_spool_id(int dirfd, char out[FRAME_ID_HEX_LEN + 1], const char **why)
{
    int fd = openat(dirfd, SHIP_SPOOL_ID_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return errno == ENOENT ? 0 : -1;
    }
    char b[FRAME_ID_HEX_LEN + 3];
    ssize_t n = read(fd, b, sizeof(b));
    close(fd);
    *why = "not 32 lowercase hex digits";
    if (n == FRAME_ID_HEX_LEN + 1 && b[FRAME_ID_HEX_LEN] == '\n') n--;
    if (n != FRAME_ID_HEX_LEN) return -1;
    for (int i = 0; i < FRAME_ID_HEX_LEN; i++)
        if (!((b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'f'))) return -1;
    memcpy(out, b, FRAME_ID_HEX_LEN);
    out[FRAME_ID_HEX_LEN] = '\0';
    return 1;
}

/* Written to a temporary name and renamed, both fsynced, so a crash leaves
 * either no id or a whole one. */
static int write_spool_id(int dirfd, const char *id)
{
    static const char tmp[] = SHIP_SPOOL_ID_FILE ".tmp";
    char line[FRAME_ID_HEX_LEN + 1];
    memcpy(line, id, FRAME_ID_HEX_LEN);
    line[FRAME_ID_HEX_LEN] = '\n';
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0) return -1;
    int rc = write(fd, line, sizeof(line)) == (ssize_t)sizeof(line) && fsync(fd) == 0 ? 0 : -1;
    int e = errno;
    close(fd);
    if (rc == 0 && renameat(dirfd, tmp, dirfd, SHIP_SPOOL_ID_FILE) == 0 && fsync(dirfd) == 0)
        return 0;
    e = rc == 0 ? errno : e;
    unlinkat(dirfd, tmp, 0);
    errno = e;
    return -1;
}

int ship_spool_id(const char *dir, char out[FRAME_ID_HEX_LEN + 1], char *err, size_t errlen)
{
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        snprintf(err, errlen, "spool %s: cannot open the directory: %s", dir, strerror(errno));
        return -1;
    }
    const char *why = NULL;
    int r = read_spool_id(dirfd, out, &why);
    if (r < 0) /* A new id only costs duplicates downstream, never loss. */
        log_warn("spool: %s/%s: %s; drawing a new spool id (batches here will be stored again)",
                 dir, SHIP_SPOOL_ID_FILE, why);
    if (r <= 0) {
        random_hex_id(out);
        if (write_spool_id(dirfd, out) != 0) {
            snprintf(err, errlen, "spool %s: cannot write %s: %s", dir, SHIP_SPOOL_ID_FILE,
                     strerror(errno));
            close(dirfd);
            return -1;
        }
    }
    close(dirfd);
    return 0;
}

/* ---- set-up ------------------------------------------------------------ */

/* The one CN of our own certificate (tls_peer_name's rules). */
static int cert_cn(SSL_CTX *ctx, char *out, size_t outlen)
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    X509_NAME *subj = x ? X509_get_subject_name(x) : NULL;
    int idx = subj ? X509_NAME_get_index_by_NID(subj, NID_commonName, -1) : -1;
    if (idx < 0 || X509_NAME_get_index_by_NID(subj, NID_commonName, idx) >= 0) return -1;
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)));
    int rc = n > 0 && (size_t)n < outlen ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++)
        if (utf8[i] < 0x20 || utf8[i] == 0x7f) rc = -1;
    if (rc == 0) memcpy(out, utf8, (size_t)n + 1);
    OPENSSL_free(utf8);
    return rc;
}

/* A batch must fit one spool segment (spool_open's default segment size:
 * an eighth of the spool, at most 16 MiB). */
static void fit_batch_to_segment(ship_config_t *c)
{
    uint64_t seg = SPOOL_DEFAULT_SEGMENT_BYTES;
    if (seg > c->spool_bytes / 8) seg = c->spool_bytes / 8;
    if (seg < SPOOL_MIN_SEGMENT_BYTES) seg = SPOOL_MIN_SEGMENT_BYTES;
    /* record = 20-byte header + lines; lines = batch payload - 12 */
    uint64_t max = seg - SPOOL_RECORD_HDR + FRAME_BATCH_HEADER_LEN;
    if (c->batch_bytes > max) {
        log_warn("ingest: batch-bytes %" PRIu32 " lowered to %" PRIu64
                 " so a batch fits a spool segment (spool-size %" PRIu64 " / 8)",
                 c->batch_bytes, max, c->spool_bytes);
        c->batch_bytes = (uint32_t)max;
    }
}

static int emit_batch(void *ud, const uint8_t *lines, size_t len, uint32_t count)
{
    return ship_append(ud, lines, len, count);
}

int ship_append(ship_t *sh, const uint8_t *lines, size_t len, uint32_t count)
{
    uint64_t seq = 0;
    pthread_mutex_lock(&sh->append_mtx);
    int rc = spool_append(sh->sp, lines, len, count, &seq);
    if (rc == 0 && seq > sh->last_appended) sh->last_appended = seq;
    pthread_mutex_unlock(&sh->append_mtx);
    return rc;
}

static ship_t *ship_alloc(void)
{
    ship_t *sh = calloc(1, sizeof(*sh));
    if (!sh) return NULL;
    sh->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&sh->append_mtx, NULL);
    atomic_init(&sh->stop, false);
    atomic_init(&sh->connected, false);
    atomic_init(&sh->acked_batches, 0);
    atomic_init(&sh->reconnects, 0);
    atomic_init(&sh->rejected_batches, 0);
    atomic_init(&sh->rejected_events, 0);
    atomic_init(&sh->repack_too_large, 0);
    return sh;
}

ship_t *ship_open(const ship_config_t *c, const char *version, const char *interface, char *err,
                  size_t errlen)
{
    ship_t *sh = ship_alloc();
    if (!sh || sh->wake_fd < 0) {
        snprintf(err, errlen, "ingest: cannot set up: %s", sh ? strerror(errno) : "out of memory");
        ship_close(sh);
        return NULL;
    }
    sh->cfg = *c;
    uint16_t port;
    char why[256];
    if (ship_parse_server(c->server, sh->host, sizeof(sh->host), &port, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "ingest server %s", why);
        goto fail;
    }
    snprintf(sh->port, sizeof(sh->port), "%u", port);
    if (!c->cert[0] || !c->key[0] || !c->ca[0]) {
        snprintf(err, errlen,
                 "ingest: --cert, --key and --ca (sensor.ingest.cert/key/ca) are "
                 "needed to reach %s",
                 c->server);
        goto fail;
    }
    if (!(sh->ctx = tls_client_ctx(c->cert, c->key, c->ca, err, errlen))) goto fail;
    if (cert_cn(sh->ctx, sh->cert_cn, sizeof(sh->cert_cn)) != 0) {
        snprintf(err, errlen,
                 "%s: the certificate needs exactly one printable CN (the sensor name)", c->cert);
        goto fail;
    }
    fit_batch_to_segment(&sh->cfg);
    if (!(sh->sp = spool_open(c->spool_dir, c->spool_bytes, 0, err, errlen))) goto fail;
    if (ship_spool_id(c->spool_dir, sh->spool_id, err, errlen) != 0) goto fail;
    snprintf(sh->version, sizeof(sh->version), "%s", version);
    snprintf(sh->interface, sizeof(sh->interface), "%s", interface);
    ship_batcher_init(&sh->batcher, sh->cfg.batch_events, sh->cfg.batch_bytes, sh->cfg.flush_ms,
                      emit_batch, sh);
    return sh;
fail:
    ship_close(sh);
    return NULL;
}

const char *ship_cert_name(const ship_t *sh)
{
    return sh->cert_cn;
}

/* ---- the EVE sink ------------------------------------------------------ */

static void sink_line(void *ud, const char *line, size_t len)
{
    ship_t *sh = ud;
    ship_batcher_add(&sh->batcher, line, len);
}

static void sink_stats(void *ud, jw_t *w)
{
    ship_write_stats(ud, w);
}

void ship_attach(ship_t *sh, struct eve *e)
{
    sh->eve = e;
    eve_sink_t sink = {.line = sink_line, .stats = sink_stats, .ud = sh};
    eve_set_sink(e, &sink);
    if (ship_hello_init(&sh->hello, sh->version, sh->interface, eve_boot_id(e), sh->spool_id) != 0)
        log_error("ingest: cannot build HELLO (version '%s', interface '%s')", sh->version,
                  sh->interface);
}

static bool spool_file_name(const char *n)
{
    size_t len = strlen(n);
    return strcmp(n, "state") == 0 || strcmp(n, SHIP_SPOOL_ID_FILE) == 0 ||
           (len > 4 && strcmp(n + len - 4, ".seg") == 0);
}

int ship_spool_chown(ship_t *sh, uid_t uid, gid_t gid, char *err, size_t errlen)
{
    const char *dir = sh->cfg.spool_dir;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int dfd2 = dfd >= 0 ? dup(dfd) : -1;
    DIR *d = dfd2 >= 0 ? fdopendir(dfd2) : NULL;
    struct stat st;
    int rc = d && fstat(dfd, &st) == 0 ? 0 : -1;
    if (rc == 0 && st.st_uid == 0 && fchown(dfd, uid, gid) != 0) rc = -1;
    for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
        if (!spool_file_name(de->d_name)) continue;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != 0)
            continue;
        if (fchownat(dfd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0) rc = -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "spool %s: cannot hand it to uid %u: %s", dir, (unsigned)uid,
                 strerror(errno));
    if (d)
        closedir(d);
    else if (dfd2 >= 0)
        close(dfd2);
    if (dfd >= 0) close(dfd);
    return rc;
}

int ship_start(ship_t *sh, char *err, size_t errlen)
{
    /* A peer that closes while we write must not kill the sensor: the
     * write fails with EPIPE instead. The sensor has no other use for it. */
    signal(SIGPIPE, SIG_IGN);
    /* Signals stay with the packet thread (it stops the capture). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&sh->thread, NULL, ship_thread_main, sh);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        snprintf(err, errlen, "ingest: cannot start the shipper thread: %s", strerror(e));
        return -1;
    }
    sh->started = true;
    return 0;
}

static void stop_thread(ship_t *sh)
{
    if (!sh->started) return;
    atomic_store(&sh->stop, true);
    uint64_t one = 1;
    if (write(sh->wake_fd, &one, sizeof(one)) < 0) { /* counter full: already signalled */
    }
    spool_wake(sh->sp);
    pthread_join(sh->thread, NULL);
    sh->started = false;
}

/* ---- counters, stats and drop reports ------------------------------------ */

void ship_get_counters(ship_t *sh, struct ship_counters *out)
{
    struct spool_stats st;
    spool_get_stats(sh->sp, &st);
    uint64_t rb = atomic_load(&sh->rejected_batches);
    uint64_t lost_events = atomic_load(&sh->rejected_events) + atomic_load(&sh->repack_too_large) +
                           sh->batcher.too_large + sh->batcher.failed;
    *out = (struct ship_counters){
        .batches_spooled = st.appended_batches,
        .batches_acked = atomic_load(&sh->acked_batches),
        .batches_dropped = st.dropped_batches + rb,
        .events_dropped = st.dropped_events + lost_events,
        .spool_bytes = st.bytes,
        .reconnects = atomic_load(&sh->reconnects),
        .connected = atomic_load(&sh->connected),
    };
}

void ship_write_stats(ship_t *sh, jw_t *w)
{
    struct ship_counters c;
    ship_get_counters(sh, &c);
    jw_kobject_open(w, "ingest");
    jw_kbool(w, "connected", c.connected);
    jw_kuint(w, "reconnects", c.reconnects);
    jw_kuint(w, "batches_spooled", c.batches_spooled);
    jw_kuint(w, "batches_acked", c.batches_acked);
    jw_kuint(w, "batches_dropped", c.batches_dropped);
    jw_kuint(w, "events_dropped", c.events_dropped);
    jw_kuint(w, "spool_bytes", c.spool_bytes);
    jw_object_close(w);
}

/* One Suricata-style anomaly event: anomaly{type "sensor", event, counts}. */
static void drop_anomaly(ship_t *sh, int64_t ts_usec, const char *event, uint64_t batches,
                         uint64_t events, uint64_t batches_total, uint64_t events_total)
{
    jw_t *w = eve_begin(sh->eve, "anomaly", ts_usec);
    jw_kobject_open(w, "anomaly");
    jw_kstr(w, "type", "sensor");
    jw_kstr(w, "event", event);
    jw_kuint(w, "batches_dropped", batches);
    jw_kuint(w, "events_dropped", events);
    jw_kuint(w, "batches_dropped_total", batches_total);
    jw_kuint(w, "events_dropped_total", events_total);
    jw_object_close(w);
    eve_end(sh->eve);
}

/* New drops since the last report become anomaly events. Packet thread,
 * never from inside the sink (the event writer is not re-entrant). */
static void report_drops(ship_t *sh, int64_t ts_usec)
{
    if (!sh->eve) return;
    struct spool_stats st;
    spool_get_stats(sh->sp, &st);
    if (st.dropped_batches != sh->rep_spool_batches || st.dropped_events != sh->rep_spool_events) {
        drop_anomaly(sh, ts_usec, "spool_full_dropped", st.dropped_batches - sh->rep_spool_batches,
                     st.dropped_events - sh->rep_spool_events, st.dropped_batches,
                     st.dropped_events);
        sh->rep_spool_batches = st.dropped_batches;
        sh->rep_spool_events = st.dropped_events;
    }
    uint64_t rb = atomic_load(&sh->rejected_batches), re = atomic_load(&sh->rejected_events);
    if (rb != sh->rep_rej_batches) {
        drop_anomaly(sh, ts_usec, "ingest_rejected_batch", rb - sh->rep_rej_batches,
                     re - sh->rep_rej_events, rb, re);
        sh->rep_rej_batches = rb;
        sh->rep_rej_events = re;
    }
    uint64_t tl = sh->batcher.too_large + atomic_load(&sh->repack_too_large);
    if (tl != sh->rep_too_large) {
        drop_anomaly(sh, ts_usec, "event_too_large", 0, tl - sh->rep_too_large, 0, tl);
        sh->rep_too_large = tl;
    }
}

void ship_poll(ship_t *sh, int64_t now_ns, int64_t ts_usec)
{
    ship_batcher_poll(&sh->batcher, now_ns);
    if (now_ns < sh->next_report_ns) return;
    sh->next_report_ns = now_ns + REPORT_INTERVAL_NS;
    report_drops(sh, ts_usec);
}

static bool drained(ship_t *sh)
{
    struct spool_stats st;
    spool_get_stats(sh->sp, &st);
    pthread_mutex_lock(&sh->append_mtx);
    uint64_t last = sh->last_appended;
    pthread_mutex_unlock(&sh->append_mtx);
    /* Acks are cumulative; with nothing appended by this run, whatever an
     * earlier run left must go (next_seq - 1 is the newest possible). */
    return last ? st.acked_seq >= last : st.acked_seq + 1 >= st.next_seq;
}

/* Unacked batches and events left in the spool; reads it through (reader
 * calls: only while the shipper thread is stopped). */
static void count_spooled(ship_t *sh, uint64_t *batches, uint64_t *events)
{
    const uint8_t *p;
    size_t len;
    uint64_t seq;
    uint32_t n;
    *batches = *events = 0;
    spool_rewind(sh->sp);
    while (spool_next(sh->sp, &p, &len, &seq, &n, 0) == 1) {
        (*batches)++;
        *events += n;
    }
    spool_rewind(sh->sp);
}

/* Drops of a full spool not yet in an anomaly event. */
static bool drops_unreported(ship_t *sh)
{
    struct spool_stats st;
    spool_get_stats(sh->sp, &st);
    return st.dropped_events != sh->rep_spool_events;
}

bool ship_finish(ship_t *sh, int64_t ts_usec, const volatile sig_atomic_t *stop)
{
    /* Spooling the last batch may drop older ones: report again until an
     * append drops nothing, so the last anomaly event holds every drop (the
     * small report batch fits in what a dropped segment freed). */
    for (int round = 0; round < 3; round++) {
        report_drops(sh, ts_usec);
        ship_batcher_close(&sh->batcher);
        if (!sh->eve || !drops_unreported(sh)) break;
    }
    sig_atomic_t at_start = stop ? *stop : 0;
    int64_t start = mono_ns(), deadline = start + (int64_t)sh->cfg.drain_ms * 1000000LL;
    bool done = drained(sh);
    while (!done && sh->started && mono_ns() < deadline && !(stop && *stop != at_start)) {
        struct timespec ts = {0, DRAIN_STEP_MS * 1000000L};
        nanosleep(&ts, NULL);
        done = drained(sh);
    }
    stop_thread(sh);
    struct ship_counters c;
    ship_get_counters(sh, &c);
    if (done) {
        log_info("ingest %s:%s: every batch delivered (%" PRIu64 " acked this run, the last "
                 "%" PRId64 " ms after the end of input); dropped since start: %" PRIu64
                 " batches, %" PRIu64 " events",
                 sh->host, sh->port, c.batches_acked, (mono_ns() - start) / 1000000,
                 c.batches_dropped, c.events_dropped);
        return true;
    }
    uint64_t b, e;
    count_spooled(sh, &b, &e);
    log_warn("ingest %s:%s: not drained after %" PRIu32 " ms: %" PRIu64 " batches (%" PRIu64
             " events) stay spooled in %s and are sent on the next start; dropped since "
             "start: %" PRIu64 " batches, %" PRIu64 " events",
             sh->host, sh->port, sh->cfg.drain_ms, b, e, sh->cfg.spool_dir, c.batches_dropped,
             c.events_dropped);
    return false;
}

void ship_close(ship_t *sh)
{
    if (!sh) return;
    if (sh->sp) stop_thread(sh);
    if (sh->eve) eve_set_sink(sh->eve, NULL);
    spool_close(sh->sp);
    SSL_CTX_free(sh->ctx);
    ship_batcher_free(&sh->batcher);
    if (sh->wake_fd >= 0) close(sh->wake_fd);
    pthread_mutex_destroy(&sh->append_mtx);
    free(sh);
}
