/* corr_engine.h -- the correlation engine: runs a loaded ruleset over a
 * stream of events, in event time, and reports matches.
 *
 * One event at a time (corr_engine_event): the detection rules of the
 * event's category are matched; a standalone detection rule reports a
 * match (subject to its `suppress`); every correlation rule that uses a
 * matching rule updates the window of the event's group key and reports a
 * match when its condition holds. Windows are in event time; out-of-order
 * events within cfg.lateness_usec are placed by their time, later ones are
 * dropped and counted. State is bounded: a cap of keys per rule with
 * least-recently-used eviction, caps on evidence, addresses and distinct
 * values, all counted. The semantics, and how a restart after kill -9
 * reproduces an uninterrupted run with corr_engine_save/corr_engine_load,
 * are in correlator/engine/ENGINE.md.
 *
 * An engine is single-threaded (one per thread); the ruleset must outlive
 * it. The match callback must not call the engine. */
#ifndef SOC_CORR_ENGINE_H
#define SOC_CORR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/corr_rule.h"

#define CORR_EVENT_ID_MAX 256 /* bytes of an event id kept (longer: cut, '#', 16 hex of a hash) */

typedef struct corr_engine_config {
    int64_t lateness_usec; /* events this far behind the newest are still placed; default 5 s */
    uint32_t max_keys_per_rule; /* group keys tracked per rule; default 100000 */
    uint32_t evidence_max;      /* event ids kept per key: the first half and the latest; 100 */
    uint32_t ips_max;           /* distinct src and dest addresses kept per key; default 32 */
    uint32_t values_max;        /* value_count: distinct values tracked per key; default 10000 */
    bool late_detections;       /* late events still raise standalone detection matches; true */
    int64_t max_future_usec;    /* an event this far ahead of the clock (corr_engine_set_clock) is
                                   placed at the newest event time instead; 0: off (default) */
    uint64_t hash_seed[2];      /* key-table hash seed; {0,0}: random (a snapshot brings its own) */
} corr_engine_config_t;

/* Limits of the configuration (corr_engine_new clamps into them). */
#define CORR_ENGINE_LATENESS_MAX (3600ll * 1000000) /* one hour */
#define CORR_ENGINE_KEYS_MAX     10000000u
#define CORR_ENGINE_EVIDENCE_MAX 100000u
#define CORR_ENGINE_IPS_MAX      1024u
#define CORR_ENGINE_VALUES_MAX   1000000u
#define CORR_ENGINE_FUTURE_MAX   (366ll * 86400 * 1000000) /* a year */

void corr_engine_config_defaults(corr_engine_config_t *cfg);

/* One match. Every pointer is valid during the callback only. */
typedef struct corr_match {
    const corr_rule_t *rule;
    const char *group_key;         /* corr_group_key_for() of the completing event */
    int64_t first_usec, last_usec; /* event times covered (suppressed matches included) */
    uint64_t count;                /* what the condition measured (see ENGINE.md), plus the counts
                                      of the matches suppressed since the key's previous one */
    const char *const *event_ids;  /* evidence: the key's events up to last_usec since its previous
                                      match, the first and the latest evidence_max / 2 */
    size_t n_event_ids;
    const char *const *src_ips; /* distinct src_ip / dest_ip of those events, capped */
    size_t n_src;
    const char *const *dest_ips;
    size_t n_dest;
    const char *match_id;  /* "RULE_ID/HASH16/EVENT_ID": rule id, FNV-1a 64 of the group key, id of
                              the event that completed the match; the same in every run */
    uint64_t n_suppressed; /* matches folded into this one by `suppress` */
    bool flush;            /* reports suppressed matches only (the suppress span ended, or
                              the key was evicted) */
    const corr_event_t *event; /* the completing event when it is being processed, else NULL */
} corr_match_t;

typedef void (*corr_match_fn)(void *ud, const corr_match_t *m);

typedef struct corr_engine corr_engine_t;

/* cfg NULL: defaults. on_match may be NULL (counting only). NULL when out
 * of memory. */
