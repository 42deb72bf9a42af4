/* fwd_daemon.c -- see fwd_daemon.h. */
#include "forward/fwd_daemon.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/corr_rule.h"
#include "forward/fwd_deliver.h"
#include "forward/fwd_doc.h"
#include "forward/fwd_filter.h"
#include "forward/fwd_render.h"
#include "incidents/incident_ops.h"
#include "incidents/incident_store.h"
#include "log.h"

#define READ_COUNT "100"
#define BLOCK_MS   "1000"

typedef struct fanout {
    const fwd_config_t *cfg;
    corr_ruleset_t *rules; /* tags for the filters; NULL: none */
    incident_store_t *store;
    jw_t doc, items[FWD_ENDPOINTS_MAX];
} fanout_t;

static void rules_diag(void *ud, const char *line)
{
    (void)ud;
    log_warn("forwarder: rules: %s", line);
}

static bool passes(const fanout_t *f, const fwd_endpoint_t *e, const incident_t *inc,
                   const fwd_change_t *c)
{
    const corr_rule_t *r = f->rules ? corr_ruleset_find(f->rules, inc->rule_id) : NULL;
    int prio = c->priority ? c->priority : inc->priority;
    return fwd_filter_pass(&e->filter, prio, inc->asset_level, r ? r->tags : NULL,
                           r ? r->ntags : 0);
}

/* One outbox entry: render it for every endpoint that wants it, queue it
 * and take it out of the outbox. -1: Redis failed (retry the entry). */
static int fan_out_one(fanout_t *f, const void *entry)
{
    char err[512];
    fwd_change_t c;
    incident_t inc;
    redisContext *r = incident_store_redis(f->store);
    if (!fwd_change_parse(entry, &c, err, sizeof(err))) {
        /* not ours to fix: say so and drop it, or it blocks the outbox */
        log_warn("forwarder: %s (dropped)", err);
        return fwd_fanout(r, &c, NULL, NULL, NULL, 0, err, sizeof(err));
    }
    int rc = incident_get(f->store, c.id, false, &inc, err, sizeof(err));
    if (rc == INCIDENT_ERR) return -1;
    if (rc == INCIDENT_REFUSED) {
        log_warn("forwarder: outbox %s: %s (dropped)", c.stream_id, err);
        return fwd_fanout(r, &c, NULL, NULL, NULL, 0, err, sizeof(err));
    }
    const char *names[FWD_ENDPOINTS_MAX], *items[FWD_ENDPOINTS_MAX];
    size_t lens[FWD_ENDPOINTS_MAX];
    jw_reset(&f->doc);
    fwd_doc_write(&f->doc, &inc, &c);
    for (size_t i = 0; i < f->cfg->nendpoints; i++) {
        const fwd_endpoint_t *e = &f->cfg->endpoints[i];
        names[i] = e->name, items[i] = NULL, lens[i] = 0;
        if (!passes(f, e, &inc, &c)) continue;
        if (fwd_render_item(&f->items[i], f->doc.buf, f->doc.len, f->cfg, e, &c, err,
                            sizeof(err)) != 0) {
            log_warn("forwarder: %s v%u for %s: %s (not sent there)", c.id, c.version, e->name,
                     err);
            continue;
        }
        items[i] = f->items[i].buf, lens[i] = f->items[i].len;
    }
    incident_free(&inc);
    rc = fwd_fanout(r, &c, names, items, lens, f->cfg->nendpoints, err, sizeof(err));
    if (rc != 0) log_warn("forwarder: %s", err);
    return rc;
}

