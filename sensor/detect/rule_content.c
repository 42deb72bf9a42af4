/* rule_content.c -- content and its modifiers, sticky buffers, the older
 * http_* content modifiers and certificate options (tls.subject ...),
 * dotprefix, and where match items go.
 *
 * A content goes into the active sticky buffer, else into the payload; an
 * http_* modifier then moves the payload's last content into its buffer.
 * Modifiers (nocase, depth, ...) apply to the last content of the rule.
 * Checks follow Suricata's where they are cheap. */
#include "rule_int.h"

#include <stdio.h>
#include <string.h>

/* ---- buffers ---- */

/* A keyword that selects a buffer, and the buffer. */
typedef struct buf_kw {
    rule_keyword_t kw;
    rule_buf_t id;
} buf_kw_t;

#define STICKY(n, id)                                                                              \
    {                                                                                              \
        {n, kw_sticky, KW_VALUE_NONE}, id                                                          \
    }
#define MODIFIER(n, id)                                                                            \
    {                                                                                              \
        {n, kw_modifier, KW_VALUE_NONE}, id                                                        \
    }

static const buf_kw_t sticky[] = {
    STICKY("http.uri", RULE_BUF_HTTP_URI),
    STICKY("http.uri.raw", RULE_BUF_HTTP_URI_RAW),
    STICKY("http.method", RULE_BUF_HTTP_METHOD),
    STICKY("http.host", RULE_BUF_HTTP_HOST),
    STICKY("http.host.raw", RULE_BUF_HTTP_HOST_RAW),
    STICKY("http.user_agent", RULE_BUF_HTTP_USER_AGENT),
    STICKY("http.header", RULE_BUF_HTTP_HEADER),
    STICKY("http.header.raw", RULE_BUF_HTTP_HEADER_RAW),
    STICKY("http.header_names", RULE_BUF_HTTP_HEADER_NAMES),
    STICKY("http_header_names", RULE_BUF_HTTP_HEADER_NAMES),
    STICKY("http.cookie", RULE_BUF_HTTP_COOKIE),
    STICKY("http.request_body", RULE_BUF_HTTP_REQUEST_BODY),
    STICKY("http.stat_code", RULE_BUF_HTTP_STAT_CODE),
    STICKY("http.stat_msg", RULE_BUF_HTTP_STAT_MSG),
    STICKY("http.response_body", RULE_BUF_HTTP_RESPONSE_BODY),
    STICKY("file.data", RULE_BUF_FILE_DATA),
    STICKY("file_data", RULE_BUF_FILE_DATA),
    STICKY("http.content_type", RULE_BUF_HTTP_CONTENT_TYPE),
    STICKY("http_content_type", RULE_BUF_HTTP_CONTENT_TYPE),
    STICKY("http.content_len", RULE_BUF_HTTP_CONTENT_LEN),
    STICKY("http_content_len", RULE_BUF_HTTP_CONTENT_LEN),
    STICKY("http.request_line", RULE_BUF_HTTP_REQUEST_LINE),
    STICKY("http_request_line", RULE_BUF_HTTP_REQUEST_LINE),
    STICKY("http.response_line", RULE_BUF_HTTP_RESPONSE_LINE),
    STICKY("http_response_line", RULE_BUF_HTTP_RESPONSE_LINE),
    STICKY("http.start", RULE_BUF_HTTP_START),
    STICKY("http_start", RULE_BUF_HTTP_START),
    STICKY("http.protocol", RULE_BUF_HTTP_PROTOCOL),
    STICKY("http_protocol", RULE_BUF_HTTP_PROTOCOL),
    STICKY("http.referer", RULE_BUF_HTTP_REFERER),
    STICKY("http_referer", RULE_BUF_HTTP_REFERER),
    STICKY("http.location", RULE_BUF_HTTP_LOCATION),
    STICKY("http.server", RULE_BUF_HTTP_SERVER),
    STICKY("http.accept", RULE_BUF_HTTP_ACCEPT),
    STICKY("http_accept", RULE_BUF_HTTP_ACCEPT),
    STICKY("http.accept_enc", RULE_BUF_HTTP_ACCEPT_ENC),
    STICKY("http_accept_enc", RULE_BUF_HTTP_ACCEPT_ENC),
    STICKY("http.accept_lang", RULE_BUF_HTTP_ACCEPT_LANG),
    STICKY("http_accept_lang", RULE_BUF_HTTP_ACCEPT_LANG),
    STICKY("http.connection", RULE_BUF_HTTP_CONNECTION),
    STICKY("http_connection", RULE_BUF_HTTP_CONNECTION),
    STICKY("dns.query", RULE_BUF_DNS_QUERY),
    STICKY("dns_query", RULE_BUF_DNS_QUERY),
    STICKY("tls.sni", RULE_BUF_TLS_SNI),
    STICKY("tls_sni", RULE_BUF_TLS_SNI),
    STICKY("ja3.hash", RULE_BUF_JA3_HASH),
    STICKY("ja3_hash", RULE_BUF_JA3_HASH),
    STICKY("ja3.string", RULE_BUF_JA3_STRING),
    STICKY("ja3_string", RULE_BUF_JA3_STRING),
    STICKY("ja3s.hash", RULE_BUF_JA3S_HASH),
    STICKY("ja3s_hash", RULE_BUF_JA3S_HASH),
    STICKY("ja3s.string", RULE_BUF_JA3S_STRING),
    STICKY("ja3s_string", RULE_BUF_JA3S_STRING),
    STICKY("tls.cert_subject", RULE_BUF_TLS_CERT_SUBJECT),
    STICKY("tls_cert_subject", RULE_BUF_TLS_CERT_SUBJECT),
    STICKY("tls.cert_issuer", RULE_BUF_TLS_CERT_ISSUER),
    STICKY("tls_cert_issuer", RULE_BUF_TLS_CERT_ISSUER),
    STICKY("tls.cert_serial", RULE_BUF_TLS_CERT_SERIAL),
    STICKY("tls_cert_serial", RULE_BUF_TLS_CERT_SERIAL),
    STICKY("tls.cert_fingerprint", RULE_BUF_TLS_CERT_FINGERPRINT),
    STICKY("tls_cert_fingerprint", RULE_BUF_TLS_CERT_FINGERPRINT),
    STICKY("tls.certs", RULE_BUF_TLS_CERTS),
};

