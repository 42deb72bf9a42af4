/* app_layer_int.h -- what app_layer.c shares with the protocol glue
 * (app_http.c, app_dns.c, app_tls.c). Not for use outside sensor/app. */
#ifndef SOC_APP_LAYER_INT_H
#define SOC_APP_LAYER_INT_H

#include "app_layer.h"

/* Largest unit a direction buffers: an HTTP head (16 KiB), a TLS hello
 * (4 + 16 KiB) or a DNS-over-TCP message that fits (2 + length). */
#define APP_BUF_MAX (16384u + 16u)

/* Bytes a JA3/JA3S string can reach for a hello within TLS_MAX_HELLO. */
#define APP_JA3_SCRATCH 65536u

/* A growable per-direction buffer; memory counted against the memcap. It
 * holds memory only while a unit is incomplete: app_buf_consume() frees it
 * once it is empty. */
typedef struct app_buf {
    uint8_t *p;
    uint32_t len, cap;
} app_buf_t;

typedef struct app_dir {
    uint32_t next_seq; /* TCP: next in-order sequence number */
    uint32_t scan;     /* HTTP: bytes of the buffered head known to hold no end */
    uint8_t seq_valid;
    uint8_t dead;   /* stop parsing this direction (error, done or tunnel) */
    uint8_t resync; /* after a gap: wait for a packet that starts a message */
    app_buf_t buf;  /* unconsumed bytes of a partial unit */
} app_dir_t;

typedef struct app_ops app_ops_t;

struct app_state {
    const app_ops_t *ops; /* NULL for the "no parsing" markers */
    uint8_t proto;        /* app_proto_t of the parser */
    uint8_t tcp;
    app_dir_t dir[2];
    void *ps; /* protocol state, allocated with this struct */
};
typedef struct app_state app_state_t;

struct app_layer {
    size_t memcap;
    app_event_sink_t sink;
    app_layer_stats_t st;
    dns_msg_t dns;             /* scratch for one message */
    char ja3[APP_JA3_SCRATCH]; /* scratch for fingerprint strings */
    tls_cert_t cert;           /* scratch for the leaf certificate's fields */
};

struct app_ops {
    uint8_t proto;
    size_t state_size;
    /* TCP: parse in-order stream bytes; return bytes consumed (the rest of a
     * partial unit is buffered and offered again with more data). */
    size_t (*stream)(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                     size_t len);
    /* UDP: one datagram (NULL: protocol not parsed over UDP). */
    void (*datagram)(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                     size_t len);
    /* TCP gap of n bytes before the next data; true when the parser skipped
     * it in place, false to resync (buffer already dropped, resync set). */
    bool (*gap)(app_layer_t *al, flow_t *f, app_state_t *s, int dir, uint32_t n);
    void (*flow_end)(app_layer_t *al, flow_t *f, app_state_t *s); /* emit pending */
    /* Something is left for flow_end to emit (NULL: never). A flow dead in
     * both directions with nothing pending is freed at once. */
    bool (*pending)(const app_state_t *s);
    void (*release)(app_layer_t *al, app_state_t *s); /* free extra memory (NULL: none) */
};

extern const app_ops_t app_http_ops, app_dns_ops, app_tls_ops;

/* app_layer_tls_version() for a flow whose state is the TLS parser's. */
uint16_t app_tls_inspect_version(const app_state_t *s);

/* Memory counted against the memcap; NULL (and a memcap hit) when over. */
void *app_mem_alloc(app_layer_t *al, app_state_t *s, size_t n);
void app_mem_free(app_layer_t *al, app_state_t *s, void *p, size_t n);

/* Append n bytes to b, growing it up to max. False when over max or the
 * memcap (counted) refuses. */
bool app_buf_append(app_layer_t *al, app_state_t *s, app_buf_t *b, const uint8_t *data, size_t n,
                    size_t max);
/* Make room for b to hold need bytes (need <= max), growing like
 * app_buf_append. False when the memcap (counted) refuses. */
bool app_buf_reserve(app_layer_t *al, app_state_t *s, app_buf_t *b, size_t need, size_t max);
void app_buf_release(app_layer_t *al, app_state_t *s, app_buf_t *b);
/* Drop the first n bytes of b; frees it when nothing is left. */
void app_buf_consume(app_layer_t *al, app_state_t *s, app_buf_t *b, size_t n);

/* Stop parsing a direction; error counts a parse error for the protocol. */
void app_dir_stop(app_layer_t *al, app_state_t *s, int dir, bool error);

#endif
