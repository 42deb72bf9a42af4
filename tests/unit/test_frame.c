/* Unit tests for common/frame.c. Expected bytes are written by hand from
 * correlator/ingest/PROTOCOL.md (big-endian fields; hex worked out next to
 * each value), never taken from the encoder's output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"

static char err[512];

/* ---- encoders against hand-written bytes ---------------------------------------- */

static void test_header_encode(void **state)
{
    (void)state;
    uint8_t out[FRAME_HEADER_LEN];
    static const uint8_t want[] = {0x53, 0x46, 0x01, 0x03, 0x01, 0x02, 0x03, 0x04};
    assert_int_equal(frame_encode_header(out, FRAME_BATCH, 0x01020304), 8);
    assert_memory_equal(out, want, 8);
    static const uint8_t want_hello[] = {'S', 'F', 1, 1, 0, 0, 0, 0};
    frame_encode_header(out, FRAME_HELLO, 0);
    assert_memory_equal(out, want_hello, 8);
    static const uint8_t want_max[] = {'S', 'F', 1, 5, 0xff, 0xff, 0xff, 0xff};
    frame_encode_header(out, FRAME_ERROR, 0xffffffffu);
    assert_memory_equal(out, want_max, 8);
}

static void test_welcome(void **state)
{
    (void)state;
    uint8_t out[FRAME_WELCOME_LEN];
    /* last stored 41 = 0x29, max 4 MiB = 0x00400000 */
    static const uint8_t want[] = {0x53, 0x46, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0c, /* header */
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x29, /* seq */
                                   0x00, 0x40, 0x00, 0x00};                        /* max */
    assert_int_equal(frame_welcome_encode(out, 41, 4u << 20), 20);
    assert_memory_equal(out, want, 20);

    uint64_t last = 0;
    uint32_t max = 0;
    assert_int_equal(frame_welcome_decode(want + 8, 12, &last, &max, err, sizeof err), FRAME_OK);
    assert_true(last == 41);
    assert_int_equal(max, 4194304);
    /* 2^64-1 and the largest allowed max, 256 MiB = 0x10000000 */
    static const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0x10, 0x00, 0x00, 0x00};
    assert_int_equal(frame_welcome_decode(big, 12, &last, &max, err, sizeof err), FRAME_OK);
    assert_true(last == UINT64_MAX);
    assert_int_equal(max, 268435456);
    /* 256 MiB + 1 */
    static const uint8_t too_big[] = {0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x00, 0x01};
    assert_int_equal(frame_welcome_decode(too_big, 12, &last, &max, err, sizeof err),
                     FRAME_E_MALFORMED);
    assert_string_equal(err, "welcome: max payload 268435457 outside 65536..268435456");
    /* 64 KiB - 1 = 0xffff */
    static const uint8_t too_small[] = {0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xff, 0xff};
    assert_int_equal(frame_welcome_decode(too_small, 12, &last, &max, err, sizeof err),
                     FRAME_E_MALFORMED);
    assert_string_equal(err, "welcome: max payload 65535 outside 65536..268435456");
    assert_int_equal(frame_welcome_decode(want + 8, 11, &last, &max, err, sizeof err),
                     FRAME_E_MALFORMED);
    assert_string_equal(err, "welcome: payload is 11 bytes, expected 12");
    assert_int_equal(frame_welcome_decode(want + 8, 0, &last, &max, NULL, 0), FRAME_E_MALFORMED);
}

