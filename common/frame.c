/* frame.c -- wire codec of the SOC ingest protocol v1 (see frame.h and
 * correlator/ingest/PROTOCOL.md).
 *
 * Decoders check every length before reading and fail with one line naming
 * the field; they never allocate. Only the HELLO encoder (JSON writer) and
 * the batch writer (its own bounded buffer) allocate. */
#include "frame.h"

#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"

#define BW_INITIAL_CAP (64u << 10)
#define HELLO_MAX_TOKS 128 /* HELLO has 5 members; room for unknown extra ones */

/* ---- big-endian integers -------------------------------------------------------- */

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* ---- names and errors ----------------------------------------------------------- */

const char *frame_type_name(int type)
{
    switch (type) {
    case FRAME_HELLO: return "HELLO";
    case FRAME_WELCOME: return "WELCOME";
    case FRAME_BATCH: return "BATCH";
    case FRAME_ACK: return "ACK";
    case FRAME_ERROR: return "ERROR";
    default: return "unknown";
    }
}

const char *frame_error_name(int code)
{
    switch (code) {
    case FRAME_ERR_MALFORMED: return "malformed frame";
    case FRAME_ERR_TOO_LARGE: return "frame too large";
    case FRAME_ERR_VERSION: return "unsupported version";
    case FRAME_ERR_UNAUTHORISED: return "not authorised";
    case FRAME_ERR_BUSY: return "server busy, retry later";
    default: return "unknown error";
    }
}

enum frame_error frame_status_error(int status)
{
    switch (status) {
    case FRAME_E_TOO_LARGE: return FRAME_ERR_TOO_LARGE;
    case FRAME_E_VERSION: return FRAME_ERR_VERSION;
    default: return FRAME_ERR_MALFORMED;
    }
}

/* ---- header ------------------------------------------------------------------------ */

size_t frame_encode_header(uint8_t out[FRAME_HEADER_LEN], enum frame_type type,
                           uint32_t payload_len)
{
    out[0] = FRAME_MAGIC0;
    out[1] = FRAME_MAGIC1;
    out[2] = FRAME_VERSION;
    out[3] = (uint8_t)type;
    put_be32(out + 4, payload_len);
    return FRAME_HEADER_LEN;
}

