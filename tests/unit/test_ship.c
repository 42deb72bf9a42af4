/* test_ship.c -- the sensor's shipping pieces that need no network: the
 * batcher (closing by event count, by bytes, by age; lines too large for
 * any batch), the reconnect backoff, the --ingest address, the HELLO
 * fields (checked against the hex dump in correlator/ingest/PROTOCOL.md
 * section 6) and the spool_id file. Sizes are worked out by hand from the
 * frame layout: a BATCH payload is 12 bytes (seq, count) plus the lines,
 * each ending in '\n'; the writer's cap is that payload size. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "output/ship.h"

/* ---- the batcher ------------------------------------------------------- */

#define MAX_BATCHES 16

struct sink {
    int n;
    char lines[MAX_BATCHES][256];
    size_t len[MAX_BATCHES];
    uint32_t count[MAX_BATCHES];
};

static int capture_batch(void *ud, const uint8_t *lines, size_t len, uint32_t count)
{
    struct sink *s = ud;
    assert_true(s->n < MAX_BATCHES);
    assert_true(len < sizeof(s->lines[0]));
    memcpy(s->lines[s->n], lines, len);
    s->lines[s->n][len] = '\0';
    s->len[s->n] = len;
    s->count[s->n] = count;
    s->n++;
    return 0;
}

static void add(struct ship_batcher *b, const char *line)
{
    ship_batcher_add(b, line, strlen(line));
}

static void test_batch_by_events(void **state)
{
    (void)state;
    struct sink s = {0};
    struct ship_batcher b;
    ship_batcher_init(&b, 3, 1024, 200, capture_batch, &s);
    add(&b, "a");
    add(&b, "bb");
    assert_int_equal(s.n, 0);
    assert_int_equal(ship_batcher_pending(&b), 2);
    add(&b, "ccc"); /* the third event closes the batch at once */
    assert_int_equal(s.n, 1);
    assert_string_equal(s.lines[0], "a\nbb\nccc\n");
    assert_int_equal(s.len[0], 9);
    assert_int_equal(s.count[0], 3);
    assert_int_equal(ship_batcher_pending(&b), 0);
    add(&b, "dddd");
    add(&b, "e");
    ship_batcher_close(&b); /* end of run: whatever is there */
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[1], "dddd\ne\n");
    assert_int_equal(s.count[1], 2);
    ship_batcher_close(&b); /* empty: never an empty batch */
    assert_int_equal(s.n, 2);
    ship_batcher_free(&b);
}

static void test_batch_by_bytes(void **state)
{
    (void)state;
    struct sink s = {0};
    struct ship_batcher b;
    /* payload cap 32 = 12 + 20 bytes of lines: two lines of 9 (+ '\n') */
    ship_batcher_init(&b, 1000, 32, 200, capture_batch, &s);
    add(&b, "123456789");
    add(&b, "abcdefghi");
    assert_int_equal(s.n, 0);
    add(&b, "ABCDEFGHI"); /* 30 > 20: the first two go, this one starts the next */
    assert_int_equal(s.n, 1);
    assert_string_equal(s.lines[0], "123456789\nabcdefghi\n");
    assert_int_equal(s.len[0], 20);
    assert_int_equal(s.count[0], 2);
    assert_int_equal(ship_batcher_pending(&b), 1);
    /* 19 bytes + '\n' fill a batch alone: 10 + 20 > 20, so ABC... goes first */
    add(&b, "0123456789012345678");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[1], "ABCDEFGHI\n");
    assert_int_equal(ship_batcher_pending(&b), 1);
    /* 20 bytes + '\n' fit no batch: dropped and counted, batch unchanged */
    add(&b, "01234567890123456789");
    assert_int_equal(b.too_large, 1);
    assert_int_equal(s.n, 2);
    assert_int_equal(ship_batcher_pending(&b), 1);
    ship_batcher_close(&b);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.lines[2], "0123456789012345678\n");
    /* a line with '\n' inside would break the batch rules: refused */
    add(&b, "two\nlines");
    assert_int_equal(b.failed, 1);
    assert_int_equal(ship_batcher_pending(&b), 0);
    ship_batcher_free(&b);
}

