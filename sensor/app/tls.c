/* tls.c -- TLS records, hellos, the Certificate message, JA3/JA3S (see
 * tls.h). */
#include "tls.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#define EXT_SERVER_NAME        0
#define EXT_SUPPORTED_GROUPS   10
#define EXT_EC_POINT_FORMATS   11
#define EXT_ALPN               16
#define EXT_SUPPORTED_VERSIONS 43

#define CT_HEARTBEAT 24

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd24(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static tls_span_t span(const uint8_t *p, size_t n)
{
    tls_span_t s = {p, (uint32_t)n};
    return s;
}

/* ---- record layer ---- */

app_parse_t tls_records_next(tls_records_t *r, const uint8_t *buf, size_t len, size_t *used,
                             tls_span_t *hs)
{
    *hs = span(NULL, 0);
    *used = 0;
    if (r->hdr_len < TLS_REC_HEADER_LEN) {
        size_t n = TLS_REC_HEADER_LEN - r->hdr_len;
        if (n > len) n = len;
        memcpy(r->hdr + r->hdr_len, buf, n);
        r->hdr_len = (uint8_t)(r->hdr_len + n);
        *used = n;
        if (r->hdr_len < TLS_REC_HEADER_LEN) return APP_PARSE_MORE;
        uint8_t type = r->hdr[0];
        uint16_t ver = rd16(r->hdr + 1), rlen = rd16(r->hdr + 3);
        if (type < TLS_CT_CHANGE_CIPHER_SPEC || type > CT_HEARTBEAT || (ver >> 8) != 3 ||
            (ver & 0xff) > 4 || rlen > TLS_MAX_RECORD)
            return APP_PARSE_ERROR;
        r->type = type;
        r->version = ver;
        r->left = rlen;
        if (rlen == 0) r->hdr_len = 0; /* empty record: next header follows */
        return APP_PARSE_MORE;
    }
    size_t n = r->left < len ? r->left : len;
    if (r->type == TLS_CT_HANDSHAKE) *hs = span(buf, n);
    r->left = (uint16_t)(r->left - n);
    if (r->left == 0) r->hdr_len = 0;
    *used = n;
    return APP_PARSE_MORE;
}

bool tls_probe(const uint8_t *buf, size_t len)
{
    /* Each byte present must fit; a short first segment passes on what it has. */
    return len >= 1 && buf[0] == TLS_CT_HANDSHAKE && (len < 2 || buf[1] == 3) &&
           (len < 3 || buf[2] <= 4) &&
           (len < 6 || buf[5] == TLS_HS_CLIENT_HELLO || buf[5] == TLS_HS_SERVER_HELLO);
}

app_parse_t tls_handshake_peek(const uint8_t *buf, size_t len, uint8_t *type, size_t *msg_len)
{
    if (len < TLS_HS_HEADER_LEN) return APP_PARSE_MORE;
    uint32_t body = rd24(buf + 1);
    if (body > TLS_MAX_HELLO && buf[0] != TLS_HS_CERTIFICATE) return APP_PARSE_ERROR;
    *type = buf[0];
    *msg_len = TLS_HS_HEADER_LEN + (size_t)body;
    return len >= *msg_len ? APP_PARSE_DONE : APP_PARSE_MORE;
}

app_parse_t tls_first_handshake(const uint8_t *data, size_t len, uint8_t *scratch, size_t cap,
                                size_t *msg_len)
{
    tls_records_t r;
    memset(&r, 0, sizeof(r));
    size_t have = 0;
    while (len > 0) {
        size_t used;
        tls_span_t hs;
        if (tls_records_next(&r, data, len, &used, &hs) == APP_PARSE_ERROR) return APP_PARSE_ERROR;
        data += used;
        len -= used;
        if (hs.len == 0) continue;
        if (hs.len > cap - have) return APP_PARSE_ERROR;
        memcpy(scratch + have, hs.p, hs.len);
        have += hs.len;
        uint8_t type;
        app_parse_t st = tls_handshake_peek(scratch, have, &type, msg_len);
        if (st != APP_PARSE_MORE) return st;
    }
    return APP_PARSE_MORE;
}

/* ---- hello parsing ---- */

/* Cursor over a message body; every read checks the bytes left. */
typedef struct cur {
    const uint8_t *p;
    size_t n;
} cur_t;

static bool take(cur_t *c, size_t k, const uint8_t **out)
{
    if (c->n < k) return false;
    *out = c->p;
    c->p += k;
    c->n -= k;
    return true;
}

static bool take16(cur_t *c, uint16_t *v)
{
    const uint8_t *p;
    if (!take(c, 2, &p)) return false;
    *v = rd16(p);
    return true;
}

/* A vector with a 1- or 2-byte length prefix. */
static bool take_vec(cur_t *c, int prefix, tls_span_t *out)
{
    const uint8_t *p;
    if (!take(c, (size_t)prefix, &p)) return false;
    size_t n = prefix == 1 ? p[0] : rd16(p);
    if (!take(c, n, &p)) return false;
    *out = span(p, n);
    return true;
}

/* The body of a hello of the wanted type; MORE when truncated. */
static app_parse_t hello_body(const uint8_t *msg, size_t len, uint8_t want, cur_t *body)
{
    if (len < TLS_HS_HEADER_LEN) return APP_PARSE_MORE;
    if (msg[0] != want) return APP_PARSE_ERROR;
    size_t n = rd24(msg + 1);
    if (n > TLS_MAX_HELLO) return APP_PARSE_ERROR;
    if (len - TLS_HS_HEADER_LEN < n) return APP_PARSE_MORE;
    body->p = msg + TLS_HS_HEADER_LEN;
    body->n = n;
    return APP_PARSE_DONE;
}

/* ALPN ProtocolNameList: every name non-empty and inside the list. */
static bool alpn_valid(tls_span_t l)
{
    size_t i = 0;
    while (i < l.len) {
        size_t k = l.p[i];
        if (k == 0 || k > l.len - i - 1) return false;
        i += 1 + k;
    }
    return l.len > 0;
}

/* A 2-byte-prefixed list that must fill the extension exactly. */
static bool ext_list16(tls_span_t data, tls_span_t *out)
{
    cur_t c = {data.p, data.len};
    return take_vec(&c, 2, out) && c.n == 0;
}

static bool ext_list8(tls_span_t data, tls_span_t *out)
{
    cur_t c = {data.p, data.len};
    return take_vec(&c, 1, out) && c.n == 0;
}

/* server_name: first entry of type host_name. */
static void ext_sni(tls_span_t data, tls_span_t *sni)
{
    tls_span_t list;
    if (!ext_list16(data, &list)) return;
    cur_t c = {list.p, list.len};
    while (c.n > 0) {
        const uint8_t *t;
        tls_span_t name;
        if (!take(&c, 1, &t) || !take_vec(&c, 2, &name)) return;
        if (t[0] == 0 && name.len > 0) {
            *sni = name;
            return;
        }
    }
}

/* Decode the extensions the client fingerprint and the event need.
 * Malformed contents of one extension leave its field absent; a broken
 * extensions framing fails the hello. */
static bool client_ext(tls_span_t block, tls_client_hello_t *ch)
{
    cur_t c = {block.p, block.len};
    while (c.n > 0) {
        uint16_t type;
        tls_span_t data;
        if (!take16(&c, &type) || !take_vec(&c, 2, &data)) return false;
        tls_span_t l;
        switch (type) {
        case EXT_SERVER_NAME: ext_sni(data, &ch->sni); break;
        case EXT_SUPPORTED_GROUPS:
            if (ext_list16(data, &l) && l.len % 2 == 0) ch->groups = l;
            break;
        case EXT_EC_POINT_FORMATS:
            if (ext_list8(data, &l)) ch->point_formats = l;
            break;
        case EXT_ALPN:
            if (ext_list16(data, &l) && alpn_valid(l)) ch->alpn = l;
            break;
        case EXT_SUPPORTED_VERSIONS:
            if (ext_list8(data, &l) && l.len % 2 == 0) ch->versions = l;
            break;
        default: break;
        }
    }
    return true;
}

app_parse_t tls_parse_client_hello(const uint8_t *msg, size_t len, tls_client_hello_t *out)
{
    memset(out, 0, sizeof(*out));
    cur_t c;
    app_parse_t st = hello_body(msg, len, TLS_HS_CLIENT_HELLO, &c);
    if (st != APP_PARSE_DONE) return st;
    const uint8_t *random;
    tls_span_t sid, comp;
    if (!take16(&c, &out->version) || !take(&c, 32, &random) || !take_vec(&c, 1, &sid) ||
        sid.len > 32 || !take_vec(&c, 2, &out->ciphers) || out->ciphers.len % 2 != 0 ||
        !take_vec(&c, 1, &comp))
        return APP_PARSE_ERROR;
    if (c.n == 0) return APP_PARSE_DONE; /* no extensions (SSLv3-era hello) */
    if (!take_vec(&c, 2, &out->extensions) || !client_ext(out->extensions, out))
        return APP_PARSE_ERROR;
    return APP_PARSE_DONE;
}

static bool server_ext(tls_span_t block, tls_server_hello_t *sh)
{
    cur_t c = {block.p, block.len};
    while (c.n > 0) {
        uint16_t type;
        tls_span_t data, l;
        if (!take16(&c, &type) || !take_vec(&c, 2, &data)) return false;
        if (type == EXT_SUPPORTED_VERSIONS && data.len == 2)
            sh->selected_version = rd16(data.p);
        else if (type == EXT_ALPN && ext_list16(data, &l) && alpn_valid(l))
            sh->alpn = l;
    }
    return true;
}

app_parse_t tls_parse_server_hello(const uint8_t *msg, size_t len, tls_server_hello_t *out)
{
    memset(out, 0, sizeof(*out));
    cur_t c;
    app_parse_t st = hello_body(msg, len, TLS_HS_SERVER_HELLO, &c);
    if (st != APP_PARSE_DONE) return st;
    const uint8_t *random, *comp;
    tls_span_t sid;
    if (!take16(&c, &out->version) || !take(&c, 32, &random) || !take_vec(&c, 1, &sid) ||
        sid.len > 32 || !take16(&c, &out->cipher) || !take(&c, 1, &comp))
        return APP_PARSE_ERROR;
    if (c.n == 0) return APP_PARSE_DONE;
    if (!take_vec(&c, 2, &out->extensions) || !server_ext(out->extensions, out))
        return APP_PARSE_ERROR;
    return APP_PARSE_DONE;
}

/* ---- Certificate ---- */

app_parse_t tls_parse_certificate(const uint8_t *msg, size_t len, tls_certs_t *out)
{
    memset(out, 0, sizeof(*out));
    if (len < TLS_HS_HEADER_LEN) return APP_PARSE_MORE;
    size_t body = rd24(msg + 1);
    if (msg[0] != TLS_HS_CERTIFICATE || body < 3) return APP_PARSE_ERROR;
    if (len < TLS_HS_HEADER_LEN + 3) return APP_PARSE_MORE;
    size_t list = rd24(msg + TLS_HS_HEADER_LEN);
    if (list != body - 3) return APP_PARSE_ERROR;
    const uint8_t *p = msg + TLS_HS_HEADER_LEN + 3;
    size_t have = len - TLS_HS_HEADER_LEN - 3; /* list bytes present */
    if (have > list) have = list;
    size_t off = 0;
    while (off < list) {
        /* Framing errors first: they show whatever part is present. */
        if (have - off >= 3) {
            size_t n = rd24(p + off);
            if (n == 0 || n > list - off - 3) return APP_PARSE_ERROR;
            if (n <= have - off - 3 && out->n < TLS_MAX_CERTS) {
                out->der[out->n++] = span(p + off + 3, n);
                off += 3 + n;
                continue;
            }
        } else if (list - off < 3) {
            return APP_PARSE_ERROR;
        }
        out->truncated = true; /* cut inside this entry, or too many */
        break;
    }
    out->list = span(p, off);
    return APP_PARSE_DONE;
}

/* ---- JA3 ---- */

/* snprintf-style appender: counts everything, writes what fits. */
typedef struct sbuild {
    char *out;
    size_t cap, n;
} sbuild_t;

static void put_str(sbuild_t *b, const char *s)
{
    for (; *s; s++, b->n++)
        if (b->n + 1 < b->cap) b->out[b->n] = *s;
}

static void put_uint(sbuild_t *b, unsigned v)
{
    char tmp[12];
    snprintf(tmp, sizeof(tmp), "%u", v);
    put_str(b, tmp);
}

static void finish(sbuild_t *b)
{
    if (b->cap > 0) b->out[b->n < b->cap ? b->n : b->cap - 1] = '\0';
}

/* '-'-joined decimal values of a uint16 (width 2) or uint8 list. */
static void put_list(sbuild_t *b, tls_span_t l, int width)
{
    bool first = true;
    for (size_t i = 0; i + (size_t)width <= l.len; i += (size_t)width) {
        uint16_t v = width == 2 ? rd16(l.p + i) : l.p[i];
        if (width == 2 && tls_is_grease(v)) continue;
        if (!first) put_str(b, "-");
        put_uint(b, v);
        first = false;
    }
}

/* Extension types of an extensions block (already validated). */
static void put_ext_types(sbuild_t *b, tls_span_t block)
{
    bool first = true;
    size_t i = 0;
    while (i + 4 <= block.len) {
        uint16_t type = rd16(block.p + i);
        size_t n = rd16(block.p + i + 2);
        i += 4 + n;
        if (tls_is_grease(type)) continue;
        if (!first) put_str(b, "-");
        put_uint(b, type);
        first = false;
    }
}

size_t tls_ja3(const tls_client_hello_t *ch, char *out, size_t cap)
{
    sbuild_t b = {out, cap, 0};
    put_uint(&b, ch->version);
    put_str(&b, ",");
    put_list(&b, ch->ciphers, 2);
    put_str(&b, ",");
    put_ext_types(&b, ch->extensions);
    put_str(&b, ",");
    put_list(&b, ch->groups, 2);
    put_str(&b, ",");
    put_list(&b, ch->point_formats, 1);
    finish(&b);
    return b.n;
}

size_t tls_ja3s(const tls_server_hello_t *sh, char *out, size_t cap)
{
    sbuild_t b = {out, cap, 0};
    put_uint(&b, sh->version);
    put_str(&b, ",");
    put_uint(&b, sh->cipher);
    put_str(&b, ",");
    put_ext_types(&b, sh->extensions);
    finish(&b);
    return b.n;
}

bool tls_md5_hex(const void *s, size_t n, char hex[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(s, n, md, &mdlen, EVP_md5(), NULL) != 1 || mdlen != 16) {
        hex[0] = '\0';
        return false;
    }
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 16; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 0xf];
    }
    hex[32] = '\0';
    return true;
}

const char *tls_version_name(uint16_t v, char buf[24])
{
    switch (v) {
    case 0: return "UNDETERMINED";
    case 0x0002:
    case 0x0200: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: break;
    }
    if ((v >> 8) == 0x7f)
        snprintf(buf, 24, "TLS 1.3 draft-%u", v & 0xff);
    else
        snprintf(buf, 24, "0x%04x", v);
    return buf;
}
