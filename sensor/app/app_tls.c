/* app_tls.c -- TLS per flow: each direction's hello is parsed in place when
 * a record brings it whole, else its handshake bytes are gathered across
 * records and segments until it is complete. One event per flow when the
 * ServerHello is parsed (or at flow end after a lone ClientHello); then both
 * directions stop and the app layer frees the flow's state (the encrypted
 * records that follow are not looked at). The inspection hooks get each
 * hello as soon as it is parsed. */
#include <string.h>

#include "app_layer_int.h"

#define HS_MAX (TLS_HS_HEADER_LEN + TLS_MAX_HELLO)

typedef struct tls_state {
    tls_records_t rec[2];
    app_buf_t hs[2]; /* handshake bytes of the hello being gathered */
    bool client_seen, emitted;
    uint16_t client_version;
    char ja3_hash[33];
    /* Client fields kept until the ServerHello: sni, ja3 string, alpn. */
    uint8_t *blob;
    uint32_t sni_len, ja3_len, alpn_len;
} tls_state_t;

static void stop(app_layer_t *al, app_state_t *s, int dir, bool error)
{
    tls_state_t *t = s->ps;
    app_buf_release(al, s, &t->hs[dir]);
    app_dir_stop(al, s, dir, error);
}

static void emit(app_layer_t *al, flow_t *f, tls_state_t *t, const tls_server_hello_t *sh)
{
    tls_info_t info;
    memset(&info, 0, sizeof(info));
    if (t->client_seen) {
        const char *b = (const char *)t->blob;
        info.client_version = t->client_version;
        info.sni.p = b;
        info.sni.len = t->sni_len;
        info.has_ja3 = t->ja3_hash[0] != '\0';
        memcpy(info.ja3_hash, t->ja3_hash, sizeof(info.ja3_hash));
        info.ja3.p = b + t->sni_len;
        info.ja3.len = t->ja3_len;
        info.client_alpn.p = t->blob + t->sni_len + t->ja3_len;
        info.client_alpn.len = t->alpn_len;
    }
    if (sh != NULL) {
        info.version = sh->selected_version ? sh->selected_version : sh->version;
        size_t n = tls_ja3s(sh, al->ja3, sizeof(al->ja3));
        if (n < sizeof(al->ja3) && tls_md5_hex(al->ja3, n, info.ja3s_hash)) {
            info.has_ja3s = true;
            info.ja3s.p = al->ja3;
            info.ja3s.len = (uint32_t)n;
        }
        info.server_alpn = sh->alpn;
        if (al->sink.tls_server_hello) al->sink.tls_server_hello(al->sink.ud, f, sh, &info);
    }
    t->emitted = true;
    al->st.tx[APP_TLS]++;
    if (al->sink.tls) al->sink.tls(al->sink.ud, f, &info);
}

static size_t blob_size(size_t sni, size_t ja3, size_t alpn)
{
    size_t n = sni + ja3 + alpn;
    return n ? n : 1;
}

/* The ClientHello for the hook; ja3 is the string in al->ja3. */
static void client_hook(app_layer_t *al, flow_t *f, const tls_client_hello_t *ch, size_t ja3_len,
                        const char ja3_hash[33])
{
    tls_info_t info;
    memset(&info, 0, sizeof(info));
    info.sni.p = (const char *)ch->sni.p;
    info.sni.len = ch->sni.len;
    info.client_version = ch->version;
    info.has_ja3 = true;
    memcpy(info.ja3_hash, ja3_hash, sizeof(info.ja3_hash));
    info.ja3.p = al->ja3;
    info.ja3.len = (uint32_t)ja3_len;
    info.client_alpn = ch->alpn;
    al->sink.tls_client_hello(al->sink.ud, f, ch, &info);
}

