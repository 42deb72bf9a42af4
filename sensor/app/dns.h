/* dns.h -- DNS message parser (RFC 1035 wire format).
 *
 * Pure: parses one message from a byte span into a caller-owned dns_msg_t,
 * which holds every decoded name and text in its own bounded buffer (no
 * allocation, no pointers into the input). Names are decompressed with
 * pointer hops and length bounded; their labels are kept as raw bytes joined
 * by '.', and the JSON writer escapes what is not printable (Suricata keeps
 * them raw too). The root name is the empty string. */
#ifndef SOC_DNS_H
#define SOC_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_proto.h"

#define DNS_HEADER_LEN  12
#define DNS_MAX_QUERIES 8  /* questions recorded (the rest are parsed only) */
#define DNS_MAX_ANSWERS 64 /* answer RRs recorded */
#define DNS_MAX_AUTH    16 /* authority RRs recorded */
#define DNS_TEXT_MAX    32768
#define DNS_MAX_NAME    255 /* wire octets of a name, RFC 1035 2.3.4 */

/* Flag bits of the header's second word. */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_Z  0x0040

/* A string in dns_msg_t.text. */
typedef struct dns_str {
    uint16_t off, len;
} dns_str_t;

typedef struct dns_query {
    dns_str_t name;
    uint16_t type, klass;
} dns_query_t;

typedef enum dns_rdata_kind {
    DNS_RDATA_NONE, /* type not decoded; EVE omits rdata */
    DNS_RDATA_ADDR, /* A, AAAA: addr[addr_len] */
    DNS_RDATA_NAME, /* CNAME, NS, PTR, MX: text = the name */
    DNS_RDATA_TEXT, /* TXT: text = the first character-string */
    DNS_RDATA_SOA,  /* text = mname, rname, soa[] */
    DNS_RDATA_SRV,  /* text = target, srv_* */
} dns_rdata_kind_t;

typedef struct dns_rr {
    dns_str_t name;
    uint16_t type, klass;
    uint32_t ttl;
    uint8_t kind; /* dns_rdata_kind_t */
    uint8_t addr_len;
    uint8_t addr[16];
    dns_str_t text;
    dns_str_t rname; /* SOA */
    uint32_t soa[5]; /* serial, refresh, retry, expire, minimum */
    uint16_t srv_priority, srv_weight, srv_port;
} dns_rr_t;

typedef struct dns_msg {
    uint16_t id, flags;
    uint16_t qdcount, ancount, nscount, arcount; /* as in the header */
    uint8_t nqueries, nanswers, nauth;           /* recorded */
    bool records_dropped;                        /* more RRs (or text) than the bounds hold */
    uint64_t tx_id; /* set by the app layer for EVE, not by the parser */
    dns_query_t queries[DNS_MAX_QUERIES];
    dns_rr_t answers[DNS_MAX_ANSWERS];
    dns_rr_t auth[DNS_MAX_AUTH];
    uint32_t text_len;
    char text[DNS_TEXT_MAX];
} dns_msg_t;

/* Parse the message in buf[0..len). DONE fills *m; ERROR when anything
 * (header, a name, a record) is malformed or runs past len. Bytes after the
 * last record are ignored. Never MORE: the caller frames messages. */
app_parse_t dns_parse(const uint8_t *buf, size_t len, dns_msg_t *m);

/* Quick plausibility check of a header for probing (len >= 12). */
bool dns_probe(const uint8_t *buf, size_t len);

/* Pointer to the bytes of a string in m->text. */
static inline const char *dns_str(const dns_msg_t *m, dns_str_t s)
{
    return m->text + s.off;
}

static inline bool dns_is_response(const dns_msg_t *m)
{
    return (m->flags & DNS_FLAG_QR) != 0;
}
static inline unsigned dns_opcode(const dns_msg_t *m)
{
    return (m->flags >> 11) & 0xf;
}

/* Suricata's names: "NOERROR", "NXDOMAIN", ... ; NULL when the code has none
 * (EVE then prints the number). */
const char *dns_rcode_name(unsigned rcode);
/* "A", "AAAA", ... ; NULL for types without a name (EVE prints the number). */
const char *dns_rrtype_name(unsigned type);

#endif
