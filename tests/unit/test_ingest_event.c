/* Unit tests for correlator/ingest/ingest_event.c: shard hashing (FNV-1a's
 * published test vectors), per-event field extraction and its refusals,
 * timestamps, stats counters and rates. Expected values are worked out by
 * hand in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/ingest_event.h"

#define BOOT "0123456789abcdef0123456789abcdef"

static void test_hash_vectors(void **state)
{
    (void)state;
    /* FNV-1a 32-bit test vectors (Fowler, Noll, Vo reference set) */
    assert_int_equal(ingest_hash("", 0), 0x811c9dc5u);
    assert_int_equal(ingest_hash("a", 1), 0xe40c292cu);
    assert_int_equal(ingest_hash("foobar", 6), 0xbf9cf968u);
}

static void test_shard_of(void **state)
{
    (void)state;
    /* FNV-1a("10.0.0.1") = 0xdebebe8d, odd -> 1 mod 4; 0xdebebe8d = 3737042573
     * = 3 * 1245680857 + 2 -> 2 mod 3 */
    assert_int_equal(ingest_shard_of("10.0.0.1", 8, 4), 1);
    assert_int_equal(ingest_shard_of("10.0.0.1", 8, 3), 2);
    /* FNV-1a("10.0.0.2") = 0xdbbeb9d4, low bits ...0100 -> 0 mod 4 */
    assert_int_equal(ingest_shard_of("10.0.0.2", 8, 4), 0);
    /* FNV-1a("10.0.0.3") = 0xdcbebb67, low bits ...0111 -> 3 mod 4 */
    assert_int_equal(ingest_shard_of("10.0.0.3", 8, 4), 3);
    assert_int_equal(ingest_shard_of("10.0.0.3", 8, 1), 0);
    assert_int_equal(ingest_shard_of("10.0.0.3", 8, 0), 0);
}

static void test_name_valid(void **state)
{
    (void)state;
    assert_true(ingest_name_valid("sensor-a"));
    assert_true(ingest_name_valid("S1.hcm_2"));
    assert_false(ingest_name_valid(""));
    assert_false(ingest_name_valid("-x"));
    assert_false(ingest_name_valid(".x"));
    assert_false(ingest_name_valid("a/b"));
    assert_false(ingest_name_valid("a:b"));
    assert_false(ingest_name_valid("a b"));
    char n[66];
    memset(n, 'a', 64);
    n[64] = '\0';
    assert_true(ingest_name_valid(n));
    n[64] = 'a';
    n[65] = '\0';
    assert_false(ingest_name_valid(n));
}

static void test_parse_time(void **state)
{
    (void)state;
    int64_t us;
    /* 2024-01-01 is 1704067200; + 31 (Jan) + 29 (Feb, leap) days = 1709251200
     * for 2024-03-01; + 10:40 = 38400 s */
    const char *t = "2024-03-01T10:40:00.440000+0000";
    assert_true(ingest_parse_time(t, strlen(t), &us));
    assert_int_equal(us, 1709289600440000LL);
    t = "2024-03-01T10:40:00Z";
    assert_true(ingest_parse_time(t, strlen(t), &us));
    assert_int_equal(us, 1709289600000000LL);
    t = "2024-03-01T17:40:00.5+07:00"; /* same instant as 10:40:00.5 UTC */
    assert_true(ingest_parse_time(t, strlen(t), &us));
    assert_int_equal(us, 1709289600500000LL);
    t = "2024-03-01T05:40:00.123456789-0500"; /* nanoseconds cut to microseconds */
    assert_true(ingest_parse_time(t, strlen(t), &us));
    assert_int_equal(us, 1709289600123456LL);
    t = "1970-01-01T00:00:00Z";
    assert_true(ingest_parse_time(t, strlen(t), &us));
    assert_int_equal(us, 0);
    static const char *const bad[] = {
        "2024-03-01T10:40:00",
        "2024-03-01 10:40:00Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-03-01T24:00:00Z",
        "2024-03-01T10:40:00.Z",
        "2024-03-01T10:40:00.1234567890Z",
        "2024-03-01T10:40:00+07",
        "2024-03-01T10:40:00+0700x",
        "2024-03-01T10:40:00Zx",
        "x024-03-01T10:40:00Z",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ingest_parse_time(bad[i], strlen(bad[i]), &us)) fail_msg("accepted '%s'", bad[i]);
}

