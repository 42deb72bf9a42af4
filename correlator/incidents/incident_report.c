/* incident_report.c -- see incident_report.h. */
#include "incident_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_keys.h"
#include "incident_ops.h"
#include "incident_store_int.h"

/* ---- reading the fields ------------------------------------------------------------ */

static int64_t to_i64(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return errno || *end || end == s || v < 0 ? 0 : (int64_t)v;
}

void incident_report_state(const incident_t *inc, incident_report_state_t *out)
{
    memset(out, 0, sizeof(*out));
    out->profile = out->due_kind = out->cause = out->scope = out->measures = "";
    /* the record keeps the GET reply; its first part is the hash (incident_record.c) */
    const redisReply *r = inc->reply_;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1) return;
    const redisReply *h = r->element[0];
    if (h->type != REDIS_REPLY_ARRAY) return;
    for (size_t i = 0; i + 1 < h->elements; i += 2) {
        const redisReply *k = h->element[i], *v = h->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        const char *name = k->str, *val = v->str;
        if (strncmp(name, "report_", 7) != 0) continue;
        name += 7;
        if (strcmp(name, "initial_at") == 0)
            out->initial_at = to_i64(val);
        else if (strcmp(name, "update_at") == 0)
            out->update_at = to_i64(val);
        else if (strcmp(name, "final_at") == 0)
            out->final_at = to_i64(val);
        else if (strcmp(name, "update_count") == 0)
            out->update_count = (uint32_t)(to_i64(val) > UINT32_MAX ? 0 : to_i64(val));
        else if (strcmp(name, "due_at") == 0)
            out->due_at = to_i64(val);
        else if (strcmp(name, "profile") == 0)
            out->profile = val;
        else if (strcmp(name, "due_kind") == 0)
            out->due_kind = val;
        else if (strcmp(name, "cause") == 0)
            out->cause = val;
        else if (strcmp(name, "scope") == 0)
            out->scope = val;
        else if (strcmp(name, "measures") == 0)
            out->measures = val;
    }
}

/* ---- recording ------------------------------------------------------------------------ */

/* Checks before the first write (Redis does not undo a script that stops
 * half-way); the refusals read like report_kind_allowed()'s. */
static const char script_record[] =
    "-- KEYS[1] the incident's hash\n"
    "-- ARGV: id kind actor now timeline_max profile due next_kind next_due\n"
    "--   cause scope measures ('' keeps the stored text)\n"
    "local id, kind, actor, now, tmax = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]\n"
    "local profile, due, next_kind, next_due = ARGV[6], ARGV[7], ARGV[8], ARGV[9]\n"
    "local k = KEYS[1]\n"
    "local OPEN = {new = true, acknowledged = true, investigating = true}\n"
    "local function refuse(msg) return redis.error_reply('REFUSED ' .. msg) end\n"
    "local h = redis.call('HMGET', k, 'status', 'report_initial_at', 'report_final_at')\n"
    "if not h[1] then return refuse('no incident ' .. id) end\n"
    "if kind ~= 'initial' and kind ~= 'update' and kind ~= 'final' then\n"
    "  return refuse('unknown report kind ' .. kind)\n"
    "end\n"
    "if h[3] then\n"
    "  return refuse(id .. ': the final report was already recorded; no report follows it')\n"
    "end\n"
    "if kind == 'initial' then\n"
    "  if h[2] then\n"
    "    return refuse(id .. ': the initial report was already recorded; send an update')\n"
    "  end\n"
    "elseif not h[2] then\n"
    "  return refuse(id .. ': record the initial report first')\n"
    "elseif kind == 'final' and OPEN[h[1]] then\n"
    "  return refuse(id .. ': a final report needs the response to be over (the ' ..\n"
    "                'incident is still open; resolve it first)')\n"
    "end\n"
    "local upd = {'updated_at', now, 'report_profile', profile, 'report_' .. kind .. '_at', now}\n"
    "local texts = {'report_cause', 'report_scope', 'report_measures'}\n"
    "for i = 1, 3 do\n"
    "  if ARGV[9 + i] ~= '' then\n"
    "    upd[#upd + 1] = texts[i]\n"
    "    upd[#upd + 1] = ARGV[9 + i]\n"
    "  end\n"
    "end\n"
    "redis.call('HSET', k, unpack(upd))\n"
    "if kind == 'update' then redis.call('HINCRBY', k, 'report_update_count', 1) end\n"
    "redis.call('HDEL', k, 'report_due_kind', 'report_due_at')\n"
    "if next_kind ~= '' then redis.call('HSET', k, 'report_due_kind', next_kind) end\n"
    "if next_due ~= '' then redis.call('HSET', k, 'report_due_at', next_due) end\n"
    "redis.call('XADD', k .. ':timeline', 'MAXLEN', '~', tmax, '*', 'ts', now,\n"
    "           'actor', actor, 'action', 'report', 'field', 'kind', 'old', '',\n"
    "           'new', kind, 'profile', profile, 'due', due)\n"
    "return {id, kind}\n";

static bool text_ok(const char *s)
{
    size_t n = s ? strnlen(s, INCIDENT_REPORT_TEXT_MAX + 1) : 0;
    return n <= INCIDENT_REPORT_TEXT_MAX && (n == 0 || incident_text_ok(s, n, true));
}

