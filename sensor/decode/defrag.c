/* defrag.c -- fragment reassembly (see defrag.h for the policy).
 *
 * A tracker holds one partial datagram: its key, the sorted list of byte
 * ranges received so far (merged when they touch), the header of the first
 * fragment, and a page per 2 KiB of payload position. Trackers live in one
 * array; in use they sit in a hash chain and in an age list (oldest first)
 * that timeouts and memory pressure consume from the head. */
#include "defrag.h"

#include <stdlib.h>
#include <string.h>

#include "decode_int.h"

#define PAGE_SHIFT  11
#define PAGE_SIZE   (1u << PAGE_SHIFT)
#define PAYLOAD_MAX 65535u /* no reassembled payload can be longer */
#define MAX_PAGES   ((PAYLOAD_MAX >> PAGE_SHIFT) + 1)
#define MAX_RANGES  16     /* disjoint islands per datagram; more is an attack */
#define MAX_NPAGES  65535u /* page ids are uint16_t, 0 = none */
#define NIL         UINT32_MAX

_Static_assert(PAGE_SIZE == DEFRAG_PAGE_SIZE, "page size");

typedef struct range {
    uint16_t start, end; /* [start, end) in payload bytes, end <= 65535 */
} range_t;

typedef struct tracker {
    /* key */
    uint8_t src[16], dst[16];
    uint32_t id;
    uint16_t vlan[PKT_MAX_VLAN];
    uint8_t version;
    uint8_t kproto; /* IPv4 protocol; 0 for IPv6 */
    /* state */
    uint8_t proto;     /* payload protocol, from the first fragment (IPv6) */
    uint8_t have_last; /* total is known */
    uint8_t nranges;
    uint16_t nh_off;  /* IPv6: next-header byte to patch */
    uint16_t hdr_len; /* 0 until the offset-0 fragment came */
    uint16_t hdr_page;
    uint32_t total; /* payload length, once have_last */
    uint32_t hash;
    uint32_t hnext;      /* hash chain, or free list */
    uint32_t prev, next; /* age list */
    int64_t first_usec;
    uint32_t frames;     /* fragment frames seen, and their wire bytes: */
    uint64_t wire_bytes; /* the flow counts every frame of the datagram */
    uint16_t page[MAX_PAGES];
    range_t r[MAX_RANGES];
} tracker_t;

struct defrag {
    int64_t timeout_usec;
    tracker_t *trk;
    uint32_t ntrk, used;
    uint32_t free_trk;
    uint32_t *bucket;
    uint32_t bucket_mask;
    uint32_t oldest, newest;
    uint8_t *pages; /* npages * PAGE_SIZE */
    uint16_t *free_pages;
    uint32_t npages, nfree;
    uint8_t *out; /* rebuilt datagram */
};

/* ---- life cycle ---- */

defrag_t *defrag_new(const defrag_config_t *cfg)
{
    defrag_t *df = calloc(1, sizeof(*df));
    if (!df) return NULL;
    df->timeout_usec = (int64_t)cfg->timeout_sec * 1000000;
    df->ntrk = cfg->max_trackers;
    df->npages = cfg->memcap_bytes / PAGE_SIZE;
    if (df->npages > MAX_NPAGES) df->npages = MAX_NPAGES;
    uint32_t nb = 1;
    while (nb < df->ntrk && nb < (1u << 30))
        nb <<= 1;
    df->bucket_mask = nb - 1;
    df->trk = calloc(df->ntrk, sizeof(tracker_t));
    df->bucket = malloc((size_t)nb * sizeof(uint32_t));
    df->pages = malloc((size_t)df->npages * PAGE_SIZE + 1);
    df->free_pages = malloc((size_t)df->npages * sizeof(uint16_t) + 1);
    df->out = malloc(DEFRAG_HDR_MAX + PAYLOAD_MAX);
    if (!df->trk || !df->bucket || !df->pages || !df->free_pages || !df->out) {
        defrag_free(df);
        return NULL;
    }
    for (uint32_t i = 0; i < nb; i++)
        df->bucket[i] = NIL;
    for (uint32_t i = 0; i < df->ntrk; i++)
        df->trk[i].hnext = i + 1 < df->ntrk ? i + 1 : NIL;
    df->free_trk = df->ntrk ? 0 : NIL;
    /* Hand out low page ids first. */
    for (uint32_t i = 0; i < df->npages; i++)
        df->free_pages[i] = (uint16_t)(df->npages - i);
    df->nfree = df->npages;
    df->oldest = df->newest = NIL;
    return df;
}

