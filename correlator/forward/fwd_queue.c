/* fwd_queue.c -- see fwd_queue.h. */
#include "forward/fwd_queue.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "incidents/incident_keys.h"

#define TIMELINE_MAX "10000"

static int redis_fail(redisContext *r, const redisReply *rep, const char *what, char *err,
                      size_t errlen)
{
    return err_set(-1, err, errlen, "redis: %s: %s", what,
                   rep && rep->type == REDIS_REPLY_ERROR ? rep->str
                   : r->errstr[0]                        ? r->errstr
                                                         : "unexpected reply");
}

static void key_of(char *out, size_t cap, const char *kind, const char *name)
{
    snprintf(out, cap, FWD_KEY_PREFIX "%s:%s", kind, name);
}

static bool field_i64(const char *v, int64_t *out)
{
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end) return false;
    *out = x;
    return true;
}

static bool change_field(fwd_change_t *c, const char *f, const char *v)
{
    int64_t x = 0;
    if (strcmp(f, "id") == 0) return snprintf(c->id, sizeof(c->id), "%s", v) < (int)sizeof(c->id);
    if (strcmp(f, "reason") == 0)
        return snprintf(c->reason, sizeof(c->reason), "%s", v) < (int)sizeof(c->reason);
    if (strcmp(f, "status") == 0)
        return snprintf(c->status, sizeof(c->status), "%s", v) < (int)sizeof(c->status);
    bool ok = !*v || field_i64(v, &x);
    if (strcmp(f, "version") == 0)
        c->version = (uint32_t)x;
    else if (strcmp(f, "priority") == 0)
        c->priority = (int)x;
    else if (strcmp(f, "severity") == 0)
        c->severity = (int)x;
    else if (strcmp(f, "count") == 0)
        c->count = (uint64_t)x;
    else if (strcmp(f, "last_seen") == 0)
        c->last_seen = x;
    else if (strcmp(f, "updated_at") == 0)
        c->updated_at = x;
    else if (strcmp(f, "rule_version") == 0)
        c->rule_version = (uint32_t)x;
    return ok && x >= 0;
}

bool fwd_change_parse(const void *entry, fwd_change_t *c, char *err, size_t errlen)
{
    const redisReply *e = entry;
    memset(c, 0, sizeof(*c));
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
        e->element[0]->type != REDIS_REPLY_STRING || e->element[1]->type != REDIS_REPLY_ARRAY)
        return err_set(false, err, errlen, "outbox: malformed stream entry");
    snprintf(c->stream_id, sizeof(c->stream_id), "%s", e->element[0]->str);
    const redisReply *kv = e->element[1];
    for (size_t i = 0; i + 1 < kv->elements; i += 2) {
        const char *f = kv->element[i]->str, *v = kv->element[i + 1]->str;
        if (!f || !v || !change_field(c, f, v))
            return err_set(false, err, errlen, "outbox entry %s: bad field %s", c->stream_id,
                           f ? f : "?");
    }
    if (!c->id[0] || c->version == 0 || !c->reason[0])
        return err_set(false, err, errlen, "outbox entry %s: id, version or reason missing",
                       c->stream_id);
    return true;
}

int fwd_group_ensure(redisContext *r, char *err, size_t errlen)
{
    redisReply *rep = redisCommand(r, "XGROUP CREATE %s %s 0 MKSTREAM", FWD_OUTBOX_KEY, FWD_GROUP);
    int rc = 0;
    if (!rep || (rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "BUSYGROUP", 9) != 0))
        rc = redis_fail(r, rep, "XGROUP CREATE " FWD_OUTBOX_KEY, err, errlen);
    freeReplyObject(rep);
    return rc;
}

/* Read every reply of a MULTI..EXEC block sent with redisAppendCommand*;
 * the EXEC reply must be an array (not nil: nothing was aborted). */
static int exec_replies(redisContext *r, size_t queued, const char *what, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < queued + 2; i++) {
        redisReply *rep = NULL;
        if (redisGetReply(r, (void **)&rep) != REDIS_OK)
            return redis_fail(r, NULL, what, err, errlen);
        bool last = i == queued + 1;
        if (rc == 0 && (rep->type == REDIS_REPLY_ERROR || (last && rep->type != REDIS_REPLY_ARRAY)))
            rc = redis_fail(r, rep, what, err, errlen);
        freeReplyObject(rep);
    }
    return rc;
}