/* ---- event parsing ------------------------------------------------------------ */

typedef struct fx {
    ingest_parser_t p;
    ingest_arena_t a;
    char abuf[4096];
    ingest_event_t ev;
    ingest_stats_sample_t st;
    char err[256];
} fx_t;

static int parse(fx_t *f, const char *line, const char *cn, uint32_t shards)
{
    f->a = (ingest_arena_t){f->abuf, 0, sizeof(f->abuf)};
    f->err[0] = '\0';
    return ingest_event_parse(&f->p, line, strlen(line), cn, shards, &f->a, &f->ev, &f->st, f->err,
                              sizeof(f->err));
}

static void assert_str(ingest_str_t s, const char *want)
{
    if (s.len != strlen(want) || memcmp(s.p, want, s.len) != 0)
        fail_msg("got '%.*s', expected '%s'", (int)s.len, s.p, want);
}

static void test_event_fields(void **state)
{
    (void)state;
    fx_t f = {0};
    const char *line =
        "{\"timestamp\":\"2024-03-01T10:40:00.440000+0000\",\"event_type\":\"flow\","
        "\"src_ip\":\"10.0.0.3\",\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"" BOOT
        "\",\"seq\":42}}";
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    assert_ptr_equal(f.ev.line, line);
    assert_int_equal(f.ev.len, strlen(line));
    assert_int_equal(f.ev.shard, 3); /* see test_shard_of */
    assert_str(f.ev.id, "sensor-a:" BOOT ":42");
    assert_str(f.ev.type, "flow");
    assert_str(f.ev.ts, "2024-03-01T10:40:00.440000+0000");
    assert_false(f.st.valid);
    /* the id is in the arena: name ':' boot ':' "42" and a NUL = 8+1+32+1+2+1 */
    assert_int_equal(f.a.len, 45);
    ingest_parser_free(&f.p);
}

static void test_event_no_src_ip(void **state)
{
    (void)state;
    fx_t f = {0};
    /* no src_ip: shard of the sensor name; FNV-1a("sensor-a") = 0xad4cafb9,
     * low bits ...1001 -> 1 mod 4; no event_type nor timestamp: "" */
    const char *line = "{\"sensor\":{\"seq\":0,\"boot_id\":\"b\",\"name\":\"sensor-a\"}}";
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    assert_int_equal(f.ev.shard, 1);
    assert_str(f.ev.id, "sensor-a:b:0");
    assert_str(f.ev.type, "");
    assert_str(f.ev.ts, "");
    /* src_ip not a string: the same */
    line = "{\"src_ip\":17,\"sensor\":{\"seq\":0,\"boot_id\":\"b\",\"name\":\"sensor-a\"}}";
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    assert_int_equal(f.ev.shard, 1);
    ingest_parser_free(&f.p);
}

static void test_event_escapes(void **state)
{
    (void)state;
    fx_t f = {0};
    /* escaped name still equals the CN; escaped strings are unescaped; the
     * escaped src_ip "10.0.0.\u0033" hashes as "10.0.0.3" */
    const char *line = "{\"event_type\":\"fl\\u006fw\",\"timestamp\":\"t\\/1\",\"src_ip\":"
                       "\"10.0.0.\\u0033\",\"sensor\":{\"name\":\"sensor\\u002da\",\"boot_id\":"
                       "\"b\\u0031\",\"seq\":7}}";
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    assert_str(f.ev.type, "flow");
    assert_str(f.ev.ts, "t/1");
    assert_str(f.ev.id, "sensor-a:b1:7");
    assert_int_equal(f.ev.shard, 3);
    ingest_parser_free(&f.p);
}

static void expect_refusal(const char *line, int status, const char *msg)
{
    fx_t f = {0};
    assert_int_equal(parse(&f, line, "sensor-a", 4), status);
    assert_string_equal(f.err, msg);
    ingest_parser_free(&f.p);
}

