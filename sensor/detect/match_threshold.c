/* match_threshold.c -- threshold and detection_filter state (match.h has
 * the semantics, after Suricata's detect-engine-threshold.c).
 *
 * All entries are allocated by threshold_new: an array used through a free
 * list, a hash of bucket heads chained through the entries (seeded, so
 * addresses chosen by an attacker do not pile into one chain), and a list
 * in order of last use so the table can make room when full. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "detect/match.h"

#define NIL UINT32_MAX
/* Entries looked at, from the least recently used, for an ended window:
 * a few per call, so the work per packet stays constant. */
#define EXPIRE_PER_CALL  2
#define EXPIRE_SCAN_FULL 8

typedef struct thr_key {
    uint32_t rule;
    uint8_t track, ip_version, pad[2];
    uint8_t a[16], b[16];
} thr_key_t; /* no implicit padding: compared and hashed as bytes */
_Static_assert(sizeof(thr_key_t) == 40, "thr_key_t is hashed as five 64-bit words");

typedef struct thr_entry {
    thr_key_t key;
    int64_t expires; /* last packet time inside the window */
    uint32_t count;
    uint32_t hash;
    uint32_t hnext;      /* bucket chain, or free list */
    uint32_t prev, next; /* use order: head least recent */
} thr_entry_t;

struct threshold_ctx {
    thr_entry_t *e;
    uint32_t max, n;
    uint32_t *bucket;
    uint32_t mask;
    uint32_t free_head;
    uint32_t head, tail;
    uint64_t seed;
    threshold_stats_t st;
};

/* ---- table ---- */

static uint64_t random_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&s;
    }
    return s;
}

threshold_ctx_t *threshold_new(uint32_t max_entries)
{
    if (max_entries == 0) max_entries = 1;
    if (max_entries > (1u << 30)) max_entries = 1u << 30;
    uint32_t nb = 1;
    while (nb < max_entries)
        nb <<= 1;
    threshold_ctx_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->e = calloc(max_entries, sizeof *t->e);
    t->bucket = malloc((size_t)nb * sizeof *t->bucket);
    if (!t->e || !t->bucket) {
        threshold_free(t);
        return NULL;
    }
    for (uint32_t i = 0; i < nb; i++)
        t->bucket[i] = NIL;
    for (uint32_t i = 0; i < max_entries; i++)
        t->e[i].hnext = i + 1 < max_entries ? i + 1 : NIL;
    t->max = max_entries;
    t->mask = nb - 1;
    t->free_head = 0;
    t->head = t->tail = NIL;
    t->seed = random_seed();
    t->st.max_entries = max_entries;
    return t;
}

void threshold_free(threshold_ctx_t *t)
{
    if (!t) return;
    free(t->e);
    free(t->bucket);
    free(t);
}

void threshold_get_stats(const threshold_ctx_t *t, threshold_stats_t *st)
{
    *st = t->st;
    st->entries = t->n;
}

