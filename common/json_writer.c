/* json_writer.c -- append-only JSON writer (see json_writer.h).
 *
 * Runs once per event at high rates, so the string escaper copies runs of
 * safe bytes in bulk (one table lookup per byte) and reserves output space
 * once per chunk instead of once per byte. Integers and timestamps are
 * formatted by hand: printf is slow and locale-dependent.
 *
 * Error model: once anything goes wrong (allocation failure, size limit,
 * nesting too deep, unbalanced close) w->oom is set and every later call is
 * a no-op until jw_reset(). The caller checks w->oom once per event. While
 * w->oom is false, buf[len] is always a NUL so buf can be used as a string. */
#include "json_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JW_INITIAL_CAP 1024
#define JW_MAX_LEN     (64u << 20) /* one event never needs more than 64 MiB */
#define JW_CHUNK       4096        /* input bytes escaped per reservation */
#define JW_MAX_UTF8    4           /* longest UTF-8 sequence */

/* Byte classes for the escaper. */
enum { C_SAFE = 0, C_SHORT, C_CTRL, C_HIGH };

#define S C_SAFE
#define E C_SHORT
#define C C_CTRL
#define H C_HIGH
/* How each byte is written. Control bytes (and DEL, so logs viewed on a
 * terminal stay readable) become \uXXXX or a short escape; '"' and '\\' get
 * a backslash; 0x80-0xff start (or misplace) a multi-byte UTF-8 sequence. */
static const unsigned char jw_class[256] = {
    C, C, C, C, C, C, C, C, E, E, E, C, E, E, C, C, /* 00 */
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 10 */
    S, S, E, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 20 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 30 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 40 */
    S, S, S, S, S, S, S, S, S, S, S, S, E, S, S, S, /* 50 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 60 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, C, /* 70 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 80 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 90 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* a0 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* b0 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* c0 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* d0 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* e0 */
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* f0 */
};
#undef S
#undef E
#undef C
#undef H

static const char jw_short_esc[256] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
                                       ['\t'] = 't', ['"'] = '"',  ['\\'] = '\\'};

static const char jw_hex[] = "0123456789abcdef";

/* "00" "01" ... "99": two digits per table lookup halves the divisions. */
static const char jw_digits2[201] = "00010203040506070809101112131415161718192021222324"
                                    "25262728293031323334353637383940414243444546474849"
                                    "50515253545556575859606162636465666768697071727374"
                                    "75767778798081828384858687888990919293949596979899";

void jw_init(jw_t *w)
{
    memset(w, 0, sizeof(*w));
    w->first[0] = true;
}

void jw_free(jw_t *w)
{
    free(w->buf);
    jw_init(w);
}

void jw_reset(jw_t *w)
{
    w->len = 0;
    w->depth = 0;
    w->first[0] = true;
    w->oom = false;
    if (w->buf) w->buf[0] = '\0';
}

/* Make room for n more bytes plus the trailing NUL. Doubles the buffer so
 * appends are amortised O(1); fails (and marks the writer) past JW_MAX_LEN. */
static bool jw_reserve(jw_t *w, size_t n)
{
    if (w->oom) return false;
    if (n < w->cap - w->len) return true; /* cap > len always holds once allocated */
    if (w->len >= JW_MAX_LEN || n >= JW_MAX_LEN - w->len) {
        w->oom = true;
        return false;
    }
    size_t need = w->len + n + 1;
    size_t cap = w->cap ? w->cap : JW_INITIAL_CAP;
    while (cap < need)
        cap *= 2;
    char *nb = realloc(w->buf, cap);
    if (!nb) {
        w->oom = true;
        return false;
    }
    w->buf = nb;
    w->cap = cap;
    return true;
}

static inline void jw_terminate(jw_t *w)
{
    if (!w->oom) w->buf[w->len] = '\0';
}

static inline void jw_put_raw(jw_t *w, const char *s, size_t n)
{
    if (!jw_reserve(w, n)) return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static inline void jw_put_char(jw_t *w, char c)
{
    if (!jw_reserve(w, 1)) return;
    w->buf[w->len++] = c;
}

/* Comma before a value when it is not the first in its container. After a
 * key, jw_key() has already set first[] so no comma is written. */
static inline void jw_prefix(jw_t *w)
{
    if (w->depth == 0) return;
    if (!w->first[w->depth]) jw_put_char(w, ',');
    w->first[w->depth] = false;
}

/* Length of the valid UTF-8 sequence starting at s (0 if invalid), per RFC
 * 3629: no overlongs, no surrogates, nothing above U+10FFFF. */
static inline size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0xc2 || c > 0xf4) return 0; /* continuation, overlong C0/C1, F5+ */
    if (c < 0xe0) return (avail >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
    if (c < 0xf0) {
        if (avail < 3 || (s[2] & 0xc0) != 0x80) return 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xe0) lo = 0xa0; /* overlong */
        if (c == 0xed) hi = 0x9f; /* surrogates D800-DFFF */
        return (s[1] >= lo && s[1] <= hi) ? 3 : 0;
    }
    if (avail < 4 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80) return 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xf0) lo = 0x90; /* overlong */
    if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
    return (s[1] >= lo && s[1] <= hi) ? 4 : 0;
}