static void test_event_refusals(void **state)
{
    (void)state;
    expect_refusal("{\"sensor\":{\"name\":\"sensor-b\",\"boot_id\":\"b\",\"seq\":1}}",
                   INGEST_E_FOREIGN, "event for sensor sensor-b on connection of sensor-a");
    expect_refusal("[1,2]", INGEST_E_MALFORMED, "event is an array, expected an object");
    expect_refusal("{\"a\":1}", INGEST_E_MALFORMED, "sensor is missing");
    expect_refusal("{\"sensor\":\"sensor-a\"}", INGEST_E_MALFORMED,
                   "sensor is a string, expected an object");
    expect_refusal("{\"sensor\":{\"boot_id\":\"b\",\"seq\":1}}", INGEST_E_MALFORMED,
                   "sensor.name is missing");
    expect_refusal("{\"sensor\":{\"name\":7,\"boot_id\":\"b\",\"seq\":1}}", INGEST_E_MALFORMED,
                   "sensor.name is a number, expected a string");
    expect_refusal("{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\"}}", INGEST_E_MALFORMED,
                   "sensor.seq is missing");
    expect_refusal("{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":-1}}",
                   INGEST_E_MALFORMED, "sensor.seq is not an unsigned integer");
    expect_refusal("{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":1.5}}",
                   INGEST_E_MALFORMED, "sensor.seq is not an unsigned integer");
    expect_refusal("{\"sensor\":{\"name\":\"sensor-a\",\"seq\":1}}", INGEST_E_MALFORMED,
                   "sensor.boot_id is missing");
    expect_refusal("{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"a:b\",\"seq\":1}}",
                   INGEST_E_MALFORMED, "sensor.boot_id must be 1..64 printable bytes without ':'");
    expect_refusal("{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"\",\"seq\":1}}",
                   INGEST_E_MALFORMED, "sensor.boot_id must be 1..64 printable bytes without ':'");
    expect_refusal("{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\\u0000\",\"seq\":1}}",
                   INGEST_E_MALFORMED, "sensor.boot_id is longer than 64 bytes or holds \\u0000");
    expect_refusal(
        "{\"event_type\":[],\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":1}}",
        INGEST_E_MALFORMED, "event_type is an array, expected a string");
    /* duplicate member names are refused by the JSON reader itself */
    fx_t f = {0};
    const char *dup = "{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":1},"
                      "\"sensor\":{\"name\":\"sensor-b\"}}";
    assert_int_equal(parse(&f, dup, "sensor-a", 4), INGEST_E_MALFORMED);
    assert_non_null(strstr(f.err, "json: byte"));
    /* truncated */
    assert_int_equal(parse(&f, "{\"sensor\":{\"name\":\"sensor-a\"", "sensor-a", 4),
                     INGEST_E_MALFORMED);
    ingest_parser_free(&f.p);
}

static void test_event_long_fields(void **state)
{
    (void)state;
    char line[512], boot[80];
    memset(boot, 'b', 65);
    boot[65] = '\0';
    snprintf(line, sizeof(line),
             "{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"%s\",\"seq\":1}}", boot);
    expect_refusal(line, INGEST_E_MALFORMED, "sensor.boot_id is longer than 64 bytes");
    boot[64] = '\0'; /* 64 is fine */
    snprintf(line, sizeof(line),
             "{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"%s\",\"seq\":1}}", boot);
    fx_t f = {0};
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    assert_int_equal(f.ev.id.len, 8 + 1 + 64 + 2);
    char ts[80];
    memset(ts, '1', 64);
    ts[64] = '\0';
    snprintf(
        line, sizeof(line),
        "{\"timestamp\":\"%s\",\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":1}}",
        ts);
    expect_refusal(line, INGEST_E_MALFORMED, "timestamp is longer than 63 bytes");
    ingest_parser_free(&f.p);
}

/* An event with more values than the first token space holds (an array of
 * 3000 numbers: 3000 + 5 tokens > 1024) still parses. */
static void test_event_many_tokens(void **state)
{
    (void)state;
    size_t cap = 3000 * 2 + 200;
    char *line = malloc(cap);
    assert_non_null(line);
    size_t n = (size_t)snprintf(
        line, cap, "{\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":1},\"x\":[");
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(line + n, cap - n, i ? ",1" : "1");
    n += (size_t)snprintf(line + n, cap - n, "]}");
    fx_t f = {0};
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    assert_str(f.ev.id, "sensor-a:b:1");
    ingest_parser_trim(&f.p);
    assert_int_equal(f.p.cap, 0);
    ingest_parser_free(&f.p);
    free(line);
}

