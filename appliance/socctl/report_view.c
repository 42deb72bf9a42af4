/* report_view.c -- see report_view.h. */
#include "socctl/report_view.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "incidents/incident_report.h"
#include "incidents/incident_sla.h"
#include "log.h"
#include "socctl/incidents_print.h"

const char *report_config_path(const char *opt)
{
    if (opt) return opt;
    const char *env = getenv("SOC_CONFIG");
    if (env && *env) return env;
    return access(SOCCTL_DEFAULT_CONFIG, F_OK) == 0 ? SOCCTL_DEFAULT_CONFIG : NULL;
}

report_view_t *report_view_open(const char *config_path, const char *profile, char *err,
                                size_t errlen)
{
    char path[REPORT_PATH_MAX], why[1024];
    err[0] = '\0';
    report_view_t *v = calloc(1, sizeof(*v));
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    report_settings_defaults(&v->settings);
    bool ok = (!config_path || report_settings_load(&v->settings, config_path, why, sizeof(why))) &&
              report_profile_path(&v->settings, profile, path, sizeof(path), why, sizeof(why));
    if (ok && !path[0]) {
        free(v);
        return NULL; /* no regime configured: nothing to show */
    }
    ok = ok && report_profile_load(&v->profile, path, why, sizeof(why));
    if (ok) return v;
    snprintf(err, errlen, "%s", why);
    free(v);
    return NULL;
}

void report_view_close(report_view_t *v)
{
    free(v);
}

void report_view_due(const report_view_t *v, incident_store_t *st, const incident_t *inc,
                     int64_t now_usec, report_due_t *out)
{
    report_facts_t f;
    report_facts_of(inc, &f);
    report_due_compute(&v->profile, &f, now_usec, out);
    /* only a closed incident with a duty and nothing sent can change its mind */
    if (!st || inc->status != INCIDENT_CLOSED || inc->has_timeline || !out->tracked ||
        f.sent[REPORT_INITIAL] || f.update_count || f.sent[REPORT_FINAL])
        return;
    char from[32], err[256];
    if (incident_report_closed_from(st, inc->id, from, sizeof(from), err, sizeof(err)) !=
        INCIDENT_OK) {
        log_warn("%s", err);
        return;
    }
    report_facts_closed_from(&f, from);
    report_due_compute(&v->profile, &f, now_usec, out);
}

/* Reopen the object jw just closed, so members can be added to it. */
static bool reopen(jw_t *w)
{
    if (w->oom || w->len == 0 || w->buf[w->len - 1] != '}' || w->depth >= JW_MAX_DEPTH)
        return false;
    w->buf[--w->len] = '\0';
    w->depth++;
    w->first[w->depth] = false;
    return true;
}

static void ktime_or_null(jw_t *w, const char *key, int64_t usec)
{
    if (usec > 0)
        jw_ktimestamp(w, key, usec);
    else
        jw_knull(w, key);
}

static void json_sent(jw_t *w, const incident_t *inc)
{
    incident_report_state_t st;
    incident_report_state(inc, &st);
    jw_karray_open(w, "sent");
    if (st.initial_at) {
        jw_object_open(w);
        jw_kstr(w, "kind", "initial");
        jw_ktimestamp(w, "at", st.initial_at);
        jw_object_close(w);
    }
    if (st.update_count) {
        jw_object_open(w);
        jw_kstr(w, "kind", "update");
        ktime_or_null(w, "at", st.update_at);
        jw_kuint(w, "count", st.update_count);
        jw_object_close(w);
    }
    if (st.final_at) {
        jw_object_open(w);
        jw_kstr(w, "kind", "final");
        jw_ktimestamp(w, "at", st.final_at);
        jw_object_close(w);
    }
    jw_array_close(w);
}

void report_view_json(const report_view_t *v, jw_t *w, const incident_t *inc, const report_due_t *d)
{
    if (!reopen(w)) {
        w->oom = true;
        return;
    }
    jw_kobject_open(w, "report");
    jw_kstr(w, "profile", v->profile.name);
    jw_kbool(w, "required", d->required);
    jw_kbool(w, "immediate", d->immediate);
    if (d->has_next) {
        jw_kobject_open(w, "next");
        jw_kstr(w, "kind", report_kind_name(d->next));
        ktime_or_null(w, "due", d->next_due);
        jw_object_close(w);
    } else {
        jw_knull(w, "next");
    }
    jw_kbool(w, "overdue", d->overdue);
    jw_kbool(w, "due_soon", d->due_soon);
    json_sent(w, inc);
    jw_object_close(w);
    jw_object_close(w);
}

