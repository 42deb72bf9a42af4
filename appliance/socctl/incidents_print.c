/* incidents_print.c -- see incidents_print.h. */
#include "socctl/incidents_print.h"

#include <string.h>
#include <time.h>

#include "incidents/incident_sla.h"

/* "2026-03-01 08:30:15Z", or "-" for an unset time. */
static const char *fmt_time(int64_t usec, char out[32])
{
    time_t t = (time_t)(usec / 1000000);
    struct tm tm;
    if (usec <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", &tm))
        return "-";
    return out;
}

/* s with control bytes as '?' (UTF-8 passes through). */
static void put_clean(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void put_padded(FILE *out, const char *s, int width)
{
    put_clean(out, s);
    for (int n = (int)strlen(s); n < width; n++)
        fputc(' ', out);
}

static const char *sla_word(const incident_t *inc, int64_t now_usec)
{
    incident_sla_state_t st =
        incident_sla_check(inc->status, inc->sla_acknowledge_by, inc->sla_resolve_by, now_usec);
    return st.acknowledge_overdue ? "ack late" : st.resolve_overdue ? "late" : "-";
}

enum {
    C_ID,
    C_PRI,
    C_SEV,
    C_STATUS,
    C_ASSIGNEE,
    C_COUNT,
    C_FIRST,
    C_LAST,
    C_ASSET,
    C_SLA,
    C_EXTRA, /* incidents_print_table_col's column; skipped when absent */
    C_TITLE,
    C_COUNT_COLS
};

static void row_cells(const incident_t *inc, int64_t now_usec, char buf[][64],
                      const char *cell[C_COUNT_COLS], const char *extra)
{
    cell[C_EXTRA] = extra ? extra : "";
    snprintf(buf[0], 64, "P%d", inc->priority);
    snprintf(buf[1], 64, "%llu", (unsigned long long)inc->count);
    cell[C_ID] = inc->id;
    cell[C_PRI] = buf[0];
    cell[C_SEV] = incident_severity_name(inc->severity);
    cell[C_STATUS] = incident_status_name(inc->status);
    cell[C_ASSIGNEE] = inc->assignee[0] ? inc->assignee : "-";
    cell[C_COUNT] = buf[1];
    cell[C_FIRST] = fmt_time(inc->first_seen, buf[2]);
    cell[C_LAST] = fmt_time(inc->last_seen, buf[3]);
    cell[C_ASSET] = inc->asset_name[0] ? inc->asset_name : "-";
    cell[C_SLA] = sla_word(inc, now_usec);
    cell[C_TITLE] = inc->title;
}

void incidents_print_table(FILE *out, const incident_list_t *l, int64_t now_usec)
{
    incidents_print_table_col(out, l, now_usec, NULL, NULL);
}

void incidents_print_table_col(FILE *out, const incident_list_t *l, int64_t now_usec,
                               const char *extra_head, const char *const *extra)
{
    const char *head[C_COUNT_COLS] = {"ID",
                                      "P",
                                      "SEVERITY",
                                      "STATUS",
                                      "ASSIGNEE",
                                      "COUNT",
                                      "FIRST SEEN",
                                      "LAST SEEN",
                                      "ASSET",
                                      "SLA",
                                      extra_head ? extra_head : "",
                                      "TITLE"};
    int width[C_COUNT_COLS];
    for (int c = 0; c < C_COUNT_COLS; c++)
        width[c] = (int)strlen(head[c]);
    char buf[4][64];
    const char *cell[C_COUNT_COLS];
    for (size_t i = 0; i < l->n; i++) {
        row_cells(&l->v[i], now_usec, buf, cell, extra ? extra[i] : NULL);
        for (int c = 0; c < C_COUNT_COLS; c++)
            if ((int)strlen(cell[c]) > width[c]) width[c] = (int)strlen(cell[c]);
    }
    for (int c = 0; c < C_COUNT_COLS; c++) {
        if (c == C_EXTRA && !extra_head) continue;
        if (c == C_TITLE)
            fprintf(out, "%s\n", head[c]);
        else
            fprintf(out, "%-*s  ", width[c], head[c]);
    }
    for (size_t i = 0; i < l->n; i++) {
        row_cells(&l->v[i], now_usec, buf, cell, extra ? extra[i] : NULL);
        for (int c = 0; c < C_TITLE; c++) {
            if (c == C_EXTRA && !extra_head) continue;
            put_padded(out, cell[c], width[c]);
            fputs("  ", out);
        }
        put_clean(out, cell[C_TITLE]);
        fputc('\n', out);
    }
    fprintf(out, "%zu incident%s\n", l->n, l->n == 1 ? "" : "s");
}

static void line(FILE *out, const char *label, const char *value)
{
    fprintf(out, "  %-14s ", label);
    put_clean(out, value);
    fputc('\n', out);
}

static void line_list(FILE *out, const char *label, const incident_strv_t *v)
{
    fprintf(out, "  %-14s ", label);
    if (!v->n) fputc('-', out);
    for (size_t i = 0; i < v->n; i++) {
        if (i) fputs(", ", out);
        put_clean(out, v->v[i]);
    }
    fputc('\n', out);
}

static void show_sla(FILE *out, const incident_t *inc, int64_t now_usec)
{
    char a[32], b[32];
    incident_sla_state_t st =
        incident_sla_check(inc->status, inc->sla_acknowledge_by, inc->sla_resolve_by, now_usec);
    fprintf(out, "  %-14s acknowledge by %s%s, resolve by %s%s\n", "sla",
            fmt_time(inc->sla_acknowledge_by, a), st.acknowledge_overdue ? " (OVERDUE)" : "",
            fmt_time(inc->sla_resolve_by, b), st.resolve_overdue ? " (OVERDUE)" : "");
}

static void show_timeline(FILE *out, const incident_t *inc)
{
    fprintf(out, "timeline:\n");
    for (size_t i = 0; i < inc->n_timeline; i++) {
        const incident_tl_t *t = &inc->timeline[i];
        char ts[32];
        fprintf(out, "  %s  ", fmt_time(t->ts_usec, ts));
        put_clean(out, t->actor);
        fputs("  ", out);
        put_clean(out, t->action);
        fputs("  ", out);
        put_clean(out, t->field);
        fputs(": ", out);
        if (t->old_value[0]) {
            put_clean(out, t->old_value);
            fputs(" -> ", out);
        }
        put_clean(out, t->new_value);
        for (size_t k = 0; k < t->n_extra; k++) {
            fprintf(out, "  ");
            put_clean(out, t->extra[2 * k]);
            fputc('=', out);
            put_clean(out, t->extra[2 * k + 1]);
        }
        fputc('\n', out);
    }
}

void incidents_print_show(FILE *out, const incident_t *inc, int64_t now_usec)
{
    char t[32], b[256];
    put_clean(out, inc->id);
    fputs("  ", out);
    put_clean(out, inc->title);
    fputc('\n', out);
    line(out, "status", incident_status_name(inc->status));
    snprintf(b, sizeof(b), "P%d", inc->priority);
    line(out, "priority", b);
    snprintf(b, sizeof(b), "%s (%d)", incident_severity_name(inc->severity), inc->severity);
    line(out, "severity", b);
    snprintf(b, sizeof(b), "%.200s version %u", inc->rule_id, inc->rule_version);
    line(out, "rule", b);
    line(out, "group", inc->group_key);
    line(out, "assignee", inc->assignee[0] ? inc->assignee : "-");
    line(out, "first seen", fmt_time(inc->first_seen, t));
    line(out, "last seen", fmt_time(inc->last_seen, t));
    snprintf(b, sizeof(b), "%llu", (unsigned long long)inc->count);
    line(out, "count", b);
    line_list(out, "src ips", &inc->src_ips);
    line_list(out, "dest ips", &inc->dest_ips);
    if (inc->asset_name[0])
        snprintf(b, sizeof(b), "%.200s (level %d)", inc->asset_name, inc->asset_level);
    line(out, "asset", inc->asset_name[0] ? b : "-");
    line_list(out, "tactics", &inc->tactics);
    line_list(out, "techniques", &inc->techniques);
    show_sla(out, inc, now_usec);
    line(out, "created", fmt_time(inc->created_at, t));
    line(out, "acknowledged", fmt_time(inc->acknowledged_at, t));
    line(out, "resolved", fmt_time(inc->resolved_at, t));
    line(out, "closed", fmt_time(inc->closed_at, t));
    line_list(out, "links", &inc->links);
    line(out, "merged into", inc->merged_into[0] ? inc->merged_into : "-");
    line_list(out, "merged from", &inc->merged_from);
    snprintf(b, sizeof(b), "%llu event ids, %zu kept", (unsigned long long)inc->evidence_total,
             inc->evidence.n);
    line(out, "evidence", b);
    for (size_t i = 0; i < inc->evidence.n; i++)
        line(out, "", inc->evidence.v[i]);
    snprintf(b, sizeof(b), "%zu", inc->samples.n);
    line(out, "samples", b);
    for (size_t i = 0; i < inc->samples.n; i++)
        line(out, "", inc->samples.v[i]);
    if (inc->has_timeline) show_timeline(out, inc);
}
