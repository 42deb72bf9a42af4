/* app_http.c -- HTTP/1.x per flow: requests queued in order (pipelining),
 * paired with responses, one event per transaction when the response body
 * has ended (or at flow end). With the sink's inspection hooks, each head is
 * also handed out as it completes, and each body once it ended or reached
 * the body limit.
 *
 * Memory follows the traffic: an idle connection holds only http_state_t.
 * Queued requests live in an arena allocated with the first one, doubled on
 * demand up to HTTP_ARENA_MAX and freed when the last is emitted; response
 * fields are copied out of the stream only when a response outlives the
 * packet that carried its head. The body hooks need the head and the first
 * body bytes after the packets are gone: a hold keeps them, allocated when
 * such a body starts and freed once it was handed out. */
#include <string.h>

#include "app_layer_int.h"
#include "http.h"
#include "http_buffers.h"

#define HTTP_QUEUE     32   /* requests waiting for their response */
#define HTTP_ARENA_MIN 128  /* first arena size: most requests fit */
#define HTTP_ARENA_MAX 8192 /* bound on the queued requests' bytes */
#define HTTP_CT_MAX    128
#define HTTP_LOC_MAX   512

/* Request fields kept until the transaction is emitted, in record order. */
enum { HF_METHOD, HF_URL, HF_PROTOCOL, HF_HOST, HF_UA, HF_REFERER, HF_COUNT };
static const uint16_t field_max[HF_COUNT] = {256, 2048, 16, 256, 512, 512};
#define HF_MAX_TOTAL (256 + 2048 + 16 + 256 + 512 + 512)

#define REQ_HEAD    0x01 /* HEAD: the response has no body */
#define REQ_CONNECT 0x02 /* CONNECT: a 2xx response starts a tunnel */
#define REQ_TRUNC   0x04 /* a field was cut to its bound */

/* Header of a request region; the fields follow it. Regions sit at any
 * offset of the arena, so they are read and written with memcpy. */
typedef struct req_rec {
    uint16_t size; /* bytes of the region, header included */
    uint16_t len[HF_COUNT];
    int32_t port;
    uint8_t flags;
} req_rec_t;

#define REGION_MAX (sizeof(req_rec_t) + HF_MAX_TOTAL)
/* The current transaction's request plus a new one always fit, so a request
 * is never cut for room, only emitted early. */
_Static_assert(2 * REGION_MAX <= HTTP_ARENA_MAX, "arena too small for two requests");

enum { MODE_HEAD, MODE_BODY };

/* Per direction, the message whose body is read for a body hook: its raw
 * head, then its de-chunked body bytes up to the body limit. */
typedef struct http_hold {
    app_buf_t buf[2];
    uint32_t head_len[2];
    bool on[2];
} http_hold_t;

typedef struct http_state {
    /* Request regions, oldest first and back to back in [a_head, a_tail):
     * the current response's request (cur_req), then the queue. */
    uint8_t *arena;
    uint16_t a_cap, a_head, a_tail;
    uint8_t q_count;
    bool cur_req;   /* the front region is the current response's request */
    bool resp_skip; /* the response being read is not to be emitted */
    bool resp_trunc;
    bool resp_borrowed; /* ct/loc point into the stream data being parsed */
    uint8_t mode[2];    /* per direction: head or body */
    uint16_t skip_resp; /* coming responses whose request was emitted early */
    uint16_t status;
    uint16_t ct_len, loc_len;
    const uint8_t *ct, *loc; /* response Content-Type and Location */
    uint8_t *resp;           /* owned copy of ct then loc, NULL if none */
    http_body_t body[2];
    http_hold_t *hold; /* NULL unless a body hook's body is being read */
} http_state_t;

/* ---- arena: a FIFO of request regions ---- */

static req_rec_t rec_at(const uint8_t *region)
{
    req_rec_t r;
    memcpy(&r, region, sizeof(r));
    return r;
}

static uint16_t region_size(const http_state_t *h, size_t off)
{
    return rec_at(h->arena + off).size;
}

static void arena_release(app_layer_t *al, app_state_t *s, http_state_t *h)
{
    app_mem_free(al, s, h->arena, h->a_cap);
    h->arena = NULL;
    h->a_cap = h->a_head = h->a_tail = 0;
}

