/* incident_record.c -- see incident_record.h. */
#include "incident_record.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_store_int.h"

const char *incident_severity_name(int severity)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    return severity >= 0 && severity <= 4 ? names[severity] : "?";
}

/* Parts of the GET reply, in order. */
enum {
    R_HASH,
    R_SRC,
    R_DEST,
    R_TACTICS,
    R_TECHNIQUES,
    R_LINKS,
    R_MERGED_FROM,
    R_EV_FIRST,
    R_EV_LAST,
    R_SM_FIRST,
    R_SM_LAST,
    R_TIMELINE,
    R_PARTS
};

static bool parse_i64(const char *s, int64_t *v)
{
    if (!*s) {
        *v = 0;
        return true;
    }
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))) return false;
    *v = x;
    return true;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    int64_t x;
    if (!parse_i64(s, &x) || x < 0) return false;
    *v = (uint64_t)x;
    return true;
}

static bool parse_int(const char *s, int *v, int lo, int hi)
{
    int64_t x;
    if (!parse_i64(s, &x) || x < lo || x > hi) return false;
    *v = (int)x;
    return true;
}

typedef struct field {
    const char *name;
    char kind; /* s string, i int64, u uint64, n small int, v version, t status */
    size_t off;
} field_t;

#define F(name, kind)                                                                              \
    {                                                                                              \
#name, kind, offsetof(incident_t, name)                                                    \
    }
static const field_t fields[] = {
    F(id, 's'),
    F(title, 's'),
    F(rule_id, 's'),
    F(group_key, 's'),
    F(assignee, 's'),
    F(asset_name, 's'),
    F(merged_into, 's'),
    F(rule_version, 'v'),
    F(severity, 'n'),
    F(priority, 'n'),
    F(asset_level, 'n'),
    F(status, 't'),
    F(first_seen, 'i'),
    F(last_seen, 'i'),
    F(created_at, 'i'),
    F(updated_at, 'i'),
    F(acknowledged_at, 'i'),
    F(resolved_at, 'i'),
    F(closed_at, 'i'),
    F(sla_acknowledge_by, 'i'),
    F(sla_resolve_by, 'i'),
    F(count, 'u'),
    F(evidence_total, 'u'),
};
#undef F

static bool set_field(incident_t *inc, const field_t *f, const char *v)
{
    char *p = (char *)inc + f->off;
    uint64_t u;
    switch (f->kind) {
    case 's': *(const char **)p = v; return true;
    case 'i': return parse_i64(v, (int64_t *)(void *)p);
    case 'u': return parse_u64(v, (uint64_t *)(void *)p);
    case 'n': return parse_int(v, (int *)(void *)p, 0, 5);
    case 'v':
        if (!parse_u64(v, &u) || u > UINT32_MAX) return false;
        *(uint32_t *)(void *)p = (uint32_t)u;
        return true;
    case 't': return incident_status_parse(v, (incident_status_t *)(void *)p);
    }
    return false;
}

static bool all_strings(const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY) return false;
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type != REDIS_REPLY_STRING) return false;
    return true;
}