static void test_ack(void **state)
{
    (void)state;
    uint8_t out[FRAME_ACK_LEN];
    /* seq 0x0102030405060708 */
    static const uint8_t want[] = {0x53, 0x46, 0x01, 0x04, 0x00, 0x00, 0x00, 0x08,
                                   0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    assert_int_equal(frame_ack_encode(out, 0x0102030405060708ull), 16);
    assert_memory_equal(out, want, 16);
    uint64_t seq = 0;
    assert_int_equal(frame_ack_decode(want + 8, 8, &seq, err, sizeof err), FRAME_OK);
    assert_true(seq == 0x0102030405060708ull);
    static const uint8_t zero[8] = {0};
    assert_int_equal(frame_ack_decode(zero, 8, &seq, err, sizeof err), FRAME_E_MALFORMED);
    assert_string_equal(err, "ack: sequence 0 (sequences start at 1)");
    assert_int_equal(frame_ack_decode(want + 8, 9, &seq, err, sizeof err), FRAME_E_MALFORMED);
    assert_string_equal(err, "ack: payload is 9 bytes, expected 8");
}

static void test_error_frame(void **state)
{
    (void)state;
    uint8_t out[FRAME_ERROR_LEN_MAX];
    /* code 2, "too big": payload 2 + 7 = 9 bytes */
    static const uint8_t want[] = {0x53, 0x46, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09, 0x00,
                                   0x02, 't',  'o',  'o',  ' ',  'b',  'i',  'g'};
    assert_int_equal(frame_error_encode(out, FRAME_ERR_TOO_LARGE, "too big"), sizeof want);
    assert_memory_equal(out, want, sizeof want);
    uint16_t code = 0;
    const char *text = NULL;
    size_t tlen = 0;
    assert_int_equal(frame_error_decode(want + 8, 9, &code, &text, &tlen, err, sizeof err),
                     FRAME_OK);
    assert_int_equal(code, 2);
    assert_int_equal(tlen, 7);
    assert_memory_equal(text, "too big", 7);

    /* empty and NULL text: payload is just the code (0x0105 = 261) */
    static const uint8_t want_empty[] = {0x53, 0x46, 0x01, 0x05, 0, 0, 0, 2, 0x01, 0x05};
    assert_int_equal(frame_error_encode(out, 261, NULL), 10);
    assert_memory_equal(out, want_empty, 10);
    assert_int_equal(frame_error_encode(out, 261, ""), 10);
    assert_int_equal(frame_error_decode(want_empty + 8, 2, &code, &text, &tlen, err, sizeof err),
                     FRAME_OK);
    assert_int_equal(code, 261);
    assert_int_equal(tlen, 0);

    /* control characters and invalid UTF-8 become '?', valid UTF-8 stays */
    assert_int_equal(frame_error_encode(out, 1, "a\nb\xff\xc3\xa9\x7f"), 8 + 2 + 7);
    assert_memory_equal(out + 10, "a?b?\xc3\xa9?", 7);

    /* cut at 1024 bytes, never inside a character: 1023 'x' + U+00E9 */
    char *big = malloc(2001);
    assert_non_null(big);
    memset(big, 'x', 2000);
    big[2000] = '\0';
    assert_int_equal(frame_error_encode(out, 1, big), 8 + 2 + 1024);
    assert_int_equal(out[7], 0x02); /* 1026 = 0x0402 */
    assert_int_equal(out[6], 0x04);
    memcpy(big + 1023, "\xc3\xa9", 3);
    assert_int_equal(frame_error_encode(out, 1, big), 8 + 2 + 1023);
    free(big);

    /* decode errors */
    assert_int_equal(frame_error_decode(want + 8, 1, &code, &text, &tlen, err, sizeof err),
                     FRAME_E_MALFORMED);
    assert_string_equal(err, "error frame: payload is 1 bytes, expected at least 2");
    static const uint8_t zero[] = {0, 0, 'x'};
    assert_int_equal(frame_error_decode(zero, 3, &code, &text, &tlen, err, sizeof err),
                     FRAME_E_MALFORMED);
    assert_string_equal(err, "error frame: code 0");
    uint8_t *long_text = calloc(1, 2 + 1025);
    assert_non_null(long_text);
    long_text[1] = 1;
    assert_int_equal(frame_error_decode(long_text, 2 + 1025, &code, &text, &tlen, err, sizeof err),
                     FRAME_E_MALFORMED);
    assert_string_equal(err, "error frame: text of 1025 bytes is longer than 1024");
    assert_int_equal(frame_error_decode(long_text, 2 + 1024, &code, &text, &tlen, err, sizeof err),
                     FRAME_OK);
    free(long_text);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(frame_type_name(FRAME_HELLO), "HELLO");
    assert_string_equal(frame_type_name(FRAME_ERROR), "ERROR");
    assert_string_equal(frame_type_name(0), "unknown");
    assert_string_equal(frame_error_name(FRAME_ERR_BUSY), "server busy, retry later");
    assert_string_equal(frame_error_name(FRAME_ERR_UNAUTHORISED), "not authorised");
    assert_string_equal(frame_error_name(99), "unknown error");
    assert_int_equal(frame_status_error(FRAME_E_TOO_LARGE), FRAME_ERR_TOO_LARGE);
    assert_int_equal(frame_status_error(FRAME_E_VERSION), FRAME_ERR_VERSION);
    assert_int_equal(frame_status_error(FRAME_E_MAGIC), FRAME_ERR_MALFORMED);
    assert_int_equal(frame_status_error(FRAME_E_TYPE), FRAME_ERR_MALFORMED);
    assert_int_equal(frame_status_error(FRAME_E_MALFORMED), FRAME_ERR_MALFORMED);
}

/* ---- HELLO ----------------------------------------------------------------------- */

static const char hello_json[] = "{\"proto\":1,\"version\":\"0.4.0\",\"interface\":\"eth0\","
                                 "\"boot_id\":\"e0339612d444b16f72aeb664dadabda5\","
                                 "\"spool_id\":\"0123456789abcdef0123456789abcdef\"}";

static void fill_hello(struct frame_hello *h)
{
    memset(h, 0, sizeof *h);
    strcpy(h->version, "0.4.0");
    strcpy(h->interface, "eth0");
    strcpy(h->boot_id, "e0339612d444b16f72aeb664dadabda5");
    strcpy(h->spool_id, "0123456789abcdef0123456789abcdef");
}

static void test_hello_encode(void **state)
{
    (void)state;
    struct frame_hello h;
    fill_hello(&h);
    uint8_t out[FRAME_HELLO_LEN_MAX];
    /* the JSON is 139 = 0x8b bytes */
    static const uint8_t head[] = {0x53, 0x46, 0x01, 0x01, 0x00, 0x00, 0x00, 0x8b};
    assert_int_equal(sizeof hello_json - 1, 139);
    assert_int_equal(frame_hello_encode(out, sizeof out, &h), 8 + 139);
    assert_memory_equal(out, head, 8);
    assert_memory_equal(out + 8, hello_json, 139);
    assert_int_equal(frame_hello_encode(out, 8 + 138, &h), 0); /* no room */
    assert_int_equal(frame_hello_encode(out, 8 + 139, &h), 8 + 139);

    /* strings are JSON-escaped: "a\"b" and a path with a backslash */
    strcpy(h.version, "a\"b");
    strcpy(h.interface, "C:\\pcap");
    size_t n = frame_hello_encode(out, sizeof out, &h);
    assert_true(n > 8);
    assert_non_null(memmem(out + 8, n - 8, "\"version\":\"a\\\"b\"", 16));
    assert_non_null(memmem(out + 8, n - 8, "\"interface\":\"C:\\\\pcap\"", 22));

    /* the encoder refuses what the decoder would reject */
    fill_hello(&h);
    h.version[0] = '\0';
    assert_int_equal(frame_hello_encode(out, sizeof out, &h), 0);
    fill_hello(&h);
    h.interface[0] = '\0';
    assert_int_equal(frame_hello_encode(out, sizeof out, &h), 0);
    fill_hello(&h);
    h.boot_id[0] = 'E';
    assert_int_equal(frame_hello_encode(out, sizeof out, &h), 0);
    fill_hello(&h);
    h.spool_id[31] = '\0';
    assert_int_equal(frame_hello_encode(out, sizeof out, &h), 0);
}

static int hello_decode_str(const char *json, struct frame_hello *h)
{
    err[0] = '\0';
    return frame_hello_decode((const uint8_t *)json, strlen(json), h, err, sizeof err);
}

static void expect_hello_error(const char *json, int status, const char *msg)
{
    struct frame_hello h;
    int r = hello_decode_str(json, &h);
    if (r != status) fail_msg("got %d (%s), expected %d", r, err, status);
    assert_string_equal(err, msg);
    assert_int_equal(h.version[0], '\0'); /* nothing half-filled */
}

static void test_hello_decode(void **state)
{
    (void)state;
    struct frame_hello h;
    assert_int_equal(hello_decode_str(hello_json, &h), FRAME_OK);
    assert_string_equal(h.version, "0.4.0");
    assert_string_equal(h.interface, "eth0");
    assert_string_equal(h.boot_id, "e0339612d444b16f72aeb664dadabda5");
    assert_string_equal(h.spool_id, "0123456789abcdef0123456789abcdef");

    /* member order does not matter; unknown members are ignored; escapes */
    const char *other = "{ \"spool_id\":\"ffffffffffffffffffffffffffffffff\", \"future\":[1,{}],"
                        "\"interface\":\"/var/pcap/x\\u00e9.pcap\",\"version\":\"1\","
                        "\"boot_id\":\"00000000000000000000000000000000\",\"proto\":1 }";
    assert_int_equal(hello_decode_str(other, &h), FRAME_OK);
    assert_string_equal(h.interface, "/var/pcap/x\xc3\xa9.pcap");

    expect_hello_error("", FRAME_E_MALFORMED,
                       "hello: json: byte 0: empty input, expected a JSON value");
    expect_hello_error("GET / HTTP/1.1", FRAME_E_MALFORMED,
                       "hello: json: byte 0: expected a value, found 'G'");
    expect_hello_error("[1]", FRAME_E_MALFORMED,
                       "hello: payload is a JSON array, expected an object");
    expect_hello_error("{\"version\":\"1\"}", FRAME_E_MALFORMED,
                       "hello: \"proto\" missing or not an integer");
    expect_hello_error("{\"proto\":\"1\"}", FRAME_E_MALFORMED,
                       "hello: \"proto\" missing or not an integer");
    expect_hello_error("{\"proto\":2,\"version\":\"9\"}", FRAME_E_VERSION,
                       "hello: protocol 2 not supported (this end speaks 1)");
    expect_hello_error("{\"proto\":1}", FRAME_E_MALFORMED, "hello: no \"version\" member");
    expect_hello_error("{\"proto\":1,\"version\":4}", FRAME_E_MALFORMED,
                       "hello: \"version\" is a number, expected a string");
    expect_hello_error("{\"proto\":1,\"version\":\"\"}", FRAME_E_MALFORMED,
                       "hello: \"version\" is empty");
    expect_hello_error("{\"proto\":1,\"version\":\"1234567890123456789012345678901234567890"
                       "123456789012345678901234\"}",
                       FRAME_E_MALFORMED, "hello: \"version\" is longer than 63 bytes");
    expect_hello_error("{\"proto\":1,\"version\":\"1\",\"interface\":\"a\\u0000b\"}",
                       FRAME_E_MALFORMED, "hello: \"interface\" contains a NUL character");
    expect_hello_error("{\"proto\":1,\"version\":\"1\",\"interface\":\"eth0\"}", FRAME_E_MALFORMED,
                       "hello: no \"boot_id\" member");
    expect_hello_error("{\"proto\":1,\"version\":\"1\",\"interface\":\"eth0\","
                       "\"boot_id\":\"E0339612D444B16F72AEB664DADABDA5\"}",
                       FRAME_E_MALFORMED, "hello: \"boot_id\" must be 32 lowercase hex digits");
    expect_hello_error("{\"proto\":1,\"version\":\"1\",\"interface\":\"eth0\","
                       "\"boot_id\":\"e0339612d444b16f72aeb664dadabda\"}",
                       FRAME_E_MALFORMED, "hello: \"boot_id\" must be 32 lowercase hex digits");
    expect_hello_error("{\"proto\":1,\"version\":\"1\",\"interface\":\"eth0\","
                       "\"boot_id\":\"e0339612d444b16f72aeb664dadabda55\"}",
                       FRAME_E_MALFORMED, "hello: \"boot_id\" must be 32 lowercase hex digits");
    expect_hello_error("{\"proto\":1,\"version\":\"1\",\"interface\":\"eth0\","
                       "\"boot_id\":\"e0339612d444b16f72aeb664dadabda5aa\"}",
                       FRAME_E_MALFORMED, "hello: \"boot_id\" must be 32 lowercase hex digits");
    expect_hello_error("{\"proto\":1,\"version\":\"1\",\"interface\":\"eth0\","
                       "\"boot_id\":\"e0339612d444b16f72aeb664dadabda5\"}",
                       FRAME_E_MALFORMED, "hello: no \"spool_id\" member");
    /* a duplicate name is refused by the JSON reader: "proto" twice */
    expect_hello_error("{\"proto\":1,\"proto\":2}", FRAME_E_MALFORMED,
                       "hello: json: byte 11: duplicate member name \"proto\" in an object");
}

/* ---- the incremental decoder --------------------------------------------------------- */

struct seen {
    int type;
    uint32_t len;
    uint8_t payload[256];
};

/* A stream of one of each frame type, built by hand. */
static const uint8_t stream[] = {
    /* HELLO, payload 2 bytes "{}" */
    0x53, 0x46, 0x01, 0x01, 0x00, 0x00, 0x00, 0x02, '{', '}',
    /* WELCOME: last 0, max 0x00010000 */
    0x53, 0x46, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00,
    /* BATCH: seq 1, count 1, "{}\n": 15 bytes */
    0x53, 0x46, 0x01, 0x03, 0x00, 0x00, 0x00, 0x0f, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, '{', '}',
    '\n',
    /* ACK 1 */
    0x53, 0x46, 0x01, 0x04, 0x00, 0x00, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 1,
    /* ACK with an empty payload (the frame layer allows it) */
    0x53, 0x46, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
    /* ERROR 5 "busy" */
    0x53, 0x46, 0x01, 0x05, 0x00, 0x00, 0x00, 0x06, 0x00, 0x05, 'b', 'u', 's', 'y'};
static const int stream_types[] = {1, 2, 3, 4, 4, 5};
static const uint32_t stream_lens[] = {2, 12, 15, 8, 0, 6};
#define STREAM_FRAMES 6

/* Receive `stream` in chunks: first `split` bytes, then `chunk` bytes at a
 * time, decoding after each arrival as a receiver would. */
static void receive(size_t split, size_t chunk)
{
    uint8_t buf[sizeof stream];
    size_t have = 0, off = 0, next = 0;
    int got = 0;
    while (have < sizeof stream) {
        size_t n = have == 0 && split ? split : chunk;
        if (n > sizeof stream - have) n = sizeof stream - have;
        memcpy(buf + have, stream + have, n);
        have += n;
        for (;;) {
            struct frame f;
            size_t used = 99;
            int r = frame_decode(buf + off, have - off, 1024, &f, &used, err, sizeof err);
            if (r == FRAME_NEED_MORE) {
                assert_int_equal(used, 0);
                break;
            }
            if (r != FRAME_OK) fail_msg("split %zu chunk %zu: %d %s", split, chunk, r, err);
            assert_true(got < STREAM_FRAMES);
            assert_int_equal(f.type, stream_types[got]);
            assert_int_equal(f.len, stream_lens[got]);
            assert_int_equal(used, FRAME_HEADER_LEN + f.len);
            assert_ptr_equal(f.payload, buf + off + FRAME_HEADER_LEN);
            assert_memory_equal(f.payload, stream + next + FRAME_HEADER_LEN, f.len);
            next += used;
            off += used;
            got++;
        }
    }
    assert_int_equal(got, STREAM_FRAMES);
    assert_int_equal(off, sizeof stream);
}

static void test_decode_every_split(void **state)
{
    (void)state;
    for (size_t split = 1; split < sizeof stream; split++)
        receive(split, sizeof stream);
    for (size_t chunk = 1; chunk <= 16; chunk++)
        receive(0, chunk);
}

static void test_decode_prefixes(void **state)
{
    (void)state;
    /* every strict prefix of one frame needs more; the whole frame is OK */
    const uint8_t *batch = stream + 30;
    for (size_t n = 0; n < 23; n++) {
        struct frame f;
        size_t used = 7;
        assert_int_equal(frame_decode(batch, n, 1024, &f, &used, err, sizeof err), FRAME_NEED_MORE);
        assert_int_equal(used, 0);
    }
    struct frame f;
    size_t used;
    assert_int_equal(frame_decode(batch, 23, 1024, &f, &used, err, sizeof err), FRAME_OK);
    assert_int_equal(f.type, FRAME_BATCH);
    assert_int_equal(used, 23);
}

static void expect_decode_error(const uint8_t *buf, size_t len, uint32_t max, int status,
                                const char *msg)
{
    struct frame f;
    size_t used = 99;
    err[0] = '\0';
    assert_int_equal(frame_decode(buf, len, max, &f, &used, err, sizeof err), status);
    assert_int_equal(used, 0);
    assert_string_equal(err, msg);
}

static void test_decode_limits(void **state)
{
    (void)state;
    /* 9000000 = 0x00895440: refused as soon as the header is in */
    static const uint8_t big[] = {0x53, 0x46, 0x01, 0x03, 0x00, 0x89, 0x54, 0x40};
    expect_decode_error(big, 8, FRAME_DEFAULT_MAX_PAYLOAD, FRAME_E_TOO_LARGE,
                        "frame: payload length 9000000 exceeds limit 4194304");
    /* 4194304 = 0x00400000 is exactly the limit: fine, waits for the payload */
    static const uint8_t at_limit[] = {0x53, 0x46, 0x01, 0x03, 0x00, 0x40, 0x00, 0x00};
    struct frame f;
    size_t used;
    assert_int_equal(
        frame_decode(at_limit, 8, FRAME_DEFAULT_MAX_PAYLOAD, &f, &used, err, sizeof err),
        FRAME_NEED_MORE);
    /* 4194305 */
    static const uint8_t over[] = {0x53, 0x46, 0x01, 0x03, 0x00, 0x40, 0x00, 0x01};
    expect_decode_error(over, 8, FRAME_DEFAULT_MAX_PAYLOAD, FRAME_E_TOO_LARGE,
                        "frame: payload length 4194305 exceeds limit 4194304");
    /* 4097 = 0x1001 against the control limit */
    static const uint8_t hello[] = {0x53, 0x46, 0x01, 0x01, 0x00, 0x00, 0x10, 0x01};
    expect_decode_error(hello, 8, FRAME_CONTROL_MAX, FRAME_E_TOO_LARGE,
                        "frame: payload length 4097 exceeds limit 4096");
    static const uint8_t max32[] = {0x53, 0x46, 0x01, 0x03, 0xff, 0xff, 0xff, 0xff};
    expect_decode_error(max32, 8, FRAME_DEFAULT_MAX_PAYLOAD, FRAME_E_TOO_LARGE,
                        "frame: payload length 4294967295 exceeds limit 4194304");
    /* limit 0: only empty payloads */
    static const uint8_t empty[] = {0x53, 0x46, 0x01, 0x04, 0, 0, 0, 0};
    assert_int_equal(frame_decode(empty, 8, 0, &f, &used, err, sizeof err), FRAME_OK);
    assert_int_equal(f.len, 0);
    assert_int_equal(used, 8);
    assert_int_equal(frame_decode(empty, 0, 0, &f, &used, err, sizeof err), FRAME_NEED_MORE);
}

static void test_decode_bad_headers(void **state)
{
    (void)state;
    const uint8_t *http = (const uint8_t *)"GET / HTTP/1.1\r\n";
    expect_decode_error(http, 16, 1024, FRAME_E_MAGIC,
                        "frame: bad magic 0x4745 (not a SOC ingest frame -- plain HTTP?)");
    /* as soon as the first byte is wrong */
    expect_decode_error(http, 1, 1024, FRAME_E_MAGIC,
                        "frame: bad magic 0x47 (not a SOC ingest frame -- plain HTTP?)");
    expect_decode_error((const uint8_t *)"POST", 4, 1024, FRAME_E_MAGIC,
                        "frame: bad magic 0x504f (not a SOC ingest frame -- plain HTTP?)");
    expect_decode_error((const uint8_t *)"{\"timestamp\"", 12, 1024, FRAME_E_MAGIC,
                        "frame: bad magic 0x7b22 (not a SOC ingest frame -- raw JSON lines?)");
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00};
    expect_decode_error(tls, 4, 1024, FRAME_E_MAGIC,
                        "frame: bad magic 0x1603 (not a SOC ingest frame)");
    static const uint8_t sx[] = {0x53, 0x58};
    expect_decode_error(sx, 2, 1024, FRAME_E_MAGIC,
                        "frame: bad magic 0x5358 (not a SOC ingest frame)");
    static const uint8_t fs[] = {0x46, 0x53};
    expect_decode_error(fs, 2, 1024, FRAME_E_MAGIC,
                        "frame: bad magic 0x4653 (not a SOC ingest frame)");
    /* version, as soon as byte 2 is in */
    static const uint8_t v2[] = {0x53, 0x46, 0x02};
    expect_decode_error(v2, 3, 1024, FRAME_E_VERSION,
                        "frame: unsupported version 2 (this end speaks 1)");
    static const uint8_t v0[] = {0x53, 0x46, 0x00, 0x01, 0, 0, 0, 0};
    expect_decode_error(v0, 8, 1024, FRAME_E_VERSION,
                        "frame: unsupported version 0 (this end speaks 1)");
    /* type, as soon as byte 3 is in */
    static const uint8_t t0[] = {0x53, 0x46, 0x01, 0x00};
    expect_decode_error(t0, 4, 1024, FRAME_E_TYPE, "frame: unknown frame type 0");
    static const uint8_t t6[] = {0x53, 0x46, 0x01, 0x06, 0, 0, 0, 0};
    expect_decode_error(t6, 8, 1024, FRAME_E_TYPE, "frame: unknown frame type 6");
    static const uint8_t tff[] = {0x53, 0x46, 0x01, 0xff};
    expect_decode_error(tff, 4, 1024, FRAME_E_TYPE, "frame: unknown frame type 255");
    /* a good prefix still needs more */
    struct frame f;
    size_t used;
    assert_int_equal(frame_decode(stream, 1, 1024, &f, &used, NULL, 0), FRAME_NEED_MORE);
    assert_int_equal(frame_decode(stream, 4, 1024, &f, &used, NULL, 0), FRAME_NEED_MORE);
    assert_int_equal(frame_decode(http, 16, 1024, &f, &used, NULL, 0), FRAME_E_MAGIC);
}