static inline char *put_u00xx(char *o, unsigned char c)
{
    o[0] = '\\';
    o[1] = 'u';
    o[2] = '0';
    o[3] = '0';
    o[4] = jw_hex[c >> 4];
    o[5] = jw_hex[c & 15];
    return o + 6;
}

void jw_escape(jw_t *w, const void *s, size_t n)
{
    const unsigned char *p = s;
    size_t i = 0;
    while (i < n) {
        /* Each input byte yields at most 6 output bytes; a UTF-8 sequence
         * that starts before stop may run up to 3 bytes past it. */
        size_t stop = (n - i > JW_CHUNK) ? i + JW_CHUNK : n;
        if (!jw_reserve(w, (stop - i + JW_MAX_UTF8) * 6)) return;
        char *o = w->buf + w->len;
        while (i < stop) {
            size_t j = i;
            while (j < stop && jw_class[p[j]] == C_SAFE)
                j++;
            memcpy(o, p + i, j - i);
            o += j - i;
            i = j;
            if (i >= stop) break;
            unsigned char c = p[i];
            switch (jw_class[c]) {
            case C_SHORT:
                o[0] = '\\';
                o[1] = jw_short_esc[c];
                o += 2;
                i++;
                break;
            case C_CTRL:
                o = put_u00xx(o, c);
                i++;
                break;
            default: {
                size_t k = utf8_seq_len(p + i, n - i);
                if (k == 0) {
                    o = put_u00xx(o, c); /* invalid byte: keep it visible */
                    i++;
                } else {
                    memcpy(o, p + i, k);
                    o += k;
                    i += k;
                }
            }
            }
        }
        w->len = (size_t)(o - w->buf);
    }
    jw_terminate(w);
}

static void jw_quoted(jw_t *w, const void *s, size_t n)
{
    jw_put_char(w, '"');
    jw_escape(w, s, n);
    jw_put_char(w, '"');
}

/* ---- containers and keys ---------------------------------------------- */

static void jw_open(jw_t *w, char c)
{
    if (w->oom) return;
    if (w->depth >= JW_MAX_DEPTH) {
        w->oom = true; /* too deep: the output would be truncated anyway */
        return;
    }
    jw_prefix(w);
    jw_put_char(w, c);
    w->depth++;
    w->first[w->depth] = true;
    jw_terminate(w);
}

static void jw_close(jw_t *w, char c)
{
    if (w->oom) return;
    if (w->depth <= 0) {
        w->oom = true; /* unbalanced close: caller bug, output invalid */
        return;
    }
    w->depth--;
    jw_put_char(w, c);
    jw_terminate(w);
}

void jw_object_open(jw_t *w)
{
    jw_open(w, '{');
}
void jw_object_close(jw_t *w)
{
    jw_close(w, '}');
}
void jw_array_open(jw_t *w)
{
    jw_open(w, '[');
}
void jw_array_close(jw_t *w)
{
    jw_close(w, ']');
}

void jw_key(jw_t *w, const char *key)
{
    if (w->oom) return;
    jw_prefix(w);
    jw_quoted(w, key, strlen(key));
    jw_put_char(w, ':');
    /* The value that follows must not write a comma. */
    w->first[w->depth] = true;
    jw_terminate(w);
}

/* ---- scalar values ---------------------------------------------------- */

