/* corr_pipeline.c -- see corr_pipeline.h. */
#include "daemon/corr_pipeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context/context.h"
#include "context/enrich.h"
#include "context/priority.h"
#include "err.h"
#include "ingest/ingest_event.h"
#include "json_reader.h"
#include "json_writer.h"
#include "log.h"

#define EVE_TOKS        16384 /* tokens of one event (a stats event is the largest) */
#define EXTRA_TOKS      1024  /* tokens of the enrichment object */
#define ID_MAX          256
#define CLOCK_EVERY     64               /* events between two readings of the clock */
#define FUTURE_LOG_USEC (60 * 1000000LL) /* one line at most per minute about clamped times */

struct corr_pipeline {
    const corr_config_t *cfg;
    corr_ruleset_t *rs;
    corr_context_t *ctx;
    corr_engine_t *eng;
    incident_store_t *store;
    json_tok_t *toks, *xtoks;
    jw_t extra;
    corr_enrichment_t en; /* of the event being evaluated */
    const corr_event_t *cur;
    bool failed; /* an incident could not be stored */
    char fail_err[512];
    corr_pipeline_stats_t st;
    int64_t clock;           /* wall clock, read every CLOCK_EVERY events */
    uint64_t future_seen;    /* the engine's future_clamped as last looked at */
    uint64_t future_pending; /* clamped since the last line about them */
    int64_t future_logged;   /* clock of that line (0: none yet) */
};

static int64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static corr_ruleset_t *load_rules(const corr_config_t *cfg, char *err, size_t errlen)
{
    const char *paths[] = {cfg->rules};
    corr_ruleset_t *rs = corr_ruleset_load(paths, 1, NULL, NULL);
    if (!rs) {
        err_set(-1, err, errlen, "%s: cannot load correlation rules", cfg->rules);
        return NULL;
    }
    log_info("correlation rules: %zu loaded, %zu skipped from %s", corr_ruleset_loaded(rs),
             corr_ruleset_skipped(rs), cfg->rules);
    return rs;
}

static corr_context_t *load_context(const corr_config_t *cfg, char *err, size_t errlen)
{
    corr_context_paths_t paths = {.assets = cfg->assets[0] ? cfg->assets : NULL,
                                  .intel = cfg->intel[0] ? cfg->intel : NULL};
    return corr_context_load(&paths, NULL, err, errlen);
}

/* ---- matches -> incidents ------------------------------------------------------- */

static void on_match(void *ud, const corr_match_t *m)
{
    corr_pipeline_t *p = ud;
    p->st.matches++;
    if (!p->store || p->failed) return;
    const corr_rule_t *r = m->rule;
    const asset_t *src = NULL, *dst = NULL;
    if (m->event && m->event == p->cur) {
        src = p->en.src;
        dst = p->en.dest;
    }
    const asset_t *a = dst ? dst : src;
    const char *sample = m->event ? m->event->eve.s : NULL; /* NUL-terminated, see _event */
    incident_match_t im = {
        .match_id = m->match_id,
        .rule_id = r->id,
        .rule_version = r->version,
        .title = r->title,
        .severity = r->severity,
        .priority = corr_priority_assets(r->severity, src, dst),
        .group_key = m->group_key,
        .first_seen_usec = m->first_usec,
        .last_seen_usec = m->last_usec,
        .count = m->count ? m->count : 1,
        .src_ips = m->src_ips,
        .n_src = m->n_src,
        .dest_ips = m->dest_ips,
        .n_dest = m->n_dest,
        .asset_name = a ? a->name : NULL,
        .asset_level = a ? a->level : 0,
        .tactics = r->tactics,
        .n_tactics = r->ntactics,
        .techniques = r->techniques,
        .n_techniques = r->ntechniques,
        .event_ids = m->event_ids,
        .n_event_ids = m->n_event_ids,
        .samples = sample ? &sample : NULL,
        .n_samples = sample ? 1 : 0,
    };
    char id[64], err[512];
    bool created = false;
    int rc = incident_apply(p->store, &im, now_usec(), id, sizeof(id), &created, err, sizeof(err));
    if (rc == INCIDENT_OK) {
        created ? p->st.incidents_created++ : p->st.incidents_updated++;
        if (created) log_info("incident %s: %s (%s)", id, r->title, m->group_key);
    } else if (rc == INCIDENT_REFUSED) {
        p->st.incidents_refused++;
        log_warn("rule %s: incident refused: %s", r->id, err);
    } else {
        p->failed = true;
        snprintf(p->fail_err, sizeof(p->fail_err), "%s", err);
    }
}