int fwd_fanout(redisContext *r, const fwd_change_t *c, const char *const *names,
               const char *const *items, const size_t *lens, size_t n, char *err, size_t errlen)
{
    char key[256];
    size_t queued = 2;
    redisAppendCommand(r, "MULTI");
    for (size_t i = 0; i < n; i++) {
        if (!items[i]) continue;
        key_of(key, sizeof(key), "queue", names[i]);
        redisAppendCommand(r, "RPUSH %s %b", key, items[i], lens[i]);
        queued++;
    }
    redisAppendCommand(r, "XACK %s %s %s", FWD_OUTBOX_KEY, FWD_GROUP, c->stream_id);
    redisAppendCommand(r, "XDEL %s %s", FWD_OUTBOX_KEY, c->stream_id);
    redisAppendCommand(r, "EXEC");
    return exec_replies(r, queued, "queueing an incident version", err, errlen);
}

int fwd_head(redisContext *r, const char *name, char **item, size_t *len, char *err, size_t errlen)
{
    char key[256];
    key_of(key, sizeof(key), "queue", name);
    redisReply *rep = redisCommand(r, "LINDEX %s 0", key);
    if (!rep || rep->type == REDIS_REPLY_ERROR) {
        redis_fail(r, rep, "LINDEX", err, errlen);
        freeReplyObject(rep);
        return -1;
    }
    int rc = 0;
    if (rep->type == REDIS_REPLY_STRING) {
        *item = malloc(rep->len + 1);
        if (!*item) {
            rc = err_set(-1, err, errlen, "out of memory (%zu bytes)", rep->len);
        } else {
            memcpy(*item, rep->str, rep->len);
            (*item)[rep->len] = '\0';
            *len = rep->len;
            rc = 1;
        }
    }
    freeReplyObject(rep);
    return rc;
}

/* The next space-separated word of [*p, end) into out; false if empty or
 * too long. */
static bool word(const char **p, const char *end, char *out, size_t cap)
{
    const char *s = *p, *sp = memchr(s, ' ', (size_t)(end - s));
    const char *e = sp ? sp : end;
    if (e == s || (size_t)(e - s) >= cap) return false;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    *p = sp ? sp + 1 : end;
    return true;
}

bool fwd_item_header(const char *item, size_t len, char *id, size_t idcap, uint32_t *version,
                     char *reason, size_t reasoncap, size_t *payload_off)
{
    const char *nl = memchr(item, '\n', len < FWD_ITEM_HDR_MAX ? len : FWD_ITEM_HDR_MAX);
    char ver[12], *end;
    const char *p = item;
    if (!nl || !word(&p, nl, id, idcap) || !word(&p, nl, ver, sizeof(ver)) ||
        !word(&p, nl, reason, reasoncap) || p != nl)
        return false;
    unsigned long v = strtoul(ver, &end, 10);
    if (*end || v == 0 || v > UINT32_MAX) return false;
    *version = (uint32_t)v;
    *payload_off = (size_t)(nl - item) + 1;
    return true;
}

/* Append the attempt to the incident's timeline inside an open MULTI;
 * returns the number of commands queued (0 or 1). */
static size_t timeline_append(redisContext *r, const char *item, size_t len, const char *name,
                              const char *action, const char *why, int64_t now_usec)
{
    char id[INCIDENT_ID_MAX], reason[16], key[128], ver[16], now[24];
    uint32_t version;
    size_t off;
    if (!fwd_item_header(item, len, id, sizeof(id), &version, reason, sizeof(reason), &off))
        return 0;
    snprintf(key, sizeof(key), INCIDENT_KEY_PREFIX "%s:timeline", id);
    snprintf(ver, sizeof(ver), "%" PRIu32, version);
    snprintf(now, sizeof(now), "%" PRId64, now_usec);
    const char *argv[] = {"XADD",    key,        "MAXLEN", "~",         TIMELINE_MAX, "*",
                          "ts",      now,        "actor",  "forwarder", "action",     action,
                          "field",   "endpoint", "old",    "",          "new",        name,
                          "version", ver,        "reason", reason,      "error",      why};
    redisAppendCommandArgv(r, why ? 24 : 22, argv, NULL);
    return 1;
}

