/* Unit tests for correlator/ingest/ingest_batch.c: a BATCH payload checked
 * whole and grouped per shard in batch order; the registry's stats fields.
 * Payloads are built here byte by byte from PROTOCOL.md 2.3 (u64 seq, u32
 * count, lines each ended by '\n'). Shards of the addresses (FNV-1a mod 4):
 * 10.0.0.1 -> 1, 10.0.0.2 -> 0, 10.0.0.3 -> 3, no address: "sensor-a" -> 1
 * (see test_ingest_event.c for the hash values). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/ingest_batch.h"

typedef struct payload {
    uint8_t b[16384];
    size_t len;
} payload_t;

static void begin(payload_t *p, uint64_t seq, uint32_t count)
{
    for (int i = 0; i < 8; i++)
        p->b[i] = (uint8_t)(seq >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        p->b[8 + i] = (uint8_t)(count >> (24 - 8 * i));
    p->len = 12;
}

static void add(payload_t *p, const char *line)
{
    size_t n = strlen(line);
    assert_true(p->len + n + 1 <= sizeof(p->b));
    memcpy(p->b + p->len, line, n);
    p->len += n;
    p->b[p->len++] = '\n';
}

static const char *ev(char *buf, size_t cap, const char *src, const char *name, unsigned seq)
{
    if (src)
        snprintf(buf, cap,
                 "{\"event_type\":\"flow\",\"src_ip\":\"%s\",\"sensor\":{\"name\":\"%s\","
                 "\"boot_id\":\"b\",\"seq\":%u}}",
                 src, name, seq);
    else
        snprintf(
            buf, cap,
            "{\"event_type\":\"dns\",\"sensor\":{\"name\":\"%s\",\"boot_id\":\"b\",\"seq\":%u}}",
            name, seq);
    return buf;
}

static void assert_shard(const ingest_batch_t *b, uint32_t s, const uint32_t *want, uint32_t nwant)
{
    uint32_t n;
    const uint32_t *idx = ingest_batch_shard(b, s, &n);
    assert_int_equal(n, nwant);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(idx[i], want[i]);
}

static void test_grouping(void **state)
{
    (void)state;
    payload_t p;
    char l[256];
    const char *src[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", NULL, "10.0.0.2"};
    begin(&p, 9, 6);
    for (unsigned i = 0; i < 6; i++)
        add(&p, ev(l, sizeof(l), src[i], "sensor-a", 100 + i));
    ingest_batch_t b = {0};
    char err[256] = "";
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_OK);
    assert_int_equal(b.seq, 9);
    assert_int_equal(b.count, 6);
    assert_int_equal(b.nshards, 4);
    static const uint32_t s0[] = {1, 5}, s1[] = {0, 3, 4}, s3[] = {2};
    assert_shard(&b, 0, s0, 2);
    assert_shard(&b, 1, s1, 3);
    assert_shard(&b, 2, NULL, 0);
    assert_shard(&b, 3, s3, 1);
    /* each event points at its line in the payload, id from its sensor object */
    assert_ptr_equal(b.ev[0].line, (const char *)p.b + 12);
    assert_int_equal(b.ev[0].len, strlen(ev(l, sizeof(l), src[0], "sensor-a", 100)));
    assert_memory_equal(b.ev[4].id.p, "sensor-a:b:104", 14);
    assert_int_equal(b.ev[4].id.len, 14);
    assert_memory_equal(b.ev[4].type.p, "dns", 3);
    assert_false(b.has_stats);
    /* the same batch object takes the next batch; one shard takes all */
    begin(&p, 10, 1);
    add(&p, ev(l, sizeof(l), "10.0.0.3", "sensor-a", 106));
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 1, NULL, err, sizeof(err)),
                     INGEST_OK);
    static const uint32_t only[] = {0};
    assert_int_equal(b.seq, 10);
    assert_shard(&b, 0, only, 1);
    ingest_batch_trim(&b);
    ingest_batch_free(&b);
}

