/* ctx_hset.c -- open-addressing hash map (see ctx_hset.h). */
#include "ctx_hset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* Eight bytes at a time, then a finalizer: keys are short (domains, hex
 * digests, 16-byte addresses), so this beats a byte-wise hash. */
static uint32_t hash_bytes(uint64_t seed, const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ mix(w)) * 0x9e3779b97f4a7c15ull;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < len; i++)
        w |= (uint64_t)p[i] << (8 * i);
    h = mix(h ^ w ^ 0x5bd1e995ull);
    return (uint32_t)(h ^ (h >> 32));
}

void ctx_hset_init(ctx_hset_t *h)
{
    memset(h, 0, sizeof(*h));
    if (getrandom(&h->seed, sizeof(h->seed), GRND_NONBLOCK) != (ssize_t)sizeof(h->seed))
        h->seed = 0x243f6a8885a308d3ull ^ (uint64_t)(uintptr_t)h;
}

void ctx_hset_free(ctx_hset_t *h)
{
    free(h->slots);
    free(h->ents);
    free(h->keys);
    memset(h, 0, sizeof(*h));
}

static void place(uint64_t *slots, size_t cap, uint32_t hash, uint32_t ent)
{
    size_t i = hash & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = (uint64_t)hash << 32 | (ent + 1u);
}

static bool grow_slots(ctx_hset_t *h)
{
    size_t ncap = h->cap ? h->cap * 2 : 64;
    uint64_t *ns = calloc(ncap, sizeof(*ns));
    if (!ns) return false;
    for (size_t e = 0; e < h->count; e++)
        place(ns, ncap, h->ents[e].hash, (uint32_t)e);
    free(h->slots);
    h->slots = ns;
    h->cap = ncap;
    return true;
}

static bool reserve(ctx_hset_t *h, size_t keylen)
{
    if ((h->count + 1) * 2 > h->cap && !grow_slots(h)) return false;
    if (h->count == h->ents_cap) {
        size_t n = h->ents_cap ? h->ents_cap * 2 : 64;
        ctx_hent_t *ne = realloc(h->ents, n * sizeof(*ne));
        if (!ne) return false;
        h->ents = ne;
        h->ents_cap = n;
    }
    if (h->keys_len + keylen > h->keys_cap) {
        size_t n = h->keys_cap ? h->keys_cap : 1024;
        while (n < h->keys_len + keylen)
            n *= 2;
        char *nk = realloc(h->keys, n);
        if (!nk) return false;
        h->keys = nk;
        h->keys_cap = n;
    }
    return true;
}

static int64_t find(const ctx_hset_t *h, uint32_t hash, const void *key, size_t len)
{
    if (!h->cap) return -1;
    size_t i = hash & (h->cap - 1);
    for (uint64_t s; (s = h->slots[i]) != 0; i = (i + 1) & (h->cap - 1)) {
        if ((uint32_t)(s >> 32) != hash) continue;
        const ctx_hent_t *e = &h->ents[(uint32_t)s - 1];
        if (e->len == len && memcmp(h->keys + e->off, key, len) == 0) return (uint32_t)s - 1;
    }
    return -1;
}

int ctx_hset_put(ctx_hset_t *h, const void *key, size_t len, uint32_t value, uint32_t *existing)
{
    if (len > CTX_HSET_MAX_KEY) return -1;
    uint32_t hash = hash_bytes(h->seed, key, len);
    int64_t e = find(h, hash, key, len);
    if (e >= 0) {
        if (existing) *existing = h->ents[e].value;
        return 0;
    }
    if (h->count >= CTX_HSET_MAX_KEYS || h->keys_len + len > CTX_HSET_MAX_ARENA) return -1;
    if (!reserve(h, len)) return -1;
    if (len) memcpy(h->keys + h->keys_len, key, len);
    h->ents[h->count] = (ctx_hent_t){hash, (uint32_t)h->keys_len, (uint32_t)len, value};
    h->keys_len += len;
    place(h->slots, h->cap, hash, (uint32_t)h->count);
    h->count++;
    return 1;
}

bool ctx_hset_get(const ctx_hset_t *h, const void *key, size_t len, uint32_t *value)
{
    if (!h->count || len > CTX_HSET_MAX_KEY) return false;
    int64_t e = find(h, hash_bytes(h->seed, key, len), key, len);
    if (e < 0) return false;
    if (value) *value = h->ents[e].value;
    return true;
}
