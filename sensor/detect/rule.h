/* rule.h -- the in-memory form (IR) of one parsed Suricata signature.
 *
 * The parser (rule_parser.c and friends) turns the text of a rule into a
 * rule_t; the matcher only reads it. Everything a rule_t points to belongs
 * to its rule_set_t (see rule_set.h) and lives until rule_set_free().
 *
 * Shape, in the order the matcher needs it:
 *
 *   header   action, IP protocols, app protocol, address and port groups
 *            (variables, lists and negation already resolved into sorted,
 *            merged allow-lists), direction.
 *   checks   per-packet or per-flow tests that need no buffer: flow, flowbits,
 *            dsize, flags, itype, icode, ip_proto, tls.version.
 *   buffers  one entry per (buffer id, transforms) pair the rule inspects,
 *            each with its ordered list of match items (content, pcre,
 *            byte_test, byte_jump, isdataat, bsize/urilen). Items of one
 *            buffer are in rule order; "relative" always means relative to
 *            the previous item of the SAME buffer.
 *   prefilter the fast pattern (Suricata's choice, see rule_fp_t).
 *   rate     threshold / detection_filter.
 *   output   sid gid rev msg category severity metadata, for EVE alerts.
 *
 * Content semantics (Suricata's), for a buffer B of length n, the cursor c
 * being the end of the previous successful match in B (0 at the start):
 *   - absolute content (no RULE_CT_RELATIVE): a match at position s needs
 *     s >= offset and, with RULE_CT_DEPTH, s + len <= offset + depth
 *     (depth counts from offset). startswith is stored as offset 0,
 *     depth len.
 *   - relative content (RULE_CT_RELATIVE, from distance and/or within):
 *     s >= c + distance (clamped at 0) and, with RULE_CT_WITHIN,
 *     s + len <= c + distance + within.
 *   - RULE_CT_ENDSWITH: additionally s + len == n.
 *   - RULE_CT_NEGATED: true when no match exists in that window; a negated
 *     item never moves the cursor.
 *   - a successful content moves c to s + len; a pcre to the end of its
 *     match; a byte_jump to its jump target; byte_test, isdataat and bsize
 *     leave c alone.
 *   - like Suricata, when a later item fails the matcher should retry the
 *     earlier items of the buffer at their next occurrence before giving
 *     up (bounded), otherwise "content:A; content:B; distance:0;" misses B
 *     after the second A.
 */
#ifndef SOC_RULE_H
#define SOC_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app_proto.h"

struct pcre2_real_code_8; /* pcre2_code from <pcre2.h> with PCRE2_CODE_UNIT_WIDTH 8 */

/* ---- header ------------------------------------------------------------ */

typedef enum rule_action {
    RULE_ACTION_ALERT = 0,
    RULE_ACTION_PASS,   /* a match suppresses every other alert on the packet/flow */
    RULE_ACTION_DROP,   /* reported as an alert in passive mode */
    RULE_ACTION_REJECT, /* reject, rejectsrc, rejectdst, rejectboth */
} rule_action_t;

/* IP protocols a rule applies to (rule_t.ipproto, a mask). */
#define RULE_IPPROTO_TCP   0x01
#define RULE_IPPROTO_UDP   0x02
#define RULE_IPPROTO_ICMP4 0x04
#define RULE_IPPROTO_ICMP6 0x08
#define RULE_IPPROTO_SCTP  0x10
#define RULE_IPPROTO_OTHER 0x20 /* any other IP protocol ("ip" rules) */
#define RULE_IPPROTO_ALL   0x3f

/* TCP payload source for payload (RULE_BUF_PAYLOAD) matches. */
typedef enum rule_stream_mode {
    RULE_STREAM_ANY = 0, /* packets and reassembled stream (tcp, app protocols) */
    RULE_STREAM_PKT,     /* "tcp-pkt", or flow:no_stream: packet payload only */
    RULE_STREAM_ONLY,    /* "tcp-stream", or flow:only_stream: stream only */
} rule_stream_mode_t;

/* Inclusive ranges. IPv4 in host byte order; IPv6 in network byte order
 * (compare with memcmp against soc_addr_t.b). Sorted, non-overlapping and
 * non-adjacent. */