int fwd_delivered(redisContext *r, const char *name, const char *item, size_t len, int64_t now_usec,
                  char *err, size_t errlen)
{
    char q[256], st[256];
    key_of(q, sizeof(q), "queue", name);
    key_of(st, sizeof(st), "status", name);
    redisAppendCommand(r, "MULTI");
    redisAppendCommand(r, "LPOP %s", q);
    redisAppendCommand(r, "HINCRBY %s delivered 1", st);
    redisAppendCommand(r, "HSET %s last_success_at %lld retry_at 0 consecutive_failures 0", st,
                       (long long)now_usec);
    size_t n = 3 + timeline_append(r, item, len, name, "forwarded", NULL, now_usec);
    redisAppendCommand(r, "EXEC");
    return exec_replies(r, n, "recording a delivery", err, errlen);
}

int fwd_failed(redisContext *r, const char *name, const char *item, size_t len, const char *why,
               int64_t now_usec, int64_t retry_at_usec, char *err, size_t errlen)
{
    char st[256];
    key_of(st, sizeof(st), "status", name);
    redisAppendCommand(r, "MULTI");
    redisAppendCommand(r, "HINCRBY %s failures 1", st);
    redisAppendCommand(r, "HINCRBY %s consecutive_failures 1", st);
    redisAppendCommand(r, "HSET %s last_error %s last_error_at %lld retry_at %lld", st, why,
                       (long long)now_usec, (long long)retry_at_usec);
    size_t n = 3 + timeline_append(r, item, len, name, "forward_failed", why, now_usec);
    redisAppendCommand(r, "EXEC");
    return exec_replies(r, n, "recording a failed delivery", err, errlen);
}

int fwd_parked(redisContext *r, const char *name, const char *item, size_t len, const char *why,
               int64_t now_usec, char *err, size_t errlen)
{
    char q[256], dead[256], st[256];
    key_of(q, sizeof(q), "queue", name);
    key_of(dead, sizeof(dead), "dead", name);
    key_of(st, sizeof(st), "status", name);
    redisAppendCommand(r, "MULTI");
    redisAppendCommand(r, "LMOVE %s %s LEFT RIGHT", q, dead);
    redisAppendCommand(r, "HINCRBY %s refused 1", st);
    redisAppendCommand(r, "HSET %s last_error %s last_error_at %lld", st, why, (long long)now_usec);
    size_t n = 3 + timeline_append(r, item, len, name, "forward_refused", why, now_usec);
    redisAppendCommand(r, "EXEC");
    return exec_replies(r, n, "parking a refused version", err, errlen);
}

long long fwd_depth_check(redisContext *r, const char *name, uint64_t alarm, int64_t now_usec,
                          char *err, size_t errlen)
{
    char q[256], st[256];
    key_of(q, sizeof(q), "queue", name);
    key_of(st, sizeof(st), "status", name);
    redisReply *rep = redisCommand(r, "LLEN %s", q);
    if (!rep || rep->type != REDIS_REPLY_INTEGER) {
        redis_fail(r, rep, "LLEN", err, errlen);
        freeReplyObject(rep);
        return -1;
    }
    long long depth = rep->integer;
    freeReplyObject(rep);
    /* alarm is 0/1 in the hash; HSETNX-like flip counted once per crossing */
    rep = redisCommand(r, "HGET %s alarm", st);
    bool on = rep && rep->type == REDIS_REPLY_STRING && strcmp(rep->str, "1") == 0;
    freeReplyObject(rep);
    bool over = (uint64_t)depth > alarm;
    if (over != on) {
        if (over)
            rep = redisCommand(r, "HSET %s alarm 1 alarm_at %lld", st, (long long)now_usec);
        else
            rep = redisCommand(r, "HSET %s alarm 0", st);
        freeReplyObject(rep);
        if (over) freeReplyObject(redisCommand(r, "HINCRBY %s alarms 1", st));
    }
    return depth;
}

int fwd_register(redisContext *r, const char *name, const char *desc, char *err, size_t errlen)
{
    redisReply *rep = redisCommand(r, "HSET %s %s %s", FWD_ENDPOINTS, name, desc);
    int rc = rep && rep->type != REDIS_REPLY_ERROR
                 ? 0
                 : redis_fail(r, rep, "HSET endpoints", err, errlen);
    freeReplyObject(rep);
    return rc;
}
