/* fwd_deliver.c -- see fwd_deliver.h. */
#include "forward/fwd_deliver.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "forward/fwd_https.h"
#include "forward/fwd_queue.h"
#include "forward/fwd_stix.h"
#include "forward/fwd_syslog_tls.h"
#include "incidents/incident_store.h"
#include "log.h"

#define IDLE_POLL_MS 50 /* an empty queue is looked at again after this */

typedef struct deliver {
    const fwd_config_t *cfg;
    const fwd_endpoint_t *e;
    volatile sig_atomic_t *stop;
    incident_store_t *store; /* for its connection */
    fwd_https_t *https;
    fwd_syslog_tls_t *syslog;
    unsigned failures;     /* consecutive */
    int64_t retry_at_usec; /* no attempt before */
    unsigned seed;
} deliver_t;

static int64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

uint64_t fwd_backoff_ms(const fwd_config_t *cfg, unsigned n, double r)
{
    uint64_t d = cfg->retry_initial_ms;
    for (unsigned i = 1; i < n && d < cfg->retry_max_ms; i++)
        d *= 2;
    if (d > cfg->retry_max_ms) d = cfg->retry_max_ms;
    /* "equal jitter": never less than half, so a burst of failing
     * forwarders does not hammer the centre in step */
    return d / 2 + (uint64_t)((double)(d - d / 2) * r);
}

/* "Bearer TOKEN" or "Basic USER:PASSWORD" from the first line of a file. */
static int read_auth(const char *path, char *line, size_t cap, fwd_https_cfg_t *h, char *err,
                     size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(line, (int)cap, f)) {
        if (f) fclose(f);
        return err_set(-1, err, errlen, "%s: cannot read the Authorization value", path);
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    char *colon;
    if (strncmp(line, "Bearer ", 7) == 0) {
        h->bearer_token = line + 7;
    } else if (strncmp(line, "Basic ", 6) == 0 && (colon = strchr(line + 6, ':'))) {
        *colon = '\0';
        h->basic_user = line + 6;
        h->basic_password = colon + 1;
    } else {
        return err_set(-1, err, errlen, "%s: expected 'Bearer TOKEN' or 'Basic USER:PASSWORD'",
                       path);
    }
    return 0;
}

static int open_transport(deliver_t *d, char *err, size_t errlen)
{
    const fwd_endpoint_t *e = d->e;
    fwd_endpoint_tls_t tls = {
        .host = e->host,
        .port = e->port,
        .server_name = e->server_name,
        .ca_file = e->ca,
        .cert_file = e->cert,
        .key_file = e->key,
        .connect_timeout_ms = (uint32_t)e->timeout_ms,
        .io_timeout_ms = (uint32_t)e->timeout_ms,
    };
    if (e->type == FWD_SYSLOG_TLS) {
        d->syslog = fwd_syslog_tls_new(&tls, err, errlen);
        return d->syslog ? 0 : -1;
    }
    char auth[FWD_HTTPS_CREDENTIAL_MAX];
    fwd_https_cfg_t h = {.tls = tls};
    if (e->auth_file[0] && read_auth(e->auth_file, auth, sizeof(auth), &h, err, errlen) != 0)
        return -1;
    d->https = fwd_https_new(&h, err, errlen);
    explicit_bzero(auth, sizeof(auth));
    return d->https ? 0 : -1;
}

static void send_payload(deliver_t *d, const char *p, size_t n, fwd_result_t *res)
{
    if (d->syslog) {
        fwd_syslog_tls_send(d->syslog, p, n, res);
        return;
    }
    fwd_https_post(d->https, d->e->path, d->e->taxii ? FWD_TAXII_MEDIA_TYPE : FWD_STIX_MEDIA_TYPE,
                   p, n, res);
}

/* Record what became of the head item; -1 if Redis failed (the attempt is
 * then repeated: at least once). */