static void test_batch_by_age(void **state)
{
    (void)state;
    struct sink s = {0};
    struct ship_batcher b;
    const int64_t t0 = 5000000000LL, ms = 1000000;
    ship_batcher_init(&b, 1000, 1024, 200, capture_batch, &s);
    ship_batcher_poll(&b, t0); /* empty: nothing starts */
    add(&b, "x");
    ship_batcher_poll(&b, t0 + 10 * ms); /* first poll to see it: its age starts */
    ship_batcher_poll(&b, t0 + 10 * ms + 200 * ms - 1);
    assert_int_equal(s.n, 0);
    add(&b, "y");
    ship_batcher_poll(&b, t0 + 10 * ms + 200 * ms);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.lines[0], "x\ny\n");
    /* the next batch ages from its own first poll */
    add(&b, "z");
    ship_batcher_poll(&b, t0 + 300 * ms);
    ship_batcher_poll(&b, t0 + 499 * ms);
    assert_int_equal(s.n, 1);
    ship_batcher_poll(&b, t0 + 500 * ms);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[1], "z\n");
    ship_batcher_free(&b);

    /* flush-interval 0: every poll closes a non-empty batch */
    struct sink s0 = {0};
    ship_batcher_init(&b, 1000, 1024, 0, capture_batch, &s0);
    add(&b, "q");
    ship_batcher_poll(&b, t0);
    assert_int_equal(s0.n, 1);
    ship_batcher_free(&b);
}

/* ---- backoff ----------------------------------------------------------- */

static void test_backoff(void **state)
{
    (void)state;
    /* normal: 100 ms doubling to 10 s; result d/2 + rnd % (d/2 + 1) */
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 0, 0), 50);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 0, 50), 100);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 0, 51), 50);
    /* 2^32 - 1 = 51 * 84215045: no overflow, remainder 0 */
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 0, UINT32_MAX), 50);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 1, 7), 107);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 6, 0), 3200); /* 6400 / 2 */
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 7, 0), 5000); /* 12800 -> 10000 */
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 7, 5000), 10000);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 7, 5001), 5000);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_NORMAL, 1000, 123), 5123);
    /* busy: 1 s doubling to 60 s */
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_BUSY, 0, 0), 500);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_BUSY, 5, 0), 16000); /* 32000 / 2 */
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_BUSY, 6, 0), 30000); /* 64000 -> 60000 */
    /* long: 30 s doubling to 5 min */
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_LONG, 0, 0), 15000);
    assert_int_equal(ship_backoff_ms(SHIP_BACKOFF_LONG, 4, 150000), 300000);
    /* whatever the random value, the delay stays in [d/2, d] */
    for (unsigned a = 0; a < 40; a++)
        for (uint32_t r = 0; r < 2000000000u; r += 99991u) {
            uint32_t v = ship_backoff_ms(SHIP_BACKOFF_NORMAL, a, r);
            uint32_t d = a >= 7 ? 10000 : 100u << a;
            assert_true(v >= d / 2 && v <= d);
        }
}

/* ---- --ingest HOST:PORT ------------------------------------------------- */

static void expect_server(const char *s, const char *host, unsigned port)
{
    char h[256], err[256];
    uint16_t p = 0;
    assert_int_equal(ship_parse_server(s, h, sizeof(h), &p, err, sizeof(err)), 0);
    assert_string_equal(h, host);
    assert_int_equal(p, port);
}

static void expect_bad_server(const char *s, const char *msg)
{
    char h[256] = "unchanged", err[256] = "";
    uint16_t p = 7;
    assert_int_equal(ship_parse_server(s, h, sizeof(h), &p, err, sizeof(err)), -1);
    assert_string_equal(err, msg);
    assert_string_equal(h, "unchanged");
    assert_int_equal(p, 7);
}