/* Older content modifiers: they apply to the content before them. */
static const buf_kw_t modifiers[] = {
    MODIFIER("http_uri", RULE_BUF_HTTP_URI),
    MODIFIER("http_raw_uri", RULE_BUF_HTTP_URI_RAW),
    MODIFIER("http_method", RULE_BUF_HTTP_METHOD),
    MODIFIER("http_header", RULE_BUF_HTTP_HEADER),
    MODIFIER("http_raw_header", RULE_BUF_HTTP_HEADER_RAW),
    MODIFIER("http_cookie", RULE_BUF_HTTP_COOKIE),
    MODIFIER("http_user_agent", RULE_BUF_HTTP_USER_AGENT),
    MODIFIER("http_host", RULE_BUF_HTTP_HOST),
    MODIFIER("http_raw_host", RULE_BUF_HTTP_HOST_RAW),
    MODIFIER("http_client_body", RULE_BUF_HTTP_REQUEST_BODY),
    MODIFIER("http_server_body", RULE_BUF_HTTP_RESPONSE_BODY),
    MODIFIER("http_stat_code", RULE_BUF_HTTP_STAT_CODE),
    MODIFIER("http_stat_msg", RULE_BUF_HTTP_STAT_MSG),
};

static bool kw_cert_field(rule_ctx_t *c, const char *v, size_t len);

/* Suricata's older certificate options, tls.subject:"CN=x": a test on a
 * field, not a buffer selection. */
static const buf_kw_t cert_fields[] = {
    {{"tls.subject", kw_cert_field, KW_VALUE_REQUIRED}, RULE_BUF_TLS_CERT_SUBJECT},
    {{"tls.issuerdn", kw_cert_field, KW_VALUE_REQUIRED}, RULE_BUF_TLS_CERT_ISSUER},
    {{"tls.fingerprint", kw_cert_field, KW_VALUE_REQUIRED}, RULE_BUF_TLS_CERT_FINGERPRINT},
};

#define N_STICKY      (sizeof(sticky) / sizeof(sticky[0]))
#define N_MODIFIER    (sizeof(modifiers) / sizeof(modifiers[0]))
#define N_CERT_FIELDS (sizeof(cert_fields) / sizeof(cert_fields[0]))

static const buf_kw_t *lookup(const buf_kw_t *t, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (rule_eq_nocase(name, len, t[i].kw.name)) return &t[i];
    return NULL;
}

