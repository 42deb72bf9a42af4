/* ingest_stats.h -- process-wide counters of soc-ingest, kept in memory
 * (atomics, so every connection thread counts without locks) and added to
 * the Redis hash soc:ingest:stats every few seconds by ingest_store. */
#ifndef SOC_INGEST_STATS_H
#define SOC_INGEST_STATS_H

#include <stdint.h>

enum ingest_counter {
    INGEST_C_CONNECTIONS,    /* TCP connections accepted */
    INGEST_C_SESSIONS,       /* sessions that got a WELCOME */
    INGEST_C_BATCHES,        /* batches stored */
    INGEST_C_EVENTS,         /* events stored */
    INGEST_C_DUPLICATES,     /* batches acked without storing (resent) */
    INGEST_C_ERRORS,         /* ERROR frames sent */
    INGEST_C_BUSY,           /* connections over max-connections */
    INGEST_C_STORE_FAILURES, /* batches not stored because Redis failed */
    /* TLS handshakes refused, by reason (tls_failure_reason) */
    INGEST_C_REFUSED_NO_CERT,
    INGEST_C_REFUSED_REVOKED,
    INGEST_C_REFUSED_EXPIRED,
    INGEST_C_REFUSED_UNKNOWN_CA,
    INGEST_C_REFUSED_NOT_TLS,
    INGEST_C_REFUSED_TIMEOUT,
    INGEST_C_REFUSED_OTHER,
    INGEST_C_COUNT
};

/* Field name in soc:ingest:stats ("connections", "refused:revoked" ...). */
const char *ingest_counter_name(enum ingest_counter c);
void ingest_count(enum ingest_counter c, uint64_t n);
/* The refusal counter for a tls_failure_reason phrase. */
enum ingest_counter ingest_refusal_counter(const char *reason);
/* Take the deltas since the last call (and zero them). */
void ingest_counters_take(uint64_t out[INGEST_C_COUNT]);
/* Give deltas back (a flush to Redis failed). */
void ingest_counters_put_back(const uint64_t d[INGEST_C_COUNT]);

#endif