static void test_refused_whole(void **state)
{
    (void)state;
    payload_t p;
    char l[256], err[256];
    ingest_batch_t b = {0};
    /* line 3 of another sensor: ERROR 4, nothing kept */
    begin(&p, 7, 3);
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-a", 1));
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-a", 2));
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-b", 3));
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_E_FOREIGN);
    assert_string_equal(err,
                        "batch 7: line 3: event for sensor sensor-b on connection of sensor-a");
    assert_int_equal(b.count, 0);
    /* line 2 not JSON */
    begin(&p, 8, 2);
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-a", 1));
    add(&p, "{\"sensor\":");
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_E_MALFORMED);
    assert_non_null(strstr(err, "batch 8: line 2: json: byte"));
    /* the frame's line rules: an empty line; a count that does not match */
    begin(&p, 9, 2);
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-a", 1));
    add(&p, "");
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_E_MALFORMED);
    assert_non_null(strstr(err, "is empty"));
    begin(&p, 9, 3);
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-a", 1));
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_E_MALFORMED);
    /* truncated header */
    assert_int_equal(ingest_batch_build(&b, p.b, 11, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_E_MALFORMED);
    /* no trailing newline */
    begin(&p, 9, 1);
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-a", 1));
    assert_int_equal(ingest_batch_build(&b, p.b, p.len - 1, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_E_MALFORMED);
    ingest_batch_free(&b);
}

/* Many short lines: memory is sized from the payload, not the claimed count. */
static void test_many_bad_lines(void **state)
{
    (void)state;
    payload_t p;
    char err[256];
    begin(&p, 1, 4000);
    for (int i = 0; i < 4000; i++)
        add(&p, "{}");
    ingest_batch_t b = {0};
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_E_MALFORMED);
    assert_string_equal(err, "batch 1: line 1: sensor is missing");
    /* 12 + 4000 * 3 bytes -> at most 12012 / 32 + 1 = 376 event slots */
    assert_true(b.ev_cap <= 512);
    ingest_batch_free(&b);
}

static void stats_ev(char *l, size_t cap, unsigned sec, unsigned drops, unsigned pkts, unsigned seq)
{
    snprintf(l, cap,
             "{\"timestamp\":\"2024-03-01T10:40:%02u.000000+0000\",\"event_type\":\"stats\","
             "\"stats\":{\"capture\":{\"kernel_drops\":%u},\"decoder\":{\"pkts\":%u}},"
             "\"sensor\":{\"name\":\"sensor-a\",\"boot_id\":\"b\",\"seq\":%u}}",
             sec, drops, pkts, seq);
}

static void test_stats_fields(void **state)
{
    (void)state;
    payload_t p;
    char l[512], err[256];
    ingest_batch_t b = {0};
    /* first batch: one stats event, no previous: counters, no rates */
    begin(&p, 1, 2);
    add(&p, ev(l, sizeof(l), "10.0.0.1", "sensor-a", 1));
    stats_ev(l, sizeof(l), 0u, 4u, 100u, 2u);
    add(&p, l);
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, NULL, err, sizeof(err)),
                     INGEST_OK);
    assert_true(b.has_stats);
    assert_int_equal(b.stats.packets, 100);
    assert_int_equal(b.stats.drops, 4);
    assert_false(b.stats.has_rates);
    ingest_stats_sample_t prev = b.stats;
    /* next batch: two stats events 4 s and 8 s later; the last one counts,
     * with rates against the one before it: (900 - 500) / 4 s = 100/s,
     * drops (12 - 8) / 4 = 1/s */
    begin(&p, 2, 2);
    stats_ev(l, sizeof(l), 4u, 8u, 500u, 3u);
    add(&p, l);
    stats_ev(l, sizeof(l), 8u, 12u, 900u, 4u);
    add(&p, l);
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, &prev, err, sizeof(err)),
                     INGEST_OK);
    assert_true(b.has_stats);
    assert_int_equal(b.stats.packets, 900);
    assert_true(b.stats.has_rates);
    assert_true(b.stats.packets_per_sec == 100.0);
    assert_true(b.stats.drops_per_sec == 1.0);
    /* one stats event: rates against the previous batch's: (500-100)/4 */
    begin(&p, 3, 1);
    stats_ev(l, sizeof(l), 4u, 8u, 500u, 3u);
    add(&p, l);
    assert_int_equal(ingest_batch_build(&b, p.b, p.len, "sensor-a", 4, &prev, err, sizeof(err)),
                     INGEST_OK);
    assert_true(b.stats.packets_per_sec == 100.0);
    ingest_batch_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_refused_whole),
        cmocka_unit_test(test_many_bad_lines),
        cmocka_unit_test(test_stats_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
