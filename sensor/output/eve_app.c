/* eve_app.c -- http/dns/tls event objects in Suricata 7's layout. */
#include "eve_app.h"

#include <stdio.h>
#include <string.h>

/* ---- http ---- */

static void kstr_opt(jw_t *w, const char *key, app_str_t s)
{
    if (s.len > 0) jw_kstrn(w, key, s.p, s.len);
}

void eve_app_http(jw_t *w, const http_tx_t *tx)
{
    jw_kobject_open(w, "http");
    kstr_opt(w, "hostname", tx->hostname);
    if (tx->http_port >= 0) jw_kuint(w, "http_port", (uint64_t)tx->http_port);
    kstr_opt(w, "url", tx->url);
    kstr_opt(w, "http_user_agent", tx->user_agent);
    if (tx->content_type.len > 0) { /* Suricata drops the parameters */
        const char *semi = memchr(tx->content_type.p, ';', tx->content_type.len);
        size_t n = semi ? (size_t)(semi - tx->content_type.p) : tx->content_type.len;
        jw_kstrn(w, "http_content_type", tx->content_type.p, n);
    }
    kstr_opt(w, "http_refer", tx->referer);
    kstr_opt(w, "http_method", tx->method);
    kstr_opt(w, "protocol", tx->protocol);
    if (tx->has_response) jw_kuint(w, "status", tx->status);
    kstr_opt(w, "redirect", tx->redirect);
    jw_kuint(w, "length", tx->length);
    jw_object_close(w);
}

/* ---- dns ---- */

