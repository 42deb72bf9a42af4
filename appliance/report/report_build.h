/* report_build.h -- the content of one incident report, as a structure,
 * and its JSON (what `socctl incidents report --format json` prints; the
 * PDF shows the same rows, report_pdf.h).
 *
 * A report is a title, a number, the regime it answers (profile), and the
 * profile's fields in order, each a Vietnamese label and a Vietnamese value
 * built from the incident, the assets file, the `reports` settings and what
 * the analyst gave (cause, scope, measures; else what the last report said,
 * else a placeholder). The deadline this report meets and the next one due
 * (with this report counted as sent) come from report_deadline.h.
 *
 * JSON:
 *   {"incident", "kind", "name", "title", "number", "profile": {"name",
 *    "title", "recipient", "legal_basis"}, "organisation": {"owner",
 *    "unit", "place"}, "reporter", "reported_at", "date_line", "required",
 *    "immediate", "deadline" (time or null), "late", "next": {"kind",
 *    "name", "due" (time or null)} or null, "categories" (names),
 *    "fields": [{"key", "label", "value"}]}
 * Times are EVE timestamps (UTC); the values in fields are Vietnam time. */
#ifndef SOC_REPORT_BUILD_H
#define SOC_REPORT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incidents/incident_record.h"
#include "json_writer.h"
#include "report/report_config.h"
#include "report/report_deadline.h"
#include "report/report_profile.h"

#define REPORT_VALUE_MAX 8192 /* bytes of one field's value; longer is cut ("...") */
#define REPORT_LIST_MAX  10   /* addresses or event ids named in a value */

/* The incident's system as the assets file describes it ("" unknown). */
typedef struct report_system {
    const char *owner, *description, *contact;
} report_system_t;

typedef struct report_input {
    const incident_t *inc;
    const report_profile_t *profile;
    const report_settings_t *settings;
    report_system_t system;
    report_kind_t kind;
    const char *reporter; /* the analyst */
    int64_t now_usec;
    /* given now (NFC text); NULL: the incident's stored text, else a placeholder */
    const char *cause, *scope, *measures;
} report_input_t;

typedef struct report_row {
    report_field_t field;
    char *value;
} report_row_t;

/* Owns its strings; profile and settings are borrowed from the input and
 * must outlive it. */
typedef struct report {
    const report_profile_t *profile;
    const report_settings_t *settings;
    report_kind_t kind;
    char incident_id[40];
    char number[64];
    char *reporter;
    int64_t reported_at;
    char date_line[REPORT_TEXT_MAX + 64];
    report_due_t before; /* deadlines as they stood before this report */
    report_due_t after;  /* and with it sent: after.next is the next report */
    uint32_t categories;
    report_row_t rows[RF_COUNT];
    size_t n_rows;
} report_t;

/* 0, or -1 with one line in err (out of memory). r is empty on failure. */
int report_build(const report_input_t *in, report_t *r, char *err, size_t errlen);
void report_free(report_t *r);

/* The value of a field, or NULL when the profile does not list it. */
const char *report_value(const report_t *r, report_field_t f);

void report_json(jw_t *w, const report_t *r);

/* "Báo cáo kết thúc trong vòng 5 ngày kể từ khi kết thúc ứng phó sự cố",
 * "Báo cáo chi tiết trước 15:30:00 ngày 04/03/2026 (UTC+7)", "Không có": the
 * next-report value for d. */
void report_next_text(const report_profile_t *p, const report_due_t *d, char *out, size_t cap);

#endif
