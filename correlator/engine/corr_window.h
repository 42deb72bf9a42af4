/* corr_window.h -- the per-key state of the correlation engine: evidence,
 * address sets, distinct-value tables and the windows of each correlation
 * type, with the memory they hold counted. Private to correlator/engine/
 * (corr_engine*.c); semantics in ENGINE.md.
 *
 * Times are event times in microseconds; CW_UNSET marks a time not set. */
#ifndef SOC_CORR_WINDOW_H
#define SOC_CORR_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/corr_rule.h"

#define CW_UNSET  INT64_MIN
#define CW_NEVER  INT64_MAX
#define CW_IP_LEN 48 /* an address as text, NUL included (IPv6 needs 46) */

/* ---- memory ------------------------------------------------------------ */

typedef struct cw_mem {
    size_t bytes; /* held now */
} cw_mem_t;

void *cw_alloc(cw_mem_t *m, size_t n); /* zeroed; NULL when out of memory */
/* Resize an array of elem-sized items from old_n to new_n (new items zeroed). */
void *cw_resize(cw_mem_t *m, void *p, size_t old_n, size_t new_n, size_t elem);
void cw_release(cw_mem_t *m, void *p, size_t n);

/* ---- hashing ----------------------------------------------------------- */

/* SipHash-2-4 with a 128-bit key (group keys and values: keyed, so input
 * cannot be chosen to collide in the tables). */
uint64_t cw_siphash(const uint64_t key[2], const void *data, size_t len);
/* FNV-1a 64 (match ids: the same in every process). */
uint64_t cw_fnv1a(const void *data, size_t len);
/* Render an event id into out (CORR_EVENT_ID_MAX bytes): as is when it
 * fits, else cut and ended by '#' and 16 hex digits of its FNV-1a. */
size_t cw_event_id(const char *id, char *out);

/* ---- small strings ------------------------------------------------------ */

typedef struct cw_str {
    char *p; /* NUL-terminated, or NULL */
    uint32_t len, cap;
} cw_str_t;

bool cw_str_set(cw_mem_t *m, cw_str_t *s, const char *text, size_t len);
void cw_str_free(cw_mem_t *m, cw_str_t *s);

/* ---- evidence: event ids of a key -------------------------------------- */

typedef struct cw_item {
    int64_t ts;
    uint32_t off, len; /* in buf, NUL-terminated there */
} cw_item_t;

/* The first max/2 ids in arrival order, then a ring of the latest. */
typedef struct cw_evid {
    cw_item_t *items;
    uint32_t n, cap, ring;
    char *buf;
    uint32_t used, bcap, garbage; /* garbage: bytes of overwritten ids */
    int64_t min_ts;               /* oldest ts held (CW_NEVER when empty) */
} cw_evid_t;

void cw_evid_init(cw_evid_t *v);
/* Add one id (len <= CORR_EVENT_ID_MAX). Returns false when out of memory;
 * *dropped counts an id that the cap pushed out. */
bool cw_evid_add(cw_mem_t *m, cw_evid_t *v, uint32_t max, int64_t ts, const char *id, size_t len,
                 uint64_t *dropped);
/* Keep only the items for which ts > t (in order). */
void cw_evid_drop_upto(cw_mem_t *m, cw_evid_t *v, uint32_t max, int64_t t);
/* The i-th id in order (i < n), and its time. */
const char *cw_evid_get(const cw_evid_t *v, uint32_t max, uint32_t i, int64_t *ts);
void cw_evid_clear(cw_evid_t *v);
void cw_evid_free(cw_mem_t *m, cw_evid_t *v);

/* ---- address sets -------------------------------------------------------- */

typedef struct cw_ips {
    char (*v)[CW_IP_LEN];
    uint32_t n, cap;
} cw_ips_t;

/* Add ip when new; false when out of memory. *dropped counts a new address
 * beyond max. */
bool cw_ips_add(cw_mem_t *m, cw_ips_t *s, uint32_t max, const char *ip, size_t len,
                uint64_t *dropped);
void cw_ips_free(cw_mem_t *m, cw_ips_t *s);

/* ---- distinct values ------------------------------------------------------ */

typedef struct cw_val {
    uint64_t h; /* keyed hash of the value (0: empty slot) */
    int64_t t;  /* sliding: last seen; tumbling: the bucket's start */
} cw_val_t;

typedef struct cw_vtab {
    cw_val_t *s;
    uint32_t cap, n; /* cap a power of two, or 0 */
} cw_vtab_t;

cw_val_t *cw_vtab_find(const cw_vtab_t *t, uint64_t h);
/* Insert h (not present; the caller keeps n under its cap). NULL: no memory. */
cw_val_t *cw_vtab_insert(cw_mem_t *m, cw_vtab_t *t, uint64_t h);
/* Remove every entry with t <= upto (keep_bucket false) or t == upto (true).
 * Returns how many were removed. */
uint32_t cw_vtab_remove(cw_vtab_t *t, int64_t upto, bool exact);
void cw_vtab_clear(cw_vtab_t *t);
void cw_vtab_free(cw_mem_t *m, cw_vtab_t *t);
/* Entries with t > after, and the smallest such t (CW_NEVER when none). */
uint32_t cw_vtab_count_after(const cw_vtab_t *t, int64_t after, int64_t *min_t);

/* ---- sliding event_count: the sorted times of pending events ------------ */

typedef struct cw_times {
    int64_t *t;
    uint32_t head, n, cap; /* t[head .. head + n) */
} cw_times_t;

/* Insert ts in order (after equal times); returns its position or -1 when
 * out of memory. */
long cw_times_insert(cw_mem_t *m, cw_times_t *q, int64_t ts);
/* Drop the first k times. */
void cw_times_drop_front(cw_times_t *q, uint32_t k);
/* Index of the first time > x. */
uint32_t cw_times_after(const cw_times_t *q, int64_t x);
static inline int64_t cw_times_at(const cw_times_t *q, uint32_t i)
{
    return q->t[q->head + i];
}
void cw_times_free(cw_mem_t *m, cw_times_t *q);

/* ---- coarse sliding event_count (thresholds above CW_EXACT_MAX) ---------- */

#define CW_EXACT_MAX   1024 /* event_count thresholds kept as exact event times */
#define CW_WHEEL_SLOTS 256  /* above it: counts per timespan/256 slot */

typedef struct cw_wheel {
    uint32_t *c;    /* CW_WHEEL_SLOTS counts; slot x at c[x % CW_WHEEL_SLOTS] */
    int64_t top;    /* newest slot (slots top-255 .. top are held) */
    uint64_t total; /* sum of c */
} cw_wheel_t;

/* ---- tumbling windows (lt, lte, eq, neq) ---------------------------------- */

typedef struct cw_bucket {
    int64_t start; /* a multiple of the timespan */
    uint64_t count, distinct;
    int64_t first, last;
    cw_str_t last_id; /* the event that arrived last: it completes the match */
} cw_bucket_t;

typedef struct cw_buckets {
    cw_bucket_t *b; /* sorted by start */
    uint32_t n, cap;
} cw_buckets_t;

/* The bucket starting at start, created in order when missing; NULL when
 * out of memory. */
cw_bucket_t *cw_buckets_get(cw_mem_t *m, cw_buckets_t *bs, int64_t start);
void cw_buckets_remove_first(cw_mem_t *m, cw_buckets_t *bs);
void cw_buckets_free(cw_mem_t *m, cw_buckets_t *bs);

/* Start of the timespan-aligned bucket holding ts (ts >= 0). */
static inline int64_t cw_bucket_start(int64_t ts, int64_t span)
{
    return ts - ts % span;
}

#endif
