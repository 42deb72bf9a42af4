/* sensor_detect.c -- the signature engine in the pipeline.
 *
 * TCP payload is inspected as reassembled stream (rules of "tcp", app
 * protocols and "tcp-stream"), with a window of the last bytes kept so a
 * pattern split across segments is seen whole; "tcp-pkt" rules and every
 * other protocol look at packet payloads; rules without payload checks
 * (flags, dsize, itype ...) look at every packet. Transactions (DNS queries,
 * HTTP heads and bodies, TLS hellos and certificates) are inspected with
 * their buffers as the app layer completes them. */
#include "sensor_detect.h"

#include <stdlib.h>
#include <string.h>

#include "../app/http_buffers.h"
#include "../detect/detect.h"
#include "../detect/match.h"
#include "../output/eve_alert.h"
#include "../output/eve_app.h"
#include "../stream/stream.h"
#include "config.h"
#include "log.h"

#define STREAM_WINDOW 512 /* bytes of earlier stream data seen with new data */

struct sensor_detect {
    rule_set_t *rs;
    detect_engine_t *de;
    stream_ctx_t *streams;
    eve_t *eve;
    unsigned needs;     /* SD_NEED_* */
    http_bufs_t *hbufs; /* scratch for one HTTP head (large), with SD_NEED_HTTP */
    /* the packet being processed, for the stream callbacks */
    const packet_t *cur_p;
    flow_t *cur_f;
    /* writes the transaction being inspected into its alerts */
    void (*tx_writer)(jw_t *w, const void *tx);
};

/* ---- alerts ----------------------------------------------------------------- */

static void write_dns(jw_t *w, const void *tx)
{
    eve_app_dns(w, tx);
}

static void write_http(jw_t *w, const void *tx)
{
    eve_app_http(w, tx);
}

static void write_tls(jw_t *w, const void *tx)
{
    eve_app_tls(w, tx);
}

static void on_alert(void *ud, const rule_t *r, const detect_input_t *in)
{
    sensor_detect_t *sd = ud;
    eve_alert_event(sd->eve, r, in->p, in->f, in->dir, in->tx ? sd->tx_writer : NULL, in->tx);
}

/* ---- rule loading ------------------------------------------------------------ */

static void on_diag(void *ud, const char *line)
{
    (void)ud;
    log_warn("%s", line);
}

/* Unreadable rule files make the load fail (a sensor silently running
 * without its rules is worse than one that does not start); rules the
 * engine cannot run are skipped, never fatal. Address and port variables
 * come from the `vars:` section of soc.yaml when a config file is given,
 * else Suricata's stock defaults. */
static rule_set_t *load_rules(const sensor_config_t *cfg, int *unreadable, char *err, size_t errlen)
{
    rule_set_opts_t opts = {.pcre_jit = true};
    rule_set_t *rs = rule_set_new(&opts);
    if (!rs) {
        snprintf(err, errlen, "rules: out of memory");
        return NULL;
    }
    rule_set_set_diag(rs, on_diag, NULL);
    if (cfg->config_path[0]) {
        cfg_t *c = cfg_load_file(cfg->config_path, err, errlen);
        bool ok = c && rule_set_load_vars(rs, cfg_get(c, "vars"), err, errlen);
        cfg_free(c);
        if (!ok) {
            rule_set_free(rs);
            return NULL;
        }
    }
    const char *cls = cfg->classification;
    if (cls[0] && rule_set_load_classification(rs, cls) < 0)
        log_warn("%s: %s", cls, rule_set_last_error(rs));
    *unreadable = 0;
    for (int i = 0; i < cfg->n_rule_files; i++)
        if (rule_set_load_file(rs, cfg->rule_files[i]) < 0)
            (*unreadable)++; /* reported by the diag hook */
    return rs;
}

/* What the rules' buffers ask of the app layer. */
static unsigned buf_needs(const rule_t *r, uint8_t id)
{
    switch (id) {
    case RULE_BUF_PAYLOAD:
    case RULE_BUF_DNS_QUERY: return 0;
    case RULE_BUF_TLS_SNI:
    case RULE_BUF_JA3_HASH:
    case RULE_BUF_JA3_STRING:
    case RULE_BUF_JA3S_HASH:
    case RULE_BUF_JA3S_STRING:
    case RULE_BUF_TLS_CERT_SUBJECT:
    case RULE_BUF_TLS_CERT_ISSUER:
    case RULE_BUF_TLS_CERT_SERIAL:
    case RULE_BUF_TLS_CERT_FINGERPRINT:
    case RULE_BUF_TLS_CERTS: return SD_NEED_TLS;
    case RULE_BUF_HTTP_REQUEST_BODY: return SD_NEED_HTTP | SD_NEED_HTTP_REQUEST_BODY;
    case RULE_BUF_HTTP_RESPONSE_BODY: return SD_NEED_HTTP | SD_NEED_HTTP_RESPONSE_BODY;
    case RULE_BUF_FILE_DATA: /* either body, as the flow keyword allows */
        return SD_NEED_HTTP |
               ((r->flow & RULE_FLOW_TOCLIENT) ? 0u : (unsigned)SD_NEED_HTTP_REQUEST_BODY) |
               ((r->flow & RULE_FLOW_TOSERVER) ? 0u : (unsigned)SD_NEED_HTTP_RESPONSE_BODY);
    default: return SD_NEED_HTTP;
    }
}