typedef struct rule_v4_range {
    uint32_t lo, hi;
} rule_v4_range_t;

typedef struct rule_v6_range {
    uint8_t lo[16], hi[16];
} rule_v6_range_t;

/* An address group after variables, lists and negation are resolved: an
 * address matches when it lies in one of the ranges of its family. "any"
 * (every IPv4 and IPv6 address) is flagged so the matcher can skip it. */
typedef struct rule_addr {
    bool any;
    uint32_t n4, n6;
    const rule_v4_range_t *v4;
    const rule_v6_range_t *v6;
} rule_addr_t;

typedef struct rule_port_range {
    uint16_t lo, hi;
} rule_port_range_t;

/* A port group; ports are only checked for TCP, UDP and SCTP packets. */
typedef struct rule_ports {
    bool any;
    uint32_t n;
    const rule_port_range_t *r;
} rule_ports_t;

/* ---- buffers ----------------------------------------------------------- */

/* What a list of match items inspects. The HTTP buffers are per
 * transaction; see rule_buf_info() for the direction and app protocol of
 * each. */
typedef enum rule_buf {
    RULE_BUF_PAYLOAD = 0,          /* packet payload / reassembled stream ("pkt_data") */
    RULE_BUF_HTTP_URI,             /* http.uri: normalised (percent-decoded, path cleaned) */
    RULE_BUF_HTTP_URI_RAW,         /* http.uri.raw */
    RULE_BUF_HTTP_METHOD,          /* http.method */
    RULE_BUF_HTTP_HOST,            /* http.host: lower-cased, no port */
    RULE_BUF_HTTP_HOST_RAW,        /* http.host.raw */
    RULE_BUF_HTTP_USER_AGENT,      /* http.user_agent */
    RULE_BUF_HTTP_HEADER,          /* http.header: normalised "Name: value\r\n" lines */
    RULE_BUF_HTTP_HEADER_RAW,      /* http.header.raw */
    RULE_BUF_HTTP_HEADER_NAMES,    /* http.header_names: "\r\nName1\r\nName2\r\n\r\n" */
    RULE_BUF_HTTP_COOKIE,          /* http.cookie (Cookie / Set-Cookie) */
    RULE_BUF_HTTP_REQUEST_BODY,    /* http.request_body, http_client_body */
    RULE_BUF_HTTP_STAT_CODE,       /* http.stat_code */
    RULE_BUF_HTTP_STAT_MSG,        /* http.stat_msg */
    RULE_BUF_HTTP_RESPONSE_BODY,   /* http.response_body, http_server_body */
    RULE_BUF_FILE_DATA,            /* file.data / file_data: HTTP bodies (files) */
    RULE_BUF_HTTP_CONTENT_TYPE,    /* http.content_type */
    RULE_BUF_HTTP_CONTENT_LEN,     /* http.content_len */
    RULE_BUF_HTTP_REQUEST_LINE,    /* http.request_line */
    RULE_BUF_HTTP_RESPONSE_LINE,   /* http.response_line */
    RULE_BUF_HTTP_START,           /* http.start: start line + headers */
    RULE_BUF_HTTP_PROTOCOL,        /* http.protocol */
    RULE_BUF_HTTP_REFERER,         /* http.referer */
    RULE_BUF_HTTP_LOCATION,        /* http.location */
    RULE_BUF_HTTP_SERVER,          /* http.server */
    RULE_BUF_HTTP_ACCEPT,          /* http.accept */
    RULE_BUF_HTTP_ACCEPT_ENC,      /* http.accept_enc */
    RULE_BUF_HTTP_ACCEPT_LANG,     /* http.accept_lang */
    RULE_BUF_HTTP_CONNECTION,      /* http.connection */
    RULE_BUF_DNS_QUERY,            /* dns.query: each query name, dotted */
    RULE_BUF_TLS_SNI,              /* tls.sni */
    RULE_BUF_JA3_HASH,             /* ja3.hash: 32 lower-case hex digits */
    RULE_BUF_JA3_STRING,           /* ja3.string */
    RULE_BUF_JA3S_HASH,            /* ja3s.hash */
    RULE_BUF_JA3S_STRING,          /* ja3s.string */
    RULE_BUF_TLS_CERT_SUBJECT,     /* tls.cert_subject: leaf, "C=US, O=Example, CN=x" */
    RULE_BUF_TLS_CERT_ISSUER,      /* tls.cert_issuer: leaf, same form */
    RULE_BUF_TLS_CERT_SERIAL,      /* tls.cert_serial: leaf, "00:E1:A2" */
    RULE_BUF_TLS_CERT_FINGERPRINT, /* tls.cert_fingerprint: leaf SHA-1, "ab:cd:..." */
    RULE_BUF_TLS_CERTS,            /* tls.certs: each DER certificate (multi-buffer) */
    RULE_BUF_COUNT
} rule_buf_t;

