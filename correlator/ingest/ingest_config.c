/* ingest_config.c -- see ingest_config.h. */
#include "ingest_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

void ingest_config_defaults(ingest_config_t *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:7000");
    ingest_parse_listen(c->listen, &c->listen_addr, &c->listen_addr_len, NULL, 0);
    snprintf(c->cert, sizeof(c->cert), "/etc/soc/pki/server.crt");
    snprintf(c->key, sizeof(c->key), "/etc/soc/pki/server.key");
    snprintf(c->ca, sizeof(c->ca), "/etc/soc/pki/ca.crt");
    snprintf(c->crl, sizeof(c->crl), "/etc/soc/pki/crl.pem");
    snprintf(c->redis_socket, sizeof(c->redis_socket), "/var/lib/soc/redis/redis.sock");
    snprintf(c->redis_user, sizeof(c->redis_user), "ingest");
    /* appliance/redis.sh keeps DIR/secrets/<user>.pass */
    snprintf(c->redis_password_file, sizeof(c->redis_password_file),
             "/var/lib/soc/redis/secrets/ingest.pass");
    c->shards = 4;
    c->stream_maxlen = 1000000;
    c->max_payload = FRAME_DEFAULT_MAX_PAYLOAD;
    c->max_connections = 256;
    c->handshake_timeout = 10;
    c->idle_timeout = 300;
}

bool ingest_copy_path(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= cap) return false;
    memcpy(dst, src, n + 1);
    return true;
}

static bool parse_port(const char *p, uint16_t *port)
{
    if (*p < '1' || *p > '9') return false; /* no sign, no leading zero, not empty */
    unsigned long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > 65535) return false;
    }
    *port = (uint16_t)v;
    return true;
}

bool ingest_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
                         size_t errlen)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *colon;
    bool v6 = s[0] == '[';
    if (v6) {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':') goto bad;
        colon = close + 1;
        if ((size_t)(close - s - 1) >= sizeof(host)) goto bad;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof(host)) goto bad;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    uint16_t port;
    if (!parse_port(colon + 1, &port)) goto bad;
    memset(ss, 0, sizeof(*ss));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) goto bad;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        *len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) goto bad;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        *len = sizeof(*a);
    }
    return true;
bad:
    if (err && errlen)
        snprintf(err, errlen,
                 "expected ADDRESS:PORT with a numeric address (127.0.0.1:7000, 0.0.0.0:7000, "
                 "[::]:7000), got '%.100s'",
                 s);
    return false;
}

static bool apply_redis(const cfg_node_t *s, ingest_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"socket", "user", "password-file", NULL};
    const cfg_node_t *r;
    return cfg_get_map(s, "redis", &r, err, errlen) && cfg_check_keys(r, keys, err, errlen) &&
           cfg_get_strbuf(r, "socket", c->redis_socket, sizeof(c->redis_socket), err, errlen) &&
           cfg_get_strbuf(r, "user", c->redis_user, sizeof(c->redis_user), err, errlen) &&
           cfg_get_strbuf(r, "password-file", c->redis_password_file,
                          sizeof(c->redis_password_file), err, errlen);
}

static bool apply_listen(const cfg_node_t *s, ingest_config_t *c, char *err, size_t errlen)
{
    char buf[sizeof(c->listen)];
    memcpy(buf, c->listen, sizeof(buf));
    if (!cfg_get_strbuf(s, "listen", buf, sizeof(buf), err, errlen)) return false;
    if (strcmp(buf, c->listen) == 0) return true;
    char why[256];
    if (!ingest_parse_listen(buf, &c->listen_addr, &c->listen_addr_len, why, sizeof(why))) {
        cfg_node_error(cfg_node_get(s, "listen"), err, errlen, "%s", why);
        return false;
    }
    memcpy(c->listen, buf, sizeof(buf));
    return true;
}

static bool apply_numbers(const cfg_node_t *s, ingest_config_t *c, char *err, size_t errlen)
{
    uint64_t shards, maxlen, payload, conns, hs, idle;
    bool ok = cfg_get_u64(s, "shards", c->shards, 1, INGEST_SHARDS_MAX, 0, &shards, err, errlen) &&
              cfg_get_u64(s, "stream-maxlen", c->stream_maxlen, INGEST_MAXLEN_MIN,
                          INGEST_MAXLEN_MAX, 0, &maxlen, err, errlen) &&
              cfg_get_u64(s, "max-payload", c->max_payload, FRAME_MIN_MAX_PAYLOAD,
                          FRAME_MAX_MAX_PAYLOAD, CFG_U64_SIZE, &payload, err, errlen) &&
              cfg_get_u64(s, "max-connections", c->max_connections, 1, INGEST_CONNECTIONS_MAX, 0,
                          &conns, err, errlen) &&
              cfg_get_duration_sec(s, "handshake-timeout", c->handshake_timeout, 1,
                                   INGEST_TIMEOUT_MAX, &hs, err, errlen) &&
              cfg_get_duration_sec(s, "idle-timeout", c->idle_timeout, 1, INGEST_TIMEOUT_MAX, &idle,
                                   err, errlen);
    if (!ok) return false;
    c->shards = (uint32_t)shards;
    c->stream_maxlen = maxlen;
    c->max_payload = (uint32_t)payload;
    c->max_connections = (uint32_t)conns;
    c->handshake_timeout = (uint32_t)hs;
    c->idle_timeout = (uint32_t)idle;
    return true;
}

bool ingest_config_apply(ingest_config_t *c, const cfg_t *cfg, char *err, size_t errlen)
{
    static const char *const keys[] = {"listen",
                                       "cert",
                                       "key",
                                       "ca",
                                       "crl",
                                       "redis",
                                       "shards",
                                       "stream-maxlen",
                                       "max-payload",
                                       "max-connections",
                                       "handshake-timeout",
                                       "idle-timeout",
                                       NULL};
    const cfg_node_t *s;
    if (!cfg_get_map(cfg_root(cfg), "ingest", &s, err, errlen)) return false;
    if (!s) return true;
    return cfg_check_keys(s, keys, err, errlen) && apply_listen(s, c, err, errlen) &&
           cfg_get_strbuf(s, "cert", c->cert, sizeof(c->cert), err, errlen) &&
           cfg_get_strbuf(s, "key", c->key, sizeof(c->key), err, errlen) &&
           cfg_get_strbuf(s, "ca", c->ca, sizeof(c->ca), err, errlen) &&
           cfg_get_strbuf(s, "crl", c->crl, sizeof(c->crl), err, errlen) &&
           apply_redis(s, c, err, errlen) && apply_numbers(s, c, err, errlen);
}

bool ingest_config_load(ingest_config_t *c, const char *path, char *err, size_t errlen)
{
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return false;
    bool ok = ingest_config_apply(c, cfg, err, errlen);
    cfg_free(cfg);
    return ok;
}
