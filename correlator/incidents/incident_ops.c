/* incident_ops.c -- see incident_ops.h. */
#include "incident_ops.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_keys.h"
#include "incident_store_int.h"
#include "log.h"

#define LIST_PAGE 128 /* ids fetched per round trip */

static int refuse(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        incident_one_line(err);
    }
    return INCIDENT_REFUSED;
}

bool incident_name_ok(const char *name)
{
    size_t n = name ? strnlen(name, INCIDENT_NAME_MAX + 1) : 0;
    if (n == 0 || n > INCIDENT_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return false;
    }
    return true;
}

/* Common checks of an analyst change; 0 or INCIDENT_REFUSED. */
static int check(const char *id, const char *actor, char *err, size_t errlen)
{
    if (!incident_id_valid(id))
        return refuse(err, errlen, "'%.64s' is not an incident id (INC-YYYY-NNNNNN)", id ? id : "");
    if (!incident_name_ok(actor))
        return refuse(err, errlen, "actor '%.64s' must be 1..64 letters, digits or . _ @ -",
                      actor ? actor : "");
    return INCIDENT_OK;
}

static void key_of(char *out, size_t cap, const char *id)
{
    snprintf(out, cap, "%s%s", INCIDENT_KEY_PREFIX, id);
}

/* Run a change script: args after the id, actor and now. */
static int change(incident_store_t *s, incident_script_t which, const char *id,
                  const char *const *args, size_t nargs, char *err, size_t errlen)
{
    char key[128];
    key_of(key, sizeof(key), id);
    int rc;
    redisReply *r = incident_script_call(s, which, key, nargs, args, NULL, &rc, err, errlen);
    freeReplyObject(r);
    return rc;
}

static int set_status(incident_store_t *s, const char *id, const char *to, const char *actor,
                      int64_t now_usec, char *err, size_t errlen)
{
    int rc = check(id, actor, err, errlen);
    if (rc) return rc;
    char now[24], tmax[24];
    snprintf(now, sizeof(now), "%" PRId64, now_usec);
    snprintf(tmax, sizeof(tmax), "%" PRIu32, s->cfg.timeline_max);
    const char *args[] = {id, to, actor, now, tmax, incident_transition_table()};
    return change(s, INCIDENT_SCRIPT_STATUS, id, args, 6, err, errlen);
}

int incident_ack(incident_store_t *s, const char *id, const char *actor, int64_t now_usec,
                 char *err, size_t errlen)
{
    return set_status(s, id, "acknowledged", actor, now_usec, err, errlen);
}

int incident_set_status(incident_store_t *s, const char *id, incident_status_t to,
                        const char *actor, int64_t now_usec, char *err, size_t errlen)
{
    if ((unsigned)to >= INCIDENT_STATUS_COUNT) return refuse(err, errlen, "unknown status");
    return set_status(s, id, incident_status_name(to), actor, now_usec, err, errlen);
}

int incident_assign(incident_store_t *s, const char *id, const char *assignee, const char *actor,
                    int64_t now_usec, char *err, size_t errlen)
{
    int rc = check(id, actor, err, errlen);
    if (rc) return rc;
    if (!assignee || (assignee[0] && !incident_name_ok(assignee)))
        return refuse(err, errlen, "assignee '%.64s' must be 1..64 letters, digits or . _ @ -",
                      assignee ? assignee : "");
    char now[24], tmax[24];
    snprintf(now, sizeof(now), "%" PRId64, now_usec);
    snprintf(tmax, sizeof(tmax), "%" PRIu32, s->cfg.timeline_max);
    const char *args[] = {id, assignee, actor, now, tmax};
    return change(s, INCIDENT_SCRIPT_ASSIGN, id, args, 5, err, errlen);
}

