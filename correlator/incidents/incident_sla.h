/* incident_sla.h -- service-level deadlines of an incident.
 *
 * Deadlines count from the incident's creation (wall-clock time at the
 * centre, not event time, so a replay of last month's capture is not born
 * overdue): acknowledge_by = created + acknowledge time of its priority,
 * resolve_by = created + resolve time. A priority raised later (a more
 * urgent match, a merge) moves both deadlines to the new priority's, still
 * from the creation time. */
#ifndef SOC_INCIDENT_SLA_H
#define SOC_INCIDENT_SLA_H

#include <stdbool.h>
#include <stdint.h>

#include "incident_config.h"
#include "incident_status.h"

/* Priority outside 1..5 is taken as 5 (least urgent): a stored value
 * someone garbled must not make everything urgent. */
void incident_sla_deadlines(const incident_config_t *c, int priority, int64_t created_usec,
                            int64_t *ack_by_usec, int64_t *resolve_by_usec);

typedef struct incident_sla_state {
    bool acknowledge_overdue; /* still new after acknowledge_by */
    bool resolve_overdue;     /* still open after resolve_by */
} incident_sla_state_t;

/* A deadline of 0 means none (never overdue); overdue means now is past
 * the deadline (equal is still on time). */
incident_sla_state_t incident_sla_check(incident_status_t status, int64_t ack_by_usec,
                                        int64_t resolve_by_usec, int64_t now_usec);

#endif
