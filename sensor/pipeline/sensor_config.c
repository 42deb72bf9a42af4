/* sensor_config.c -- defaults and the `sensor:` section of soc.yaml.
 *
 *   sensor:
 *     name: ioc-edge-1
 *     eve: /var/log/soc/eve.json
 *     stats-interval: 30s
 *     geoip: { city: /var/lib/GeoIP/GeoLite2-City.mmdb, asn: .../GeoLite2-ASN.mmdb }
 *     capture: { interface: eth1, filter: "not port 22", snaplen: 65535, promisc: yes,
 *                buffer-size: 64mb }
 *     flow:
 *       max-flows: 1000000
 *       hash-size: 0
 *       timeouts: { tcp: { new: 60, established: 600, closed: 60 }, udp: {...},
 *                   icmp: {...}, default: {...} }   # seconds, or 500ms, 5m ...
 *     defrag: { memcap: 32mb, max-trackers: 65535, timeout: 60 }
 *     dpi: { max-detecting: 262144, max-tcp-packets: 80, max-udp-packets: 24 }
 *     app-layer: { memcap: 256mb,
 *                  http: { request-body-limit: 32kb, response-body-limit: 32kb } }
 *     stream: { depth: 1mb, memcap: 256mb }
 *     user: soc                      # drop root after opening capture, spool, eve
 *     ingest: { server: ingest.city.local:9000, cert: /etc/soc/pki/s1.crt,
 *               key: /etc/soc/pki/s1.key, ca: /etc/soc/pki/ca.crt,
 *               spool-dir: /var/lib/soc/spool, spool-size: 1gb, batch-events: 1000,
 *               batch-bytes: 1mb, flush-interval: 200ms, drain-timeout: 30s }
 */
#include "sensor_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../app/app_layer.h"
#include "config.h"

void sensor_config_defaults(sensor_config_t *c)
{
    memset(c, 0, sizeof(*c));
    if (gethostname(c->name, sizeof(c->name) - 1) != 0 || !c->name[0])
        snprintf(c->name, sizeof(c->name), "sensor");
    snprintf(c->eve_path, sizeof(c->eve_path), "eve.json");
    c->stats_interval = 30;
    c->app_memcap = 256ull << 20;
    c->capture.snaplen = CAPTURE_DEFAULT_SNAPLEN;
    c->capture.promisc = true;
    flow_config_defaults(&c->flow);
    c->flow.max_flows = 1000000; /* entries are touched only when used */
    c->defrag.memcap_bytes = DEFRAG_DEFAULT_MEMCAP;
    c->defrag.max_trackers = DEFRAG_DEFAULT_TRACKERS;
    c->defrag.timeout_sec = DEFRAG_DEFAULT_TIMEOUT;
    dpi_config_defaults(&c->dpi);
    c->stream_depth = 1u << 20; /* Suricata's stream.reassembly.depth default */
    c->stream_memcap = 256ull << 20;
    c->http_body_limit[DIR_TOSERVER] = APP_HTTP_BODY_LIMIT_DEFAULT;
    c->http_body_limit[DIR_TOCLIENT] = APP_HTTP_BODY_LIMIT_DEFAULT;
    ship_config_defaults(&c->ingest);
}

static bool get_u32(const cfg_node_t *base, const char *path, uint32_t *v, uint64_t min,
                    uint64_t max, unsigned flags, char *err, size_t errlen)
{
    uint64_t out;
    if (!cfg_get_u64(base, path, *v, min, max, flags, &out, err, errlen)) return false;
    *v = (uint32_t)out;
    return true;
}

static bool get_secs(const cfg_node_t *base, const char *path, uint32_t *v, char *err,
                     size_t errlen)
{
    uint64_t out;
    if (!cfg_get_duration_sec(base, path, *v, 0, 7 * 86400, &out, err, errlen)) return false;
    *v = (uint32_t)out;
    return true;
}

/* A millisecond duration into a 32-bit field. */
static bool get_ms32(const cfg_node_t *base, const char *path, uint32_t *v, uint64_t max_ms,
                     char *err, size_t errlen)
{
    uint64_t ms = *v;
    if (!cfg_get_duration_ms(base, path, &ms, max_ms, err, errlen)) return false;
    *v = (uint32_t)ms;
    return true;
}

static bool load_timeouts(const cfg_node_t *flow, flow_config_t *fc, char *err, size_t errlen)
{
    static const char *const classes[] = {"tcp", "udp", "icmp", "default", NULL};
    static const char *const states[] = {"new", "established", "closed", NULL};
    const cfg_node_t *t = NULL;
    if (!cfg_get_map(flow, "timeouts", &t, err, errlen)) return false;
    if (!cfg_check_keys(t, classes, err, errlen)) return false;
    for (int i = 0; i < FLOW_PROTO_COUNT; i++) {
        const cfg_node_t *cls = NULL;
        if (!cfg_get_map(t, classes[i], &cls, err, errlen)) return false;
        if (!cfg_check_keys(cls, states, err, errlen)) return false;
        flow_timeouts_t *to = &fc->timeouts[i];
        /* milliseconds: a live sensor feeding the correlator within a
         * second ends closed connections after a fraction of one */
        if (!get_ms32(cls, "new", &to->new_ms, FLOW_TIMEOUT_MAX_MS, err, errlen) ||
            !get_ms32(cls, "established", &to->established_ms, FLOW_TIMEOUT_MAX_MS, err, errlen) ||
            !get_ms32(cls, "closed", &to->closed_ms, FLOW_TIMEOUT_MAX_MS, err, errlen))
            return false;
    }
    return true;
}