void eve_app_dns_addr(const uint8_t *addr, unsigned len, char out[40])
{
    if (len == 4) {
        snprintf(out, 40, "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
        return;
    }
    out[0] = '\0';
    if (len != 16) return;
    char *p = out;
    for (int i = 0; i < 16; i += 2)
        p += snprintf(p, (size_t)(out + 40 - p), "%s%02x%02x", i ? ":" : "", addr[i], addr[i + 1]);
}

/* A name, or the number as a string when there is none (Suricata). */
static void kname(jw_t *w, const char *key, const char *name, unsigned v)
{
    char num[12];
    if (name == NULL) {
        snprintf(num, sizeof(num), "%u", v);
        name = num;
    }
    jw_kstr(w, key, name);
}

static void kdns_str(jw_t *w, const char *key, const dns_msg_t *m, dns_str_t s)
{
    jw_kstrn(w, key, dns_str(m, s), s.len);
}

static void rr_object(jw_t *w, const dns_msg_t *m, const dns_rr_t *rr)
{
    char addr[40];
    jw_object_open(w);
    kdns_str(w, "rrname", m, rr->name);
    kname(w, "rrtype", dns_rrtype_name(rr->type), rr->type);
    jw_kuint(w, "ttl", rr->ttl);
    switch (rr->kind) {
    case DNS_RDATA_ADDR:
        eve_app_dns_addr(rr->addr, rr->addr_len, addr);
        jw_kstr(w, "rdata", addr);
        break;
    case DNS_RDATA_NAME:
    case DNS_RDATA_TEXT: kdns_str(w, "rdata", m, rr->text); break;
    case DNS_RDATA_SOA:
        jw_kobject_open(w, "soa");
        kdns_str(w, "mname", m, rr->text);
        kdns_str(w, "rname", m, rr->rname);
        jw_kuint(w, "serial", rr->soa[0]);
        jw_kuint(w, "refresh", rr->soa[1]);
        jw_kuint(w, "retry", rr->soa[2]);
        jw_kuint(w, "expire", rr->soa[3]);
        jw_kuint(w, "minimum", rr->soa[4]);
        jw_object_close(w);
        break;
    case DNS_RDATA_SRV:
        jw_kobject_open(w, "srv");
        jw_kuint(w, "priority", rr->srv_priority);
        jw_kuint(w, "weight", rr->srv_weight);
        jw_kuint(w, "port", rr->srv_port);
        kdns_str(w, "name", m, rr->text);
        jw_object_close(w);
        break;
    default: break;
    }
    jw_object_close(w);
}

static void rr_array(jw_t *w, const char *key, const dns_msg_t *m, const dns_rr_t *rrs, unsigned n)
{
    if (n == 0) return;
    jw_karray_open(w, key);
    for (unsigned i = 0; i < n; i++)
        rr_object(w, m, &rrs[i]);
    jw_array_close(w);
}

static void first_question(jw_t *w, const dns_msg_t *m)
{
    if (m->nqueries == 0) return;
    kdns_str(w, "rrname", m, m->queries[0].name);
    kname(w, "rrtype", dns_rrtype_name(m->queries[0].type), m->queries[0].type);
}

static void dns_query(jw_t *w, const dns_msg_t *m)
{
    jw_kstr(w, "type", "query");
    jw_kuint(w, "id", m->id);
    first_question(w, m);
    jw_kuint(w, "tx_id", m->tx_id);
    if (m->flags & DNS_FLAG_Z) jw_kbool(w, "z", true);
    jw_kuint(w, "opcode", dns_opcode(m));
}

static void dns_answer(jw_t *w, const dns_msg_t *m)
{
    static const struct {
        uint16_t bit;
        const char *key;
    } flag_keys[] = {
        {DNS_FLAG_QR, "qr"}, {DNS_FLAG_AA, "aa"}, {DNS_FLAG_TC, "tc"},
        {DNS_FLAG_RD, "rd"}, {DNS_FLAG_RA, "ra"}, {DNS_FLAG_Z, "z"},
    };
    char flags[8];
    jw_kuint(w, "version", 2);
    jw_kstr(w, "type", "answer");
    jw_kuint(w, "id", m->id);
    snprintf(flags, sizeof(flags), "%x", m->flags);
    jw_kstr(w, "flags", flags);
    for (size_t i = 0; i < sizeof(flag_keys) / sizeof(flag_keys[0]); i++)
        if (m->flags & flag_keys[i].bit) jw_kbool(w, flag_keys[i].key, true);
    jw_kuint(w, "opcode", dns_opcode(m));
    first_question(w, m);
    kname(w, "rcode", dns_rcode_name(m->flags & 0xf), m->flags & 0xf);
    rr_array(w, "answers", m, m->answers, m->nanswers);
    rr_array(w, "authorities", m, m->auth, m->nauth);
}

void eve_app_dns(jw_t *w, const dns_msg_t *m)
{
    jw_kobject_open(w, "dns");
    if (dns_is_response(m))
        dns_answer(w, m);
    else
        dns_query(w, m);
    jw_object_close(w);
}

/* ---- tls ---- */

static void fingerprint(jw_t *w, const char *key, const char *hash, app_str_t s)
{
    jw_kobject_open(w, key);
    jw_kstr(w, "hash", hash);
    jw_kstrn(w, "string", s.p, s.len);
    jw_object_close(w);
}

/* ALPN ProtocolNameList body as an array of names. */
static void alpn_array(jw_t *w, const char *key, tls_span_t l)
{
    if (l.len == 0) return;
    jw_karray_open(w, key);
    size_t i = 0;
    while (i < l.len) {
        size_t n = l.p[i];
        if (n > l.len - i - 1) break;
        jw_strn(w, l.p + i + 1, n);
        i += 1 + n;
    }
    jw_array_close(w);
}

/* The leaf certificate's fields, Suricata's keys. */
static void cert_fields(jw_t *w, const tls_cert_t *c)
{
    if (c->subject_len) jw_kstrn(w, "subject", c->subject, c->subject_len);
    if (c->issuer_len) jw_kstrn(w, "issuerdn", c->issuer, c->issuer_len);
    if (c->serial_len) jw_kstrn(w, "serial", c->serial, c->serial_len);
    if (c->fingerprint[0]) jw_kstr(w, "fingerprint", c->fingerprint);
}

static void cert_validity(jw_t *w, const tls_cert_t *c)
{
    char tbuf[32];
    if (!c->has_validity) return;
    tls_cert_time_text(c->not_before, tbuf);
    if (tbuf[0]) jw_kstr(w, "notbefore", tbuf);
    tls_cert_time_text(c->not_after, tbuf);
    if (tbuf[0]) jw_kstr(w, "notafter", tbuf);
}

void eve_app_tls(jw_t *w, const tls_info_t *t)
{
    char vbuf[24];
    jw_kobject_open(w, "tls");
    if (t->cert) cert_fields(w, t->cert);
    if (t->sni.len > 0) jw_kstrn(w, "sni", t->sni.p, t->sni.len);
    jw_kstr(w, "version", tls_version_name(t->version, vbuf));
    if (t->cert) cert_validity(w, t->cert);
    if (t->has_ja3) fingerprint(w, "ja3", t->ja3_hash, t->ja3);
    if (t->has_ja3s) fingerprint(w, "ja3s", t->ja3s_hash, t->ja3s);
    alpn_array(w, "client_alpns", t->client_alpn);
    alpn_array(w, "server_alpns", t->server_alpn);
    jw_object_close(w);
}

/* ---- stats ---- */

void app_layer_write_stats(struct jw *w, const app_layer_stats_t *s)
{
    static const app_proto_t parsed[] = {APP_HTTP, APP_TLS, APP_DNS};
    jw_kobject_open(w, "tx");
    for (size_t i = 0; i < 3; i++)
        jw_kuint(w, app_proto_name(parsed[i]), s->tx[parsed[i]]);
    jw_object_close(w);
    jw_kobject_open(w, "error");
    for (size_t i = 0; i < 3; i++) {
        app_proto_t p = parsed[i];
        jw_kobject_open(w, app_proto_name(p));
        jw_kuint(w, "gap", s->gaps[p]);
        jw_kuint(w, "alloc", s->alloc[p]);
        jw_kuint(w, "parser", s->errors[p]);
        jw_object_close(w);
    }
    jw_object_close(w);
    jw_kuint(w, "memuse", s->mem_used);
    jw_kuint(w, "memuse_max", s->mem_peak);
    jw_kuint(w, "memcap", s->memcap);
    jw_kuint(w, "memcap_hits", s->memcap_hits);
    jw_kuint(w, "truncated", s->truncated);
    jw_kuint(w, "tls_cert_truncated", s->tls_cert_truncated);
    jw_kuint(w, "tls_cert_invalid", s->tls_cert_invalid);
}
