/* corr_config.c -- see corr_config.h. */
#include "daemon/corr_config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void corr_config_defaults(corr_config_t *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->redis_socket, sizeof(c->redis_socket), "/var/lib/soc/redis/redis.sock");
    snprintf(c->redis_user, sizeof(c->redis_user), "correlator");
    snprintf(c->redis_password_file, sizeof(c->redis_password_file),
             "/var/lib/soc/redis/secrets/correlator.pass");
    snprintf(c->rules, sizeof(c->rules), "/etc/soc/rules/correlation");
    snprintf(c->group, sizeof(c->group), "correlator");
    /* a stable name: after a restart the consumer finds its own pending events */
    if (gethostname(c->consumer, sizeof(c->consumer) - 1) != 0 || !c->consumer[0])
        snprintf(c->consumer, sizeof(c->consumer), "correlator");
    c->shards = 4;
    c->read_count = 1000;
    c->block_ms = 500;
    c->checkpoint_ms = 2000;
    corr_engine_config_defaults(&c->engine);
    /* A flow event is written when its flow ends, stamped with its start:
     * up to the sensor's longest flow timeout (TCP established, 600 s)
     * behind the other events. Flow-based rules (scans, brute force,
     * beaconing, exfiltration) need them placed, not dropped as late. */
    c->engine.lateness_usec = 11 * 60 * 1000000LL;
    /* A sensor whose clock runs ahead must not move event time for every
     * other sensor (and expire their windows); NTP keeps honest clocks
     * within seconds, so minutes of slack are plenty. */
    c->engine.max_future_usec = 5 * 60 * 1000000LL;
    incident_config_defaults(&c->incidents);
}

static bool apply_redis(const cfg_node_t *s, corr_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"socket", "user", "password-file", NULL};
    const cfg_node_t *r;
    return cfg_get_map(s, "redis", &r, err, errlen) && cfg_check_keys(r, keys, err, errlen) &&
           cfg_get_strbuf(r, "socket", c->redis_socket, sizeof(c->redis_socket), err, errlen) &&
           cfg_get_strbuf(r, "user", c->redis_user, sizeof(c->redis_user), err, errlen) &&
           cfg_get_strbuf(r, "password-file", c->redis_password_file,
                          sizeof(c->redis_password_file), err, errlen);
}

static bool apply_limits(const cfg_node_t *s, corr_config_t *c, char *err, size_t errlen)
{
    uint64_t shards = c->shards, count = c->read_count, keys = c->engine.max_keys_per_rule;
    uint64_t late_ms = (uint64_t)c->engine.lateness_usec / 1000;
    uint64_t future_ms = (uint64_t)c->engine.max_future_usec / 1000;
    bool ok =
        cfg_get_u64(s, "shards", shards, 1, CORR_SHARDS_MAX, 0, &shards, err, errlen) &&
        cfg_get_u64(s, "read-count", count, 1, 100000, 0, &count, err, errlen) &&
        cfg_get_duration_ms(s, "block", &c->block_ms, 60000, err, errlen) &&
        cfg_get_duration_ms(s, "checkpoint-interval", &c->checkpoint_ms, 3600000, err, errlen) &&
        cfg_get_duration_ms(s, "lateness", &late_ms, CORR_ENGINE_LATENESS_MAX / 1000, err,
                            errlen) &&
        cfg_get_duration_ms(s, "max-future", &future_ms, CORR_ENGINE_FUTURE_MAX / 1000, err,
                            errlen) &&
        cfg_get_u64(s, "max-keys-per-rule", keys, 1, CORR_ENGINE_KEYS_MAX, 0, &keys, err, errlen);
    c->shards = (uint32_t)shards;
    c->read_count = (uint32_t)count;
    c->engine.lateness_usec = (int64_t)late_ms * 1000;
    c->engine.max_future_usec = (int64_t)future_ms * 1000;
    c->engine.max_keys_per_rule = (uint32_t)keys;
    return ok;
}

bool corr_config_load(corr_config_t *c, const char *path, char *err, size_t errlen)
{
    static const char *const keys[] = {"redis",
                                       "rules",
                                       "assets",
                                       "intel",
                                       "group",
                                       "consumer",
                                       "shards",
                                       "read-count",
                                       "block",
                                       "checkpoint-interval",
                                       "lateness",
                                       "max-future",
                                       "max-keys-per-rule",
                                       "incidents",
                                       NULL};
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return false;
    const cfg_node_t *s = NULL, *inc = NULL;
    bool ok = cfg_get_map(cfg_root(cfg), "correlator", &s, err, errlen);
    if (ok && s)
        ok = cfg_check_keys(s, keys, err, errlen) && apply_redis(s, c, err, errlen) &&
             cfg_get_strbuf(s, "rules", c->rules, sizeof(c->rules), err, errlen) &&
             cfg_get_strbuf(s, "assets", c->assets, sizeof(c->assets), err, errlen) &&
             cfg_get_strbuf(s, "intel", c->intel, sizeof(c->intel), err, errlen) &&
             cfg_get_strbuf(s, "group", c->group, sizeof(c->group), err, errlen) &&
             cfg_get_strbuf(s, "consumer", c->consumer, sizeof(c->consumer), err, errlen) &&
             apply_limits(s, c, err, errlen) && cfg_get_map(s, "incidents", &inc, err, errlen) &&
             (!inc || incident_config_apply_node(&c->incidents, inc, err, errlen));
    cfg_free(cfg);
    return ok;
}
