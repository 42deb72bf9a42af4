/* corr_engine_int.h -- the engine's structures, shared by corr_engine*.c
 * (private to correlator/engine/).
 *
 * Every rule that keeps state has a pool of keys (indices, so the pool can
 * grow), an open-addressing table from key text to index, and an LRU list.
 * One heap over all keys, ordered by (due time, creation serial), says
 * which key has something to do when the watermark passes a time: a
 * tumbling window to close, a suppress span to end, state to expire. Keys
 * are touched in a deterministic order and the heap order is total, so the
 * engine's behaviour depends only on the events it was given (and a
 * snapshot restores exactly the same structures). */
#ifndef SOC_CORR_ENGINE_INT_H
#define SOC_CORR_ENGINE_INT_H

#include "engine/corr_engine.h"
#include "engine/corr_window.h"

#define CW_NIL UINT32_MAX

/* What the keys of a rule hold. */
typedef enum cw_kind {
    CW_STATELESS = 0, /* detection rule without suppress, or not standalone */
    CW_DETECT,        /* standalone detection rule with suppress: suppression only */
    CW_SLIDE_COUNT,   /* event_count, gt/gte: sliding window of event times */
    CW_WHEEL_COUNT,   /* the same above CW_EXACT_MAX events: counts per slot */
    CW_TUMBLE_COUNT,  /* event_count, lt/lte/eq/neq: aligned windows judged at their end */
    CW_SLIDE_VALUES,  /* value_count, gt/gte */
    CW_TUMBLE_VALUES, /* value_count, lt/lte/eq/neq */
    CW_TEMPORAL,
    CW_ORDERED,
} cw_kind_t;

typedef struct cw_key {
    uint64_t hash; /* keyed hash of text */
    uint64_t serial;
    char *text; /* the group key, NUL-terminated */
    uint32_t tlen;
    uint32_t prev, next; /* LRU (next also links the free list) */
    uint32_t heap_pos;
    int64_t due; /* as registered in the heap (never later than the true one) */
    /* suppression: matches folded since the last reported one */
    int64_t supp_until;
    int64_t supp_first, supp_last;
    int64_t supp_from; /* evidence of the folded matches starts here */
    uint64_t supp_count, supp_matches;
    cw_str_t supp_id; /* the event that completed the last folded match */
    cw_evid_t evid;
    cw_ips_t src, dst;
    union {
        cw_times_t times;     /* CW_SLIDE_COUNT */
        cw_wheel_t wheel;     /* CW_WHEEL_COUNT */
        cw_buckets_t buckets; /* CW_TUMBLE_* */
        int64_t *steps;       /* CW_TEMPORAL: last[k]; CW_ORDERED: start[k], end[k] */
    } w;
    cw_vtab_t vals; /* CW_*_VALUES */
    int64_t newest; /* CW_SLIDE_VALUES: newest value time; CW_WHEEL_COUNT: newest event */
} cw_key_t;

typedef struct cw_rule {
    const corr_rule_t *rule;
    uint8_t kind;       /* cw_kind_t */
    bool keep_evidence; /* standalone: its matches are reported */
    uint32_t depth;     /* 0 detection; 1 + deepest referenced rule */
    uint64_t need;      /* sliding types: events / values that satisfy the condition */
    int64_t span;       /* timespan (usec) */
    int64_t slot;       /* CW_WHEEL_COUNT: slot width, span / CW_WHEEL_SLOTS rounded up */
    int64_t wslots;     /* CW_WHEEL_COUNT: slots in one window */
    cw_key_t *keys;
    uint32_t kcap, nkeys, free_head;
    uint32_t *tab; /* key index + 1; 0 empty */
    uint32_t tcap;
    uint32_t lru_head, lru_tail; /* head: most recently used */
    corr_rule_stats_t st;
} cw_rule_t;

typedef struct cw_hent {
    int64_t due;
    uint64_t serial;
    uint32_t rule, key;
} cw_hent_t;

#define CW_MAX_REFS 64 /* referenced rules of one correlation rule (the loader's limit) */

/* The event's feed into one key of a correlation rule: which referenced
 * rules brought it there, and their value_count values. */
typedef struct cw_group {
    char *text; /* CORR_KEY_MAX bytes */
    size_t len;
    uint64_t mask;
    size_t nvals;
    uint64_t vals[CW_MAX_REFS];
} cw_group_t;

/* One (correlation rule, referenced rule) pair reached by the event. */
typedef struct cw_work {
    uint32_t rule, child;
} cw_work_t;