/* Read a batch: our own pending entries ("0") until none, then new ones. */
static int read_batch(fanout_t *f, bool *pending)
{
    redisContext *r = incident_store_redis(f->store);
    redisReply *rep =
        redisCommand(r, "XREADGROUP GROUP %s %s COUNT %s BLOCK %s STREAMS %s %s", FWD_GROUP,
                     f->cfg->consumer, READ_COUNT, BLOCK_MS, FWD_OUTBOX_KEY, *pending ? "0" : ">");
    if (!rep || rep->type == REDIS_REPLY_ERROR) {
        log_warn("forwarder: XREADGROUP: %s", rep ? rep->str : r->errstr);
        freeReplyObject(rep);
        return -1;
    }
    size_t n = 0;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 1) {
        const redisReply *entries = rep->element[0]->element[1];
        n = entries->elements;
        for (size_t i = 0; i < n; i++) {
            if (fan_out_one(f, entries->element[i]) != 0) {
                freeReplyObject(rep);
                return -1;
            }
        }
    }
    if (*pending && n == 0) *pending = false;
    freeReplyObject(rep);
    return 0;
}

static incident_store_t *connect_store(const fwd_config_t *cfg, volatile sig_atomic_t *stop)
{
    char err[512];
    unsigned delay_ms = 100;
    while (!*stop) {
        incident_store_t *s = incident_store_connect(
            cfg->redis_socket, cfg->redis_user, cfg->redis_password_file, NULL, err, sizeof(err));
        if (s && fwd_group_ensure(incident_store_redis(s), err, sizeof(err)) == 0) return s;
        incident_store_close(s);
        log_warn("forwarder: %s (retrying in %u ms)", err, delay_ms);
        usleep(delay_ms * 1000);
        if (delay_ms < 5000) delay_ms *= 2;
    }
    return NULL;
}

static int register_endpoints(fanout_t *f)
{
    char err[512], desc[FWD_PATH_MAX + 300];
    for (size_t i = 0; i < f->cfg->nendpoints; i++) {
        const fwd_endpoint_t *e = &f->cfg->endpoints[i];
        if (e->type == FWD_STIX_HTTPS)
            snprintf(desc, sizeof(desc), "%s %s", fwd_type_name(e->type), e->url);
        else
            snprintf(desc, sizeof(desc), "%s %s:%u", fwd_type_name(e->type), e->host, e->port);
        if (fwd_register(incident_store_redis(f->store), e->name, desc, err, sizeof(err)) != 0) {
            log_warn("forwarder: %s", err);
            return -1;
        }
    }
    return 0;
}

static void fan_out_loop(fanout_t *f, volatile sig_atomic_t *stop)
{
    bool pending = true;
    while (!*stop) {
        if (!f->store || !incident_store_ok(f->store)) {
            incident_store_close(f->store);
            f->store = connect_store(f->cfg, stop);
            if (!f->store || register_endpoints(f) != 0) continue;
            pending = true; /* a new connection: look at our pending entries again */
        }
        if (read_batch(f, &pending) != 0) usleep(200 * 1000);
    }
}

int fwd_daemon_run(const fwd_config_t *cfg, volatile sig_atomic_t *stop)
{
    char err[512];
    if (!fwd_render_check(cfg, err, sizeof(err))) {
        log_error("forwarder: %s", err);
        return 1;
    }
    fanout_t f = {.cfg = cfg};
    if (cfg->rules[0]) {
        const char *paths[] = {cfg->rules};
        f.rules = corr_ruleset_load(paths, 1, rules_diag, NULL);
    }
    jw_init(&f.doc);
    for (size_t i = 0; i < FWD_ENDPOINTS_MAX; i++)
        jw_init(&f.items[i]);
    pthread_t threads[FWD_ENDPOINTS_MAX];
    size_t started = 0;
    for (; started < cfg->nendpoints; started++)
        if (fwd_deliver_start(&threads[started], cfg, &cfg->endpoints[started], stop) != 0) break;
    if (started == cfg->nendpoints) {
        log_info("forwarder: %zu endpoint(s), consumer %s", cfg->nendpoints, cfg->consumer);
        fan_out_loop(&f, stop);
    } else {
        log_error("forwarder: cannot start the delivery thread of %s",
                  cfg->endpoints[started].name);
        *stop = 1;
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    incident_store_close(f.store);
    corr_ruleset_free(f.rules);
    jw_free(&f.doc);
    for (size_t i = 0; i < FWD_ENDPOINTS_MAX; i++)
        jw_free(&f.items[i]);
    return started == cfg->nendpoints ? 0 : 1;
}