/* Whether the bytes received so far (1 or 2) start an HTTP method. */
static bool looks_like_http(const uint8_t *buf, size_t len)
{
    static const char *const methods[] = {"GET",     "POST",  "PUT",   "HEAD",   "DELETE",
                                          "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    size_t n = len < 2 ? len : 2;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (memcmp(buf, methods[i], n) == 0) return true;
    return false;
}

/* Magic check on the bytes received so far, with a hint for the usual
 * suspects: an HTTP client or a raw EVE/JSON shipper on the ingest port. */
static int check_magic(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    if (buf[0] == FRAME_MAGIC0 && (len < 2 || buf[1] == FRAME_MAGIC1)) return FRAME_OK;
    const char *hint = looks_like_http(buf, len) ? " -- plain HTTP?"
                       : buf[0] == '{'           ? " -- raw JSON lines?"
                                                 : "";
    if (len < 2)
        return err_set(FRAME_E_MAGIC, err, errlen,
                       "frame: bad magic 0x%02x (not a SOC ingest frame%s)", buf[0], hint);
    return err_set(FRAME_E_MAGIC, err, errlen,
                   "frame: bad magic 0x%02x%02x (not a SOC ingest frame%s)", buf[0], buf[1], hint);
}

int frame_decode(const uint8_t *buf, size_t len, uint32_t max_payload, struct frame *out,
                 size_t *consumed, char *err, size_t errlen)
{
    *consumed = 0;
    if (len == 0) return FRAME_NEED_MORE;
    int r = check_magic(buf, len, err, errlen);
    if (r != FRAME_OK) return r;
    if (len > 2 && buf[2] != FRAME_VERSION)
        return err_set(FRAME_E_VERSION, err, errlen,
                       "frame: unsupported version %u (this end speaks %u)", buf[2], FRAME_VERSION);
    if (len > 3 && (buf[3] < FRAME_HELLO || buf[3] > FRAME_ERROR))
        return err_set(FRAME_E_TYPE, err, errlen, "frame: unknown frame type %u", buf[3]);
    if (len < FRAME_HEADER_LEN) return FRAME_NEED_MORE;
    uint32_t plen = get_be32(buf + 4);
    if (plen > max_payload)
        return err_set(FRAME_E_TOO_LARGE, err, errlen, "frame: payload length %u exceeds limit %u",
                       plen, max_payload);
    if (len - FRAME_HEADER_LEN < plen) return FRAME_NEED_MORE;
    out->type = (enum frame_type)buf[3];
    out->len = plen;
    out->payload = buf + FRAME_HEADER_LEN;
    *consumed = FRAME_HEADER_LEN + (size_t)plen;
    return FRAME_OK;
}

/* ---- HELLO ----------------------------------------------------------------------------- */

static bool is_id_hex(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return false;
    return n == FRAME_ID_HEX_LEN;
}

static bool hello_valid(const struct frame_hello *h)
{
    return memchr(h->version, 0, sizeof h->version) && h->version[0] &&
           memchr(h->interface, 0, sizeof h->interface) && h->interface[0] &&
           memchr(h->boot_id, 0, sizeof h->boot_id) && is_id_hex(h->boot_id) &&
           memchr(h->spool_id, 0, sizeof h->spool_id) && is_id_hex(h->spool_id);
}

size_t frame_hello_encode(uint8_t *out, size_t cap, const struct frame_hello *h)
{
    if (!hello_valid(h)) return 0;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_kuint(&w, "proto", FRAME_PROTO);
    jw_kstr(&w, "version", h->version);
    jw_kstr(&w, "interface", h->interface);
    jw_kstr(&w, "boot_id", h->boot_id);
    jw_kstr(&w, "spool_id", h->spool_id);
    jw_object_close(&w);
    size_t n = 0;
    if (!w.oom && w.len <= FRAME_CONTROL_MAX && cap >= FRAME_HEADER_LEN + w.len) {
        frame_encode_header(out, FRAME_HELLO, (uint32_t)w.len);
        memcpy(out + FRAME_HEADER_LEN, w.buf, w.len);
        n = FRAME_HEADER_LEN + w.len;
    }
    jw_free(&w);
    return n;
}

/* A required member: the token, or NULL after reporting it missing. */
static const json_tok_t *hello_member(const char *s, const json_tok_t *toks, int n, const char *key,
                                      char *err, size_t errlen)
{
    const json_tok_t *t = json_get(s, toks, n, key);
    if (!t) err_set(FRAME_E_MALFORMED, err, errlen, "hello: no \"%s\" member", key);
    return t;
}

/* A required, non-empty string member into out (outcap bytes incl. NUL). */
static int hello_string(const char *s, const json_tok_t *toks, int n, const char *key, char *out,
                        size_t outcap, char *err, size_t errlen)
{
    const json_tok_t *t = hello_member(s, toks, n, key, err, errlen);
    if (!t) return FRAME_E_MALFORMED;
    int r = json_tok_string(s, t, out, outcap, NULL);
    if (r == JSON_E_TYPE)
        return err_set(FRAME_E_MALFORMED, err, errlen, "hello: \"%s\" is a %s, expected a string",
                       key, json_type_name(t->type));
    if (r == JSON_E_RANGE)
        return err_set(FRAME_E_MALFORMED, err, errlen, "hello: \"%s\" is longer than %zu bytes",
                       key, outcap - 1);
    if (r != JSON_OK)
        return err_set(FRAME_E_MALFORMED, err, errlen, "hello: \"%s\" contains a NUL character",
                       key);
    if (!out[0]) return err_set(FRAME_E_MALFORMED, err, errlen, "hello: \"%s\" is empty", key);
    return FRAME_OK;
}

/* boot_id, spool_id: a string of exactly FRAME_ID_HEX_LEN lowercase hex digits. */
static int hello_id(const char *s, const json_tok_t *toks, int n, const char *key, char *out,
                    char *err, size_t errlen)
{
    const json_tok_t *t = hello_member(s, toks, n, key, err, errlen);
    if (!t) return FRAME_E_MALFORMED;
    if (json_tok_string(s, t, out, FRAME_ID_HEX_LEN + 1, NULL) != JSON_OK || !is_id_hex(out))
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "hello: \"%s\" must be %d lowercase hex digits", key, FRAME_ID_HEX_LEN);
    return FRAME_OK;
}