void defrag_free(defrag_t *df)
{
    if (!df) return;
    free(df->trk);
    free(df->bucket);
    free(df->pages);
    free(df->free_pages);
    free(df->out);
    free(df);
}

void defrag_usage(const defrag_t *df, uint32_t *trackers, uint32_t *bytes)
{
    *trackers = df->used;
    *bytes = (df->npages - df->nfree) * PAGE_SIZE;
}

/* ---- pages ---- */

static inline uint8_t *page_data(const defrag_t *df, uint16_t id)
{
    return df->pages + (size_t)(id - 1) * PAGE_SIZE;
}

static void page_put(defrag_t *df, uint16_t *id)
{
    if (*id) df->free_pages[df->nfree++] = *id;
    *id = 0;
}

/* Copy len bytes of src to payload position pos (pages present). */
static void region_write(const defrag_t *df, const tracker_t *t, uint32_t pos, const uint8_t *src,
                         uint32_t len)
{
    while (len) {
        const uint32_t in = pos & (PAGE_SIZE - 1);
        const uint32_t n = min_u32(len, PAGE_SIZE - in);
        memcpy(page_data(df, t->page[pos >> PAGE_SHIFT]) + in, src, n);
        pos += n;
        src += n;
        len -= n;
    }
}

static void region_read(const defrag_t *df, const tracker_t *t, uint32_t pos, uint8_t *dst,
                        uint32_t len)
{
    while (len) {
        const uint32_t in = pos & (PAGE_SIZE - 1);
        const uint32_t n = min_u32(len, PAGE_SIZE - in);
        memcpy(dst, page_data(df, t->page[pos >> PAGE_SHIFT]) + in, n);
        pos += n;
        dst += n;
        len -= n;
    }
}

static int region_equal(const defrag_t *df, const tracker_t *t, uint32_t pos, const uint8_t *src,
                        uint32_t len)
{
    while (len) {
        const uint32_t in = pos & (PAGE_SIZE - 1);
        const uint32_t n = min_u32(len, PAGE_SIZE - in);
        if (memcmp(page_data(df, t->page[pos >> PAGE_SHIFT]) + in, src, n) != 0) return 0;
        pos += n;
        src += n;
        len -= n;
    }
    return 1;
}

/* ---- trackers: hash, age list ---- */

static uint32_t mix(uint32_t h, uint32_t w)
{
    h ^= w;
    h *= 0x9e3779b1u;
    return h ^ (h >> 15);
}

static uint32_t key_hash(const tracker_t *k)
{
    uint32_t h = 0x2545f491u;
    for (int i = 0; i < 16; i += 4) {
        h = mix(h, rd32(k->src + i));
        h = mix(h, rd32(k->dst + i));
    }
    h = mix(h, k->id);
    h = mix(h, (uint32_t)k->version << 24 | (uint32_t)k->kproto << 16);
    for (int i = 0; i < PKT_MAX_VLAN; i++)
        h = mix(h, k->vlan[i]);
    return h;
}

static int key_eq(const tracker_t *a, const tracker_t *b)
{
    return a->id == b->id && a->version == b->version && a->kproto == b->kproto &&
           memcmp(a->vlan, b->vlan, sizeof(a->vlan)) == 0 && memcmp(a->src, b->src, 16) == 0 &&
           memcmp(a->dst, b->dst, 16) == 0;
}

