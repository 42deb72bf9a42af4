/* app_tls.c -- TLS per flow. Each direction's records are walked and their
 * handshake messages taken one by one: in place when a record brings one
 * whole, else gathered across records and segments until it is complete.
 *
 * The client direction stops after its ClientHello. The server direction
 * goes on after the ServerHello to its Certificate (TLS 1.0-1.2, where it
 * travels in clear) and stops there, or as soon as no Certificate can come
 * any more: a TLS 1.3 ServerHello (the rest is encrypted), any other
 * handshake message (ServerKeyExchange, ServerHelloDone ...), or a record
 * that is not a handshake one (the ChangeCipherSpec of a resumed session,
 * an alert, encrypted data). One log event per flow goes out then (or at
 * flow end), with both hellos' fields and the leaf certificate's; both
 * directions are stopped and the app layer frees the flow's state, so the
 * encrypted records that follow are not looked at. The inspection hooks get
 * each hello as soon as it is parsed, and the Certificate.
 *
 * Memory: a direction's handshake buffer (an app_buf, counted against the
 * memcap, grown by doubling) holds a message only while it is incomplete:
 * at most 4 + 16 KiB for a hello, 4 + TLS_MAX_CERT_MSG for the server's
 * Certificate. A longer Certificate is kept to that bound and parsed as a
 * cut chain (the leaf comes first). Both are freed when the direction
 * stops. */
#include <string.h>

#include "app_layer_int.h"

#define HELLO_MAX (TLS_HS_HEADER_LEN + TLS_MAX_HELLO)
#define CERT_MAX  (TLS_HS_HEADER_LEN + TLS_MAX_CERT_MSG)

typedef struct tls_state {
    tls_records_t rec[2];
    app_buf_t hs[2]; /* handshake bytes of the message being gathered */
    bool client_seen, server_seen, emitted;
    bool has_ja3s;
    uint16_t client_version;
    uint16_t version;         /* negotiated (ServerHello) */
    uint16_t inspect_version; /* while a hook runs: app_layer_tls_version() */
    char ja3_hash[33], ja3s_hash[33];
    /* Client fields kept until the event: sni, ja3 string, alpn. */
    uint8_t *blob;
    uint32_t sni_len, ja3_len, alpn_len;
    /* Server fields kept until the event: ja3s string, alpn. */
    uint8_t *sblob;
    uint32_t ja3s_len, salpn_len;
} tls_state_t;