int frame_hello_decode(const uint8_t *payload, size_t len, struct frame_hello *h, char *err,
                       size_t errlen)
{
    const char *s = (const char *)payload;
    json_tok_t toks[HELLO_MAX_TOKS];
    char jerr[128];
    memset(h, 0, sizeof *h);
    int n = json_parse(s, len, toks, HELLO_MAX_TOKS, jerr, sizeof jerr);
    if (n < 0) return err_set(FRAME_E_MALFORMED, err, errlen, "hello: %s", jerr);
    if (toks[0].type != JSON_OBJECT)
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "hello: payload is a JSON %s, expected an object",
                       json_type_name(toks[0].type));
    const json_tok_t *t = json_get(s, toks, n, "proto");
    uint64_t proto;
    if (json_tok_uint64(s, t, &proto) != JSON_OK)
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "hello: \"proto\" missing or not an integer");
    if (proto != FRAME_PROTO)
        return err_set(FRAME_E_VERSION, err, errlen,
                       "hello: protocol %llu not supported (this end speaks %d)",
                       (unsigned long long)proto, FRAME_PROTO);
    int r = hello_string(s, toks, n, "version", h->version, sizeof h->version, err, errlen);
    if (r == FRAME_OK)
        r = hello_string(s, toks, n, "interface", h->interface, sizeof h->interface, err, errlen);
    if (r == FRAME_OK) r = hello_id(s, toks, n, "boot_id", h->boot_id, err, errlen);
    if (r == FRAME_OK) r = hello_id(s, toks, n, "spool_id", h->spool_id, err, errlen);
    if (r != FRAME_OK) memset(h, 0, sizeof *h);
    return r;
}

/* ---- WELCOME, ACK, ERROR --------------------------------------------------------------- */

size_t frame_welcome_encode(uint8_t out[FRAME_WELCOME_LEN], uint64_t last_seq, uint32_t max_payload)
{
    frame_encode_header(out, FRAME_WELCOME, FRAME_WELCOME_PAYLOAD_LEN);
    put_be64(out + FRAME_HEADER_LEN, last_seq);
    put_be32(out + FRAME_HEADER_LEN + 8, max_payload);
    return FRAME_WELCOME_LEN;
}

int frame_welcome_decode(const uint8_t *payload, size_t len, uint64_t *last_seq,
                         uint32_t *max_payload, char *err, size_t errlen)
{
    if (len != FRAME_WELCOME_PAYLOAD_LEN)
        return err_set(FRAME_E_MALFORMED, err, errlen, "welcome: payload is %zu bytes, expected %d",
                       len, FRAME_WELCOME_PAYLOAD_LEN);
    uint32_t max = get_be32(payload + 8);
    if (max < FRAME_MIN_MAX_PAYLOAD || max > FRAME_MAX_MAX_PAYLOAD)
        return err_set(FRAME_E_MALFORMED, err, errlen, "welcome: max payload %u outside %u..%u",
                       max, FRAME_MIN_MAX_PAYLOAD, FRAME_MAX_MAX_PAYLOAD);
    *last_seq = get_be64(payload);
    *max_payload = max;
    return FRAME_OK;
}

size_t frame_ack_encode(uint8_t out[FRAME_ACK_LEN], uint64_t seq)
{
    frame_encode_header(out, FRAME_ACK, FRAME_ACK_PAYLOAD_LEN);
    put_be64(out + FRAME_HEADER_LEN, seq);
    return FRAME_ACK_LEN;
}

int frame_ack_decode(const uint8_t *payload, size_t len, uint64_t *seq, char *err, size_t errlen)
{
    if (len != FRAME_ACK_PAYLOAD_LEN)
        return err_set(FRAME_E_MALFORMED, err, errlen, "ack: payload is %zu bytes, expected %d",
                       len, FRAME_ACK_PAYLOAD_LEN);
    uint64_t v = get_be64(payload);
    if (v == 0)
        return err_set(FRAME_E_MALFORMED, err, errlen, "ack: sequence 0 (sequences start at 1)");
    *seq = v;
    return FRAME_OK;
}

/* Length of the valid, printable UTF-8 character at s, or 0 (RFC 3629;
 * control characters count as invalid here). */