/* Unlink tracker i from its bucket and the age list, free its pages. */
static void tracker_drop(defrag_t *df, uint32_t i)
{
    tracker_t *t = &df->trk[i];
    uint32_t *link = &df->bucket[t->hash & df->bucket_mask];
    while (*link != i)
        link = &df->trk[*link].hnext;
    *link = t->hnext;
    if (t->prev != NIL)
        df->trk[t->prev].next = t->next;
    else
        df->oldest = t->next;
    if (t->next != NIL)
        df->trk[t->next].prev = t->prev;
    else
        df->newest = t->prev;
    for (uint32_t k = 0; k < MAX_PAGES; k++)
        page_put(df, &t->page[k]);
    page_put(df, &t->hdr_page);
    t->hnext = df->free_trk;
    df->free_trk = i;
    df->used--;
}

/* Drop the oldest partial datagram other than `keep`; 0 when none. */
static int evict_oldest(defrag_t *df, decode_stats_t *st, uint32_t keep)
{
    uint32_t i = df->oldest;
    if (i == keep && i != NIL) i = df->trk[i].next;
    if (i == NIL) return 0;
    tracker_drop(df, i);
    st->anomalies[ANOM_FRAG_MEMCAP]++;
    return 1;
}

static int page_get(defrag_t *df, decode_stats_t *st, uint32_t keep, uint16_t *id)
{
    if (*id) return 1;
    while (df->nfree == 0)
        if (!evict_oldest(df, st, keep)) return 0;
    *id = df->free_pages[--df->nfree];
    return 1;
}

static void expire(defrag_t *df, int64_t now_usec, uint64_t *timed_out)
{
    while (df->oldest != NIL && now_usec - df->trk[df->oldest].first_usec > df->timeout_usec) {
        tracker_drop(df, df->oldest);
        (*timed_out)++;
    }
}

void defrag_expire(defrag_t *df, int64_t now_usec, uint64_t *timed_out)
{
    expire(df, now_usec, timed_out);
}

/* Find the tracker for key k or start one (evicting the oldest when all are
 * taken). NIL only when there are no trackers at all. */
static uint32_t tracker_get(defrag_t *df, decode_stats_t *st, const tracker_t *k, int64_t now)
{
    const uint32_t h = key_hash(k);
    for (uint32_t i = df->bucket[h & df->bucket_mask]; i != NIL; i = df->trk[i].hnext)
        if (df->trk[i].hash == h && key_eq(&df->trk[i], k)) return i;
    if (df->free_trk == NIL) evict_oldest(df, st, NIL);
    const uint32_t i = df->free_trk;
    if (i == NIL) return NIL;
    tracker_t *t = &df->trk[i];
    df->free_trk = t->hnext;
    memset(t, 0, sizeof(*t));
    memcpy(t->src, k->src, 16);
    memcpy(t->dst, k->dst, 16);
    t->id = k->id;
    memcpy(t->vlan, k->vlan, sizeof(t->vlan));
    t->version = k->version;
    t->kproto = k->kproto;
    t->hash = h;
    t->first_usec = now;
    t->hnext = df->bucket[h & df->bucket_mask];
    df->bucket[h & df->bucket_mask] = i;
    t->prev = df->newest;
    t->next = NIL;
    if (df->newest != NIL)
        df->trk[df->newest].next = i;
    else
        df->oldest = i;
    df->newest = i;
    df->used++;
    return i;
}

/* ---- ranges ---- */

/* Ranges after adding [a, b): those touching it merge into one. */
static uint32_t ranges_after(const tracker_t *t, uint32_t a, uint32_t b)
{
    uint32_t touching = 0;
    for (uint32_t k = 0; k < t->nranges; k++)
        touching += t->r[k].end >= a && t->r[k].start <= b;
    return t->nranges - touching + 1;
}