/* Keep what the event needs from the ClientHello. */
static bool client_hello(app_layer_t *al, flow_t *f, app_state_t *s, const tls_client_hello_t *ch)
{
    tls_state_t *t = s->ps;
    size_t n = tls_ja3(ch, al->ja3, sizeof(al->ja3));
    if (n >= sizeof(al->ja3) || !tls_md5_hex(al->ja3, n, t->ja3_hash))
        return false; /* cannot happen within TLS_MAX_HELLO */
    if (al->sink.tls_client_hello) client_hook(al, f, ch, n, t->ja3_hash);
    t->blob = app_mem_alloc(al, s, blob_size(ch->sni.len, n, ch->alpn.len));
    if (t->blob == NULL) return false;
    if (ch->sni.len) memcpy(t->blob, ch->sni.p, ch->sni.len);
    memcpy(t->blob + ch->sni.len, al->ja3, n);
    if (ch->alpn.len) memcpy(t->blob + ch->sni.len + n, ch->alpn.p, ch->alpn.len);
    t->sni_len = ch->sni.len;
    t->ja3_len = (uint32_t)n;
    t->alpn_len = ch->alpn.len;
    t->client_version = ch->version;
    t->client_seen = true;
    return true;
}

/* A complete handshake message of this direction's hello. Returns false on
 * a malformed or unexpected message. */
static bool hello(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *msg,
                  size_t len)
{
    tls_state_t *t = s->ps;
    if (dir == DIR_TOSERVER) {
        tls_client_hello_t ch;
        if (tls_parse_client_hello(msg, len, &ch) != APP_PARSE_DONE) return false;
        return client_hello(al, f, s, &ch);
    }
    tls_server_hello_t sh;
    if (tls_parse_server_hello(msg, len, &sh) != APP_PARSE_DONE) return false;
    emit(al, f, t, &sh);
    stop(al, s, DIR_TOSERVER, false); /* nothing more to learn */
    return true;
}

/* Handshake bytes of dir's hello. Gathered only when they do not hold the
 * whole message; the direction stops once its hello is parsed. */
static void handshake(app_layer_t *al, flow_t *f, app_state_t *s, int dir, const uint8_t *p,
                      size_t n)
{
    tls_state_t *t = s->ps;
    app_buf_t *b = &t->hs[dir];
    uint8_t type;
    size_t mlen;
    app_parse_t st = b->len ? APP_PARSE_MORE : tls_handshake_peek(p, n, &type, &mlen);
    if (st == APP_PARSE_MORE) {
        if (!app_buf_append(al, s, b, p, n, HS_MAX)) {
            stop(al, s, dir, true);
            return;
        }
        st = tls_handshake_peek(b->p, b->len, &type, &mlen);
        if (st == APP_PARSE_MORE) return;
        p = b->p;
    }
    bool ok = st == APP_PARSE_DONE && hello(al, f, s, dir, p, mlen);
    stop(al, s, dir, !ok); /* this direction's hello is all we want */
}

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
        if (tls_records_next(&t->rec[dir], data + off, len - off, &used, &frag) ==
            APP_PARSE_ERROR) {
            stop(al, s, dir, true);
            break;
        }
        off += used;
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
    app_buf_release(al, s, &t->hs[dir]); /* the hello cannot be completed; try the next one */
    return false;
}

static void tls_flow_end(app_layer_t *al, flow_t *f, app_state_t *s)
{
    tls_state_t *t = s->ps;
    if (!t->emitted && t->client_seen) emit(al, f, t, NULL);
}

static bool tls_pending(const app_state_t *s)
{
    const tls_state_t *t = s->ps;
    return t->client_seen && !t->emitted;
}

static void tls_release(app_layer_t *al, app_state_t *s)
{
    tls_state_t *t = s->ps;
    if (t->blob != NULL)
        app_mem_free(al, s, t->blob, blob_size(t->sni_len, t->ja3_len, t->alpn_len));
    t->blob = NULL;
    for (int d = 0; d < 2; d++)
        app_buf_release(al, s, &t->hs[d]);
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
