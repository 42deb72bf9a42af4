/* incident_report.h -- the reports sent to the authorities about an incident
 * (appliance/report writes them; KEYS.md, "Reports", lists the fields):
 * the report_* fields of the incident's record, and the one script call
 * that records a report with its timeline entry (action `report`, field
 * `kind`, the analyst as actor).
 *
 * The store only keeps what was sent and when; which reports are due is the
 * reporting profile's business (appliance/report/report_deadline.h). */
#ifndef SOC_INCIDENT_REPORT_H
#define SOC_INCIDENT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "incident_record.h"
#include "incident_store.h"

#define INCIDENT_REPORT_TEXT_MAX 4096 /* cause, scope, measures */

typedef struct incident_report_state {
    int64_t initial_at, update_at, final_at; /* wall clock usec; 0: not sent */
    uint32_t update_count;
    int64_t due_at; /* next report's deadline when the last one was recorded; 0 none */
    /* "" when absent; point into the incident (valid until incident_free) */
    const char *profile, *due_kind, *cause, *scope, *measures;
} incident_report_state_t;

/* The report_* fields of an incident read by incident_get()/incident_list().
 * A field holding something unreadable reads as absent. */
void incident_report_state(const incident_t *inc, incident_report_state_t *out);

typedef struct incident_report_rec {
    const char *id;
    const char *kind;  /* "initial", "update" or "final" */
    const char *actor; /* incident_name_ok() */
    const char *profile;
    int64_t now_usec;
    int64_t due_usec;      /* the deadline this report answers; 0 none */
    const char *next_kind; /* the report due after this one; "" or NULL none */
    int64_t next_due;      /* its deadline; 0 not known yet */
    /* kept on the incident for the next report; NULL or "" keeps what is there.
     * UTF-8, at most INCIDENT_REPORT_TEXT_MAX bytes, newlines and tabs allowed */
    const char *cause, *scope, *measures;
} incident_report_rec_t;

/* Record a report: the initial one once, updates and the final one only
 * after it, nothing after the final one, and the final one only when the
 * incident is no longer open (checked inside the script, so two analysts
 * cannot both send the initial report). INCIDENT_OK, INCIDENT_ERR or
 * INCIDENT_REFUSED with one line in err. */
int incident_report_record(incident_store_t *s, const incident_report_rec_t *r, char *err,
                           size_t errlen);

/* The status a closed incident was closed from, found in its newest
 * "status X -> closed" timeline entry among the latest 100 entries ("" when
 * none is there): a false positive that was then closed owes no report.
 * INCIDENT_OK or INCIDENT_ERR with one line in err. */
int incident_report_closed_from(incident_store_t *s, const char *id, char *from, size_t cap,
                                char *err, size_t errlen);
/* The same from a timeline already read (incident_get with the timeline). */
const char *incident_report_closed_from_timeline(const incident_t *inc);

#endif
