/* flow_table.c -- the flow table: hash lookup, idle lists, expiry, eviction.
 *
 * All memory is taken once in flow_table_new: max_flows entries, the bucket
 * array and nothing else. A free entry sits on the free list (linked through
 * hnext); a used one sits in one hash chain and on exactly one idle list, the
 * list of its timeout class. Each idle list is kept in packet-arrival order
 * (a touched flow moves to the tail), which is last_usec order as long as
 * capture timestamps do not go backwards; with disordered timestamps expiry
 * and eviction only become a little late, never wrong. */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "flow_tcp.h"

#define USEC_PER_SEC    1000000LL
#define ID_COUNTER_BITS 33 /* flow_id = 20 hash bits above a 33-bit counter: < 2^53 */

struct flow_table {
    flow_t *flows;
    flow_t **buckets;
    uint32_t max_flows, mask;
    uint64_t seed;
    flow_t *free;                       /* ended entries, linked through hnext */
    uint32_t next_unused;               /* entries never used start here */
    flow_t *head[FLOW_TCLASS_COUNT];    /* least recently seen */
    flow_t *tail[FLOW_TCLASS_COUNT];    /* most recently seen */
    int64_t timeout[FLOW_TCLASS_COUNT]; /* microseconds */
    uint64_t next_id;
    flow_stats_t stats;
    flow_end_fn on_end;
    void *ud;
};

void flow_config_defaults(flow_config_t *cfg)
{
    static const flow_timeouts_t stock[FLOW_PROTO_COUNT] = {
        [FLOW_PROTO_TCP] = {60000, 600000, 60000},
        [FLOW_PROTO_UDP] = {30000, 300000, 0},
        [FLOW_PROTO_ICMP] = {30000, 300000, 0},
        [FLOW_PROTO_OTHER] = {30000, 300000, 0}, /* suricata.yaml flow-timeouts.default */
    };
    memset(cfg, 0, sizeof *cfg);
    cfg->max_flows = 65536;
    memcpy(cfg->timeouts, stock, sizeof stock);
}

int flow_proto_class(uint8_t proto)
{
    switch (proto) {
    case 6: return FLOW_PROTO_TCP;
    case 17: return FLOW_PROTO_UDP;
    case 1:
    case 58: return FLOW_PROTO_ICMP;
    default: return FLOW_PROTO_OTHER;
    }
}

const char *flow_end_reason_name(flow_end_reason_t r)
{
    switch (r) {
    case FLOW_END_TIMEOUT: return "timeout";
    case FLOW_END_EVICTED: return "evicted";
    case FLOW_END_SHUTDOWN: return "shutdown";
    case FLOW_END_REUSED: return "forced";
    }
    return "unknown";
}

/* ---- hashing --------------------------------------------------------- */

static inline uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static inline uint64_t endpoint_hash(const soc_addr_t *a, uint16_t port)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    return fmix64(lo ^ fmix64(hi + port));
}

/* Adding the endpoint hashes makes the hash the same in both directions
 * without sorting the endpoints. */
static uint32_t key_hash(const flow_key_t *k, uint64_t seed)
{
    uint64_t h = endpoint_hash(&k->addr[0], k->port[0]) + endpoint_hash(&k->addr[1], k->port[1]);
    uint64_t rest = (uint64_t)k->vlan[0] << 32 | (uint64_t)k->vlan[1] << 16 |
                    (uint64_t)k->proto << 8 | k->ip_version;
    h = fmix64(h ^ seed ^ fmix64(rest));
    return (uint32_t)(h ^ (h >> 32));
}

