/* intel_csv.c -- CSV feeds: a header line naming the columns, then one
 * indicator a line.
 *
 *   type,value,source,confidence,expires,description
 *   domain,evil.example,city-cert,90,2026-01-01T00:00:00Z,"C2, seen 2025-06"
 *
 * Columns may come in any order; value is required, the others optional
 * (type: the feed's type; source: the feed's name; confidence, expires: the
 * feed's defaults). Fields follow RFC 4180 quoting ("" is a quote inside a
 * quoted field) except that a record is one line: a quoted line break is
 * reported. Empty lines and lines starting with '#' are skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel_int.h"

enum { COL_TYPE, COL_VALUE, COL_SOURCE, COL_CONF, COL_EXPIRES, COL_DESC, COL_COUNT };
static const char *const col_names[COL_COUNT] = {"type",       "value",   "source",
                                                 "confidence", "expires", "description"};

typedef struct field {
    const char *p;
    size_t n;
} field_t;

/* Split one line into fields; quoted fields are unescaped into buf (at
 * least n bytes). Returns the count, or -1 with the reason in *why. */
static int split(const char *s, size_t n, char *buf, field_t *f, int maxf, const char **why)
{
    size_t i = 0, o = 0;
    int nf = 0;
    for (;;) {
        if (nf == maxf) {
            *why = "too many fields";
            return -1;
        }
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i < n && s[i] == '"') {
            size_t start = o;
            for (i++;; i++) {
                if (i >= n) {
                    *why = "unterminated quoted field (quoted line breaks are not supported)";
                    return -1;
                }
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        buf[o++] = '"';
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[o++] = s[i];
            }
            f[nf++] = (field_t){buf + start, o - start};
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
            if (i < n && s[i] != ',') {
                *why = "text after a closing quote";
                return -1;
            }
        } else {
            size_t start = i;
            while (i < n && s[i] != ',')
                i++;
            field_t fl = {s + start, i - start};
            intel_trim(&fl.p, &fl.n);
            f[nf++] = fl;
        }
        if (i >= n) return nf;
        i++; /* the comma */
    }
}

typedef struct csv {
    int col[COL_COUNT]; /* field index of each column, or -1 */
    int ncols;
    char *buf;
    field_t f[COL_COUNT + 1];
} csv_t;

static bool header(csv_t *c, const char *name, size_t lineno, const char *s, size_t n, char *err,
                   size_t errlen)
{
    const char *why;
    char tmp[CTX_SHOW_MAX];
    int nf = split(s, n, c->buf, c->f, COL_COUNT + 1, &why);
    if (nf < 0) {
        snprintf(err, errlen, "%s:%zu: header: %s", name, lineno, why);
        return false;
    }
    for (int k = 0; k < COL_COUNT; k++)
        c->col[k] = -1;
    for (int i = 0; i < nf; i++) {
        int k = 0;
        while (k < COL_COUNT && !(strlen(col_names[k]) == c->f[i].n &&
                                  strncasecmp(col_names[k], c->f[i].p, c->f[i].n) == 0))
            k++;
        if (k == COL_COUNT) {
            snprintf(err, errlen,
                     "%s:%zu: header: unknown column '%s' (expected type, value, source, "
                     "confidence, expires, description)",
                     name, lineno, ctx_show(c->f[i].p, c->f[i].n, tmp));
            return false;
        }
        if (c->col[k] >= 0) {
            snprintf(err, errlen, "%s:%zu: header: column '%s' twice", name, lineno, col_names[k]);
            return false;
        }
        c->col[k] = i;
    }
    if (c->col[COL_VALUE] < 0) {
        snprintf(err, errlen, "%s:%zu: header: no 'value' column", name, lineno);
        return false;
    }
    c->ncols = nf;
    return true;
}

static const field_t *col(const csv_t *c, int k)
{
    static const field_t empty = {"", 0};
    return c->col[k] >= 0 ? &c->f[c->col[k]] : &empty;
}

/* A source name: printable ASCII, at most INTEL_MAX_SOURCE bytes. */
static bool source_ok(const field_t *f)
{
    if (f->n > INTEL_MAX_SOURCE) return false;
    for (size_t i = 0; i < f->n; i++)
        if (f->p[i] < 0x20 || f->p[i] > 0x7e) return false;
    return true;
}

static bool conf_parse(const field_t *f, int *out)
{
    if (f->n == 0 || f->n > 3) return false;
    int v = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->p[i] < '0' || f->p[i] > '9') return false;
        v = v * 10 + (f->p[i] - '0');
    }
    if (v > 100) return false;
    *out = v;
    return true;
}