const rule_keyword_t *rule_buffer_keyword(const char *name, size_t len)
{
    const buf_kw_t *b = lookup(sticky, N_STICKY, name, len);
    if (b == NULL) b = lookup(modifiers, N_MODIFIER, name, len);
    if (b == NULL) b = lookup(cert_fields, N_CERT_FIELDS, name, len);
    return b ? &b->kw : NULL;
}

static uint8_t app_transports(app_proto_t app)
{
    return app == APP_DNS ? (RULE_IPPROTO_TCP | RULE_IPPROTO_UDP) : RULE_IPPROTO_TCP;
}

bool rule_need_app(rule_ctx_t *c, app_proto_t app)
{
    rule_t *r = c->r;
    if (app == APP_UNKNOWN || r->app == app || (app == APP_HTTP && r->app == APP_HTTP2))
        return true;
    if (r->app != APP_UNKNOWN)
        return rule_fail(c, "needs app protocol %s, the rule is for %s", app_proto_name(app),
                         app_proto_name(r->app));
    uint8_t t = r->ipproto & app_transports(app);
    if (t == 0) return rule_fail(c, "app protocol %s needs TCP", app_proto_name(app));
    r->ipproto = t;
    r->app = app;
    return true;
}

int rule_slot(rule_ctx_t *c, uint8_t id, uint8_t xform)
{
    for (uint32_t i = 0; i < c->n_slots; i++)
        if (c->slots[i].id == id && c->slots[i].xform == xform) return (int)i;
    if (c->n_slots == sizeof(c->slots) / sizeof(c->slots[0])) return -1;
    c->slots[c->n_slots] = (rule_slot_t){id, xform};
    return (int)c->n_slots++;
}

int rule_item_slot(rule_ctx_t *c, bool relative)
{
    if (c->sticky >= 0) return rule_slot(c, (uint8_t)c->sticky, c->sticky_xform);
    if (relative && c->last_anchor >= 0) return c->items[c->last_anchor].slot;
    return rule_slot(c, RULE_BUF_PAYLOAD, 0);
}

rule_pitem_t *rule_add_item(rule_ctx_t *c, int slot, uint8_t type)
{
    if (slot < 0) {
        rule_fail(c, "too many buffers");
        return NULL;
    }
    if (c->n_items == RULE_MAX_ITEMS) {
        rule_fail(c, "more than %d match items in the rule", RULE_MAX_ITEMS);
        return NULL;
    }
    rule_pitem_t *p = &c->items[c->n_items];
    memset(p, 0, sizeof(*p));
    p->it.type = type;
    p->slot = (uint8_t)slot;
    if (c->sticky >= 0 && c->slots[slot].id == c->sticky && c->slots[slot].xform == c->sticky_xform)
        c->sticky_used = true;
    if (type != RULE_ITEM_BSIZE) c->last_anchor = (int)c->n_items;
    if (type == RULE_ITEM_CONTENT) c->last_content = (int)c->n_items;
    c->n_items++;
    return p;
}

/* A sticky buffer must have a match before the next one replaces it. */
static bool sticky_done(rule_ctx_t *c)
{
    if (c->sticky < 0 || c->sticky_used) return true;
    const char *kw = c->kw;
    c->kw = c->sticky_kw;
    rule_fail(c, "sticky buffer without a match after it");
    c->kw = kw;
    return false;
}

bool kw_sticky(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    rule_buf_t id = lookup(sticky, N_STICKY, c->kw, strlen(c->kw))->id;
    if (!sticky_done(c)) return false;
    if (id == RULE_BUF_FILE_DATA && c->r->app != APP_UNKNOWN && c->r->app != APP_HTTP &&
        c->r->app != APP_HTTP2) {
        const char *app = app_proto_name(c->r->app);
        char reason[96];
        snprintf(reason, sizeof(reason), "unsupported keyword '%s' (%s)", c->kw, app);
        return rule_fail_reason(c, reason, "%s: file data of %s is not inspected", c->kw, app);
    }
    if (!rule_need_app(c, rule_buf_info(id)->app)) return false;
    c->sticky = (int)id;
    c->sticky_xform = 0;
    c->sticky_kw = c->kw;
    c->sticky_used = false;
    return true;
}

bool kw_pkt_data(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    if (!sticky_done(c)) return false;
    c->sticky = -1;
    return true;
}

/* A transform right after the sticky buffer changes what its items see; a
 * transform after items starts a second, transformed instance of the
 * buffer for the items that follow (ET writes "dns.query; content:...;
 * dotprefix; content:...; endswith;"). */
