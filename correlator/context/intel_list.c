/* intel_list.c -- line-based feeds: plain lists, Adblock "||domain^" lists
 * and ipsum "IP<TAB>count" lists; and the loader entry points. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel_int.h"

void intel_lines_init(intel_lines_t *it, const char *buf, size_t len)
{
    it->p = buf;
    it->end = buf + len;
    it->lineno = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) it->p += 3;
}

bool intel_lines_next(intel_lines_t *it, const char **line, size_t *n)
{
    if (it->p >= it->end) return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *e = nl ? nl : it->end;
    *line = it->p;
    *n = (size_t)(e - it->p);
    if (*n && (*line)[*n - 1] == '\r') (*n)--;
    it->p = nl ? nl + 1 : it->end;
    it->lineno++;
    return true;
}

void intel_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Lines too long or holding NUL bytes are reported, not read. */
static bool line_ok(ctx_diag_file_t *df, const char *name, size_t lineno, const char *s, size_t n,
                    intel_load_stats_t *st)
{
    if (n > INTEL_MAX_LINE)
        ctx_diag_line(df, "%s:%zu: line longer than %d bytes", name, lineno, INTEL_MAX_LINE);
    else if (memchr(s, '\0', n))
        ctx_diag_line(df, "%s:%zu: NUL byte in line", name, lineno);
    else
        return true;
    st->bad++;
    return false;
}

static size_t token_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != ' ' && s[i] != '\t')
        i++;
    return i;
}

/* Whether any byte of set occurs in s[0..n). */
static bool strpbrk_n(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(set, s[i])) return true;
    return false;
}

/* Add one value; false only when the file must stop (limits). */
static bool add_one(intel_set_t *set, const intel_value_t *v, const char *source, int confidence,
                    int64_t expires, const char *name, size_t lineno, intel_load_stats_t *st,
                    char *err, size_t errlen)
{
    char why[256];
    int r = intel_add_value(set, v, source, strlen(source), confidence, expires, NULL, 0, why,
                            sizeof(why));
    if (r == -2) {
        snprintf(err, errlen, "%s:%zu: %s", name, lineno, why);
        return false;
    }
    if (r == 1)
        st->loaded++;
    else
        st->duplicates++;
    return true;
}

bool intel_load_plain(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                      size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                      size_t errlen)
{
    intel_lines_t it;
    const char *s;
    size_t n;
    intel_value_t v;
    char why[256], tmp[CTX_SHOW_MAX];
    int conf = intel_feed_conf(feed, INTEL_DEFAULT_CONF);
    intel_lines_init(&it, buf, len);
    while (intel_lines_next(&it, &s, &n)) {
        if (!line_ok(df, name, it.lineno, s, n, st)) continue;
        intel_trim(&s, &n);
        if (n == 0 || s[0] == '#') continue;
        size_t vlen = token_len(s, n);
        const char *rest = s + vlen;
        size_t rlen = n - vlen;
        intel_trim(&rest, &rlen);
        if (rlen && rest[0] != '#') {
            ctx_diag_line(df, "%s:%zu: unexpected text after the value: '%s'", name, it.lineno,
                          ctx_show(rest, rlen, tmp));
            st->bad++;
            continue;
        }
        if (!intel_value_parse(feed->type, s, vlen, &v, why, sizeof(why))) {
            ctx_diag_line(df, "%s:%zu: %s", name, it.lineno, why);
            st->bad++;
            continue;
        }
        if (!add_one(set, &v, feed->name, conf, feed->expires_usec, name, it.lineno, st, err,
                     errlen))
            return false;
    }
    return true;
}

bool intel_load_adblock(intel_set_t *set, const intel_feed_t *feed, const char *name,
                        const char *buf, size_t len, ctx_diag_file_t *df, intel_load_stats_t *st,
                        char *err, size_t errlen)
{
    intel_lines_t it;
    const char *s;
    size_t n;
    intel_value_t v;
    char why[256], tmp[CTX_SHOW_MAX];
    int conf = intel_feed_conf(feed, INTEL_DEFAULT_CONF);
    intel_lines_init(&it, buf, len);
    while (intel_lines_next(&it, &s, &n)) {
        if (!line_ok(df, name, it.lineno, s, n, st)) continue;
        intel_trim(&s, &n);
        if (n == 0 || s[0] == '!' || s[0] == '[') continue; /* comments, "[Adblock Plus]" */
        bool plain = n > 3 && memcmp(s, "||", 2) == 0 && s[n - 1] == '^';
        if (!plain || strpbrk_n(s + 2, n - 3, "*^/$|")) {
            /* options ($third-party), exceptions (@@), paths, wildcards,
             * element hiding: nothing a domain indicator can express */
            ctx_diag_line(df, "%s:%zu: only '||domain^' rules are supported, skipped '%s'", name,
                          it.lineno, ctx_show(s, n, tmp));
            st->unsupported++;
            continue;
        }
        if (!intel_value_parse(INTEL_DOMAIN, s + 2, n - 3, &v, why, sizeof(why))) {
            ctx_diag_line(df, "%s:%zu: %s", name, it.lineno, why);
            st->bad++;
            continue;
        }
        if (!add_one(set, &v, feed->name, conf, feed->expires_usec, name, it.lineno, st, err,
                     errlen))
            return false;
    }
    return true;
}

