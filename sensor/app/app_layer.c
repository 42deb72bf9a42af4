/* app_layer.c -- probing, per-flow state, memcap and in-order TCP feeding.
 * The protocol specifics live in app_http.c, app_dns.c and app_tls.c. */
#include "app_layer_int.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

/* Markers stored in f->app for flows the app layer does not parse (or no
 * longer: MARK_DONE), so the decision is taken once per flow without
 * allocating. Never written. */
enum { MARK_FAIL_TS, MARK_FAIL_TC, MARK_GIVE_UP, MARK_NO_MEM, MARK_DONE, MARK_COUNT };
static app_state_t marks[MARK_COUNT];

static bool is_mark(const app_state_t *s)
{
    return s >= marks && s < marks + MARK_COUNT;
}

/* ---- memory ---- */

void *app_mem_alloc(app_layer_t *al, app_state_t *s, size_t n)
{
    void *p = NULL;
    if (n <= al->memcap && al->st.mem_used <= al->memcap - n) p = malloc(n);
    if (p == NULL) {
        al->st.memcap_hits++;
        if (s != NULL) al->st.alloc[s->proto]++;
        return NULL;
    }
    al->st.mem_used += n;
    if (al->st.mem_used > al->st.mem_peak) al->st.mem_peak = al->st.mem_used;
    return p;
}

void app_mem_free(app_layer_t *al, app_state_t *s, void *p, size_t n)
{
    (void)s;
    if (p == NULL) return;
    free(p);
    al->st.mem_used -= n;
}

bool app_buf_reserve(app_layer_t *al, app_state_t *s, app_buf_t *b, size_t need, size_t max)
{
    if (need <= b->cap) return true;
    /* Grow by doubling (from 512 B) so a unit arriving in small pieces
     * costs a handful of reallocations, never one per packet. */
    size_t cap = b->cap ? (size_t)b->cap * 2 : 512;
    if (cap < need) cap = need;
    if (cap > max) cap = max;
    uint8_t *p = app_mem_alloc(al, s, cap);
    if (p == NULL) return false;
    if (b->len) memcpy(p, b->p, b->len);
    app_mem_free(al, s, b->p, b->cap);
    b->p = p;
    b->cap = (uint32_t)cap;
    return true;
}

bool app_buf_append(app_layer_t *al, app_state_t *s, app_buf_t *b, const uint8_t *data, size_t n,
                    size_t max)
{
    if (n > max - b->len) return false;
    size_t need = b->len + n;
    if (!app_buf_reserve(al, s, b, need, max)) return false;
    memcpy(b->p + b->len, data, n);
    b->len = (uint32_t)need;
    return true;
}

void app_buf_release(app_layer_t *al, app_state_t *s, app_buf_t *b)
{
    app_mem_free(al, s, b->p, b->cap);
    memset(b, 0, sizeof(*b));
}