static void test_parse_server(void **state)
{
    (void)state;
    expect_server("ingest.city.local:9000", "ingest.city.local", 9000);
    expect_server("127.0.0.1:1", "127.0.0.1", 1);
    expect_server("[::1]:65535", "::1", 65535);
    expect_server("[2001:db8::7]:443", "2001:db8::7", 443);
    expect_bad_server("", "empty address (expected HOST:PORT)");
    expect_bad_server("ingest", "'ingest': no port (expected HOST:PORT)");
    expect_bad_server("ingest:", "'ingest:': port must be 1..65535");
    expect_bad_server(":9000", "':9000': empty host");
    expect_bad_server("h:0", "'h:0': port must be 1..65535");
    expect_bad_server("h:65536", "'h:65536': port must be 1..65535");
    expect_bad_server("h:12a", "'h:12a': port must be 1..65535");
    expect_bad_server("h:-1", "'h:-1': port must be 1..65535");
    expect_bad_server("h:99999999999999999999999", "'h:99999999999999999999999': port must be "
                                                   "1..65535");
    expect_bad_server("::1:9000", "'::1:9000': an IPv6 address needs brackets: [ADDRESS]:PORT");
    expect_bad_server("[::1]9000", "'[::1]9000': expected [ADDRESS]:PORT");
    expect_bad_server("[::1", "'[::1': expected [ADDRESS]:PORT");
    expect_bad_server("[]:1", "'[]:1': empty host");
    /* the host buffer bounds the name, NUL included */
    char h[6], err[128];
    uint16_t p;
    assert_int_equal(ship_parse_server("abcdef:1", h, sizeof(h), &p, err, sizeof(err)), -1);
    assert_string_equal(err, "'abcdef:1': too long a host");
    assert_int_equal(ship_parse_server("abcde:1", h, sizeof(h), &p, err, sizeof(err)), 0);
    assert_string_equal(h, "abcde");
}

/* ---- HELLO --------------------------------------------------------------- */

static const char BOOT[] = "e0339612d444b16f72aeb664dadabda5";
static const char SPOOL[] = "9c4d1e0a7b3f5a6c8e2d4f6a8b0c1d2e";

static void test_hello(void **state)
{
    (void)state;
    struct frame_hello h;
    assert_int_equal(ship_hello_init(&h, "0.4.0", "eth0", BOOT, SPOOL), 0);
    uint8_t f[FRAME_HELLO_LEN_MAX];
    size_t n = frame_hello_encode(f, sizeof(f), &h);
    /* PROTOCOL.md section 6: 8-byte header "SF" 01 01 00 00 00 8b, then
     * 139 bytes of JSON in the order proto, version, interface, boot_id,
     * spool_id. */
    static const char json[] = "{\"proto\":1,\"version\":\"0.4.0\",\"interface\":\"eth0\","
                               "\"boot_id\":\"e0339612d444b16f72aeb664dadabda5\","
                               "\"spool_id\":\"9c4d1e0a7b3f5a6c8e2d4f6a8b0c1d2e\"}";
    assert_int_equal(sizeof(json) - 1, 0x8b);
    assert_int_equal(n, 8 + 0x8b);
    static const uint8_t hdr[8] = {0x53, 0x46, 0x01, 0x01, 0x00, 0x00, 0x00, 0x8b};
    assert_memory_equal(f, hdr, 8);
    assert_memory_equal(f + 8, json, 0x8b);
}