static bool load_flow(const cfg_node_t *s, sensor_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"max-flows", "hash-size", "timeouts", NULL};
    const cfg_node_t *f = NULL;
    return cfg_get_map(s, "flow", &f, err, errlen) && cfg_check_keys(f, keys, err, errlen) &&
           get_u32(f, "max-flows", &c->flow.max_flows, 1, 100000000, 0, err, errlen) &&
           get_u32(f, "hash-size", &c->flow.hash_size, 0, 1u << 30, 0, err, errlen) &&
           load_timeouts(f, &c->flow, err, errlen);
}

static bool load_capture(const cfg_node_t *s, sensor_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"interface", "filter",      "snaplen",
                                       "promisc",   "buffer-size", NULL};
    const cfg_node_t *cap = NULL;
    uint32_t snap = (uint32_t)c->capture.snaplen, buf = 0;
    if (!cfg_get_map(s, "capture", &cap, err, errlen) || !cfg_check_keys(cap, keys, err, errlen) ||
        !cfg_get_strbuf(cap, "interface", c->iface, sizeof(c->iface), err, errlen) ||
        !cfg_get_strbuf(cap, "filter", c->bpf, sizeof(c->bpf), err, errlen) ||
        !get_u32(cap, "snaplen", &snap, 64, 262144, 0, err, errlen) ||
        !cfg_get_bool(cap, "promisc", c->capture.promisc, &c->capture.promisc, err, errlen) ||
        !get_u32(cap, "buffer-size", &buf, 0, 2047ull << 20, CFG_U64_SIZE, err, errlen))
        return false;
    c->capture.snaplen = (int)snap;
    c->capture.buffer_bytes = (int)buf;
    return true;
}

/* app-layer.http: body bytes kept for http.request_body / response_body. */
static bool load_http(const cfg_node_t *a, sensor_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"request-body-limit", "response-body-limit", NULL};
    const cfg_node_t *h = NULL;
    return cfg_get_map(a, "http", &h, err, errlen) && cfg_check_keys(h, keys, err, errlen) &&
           get_u32(h, "request-body-limit", &c->http_body_limit[DIR_TOSERVER], 1,
                   APP_HTTP_BODY_LIMIT_MAX, CFG_U64_SIZE, err, errlen) &&
           get_u32(h, "response-body-limit", &c->http_body_limit[DIR_TOCLIENT], 1,
                   APP_HTTP_BODY_LIMIT_MAX, CFG_U64_SIZE, err, errlen);
}

/* stream: reassembly depth per direction and the memcap of all segments. */
static bool load_stream(const cfg_node_t *s, sensor_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"depth", "memcap", NULL};
    const cfg_node_t *t = NULL;
    return cfg_get_map(s, "stream", &t, err, errlen) && cfg_check_keys(t, keys, err, errlen) &&
           cfg_get_u64(t, "depth", c->stream_depth, 1024, 1ull << 32, CFG_U64_SIZE,
                       &c->stream_depth, err, errlen) &&
           cfg_get_u64(t, "memcap", c->stream_memcap, 1u << 20, 1ull << 40, CFG_U64_SIZE,
                       &c->stream_memcap, err, errlen);
}

static bool load_limits(const cfg_node_t *s, sensor_config_t *c, char *err, size_t errlen)
{
    static const char *const dkeys[] = {"memcap", "max-trackers", "timeout", NULL};
    static const char *const pkeys[] = {"max-detecting", "max-tcp-packets", "max-udp-packets",
                                        NULL};
    static const char *const akeys[] = {"memcap", "http", NULL};
    const cfg_node_t *d = NULL, *p = NULL, *a = NULL;
    uint32_t tcp = c->dpi.max_tcp_packets, udp = c->dpi.max_udp_packets;
    bool ok = cfg_get_map(s, "defrag", &d, err, errlen) && cfg_check_keys(d, dkeys, err, errlen) &&
              get_u32(d, "memcap", &c->defrag.memcap_bytes, 65536, 4095ull << 20, CFG_U64_SIZE, err,
                      errlen) &&
              get_u32(d, "max-trackers", &c->defrag.max_trackers, 1, 1u << 24, 0, err, errlen) &&
              get_secs(d, "timeout", &c->defrag.timeout_sec, err, errlen) &&
              cfg_get_map(s, "dpi", &p, err, errlen) && cfg_check_keys(p, pkeys, err, errlen) &&
              get_u32(p, "max-detecting", &c->dpi.max_detecting, 1, 1u << 26, 0, err, errlen) &&
              get_u32(p, "max-tcp-packets", &tcp, 1, 10000, 0, err, errlen) &&
              get_u32(p, "max-udp-packets", &udp, 1, 10000, 0, err, errlen) &&
              cfg_get_map(s, "app-layer", &a, err, errlen) &&
              cfg_check_keys(a, akeys, err, errlen) &&
              cfg_get_u64(a, "memcap", c->app_memcap, 1u << 20, 1ull << 40, CFG_U64_SIZE,
                          &c->app_memcap, err, errlen) &&
              load_http(a, c, err, errlen) && load_stream(s, c, err, errlen);
    c->dpi.max_tcp_packets = (uint16_t)tcp;
    c->dpi.max_udp_packets = (uint16_t)udp;
    return ok;
}

