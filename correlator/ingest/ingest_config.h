/* ingest_config.h -- everything soc-ingest can be told, with defaults.
 *
 * Filled from the `ingest:` section of soc.yaml (when -c is given), then
 * from the command line, which wins. Every key has a default; an unknown key
 * is an error naming FILE:LINE:COL. */
#ifndef SOC_INGEST_CONFIG_H
#define SOC_INGEST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

#define INGEST_PATH_MAX 4096

typedef struct ingest_config {
    char listen[128];                    /* as written: "127.0.0.1:7000", "[::]:7000" */
    struct sockaddr_storage listen_addr; /* parsed from listen */
    socklen_t listen_addr_len;
    char cert[INGEST_PATH_MAX], key[INGEST_PATH_MAX], ca[INGEST_PATH_MAX], crl[INGEST_PATH_MAX];
    char redis_socket[108]; /* sun_path holds 108 bytes with the NUL */
    char redis_user[64];
    char redis_password_file[INGEST_PATH_MAX];
    uint32_t shards;            /* streams soc:events:{0} .. {shards-1} */
    uint64_t stream_maxlen;     /* XADD MAXLEN ~ */
    uint32_t max_payload;       /* largest BATCH payload accepted */
    uint32_t max_connections;   /* sessions (threads) at once */
    uint32_t handshake_timeout; /* seconds from accept to a whole HELLO */
    uint32_t idle_timeout;      /* seconds without a byte from the sensor */
} ingest_config_t;

/* Limits of the keys (also used for the command line). */
#define INGEST_SHARDS_MAX      1024
#define INGEST_MAXLEN_MIN      1000
#define INGEST_MAXLEN_MAX      10000000000ull
#define INGEST_CONNECTIONS_MAX 65536
#define INGEST_TIMEOUT_MAX     86400

void ingest_config_defaults(ingest_config_t *c);
/* Apply the `ingest:` section of a loaded file (absent section: nothing
 * changes). false with "FILE:LINE:COL: ingest.KEY: ..." in err. */
bool ingest_config_apply(ingest_config_t *c, const cfg_t *cfg, char *err, size_t errlen);
/* Load path and apply it. */
bool ingest_config_load(ingest_config_t *c, const char *path, char *err, size_t errlen);

/* "HOST:PORT" with a numeric IPv4 address, or "[IPv6]:PORT"; port 1..65535.
 * false with the reason in err (without a position). */
bool ingest_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
                         size_t errlen);
/* Copy src into dst (cap bytes); false when it does not fit or is empty. */
bool ingest_copy_path(char *dst, size_t cap, const char *src);

#endif