/* Direction a buffer exists in (rule_buf_info_t.dir, a mask). */
#define RULE_DIR_TOSERVER 0x1
#define RULE_DIR_TOCLIENT 0x2

/* A multi-buffer (Suricata's name) is a list of elements inspected one by
 * one: the rule's items of that buffer must all match inside one element
 * (any one). The engine hands it over as a single span holding every
 * element, each preceded by its length in 3 bytes, big endian (the form of
 * TLS's certificate_list); the prefilter scans the whole span, the
 * verification (match_buffer) walks the elements. */
typedef struct rule_buf_info {
    const char *name; /* canonical keyword ("http.uri"; "payload") */
    app_proto_t app;  /* APP_UNKNOWN for the payload and file.data */
    uint8_t dir;      /* RULE_DIR_* mask */
} rule_buf_info_t;

/* Facts about a buffer id; NULL when out of range. */
const rule_buf_info_t *rule_buf_info(rule_buf_t id);
/* Whether the buffer is a multi-buffer (tls.certs), see above. */
bool rule_buf_multi(rule_buf_t id);

/* Transforms applied to a buffer before matching (rule_buffer_t.transforms). */
#define RULE_XFORM_DOTPREFIX 0x01 /* prepend '.' (dns.query, tls.sni) */

/* Numeric comparison shared by dsize, itype, icode, ip_proto, bsize,
 * urilen. Ranges are exclusive, as Suricata's "a<>b": lo < v < hi. */
typedef enum rule_cmp_op {
    RULE_CMP_EQ = 0, /* v == lo */
    RULE_CMP_NE,     /* v != lo */
    RULE_CMP_LT,     /* v < lo */
    RULE_CMP_LE,     /* v <= lo */
    RULE_CMP_GT,     /* v > lo */
    RULE_CMP_GE,     /* v >= lo */
    RULE_CMP_RANGE,  /* lo < v < hi */
} rule_cmp_op_t;

typedef struct rule_cmp {
    uint8_t op; /* rule_cmp_op_t */
    uint64_t lo, hi;
} rule_cmp_t;

/* True when v satisfies c. */
bool rule_cmp_match(const rule_cmp_t *c, uint64_t v);

/* ---- match items ------------------------------------------------------- */

/* rule_content_t.flags */
#define RULE_CT_NOCASE     0x0001
#define RULE_CT_NEGATED    0x0002
#define RULE_CT_RELATIVE   0x0004 /* distance and/or within given */
#define RULE_CT_DEPTH      0x0008 /* depth (or startswith) given */
#define RULE_CT_OFFSET     0x0010 /* offset given */
#define RULE_CT_DISTANCE   0x0020
#define RULE_CT_WITHIN     0x0040
#define RULE_CT_STARTSWITH 0x0080 /* stored as offset 0, depth len */
#define RULE_CT_ENDSWITH   0x0100
#define RULE_CT_FAST       0x0200 /* explicit fast_pattern */
#define RULE_CT_FAST_ONLY  0x0400 /* fast_pattern:only (no positional modifiers) */
#define RULE_CT_FAST_CHOP  0x0800 /* fast_pattern:off,len: fp_off/fp_len valid */
#define RULE_CT_RAWBYTES   0x1000 /* accepted, no effect (as Suricata) */

