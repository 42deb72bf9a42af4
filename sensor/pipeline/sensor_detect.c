/* sensor_detect.c -- the signature engine in the pipeline.
 *
 * TCP payload is inspected as reassembled stream (rules of "tcp", app
 * protocols and "tcp-stream"), with a window of the last bytes kept so a
 * pattern split across segments is seen whole; "tcp-pkt" rules and every
 * other protocol look at packet payloads; rules without payload checks
 * (flags, dsize, itype ...) look at every packet. */
#include "sensor_detect.h"

#include <stdlib.h>
#include <string.h>

#include "../detect/detect.h"
#include "../detect/match.h"
#include "../output/eve_alert.h"
#include "../output/eve_app.h"
#include "../stream/stream.h"
#include "log.h"

#define STREAM_WINDOW 2048 /* bytes of earlier stream data seen with new data */

struct sensor_detect {
    rule_set_t *rs;
    detect_engine_t *de;
    stream_ctx_t *streams;
    eve_t *eve;
    /* the packet being processed, for the stream callbacks */
    const packet_t *cur_p;
    flow_t *cur_f;
};

/* ---- alerts ----------------------------------------------------------------- */

static void write_dns(jw_t *w, const void *tx)
{
    eve_app_dns(w, tx);
}

static void on_alert(void *ud, const rule_t *r, const detect_input_t *in)
{
    sensor_detect_t *sd = ud;
    void (*writer)(jw_t *, const void *) = NULL;
    if (in->tx && in->f && in->f->app_proto == APP_DNS) writer = write_dns;
    eve_alert_event(sd->eve, r, in->p, in->f, in->dir, writer, in->tx);
}

/* ---- rule loading ------------------------------------------------------------ */

static void on_diag(void *ud, const char *line)
{
    (void)ud;
    log_warn("%s", line);
}

static rule_set_t *load_rules(const char *classification, char *const files[], int n, bool quiet)
{
    rule_set_opts_t opts = {.pcre_jit = true};
    rule_set_t *rs = rule_set_new(&opts);
    if (!rs) return NULL;
    if (!quiet) rule_set_set_diag(rs, on_diag, NULL);
    if (classification && classification[0] && rule_set_load_classification(rs, classification) < 0)
        log_warn("%s: %s", classification, rule_set_last_error(rs));
    for (int i = 0; i < n; i++)
        if (rule_set_load_file(rs, files[i]) < 0)
            log_error("%s: %s", files[i], rule_set_last_error(rs));
    return rs;
}

sensor_detect_t *sensor_detect_new(const sensor_config_t *cfg, eve_t *eve, char *err, size_t errlen)
{
    if (cfg->n_rule_files == 0) return NULL;
    sensor_detect_t *sd = calloc(1, sizeof(*sd));
    if (!sd) goto oom;
    sd->eve = eve;
    if (!(sd->rs = load_rules(cfg->classification, (char *const *)cfg->rule_files,
                              cfg->n_rule_files, false)))
        goto oom;
    const rule_set_stats_t *st = rule_set_stats(sd->rs);
    log_info("rules: %u loaded, %u skipped from %u files in %.2f s", st->loaded, st->skipped,
             st->files, st->load_sec);
    detect_config_t dc = {.threshold_entries = 65536};
    if (!(sd->de = detect_engine_new(sd->rs, &dc, on_alert, sd, err, errlen))) {
        sensor_detect_free(sd);
        return NULL;
    }
    stream_config_t sc;
    stream_config_defaults(&sc);
    sc.depth = cfg->stream_depth;
    sc.memcap = cfg->stream_memcap;
    sc.window = STREAM_WINDOW;
    if (!(sd->streams = stream_ctx_new(&sc))) goto oom;
    return sd;
oom:
    snprintf(err, errlen, "detect: out of memory loading rules");
    sensor_detect_free(sd);
    return NULL;
}

void sensor_detect_free(sensor_detect_t *sd)
{
    if (!sd) return;
    detect_engine_free(sd->de);
    stream_ctx_free(sd->streams);
    rule_set_free(sd->rs);
    free(sd);
}

/* ---- inspection ----------------------------------------------------------------- */

static void on_stream_data(void *ud, int dir, const uint8_t *data, size_t len, size_t seen,
                           uint64_t offset)
{
    (void)offset;
    sensor_detect_t *sd = ud;
    if (!sd->cur_p) return; /* flushed at flow end without a packet: nothing to anchor */
    detect_input_t in = {.p = sd->cur_p,
                         .f = sd->cur_f,
                         .dir = dir,
                         .stream = true,
                         .payload = data,
                         .payload_len = (uint32_t)len,
                         .payload_seen = (uint32_t)seen};
    detect_packet(sd->de, &in);
}

