/* tls_cert.c -- certificate fields in Suricata's form (see tls_cert.h). */
#include "tls_cert.h"

#include "civil_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define NAME_ERROR "<X509Error: Invalid X.509 name>"

/* ---- DER reading ---- */

typedef struct der {
    const uint8_t *p;
    size_t n;
} der_t;

/* One TLV taken off the front of d: the first tag byte in *tag (a tag of
 * several bytes reads as 0x1f plus its class bits), the contents in *val.
 * False when it does not fit or uses the indefinite length. */
static bool der_take(der_t *d, uint8_t *tag, der_t *val)
{
    size_t i = 0;
    if (d->n < 2) return false;
    *tag = d->p[i++];
    if ((*tag & 0x1f) == 0x1f) /* high tag number: skip its bytes */
        while (i < d->n && (d->p[i++] & 0x80))
            ;
    if (i >= d->n) return false;
    size_t len = d->p[i++];
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 4 || d->n - i < k) return false;
        len = 0;
        while (k--)
            len = len << 8 | d->p[i++];
    }
    if (len > d->n - i) return false;
    val->p = d->p + i;
    val->n = len;
    d->p += i + len;
    d->n -= i + len;
    return true;
}

/* Take a TLV that must carry the tag want. */
static bool der_expect(der_t *d, uint8_t want, der_t *val)
{
    uint8_t tag;
    return der_take(d, &tag, val) && tag == want;
}

/* ---- text building ---- */

typedef struct text {
    char *out;
    size_t cap, n;
    bool full; /* something did not fit */
} text_t;

static void put(text_t *t, const void *s, size_t n)
{
    if (t->full || n >= t->cap - t->n) {
        t->full = true;
        return;
    }
    memcpy(t->out + t->n, s, n);
    t->n += n;
}

static void puts_(text_t *t, const char *s)
{
    put(t, s, strlen(s));
}

static void put_hex(text_t *t, uint8_t b, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char h[2] = {digits[b >> 4], digits[b & 0xf]};
    put(t, h, 2);
}

/* Rust's str::from_utf8 rules: no overlong forms, surrogates or values
 * above U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            k = 1, cp = c & 0x1fu, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            k = 2, cp = c & 0x0fu, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            k = 3, cp = c & 0x07u, min = 0x10000;
        else
            return false;
        if (n - i - 1 < k) return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (s[i + j] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += k + 1;
    }
    return true;
}

static void put_utf8(text_t *t, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | cp >> 6), b[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xe0 | cp >> 12), b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | cp >> 18), b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (uint8_t)(0x80 | (cp & 0x3f)), n = 4;
    }
    put(t, b, n);
}

/* BMPString (UTF-16 big endian) to UTF-8; false on a broken unit. */
static bool put_bmp(text_t *t, der_t v)
{
    if (v.n % 2) return false;
    for (size_t i = 0; i < v.n; i += 2) {
        uint32_t u = (uint32_t)v.p[i] << 8 | v.p[i + 1];
        if (u >= 0xdc00 && u <= 0xdfff) return false;
        if (u >= 0xd800 && u <= 0xdbff) {
            if (i + 4 > v.n) return false;
            uint32_t lo = (uint32_t)v.p[i + 2] << 8 | v.p[i + 3];
            if (lo < 0xdc00 || lo > 0xdfff) return false;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            i += 2;
        }
        put_utf8(t, u);
    }
    return true;
}

/* ---- names ---- */

/* Dotted text of an OID's contents; false when malformed or an arc does
 * not fit 64 bits. */
static bool oid_text(der_t v, char *out, size_t cap)
{
    text_t t = {out, cap, 0, false};
    uint64_t arc = 0;
    bool first = true;
    if (v.n == 0) return false;
    for (size_t i = 0; i < v.n; i++) {
        if (arc == 0 && v.p[i] == 0x80) return false; /* padded arc */
        if (arc >> 57) return false;
        arc = arc << 7 | (v.p[i] & 0x7fu);
        if (v.p[i] & 0x80) {
            if (i + 1 == v.n) return false;
            continue;
        }
        char num[48];
        if (first) { /* the first byte carries two arcs */
            unsigned top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            snprintf(num, sizeof(num), "%u.%llu", top, (unsigned long long)(arc - top * 40u));
            first = false;
        } else {
            snprintf(num, sizeof(num), ".%llu", (unsigned long long)arc);
        }
        puts_(&t, num);
        arc = 0;
    }
    if (t.full) return false;
    out[t.n] = '\0';
    return true;
}

/* x509-parser's abbreviations first, then the short names its OID
 * registry (oid-registry, x509 and pkcs9 sets) gives attribute types. */