static void test_hello_fields(void **state)
{
    (void)state;
    struct frame_hello h;
    char path[400], want[256];
    /* a capture path too long for the field: its file name */
    memset(path, 'd', sizeof(path));
    path[0] = '/';
    memcpy(path + 300, "/capture.pcap", 14);
    assert_int_equal(ship_hello_init(&h, "1", path, BOOT, SPOOL), 0);
    assert_string_equal(h.interface, "capture.pcap");
    /* no slash: cut to 255 bytes */
    memset(path, 'a', 300);
    path[300] = '\0';
    assert_int_equal(ship_hello_init(&h, "1", path, BOOT, SPOOL), 0);
    memset(want, 'a', 255);
    want[255] = '\0';
    assert_string_equal(h.interface, want);
    /* never in the middle of a UTF-8 character: 254 'a' + U+00E9 (2 bytes) */
    memset(path, 'a', 254);
    memcpy(path + 254, "\xc3\xa9", 3);
    assert_int_equal(ship_hello_init(&h, "1", path, BOOT, SPOOL), 0);
    assert_int_equal(strlen(h.interface), 254);
    /* what the protocol refuses is refused here */
    assert_int_equal(ship_hello_init(&h, "", "eth0", BOOT, SPOOL), -1);
    assert_int_equal(ship_hello_init(&h, "1", "", BOOT, SPOOL), -1);
    assert_int_equal(ship_hello_init(&h, "1", "eth0", "E0339612D444B16F72AEB664DADABDA5", SPOOL),
                     -1);
    assert_int_equal(ship_hello_init(&h, "1", "eth0", BOOT, "9c4d1e0a7b3f5a6c8e2d4f6a8b0c1d2"), -1);
    assert_int_equal(ship_hello_init(&h, "1", "eth0", BOOT, "9c4d1e0a7b3f5a6c8e2d4f6a8b0c1d2e0"),
                     -1);
    assert_int_equal(ship_hello_init(&h, "1", "eth0", NULL, SPOOL), -1);
}

/* ---- spool_id ------------------------------------------------------------- */

static void read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool is_id(const char *s)
{
    if (strlen(s) != 32) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return false;
    return true;
}

static void test_spool_id(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_ship_XXXXXX", file[64], id[33], id2[33], text[80], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/spool_id", dir);
    /* drawn once, kept in the directory */
    assert_int_equal(ship_spool_id(dir, id, err, sizeof(err)), 0);
    assert_true(is_id(id));
    read_file(file, text, sizeof(text));
    assert_int_equal(strlen(text), 33);
    assert_memory_equal(text, id, 32);
    assert_int_equal(text[32], '\n');
    assert_int_equal(ship_spool_id(dir, id2, err, sizeof(err)), 0);
    assert_string_equal(id, id2);
    /* without the newline it is still the same id */
    text[32] = '\0';
    write_file(file, text);
    assert_int_equal(ship_spool_id(dir, id2, err, sizeof(err)), 0);
    assert_string_equal(id, id2);
    /* damaged: a new id (duplicates downstream at worst, never loss) */
    static const char *const bad[] = {"", "xyz\n", "9C4D1E0A7B3F5A6C8E2D4F6A8B0C1D2E\n",
                                      "9c4d1e0a7b3f5a6c8e2d4f6a8b0c1d2e\n\n",
                                      "9c4d1e0a7b3f5a6c8e2d4f6a8b0c1d2\n"};
    log_set_level(SOC_LOG_ERROR); /* the warnings are expected */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file(file, bad[i]);
        assert_int_equal(ship_spool_id(dir, id2, err, sizeof(err)), 0);
        assert_true(is_id(id2));
        assert_string_not_equal(id2, id);
        read_file(file, text, sizeof(text));
        assert_memory_equal(text, id2, 32);
    }
    log_set_level(SOC_LOG_INFO);
    unlink(file);
    rmdir(dir);
    assert_int_equal(ship_spool_id(dir, id, err, sizeof(err)), -1);
    char want[256];
    snprintf(want, sizeof(want), "spool %s: cannot open the directory: No such file or directory",
             dir);
    assert_string_equal(err, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_by_events), cmocka_unit_test(test_batch_by_bytes),
        cmocka_unit_test(test_batch_by_age),    cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_parse_server),    cmocka_unit_test(test_hello),
        cmocka_unit_test(test_hello_fields),    cmocka_unit_test(test_spool_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