static uint32_t key_hash(const threshold_ctx_t *t, const thr_key_t *k)
{
    uint64_t w[sizeof *k / 8];
    memcpy(w, k, sizeof w);
    uint64_t h = t->seed;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        h ^= w[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
    }
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

static void list_unlink(threshold_ctx_t *t, uint32_t i)
{
    thr_entry_t *e = &t->e[i];
    if (e->prev != NIL)
        t->e[e->prev].next = e->next;
    else
        t->head = e->next;
    if (e->next != NIL)
        t->e[e->next].prev = e->prev;
    else
        t->tail = e->prev;
    e->prev = e->next = NIL;
}

static void list_append(threshold_ctx_t *t, uint32_t i)
{
    thr_entry_t *e = &t->e[i];
    e->prev = t->tail;
    e->next = NIL;
    if (t->tail != NIL)
        t->e[t->tail].next = i;
    else
        t->head = i;
    t->tail = i;
}

static void entry_remove(threshold_ctx_t *t, uint32_t i)
{
    thr_entry_t *e = &t->e[i];
    uint32_t *link = &t->bucket[e->hash & t->mask];
    while (*link != NIL && *link != i)
        link = &t->e[*link].hnext;
    if (*link == i) *link = e->hnext;
    list_unlink(t, i);
    e->hnext = t->free_head;
    t->free_head = i;
    t->n--;
}

static uint32_t entry_find(const threshold_ctx_t *t, const thr_key_t *k, uint32_t h)
{
    for (uint32_t i = t->bucket[h & t->mask]; i != NIL; i = t->e[i].hnext)
        if (t->e[i].hash == h && memcmp(&t->e[i].key, k, sizeof *k) == 0) return i;
    return NIL;
}

/* Drop up to `budget` least recently used entries whose window ended;
 * returns how many went. */
static uint32_t expire_some(threshold_ctx_t *t, int64_t now, uint32_t budget)
{
    uint32_t dropped = 0;
    uint32_t i = t->head;
    for (uint32_t k = 0; k < budget && i != NIL; k++) {
        uint32_t next = t->e[i].next;
        if (now > t->e[i].expires) {
            entry_remove(t, i);
            t->st.expired++;
            dropped++;
        }
        i = next;
    }
    return dropped;
}

static uint32_t entry_new(threshold_ctx_t *t, const thr_key_t *k, uint32_t h, int64_t now,
                          uint32_t seconds)
{
    if (t->free_head == NIL && expire_some(t, now, EXPIRE_SCAN_FULL) == 0) {
        entry_remove(t, t->head); /* full of live windows: the least recent goes */
        t->st.evicted_active++;
    }
    uint32_t i = t->free_head;
    thr_entry_t *e = &t->e[i];
    t->free_head = e->hnext;
    e->key = *k;
    e->hash = h;
    e->count = 1;
    if (__builtin_add_overflow(now, (int64_t)seconds * 1000000, &e->expires))
        e->expires = INT64_MAX;
    e->hnext = t->bucket[h & t->mask];
    t->bucket[h & t->mask] = i;
    list_append(t, i);
    t->n++;
    t->st.created++;
    return i;
}

/* ---- the decision ---- */

static void make_key(thr_key_t *k, const rule_t *r, const soc_addr_t *src, const soc_addr_t *dst,
                     int ip_version)
{
    static const soc_addr_t zero;
    memset(k, 0, sizeof *k);
    k->rule = r->index;
    k->track = r->threshold.track;
    if (!src) src = &zero;
    if (!dst) dst = &zero;
    switch (r->threshold.track) {
    case RULE_TRACK_SRC: memcpy(k->a, src->b, 16); break;
    case RULE_TRACK_DST: memcpy(k->a, dst->b, 16); break;
    case RULE_TRACK_BOTH: {
        /* an address pair in either direction is one pair (Suricata's ippair) */
        bool swap = memcmp(src->b, dst->b, 16) > 0;
        memcpy(k->a, (swap ? dst : src)->b, 16);
        memcpy(k->b, (swap ? src : dst)->b, 16);
        break;
    }
    default: return; /* by_rule: the rule alone */
    }
    k->ip_version = (uint8_t)ip_version;
}

/* No state yet (or the window ended): open one, as ThresholdHandlePacket
 * does for a missing entry. */
static bool first_match(threshold_ctx_t *t, const rule_threshold_t *th, const thr_key_t *k,
                        uint32_t h, int64_t now)
{
    switch (th->type) {
    case RULE_THR_LIMIT: entry_new(t, k, h, now, th->seconds); return true;
    case RULE_THR_THRESHOLD:
        if (th->count == 1) return true; /* every match alerts; no state kept */
        entry_new(t, k, h, now, th->seconds);
        return false;
    case RULE_THR_BOTH: entry_new(t, k, h, now, th->seconds); return th->count == 1;
    case RULE_THR_DETECTION_FILTER: entry_new(t, k, h, now, th->seconds); return false;
    default: return true;
    }
}

/* Another match inside the window of entry e. */
static bool next_match(thr_entry_t *e, const rule_threshold_t *th)
{
    if (e->count < UINT32_MAX) e->count++;
    switch (th->type) {
    case RULE_THR_LIMIT: return e->count <= th->count;
    case RULE_THR_THRESHOLD:
        if (e->count < th->count) return false;
        e->count = 0; /* alerts again after count more matches */
        return true;
    case RULE_THR_BOTH: return e->count == th->count;
    case RULE_THR_DETECTION_FILTER: return e->count > th->count;
    default: return true;
    }
}

bool threshold_allow(threshold_ctx_t *t, const rule_t *r, const soc_addr_t *src,
                     const soc_addr_t *dst, int ip_version, int64_t now_usec)
{
    if (!t || !r) return true;
    const rule_threshold_t *th = &r->threshold;
    if (th->type == RULE_THR_NONE || th->type > RULE_THR_DETECTION_FILTER) return true;

    expire_some(t, now_usec, EXPIRE_PER_CALL);
    thr_key_t k;
    make_key(&k, r, src, dst, ip_version);
    uint32_t h = key_hash(t, &k);
    uint32_t i = entry_find(t, &k, h);
    if (i != NIL && now_usec > t->e[i].expires) { /* window over: start afresh */
        entry_remove(t, i);
        t->st.expired++;
        i = NIL;
    }
    if (i == NIL) return first_match(t, th, &k, h, now_usec);
    list_unlink(t, i);
    list_append(t, i);
    return next_match(&t->e[i], th);
}