/* sensor.ingest: where and how events are shipped (output/ship.h). */
static bool load_ingest(const cfg_node_t *s, ship_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"server",
                                       "cert",
                                       "key",
                                       "ca",
                                       "spool-dir",
                                       "spool-size",
                                       "batch-events",
                                       "batch-bytes",
                                       "flush-interval",
                                       "drain-timeout",
                                       NULL};
    const cfg_node_t *g = NULL;
    return cfg_get_map(s, "ingest", &g, err, errlen) && cfg_check_keys(g, keys, err, errlen) &&
           cfg_get_strbuf(g, "server", c->server, sizeof(c->server), err, errlen) &&
           cfg_get_strbuf(g, "cert", c->cert, sizeof(c->cert), err, errlen) &&
           cfg_get_strbuf(g, "key", c->key, sizeof(c->key), err, errlen) &&
           cfg_get_strbuf(g, "ca", c->ca, sizeof(c->ca), err, errlen) &&
           cfg_get_strbuf(g, "spool-dir", c->spool_dir, sizeof(c->spool_dir), err, errlen) &&
           cfg_get_u64(g, "spool-size", c->spool_bytes, 64u << 10, 1ull << 40, CFG_U64_SIZE,
                       &c->spool_bytes, err, errlen) &&
           get_u32(g, "batch-events", &c->batch_events, 1, 1000000, 0, err, errlen) &&
           get_u32(g, "batch-bytes", &c->batch_bytes, SHIP_MIN_BATCH_BYTES, SHIP_MAX_BATCH_BYTES,
                   CFG_U64_SIZE, err, errlen) &&
           get_ms32(g, "flush-interval", &c->flush_ms, 60000, err, errlen) &&
           get_ms32(g, "drain-timeout", &c->drain_ms, 3600000, err, errlen);
}

static bool load_sensor(const cfg_node_t *s, sensor_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "name", "eve",       "stats-interval", "geoip", "capture", "flow", "defrag",
        "dpi",  "app-layer", "stream",         "user",  "ingest",  NULL};
    static const char *const gkeys[] = {"city", "asn", NULL};
    const cfg_node_t *g = NULL;
    return cfg_check_keys(s, keys, err, errlen) &&
           cfg_get_strbuf(s, "name", c->name, sizeof(c->name), err, errlen) &&
           cfg_get_strbuf(s, "eve", c->eve_path, sizeof(c->eve_path), err, errlen) &&
           get_secs(s, "stats-interval", &c->stats_interval, err, errlen) &&
           cfg_get_map(s, "geoip", &g, err, errlen) && cfg_check_keys(g, gkeys, err, errlen) &&
           cfg_get_strbuf(g, "city", c->geoip_city, sizeof(c->geoip_city), err, errlen) &&
           cfg_get_strbuf(g, "asn", c->geoip_asn, sizeof(c->geoip_asn), err, errlen) &&
           load_capture(s, c, err, errlen) && load_flow(s, c, err, errlen) &&
           load_limits(s, c, err, errlen) &&
           cfg_get_strbuf(s, "user", c->user, sizeof(c->user), err, errlen) &&
           load_ingest(s, &c->ingest, err, errlen);
}

int sensor_config_load(sensor_config_t *c, const char *path, char *err, size_t errlen)
{
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return -1;
    snprintf(c->config_path, sizeof(c->config_path), "%s", path);
    const cfg_node_t *s = NULL;
    bool ok =
        cfg_get_map(cfg_root(cfg), "sensor", &s, err, errlen) && load_sensor(s, c, err, errlen);
    /* Whether these were chosen or defaulted changes what shipping does. */
    if (ok && cfg_node_get(s, "name") && !cfg_node_is_null(cfg_node_get(s, "name")))
        c->name_set = true;
    if (ok && cfg_node_get(s, "eve") && !cfg_node_is_null(cfg_node_get(s, "eve")))
        c->eve_set = true;
    cfg_free(cfg);
    return ok ? 0 : -1;
}
