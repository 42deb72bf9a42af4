/* app_layer.h -- per-flow application-layer parsing (HTTP, DNS, TLS).
 *
 * The flow's first payload in each direction is probed; once a parser claims
 * the flow it sets f->app_proto and keeps its state in f->app: one small
 * state per flow, plus buffers held only while a message is incomplete or a
 * transaction is pending, all counted against the memcap (allocations follow
 * messages, never packets). A protocol set earlier by nDPI is
 * honoured: HTTP/TLS/DNS select that parser, any other known protocol stops
 * probing. TCP bytes are taken in order per direction: retransmitted bytes
 * are dropped, and after a gap the parser resyncs at the next message head.
 *
 * Events go to the sink as views valid only during the callback; the event
 * time is f->last_usec (the current packet's, or the last one at flow end). */
#ifndef SOC_APP_LAYER_H
#define SOC_APP_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../flow/flow.h"
#include "app_proto.h"
#include "dns.h"
#include "http.h"
#include "tls.h"
#include "tls_cert.h"

/* A string view; not NUL-terminated. len 0 = absent. */
typedef struct app_str {
    const char *p;
    uint32_t len;
} app_str_t;

/* One HTTP request and its response. Request fields are cut to bounds
 * (url 2 KiB, user agent and referer 512, host 256); `truncated` says so. */
typedef struct http_tx {
    app_str_t hostname; /* lowercase, without port */
    app_str_t url, method, protocol, user_agent, referer;
    app_str_t content_type; /* response Content-Type, as sent */
    app_str_t redirect;     /* response Location */
    int32_t http_port;      /* explicit port of the host, -1 if none */
    uint16_t status;        /* 0 = no response */
    uint64_t length;        /* response body bytes seen */
    bool has_request, has_response;
    bool truncated;
} http_tx_t;

/* The TLS handshake of a flow (one event per flow). */
typedef struct tls_info {
    app_str_t sni;           /* raw bytes of the server_name */
    uint16_t version;        /* negotiated (ServerHello), 0 = no ServerHello */
    uint16_t client_version; /* ClientHello legacy version, 0 = none */
    bool has_ja3, has_ja3s;
    char ja3_hash[33], ja3s_hash[33];
    app_str_t ja3, ja3s;    /* the fingerprint strings */
    tls_span_t client_alpn; /* ProtocolNameList bodies: (len8, name)* */
    tls_span_t server_alpn;
    /* The server's Certificate message (TLS 1.0-1.2, where it travels in
     * clear): the DER chain, leaf first (NULL without one), and the leaf's
     * fields (NULL when there is no leaf or it does not decode). */
    const tls_certs_t *certs;
    const tls_cert_t *cert;
} tls_info_t;

/* An HTTP message handed to the inspection hooks. The head is the raw head
 * (start line to the empty line) the parser accepted, req or resp its parse.
 * Body hooks also give the de-chunked body bytes seen, up to the body limit
 * (content encodings not undone). */
typedef struct app_http_msg {
    const uint8_t *head;
    uint32_t head_len;
    const http_request_t *req;   /* request messages, else NULL */
    const http_response_t *resp; /* response messages, else NULL */
    bool has_body;               /* body hooks: body/body_len are the body */
    bool body_truncated;         /* body hooks: longer than the limit, or cut short */
    const uint8_t *body;         /* NULL when empty */
    uint32_t body_len;
    /* The transaction as logged so far (request fields; status, content
     * type and location of a response), for alert output. */
    const http_tx_t *tx;
} app_http_msg_t;

/* Bytes of a body kept for the body hooks when app_event_sink_t says 0
 * (Suricata keeps 100 KiB; less keeps a busy sensor's memory small), and the
 * most that may be asked for. */
#define APP_HTTP_BODY_LIMIT_DEFAULT (32u * 1024u)
#define APP_HTTP_BODY_LIMIT_MAX     (16u * 1024u * 1024u)