int incident_comment(incident_store_t *s, const char *id, const char *text, const char *actor,
                     int64_t now_usec, char *err, size_t errlen)
{
    int rc = check(id, actor, err, errlen);
    if (rc) return rc;
    size_t n = text ? strnlen(text, INCIDENT_COMMENT_MAX + 1) : 0;
    if (n == 0 || n > INCIDENT_COMMENT_MAX)
        return refuse(err, errlen, "a comment is 1..%d bytes", INCIDENT_COMMENT_MAX);
    if (!incident_text_ok(text, n, true))
        return refuse(err, errlen,
                      "a comment must be UTF-8 text without control characters (but newline "
                      "and tab)");
    char now[24], tmax[24];
    snprintf(now, sizeof(now), "%" PRId64, now_usec);
    snprintf(tmax, sizeof(tmax), "%" PRIu32, s->cfg.timeline_max);
    const char *args[] = {id, text, actor, now, tmax};
    return change(s, INCIDENT_SCRIPT_COMMENT, id, args, 5, err, errlen);
}

int incident_merge(incident_store_t *s, const char *into, const char *from, const char *actor,
                   int64_t now_usec, char *err, size_t errlen)
{
    int rc = check(into, actor, err, errlen);
    if (rc) return rc;
    if (!incident_id_valid(from))
        return refuse(err, errlen, "'%.64s' is not an incident id (INC-YYYY-NNNNNN)",
                      from ? from : "");
    const incident_config_t *c = &s->cfg;
    /* 8 fixed, then acknowledge and resolve times of P1..P5 in usec */
    char num[6 + 2 * INCIDENT_PRIORITIES][24];
    const char *args[8 + 2 * INCIDENT_PRIORITIES] = {into, from, actor};
    uint64_t v[6 + 2 * INCIDENT_PRIORITIES] = {(uint64_t)now_usec, c->timeline_max, c->evidence_max,
                                               c->samples_max, c->ips_max};
    for (int i = 0; i < INCIDENT_PRIORITIES; i++) {
        v[5 + i] = c->sla_ack_sec[i] * 1000000;
        v[5 + INCIDENT_PRIORITIES + i] = c->sla_resolve_sec[i] * 1000000;
    }
    for (int i = 0; i < 5 + 2 * INCIDENT_PRIORITIES; i++) {
        snprintf(num[i], sizeof(num[i]), "%" PRIu64, v[i]);
        args[3 + i] = num[i];
    }
    return change(s, INCIDENT_SCRIPT_MERGE, into, args, 8 + 2 * INCIDENT_PRIORITIES, err, errlen);
}

int incident_get(incident_store_t *s, const char *id, bool with_timeline, incident_t *out,
                 char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!incident_id_valid(id))
        return refuse(err, errlen, "'%.64s' is not an incident id (INC-YYYY-NNNNNN)", id ? id : "");
    char key[128], tmax[24];
    key_of(key, sizeof(key), id);
    snprintf(tmax, sizeof(tmax), "%" PRIu32, s->cfg.timeline_max);
    const char *args[] = {id, with_timeline ? "1" : "0", tmax};
    int rc;
    redisReply *r =
        incident_script_call(s, INCIDENT_SCRIPT_GET, key, 3, args, NULL, &rc, err, errlen);
    if (!r) return rc;
    if (incident_from_reply(r, out, err, errlen) < 0) return INCIDENT_ERR;
    out->has_timeline = with_timeline;
    return INCIDENT_OK;
}

/* ---- list ------------------------------------------------------------------------ */

/* The sorted set to walk: a queue when only open incidents can pass. */
static void source_key(const incident_filter_t *f, char *out, size_t cap)
{
    bool open = f->select == INCIDENT_SELECT_OPEN ||
                (f->select == INCIDENT_SELECT_STATUS && incident_status_open(f->status));
    if (!open)
        snprintf(out, cap, "%s", INCIDENT_KEY_ALL);
    else if (f->assignee)
        snprintf(out, cap, "%s%s", INCIDENT_QUEUE_ASSIGN, f->assignee);
    else if (f->asset)
        snprintf(out, cap, "%s%s", INCIDENT_QUEUE_ASSET, f->asset);
    else
        snprintf(out, cap, "%s", INCIDENT_QUEUE_OPEN);
}

