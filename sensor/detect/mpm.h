/* mpm.h -- multi-pattern literal matcher over Hyperscan: the signature
 * engine's prefilter.
 *
 * Each rule gives one literal (its fast pattern) per buffer; one mpm_t per
 * buffer finds, in one pass, every rule whose literal occurs, and the caller
 * then verifies those rules in full. Literals are raw bytes (NUL included);
 * nocase folds ASCII letters only, as Suricata's nocase does.
 *
 * Life cycle: a builder collects (literal, nocase, rule id) entries; mpm_build
 * compiles them into a read-only mpm_t that any number of threads may scan at
 * once. Identical (literal, nocase) entries share one Hyperscan pattern whose
 * match fans out to all their rule ids. Rule ids are any uint32_t values
 * (sids, indexes); they are mapped to dense slots internally.
 *
 * Scanning needs a scratch per thread (never shared between concurrent
 * scans, never allocated per packet): create it once, reserve it for every
 * mpm_t the thread will scan (again after a rule reload), then reuse it. One
 * scan reports each rule id at most once, at the end offset of the first
 * occurrence of one of its literals, in increasing end-offset order.
 *
 * The compiled database can be cached on disk (mpm_cache_*, mpm_cache.c),
 * keyed by a SHA-256 the caller computes over everything that determines the
 * patterns (rule files, engine version, buffer name). */
#ifndef SOC_MPM_H
#define SOC_MPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest literal. Hyperscan 5.4 rejects literals over 16000 bytes; a fast
 * pattern is far shorter, and a caller may pass a prefix of a longer one
 * (the prefilter stays sound, only end offsets move). */
#define MPM_PATTERN_MAX 8192u
/* Bounds of one builder, so a huge rule set fails cleanly. */
#define MPM_MAX_ENTRIES (1u << 22)
#define MPM_ARENA_MAX   ((size_t)256 << 20)

typedef struct mpm_builder mpm_builder_t;
typedef struct mpm mpm_t;
typedef struct mpm_scratch mpm_scratch_t;

typedef struct mpm_stats {
    uint32_t entries;  /* (literal, nocase, id) entries given, after dedupe */
    uint32_t patterns; /* distinct (literal, nocase): Hyperscan patterns */
    uint32_t rule_ids; /* distinct rule ids */
    size_t db_bytes;   /* hs_database_size; 0 without patterns */
} mpm_stats_t;

/* Called per rule id found. end_offset is just past the literal's last byte
 * (the literal starts at end_offset - its length). Nonzero stops the scan.
 * It must not scan with the same scratch. */
typedef int (*mpm_match_fn)(uint32_t id, uint64_t end_offset, void *ctx);

/* --- building ------------------------------------------------------------ */

mpm_builder_t *mpm_builder_new(void);
void mpm_builder_free(mpm_builder_t *b);
/* Copies the literal. 0 on success; -1 with errno EINVAL (len 0, len >
 * MPM_PATTERN_MAX, NULL), E2BIG (a builder bound) or ENOMEM. */
int mpm_add(mpm_builder_t *b, const uint8_t *pat, size_t len, bool nocase, uint32_t id);
/* Entries added so far (before dedupe). */
uint32_t mpm_builder_count(const mpm_builder_t *b);
/* Compiles (block mode) what the builder holds; the builder is left as it was
 * and may be freed. No entries gives an mpm_t that never matches. On failure
 * NULL and a one-line reason in err, naming the offending entry by the order
 * it was added in (0-based) and its rule id. */
mpm_t *mpm_build(const mpm_builder_t *b, char *err, size_t errlen);
void mpm_free(mpm_t *m);

void mpm_get_stats(const mpm_t *m, mpm_stats_t *st);
uint32_t mpm_pattern_count(const mpm_t *m);
size_t mpm_db_size(const mpm_t *m);

/* --- scanning ------------------------------------------------------------ */

mpm_scratch_t *mpm_scratch_new(void);
/* Makes s fit m (grows it if needed; keeps fitting the mpms reserved
 * before). Setup time only. 0 or -1. */
int mpm_scratch_reserve(mpm_scratch_t *s, const mpm_t *m);
/* A copy fitting the same mpms, for another thread. NULL on failure. */
mpm_scratch_t *mpm_scratch_clone(const mpm_scratch_t *s);
void mpm_scratch_free(mpm_scratch_t *s);