/* Make room for n bytes at the tail: move the live regions to the start,
 * or grow the arena by doubling. False when over HTTP_ARENA_MAX or the
 * memcap (counted). */
static bool arena_reserve(app_layer_t *al, app_state_t *s, http_state_t *h, size_t n)
{
    size_t live = (size_t)h->a_tail - h->a_head;
    if (n <= (size_t)h->a_cap - h->a_tail) return true;
    if (live + n <= h->a_cap) {
        memmove(h->arena, h->arena + h->a_head, live);
    } else {
        size_t cap = h->a_cap ? h->a_cap : HTTP_ARENA_MIN;
        while (cap < live + n)
            cap *= 2;
        if (cap > HTTP_ARENA_MAX) return false;
        uint8_t *p = app_mem_alloc(al, s, cap);
        if (p == NULL) return false;
        if (live) memcpy(p, h->arena + h->a_head, live);
        app_mem_free(al, s, h->arena, h->a_cap);
        h->arena = p;
        h->a_cap = (uint16_t)cap;
    }
    h->a_head = 0;
    h->a_tail = (uint16_t)live;
    return true;
}

/* Drop the front region; the arena goes when nothing is left in it. */
static void arena_pop_front(app_layer_t *al, app_state_t *s, http_state_t *h)
{
    h->a_head = (uint16_t)(h->a_head + region_size(h, h->a_head));
    if (h->a_head >= h->a_tail) arena_release(al, s, h);
}

/* Offset of the oldest queued request (q_count > 0). */
static size_t q_front(const http_state_t *h)
{
    return h->cur_req ? (size_t)h->a_head + region_size(h, h->a_head) : h->a_head;
}

/* Drop the oldest queued request, which may sit behind the current one:
 * that one then moves up over it so the regions stay back to back. */
static void q_pop(app_layer_t *al, app_state_t *s, http_state_t *h)
{
    if (h->cur_req) {
        size_t cur = region_size(h, h->a_head), gone = region_size(h, q_front(h));
        memmove(h->arena + h->a_head + gone, h->arena + h->a_head, cur);
        h->a_head = (uint16_t)(h->a_head + gone);
    } else {
        arena_pop_front(al, s, h);
    }
    h->q_count--;
}

/* ---- emitting ---- */

static app_str_t str(const void *p, size_t n)
{
    app_str_t s = {n ? (const char *)p : NULL, (uint32_t)n};
    return s;
}

/* The transaction of a request region (NULL if none) and, with_resp, of
 * the response being read. */
static void fill_tx(http_tx_t *tx, const http_state_t *h, const uint8_t *region, bool with_resp)
{
    memset(tx, 0, sizeof(*tx));
    tx->http_port = -1;
    if (region != NULL) {
        req_rec_t r = rec_at(region);
        const uint8_t *p = region + sizeof(r);
        app_str_t *dst[HF_COUNT] = {&tx->method,   &tx->url,        &tx->protocol,
                                    &tx->hostname, &tx->user_agent, &tx->referer};
        for (int i = 0; i < HF_COUNT; i++) {
            *dst[i] = str(p, r.len[i]);
            p += r.len[i];
        }
        tx->http_port = r.port;
        tx->has_request = true;
        tx->truncated = (r.flags & REQ_TRUNC) != 0;
    }
    if (with_resp) {
        tx->has_response = true;
        tx->status = h->status;
        tx->content_type = str(h->ct, h->ct_len);
        tx->redirect = str(h->loc, h->loc_len);
        tx->length = h->body[DIR_TOCLIENT].seen;
        tx->truncated = tx->truncated || h->resp_trunc;
    }
}

/* The region of the response being read, NULL if it has no request. */
static const uint8_t *cur_region(const http_state_t *h)
{
    return h->cur_req ? h->arena + h->a_head : NULL;
}

static void emit(app_layer_t *al, const flow_t *f, const http_state_t *h, const uint8_t *region,
                 bool with_resp)
{
    http_tx_t tx;
    fill_tx(&tx, h, region, with_resp);
    al->st.tx[APP_HTTP]++;
    if (al->sink.http) al->sink.http(al->sink.ud, f, &tx);
}

