/* ctx_util.c -- diagnostics, file reading, RFC 3339 times (see ctx_util.h). */
#include "ctx_util.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static void emit(ctx_diag_t *d, char *line)
{
    for (char *p = line; *p; p++) /* one line, whatever the file held */
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    if (d) d->lines++;
    if (d && d->fn)
        d->fn(d->arg, line);
    else
        log_warn("%s", line);
}

void ctx_diag_file_init(ctx_diag_file_t *f, ctx_diag_t *d, const char *file)
{
    f->d = d;
    f->file = file;
    f->shown = f->hidden = 0;
}

void ctx_diag_line(ctx_diag_file_t *f, const char *fmt, ...)
{
    size_t limit = f->d && f->d->limit ? f->d->limit : CTX_DIAG_DEFAULT_LIMIT;
    if (f->shown >= limit) {
        f->hidden++;
        return;
    }
    char line[CTX_DIAG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    f->shown++;
    emit(f->d, line);
}

void ctx_diag_file_done(ctx_diag_file_t *f)
{
    if (!f->hidden) return;
    char line[CTX_DIAG_LINE_MAX];
    snprintf(line, sizeof(line), "%s: %zu more problems not shown", f->file, f->hidden);
    emit(f->d, line);
    f->hidden = 0;
}

void ctx_diag_msg(ctx_diag_t *d, const char *fmt, ...)
{
    char line[CTX_DIAG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    emit(d, line);
}

const char *ctx_show(const char *s, size_t n, char out[CTX_SHOW_MAX])
{
    return err_quote(s, n, out, 44); /* 40 bytes, then "..." */
}

bool ctx_read_file(const char *path, size_t max, char **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return false;
    }
    if ((uint64_t)st.st_size > max) {
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
        close(fd);
        return false;
    }
    char *b = malloc((size_t)st.st_size + 1);
    if (!b) {
        snprintf(err, errlen, "%s: out of memory", path);
        close(fd);
        return false;
    }
    size_t got = 0;
    while (got <= (size_t)st.st_size) { /* read one past: the file may have grown */
        ssize_t r = read(fd, b + got, (size_t)st.st_size + 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            free(b);
            close(fd);
            return false;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got > (size_t)st.st_size) {
        snprintf(err, errlen, "%s: changed while being read", path);
        free(b);
        return false;
    }
    b[got] = '\0';
    *buf = b;
    *len = got;
    return true;
}

/* ---- RFC 3339 ---------------------------------------------------------- */

static bool digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
    if (at + k > n) return false;
    int v = 0;
    for (size_t i = at; i < at + k; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the
 * civil-from-days inverse by eras of 400 years). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Fraction ".d{1,9}" at *at: microseconds (extra digits dropped). */
static bool fraction(const char *s, size_t n, size_t *at, int64_t *usec)
{
    *usec = 0;
    if (*at >= n || s[*at] != '.') return true;
    size_t i = *at + 1, k = 0;
    int64_t scale = 100000;
    while (i < n && s[i] >= '0' && s[i] <= '9' && k < 9) {
        *usec += (s[i] - '0') * scale;
        scale /= 10;
        i++;
        k++;
    }
    if (k == 0) return false;
    *at = i;
    return true;
}

/* "Z", "+HH:MM" or "+HHMM" ending the text: offset in seconds. */
static bool offset(const char *s, size_t n, size_t at, int64_t *secs)
{
    if (at + 1 == n && (s[at] == 'Z' || s[at] == 'z')) {
        *secs = 0;
        return true;
    }
    if (at >= n || (s[at] != '+' && s[at] != '-')) return false;
    int oh, om;
    size_t mpos = at + 3;
    if (!digits(s, n, at + 1, 2, &oh)) return false;
    if (mpos < n && s[mpos] == ':') mpos++;
    if (!digits(s, n, mpos, 2, &om) || mpos + 2 != n || oh > 23 || om > 59) return false;
    *secs = (oh * 3600 + om * 60) * (s[at] == '-' ? -1 : 1);
    return true;
}

bool ctx_time_parse(const char *s, size_t n, int64_t *usec)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
    int64_t off = 0, frac = 0;
    if (n > 10) {
        if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
        if (!digits(s, n, 11, 2, &h) || n < 19 || s[13] != ':' || !digits(s, n, 14, 2, &mi) ||
            s[16] != ':' || !digits(s, n, 17, 2, &se))
            return false;
        if (h > 23 || mi > 59 || se > 60) return false; /* 60: a leap second */
        size_t at = 19;
        if (!fraction(s, n, &at, &frac) || !offset(s, n, at, &off)) return false;
    }
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *usec = secs * 1000000 + frac;
    return true;
}