/* ---- stats --------------------------------------------------------------------------- */

static const char *stats_line(char *buf, size_t cap, const char *ts, unsigned pkts, unsigned kd,
                              unsigned ifd, unsigned evd, const char *boot)
{
    snprintf(buf, cap,
             "{\"timestamp\":\"%s\",\"event_type\":\"stats\",\"stats\":{\"uptime\":5,"
             "\"capture\":{\"kernel_packets\":%u,\"kernel_drops\":%u,\"kernel_ifdrops\":%u},"
             "\"decoder\":{\"pkts\":%u,\"bytes\":1000},\"ingest\":{\"connected\":true,"
             "\"events_dropped\":5},\"eve\":{\"events\":3,\"dropped\":%u}},"
             "\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"%s\",\"seq\":3}}",
             ts, pkts + kd, kd, ifd, pkts, evd, boot);
    return buf;
}

static void test_stats_sample(void **state)
{
    (void)state;
    fx_t f = {0};
    char line[1024];
    stats_line(line, sizeof(line), "2024-03-01T10:40:00.000000+0000", 1000, 7, 3, 2, BOOT);
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    ingest_stats_sample_t a = f.st;
    assert_true(a.valid);
    assert_int_equal(a.packets, 1000);
    assert_int_equal(a.drops, 10);         /* 7 kernel + 3 interface */
    assert_int_equal(a.events_dropped, 7); /* 2 by the EVE writer + 5 from the spool */
    assert_string_equal(a.boot_id, BOOT);
    assert_string_equal(a.ts, "2024-03-01T10:40:00.000000+0000");
    assert_int_equal(a.time_us, 1709289600000000LL);
    ingest_stats_rates(NULL, &a);
    assert_false(a.has_rates);
    /* 10 s later: 1000 -> 6000 packets = 500/s, drops 10 -> 30 = 2/s */
    stats_line(line, sizeof(line), "2024-03-01T10:40:10.000000+0000", 6000, 20, 10, 2, BOOT);
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    ingest_stats_sample_t b = f.st;
    ingest_stats_rates(&a, &b);
    assert_true(b.has_rates);
    assert_true(b.packets_per_sec == 500.0);
    assert_true(b.drops_per_sec == 2.0);
    /* a restarted sensor (other boot_id) or time going backwards: no rates */
    stats_line(line, sizeof(line), "2024-03-01T10:40:20.000000+0000", 9000, 20, 10, 2,
               "ffffffffffffffffffffffffffffffff");
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    ingest_stats_sample_t c = f.st;
    ingest_stats_rates(&b, &c);
    assert_false(c.has_rates);
    ingest_stats_rates(&b, &a);
    assert_false(a.has_rates);
    /* counters going down (same boot): no rates */
    stats_line(line, sizeof(line), "2024-03-01T10:40:30.000000+0000", 10, 0, 0, 0, BOOT);
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    c = f.st;
    ingest_stats_rates(&b, &c);
    assert_false(c.has_rates);
    ingest_parser_free(&f.p);
}

static void test_stats_offline(void **state)
{
    (void)state;
    /* an offline (pcap) stats event has no capture object: drops 0 */
    fx_t f = {0};
    const char *line =
        "{\"timestamp\":\"bad\",\"event_type\":\"stats\",\"stats\":{\"decoder\":"
        "{\"pkts\":220}},\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":35}}";
    assert_int_equal(parse(&f, line, "sensor-a", 4), INGEST_OK);
    assert_true(f.st.valid);
    assert_int_equal(f.st.packets, 220);
    assert_int_equal(f.st.drops, 0);
    assert_true(f.st.time_us == INT64_MIN);
    assert_string_equal(f.st.boot_id, "b");
    ingest_parser_free(&f.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_vectors),      cmocka_unit_test(test_shard_of),
        cmocka_unit_test(test_name_valid),        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_event_fields),      cmocka_unit_test(test_event_no_src_ip),
        cmocka_unit_test(test_event_escapes),     cmocka_unit_test(test_event_refusals),
        cmocka_unit_test(test_event_long_fields), cmocka_unit_test(test_event_many_tokens),
        cmocka_unit_test(test_stats_sample),      cmocka_unit_test(test_stats_offline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