static const struct {
    const char *oid, *label;
} labels[] = {
    {"2.5.4.3", "CN"},
    {"2.5.4.6", "C"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"0.9.2342.19200300.100.1.25", "DC"},
    {"1.2.840.113549.1.9.1", "Email"},
    {"2.5.4.0", "objectClass"},
    {"2.5.4.1", "aliasedEntryName"},
    {"2.5.4.2", "knowledgeInformation"},
    {"2.5.4.4", "surname"},
    {"2.5.4.5", "serialNumber"},
    {"2.5.4.9", "streetAddress"},
    {"2.5.4.12", "title"},
    {"2.5.4.13", "description"},
    {"2.5.4.14", "searchGuide"},
    {"2.5.4.15", "businessCategory"},
    {"2.5.4.16", "postalAddress"},
    {"2.5.4.17", "postalCode"},
    {"2.5.4.41", "name"},
    {"2.5.4.42", "givenName"},
    {"2.5.4.43", "initials"},
    {"2.5.4.44", "generationQualifier"},
    {"2.5.4.45", "uniqueIdentifier"},
    {"2.5.4.46", "dnQualifier"},
    {"1.2.840.113549.1.9.2", "unstructuredName"},
    {"1.3.6.1.4.1.311.60.2.1.1", "msJurisdictionLocality"},
    {"1.3.6.1.4.1.311.60.2.1.2", "msJurisdictionStateOrProvince"},
    {"1.3.6.1.4.1.311.60.2.1.3", "msJurisdictionCountry"},
};

static void put_label(text_t *t, const char *oid)
{
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (strcmp(labels[i].oid, oid) == 0) {
            puts_(t, labels[i].label);
            return;
        }
    }
    puts_(t, "OID(");
    puts_(t, oid);
    puts_(t, ")");
}

/* Universal string types x509-parser prints as text. */
static bool is_text_tag(uint8_t tag)
{
    switch (tag) {
    case 0x07: /* ObjectDescriptor */
    case 0x0c: /* UTF8String */
    case 0x12: /* NumericString */
    case 0x13: /* PrintableString */
    case 0x14: /* T61String */
    case 0x15: /* VideotexString */
    case 0x16: /* IA5String */
    case 0x19: /* GraphicString */
    case 0x1a: /* VisibleString */
    case 0x1b: /* GeneralString */ return true;
    default: return false;
    }
}

typedef enum { ATV_OK, ATV_BAD_DER, ATV_BAD_TEXT } atv_t;

/* "LABEL=value" of one AttributeTypeAndValue. */
static atv_t put_atv(text_t *t, der_t seq)
{
    der_t oid, val;
    uint8_t tag;
    char dotted[128];
    if (!der_expect(&seq, 0x06, &oid) || !der_take(&seq, &tag, &val) || seq.n != 0 ||
        !oid_text(oid, dotted, sizeof(dotted)))
        return ATV_BAD_DER;
    put_label(t, dotted);
    put(t, "=", 1);
    if (is_text_tag(tag)) {
        if (!utf8_valid(val.p, val.n)) return ATV_BAD_TEXT;
        put(t, val.p, val.n);
    } else if (tag == 0x1e) { /* BMPString */
        if (!put_bmp(t, val)) return ATV_BAD_TEXT;
    } else {
        for (size_t i = 0; i < val.n; i++)
            put_hex(t, val.p[i], true);
    }
    return ATV_OK;
}

/* The name's text into t; false when the DER is not a Name. */
static bool name_text(der_t d, text_t *t)
{
    der_t name;
    if (!der_expect(&d, 0x30, &name)) return false;
    bool bad_text = false;
    while (name.n > 0) {
        der_t rdn, atv;
        if (!der_expect(&name, 0x31, &rdn)) return false;
        /* x509-parser joins with ", " whenever text came before, so an
         * empty RDN leaves a trailing separator as it does */
        if (t->n > 0) puts_(t, ", ");
        bool first = true;
        while (rdn.n > 0) {
            if (!der_expect(&rdn, 0x30, &atv)) return false;
            if (!first) puts_(t, " + ");
            first = false;
            atv_t r = put_atv(t, atv);
            if (r == ATV_BAD_DER) return false;
            if (r == ATV_BAD_TEXT) bad_text = true;
        }
    }
    if (bad_text) {
        t->n = 0;
        t->full = false;
        puts_(t, NAME_ERROR);
    }
    return true;
}

size_t tls_cert_name_text(const uint8_t *der, size_t len, char *out, size_t cap)
{
    if (cap == 0) return 0;
    text_t t = {out, cap, 0, false};
    der_t d = {der, len};
    if (!name_text(d, &t) || t.full) t.n = 0;
    out[t.n] = '\0';
    return t.n;
}

/* ---- the certificate ---- */

