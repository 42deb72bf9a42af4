/* eve.c -- the common part of every EVE event, and buffered output. */
#include "eve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "../enrich/geoip.h"

#define EVE_BLOCK (1u << 20) /* write() in blocks of about this size */

struct eve {
    FILE *out;
    bool is_stdout;
    bool write_failed;
    int write_errno;
    jw_t w;
    char *block;
    size_t block_len;
    char name[128];
    char boot_id[33];
    uint64_t seq;     /* events written */
    uint64_t dropped; /* events lost to an allocation failure */
    struct geoip *geoip;
    eve_sink_t sink;
};

static void make_boot_id(char out[33])
{
    uint8_t r[16];
    /* A fresh id each start; fall back to time and pid if the kernel can't. */
    if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
        uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        for (size_t i = 0; i < sizeof(r); i++)
            r[i] = (uint8_t)(t >> ((i % 8) * 8)) ^ (uint8_t)i;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(r); i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[32] = '\0';
}

eve_t *eve_open(const char *path, const char *sensor_name, struct geoip *geoip, char *err,
                size_t errlen)
{
    eve_t *e = calloc(1, sizeof(*e));
    if (!e || !(e->block = malloc(EVE_BLOCK))) {
        free(e);
        snprintf(err, errlen, "eve: out of memory");
        return NULL;
    }
    if (!path) {
        e->out = NULL; /* sink only */
    } else if (strcmp(path, "-") == 0) {
        e->out = stdout;
        e->is_stdout = true;
    } else if (!(e->out = fopen(path, "w"))) {
        snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
        free(e->block);
        free(e);
        return NULL;
    }
    jw_init(&e->w);
    snprintf(e->name, sizeof(e->name), "%s", sensor_name);
    make_boot_id(e->boot_id);
    e->geoip = geoip;
    return e;
}

int eve_flush(eve_t *e)
{
    if (e->block_len && !e->write_failed && e->out) {
        if (fwrite(e->block, 1, e->block_len, e->out) != e->block_len || fflush(e->out) != 0) {
            e->write_failed = true;
            e->write_errno = errno;
        }
    }
    e->block_len = 0;
    return e->write_failed ? -1 : 0;
}

int eve_close(eve_t *e, char *err, size_t errlen)
{
    if (!e) return 0;
    int rc = eve_flush(e);
    if (!e->is_stdout && e->out && fclose(e->out) != 0 && rc == 0) {
        rc = -1;
        e->write_errno = errno;
    }
    if (rc < 0) snprintf(err, errlen, "eve: write failed: %s", strerror(e->write_errno));
    jw_free(&e->w);
    free(e->block);
    free(e);
    return rc;
}

size_t eve_format_addr(char *out, int ip_version, const soc_addr_t *a)
{
    if (ip_version == 4) {
        /* Hand-rolled: inet_ntop is a measurable share of event cost. */
        char *o = out;
        for (int i = 0; i < 4; i++) {
            unsigned v = a->b[i];
            if (v >= 100) *o++ = (char)('0' + v / 100);
            if (v >= 10) *o++ = (char)('0' + (v / 10) % 10);
            *o++ = (char)('0' + v % 10);
            if (i < 3) *o++ = '.';
        }
        *o = '\0';
        return (size_t)(o - out);
    }
    if (!inet_ntop(AF_INET6, a->b, out, INET6_ADDRSTRLEN)) out[0] = '\0';
    return strlen(out);
}

const char *eve_proto_name(uint8_t proto, char buf[4])
{
    switch (proto) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "IPv6-ICMP";
    case 132: return "SCTP";
    default: snprintf(buf, 4, "%u", proto); return buf;
    }
}

static void write_geo(jw_t *w, const char *key, const geoip_info_t *g)
{
    jw_kobject_open(w, key);
    if (g->has_country) {
        jw_kstr(w, "country_iso", g->country_iso);
        jw_kstr(w, "country", g->country);
    }
    if (g->has_city) jw_kstr(w, "city", g->city);
    if (g->has_asn) {
        jw_kuint(w, "asn", g->asn);
        if (g->as_org[0]) jw_kstr(w, "as_org", g->as_org);
    }
    jw_object_close(w);
}

static void write_geoip(eve_t *e, int ipv, const soc_addr_t *src, const soc_addr_t *dst)
{
    geoip_info_t gs, gd;
    bool s = geoip_lookup(e->geoip, ipv, src->b, &gs);
    bool d = geoip_lookup(e->geoip, ipv, dst->b, &gd);
    if (!s && !d) return;
    jw_kobject_open(&e->w, "geoip");
    if (s) write_geo(&e->w, "src", &gs);
    if (d) write_geo(&e->w, "dest", &gd);
    jw_object_close(&e->w);
}

