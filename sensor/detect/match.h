/* match.h -- verifying a signature: pure functions that decide whether one
 * parsed rule (rule.h) matches the data the engine hands over.
 *
 *   match_content.c    the items of one buffer (content, pcre, byte_test,
 *                      byte_jump, isdataat, bsize) with Suricata's cursor,
 *                      relative matching and backtracking
 *   match_header.c     protocol, addresses, ports, flow keyword, dsize,
 *                      flags, itype, icode, ip_proto, tls.version
 *   match_flowbits.c   the per-flow flowbit set and the flowbits keyword
 *   match_threshold.c  threshold / detection_filter state
 *
 * Nothing here allocates per packet: a match_scratch_t (per thread) holds the
 * PCRE2 match data, limits and the transform buffer; a threshold_ctx_t has
 * all its entries from creation; a flowbits_t grows only when a rule sets a
 * bit beyond its capacity (bounded by FLOWBITS_MAX). None of these objects
 * may be used by two threads at once.
 *
 * The order the engine is expected to follow for one rule on one packet:
 * match_header, match_flowbits_check, match_buffer for every rule_buffer_t
 * (all must match), then on a match match_flowbits_apply and threshold_allow
 * (false: no alert). */
#ifndef SOC_MATCH_H
#define SOC_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/packet.h"
#include "detect/rule.h"

struct flow;

/* ---- buffer items (match_content.c) --------------------------------------- */

/* Retries of an earlier item at its next occurrence (the backtracking of
 * Suricata's DetectEngineContentInspection) allowed in one match_buffer
 * call. When they run out the buffer does not match and
 * match_stats_t.budget_exhausted counts it. */
#define MATCH_RETRY_BUDGET 1024u
/* Deepest item list walked (the walk recurses once per item). The parser
 * allows far fewer (RULE_MAX_ITEMS); longer lists never match. */
#define MATCH_MAX_ITEMS 512u
/* Largest buffer a transform may produce; a longer one does not match and
 * match_stats_t.xform_too_long counts it. */
#define MATCH_XFORM_MAX (64u << 10)
/* PCRE2 limits, Suricata's defaults (pcre.match-limit and
 * pcre.match-limit-recursion); a pcre with the O flag runs with PCRE2's own. */
#define MATCH_PCRE_MATCH_LIMIT 3500u
#define MATCH_PCRE_DEPTH_LIMIT 1500u
/* JIT stack given to JIT-compiled patterns. */
#define MATCH_PCRE_JIT_STACK (256u << 10)

/* A buffer as callers pass them around (pointer and length). */
typedef struct match_buf {
    const uint8_t *p;
    uint32_t len;
} match_buf_t;

typedef struct match_stats {
    uint64_t buffers;          /* match_buffer calls */
    uint64_t budget_exhausted; /* calls cut off by MATCH_RETRY_BUDGET */
    uint64_t pcre_errors;      /* pcre2_match errors (limits, JIT stack): no match */
    uint64_t xform_too_long;   /* transformed buffer over MATCH_XFORM_MAX */
    uint64_t too_many_items;   /* buffers with more than MATCH_MAX_ITEMS items */
} match_stats_t;

typedef struct match_scratch match_scratch_t;

/* One per thread, created at start-up; NULL when out of memory. */
match_scratch_t *match_scratch_new(void);
void match_scratch_free(match_scratch_t *s);
const match_stats_t *match_scratch_stats(const match_scratch_t *s);

