/* incident_json.h -- an incident as JSON (`socctl incidents list/show
 * --json`; KEYS.md lists the members). Times are EVE timestamps
 * ("2026-03-01T08:30:15.000000+0000"), null when not set; durations are
 * seconds. Samples are the EVE objects themselves (a stored sample that is
 * not valid JSON is written as a string). */
#ifndef SOC_INCIDENT_JSON_H
#define SOC_INCIDENT_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "incident_record.h"
#include "json_writer.h"

/* One object, as a value (top level or in an array). The timeline is
 * written when the record has one (incident_get with the timeline). now
 * decides the sla overdue flags. */
void incident_json(jw_t *w, const incident_t *inc, int64_t now_usec);

#endif
