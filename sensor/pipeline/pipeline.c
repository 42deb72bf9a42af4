/* pipeline.c -- the per-packet path and the flow-end path. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "../app/app_layer.h"
#include "../app/dpi.h"
#include "../decode/decode.h"
#include "../enrich/geoip.h"
#include "../flow/flow.h"
#include "../output/eve_app.h"
#include "../output/eve_flow.h"
#include "../output/eve_stats.h"
#include "sensor_detect.h"

#define TICK_USEC 1000000 /* offline: timers run at most once per second of time */
/* Live: ten times a second, so a flow that timed out reaches the
 * correlator within its timeout plus 0.1 s (flow timeouts are in ms). */
#define LIVE_TICK_USEC 100000

struct pipeline {
    sensor_config_t cfg;
    int linktype;
    eve_t *eve;
    capture_t *cap; /* may be NULL */
    decoder_t dec;
    flow_table_t *flows;
    dpi_t *dpi;
    app_layer_t *app;
    sensor_detect_t *det;  /* NULL without rules */
    const packet_t *cur_p; /* the packet being processed, NULL between packets */
    int64_t last_ts, next_tick, next_stats, first_ts;
    uint64_t packets;
    uint64_t active_max;
    uint64_t app_flows[APP_PROTO_COUNT]; /* ended flows per app_proto */
};

/* ---- app-layer events ------------------------------------------------ */

static void on_http(void *ud, const flow_t *f, const http_tx_t *tx)
{
    pipeline_t *pl = ud;
    jw_t *w = eve_begin_flow(pl->eve, "http", f->last_usec, f, false);
    jw_kstr(w, "app_proto", "http");
    eve_app_http(w, tx);
    eve_end(pl->eve);
}

static void on_dns(void *ud, flow_t *f, const dns_msg_t *m, int dir)
{
    pipeline_t *pl = ud;
    /* Like Suricata: a query is logged client to server, an answer the other way. */
    if (pl->det) sensor_detect_dns(pl->det, f, dir, pl->cur_p, m);
    jw_t *w = eve_begin_flow(pl->eve, "dns", f->last_usec, f, dir == DIR_TOCLIENT);
    jw_kstr(w, "app_proto", "dns");
    eve_app_dns(w, m);
    eve_end(pl->eve);
}

static void on_tls(void *ud, const flow_t *f, const tls_info_t *t)
{
    pipeline_t *pl = ud;
    jw_t *w = eve_begin_flow(pl->eve, "tls", f->last_usec, f, false);
    jw_kstr(w, "app_proto", "tls");
    eve_app_tls(w, t);
    eve_end(pl->eve);
}

/* ---- inspection hooks (only with rules that need them) ------------------- */

/* Heads and bodies alike: m->has_body tells them apart. pl->cur_p is the
 * packet that completed the message, NULL at flow end. */
static void on_http_request(void *ud, flow_t *f, const app_http_msg_t *m)
{
    pipeline_t *pl = ud;
    sensor_detect_http(pl->det, f, DIR_TOSERVER, pl->cur_p, m);
}

static void on_http_response(void *ud, flow_t *f, const app_http_msg_t *m)
{
    pipeline_t *pl = ud;
    sensor_detect_http(pl->det, f, DIR_TOCLIENT, pl->cur_p, m);
}

static void on_client_hello(void *ud, flow_t *f, const tls_client_hello_t *ch, const tls_info_t *t)
{
    pipeline_t *pl = ud;
    (void)ch;
    sensor_detect_tls(pl->det, f, DIR_TOSERVER, pl->cur_p, t);
}

static void on_server_hello(void *ud, flow_t *f, const tls_server_hello_t *sh, const tls_info_t *t)
{
    pipeline_t *pl = ud;
    (void)sh;
    sensor_detect_tls(pl->det, f, DIR_TOCLIENT, pl->cur_p, t);
}

/* The server's certificate chain (TLS 1.2 and older send it in clear). */
static void on_tls_certificate(void *ud, flow_t *f, const tls_info_t *t)
{
    pipeline_t *pl = ud;
    sensor_detect_tls(pl->det, f, DIR_TOCLIENT, pl->cur_p, t);
}