corr_engine_t *corr_engine_new(const corr_ruleset_t *rs, const corr_engine_config_t *cfg,
                               corr_match_fn on_match, void *ud);
void corr_engine_free(corr_engine_t *e);

/* Evaluate one event. ev->ts_usec is its event time; ev->id its identity. */
void corr_engine_event(corr_engine_t *e, const corr_event_t *ev);
/* Event time moved to at least watermark_usec without events (an idle
 * stream): close and expire what is due. Events older than the watermark
 * are late from then on, so call it only with times derived from the
 * stream (see ENGINE.md, restart). */
void corr_engine_advance(corr_engine_t *e, int64_t watermark_usec);
/* The current watermark (newest event time minus lateness, or the last
 * advance), INT64_MIN before the first event. */
int64_t corr_engine_watermark(const corr_engine_t *e);
/* The wall clock (usec since 1970), against which cfg.max_future_usec
 * judges event times; until it is set nothing is judged. The only input
 * from outside the events (ENGINE.md, time): call it with the time the
 * events are being read at. Values outside 1970..9999 are ignored. */
void corr_engine_set_clock(corr_engine_t *e, int64_t now_usec);

/* ---- statistics -------------------------------------------------------- */

typedef struct corr_rule_stats {
    uint64_t keys;       /* group keys tracked now */
    uint64_t events;     /* events (or child matches) this rule took in */
    uint64_t matches;    /* matches reported */
    uint64_t suppressed; /* matches folded by suppress */
    uint64_t evictions;  /* keys dropped at the cap (least recently used) */
} corr_rule_stats_t;

typedef struct corr_engine_stats {
    uint64_t events;           /* corr_engine_event calls */
    uint64_t late_dropped;     /* events behind the watermark */
    uint64_t bad_time;         /* events with a time outside 1970..9999 */
    uint64_t future_clamped;   /* events more than max_future ahead of the clock, placed at the
                                  newest event time (since this engine was made: a snapshot
                                  does not keep it) */
    uint64_t matches;          /* matches reported */
    uint64_t suppressed;       /* matches folded by suppress */
    uint64_t evictions;        /* keys evicted at a rule's cap */
    uint64_t keys;             /* keys tracked now, all rules */
    uint64_t values_dropped;   /* value_count values not tracked (per-key cap) */
    uint64_t evidence_dropped; /* event ids left out of evidence (cap) */
    uint64_t ips_dropped;      /* addresses left out of src/dest sets (cap) */
    uint64_t unchained;        /* window-close matches not passed to parent rules (ENGINE.md) */
    uint64_t snapshot_rules_dropped; /* at load: saved rules gone or changed */
    uint64_t snapshot_keys_dropped;  /* at load: their keys */
    uint64_t bytes;                  /* memory held by the engine's state */
} corr_engine_stats_t;

void corr_engine_stats(const corr_engine_t *e, corr_engine_stats_t *out);
/* Statistics of the rule at ruleset index i; false when out of range. */
bool corr_engine_rule_stats(const corr_engine_t *e, size_t i, corr_rule_stats_t *out);

/* ---- checkpoint -------------------------------------------------------- */

/* A growable byte buffer for snapshots. */
typedef struct corr_bytes {
    uint8_t *p;
    size_t len, cap;
    bool oom;
} corr_bytes_t;

void corr_bytes_free(corr_bytes_t *b);

/* Append a snapshot of the whole state to out (binary, checksummed).
 * 0 on success, -1 when out of memory. */
int corr_engine_save(const corr_engine_t *e, corr_bytes_t *out);
/* A new engine holding a snapshot's state. The state of rules that are no
 * longer in rs, or whose version or correlation changed, is dropped and
 * counted (snapshot_rules_dropped, snapshot_keys_dropped). cfg applies
 * from now on (smaller caps trim what is loaded). NULL with one line in
 * err when the bytes are not a whole, intact snapshot of this format, or
 * when out of memory. */
corr_engine_t *corr_engine_load(const corr_ruleset_t *rs, const corr_engine_config_t *cfg,
                                corr_match_fn on_match, void *ud, const void *buf, size_t len,
                                char *err, size_t errlen);

#endif