struct corr_engine {
    const corr_ruleset_t *rs;
    corr_engine_config_t cfg;
    corr_match_fn on_match;
    void *ud;
    cw_rule_t *rules; /* by rule index */
    size_t nrules;
    cw_hent_t *heap;
    uint32_t hn, hcap;
    int64_t max_ts, wm; /* CW_UNSET before the first event */
    int64_t clock;      /* corr_engine_set_clock; CW_UNSET until then */
    uint64_t serial;
    uint64_t seed[2];
    corr_engine_stats_t st;
    cw_mem_t mem;
    /* scratch of one event */
    const corr_event_t *cur; /* the event being processed, or NULL */
    int64_t cur_ts;          /* its time as placed (cur->ts_usec unless clamped) */
    char cur_id[CORR_EVENT_ID_MAX];
    size_t cur_idlen;
    bool ips_ready; /* src_ip / dst_ip read from it */
    char src_ip[CW_IP_LEN], dst_ip[CW_IP_LEN];
    size_t src_len, dst_len;
    cw_work_t *work;
    size_t nwork, capwork;
    char key[CORR_KEY_MAX];
    char val[CORR_KEY_MAX];
    cw_group_t *groups; /* the keys one correlation rule gets from the event */
    /* building a match */
    const char **ids, **srcs, **dsts;
    char mid[1024 + CORR_EVENT_ID_MAX];
};

/* ---- keys (corr_engine_keys.c) ------------------------------------------ */

bool cw_rules_init(corr_engine_t *e);
void cw_rules_free(corr_engine_t *e);
/* The key of text in rule r, or CW_NIL. */
uint32_t cw_key_find(corr_engine_t *e, cw_rule_t *r, const char *text, size_t len, uint64_t h);
/* A new key (evicting the least recently used one at the cap), at the head
 * of the LRU list and in the heap with due time `due`. CW_NIL: no memory. */
uint32_t cw_key_create(corr_engine_t *e, cw_rule_t *r, const char *text, size_t len, uint64_t h,
                       uint64_t serial, int64_t due);
void cw_key_touch(cw_rule_t *r, uint32_t k);
/* Drop a key (its state is freed; evicted: counted as an eviction). */
void cw_key_drop(corr_engine_t *e, cw_rule_t *r, uint32_t k);
/* Register the key's due time. */
void cw_heap_update(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t due);
/* Only when earlier than the registered one: a later true due time is
 * found when the registered one comes up (saves a heap move per event). */
void cw_heap_lower(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t due);
/* Process every key whose registered due time is <= the watermark. */
void cw_run_due(corr_engine_t *e);
uint64_t cw_key_hash(const corr_engine_t *e, const char *text, size_t len);

/* ---- windows (corr_engine_window.c) -------------------------------------- */

/* What a window reports when its condition holds. */
typedef struct cw_fire {
    uint64_t count;
    int64_t first, last;
    int64_t ev_from;           /* evidence of the match: event times in [ev_from, last] */
    const char *completing_id; /* event id for the match id */
    bool from_event;           /* completed by the current event (else by the watermark) */
} cw_fire_t;

/* Feed one event into key k of correlation rule r; mask holds the indices
 * (in r's referenced rules) of the rules the event matched for this key,
 * and vals/nvals the value_count values. */
void cw_window_feed(corr_engine_t *e, cw_rule_t *r, uint32_t k, uint64_t mask, const uint64_t *vals,
                    size_t nvals);
/* Watermark transitions of key k; frees it when nothing is left. */
void cw_window_due(corr_engine_t *e, cw_rule_t *r, uint32_t k);
/* The earliest time key k has something to do (CW_NEVER: never). */
int64_t cw_window_next_due(const corr_engine_t *e, const cw_rule_t *r, const cw_key_t *key);
/* Free the window state of a key. */
void cw_window_free(corr_engine_t *e, cw_rule_t *r, cw_key_t *key);

/* ---- matches (corr_engine_emit.c) ----------------------------------------- */

/* A window or detection fired for key k of rule r: report it or fold it
 * into the key's suppressed matches; then pass it to the rules using r. */
void cw_fired(corr_engine_t *e, cw_rule_t *r, uint32_t k, const cw_fire_t *f);
/* Report the key's folded matches alone (suppress span over, eviction). */
void cw_flush(corr_engine_t *e, cw_rule_t *r, uint32_t k);
/* A standalone detection match of the current event (rule without keys). */
void cw_emit_stateless(corr_engine_t *e, cw_rule_t *r);
/* Record the current event in key k's evidence and address sets. */
void cw_record(corr_engine_t *e, cw_rule_t *r, uint32_t k);
/* Queue the rules using r for the current event. */
void cw_queue_parents(corr_engine_t *e, const corr_rule_t *r);

/* ---- snapshots (corr_engine_save.c, corr_engine_load.c) -------------------- */

#define SNAP_MAGIC   "SOCCWIN1"
#define SNAP_FORMAT  1
#define SNAP_TIME_OK (1ll << 61) /* |time| beyond this is corrupt (CW_UNSET aside) */
#define SNAP_STATS   10          /* counters saved, in the order of cw_stat_field */

extern const uint64_t cw_snap_key[2]; /* SipHash key of the checksum */
/* The i-th saved counter of s (i < SNAP_STATS). */
uint64_t *cw_stat_field(corr_engine_stats_t *s, int i);
/* What the state of a rule depends on: a rule whose fingerprint changed
 * gets none of its saved state back. */
uint64_t cw_fingerprint(const cw_rule_t *r);

#endif