typedef struct rule_content {
    const uint8_t *pat; /* the bytes as written (hex and escapes decoded) */
    uint16_t len;       /* 1..65535 */
    uint16_t flags;     /* RULE_CT_* */
    int32_t offset;     /* RULE_CT_OFFSET: 0..65535 */
    int32_t depth;      /* RULE_CT_DEPTH: len..65535 */
    int32_t distance;   /* RULE_CT_DISTANCE: -65535..65535 */
    int32_t within;     /* RULE_CT_WITHIN: len..65535 */
    uint16_t fp_off;    /* RULE_CT_FAST_CHOP: slice used as fast pattern */
    uint16_t fp_len;
} rule_content_t;

/* rule_pcre_t.flags */
#define RULE_PCRE_NEGATED    0x01
#define RULE_PCRE_RELATIVE   0x02 /* R: search from the cursor */
#define RULE_PCRE_MATCHLIMIT 0x04 /* O: the rule overrides the match limits */
#define RULE_PCRE_RAWBYTES   0x08 /* B: accepted, no effect */

typedef struct rule_pcre {
    struct pcre2_real_code_8 *code; /* compiled (and JIT-compiled when enabled) */
    const char *text;               /* the option value as written, for messages */
    uint8_t flags;                  /* RULE_PCRE_* */
} rule_pcre_t;

/* byte_test / byte_jump flags */
#define RULE_BYTE_RELATIVE       0x01
#define RULE_BYTE_LITTLE         0x02 /* default big endian */
#define RULE_BYTE_STRING         0x04 /* ASCII number in base `base` */
#define RULE_BYTE_ALIGN          0x08 /* byte_jump: round the target up to 4 */
#define RULE_BYTE_FROM_BEGINNING 0x10 /* byte_jump: jump from the buffer start */
#define RULE_BYTE_FROM_END       0x20 /* byte_jump: jump from the buffer end */
#define RULE_BYTE_NEGATE         0x40 /* byte_test: "!" before the operator */

typedef enum rule_byte_op {
    RULE_BT_LT = 0, /* value < arg */
    RULE_BT_GT,
    RULE_BT_EQ,
    RULE_BT_LE,
    RULE_BT_GE,
    RULE_BT_AND, /* (value & arg) != 0 */
    RULE_BT_XOR, /* (value ^ arg) != 0 */
} rule_byte_op_t;

/* Read nbytes at offset (from the cursor when relative; string numbers are
 * parsed in base 8/10/16; bitmask is applied then the value is shifted right
 * by the mask's trailing zero bits, as Suricata), then compare. */
typedef struct rule_byte_test {
    uint8_t nbytes; /* 1..8 binary, 1..20 string */
    uint8_t op;     /* rule_byte_op_t */
    uint8_t flags;  /* RULE_BYTE_* */
    uint8_t base;   /* 8, 10 or 16 when RULE_BYTE_STRING */
    int32_t offset;
    uint64_t value;
    uint64_t bitmask; /* 0 = none */
} rule_byte_test_t;

/* Read a number v like byte_test at (cursor if relative, else 0) + offset,
 * then move the cursor to base + J with J = v * multiplier, rounded up to a
 * multiple of 4 with align, plus post_offset; base is the position just
 * after the bytes read, or 0 with from_beginning, or the buffer length with
 * from_end. A target outside the buffer fails the item (Suricata). */
typedef struct rule_byte_jump {
    uint8_t nbytes;
    uint8_t flags; /* RULE_BYTE_* */
    uint8_t base;
    int32_t offset;
    uint32_t multiplier; /* 1 unless given */
    int32_t post_offset;
    uint64_t bitmask;
} rule_byte_jump_t;

/* isdataat, as Suricata evaluates it: absolute "isdataat:n" holds when
 * n < buffer length (a byte exists at index n); relative holds when
 * cursor + n <= buffer length (n more bytes after the cursor). Negated
 * inverts, so "isdataat:!1,relative" means nothing follows the cursor. */
#define RULE_ISDATAAT_NEGATED  0x01
#define RULE_ISDATAAT_RELATIVE 0x02

