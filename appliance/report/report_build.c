/* report_build.c -- see report_build.h. */
#include "report/report_build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents/incident_report.h"

#define UNKNOWN_VI "Chưa xác định"

/* ---- a bounded text builder ----------------------------------------------------------- */

typedef struct sb {
    char buf[REPORT_VALUE_MAX];
    size_t len;
    bool cut;
} sb_t;

/* Appends what fits, never splitting a UTF-8 sequence; room is kept for "...". */
static void sb_add(sb_t *b, const char *s, size_t n)
{
    size_t room = sizeof(b->buf) - 4 - b->len;
    if (b->cut) return;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
        b->cut = true;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void sb_str(sb_t *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_printf(sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb_t *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* The first REPORT_LIST_MAX items, then how many more. */
static void sb_list(sb_t *b, const incident_strv_t *v, const char *more)
{
    for (size_t i = 0; i < v->n && i < REPORT_LIST_MAX; i++) {
        if (i) sb_str(b, ", ");
        sb_str(b, v->v[i]);
    }
    if (v->n > REPORT_LIST_MAX) sb_printf(b, " (và %zu %s khác)", v->n - REPORT_LIST_MAX, more);
}

static char *sb_done(sb_t *b)
{
    if (b->cut) memcpy(b->buf + b->len, "...", 4), b->len += 3;
    return report_clean_text(b->buf, b->len);
}

/* ---- the values ------------------------------------------------------------------------- */

static bool set(const char *s)
{
    return s && s[0];
}

/* The part of an asset description before " -- " (assets.yml writes the
 * Vietnamese name first, an English gloss after). */
static void short_description(sb_t *b, const char *d)
{
    const char *cut = strstr(d, " -- ");
    sb_add(b, d, cut ? (size_t)(cut - d) : strlen(d));
}

static void v_owner(sb_t *b, const report_input_t *in)
{
    sb_str(b, set(in->system.owner)      ? in->system.owner
              : set(in->settings->owner) ? in->settings->owner
                                         : UNKNOWN_VI);
}

static void v_contact(sb_t *b, const report_input_t *in)
{
    const report_settings_t *s = in->settings;
    const char *parts[][2] = {{"", s->contact_name},
                              {"điện thoại: ", s->contact_phone},
                              {"thư điện tử: ", s->contact_email}};
    bool any = false;
    for (size_t i = 0; i < 3; i++) {
        if (!set(parts[i][1])) continue;
        sb_printf(b, "%s%s%s", any ? "; " : "", parts[i][0], parts[i][1]);
        any = true;
    }
    if (!any) sb_str(b, set(in->system.contact) ? in->system.contact : UNKNOWN_VI);
}

static void v_system(sb_t *b, const report_input_t *in)
{
    const incident_t *inc = in->inc;
    if (!set(inc->asset_name)) {
        sb_str(b, UNKNOWN_VI);
        return;
    }
    sb_str(b, inc->asset_name);
    if (set(in->system.description)) {
        sb_str(b, " – ");
        short_description(b, in->system.description);
    }
}

static void v_attack(sb_t *b, const incident_t *inc)
{
    if (!inc->tactics.n && !inc->techniques.n) {
        sb_str(b, UNKNOWN_VI);
        return;
    }
    if (inc->tactics.n) {
        sb_str(b, "Chiến thuật: ");
        sb_list(b, &inc->tactics, "chiến thuật");
    }
    if (inc->techniques.n) {
        sb_str(b, inc->tactics.n ? "; kỹ thuật: " : "Kỹ thuật: ");
        sb_list(b, &inc->techniques, "kỹ thuật");
    }
}

static void v_categories(sb_t *b, uint32_t cats)
{
    bool first = true;
    for (int c = 0; c < REPORT_CAT_COUNT; c++) {
        if (!(cats & REPORT_CAT_BIT(c))) continue;
        sb_printf(b, "%s%s", first ? "" : "; ", report_category_vi((report_category_t)c));
        first = false;
    }
}

static void v_scope(sb_t *b, const incident_t *inc)
{
    char t1[REPORT_TIME_MAX], t2[REPORT_TIME_MAX];
    sb_str(b, "Hệ thống: ");
    sb_str(b, set(inc->asset_name) ? inc->asset_name : UNKNOWN_VI);
    if (inc->src_ips.n) {
        sb_str(b, "; địa chỉ nguồn: ");
        sb_list(b, &inc->src_ips, "địa chỉ");
    }
    if (inc->dest_ips.n) {
        sb_str(b, "; địa chỉ đích: ");
        sb_list(b, &inc->dest_ips, "địa chỉ");
    }
    sb_printf(b, "; %llu sự kiện từ %s đến %s", (unsigned long long)inc->count,
              report_time_vi(inc->first_seen, t1), report_time_vi(inc->last_seen, t2));
}

static void v_evidence(sb_t *b, const incident_t *inc)
{
    sb_printf(b, "%llu sự kiện được lưu vết", (unsigned long long)inc->evidence_total);
    if (inc->evidence.n) {
        sb_str(b, "; mã sự kiện: ");
        sb_list(b, &inc->evidence, "mã");
    }
    if (inc->samples.n) sb_printf(b, "; %zu bản ghi sự kiện mẫu", inc->samples.n);
}

/* Given text, else what the last report stored, else a placeholder. */
static void v_text(sb_t *b, const char *given, const char *stored, const char *placeholder)
{
    sb_str(b, set(given) ? given : set(stored) ? stored : placeholder);
}

void report_next_text(const report_profile_t *p, const report_due_t *d, char *out, size_t cap)
{
    char t[REPORT_TIME_MAX], dur[REPORT_TIME_MAX];
    if (!d->has_next) {
        snprintf(out, cap, "Không có");
    } else if (d->next_due) {
        snprintf(out, cap, "%s trước %s", p->kinds[d->next].name, report_time_vi(d->next_due, t));
    } else {
        snprintf(out, cap, "%s trong vòng %s kể từ khi kết thúc ứng phó sự cố",
                 p->kinds[d->next].name, report_duration_vi(p->kinds[d->next].within, dur));
    }
}

static void value_of(sb_t *b, report_field_t f, const report_input_t *in, const report_t *r,
                     const incident_report_state_t *st)
{
    const incident_t *inc = in->inc;
    char t[REPORT_TIME_MAX], next[REPORT_TEXT_MAX + 128];
    switch (f) {
    case RF_OWNER: v_owner(b, in); break;
    case RF_CONTACT: v_contact(b, in); break;
    case RF_SYSTEM: v_system(b, in); break;
    case RF_LEVEL:
        if (inc->asset_level >= 1 && inc->asset_level <= 5)
            sb_printf(b, "Cấp độ %d", inc->asset_level);
        else
            sb_str(b, UNKNOWN_VI);
        break;
    case RF_INCIDENT: sb_printf(b, "%s – %s", inc->id, inc->title); break;
    case RF_DETECTED: sb_str(b, report_time_vi(inc->created_at, t)); break;
    case RF_OCCURRED: sb_str(b, report_time_vi(inc->first_seen, t)); break;
    case RF_CATEGORY: v_categories(b, r->categories); break;
    case RF_METHOD:
        sb_printf(b,
                  "Giám sát tự động: hệ thống SOC phát hiện theo quy tắc tương quan %s "
                  "(phiên bản %u), %llu sự kiện khớp",
                  inc->rule_id, inc->rule_version, (unsigned long long)inc->count);
        break;
    case RF_SEVERITY:
        sb_printf(b, "%s (mức %d/4), mức ưu tiên P%d", report_severity_vi(inc->severity),
                  inc->severity, inc->priority);
        break;
    case RF_ATTACK: v_attack(b, inc); break;
    case RF_STATUS: sb_str(b, report_status_vi(incident_status_name(inc->status))); break;
    case RF_CAUSE: v_text(b, in->cause, st->cause, "Đang xác minh"); break;
    case RF_SCOPE:
        if (set(in->scope) || set(st->scope))
            v_text(b, in->scope, st->scope, "");
        else
            v_scope(b, inc);
        break;
    case RF_MEASURES: v_text(b, in->measures, st->measures, "Chưa cập nhật"); break;
    case RF_EVIDENCE: v_evidence(b, inc); break;
    case RF_NEXT:
        report_next_text(in->profile, &r->after, next, sizeof(next));
        sb_str(b, next);
        break;
    case RF_COUNT: break;
    }
}

/* ---- the report --------------------------------------------------------------------------- */

/* Reports of this incident so far, plus this one: its number. */
static unsigned sequence(const report_facts_t *f, report_kind_t k)
{
    (void)k; /* every kind takes the next number */
    return 1 + (f->sent[REPORT_INITIAL] != 0) + f->update_count + (f->sent[REPORT_FINAL] != 0);
}

int report_build(const report_input_t *in, report_t *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    const incident_t *inc = in->inc;
    report_facts_t f;
    incident_report_state_t st;
    report_facts_of(inc, &f);
    incident_report_state(inc, &st);
    r->profile = in->profile;
    r->settings = in->settings;
    r->kind = in->kind;
    r->reported_at = in->now_usec;
    r->categories = f.categories;
    snprintf(r->incident_id, sizeof(r->incident_id), "%s", inc->id);
    snprintf(r->number, sizeof(r->number), "%.32s/BC-%02u", inc->id, sequence(&f, in->kind));
    report_date_line_vi(in->settings->place, in->now_usec, r->date_line, sizeof(r->date_line));
    report_due_compute(in->profile, &f, in->now_usec, &r->before);
    report_facts_after(&f, in->kind, in->now_usec);
    report_due_compute(in->profile, &f, in->now_usec, &r->after);
    const char *who = in->reporter ? in->reporter : "";
    r->reporter = report_clean_text(who, strlen(who));
    bool ok = r->reporter != NULL;
    for (size_t i = 0; ok && i < in->profile->n_fields; i++) {
        sb_t *b = malloc(sizeof(*b));
        ok = b != NULL;
        if (!ok) break;
        b->len = 0;
        b->cut = false;
        b->buf[0] = '\0';
        report_field_t fld = in->profile->fields[i];
        value_of(b, fld, in, r, &st);
        r->rows[r->n_rows].field = fld;
        r->rows[r->n_rows].value = sb_done(b);
        ok = r->rows[r->n_rows++].value != NULL;
        free(b);
    }
    if (ok) return 0;
    report_free(r);
    snprintf(err, errlen, "%s: out of memory building the report", inc->id);
    return -1;
}

void report_free(report_t *r)
{
    for (size_t i = 0; i < r->n_rows; i++)
        free(r->rows[i].value);
    free(r->reporter);
    memset(r, 0, sizeof(*r));
}

const char *report_value(const report_t *r, report_field_t f)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].field == f) return r->rows[i].value;
    return NULL;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void ktime_or_null(jw_t *w, const char *key, int64_t usec)
{
    if (usec > 0)
        jw_ktimestamp(w, key, usec);
    else
        jw_knull(w, key);
}

static void json_profile(jw_t *w, const report_profile_t *p)
{
    jw_kobject_open(w, "profile");
    jw_kstr(w, "name", p->name);
    jw_kstr(w, "title", p->title);
    jw_kstr(w, "recipient", p->recipient);
    jw_karray_open(w, "legal_basis");
    for (size_t i = 0; i < p->n_legal; i++)
        jw_str(w, p->legal[i]);
    jw_array_close(w);
    jw_object_close(w);
}

void report_json(jw_t *w, const report_t *r)
{
    const report_profile_t *p = r->profile;
    const report_settings_t *s = r->settings;
    jw_object_open(w);
    jw_kstr(w, "incident", r->incident_id);
    jw_kstr(w, "kind", report_kind_name(r->kind));
    jw_kstr(w, "name", p->kinds[r->kind].name);
    jw_kstr(w, "title", p->kinds[r->kind].title);
    jw_kstr(w, "number", r->number);
    json_profile(w, p);
    jw_kobject_open(w, "organisation");
    jw_kstr(w, "owner", s->owner);
    jw_kstr(w, "unit", s->unit);
    jw_kstr(w, "place", s->place);
    jw_object_close(w);
    jw_kstr(w, "reporter", r->reporter);
    jw_ktimestamp(w, "reported_at", r->reported_at);
    jw_kstr(w, "date_line", r->date_line);
    jw_kbool(w, "required", r->before.required);
    jw_kbool(w, "immediate", r->before.immediate);
    int64_t due = r->before.due[r->kind];
    ktime_or_null(w, "deadline", due);
    jw_kbool(w, "late", due > 0 && r->reported_at > due);
    if (r->after.has_next) {
        jw_kobject_open(w, "next");
        jw_kstr(w, "kind", report_kind_name(r->after.next));
        jw_kstr(w, "name", p->kinds[r->after.next].name);
        ktime_or_null(w, "due", r->after.next_due);
        jw_object_close(w);
    } else {
        jw_knull(w, "next");
    }
    jw_karray_open(w, "categories");
    for (int c = 0; c < REPORT_CAT_COUNT; c++)
        if (r->categories & REPORT_CAT_BIT(c))
            jw_str(w, report_category_name((report_category_t)c));
    jw_array_close(w);
    jw_karray_open(w, "fields");
    for (size_t i = 0; i < r->n_rows; i++) {
        jw_object_open(w);
        jw_kstr(w, "key", report_field_name(r->rows[i].field));
        jw_kstr(w, "label", report_field_vi(r->rows[i].field));
        jw_kstr(w, "value", r->rows[i].value);
        jw_object_close(w);
    }
    jw_array_close(w);
    jw_object_close(w);
}