void app_buf_consume(app_layer_t *al, app_state_t *s, app_buf_t *b, size_t n)
{
    if (n >= b->len) {
        app_buf_release(al, s, b);
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= (uint32_t)n;
}

void app_dir_stop(app_layer_t *al, app_state_t *s, int dir, bool error)
{
    app_dir_t *d = &s->dir[dir];
    if (!d->dead && error) al->st.errors[s->proto]++;
    d->dead = 1;
    app_buf_release(al, s, &d->buf);
}

/* ---- life cycle ---- */

app_layer_t *app_layer_new(size_t memcap_bytes, const app_event_sink_t *sink)
{
    app_layer_t *al = calloc(1, sizeof(*al));
    if (al == NULL) return NULL;
    al->memcap = memcap_bytes;
    al->st.memcap = memcap_bytes;
    if (sink != NULL) al->sink = *sink;
    for (int d = 0; d < 2; d++) {
        uint32_t *lim = &al->sink.http_body_limit[d];
        if (*lim == 0) *lim = APP_HTTP_BODY_LIMIT_DEFAULT;
        if (*lim > APP_HTTP_BODY_LIMIT_MAX) *lim = APP_HTTP_BODY_LIMIT_MAX;
    }
    return al;
}

void app_layer_free(app_layer_t *al)
{
    free(al);
}

const app_layer_stats_t *app_layer_get_stats(const app_layer_t *al)
{
    return &al->st;
}

uint16_t app_layer_tls_version(const flow_t *f)
{
    const app_state_t *s = f->app;
    if (s == NULL || is_mark(s) || s->proto != APP_TLS) return 0;
    return app_tls_inspect_version(s);
}

static void state_free(app_layer_t *al, app_state_t *s)
{
    if (s->ops->release) s->ops->release(al, s);
    for (int d = 0; d < 2; d++)
        app_buf_release(al, s, &s->dir[d].buf);
    app_mem_free(al, NULL, s, sizeof(*s) + s->ops->state_size);
}

void app_layer_flow_end(app_layer_t *al, flow_t *f)
{
    app_state_t *s = f->app;
    f->app = NULL;
    if (s == NULL || is_mark(s)) return;
    s->ops->flow_end(al, f, s);
    state_free(al, s);
}

/* A parser stopped in both directions with no event left to emit (a TLS
 * flow after its handshake, an HTTP tunnel) needs no memory any more. */
static void free_if_done(app_layer_t *al, flow_t *f, app_state_t *s)
{
    if (!s->dir[0].dead || !s->dir[1].dead) return;
    if (s->ops->pending != NULL && s->ops->pending(s)) return;
    state_free(al, s);
    f->app = &marks[MARK_DONE];
}

/* ---- choosing a parser ---- */

static const app_ops_t *ops_for(int proto)
{
    switch (proto) {
    case APP_HTTP: return &app_http_ops;
    case APP_TLS: return &app_tls_ops;
    case APP_DNS: return &app_dns_ops;
    default: return NULL;
    }
}

static bool dns_port(const flow_t *f)
{
    return f->key.port[0] == 53 || f->key.port[1] == 53;
}

/* Probe this direction's first payload. */
static int probe(const flow_t *f, int dir, const uint8_t *p, size_t n)
{
    bool tcp = f->key.proto == IPPROTO_TCP_;
    if (tcp) {
        if (dir == DIR_TOSERVER ? http_probe_request(p, n) : http_probe_response(p, n))
            return APP_HTTP;
        if (tls_probe(p, n)) return APP_TLS;
        /* DNS over TCP: 2-byte length, then a header (judged on what came). */
        if (dns_port(f) && (n < 2 || (((p[0] << 8) | p[1]) >= DNS_HEADER_LEN &&
                                      (n < 2 + DNS_HEADER_LEN || dns_probe(p + 2, n - 2)))))
            return APP_DNS;
        return APP_UNKNOWN;
    }
    return dns_port(f) && dns_probe(p, n) ? APP_DNS : APP_UNKNOWN;
}

static app_state_t *claim(app_layer_t *al, flow_t *f, int proto)
{
    const app_ops_t *ops = ops_for(proto);
    size_t size = sizeof(app_state_t) + ops->state_size;
    app_state_t *s = app_mem_alloc(al, NULL, size);
    if (s == NULL) {
        al->st.alloc[proto]++;
        f->app = &marks[MARK_NO_MEM];
        return NULL;
    }
    memset(s, 0, size);
    s->ops = ops;
    s->proto = (uint8_t)proto;
    s->tcp = f->key.proto == IPPROTO_TCP_;
    s->ps = s + 1;
    f->app = s;
    if (f->app_proto == APP_UNKNOWN || f->app_proto == APP_FAILED) f->app_proto = (uint16_t)proto;
    al->st.flows[proto]++;
    return s;
}

/* The flow's state, claiming a parser if this packet decides one. */
static app_state_t *state_for(app_layer_t *al, flow_t *f, int dir, const packet_t *p)
{
    app_state_t *s = f->app;
    if (s != NULL && !is_mark(s)) return s;
    if (s == &marks[MARK_NO_MEM] || s == &marks[MARK_DONE]) return NULL;
    int ap = f->app_proto;
    const app_ops_t *hint = ops_for(ap);
    if (hint != NULL) /* nDPI (or an earlier probe) decided; UDP only where parsed */
        return f->key.proto == IPPROTO_TCP_ || hint->datagram ? claim(al, f, ap) : NULL;
    if (ap != APP_UNKNOWN && ap != APP_FAILED) return NULL; /* another protocol: not ours */
    if (s == &marks[MARK_GIVE_UP] || s == &marks[dir == DIR_TOSERVER ? MARK_FAIL_TS : MARK_FAIL_TC])
        return NULL; /* this direction's first payload was probed already */
    int proto = probe(f, dir, p->payload, p->payload_len);
    if (proto != APP_UNKNOWN) return claim(al, f, proto);
    f->app = s != NULL ? &marks[MARK_GIVE_UP]
                       : &marks[dir == DIR_TOSERVER ? MARK_FAIL_TS : MARK_FAIL_TC];
    return NULL;
}

/* ---- TCP in-order feeding ---- */

/* Offer stream bytes to the parser, buffering what it leaves of a unit. */
static void dir_feed(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                     size_t len)
{
    app_dir_t *d = &s->dir[dir];
    while (len > 0 && !d->dead) {
        if (d->buf.len == 0) {
            size_t c = s->ops->stream(al, f, s, dir, data, len);
            if (d->dead || c >= len) return;
            if (!app_buf_append(al, s, &d->buf, data + c, len - c, APP_BUF_MAX))
                app_dir_stop(al, s, dir, true);
            return;
        }
        size_t room = APP_BUF_MAX - d->buf.len;
        size_t n = len < room ? len : room;
        if (!app_buf_append(al, s, &d->buf, data, n, APP_BUF_MAX)) {
            app_dir_stop(al, s, dir, true);
            return;
        }
        data += n;
        len -= n;
        size_t c = s->ops->stream(al, f, s, dir, d->buf.p, d->buf.len);
        if (d->dead) return;
        if (c == 0 && d->buf.len >= APP_BUF_MAX) {
            app_dir_stop(al, s, dir, true); /* a unit larger than any bound */
            return;
        }
        app_buf_consume(al, s, &d->buf, c);
    }
}

static void tcp_packet(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const packet_t *p)
{
    app_dir_t *d = &s->dir[dir];
    if (d->dead) return;
    const uint8_t *data = p->payload;
    size_t len = p->payload_len;
    uint32_t seq = p->tcp_seq + ((p->tcp_flags & TH_SYN) ? 1u : 0u); /* SYN takes one number */
    if (!d->seq_valid) {
        d->next_seq = seq;
        d->seq_valid = 1;
    }
    int32_t diff = (int32_t)(seq - d->next_seq);
    if (diff < 0) { /* retransmission: drop what was already taken */
        uint32_t old = (uint32_t) - (int64_t)diff;
        if (old >= len) return;
        data += old;
        len -= old;
    } else if (diff > 0) {
        al->st.gaps[s->proto]++;
        app_buf_release(al, s, &d->buf);
        d->scan = 0;
        if (!s->ops->gap(al, f, s, dir, (uint32_t)diff)) d->resync = 1;
    }
    d->next_seq = p->tcp_seq + ((p->tcp_flags & TH_SYN) ? 1u : 0u) + p->payload_len;
    dir_feed(al, f, s, dir, data, len);
}

void app_layer_packet(app_layer_t *al, flow_t *f, int dir, const packet_t *p)
{
    if (p->payload_len == 0 || p->payload == NULL || (dir != DIR_TOSERVER && dir != DIR_TOCLIENT))
        return;
    if (f->key.proto != IPPROTO_TCP_ && f->key.proto != IPPROTO_UDP_) return;
    app_state_t *s = state_for(al, f, dir, p);
    if (s == NULL) return;
    if (s->tcp)
        tcp_packet(al, f, s, dir, p);
    else if (s->ops->datagram != NULL)
        s->ops->datagram(al, f, s, dir, p->payload, p->payload_len);
    free_if_done(al, f, s);
}
