/* fwd_incdoc.h -- one incident version, as the formatters read it.
 *
 * The forwarder delivers incident versions: a snapshot of an incident frozen
 * when it was created, escalated, resolved or closed:
 *
 *     {"version": 3, "reason": "created|escalated|resolved|closed",
 *      "incident": { ...socctl incidents show --json, without "timeline"... }}
 *
 * "version", "reason" and "incident.id" are required; every other member of
 * "incident" may be absent (redaction) or null, and a member of an
 * unexpected type is treated as absent, so a formatter always produces
 * something from what is there. The text is tokenized once (json_reader,
 * strict); values are read on demand. */
#ifndef SOC_FWD_INCDOC_H
#define SOC_FWD_INCDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_reader.h"

#define FWD_DOC_MAX    (16u << 20) /* bytes of one document */
#define FWD_ID_MAX     32          /* incident id and its NUL ("INC-2026-" + up to 19 digits) */
#define FWD_REASON_LEN 16

typedef struct fwd_incdoc {
    const char *s; /* the caller's text (not copied: keep it alive) */
    size_t len;
    json_tok_t *toks; /* owned */
    int ntoks;
    int inc; /* token index of the "incident" object */
    int64_t version;
    char reason[FWD_REASON_LEN];
    char id[FWD_ID_MAX];
} fwd_incdoc_t;

/* Parse and check the required members. 0, or -1 with one line in err
 * ("incident version: ..."). On failure nothing needs freeing. */
int fwd_incdoc_parse(fwd_incdoc_t *d, const char *s, size_t len, char *err, size_t errlen);
void fwd_incdoc_free(fwd_incdoc_t *d);

/* The value at a dotted path inside "incident" ("rule.id", "count"), or
 * NULL when absent or null. */
const json_tok_t *fwd_incdoc_get(const fwd_incdoc_t *d, const char *path);
/* Typed reads of such a value; false (and *v untouched) when absent, null
 * or of another type. */
bool fwd_incdoc_int(const fwd_incdoc_t *d, const char *path, int64_t *v);
/* An EVE timestamp member as µs since the epoch. */
bool fwd_incdoc_time(const fwd_incdoc_t *d, const char *path, int64_t *usec);
/* A string member, unescaped into a new NUL-terminated buffer (free()), or
 * NULL (absent, null, not a string, holds a NUL byte, out of memory). */
char *fwd_incdoc_strdup(const fwd_incdoc_t *d, const char *path);
/* A string member into out (cap bytes); false when absent or longer. */
bool fwd_incdoc_str(const fwd_incdoc_t *d, const char *path, char *out, size_t cap);
/* An array member's token index, or -1. Elements follow json_reader.h:
 *     for (int i = a + 1, k = 0; k < d->toks[a].size; k++, i = d->toks[i].next) */
int fwd_incdoc_array(const fwd_incdoc_t *d, const char *path);

/* Times. EVE form "2026-03-01T08:30:15.000000+0000" (also "Z", "+07:00",
 * 0..9 fraction digits), years 1970..9999, to µs since the epoch (UTC). */
bool fwd_time_parse(const char *s, size_t n, int64_t *usec);
/* STIX: "2026-03-01T08:30:15.000Z" (milliseconds); out >= 32 bytes. */
size_t fwd_time_stix(int64_t usec, char *out);
/* RFC 3339 / STIX with microseconds: "2026-03-01T08:30:15.000000Z". */
size_t fwd_time_rfc3339(int64_t usec, char *out);

/* "2001:db8::1" / "203.0.113.5": 4 or 6, 0 when not an address. */
int fwd_ip_family(const char *s);
/* Whether an address is in a special-purpose range that never identifies
 * an outside party: private (RFC 1918, fc00::/7), shared (100.64/10),
 * loopback, link-local, unspecified, multicast, broadcast. The
 * documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
 * 2001:db8::/32) count as public, the way test traffic uses them. */
bool fwd_ip_internal(const char *s);

#endif
