/* app_http.c -- HTTP/1.x per flow: requests queued in order (pipelining),
 * paired with responses, one event per transaction when the response body
 * has ended (or at flow end). */
#include <string.h>

#include "app_layer_int.h"
#include "http.h"

#define HTTP_QUEUE   32   /* requests waiting for their response */
#define HTTP_ARENA   8192 /* bytes for the queued requests' fields */
#define HTTP_CT_MAX  128
#define HTTP_LOC_MAX 512

/* Request fields kept until the transaction is emitted, in arena order. */
enum { HF_METHOD, HF_URL, HF_PROTOCOL, HF_HOST, HF_UA, HF_REFERER, HF_COUNT };
static const uint16_t field_max[HF_COUNT] = {32, 2048, 16, 256, 512, 512};

#define REQ_HEAD    0x01 /* HEAD: the response has no body */
#define REQ_CONNECT 0x02 /* CONNECT: a 2xx response starts a tunnel */
#define REQ_TRUNC   0x04 /* a field was cut to its bound */

typedef struct req_rec {
    uint16_t off, size; /* region of the arena */
    uint16_t len[HF_COUNT];
    int32_t port;
    uint8_t flags;
} req_rec_t;

enum { MODE_HEAD, MODE_BODY };

typedef struct http_state {
    req_rec_t q[HTTP_QUEUE]; /* ring of requests without a response head yet */
    uint8_t q_first, q_count;
    uint16_t skip_resp; /* coming responses whose request was emitted early */
    req_rec_t cur;      /* request of the response being read */
    bool cur_req;       /* cur holds a request (its arena region is live) */
    bool resp_skip;     /* the response being read is not to be emitted */
    uint8_t mode[2];    /* per direction: head or body */
    http_body_t body[2];
    uint16_t status;
    uint8_t ct_len;
    bool resp_trunc;
    uint16_t loc_len;
    char ct[HTTP_CT_MAX];
    char loc[HTTP_LOC_MAX];
    uint8_t arena[HTTP_ARENA];
} http_state_t;

/* ---- arena: a FIFO of regions, oldest first (cur, then the queue) ---- */

static const req_rec_t *q_at(const http_state_t *h, unsigned i)
{
    return &h->q[(h->q_first + i) % HTTP_QUEUE];
}

static bool arena_live(const http_state_t *h, size_t *oldest, size_t *end)
{
    const req_rec_t *first = h->cur_req ? &h->cur : (h->q_count ? q_at(h, 0) : NULL);
    const req_rec_t *last = h->q_count ? q_at(h, h->q_count - 1u) : (h->cur_req ? &h->cur : NULL);
    if (first == NULL) return false;
    *oldest = first->off;
    *end = (size_t)last->off + last->size;
    return true;
}

/* Offset for n bytes (n >= 1), or -1. Regions never touch the oldest one, so
 * end == oldest cannot happen and "wrapped" is end < oldest. */
static long arena_place(const http_state_t *h, size_t n)
{
    size_t oldest, end;
    if (!arena_live(h, &oldest, &end)) return n <= HTTP_ARENA ? 0 : -1;
    if (end > oldest) {
        if (n <= HTTP_ARENA - end) return (long)end;
        return n < oldest ? 0 : -1;
    }
    return n < oldest - end ? (long)end : -1;
}

/* Largest n arena_place would accept. */
static size_t arena_largest(const http_state_t *h)
{
    size_t oldest, end;
    if (!arena_live(h, &oldest, &end)) return HTTP_ARENA;
    if (end > oldest) {
        size_t a = HTTP_ARENA - end, b = oldest ? oldest - 1 : 0;
        return a > b ? a : b;
    }
    return oldest - end ? oldest - end - 1 : 0;
}

/* ---- emitting ---- */

static app_str_t str(const void *p, size_t n)
{
    app_str_t s = {n ? (const char *)p : NULL, (uint32_t)n};
    return s;
}

static void emit(app_layer_t *al, const flow_t *f, http_state_t *h, const req_rec_t *r,
                 bool with_resp)
{
    http_tx_t tx;
    memset(&tx, 0, sizeof(tx));
    tx.http_port = -1;
    if (r != NULL) {
        const uint8_t *p = h->arena + r->off;
        app_str_t *dst[HF_COUNT] = {&tx.method,   &tx.url,        &tx.protocol,
                                    &tx.hostname, &tx.user_agent, &tx.referer};
        for (int i = 0; i < HF_COUNT; i++) {
            *dst[i] = str(p, r->len[i]);
            p += r->len[i];
        }
        tx.http_port = r->port;
        tx.has_request = true;
        tx.truncated = (r->flags & REQ_TRUNC) != 0;
    }
    if (with_resp) {
        tx.has_response = true;
        tx.status = h->status;
        tx.content_type = str(h->ct, h->ct_len);
        tx.redirect = str(h->loc, h->loc_len);
        tx.length = h->body[DIR_TOCLIENT].seen;
        tx.truncated = tx.truncated || h->resp_trunc;
    }
    al->st.tx[APP_HTTP]++;
    if (al->sink.http) al->sink.http(al->sink.ud, f, &tx);
}

