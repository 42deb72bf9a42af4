/* fuzz_frame.c -- the ingest protocol decoders on arbitrary bytes.
 *
 * The first input byte picks the payload limit; the rest is a byte stream
 * as a peer could send it. Frames are decoded one after another as the
 * ingest does, and each payload goes to the decoder of its type. Checks:
 *   - nothing crashes, reads out of bounds or leaks; messages are one line;
 *   - a frame lies inside the input and respects the limit;
 *   - every strict prefix of a decoded frame is FRAME_NEED_MORE, so a
 *     receiver getting the bytes one at a time sees the same frames;
 *   - what decodes re-encodes to the very same bytes (batches through the
 *     batch writer, WELCOME and ACK through their encoders) and a decoded
 *     HELLO survives encode + decode unchanged.
 * The whole input is also tried directly as a BATCH and as a HELLO payload,
 * so their validators see fuzzed data without having to grow a header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_msg(const char *err, size_t cap)
{
    if (!memchr(err, '\0', cap) || strchr(err, '\n')) abort();
}

static void check_batch(const uint8_t *payload, size_t len, const uint8_t *frame_start)
{
    char err[256] = "";
    uint64_t seq;
    uint32_t count;
    struct frame_batch_iter it;
    if (frame_batch_open(payload, len, &seq, &count, &it, err, sizeof err) != FRAME_OK) {
        check_msg(err, sizeof err);
        return;
    }
    /* re-encode through the writer: must give the same bytes */
    struct frame_batch_writer w;
    frame_batch_writer_init(&w, seq, (uint32_t)len);
    const char *line;
    size_t linelen;
    uint32_t lines = 0;
    while (frame_batch_next(&it, &line, &linelen)) {
        if (line < (const char *)payload || line + linelen > (const char *)payload + len) abort();
        if (frame_batch_writer_append_line(&w, line, linelen) != FRAME_OK) abort();
        lines++;
    }
    if (lines != count) abort();
    if (frame_start) {
        size_t n;
        const uint8_t *f = frame_batch_writer_finish(&w, &n);
        if (!f || n != FRAME_HEADER_LEN + len || memcmp(f, frame_start, n) != 0) abort();
    }
    frame_batch_writer_free(&w);
}

static void check_hello(const uint8_t *payload, size_t len)
{
    char err[256] = "";
    struct frame_hello h, h2;
    if (frame_hello_decode(payload, len, &h, err, sizeof err) != FRAME_OK) {
        check_msg(err, sizeof err);
        return;
    }
    static uint8_t out[FRAME_HELLO_LEN_MAX];
    size_t n = frame_hello_encode(out, sizeof out, &h);
    /* escaping can make a long interface name too big for a HELLO; else
     * the round trip must be exact */
    if (n == 0) return;
    if (frame_hello_decode(out + FRAME_HEADER_LEN, n - FRAME_HEADER_LEN, &h2, err, sizeof err) !=
            FRAME_OK ||
        memcmp(&h, &h2, sizeof h) != 0)
        abort();
}

static void check_payload(const struct frame *f, const uint8_t *frame_start)
{
    char err[256] = "";
    uint8_t out[FRAME_ERROR_LEN_MAX];
    uint64_t seq;
    uint32_t max;
    uint16_t code;
    const char *text;
    size_t textlen;
    switch (f->type) {
    case FRAME_HELLO: check_hello(f->payload, f->len); break;
    case FRAME_BATCH: check_batch(f->payload, f->len, frame_start); break;
    case FRAME_WELCOME:
        if (frame_welcome_decode(f->payload, f->len, &seq, &max, err, sizeof err) == FRAME_OK) {
            if (frame_welcome_encode(out, seq, max) != FRAME_HEADER_LEN + f->len ||
                memcmp(out, frame_start, FRAME_WELCOME_LEN) != 0)
                abort();
        }
        break;
    case FRAME_ACK:
        if (frame_ack_decode(f->payload, f->len, &seq, err, sizeof err) == FRAME_OK) {
            if (frame_ack_encode(out, seq) != FRAME_HEADER_LEN + f->len ||
                memcmp(out, frame_start, FRAME_ACK_LEN) != 0)
                abort();
        }
        break;
    case FRAME_ERROR:
        if (frame_error_decode(f->payload, f->len, &code, &text, &textlen, err, sizeof err) ==
            FRAME_OK) {
            if (code == 0 || textlen > FRAME_ERROR_TEXT_MAX) abort();
            if (frame_error_encode(out, code, "x") != FRAME_HEADER_LEN + 3) abort();
        }
        break;
    default: abort(); /* the decoder must have refused the type */
    }
    check_msg(err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t limits[] = {0, 64, FRAME_CONTROL_MAX, FRAME_DEFAULT_MAX_PAYLOAD};
    if (size < 1) return 0;
    uint32_t max = limits[data[0] & 3];
    const uint8_t *buf = data + 1;
    size_t len = size - 1, off = 0;

    check_batch(buf, len, NULL);
    check_hello(buf, len);

    for (;;) {
        struct frame f;
        size_t used;
        char err[256] = "";
        int r = frame_decode(buf + off, len - off, max, &f, &used, err, sizeof err);
        if (r == FRAME_NEED_MORE) {
            if (used != 0) abort();
            break;
        }
        check_msg(err, sizeof err);
        if (r < 0) {
            if (!err[0] || used != 0) abort();
            break;
        }
        if (r != FRAME_OK || used != FRAME_HEADER_LEN + (size_t)f.len || used > len - off ||
            f.len > max || f.payload != buf + off + FRAME_HEADER_LEN)
            abort();
        for (size_t k = 0; k < used && k < 64; k++) {
            struct frame g;
            size_t u;
            if (frame_decode(buf + off, k, max, &g, &u, err, sizeof err) != FRAME_NEED_MORE)
                abort();
        }
        check_payload(&f, buf + off);
        off += used;
    }
    return 0;
}