/* True when every item of b matches data[0..len), after b->transforms
 * (dotprefix prepends '.' to a non-empty buffer, as Suricata's transform).
 * data NULL means the buffer does not exist: no match. An empty buffer is
 * inspected (Suricata 7): bsize:0 and negated contents can hold on it.
 * A multi-buffer (rule_buf_multi(b->id): tls.certs) is the list of
 * its elements, each preceded by its length in 3 big-endian bytes; it
 * matches when one element matches every item (each element is a buffer of
 * its own: cursor, bsize, transforms); no element, no match.
 *
 * Semantics, Suricata's (see rule.h for content windows and isdataat):
 *   - the cursor starts at 0; a content moves it to the end of its match, a
 *     pcre to the end of its match, a byte_jump to its target;
 *   - nocase folds ASCII letters only;
 *   - a relative pcre (R) matches a subject that starts at the cursor, so
 *     '^' anchors there;
 *   - byte_test/byte_jump read nbytes at (cursor if relative) + offset, all
 *     of them inside the buffer (string with nbytes 0: up to the end);
 *     string numbers are read like strtoull (leading spaces, sign, "0x" for
 *     hex, stops at the first non-digit, at least one digit); the bitmask is
 *     applied, then the value is shifted right by its trailing zero bits;
 *   - byte_jump: J = value * multiplier, rounded up to 4 with align, plus
 *     post_offset (64-bit wrap-around, read as signed, as Suricata);
 *     target = base + J; a target before the buffer start is clamped to 0,
 *     one past the end (target > len) fails; target == len is allowed;
 *   - when an item fails, the closest earlier content or pcre whose cursor a
 *     later relative item consumes (directly, or through relative items in
 *     between) is retried at its next occurrence (next start + 1, same
 *     window), then everything after it is re-evaluated. Suricata decides
 *     this with the *_NEXT flags of the last content/pcre before each
 *     relative keyword; the two agree except that an absolute negated
 *     content in between does not stop the retry here;
 *   - like Suricata, an item whose result cannot depend on earlier choices
 *     ends the whole evaluation when it fails (absolute content/pcre/byte
 *     items, isdataat, bsize), so nothing is retried in vain;
 *   - a negated content on endswith holds unless the pattern occurs at the
 *     very end (inside the window); a negated item never moves the cursor
 *     and is never retried. */
bool match_buffer(const rule_buffer_t *b, const uint8_t *data, uint32_t len, match_scratch_t *s);

/* Case-sensitive / ASCII case-insensitive search of pat in hay; the index
 * of the first occurrence, or -1. len 0 never matches. */
int64_t match_find(const uint8_t *hay, uint32_t hay_len, const uint8_t *pat, uint32_t pat_len,
                   bool nocase);

/* ---- header and buffer-less checks (match_header.c) ------------------------ */

/* What the engine knows about the packet (and its flow) a rule is tried on. */
typedef struct match_pkt {
    uint8_t ip_version; /* 4 or 6 */
    uint8_t ip_proto;   /* transport protocol number */
    soc_addr_t src, dst;
    uint16_t sport, dport; /* host order; ignored for protocols without ports */
    uint8_t tcp_flags;     /* TH_* */
    uint8_t icmp_type, icmp_code;
    uint32_t payload_len; /* packet payload bytes (dsize) */
    bool is_fragment;     /* an IP fragment not reassembled: no transport header */
    bool frag_rebuilt;    /* a datagram rebuilt from fragments (flow:only_frag) */
    bool has_flow;
    bool to_server;       /* direction in the flow (with has_flow) */
    bool established;     /* see match_flow_established() */
    bool stream;          /* the payload inspected is reassembled stream data */
    uint16_t app_proto;   /* app_proto_t of the flow, APP_UNKNOWN when not known */
    uint16_t tls_version; /* TLS version of the transaction inspected, 0 unknown */
} match_pkt_t;

/* Suricata's "established": TCP in state ESTABLISHED or any later state (the
 * stream engine flags every packet once the session got there); other
 * protocols once packets were seen in both directions. f NULL: false. */
bool match_flow_established(const struct flow *f);

/* Fill mp from a decoded packet, its flow (may be NULL) and the packet's
 * direction in it (DIR_TOSERVER / DIR_TOCLIENT); stream as above.
 * app_proto comes from the flow; tls_version is app_layer_tls_version(f):
 * known while the app layer hands a TLS hello or certificate to inspection
 * (the negotiated version once the ServerHello is known, else the
 * ClientHello's), 0 for everything else. */
void match_pkt_fill(match_pkt_t *mp, const packet_t *p, const struct flow *f, int dir, bool stream);

/* The rule's header and its checks without a buffer, flowbits excepted:
 *   - IP protocol (rule_t.ipproto mask; ICMP by number: 1 ICMP4, 58 ICMP6);
 *   - app protocol: a rule naming one needs the flow's app_proto equal;
 *   - addresses and ports, also swapped for a bidirectional rule. As in
 *     Suricata's DetectRulePacketRules, ports are compared only for TCP, UDP
 *     and SCTP; a rule with a port other than "any" never matches another
 *     protocol, nor a fragment (no ports);
 *   - flow keyword: to_server / to_client against mp->to_server (needs a
 *     flow), established / not_established against mp->established,
 *     stateless always, only_frag / no_frag against mp->frag_rebuilt,
 *     only_stream / no_stream (and rule_t.stream_mode) against mp->stream;
 *   - dsize on the packet payload length (never on stream data, as Suricata's
 *     dsize makes a rule packet-only); flags on TCP only; itype/icode on
 *     ICMP only; ip_proto; tls.version needs a known version. */
