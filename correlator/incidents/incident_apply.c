/* incident_apply.c -- incident_apply(): check a match, build the APPLY
 * script's arguments (incident_lua.c documents their order), run it. */
#include "incident_store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_keys.h"
#include "incident_sla.h"

/* Fixed arguments before the item lists. */
enum {
    A_MATCH,
    A_RULE,
    A_VERSION,
    A_TITLE,
    A_SEVERITY,
    A_PRIORITY,
    A_GROUP,
    A_FIRST,
    A_LAST,
    A_COUNT,
    A_ASSET,
    A_LEVEL,
    A_NOW,
    A_YEAR,
    A_EV_MAX,
    A_SM_MAX,
    A_IPS_MAX,
    A_WINDOW,
    A_TTL,
    A_TMAX,
    A_SLA_ACK,
    A_SLA_RES,
    A_EV_EXTRA,
    A_N_SRC,
    A_N_DEST,
    A_N_TACTICS,
    A_N_TECH,
    A_N_EVENTS,
    A_N_SAMPLES,
    A_FIXED
};

/* Numbers are formatted into slots of this buffer. */
typedef struct apply_args {
    const char **v;
    size_t *len;
    size_t n, cap;
    char num[A_FIXED][24];
} apply_args_t;

static void put(apply_args_t *a, const char *s)
{
    a->v[a->n] = s;
    a->len[a->n] = strlen(s);
    a->n++;
}

static void put_num(apply_args_t *a, int64_t v)
{
    snprintf(a->num[a->n], sizeof(a->num[a->n]), "%" PRId64, v);
    put(a, a->num[a->n]);
}

static void put_unum(apply_args_t *a, uint64_t v)
{
    snprintf(a->num[a->n], sizeof(a->num[a->n]), "%" PRIu64, v);
    put(a, a->num[a->n]);
}

static int refuse(char *err, size_t errlen, const char *what)
{
    incident_fail(err, errlen, "match refused: %s", what);
    return INCIDENT_REFUSED;
}

static bool str_ok(const char *s, size_t max, bool nonempty)
{
    if (!s) return false;
    size_t n = strnlen(s, max + 1);
    return n <= max && (!nonempty || n > 0);
}

static bool items_ok(const char *const *v, size_t n, size_t max)
{
    if (n && !v) return false;
    for (size_t i = 0; i < n; i++)
        if (!str_ok(v[i], max, true)) return false;
    return true;
}

/* Why m cannot be applied, or NULL. */
static const char *check_match(const incident_match_t *m, int64_t now_usec)
{
    if (!str_ok(m->match_id, INCIDENT_MATCH_ID_MAX, true)) return "match_id empty or too long";
    if (!str_ok(m->rule_id, INCIDENT_RULE_ID_MAX, true) ||
        !incident_text_ok(m->rule_id, strlen(m->rule_id), false))
        return "rule_id empty, too long or with control characters";
    if (!str_ok(m->title, INCIDENT_TITLE_MAX, false)) return "title missing or too long";
    if (!str_ok(m->group_key, INCIDENT_GROUP_KEY_MAX, false))
        return "group_key missing or too long";
    if (m->asset_name && !str_ok(m->asset_name, INCIDENT_ITEM_MAX, false))
        return "asset_name too long";
    if (m->severity < 0 || m->severity > 4) return "severity outside 0..4";
    if (m->priority < 1 || m->priority > 5) return "priority outside 1..5";
    if (m->asset_level < 0 || m->asset_level > 5) return "asset_level outside 0..5";
    if (m->count < 1 || m->count > (uint64_t)INT64_MAX) return "count outside 1..2^63-1";
    if (m->first_seen_usec <= 0 || m->last_seen_usec < m->first_seen_usec)
        return "first_seen/last_seen not 0 < first <= last";
    if (now_usec <= 0) return "now is not a positive time";
    if (!items_ok(m->src_ips, m->n_src, INCIDENT_ITEM_MAX) ||
        !items_ok(m->dest_ips, m->n_dest, INCIDENT_ITEM_MAX))
        return "an ip address is NULL, empty or too long";
    if (!items_ok(m->tactics, m->n_tactics, INCIDENT_ITEM_MAX) ||
        !items_ok(m->techniques, m->n_techniques, INCIDENT_ITEM_MAX))
        return "a tactic or technique is NULL, empty or too long";
    if (!items_ok(m->event_ids, m->n_event_ids, INCIDENT_ITEM_MAX))
        return "an event id is NULL, empty or too long";
    if (m->n_samples && !m->samples) return "samples is NULL";
    for (size_t i = 0; i < m->n_samples; i++)
        if (!m->samples[i]) return "a sample is NULL";
    return NULL;
}

