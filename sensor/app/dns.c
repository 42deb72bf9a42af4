/* dns.c -- DNS message parser (see dns.h). */
#include "dns.h"

#include <string.h>

#define DNS_MAX_HOPS 128 /* compression pointers followed per name */

typedef struct reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    dns_msg_t *m;
} reader_t;

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Decode the name at *pos into out (dotted, at most DNS_MAX_NAME - 1 bytes).
 * *pos moves past the name's bytes in place (up to its first pointer). */
static bool decode_name(const uint8_t *buf, size_t len, size_t *pos, char *out, size_t *out_len)
{
    size_t p = *pos, o = 0, wire = 1; /* the root label's zero octet */
    bool jumped = false;
    int hops = 0;
    for (;;) {
        if (p >= len) return false;
        uint8_t c = buf[p];
        if (c == 0) {
            if (!jumped) *pos = p + 1;
            break;
        }
        if ((c & 0xc0) == 0xc0) {
            if (p + 1 >= len) return false;
            size_t off = ((size_t)(c & 0x3f) << 8) | buf[p + 1];
            if (!jumped) *pos = p + 2;
            jumped = true;
            if (off >= len || ++hops > DNS_MAX_HOPS) return false;
            p = off;
            continue;
        }
        if (c & 0xc0) return false; /* 0x40/0x80: obsolete extended label types */
        if (p + 1 + c > len) return false;
        wire += (size_t)c + 1;
        if (wire > DNS_MAX_NAME) return false;
        if (o > 0) out[o++] = '.';
        memcpy(out + o, buf + p + 1, c);
        o += c;
        p += 1 + (size_t)c;
    }
    *out_len = o;
    return true;
}

/* Append bytes to m->text; false (and records_dropped) when full. */
static bool text_put(dns_msg_t *m, const void *p, size_t n, dns_str_t *s)
{
    if (n > DNS_TEXT_MAX - m->text_len) {
        m->records_dropped = true;
        return false;
    }
    memcpy(m->text + m->text_len, p, n);
    s->off = (uint16_t)m->text_len;
    s->len = (uint16_t)n;
    m->text_len += (uint32_t)n;
    return true;
}

/* Read a name at r->pos; store it in text when s is not NULL. */
static bool read_name(reader_t *r, dns_str_t *s, bool *stored)
{
    char tmp[DNS_MAX_NAME];
    size_t n;
    if (!decode_name(r->buf, r->len, &r->pos, tmp, &n)) return false;
    if (s != NULL && !text_put(r->m, tmp, n, s)) *stored = false;
    return true;
}

/* Name inside rdata [r->pos, end): must not run past the rdata. */
static bool rdata_name(reader_t *r, size_t end, dns_str_t *s, bool *stored)
{
    if (!read_name(r, s, stored)) return false;
    return r->pos <= end;
}

/* Decode the rdata the EVE output shows. r->pos is at rdata start; end is
 * its end. Unknown types and odd sizes are left undecoded, not errors. */
static bool parse_rdata(reader_t *r, size_t end, dns_rr_t *rr, bool *stored)
{
    size_t n = end - r->pos;
    const uint8_t *p = r->buf + r->pos;
    switch (rr->type) {
    case 1:  /* A */
    case 28: /* AAAA */
        if (n == (rr->type == 1 ? 4u : 16u)) {
            rr->kind = DNS_RDATA_ADDR;
            rr->addr_len = (uint8_t)n;
            memcpy(rr->addr, p, n);
        }
        return true;
    case 2: /* NS */
    case 5: /* CNAME */
    case 12: /* PTR */ rr->kind = DNS_RDATA_NAME; return rdata_name(r, end, &rr->text, stored);
    case 15: /* MX: preference, exchange */
        if (n < 2) return false;
        r->pos += 2;
        rr->kind = DNS_RDATA_NAME;
        return rdata_name(r, end, &rr->text, stored);
    case 16: /* TXT: the first character-string, like Suricata 7 */
        if (n >= 1 && (size_t)p[0] + 1 <= n) {
            rr->kind = DNS_RDATA_TEXT;
            if (!text_put(r->m, p + 1, p[0], &rr->text)) *stored = false;
        }
        return true;
    case 6: /* SOA */
        rr->kind = DNS_RDATA_SOA;
        if (!rdata_name(r, end, &rr->text, stored) || !rdata_name(r, end, &rr->rname, stored))
            return false;
        if (end - r->pos < 20) return false;
        for (int i = 0; i < 5; i++)
            rr->soa[i] = rd32(r->buf + r->pos + 4 * (size_t)i);
        return true;
    case 33: /* SRV */
        if (n < 6) return false;
        rr->kind = DNS_RDATA_SRV;
        rr->srv_priority = rd16(p);
        rr->srv_weight = rd16(p + 2);
        rr->srv_port = rd16(p + 4);
        r->pos += 6;
        return rdata_name(r, end, &rr->text, stored);
    default: return true;
    }
}

/* One resource record. rr is scratch space when the record is not kept. */
static bool parse_rr(reader_t *r, dns_rr_t *rr, bool keep)
{
    bool stored = true;
    memset(rr, 0, sizeof(*rr));
    if (!read_name(r, keep ? &rr->name : NULL, &stored)) return false;
    if (r->len - r->pos < 10) return false;
    const uint8_t *p = r->buf + r->pos;
    rr->type = rd16(p);
    rr->klass = rd16(p + 2);
    rr->ttl = rd32(p + 4);
    size_t rdlen = rd16(p + 8);
    r->pos += 10;
    if (r->len - r->pos < rdlen) return false;
    size_t end = r->pos + rdlen;
    if (keep) {
        if (!parse_rdata(r, end, rr, &stored)) return false;
        if (!stored) rr->kind = DNS_RDATA_NONE; /* text full: keep the record, drop its data */
    }
    r->pos = end;
    return true;
}