static void write_tuple(eve_t *e, int ipv, uint8_t proto, const soc_addr_t *src, uint16_t sport,
                        const soc_addr_t *dst, uint16_t dport, const uint16_t *vlan, int nvlan)
{
    jw_t *w = &e->w;
    char a[INET6_ADDRSTRLEN], pb[4];
    bool ports = proto == 6 || proto == 17 || proto == 132;
    if (nvlan > 0) {
        jw_karray_open(w, "vlan");
        for (int i = 0; i < nvlan; i++)
            jw_uint(w, vlan[i]);
        jw_array_close(w);
    }
    jw_kstrn(w, "src_ip", a, eve_format_addr(a, ipv, src));
    if (ports) jw_kuint(w, "src_port", sport);
    jw_kstrn(w, "dest_ip", a, eve_format_addr(a, ipv, dst));
    if (ports) jw_kuint(w, "dest_port", dport);
    jw_kstr(w, "proto", eve_proto_name(proto, pb));
    if (e->geoip) write_geoip(e, ipv, src, dst);
}

jw_t *eve_begin(eve_t *e, const char *event_type, int64_t ts_usec)
{
    jw_reset(&e->w);
    jw_object_open(&e->w);
    jw_ktimestamp(&e->w, "timestamp", ts_usec);
    jw_kstr(&e->w, "event_type", event_type);
    return &e->w;
}

static void begin_with_flow_id(eve_t *e, const char *event_type, int64_t ts_usec, const flow_t *f)
{
    jw_reset(&e->w);
    jw_object_open(&e->w);
    jw_ktimestamp(&e->w, "timestamp", ts_usec);
    if (f) jw_kuint(&e->w, "flow_id", f->flow_id);
    jw_kstr(&e->w, "event_type", event_type);
}

jw_t *eve_begin_flow(eve_t *e, const char *event_type, int64_t ts_usec, const flow_t *f, bool swap)
{
    const flow_key_t *k = &f->key;
    int s = swap ? 1 : 0;
    begin_with_flow_id(e, event_type, ts_usec, f);
    write_tuple(e, k->ip_version, k->proto, &k->addr[s], k->port[s], &k->addr[!s], k->port[!s],
                k->vlan, (k->vlan[0] || k->vlan[1]) ? (k->vlan[1] ? 2 : 1) : 0);
    return &e->w;
}

jw_t *eve_begin_packet(eve_t *e, const char *event_type, const packet_t *p, const flow_t *f)
{
    begin_with_flow_id(e, event_type, p->ts_usec, f);
    if (p->ip_version)
        write_tuple(e, p->ip_version, p->ip_proto, &p->src, p->sport, &p->dst, p->dport, p->vlan,
                    p->vlan_count);
    return &e->w;
}

static void write_direct(eve_t *e, const char *buf, size_t len)
{
    if (e->write_failed || !e->out) return;
    if (fwrite(buf, 1, len, e->out) != len || fputc('\n', e->out) == EOF) {
        e->write_failed = true;
        e->write_errno = errno;
    }
}

void eve_end(eve_t *e)
{
    jw_t *w = &e->w;
    jw_kobject_open(w, "sensor");
    jw_kstr(w, "name", e->name);
    jw_kstr(w, "boot_id", e->boot_id);
    jw_kuint(w, "seq", e->seq + 1);
    jw_object_close(w);
    jw_object_close(w);
    if (w->oom) { /* never half-written; seq stays gapless over what is written */
        e->dropped++;
        return;
    }
    e->seq++;
    if (e->sink.line) e->sink.line(e->sink.ud, w->buf, w->len);
    if (!e->out) return;
    if (e->block_len + w->len + 1 > EVE_BLOCK) eve_flush(e);
    if (w->len + 1 > EVE_BLOCK) { /* a single huge event: write it directly */
        write_direct(e, w->buf, w->len);
        return;
    }
    memcpy(e->block + e->block_len, w->buf, w->len);
    e->block_len += w->len;
    e->block[e->block_len++] = '\n';
}

void eve_set_sink(eve_t *e, const eve_sink_t *sink)
{
    e->sink = sink ? *sink : (eve_sink_t){0};
}

void eve_sink_stats(eve_t *e, jw_t *w)
{
    if (e->sink.stats) e->sink.stats(e->sink.ud, w);
}

uint64_t eve_events_written(const eve_t *e)
{
    return e->seq;
}
uint64_t eve_events_dropped(const eve_t *e)
{
    return e->dropped;
}
const char *eve_boot_id(const eve_t *e)
{
    return e->boot_id;
}