static unsigned app_needs(const rule_set_t *rs)
{
    unsigned needs = 0;
    for (size_t i = 0; i < rule_set_count(rs); i++) {
        const rule_t *r = rule_set_rule(rs, i);
        for (unsigned b = 0; b < r->n_bufs; b++)
            needs |= buf_needs(r, r->bufs[b].id);
        if (r->checks & RULE_CHECK_TLS_VERSION) needs |= SD_NEED_TLS;
    }
    return needs;
}

sensor_detect_t *sensor_detect_new(const sensor_config_t *cfg, eve_t *eve, char *err, size_t errlen)
{
    if (cfg->n_rule_files == 0) return NULL;
    sensor_detect_t *sd = calloc(1, sizeof(*sd));
    if (!sd) goto oom;
    sd->eve = eve;
    int unreadable;
    if (!(sd->rs = load_rules(cfg, &unreadable, err, errlen))) {
        sensor_detect_free(sd);
        return NULL;
    }
    if (unreadable) {
        snprintf(err, errlen, "rules: %d of %d rule files could not be read (see above)",
                 unreadable, cfg->n_rule_files);
        sensor_detect_free(sd);
        return NULL;
    }
    const rule_set_stats_t *st = rule_set_stats(sd->rs);
    log_info("rules: %u loaded, %u skipped from %u files in %.2f s", st->loaded, st->skipped,
             st->files, st->load_sec);
    sd->needs = app_needs(sd->rs);
    if ((sd->needs & SD_NEED_HTTP) && !(sd->hbufs = malloc(sizeof(*sd->hbufs)))) goto oom;
    detect_config_t dc = {.threshold_entries = 65536,
                          .cache_dir = cfg->rules_cache[0] ? cfg->rules_cache : NULL};
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
    free(sd->hbufs);
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
    /* Like Suricata 7's default tls encryption-handling: once the TLS
     * handshake is done the records are ciphertext, so the raw stream is
     * no longer inspected (tls.* rules were, at the hellos). */
    if (f->flags & FLOW_F_ENCRYPTED) {
        if (f->stream) {
            stream_free(sd->streams, f->stream);
            f->stream = NULL;
        }
        return;
    }
    if (!f->stream && !(f->stream = stream_new(sd->streams))) return;
    sd->cur_p = p;
    sd->cur_f = f;
    stream_sink_t sink = stream_sink_of(sd);
    stream_segment(sd->streams, f->stream, dir, p->tcp_flags, p->tcp_seq, p->tcp_ack, p->payload,
                   p->payload ? p->payload_len : 0, &sink);
    sd->cur_p = NULL;
    sd->cur_f = NULL;
}

unsigned sensor_detect_app_needs(const sensor_detect_t *sd)
{
    return sd->needs;
}

/* One transaction inspection; its alerts carry the tx written by writer. */
static void inspect_tx(sensor_detect_t *sd, const detect_input_t *in,
                       void (*writer)(jw_t *, const void *))
{
    sd->tx_writer = writer;
    detect_tx(sd->de, in);
    sd->tx_writer = NULL;
}

/* A packet standing for the flow in direction dir at its last time, for
 * transactions completed at flow end: header fields only, no payload. */
static const packet_t *pseudo_packet(packet_t *pp, const flow_t *f, int dir)
{
    int s = dir == DIR_TOSERVER ? 0 : 1;
    memset(pp, 0, sizeof(*pp));
    pp->ts_usec = f->last_usec;
    pp->ip_version = f->key.ip_version;
    pp->ip_proto = f->key.proto;
    pp->src = f->key.addr[s];
    pp->dst = f->key.addr[1 - s];
    pp->sport = f->key.port[s];
    pp->dport = f->key.port[1 - s];
    pp->frames = 1;
    return pp;
}