/* ---- BATCH ---------------------------------------------------------------------------- */

static void test_batch_writer(void **state)
{
    (void)state;
    struct frame_batch_writer w;
    size_t n;
    /* cap: 12-byte batch header + two 8-byte lines = 28 */
    frame_batch_writer_init(&w, 7, 28);
    assert_null(frame_batch_writer_finish(&w, &n)); /* empty batch */
    assert_int_equal(n, 0);
    assert_int_equal(frame_batch_writer_append_line(&w, "{\"a\":1}", 7), FRAME_OK);
    assert_int_equal(frame_batch_writer_append_line(&w, "{\"b\":2}", 7), FRAME_OK);
    assert_int_equal(frame_batch_writer_append_line(&w, "{}", 2), FRAME_E_FULL);
    static const uint8_t want[] = {
        0x53, 0x46, 0x01, 0x03, 0x00, 0x00, 0x00, 0x1c,                   /* 28 */
        0,    0,    0,    0,    0,    0,    0,    7,    0,   0,   0,   2, /* seq, count */
        '{',  '"',  'a',  '"',  ':',  '1',  '}',  '\n', '{', '"', 'b', '"', ':', '2', '}', '\n'};
    const uint8_t *f = frame_batch_writer_finish(&w, &n);
    assert_non_null(f);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(f, want, sizeof want);
    /* finish is repeatable */
    f = frame_batch_writer_finish(&w, &n);
    assert_memory_equal(f, want, sizeof want);

    /* next batch reuses the memory */
    frame_batch_writer_reset(&w, 8);
    assert_null(frame_batch_writer_finish(&w, &n));
    /* 15 bytes + '\n' = 16 fills an empty batch exactly; 16 never fits */
    assert_int_equal(frame_batch_writer_append_line(&w, "{\"abcdefghijk\"}", 16),
                     FRAME_E_MALFORMED); /* 16 bytes include the NUL */
    assert_int_equal(frame_batch_writer_append_line(&w, "{\"abcdefghij\":01", 16),
                     FRAME_E_TOO_LARGE);
    assert_int_equal(frame_batch_writer_append_line(&w, "{\"abcdefghij\":0", 15), FRAME_OK);
    assert_int_equal(frame_batch_writer_append_line(&w, "{}", 2), FRAME_E_FULL);
    f = frame_batch_writer_finish(&w, &n);
    assert_int_equal(n, 36);
    assert_int_equal(f[7], 28);
    assert_int_equal(f[15], 8);
    assert_int_equal(f[19], 1);

    /* malformed lines leave the batch unchanged */
    frame_batch_writer_reset(&w, 9);
    assert_int_equal(frame_batch_writer_append_line(&w, "", 0), FRAME_E_MALFORMED);
    assert_int_equal(frame_batch_writer_append_line(&w, "{}\n", 3), FRAME_E_MALFORMED);
    assert_int_equal(frame_batch_writer_append_line(&w, "{\n}", 3), FRAME_E_MALFORMED);
    assert_int_equal(frame_batch_writer_append_line(&w, "{\0}", 3), FRAME_E_MALFORMED);
    assert_null(frame_batch_writer_finish(&w, &n));
    frame_batch_writer_free(&w);
    frame_batch_writer_free(&w); /* harmless twice */
}