/* Emit the oldest queued request without its response. early: its response
 * is still to come and will be skipped, so later pairs stay in order. */
static void emit_queued(app_layer_t *al, const flow_t *f, app_state_t *s, bool early)
{
    http_state_t *h = s->ps;
    if (early) {
        h->skip_resp++;
        al->st.truncated++;
    }
    emit(al, f, h, h->arena + q_front(h), false);
    q_pop(al, s, h);
}

/* ---- holds for the body hooks ---- */

static size_t build_region(uint8_t *dst, const http_request_t *req);

static bool body_hook(const app_layer_t *al, int dir)
{
    return dir == DIR_TOSERVER ? al->sink.http_request_body != NULL
                               : al->sink.http_response_body != NULL;
}

static bool holding(const http_state_t *h, int dir)
{
    return h->hold != NULL && h->hold->on[dir];
}

/* Forget dir's hold; the hold goes when neither direction uses it. */
static void hold_drop(app_layer_t *al, app_state_t *s, int dir)
{
    http_state_t *h = s->ps;
    if (h->hold == NULL) return;
    app_buf_release(al, s, &h->hold->buf[dir]);
    h->hold->on[dir] = false;
    h->hold->head_len[dir] = 0;
    if (!h->hold->on[1 - dir]) {
        app_mem_free(al, s, h->hold, sizeof(*h->hold));
        h->hold = NULL;
    }
}

/* A message with a body starts: keep its head for the body hook. Without
 * memory the body is simply not handed out. */
static void hold_start(app_layer_t *al, app_state_t *s, int dir, const uint8_t *head, size_t n)
{
    http_state_t *h = s->ps;
    if (!body_hook(al, dir)) return;
    hold_drop(al, s, dir); /* never left over; a stale hold would be mixed in */
    if (h->hold == NULL) {
        h->hold = app_mem_alloc(al, s, sizeof(*h->hold));
        if (h->hold == NULL) return;
        memset(h->hold, 0, sizeof(*h->hold));
    }
    h->hold->on[dir] = true;
    if (!app_buf_append(al, s, &h->hold->buf[dir], head, n, n)) {
        hold_drop(al, s, dir);
        return;
    }
    h->hold->head_len[dir] = (uint32_t)n;
}

/* Hand dir's held body to its hook (truncated: not all of it was kept) and
 * free it. The head is parsed again: its spans must point into the copy. */
static void hold_fire(app_layer_t *al, flow_t *f, app_state_t *s, int dir, bool truncated)
{
    http_state_t *h = s->ps;
    if (!holding(h, dir)) return;
    const app_buf_t *b = &h->hold->buf[dir];
    uint32_t hl = h->hold->head_len[dir];
    app_http_msg_t m = {.head = b->p,
                        .head_len = hl,
                        .has_body = true,
                        .body_truncated = truncated,
                        .body = b->len > hl ? b->p + hl : NULL,
                        .body_len = b->len - hl};
    http_tx_t tx;
    m.tx = &tx;
    if (dir == DIR_TOSERVER) {
        http_request_t req;
        uint8_t region[REGION_MAX];
        if (http_parse_request(b->p, hl, &req) == APP_PARSE_DONE) {
            build_region(region, &req);
            fill_tx(&tx, h, region, false);
            m.req = &req;
            al->sink.http_request_body(al->sink.ud, f, &m);
        }
    } else {
        http_response_t resp;
        if (http_parse_response(b->p, hl, &resp) == APP_PARSE_DONE) {
            fill_tx(&tx, h, cur_region(h), true);
            m.resp = &resp;
            al->sink.http_response_body(al->sink.ud, f, &m);
        }
    }
    hold_drop(al, s, dir);
}

/* Body bytes of dir: through the framing, and into the hold when one is
 * kept (which is handed out as soon as the limit is reached). */
