/* app_dns.c -- DNS per flow: one event per message. UDP: a datagram is a
 * message. TCP: each message has a 2-byte length prefix; messages may share
 * a segment or span several. */
#include "app_layer_int.h"

typedef struct dns_state {
    uint64_t queries;      /* queries seen: the next query's tx_id */
    uint32_t skip_left[2]; /* TCP: bytes left of a message too large to buffer */
} dns_state_t;

static void message(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                    size_t len)
{
    dns_state_t *ds = s->ps;
    dns_msg_t *m = &al->dns;
    if (dns_parse(data, len, m) != APP_PARSE_DONE) {
        al->st.errors[APP_DNS]++;
        return;
    }
    /* Suricata numbers transactions by query; an answer shares its query's
     * number, taken here as the latest query's. */
    if (!dns_is_response(m))
        m->tx_id = ds->queries++;
    else
        m->tx_id = ds->queries ? ds->queries - 1 : 0;
    al->st.tx[APP_DNS]++;
    if (al->sink.dns) al->sink.dns(al->sink.ud, f, m, dir);
}

static void dns_datagram(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                         size_t len)
{
    message(al, f, s, dir, data, len);
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static size_t dns_stream(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                         size_t len)
{
    dns_state_t *ds = s->ps;
    app_dir_t *d = &s->dir[dir];
    if (d->resync) { /* after a gap: a packet must start with a message */
        if (len < 2 + DNS_HEADER_LEN || rd16(data) < DNS_HEADER_LEN ||
            !dns_probe(data + 2, len - 2))
            return len;
        d->resync = 0;
    }
    size_t off = 0;
    while (off < len) {
        if (ds->skip_left[dir] > 0) {
            size_t n = len - off < ds->skip_left[dir] ? len - off : ds->skip_left[dir];
            ds->skip_left[dir] -= (uint32_t)n;
            off += n;
            continue;
        }
        if (len - off < 2) break;
        size_t mlen = rd16(data + off);
        if (mlen + 2 > APP_BUF_MAX || mlen < DNS_HEADER_LEN) {
            /* Too large to buffer (zone transfers) or not a message: skip
             * it by its length and stay in step with the next one. */
            al->st.errors[APP_DNS]++;
            ds->skip_left[dir] = (uint32_t)mlen;
            off += 2;
            continue;
        }
        if (len - off - 2 < mlen) break;
        message(al, f, s, dir, data + off + 2, mlen);
        off += 2 + mlen;
    }
    return off;
}

static bool dns_gap(app_layer_t *al, flow_t *f, app_state_t *s, int dir, uint32_t n)
{
    (void)al;
    (void)f;
    dns_state_t *ds = s->ps;
    if (ds->skip_left[dir] >= n) {
        ds->skip_left[dir] -= n;
        return true;
    }
    ds->skip_left[dir] = 0;
    return false;
}

static void dns_flow_end(app_layer_t *al, flow_t *f, app_state_t *s)
{
    (void)al;
    (void)f;
    (void)s; /* every message was emitted when it was complete */
}

const app_ops_t app_dns_ops = {
    .proto = APP_DNS,
    .state_size = sizeof(dns_state_t),
    .stream = dns_stream,
    .datagram = dns_datagram,
    .gap = dns_gap,
    .flow_end = dns_flow_end,
    .pending = NULL, /* every message is emitted when complete */
    .release = NULL,
};
