/* fwd_incdoc.c -- see fwd_incdoc.h. */
#include "fwd_incdoc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "err.h"
#include "incidents/incident_id.h"

static const char *const reasons[] = {"created", "escalated", "resolved", "closed", "reopened"};

/* Every token but the first follows one of , : [ { so their count bounds
 * the tokens (bytes inside strings only make the bound looser), and the
 * array stays proportional to the document's structure, not its size. */
static int token_bound(const char *s, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += s[i] == ',' || s[i] == ':' || s[i] == '[' || s[i] == '{';
    return n > (size_t)INT32_MAX - 1 ? INT32_MAX - 1 : (int)n + 1;
}

static int member(const fwd_incdoc_t *d, int obj, const char *key)
{
    if (obj < 0 || d->toks[obj].type != JSON_OBJECT) return -1;
    return json_object_find(d->s, d->toks, d->ntoks, obj, key, strlen(key));
}

static int check_top(fwd_incdoc_t *d, char *err, size_t errlen)
{
    char q[64];
    if (d->toks[0].type != JSON_OBJECT)
        return err_set(-1, err, errlen, "incident version: expected an object, found %s",
                       json_type_name(d->toks[0].type));
    int v = member(d, 0, "version");
    if (v < 0 || json_tok_int64(d->s, &d->toks[v], &d->version) != JSON_OK || d->version < 1)
        return err_set(-1, err, errlen, "incident version: \"version\" must be an integer >= 1");
    int r = member(d, 0, "reason");
    bool known = false;
    for (size_t i = 0; r >= 0 && i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (json_tok_eq(d->s, &d->toks[r], reasons[i])) {
            strcpy(d->reason, reasons[i]);
            known = true;
        }
    if (!known)
        return err_set(-1, err, errlen,
                       "incident version: \"reason\" must be created, escalated, resolved, "
                       "closed or reopened");
    d->inc = member(d, 0, "incident");
    if (d->inc < 0 || d->toks[d->inc].type != JSON_OBJECT)
        return err_set(-1, err, errlen, "incident version: \"incident\" must be an object");
    int id = member(d, d->inc, "id");
    if (id < 0 || d->toks[id].type != JSON_STRING ||
        json_tok_string(d->s, &d->toks[id], d->id, sizeof(d->id), NULL) != JSON_OK ||
        !incident_id_valid(d->id)) {
        size_t n = 0;
        const char *raw = id >= 0 ? json_tok_raw(d->s, &d->toks[id], &n) : "";
        return err_set(-1, err, errlen,
                       "incident version: \"incident.id\" must be an id like INC-2026-000123, "
                       "found '%s'",
                       err_quote(raw, n, q, sizeof(q)));
    }
    return 0;
}

int fwd_incdoc_parse(fwd_incdoc_t *d, const char *s, size_t len, char *err, size_t errlen)
{
    memset(d, 0, sizeof(*d));
    if (!s) return err_set(-1, err, errlen, "incident version: no document");
    if (len > FWD_DOC_MAX)
        return err_set(-1, err, errlen, "incident version: %zu bytes, more than %u", len,
                       FWD_DOC_MAX);
    int max = token_bound(s, len);
    json_tok_t *toks = malloc((size_t)max * sizeof(*toks));
    if (!toks) return err_set(-1, err, errlen, "incident version: out of memory");
    char jerr[160];
    int n = json_parse(s, len, toks, max, jerr, sizeof(jerr));
    if (n < 1) {
        free(toks);
        return err_set(-1, err, errlen, "incident version: %s", jerr);
    }
    d->s = s;
    d->len = len;
    d->toks = toks;
    d->ntoks = n;
    if (check_top(d, err, errlen) < 0) {
        fwd_incdoc_free(d);
        return -1;
    }
    return 0;
}

void fwd_incdoc_free(fwd_incdoc_t *d)
{
    free(d->toks);
    memset(d, 0, sizeof(*d));
}

const json_tok_t *fwd_incdoc_get(const fwd_incdoc_t *d, const char *path)
{
    int at = d->inc;
    while (at >= 0 && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        at = d->toks[at].type == JSON_OBJECT
                 ? json_object_find(d->s, d->toks, d->ntoks, at, path, n)
                 : -1;
        path += n + (dot != NULL);
    }
    if (at < 0 || d->toks[at].type == JSON_NULL) return NULL;
    return &d->toks[at];
}

bool fwd_incdoc_int(const fwd_incdoc_t *d, const char *path, int64_t *v)
{
    const json_tok_t *t = fwd_incdoc_get(d, path);
    int64_t x;
    if (!t || json_tok_int64(d->s, t, &x) != JSON_OK) return false;
    *v = x;
    return true;
}

bool fwd_incdoc_time(const fwd_incdoc_t *d, const char *path, int64_t *usec)
{
    const json_tok_t *t = fwd_incdoc_get(d, path);
    if (!t || t->type != JSON_STRING || (t->flags & JSON_TOK_ESCAPED)) return false;
    size_t n;
    const char *raw = json_tok_raw(d->s, t, &n);
    return fwd_time_parse(raw, n, usec);
}

char *fwd_incdoc_strdup(const fwd_incdoc_t *d, const char *path)
{
    const json_tok_t *t = fwd_incdoc_get(d, path);
    if (!t || t->type != JSON_STRING) return NULL;
    size_t cap = (size_t)(t->end - t->start) + 1; /* unescaping never grows */
    char *out = malloc(cap);
    if (out && json_tok_string(d->s, t, out, cap, NULL) != JSON_OK) {
        free(out);
        return NULL;
    }
    return out;
}

bool fwd_incdoc_str(const fwd_incdoc_t *d, const char *path, char *out, size_t cap)
{
    const json_tok_t *t = fwd_incdoc_get(d, path);
    if (cap) out[0] = '\0';
    return t && t->type == JSON_STRING && json_tok_string(d->s, t, out, cap, NULL) == JSON_OK;
}

int fwd_incdoc_array(const fwd_incdoc_t *d, const char *path)
{
    const json_tok_t *t = fwd_incdoc_get(d, path);
    return t && t->type == JSON_ARRAY ? (int)(t - d->toks) : -1;
}

/* ---- times ------------------------------------------------------------------------ */

static bool digits(const char *s, size_t n, size_t at, size_t k, int *v)
{
    if (at + k > n) return false;
    int x = 0;
    for (size_t i = 0; i < k; i++) {
        if (s[at + i] < '0' || s[at + i] > '9') return false;
        x = x * 10 + (s[at + i] - '0');
    }
    *v = x;
    return true;
}

static int month_days(int y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return md[m - 1] + (m == 2 && leap);
}

/* "+hhmm", "+hh:mm", "-...", "Z" from s[i..n) to seconds east of UTC. */
static bool offset(const char *s, size_t n, size_t i, int *secs)
{
    if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) return *secs = 0, true;
    if (i >= n || (s[i] != '+' && s[i] != '-')) return false;
    int h, m;
    size_t mi = i + 3 + (i + 3 < n && s[i + 3] == ':');
    if (!digits(s, n, i + 1, 2, &h) || !digits(s, n, mi, 2, &m) || mi + 2 != n || h > 23 || m > 59)
        return false;
    *secs = (s[i] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

bool fwd_time_parse(const char *s, size_t n, int64_t *usec)
{
    int y, mo, d, h, mi, se;
    if (!digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s, n, 11, 2, &h) || s[13] != ':' || !digits(s, n, 14, 2, &mi) || s[16] != ':' ||
        !digits(s, n, 17, 2, &se))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 ||
        se > 59)
        return false;
    size_t i = 19;
    int64_t frac = 0, scale = 1000000;
    if (i < n && s[i] == '.') {
        size_t k = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++) {
            if (k >= 9) return false;
            if (k < 6) {
                scale /= 10;
                frac += (s[i] - '0') * scale;
            }
        }
        if (k == 0) return false;
    }
    int off;
    if (!offset(s, n, i, &off)) return false;
    int64_t t = (civil_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se) - off;
    if (t < 0) return false;
    *usec = t * 1000000 + frac;
    return true;
}

