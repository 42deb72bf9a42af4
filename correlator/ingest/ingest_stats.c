/* ingest_stats.c -- see ingest_stats.h. */
#include "ingest_stats.h"

#include <stdatomic.h>
#include <string.h>

static _Atomic uint64_t counters[INGEST_C_COUNT];

static const char *const names[INGEST_C_COUNT] = {
    [INGEST_C_CONNECTIONS] = "connections",
    [INGEST_C_SESSIONS] = "sessions",
    [INGEST_C_BATCHES] = "batches",
    [INGEST_C_EVENTS] = "events",
    [INGEST_C_DUPLICATES] = "duplicates",
    [INGEST_C_ERRORS] = "errors",
    [INGEST_C_BUSY] = "busy",
    [INGEST_C_STORE_FAILURES] = "store_failures",
    [INGEST_C_REFUSED_NO_CERT] = "refused:no_cert",
    [INGEST_C_REFUSED_REVOKED] = "refused:revoked",
    [INGEST_C_REFUSED_EXPIRED] = "refused:expired",
    [INGEST_C_REFUSED_UNKNOWN_CA] = "refused:unknown_ca",
    [INGEST_C_REFUSED_NOT_TLS] = "refused:not_tls",
    [INGEST_C_REFUSED_TIMEOUT] = "refused:timeout",
    [INGEST_C_REFUSED_OTHER] = "refused:other",
};

const char *ingest_counter_name(enum ingest_counter c)
{
    return (unsigned)c < INGEST_C_COUNT ? names[c] : "unknown";
}

void ingest_count(enum ingest_counter c, uint64_t n)
{
    if ((unsigned)c < INGEST_C_COUNT)
        atomic_fetch_add_explicit(&counters[c], n, memory_order_relaxed);
}

enum ingest_counter ingest_refusal_counter(const char *reason)
{
    static const struct {
        const char *prefix;
        enum ingest_counter c;
    } map[] = {
        {"client sent no certificate", INGEST_C_REFUSED_NO_CERT},
        {"certificate revoked", INGEST_C_REFUSED_REVOKED},
        {"certificate expired", INGEST_C_REFUSED_EXPIRED},
        {"certificate not yet valid", INGEST_C_REFUSED_EXPIRED},
        {"unknown CA", INGEST_C_REFUSED_UNKNOWN_CA},
        {"not TLS", INGEST_C_REFUSED_NOT_TLS},
        {"timed out", INGEST_C_REFUSED_TIMEOUT},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strncmp(reason, map[i].prefix, strlen(map[i].prefix)) == 0) return map[i].c;
    return INGEST_C_REFUSED_OTHER;
}

void ingest_counters_take(uint64_t out[INGEST_C_COUNT])
{
    for (int i = 0; i < INGEST_C_COUNT; i++)
        out[i] = atomic_exchange_explicit(&counters[i], 0, memory_order_relaxed);
}

void ingest_counters_put_back(const uint64_t d[INGEST_C_COUNT])
{
    for (int i = 0; i < INGEST_C_COUNT; i++)
        if (d[i]) atomic_fetch_add_explicit(&counters[i], d[i], memory_order_relaxed);
}
