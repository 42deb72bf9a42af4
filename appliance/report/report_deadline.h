/* report_deadline.h -- which incidents must be reported under a profile,
 * and which report is due next, by when.
 *
 * Pure functions of the incident's facts, the profile and "now":
 *
 *  - required: one of the profile's must-report conditions holds (asset
 *    level, priority, categories); immediate: required, and one of its
 *    immediate conditions holds as well.
 *  - tracked: required, or some report was already sent (a voluntary report
 *    still wants its final one). Not tracked: a false positive or an
 *    incident merged into another, when nothing was sent for it (the
 *    incident it was merged into carries the duty).
 *  - initial: due detection + reports.initial.within (immediate incidents:
 *    + reports.initial.immediate); pending until sent.
 *  - update: due detection + reports.update.within when the profile gives
 *    one; pending until an update or the final report is sent (the final
 *    report covers what the update would have said).
 *  - final: due end of response (resolved_at, else closed_at) +
 *    reports.final.within when the profile gives one; pending until sent.
 *    While the incident is open its due time is not known yet (0).
 *  - next: the pending report with the earliest known due time (ties: initial,
 *    update, final), else a pending final whose due time is not known yet.
 *  - overdue: now is past next's due time (equal is still on time);
 *    due soon: not overdue and now >= due - profile.due_soon.
 *
 * Detection is the incident's created_at (wall clock at the centre, as the
 * SLA deadlines), occurrence its first_seen (event time). */
#ifndef SOC_REPORT_DEADLINE_H
#define SOC_REPORT_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incidents/incident_record.h"
#include "report/report_profile.h"

typedef struct report_facts {
    int asset_level;     /* 0 unknown, 1..5 */
    int priority;        /* 1..5 */
    uint32_t categories; /* REPORT_CAT_BIT set (report_categories_of) */
    int64_t detected;    /* created_at, usec */
    int64_t ended;       /* end of response: resolved_at, else closed_at; 0 while open */
    bool open;           /* new, acknowledged, investigating */
    bool false_positive;
    bool merged;
    int64_t sent[REPORT_KIND_COUNT]; /* time of the first initial, latest update, final; 0 none */
    uint32_t update_count;
} report_facts_t;

typedef struct report_due {
    bool required, immediate, tracked;
    int64_t due[REPORT_KIND_COUNT]; /* deadline of each kind, 0 when none or not known yet */
    bool pending[REPORT_KIND_COUNT];
    bool has_next;
    report_kind_t next;
    int64_t next_due; /* 0: not known yet (a final report of an open incident) */
    bool overdue, due_soon;
} report_due_t;

void report_due_compute(const report_profile_t *p, const report_facts_t *f, int64_t now_usec,
                        report_due_t *out);

/* Whether a report of kind k may be recorded now: initial once; update and
 * final after the initial; nothing after the final; final only once the
 * incident is no longer open. false with the reason in err ("INC-...: ...",
 * naming id). */
bool report_kind_allowed(const report_facts_t *f, report_kind_t k, const char *id, char *err,
                         size_t errlen);

/* f as it will be once a report of kind k is recorded at now_usec. */
void report_facts_after(report_facts_t *f, report_kind_t k, int64_t now_usec);

/* The facts of an incident read from the store (its report_* fields
 * included, incident_report.h). A closed incident counts as a false
 * positive when it was closed from false_positive: told by its timeline
 * when the record has one, else by report_facts_closed_from(). */
void report_facts_of(const incident_t *inc, report_facts_t *f);
/* A closed incident was closed from status `from`. */
void report_facts_closed_from(report_facts_t *f, const char *from);

#endif