static void test_batch_writer_grows(void **state)
{
    (void)state;
    /* many lines into a 1 MiB cap: the buffer grows past its first size
     * and stops exactly at the cap */
    struct frame_batch_writer w;
    frame_batch_writer_init(&w, 1, 1u << 20);
    char line[100];
    memset(line, 'x', sizeof line);
    line[0] = '{';
    line[99] = '}';
    uint32_t count = 0;
    int r;
    while ((r = frame_batch_writer_append_line(&w, line, sizeof line)) == FRAME_OK)
        count++;
    assert_int_equal(r, FRAME_E_FULL);
    /* (1048576 - 12) / 101 = 10381 lines */
    assert_int_equal(count, 10381);
    size_t n;
    const uint8_t *f = frame_batch_writer_finish(&w, &n);
    assert_int_equal(n, 8 + 12 + 10381 * 101);
    assert_true(w.cap <= (1u << 20) + 8);
    uint64_t seq;
    uint32_t c;
    struct frame_batch_iter it;
    assert_int_equal(frame_batch_open(f + 8, n - 8, &seq, &c, &it, err, sizeof err), FRAME_OK);
    assert_int_equal(c, 10381);
    frame_batch_writer_free(&w);
}

static void test_batch_round_trip(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "{\"event_type\":\"flow\",\"sensor\":{\"name\":\"s1\",\"seq\":1}}",
        "{\"event_type\":\"alert\",\"alert\":{\"signature\":\"caf\xc3\xa9\"}}",
        "{}\r", /* a CR is just a byte of the line */
    };
    struct frame_batch_writer w;
    frame_batch_writer_init(&w, 0x1122334455667788ull, FRAME_DEFAULT_MAX_PAYLOAD);
    for (int i = 0; i < 3; i++)
        assert_int_equal(frame_batch_writer_append_line(&w, lines[i], strlen(lines[i])), FRAME_OK);
    size_t n;
    const uint8_t *f = frame_batch_writer_finish(&w, &n);
    struct frame fr;
    size_t used;
    assert_int_equal(frame_decode(f, n, FRAME_DEFAULT_MAX_PAYLOAD, &fr, &used, err, sizeof err),
                     FRAME_OK);
    assert_int_equal(fr.type, FRAME_BATCH);
    assert_int_equal(used, n);
    uint64_t seq = 0;
    uint32_t count = 0;
    struct frame_batch_iter it;
    assert_int_equal(frame_batch_open(fr.payload, fr.len, &seq, &count, &it, err, sizeof err),
                     FRAME_OK);
    assert_true(seq == 0x1122334455667788ull);
    assert_int_equal(count, 3);
    const char *line;
    size_t len;
    for (int i = 0; i < 3; i++) {
        assert_true(frame_batch_next(&it, &line, &len));
        assert_int_equal(len, strlen(lines[i]));
        assert_memory_equal(line, lines[i], len);
    }
    assert_false(frame_batch_next(&it, &line, &len));
    assert_false(frame_batch_next(&it, &line, &len));
    frame_batch_writer_free(&w);
}

