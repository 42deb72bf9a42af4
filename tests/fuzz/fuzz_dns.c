/* fuzz_dns.c -- the DNS message parser and DNS over UDP and TCP.
 *
 * The input is parsed as one message (every recorded string must lie in the
 * text buffer, counts within bounds) and rendered as EVE JSON; then it is
 * given to a UDP flow as one datagram and to a TCP flow (port 53) cut into
 * segments whose sizes come from the input itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_layer.h"
#include "app/dns.h"
#include "output/eve_app.h"

static dns_msg_t msg;
static app_layer_t *al;
static jw_t w;

static void check_str(dns_str_t s)
{
    if ((uint32_t)s.off + s.len > msg.text_len) abort();
}

static void check_msg(void)
{
    if (msg.nqueries > DNS_MAX_QUERIES || msg.nanswers > DNS_MAX_ANSWERS ||
        msg.nauth > DNS_MAX_AUTH || msg.text_len > DNS_TEXT_MAX)
        abort();
    for (unsigned i = 0; i < msg.nqueries; i++)
        check_str(msg.queries[i].name);
    for (unsigned i = 0; i < msg.nanswers; i++) {
        check_str(msg.answers[i].name);
        check_str(msg.answers[i].text);
        check_str(msg.answers[i].rname);
        if (msg.answers[i].name.len > DNS_MAX_NAME) abort();
    }
}

static void on_dns(void *ud, flow_t *f, const dns_msg_t *m, int dir)
{
    (void)ud;
    (void)f;
    (void)dir;
    jw_reset(&w);
    jw_object_open(&w);
    eve_app_dns(&w, m);
    jw_object_close(&w);
    if (w.depth != 0) abort();
}

static void udp(const uint8_t *d, size_t n)
{
    flow_t f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 17;
    f.key.port[0] = 33333;
    f.key.port[1] = 53;
    packet_t p;
    memset(&p, 0, sizeof(p));
    p.payload = d;
    p.payload_len = (uint32_t)n;
    app_layer_packet(al, &f, DIR_TOSERVER, &p);
    app_layer_packet(al, &f, DIR_TOCLIENT, &p);
    app_layer_flow_end(al, &f);
}

static void tcp(const uint8_t *d, size_t n)
{
    flow_t f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.port[0] = 33333;
    f.key.port[1] = 53;
    uint32_t seq = 100;
    size_t i = 0, k = 0;
    while (i < n) {
        size_t len = (size_t)(d[k++ % n] % 97) + 1; /* segment sizes from the data */
        if (len > n - i) len = n - i;
        packet_t p;
        memset(&p, 0, sizeof(p));
        p.tcp_seq = seq;
        p.tcp_flags = TH_ACK;
        p.payload = d + i;
        p.payload_len = (uint32_t)len;
        app_layer_packet(al, &f, DIR_TOSERVER, &p);
        seq += (uint32_t)len;
        i += len;
    }
    app_layer_flow_end(al, &f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (al == NULL) {
        app_event_sink_t sink = {.dns = on_dns};
        jw_init(&w);
        al = app_layer_new(1 << 22, &sink);
        if (al == NULL) return 0;
    }
    if (dns_parse(data, size, &msg) == APP_PARSE_DONE) {
        check_msg();
        on_dns(NULL, NULL, &msg, 0);
    }
    udp(data, size);
    tcp(data, size);
    if (app_layer_get_stats(al)->mem_used != 0) abort();
    return 0;
}