/* ---- life cycle ------------------------------------------------------------------ */

corr_pipeline_t *corr_pipeline_new(const corr_config_t *cfg, char *err, size_t errlen)
{
    corr_pipeline_t *p = calloc(1, sizeof(*p));
    if (!p) {
        err_set(-1, err, errlen, "correlator: out of memory");
        return NULL;
    }
    p->cfg = cfg;
    jw_init(&p->extra);
    p->toks = malloc(EVE_TOKS * sizeof(*p->toks));
    p->xtoks = malloc(EXTRA_TOKS * sizeof(*p->xtoks));
    if (!p->toks || !p->xtoks) {
        err_set(-1, err, errlen, "correlator: out of memory");
        goto fail;
    }
    if (!(p->rs = load_rules(cfg, err, errlen)) || !(p->ctx = load_context(cfg, err, errlen)))
        goto fail;
    if (corr_pipeline_restore(p, NULL, 0, err, errlen) != 0) goto fail;
    return p;
fail:
    corr_pipeline_free(p);
    return NULL;
}

void corr_pipeline_free(corr_pipeline_t *p)
{
    if (!p) return;
    corr_engine_free(p->eng);
    corr_context_free(p->ctx);
    corr_ruleset_free(p->rs);
    jw_free(&p->extra);
    free(p->toks);
    free(p->xtoks);
    free(p);
}

void corr_pipeline_set_store(corr_pipeline_t *p, incident_store_t *store)
{
    p->store = store;
    p->failed = false;
}

int corr_pipeline_restore(corr_pipeline_t *p, const void *snap, size_t len, char *err,
                          size_t errlen)
{
    corr_engine_t *e =
        len ? corr_engine_load(p->rs, &p->cfg->engine, on_match, p, snap, len, err, errlen)
            : corr_engine_new(p->rs, &p->cfg->engine, on_match, p);
    if (!e) {
        if (!len) err_set(-1, err, errlen, "correlator: out of memory for the engine");
        return -1;
    }
    corr_engine_free(p->eng);
    p->eng = e;
    p->failed = false;
    if (p->clock) corr_engine_set_clock(e, p->clock);
    return 0;
}

int corr_pipeline_snapshot(const corr_pipeline_t *p, corr_bytes_t *out)
{
    return corr_engine_save(p->eng, out);
}

bool corr_pipeline_reload(corr_pipeline_t *p, char *err, size_t errlen)
{
    corr_ruleset_t *rs = load_rules(p->cfg, err, errlen);
    corr_context_t *ctx = rs ? load_context(p->cfg, err, errlen) : NULL;
    corr_bytes_t snap = {0};
    corr_engine_t *e = NULL;
    if (ctx && corr_engine_save(p->eng, &snap) == 0)
        e = corr_engine_load(rs, &p->cfg->engine, on_match, p, snap.p, snap.len, err, errlen);
    corr_bytes_free(&snap);
    if (!e) {
        corr_context_free(ctx);
        corr_ruleset_free(rs);
        return false;
    }
    corr_engine_free(p->eng);
    corr_context_free(p->ctx);
    corr_ruleset_free(p->rs);
    p->eng = e;
    p->ctx = ctx;
    p->rs = rs;
    if (p->clock) corr_engine_set_clock(e, p->clock);
    return true;
}

/* ---- one event ------------------------------------------------------------------- */

/* "name:boot_id:seq" from the event's sensor object. */
static bool event_id(const char *s, const json_tok_t *t, int n, char *out, size_t cap)
{
    char name[128], boot[80];
    uint64_t seq;
    if (json_tok_string(s, json_get(s, t, n, "sensor.name"), name, sizeof(name), NULL) != 0 ||
        json_tok_string(s, json_get(s, t, n, "sensor.boot_id"), boot, sizeof(boot), NULL) != 0 ||
        json_tok_uint64(s, json_get(s, t, n, "sensor.seq"), &seq) != 0)
        return false;
    return (size_t)snprintf(out, cap, "%s:%s:%" PRIu64, name, boot, seq) < cap;
}