/* The TBSCertificate pieces the strings come from. */
typedef struct tbs {
    der_t serial, issuer, subject; /* serial: contents; names: whole TLV */
    der_t validity;                /* contents: notBefore, notAfter */
} tbs_t;

static bool tbs_fields(const uint8_t *der, size_t len, tbs_t *f)
{
    der_t d = {der, len}, cert, tbs, skip, v;
    uint8_t tag;
    if (!der_expect(&d, 0x30, &cert) || !der_expect(&cert, 0x30, &tbs)) return false;
    if (tbs.n > 0 && tbs.p[0] == 0xa0 && !der_take(&tbs, &tag, &v)) return false; /* version */
    if (!der_expect(&tbs, 0x02, &f->serial) || !der_expect(&tbs, 0x30, &skip)) return false;
    f->issuer = tbs;
    if (!der_expect(&tbs, 0x30, &v)) return false;
    f->issuer.n = (size_t)(tbs.p - f->issuer.p);
    if (!der_expect(&tbs, 0x30, &f->validity)) return false;
    f->subject = tbs;
    if (!der_expect(&tbs, 0x30, &v)) return false;
    f->subject.n = (size_t)(tbs.p - f->subject.p);
    return true;
}

static uint32_t serial_text(der_t s, char *out, size_t cap)
{
    text_t t = {out, cap, 0, false};
    if (s.n == 0 || s.n > TLS_CERT_SERIAL_MAX) return 0;
    for (size_t i = 0; i < s.n; i++) {
        if (i) put(&t, ":", 1);
        put_hex(&t, s.p[i], true);
    }
    if (t.full) return 0;
    out[t.n] = '\0';
    return (uint32_t)t.n;
}

static bool fingerprint(const uint8_t *der, size_t len, char out[TLS_CERT_FP_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(der, len, md, &n, EVP_sha1(), NULL) != 1 || n != 20) return false;
    text_t t = {out, TLS_CERT_FP_LEN + 1, 0, false};
    for (unsigned i = 0; i < n; i++) {
        if (i) put(&t, ":", 1);
        put_hex(&t, md[i], false);
    }
    out[t.n] = '\0';
    return !t.full;
}

/* Digits of s[0..n) as a number; false on anything else. */
static bool digits(const uint8_t *s, size_t n, int *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

/* UTCTime "YYMMDDHHMMSSZ" (RFC 5280: YY < 50 is 20YY) or GeneralizedTime
 * "YYYYMMDDHHMMSSZ" to seconds since the epoch. Read from the DER directly:
 * OpenSSL's full certificate decoder costs more than the rest of a TLS
 * flow's handling together. */
static bool der_time(der_t *d, int64_t *out)
{
    uint8_t tag;
    der_t v;
    if (!der_take(d, &tag, &v)) return false;
    size_t yl = tag == 0x17 ? 2 : tag == 0x18 ? 4 : 0;
    int y, mo, dd, h, mi, sec;
    if (!yl || v.n != yl + 11 || v.p[v.n - 1] != 'Z' || !digits(v.p, yl, &y) ||
        !digits(v.p + yl, 2, &mo) || !digits(v.p + yl + 2, 2, &dd) ||
        !digits(v.p + yl + 4, 2, &h) || !digits(v.p + yl + 6, 2, &mi) ||
        !digits(v.p + yl + 8, 2, &sec))
        return false;
    if (yl == 2) y += y < 50 ? 2000 : 1900;
    if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || h > 23 || mi > 59 || sec > 60) return false;
    *out = civil_days(y, (unsigned)mo, (unsigned)dd) * 86400 + h * 3600 + mi * 60 + sec;
    return true;
}

bool tls_cert_parse(const uint8_t *der, size_t len, tls_cert_t *c)
{
    memset(c, 0, sizeof(*c));
    tbs_t f;
    if (len == 0 || !tbs_fields(der, len, &f)) return false;
    c->ok = true;
    c->subject_len =
        (uint32_t)tls_cert_name_text(f.subject.p, f.subject.n, c->subject, sizeof(c->subject));
    c->issuer_len =
        (uint32_t)tls_cert_name_text(f.issuer.p, f.issuer.n, c->issuer, sizeof(c->issuer));
    c->serial_len = serial_text(f.serial, c->serial, sizeof(c->serial));
    if (!fingerprint(der, len, c->fingerprint)) c->fingerprint[0] = '\0';
    c->has_validity = der_time(&f.validity, &c->not_before) && der_time(&f.validity, &c->not_after);
    if (!c->has_validity) c->not_before = c->not_after = 0;
    return true;
}

void tls_cert_time_text(int64_t t, char out[32])
{
    struct tm tm;
    time_t tt = (time_t)t;
    out[0] = '\0';
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        out[0] = '\0';
}