/* Inspect one transaction's buffers, seen in packet p (NULL at flow end). */
static void inspect_bufs(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p,
                         const uint8_t *const *buf, const uint32_t *len, const void *tx,
                         bool body_pass, bool bufferless, void (*writer)(jw_t *, const void *))
{
    packet_t pseudo;
    detect_input_t in = {.p = p ? p : pseudo_packet(&pseudo, f, dir),
                         .f = f,
                         .dir = dir,
                         .buf = buf,
                         .buf_len = len,
                         .tx = tx,
                         .body_pass = body_pass,
                         .bufferless = bufferless};
    inspect_tx(sd, &in, writer);
}

/* http_buffers.h ids to the rule buffers they feed. */
static const uint8_t http_rule_buf[HTTP_BUF_COUNT] = {
    [HTTP_BUF_URI] = RULE_BUF_HTTP_URI,
    [HTTP_BUF_URI_RAW] = RULE_BUF_HTTP_URI_RAW,
    [HTTP_BUF_METHOD] = RULE_BUF_HTTP_METHOD,
    [HTTP_BUF_REQUEST_LINE] = RULE_BUF_HTTP_REQUEST_LINE,
    [HTTP_BUF_HOST] = RULE_BUF_HTTP_HOST,
    [HTTP_BUF_HOST_RAW] = RULE_BUF_HTTP_HOST_RAW,
    [HTTP_BUF_USER_AGENT] = RULE_BUF_HTTP_USER_AGENT,
    [HTTP_BUF_REFERER] = RULE_BUF_HTTP_REFERER,
    [HTTP_BUF_ACCEPT] = RULE_BUF_HTTP_ACCEPT,
    [HTTP_BUF_ACCEPT_ENC] = RULE_BUF_HTTP_ACCEPT_ENC,
    [HTTP_BUF_ACCEPT_LANG] = RULE_BUF_HTTP_ACCEPT_LANG,
    [HTTP_BUF_CONNECTION] = RULE_BUF_HTTP_CONNECTION,
    [HTTP_BUF_REQUEST_BODY] = RULE_BUF_HTTP_REQUEST_BODY,
    [HTTP_BUF_STAT_CODE] = RULE_BUF_HTTP_STAT_CODE,
    [HTTP_BUF_STAT_MSG] = RULE_BUF_HTTP_STAT_MSG,
    [HTTP_BUF_RESPONSE_LINE] = RULE_BUF_HTTP_RESPONSE_LINE,
    [HTTP_BUF_LOCATION] = RULE_BUF_HTTP_LOCATION,
    [HTTP_BUF_SERVER] = RULE_BUF_HTTP_SERVER,
    [HTTP_BUF_RESPONSE_BODY] = RULE_BUF_HTTP_RESPONSE_BODY,
    [HTTP_BUF_PROTOCOL] = RULE_BUF_HTTP_PROTOCOL,
    [HTTP_BUF_COOKIE] = RULE_BUF_HTTP_COOKIE,
    [HTTP_BUF_CONTENT_TYPE] = RULE_BUF_HTTP_CONTENT_TYPE,
    [HTTP_BUF_CONTENT_LEN] = RULE_BUF_HTTP_CONTENT_LEN,
    [HTTP_BUF_HEADER] = RULE_BUF_HTTP_HEADER,
    [HTTP_BUF_HEADER_RAW] = RULE_BUF_HTTP_HEADER_RAW,
    [HTTP_BUF_HEADER_NAMES] = RULE_BUF_HTTP_HEADER_NAMES,
    [HTTP_BUF_START] = RULE_BUF_HTTP_START,
};

void sensor_detect_http(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p,
                        const app_http_msg_t *m)
{
    if (!sd->hbufs || (f->flags & FLOW_F_PASSED)) return;
    /* An empty body adds nothing to the head's look (a body buffer is
     * absent without body data, as in Suricata). */
    if (m->has_body && m->body_len == 0) return;
    http_bufs_t *hb = sd->hbufs;
    bool ok = m->req    ? http_bufs_request(hb, m->head, m->head_len, m->req)
              : m->resp ? http_bufs_response(hb, m->head, m->head_len, m->resp)
                        : false;
    if (!ok) return;
    const uint8_t *buf[RULE_BUF_COUNT] = {0};
    uint32_t len[RULE_BUF_COUNT] = {0};
    for (unsigned i = 0; i < HTTP_BUF_COUNT; i++) {
        if (!hb->b[i].p) continue;
        buf[http_rule_buf[i]] = hb->b[i].p;
        len[http_rule_buf[i]] = hb->b[i].len;
    }
    if (m->has_body) {
        /* file.data is the body of either direction (Suricata 7's HTTP/1). */
        unsigned id = m->req ? RULE_BUF_HTTP_REQUEST_BODY : RULE_BUF_HTTP_RESPONSE_BODY;
        buf[id] = buf[RULE_BUF_FILE_DATA] = m->body;
        len[id] = len[RULE_BUF_FILE_DATA] = m->body_len;
    }
    inspect_bufs(sd, f, dir, p, buf, len, m->tx, m->has_body, false, write_http);
}

