/* dpi.c -- nDPI glue. The detection loop follows ndpiReader's: feed every
 * packet until nDPI names the application and has no more metadata to
 * extract, or until the per-protocol packet limit; an undecided flow gets
 * nDPI's guess (by port) when it ends. */
#include "dpi.h"

#include <ndpi/ndpi_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dpi {
    struct ndpi_detection_module_struct *mod;
    dpi_config_t cfg;
    /* Pool: a lazily touched array plus a free list threaded through the
     * first word of returned slots, so RSS follows the high-water mark. */
    uint8_t *slots;
    size_t slot_size;
    uint32_t next_unused;
    void *free_list;
    dpi_stats_t stats;
};

void dpi_config_defaults(dpi_config_t *cfg)
{
    cfg->max_detecting = 262144;
    cfg->max_tcp_packets = 80;
    cfg->max_udp_packets = 24;
}

dpi_t *dpi_new(const dpi_config_t *cfg, char *err, size_t errlen)
{
    dpi_t *d = calloc(1, sizeof(*d));
    if (!d) goto oom;
    d->cfg = *cfg;
    d->mod = ndpi_init_detection_module(ndpi_no_prefs);
    if (!d->mod) {
        snprintf(err, errlen, "nDPI: cannot initialise the detection module");
        free(d);
        return NULL;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(d->mod, &all);
    ndpi_finalize_initialization(d->mod);
    /* Round up so every slot stays 16-byte aligned. */
    d->slot_size = (ndpi_detection_get_sizeof_ndpi_flow_struct() + 15u) & ~(size_t)15u;
    d->slots = calloc(cfg->max_detecting, d->slot_size);
    if (!d->slots) {
        ndpi_exit_detection_module(d->mod);
        free(d);
        goto oom;
    }
    return d;
oom:
    snprintf(err, errlen, "nDPI: out of memory for %u flow states", cfg->max_detecting);
    return NULL;
}

void dpi_free(dpi_t *d)
{
    if (!d) return;
    ndpi_exit_detection_module(d->mod);
    free(d->slots);
    free(d);
}

static struct ndpi_flow_struct *state_get(dpi_t *d)
{
    void *s = d->free_list;
    if (s) {
        d->free_list = *(void **)s;
    } else if (d->next_unused < d->cfg.max_detecting) {
        s = d->slots + (size_t)d->next_unused++ * d->slot_size;
    } else {
        d->stats.pool_exhausted++;
        return NULL;
    }
    memset(s, 0, d->slot_size); /* nDPI requires a zeroed flow */
    if (++d->stats.detecting > d->stats.detecting_max) d->stats.detecting_max = d->stats.detecting;
    return s;
}

static void state_put(dpi_t *d, struct ndpi_flow_struct *s)
{
    ndpi_free_flow_data(s); /* buffers nDPI allocated inside the flow */
    *(void **)s = d->free_list;
    d->free_list = s;
    d->stats.detecting--;
}

/* Copy the verdict into the flow and release nDPI's state. A guess (by
 * port, after giving up) is reported under ndpi but is not an app_proto:
 * like Suricata, app_proto names only what the payload showed. */
static void settle(dpi_t *d, flow_t *f, ndpi_protocol proto, bool guessed)
{
    f->ndpi_master = proto.master_protocol;
    f->ndpi_app = proto.app_protocol;
    f->ndpi_category = (uint16_t)proto.category;
    f->ndpi_risk = f->ndpi->risk;
    f->flags |= FLOW_F_DPI_DONE;
    state_put(d, f->ndpi);
    f->ndpi = NULL;
    if (guessed)
        f->flags |= FLOW_F_DPI_GUESSED;
    else if (f->app_proto == APP_UNKNOWN)
        f->app_proto = dpi_app_proto(f->ndpi_master, f->ndpi_app);
}

static bool enough_packets(const dpi_t *d, const flow_t *f)
{
    uint64_t n = f->pkts[0] + f->pkts[1];
    if (f->key.proto == 6) return n > d->cfg.max_tcp_packets;
    if (f->key.proto == 17) return n > d->cfg.max_udp_packets;
    return n > d->cfg.max_udp_packets;
}

void dpi_packet(dpi_t *d, flow_t *f, int dir, const packet_t *p)
{
    (void)dir;
    if (f->flags & FLOW_F_DPI_DONE) return;
    if (!f->ndpi) {
        f->ndpi = state_get(d);
        if (!f->ndpi) {
            f->flags |= FLOW_F_DPI_DONE; /* pool full: this flow stays unclassified */
            return;
        }
    }
    uint32_t len = p->l3_len > 0xffff ? 0xffff : p->l3_len;
    ndpi_protocol proto = ndpi_detection_process_packet(d->mod, f->ndpi, p->l3, (uint16_t)len,
                                                        (uint64_t)(p->ts_usec / 1000));
    f->dpi_pkts++;
    bool enough = enough_packets(d, f);
    if (!enough && proto.app_protocol == NDPI_PROTOCOL_UNKNOWN) return;
    if (!enough && ndpi_extra_dissection_possible(d->mod, f->ndpi)) return;
    uint8_t guessed = 0;
    if (proto.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
        proto = ndpi_detection_giveup(d->mod, f->ndpi, 1, &guessed);
        d->stats.given_up++;
    } else {
        d->stats.detected++;
    }
    settle(d, f, proto, guessed);
}

void dpi_flow_end(dpi_t *d, flow_t *f)
{
    if (!f->ndpi) return;
    /* Named already but waiting for more metadata: that is a detection. */
    bool named = f->ndpi->detected_protocol_stack[0] != NDPI_PROTOCOL_UNKNOWN;
    uint8_t guessed = 0;
    ndpi_protocol proto = ndpi_detection_giveup(d->mod, f->ndpi, 1, &guessed);
    if (named)
        d->stats.detected++;
    else
        d->stats.given_up++;
    settle(d, f, proto, guessed && !named);
}

const char *dpi_proto_name(dpi_t *d, uint16_t id)
{
    return ndpi_get_proto_name(d->mod, id);
}

const char *dpi_category_name(dpi_t *d, uint16_t category)
{
    return ndpi_category_get_name(d->mod, (ndpi_protocol_category_t)category);
}

void dpi_protocol_label(dpi_t *d, const flow_t *f, char *out, size_t outlen)
{
    ndpi_protocol proto = {.master_protocol = f->ndpi_master,
                           .app_protocol = f->ndpi_app,
                           .category = (ndpi_protocol_category_t)f->ndpi_category};
    ndpi_protocol2name(d->mod, proto, out, (u_int)outlen);
}

const char *dpi_risk_name(unsigned bit)
{
    if (bit == NDPI_NO_RISK || bit >= NDPI_MAX_RISK) return NULL;
    return ndpi_risk2str((ndpi_risk_enum)bit);
}

const dpi_stats_t *dpi_get_stats(const dpi_t *d)
{
    return &d->stats;
}

/* Suricata's app-layer names for the nDPI protocols Suricata also parses. */
static app_proto_t map_one(uint16_t id)
{
    switch (id) {
    case NDPI_PROTOCOL_HTTP:
    case NDPI_PROTOCOL_HTTP_CONNECT:
    case NDPI_PROTOCOL_HTTP_PROXY: return APP_HTTP;
    case NDPI_PROTOCOL_TLS: return APP_TLS;
    case NDPI_PROTOCOL_DNS: return APP_DNS;
    case NDPI_PROTOCOL_SSH: return APP_SSH;
    case NDPI_PROTOCOL_MAIL_SMTP: return APP_SMTP;
    case NDPI_PROTOCOL_FTP_CONTROL: return APP_FTP;
    case NDPI_PROTOCOL_FTP_DATA: return APP_FTP_DATA;
    case NDPI_PROTOCOL_MAIL_IMAP: return APP_IMAP;
    case NDPI_PROTOCOL_MAIL_POP: return APP_POP3;
    case NDPI_PROTOCOL_SMBV1:
    case NDPI_PROTOCOL_SMBV23: return APP_SMB;
    case NDPI_PROTOCOL_DCERPC: return APP_DCERPC;
    case NDPI_PROTOCOL_NTP: return APP_NTP;
    case NDPI_PROTOCOL_DHCP: return APP_DHCP;
    case NDPI_PROTOCOL_SNMP: return APP_SNMP;
    case NDPI_PROTOCOL_SIP: return APP_SIP;
    case NDPI_PROTOCOL_RDP: return APP_RDP;
    case NDPI_PROTOCOL_VNC: return APP_RFB;
    case NDPI_PROTOCOL_MQTT: return APP_MQTT;
    case NDPI_PROTOCOL_RTSP: return APP_RTSP;
    case NDPI_PROTOCOL_MODBUS: return APP_MODBUS;
    case NDPI_PROTOCOL_DNP3: return APP_DNP3;
    case NDPI_PROTOCOL_KERBEROS: return APP_KRB5;
    case NDPI_PROTOCOL_NFS: return APP_NFS;
    case NDPI_PROTOCOL_TFTP: return APP_TFTP;
    case NDPI_PROTOCOL_IP_IPSEC: return APP_IKE;
    case NDPI_PROTOCOL_QUIC: return APP_QUIC;
    case NDPI_PROTOCOL_LDAP: return APP_LDAP;
    case NDPI_PROTOCOL_TELNET: return APP_TELNET;
    case NDPI_PROTOCOL_IRC: return APP_IRC;
    case NDPI_PROTOCOL_MYSQL: return APP_MYSQL;
    case NDPI_PROTOCOL_POSTGRES: return APP_PGSQL;
    default: return APP_UNKNOWN;
    }
}

app_proto_t dpi_app_proto(uint16_t master, uint16_t app)
{
    /* "DNS.Google" is DNS on the wire; "TLS.YouTube" is TLS. */
    app_proto_t a = map_one(master);
    return a != APP_UNKNOWN ? a : map_one(app);
}