/* A batch payload: seq 5, the given count, then body. */
static size_t make_batch(uint8_t *out, uint32_t count, const char *body, size_t bodylen)
{
    static const uint8_t head[] = {0, 0, 0, 0, 0, 0, 0, 5};
    memcpy(out, head, 8);
    out[8] = (uint8_t)(count >> 24);
    out[9] = (uint8_t)(count >> 16);
    out[10] = (uint8_t)(count >> 8);
    out[11] = (uint8_t)count;
    memcpy(out + 12, body, bodylen);
    return 12 + bodylen;
}

static void expect_batch_error(uint32_t count, const char *body, size_t bodylen, const char *msg)
{
    uint8_t buf[256];
    size_t n = make_batch(buf, count, body, bodylen);
    uint64_t seq = 99;
    uint32_t c = 99;
    struct frame_batch_iter it;
    err[0] = '\0';
    assert_int_equal(frame_batch_open(buf, n, &seq, &c, &it, err, sizeof err), FRAME_E_MALFORMED);
    assert_string_equal(err, msg);
    const char *line;
    size_t len;
    assert_false(frame_batch_next(&it, &line, &len)); /* nothing to store */
    assert_true(seq == 99 && c == 99);
}

static void test_batch_malformed(void **state)
{
    (void)state;
    /* count vs lines */
    expect_batch_error(2, "{}\n", 3, "batch 5: event count 2 but 1 line(s)");
    expect_batch_error(1, "", 0, "batch 5: event count 1 but 0 line(s)");
    expect_batch_error(1, "{}\n{}\n", 6,
                       "batch 5: more lines than the event count 1 (extra line at payload "
                       "offset 15)");
    /* final newline */
    expect_batch_error(1, "{}", 2, "batch 5: line 1 (payload offset 12) has no final newline");
    expect_batch_error(2, "{}\n{}", 5, "batch 5: line 2 (payload offset 15) has no final newline");
    /* empty lines: first, middle, last */
    expect_batch_error(2, "\n{}\n", 4, "batch 5: line 1 (payload offset 12) is empty");
    expect_batch_error(3, "{}\n\n{}\n", 7, "batch 5: line 2 (payload offset 15) is empty");
    expect_batch_error(2, "{}\n\n", 4, "batch 5: line 2 (payload offset 15) is empty");
    /* NUL: { " a NUL at offsets 12 13 14 15 */
    expect_batch_error(1, "{\"a\0\":1}\n", 9, "batch 5: NUL byte in line 1 (payload offset 15)");
    expect_batch_error(2, "{}\n{}\0\n", 7, "batch 5: NUL byte in line 2 (payload offset 17)");
    /* a NUL in place of the final newline */
    expect_batch_error(1, "{}\0", 3, "batch 5: NUL byte in line 1 (payload offset 14)");

    /* header */
    uint8_t buf[32];
    uint64_t seq;
    uint32_t c;
    struct frame_batch_iter it;
    size_t n = make_batch(buf, 0, "{}\n", 3);
    assert_int_equal(frame_batch_open(buf, n, &seq, &c, &it, err, sizeof err), FRAME_E_MALFORMED);
    assert_string_equal(err, "batch 5: event count 0");
    n = make_batch(buf, 1, "{}\n", 3);
    buf[7] = 0; /* seq 0 */
    assert_int_equal(frame_batch_open(buf, n, &seq, &c, &it, err, sizeof err), FRAME_E_MALFORMED);
    assert_string_equal(err, "batch: sequence 0 (sequences start at 1)");
    for (size_t len = 0; len < 12; len++) {
        assert_int_equal(frame_batch_open(buf, len, &seq, &c, &it, err, sizeof err),
                         FRAME_E_MALFORMED);
    }
    assert_string_equal(err, "batch: payload of 11 bytes is shorter than the 12-byte batch header");
    /* and a good one */
    n = make_batch(buf, 2, "{}\n[]\n", 6);
    assert_int_equal(frame_batch_open(buf, n, &seq, &c, &it, err, sizeof err), FRAME_OK);
    assert_true(seq == 5);
    assert_int_equal(c, 2);
}