/* One data line: false with the reason in why (no position). */
static bool row(const csv_t *c, const intel_feed_t *feed, intel_value_t *v, int *conf,
                int64_t *expires, char *why, size_t whylen)
{
    char tmp[CTX_SHOW_MAX], vwhy[256];
    const field_t *t = col(c, COL_TYPE), *val = col(c, COL_VALUE), *src = col(c, COL_SOURCE);
    const field_t *cf = col(c, COL_CONF), *ex = col(c, COL_EXPIRES);
    int type = t->n ? intel_type_parse(t->p, t->n) : (int)feed->type;
    if (type < 0) {
        snprintf(why, whylen,
                 "type: unknown type '%s' (expected ip, cidr, domain, url, ja3, sha256 or auto)",
                 ctx_show(t->p, t->n, tmp));
        return false;
    }
    if (!intel_value_parse((intel_type_t)type, val->p, val->n, v, vwhy, sizeof(vwhy))) {
        snprintf(why, whylen, "value: %s", vwhy);
        return false;
    }
    if (!source_ok(src)) {
        snprintf(why, whylen, "source: expected printable ASCII of at most %d bytes, got '%s'",
                 INTEL_MAX_SOURCE, ctx_show(src->p, src->n, tmp));
        return false;
    }
    *conf = intel_feed_conf(feed, INTEL_DEFAULT_CONF);
    if (cf->n && !conf_parse(cf, conf)) {
        snprintf(why, whylen, "confidence: expected an integer 0..100, got '%s'",
                 ctx_show(cf->p, cf->n, tmp));
        return false;
    }
    *expires = feed->expires_usec;
    if (ex->n == 5 && memcmp(ex->p, "never", 5) == 0)
        *expires = INTEL_NEVER;
    else if (ex->n && !ctx_time_parse(ex->p, ex->n, expires)) {
        snprintf(why, whylen,
                 "expires: expected an RFC 3339 time (2026-01-31T00:00:00Z) or 'never', got '%s'",
                 ctx_show(ex->p, ex->n, tmp));
        return false;
    }
    return true;
}

static bool data_line(intel_set_t *set, csv_t *c, const intel_feed_t *feed, const char *name,
                      size_t lineno, const char *s, size_t n, ctx_diag_file_t *df,
                      intel_load_stats_t *st, char *err, size_t errlen)
{
    const char *why;
    char msg[320];
    intel_value_t v;
    int conf;
    int64_t expires;
    int nf = split(s, n, c->buf, c->f, COL_COUNT + 1, &why);
    if (nf < 0 || nf != c->ncols) {
        if (nf >= 0)
            ctx_diag_line(df, "%s:%zu: expected %d fields, got %d", name, lineno, c->ncols, nf);
        else
            ctx_diag_line(df, "%s:%zu: %s", name, lineno, why);
        st->bad++;
        return true;
    }
    if (!row(c, feed, &v, &conf, &expires, msg, sizeof(msg))) {
        ctx_diag_line(df, "%s:%zu: %s", name, lineno, msg);
        st->bad++;
        return true;
    }
    const field_t *src = col(c, COL_SOURCE), *d = col(c, COL_DESC);
    const char *sp = src->n ? src->p : feed->name;
    size_t sn = src->n ? src->n : strlen(feed->name);
    int r =
        intel_add_value(set, &v, sp, sn, conf, expires, d->n ? d->p : NULL, d->n, msg, sizeof(msg));
    if (r == -2) {
        snprintf(err, errlen, "%s:%zu: %s", name, lineno, msg);
        return false;
    }
    if (r == 1)
        st->loaded++;
    else
        st->duplicates++;
    return true;
}

bool intel_load_csv(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                    size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                    size_t errlen)
{
    intel_lines_t it;
    const char *s;
    size_t n;
    csv_t c = {.ncols = 0};
    c.buf = malloc(INTEL_MAX_LINE + 1);
    if (!c.buf) {
        snprintf(err, errlen, "%s: out of memory", name);
        return false;
    }
    bool ok = true;
    intel_lines_init(&it, buf, len);
    while (ok && intel_lines_next(&it, &s, &n)) {
        if (n > INTEL_MAX_LINE || memchr(s, '\0', n)) {
            if (n > INTEL_MAX_LINE)
                ctx_diag_line(df, "%s:%zu: line longer than %d bytes", name, it.lineno,
                              INTEL_MAX_LINE);
            else
                ctx_diag_line(df, "%s:%zu: NUL byte in line", name, it.lineno);
            st->bad++;
            continue;
        }
        intel_trim(&s, &n);
        if (n == 0 || s[0] == '#') continue;
        if (c.ncols == 0)
            ok = header(&c, name, it.lineno, s, n, err, errlen);
        else
            ok = data_line(set, &c, feed, name, it.lineno, s, n, df, st, err, errlen);
    }
    if (ok && c.ncols == 0) {
        snprintf(err, errlen, "%s: no header line (type,value,source,confidence,expires)", name);
        ok = false;
    }
    free(c.buf);
    return ok;
}