static bool profile_ok(const char *s)
{
    size_t n = s ? strnlen(s, 64) : 0;
    return n > 0 && n < 64 && incident_text_ok(s, n, false);
}

static bool kind_ok(const char *k)
{
    return k && (strcmp(k, "initial") == 0 || strcmp(k, "update") == 0 || strcmp(k, "final") == 0);
}

static int check(const incident_report_rec_t *r, char *err, size_t errlen)
{
    const char *why = NULL;
    if (!incident_id_valid(r->id))
        why = "not an incident id (INC-YYYY-NNNNNN)";
    else if (!incident_name_ok(r->actor))
        why = "the actor must be 1..64 letters, digits or . _ @ -";
    else if (!kind_ok(r->kind))
        why = "the report kind must be initial, update or final";
    else if (!profile_ok(r->profile))
        why = "the profile name must be 1..63 printable bytes";
    else if (r->next_kind && r->next_kind[0] && !kind_ok(r->next_kind))
        why = "the next report kind must be initial, update or final";
    else if (!text_ok(r->cause) || !text_ok(r->scope) || !text_ok(r->measures))
        why = "cause, scope and measures must be UTF-8 text of at most 4096 bytes, without "
              "control characters (but newline and tab)";
    if (!why) return INCIDENT_OK;
    incident_fail(err, errlen, "%.64s: %s", r->id ? r->id : "", why);
    return INCIDENT_REFUSED;
}

static void num_or_empty(char out[24], int64_t v)
{
    if (v > 0)
        snprintf(out, 24, "%" PRId64, v);
    else
        out[0] = '\0';
}

int incident_report_record(incident_store_t *s, const incident_report_rec_t *r, char *err,
                           size_t errlen)
{
    int rc = check(r, err, errlen);
    if (rc) return rc;
    char key[128], now[24], tmax[24], due[24], next_due[24];
    snprintf(key, sizeof(key), "%s%s", INCIDENT_KEY_PREFIX, r->id);
    snprintf(now, sizeof(now), "%" PRId64, r->now_usec);
    snprintf(tmax, sizeof(tmax), "%" PRIu32, s->cfg.timeline_max);
    num_or_empty(due, r->due_usec);
    num_or_empty(next_due, r->next_due);
    const char *argv[] = {
        "EVAL",
        script_record,
        "1",
        key,
        r->id,
        r->kind,
        r->actor,
        now,
        tmax,
        r->profile,
        due,
        r->next_kind ? r->next_kind : "",
        next_due,
        r->cause ? r->cause : "",
        r->scope ? r->scope : "",
        r->measures ? r->measures : "",
    };
    /* a manual, rare command: EVAL with the text each time needs no SHA cache */
    redisReply *rep = redisCommandArgv(s->c, (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL);
    if (!rep || rep->type == REDIS_REPLY_ERROR)
        incident_reply_error(s, rep, "report", &rc, err, errlen);
    freeReplyObject(rep);
    return rc;
}

/* ---- how a closed incident was closed ----------------------------------------------- */

#define CLOSED_SCAN 100 /* newest timeline entries looked at */

const char *incident_report_closed_from_timeline(const incident_t *inc)
{
    for (size_t i = inc->n_timeline; i-- > 0;) {
        const incident_tl_t *t = &inc->timeline[i];
        if (strcmp(t->action, "status") == 0 && strcmp(t->new_value, "closed") == 0)
            return t->old_value;
    }
    return "";
}

/* In one XREVRANGE entry [id, [k, v, ...]]: the value of field k, or NULL. */
static const char *entry_field(const redisReply *e, const char *k)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
        e->element[1]->type != REDIS_REPLY_ARRAY)
        return NULL;
    const redisReply *kv = e->element[1];
    for (size_t i = 0; i + 1 < kv->elements; i += 2)
        if (kv->element[i]->type == REDIS_REPLY_STRING &&
            kv->element[i + 1]->type == REDIS_REPLY_STRING && strcmp(kv->element[i]->str, k) == 0)
            return kv->element[i + 1]->str;
    return NULL;
}

int incident_report_closed_from(incident_store_t *s, const char *id, char *from, size_t cap,
                                char *err, size_t errlen)
{
    if (cap) from[0] = '\0';
    if (!incident_id_valid(id)) return INCIDENT_OK;
    int rc = INCIDENT_OK;
    redisReply *r = redisCommand(s->c, "XREVRANGE %s%s:timeline + - COUNT %d", INCIDENT_KEY_PREFIX,
                                 id, CLOSED_SCAN);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        incident_reply_error(s, r, "report: timeline", &rc, err, errlen);
        freeReplyObject(r);
        return rc;
    }
    for (size_t i = 0; i < r->elements; i++) {
        const char *action = entry_field(r->element[i], "action");
        const char *to = entry_field(r->element[i], "new");
        const char *old = entry_field(r->element[i], "old");
        if (action && to && old && strcmp(action, "status") == 0 && strcmp(to, "closed") == 0) {
            snprintf(from, cap, "%s", old);
            break;
        }
    }
    freeReplyObject(r);
    return INCIDENT_OK;
}