static inline bool addr_eq(const soc_addr_t *a, const soc_addr_t *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

/* Does flow key k hold packet key pk, and which way does the packet go? */
static bool key_match(const flow_key_t *k, const flow_key_t *pk, int *dir)
{
    if (k->proto != pk->proto || k->ip_version != pk->ip_version || k->vlan[0] != pk->vlan[0] ||
        k->vlan[1] != pk->vlan[1])
        return false;
    for (int d = 0; d < 2; d++) {
        if (k->port[0] == pk->port[d] && k->port[1] == pk->port[!d] &&
            addr_eq(&k->addr[0], &pk->addr[d]) && addr_eq(&k->addr[1], &pk->addr[!d])) {
            *dir = d; /* d == 1: the packet's source is the server */
            return true;
        }
    }
    return false;
}

/* Key in packet orientation: [0] = source. */
static void packet_key(const packet_t *p, flow_key_t *k)
{
    memset(k, 0, sizeof *k);
    k->addr[0] = p->src;
    k->addr[1] = p->dst;
    if (p->ip_proto != 1 && p->ip_proto != 58) { /* ICMP: addresses only, as Suricata */
        k->port[0] = p->sport;
        k->port[1] = p->dport;
    }
    for (int i = 0; i < p->vlan_count && i < PKT_MAX_VLAN; i++)
        k->vlan[i] = p->vlan[i];
    k->proto = p->ip_proto;
    k->ip_version = p->ip_version;
}

static void key_swap(flow_key_t *k)
{
    soc_addr_t a = k->addr[0];
    uint16_t port = k->port[0];
    k->addr[0] = k->addr[1];
    k->addr[1] = a;
    k->port[0] = k->port[1];
    k->port[1] = port;
}

/* ---- idle lists ------------------------------------------------------ */

static void list_unlink(flow_table_t *ft, flow_t *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        ft->head[f->tclass] = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        ft->tail[f->tclass] = f->prev;
    f->prev = f->next = NULL;
}

static void list_append(flow_table_t *ft, flow_t *f, uint8_t tclass)
{
    f->tclass = tclass;
    f->next = NULL;
    f->prev = ft->tail[tclass];
    if (f->prev)
        f->prev->next = f;
    else
        ft->head[tclass] = f;
    ft->tail[tclass] = f;
}

static uint8_t flow_tclass(const flow_t *f)
{
    return (uint8_t)FLOW_TCLASS(flow_proto_class(f->key.proto), flow_eve_state(f));
}

/* The list whose head was seen least recently (ties: lowest class), or -1. */
static int oldest_list(const flow_table_t *ft)
{
    int best = -1;
    for (int c = 0; c < FLOW_TCLASS_COUNT; c++)
        if (ft->head[c] && (best < 0 || ft->head[c]->last_usec < ft->head[best]->last_usec))
            best = c;
    return best;
}

/* ---- life cycle ------------------------------------------------------ */

flow_table_t *flow_table_new(const flow_config_t *cfg, flow_end_fn on_end, void *ud)
{
    if (!cfg || cfg->max_flows == 0 || cfg->max_flows > (1u << 30)) return NULL;
    uint64_t want = cfg->hash_size ? cfg->hash_size : cfg->max_flows, size = 1;
    while (size < want && size < (1u << 30))
        size <<= 1;

    flow_table_t *ft = calloc(1, sizeof *ft);
    if (!ft) return NULL;
    ft->flows = calloc(cfg->max_flows, sizeof *ft->flows);
    ft->buckets = calloc(size, sizeof *ft->buckets);
    if (!ft->flows || !ft->buckets) {
        flow_table_free(ft);
        return NULL;
    }
    ft->max_flows = cfg->max_flows;
    ft->mask = (uint32_t)(size - 1);
    ft->seed = cfg->hash_seed;
    ft->on_end = on_end;
    ft->ud = ud;
    ft->next_id = 1;
    for (int pc = 0; pc < FLOW_PROTO_COUNT; pc++) {
        const flow_timeouts_t *t = &cfg->timeouts[pc];
        ft->timeout[FLOW_TCLASS(pc, FLOW_STATE_NEW)] = (int64_t)t->new_ms * 1000;
        ft->timeout[FLOW_TCLASS(pc, FLOW_STATE_ESTABLISHED)] = (int64_t)t->established_ms * 1000;
        ft->timeout[FLOW_TCLASS(pc, FLOW_STATE_CLOSED)] = (int64_t)t->closed_ms * 1000;
    }
    /* Entries are handed out in array order and only then touched, so the
     * resident memory follows the flows actually tracked, not the cap. */
    return ft;
}

void flow_table_free(flow_table_t *ft)
{
    if (!ft) return;
    free(ft->flows);
    free(ft->buckets);
    free(ft);
}

const flow_stats_t *flow_table_stats(const flow_table_t *ft)
{
    return &ft->stats;
}

uint32_t flow_table_capacity(const flow_table_t *ft)
{
    return ft->max_flows;
}

/* Report the flow, take it out of the hash and its idle list, free the entry. */
static void flow_end(flow_table_t *ft, flow_t *f, flow_end_reason_t reason)
{
    if (ft->on_end) ft->on_end(f, reason, ft->ud);
    f->ndpi = NULL;
    f->app = NULL;

    flow_t **pp = &ft->buckets[f->hash & ft->mask];
    while (*pp != f)
        pp = &(*pp)->hnext;
    *pp = f->hnext;
    list_unlink(ft, f);

    f->in_use = 0;
    f->hnext = ft->free;
    ft->free = f;

    ft->stats.active--;
    ft->stats.ended++;
    switch (reason) {
    case FLOW_END_TIMEOUT: ft->stats.timed_out++; break;
    case FLOW_END_EVICTED: ft->stats.evicted++; break;
    case FLOW_END_SHUTDOWN: ft->stats.shutdown++; break;
    case FLOW_END_REUSED: ft->stats.reused++; break;
    }
}

/* Take a zeroed entry for key k (client first), evicting if the table is full. */
static flow_t *flow_create(flow_table_t *ft, const flow_key_t *k, uint32_t hash, int64_t ts)
{
    flow_t *f;
    if (ft->free) {
        f = ft->free;
        ft->free = f->hnext;
    } else if (ft->next_unused < ft->max_flows) {
        f = &ft->flows[ft->next_unused++];
    } else {
        flow_end(ft, ft->head[oldest_list(ft)], FLOW_END_EVICTED);
        f = ft->free;
        ft->free = f->hnext;
    }
    memset(f, 0, sizeof *f);

    f->key = *k;
    f->hash = hash;
    f->in_use = 1;
    f->start_usec = f->last_usec = ts;
    f->flow_id = (uint64_t)(hash >> 12) << ID_COUNTER_BITS |
                 (ft->next_id++ & ((1ULL << ID_COUNTER_BITS) - 1));
    f->hnext = ft->buckets[hash & ft->mask];
    ft->buckets[hash & ft->mask] = f;

    ft->stats.active++;
    ft->stats.created++;
    switch (flow_proto_class(k->proto)) {
    case FLOW_PROTO_TCP: ft->stats.tcp++; break;
    case FLOW_PROTO_UDP: ft->stats.udp++; break;
    case FLOW_PROTO_ICMP: ft->stats.icmp++; break;
    default: ft->stats.other++; break;
    }
    return f;
}

static flow_t *flow_lookup(const flow_table_t *ft, const flow_key_t *pk, uint32_t hash, int *dir)
{
    for (flow_t *f = ft->buckets[hash & ft->mask]; f; f = f->hnext)
        if (f->hash == hash && key_match(&f->key, pk, dir)) return f;
    return NULL;
}

/* Timestamps come from captures and may be anything: never overflow. */
static int64_t add_sat(int64_t t, int64_t d)
{
    return t > INT64_MAX - d ? INT64_MAX : t + d;
}

/* A packet after its flow's timeout starts a new flow even when the expiry
 * pass has not run yet (timers tick once a second). */
static bool idle_too_long(const flow_table_t *ft, const flow_t *f, int64_t now)
{
    int64_t t = ft->timeout[f->tclass];
    return t != 0 && now > add_sat(f->last_usec, t);
}

flow_t *flow_table_packet(flow_table_t *ft, const packet_t *p, int *dir)
{
    if (p->ip_version == 0) return NULL;
    bool tcp = p->ip_proto == 6;
    uint8_t flags = tcp ? p->tcp_flags : 0;

    flow_key_t pk;
    packet_key(p, &pk);
    uint32_t hash = key_hash(&pk, ft->seed);
    int d = DIR_TOSERVER;
    flow_t *f = flow_lookup(ft, &pk, hash, &d);
    if (f && idle_too_long(ft, f, p->ts_usec)) {
        flow_end(ft, f, FLOW_END_TIMEOUT);
        f = NULL;
    }

    /* a new connection on the tuple of a closed one */
    if (f && tcp && f->tcp_state == FLOW_TCP_CLOSED && (flags & (TH_SYN | TH_ACK)) == TH_SYN) {
        flow_end(ft, f, FLOW_END_REUSED);
        f = NULL;
    }
    bool first = !f;
    if (first) {
        d = DIR_TOSERVER;
        if (tcp && (flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
            key_swap(&pk); /* a SYN-ACK comes from the server */
            d = DIR_TOCLIENT;
        }
        f = flow_create(ft, &pk, hash, p->ts_usec);
    }

    /* a rebuilt datagram stands for all its fragment frames */
    f->pkts[d] += p->frames ? p->frames : 1;
    f->bytes[d] += p->frames ? p->frames_bytes : p->wirelen;
    if (p->ts_usec > f->last_usec) f->last_usec = p->ts_usec;
    if (tcp) {
        f->tcp_flags[d] |= flags;
        flow_tcp_update(f, d, flags, first);
    }
    /* to the tail of its (maybe new) idle list; bursts are already there */
    uint8_t tc = flow_tclass(f);
    if (first) {
        list_append(ft, f, tc);
    } else if (tc != f->tclass || ft->tail[tc] != f) {
        list_unlink(ft, f);
        list_append(ft, f, tc);
    }
    *dir = d;
    return f;
}

void flow_table_expire(flow_table_t *ft, int64_t now_usec)
{
    for (;;) {
        /* of the expired list heads, end the one whose deadline passed first */
        int best = -1;
        int64_t best_deadline = 0;
        for (int c = 0; c < FLOW_TCLASS_COUNT; c++) {
            const flow_t *f = ft->head[c];
            if (!f) continue;
            int64_t deadline = add_sat(f->last_usec, ft->timeout[c]);
            if (ft->timeout[c] != 0 && now_usec <= deadline) continue;
            if (best < 0 || deadline < best_deadline) {
                best = c;
                best_deadline = deadline;
            }
        }
        if (best < 0) return;
        flow_end(ft, ft->head[best], FLOW_END_TIMEOUT);
    }
}

void flow_table_flush(flow_table_t *ft, flow_end_reason_t reason)
{
    for (int c; (c = oldest_list(ft)) >= 0;)
        flow_end(ft, ft->head[c], reason);
}