typedef struct rule_isdataat {
    uint16_t n;
    uint8_t flags;
} rule_isdataat_t;

typedef enum rule_item_type {
    RULE_ITEM_CONTENT = 0,
    RULE_ITEM_PCRE,
    RULE_ITEM_BYTE_TEST,
    RULE_ITEM_BYTE_JUMP,
    RULE_ITEM_ISDATAAT,
    RULE_ITEM_BSIZE, /* bsize, and urilen on the uri buffers: buffer length */
} rule_item_type_t;

typedef struct rule_item {
    uint8_t type; /* rule_item_type_t */
    union {
        rule_content_t content;
        rule_pcre_t pcre;
        rule_byte_test_t byte_test;
        rule_byte_jump_t byte_jump;
        rule_isdataat_t isdataat;
        rule_cmp_t bsize;
    } u;
} rule_item_t;

/* One buffer a rule inspects and what must match in it (all items). */
typedef struct rule_buffer {
    uint8_t id;         /* rule_buf_t */
    uint8_t transforms; /* RULE_XFORM_* */
    uint16_t n_items;
    const rule_item_t *items;
} rule_buffer_t;

/* ---- checks without a buffer ------------------------------------------- */

/* rule_t.flow (the flow keyword) */
#define RULE_FLOW_ESTABLISHED     0x0001
#define RULE_FLOW_NOT_ESTABLISHED 0x0002
#define RULE_FLOW_STATELESS       0x0004
#define RULE_FLOW_TOSERVER        0x0008 /* to_server, from_client */
#define RULE_FLOW_TOCLIENT        0x0010 /* to_client, from_server */
#define RULE_FLOW_ONLY_STREAM     0x0020
#define RULE_FLOW_NO_STREAM       0x0040
#define RULE_FLOW_ONLY_FRAG       0x0080
#define RULE_FLOW_NO_FRAG         0x0100

typedef enum rule_flowbit_cmd {
    RULE_FB_SET = 0, /* set every id */
    RULE_FB_UNSET,
    RULE_FB_TOGGLE,
    RULE_FB_ISSET,    /* all ids set ("a&b"), or any of them when `any` ("a|b") */
    RULE_FB_ISNOTSET, /* all ids unset, or any of them unset when `any` */
} rule_flowbit_cmd_t;

/* Conditions (isset, isnotset) are checked before the rule matches;
 * actions (set, unset, toggle) run after it matched, in rule order. Ids are
 * small integers interned per rule set (rule_set_flowbit_name()). */
typedef struct rule_flowbit {
    uint8_t cmd; /* rule_flowbit_cmd_t */
    bool any;    /* names joined with '|' */
    uint16_t n;  /* 1..RULE_MAX_FLOWBIT_NAMES */
    const uint32_t *ids;
} rule_flowbit_t;

#define RULE_MAX_FLOWBIT_NAMES 16

/* flags keyword: bits as in packet_t.tcp_flags (TH_*). */
typedef enum rule_tcpflags_mode {
    RULE_TCPF_EXACT = 0, /* (pkt & ~ignore) == flags */
    RULE_TCPF_PLUS,      /* "+": all of flags set, others may be */
    RULE_TCPF_ANY,       /* "*": any of flags set */
    RULE_TCPF_NOT,       /* "!": not all of flags set (Suricata's reading) */
} rule_tcpflags_mode_t;

typedef struct rule_tcpflags {
    uint8_t mode;   /* rule_tcpflags_mode_t */
    uint8_t flags;  /* TH_* bits; 0 with EXACT means "no flags" */
    uint8_t ignore; /* bits masked off before comparing (",CE") */
} rule_tcpflags_t;

/* rule_t.checks: which of the optional tests below are present */
#define RULE_CHECK_DSIZE       0x01
#define RULE_CHECK_ITYPE       0x02
#define RULE_CHECK_ICODE       0x04
#define RULE_CHECK_IP_PROTO    0x08
#define RULE_CHECK_TCPFLAGS    0x10
#define RULE_CHECK_TLS_VERSION 0x20

/* ---- prefilter ----------------------------------------------------------- */