static void on_stream_gap(void *ud, int dir, uint64_t offset, uint32_t len)
{
    (void)ud, (void)dir, (void)offset, (void)len; /* counted by the stream module */
}

static stream_sink_t stream_sink_of(sensor_detect_t *sd)
{
    stream_sink_t s = {.deliver = on_stream_data, .gap = on_stream_gap, .ud = sd};
    return s;
}

void sensor_detect_packet(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p)
{
    if (f && (f->flags & FLOW_F_PASSED)) return;
    bool tcp = f && p->ip_proto == 6 && p->l4;
    detect_input_t in = {.p = p, .f = f, .dir = dir, .payload_in_stream = tcp};
    /* A TCP payload is inspected as stream below; the packet pass still
     * runs header-only and tcp-pkt rules (match_header sorts them out). */
    in.payload = p->payload;
    in.payload_len = p->payload ? p->payload_len : 0;
    detect_packet(sd->de, &in);
    if (!tcp) return;
    if (!f->stream && !(f->stream = stream_new(sd->streams))) return;
    sd->cur_p = p;
    sd->cur_f = f;
    stream_sink_t sink = stream_sink_of(sd);
    stream_segment(sd->streams, f->stream, dir, p->tcp_flags, p->tcp_seq, p->tcp_ack, p->payload,
                   p->payload ? p->payload_len : 0, &sink);
    sd->cur_p = NULL;
    sd->cur_f = NULL;
}

void sensor_detect_dns(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p,
                       const dns_msg_t *m)
{
    /* dns.query is a request buffer: answers repeat the question but are
     * not inspected with it (Suricata's to_server-only buffer). */
    if (!p || (m->flags & DNS_FLAG_QR) || (f->flags & FLOW_F_PASSED)) return;
    const uint8_t *buf[RULE_BUF_COUNT] = {0};
    uint32_t len[RULE_BUF_COUNT] = {0};
    /* dns.query is each question name in turn (Suricata's multi-buffer). */
    for (unsigned i = 0; i < m->nqueries; i++) {
        buf[RULE_BUF_DNS_QUERY] = (const uint8_t *)dns_str(m, m->queries[i].name);
        len[RULE_BUF_DNS_QUERY] = m->queries[i].name.len;
        detect_input_t in = {.p = p, .f = f, .dir = dir, .buf = buf, .buf_len = len, .tx = m};
        detect_tx(sd->de, &in);
    }
}

void sensor_detect_flow_end(sensor_detect_t *sd, flow_t *f)
{
    if (f->stream) {
        stream_sink_t sink = stream_sink_of(sd);
        stream_flush(sd->streams, f->stream, &sink);
        stream_free(sd->streams, f->stream);
        f->stream = NULL;
    }
    flowbits_free(f->flowbits);
    f->flowbits = NULL;
}

void sensor_detect_write_stats(sensor_detect_t *sd, jw_t *w)
{
    const detect_stats_t *d = detect_get_stats(sd->de);
    const rule_set_stats_t *rs = rule_set_stats(sd->rs);
    const stream_stats_t *s = stream_ctx_stats(sd->streams);
    jw_kobject_open(w, "detect");
    jw_kuint(w, "rules_loaded", rs->loaded);
    jw_kuint(w, "rules_skipped", rs->skipped);
    jw_kuint(w, "patterns", detect_pattern_count(sd->de));
    jw_kuint(w, "alerts", d->alerts);
    jw_kuint(w, "suppressed", d->suppressed);
    jw_kuint(w, "candidates", d->candidates);
    jw_object_close(w);
    jw_kobject_open(w, "tcp");
    jw_kuint(w, "segments", s->segments);
    jw_kuint(w, "reassembly_gap", s->gaps);
    jw_kuint(w, "overlap", s->overlaps);
    jw_kuint(w, "overlap_diff_data", s->overlap_diff);
    jw_kuint(w, "memuse", s->memuse);
    jw_object_close(w);
}

int sensor_detect_test_rules(const char *classification, char *const files[], int nfiles)
{
    rule_set_t *rs = load_rules(classification, files, nfiles, false);
    if (!rs) return 2;
    rule_set_print_summary(rs, stdout);
    int rc = rule_set_stats(rs)->skipped ? 1 : 0;
    rule_set_free(rs);
    return rc;
}
