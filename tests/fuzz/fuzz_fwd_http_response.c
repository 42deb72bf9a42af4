/* fuzz_fwd_http_response.c -- the forwarder's HTTP response parser on
 * arbitrary bytes, as a server (or anything pretending to be one) could
 * send them after a POST.
 *
 * The first byte picks the body cap and how the input is cut into pieces
 * (1..16 bytes, or whole), so the parser sees every kind of split. Checks:
 *   - nothing crashes, reads out of bounds or leaks;
 *   - consumed counts stay inside what was fed; after DONE or ERROR nothing
 *     more is consumed;
 *   - the same input in one piece gives the same result, status, body
 *     length and message (pieces do not change the outcome);
 *   - a message is one line and NUL-terminated; a final status is 200..599;
 *     the body never exceeds the cap; kept bytes are the first body bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_http_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fwd_http_resp_t whole, piecewise;

static void check_msg(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap) || strchr(s, '\n') || strchr(s, '\r')) abort();
}

static fwd_http_rc_t run(fwd_http_resp_t *r, const uint8_t *p, size_t n, size_t piece, uint64_t cap,
                         size_t *consumed)
{
    fwd_http_resp_init(r, cap);
    fwd_http_rc_t rc = FWD_HTTP_MORE;
    size_t off = 0;
    while (off < n) {
        size_t k = piece && piece < n - off ? piece : n - off, used = 0;
        fwd_http_rc_t prev = rc;
        rc = fwd_http_resp_feed(r, p + off, k, &used);
        if (used > k) abort();
        if (prev != FWD_HTTP_MORE && used != 0) abort();
        off += used;
        if (rc != FWD_HTTP_MORE) break;
        if (used != k) abort(); /* MORE takes everything */
    }
    *consumed = off;
    if (rc == FWD_HTTP_MORE) rc = fwd_http_resp_eof(r);
    return rc;
}

static void check(const fwd_http_resp_t *r, fwd_http_rc_t rc, uint64_t cap)
{
    check_msg(r->err, sizeof(r->err));
    check_msg(r->reason, sizeof(r->reason));
    if (rc == FWD_HTTP_ERROR && r->err[0] == '\0') abort();
    if (r->headers_done && (r->status < 200 || r->status > 599)) abort();
    if (rc == FWD_HTTP_DONE && !r->headers_done) abort();
    if (r->body_len > cap || r->body_kept > sizeof(r->body)) abort();
    if (r->body_kept != (r->body_len < sizeof(r->body) ? r->body_len : sizeof(r->body))) abort();
    char sum[128];
    check_msg(fwd_http_body_summary(r, sum, sizeof(sum)), sizeof(sum));
    (void)fwd_http_status_class(r->status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t mode = data[0];
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    static const uint64_t caps[4] = {0, 16, 1024, 1u << 20};
    uint64_t cap = caps[mode & 3];
    size_t piece = (mode >> 2) & 15; /* 0: whole */
    if (piece) piece += (mode >> 6) & 1;

    size_t c1, c2;
    fwd_http_rc_t a = run(&whole, p, n, 0, cap, &c1);
    fwd_http_rc_t b = run(&piecewise, p, n, piece, cap, &c2);
    check(&whole, a, cap);
    check(&piecewise, b, cap);
    if (a != b || c1 != c2 || whole.status != piecewise.status ||
        whole.body_len != piecewise.body_len || whole.keep_alive != piecewise.keep_alive ||
        whole.retry_after != piecewise.retry_after || strcmp(whole.err, piecewise.err) != 0 ||
        memcmp(whole.body, piecewise.body, whole.body_kept) != 0)
        abort();
    return 0;
}