static int record(deliver_t *d, const char *item, size_t len, const fwd_result_t *res)
{
    char err[512];
    redisContext *r = incident_store_redis(d->store);
    int64_t now = now_usec();
    if (res->status == FWD_DELIVERED) {
        d->failures = 0;
        d->retry_at_usec = 0;
        return fwd_delivered(r, d->e->name, item, len, now, err, sizeof(err)) == 0 ? 0 : -1;
    }
    if (res->status == FWD_PERMANENT) {
        log_warn("forwarder: %s: refused for good, kept aside: %s", d->e->name, res->reason);
        return fwd_parked(r, d->e->name, item, len, res->reason, now, err, sizeof(err)) == 0 ? 0
                                                                                             : -1;
    }
    d->failures++;
    uint64_t wait = fwd_backoff_ms(d->cfg, d->failures, (double)rand_r(&d->seed) / RAND_MAX);
    if ((uint64_t)res->retry_after * 1000 > wait) wait = (uint64_t)res->retry_after * 1000;
    d->retry_at_usec = now + (int64_t)wait * 1000;
    log_warn("forwarder: %s: %s (attempt %u, next in %llu ms)", d->e->name, res->reason,
             d->failures, (unsigned long long)wait);
    return fwd_failed(r, d->e->name, item, len, res->reason, now, d->retry_at_usec, err,
                      sizeof(err)) == 0
               ? 0
               : -1;
}

/* One step: -1 Redis trouble, 0 nothing to do, 1 an attempt was made. */
static int step(deliver_t *d)
{
    char err[512], id[INCIDENT_ID_MAX], reason[16];
    char *item = NULL;
    size_t len = 0, off;
    uint32_t version;
    redisContext *r = incident_store_redis(d->store);
    if (fwd_depth_check(r, d->e->name, d->cfg->queue_alarm, now_usec(), err, sizeof(err)) < 0)
        return -1;
    int got = fwd_head(r, d->e->name, &item, &len, err, sizeof(err));
    if (got <= 0) return got;
    fwd_result_t res = {0};
    if (!fwd_item_header(item, len, id, sizeof(id), &version, reason, sizeof(reason), &off)) {
        res.status = FWD_PERMANENT;
        snprintf(res.reason, sizeof(res.reason), "malformed queue item");
    } else {
        send_payload(d, item + off, len - off, &res);
        if (res.status == FWD_DELIVERED)
            log_debug("forwarder: %s: %s v%u (%s) delivered", d->e->name, id, version, reason);
    }
    int rc = record(d, item, len, &res);
    free(item);
    return rc < 0 ? -1 : 1;
}

static void *run(void *arg)
{
    deliver_t *d = arg;
    char err[512];
    while (!*d->stop) {
        if (!d->store || !incident_store_ok(d->store)) {
            incident_store_close(d->store);
            d->store = incident_store_connect(d->cfg->redis_socket, d->cfg->redis_user,
                                              d->cfg->redis_password_file, NULL, err, sizeof(err));
            if (!d->store) {
                log_warn("forwarder: %s: %s", d->e->name, err);
                sleep_ms(500);
                continue;
            }
        }
        int64_t wait = d->retry_at_usec - now_usec();
        if (wait > 0) {
            sleep_ms(wait > IDLE_POLL_MS * 1000 ? IDLE_POLL_MS : (uint64_t)wait / 1000 + 1);
            continue;
        }
        int rc = step(d);
        if (rc < 0) {
            log_warn("forwarder: %s: redis: %s", d->e->name,
                     incident_store_ok(d->store) ? "error reply" : "connection lost");
            sleep_ms(200);
        } else if (rc == 0) {
            sleep_ms(IDLE_POLL_MS);
        }
    }
    incident_store_close(d->store);
    fwd_https_free(d->https);
    fwd_syslog_tls_free(d->syslog);
    free(d);
    return NULL;
}

int fwd_deliver_start(pthread_t *t, const fwd_config_t *cfg, const fwd_endpoint_t *e,
                      volatile sig_atomic_t *stop)
{
    char err[512];
    deliver_t *d = calloc(1, sizeof(*d));
    if (!d) return -1;
    d->cfg = cfg, d->e = e, d->stop = stop;
    d->seed = (unsigned)now_usec() ^ (unsigned)(uintptr_t)d;
    if (open_transport(d, err, sizeof(err)) != 0) {
        log_error("forwarder: endpoint %s: %s", e->name, err);
        free(d);
        return -1;
    }
    if (pthread_create(t, NULL, run, d) != 0) {
        fwd_https_free(d->https);
        fwd_syslog_tls_free(d->syslog);
        free(d);
        return -1;
    }
    return 0;
}