bool kw_dotprefix(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    if (c->sticky < 0) return rule_fail(c, "needs a sticky buffer before it");
    if (c->sticky_xform & RULE_XFORM_DOTPREFIX) return rule_fail(c, "given twice");
    c->sticky_xform |= RULE_XFORM_DOTPREFIX;
    c->sticky_used = false;
    return true;
}

/* http_uri and friends: move the payload's last content into the buffer. */
bool kw_modifier(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    rule_buf_t id = lookup(modifiers, N_MODIFIER, c->kw, strlen(c->kw))->id;
    if (c->sticky >= 0) return rule_fail(c, "cannot be used after sticky buffer %s", c->sticky_kw);
    int payload = rule_slot(c, RULE_BUF_PAYLOAD, 0);
    int last = -1;
    for (int k = (int)c->n_items - 1; k >= 0 && last < 0; k--)
        if (c->items[k].slot == payload) last = k;
    if (last < 0 || c->items[last].it.type != RULE_ITEM_CONTENT)
        return rule_fail(c, "no preceding content");
    rule_content_t *ct = &c->items[last].it.u.content;
    if (ct->flags & RULE_CT_RAWBYTES) return rule_fail(c, "cannot be used with rawbytes");
    if (!rule_need_app(c, rule_buf_info(id)->app)) return false;
    int slot = rule_slot(c, (uint8_t)id, 0);
    if (slot < 0) return rule_fail(c, "too many buffers");
    c->items[last].slot = (uint8_t)slot;
    return true;
}

/* tls.subject, tls.issuerdn, tls.fingerprint: as Suricata, the field
 * holds the text ("!": does not), case-sensitive, quotes optional and no
 * escapes. Kept as a content item of the field's buffer, added aside: the
 * active sticky buffer and the target of content modifiers stay as they
 * were. */
static bool kw_cert_field(rule_ctx_t *c, const char *v, size_t len)
{
    rule_buf_t id = lookup(cert_fields, N_CERT_FIELDS, c->kw, strlen(c->kw))->id;
    bool neg = len > 0 && v[0] == '!';
    if (neg) {
        v++, len--;
        rule_trim(&v, &len);
    }
    if (len > 0 && v[0] == '"' && !rule_quoted(v, len, &v, &len))
        return rule_fail(c, "unterminated string");
    if (len == 0 || len > 65535) return rule_fail(c, "expected a value of 1..65535 bytes");
    if (!rule_need_app(c, APP_TLS)) return false;
    int last_content = c->last_content, last_anchor = c->last_anchor;
    bool sticky_used = c->sticky_used;
    rule_pitem_t *p = rule_add_item(c, rule_slot(c, (uint8_t)id, 0), RULE_ITEM_CONTENT);
    c->last_content = last_content;
    c->last_anchor = last_anchor;
    c->sticky_used = sticky_used;
    if (p == NULL) return false;
    rule_content_t *ct = &p->it.u.content;
    ct->pat = arena_dup(&c->rs->rules, v, len);
    ct->len = (uint16_t)len;
    ct->flags = neg ? RULE_CT_NEGATED : 0;
    return ct->pat || rule_fail(c, "out of memory");
}

/* ---- content ---- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Decode the inside of the quotes into c->scratch. */
static bool decode(rule_ctx_t *c, const char *s, size_t len, size_t *out)
{
    uint8_t *o = c->scratch;
    size_t n = 0;
    bool hex = false;
    int half = -1;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (n >= 65535) return rule_fail(c, "pattern longer than 65535 bytes");
        if (ch == '|') {
            if (hex && half >= 0) return rule_fail(c, "odd number of hex digits");
            hex = !hex;
        } else if (hex) {
            int d = hexval(ch);
            if (d < 0 && ch != ' ' && ch != '\t' && ch != ',')
                return rule_fail(c, "invalid hex digit '%c'", ch);
            if (d < 0) continue;
            if (half < 0) {
                half = d;
            } else {
                o[n++] = (uint8_t)(half << 4 | d);
                half = -1;
            }
        } else if (ch == '\\') {
            char e = i + 1 < len ? s[i + 1] : '\0';
            if (e != ';' && e != '"' && e != '\\' && e != ':')
                return rule_fail(c, "invalid escape '\\%c'", e ? e : ' ');
            o[n++] = (uint8_t)e;
            i++;
        } else if (ch == '"') {
            return rule_fail(c, "unescaped '\"' inside the string");
        } else {
            o[n++] = (uint8_t)ch;
        }
    }
    if (hex) return rule_fail(c, "unterminated hex block (missing '|')");
    if (n == 0) return rule_fail(c, "empty pattern");
    *out = n;
    return true;
}

