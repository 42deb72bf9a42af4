/* incident_sla.c -- see incident_sla.h. */
#include "incident_sla.h"

void incident_sla_deadlines(const incident_config_t *c, int priority, int64_t created_usec,
                            int64_t *ack_by_usec, int64_t *resolve_by_usec)
{
    int i =
        priority >= 1 && priority <= INCIDENT_PRIORITIES ? priority - 1 : INCIDENT_PRIORITIES - 1;
    /* both durations are at most a year (config limits): no overflow */
    *ack_by_usec = created_usec + (int64_t)c->sla_ack_sec[i] * 1000000;
    *resolve_by_usec = created_usec + (int64_t)c->sla_resolve_sec[i] * 1000000;
}

incident_sla_state_t incident_sla_check(incident_status_t status, int64_t ack_by_usec,
                                        int64_t resolve_by_usec, int64_t now_usec)
{
    incident_sla_state_t st = {
        .acknowledge_overdue = status == INCIDENT_NEW && ack_by_usec > 0 && now_usec > ack_by_usec,
        .resolve_overdue =
            incident_status_open(status) && resolve_by_usec > 0 && now_usec > resolve_by_usec,
    };
    return st;
}