/* The BATCH example of PROTOCOL.md section 6: the 20 header bytes copied
 * from the hex dump, then the two event lines. */
static void test_protocol_batch_example(void **state)
{
    (void)state;
    static const uint8_t head[] = {0x53, 0x46, 0x01, 0x03, 0x00, 0x00, 0x00, 0xd7, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x02};
    static const char l1[] = "{\"event_type\":\"flow\",\"sensor\":{\"name\":\"hcm-1\",\"boot_id\":"
                             "\"e0339612d444b16f72aeb664dadabda5\",\"seq\":7}}";
    static const char l2[] = "{\"event_type\":\"alert\",\"sensor\":{\"name\":\"hcm-1\",\"boot_id\":"
                             "\"e0339612d444b16f72aeb664dadabda5\",\"seq\":8}}";
    assert_int_equal(strlen(l1), 100);
    assert_int_equal(strlen(l2), 101);
    uint8_t buf[20 + 203];
    memcpy(buf, head, 20);
    memcpy(buf + 20, l1, 100);
    buf[120] = '\n';
    memcpy(buf + 121, l2, 101);
    buf[222] = '\n';

    uint8_t prefix[FRAME_BATCH_PREFIX_LEN];
    assert_int_equal(frame_batch_prefix_encode(prefix, 42, 2, 203), 20);
    assert_memory_equal(prefix, head, 20);

    struct frame f;
    size_t used;
    assert_int_equal(
        frame_decode(buf, sizeof buf, FRAME_DEFAULT_MAX_PAYLOAD, &f, &used, err, sizeof err),
        FRAME_OK);
    assert_int_equal(used, 223);
    assert_int_equal(f.len, 215);
    uint64_t seq;
    uint32_t count;
    struct frame_batch_iter it;
    assert_int_equal(frame_batch_open(f.payload, f.len, &seq, &count, &it, err, sizeof err),
                     FRAME_OK);
    assert_true(seq == 42);
    assert_int_equal(count, 2);
    const char *line;
    size_t len;
    assert_true(frame_batch_next(&it, &line, &len));
    assert_int_equal(len, 100);
    assert_memory_equal(line, l1, 100);
    assert_true(frame_batch_next(&it, &line, &len));
    assert_int_equal(len, 101);
    assert_false(frame_batch_next(&it, &line, &len));

    /* the writer builds the very same frame */
    struct frame_batch_writer w;
    frame_batch_writer_init(&w, 42, FRAME_DEFAULT_MAX_PAYLOAD);
    assert_int_equal(frame_batch_writer_append_line(&w, l1, 100), FRAME_OK);
    assert_int_equal(frame_batch_writer_append_line(&w, l2, 101), FRAME_OK);
    const uint8_t *out = frame_batch_writer_finish(&w, &len);
    assert_int_equal(len, sizeof buf);
    assert_memory_equal(out, buf, sizeof buf);
    frame_batch_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_encode),
        cmocka_unit_test(test_welcome),
        cmocka_unit_test(test_ack),
        cmocka_unit_test(test_error_frame),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_hello_encode),
        cmocka_unit_test(test_hello_decode),
        cmocka_unit_test(test_decode_every_split),
        cmocka_unit_test(test_decode_prefixes),
        cmocka_unit_test(test_decode_limits),
        cmocka_unit_test(test_decode_bad_headers),
        cmocka_unit_test(test_batch_writer),
        cmocka_unit_test(test_batch_writer_grows),
        cmocka_unit_test(test_batch_round_trip),
        cmocka_unit_test(test_batch_malformed),
        cmocka_unit_test(test_protocol_batch_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
