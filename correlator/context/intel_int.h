/* intel_int.h -- internals shared by the intel_*.c files. */
#ifndef SOC_INTEL_INT_H
#define SOC_INTEL_INT_H

#include "ctx_hset.h"
#include "ctx_ptable.h"
#include "intel.h"

#define INTEL_NONE UINT32_MAX

typedef struct intel_ind {
    int64_t expires;
    uint32_t value_off; /* strings in the set's arena */
    uint32_t desc_off;  /* 0: "" */
    uint32_t next;      /* next indicator with the same value (other source), or INTEL_NONE */
    uint16_t source;
    uint8_t type;
    uint8_t confidence;
} intel_ind_t;

struct intel_set {
    intel_ind_t *inds;
    size_t n, cap;
    char *strs; /* NUL-terminated strings; offset 0 is "" */
    size_t strs_len, strs_cap;
    ctx_hset_t exact[INTEL_TYPE_COUNT]; /* value key -> first indicator of its chain */
    ctx_hset_t sources;                 /* source name -> index */
    uint32_t *source_off;
    size_t nsources, sources_cap;
    ctx_ptable_t *cidrs; /* built by intel_finish: prefix -> first indicator */
    bool finished;
};

/* A value checked and in canonical form. */
typedef struct intel_value {
    intel_type_t type;
    char text[INTEL_MAX_URL + 1]; /* display form */
    size_t len;
    uint8_t key[INTEL_MAX_URL + 1]; /* lookup key: ip 16 bytes, cidr 17, else the text */
    size_t keylen;
} intel_value_t;

/* Check and normalise s (n bytes) as type (INTEL_AUTO: detect). On false
 * err holds "expected a domain name, got 'x'" or similar. */
bool intel_value_parse(intel_type_t type, const char *s, size_t n, intel_value_t *v, char *err,
                       size_t errlen);
/* Lower-case, strip one trailing dot. strict: labels of letters, digits,
 * '-' and '_' (1..63 bytes), at least two labels, at most 253 bytes, the
 * last label not all digits (so no IPv4 address). Not strict (event side): any bytes but '\0', at
 * most 253. */
bool intel_domain_norm(const char *s, size_t n, char *out, size_t cap, size_t *outlen, bool strict);
/* See intel.h; out needs INTEL_MAX_URL + 1 bytes. */
bool intel_url_norm(const char *s, size_t n, char *out, size_t *outlen);

/* Add a checked value. Returns as intel_add(). */
int intel_add_value(intel_set_t *set, const intel_value_t *v, const char *source, size_t srclen,
                    int confidence, int64_t expires, const char *desc, size_t desclen, char *err,
                    size_t errlen);

/* Lines of a text buffer: without the end of line, "\r\n" or "\n"; a
 * UTF-8 byte order mark at the start is skipped. */
typedef struct intel_lines {
    const char *p, *end;
    size_t lineno;
} intel_lines_t;

void intel_lines_init(intel_lines_t *it, const char *buf, size_t len);
bool intel_lines_next(intel_lines_t *it, const char **line, size_t *n);
/* Trim spaces and tabs at both ends. */
void intel_trim(const char **s, size_t *n);

/* Per-format loaders (intel_list.c, intel_csv.c, intel_stix.c). They add
 * to stats and report on df; false only when the whole file is unusable. */
bool intel_load_plain(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                      size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                      size_t errlen);
bool intel_load_adblock(intel_set_t *set, const intel_feed_t *feed, const char *name,
                        const char *buf, size_t len, ctx_diag_file_t *df, intel_load_stats_t *st,
                        char *err, size_t errlen);
bool intel_load_ipsum(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                      size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                      size_t errlen);
bool intel_load_csv(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                    size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                    size_t errlen);
bool intel_load_stix(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                     size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                     size_t errlen);

/* The feed's confidence, or def when it names none. */
static inline int intel_feed_conf(const intel_feed_t *f, int def)
{
    return f->confidence >= 0 && f->confidence <= 100 ? f->confidence : def;
}

#endif
