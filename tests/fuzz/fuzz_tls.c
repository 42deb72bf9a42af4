/* fuzz_tls.c -- TLS records, hellos, the Certificate message, X.509 field
 * extraction, JA3/JA3S and the TLS flow glue.
 *
 * The input is read three ways. As a record stream: its handshake bytes
 * are gathered and every complete message is parsed as a ClientHello, a
 * ServerHello and a Certificate (whose certificates go through the X.509
 * extraction), fingerprinted and rendered as EVE JSON. As one DER
 * certificate (and a DER Name). Then through a TCP flow (port 443) in
 * segments: the first half to the server, the rest to the client, cut at
 * sizes taken from the data, with every inspection hook on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_layer.h"
#include "app/tls.h"
#include "app/tls_cert.h"
#include "output/eve_app.h"

#define SCRATCH (TLS_HS_HEADER_LEN + TLS_MAX_CERT_MSG)

static uint8_t scratch[SCRATCH];
static char ja3[65536];
static app_layer_t *al;
static jw_t w;
static tls_cert_t cert;

static void render(const tls_info_t *t)
{
    jw_reset(&w);
    jw_object_open(&w);
    eve_app_tls(&w, t);
    jw_object_close(&w);
    if (w.depth != 0) abort();
}

/* The strings of a parsed certificate stay inside their buffers. */
static void check_cert(const tls_cert_t *c)
{
    if (c->subject_len >= sizeof(c->subject) || c->subject[c->subject_len] != '\0' ||
        c->issuer_len >= sizeof(c->issuer) || c->issuer[c->issuer_len] != '\0' ||
        strlen(c->serial) != c->serial_len || strlen(c->fingerprint) > TLS_CERT_FP_LEN)
        abort();
}

static void on_tls(void *ud, const flow_t *f, const tls_info_t *t)
{
    (void)ud;
    (void)f;
    render(t);
}

static void on_cert(void *ud, flow_t *f, const tls_info_t *t)
{
    (void)ud;
    if (app_layer_tls_version(f) != t->version) abort();
    if (t->certs == NULL || t->certs->n > TLS_MAX_CERTS) abort();
    for (uint32_t i = 0; i < t->certs->n; i++)
        if (t->certs->der[i].len == 0 || t->certs->der[i].len > t->certs->list.len) abort();
    if (t->cert) check_cert(t->cert);
    render(t);
}

static void certificate(const uint8_t *msg, size_t len)
{
    tls_certs_t certs;
    if (tls_parse_certificate(msg, len, &certs) != APP_PARSE_DONE) return;
    tls_info_t t;
    memset(&t, 0, sizeof(t));
    t.certs = &certs;
    for (uint32_t i = certs.n; i-- > 0;) { /* the leaf last: its fields stay */
        if (certs.der[i].p < msg || certs.der[i].p + certs.der[i].len > msg + len) abort();
        bool ok = tls_cert_parse(certs.der[i].p, certs.der[i].len, &cert);
        if (ok) check_cert(&cert);
        t.cert = ok ? &cert : NULL;
    }
    render(&t);
}

static void hello(const uint8_t *msg, size_t mlen)
{
    tls_client_hello_t ch;
    if (tls_parse_client_hello(msg, mlen, &ch) == APP_PARSE_DONE) {
        size_t k = tls_ja3(&ch, ja3, sizeof(ja3));
        if (k >= sizeof(ja3) || strlen(ja3) != k) abort();
        char hex[33];
        tls_md5_hex(ja3, k, hex);
    }
    tls_server_hello_t sh;
    if (tls_parse_server_hello(msg, mlen, &sh) == APP_PARSE_DONE) {
        size_t k = tls_ja3s(&sh, ja3, sizeof(ja3));
        if (k >= sizeof(ja3) || strlen(ja3) != k) abort();
    }
}

/* Every handshake message of the record stream d. */
static void messages(const uint8_t *d, size_t n)
{
    tls_records_t r;
    memset(&r, 0, sizeof(r));
    size_t have = 0;
    while (n > 0) {
        size_t used;
        tls_span_t hs;
        if (tls_records_next(&r, d, n, &used, &hs) == APP_PARSE_ERROR) break;
        d += used;
        n -= used;
        size_t k = hs.len < SCRATCH - have ? hs.len : SCRATCH - have;
        if (k == 0) continue; /* record header: no bytes (hs.p NULL) */
        memcpy(scratch + have, hs.p, k);
        have += k;
    }
    size_t off = 0;
    while (have - off >= TLS_HS_HEADER_LEN) {
        uint8_t type;
        size_t mlen;
        app_parse_t st = tls_handshake_peek(scratch + off, have - off, &type, &mlen);
        if (st == APP_PARSE_ERROR) break;
        size_t len = st == APP_PARSE_DONE ? mlen : have - off; /* a cut Certificate */
        hello(scratch + off, len);
        certificate(scratch + off, len);
        if (st != APP_PARSE_DONE) break;
        off += mlen;
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
        app_event_sink_t sink = {.tls = on_tls, .tls_certificate = on_cert};
        jw_init(&w);
        al = app_layer_new(1 << 22, &sink);
        if (al == NULL) return 0;
    }
    messages(data, size);
    if (tls_cert_parse(data, size, &cert)) check_cert(&cert);
    char name[TLS_CERT_NAME_MAX];
    size_t k = tls_cert_name_text(data, size, name, sizeof(name));
    if (k >= sizeof(name) || name[k] != '\0') abort();
    flow(data, size);
    return 0;
}