static void wire_detect(pipeline_t *pl, app_event_sink_t *sink)
{
    unsigned need = pl->det ? sensor_detect_app_needs(pl->det) : 0;
    if (need & SD_NEED_HTTP) {
        sink->http_request = on_http_request;
        sink->http_response = on_http_response;
    }
    if (need & SD_NEED_HTTP_REQUEST_BODY) sink->http_request_body = on_http_request;
    if (need & SD_NEED_HTTP_RESPONSE_BODY) sink->http_response_body = on_http_response;
    if (need & SD_NEED_TLS) {
        sink->tls_client_hello = on_client_hello;
        sink->tls_server_hello = on_server_hello;
        sink->tls_certificate = on_tls_certificate;
    }
}

/* ---- flow end --------------------------------------------------------- */

static void on_flow_end(flow_t *f, flow_end_reason_t reason, void *ud)
{
    pipeline_t *pl = ud;
    dpi_flow_end(pl->dpi, f);
    app_layer_flow_end(pl->app, f);
    if (pl->det) sensor_detect_flow_end(pl->det, f);
    eve_flow_event(pl->eve, pl->dpi, f, reason);
    pl->app_flows[f->app_proto < APP_PROTO_COUNT ? f->app_proto : APP_UNKNOWN]++;
}

/* ---- set-up ----------------------------------------------------------- */

pipeline_t *pipeline_new(const sensor_config_t *cfg, eve_t *eve, int linktype, char *err,
                         size_t errlen)
{
    pipeline_t *pl = calloc(1, sizeof(*pl));
    if (!pl) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pl->cfg = *cfg;
    pl->eve = eve;
    pl->linktype = linktype;
    pl->first_ts = -1;
    if (decoder_init(&pl->dec, &cfg->defrag) < 0) {
        snprintf(err, errlen, "decoder: out of memory for fragment reassembly (memcap %u bytes)",
                 cfg->defrag.memcap_bytes);
        goto fail;
    }
    pl->flows = flow_table_new(&cfg->flow, on_flow_end, pl);
    if (!pl->flows) {
        snprintf(err, errlen, "flow table: out of memory for %u flows", cfg->flow.max_flows);
        goto fail;
    }
    if (!(pl->dpi = dpi_new(&cfg->dpi, err, errlen))) goto fail;
    if (cfg->n_rule_files && !(pl->det = sensor_detect_new(cfg, eve, err, errlen))) goto fail;
    app_event_sink_t sink = {.http = on_http, .dns = on_dns, .tls = on_tls, .ud = pl};
    sink.http_body_limit[DIR_TOSERVER] = cfg->http_body_limit[DIR_TOSERVER];
    sink.http_body_limit[DIR_TOCLIENT] = cfg->http_body_limit[DIR_TOCLIENT];
    wire_detect(pl, &sink);
    if (!(pl->app = app_layer_new(cfg->app_memcap, &sink))) {
        snprintf(err, errlen, "app-layer: out of memory");
        goto fail;
    }
    return pl;
fail:
    pipeline_free(pl);
    return NULL;
}

void pipeline_free(pipeline_t *pl)
{
    if (!pl) return;
    if (pl->flows) flow_table_free(pl->flows);
    app_layer_free(pl->app);
    dpi_free(pl->dpi);
    sensor_detect_free(pl->det);
    decoder_free(&pl->dec);
    free(pl);
}

void pipeline_attach_capture(pipeline_t *pl, capture_t *cap)
{
    pl->cap = cap;
}

/* ---- per packet ------------------------------------------------------- */

/* A length field that claims more than the packet holds (IP total length,
 * UDP length) or a transport header that cannot be one marks a broken or
 * forged packet: like Suricata, it is reported but joins no flow. Lesser
 * findings (bad TCP options, fragment overlaps) keep the packet. */
static bool packet_invalid(const packet_t *p)
{
    for (unsigned i = 0; i < p->anomaly_count; i++) {
        switch (p->anomalies[i].kind) {
        case ANOM_IPV4_TRUNC_PKT:
        case ANOM_IPV6_TRUNC_PKT:
        case ANOM_TCP_TRUNC:
        case ANOM_TCP_HLEN_TOO_SMALL:
        case ANOM_UDP_TRUNC:
        case ANOM_UDP_HLEN_INVALID:
        case ANOM_SCTP_TRUNC: return true;
        default: break;
        }
    }
    return false;
}