/* Days since the epoch to a date (the inverse of civil_days). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put_num(char *out, size_t *k, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        out[*k + (size_t)i] = (char)('0' + v % 10);
    *k += (size_t)width;
}

/* digits: 3 (ms) or 6 (µs) fraction digits. */
static size_t format_time(int64_t usec, char *out, int frac_digits)
{
    if (usec < 0) usec = 0;
    int64_t secs = usec / 1000000, us = usec % 1000000;
    int y, m, d;
    civil_from_days(secs / 86400, &y, &m, &d);
    int64_t sod = secs % 86400;
    size_t k = 0;
    put_num(out, &k, y, 4);
    out[k++] = '-';
    put_num(out, &k, m, 2);
    out[k++] = '-';
    put_num(out, &k, d, 2);
    out[k++] = 'T';
    put_num(out, &k, sod / 3600, 2);
    out[k++] = ':';
    put_num(out, &k, sod / 60 % 60, 2);
    out[k++] = ':';
    put_num(out, &k, sod % 60, 2);
    out[k++] = '.';
    put_num(out, &k, frac_digits == 3 ? us / 1000 : us, frac_digits);
    out[k++] = 'Z';
    out[k] = '\0';
    return k;
}

size_t fwd_time_stix(int64_t usec, char *out)
{
    return format_time(usec, out, 3);
}

size_t fwd_time_rfc3339(int64_t usec, char *out)
{
    return format_time(usec, out, 6);
}

/* ---- addresses -------------------------------------------------------------------- */

int fwd_ip_family(const char *s)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, s, b) == 1) return 4;
    if (inet_pton(AF_INET6, s, b) == 1) return 6;
    return 0;
}

static bool v4_internal(const unsigned char *a)
{
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) || a[0] >= 224; /* multicast, reserved, broadcast */
}

bool fwd_ip_internal(const char *s)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, s, a) == 1) return v4_internal(a);
    if (inet_pton(AF_INET6, s, a) != 1) return false;
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0) return v4_internal(a + 12);
    if (memcmp(a, zero, 15) == 0 && a[15] <= 1) return true; /* :: and ::1 */
    return (a[0] & 0xfe) == 0xfc ||                          /* unique local fc00::/7 */
           (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||        /* link-local fe80::/10 */
           a[0] == 0xff;                                     /* multicast */
}
