/* test_corr_window.c -- the containers of the engine's per-key state:
 * SipHash-2-4 (the reference vectors of the SipHash paper, key 00..0f,
 * messages 00, 01, ..), FNV-1a, event ids cut with a hash (computed in
 * Python), evidence (first half kept, ring of the latest), address sets,
 * the distinct-value table against a plain list under random inserts and
 * removals, sorted times, buckets, and the memory count returning to 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/corr_engine.h"
#include "engine/corr_window.h"

static void test_hashes(void **state)
{
    (void)state;
    const uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    uint8_t msg[64];
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    assert_true(cw_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ull);
    assert_true(cw_siphash(key, msg, 8) == 0x93f5f5799a932462ull);
    assert_true(cw_siphash(key, msg, 15) == 0xa129ca6149be45e5ull);
    assert_true(cw_siphash(key, msg, 63) == 0x958a324ceb064572ull);
    assert_true(cw_fnv1a("", 0) == 0xcbf29ce484222325ull);
    assert_true(cw_fnv1a("a", 1) == 0xaf63dc4c8601ec8cull);
}

static void test_event_id(void **state)
{
    (void)state;
    char out[CORR_EVENT_ID_MAX], id[301];
    assert_int_equal(cw_event_id("vm:d501:12", out), 10);
    assert_string_equal(out, "vm:d501:12");
    assert_int_equal(cw_event_id(NULL, out), 0);
    assert_string_equal(out, "");
    memset(id, 'y', 300);
    id[300] = '\0';
    assert_int_equal(cw_event_id(id, out), 255);
    assert_int_equal(strspn(out, "y"), 238);
    assert_string_equal(out + 238, "#4d4dee6c7913d461");
    id[255] = '\0'; /* 255 bytes fit as they are */
    assert_int_equal(cw_event_id(id, out), 255);
    assert_int_equal(strspn(out, "y"), 255);
}

static void expect_evid(const cw_evid_t *v, uint32_t max, const char *want)
{
    char got[512] = "";
    size_t o = 0;
    for (uint32_t i = 0; i < v->n; i++) {
        int64_t ts;
        const char *id = cw_evid_get(v, max, i, &ts);
        o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s@%lld", i ? "," : "", id,
                              (long long)ts);
    }
    assert_string_equal(got, want);
}

static void test_evidence(void **state)
{
    (void)state;
    cw_mem_t m = {0};
    cw_evid_t v;
    cw_evid_init(&v);
    uint64_t dropped = 0;
    const char *ids[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (int i = 0; i < 8; i++)
        assert_true(cw_evid_add(&m, &v, 5, (i + 1) * 10, ids[i], 1, &dropped));
    /* max 5: the first two, then the latest three */
    expect_evid(&v, 5, "a@10,b@20,f@60,g@70,h@80");
    assert_int_equal(dropped, 3);
    assert_int_equal(v.min_ts, 10);
    cw_evid_drop_upto(&m, &v, 5, 60);
    expect_evid(&v, 5, "g@70,h@80");
    assert_int_equal(v.min_ts, 70);
    assert_true(cw_evid_add(&m, &v, 5, 5, "late", 4, &dropped));
    expect_evid(&v, 5, "g@70,h@80,late@5");
    assert_int_equal(v.min_ts, 5);
    cw_evid_drop_upto(&m, &v, 5, 4); /* nothing that old */
    expect_evid(&v, 5, "g@70,h@80,late@5");
    cw_evid_drop_upto(&m, &v, 5, 100);
    assert_int_equal(v.n, 0);
    assert_true(v.min_ts == CW_NEVER);
    /* max 0 keeps nothing; max 1 keeps the latest */
    assert_true(cw_evid_add(&m, &v, 0, 1, "x", 1, &dropped));
    assert_int_equal(v.n, 0);
    assert_int_equal(dropped, 4);
    for (int i = 0; i < 3; i++)
        assert_true(cw_evid_add(&m, &v, 1, i, ids[i], 1, &dropped));
    expect_evid(&v, 1, "c@2");
    cw_evid_clear(&v);
    /* many ids through a small cap: the buffer stays small */
    char id[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof(id), "sensor-%05d", i);
        assert_true(cw_evid_add(&m, &v, 4, i, id, strlen(id), &dropped));
    }
    expect_evid(&v, 4, "sensor-00000@0,sensor-00001@1,sensor-19998@19998,sensor-19999@19999");
    assert_true(m.bytes < 16384);
    cw_evid_free(&m, &v);
    assert_int_equal(m.bytes, 0);
}

static void test_ips(void **state)
{
    (void)state;
    cw_mem_t m = {0};
    cw_ips_t s = {0};
    uint64_t dropped = 0;
    assert_true(cw_ips_add(&m, &s, 2, "1.1.1.1", 7, &dropped));
    assert_true(cw_ips_add(&m, &s, 2, "1.1.1.1", 7, &dropped));
    assert_true(cw_ips_add(&m, &s, 2, "1.1.1.10", 8, &dropped));
    assert_true(cw_ips_add(&m, &s, 2, "3.3.3.3", 7, &dropped));
    assert_true(cw_ips_add(&m, &s, 2, "", 0, &dropped));
    char longip[CW_IP_LEN + 1];
    memset(longip, '1', CW_IP_LEN);
    assert_true(cw_ips_add(&m, &s, 8, longip, CW_IP_LEN, &dropped)); /* not an address */
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[0], "1.1.1.1");
    assert_string_equal(s.v[1], "1.1.1.10");
    assert_int_equal(dropped, 1);
    cw_ips_free(&m, &s);
    assert_int_equal(m.bytes, 0);
}