static size_t text_char_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80) return s[0] >= 0x20 && s[0] != 0x7f;
    unsigned lo = 0x80, hi = 0xbf;
    size_t len;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (s[0] == 0xe0) lo = 0xa0; /* overlong */
    if (s[0] == 0xed) hi = 0x9f; /* surrogates */
    if (s[0] == 0xf0) lo = 0x90; /* overlong */
    if (s[0] == 0xf4) hi = 0x8f; /* above U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

size_t frame_error_encode(uint8_t out[FRAME_ERROR_LEN_MAX], uint16_t code, const char *text)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = strlen((const char *)s), i = 0, k = 0;
    uint8_t *t = out + FRAME_HEADER_LEN + 2;
    while (i < n) {
        size_t c = text_char_len(s + i, n - i);
        if (k + (c ? c : 1) > FRAME_ERROR_TEXT_MAX) break;
        if (c) {
            memcpy(t + k, s + i, c);
            k += c;
            i += c;
        } else {
            t[k++] = '?';
            i++;
        }
    }
    frame_encode_header(out, FRAME_ERROR, (uint32_t)(2 + k));
    put_be16(out + FRAME_HEADER_LEN, code);
    return FRAME_HEADER_LEN + 2 + k;
}

int frame_error_decode(const uint8_t *payload, size_t len, uint16_t *code, const char **text,
                       size_t *textlen, char *err, size_t errlen)
{
    if (len < 2)
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "error frame: payload is %zu bytes, expected at least 2", len);
    if (len - 2 > FRAME_ERROR_TEXT_MAX)
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "error frame: text of %zu bytes is longer than %d", len - 2,
                       FRAME_ERROR_TEXT_MAX);
    uint16_t c = get_be16(payload);
    if (c == 0) return err_set(FRAME_E_MALFORMED, err, errlen, "error frame: code 0");
    *code = c;
    *text = (const char *)payload + 2;
    *textlen = len - 2;
    return FRAME_OK;
}

/* ---- BATCH writer ------------------------------------------------------------------ */

size_t frame_batch_prefix_encode(uint8_t out[FRAME_BATCH_PREFIX_LEN], uint64_t seq, uint32_t count,
                                 uint32_t lines_len)
{
    frame_encode_header(out, FRAME_BATCH, FRAME_BATCH_HEADER_LEN + lines_len);
    put_be64(out + FRAME_HEADER_LEN, seq);
    put_be32(out + FRAME_HEADER_LEN + 8, count);
    return FRAME_BATCH_PREFIX_LEN;
}

void frame_batch_writer_init(struct frame_batch_writer *w, uint64_t seq, uint32_t max_payload)
{
    memset(w, 0, sizeof *w);
    w->max_payload = max_payload;
    frame_batch_writer_reset(w, seq);
}

void frame_batch_writer_reset(struct frame_batch_writer *w, uint64_t seq)
{
    w->seq = seq;
    w->count = 0;
    w->len = FRAME_BATCH_PREFIX_LEN;
}

