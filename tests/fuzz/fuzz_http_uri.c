/* fuzz_http_uri.c -- http.uri normalisation, and the HTTP sticky buffers.
 *
 * The input is a URI: its normalisation must not be longer than it, must be
 * the same in place, must equal the normalisation of the input cut at outcap
 * when outcap is short, and for URIs made only of letters, digits and
 * "/\.-_" normalising again must change nothing. The same bytes are then
 * read as a request head, a response head and a chunked body: every buffer
 * must lie inside the head or the arena, the arena must never run out, and a
 * body fed in two pieces must give what one piece gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/http_buffers.h"

static http_bufs_t *B;

static void check_uri(const uint8_t *d, size_t n)
{
    uint8_t *out = malloc(n ? n : 1), *cut = malloc(n ? n : 1), *inplace = malloc(n ? n : 1);
    if (out == NULL || cut == NULL || inplace == NULL) abort();
    size_t k = http_uri_normalize(d, n, out, n);
    if (k > n) abort();

    memcpy(inplace, d, n);
    if (http_uri_normalize(inplace, n, inplace, n) != k || memcmp(inplace, out, k) != 0) abort();

    size_t cap = n ? d[0] % (n + 1) : 0; /* a short outcap: input cut there */
    size_t kc = http_uri_normalize(d, n, cut, cap);
    uint8_t *ref = malloc(cap ? cap : 1);
    if (ref == NULL) abort();
    size_t kr = http_uri_normalize(d, cap, ref, cap);
    if (kc != kr || kc > cap || memcmp(cut, ref, kc) != 0) abort();
    free(ref);

    bool plain = true;
    for (size_t i = 0; i < n && plain; i++) {
        uint8_t c = d[i];
        plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '\\' ||
                c == '.' || c == '-' || c == '_';
    }
    if (plain) {
        size_t k2 = http_uri_normalize(out, k, cut, n);
        if (k2 != k || memcmp(cut, out, k) != 0) abort();
    }
    free(out);
    free(cut);
    free(inplace);
}

static void in_bufs(const uint8_t *head, size_t n)
{
    for (int i = 0; i < HTTP_BUF_COUNT; i++) {
        hbuf_t h = B->b[i];
        if (h.p == NULL) {
            if (h.len) abort();
            continue;
        }
        bool in_head = h.p >= head && h.len <= n && (size_t)(h.p - head) <= n - h.len;
        bool in_arena =
            h.p >= B->arena && h.len <= B->used && (size_t)(h.p - B->arena) <= B->used - h.len;
        if (!in_head && !in_arena) abort();
    }
    if (B->used > sizeof(B->arena)) abort();
    /* the arena is sized for any head: only the field cap may cut */
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += head[i] == '\n';
    if (B->truncated && lines <= HTTP_BUF_MAX_FIELDS) abort();
    hbuf_t names = B->b[HTTP_BUF_HEADER_NAMES];
    if (names.len && (names.len < 4 || memcmp(names.p, "\r\n", 2) != 0)) abort();
}

static void check_heads(const uint8_t *d, size_t n)
{
    http_request_t q;
    if (http_parse_request(d, n, &q) == APP_PARSE_DONE) {
        if (!http_bufs_request(B, d, n, &q)) abort();
        in_bufs(d, n);
        if (B->b[HTTP_BUF_URI].len > B->b[HTTP_BUF_URI_RAW].len) abort();
    }
    http_response_t r;
    if (http_parse_response(d, n, &r) == APP_PARSE_DONE) {
        if (!http_bufs_response(B, d, n, &r)) abort();
        in_bufs(d, n);
    }
}

static void check_body(const uint8_t *d, size_t n)
{
    http_response_t resp;
    memset(&resp, 0, sizeof(resp));
    resp.status = 200;
    resp.chunked = true;
    http_body_t framing;
    http_body_response(&framing, &resp, false);
    static uint8_t one[512], two[512];
    http_body_buf_t a, b;
    http_body_buf_init(&a, one, sizeof(one), &framing);
    http_body_buf_init(&b, two, sizeof(two), &framing);
    size_t ua, ub1, ub2 = 0;
    app_parse_t sa = http_body_buf_feed(&a, d, n, &ua);
    size_t split = n ? d[n - 1] % (n + 1) : 0;
    app_parse_t sb = http_body_buf_feed(&b, d, split, &ub1);
    if (sb == APP_PARSE_MORE) {
        if (ub1 != split) abort();
        sb = http_body_buf_feed(&b, d + split, n - split, &ub2);
    }
    if (sa != sb || ua != ub1 + ub2 || a.len != b.len || memcmp(one, two, a.len) != 0) abort();
    /* the same framing state as the plain parser */
    http_body_t ref = framing;
    size_t ur;
    if (http_body_feed(&ref, d, n, &ur) != sa || ur != ua || ref.seen != a.framing.seen) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (B == NULL) B = malloc(sizeof(*B));
    if (B == NULL) return 0;
    check_uri(data, size);
    check_heads(data, size);
    check_body(data, size);
    return 0;
}