/* Emit the oldest queued request without its response; that response will
 * be skipped when it comes, so later pairs stay in order. */
static void emit_front_early(app_layer_t *al, const flow_t *f, http_state_t *h)
{
    req_rec_t r = *q_at(h, 0);
    h->q_first = (uint8_t)((h->q_first + 1) % HTTP_QUEUE);
    h->q_count--;
    h->skip_resp++;
    al->st.truncated++;
    emit(al, f, h, &r, false);
}

/* The response being read is complete. */
static void finish_response(app_layer_t *al, const flow_t *f, http_state_t *h)
{
    if (!h->resp_skip) emit(al, f, h, h->cur_req ? &h->cur : NULL, true);
    h->cur_req = false;
    h->resp_skip = false;
    h->mode[DIR_TOCLIENT] = MODE_HEAD;
}

/* ---- requests ---- */

static void lower_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (uint8_t)(src[i] + 32) : src[i];
}

/* Cut field lengths so the record fits in `room` bytes: the URL first, then
 * the longest of the rest. */
static void fit_record(uint16_t len[HF_COUNT], size_t room, uint8_t *flags)
{
    size_t total = 0;
    for (int i = 0; i < HF_COUNT; i++)
        total += len[i];
    while (total > room) {
        int k = HF_URL;
        for (int i = 0; i < HF_COUNT; i++)
            if (len[k] == 0 || len[i] > len[k]) k = i;
        size_t cut = total - room < len[k] ? total - room : len[k];
        len[k] = (uint16_t)(len[k] - cut);
        total -= cut;
        *flags |= REQ_TRUNC;
    }
}

static void store_request(app_layer_t *al, const flow_t *f, http_state_t *h,
                          const http_request_t *req)
{
    http_span_t host = {NULL, 0};
    int32_t port = -1;
    http_request_host(req, &host, &port);
    const http_span_t src[HF_COUNT] = {req->method, req->uri,        req->protocol,
                                       host,        req->user_agent, req->referer};
    req_rec_t r;
    memset(&r, 0, sizeof(r));
    r.port = port;
    size_t total = 0;
    for (int i = 0; i < HF_COUNT; i++) {
        r.len[i] = (uint16_t)(src[i].len < field_max[i] ? src[i].len : field_max[i]);
        if (r.len[i] < src[i].len) r.flags |= REQ_TRUNC;
        total += r.len[i];
    }
    if (req->method.len == 4 && memcmp(req->method.p, "HEAD", 4) == 0) r.flags |= REQ_HEAD;
    if (req->method.len == 7 && memcmp(req->method.p, "CONNECT", 7) == 0) r.flags |= REQ_CONNECT;
    if (h->q_count == HTTP_QUEUE) emit_front_early(al, f, h);
    size_t need = total ? total : 1;
    long off;
    while ((off = arena_place(h, need)) < 0 && h->q_count > 0)
        emit_front_early(al, f, h);
    if (off < 0) { /* only the current transaction holds the arena: cut */
        fit_record(r.len, arena_largest(h), &r.flags);
        total = 0;
        for (int i = 0; i < HF_COUNT; i++)
            total += r.len[i];
        need = total ? total : 1;
        off = arena_place(h, need);
        if (off < 0) return; /* cannot happen: arena_largest() fits */
    }
    if (r.flags & REQ_TRUNC) al->st.truncated++;
    r.off = (uint16_t)off;
    r.size = (uint16_t)need;
    uint8_t *p = h->arena + off;
    for (int i = 0; i < HF_COUNT; i++) {
        if (i == HF_HOST)
            lower_copy(p, src[i].p, r.len[i]);
        else if (r.len[i])
            memcpy(p, src[i].p, r.len[i]);
        p += r.len[i];
    }
    h->q[(h->q_first + h->q_count) % HTTP_QUEUE] = r;
    h->q_count++;
}

/* ---- responses ---- */

static void copy_cut(char *dst, size_t max, http_span_t v, size_t *out_len, bool *trunc)
{
    size_t n = v.len < max ? v.len : max;
    if (n < v.len) *trunc = true;
    if (n) memcpy(dst, v.p, n);
    *out_len = n;
}

/* Returns false when the connection stops being HTTP (tunnel). */
static bool response_head(app_layer_t *al, const flow_t *f, http_state_t *h,
                          const http_response_t *resp)
{
    if (resp->status < 200 && resp->status != 101)
        return true; /* interim (100 Continue ...): the final one follows */
    h->cur_req = false;
    h->resp_skip = false;
    if (h->skip_resp > 0) {
        h->skip_resp--;
        h->resp_skip = true;
    } else if (h->q_count > 0) {
        h->cur = *q_at(h, 0);
        h->q_first = (uint8_t)((h->q_first + 1) % HTTP_QUEUE);
        h->q_count--;
        h->cur_req = true;
    }
    size_t n;
    h->resp_trunc = false;
    h->status = resp->status;
    copy_cut(h->ct, HTTP_CT_MAX, resp->content_type, &n, &h->resp_trunc);
    h->ct_len = (uint8_t)n;
    copy_cut(h->loc, HTTP_LOC_MAX, resp->location, &n, &h->resp_trunc);
    h->loc_len = (uint16_t)n;
    bool head = h->cur_req && (h->cur.flags & REQ_HEAD);
    http_body_response(&h->body[DIR_TOCLIENT], resp, head);
    bool connect_ok = h->cur_req && (h->cur.flags & REQ_CONNECT) && resp->status / 100 == 2;
    if (resp->status == 101 || connect_ok) {
        finish_response(al, f, h);
        return false;
    }
    if (h->body[DIR_TOCLIENT].kind == HTTP_BODY_NONE)
        finish_response(al, f, h);
    else
        h->mode[DIR_TOCLIENT] = MODE_BODY;
    return true;
}