static int read_hash(const redisReply *h, incident_t *inc, char *err, size_t errlen)
{
    if (!all_strings(h) || h->elements % 2)
        return incident_fail(err, errlen, "incident: malformed hash in the reply");
    for (size_t i = 0; i + 1 < h->elements; i += 2) {
        const char *name = h->element[i]->str, *v = h->element[i + 1]->str;
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
            if (strcmp(name, fields[f].name) == 0 && !set_field(inc, &fields[f], v))
                return incident_fail(err, errlen, "%s: field %s: unexpected value '%.64s'", inc->id,
                                     name, v);
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The strings of one or two list replies into v (sorted for sets). */
static int read_strv(const redisReply *a, const redisReply *b, bool sort, incident_strv_t *v)
{
    if (!all_strings(a) || (b && !all_strings(b))) return -1;
    size_t n = a->elements + (b ? b->elements : 0);
    if (n == 0) return 0;
    v->v = malloc(n * sizeof(*v->v));
    if (!v->v) return -1;
    for (size_t i = 0; i < a->elements; i++)
        v->v[v->n++] = a->element[i]->str;
    for (size_t i = 0; b && i < b->elements; i++)
        v->v[v->n++] = b->element[i]->str;
    if (sort) qsort(v->v, v->n, sizeof(*v->v), cmp_str);
    return 0;
}

static int read_sets(const redisReply *r, incident_t *inc)
{
    incident_strv_t *sets[] = {&inc->src_ips,    &inc->dest_ips, &inc->tactics,
                               &inc->techniques, &inc->links,    &inc->merged_from};
    for (int i = 0; i < 6; i++)
        if (read_strv(r->element[R_SRC + i], NULL, true, sets[i]) < 0) return -1;
    if (read_strv(r->element[R_EV_FIRST], r->element[R_EV_LAST], false, &inc->evidence) < 0 ||
        read_strv(r->element[R_SM_FIRST], r->element[R_SM_LAST], false, &inc->samples) < 0)
        return -1;
    return 0;
}

/* One XRANGE entry: [id, [field, value, ...]]. */
static int read_entry(const redisReply *e, incident_tl_t *t)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
        e->element[0]->type != REDIS_REPLY_STRING || !all_strings(e->element[1]) ||
        e->element[1]->elements % 2)
        return -1;
    const redisReply *kv = e->element[1];
    t->stream_id = e->element[0]->str;
    t->actor = t->action = t->field = t->old_value = t->new_value = "";
    t->extra = malloc((kv->elements ? kv->elements : 1) * sizeof(*t->extra));
    if (!t->extra) return -1;
    for (size_t i = 0; i + 1 < kv->elements; i += 2) {
        const char *k = kv->element[i]->str, *v = kv->element[i + 1]->str;
        if (strcmp(k, "ts") == 0 && !parse_i64(v, &t->ts_usec)) return -1;
        const char **known = strcmp(k, "actor") == 0    ? &t->actor
                             : strcmp(k, "action") == 0 ? &t->action
                             : strcmp(k, "field") == 0  ? &t->field
                             : strcmp(k, "old") == 0    ? &t->old_value
                             : strcmp(k, "new") == 0    ? &t->new_value
                                                        : NULL;
        if (known)
            *known = v;
        else if (strcmp(k, "ts") != 0) {
            t->extra[2 * t->n_extra] = k;
            t->extra[2 * t->n_extra + 1] = v;
            t->n_extra++;
        }
    }
    return 0;
}

static int read_timeline(const redisReply *r, incident_t *inc)
{
    if (r->type != REDIS_REPLY_ARRAY) return -1;
    if (r->elements == 0) return 0;
    inc->timeline = calloc(r->elements, sizeof(*inc->timeline));
    if (!inc->timeline) return -1;
    for (size_t i = 0; i < r->elements; i++) {
        inc->n_timeline = i + 1; /* so incident_free frees this one's extra too */
        if (read_entry(r->element[i], &inc->timeline[i]) < 0) return -1;
    }
    return 0;
}

static void defaults(incident_t *inc)
{
    memset(inc, 0, sizeof(*inc));
    inc->id = inc->title = inc->rule_id = inc->group_key = inc->assignee = inc->asset_name =
        inc->merged_into = "";
}

int incident_from_reply(void *reply, incident_t *inc, char *err, size_t errlen)
{
    redisReply *r = reply;
    defaults(inc);
    inc->reply_ = r;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != R_PARTS) {
        incident_free(inc);
        return incident_fail(err, errlen, "incident: unexpected reply shape");
    }
    /* the id first, so messages about other fields can name it */
    const redisReply *h = r->element[R_HASH];
    for (size_t i = 0; all_strings(h) && i + 1 < h->elements; i += 2)
        if (strcmp(h->element[i]->str, "id") == 0) inc->id = h->element[i + 1]->str;
    if (read_hash(h, inc, err, errlen) < 0) {
        incident_free(inc);
        return -1;
    }
    if (read_sets(r, inc) < 0 || read_timeline(r->element[R_TIMELINE], inc) < 0) {
        incident_fail(err, errlen, "%s: malformed sets, lists or timeline in the reply", inc->id);
        incident_free(inc);
        return -1;
    }
    return 0;
}

void incident_free(incident_t *inc)
{
    if (!inc) return;
    incident_strv_t *v[] = {&inc->src_ips, &inc->dest_ips,    &inc->tactics,  &inc->techniques,
                            &inc->links,   &inc->merged_from, &inc->evidence, &inc->samples};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        free(v[i]->v);
    for (size_t i = 0; i < inc->n_timeline; i++)
        free(inc->timeline[i].extra);
    free(inc->timeline);
    freeReplyObject(inc->reply_);
    defaults(inc);
}