bool kw_content(rule_ctx_t *c, const char *v, size_t len)
{
    bool neg = v[0] == '!';
    if (neg) {
        v++, len--;
        rule_trim(&v, &len);
    }
    const char *in;
    size_t ilen, n = 0;
    if (len == 0 || v[0] != '"') return rule_fail(c, "expected a quoted string");
    if (!rule_quoted(v, len, &in, &ilen)) return rule_fail(c, "unterminated string");
    if (!decode(c, in, ilen, &n)) return false;
    rule_pitem_t *p = rule_add_item(c, rule_item_slot(c, false), RULE_ITEM_CONTENT);
    if (p == NULL) return false;
    rule_content_t *ct = &p->it.u.content;
    ct->pat = arena_dup(&c->rs->rules, c->scratch, n);
    ct->len = (uint16_t)n;
    ct->flags = neg ? RULE_CT_NEGATED : 0;
    return ct->pat || rule_fail(c, "out of memory");
}

static rule_content_t *last_content(rule_ctx_t *c)
{
    if (c->last_content < 0) {
        rule_fail(c, "no preceding content");
        return NULL;
    }
    return &c->items[c->last_content].it.u.content;
}

/* Common checks of the modifiers; `bit` is the modifier's own flag. */
static rule_content_t *modifier(rule_ctx_t *c, uint16_t bit)
{
    rule_content_t *ct = last_content(c);
    if (ct == NULL) return NULL;
    uint16_t positional = RULE_CT_DEPTH | RULE_CT_OFFSET | RULE_CT_DISTANCE | RULE_CT_WITHIN;
    if ((bit & positional) && (ct->flags & RULE_CT_STARTSWITH)) {
        rule_fail(c, "cannot be used with startswith");
        return NULL;
    }
    if (ct->flags & bit) {
        rule_fail(c, "given twice for the same content");
        return NULL;
    }
    return ct;
}

bool kw_nocase(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    rule_content_t *ct = modifier(c, RULE_CT_NOCASE);
    if (ct) ct->flags |= RULE_CT_NOCASE;
    return ct != NULL;
}

bool kw_rawbytes(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    rule_content_t *ct = modifier(c, RULE_CT_RAWBYTES);
    if (ct == NULL) return false;
    if (c->slots[c->items[c->last_content].slot].id != RULE_BUF_PAYLOAD)
        return rule_fail(c, "only applies to payload content");
    ct->flags |= RULE_CT_RAWBYTES;
    return true;
}

static bool positional(rule_ctx_t *c, rule_content_t *ct, bool relative)
{
    if (relative && (ct->flags & (RULE_CT_DEPTH | RULE_CT_OFFSET)))
        return rule_fail(c, "cannot be used with depth or offset on the same content");
    if (!relative && (ct->flags & RULE_CT_RELATIVE))
        return rule_fail(c, "cannot be used with distance or within on the same content");
    return true;
}

static bool number(rule_ctx_t *c, const char *v, size_t len, int64_t min, int64_t max, int32_t *out)
{
    int64_t x;
    if (!rule_parse_i64(v, len, min, max, &x))
        return rule_fail(c, "invalid value '%.*s' (%lld..%lld)", (int)(len > 32 ? 32 : len), v,
                         (long long)min, (long long)max);
    *out = (int32_t)x;
    return true;
}

bool kw_depth(rule_ctx_t *c, const char *v, size_t len)
{
    rule_content_t *ct = modifier(c, RULE_CT_DEPTH);
    if (!ct || !positional(c, ct, false) || !number(c, v, len, 1, 65535, &ct->depth)) return false;
    if (ct->depth < ct->len)
        return rule_fail(c, "%d is smaller than the content length %u", ct->depth, ct->len);
    ct->flags |= RULE_CT_DEPTH;
    return true;
}

bool kw_offset(rule_ctx_t *c, const char *v, size_t len)
{
    rule_content_t *ct = modifier(c, RULE_CT_OFFSET);
    if (!ct || !positional(c, ct, false) || !number(c, v, len, 0, 65535, &ct->offset)) return false;
    ct->flags |= RULE_CT_OFFSET;
    return true;
}

bool kw_distance(rule_ctx_t *c, const char *v, size_t len)
{
    rule_content_t *ct = modifier(c, RULE_CT_DISTANCE);
    if (!ct || !positional(c, ct, true) || !number(c, v, len, -65535, 65535, &ct->distance))
        return false;
    ct->flags |= RULE_CT_DISTANCE | RULE_CT_RELATIVE;
    return true;
}