/* ---- stream ---- */

/* Parse one head at data (len > 0). Returns bytes consumed, 0 when the head
 * is incomplete; sets *stop when the direction must stop. */
static size_t head(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                   size_t len, bool *stop)
{
    http_state_t *h = s->ps;
    app_dir_t *d = &s->dir[dir];
    size_t end = http_find_head_end(data, len, d->scan);
    if (end == 0) {
        if (len >= HTTP_MAX_HEAD) {
            app_dir_stop(al, s, dir, true);
            *stop = true;
            return len;
        }
        d->scan = len > 3 ? (uint32_t)(len - 3) : 0;
        return 0;
    }
    d->scan = 0;
    if (dir == DIR_TOSERVER) {
        http_request_t req;
        if (http_parse_request(data, end, &req) != APP_PARSE_DONE) goto bad;
        store_request(al, f, h, &req);
        http_body_request(&h->body[dir], &req);
        if (h->body[dir].kind != HTTP_BODY_NONE) h->mode[dir] = MODE_BODY;
        return req.head_len;
    }
    http_response_t resp;
    if (http_parse_response(data, end, &resp) != APP_PARSE_DONE) goto bad;
    if (!response_head(al, f, h, &resp)) { /* tunnel: nothing more to parse */
        app_dir_stop(al, s, DIR_TOSERVER, false);
        app_dir_stop(al, s, DIR_TOCLIENT, false);
        *stop = true;
        return len;
    }
    return resp.head_len;
bad:
    app_dir_stop(al, s, dir, true);
    *stop = true;
    return len;
}

static size_t http_stream(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                          size_t len)
{
    http_state_t *h = s->ps;
    app_dir_t *d = &s->dir[dir];
    size_t off = 0;
    if (d->resync) { /* after a gap, only a packet that starts a head will do */
        bool ok =
            dir == DIR_TOSERVER ? http_probe_request(data, len) : http_probe_response(data, len);
        if (!ok) return len;
        d->resync = 0;
    }
    while (off < len) {
        if (h->mode[dir] == MODE_BODY) {
            size_t used;
            app_parse_t st = http_body_feed(&h->body[dir], data + off, len - off, &used);
            off += used;
            if (st == APP_PARSE_ERROR) {
                app_dir_stop(al, s, dir, true);
                return len;
            }
            if (st == APP_PARSE_DONE) {
                h->mode[dir] = MODE_HEAD;
                if (dir == DIR_TOCLIENT) finish_response(al, f, h);
            }
            continue;
        }
        bool stop = false;
        size_t c = head(al, f, s, dir, data + off, len - off, &stop);
        if (stop) return len;
        if (c == 0) break;
        off += c;
    }
    return off;
}

static bool http_gap(app_layer_t *al, flow_t *f, app_state_t *s, int dir, uint32_t n)
{
    http_state_t *h = s->ps;
    http_body_t *b = &h->body[dir];
    if (h->mode[dir] == MODE_BODY && http_body_skip(b, n)) {
        if (b->kind == HTTP_BODY_LENGTH && b->left == 0) {
            h->mode[dir] = MODE_HEAD;
            if (dir == DIR_TOCLIENT) finish_response(al, f, h);
        }
        return true;
    }
    /* Framing lost: close the response being read, find the next head. */
    if (dir == DIR_TOCLIENT && h->mode[dir] == MODE_BODY) finish_response(al, f, h);
    h->mode[dir] = MODE_HEAD;
    return false;
}

static void http_flow_end(app_layer_t *al, flow_t *f, app_state_t *s)
{
    http_state_t *h = s->ps;
    if (h->mode[DIR_TOCLIENT] == MODE_BODY)
        finish_response(al, f, h); /* close-delimited, or cut short */
    while (h->q_count > 0) {
        req_rec_t r = *q_at(h, 0);
        h->q_first = (uint8_t)((h->q_first + 1) % HTTP_QUEUE);
        h->q_count--;
        emit(al, f, h, &r, false);
    }
}

const app_ops_t app_http_ops = {
    .proto = APP_HTTP,
    .state_size = sizeof(http_state_t),
    .stream = http_stream,
    .datagram = NULL,
    .gap = http_gap,
    .flow_end = http_flow_end,
    .release = NULL,
};