static app_parse_t body_feed(app_layer_t *al, flow_t *f, app_state_t *s, int dir,
                             const uint8_t *data, size_t len, size_t *used)
{
    http_state_t *h = s->ps;
    if (!holding(h, dir)) return http_body_feed(&h->body[dir], data, len, used);
    app_buf_t *b = &h->hold->buf[dir];
    size_t hl = h->hold->head_len[dir], limit = al->sink.http_body_limit[dir];
    size_t room = limit - (b->len - hl);
    size_t want = len < room ? len : room;
    if (!app_buf_reserve(al, s, b, b->len + want, hl + limit)) {
        hold_fire(al, f, s, dir, true); /* memcap: inspect what came so far */
        return http_body_feed(&h->body[dir], data, len, used);
    }
    http_body_buf_t bb;
    http_body_buf_init(&bb, b->p + b->len, (uint32_t)want, &h->body[dir]);
    app_parse_t st = http_body_buf_feed(&bb, data, len, used);
    h->body[dir] = bb.framing;
    b->len += bb.len;
    if (st != APP_PARSE_ERROR && (bb.truncated || (st == APP_PARSE_MORE && b->len - hl >= limit)))
        hold_fire(al, f, s, dir, true);
    return st;
}

/* The transaction of the response being read is over: free its request
 * region and response fields. */
static void end_response(app_layer_t *al, app_state_t *s)
{
    http_state_t *h = s->ps;
    hold_drop(al, s, DIR_TOCLIENT);
    if (h->cur_req) {
        h->cur_req = false;
        arena_pop_front(al, s, h);
    }
    app_mem_free(al, s, h->resp, (size_t)h->ct_len + h->loc_len);
    h->resp = NULL;
    h->ct = h->loc = NULL;
    h->ct_len = h->loc_len = 0;
    h->resp_borrowed = false;
    h->resp_skip = false;
    h->mode[DIR_TOCLIENT] = MODE_HEAD;
}

/* The response being read is complete. */
static void finish_response(app_layer_t *al, const flow_t *f, app_state_t *s)
{
    http_state_t *h = s->ps;
    if (!h->resp_skip) emit(al, f, h, cur_region(h), true);
    end_response(al, s);
}

/* ---- requests ---- */

static void lower_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (uint8_t)(src[i] + 32) : src[i];
}

/* Write the request's region (fields cut to their bounds) at dst, which has
 * room for REGION_MAX bytes; returns its size. */
static size_t build_region(uint8_t *dst, const http_request_t *req)
{
    http_span_t host = {NULL, 0};
    req_rec_t r;
    memset(&r, 0, sizeof(r));
    r.port = -1;
    http_request_host(req, &host, &r.port);
    const http_span_t src[HF_COUNT] = {req->method, req->uri,        req->protocol,
                                       host,        req->user_agent, req->referer};
    if (req->method.len == 4 && memcmp(req->method.p, "HEAD", 4) == 0) r.flags |= REQ_HEAD;
    if (req->method.len == 7 && memcmp(req->method.p, "CONNECT", 7) == 0) r.flags |= REQ_CONNECT;
    uint8_t *p = dst + sizeof(r);
    for (int i = 0; i < HF_COUNT; i++) {
        r.len[i] = (uint16_t)(src[i].len < field_max[i] ? src[i].len : field_max[i]);
        if (r.len[i] < src[i].len) r.flags |= REQ_TRUNC;
        if (i == HF_HOST)
            lower_copy(p, src[i].p, r.len[i]);
        else if (r.len[i])
            memcpy(p, src[i].p, r.len[i]);
        p += r.len[i];
    }
    r.size = (uint16_t)(p - dst);
    memcpy(dst, &r, sizeof(r));
    return r.size;
}

/* Queue the request of region (n bytes, from build_region). */
static void store_request(app_layer_t *al, const flow_t *f, app_state_t *s, const uint8_t *region,
                          size_t n)
{
    http_state_t *h = s->ps;
    if (rec_at(region).flags & REQ_TRUNC) al->st.truncated++;
    if (h->q_count == HTTP_QUEUE) emit_queued(al, f, s, true);
    while (h->q_count > 0 && (size_t)h->a_tail - h->a_head + n > HTTP_ARENA_MAX)
        emit_queued(al, f, s, true);
    if (!arena_reserve(al, s, h, n)) {
        /* Memcap: log the queue and this request now, without responses,
         * and skip those responses when they come. */
        while (h->q_count > 0)
            emit_queued(al, f, s, true);
        h->skip_resp++;
        al->st.truncated++;
        emit(al, f, h, region, false);
        return;
    }
    memcpy(h->arena + h->a_tail, region, n);
    h->a_tail = (uint16_t)(h->a_tail + n);
    h->q_count++;
}

