/* incident_id.h -- incident ids: "INC-2026-000123".
 *
 * The year is the UTC year of the incident's creation; the number comes from
 * a per-year counter in Redis (HINCRBY), written with at least six digits
 * (more once a year passes 999999). The Lua script that creates incidents
 * formats the same way ("INC-%s-%06d"); these functions are for checking
 * what analysts type. */
#ifndef SOC_INCIDENT_ID_H
#define SOC_INCIDENT_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INCIDENT_ID_MAX 32 /* bytes with the NUL; "INC-" + 4 + "-" + up to 19 digits */

/* false when it does not fit, the year is outside 1970..9999 or seq is 0. */
bool incident_id_format(char *out, size_t outcap, int year, uint64_t seq);
/* "INC-YYYY-" then 6 to 19 digits, nothing else. */
bool incident_id_valid(const char *s);
/* UTC year of a time in microseconds since the epoch. */
int incident_id_year(int64_t usec);

#endif
