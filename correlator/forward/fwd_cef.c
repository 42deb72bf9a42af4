/* fwd_cef.c -- see fwd_cef.h. */
#include "fwd_cef.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Field lengths of the CEF specification (bytes before escaping). */
#define CEF_VENDOR_MAX    63
#define CEF_PRODUCT_MAX   63
#define CEF_VERSION_MAX   31
#define CEF_SIGNATURE_MAX 1023
#define CEF_NAME_MAX      512
#define CEF_SHORT_MAX     63   /* act, outcome */
#define CEF_EXTID_MAX     40   /* externalId */
#define CEF_STRING_MAX    1023 /* cs1..cs6 and flexString1 as we fill them */

typedef struct cbuf {
    char *p;
    size_t cap, len;
    bool over;    /* the last put did not fit */
    bool started; /* an extension field was written */
} cbuf_t;

static void put(cbuf_t *b, const char *s, size_t n)
{
    if (b->over || n >= b->cap - b->len) { /* keep room for the NUL */
        b->over = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(cbuf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

/* At most max bytes of s, not cutting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    return k;
}

/* The CEF escapes: header fields escape '\' and '|', extension values '\'
 * and '=' and write line breaks as \n \r; any other control byte (and line
 * breaks in the header, which has no escape for them) becomes a space. */
static void put_escaped(cbuf_t *b, const char *s, size_t n, size_t max, bool header)
{
    n = utf8_cut(s, n, max);
    for (size_t i = 0; i < n && !b->over; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[2] = {'\\', (char)c};
        if (c == '\\' || (header ? c == '|' : c == '='))
            put(b, e, 2);
        else if (!header && (c == '\n' || c == '\r'))
            put(b, c == '\n' ? "\\n" : "\\r", 2);
        else if (c < 0x20 || c == 0x7f)
            put(b, " ", 1);
        else
            put(b, (const char *)&c, 1);
    }
}

/* One extension field ("cs1Label=asset cs1=portal" with a label), whole or
 * not at all. Empty values are left out. */
static void field(cbuf_t *b, const char *key, const char *label, const char *v, size_t max)
{
    if (!v || !v[0]) return;
    size_t mark = b->len;
    if (b->started) put(b, " ", 1);
    if (label) {
        puts_(b, key);
        puts_(b, "Label=");
        put_escaped(b, label, strlen(label), CEF_STRING_MAX, false);
        put(b, " ", 1);
    }
    puts_(b, key);
    put(b, "=", 1);
    put_escaped(b, v, strlen(v), max, false);
    if (b->over) {
        b->len = mark;
        b->over = false;
        return;
    }
    b->started = true;
}

static void field_str(cbuf_t *b, const fwd_incdoc_t *d, const char *path, const char *key,
                      const char *label, size_t max)
{
    char *v = fwd_incdoc_strdup(d, path);
    field(b, key, label, v, max);
    free(v);
}

static void field_int(cbuf_t *b, const fwd_incdoc_t *d, const char *path, const char *key,
                      const char *label)
{
    int64_t v;
    char num[24];
    if (!fwd_incdoc_int(d, path, &v) || v < 0) return; /* none of ours is negative */
    snprintf(num, sizeof(num), "%lld", (long long)v);
    field(b, key, label, num, sizeof(num));
}

/* CEF times: milliseconds since the epoch. */
static void field_time(cbuf_t *b, const fwd_incdoc_t *d, const char *path, const char *key)
{
    int64_t usec;
    char num[24];
    if (!fwd_incdoc_time(d, path, &usec)) return;
    snprintf(num, sizeof(num), "%lld", (long long)(usec / 1000));
    field(b, key, NULL, num, sizeof(num));
}

/* The string elements of an array joined by ',' up to max bytes, cut on
 * an item boundary with ",..." when they do not all fit. */
static void field_list(cbuf_t *b, const fwd_incdoc_t *d, const char *path, const char *key,
                       const char *label)
{
    int a = fwd_incdoc_array(d, path);
    if (a < 0) return;
    char out[CEF_STRING_MAX + 1], item[256];
    size_t n = 0;
    for (int i = a + 1, k = 0; k < d->toks[a].size; k++, i = d->toks[i].next) {
        size_t il;
        if (d->toks[i].type != JSON_STRING ||
            json_tok_string(d->s, &d->toks[i], item, sizeof(item), &il) != JSON_OK || il == 0)
            continue;
        if (n + (n > 0) + il > CEF_STRING_MAX - 4) { /* room for ",..." */
            memcpy(out + n, n ? ",..." : "...", n ? 4 : 3);
            n += n ? 4 : 3;
            break;
        }
        if (n) out[n++] = ',';
        memcpy(out + n, item, il);
        n += il;
    }
    out[n] = '\0';
    field(b, key, label, out, CEF_STRING_MAX);
}

/* The first address of a family in a list; with public, the first that
 * is not internal (fwd_ip_internal) when there is one: the outside party
 * is what the centre looks for in src. */
static bool first_addr(const fwd_incdoc_t *d, const char *path, int family, bool public, char *out,
                       size_t cap)
{
    int a = fwd_incdoc_array(d, path);
    char any[64] = "";
    for (int i = a + 1, k = 0; a >= 0 && k < d->toks[a].size; k++, i = d->toks[i].next) {
        if (d->toks[i].type != JSON_STRING ||
            json_tok_string(d->s, &d->toks[i], out, cap, NULL) != JSON_OK ||
            fwd_ip_family(out) != family)
            continue;
        if (!public || !fwd_ip_internal(out)) return true;
        if (!any[0]) snprintf(any, sizeof(any), "%s", out);
    }
    snprintf(out, cap, "%s", any);
    return out[0] != '\0';
}

static void addresses(cbuf_t *b, const fwd_incdoc_t *d)
{
    char ip[64];
    if (first_addr(d, "src_ips", 4, true, ip, sizeof(ip))) field(b, "src", NULL, ip, sizeof(ip));
    if (first_addr(d, "dest_ips", 4, false, ip, sizeof(ip))) field(b, "dst", NULL, ip, sizeof(ip));
    if (first_addr(d, "src_ips", 6, true, ip, sizeof(ip)))
        field(b, "c6a2", "sourceIPv6Address", ip, sizeof(ip));
    if (first_addr(d, "dest_ips", 6, false, ip, sizeof(ip)))
        field(b, "c6a3", "destinationIPv6Address", ip, sizeof(ip));
}

/* In order of importance: what does not fit is dropped from the end. */
static void extension(cbuf_t *b, const fwd_incdoc_t *d)
{
    char ver[24];
    field(b, "externalId", NULL, d->id, CEF_EXTID_MAX);
    field(b, "act", NULL, d->reason, CEF_SHORT_MAX);
    field_str(b, d, "status", "outcome", NULL, CEF_SHORT_MAX);
    field_time(b, d, "updated_at", "rt");
    field_time(b, d, "first_seen", "start");
    field_time(b, d, "last_seen", "end");
    field_int(b, d, "count", "cnt", NULL);
    addresses(b, d);
    snprintf(ver, sizeof(ver), "%lld", (long long)d->version);
    field(b, "cn1", "incidentVersion", ver, sizeof(ver));
    field_int(b, d, "priority", "cn2", "priority");
    field_int(b, d, "asset.level", "cn3", "assetLevel");
    field_str(b, d, "asset.name", "cs1", "asset", CEF_STRING_MAX);
    field_str(b, d, "group_key", "cs6", "groupKey", CEF_STRING_MAX);
    field_str(b, d, "assignee", "flexString1", "assignee", CEF_STRING_MAX);
    field_list(b, d, "attack.tactics", "cs2", "tactics");
    field_list(b, d, "attack.techniques", "cs3", "techniques");
    field_list(b, d, "src_ips", "cs4", "sourceAddresses");
    field_list(b, d, "dest_ips", "cs5", "destinationAddresses");
}

int fwd_cef_severity(int64_t severity)
{
    static const int map[5] = {0, 3, 5, 8, 10};
    return severity >= 0 && severity <= 4 ? map[severity] : -1;
}

static const char *opt(const char *v, const char *def)
{
    return v ? v : def;
}

int fwd_cef_opts_check(const fwd_cef_opts_t *o, char *err, size_t errlen)
{
    if (!o) return 0;
    const struct {
        const char *name, *v;
        size_t max;
    } f[] = {{"vendor", o->vendor, CEF_VENDOR_MAX},
             {"product", o->product, CEF_PRODUCT_MAX},
             {"version", o->version, CEF_VERSION_MAX}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (!f[i].v) continue;
        size_t n = strlen(f[i].v);
        if (n == 0 || n > f[i].max)
            return err_set(-1, err, errlen, "CEF %s: must be 1..%zu bytes", f[i].name, f[i].max);
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)f[i].v[k] < 0x20 || f[i].v[k] == 0x7f)
                return err_set(-1, err, errlen, "CEF %s: control character at byte %zu", f[i].name,
                               k);
    }
    return 0;
}

static void header_field(cbuf_t *b, const char *v, size_t max)
{
    put_escaped(b, v, strlen(v), max, true);
    put(b, "|", 1);
}

static void header(cbuf_t *b, const fwd_incdoc_t *d, const fwd_cef_opts_t *o)
{
    puts_(b, "CEF:0|");
    header_field(b, opt(o->vendor, "soc-appliance"), CEF_VENDOR_MAX);
    header_field(b, opt(o->product, "correlator"), CEF_PRODUCT_MAX);
    header_field(b, opt(o->version, "1.0"), CEF_VERSION_MAX);
    char *rule = fwd_incdoc_strdup(d, "rule.id");
    header_field(b, rule && rule[0] ? rule : "incident", CEF_SIGNATURE_MAX);
    free(rule);
    char *title = fwd_incdoc_strdup(d, "title");
    header_field(b, title && title[0] ? title : d->id, CEF_NAME_MAX);
    free(title);
    int64_t sev;
    int cs = fwd_incdoc_int(d, "severity", &sev) ? fwd_cef_severity(sev) : -1;
    char num[16];
    snprintf(num, sizeof(num), "%d", cs);
    header_field(b, cs >= 0 ? num : "Unknown", sizeof(num));
}

int fwd_cef_format_doc(const fwd_incdoc_t *d, const fwd_cef_opts_t *o, char *out, size_t cap,
                       char *err, size_t errlen)
{
    static const fwd_cef_opts_t defaults = {0};
    if (!o) o = &defaults;
    if (fwd_cef_opts_check(o, err, errlen) < 0) return -1;
    if (!out || cap == 0 || cap > INT32_MAX)
        return err_set(-1, err, errlen, "CEF: bad output buffer size %zu", cap);
    cbuf_t b = {.p = out, .cap = cap};
    header(&b, d, o);
    if (b.over) {
        out[0] = '\0';
        return err_set(-1, err, errlen, "CEF: %s: the header does not fit in %zu bytes", d->id,
                       cap);
    }
    extension(&b, d);
    out[b.len] = '\0';
    return (int)b.len;
}

int fwd_cef_format(const char *doc, size_t len, const fwd_cef_opts_t *o, char *out, size_t cap,
                   char *err, size_t errlen)
{
    fwd_incdoc_t d;
    if (fwd_incdoc_parse(&d, doc, len, err, errlen) < 0) return -1;
    int rc = fwd_cef_format_doc(&d, o, out, cap, err, errlen);
    fwd_incdoc_free(&d);
    return rc;
}