/* ---- responses ---- */

static const uint8_t *cut(http_span_t v, size_t max, uint16_t *len, bool *trunc)
{
    size_t n = v.len < max ? v.len : max;
    if (n < v.len) *trunc = true;
    *len = (uint16_t)n;
    return n ? v.p : NULL;
}

/* Copy the response fields out of the stream data before it goes. Without
 * memory they are dropped and the tx marked truncated. */
static void keep_response_fields(app_layer_t *al, app_state_t *s)
{
    http_state_t *h = s->ps;
    size_t n = (size_t)h->ct_len + h->loc_len;
    h->resp_borrowed = false;
    h->resp = app_mem_alloc(al, s, n);
    if (h->resp == NULL) {
        h->ct = h->loc = NULL;
        h->ct_len = h->loc_len = 0;
        h->resp_trunc = true;
        return;
    }
    if (h->ct_len) memcpy(h->resp, h->ct, h->ct_len);
    if (h->loc_len) memcpy(h->resp + h->ct_len, h->loc, h->loc_len);
    h->ct = h->resp;
    h->loc = h->resp + h->ct_len;
}

/* Stop parsing a direction. Its buffer, which goes with it, may hold the
 * head the response fields point into: they are copied out first. */
static void stop_dir(app_layer_t *al, app_state_t *s, int dir, bool error)
{
    if (((http_state_t *)s->ps)->resp_borrowed) keep_response_fields(al, s);
    hold_drop(al, s, dir);
    app_dir_stop(al, s, dir, error);
}

/* A final response head at data was read and the transaction set up. */
static void response_hook(app_layer_t *al, flow_t *f, const http_state_t *h, const uint8_t *data,
                          const http_response_t *resp)
{
    http_tx_t tx;
    fill_tx(&tx, h, cur_region(h), true);
    app_http_msg_t m = {.head = data, .head_len = resp->head_len, .resp = resp, .tx = &tx};
    al->sink.http_response(al->sink.ud, f, &m);
}

/* Returns false when the connection stops being HTTP (tunnel). */
static bool response_head(app_layer_t *al, flow_t *f, app_state_t *s, const uint8_t *data,
                          const http_response_t *resp)
{
    http_state_t *h = s->ps;
    if (resp->status < 200 && resp->status != 101)
        return true;     /* interim (100 Continue ...): the final one follows */
    end_response(al, s); /* nothing to do unless a response was left open */
    if (h->skip_resp > 0) {
        h->skip_resp--;
        h->resp_skip = true;
    } else if (h->q_count > 0) {
        h->q_count--; /* the oldest queued request becomes the current one */
        h->cur_req = true;
    }
    h->resp_trunc = false;
    h->status = resp->status;
    h->ct = cut(resp->content_type, HTTP_CT_MAX, &h->ct_len, &h->resp_trunc);
    h->loc = cut(resp->location, HTTP_LOC_MAX, &h->loc_len, &h->resp_trunc);
    h->resp_borrowed = h->ct_len || h->loc_len;
    uint8_t flags = h->cur_req ? rec_at(h->arena + h->a_head).flags : 0;
    http_body_response(&h->body[DIR_TOCLIENT], resp, (flags & REQ_HEAD) != 0);
    if (al->sink.http_response) response_hook(al, f, h, data, resp);
    bool connect_ok = (flags & REQ_CONNECT) && resp->status / 100 == 2;
    if (resp->status == 101 || connect_ok) {
        finish_response(al, f, s);
        return false;
    }
    if (h->body[DIR_TOCLIENT].kind == HTTP_BODY_NONE) {
        finish_response(al, f, s);
    } else {
        h->mode[DIR_TOCLIENT] = MODE_BODY;
        hold_start(al, s, DIR_TOCLIENT, data, resp->head_len);
    }
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
            stop_dir(al, s, dir, true);
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
        uint8_t region[REGION_MAX];
        size_t n = build_region(region, &req);
        if (al->sink.http_request) {
            http_tx_t tx;
            fill_tx(&tx, h, region, false);
            app_http_msg_t m = {.head = data, .head_len = req.head_len, .req = &req, .tx = &tx};
            al->sink.http_request(al->sink.ud, f, &m);
        }
        store_request(al, f, s, region, n);
        http_body_request(&h->body[dir], &req);
        if (h->body[dir].kind != HTTP_BODY_NONE) {
            h->mode[dir] = MODE_BODY;
            hold_start(al, s, dir, data, req.head_len);
        }
        return req.head_len;
    }
    http_response_t resp;
    if (http_parse_response(data, end, &resp) != APP_PARSE_DONE) goto bad;
    if (!response_head(al, f, s, data, &resp)) { /* tunnel: nothing more to parse */
        stop_dir(al, s, DIR_TOSERVER, false);
        stop_dir(al, s, DIR_TOCLIENT, false);
        *stop = true;
        return len;
    }
    return resp.head_len;