static int bad_event(corr_pipeline_t *p, char *err, size_t errlen, const char *why)
{
    p->st.bad_events++;
    err_set(0, err, errlen, "%s", why);
    return 0;
}

/* The wall clock for the engine's bound on future event times. */
static void tick(corr_pipeline_t *p)
{
    if (p->clock && p->st.events % CLOCK_EVERY != 0) return;
    p->clock = now_usec();
    corr_engine_set_clock(p->eng, p->clock);
}

/* An event the engine placed at the newest event time because its own is
 * too far ahead: one line now, then at most one per minute with the count
 * since (the engine's future_clamped counts them all). */
static void note_future(corr_pipeline_t *p, const corr_event_t *ev, const char *ts, size_t tlen)
{
    int64_t max = p->cfg->engine.max_future_usec;
    if (max <= 0 || ev->ts_usec - p->clock <= max) return;
    corr_engine_stats_t st;
    corr_engine_stats(p->eng, &st);
    if (st.future_clamped == p->future_seen) return;
    p->future_pending += st.future_clamped - p->future_seen;
    p->future_seen = st.future_clamped;
    if (p->future_logged && p->clock - p->future_logged < FUTURE_LOG_USEC) return;
    char id[128], when[64];
    log_warn("correlator: %llu event(s) stamped more than %lld s ahead of the clock, placed at "
             "the newest event time instead (latest: %s, timestamp %s)",
             (unsigned long long)p->future_pending, (long long)(max / 1000000),
             err_quote(ev->id, strlen(ev->id), id, sizeof(id)),
             err_quote(ts, tlen, when, sizeof(when)));
    p->future_pending = 0;
    p->future_logged = p->clock;
}

/* The parsed event ev (indexed) through enrichment and the engine. */
static int evaluate(corr_pipeline_t *p, corr_event_t *ev, const char *id, char *err, size_t errlen)
{
    char why[256], idbuf[ID_MAX];
    const char *line = ev->eve.s;
    size_t tlen;
    const json_tok_t *tt = corr_doc_get(&ev->eve, "timestamp");
    const char *ts = tt && tt->type == JSON_STRING ? json_tok_raw(line, tt, &tlen) : NULL;
    if (!ts || !ingest_parse_time(ts, tlen, &ev->ts_usec))
        return bad_event(p, err, errlen, "no valid timestamp");
    if (!id && !event_id(line, p->toks, ev->eve.ntoks, idbuf, sizeof(idbuf)))
        return bad_event(p, err, errlen, "no sensor{name,boot_id,seq}");
    ev->id = id ? id : idbuf;
    jw_reset(&p->extra);
    memset(&p->en, 0, sizeof(p->en));
    if (corr_enrich_event(p->ctx, ev, &p->extra, &p->en)) {
        int xn = json_parse(p->extra.buf, p->extra.len, p->xtoks, EXTRA_TOKS, why, sizeof(why));
        if (xn > 0) ev->extra = (corr_doc_t){p->extra.buf, p->extra.len, p->xtoks, xn};
    }
    tick(p);
    p->cur = ev;
    corr_engine_event(p->eng, ev);
    p->cur = NULL;
    note_future(p, ev, ts, tlen);
    if (p->failed) return err_set(-1, err, errlen, "%s", p->fail_err);
    return 0;
}

int corr_pipeline_event(corr_pipeline_t *p, const char *line, size_t len, const char *id, char *err,
                        size_t errlen)
{
    char why[256];
    if (err && errlen) err[0] = '\0';
    p->st.events++;
    int n = json_parse(line, len, p->toks, EVE_TOKS, why, sizeof(why));
    if (n < 1 || p->toks[0].type != JSON_OBJECT)
        return bad_event(p, err, errlen, n < 1 ? why : "not an object");
    corr_event_t ev = {.eve = {line, len, p->toks, n}};
    bool indexed = corr_doc_index(&ev.eve); /* for every lookup of this event's fields */
    int rc = evaluate(p, &ev, id, err, errlen);
    if (indexed) corr_doc_unindex();
    return rc;
}

void corr_pipeline_stats(const corr_pipeline_t *p, corr_pipeline_stats_t *out)
{
    *out = p->st;
}

const corr_engine_t *corr_pipeline_engine(const corr_pipeline_t *p)
{
    return p->eng;
}