static size_t least(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* At most cap items of a set: only the first cap can ever be added. */
static size_t put_set(apply_args_t *a, const char *const *v, size_t n, size_t cap)
{
    size_t k = n < cap ? n : cap;
    for (size_t i = 0; i < k; i++)
        put(a, v[i]);
    return k;
}

/* The first ceil(cap/2) and the last cap - ceil(cap/2) of v when it holds
 * more than cap: all a first/latest list of cap could keep from it. */
static size_t put_capped(apply_args_t *a, const char *const *v, size_t n, size_t cap)
{
    if (n <= cap) return put_set(a, v, n, n);
    size_t first = (cap + 1) / 2, last = cap - first;
    put_set(a, v, first, first);
    put_set(a, v + n - last, last, last);
    return cap;
}

static bool sample_ok(const char *sample)
{
    return strnlen(sample, INCIDENT_SAMPLE_MAX + 1) <= INCIDENT_SAMPLE_MAX;
}

/* Samples as put_capped does, leaving out the ones too long to keep. */
static size_t put_samples(apply_args_t *a, const incident_match_t *m, size_t cap)
{
    size_t valid = 0, first = (cap + 1) / 2, last = cap - first, k = 0;
    for (size_t i = 0; i < m->n_samples; i++)
        valid += sample_ok(m->samples[i]);
    if (valid <= cap) first = valid, last = 0;
    for (size_t i = 0; i < m->n_samples && k < first; i++)
        if (sample_ok(m->samples[i])) put(a, m->samples[i]), k++;
    size_t from = m->n_samples, seen = 0;
    while (from > 0 && seen < last)
        seen += sample_ok(m->samples[--from]);
    for (size_t i = from; i < m->n_samples && last; i++)
        if (sample_ok(m->samples[i])) put(a, m->samples[i]), k++;
    return k;
}

static void put_fixed(apply_args_t *a, const incident_match_t *m, const incident_config_t *c,
                      int64_t now_usec)
{
    int64_t ack_by, res_by;
    incident_sla_deadlines(c, m->priority, 0, &ack_by, &res_by);
    put(a, m->match_id);
    put(a, m->rule_id);
    put_unum(a, m->rule_version);
    put(a, m->title);
    put_num(a, m->severity);
    put_num(a, m->priority);
    put(a, m->group_key);
    put_num(a, m->first_seen_usec);
    put_num(a, m->last_seen_usec);
    put_unum(a, m->count);
    put(a, m->asset_name ? m->asset_name : "");
    put_num(a, m->asset_level);
    put_num(a, now_usec);
    put_num(a, incident_id_year(now_usec));
    put_unum(a, c->evidence_max);
    put_unum(a, c->samples_max);
    put_unum(a, c->ips_max);
    put_num(a, (int64_t)c->link_window_sec * 1000000);
    put_unum(a, c->match_ttl_sec);
    put_unum(a, c->timeline_max);
    put_num(a, ack_by); /* durations: deadlines from a creation time of 0 */
    put_num(a, res_by);
    /* event ids beyond INCIDENT_MATCH_EVENTS_MAX are not sent, only counted
     * (in evidence_total: repeats among them cannot be told) */
    size_t sent =
        m->n_event_ids < INCIDENT_MATCH_EVENTS_MAX ? m->n_event_ids : INCIDENT_MATCH_EVENTS_MAX;
    put_unum(a, m->n_event_ids - sent);
    a->n += 6; /* the counts, filled once the lists are in */
}

static int read_reply(const redisReply *r, char *id_out, size_t idcap, bool *created, char *err,
                      size_t errlen)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_INTEGER)
        return incident_fail(err, errlen, "redis: apply: unexpected reply");
    if (r->element[0]->len >= idcap)
        return incident_fail(err, errlen, "apply: id %s longer than the %zu bytes given",
                             r->element[0]->str, idcap);
    memcpy(id_out, r->element[0]->str, r->element[0]->len + 1);
    if (created) *created = r->element[1]->integer == 1;
    return INCIDENT_OK;
}

int incident_apply(incident_store_t *s, const incident_match_t *m, int64_t now_usec, char *id_out,
                   size_t idcap, bool *created, char *err, size_t errlen)
{
    const char *why = check_match(m, now_usec);
    if (why) return refuse(err, errlen, why);
    if (!id_out || idcap == 0) return refuse(err, errlen, "no room for the id");
    const incident_config_t *c = &s->cfg;
    apply_args_t a = {0};
    a.cap = A_FIXED + least(m->n_src, c->ips_max) + least(m->n_dest, c->ips_max) +
            least(m->n_tactics, c->ips_max) + least(m->n_techniques, c->ips_max) +
            least(m->n_event_ids, INCIDENT_MATCH_EVENTS_MAX) + least(m->n_samples, c->samples_max);
    a.v = malloc(a.cap * sizeof(*a.v));
    a.len = malloc(a.cap * sizeof(*a.len));
    int rc = INCIDENT_ERR;
    if (!a.v || !a.len) {
        incident_fail(err, errlen, "out of memory");
        goto out;
    }
    put_fixed(&a, m, c, now_usec);
    /* one statement each: the lists go in this order (an initializer list
     * would leave the order of the calls open) */
    size_t counts[6];
    counts[0] = put_set(&a, m->src_ips, m->n_src, c->ips_max);
    counts[1] = put_set(&a, m->dest_ips, m->n_dest, c->ips_max);
    counts[2] = put_set(&a, m->tactics, m->n_tactics, c->ips_max);
    counts[3] = put_set(&a, m->techniques, m->n_techniques, c->ips_max);
    /* all ids (up to the limit), so evidence_total counts each distinct one */
    counts[4] = put_capped(&a, m->event_ids, m->n_event_ids, INCIDENT_MATCH_EVENTS_MAX);
    counts[5] = put_samples(&a, m, c->samples_max);
    for (int i = 0; i < 6; i++) {
        snprintf(a.num[A_N_SRC + i], sizeof(a.num[0]), "%zu", counts[i]);
        a.v[A_N_SRC + i] = a.num[A_N_SRC + i];
        a.len[A_N_SRC + i] = strlen(a.num[A_N_SRC + i]);
    }
    redisReply *r = incident_script_call(s, INCIDENT_SCRIPT_APPLY, INCIDENT_KEY_DEDUP, a.n, a.v,
                                         a.len, &rc, err, errlen);
    if (r) rc = read_reply(r, id_out, idcap, created, err, errlen);
    freeReplyObject(r);
out:
    free(a.v);
    free(a.len);
    return rc;
}
