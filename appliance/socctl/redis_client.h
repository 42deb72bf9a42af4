/* redis_client.h -- how socctl reaches the appliance's Redis.
 *
 * socctl speaks to Redis as the least-privileged `console` user over the
 * unix socket of appliance/redis.sh. Where: --redis-socket, else
 * $SOC_REDIS_SOCKET, else /var/lib/soc/redis/redis.sock; the password is read
 * from --redis-password-file, else $SOC_REDIS_PASSWORD_FILE, else the
 * socket's directory's secrets/<user>.pass (redis.sh's layout). */
#ifndef SOC_SOCCTL_REDIS_CLIENT_H
#define SOC_SOCCTL_REDIS_CLIENT_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#define SOCCTL_REDIS_SOCKET "/var/lib/soc/redis/redis.sock"
#define SOCCTL_REDIS_USER   "console"

typedef struct socctl_redis_opts {
    const char *socket;        /* NULL: environment or default */
    const char *user;          /* NULL: console */
    const char *password_file; /* NULL: environment or beside the socket */
} socctl_redis_opts_t;

/* Connected and authenticated, or NULL with one line in err naming the
 * socket or file at fault. */
redisContext *socctl_redis_connect(const socctl_redis_opts_t *o, char *err, size_t errlen);

#endif