bad:
    stop_dir(al, s, dir, true);
    *stop = true;
    return len;
}

static size_t parse(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
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
            app_parse_t st = body_feed(al, f, s, dir, data + off, len - off, &used);
            off += used;
            if (st == APP_PARSE_ERROR) {
                stop_dir(al, s, dir, true);
                return len;
            }
            if (st == APP_PARSE_DONE) {
                h->mode[dir] = MODE_HEAD;
                hold_fire(al, f, s, dir, false);
                if (dir == DIR_TOCLIENT) finish_response(al, f, s);
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

static size_t http_stream(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                          size_t len)
{
    size_t c = parse(al, f, s, dir, data, len);
    /* Most responses end within the packet holding their head; the others
     * need their fields once data is gone. */
    if (((http_state_t *)s->ps)->resp_borrowed) keep_response_fields(al, s);
    return c;
}

static bool http_gap(app_layer_t *al, flow_t *f, app_state_t *s, int dir, uint32_t n)
{
    http_state_t *h = s->ps;
    http_body_t *b = &h->body[dir];
    hold_fire(al, f, s, dir, true); /* the body has a hole: inspect what came */
    if (h->mode[dir] == MODE_BODY && http_body_skip(b, n)) {
        if (b->kind == HTTP_BODY_LENGTH && b->left == 0) {
            h->mode[dir] = MODE_HEAD;
            if (dir == DIR_TOCLIENT) finish_response(al, f, s);
        }
        return true;
    }
    /* Framing lost: close the response being read, find the next head. */
    if (dir == DIR_TOCLIENT && h->mode[dir] == MODE_BODY) finish_response(al, f, s);
    h->mode[dir] = MODE_HEAD;
    return false;
}

static void http_flow_end(app_layer_t *al, flow_t *f, app_state_t *s)
{
    http_state_t *h = s->ps;
    /* The close ends a close-delimited body; any other is cut short. */
    for (int d = 0; d < 2; d++)
        hold_fire(al, f, s, d, h->body[d].kind != HTTP_BODY_CLOSE);
    if (h->mode[DIR_TOCLIENT] == MODE_BODY)
        finish_response(al, f, s); /* close-delimited, or cut short */
    while (h->q_count > 0)
        emit_queued(al, f, s, false);
}

static bool http_pending(const app_state_t *s)
{
    const http_state_t *h = s->ps;
    return h->q_count > 0 || h->mode[DIR_TOCLIENT] == MODE_BODY;
}

static void http_release(app_layer_t *al, app_state_t *s)
{
    hold_drop(al, s, DIR_TOSERVER);
    end_response(al, s);
    arena_release(al, s, s->ps);
}

const app_ops_t app_http_ops = {
    .proto = APP_HTTP,
    .state_size = sizeof(http_state_t),
    .stream = http_stream,
    .datagram = NULL,
    .gap = http_gap,
    .flow_end = http_flow_end,
    .pending = http_pending,
    .release = http_release,
};
