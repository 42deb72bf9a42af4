/* pcap_replicate.c -- build a large benchmark capture from small seed captures.
 *
 * Reads every seed capture (pcap or pcapng; Ethernet, Linux SLL/SLL2, raw IP
 * or BSD loopback), turns each frame into an Ethernet frame, lines all seeds up
 * on one clock (each seed's first packet at time zero) and writes every
 * packet N times, copy k with both IP addresses increased by k, so each
 * copy is a distinct set of flows and all copies are active at once. IPv4
 * header and TCP/UDP/ICMPv6 checksums are adjusted (RFC 1624) so the copies
 * stay valid packets.
 *
 *   pcap_replicate -o OUT.pcap [-s TARGET_MB | -n COPIES] SEED...
 *
 * Prints "packets=P wire_bytes=B copies=N seeds=S skipped=K" on success. */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SNAPLEN       262144u
#define ETH_HLEN      14u
#define MAX_SEED_DATA (512u << 20) /* bound on seed bytes held in memory */
#define MAX_COPIES    100000u
#define BASE_EPOCH    1709280000LL /* 2024-03-01 00:00 UTC + 8 h; any fixed time */

typedef struct rec {
    int64_t rel_usec; /* time since its seed's first packet */
    uint64_t off;     /* frame bytes in the arena */
    uint32_t caplen, wirelen;
    uint32_t seq; /* load order, to keep the sort stable */
} rec_t;

typedef struct seeds {
    rec_t *recs;
    size_t n, cap;
    uint8_t *arena;
    uint64_t used, arena_cap;
    uint64_t wire_bytes;
} seeds_t;

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t)(v >> 16));
    wr16(p + 2, (uint16_t)v);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word change. */
static uint16_t csum_fix16(uint16_t hc, uint16_t old, uint16_t new)
{
    uint32_t s = (uint16_t)~hc + (uint32_t)(uint16_t)~old + new;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static uint16_t csum_fix32(uint16_t hc, uint32_t old, uint32_t new)
{
    hc = csum_fix16(hc, (uint16_t)(old >> 16), (uint16_t)(new >> 16));
    return csum_fix16(hc, (uint16_t)old, (uint16_t) new);
}

/* Add k to the 32-bit word at p; fold the change into the checksums at
 * sums[] (NULL entries skipped). UDP's "no checksum" zero is kept. */
static void bump_word(uint8_t *p, uint32_t k, uint8_t *sums[2], int udp_sum)
{
    uint32_t old = rd32(p), new = old + k;
    wr32(p, new);
    for (int i = 0; i < 2; i++) {
        if (!sums[i]) continue;
        uint16_t hc = rd16(sums[i]);
        if (i == 1 && udp_sum && hc == 0) continue;
        uint16_t v = csum_fix32(hc, old, new);
        if (i == 1 && udp_sum && v == 0) v = 0xffff;
        wr16(sums[i], v);
    }
}

/* Offset of the transport checksum for proto at l4 (len bytes), or -1. */
static int l4_csum_off(uint8_t proto, uint32_t len)
{
    int off = proto == 6 ? 16 : proto == 17 ? 6 : proto == 58 ? 2 : -1;
    return off >= 0 && (uint32_t)off + 2 <= len ? off : -1;
}

static void rewrite_ipv4(uint8_t *ip, uint32_t len, uint32_t k)
{
    if (len < 20 || ip[0] >> 4 != 4) return;
    uint32_t hlen = (ip[0] & 0xfu) * 4u;
    if (hlen < 20 || hlen > len) return;
    uint8_t *sums[2] = {ip + 10, NULL};
    int frag_later = (rd16(ip + 6) & 0x1fff) != 0; /* no transport header here */
    int off = frag_later ? -1 : l4_csum_off(ip[9], len - hlen);
    if (off >= 0) sums[1] = ip + hlen + off;
    bump_word(ip + 12, k, sums, ip[9] == 17);
    bump_word(ip + 16, k, sums, ip[9] == 17);
}

static void rewrite_ipv6(uint8_t *ip, uint32_t len, uint32_t k)
{
    if (len < 40 || ip[0] >> 4 != 6) return;
    uint8_t nh = ip[6];
    uint32_t pos = 40;
    int has_l4 = 1;
    /* walk hop-by-hop, routing, destination options and fragment headers */
    while (has_l4 && (nh == 0 || nh == 43 || nh == 60 || nh == 44)) {
        if (pos + 8 > len) return;
        uint32_t ext = nh == 44 ? 8u : ((uint32_t)ip[pos + 1] + 1u) * 8u;
        if (nh == 44 && (rd16(ip + pos + 2) & 0xfff8) != 0) has_l4 = 0;
        nh = ip[pos];
        pos += ext;
    }
    uint8_t *sums[2] = {NULL, NULL};
    int off = has_l4 && pos <= len ? l4_csum_off(nh, len - pos) : -1;
    if (off >= 0) sums[1] = ip + pos + off;
    bump_word(ip + 20, k, sums, nh == 17);
    bump_word(ip + 36, k, sums, nh == 17);
}

/* Rewrite copy k of an Ethernet frame in place. */
static void rewrite(uint8_t *f, uint32_t caplen, uint32_t k)
{
    if (k == 0 || caplen < ETH_HLEN) return;
    uint32_t pos = 12;
    uint16_t type = rd16(f + pos);
    for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; tags++) {
        pos += 4;
        if (pos + 2 > caplen) return;
        type = rd16(f + pos);
    }
    pos += 2;
    if (type == 0x0800) rewrite_ipv4(f + pos, caplen - pos, k);
    if (type == 0x86dd) rewrite_ipv6(f + pos, caplen - pos, k);
}

