/* incident_json.c -- see incident_json.h. */
#include "incident_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_sla.h"
#include "json_reader.h"

static void kstrv(jw_t *w, const char *key, const incident_strv_t *v)
{
    jw_karray_open(w, key);
    for (size_t i = 0; i < v->n; i++)
        jw_str(w, v->v[i]);
    jw_array_close(w);
}

static void ktime(jw_t *w, const char *key, int64_t usec)
{
    if (usec > 0)
        jw_ktimestamp(w, key, usec);
    else
        jw_knull(w, key);
}

static void kstr_or_null(jw_t *w, const char *key, const char *s)
{
    if (s[0])
        jw_kstr(w, key, s);
    else
        jw_knull(w, key);
}

/* Seconds from a to b, or null when b is not set. */
static void kduration(jw_t *w, const char *key, int64_t a, int64_t b)
{
    if (a > 0 && b > 0)
        jw_kint(w, key, (b - a) / 1000000);
    else
        jw_knull(w, key);
}

static bool is_json(const char *s)
{
    size_t len = strlen(s);
    /* a token per byte at most, plus the top-level value */
    int max = len < 1000000 ? (int)len + 1 : 1000001;
    json_tok_t *toks = malloc((size_t)max * sizeof(*toks));
    bool ok = toks && json_parse(s, len, toks, max, NULL, 0) > 0;
    free(toks);
    return ok;
}

/* jw has no raw array element: the array's text is built on the side. */
static void ksamples(jw_t *w, const incident_strv_t *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        w->oom = true;
        return;
    }
    fputc('[', f);
    for (size_t i = 0; i < v->n; i++) {
        if (i) fputc(',', f);
        if (is_json(v->v[i])) {
            fputs(v->v[i], f);
            continue;
        }
        jw_t t;
        jw_init(&t);
        jw_str(&t, v->v[i]); /* top level: just the quoted, escaped string */
        if (t.oom)
            w->oom = true;
        else
            fwrite(t.buf, 1, t.len, f);
        jw_free(&t);
    }
    fputc(']', f);
    if (fclose(f) == 0 && buf)
        jw_kraw(w, "samples", buf);
    else
        w->oom = true;
    free(buf);
}

/* An extra field of a timeline entry is written unless its name is taken
 * (a stream entry may repeat a field, or name one "time"): JSON members
 * must be unique. */
static bool extra_name_free(const incident_tl_t *t, size_t k)
{
    static const char *const fixed[] = {"time", "actor", "action", "field", "old", "new"};
    const char *name = t->extra[2 * k];
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (strcmp(name, fixed[i]) == 0) return false;
    for (size_t i = 0; i < k; i++)
        if (strcmp(name, t->extra[2 * i]) == 0) return false;
    return true;
}

static void ktimeline(jw_t *w, const incident_t *inc)
{
    jw_karray_open(w, "timeline");
    for (size_t i = 0; i < inc->n_timeline; i++) {
        const incident_tl_t *t = &inc->timeline[i];
        jw_object_open(w);
        ktime(w, "time", t->ts_usec);
        jw_kstr(w, "actor", t->actor);
        jw_kstr(w, "action", t->action);
        jw_kstr(w, "field", t->field);
        jw_kstr(w, "old", t->old_value);
        jw_kstr(w, "new", t->new_value);
        for (size_t k = 0; k < t->n_extra; k++)
            if (extra_name_free(t, k)) jw_kstr(w, t->extra[2 * k], t->extra[2 * k + 1]);
        jw_object_close(w);
    }
    jw_array_close(w);
}

static void ksla(jw_t *w, const incident_t *inc, int64_t now_usec)
{
    incident_sla_state_t st =
        incident_sla_check(inc->status, inc->sla_acknowledge_by, inc->sla_resolve_by, now_usec);
    jw_kobject_open(w, "sla");
    ktime(w, "acknowledge_by", inc->sla_acknowledge_by);
    ktime(w, "resolve_by", inc->sla_resolve_by);
    jw_kbool(w, "acknowledge_overdue", st.acknowledge_overdue);
    jw_kbool(w, "resolve_overdue", st.resolve_overdue);
    jw_object_close(w);
}

void incident_json(jw_t *w, const incident_t *inc, int64_t now_usec)
{
    jw_object_open(w);
    jw_kstr(w, "id", inc->id);
    jw_kstr(w, "title", inc->title);
    jw_kobject_open(w, "rule");
    jw_kstr(w, "id", inc->rule_id);
    jw_kuint(w, "version", inc->rule_version);
    jw_object_close(w);
    jw_kint(w, "severity", inc->severity);
    jw_kint(w, "priority", inc->priority);
    jw_kstr(w, "status", incident_status_name(inc->status));
    kstr_or_null(w, "assignee", inc->assignee);
    jw_kstr(w, "group_key", inc->group_key);
    ktime(w, "first_seen", inc->first_seen);
    ktime(w, "last_seen", inc->last_seen);
    jw_kuint(w, "count", inc->count);
    kstrv(w, "src_ips", &inc->src_ips);
    kstrv(w, "dest_ips", &inc->dest_ips);
    if (inc->asset_name[0]) {
        jw_kobject_open(w, "asset");
        jw_kstr(w, "name", inc->asset_name);
        jw_kint(w, "level", inc->asset_level);
        jw_object_close(w);
    } else {
        jw_knull(w, "asset");
    }
    jw_kobject_open(w, "attack");
    kstrv(w, "tactics", &inc->tactics);
    kstrv(w, "techniques", &inc->techniques);
    jw_object_close(w);
    kstrv(w, "evidence", &inc->evidence);
    jw_kuint(w, "evidence_total", inc->evidence_total);
    ksamples(w, &inc->samples);
    ksla(w, inc, now_usec);
    ktime(w, "created_at", inc->created_at);
    ktime(w, "updated_at", inc->updated_at);
    ktime(w, "acknowledged_at", inc->acknowledged_at);
    ktime(w, "resolved_at", inc->resolved_at);
    ktime(w, "closed_at", inc->closed_at);
    kduration(w, "time_to_acknowledge", inc->created_at, inc->acknowledged_at);
    kduration(w, "time_to_resolve", inc->created_at, inc->resolved_at);
    kstrv(w, "links", &inc->links);
    kstr_or_null(w, "merged_into", inc->merged_into);
    kstrv(w, "merged_from", &inc->merged_from);
    if (inc->has_timeline) ktimeline(w, inc);
    jw_object_close(w);
}
