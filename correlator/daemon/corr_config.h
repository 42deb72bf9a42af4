/* corr_config.h -- everything soc-correlator can be told, with defaults.
 *
 *   correlator:
 *     redis: { socket: /var/lib/soc/redis/redis.sock, user: correlator,
 *              password-file: /var/lib/soc/redis/secrets/correlator.pass }
 *     rules: /etc/soc/rules/correlation     # directory or file of *.yml
 *     assets: /etc/soc/rules/assets.yml     # "" = none
 *     intel: /etc/soc/rules/intel/feeds.yml # "" = none
 *     group: correlator                     # Redis consumer group
 *     consumer: HOSTNAME                    # this instance's name in the group
 *     shards: 4                             # soc:events:{0} .. {shards-1}, as soc-ingest
 *     read-count: 1000                      # events per XREADGROUP
 *     block: 500ms
 *     checkpoint-interval: 2s               # snapshot + XACK
 *     lateness: 11m                         # flow events come when their flow ends
 *     max-future: 5m                        # events stamped further ahead of the clock are
 *                                           # placed at the newest event time (0: off)
 *     max-keys-per-rule: 100000
 *     incidents: { ... }                    # correlator/incidents/KEYS.md
 *
 * Filled from soc.yaml (-c), then the command line, which wins. */
#ifndef SOC_CORR_CONFIG_H
#define SOC_CORR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine/corr_engine.h"
#include "incidents/incident_config.h"

#define CORR_PATH_MAX   4096
#define CORR_SHARDS_MAX 1024

typedef struct corr_config {
    char redis_socket[108];
    char redis_user[64];
    char redis_password_file[CORR_PATH_MAX];
    char rules[CORR_PATH_MAX];
    char assets[CORR_PATH_MAX];
    char intel[CORR_PATH_MAX];
    char group[64];
    char consumer[64];
    uint32_t shards;
    uint32_t read_count;
    uint64_t block_ms;
    uint64_t checkpoint_ms;
    corr_engine_config_t engine;
    incident_config_t incidents;
} corr_config_t;

void corr_config_defaults(corr_config_t *c);
/* Apply the `correlator:` section of path. false with "FILE:LINE:COL:
 * correlator.KEY: ..." in err. */
bool corr_config_load(corr_config_t *c, const char *path, char *err, size_t errlen);

#endif