/* Decimal 1..1000000, digits only. */
static bool parse_count(const char *s, size_t n, unsigned *out)
{
    if (n == 0 || n > 7) return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v < 1 || v > 1000000) return false;
    *out = v;
    return true;
}

bool intel_load_ipsum(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                      size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                      size_t errlen)
{
    intel_lines_t it;
    const char *s;
    size_t n;
    intel_value_t v;
    char why[256], tmp[CTX_SHOW_MAX];
    intel_lines_init(&it, buf, len);
    while (intel_lines_next(&it, &s, &n)) {
        if (!line_ok(df, name, it.lineno, s, n, st)) continue;
        intel_trim(&s, &n);
        if (n == 0 || s[0] == '#') continue;
        size_t vlen = token_len(s, n);
        const char *cnt = s + vlen;
        size_t clen = n - vlen;
        intel_trim(&cnt, &clen);
        unsigned count;
        if (!parse_count(cnt, clen, &count)) {
            ctx_diag_line(df, "%s:%zu: expected 'IP<TAB>count' (count 1..1000000), got '%s'", name,
                          it.lineno, ctx_show(s, n, tmp));
            st->bad++;
            continue;
        }
        if (!intel_value_parse(INTEL_IP, s, vlen, &v, why, sizeof(why))) {
            ctx_diag_line(df, "%s:%zu: %s", name, it.lineno, why);
            st->bad++;
            continue;
        }
        if (count < feed->min_count) {
            st->filtered++;
            continue;
        }
        /* ipsum's count is the number of blocklists naming the address */
        int conf = intel_feed_conf(feed, count >= 10 ? 100 : (int)count * 10);
        if (!add_one(set, &v, feed->name, conf, feed->expires_usec, name, it.lineno, st, err,
                     errlen))
            return false;
    }
    return true;
}

/* ---- entry points ---------------------------------------------------------- */

static void add_stats(intel_load_stats_t *to, const intel_load_stats_t *from)
{
    to->loaded += from->loaded;
    to->duplicates += from->duplicates;
    to->bad += from->bad;
    to->unsupported += from->unsupported;
    to->filtered += from->filtered;
}

bool intel_load_buffer(intel_set_t *set, const intel_feed_t *feed, const char *name,
                       const char *buf, size_t len, ctx_diag_t *diag, intel_load_stats_t *stats,
                       char *err, size_t errlen)
{
    if (set->finished) {
        snprintf(err, errlen, "%s: indicator set already finished", name);
        return false;
    }
    intel_feed_t f = *feed;
    if (!f.name || !f.name[0]) f.name = name;
    ctx_diag_file_t df;
    ctx_diag_file_init(&df, diag, name);
    intel_load_stats_t st = {0};
    bool ok;
    switch (f.format) {
    case INTEL_FMT_PLAIN:
        ok = intel_load_plain(set, &f, name, buf, len, &df, &st, err, errlen);
        break;
    case INTEL_FMT_CSV: ok = intel_load_csv(set, &f, name, buf, len, &df, &st, err, errlen); break;
    case INTEL_FMT_ADBLOCK:
        ok = intel_load_adblock(set, &f, name, buf, len, &df, &st, err, errlen);
        break;
    case INTEL_FMT_IPSUM:
        ok = intel_load_ipsum(set, &f, name, buf, len, &df, &st, err, errlen);
        break;
    case INTEL_FMT_STIX:
        ok = intel_load_stix(set, &f, name, buf, len, &df, &st, err, errlen);
        break;
    default: snprintf(err, errlen, "%s: unknown feed format", name); ok = false;
    }
    ctx_diag_file_done(&df);
    if (stats) add_stats(stats, &st);
    return ok;
}

bool intel_load_file(intel_set_t *set, const intel_feed_t *feed, const char *path, ctx_diag_t *diag,
                     intel_load_stats_t *stats, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    size_t max = feed->format == INTEL_FMT_STIX ? INTEL_MAX_STIX_FILE : INTEL_MAX_FILE;
    if (!ctx_read_file(path, max, &buf, &len, err, errlen)) return false;
    bool ok = intel_load_buffer(set, feed, path, buf, len, diag, stats, err, errlen);
    free(buf);
    return ok;
}