/* The content the multi-pattern prefilter looks for. Suricata's choice: the
 * content marked fast_pattern; else, among the buffers of the best class
 * (app-layer buffers before the payload), the non-negated contents if any,
 * the longest, then the most "diverse" (Suricata's pattern strength), then
 * the first. `only`: a prefilter hit is the whole content match (no need to
 * verify that item). */
typedef struct rule_fp {
    bool present; /* false: the rule has no content at all */
    bool nocase;
    bool negated;       /* explicitly chosen negated content: no gating */
    bool only;          /* fast_pattern:only */
    uint8_t buf;        /* index into rule_t.bufs */
    uint16_t item;      /* index into that buffer's items */
    uint16_t len;       /* bytes of the pattern (after fast_pattern:o,l) */
    const uint8_t *pat; /* points into the content's pattern */
} rule_fp_t;

/* ---- rate limits --------------------------------------------------------- */

typedef enum rule_thr_type {
    RULE_THR_NONE = 0,
    RULE_THR_LIMIT,            /* alert at most count times per seconds */
    RULE_THR_THRESHOLD,        /* alert every count-th match per seconds */
    RULE_THR_BOTH,             /* alert once when count matches within seconds */
    RULE_THR_DETECTION_FILTER, /* alert on each match after the count-th */
} rule_thr_type_t;

typedef enum rule_track {
    RULE_TRACK_SRC = 0,
    RULE_TRACK_DST,
    RULE_TRACK_RULE,
    RULE_TRACK_BOTH, /* by source and destination pair */
} rule_track_t;

typedef struct rule_threshold {
    uint8_t type;  /* rule_thr_type_t */
    uint8_t track; /* rule_track_t */
    uint32_t count;
    uint32_t seconds;
} rule_threshold_t;

/* ---- the rule -------------------------------------------------------------- */

typedef struct rule_meta {
    const char *key, *value; /* "created_at", "2018_09_05" */
} rule_meta_t;

typedef enum rule_target {
    RULE_TARGET_NONE = 0,
    RULE_TARGET_SRC, /* target:src_ip */
    RULE_TARGET_DST, /* target:dest_ip */
} rule_target_t;

typedef struct rule {
    /* identity and EVE alert fields */
    uint32_t sid, gid, rev;
    uint32_t index;        /* position in the set: matcher side tables */
    uint8_t action;        /* rule_action_t */
    uint8_t severity;      /* priority keyword, else the classtype's, else 3 */
    uint8_t target;        /* rule_target_t */
    bool noalert;          /* noalert or flowbits:noalert */
    const char *msg;       /* "" when absent */
    const char *classtype; /* short name or NULL */
    const char *category;  /* classtype description or NULL (EVE alert.category) */
    const char *file;      /* where it was read, for messages */
    uint32_t line;         /* first line of the rule */
    uint16_t n_meta;
    const rule_meta_t *meta; /* metadata in rule order; EVE groups by key */

    /* header */
    uint8_t ipproto;     /* RULE_IPPROTO_* mask */
    uint8_t stream_mode; /* rule_stream_mode_t */
    bool bidirectional;  /* "<>": also match with source and destination swapped */
    app_proto_t app;     /* APP_UNKNOWN: no app-layer requirement */
    const rule_addr_t *src, *dst;
    const rule_ports_t *sport, *dport;

    /* checks without a buffer */
    uint16_t flow;           /* RULE_FLOW_* */
    uint8_t checks;          /* RULE_CHECK_* */
    rule_cmp_t dsize;        /* payload length of the packet */
    rule_cmp_t itype, icode; /* ICMP type and code */
    rule_cmp_t ip_proto;
    rule_tcpflags_t tcpflags;
    uint16_t tls_version; /* 0x0300 ssl3, 0x0301..0x0304, or as given in hex */
    bool tls_version_neg;
    uint16_t n_flowbits;
    const rule_flowbit_t *flowbits; /* in rule order */

    /* buffers: payload first if present, then in order of first use */
    uint8_t n_bufs;
    const rule_buffer_t *bufs;
    rule_fp_t fp;

    rule_threshold_t threshold;
} rule_t;

#endif