static bool list_push(incident_list_t *l, size_t *cap, incident_t *inc)
{
    if (l->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        incident_t *v = realloc(l->v, nc * sizeof(*v));
        if (!v) return false;
        l->v = v;
        *cap = nc;
    }
    l->v[l->n++] = *inc;
    return true;
}

/* Pipeline GET for the ids of one page; read, filter and keep. */
static int fetch_page(incident_store_t *s, const redisReply *ids, const incident_filter_t *f,
                      size_t limit, incident_list_t *out, size_t *cap, char *err, size_t errlen)
{
    int rc = INCIDENT_OK;
    char tmax[24];
    snprintf(tmax, sizeof(tmax), "%" PRIu32, s->cfg.timeline_max);
    for (size_t i = 0; i < ids->elements; i++) {
        char key[256];
        snprintf(key, sizeof(key), "%s%s", INCIDENT_KEY_PREFIX, ids->element[i]->str);
        const char *argv[] = {
            "EVALSHA_RO", s->sha[INCIDENT_SCRIPT_GET], "1", key, ids->element[i]->str, "0", tmax};
        if (redisAppendCommandArgv(s->c, 7, argv, NULL) != REDIS_OK) {
            /* the context is unusable now (out of memory): nothing to read back */
            return incident_fail(err, errlen, "redis: list: cannot queue a command");
        }
    }
    /* every reply is read, even after a failure, so the connection stays in step */
    for (size_t i = 0; i < ids->elements; i++) {
        void *rv = NULL;
        if (redisGetReply(s->c, &rv) != REDIS_OK) {
            incident_reply_error(s, NULL, "list", &rc, err, errlen);
            return INCIDENT_ERR;
        }
        redisReply *r = rv;
        if (r->type == REDIS_REPLY_ERROR) {
            /* gone between ZRANGE and here, or NOSCRIPT: the caller retries */
            if (strncmp(r->str, "NOSCRIPT", 8) == 0 && rc == INCIDENT_OK) rc = 1;
            freeReplyObject(r);
            continue;
        }
        incident_t inc;
        char why[256];
        if (incident_from_reply(r, &inc, why, sizeof(why)) < 0) {
            log_warn("incident %s skipped: %s", ids->element[i]->str, why);
            out->skipped++;
            continue;
        }
        if (rc == INCIDENT_OK && out->n < limit && incident_filter_match(f, &inc) &&
            list_push(out, cap, &inc))
            continue;
        incident_free(&inc);
    }
    return rc;
}

int incident_list(incident_store_t *s, const incident_filter_t *f, size_t limit,
                  incident_list_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    char src[256];
    source_key(f, src, sizeof(src));
    size_t cap = 0;
    int rc = incident_script_load(s, INCIDENT_SCRIPT_GET, err, errlen), reloads = 0;
    for (long start = 0; rc == INCIDENT_OK && out->n < limit; start += LIST_PAGE) {
        redisReply *ids =
            redisCommand(s->c, "ZRANGE %s %ld %ld", src, start, start + LIST_PAGE - 1);
        if (!ids || ids->type != REDIS_REPLY_ARRAY) {
            incident_reply_error(s, ids, "list", &rc, err, errlen);
            freeReplyObject(ids);
            break;
        }
        size_t n = ids->elements;
        rc = fetch_page(s, ids, f, limit, out, &cap, err, errlen);
        freeReplyObject(ids);
        if (rc == 1 && reloads++ < 3) {
            /* the script went away (Redis restarted): load it, redo the page */
            s->sha[INCIDENT_SCRIPT_GET][0] = '\0';
            rc = incident_script_load(s, INCIDENT_SCRIPT_GET, err, errlen);
            start -= LIST_PAGE;
            continue;
        }
        if (rc == 1) rc = incident_fail(err, errlen, "redis: list: script keeps disappearing");
        if (n < LIST_PAGE) break;
    }
    if (rc != INCIDENT_OK) incident_list_free(out);
    return rc;
}

void incident_list_free(incident_list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        incident_free(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}