static void ranges_add(tracker_t *t, uint32_t a, uint32_t b)
{
    range_t out[MAX_RANGES];
    uint32_t n = 0, placed = 0;
    for (uint32_t k = 0; k < t->nranges; k++) {
        const range_t r = t->r[k];
        if (r.end < a) {
            out[n++] = r;
        } else if (r.start > b) {
            if (!placed) out[n++] = (range_t){(uint16_t)a, (uint16_t)b};
            placed = 1;
            out[n++] = r;
        } else {
            a = r.start < a ? r.start : a;
            b = r.end > b ? r.end : b;
        }
    }
    if (!placed) out[n++] = (range_t){(uint16_t)a, (uint16_t)b};
    memcpy(t->r, out, n * sizeof(range_t));
    t->nranges = (uint8_t)n;
}

/* Drop what lies at or past end (a last fragment came in shorter). */
static int ranges_clip(tracker_t *t, uint32_t end)
{
    int clipped = 0;
    while (t->nranges && t->r[t->nranges - 1].start >= end) {
        t->nranges--;
        clipped = 1;
    }
    if (t->nranges && t->r[t->nranges - 1].end > end) {
        t->r[t->nranges - 1].end = (uint16_t)end;
        clipped = 1;
    }
    return clipped;
}

/* First wins: compare [a, b) of src against what is held (1 = same), then
 * copy only into the gaps. */
static int merge_data(const defrag_t *df, const tracker_t *t, uint32_t a, uint32_t b,
                      const uint8_t *src)
{
    int same = 1;
    uint32_t pos = a;
    for (uint32_t k = 0; k < t->nranges && pos < b; k++) {
        const range_t r = t->r[k];
        if (r.end <= pos) continue;
        if (r.start >= b) break;
        if (r.start > pos) region_write(df, t, pos, src + (pos - a), r.start - pos);
        const uint32_t s = r.start > pos ? r.start : pos, e = min_u32(r.end, b);
        if (same && !region_equal(df, t, s, src + (s - a), e - s)) same = 0;
        pos = e;
    }
    if (pos < b) region_write(df, t, pos, src + (pos - a), b - pos);
    return same;
}

/* ---- the datagram ---- */