/* Length of the link header to drop and the ethertype the frame carries,
 * for link types other than Ethernet. Returns 0 when the frame is unusable. */
static int link_to_ether(int dlt, const uint8_t *d, uint32_t caplen, uint32_t *hlen,
                         uint16_t *etype)
{
    switch (dlt) {
    case DLT_LINUX_SLL:
        if (caplen < 16) return 0;
        *hlen = 16;
        *etype = rd16(d + 14);
        return 1;
    case DLT_LINUX_SLL2:
        if (caplen < 20) return 0;
        *hlen = 20;
        *etype = rd16(d);
        return 1;
    case DLT_NULL:
    case DLT_LOOP:
        if (caplen < 5) return 0;
        *hlen = 4;
        break;
    case DLT_RAW:
    case 101: /* LINKTYPE_RAW as stored in files */
        if (caplen < 1) return 0;
        *hlen = 0;
        break;
    default: return 0;
    }
    uint8_t v = d[*hlen] >> 4;
    if (v != 4 && v != 6) return 0;
    *etype = v == 4 ? 0x0800 : 0x86dd;
    return 1;
}

static int seeds_push(seeds_t *s, const struct pcap_pkthdr *h, const uint8_t *d, int dlt,
                      int64_t rel)
{
    uint32_t hlen = 0;
    uint16_t etype = 0;
    int ether = dlt == DLT_EN10MB;
    if (!ether && !link_to_ether(dlt, d, h->caplen, &hlen, &etype)) return 0;
    uint32_t caplen = ether ? h->caplen : h->caplen - hlen + ETH_HLEN;
    uint32_t wirelen = ether ? h->len : h->len - hlen + ETH_HLEN;
    if (caplen > SNAPLEN) return 0;
    if (s->used + caplen > MAX_SEED_DATA) return -1;
    if (s->used + caplen > s->arena_cap) {
        uint64_t nc = s->arena_cap ? s->arena_cap * 2 : (1u << 20);
        while (nc < s->used + caplen)
            nc *= 2;
        if (nc > MAX_SEED_DATA) nc = MAX_SEED_DATA;
        uint8_t *na = realloc(s->arena, nc);
        if (!na) return -1;
        s->arena = na;
        s->arena_cap = nc;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 4096;
        rec_t *nr = realloc(s->recs, nc * sizeof(*nr));
        if (!nr) return -1;
        s->recs = nr;
        s->cap = nc;
    }
    uint8_t *dst = s->arena + s->used;
    if (ether) {
        memcpy(dst, d, caplen);
    } else {
        /* synthetic Ethernet header: fixed locally administered MACs */
        static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
        memcpy(dst, macs, 12);
        wr16(dst + 12, etype);
        memcpy(dst + ETH_HLEN, d + hlen, h->caplen - hlen);
    }
    s->recs[s->n] = (rec_t){rel, s->used, caplen, wirelen, (uint32_t)s->n};
    s->n++;
    s->used += caplen;
    s->wire_bytes += wirelen;
    return 1;
}

