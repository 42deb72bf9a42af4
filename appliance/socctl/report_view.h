/* report_view.h -- what `socctl incidents list` and `show` say about the
 * reports an incident owes under the configured reporting profile
 * (appliance/report): a REPORT DUE column, a `report` member in --json,
 * report deadlines in --overdue, a block in show.
 *
 * Without a profile (no `reports.profile` in soc.yaml) there is no view, and
 * list and show print exactly what they printed before reports existed. */
#ifndef SOC_SOCCTL_REPORT_VIEW_H
#define SOC_SOCCTL_REPORT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "incidents/incident_ops.h"
#include "json_writer.h"
#include "report/report_config.h"
#include "report/report_deadline.h"
#include "report/report_profile.h"

#define SOCCTL_DEFAULT_CONFIG "/etc/soc/soc.yaml"

/* The configuration file to read: opt, else $SOC_CONFIG, else
 * /etc/soc/soc.yaml when it exists, else NULL (built-in defaults). */
const char *report_config_path(const char *opt);

typedef struct report_view {
    report_settings_t settings;
    report_profile_t profile;
} report_view_t;

/* The view of the profile `profile` (a name or path; NULL: the configured
 * one) with the settings of config_path (NULL: defaults). NULL with err ""
 * when no profile is configured; NULL with one line in err on an error
 * (bad config, profile missing or invalid). */
report_view_t *report_view_open(const char *config_path, const char *profile, char *err,
                                size_t errlen);
void report_view_close(report_view_t *v);

/* The deadlines of one incident at now. A closed incident whose record
 * carries no timeline is looked up in Redis (was it closed as a false
 * positive?) when st is set. */
void report_view_due(const report_view_t *v, incident_store_t *st, const incident_t *inc,
                     int64_t now_usec, report_due_t *out);

/* Add the member "report" to the object incident_json() just closed:
 * {"profile", "required", "immediate", "next": {"kind", "due"} or null,
 *  "overdue", "due_soon", "sent": [{"kind", "at"[, "count"]}]}. */
void report_view_json(const report_view_t *v, jw_t *w, const incident_t *inc,
                      const report_due_t *d);

/* The REPORT DUE cell: "-", "initial 2026-03-06 08:30Z", with " LATE" or
 * " soon" after it, or "final after close". */
void report_view_cell(const report_due_t *d, char *out, size_t cap);

/* `incidents list` with a profile: the incidents f selects, and the report
 * deadlines of each in *dues (malloc'd, one per kept incident). With
 * f->overdue, an incident is kept when an SLA deadline or its report is
 * late, and every incident is looked at (closed ones owe final reports)
 * unless status_given; at most limit are kept. */
#define REPORT_VIEW_SCAN_MAX 1000000 /* incidents read for --overdue */
int report_view_list(const report_view_t *v, incident_store_t *st, const incident_filter_t *f,
                     bool status_given, size_t limit, incident_list_t *l, report_due_t **dues,
                     char *err, size_t errlen);
/* The list table with the REPORT DUE column; 0, or 1 when out of memory. */
int report_view_table(FILE *out, const incident_list_t *l, int64_t now_usec,
                      const report_due_t *dues);

/* The block under `show`. */
void report_view_print(const report_view_t *v, FILE *out, const incident_t *inc,
                       const report_due_t *d);

#endif
