/* eve_flow.c -- flow and anomaly events. */
#include "eve_flow.h"

#include <stdio.h>

void eve_tcp_flags_hex(uint8_t flags, char out[3])
{
    static const char hex[] = "0123456789abcdef";
    out[0] = hex[flags >> 4];
    out[1] = hex[flags & 15];
    out[2] = '\0';
}

static void write_counters(jw_t *w, const flow_t *f, flow_end_reason_t reason)
{
    jw_kobject_open(w, "flow");
    jw_kuint(w, "pkts_toserver", f->pkts[DIR_TOSERVER]);
    jw_kuint(w, "pkts_toclient", f->pkts[DIR_TOCLIENT]);
    jw_kuint(w, "bytes_toserver", f->bytes[DIR_TOSERVER]);
    jw_kuint(w, "bytes_toclient", f->bytes[DIR_TOCLIENT]);
    jw_ktimestamp(w, "start", f->start_usec);
    jw_ktimestamp(w, "end", f->last_usec);
    /* Suricata's arithmetic: whole seconds of end minus whole seconds of start. */
    jw_kint(w, "age", f->last_usec / 1000000 - f->start_usec / 1000000);
    jw_kstr(w, "state", flow_state_name(flow_eve_state(f)));
    jw_kstr(w, "reason", flow_end_reason_name(reason));
    jw_kbool(w, "alerted", (f->flags & FLOW_F_ALERTED) != 0);
    jw_object_close(w);
}

static void write_tcp(jw_t *w, const flow_t *f)
{
    char hex[3];
    uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
    jw_kobject_open(w, "tcp");
    eve_tcp_flags_hex(all, hex);
    jw_kstr(w, "tcp_flags", hex);
    eve_tcp_flags_hex(f->tcp_flags[DIR_TOSERVER], hex);
    jw_kstr(w, "tcp_flags_ts", hex);
    eve_tcp_flags_hex(f->tcp_flags[DIR_TOCLIENT], hex);
    jw_kstr(w, "tcp_flags_tc", hex);
    /* Suricata lists only the flags that were seen. */
    static const struct {
        uint8_t bit;
        const char *name;
    } names[] = {{TH_SYN, "syn"}, {TH_FIN, "fin"}, {TH_RST, "rst"}, {TH_PSH, "psh"},
                 {TH_ACK, "ack"}, {TH_URG, "urg"}, {TH_ECE, "ecn"}, {TH_CWR, "cwr"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (all & names[i].bit) jw_kbool(w, names[i].name, true);
    jw_kstr(w, "state", flow_tcp_state_name((flow_tcp_state_t)f->tcp_state));
    if (f->flags & FLOW_F_MIDSTREAM) jw_kbool(w, "midstream", true);
    jw_object_close(w);
}

static void write_ndpi(jw_t *w, dpi_t *d, const flow_t *f)
{
    char label[64];
    dpi_protocol_label(d, f, label, sizeof(label));
    jw_kobject_open(w, "ndpi");
    jw_kstr(w, "protocol", label);
    jw_kstr(w, "master_protocol", dpi_proto_name(d, f->ndpi_master));
    jw_kstr(w, "app_protocol", dpi_proto_name(d, f->ndpi_app));
    jw_kstr(w, "category", dpi_category_name(d, f->ndpi_category));
    if (f->flags & FLOW_F_DPI_GUESSED) jw_kbool(w, "guessed", true);
    if (f->ndpi_risk) {
        jw_karray_open(w, "risks");
        for (unsigned bit = 1; bit < 64; bit++) {
            const char *n = (f->ndpi_risk >> bit) & 1 ? dpi_risk_name(bit) : NULL;
            if (n) jw_str(w, n);
        }
        jw_array_close(w);
    }
    jw_object_close(w);
}

void eve_flow_event(eve_t *e, dpi_t *d, const flow_t *f, flow_end_reason_t reason)
{
    jw_t *w = eve_begin_flow(e, "flow", f->last_usec, f, false);
    const char *app = app_proto_name((app_proto_t)f->app_proto);
    if (app) jw_kstr(w, "app_proto", app);
    write_counters(w, f, reason);
    if (f->key.proto == 6) write_tcp(w, f);
    if (f->flags & FLOW_F_DPI_DONE && d) write_ndpi(w, d, f);
    if (f->anomalies) jw_kuint(w, "anomalies", f->anomalies);
    eve_end(e);
}

void eve_anomaly_event(eve_t *e, const packet_t *p, const flow_t *f, const anomaly_t *a)
{
    char name[64];
    jw_t *w = eve_begin_packet(e, "anomaly", p, f);
    jw_kobject_open(w, "anomaly");
    jw_kstr(w, "type", "decode");
    /* Suricata prefixes decoder events with "decoder." */
    snprintf(name, sizeof(name), "decoder.%s", anomaly_event((anomaly_kind_t)a->kind));
    jw_kstr(w, "event", name);
    jw_kstr(w, "layer", anomaly_layer((anomaly_kind_t)a->kind));
    jw_kuint(w, "offset", a->offset);
    jw_object_close(w);
    eve_end(e);
}
