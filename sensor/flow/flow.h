/* flow.h -- bidirectional flows and the flow table.
 *
 * The table is a fixed array of max_flows entries allocated once, a hash of
 * bucket heads, and one idle list per timeout class (ordered by last packet,
 * so expiry and "oldest idle" eviction look only at list heads). Looking up or
 * creating a flow never allocates. */
#ifndef SOC_FLOW_H
#define SOC_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "../decode/packet.h"

struct ndpi_flow_struct;
struct app_state;
struct flowbits;
struct tcp_stream;

enum { DIR_TOSERVER = 0, DIR_TOCLIENT = 1 };

/* Endpoint [0] is the client (initiator), [1] the server. */
typedef struct flow_key {
    soc_addr_t addr[2];
    uint16_t port[2];
    uint16_t vlan[PKT_MAX_VLAN];
    uint8_t proto;
    uint8_t ip_version;
} flow_key_t;

typedef enum flow_tcp_state {
    FLOW_TCP_NONE = 0,    /* no TCP, or picked up mid-stream before a reply */
    FLOW_TCP_SYN_SENT,    /* SYN seen */
    FLOW_TCP_SYN_RECV,    /* SYN-ACK seen */
    FLOW_TCP_ESTABLISHED, /* handshake done, or mid-stream traffic both ways */
    FLOW_TCP_FIN_WAIT,    /* one side sent FIN */
    FLOW_TCP_CLOSING,     /* both sides sent FIN */
    FLOW_TCP_CLOSED,      /* RST, or both FINs acknowledged */
    FLOW_TCP_STATE_COUNT
} flow_tcp_state_t;

/* EVE flow.state */
typedef enum flow_state { FLOW_STATE_NEW, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED } flow_state_t;

typedef enum flow_end_reason {
    FLOW_END_TIMEOUT,
    FLOW_END_EVICTED, /* table full; the oldest idle flow made room */
    FLOW_END_SHUTDOWN,
    FLOW_END_REUSED, /* new TCP SYN on a closed flow's tuple (EVE: "forced") */
} flow_end_reason_t;

typedef struct flow {
    flow_key_t key;
    uint32_t hash;
    struct flow *hnext;       /* hash bucket chain */
    struct flow *prev, *next; /* idle list of its timeout class */

    uint64_t flow_id; /* stable id, < 2^53 so JSON readers keep it exact */
    int64_t start_usec, last_usec;
    uint64_t pkts[2], bytes[2]; /* [DIR_TOSERVER], [DIR_TOCLIENT]; bytes = frame wire length */
    uint8_t tcp_flags[2];       /* OR of flags seen per direction */
    uint8_t tcp_state;          /* flow_tcp_state_t */
    uint8_t tclass;             /* index of the idle list it is on */
    uint8_t in_use;
    uint8_t flags; /* FLOW_F_* */

    /* set by the layers above the table; the table only clears them */
    uint16_t app_proto; /* app_proto_t, 0 = unknown */
    uint16_t ndpi_master, ndpi_app;
    uint16_t ndpi_category;
    uint16_t dpi_pkts; /* packets given to nDPI so far */
    uint64_t ndpi_risk;
    uint32_t anomalies;            /* decoder anomalies seen on this flow */
    struct ndpi_flow_struct *ndpi; /* while detecting; NULL when done */
    struct app_state *app;         /* app-layer parser state, or NULL */
    struct flowbits *flowbits;     /* signature flowbits set on this flow, or NULL */
    struct tcp_stream *stream;     /* TCP reassembly for the signature engine, or NULL */
} flow_t;

#define FLOW_F_MIDSTREAM   0x01 /* TCP flow picked up without a SYN */
#define FLOW_F_DPI_DONE    0x02 /* nDPI finished (detected or gave up) */
#define FLOW_F_ALERTED     0x04
#define FLOW_F_DPI_GUESSED 0x08 /* nDPI's verdict is a guess by port */
#define FLOW_F_PASSED      0x10 /* a pass rule matched: no more inspection */
#define FLOW_F_ENCRYPTED   0x20 /* TLS handshake done: raw stream not inspected */

typedef struct flow_timeouts {
    uint32_t new_ms, established_ms, closed_ms;
} flow_timeouts_t;

#define FLOW_TIMEOUT_MAX_MS (7u * 86400 * 1000) /* a week */

enum { FLOW_PROTO_TCP, FLOW_PROTO_UDP, FLOW_PROTO_ICMP, FLOW_PROTO_OTHER, FLOW_PROTO_COUNT };

/* Timeout class of a flow (flow_t.tclass): protocol class x EVE state. */
#define FLOW_TCLASS(proto_class, state) ((proto_class)*3 + (state))
#define FLOW_TCLASS_COUNT               (FLOW_PROTO_COUNT * 3)

typedef struct flow_config {
    uint32_t max_flows; /* hard cap of tracked flows (preallocated) */
    uint32_t hash_size; /* buckets; 0 = next power of two >= max_flows; rounded up */
    flow_timeouts_t timeouts[FLOW_PROTO_COUNT];
    uint64_t hash_seed; /* 0 keeps runs reproducible; random hardens against crafted collisions */
} flow_config_t;

typedef struct flow_stats {
    uint64_t active, created, ended, timed_out, evicted, shutdown, reused;
    uint64_t tcp, udp, icmp, other;
} flow_stats_t;

typedef struct flow_table flow_table_t;

/* Called once per ended flow before its entry is reused. The callback owns
 * freeing f->ndpi and f->app. */
typedef void (*flow_end_fn)(flow_t *f, flow_end_reason_t reason, void *ud);

void flow_config_defaults(flow_config_t *cfg); /* Suricata's stock timeouts */
flow_table_t *flow_table_new(const flow_config_t *cfg, flow_end_fn on_end, void *ud);
void flow_table_free(flow_table_t *ft); /* does not call on_end; flush first */

/* Find the packet's flow or start one. Sets *dir (DIR_TOSERVER when the
 * packet goes client to server). Updates counters, TCP state, last-seen and
 * idle-list position. Returns NULL only for packets without IP. When the table
 * is full the oldest idle flow is ended (FLOW_END_EVICTED) to make room; a SYN
 * on a CLOSED TCP flow ends it (FLOW_END_REUSED) and starts a new one. The
 * pointer stays valid until the next call into the table. */
flow_t *flow_table_packet(flow_table_t *ft, const packet_t *p, int *dir);

/* End every flow whose timeout passed at packet time now_usec: idle longer
 * than its class timeout (a timeout of 0 ends it at this pass). Flows end in
 * the order their deadlines passed. */
void flow_table_expire(flow_table_t *ft, int64_t now_usec);

/* End every flow (end of capture), least recently seen first. */
void flow_table_flush(flow_table_t *ft, flow_end_reason_t reason);

const flow_stats_t *flow_table_stats(const flow_table_t *ft);
uint32_t flow_table_capacity(const flow_table_t *ft);

/* FLOW_PROTO_* class of an IP protocol number (ICMP and ICMPv6 are one class). */
int flow_proto_class(uint8_t proto);

const char *flow_state_name(flow_state_t s);
/* Suricata-like: TCP is "new" until the handshake completes (or a mid-stream
 * flow was seen both ways), "established" through a one-sided FIN, "closed"
 * once both sides sent FIN or on RST; other protocols are "new" until both
 * directions were seen, then "established". */
flow_state_t flow_eve_state(const flow_t *f);
const char *flow_tcp_state_name(flow_tcp_state_t s);
const char *flow_end_reason_name(flow_end_reason_t r);

#endif
