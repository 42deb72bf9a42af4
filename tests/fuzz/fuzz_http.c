/* fuzz_http.c -- HTTP heads, body framing and the HTTP flow glue.
 *
 * The whole input is parsed as a request head, a response head and a chunked
 * body; every span must lie inside the input. Then the input drives a TCP
 * flow through the app layer: each segment is one control byte (bit 7: to
 * client, bit 6: lose 7 bytes before it, bit 5: resend the previous 3 bytes,
 * bits 0-4: length-1 in units of 4 bytes) and that many payload bytes. After
 * the flow ends no memory may be left counted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_layer.h"
#include "app/http.h"

static void in_input(http_span_t s, const uint8_t *d, size_t n)
{
    if (s.len && (s.p < d || s.p + s.len > d + n)) abort();
}

static void heads(const uint8_t *d, size_t n)
{
    http_request_t q;
    if (http_parse_request(d, n, &q) == APP_PARSE_DONE) {
        if (q.head_len > n || q.head_len > HTTP_MAX_HEAD) abort();
        http_span_t all[] = {q.method,  q.uri,        q.protocol,
                             q.host,    q.user_agent, q.content_type,
                             q.referer, q.cookie,     q.transfer_encoding};
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
            in_input(all[i], d, n);
        http_span_t host;
        int32_t port;
        if (http_request_host(&q, &host, &port)) in_input(host, d, n);
        if (port < -1 || port > 65535) abort();
    }
    http_response_t r;
    if (http_parse_response(d, n, &r) == APP_PARSE_DONE) {
        if (r.head_len > n || r.status < 100 || r.status > 999) abort();
        in_input(r.location, d, n);
        in_input(r.content_type, d, n);
        in_input(r.reason, d, n);
    }
    http_body_t b;
    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.chunked = true;
    http_body_response(&b, &r, false);
    size_t used;
    if (http_body_feed(&b, d, n, &used) != APP_PARSE_ERROR && used > n) abort();
    if (b.seen > n) abort();
}

static app_layer_t *al;

static void flow(const uint8_t *d, size_t n)
{
    flow_t f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.port[0] = 41000;
    f.key.port[1] = 80;
    uint32_t seq[2] = {1, 1};
    size_t i = 0;
    while (i < n) {
        uint8_t ctl = d[i++];
        int dir = ctl & 0x80 ? DIR_TOCLIENT : DIR_TOSERVER;
        size_t len = ((size_t)(ctl & 0x1f) + 1) * 4;
        if (len > n - i) len = n - i;
        if (ctl & 0x40) seq[dir] += 7;
        packet_t p;
        memset(&p, 0, sizeof(p));
        p.ip_proto = 6;
        p.tcp_flags = TH_ACK;
        p.tcp_seq = seq[dir];
        p.payload = d + i;
        p.payload_len = (uint32_t)len;
        if ((ctl & 0x20) && i >= 3 && len > 3) { /* overlap the 3 bytes before */
            p.tcp_seq -= 3;
            p.payload -= 3;
            p.payload_len += 3;
        }
        app_layer_packet(al, &f, dir, &p);
        seq[dir] += (uint32_t)len;
        i += len;
    }
    app_layer_flow_end(al, &f);
    if (f.app != NULL || app_layer_get_stats(al)->mem_used != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (al == NULL) al = app_layer_new(1 << 22, NULL);
    if (al == NULL) return 0;
    heads(data, size);
    flow(data, size);
    return 0;
}
