/* eve_stats.c -- stats event in Suricata's layout (stats.decoder.*,
 * stats.flow.*, stats.app_layer.flow.*), plus our dpi and capture parts. */
#include "eve_stats.h"

#include <stdio.h>
#include <string.h>

static void write_capture(jw_t *w, const capture_stats_t *c)
{
    if (!c->valid) return;
    jw_kobject_open(w, "capture");
    jw_kuint(w, "kernel_packets", c->kernel_packets);
    jw_kuint(w, "kernel_drops", c->kernel_drops);
    jw_kuint(w, "kernel_ifdrops", c->ifdrops);
    jw_object_close(w);
}

/* decoder.event.<layer>.<name>, from anomaly names "<layer>.<name>"; the
 * anomaly table lists each layer's kinds together. */
static void write_decoder_events(jw_t *w, const decode_stats_t *d)
{
    char layer[32] = "";
    jw_kobject_open(w, "event");
    for (int k = 0; k < ANOM_COUNT; k++) {
        const char *ev = anomaly_event((anomaly_kind_t)k);
        const char *dot = strchr(ev, '.');
        size_t len = dot ? (size_t)(dot - ev) : strlen(ev);
        if (len >= sizeof(layer)) len = sizeof(layer) - 1;
        if (strncmp(layer, ev, len) != 0 || layer[len] != '\0') {
            if (layer[0]) jw_object_close(w);
            memcpy(layer, ev, len);
            layer[len] = '\0';
            jw_kobject_open(w, layer);
        }
        jw_kuint(w, dot ? dot + 1 : ev, d->anomalies[k]);
    }
    if (layer[0]) jw_object_close(w);
    jw_object_close(w);
}

static void write_decoder(jw_t *w, const decode_stats_t *d)
{
    jw_kobject_open(w, "decoder");
    jw_kuint(w, "pkts", d->pkts);
    jw_kuint(w, "bytes", d->bytes);
    jw_kuint(w, "ethernet", d->ethernet);
    jw_kuint(w, "vlan", d->vlan);
    jw_kuint(w, "vlan_qinq", d->vlan_qinq);
    jw_kuint(w, "sll", d->sll);
    jw_kuint(w, "sll2", d->sll2);
    jw_kuint(w, "null", d->null);
    jw_kuint(w, "raw", d->raw);
    jw_kuint(w, "ipv4", d->ipv4);
    jw_kuint(w, "ipv6", d->ipv6);
    jw_kuint(w, "tcp", d->tcp);
    jw_kuint(w, "udp", d->udp);
    jw_kuint(w, "icmpv4", d->icmpv4);
    jw_kuint(w, "icmpv6", d->icmpv6);
    jw_kuint(w, "other_ip", d->other_ip);
    jw_kuint(w, "not_ip", d->not_ip);
    jw_kuint(w, "frag_ipv4", d->frag_ipv4);
    jw_kuint(w, "frag_ipv6", d->frag_ipv6);
    jw_kuint(w, "reassembled", d->reassembled);
    write_decoder_events(w, d);
    jw_object_close(w);
}

static void write_flow(jw_t *w, const stats_sources_t *s)
{
    const flow_stats_t *f = s->flow;
    jw_kobject_open(w, "flow");
    jw_kuint(w, "active", f->active);
    jw_kuint(w, "active_max", s->active_max);
    jw_kuint(w, "capacity", s->flow_capacity);
    jw_kuint(w, "created", f->created);
    jw_kuint(w, "ended", f->ended);
    jw_kuint(w, "timeout", f->timed_out);
    jw_kuint(w, "evicted", f->evicted);
    jw_kuint(w, "shutdown", f->shutdown);
    jw_kuint(w, "reused", f->reused);
    jw_kuint(w, "tcp", f->tcp);
    jw_kuint(w, "udp", f->udp);
    jw_kuint(w, "icmp", f->icmp);
    jw_kuint(w, "other", f->other);
    jw_object_close(w);
}

static void write_dpi(jw_t *w, const dpi_stats_t *d)
{
    jw_kobject_open(w, "dpi");
    jw_kuint(w, "detecting", d->detecting);
    jw_kuint(w, "detecting_max", d->detecting_max);
    jw_kuint(w, "detected", d->detected);
    jw_kuint(w, "given_up", d->given_up);
    jw_kuint(w, "pool_exhausted", d->pool_exhausted);
    jw_object_close(w);
}

static void write_app_flows(jw_t *w, const uint64_t *flows)
{
    jw_kobject_open(w, "flow");
    for (int a = 0; a < APP_PROTO_COUNT; a++) {
        const char *name = app_proto_name((app_proto_t)a);
        if (flows[a]) jw_kuint(w, name ? name : "unknown", flows[a]);
    }
    jw_object_close(w);
}

void eve_stats_event(eve_t *e, const stats_sources_t *s, int64_t ts_usec)
{
    jw_t *w = eve_begin(e, "stats", ts_usec);
    jw_kobject_open(w, "stats");
    jw_kint(w, "uptime", s->uptime_sec);
    write_capture(w, &s->capture);
    write_decoder(w, s->decoder);
    write_flow(w, s);
    write_dpi(w, s->dpi);
    jw_kobject_open(w, "app_layer");
    write_app_flows(w, s->app_flows);
    app_layer_write_stats(w, s->app);
    jw_object_close(w);
    if (s->extra) s->extra(w, s->extra_ud);
    eve_sink_stats(e, w); /* stats.ingest when events are shipped */
    jw_kobject_open(w, "eve");
    jw_kuint(w, "events", eve_events_written(e) + 1);
    jw_kuint(w, "dropped", eve_events_dropped(e));
    jw_object_close(w);
    jw_object_close(w);
    eve_end(e);
}