bool match_header(const rule_t *r, const match_pkt_t *mp);

/* Pieces of match_header, for tests and for the engine's own grouping. */
bool match_proto(const rule_t *r, uint8_t ip_proto);
bool match_addr(const rule_addr_t *g, int ip_version, const soc_addr_t *a); /* g NULL: any */
bool match_port(const rule_ports_t *g, uint16_t port);                      /* g NULL: any */
bool match_flow_kw(const rule_t *r, const match_pkt_t *mp);
bool match_tcpflags(const rule_tcpflags_t *f, uint8_t pkt_flags);

/* ---- flowbits (match_flowbits.c) ------------------------------------------- */

/* Bits set on one flow: a sorted array of ids, grown on demand. The flow
 * owns it through a pointer that starts NULL (no bit set); free it with
 * flowbits_free when the flow ends. */
typedef struct flowbits flowbits_t;

/* Most ids one flow may hold; setting more fails (the bit stays unset). */
#define FLOWBITS_MAX 1024u

bool flowbits_isset(const flowbits_t *fb, uint32_t id); /* fb NULL: nothing set */
uint32_t flowbits_count(const flowbits_t *fb);
/* These may allocate or grow *fb; false only when out of memory or over
 * FLOWBITS_MAX (then nothing changed). */
bool flowbits_set(flowbits_t **fb, uint32_t id);
void flowbits_unset(flowbits_t *fb, uint32_t id);
bool flowbits_toggle(flowbits_t **fb, uint32_t id);
void flowbits_free(flowbits_t *fb);

/* The rule's flowbit conditions (isset, isnotset) all hold. Suricata's
 * reading: isset a&b needs all set, isset a|b any set; isnotset a&b needs
 * all unset, isnotset a|b any unset. */
bool match_flowbits_check(const rule_t *r, const flowbits_t *fb);
/* Run the rule's set / unset / toggle actions in rule order (after it
 * matched). False when a bit could not be stored (the others still run). */
bool match_flowbits_apply(const rule_t *r, flowbits_t **fb);

/* ---- threshold / detection_filter (match_threshold.c) ---------------------- */

typedef struct threshold_ctx threshold_ctx_t;

typedef struct threshold_stats {
    uint32_t entries;        /* live entries */
    uint32_t max_entries;    /* the bound given to threshold_new */
    uint64_t created;        /* entries made */
    uint64_t expired;        /* entries dropped after their window ended */
    uint64_t evicted_active; /* entries dropped inside their window (table full) */
} threshold_stats_t;

/* A table of at most max_entries (>= 1; 0 is taken as 1) tracking states,
 * allocated here once. NULL when out of memory. */
threshold_ctx_t *threshold_new(uint32_t max_entries);
void threshold_free(threshold_ctx_t *t);
void threshold_get_stats(const threshold_ctx_t *t, threshold_stats_t *st);

/* Called after rule r matched a packet at packet time now_usec: whether the
 * alert is emitted. Rules without threshold / detection_filter: true. State
 * is keyed by (r->index, tracked addresses): by_src the source, by_dst the
 * destination, by_both the unordered address pair, by_rule nothing.
 * Suricata's detect-engine-threshold.c, ThresholdHandlePacket (7.x); a window
 * opened at t1 lasts while now <= t1 + seconds:
 *   limit      first match opens the window and alerts; later matches in
 *              the window alert while their count <= count; after the
 *              window the next match opens a new one and alerts.
 *   threshold  count 1: every match alerts (no state). Otherwise the first
 *              match opens the window with count 1; in the window each match
 *              adds one and, on reaching count, alerts and restarts the
 *              count at 0 (the window itself is not moved), so matches
 *              count, 2*count ... alert; after the window the next match
 *              opens a new one with count 1, no alert.
 *   both       alerts once, on the match that makes the count equal to
 *              count within the window (at once when count is 1); after
 *              the window the count starts again at 1.
 *   detection_filter  the first match opens the window with count 1, no
 *              alert; each later match in the window adds one and alerts
 *              when the count is above count; after the window the next
 *              match opens a new one with count 1, no alert.
 * A full table first drops entries whose window ended, else the least
 * recently used one (threshold_stats_t.evicted_active). */
bool threshold_allow(threshold_ctx_t *t, const rule_t *r, const soc_addr_t *src,
                     const soc_addr_t *dst, int ip_version, int64_t now_usec);

#endif
