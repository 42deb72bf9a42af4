/* intel.h -- threat-intel indicators and matching events against them.
 *
 * Indicator types and how they match:
 *   ip      an address, exactly (IPv4 or IPv6)
 *   cidr    every address in the prefix
 *   domain  the name and all its subdomains: "evil.example" matches
 *           "a.b.evil.example", not "notevil.example" (labels are walked)
 *   url     the whole URL, exactly, after normalising both sides: scheme
 *           and host lower-case, default port dropped (http 80, https 443),
 *           empty path "/", fragment dropped; path and query kept as is
 *   ja3     TLS client fingerprint, MD5 hex (32 digits, any case)
 *   sha256  file hash, hex (64 digits, any case)
 * Each indicator has a source (the feed's name unless the feed names one
 * per entry), a confidence 0..100, an expiry (absolute time; an indicator
 * matches only events whose time is strictly before it) and an optional
 * description. The same value from the same source is kept once (the later
 * expiry and the higher confidence win); from two sources it is two
 * indicators and both hit.
 *
 * Feeds (formats): plain lists (one value a line, '#' comments, type fixed
 * per file or detected per line), CSV with a header naming the columns
 * type,value,source,confidence,expires[,description], Adblock "||domain^"
 * lists, ipsum "IP<TAB>count" lists and STIX 2.1 bundles (indicator objects
 * with simple '=' patterns joined by OR). A bad line or object is reported
 * on the diag (FILE:LINE: ... or FILE: OBJECT-ID: ...) and skipped.
 *
 * Build, then match: add everything (loaders or intel_add), call
 * intel_finish() once, then the set is read-only and lookups allocate
 * nothing and are safe from several threads. Hits point into the set and
 * stay valid as long as it lives. */
#ifndef SOC_INTEL_H
#define SOC_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../engine/corr_event.h"
#include "ctx_ip.h"
#include "ctx_util.h"

typedef enum intel_type {
    INTEL_IP = 0,
    INTEL_CIDR,
    INTEL_DOMAIN,
    INTEL_URL,
    INTEL_JA3,
    INTEL_SHA256,
    INTEL_TYPE_COUNT,
    INTEL_AUTO = INTEL_TYPE_COUNT, /* lists: detect the type of each value */
} intel_type_t;

typedef enum intel_format {
    INTEL_FMT_PLAIN = 0,
    INTEL_FMT_CSV,
    INTEL_FMT_ADBLOCK,
    INTEL_FMT_IPSUM,
    INTEL_FMT_STIX,
} intel_format_t;

#define INTEL_NEVER          INT64_MAX
#define INTEL_MAX_INDICATORS 4000000u
#define INTEL_MAX_FILE       (64u << 20) /* list and CSV files */
#define INTEL_MAX_STIX_FILE  (16u << 20)
#define INTEL_MAX_LINE       4096
#define INTEL_MAX_URL        2048
#define INTEL_MAX_DOMAIN     253
#define INTEL_MAX_DESC       256 /* longer descriptions are cut */
#define INTEL_MAX_SOURCE     64
#define INTEL_MAX_SOURCES    4096
#define INTEL_DEFAULT_CONF   50

typedef struct intel_feed {
    const char *name; /* source named on hits (CSV rows may name their own) */
    intel_format_t format;
    intel_type_t type;    /* plain lists (and CSV rows without a type): a type or INTEL_AUTO */
    int confidence;       /* 0..100, or -1: the format's default (see README) */
    int64_t expires_usec; /* for entries without their own expiry; INTEL_NEVER */
    unsigned min_count;   /* ipsum: only IPs on at least this many lists */
} intel_feed_t;

/* name, format, type auto, confidence -1, never expires, min_count 1. */
void intel_feed_defaults(intel_feed_t *f, const char *name, intel_format_t format);

typedef struct intel_load_stats {
    size_t loaded;      /* indicators added */
    size_t duplicates;  /* same type, value and source as an earlier one: merged */
    size_t bad;         /* malformed lines or objects: reported, skipped */
    size_t unsupported; /* valid but not evaluable (STIX patterns, adblock options) */
    size_t filtered;    /* left out by choice: ipsum under min_count, revoked STIX */
} intel_load_stats_t;

typedef struct intel_hit {
    uint32_t id; /* the indicator: equal ids are the same indicator */
    intel_type_t type;
    const char *value; /* normalised: "10.0.0.0/8", "evil.example" ... */
    const char *source;
    const char *description; /* "" when none */
    int confidence;
    int64_t expires_usec; /* INTEL_NEVER when it does not expire */
    const char *field;    /* where in the event: "dest_ip", "dns.rrname" ... */
} intel_hit_t;

typedef struct intel_set intel_set_t;