/* "2026-03-06 08:30Z", the table's short UTC form. */
static const char *short_time(int64_t usec, char out[32])
{
    time_t t = (time_t)(usec / 1000000);
    struct tm tm;
    if (usec <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%MZ", &tm)) return "?";
    return out;
}

void report_view_cell(const report_due_t *d, char *out, size_t cap)
{
    char t[32];
    if (!d->has_next)
        snprintf(out, cap, "-");
    else if (!d->next_due)
        snprintf(out, cap, "%s after close", report_kind_name(d->next));
    else
        snprintf(out, cap, "%s %s%s", report_kind_name(d->next), short_time(d->next_due, t),
                 d->overdue    ? " LATE"
                 : d->due_soon ? " soon"
                               : "");
}

static const char *long_time(int64_t usec, char out[32])
{
    time_t t = (time_t)(usec / 1000000);
    struct tm tm;
    if (usec <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", &tm))
        return "-";
    return out;
}

void report_view_print(const report_view_t *v, FILE *out, const incident_t *inc,
                       const report_due_t *d)
{
    char t[32], cell[96];
    incident_report_state_t st;
    incident_report_state(inc, &st);
    report_view_cell(d, cell, sizeof(cell));
    fprintf(out, "report (%s):\n", v->profile.name);
    fprintf(out, "  %-14s %s%s\n", "required", d->required ? "yes" : "no",
            d->immediate ? " (immediate notice)" : "");
    fprintf(out, "  %-14s %s\n", "next", cell);
    fprintf(out, "  %-14s %s\n", "initial", long_time(st.initial_at, t));
    fprintf(out, "  %-14s %u (latest %s)\n", "updates", st.update_count,
            long_time(st.update_at, t));
    fprintf(out, "  %-14s %s\n", "final", long_time(st.final_at, t));
}

/* ---- list ------------------------------------------------------------------------------- */

int report_view_list(const report_view_t *v, incident_store_t *st, const incident_filter_t *filter,
                     bool status_given, size_t limit, incident_list_t *l, report_due_t **dues,
                     char *err, size_t errlen)
{
    incident_filter_t f = *filter;
    bool overdue = f.overdue;
    if (overdue) {
        /* the store's filter knows SLA deadlines only: read without it, filter here */
        f.overdue = false;
        if (!status_given) f.select = INCIDENT_SELECT_ALL;
    }
    int rc = incident_list(st, &f, overdue ? REPORT_VIEW_SCAN_MAX : limit, l, err, errlen);
    if (rc != INCIDENT_OK) return rc;
    *dues = calloc(l->n ? l->n : 1, sizeof(**dues));
    if (!*dues) {
        incident_list_free(l);
        snprintf(err, errlen, "out of memory");
        return INCIDENT_ERR;
    }
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        report_due_t d;
        incident_t *inc = &l->v[i];
        report_view_due(v, st, inc, f.now_usec, &d);
        incident_sla_state_t sla = incident_sla_check(inc->status, inc->sla_acknowledge_by,
                                                      inc->sla_resolve_by, f.now_usec);
        bool late = d.overdue || sla.acknowledge_overdue || sla.resolve_overdue;
        if (overdue && (!late || kept >= limit)) {
            incident_free(inc);
            continue;
        }
        (*dues)[kept] = d;
        l->v[kept++] = *inc;
    }
    l->n = kept;
    return INCIDENT_OK;
}

int report_view_table(FILE *out, const incident_list_t *l, int64_t now_usec,
                      const report_due_t *dues)
{
    char(*cells)[64] = calloc(l->n ? l->n : 1, sizeof(*cells));
    const char **cellp = calloc(l->n ? l->n : 1, sizeof(*cellp));
    int rc = cells && cellp ? 0 : 1;
    for (size_t i = 0; !rc && i < l->n; i++) {
        report_view_cell(&dues[i], cells[i], sizeof(cells[i]));
        cellp[i] = cells[i];
    }
    if (rc)
        fprintf(stderr, "socctl incidents: out of memory\n");
    else
        incidents_print_table_col(out, l, now_usec, "REPORT DUE", cellp);
    free(cells);
    free(cellp);
    return rc;
}