/* Writes v in decimal at the end of out[20], returns the first digit. */
static char *fmt_u64(char out[20], uint64_t v)
{
    char *p = out + 20;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        p[0] = jw_digits2[d];
        p[1] = jw_digits2[d + 1];
    }
    if (v >= 10) {
        p -= 2;
        p[0] = jw_digits2[v * 2];
        p[1] = jw_digits2[v * 2 + 1];
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

static void jw_put_u64(jw_t *w, bool neg, uint64_t mag)
{
    char tmp[21];
    char *p = fmt_u64(tmp + 1, mag);
    if (neg) *--p = '-';
    jw_put_raw(w, p, (size_t)(tmp + 21 - p));
}

void jw_str(jw_t *w, const char *s)
{
    if (w->oom) return;
    jw_prefix(w);
    if (s)
        jw_quoted(w, s, strlen(s));
    else
        jw_put_raw(w, "null", 4);
    jw_terminate(w);
}

void jw_strn(jw_t *w, const void *s, size_t n)
{
    if (w->oom) return;
    jw_prefix(w);
    jw_quoted(w, s, s ? n : 0);
    jw_terminate(w);
}

void jw_uint(jw_t *w, uint64_t v)
{
    if (w->oom) return;
    jw_prefix(w);
    jw_put_u64(w, false, v);
    jw_terminate(w);
}

void jw_int(jw_t *w, int64_t v)
{
    if (w->oom) return;
    jw_prefix(w);
    /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
    jw_put_u64(w, v < 0, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    jw_terminate(w);
}

void jw_double(jw_t *w, double v)
{
    if (w->oom) return;
    jw_prefix(w);
    if (!isfinite(v)) {
        jw_put_raw(w, "null", 4); /* JSON has no NaN or infinity */
    } else {
        /* Shortest of %.15g / %.17g that reads back as the same value.
         * Doubles are rare in events, so snprintf is fine here. */
        char tmp[32];
        int n = snprintf(tmp, sizeof(tmp), "%.15g", v);
        if (strtod(tmp, NULL) != v) n = snprintf(tmp, sizeof(tmp), "%.17g", v);
        if (n > 0 && (size_t)n < sizeof(tmp)) jw_put_raw(w, tmp, (size_t)n);
    }
    jw_terminate(w);
}

void jw_bool(jw_t *w, bool v)
{
    if (w->oom) return;
    jw_prefix(w);
    if (v)
        jw_put_raw(w, "true", 4);
    else
        jw_put_raw(w, "false", 5);
    jw_terminate(w);
}

void jw_null(jw_t *w)
{
    if (w->oom) return;
    jw_prefix(w);
    jw_put_raw(w, "null", 4);
    jw_terminate(w);
}

/* ---- key + value shorthands ------------------------------------------- */

void jw_kobject_open(jw_t *w, const char *key)
{
    jw_key(w, key);
    jw_object_open(w);
}

void jw_karray_open(jw_t *w, const char *key)
{
    jw_key(w, key);
    jw_array_open(w);
}

void jw_kstr(jw_t *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kstrn(jw_t *w, const char *key, const void *s, size_t n)
{
    jw_key(w, key);
    jw_strn(w, s, n);
}

void jw_kuint(jw_t *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_uint(w, v);
}

void jw_kint(jw_t *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_kdouble(jw_t *w, const char *key, double v)
{
    jw_key(w, key);
    jw_double(w, v);
}

void jw_kbool(jw_t *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

void jw_knull(jw_t *w, const char *key)
{
    jw_key(w, key);
    jw_null(w);
}

void jw_kraw(jw_t *w, const char *key, const char *json)
{
    jw_key(w, key);
    if (w->oom) return;
    jw_prefix(w);
    jw_put_raw(w, json, strlen(json));
    jw_terminate(w);
}

/* ---- timestamps --------------------------------------------------------- */

#define TS_MIN_SEC (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define TS_MAX_SEC 253402300799LL   /* 9999-12-31T23:59:59Z */

/* Proleptic Gregorian date of a day count since 1970-01-01, using 400-year
 * eras so it is exact for negative days too. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468; /* days from 0000-03-01 to 1970-01-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static inline void put2(char *o, int v)
{
    o[0] = jw_digits2[v * 2];
    o[1] = jw_digits2[v * 2 + 1];
}

/* "YYYY-MM-DDTHH:MM:SS" (19 bytes) for sec within [TS_MIN_SEC, TS_MAX_SEC]. */
static void format_seconds(char out[19], int64_t sec)
{
    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    put2(out, y / 100);
    put2(out + 2, y % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = 'T';
    put2(out + 11, (int)(rem / 3600));
    out[13] = ':';
    put2(out + 14, (int)(rem / 60 % 60));
    out[16] = ':';
    put2(out + 17, (int)(rem % 60));
}

size_t jw_format_timestamp(char *out, int64_t usec)
{
    /* Consecutive events nearly always share the second, so the date part is
     * cached per thread and only the microseconds are formatted each time. */
    static _Thread_local int64_t cached_sec = INT64_MIN;
    static _Thread_local char cached[19];

    int64_t sec = usec / 1000000, frac = usec % 1000000;
    if (frac < 0) { /* floor division for times before 1970 */
        frac += 1000000;
        sec--;
    }
    /* Out-of-range times are clamped so the output keeps its fixed form. */
    if (sec < TS_MIN_SEC) {
        sec = TS_MIN_SEC;
        frac = 0;
    } else if (sec > TS_MAX_SEC) {
        sec = TS_MAX_SEC;
        frac = 999999;
    }
    if (sec != cached_sec) {
        format_seconds(cached, sec);
        cached_sec = sec;
    }
    memcpy(out, cached, 19);
    out[19] = '.';
    int f = (int)frac;
    put2(out + 20, f / 10000);
    put2(out + 22, f / 100 % 100);
    put2(out + 24, f % 100);
    memcpy(out + 26, "+0000", 6); /* includes the NUL */
    return 31;
}

void jw_ktimestamp(jw_t *w, const char *key, int64_t usec)
{
    jw_key(w, key);
    if (w->oom) return;
    jw_prefix(w);
    char ts[34];
    ts[0] = '"';
    size_t n = jw_format_timestamp(ts + 1, usec);
    ts[n + 1] = '"';
    jw_put_raw(w, ts, n + 2);
    jw_terminate(w);
}