bool kw_within(rule_ctx_t *c, const char *v, size_t len)
{
    rule_content_t *ct = modifier(c, RULE_CT_WITHIN);
    if (!ct || !positional(c, ct, true) || !number(c, v, len, 1, 65535, &ct->within)) return false;
    if (ct->within < ct->len)
        return rule_fail(c, "%d is smaller than the content length %u", ct->within, ct->len);
    ct->flags |= RULE_CT_WITHIN | RULE_CT_RELATIVE;
    return true;
}

bool kw_startswith(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    rule_content_t *ct = modifier(c, RULE_CT_STARTSWITH);
    if (ct == NULL) return false;
    if (ct->flags & (RULE_CT_DEPTH | RULE_CT_OFFSET | RULE_CT_RELATIVE))
        return rule_fail(c, "cannot be used with depth, offset, distance or within");
    ct->flags |= RULE_CT_STARTSWITH | RULE_CT_DEPTH | RULE_CT_OFFSET;
    ct->offset = 0;
    ct->depth = ct->len;
    return true;
}

bool kw_endswith(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    rule_content_t *ct = modifier(c, RULE_CT_ENDSWITH);
    if (ct) ct->flags |= RULE_CT_ENDSWITH;
    return ct != NULL;
}

/* fast_pattern, fast_pattern:only, fast_pattern:offset,length. The checks
 * that depend on later modifiers are in rule_check_contents(). */
bool kw_fast_pattern(rule_ctx_t *c, const char *v, size_t len)
{
    rule_content_t *ct = last_content(c);
    if (ct == NULL) return false;
    if (c->seen & SEEN_FAST)
        return rule_fail(c, "only one content per rule can be the fast pattern");
    c->seen |= SEEN_FAST;
    ct->flags |= RULE_CT_FAST;
    if (v == NULL) return true;
    if (rule_eq(v, len, "only")) {
        ct->flags |= RULE_CT_FAST_ONLY;
        return true;
    }
    const char *comma = memchr(v, ',', len);
    int32_t off = 0, flen = 0;
    if (comma == NULL) return rule_fail(c, "expected 'only' or 'offset,length'");
    const char *l2 = comma + 1;
    size_t n1 = (size_t)(comma - v), n2 = len - n1 - 1;
    rule_trim(&v, &n1);
    rule_trim(&l2, &n2);
    if (!number(c, v, n1, 0, 65535, &off) || !number(c, l2, n2, 1, 65535, &flen)) return false;
    if (off + flen > ct->len)
        return rule_fail(c, "%d,%d goes past the content's %u bytes", off, flen, ct->len);
    ct->fp_off = (uint16_t)off;
    ct->fp_len = (uint16_t)flen;
    ct->flags |= RULE_CT_FAST_CHOP;
    return true;
}

static bool has_upper(const rule_content_t *ct)
{
    for (uint16_t i = 0; i < ct->len; i++)
        if (ct->pat[i] >= 'A' && ct->pat[i] <= 'Z') return true;
    return false;
}

/* Checks that need every modifier of a content to be known. */
bool rule_check_contents(rule_ctx_t *c)
{
    c->kw = "fast_pattern";
    for (uint32_t i = 0; i < c->n_items; i++) {
        if (c->items[i].it.type != RULE_ITEM_CONTENT) continue;
        const rule_content_t *ct = &c->items[i].it.u.content;
        uint16_t f = ct->flags;
        if ((f & RULE_CT_FAST_ONLY) && (f & RULE_CT_NEGATED))
            return rule_fail(c, "only cannot be used on a negated content");
        if ((f & RULE_CT_FAST_ONLY) && (f & (RULE_CT_DEPTH | RULE_CT_OFFSET | RULE_CT_RELATIVE)))
            return rule_fail(c, "only cannot be used with depth, offset, distance or within");
        if ((f & RULE_CT_FAST) && (f & RULE_CT_NEGATED) && (f & RULE_CT_RELATIVE))
            return rule_fail(c, "not allowed on a negated relative content");
        if (c->slots[c->items[i].slot].id == RULE_BUF_HTTP_HOST && !(f & RULE_CT_NOCASE) &&
            has_upper(ct)) {
            c->kw = "http.host";
            return rule_fail(c, "pattern has upper-case letters but the buffer is lower-case");
        }
    }
    return true;
}