void pipeline_packet(pipeline_t *pl, const capture_frame_t *frame)
{
    packet_t p;
    p.ts_usec = frame->ts_usec;
    p.frame = frame->data;
    p.caplen = frame->caplen;
    p.wirelen = frame->wirelen;
    p.linktype = pl->linktype;
    pl->packets++;
    /* Captures can step back in time; timers follow the latest time seen. */
    if (frame->ts_usec > pl->last_ts) pl->last_ts = frame->ts_usec;
    if (pl->first_ts < 0) pl->first_ts = frame->ts_usec;
    /* Timers first, so flows that timed out before this packet end in
     * deadline order and before it is looked up. */
    pipeline_tick(pl, pl->last_ts);

    decode_result_t r = decode_packet(&pl->dec, &p);
    flow_t *f = NULL;
    int dir = DIR_TOSERVER;
    /* A frame joins a flow once its transport header is known: a held
     * fragment counts when its datagram completes, and a frame cut inside
     * the TCP/UDP header would only make a bogus port-0 flow. */
    if (p.l4 && r != DECODE_HELD && !packet_invalid(&p)) f = flow_table_packet(pl->flows, &p, &dir);
    for (unsigned i = 0; i < p.anomaly_count; i++)
        eve_anomaly_event(pl->eve, &p, f, &p.anomalies[i]);
    if (f) {
        uint64_t active = flow_table_stats(pl->flows)->active;
        if (active > pl->active_max) pl->active_max = active;
        f->anomalies += p.anomaly_count;
        /* A malformed packet may still carry a whole payload (bad TCP
         * option, overlapping fragments): the payload pointer says. */
        if (!(f->flags & FLOW_F_DPI_DONE)) {
            dpi_packet(pl->dpi, f, dir, &p);
            /* A closed connection sends nothing more worth classifying:
             * settle now and hand the nDPI state back to the pool. */
            if (f->ndpi && f->tcp_state == FLOW_TCP_CLOSED) dpi_flow_end(pl->dpi, f);
        }
        pl->cur_p = &p;
        if (p.payload && p.payload_len) app_layer_packet(pl->app, f, dir, &p);
        if (pl->det) sensor_detect_packet(pl->det, f, dir, &p);
        pl->cur_p = NULL;
    }
}

static void periodic_stats(pipeline_t *pl, int64_t now_usec)
{
    int64_t interval = (int64_t)pl->cfg.stats_interval * 1000000;
    if (interval == 0) return;
    if (pl->next_stats == 0) pl->next_stats = now_usec + interval;
    if (now_usec < pl->next_stats) return;
    pl->next_stats = now_usec + interval;
    pipeline_write_stats(pl, now_usec);
}

void pipeline_tick(pipeline_t *pl, int64_t now_usec)
{
    if (now_usec < pl->next_tick) return;
    bool live = pl->cap && capture_is_live(pl->cap);
    pl->next_tick = now_usec + (live ? LIVE_TICK_USEC : TICK_USEC);
    flow_table_expire(pl->flows, now_usec);
    decoder_expire(&pl->dec, now_usec);
    periodic_stats(pl, now_usec);
    /* Live: analysts read events as they happen, not per megabyte. */
    if (live) eve_flush(pl->eve);
}

static void detect_stats(jw_t *w, void *ud)
{
    sensor_detect_write_stats(ud, w);
}

void pipeline_write_stats(pipeline_t *pl, int64_t now_usec)
{
    stats_sources_t s = {
        .decoder = &pl->dec.stats,
        .flow = flow_table_stats(pl->flows),
        .flow_capacity = flow_table_capacity(pl->flows),
        .active_max = pl->active_max,
        .dpi = dpi_get_stats(pl->dpi),
        .app = app_layer_get_stats(pl->app),
        .app_flows = pl->app_flows,
        .uptime_sec = pl->first_ts >= 0 ? (now_usec - pl->first_ts) / 1000000 : 0,
    };
    if (pl->cap) capture_get_stats(pl->cap, &s.capture);
    if (pl->det) {
        s.extra = detect_stats;
        s.extra_ud = pl->det;
    }
    eve_stats_event(pl->eve, &s, now_usec);
}

void pipeline_finish(pipeline_t *pl)
{
    flow_table_flush(pl->flows, FLOW_END_SHUTDOWN);
    pipeline_write_stats(pl, pl->last_ts);
}

uint64_t pipeline_packets(const pipeline_t *pl)
{
    return pl->packets;
}
int64_t pipeline_last_ts(const pipeline_t *pl)
{
    return pl->last_ts;
}