/* The server's Certificate: the leaf's fields, and every certificate for
 * tls.certs (a multi-buffer: the certificate_list entries as sent). */
static void tls_cert_bufs(const tls_info_t *t, const uint8_t **buf, uint32_t *len)
{
    const tls_cert_t *c = t->cert;
    if (t->certs->n > 0) {
        buf[RULE_BUF_TLS_CERTS] = t->certs->list.p;
        len[RULE_BUF_TLS_CERTS] = t->certs->list.len;
    }
    if (c == NULL) return;
    const struct {
        unsigned id;
        const char *s;
        uint32_t n;
    } f[] = {{RULE_BUF_TLS_CERT_SUBJECT, c->subject, c->subject_len},
             {RULE_BUF_TLS_CERT_ISSUER, c->issuer, c->issuer_len},
             {RULE_BUF_TLS_CERT_SERIAL, c->serial, c->serial_len},
             {RULE_BUF_TLS_CERT_FINGERPRINT, c->fingerprint, (uint32_t)strlen(c->fingerprint)}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (f[i].n == 0) continue;
        buf[f[i].id] = (const uint8_t *)f[i].s;
        len[f[i].id] = f[i].n;
    }
}

void sensor_detect_tls(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p,
                       const tls_info_t *t)
{
    if (dir == DIR_TOCLIENT) f->flags |= FLOW_F_ENCRYPTED; /* ServerHello: handshake agreed */
    if (f->flags & FLOW_F_PASSED) return;
    const uint8_t *buf[RULE_BUF_COUNT] = {0};
    uint32_t len[RULE_BUF_COUNT] = {0};
    /* Each message's own buffers only: a later message's info repeats the
     * earlier fields, which were inspected with their own message, so no
     * rule alerts twice (a rule mixing a hello buffer with a certificate
     * one therefore never matches). */
    if (t->certs != NULL) {
        tls_cert_bufs(t, buf, len);
    } else if (dir == DIR_TOSERVER) {
        if (t->sni.len) {
            buf[RULE_BUF_TLS_SNI] = (const uint8_t *)t->sni.p;
            len[RULE_BUF_TLS_SNI] = t->sni.len;
        }
        if (t->has_ja3) {
            buf[RULE_BUF_JA3_HASH] = (const uint8_t *)t->ja3_hash;
            len[RULE_BUF_JA3_HASH] = 32;
            buf[RULE_BUF_JA3_STRING] = (const uint8_t *)t->ja3.p;
            len[RULE_BUF_JA3_STRING] = t->ja3.len;
        }
    } else if (t->has_ja3s) {
        buf[RULE_BUF_JA3S_HASH] = (const uint8_t *)t->ja3s_hash;
        len[RULE_BUF_JA3S_HASH] = 32;
        buf[RULE_BUF_JA3S_STRING] = (const uint8_t *)t->ja3s.p;
        len[RULE_BUF_JA3S_STRING] = t->ja3s.len;
    }
    /* tls.version alone is decided by the ServerHello */
    bool server_hello = dir == DIR_TOCLIENT && t->certs == NULL;
    inspect_bufs(sd, f, dir, p, buf, len, t, false, server_hello, write_tls);
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
        inspect_tx(sd, &in, write_dns);
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
    jw_kuint(w, "cache_hits", d->cache_hits);
    jw_object_close(w);
    jw_kobject_open(w, "tcp");
    jw_kuint(w, "segments", s->segments);
    jw_kuint(w, "reassembly_gap", s->gaps);
    jw_kuint(w, "overlap", s->overlaps);
    jw_kuint(w, "overlap_diff_data", s->overlap_diff);
    jw_kuint(w, "memuse", s->memuse);
    jw_object_close(w);
}

int sensor_detect_test_rules(const sensor_config_t *cfg)
{
    char err[1024];
    int unreadable;
    rule_set_t *rs = load_rules(cfg, &unreadable, err, sizeof(err));
    if (!rs) {
        log_error("%s", err);
        return 2;
    }
    rule_set_print_summary(rs, stdout);
    int rc = unreadable ? 2 : rule_set_stats(rs)->skipped ? 1 : 0;
    rule_set_free(rs);
    return rc;
}
