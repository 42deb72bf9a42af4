/* fwd_config.h -- everything soc-forwarder can be told, with defaults.
 *
 *   forwarder:
 *     redis: { socket: /var/lib/soc/redis/redis.sock, user: forwarder,
 *              password-file: /var/lib/soc/redis/secrets/forwarder.pass }
 *     rules: /etc/soc/rules/correlation   # rule tags for the filters ("" = none)
 *     consumer: HOSTNAME
 *     identity: { name: ..., class: organization, sector: government, contact: ... }
 *     redact: [incident.samples]          # removed before any endpoint sees it
 *     retry: { initial: 1s, max: 5m }     # exponential backoff with jitter
 *     queue-alarm: 10000                  # queued versions per endpoint
 *     endpoints:
 *       - name: ncsc
 *         type: stix-https                # or syslog-tls
 *         url: https://ncsc.example.vn/taxii2/api1/collections/ID/objects/
 *         taxii: true                     # TAXII 2.1 envelope, else a bare bundle
 *         tlp: amber
 *         ca: ..., cert: ..., key: ...    # pinned CA, our client certificate
 *         server-name: ...                # name to verify (default: the URL's host)
 *         auth-file: ...                  # first line = Authorization header value
 *         timeout: 10s
 *         filter: { min-priority: 3, asset-levels: [3, 4, 5], tags: [city.portal] }
 *         redact: [incident.assignee]     # in addition to the global list
 *       - name: siem
 *         type: syslog-tls
 *         address: siem.example.vn:6514
 *         facility: 10                    # authpriv
 *         ...
 */
#ifndef SOC_FWD_CONFIG_H
#define SOC_FWD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FWD_PATH_MAX      4096
#define FWD_NAME_MAX      64
#define FWD_ENDPOINTS_MAX 16
#define FWD_REDACT_MAX    32
#define FWD_TAGS_MAX      32
#define FWD_TEXT_MAX      256

typedef enum fwd_type {
    FWD_STIX_HTTPS = 0,
    FWD_SYSLOG_TLS,
} fwd_type_t;

typedef struct fwd_filter {
    int min_priority;                      /* forward priority <= this (1 = P1 only .. 5 = all) */
    uint8_t levels;                        /* bit L set: asset level L passes (bit 0: no asset) */
    char tags[FWD_TAGS_MAX][FWD_NAME_MAX]; /* any of them (rule tags); none = all */
    size_t ntags;
} fwd_filter_t;

typedef struct fwd_endpoint {
    char name[FWD_NAME_MAX];
    fwd_type_t type;
    char url[FWD_PATH_MAX]; /* stix-https */
    char host[256];         /* from url or address */
    uint16_t port;
    char path[FWD_PATH_MAX]; /* from url */
    bool taxii;
    char tlp[16];
    char ca[FWD_PATH_MAX], cert[FWD_PATH_MAX], key[FWD_PATH_MAX];
    char server_name[256]; /* what the server certificate must name */
    char auth_file[FWD_PATH_MAX];
    uint64_t timeout_ms;
    int facility; /* syslog-tls */
    fwd_filter_t filter;
    char redact[FWD_REDACT_MAX][FWD_NAME_MAX];
    size_t nredact;
} fwd_endpoint_t;

typedef struct fwd_config {
    char redis_socket[108];
    char redis_user[64];
    char redis_password_file[FWD_PATH_MAX];
    char rules[FWD_PATH_MAX];
    char consumer[FWD_NAME_MAX];
    char identity_name[FWD_TEXT_MAX], identity_class[FWD_NAME_MAX];
    char identity_sector[FWD_NAME_MAX], identity_contact[FWD_TEXT_MAX];
    char hostname[256]; /* syslog HOSTNAME */
    char redact[FWD_REDACT_MAX][FWD_NAME_MAX];
    size_t nredact;
    uint64_t retry_initial_ms, retry_max_ms;
    uint64_t queue_alarm;
    fwd_endpoint_t endpoints[FWD_ENDPOINTS_MAX];
    size_t nendpoints;
} fwd_config_t;

void fwd_config_defaults(fwd_config_t *c);
/* Apply the `forwarder:` section of path. false with "FILE:LINE:COL:
 * forwarder.KEY: ..." in err. */
bool fwd_config_load(fwd_config_t *c, const char *path, char *err, size_t errlen);

/* "stix-https", "syslog-tls". */
const char *fwd_type_name(fwd_type_t t);

#endif