void frame_batch_writer_free(struct frame_batch_writer *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

/* Room for need bytes in total, doubling up to the hard cap. */
static int bw_reserve(struct frame_batch_writer *w, size_t need)
{
    if (need <= w->cap) return FRAME_OK;
    size_t limit = (size_t)w->max_payload + FRAME_HEADER_LEN;
    size_t cap = w->cap ? w->cap : BW_INITIAL_CAP;
    while (cap < need)
        cap *= 2;
    if (cap > limit) cap = limit;
    uint8_t *b = realloc(w->buf, cap);
    if (!b) return FRAME_E_NOMEM;
    w->buf = b;
    w->cap = cap;
    return FRAME_OK;
}

int frame_batch_writer_append_line(struct frame_batch_writer *w, const char *line, size_t len)
{
    if (len == 0 || memchr(line, '\n', len) || memchr(line, '\0', len)) return FRAME_E_MALFORMED;
    size_t limit = (size_t)w->max_payload + FRAME_HEADER_LEN;
    if (FRAME_BATCH_PREFIX_LEN + len + 1 > limit) return FRAME_E_TOO_LARGE;
    if (w->len + len + 1 > limit || w->count == UINT32_MAX) return FRAME_E_FULL;
    int r = bw_reserve(w, w->len + len + 1);
    if (r != FRAME_OK) return r;
    memcpy(w->buf + w->len, line, len);
    w->buf[w->len + len] = '\n';
    w->len += len + 1;
    w->count++;
    return FRAME_OK;
}

const uint8_t *frame_batch_writer_finish(struct frame_batch_writer *w, size_t *frame_len)
{
    *frame_len = 0;
    if (w->count == 0 || !w->buf) return NULL;
    frame_batch_prefix_encode(w->buf, w->seq, w->count,
                              (uint32_t)(w->len - FRAME_BATCH_PREFIX_LEN));
    *frame_len = w->len;
    return w->buf;
}

/* ---- BATCH reader ----------------------------------------------------------------- */

/* 1-based line number of payload offset off (error messages only). */
static size_t line_of(const uint8_t *payload, size_t off)
{
    size_t line = 1;
    for (size_t i = FRAME_BATCH_HEADER_LEN; i < off; i++)
        line += payload[i] == '\n';
    return line;
}

/* Check the lines of a batch body; offsets in messages are from the start
 * of the payload, as a hex dump of it would show them. */
static int batch_lines(const uint8_t *payload, size_t len, uint64_t seq, uint32_t count, char *err,
                       size_t errlen)
{
    const uint8_t *body = payload + FRAME_BATCH_HEADER_LEN, *end = payload + len, *p = body;
    const uint8_t *nul = memchr(body, '\0', (size_t)(end - body));
    if (nul) {
        size_t off = (size_t)(nul - payload);
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "batch %llu: NUL byte in line %zu (payload offset %zu)",
                       (unsigned long long)seq, line_of(payload, off), off);
    }
    uint64_t lines = 0;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t off = (size_t)(p - payload);
        if (!nl)
            return err_set(FRAME_E_MALFORMED, err, errlen,
                           "batch %llu: line %llu (payload offset %zu) has no final newline",
                           (unsigned long long)seq, (unsigned long long)lines + 1, off);
        if (nl == p)
            return err_set(FRAME_E_MALFORMED, err, errlen,
                           "batch %llu: line %llu (payload offset %zu) is empty",
                           (unsigned long long)seq, (unsigned long long)lines + 1, off);
        if (++lines > count)
            return err_set(FRAME_E_MALFORMED, err, errlen,
                           "batch %llu: more lines than the event count %u (extra line at payload "
                           "offset %zu)",
                           (unsigned long long)seq, count, off);
        p = nl + 1;
    }
    if (lines != count)
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "batch %llu: event count %u but %llu line(s)", (unsigned long long)seq,
                       count, (unsigned long long)lines);
    return FRAME_OK;
}

int frame_batch_open(const uint8_t *payload, size_t len, uint64_t *seq, uint32_t *count,
                     struct frame_batch_iter *it, char *err, size_t errlen)
{
    it->p = it->end = NULL;
    if (len < FRAME_BATCH_HEADER_LEN)
        return err_set(FRAME_E_MALFORMED, err, errlen,
                       "batch: payload of %zu bytes is shorter than the %d-byte batch header", len,
                       FRAME_BATCH_HEADER_LEN);
    uint64_t s = get_be64(payload);
    uint32_t c = get_be32(payload + 8);
    if (s == 0)
        return err_set(FRAME_E_MALFORMED, err, errlen, "batch: sequence 0 (sequences start at 1)");
    if (c == 0)
        return err_set(FRAME_E_MALFORMED, err, errlen, "batch %llu: event count 0",
                       (unsigned long long)s);
    int r = batch_lines(payload, len, s, c, err, errlen);
    if (r != FRAME_OK) return r;
    *seq = s;
    *count = c;
    it->p = payload + FRAME_BATCH_HEADER_LEN;
    it->end = payload + len;
    return FRAME_OK;
}

bool frame_batch_next(struct frame_batch_iter *it, const char **line, size_t *linelen)
{
    if (!it->p || it->p >= it->end) return false;
    const uint8_t *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    if (!nl) return false; /* cannot happen after frame_batch_open */
    *line = (const char *)it->p;
    *linelen = (size_t)(nl - it->p);
    it->p = nl + 1;
    return true;
}