static bool parse_section(reader_t *r, unsigned count, dns_rr_t *arr, uint8_t *n, unsigned max)
{
    dns_rr_t scratch;
    for (unsigned i = 0; i < count; i++) {
        bool keep = arr != NULL && *n < max;
        if (!parse_rr(r, keep ? &arr[*n] : &scratch, keep)) return false;
        if (keep)
            (*n)++;
        else if (arr != NULL)
            r->m->records_dropped = true;
    }
    return true;
}

static bool parse_questions(reader_t *r)
{
    dns_msg_t *m = r->m;
    for (unsigned i = 0; i < m->qdcount; i++) {
        bool stored = true;
        dns_query_t q = {{0, 0}, 0, 0};
        if (!read_name(r, m->nqueries < DNS_MAX_QUERIES ? &q.name : NULL, &stored)) return false;
        if (r->len - r->pos < 4) return false;
        q.type = rd16(r->buf + r->pos);
        q.klass = rd16(r->buf + r->pos + 2);
        r->pos += 4;
        if (m->nqueries < DNS_MAX_QUERIES)
            m->queries[m->nqueries++] = q;
        else
            m->records_dropped = true;
    }
    return true;
}

app_parse_t dns_parse(const uint8_t *buf, size_t len, dns_msg_t *m)
{
    /* Only the header and counters are reset: the arrays are written before
     * they are read, and clearing 40 KiB per message would be wasted. */
    m->nqueries = m->nanswers = m->nauth = 0;
    m->records_dropped = false;
    m->tx_id = 0;
    m->text_len = 0;
    if (len < DNS_HEADER_LEN) return APP_PARSE_ERROR;
    m->id = rd16(buf);
    m->flags = rd16(buf + 2);
    m->qdcount = rd16(buf + 4);
    m->ancount = rd16(buf + 6);
    m->nscount = rd16(buf + 8);
    m->arcount = rd16(buf + 10);
    reader_t r = {buf, len, DNS_HEADER_LEN, m};
    if (!parse_questions(&r)) return APP_PARSE_ERROR;
    if (!parse_section(&r, m->ancount, m->answers, &m->nanswers, DNS_MAX_ANSWERS) ||
        !parse_section(&r, m->nscount, m->auth, &m->nauth, DNS_MAX_AUTH) ||
        !parse_section(&r, m->arcount, NULL, NULL, 0))
        return APP_PARSE_ERROR;
    return APP_PARSE_DONE;
}

bool dns_probe(const uint8_t *buf, size_t len)
{
    if (len < DNS_HEADER_LEN) return false;
    uint16_t flags = rd16(buf + 2);
    unsigned opcode = (flags >> 11) & 0xf;
    unsigned qd = rd16(buf + 4);
    unsigned rrs = (unsigned)rd16(buf + 6) + rd16(buf + 8) + rd16(buf + 10);
    if (opcode == 3 || opcode > 6) return false;
    if (qd > 16 || rrs > 1024) return false;
    /* A query asks something (UPDATE, opcode 5, has a zone "question"). */
    return (flags & DNS_FLAG_QR) || qd >= 1;
}

const char *dns_rcode_name(unsigned rcode)
{
    static const char *const names[] = {
        "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",
    };
    static const char *const ext[] = {
        "BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE",
    };
    if (rcode < sizeof(names) / sizeof(names[0])) return names[rcode];
    if (rcode >= 16 && rcode - 16 < sizeof(ext) / sizeof(ext[0])) return ext[rcode - 16];
    return NULL;
}

const char *dns_rrtype_name(unsigned type)
{
    static const char *const low[] = {
        [1] = "A",      [2] = "NS",        [3] = "MD",          [4] = "MF",     [5] = "CNAME",
        [6] = "SOA",    [7] = "MB",        [8] = "MG",          [9] = "MR",     [10] = "NULL",
        [11] = "WKS",   [12] = "PTR",      [13] = "HINFO",      [14] = "MINFO", [15] = "MX",
        [16] = "TXT",   [17] = "RP",       [18] = "AFSDB",      [19] = "X25",   [20] = "ISDN",
        [21] = "RT",    [22] = "NSAP",     [23] = "NSAPPTR",    [24] = "SIG",   [25] = "KEY",
        [26] = "PX",    [27] = "GPOS",     [28] = "AAAA",       [29] = "LOC",   [30] = "NXT",
        [33] = "SRV",   [34] = "ATMA",     [35] = "NAPTR",      [36] = "KX",    [37] = "CERT",
        [38] = "A6",    [39] = "DNAME",    [41] = "OPT",        [42] = "APL",   [43] = "DS",
        [44] = "SSHFP", [45] = "IPSECKEY", [46] = "RRSIG",      [47] = "NSEC",  [48] = "DNSKEY",
        [49] = "DHCID", [50] = "NSEC3",    [51] = "NSEC3PARAM", [52] = "TLSA",  [55] = "HIP",
        [59] = "CDS",   [60] = "CDNSKEY",  [64] = "SVCB",       [65] = "HTTPS", [99] = "SPF",
    };
    if (type < sizeof(low) / sizeof(low[0])) return low[type];
    switch (type) {
    case 249: return "TKEY";
    case 250: return "TSIG";
    case 251: return "IXFR";
    case 252: return "AXFR";
    case 254: return "MAILA";
    case 255: return "ANY";
    case 256: return "URI";
    case 257: return "CAA";
    default: return NULL;
    }
}