/* The table against a plain list: random inserts (many sharing a home
 * slot) and removals by time. */
static void test_vtab(void **state)
{
    (void)state;
    cw_mem_t m = {0};
    cw_vtab_t t = {0};
    enum { N = 600 };
    static uint64_t ref_h[N];
    static int64_t ref_t[N];
    size_t nref = 0;
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 40; round++) {
        for (int i = 0; i < 30 && nref < N; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t h = (x & 1) ? (x % 5 + 1) * 1024 + 3 : x | 1; /* clusters at slot 3 */
            if (cw_vtab_find(&t, h)) continue;
            cw_val_t *v = cw_vtab_insert(&m, &t, h);
            assert_non_null(v);
            v->t = (int64_t)(x % 100);
            ref_h[nref] = h;
            ref_t[nref++] = v->t;
        }
        int64_t upto = (int64_t)(x % 30);
        uint32_t removed = cw_vtab_remove(&t, upto, false), want = 0;
        size_t k = 0;
        for (size_t i = 0; i < nref; i++) {
            if (ref_t[i] <= upto) {
                want++;
                continue;
            }
            ref_h[k] = ref_h[i];
            ref_t[k++] = ref_t[i];
        }
        nref = k;
        assert_int_equal(removed, want);
        assert_int_equal(t.n, nref);
        for (size_t i = 0; i < nref; i++) {
            const cw_val_t *v = cw_vtab_find(&t, ref_h[i]);
            assert_non_null(v);
            assert_int_equal(v->t, ref_t[i]);
        }
    }
    int64_t lo;
    uint32_t after = cw_vtab_count_after(&t, 50, &lo), want = 0;
    int64_t wlo = CW_NEVER;
    for (size_t i = 0; i < nref; i++)
        if (ref_t[i] > 50) {
            want++;
            if (ref_t[i] < wlo) wlo = ref_t[i];
        }
    assert_int_equal(after, want);
    assert_true(lo == wlo);
    /* exact removal: one bucket's values */
    uint32_t n60 = 0;
    for (size_t i = 0; i < nref; i++)
        n60 += ref_t[i] == 60;
    assert_int_equal(cw_vtab_remove(&t, 60, true), n60);
    cw_vtab_clear(&t);
    assert_int_equal(t.n, 0);
    assert_null(cw_vtab_find(&t, ref_h[0]));
    cw_vtab_free(&m, &t);
    assert_int_equal(m.bytes, 0);
}

static void test_times_and_buckets(void **state)
{
    (void)state;
    cw_mem_t m = {0};
    cw_times_t q = {0};
    const int64_t in[] = {5, 1, 3, 3, 9};
    const long pos[] = {0, 0, 1, 2, 4}; /* equal times go after the ones there */
    for (int i = 0; i < 5; i++)
        assert_int_equal(cw_times_insert(&m, &q, in[i]), pos[i]);
    const int64_t sorted[] = {1, 3, 3, 5, 9};
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(cw_times_at(&q, i), sorted[i]);
    assert_int_equal(cw_times_after(&q, 3), 3);
    assert_int_equal(cw_times_after(&q, 0), 0);
    assert_int_equal(cw_times_after(&q, 9), 5);
    cw_times_drop_front(&q, 2);
    assert_int_equal(q.n, 3);
    assert_int_equal(cw_times_at(&q, 0), 3);
    for (int i = 0; i < 100; i++)
        assert_true(cw_times_insert(&m, &q, 10 + i) >= 0);
    cw_times_drop_front(&q, 100);
    assert_int_equal(q.n, 3);
    assert_int_equal(cw_times_at(&q, 0), 107);
    cw_times_drop_front(&q, 7);
    assert_int_equal(q.n, 0);
    cw_times_free(&m, &q);

    assert_int_equal(cw_bucket_start(25, 10), 20);
    assert_int_equal(cw_bucket_start(20, 10), 20);
    assert_int_equal(cw_bucket_start(19, 10), 10);
    cw_buckets_t bs = {0};
    cw_bucket_t *b = cw_buckets_get(&m, &bs, 20);
    b->count = 7;
    assert_true(cw_str_set(&m, &b->last_id, "e1", 2));
    assert_int_equal(cw_buckets_get(&m, &bs, 10)->count, 0);
    assert_int_equal(cw_buckets_get(&m, &bs, 30)->count, 0);
    assert_int_equal(cw_buckets_get(&m, &bs, 20)->count, 7);
    assert_int_equal(bs.n, 3);
    assert_int_equal(bs.b[0].start, 10);
    cw_buckets_remove_first(&m, &bs);
    assert_int_equal(bs.b[0].start, 20);
    assert_string_equal(bs.b[0].last_id.p, "e1");
    cw_buckets_free(&m, &bs);
    assert_int_equal(m.bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashes),   cmocka_unit_test(test_event_id),
        cmocka_unit_test(test_evidence), cmocka_unit_test(test_ips),
        cmocka_unit_test(test_vtab),     cmocka_unit_test(test_times_and_buckets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
