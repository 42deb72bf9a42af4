/* fwd_syslog.c -- see fwd_syslog.h. */
#include "fwd_syslog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Fixed fields, within RFC 5424's limits (APP-NAME 48, MSGID 32 bytes). */
#define APP_NAME  "soc-forwarder"
#define MSGID     "incident"
#define SD_ID_MAX 32
#define HEAD_MAX  (16 + 40 + 256 + 64 + 256) /* PRI..MSGID and the SD element */

/* RFC 5424 PRINTUSASCII, 1..max bytes. */
static bool print_ascii(const char *s, size_t max)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] < 33 || s[i] > 126) return false;
    return n >= 1 && n <= max;
}

/* SD-NAME (PRINTUSASCII but '=', SP, ']', '"'), and the private form
 * name@digits: names without '@' are IANA's. */
static bool sd_id_ok(const char *s)
{
    if (!print_ascii(s, SD_ID_MAX) || strpbrk(s, "= ]\"")) return false;
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1]) return false;
    for (const char *p = at + 1; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

int fwd_syslog_opts_check(const fwd_syslog_opts_t *o, char *err, size_t errlen)
{
    char q[64];
    if (!o) return 0;
    if (o->facility < 0 || o->facility > 23)
        return err_set(-1, err, errlen, "syslog facility %d: expected 0..23", o->facility);
    if (o->hostname && o->hostname[0] && !print_ascii(o->hostname, 255))
        return err_set(-1, err, errlen,
                       "syslog hostname '%s': expected 1..255 printable ASCII characters",
                       err_quote(o->hostname, strlen(o->hostname), q, sizeof(q)));
    if (o->sd_id && o->sd_id[0] && !sd_id_ok(o->sd_id))
        return err_set(-1, err, errlen,
                       "syslog SD-ID '%s': expected name@enterprise-number, at most 32 printable "
                       "ASCII characters without '=', ' ', ']' or '\"'",
                       err_quote(o->sd_id, strlen(o->sd_id), q, sizeof(q)));
    if (o->max_len && (o->max_len < 480 || o->max_len > (1u << 20)))
        return err_set(-1, err, errlen, "syslog max length %zu: expected 480..1048576", o->max_len);
    return 0;
}

int fwd_syslog_sd_escape(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s; s++) {
        bool esc = *s == '"' || *s == '\\' || *s == ']';
        if (k + esc + 1 >= cap) return -1;
        if (esc) out[k++] = '\\';
        out[k++] = *s;
    }
    if (k >= cap) return -1;
    out[k] = '\0';
    return (int)k;
}

int fwd_syslog_severity(int64_t severity)
{
    static const int map[5] = {6, 5, 4, 3, 2};
    return severity >= 0 && severity <= 4 ? map[severity] : 5;
}

/* [SD-ID id="..." version="N" reason="..."] or "-". */
static bool structured_data(const fwd_incdoc_t *d, const char *sd_id, char *out, size_t cap)
{
    if (!sd_id[0]) return snprintf(out, cap, "-") == 1;
    char id[2 * FWD_ID_MAX], reason[2 * FWD_REASON_LEN];
    if (fwd_syslog_sd_escape(d->id, id, sizeof(id)) < 0 ||
        fwd_syslog_sd_escape(d->reason, reason, sizeof(reason)) < 0)
        return false;
    int n = snprintf(out, cap, "[%s id=\"%s\" version=\"%lld\" reason=\"%s\"]", sd_id, id,
                     (long long)d->version, reason);
    return n > 0 && (size_t)n < cap;
}

/* Everything before MSG, with its trailing space. */
static int head(const fwd_incdoc_t *d, const fwd_syslog_opts_t *o, char *out, size_t cap)
{
    int64_t sev, usec;
    char ts[40] = "-", sd[256];
    int pri = o->facility * 8 + fwd_syslog_severity(fwd_incdoc_int(d, "severity", &sev) ? sev : -1);
    if (fwd_incdoc_time(d, "updated_at", &usec)) fwd_time_rfc3339(usec, ts);
    const char *host = o->hostname && o->hostname[0] ? o->hostname : "-";
    const char *sd_id = o->sd_id ? o->sd_id : FWD_SYSLOG_DEFAULT_SD_ID;
    if (!structured_data(d, sd_id, sd, sizeof(sd))) return -1;
    int n = snprintf(out, cap, "<%d>1 %s %s " APP_NAME " - " MSGID " %s ", pri, ts, host, sd);
    return n > 0 && (size_t)n < cap ? n : -1;
}

static bool ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return false;
    return true;
}

/* "LEN SP" then the message (head, BOM, CEF) into out. */
static int frame(const fwd_incdoc_t *d, const fwd_syslog_opts_t *o, const fwd_cef_opts_t *cef,
                 char *out, size_t cap, char *err, size_t errlen)
{
    size_t max = o->max_len ? o->max_len : FWD_SYSLOG_MAX;
    char hd[HEAD_MAX];
    int hn = head(d, o, hd, sizeof(hd));
    if (hn < 0) return err_set(-1, err, errlen, "syslog: %s: bad header field", d->id);
    size_t bom = o->bom ? 3 : 0;
    if ((size_t)hn + bom + 64 > max)
        return err_set(-1, err, errlen, "syslog: %s: header leaves no room in %zu bytes", d->id,
                       max);
    size_t room = max - (size_t)hn - bom;
    char *msg = malloc(room + 1);
    if (!msg) return err_set(-1, err, errlen, "syslog: out of memory");
    int mn = fwd_cef_format_doc(d, cef, msg, room + 1, err, errlen);
    if (mn < 0) {
        free(msg);
        return -1;
    }
    if (!bom || ascii(msg, (size_t)mn)) bom = 0;
    size_t total = (size_t)hn + bom + (size_t)mn;
    int pn = snprintf(out, cap, "%zu ", total);
    if (pn < 0 || (size_t)pn + total >= cap) {
        free(msg);
        if (cap) out[0] = '\0';
        return err_set(-1, err, errlen, "syslog: %s: %zu bytes do not fit in %zu", d->id,
                       (size_t)(pn > 0 ? pn : 0) + total, cap);
    }
    size_t k = (size_t)pn;
    memcpy(out + k, hd, (size_t)hn);
    k += (size_t)hn;
    memcpy(out + k, "\xef\xbb\xbf", bom);
    k += bom;
    memcpy(out + k, msg, (size_t)mn);
    k += (size_t)mn;
    out[k] = '\0';
    free(msg);
    return (int)k;
}

int fwd_syslog_format(const char *doc, size_t len, const fwd_syslog_opts_t *o,
                      const fwd_cef_opts_t *cef, char *out, size_t cap, char *err, size_t errlen)
{
    static const fwd_syslog_opts_t defaults = {.facility = FWD_SYSLOG_DEFAULT_FACILITY};
    if (!o) o = &defaults;
    if (fwd_syslog_opts_check(o, err, errlen) < 0) return -1;
    if (!out || cap == 0 || cap > INT32_MAX)
        return err_set(-1, err, errlen, "syslog: bad output buffer size %zu", cap);
    fwd_incdoc_t d;
    if (fwd_incdoc_parse(&d, doc, len, err, errlen) < 0) return -1;
    int rc = frame(&d, o, cef, out, cap, err, errlen);
    fwd_incdoc_free(&d);
    return rc;
}