intel_set_t *intel_new(void);
void intel_free(intel_set_t *set);

/* Add one indicator. type may be INTEL_AUTO. source NULL or "" means
 * "manual"; desc may be NULL. Returns 1 added, 0 merged into an equal
 * one, -1 bad value (err says why, without a file position), -2 out of
 * memory or over a limit. */
int intel_add(intel_set_t *set, intel_type_t type, const char *value, size_t len,
              const char *source, int confidence, int64_t expires_usec, const char *desc, char *err,
              size_t errlen);

/* Load a feed. False (err: "FILE: reason") when the file as a whole is
 * unusable -- unreadable, too large, not JSON, a CSV header without a
 * value column: nothing of it was added -- or when a limit was reached
 * part way (what came before stays). Per-entry problems go to diag (NULL:
 * the logger) and into stats (may be NULL; counts are added to it). */
bool intel_load_file(intel_set_t *set, const intel_feed_t *feed, const char *path, ctx_diag_t *diag,
                     intel_load_stats_t *stats, char *err, size_t errlen);
bool intel_load_buffer(intel_set_t *set, const intel_feed_t *feed, const char *name,
                       const char *buf, size_t len, ctx_diag_t *diag, intel_load_stats_t *stats,
                       char *err, size_t errlen);

/* Build the lookup structures; no adding afterwards. False on allocation
 * failure. */
bool intel_finish(intel_set_t *set, char *err, size_t errlen);

/* Indicators of a type; INTEL_TYPE_COUNT for all. */
size_t intel_count(const intel_set_t *set, int type);

/* ---- matching (after intel_finish; set may be NULL: no hits) ----
 * Each appends at most max hits for indicators not expired at ts_usec, and
 * returns how many it wrote. field is copied into the hits as given. */
size_t intel_match_ip(const intel_set_t *set, ctx_ip_t addr, int64_t ts_usec, const char *field,
                      intel_hit_t *hits, size_t max);
size_t intel_match_domain(const intel_set_t *set, const char *name, size_t n, int64_t ts_usec,
                          const char *field, intel_hit_t *hits, size_t max);
/* An absolute URL ("http://host:port/path?q"), normalised here. */
size_t intel_match_url(const intel_set_t *set, const char *url, size_t n, int64_t ts_usec,
                       const char *field, intel_hit_t *hits, size_t max);
/* type INTEL_JA3 or INTEL_SHA256; hex in any case. */
size_t intel_match_hash(const intel_set_t *set, intel_type_t type, const char *hex, size_t n,
                        int64_t ts_usec, const char *field, intel_hit_t *hits, size_t max);

/* Every indicator an EVE event touches: src_ip, dest_ip, dns.rrname,
 * dns.query[].rrname, dns.queries[].rrname, dns.answers[].rdata (A, AAAA,
 * CNAME), http.hostname, tls.sni, the URL of http.url (with http.hostname
 * and http.http_port or dest_port), tls.ja3.hash, fileinfo.sha256. An
 * indicator hit through several fields is listed once, with the first. */
size_t intel_match_event(const intel_set_t *set, const corr_doc_t *eve, int64_t ts_usec,
                         intel_hit_t *hits, size_t max);

/* "ip", "cidr", "domain", "url", "ja3", "sha256" (and "auto"). */
const char *intel_type_name(intel_type_t type);
/* Parse a type name (n bytes), "auto" included; -1 if unknown. */
int intel_type_parse(const char *s, size_t n);
/* "plain", "csv", "adblock", "ipsum", "stix". */
const char *intel_format_name(intel_format_t format);
int intel_format_parse(const char *s, size_t n);

/* ---- the feeds file (rules/intel/feeds.yml) ----
 *
 *   feeds:
 *     - name: et-derived-domains      # source on hits; unique
 *       file: et-derived-domains.txt  # relative to the feeds file's folder
 *       format: adblock               # plain | csv | adblock | ipsum | stix
 *       type: auto                    # plain, csv: ip|cidr|domain|url|ja3|sha256|auto
 *       confidence: 70                # default for entries without one
 *       expires: 2027-01-01T00:00:00Z # default expiry; absent or "never": none
 *       min-count: 3                  # ipsum only
 *       optional: no                  # yes: a missing file is not a problem
 *
 * A bad feed entry, or a feed whose file cannot be used, is reported on
 * the diag and skipped; the other feeds load. The result is finished. */
typedef struct intel_feeds_stats {
    size_t feeds;        /* feeds loaded */
    size_t feeds_failed; /* feed entries or files reported and skipped */
    intel_load_stats_t entries;
} intel_feeds_stats_t;

intel_set_t *intel_load_feeds(const char *path, ctx_diag_t *diag, intel_feeds_stats_t *stats,
                              char *err, size_t errlen);

#endif
