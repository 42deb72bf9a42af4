/* ingest_event.h -- what soc-ingest reads from each event line: the checks
 * PROTOCOL.md 2.3 asks for before anything is stored, the fields of the
 * stream entry, the shard, and the counters of `stats` events for the sensor
 * registry. Pure functions: no I/O, no global state.
 *
 * Every line is tokenized in full with the strict JSON reader (one pass, no
 * copies); the few members needed are then read from the token array. */
#ifndef SOC_INGEST_EVENT_H
#define SOC_INGEST_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_reader.h"

#define INGEST_NAME_MAX     64 /* sensor name (certificate CN), bytes */
#define INGEST_BOOT_ID_MAX  64 /* sensor.boot_id in an event, bytes */
#define INGEST_FIELD_MAX    63 /* event_type, timestamp, bytes */
#define INGEST_TOKENS_START 1024
#define INGEST_TOKENS_MAX   262144 /* JSON values in one event */
/* Bytes of arena one event may need beyond its own length (id = name ':'
 * boot_id ':' seq, NULs); see ingest_event_parse. */
#define INGEST_ARENA_PER_EVENT 96
/* No valid event line is this short: {"sensor":{"name":"a","boot_id":"b",
 * "seq":0}} alone is 45 bytes. Sizes per-batch memory from the payload. */
#define INGEST_EVENT_MIN_BYTES 32

/* Results (ERROR codes: MALFORMED -> 1, FOREIGN -> 4). */
enum ingest_status {
    INGEST_OK = 0,
    INGEST_E_MALFORMED = -1, /* not a JSON object, or a required member wrong */
    INGEST_E_FOREIGN = -2,   /* sensor.name is not the certificate's name */
    INGEST_E_NOMEM = -3,
};

/* A byte string (not NUL-terminated) in the line or in the arena. */
typedef struct ingest_str {
    const char *p;
    uint32_t len;
} ingest_str_t;

/* One event as it goes to its stream. */
typedef struct ingest_event {
    const char *line; /* the JSON line as received, without '\n' */
    uint32_t len;
    uint32_t shard;    /* soc:events:{shard} */
    ingest_str_t id;   /* "<name>:<boot_id>:<seq>" (DESIGN.md contract 7) */
    ingest_str_t type; /* event_type, "" when absent */
    ingest_str_t ts;   /* timestamp, "" when absent */
} ingest_event_t;

/* Counters of one `stats` event, and rates against the previous one. */
typedef struct ingest_stats_sample {
    bool valid;
    int64_t time_us; /* timestamp, microseconds since the epoch; INT64_MIN if unreadable */
    char ts[INGEST_FIELD_MAX + 1];
    char boot_id[INGEST_BOOT_ID_MAX + 1];
    uint64_t packets;        /* stats.decoder.pkts */
    uint64_t drops;          /* stats.capture.kernel_drops + kernel_ifdrops */
    uint64_t events_dropped; /* stats.eve.dropped + stats.ingest.events_dropped */
    bool has_rates;          /* the two rates below are set */
    double packets_per_sec, drops_per_sec;
} ingest_stats_sample_t;

/* Reusable token space (one per connection). */
typedef struct ingest_parser {
    json_tok_t *toks;
    int cap;
} ingest_parser_t;

/* Bump allocator the caller sized for the whole batch. */
typedef struct ingest_arena {
    char *buf;
    size_t len, cap;
} ingest_arena_t;

void ingest_parser_free(ingest_parser_t *p);
/* Drop token space above INGEST_TOKENS_START (after a large event). */
void ingest_parser_trim(ingest_parser_t *p);

/* FNV-1a, 32 bits. */
uint32_t ingest_hash(const void *data, size_t len);
/* The shard of an event whose source address (or, without one, sensor
 * name) is key[0..len): FNV-1a(key) mod nshards. */
uint32_t ingest_shard_of(const char *key, size_t len, uint32_t nshards);

/* Parse one event line (len bytes, no '\n') of sensor cn and fill ev.
 * Needs at most len + INGEST_ARENA_PER_EVENT free bytes in the arena. When
 * the event is a `stats` event and stats is not NULL, fills *stats (else
 * stats->valid is false). On failure one line goes to err, without a
 * "line N" prefix ("sensor.name is missing"). */
int ingest_event_parse(ingest_parser_t *p, const char *line, size_t len, const char *cn,
                       uint32_t nshards, ingest_arena_t *arena, ingest_event_t *ev,
                       ingest_stats_sample_t *stats, char *err, size_t errlen);

/* "2024-03-01T10:40:00.440000+0000" (also 'Z', "+07:00", no fraction, up to
 * 9 fraction digits) -> microseconds since the epoch; false if malformed. */
bool ingest_parse_time(const char *s, size_t len, int64_t *us);

/* Rates of cur against prev (same boot_id, later time, counters not
 * lower); otherwise cur->has_rates stays false. */
void ingest_stats_rates(const ingest_stats_sample_t *prev, ingest_stats_sample_t *cur);

/* [A-Za-z0-9._-]{1,64} starting with a letter or digit (socctl pki's rule):
 * safe in Redis key names, in "<name>/<spool_id>" and in event ids. */
bool ingest_name_valid(const char *name);

#endif
