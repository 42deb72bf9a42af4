/* ctx_hset.h -- open-addressing hash map from byte strings to uint32.
 *
 * Linear probing over a power-of-two slot array kept at most half full;
 * each slot holds the key's 32-bit hash and an entry index, so a probe
 * compares bytes only when the hashes agree. Keys are copied into one
 * arena owned by the map. Lookups allocate nothing and are safe from
 * several threads once building is over. The hash is seeded per map from
 * getrandom(2), so crafted feed entries cannot aim for one probe chain. */
#ifndef SOC_CTX_HSET_H
#define SOC_CTX_HSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTX_HSET_MAX_KEYS  8000000u    /* entries in one map */
#define CTX_HSET_MAX_KEY   65535u      /* bytes in one key */
#define CTX_HSET_MAX_ARENA 0x7fffffffu /* key bytes in one map */

typedef struct ctx_hent {
    uint32_t hash;
    uint32_t off; /* key bytes in the arena */
    uint32_t len;
    uint32_t value;
} ctx_hent_t;

typedef struct ctx_hset {
    uint64_t *slots; /* hash << 32 | (entry index + 1); 0 = empty */
    size_t cap;      /* slots, a power of two (0 before the first put) */
    ctx_hent_t *ents;
    size_t count, ents_cap;
    char *keys;
    size_t keys_len, keys_cap;
    uint64_t seed;
} ctx_hset_t;

void ctx_hset_init(ctx_hset_t *h);
void ctx_hset_free(ctx_hset_t *h);
/* Insert key -> value. Returns 1 if inserted, 0 if the key was present
 * (its value goes to *existing and is not changed), -1 on allocation
 * failure or a limit. */
int ctx_hset_put(ctx_hset_t *h, const void *key, size_t len, uint32_t value, uint32_t *existing);
/* Find key; true with its value. */
bool ctx_hset_get(const ctx_hset_t *h, const void *key, size_t len, uint32_t *value);
/* Stored key bytes of an entry (valid until the next put). */
static inline const char *ctx_hset_key(const ctx_hset_t *h, uint32_t ent)
{
    return h->keys + h->ents[ent].off;
}

#endif
