/* fuzz_tls.c -- TLS records, hellos, JA3/JA3S and the TLS flow glue.
 *
 * The input is read as a record stream: its first handshake message is
 * parsed as a ClientHello and as a ServerHello, fingerprinted and rendered
 * as EVE JSON. Then the same bytes go through a TCP flow (port 443) in
 * segments: the first half to the server, the rest to the client, cut at
 * sizes taken from the data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_layer.h"
#include "app/tls.h"
#include "output/eve_app.h"

static uint8_t scratch[TLS_HS_HEADER_LEN + TLS_MAX_HELLO];
static char ja3[65536];
static app_layer_t *al;
static jw_t w;

static void on_tls(void *ud, const flow_t *f, const tls_info_t *t)
{
    (void)ud;
    (void)f;
    jw_reset(&w);
    jw_object_open(&w);
    eve_app_tls(&w, t);
    jw_object_close(&w);
    if (w.depth != 0) abort();
}

static void hellos(const uint8_t *d, size_t n)
{
    size_t mlen;
    if (tls_first_handshake(d, n, scratch, sizeof(scratch), &mlen) != APP_PARSE_DONE) return;
    if (mlen > sizeof(scratch)) abort();
    tls_client_hello_t ch;
    if (tls_parse_client_hello(scratch, mlen, &ch) == APP_PARSE_DONE) {
        size_t k = tls_ja3(&ch, ja3, sizeof(ja3));
        if (k >= sizeof(ja3) || strlen(ja3) != k) abort();
        char hex[33];
        tls_md5_hex(ja3, k, hex);
    }
    tls_server_hello_t sh;
    if (tls_parse_server_hello(scratch, mlen, &sh) == APP_PARSE_DONE) {
        size_t k = tls_ja3s(&sh, ja3, sizeof(ja3));
        if (k >= sizeof(ja3) || strlen(ja3) != k) abort();
    }
}

static void flow(const uint8_t *d, size_t n)
{
    flow_t f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.port[0] = 50000;
    f.key.port[1] = 443;
    uint32_t seq[2] = {7, 9};
    size_t i = 0, k = 0;
    while (i < n) {
        int dir = i < n / 2 ? DIR_TOSERVER : DIR_TOCLIENT;
        size_t len = (size_t)(d[k++ % n] % 61) * 3 + 1;
        size_t lim = dir == DIR_TOSERVER ? n / 2 - i : n - i;
        if (len > lim) len = lim;
        packet_t p;
        memset(&p, 0, sizeof(p));
        p.tcp_seq = seq[dir];
        p.tcp_flags = TH_ACK;
        p.payload = d + i;
        p.payload_len = (uint32_t)len;
        app_layer_packet(al, &f, dir, &p);
        seq[dir] += (uint32_t)len;
        i += len;
    }
    app_layer_flow_end(al, &f);
    if (app_layer_get_stats(al)->mem_used != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (al == NULL) {
        app_event_sink_t sink = {.tls = on_tls};
        jw_init(&w);
        al = app_layer_new(1 << 22, &sink);
        if (al == NULL) return 0;
    }
    hellos(data, size);
    flow(data, size);
    return 0;
}