static uint32_t rd24(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static size_t blob_size(size_t a, size_t b, size_t c)
{
    size_t n = a + b + c;
    return n ? n : 1;
}

static void stop(app_layer_t *al, app_state_t *s, int dir, bool error)
{
    tls_state_t *t = s->ps;
    app_buf_release(al, s, &t->hs[dir]);
    app_dir_stop(al, s, dir, error);
}

/* The fields known so far, as the event and the hooks show them. */
static void info_fill(const tls_state_t *t, tls_info_t *info)
{
    memset(info, 0, sizeof(*info));
    if (t->client_seen) {
        const char *b = (const char *)t->blob;
        info->client_version = t->client_version;
        info->sni.p = b;
        info->sni.len = t->sni_len;
        info->has_ja3 = t->ja3_hash[0] != '\0';
        memcpy(info->ja3_hash, t->ja3_hash, sizeof(info->ja3_hash));
        info->ja3.p = b + t->sni_len;
        info->ja3.len = t->ja3_len;
        info->client_alpn.p = t->blob + t->sni_len + t->ja3_len;
        info->client_alpn.len = t->alpn_len;
    }
    if (t->server_seen) {
        info->version = t->version;
        info->has_ja3s = t->has_ja3s;
        memcpy(info->ja3s_hash, t->ja3s_hash, sizeof(info->ja3s_hash));
        info->ja3s.p = (const char *)t->sblob;
        info->ja3s.len = t->ja3s_len;
        info->server_alpn.p = t->sblob + t->ja3s_len;
        info->server_alpn.len = t->salpn_len;
    }
}

/* The log event, once per flow. */
static void emit(app_layer_t *al, flow_t *f, tls_state_t *t, const tls_info_t *info)
{
    t->emitted = true;
    al->st.tx[APP_TLS]++;
    if (al->sink.tls) al->sink.tls(al->sink.ud, f, info);
}

/* The server direction is done: log, and nothing more to learn from
 * either direction. */
static void finish(app_layer_t *al, flow_t *f, app_state_t *s, bool error)
{
    tls_state_t *t = s->ps;
    if (!t->emitted) {
        tls_info_t info;
        info_fill(t, &info);
        emit(al, f, t, &info);
    }
    stop(al, s, DIR_TOSERVER, false);
    stop(al, s, DIR_TOCLIENT, error);
}

/* ---- messages ---- */

/* The ClientHello for the hook; ja3 is the string in al->ja3. */
static void client_hook(app_layer_t *al, flow_t *f, tls_state_t *t, const tls_client_hello_t *ch,
                        size_t ja3_len)
{
    tls_info_t info;
    memset(&info, 0, sizeof(info));
    info.sni.p = (const char *)ch->sni.p;
    info.sni.len = ch->sni.len;
    info.client_version = ch->version;
    info.has_ja3 = true;
    memcpy(info.ja3_hash, t->ja3_hash, sizeof(info.ja3_hash));
    info.ja3.p = al->ja3;
    info.ja3.len = (uint32_t)ja3_len;
    info.client_alpn = ch->alpn;
    t->inspect_version = ch->version;
    al->sink.tls_client_hello(al->sink.ud, f, ch, &info);
    t->inspect_version = 0;
}

/* Keep what the event needs from the ClientHello. */
static bool client_hello(app_layer_t *al, flow_t *f, app_state_t *s, const uint8_t *msg, size_t len)
{
    tls_state_t *t = s->ps;
    tls_client_hello_t ch;
    if (tls_parse_client_hello(msg, len, &ch) != APP_PARSE_DONE) return false;
    size_t n = tls_ja3(&ch, al->ja3, sizeof(al->ja3));
    if (n >= sizeof(al->ja3) || !tls_md5_hex(al->ja3, n, t->ja3_hash))
        return false; /* cannot happen within TLS_MAX_HELLO */
    if (al->sink.tls_client_hello) client_hook(al, f, t, &ch, n);
    t->blob = app_mem_alloc(al, s, blob_size(ch.sni.len, n, ch.alpn.len));
    if (t->blob == NULL) return false;
    if (ch.sni.len) memcpy(t->blob, ch.sni.p, ch.sni.len);
    memcpy(t->blob + ch.sni.len, al->ja3, n);
    if (ch.alpn.len) memcpy(t->blob + ch.sni.len + n, ch.alpn.p, ch.alpn.len);
    t->sni_len = ch.sni.len;
    t->ja3_len = (uint32_t)n;
    t->alpn_len = ch.alpn.len;
    t->client_version = ch.version;
    t->client_seen = true;
    return true;
}

/* Keep what the event needs from the ServerHello, then the hook. */
static bool server_hello(app_layer_t *al, flow_t *f, app_state_t *s, const uint8_t *msg, size_t len)
{
    tls_state_t *t = s->ps;
    tls_server_hello_t sh;
    if (tls_parse_server_hello(msg, len, &sh) != APP_PARSE_DONE) return false;
    size_t n = tls_ja3s(&sh, al->ja3, sizeof(al->ja3));
    t->has_ja3s = n < sizeof(al->ja3) && tls_md5_hex(al->ja3, n, t->ja3s_hash);
    if (!t->has_ja3s) n = 0;
    t->sblob = app_mem_alloc(al, s, blob_size(n, sh.alpn.len, 0));
    if (t->sblob == NULL) return false;
    if (n) memcpy(t->sblob, al->ja3, n);
    if (sh.alpn.len) memcpy(t->sblob + n, sh.alpn.p, sh.alpn.len);
    t->ja3s_len = (uint32_t)n;
    t->salpn_len = sh.alpn.len;
    t->version = sh.selected_version ? sh.selected_version : sh.version;
    t->server_seen = true;
    if (al->sink.tls_server_hello) {
        tls_info_t info;
        info_fill(t, &info);
        t->inspect_version = t->version;
        al->sink.tls_server_hello(al->sink.ud, f, &sh, &info);
        t->inspect_version = 0;
    }
    return true;
}

/* TLS 1.3 (and its drafts) encrypts everything after the ServerHello. */
static bool encrypted_after_hello(uint16_t v)
{
    return v == 0x0304 || (v >> 8) == 0x7f;
}

/* The server's Certificate, len of its full bytes present (less when it
 * was cut at CERT_MAX). */
static void certificate(app_layer_t *al, flow_t *f, app_state_t *s, const uint8_t *msg, size_t len)
{
    tls_state_t *t = s->ps;
    tls_certs_t certs;
    if (tls_parse_certificate(msg, len, &certs) != APP_PARSE_DONE) {
        finish(al, f, s, true);
        return;
    }
    if (certs.truncated) al->st.tls_cert_truncated++;
    const tls_cert_t *leaf = NULL;
    if (certs.n > 0) {
        if (tls_cert_parse(certs.der[0].p, certs.der[0].len, &al->cert))
            leaf = &al->cert;
        else
            al->st.tls_cert_invalid++;
    }
    tls_info_t info;
    info_fill(t, &info);
    info.certs = &certs;
    info.cert = leaf;
    if (al->sink.tls_certificate) {
        t->inspect_version = t->version;
        al->sink.tls_certificate(al->sink.ud, f, &info);
        t->inspect_version = 0;
    }
    if (!t->emitted) emit(al, f, t, &info);
    finish(al, f, s, false);
}

/* One handshake message of dir: msg[0..len) with len the whole message,
 * or its first CERT_MAX bytes for a longer Certificate. */
static void message(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *msg,
                    size_t len)
{
    tls_state_t *t = s->ps;
    if (dir == DIR_TOSERVER) {
        bool ok = msg[0] == TLS_HS_CLIENT_HELLO && client_hello(al, f, s, msg, len);
        stop(al, s, dir, !ok); /* the ClientHello is all this direction gives */
        return;
    }
    if (!t->server_seen) {
        if (msg[0] != TLS_HS_SERVER_HELLO || !server_hello(al, f, s, msg, len))
            finish(al, f, s, true);
        else if (encrypted_after_hello(t->version))
            finish(al, f, s, false);
        return;
    }
    if (msg[0] == TLS_HS_CERTIFICATE)
        certificate(al, f, s, msg, len);
    else
        finish(al, f, s, false); /* past the point where a Certificate comes */
}

/* Bytes of the gathered message b is complete at (its header read): the
 * whole message, or CERT_MAX for a longer Certificate. 0 when the body is
 * over the bound of its kind. */
static size_t gathered_len(const app_buf_t *b)
{
    size_t body = rd24(b->p + 1);
    if (b->p[0] == TLS_HS_CERTIFICATE)
        return TLS_HS_HEADER_LEN + body < CERT_MAX ? TLS_HS_HEADER_LEN + body : CERT_MAX;
    return body <= TLS_MAX_HELLO ? TLS_HS_HEADER_LEN + body : 0;
}

/* Handshake bytes of dir: each message is taken in place when it is all
 * there, else gathered in the direction's buffer. */
static void handshake(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *p,
                      size_t n)
{
    tls_state_t *t = s->ps;
    app_buf_t *b = &t->hs[dir];
    size_t max = dir == DIR_TOCLIENT ? CERT_MAX : HELLO_MAX;
    bool bad = false; /* a message over its bound, or no memory */
    while (n > 0 && !s->dir[dir].dead) {
        if (b->len == 0) {
            uint8_t type;
            size_t mlen;
            app_parse_t st = tls_handshake_peek(p, n, &type, &mlen);
            if (st == APP_PARSE_DONE) {
                message(al, f, s, dir, p, mlen);
                p += mlen;
                n -= mlen;
                continue;
            }
            if (st == APP_PARSE_ERROR) {
                bad = true;
                break;
            }
        }
        /* The header first, then the rest of the message up to its bound. */
        size_t want = b->len < TLS_HS_HEADER_LEN ? TLS_HS_HEADER_LEN : gathered_len(b);
        size_t k = want - b->len < n ? want - b->len : n;
        if (!app_buf_append(al, s, b, p, k, max)) {
            bad = true;
            break;
        }
        p += k;
        n -= k;
        /* Header complete: take the room for the whole message at once
         * (bounded), rather than doubling through copies as it arrives. */
        if (b->len == TLS_HS_HEADER_LEN && ((want = gathered_len(b)) == 0 || want > max ||
                                            !app_buf_reserve(al, s, b, want, max))) {
            bad = true;
            break;
        }
        if (b->len < want) continue;
        message(al, f, s, dir, b->p, b->len);
        app_buf_release(al, s, b);
    }
    if (!bad || s->dir[dir].dead) return;
    if (dir == DIR_TOCLIENT)
        finish(al, f, s, true);
    else
        stop(al, s, dir, true);
}

/* ---- the stream ---- */

static size_t tls_stream(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *data,
                         size_t len)
{
    tls_state_t *t = s->ps;
    app_dir_t *d = &s->dir[dir];
    if (d->resync) { /* after a gap: wait for a packet starting a record */
        if (len < TLS_REC_HEADER_LEN || data[0] < 20 || data[0] > 24 || data[1] != 3) return len;
        d->resync = 0;
    }
    size_t off = 0;
    while (off < len && !d->dead) {
        size_t used;
        tls_span_t frag;
        tls_records_t *r = &t->rec[dir];
        if (tls_records_next(r, data + off, len - off, &used, &frag) == APP_PARSE_ERROR) {
            if (dir == DIR_TOCLIENT && t->server_seen)
                finish(al, f, s, true);
            else
                stop(al, s, dir, true);
            break;
        }
        off += used;
        /* After the ServerHello, any other record means the handshake
         * left the clear (ChangeCipherSpec, alert, encrypted data). */
        if (dir == DIR_TOCLIENT && t->server_seen && r->hdr_len == TLS_REC_HEADER_LEN &&
            r->type != TLS_CT_HANDSHAKE) {
            finish(al, f, s, false);
            break;
        }
        if (frag.len > 0) handshake(al, f, s, dir, frag.p, frag.len);
    }
    return len;
}

static bool tls_gap(app_layer_t *al, flow_t *f, app_state_t *s, int dir, uint32_t n)
{
    (void)f;
    (void)n;
    tls_state_t *t = s->ps;
    memset(&t->rec[dir], 0, sizeof(t->rec[dir]));
    app_buf_release(al, s, &t->hs[dir]); /* the message cannot be completed; try the next one */
    return false;
}

static void tls_flow_end(app_layer_t *al, flow_t *f, app_state_t *s)
{
    tls_state_t *t = s->ps;
    if (!t->emitted && (t->client_seen || t->server_seen)) {
        tls_info_t info;
        info_fill(t, &info);
        emit(al, f, t, &info);
    }
}

static bool tls_pending(const app_state_t *s)
{
    const tls_state_t *t = s->ps;
    return (t->client_seen || t->server_seen) && !t->emitted;
}

static void tls_release(app_layer_t *al, app_state_t *s)
{
    tls_state_t *t = s->ps;
    if (t->blob != NULL)
        app_mem_free(al, s, t->blob, blob_size(t->sni_len, t->ja3_len, t->alpn_len));
    if (t->sblob != NULL) app_mem_free(al, s, t->sblob, blob_size(t->ja3s_len, t->salpn_len, 0));
    t->blob = t->sblob = NULL;
    for (int d = 0; d < 2; d++)
        app_buf_release(al, s, &t->hs[d]);
}

uint16_t app_tls_inspect_version(const app_state_t *s)
{
    const tls_state_t *t = s->ps;
    return t->inspect_version;
}

const app_ops_t app_tls_ops = {
    .proto = APP_TLS,
    .state_size = sizeof(tls_state_t),
    .stream = tls_stream,
    .datagram = NULL,
    .gap = tls_gap,
    .flow_end = tls_flow_end,
    .pending = tls_pending,
    .release = tls_release,
};