static uint16_t ip_checksum(const uint8_t *h, uint32_t len)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i + 1 < len; i += 2)
        sum += rd16(h + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void build(defrag_t *df, const tracker_t *t, uint32_t *out_len)
{
    uint8_t *o = df->out;
    memcpy(o, page_data(df, t->hdr_page), t->hdr_len);
    region_read(df, t, 0, o + t->hdr_len, t->total);
    const uint32_t len = t->hdr_len + t->total;
    if (t->version == 4) {
        o[2] = (uint8_t)(len >> 8);
        o[3] = (uint8_t)len;
        o[6] &= 0xc0; /* keep DF and the reserved bit, clear MF and offset */
        o[7] = 0;
        o[10] = o[11] = 0;
        const uint16_t sum = ip_checksum(o, t->hdr_len);
        o[10] = (uint8_t)(sum >> 8);
        o[11] = (uint8_t)sum;
    } else {
        const uint32_t plen = len - 40;
        o[4] = (uint8_t)(plen >> 8);
        o[5] = (uint8_t)plen;
        o[t->nh_off] = t->proto;
    }
    *out_len = len;
}

static defrag_result_t drop(defrag_t *df, decode_stats_t *st, packet_t *p, uint32_t i,
                            anomaly_kind_t kind, uint32_t off)
{
    if (i != NIL) tracker_drop(df, i);
    anomaly_add(p, st, kind, off);
    return DEFRAG_DROPPED;
}

/* The first fragment: keep the header (IPv6: and the payload protocol). */
static int take_header(defrag_t *df, decode_stats_t *st, uint32_t i, const frag_desc_t *fd)
{
    tracker_t *t = &df->trk[i];
    if (!page_get(df, st, i, &t->hdr_page)) return 0;
    memcpy(page_data(df, t->hdr_page), fd->hdr, fd->hdr_len);
    t->hdr_len = (uint16_t)fd->hdr_len;
    t->nh_off = fd->nh_off;
    t->proto = fd->proto;
    return 1;
}

defrag_result_t defrag_add(defrag_t *df, decode_stats_t *st, packet_t *p, const frag_desc_t *fd,
                           const uint8_t **out, uint32_t *out_len)
{
    const anomaly_kind_t overlap_kind =
        fd->version == 4 ? ANOM_IPV4_FRAG_OVERLAP : ANOM_IPV6_FRAG_OVERLAP;
    const anomaly_kind_t large_kind =
        fd->version == 4 ? ANOM_IPV4_FRAG_TOO_LARGE : ANOM_IPV6_FRAG_TOO_LARGE;
    /* IPv4 counts its header in the 16-bit total length, IPv6 only the
     * extension headers in the payload length. */
    const uint32_t hdr_cost = fd->version == 4 ? fd->hdr_len : fd->hdr_len - 40;
    uint32_t a = fd->offset, b = fd->offset + fd->data_len;
    if (b + hdr_cost > PAYLOAD_MAX || fd->hdr_len > DEFRAG_HDR_MAX)
        return drop(df, st, p, NIL, large_kind, fd->frame_off);

    expire(df, p->ts_usec, &st->anomalies[ANOM_FRAG_TIMEOUT]);
    tracker_t key;
    memcpy(key.src, p->src.b, 16);
    memcpy(key.dst, p->dst.b, 16);
    key.id = fd->id;
    memcpy(key.vlan, p->vlan, sizeof(key.vlan));
    key.version = fd->version;
    key.kproto = fd->version == 4 ? fd->proto : 0;
    const uint32_t i = tracker_get(df, st, &key, p->ts_usec);
    if (i == NIL) return drop(df, st, p, NIL, ANOM_FRAG_MEMCAP, fd->frame_off);
    tracker_t *t = &df->trk[i];
    t->frames++;
    t->wire_bytes += p->wirelen;

    int conflict = 0;
    if (!fd->more) {
        if (!t->have_last) {
            t->have_last = 1;
            t->total = b;
            conflict |= ranges_clip(t, b);
        } else if (t->total != b) {
            conflict = 1; /* a second, different end: the first one stands */
        }
    }
    if (t->have_last && b > t->total) {
        conflict = 1;
        b = t->total > a ? t->total : a;
    }
    if (a < b) {
        if (ranges_after(t, a, b) > MAX_RANGES)
            return drop(df, st, p, i, ANOM_FRAG_TOO_MANY_RANGES, fd->frame_off);
        for (uint32_t k = a >> PAGE_SHIFT; k <= (b - 1) >> PAGE_SHIFT; k++)
            if (!page_get(df, st, i, &t->page[k]))
                return drop(df, st, p, i, ANOM_FRAG_MEMCAP, fd->frame_off);
        if (!merge_data(df, t, a, b, fd->data)) conflict = 1;
        ranges_add(t, a, b);
    }
    if (a == 0 && t->hdr_len == 0 && !take_header(df, st, i, fd))
        return drop(df, st, p, i, ANOM_FRAG_MEMCAP, fd->frame_off);
    if (conflict) anomaly_add(p, st, overlap_kind, fd->frame_off);

    if (t->have_last && t->hdr_len && t->nranges == 1 && t->r[0].start == 0 &&
        t->r[0].end == t->total) {
        if (t->total + (t->version == 4 ? t->hdr_len : t->hdr_len - 40u) > PAYLOAD_MAX)
            return drop(df, st, p, i, large_kind, fd->frame_off);
        build(df, t, out_len);
        *out = df->out;
        p->frames = t->frames;
        p->frames_bytes = t->wire_bytes;
        tracker_drop(df, i);
        return DEFRAG_COMPLETE;
    }
    /* Held: the ports are known once the payload's first 4 bytes are. */
    if (t->nranges && t->r[0].start == 0)
        l4_peek(p, page_data(df, t->page[0]), min_u32(t->r[0].end, 4));
    return DEFRAG_HELD;
}
