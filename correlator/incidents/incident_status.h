/* incident_status.h -- the status workflow of an incident.
 *
 *     new -> acknowledged -> investigating -> resolved | false_positive -> closed
 *
 * and a reopen from resolved, false_positive or closed back to
 * investigating. Nothing else: a change outside this table is refused with
 * the list of allowed targets. (merge closes the merged incident whatever
 * its status; that is merge's own rule, not a transition an analyst asks
 * for.) The table here is the only copy: the Lua scripts receive it as a
 * string (incident_transition_table()). */
#ifndef SOC_INCIDENT_STATUS_H
#define SOC_INCIDENT_STATUS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum incident_status {
    INCIDENT_NEW = 0,
    INCIDENT_ACKNOWLEDGED,
    INCIDENT_INVESTIGATING,
    INCIDENT_RESOLVED,
    INCIDENT_FALSE_POSITIVE,
    INCIDENT_CLOSED,
    INCIDENT_STATUS_COUNT
} incident_status_t;

/* "new", "acknowledged", "investigating", "resolved", "false_positive",
 * "closed"; "?" for anything else. */
const char *incident_status_name(incident_status_t s);
/* Exact lower-case name; false if unknown. */
bool incident_status_parse(const char *name, incident_status_t *out);
/* new, acknowledged and investigating: in the queues, and a new match with
 * the same rule and group key extends the incident. */
bool incident_status_open(incident_status_t s);
bool incident_transition_allowed(incident_status_t from, incident_status_t to);
/* The targets allowed from `from`, "resolved, false_positive" (or "none"),
 * into out; returns strlen (cut to fit outcap). */
size_t incident_transitions_from(incident_status_t from, char *out, size_t outcap);
/* The whole table for the Lua scripts:
 * "new:acknowledged|acknowledged:investigating|...". Static storage. */
const char *incident_transition_table(void);

#endif
