/* incident_config.h -- the `correlator.incidents` section of soc.yaml.
 *
 *     correlator:
 *       incidents:
 *         evidence-max: 1000   # event ids kept per incident: the first half, the latest half
 *         samples-max: 10      # whole EVE lines kept per incident, same split
 *         ips-max: 1000        # members of each src_ips/dest_ips/tactics/techniques set
 *         link-window: 1h      # incidents this close in event time with the same
 *                              # source IP or asset are linked
 *         match-ttl: 7d        # how long an applied match id is remembered (idempotence)
 *         timeline-max: 10000  # entries kept per incident timeline (oldest go first)
 *         sla:                 # deadlines from the incident's creation, by priority
 *           p1: {acknowledge: 15m, resolve: 4h}
 *           p2: {acknowledge: 1h, resolve: 1d}
 *           p3: {acknowledge: 4h, resolve: 3d}
 *           p4: {acknowledge: 1d, resolve: 7d}
 *           p5: {acknowledge: 3d, resolve: 30d}
 *
 * Every key is optional; unknown keys are errors with FILE:LINE:COL. Read by
 * soc-correlator (apply) and by socctl (merge recomputes SLA deadlines). */
#ifndef SOC_INCIDENT_CONFIG_H
#define SOC_INCIDENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define INCIDENT_PRIORITIES 5 /* P1 .. P5 */

typedef struct incident_config {
    uint32_t evidence_max;
    uint32_t samples_max; /* 0: keep no samples */
    uint32_t ips_max;
    uint32_t timeline_max;
    uint64_t link_window_sec; /* 0: no links */
    uint64_t match_ttl_sec;
    uint64_t sla_ack_sec[INCIDENT_PRIORITIES];     /* [0] is P1 */
    uint64_t sla_resolve_sec[INCIDENT_PRIORITIES]; /* never below the acknowledge time */
} incident_config_t;

/* Limits of the keys. */
#define INCIDENT_EVIDENCE_MAX_MAX 100000
#define INCIDENT_SAMPLES_MAX_MAX  1000
#define INCIDENT_IPS_MAX_MAX      100000
#define INCIDENT_TIMELINE_MIN     100
#define INCIDENT_TIMELINE_MAX     10000000
#define INCIDENT_WINDOW_MAX_SEC   (30ull * 86400)
#define INCIDENT_TTL_MIN_SEC      3600ull
#define INCIDENT_TTL_MAX_SEC      (365ull * 86400)
#define INCIDENT_SLA_MIN_SEC      60ull
#define INCIDENT_SLA_MAX_SEC      (365ull * 86400)

void incident_config_defaults(incident_config_t *c);
/* Apply the `correlator.incidents` section of a loaded file (absent: no
 * change). false with "FILE:LINE:COL: correlator.incidents.KEY: ..." in err. */
bool incident_config_apply(incident_config_t *c, const cfg_t *cfg, char *err, size_t errlen);
/* Same for the section node itself (NULL: no change), for a caller that
 * walks the correlator section on its own. */
bool incident_config_apply_node(incident_config_t *c, const cfg_node_t *section, char *err,
                                size_t errlen);
/* Load path and apply it. */
bool incident_config_load(incident_config_t *c, const char *path, char *err, size_t errlen);

#endif