/* Scans one buffer (block mode, no allocation). Returns the number of rule
 * ids reported, or -1 if s was not reserved for m, len exceeds 4 GiB - 1 or
 * Hyperscan fails. */
int mpm_scan(const mpm_t *m, mpm_scratch_t *s, const uint8_t *data, size_t len, mpm_match_fn cb,
             void *ctx);

/* --- serialization (the cache's body) ------------------------------------ */

/* Body layout, all integers little-endian:
 *   u32 patterns, u32 nlist, u32 nids, u32 reserved (0), u64 db_len,
 *   u32 first[patterns + 1]  pattern p's rule slots are list[first[p]..first[p+1])
 *   u32 list[nlist]          slot indexes into ids[]
 *   u32 ids[nids]            rule ids, strictly increasing
 *   db_len bytes             hs_serialize_database output
 * Everything is bounds-checked on the way in. */
int mpm_serialize(const mpm_t *m, uint8_t **out, size_t *outlen); /* malloc'd; 0 or -1 */
mpm_t *mpm_deserialize(const uint8_t *p, size_t len, char *err, size_t errlen);

/* --- on-disk cache (mpm_cache.c) ----------------------------------------- */

#define MPM_KEY_LEN        32
#define MPM_CACHE_FILE_MAX ((size_t)1 << 30)

typedef struct mpm_key_ctx mpm_key_ctx_t;

/* SHA-256 via OpenSSL EVP. 0 or -1. */
int mpm_key_of(const void *data, size_t len, uint8_t out[MPM_KEY_LEN]);
mpm_key_ctx_t *mpm_key_begin(void);
int mpm_key_update(mpm_key_ctx_t *k, const void *data, size_t len);
/* Writes the digest and frees k (also on failure). 0 or -1. */
int mpm_key_end(mpm_key_ctx_t *k, uint8_t out[MPM_KEY_LEN]);
/* Frees k without a digest (an error path). */
void mpm_key_abort(mpm_key_ctx_t *k);
/* Lowercase hex, NUL-terminated. */
void mpm_key_hex(const uint8_t key[MPM_KEY_LEN], char out[2 * MPM_KEY_LEN + 1]);

typedef enum mpm_cache_result {
    MPM_CACHE_HIT = 0,      /* *out is the cached mpm */
    MPM_CACHE_MISS = 1,     /* no file for this key */
    MPM_CACHE_REJECTED = 2, /* file present but unusable: reason in err */
} mpm_cache_result_t;

/* File image: a 160-byte header, then the body above. Header offsets:
 *   0 magic "SOCMPMDB", 8 u32 format version (1), 12 u32 header length (160),
 *   16 key[32], 48 hs_version() NUL-padded to 48 bytes,
 *   96 u64 cpu_features and 104 u32 tune (hs_populate_platform), 108 u32 0,
 *   112 u64 body length, 120 SHA-256 of header (these 32 bytes zero) and
 *   body, 152 u64 0.
 * encode gives a malloc'd image; decode checks it against key and this host
 * (a database tuned for another CPU is rejected so it gets rebuilt). */
int mpm_cache_encode(const mpm_t *m, const uint8_t key[MPM_KEY_LEN], uint8_t **out, size_t *outlen);
mpm_t *mpm_cache_decode(const uint8_t *p, size_t len, const uint8_t key[MPM_KEY_LEN], char *err,
                        size_t errlen);

/* DIR/<hex key>.mpm. load reads and checks it; store writes it atomically
 * (temporary file in DIR, fsync, rename), creating DIR (one level) if
 * missing. The directory must be writable by the sensor only: the checksum
 * catches corruption, not tampering. store returns 0 or -1 (reason in err). */
mpm_cache_result_t mpm_cache_load(const char *dir, const uint8_t key[MPM_KEY_LEN], mpm_t **out,
                                  char *err, size_t errlen);
int mpm_cache_store(const char *dir, const uint8_t key[MPM_KEY_LEN], const mpm_t *m, char *err,
                    size_t errlen);

/* One-line error into err (NULL or 0 length: ignored); shared by mpm.c and
 * mpm_cache.c. */
void mpm_set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
