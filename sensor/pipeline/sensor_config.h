/* sensor_config.h -- everything soc-sensor can be told, with defaults.
 *
 * Filled from the `sensor:` section of soc.yaml (when -c is given), then from
 * the command line, which wins. With no file every value is a default that
 * follows Suricata's stock suricata.yaml. */
#ifndef SOC_SENSOR_CONFIG_H
#define SOC_SENSOR_CONFIG_H

#include <stdint.h>

#include "../app/dpi.h"
#include "../capture/capture.h"
#include "../decode/decode.h"
#include "../flow/flow.h"
#include "../output/ship.h"

#define SENSOR_MAX_RULE_FILES 256

typedef struct sensor_config {
    char name[128];              /* sensor.name; default: host name */
    char eve_path[4096];         /* sensor.eve; "-" is stdout */
    char geoip_city[4096];       /* sensor.geoip.city (City or Country DB) */
    char geoip_asn[4096];        /* sensor.geoip.asn */
    uint32_t stats_interval;     /* seconds; 0 = only the final stats event */
    uint64_t app_memcap;         /* app-layer parser state, bytes */
    uint32_t http_body_limit[2]; /* HTTP request / response body bytes inspected */
    capture_config_t capture;
    flow_config_t flow;
    defrag_config_t defrag;
    dpi_config_t dpi;
    /* signatures (-S, sensor.rules.files): paths point into argv or `store` */
    const char *rule_files[SENSOR_MAX_RULE_FILES];
    int n_rule_files;
    char classification[4096]; /* classification.config; "" = none */
    char config_path[4096];    /* the soc.yaml read (its vars: feed the rules); "" = none */
    char rules_cache[4096];    /* compiled prefilter cache directory; "" = none */
    uint64_t stream_depth;     /* bytes reassembled per direction for inspection */
    uint64_t stream_memcap;
    ship_config_t ingest; /* sensor.ingest; ingest.server "" = no shipping */
    char user[64];        /* sensor.user: drop root to this user after opening files */
    bool name_set;        /* sensor.name or --sensor-name given (else: host name) */
    bool eve_set;         /* sensor.eve or --eve given (else: eve.json, none when shipping) */
    /* storage for strings capture_config_t points at */
    char bpf[1024];
    char file[4096];
    char iface[256];
} sensor_config_t;

void sensor_config_defaults(sensor_config_t *c);
/* Apply the sensor section of a YAML file; -1 with "FILE:LINE:COL: ..." in err. */
int sensor_config_load(sensor_config_t *c, const char *path, char *err, size_t errlen);

#endif