/* Load one seed; returns packets kept, or -1 on a hard error. */
static long load_seed(seeds_t *s, const char *path)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    if (!p) {
        fprintf(stderr, "pcap_replicate: %s: %s (skipped)\n", path, err);
        return 0;
    }
    int dlt = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const uint8_t *d;
    int64_t first = -1;
    long kept = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        int64_t t = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        if (first < 0) first = t;
        int r = seeds_push(s, h, d, dlt, t - first < 0 ? 0 : t - first);
        if (r < 0) {
            fprintf(stderr, "pcap_replicate: seed data over %u MB or out of memory\n",
                    MAX_SEED_DATA >> 20);
            pcap_close(p);
            return -1;
        }
        kept += r;
    }
    pcap_close(p);
    return kept;
}

static int rec_cmp(const void *a, const void *b)
{
    const rec_t *x = a, *y = b;
    if (x->rel_usec != y->rel_usec) return x->rel_usec < y->rel_usec ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int write_out(const seeds_t *s, const char *out, uint32_t copies, uint64_t *pkts,
                     uint64_t *bytes)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
    if (!dead) return -1;
    pcap_dumper_t *dump = pcap_dump_open(dead, out);
    if (!dump) {
        fprintf(stderr, "pcap_replicate: %s: %s\n", out, pcap_geterr(dead));
        pcap_close(dead);
        return -1;
    }
    static uint8_t buf[SNAPLEN];
    for (size_t i = 0; i < s->n; i++) {
        const rec_t *r = &s->recs[i];
        int64_t t = BASE_EPOCH * 1000000 + r->rel_usec;
        struct pcap_pkthdr h = {.caplen = r->caplen, .len = r->wirelen};
        h.ts.tv_sec = (time_t)(t / 1000000);
        h.ts.tv_usec = (suseconds_t)(t % 1000000);
        for (uint32_t k = 0; k < copies; k++) {
            memcpy(buf, s->arena + r->off, r->caplen);
            rewrite(buf, r->caplen, k);
            pcap_dump((u_char *)dump, &h, buf);
            *pkts += 1;
            *bytes += r->wirelen;
        }
    }
    int bad = pcap_dump_flush(dump) != 0;
    pcap_dump_close(dump);
    pcap_close(dead);
    return bad ? -1 : 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: pcap_replicate -o OUT.pcap [-s TARGET_MB | -n COPIES] SEED...\n");
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    unsigned long target_mb = 500, copies_opt = 0;
    int opt;
    while ((opt = getopt(argc, argv, "o:s:n:h")) != -1) {
        switch (opt) {
        case 'o': out = optarg; break;
        case 's': target_mb = strtoul(optarg, NULL, 10); break;
        case 'n': copies_opt = strtoul(optarg, NULL, 10); break;
        default: usage(); return 2;
        }
    }
    if (!out || optind >= argc || copies_opt > MAX_COPIES) {
        usage();
        return 2;
    }
    seeds_t s = {0};
    int nseeds = 0, skipped = 0;
    for (int i = optind; i < argc; i++) {
        long n = load_seed(&s, argv[i]);
        if (n < 0) return 1;
        if (n == 0)
            skipped++;
        else
            nseeds++;
    }
    if (s.n == 0 || s.wire_bytes == 0) {
        fprintf(stderr, "pcap_replicate: no usable packets in the seeds\n");
        return 1;
    }
    qsort(s.recs, s.n, sizeof(*s.recs), rec_cmp);
    uint64_t want = (uint64_t)target_mb << 20;
    uint64_t copies = copies_opt ? copies_opt : (want + s.wire_bytes - 1) / s.wire_bytes;
    if (copies == 0) copies = 1;
    if (copies > MAX_COPIES) copies = MAX_COPIES;
    uint64_t pkts = 0, bytes = 0;
    int rc = write_out(&s, out, (uint32_t)copies, &pkts, &bytes);
    free(s.recs);
    free(s.arena);
    if (rc != 0) return 1;
    printf("packets=%" PRIu64 " wire_bytes=%" PRIu64 " copies=%" PRIu64 " seeds=%d skipped=%d\n",
           pkts, bytes, copies, nseeds, skipped);
    return 0;
}