typedef struct app_event_sink {
    /* Logging: one event per transaction, DNS message or TLS handshake. */
    void (*http)(void *ud, const flow_t *f, const http_tx_t *tx);
    /* mutable flow: detection keeps flowbits on it, as the hooks below */
    void (*dns)(void *ud, flow_t *f, const dns_msg_t *m, int dir);
    void (*tls)(void *ud, const flow_t *f, const tls_info_t *t);
    /* Inspection hooks, called while the packet that completes the unit is
     * processed (at flow end for bodies cut short by it). All optional:
     * NULL costs nothing and keeps nothing. */
    /* A request / response head is complete (before any body). */
    void (*http_request)(void *ud, flow_t *f, const app_http_msg_t *m);
    void (*http_response)(void *ud, flow_t *f, const app_http_msg_t *m);
    /* A message with a body: once the body ended, its limit was reached, or
     * it was cut short (gap, flow end). While such a body is read the head
     * and the body bytes are held (counted against the memcap); messages
     * without a body get no body call. */
    void (*http_request_body)(void *ud, flow_t *f, const app_http_msg_t *m);
    void (*http_response_body)(void *ud, flow_t *f, const app_http_msg_t *m);
    uint32_t http_body_limit[2]; /* body bytes kept per message, by direction; 0 = default */
    /* A ClientHello / ServerHello was parsed. t has the client fields (sni,
     * ja3) for the first, the server ones (ja3s, version) and those of an
     * earlier ClientHello for the second. */
    void (*tls_client_hello)(void *ud, flow_t *f, const tls_client_hello_t *ch,
                             const tls_info_t *t);
    void (*tls_server_hello)(void *ud, flow_t *f, const tls_server_hello_t *sh,
                             const tls_info_t *t);
    /* The server's Certificate message was parsed: t->certs and t->cert,
     * with the fields of both hellos as in the log event. */
    void (*tls_certificate)(void *ud, flow_t *f, const tls_info_t *t);
    void *ud;
} app_event_sink_t;

typedef struct app_layer_stats {
    uint64_t flows[APP_PROTO_COUNT];  /* flows parsed, by protocol */
    uint64_t tx[APP_PROTO_COUNT];     /* events emitted */
    uint64_t errors[APP_PROTO_COUNT]; /* malformed messages / directions given up */
    uint64_t gaps[APP_PROTO_COUNT];   /* TCP sequence gaps met */
    uint64_t alloc[APP_PROTO_COUNT];  /* state or buffers refused by the memcap */
    uint64_t memcap_hits;             /* sum of alloc[] */
    uint64_t truncated;               /* fields cut or requests emitted early */
    uint64_t tls_cert_truncated;      /* certificate chains cut at TLS_MAX_CERT_MSG / _CERTS */
    uint64_t tls_cert_invalid;        /* leaf certificates that did not decode */
    uint64_t mem_used, mem_peak;      /* bytes held for flows */
    uint64_t memcap;
} app_layer_stats_t;

typedef struct app_layer app_layer_t;

/* memcap_bytes bounds all per-flow state; the sink is copied. NULL on OOM. */
app_layer_t *app_layer_new(size_t memcap_bytes, const app_event_sink_t *sink);
/* Frees the app layer itself; end every flow first (app_layer_flow_end). */
void app_layer_free(app_layer_t *al);

/* Every packet of f with payload; dir is DIR_TOSERVER or DIR_TOCLIENT. */
void app_layer_packet(app_layer_t *al, flow_t *f, int dir, const packet_t *p);

/* Flow ends: emit pending transactions, free f->app and set it to NULL.
 * f->app must only ever be released through here. */
void app_layer_flow_end(app_layer_t *al, flow_t *f);

const app_layer_stats_t *app_layer_get_stats(const app_layer_t *al);

/* The TLS version of the handshake message an inspection hook is handed
 * (tls_client_hello, tls_server_hello, tls_certificate) while it runs: the
 * negotiated one once the ServerHello is known (its supported_versions
 * choice, else its version), before that the ClientHello's. 0 outside
 * those hooks or for other flows. The signature engine's tls.version. */
uint16_t app_layer_tls_version(const flow_t *f);

/* Members of the stats event's "app_layer" object, Suricata style:
 * tx.<proto>, error.<proto>.{gap,alloc,parser}, memuse... Defined in
 * output/eve_app.c. */
struct jw;
void app_layer_write_stats(struct jw *w, const app_layer_stats_t *s);

#endif
