/* test_stream.c -- TCP stream reassembly: order, retransmissions, overlaps
 * (first wins), wraparound, mid-stream pick-up, SYN/FIN/RST, gaps (holding
 * bound, ACK beyond, flush), depth, memcap, the window, and a 1 MB stream cut
 * and shuffled at random. Expected bytes, offsets and gaps are worked out by
 * hand from the sequence numbers in each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/packet.h"
#include "stream/stream.h"

#define MAX_CALLS 64

typedef struct gap_rec {
    int dir;
    uint64_t off;
    uint32_t len;
} gap_rec_t;

typedef struct call_rec {
    const uint8_t *data; /* pointer given (for zero-copy checks) */
    size_t len, seen;
    uint64_t off;
} call_rec_t;

/* What the sink received, per direction: new bytes concatenated, the
 * offset expected next (delivery and gaps must tile the stream) and the
 * bytes since the last gap (what a window may repeat). */
typedef struct rec {
    uint8_t *out[2];
    size_t cap, len[2];
    uint64_t next_off[2], since_gap[2];
    int ncalls, ngaps;
    call_rec_t calls[MAX_CALLS];
    gap_rec_t gaps[MAX_CALLS];
    int stop_after;      /* stop direction 0 after this many deliveries (0 = never) */
    const char *pattern; /* looked for in each span; first match ending in new bytes */
    int match_call;
    int match_at;
    stream_ctx_t *ctx;
    tcp_stream_t *st;
} rec_t;

static int find(const uint8_t *h, size_t hl, const char *n)
{
    size_t nl = strlen(n);
    for (size_t i = 0; i + nl <= hl; i++)
        if (memcmp(h + i, n, nl) == 0) return (int)i;
    return -1;
}

static void on_deliver(void *ud, int dir, const uint8_t *data, size_t len, size_t seen,
                       uint64_t off)
{
    rec_t *r = ud;
    assert_true(dir == 0 || dir == 1);
    assert_true(seen < len);
    assert_int_equal(off, r->next_off[dir]);
    assert_true(seen <= r->since_gap[dir]);
    if (seen > 0) assert_memory_equal(data, r->out[dir] + r->len[dir] - seen, seen);
    size_t n = len - seen;
    assert_true(r->len[dir] + n <= r->cap);
    memcpy(r->out[dir] + r->len[dir], data + seen, n);
    r->len[dir] += n;
    r->next_off[dir] += n;
    r->since_gap[dir] += n;
    if (r->pattern && r->match_call < 0) {
        int at = find(data, len, r->pattern);
        if (at >= 0 && (size_t)at + strlen(r->pattern) > seen) {
            r->match_call = r->ncalls;
            r->match_at = at;
        }
    }
    if (r->ncalls < MAX_CALLS) r->calls[r->ncalls] = (call_rec_t){data, len, seen, off};
    r->ncalls++;
    if (r->stop_after && r->ncalls == r->stop_after) stream_dir_stop(r->ctx, r->st, 0);
}

static void on_gap(void *ud, int dir, uint64_t off, uint32_t len)
{
    rec_t *r = ud;
    assert_true(len > 0);
    assert_int_equal(off, r->next_off[dir]);
    r->next_off[dir] += len;
    r->since_gap[dir] = 0;
    if (r->ngaps < MAX_CALLS) r->gaps[r->ngaps] = (gap_rec_t){dir, off, len};
    r->ngaps++;
}

typedef struct tc {
    stream_ctx_t *ctx;
    tcp_stream_t *st;
    rec_t r;
    stream_sink_t sink;
} tc_t;

static tc_t *tc_new(const stream_config_t *cfg, size_t cap)
{
    tc_t *t = test_calloc(1, sizeof *t);
    t->ctx = stream_ctx_new(cfg);
    assert_non_null(t->ctx);
    t->st = stream_new(t->ctx);
    assert_non_null(t->st);
    t->r.cap = cap;
    t->r.out[0] = test_malloc(cap);
    t->r.out[1] = test_malloc(cap);
    t->r.ctx = t->ctx;
    t->r.st = t->st;
    t->sink = (stream_sink_t){on_deliver, on_gap, &t->r};
    return t;
}

static tc_t *tc_default(void)
{
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    return tc_new(&cfg, 4096);
}

static void tc_free(tc_t *t)
{
    stream_free(t->ctx, t->st);
    assert_int_equal(stream_ctx_stats(t->ctx)->memuse, 0);
    assert_int_equal(stream_ctx_stats(t->ctx)->streams, 0);
    stream_ctx_free(t->ctx);
    test_free(t->r.out[0]);
    test_free(t->r.out[1]);
    test_free(t);
}

static const stream_stats_t *stats(const tc_t *t)
{
    return stream_ctx_stats(t->ctx);
}

/* One segment carrying the string s (may be ""). */
static void seg(tc_t *t, int dir, uint8_t flags, uint32_t seq, uint32_t ack, const char *s)
{
    stream_segment(t->ctx, t->st, dir, flags, seq, ack, (const uint8_t *)s, (uint32_t)strlen(s),
                   &t->sink);
}

static void out_is(const tc_t *t, int dir, const char *want)
{
    assert_int_equal(t->r.len[dir], strlen(want));
    if (strlen(want) > 0) assert_memory_equal(t->r.out[dir], want, strlen(want));
}

static void gap_is(const tc_t *t, int i, int dir, uint64_t off, uint32_t len)
{
    assert_true(i < t->r.ngaps);
    assert_int_equal(t->r.gaps[i].dir, dir);
    assert_int_equal(t->r.gaps[i].off, off);
    assert_int_equal(t->r.gaps[i].len, len);
}

#define S TH_SYN
#define A TH_ACK
#define F TH_FIN
#define R TH_RST
#define P TH_PSH

/* SYN ISN 1000: data starts at 1001; delivered from the packet itself. */
static void test_in_order(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 1000, 0, "");
    static const char a[] = "Hello ", b[] = "World";
    stream_segment(t->ctx, t->st, 0, A | P, 1001, 0, (const uint8_t *)a, 6, &t->sink);
    stream_segment(t->ctx, t->st, 0, A | P, 1007, 0, (const uint8_t *)b, 5, &t->sink);
    out_is(t, 0, "Hello World");
    assert_int_equal(t->r.ncalls, 2);
    assert_ptr_equal(t->r.calls[0].data, (const uint8_t *)a); /* zero copy */
    assert_ptr_equal(t->r.calls[1].data, (const uint8_t *)b);
    assert_int_equal(t->r.calls[0].off, 0);
    assert_int_equal(t->r.calls[1].off, 6);
    assert_int_equal(t->r.calls[1].seen, 0);
    uint32_t nseq;
    uint64_t noff;
    assert_true(stream_dir_position(t->st, 0, &nseq, &noff));
    assert_int_equal(nseq, 1012);
    assert_int_equal(noff, 11);
    assert_false(stream_dir_position(t->st, 1, &nseq, &noff)); /* nothing seen that way */
    assert_int_equal(stats(t)->segments, 2);
    assert_int_equal(stats(t)->bytes, 11);
    assert_int_equal(stats(t)->retransmissions + stats(t)->overlaps + stats(t)->out_of_order +
                         stats(t)->gaps + stats(t)->overlap_diff,
                     0);
    assert_int_equal(stats(t)->streams, 1);
    tc_free(t);
}

/* Ten 10-byte segments (ISN 0, data at 1..100) in reverse order: nine are
 * held, the first one releases them all. */
static void test_out_of_order_reverse(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    char all[101];
    for (int i = 0; i < 100; i++)
        all[i] = (char)('A' + i % 26);
    all[100] = 0;
    seg(t, 0, S, 0, 0, "");
    uint64_t mem_idle = stats(t)->memuse;
    for (int i = 9; i >= 0; i--) {
        char piece[11];
        memcpy(piece, all + i * 10, 10);
        piece[10] = 0;
        seg(t, 0, A, 1 + (uint32_t)i * 10, 0, piece);
        if (i > 0) assert_int_equal(t->r.len[0], 0);
        if (i == 1) assert_true(stats(t)->memuse > mem_idle + 90);
    }
    out_is(t, 0, all);
    assert_int_equal(t->r.ncalls, 10);
    assert_int_equal(t->r.calls[9].off, 90);
    assert_int_equal(stats(t)->out_of_order, 9);
    assert_int_equal(stats(t)->gaps, 0);
    assert_int_equal(stats(t)->memuse, mem_idle); /* held copies and their list freed */
    assert_true(stats(t)->memuse_max > mem_idle + 90);
    tc_free(t);
}

/* An in-order duplicate and a held duplicate are both retransmissions. */
static void test_duplicates(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 1, 0, "aaaaaaaaaa");  /* 1..10 */
    seg(t, 0, A, 1, 0, "aaaaaaaaaa");  /* again */
    seg(t, 0, A, 21, 0, "cccccccccc"); /* held */
    seg(t, 0, A, 21, 0, "cccccccccc"); /* held again */
    seg(t, 0, A, 11, 0, "bbbbbbbbbb");
    seg(t, 0, A, 5, 0, "aaaaaa"); /* inside delivered bytes */
    out_is(t, 0, "aaaaaaaaaabbbbbbbbbbcccccccccc");
    assert_int_equal(stats(t)->retransmissions, 3);
    assert_int_equal(stats(t)->overlaps, 0);
    assert_int_equal(stats(t)->overlap_diff, 0);
    assert_int_equal(stats(t)->out_of_order, 2);
    assert_int_equal(stats(t)->segments, 6);
    tc_free(t);
}

/* Overlaps with equal bytes: trimmed, counted, no difference. */
static void test_overlap_same(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    /* byte at rel r is "0123456789abcdefghijklmnopqrstuvwxyz"[r] */
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 1, 0, "0123456789");  /* rel 0..10 */
    seg(t, 0, A, 6, 0, "56789abcde");  /* rel 5..15: head already delivered */
    seg(t, 0, A, 21, 0, "klmnopqrst"); /* rel 20..30 held */
    seg(t, 0, A, 26, 0, "pqrstuvwxy"); /* rel 25..35: head held */
    out_is(t, 0, "0123456789abcde");
    seg(t, 0, A, 16, 0, "fghij"); /* rel 15..20 fills the hole */
    out_is(t, 0, "0123456789abcdefghijklmnopqrstuvwxy");
    assert_int_equal(stats(t)->overlaps, 2);
    assert_int_equal(stats(t)->overlap_diff, 0);
    assert_int_equal(stats(t)->gaps, 0);
    tc_free(t);
}

/* Overlap with different bytes: the held bytes stand; overlap_diff. */
static void test_overlap_differs_first_wins(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 11, 0, "AAAAAAAAAA"); /* rel 10..20 held */
    seg(t, 0, A, 16, 0, "BBBBBBBBBB"); /* rel 15..25: 15..20 differ, keeps 20..25 */
    assert_int_equal(stats(t)->overlap_diff, 1);
    assert_int_equal(stats(t)->overlaps, 1);
    seg(t, 0, A, 1, 0, "cccccccccc"); /* rel 0..10 */
    out_is(t, 0, "ccccccccccAAAAAAAAAABBBBB");
    assert_int_equal(stats(t)->overlap_diff, 1);
    tc_free(t);
}

/* An in-order segment over a held one: its own bytes come straight from the
 * packet around the held bytes, which win. */
static void test_inorder_over_held(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 5, 0, "XXXX"); /* rel 4..8 */
    static const char p[] = "abcdefghijkl";
    stream_segment(t->ctx, t->st, 0, A, 1, 0, (const uint8_t *)p, 12, &t->sink);
    out_is(t, 0, "abcdXXXXijkl");
    assert_int_equal(t->r.ncalls, 3);
    assert_ptr_equal(t->r.calls[0].data, (const uint8_t *)p);
    assert_ptr_equal(t->r.calls[2].data, (const uint8_t *)p + 8);
    assert_int_equal(t->r.calls[1].off, 4);
    assert_int_equal(t->r.calls[2].off, 8);
    assert_int_equal(stats(t)->overlaps, 1);
    assert_int_equal(stats(t)->overlap_diff, 1);
    tc_free(t);
}

/* A held segment covering three held ones merges them (held bytes win), so
 * the list does not exceed its bound of 3 afterwards. */
static void test_cover_several_held(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.max_ooo_segs = 3;
    tc_t *t = tc_new(&cfg, 4096);
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 3, 0, "bb");            /* rel 2..4 */
    seg(t, 0, A, 7, 0, "dd");            /* rel 6..8 */
    seg(t, 0, A, 11, 0, "ff");           /* rel 10..12 */
    seg(t, 0, A, 2, 0, "ABCDEFGHIJKLM"); /* rel 1..14 covers all three */
    seg(t, 0, A, 21, 0, "uv");           /* rel 20..22 */
    seg(t, 0, A, 31, 0, "xy");           /* rel 30..32: 3 held, no gap */
    assert_int_equal(stats(t)->gaps, 0);
    assert_int_equal(stats(t)->overlap_diff, 1);
    assert_int_equal(stats(t)->overlaps, 1);
    seg(t, 0, A, 1, 0, "z"); /* rel 0 */
    out_is(t, 0, "zAbbDEddHIffLM");
    stream_flush(t->ctx, t->st, &t->sink);
    out_is(t, 0, "zAbbDEddHIffLMuvxy");
    assert_int_equal(t->r.ngaps, 2);
    gap_is(t, 0, 0, 14, 6); /* rel 14..20 */
    gap_is(t, 1, 0, 22, 8); /* rel 22..30 */
    assert_int_equal(stats(t)->out_of_order, 6);
    tc_free(t);
}

/* ISN 0xFFFFFFF0: data at 0xFFFFFFF1.., wrapping to 0 after 15 bytes. */
static void test_wraparound(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 1, S | A, 0xFFFFFFF0u, 0, "");
    seg(t, 1, A, 0x00000005u, 0, "cccccccccc"); /* rel 20..30 */
    seg(t, 1, A, 0xFFFFFFFBu, 0, "bbbbbbbbbb"); /* rel 10..20, wraps */
    seg(t, 1, A, 0xFFFFFFF1u, 0, "aaaaaaaaaa"); /* rel 0..10 */
    out_is(t, 1, "aaaaaaaaaabbbbbbbbbbcccccccccc");
    seg(t, 1, A, 0xFFFFFFFBu, 0, "bbbbbbbbbb"); /* old */
    assert_int_equal(stats(t)->retransmissions, 1);
    seg(t, 1, A, 0x0000000Fu, 0, "dd");
    out_is(t, 1, "aaaaaaaaaabbbbbbbbbbccccccccccdd");
    uint32_t nseq;
    assert_true(stream_dir_position(t->st, 1, &nseq, NULL));
    assert_int_equal(nseq, 0x11);
    assert_int_equal(t->r.calls[2].off, 20);
    tc_free(t);
}

/* Without a SYN the first data segment starts the stream; a bare ACK does
 * not. Each direction starts on its own. */
static void test_midstream(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, A, 100, 9000, ""); /* pure ACK: no start */
    seg(t, 0, A | P, 5000, 9000, "abc");
    seg(t, 1, A | P, 77, 5003, "xyz");
    seg(t, 0, A | P, 5003, 80, "def");
    out_is(t, 0, "abcdef");
    out_is(t, 1, "xyz");
    assert_int_equal(t->r.calls[0].off, 0);
    assert_int_equal(t->r.calls[1].off, 0);
    assert_int_equal(stats(t)->gaps, 0);
    tc_free(t);
}

/* Data on a SYN starts at ISN+1; a retransmitted SYN carries old data. */
static void test_syn_with_data(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 100, 0, "hi");
    seg(t, 0, S, 100, 0, "hi");
    seg(t, 0, A, 103, 0, "!!");
    out_is(t, 0, "hi!!");
    assert_int_equal(stats(t)->retransmissions, 1);
    tc_free(t);
}

/* A FIN ends the direction once everything before it is delivered; data
 * after the FIN is not taken. */
static void test_fin(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 1, 0, "abc");
    seg(t, 0, F | A, 4, 0, "de"); /* FIN at 6 */
    out_is(t, 0, "abcde");
    assert_true(stream_dir_done(t->st, 0));
    assert_false(stream_dir_done(t->st, 1));
    seg(t, 0, A, 6, 0, "zz");
    out_is(t, 0, "abcde");

    /* direction 1: the FIN (at 511) arrives before the data it follows */
    seg(t, 1, S | A, 500, 1, "");
    seg(t, 1, F | A, 511, 6, "");
    assert_false(stream_dir_done(t->st, 1)); /* the hole may still fill */
    seg(t, 1, A, 506, 6, "fghijX");          /* rel 5..11: the X lies past the FIN */
    seg(t, 1, A, 501, 6, "abcde");
    out_is(t, 1, "abcdefghij");
    assert_true(stream_dir_done(t->st, 1));
    assert_int_equal(stats(t)->gaps, 0);
    tc_free(t);
}

/* RST: held data is delivered after a gap, then both directions end. */
static void test_rst(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 1, S | A, 500, 1, "");
    seg(t, 0, A, 1, 501, "aaa");
    seg(t, 0, A, 7, 501, "ccc"); /* rel 6..9, hole 3..6 */
    seg(t, 1, R, 501, 0, "ignored");
    out_is(t, 0, "aaaccc");
    out_is(t, 1, "");
    assert_int_equal(t->r.ngaps, 1);
    gap_is(t, 0, 0, 3, 3);
    assert_int_equal(t->r.calls[1].off, 6);
    assert_true(stream_dir_done(t->st, 0));
    assert_true(stream_dir_done(t->st, 1));
    seg(t, 0, A, 10, 501, "ddd");
    out_is(t, 0, "aaaccc");
    tc_free(t);
}

/* max_ooo_segs 2: the third held segment skips the first hole. */
static void test_gap_hold_overflow(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.max_ooo_segs = 2;
    tc_t *t = tc_new(&cfg, 4096);
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 11, 0, "AAAAA"); /* rel 10..15 */
    seg(t, 0, A, 21, 0, "BBBBB"); /* rel 20..25 */
    assert_int_equal(stats(t)->gaps, 0);
    seg(t, 0, A, 31, 0, "CCCCC"); /* rel 30..35: three held */
    assert_int_equal(t->r.ngaps, 1);
    gap_is(t, 0, 0, 0, 10);
    out_is(t, 0, "AAAAA");
    assert_int_equal(t->r.calls[0].off, 10);
    seg(t, 0, A, 16, 0, "bbbbb"); /* rel 15..20 */
    out_is(t, 0, "AAAAAbbbbbBBBBB");
    stream_flush(t->ctx, t->st, &t->sink);
    out_is(t, 0, "AAAAAbbbbbBBBBBCCCCC");
    gap_is(t, 1, 0, 25, 5);
    assert_int_equal(stats(t)->gaps, 2);
    assert_int_equal(stats(t)->gap_bytes, 15);
    tc_free(t);
}

/* max_ooo_segs 0: nothing is held, every hole is skipped at once. */
static void test_gap_hold_none(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.max_ooo_segs = 0;
    tc_t *t = tc_new(&cfg, 4096);
    seg(t, 0, A, 100, 0, "ab");
    seg(t, 0, A, 104, 0, "ef"); /* rel 4..6 */
    out_is(t, 0, "abef");
    gap_is(t, 0, 0, 2, 2);
    seg(t, 0, A, 102, 0, "cd"); /* too late */
    out_is(t, 0, "abef");
    assert_int_equal(stats(t)->retransmissions, 1);
    tc_free(t);
}

/* The server ACKs client bytes the capture never saw. */
static void test_gap_ack_beyond(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 1, S | A, 1000, 1, "");
    seg(t, 0, A, 1, 1001, "abc"); /* rel 0..3 */
    seg(t, 0, A, 7, 1001, "ghi"); /* rel 6..9 held */
    seg(t, 1, A, 1001, 1, "");    /* ACK 1: nothing new */
    assert_int_equal(t->r.ngaps, 0);
    seg(t, 1, A, 1001, 13, ""); /* ACK 13 = rel 12 */
    assert_int_equal(t->r.ngaps, 2);
    gap_is(t, 0, 0, 3, 3);
    gap_is(t, 1, 0, 9, 3);
    out_is(t, 0, "abcghi");
    seg(t, 0, A, 10, 1001, "jkl"); /* rel 9..12: already skipped */
    assert_int_equal(stats(t)->retransmissions, 1);
    seg(t, 0, A, 13, 1001, "mno");
    out_is(t, 0, "abcghimno");
    assert_int_equal(t->r.calls[2].off, 12);
    /* an ACK without the ACK flag is not looked at */
    seg(t, 1, 0, 1001, 100, "");
    assert_int_equal(t->r.ngaps, 2);
    tc_free(t);
}

/* FIN after a hole: the peer's ACK of the FIN (fin + 1) closes the hole up
 * to the FIN, not past it. */
static void test_gap_ack_of_fin(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 1, S | A, 1000, 1, "");
    seg(t, 0, A, 1, 1001, "ab");
    seg(t, 0, F | A, 6, 1001, "fg"); /* rel 5..7, FIN at 8 (rel 7) */
    assert_false(stream_dir_done(t->st, 0));
    seg(t, 1, A, 1001, 9, "");
    assert_int_equal(t->r.ngaps, 1);
    gap_is(t, 0, 0, 2, 3);
    out_is(t, 0, "abfg");
    assert_true(stream_dir_done(t->st, 0));
    tc_free(t);
}

/* Flush at flow end: a gap before each held run, then the run. */
static void test_flush_with_holes(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 6, 0, "xyz"); /* rel 5..8 */
    seg(t, 0, A, 11, 0, "pq"); /* rel 10..12 */
    seg(t, 1, A, 50, 0, "s");  /* mid-stream, nothing held */
    stream_flush(t->ctx, t->st, &t->sink);
    out_is(t, 0, "xyzpq");
    out_is(t, 1, "s");
    assert_int_equal(t->r.ngaps, 2);
    gap_is(t, 0, 0, 0, 5);
    gap_is(t, 1, 0, 8, 2);
    assert_int_equal(t->r.calls[0].off, 0); /* "s" */
    assert_int_equal(t->r.calls[1].off, 5);
    assert_int_equal(t->r.calls[2].off, 10);
    assert_true(stream_dir_done(t->st, 0) && stream_dir_done(t->st, 1));
    seg(t, 0, A, 13, 0, "more");
    out_is(t, 0, "xyzpq");
    stream_flush(t->ctx, t->st, &t->sink); /* twice is harmless */
    assert_int_equal(t->r.ngaps, 2);
    tc_free(t);
}

/* depth 10: exactly 10 bytes, then nothing; held data past it is clipped. */
static void test_depth_exact(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.depth = 10;
    tc_t *t = tc_new(&cfg, 4096);
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 1, 0, "0123456");
    seg(t, 0, A, 8, 0, "789AB");
    out_is(t, 0, "0123456789");
    assert_true(stream_dir_done(t->st, 0));
    assert_int_equal(stats(t)->depth_reached, 1);
    seg(t, 0, A, 13, 0, "CD");
    out_is(t, 0, "0123456789");

    /* direction 1: a held segment straddling the depth, one past it */
    uint64_t mem = stats(t)->memuse;
    seg(t, 1, A, 113, 0, "xyz");    /* starts stream at 113 */
    seg(t, 1, A, 121, 0, "ijklmn"); /* rel 8..14: 8..10 kept */
    seg(t, 1, A, 126, 0, "pp");     /* rel 13..15: past depth, not held */
    assert_true(stats(t)->memuse > mem);
    seg(t, 1, A, 116, 0, "defgh"); /* rel 3..8 */
    out_is(t, 1, "xyzdefghij");
    assert_int_equal(stats(t)->depth_reached, 2);
    assert_int_equal(stats(t)->bytes, 20);
    assert_int_equal(stats(t)->memuse, mem);
    tc_free(t);
}

/* A gap crossing the depth ends the direction at the depth. */
static void test_depth_gap(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.depth = 10;
    tc_t *t = tc_new(&cfg, 4096);
    seg(t, 0, A, 1, 0, "abcd");
    seg(t, 1, A, 9, 101, "");
    assert_int_equal(t->r.ngaps, 1);
    gap_is(t, 0, 0, 4, 6);
    assert_true(stream_dir_done(t->st, 0));
    assert_int_equal(stats(t)->depth_reached, 1);
    tc_free(t);
}

/* memcap 10000: two held 4000-byte segments fit (whatever the small
 * overheads), the third and fourth are refused and later skipped as a gap. */
static void test_memcap(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.memcap = 10000;
    tc_t *t = tc_new(&cfg, 32768);
    static uint8_t d[24000];
    for (size_t i = 0; i < sizeof d; i++)
        d[i] = (uint8_t)(i * 13 + (i >> 8));
    stream_segment(t->ctx, t->st, 0, S, 0, 0, NULL, 0, &t->sink);
    for (uint32_t k = 1; k <= 4; k++)
        stream_segment(t->ctx, t->st, 0, A, 1 + k * 4000, 0, d + k * 4000, 4000, &t->sink);
    assert_int_equal(stats(t)->memcap_hits, 2);
    assert_true(stats(t)->memuse_max <= 10000);
    stream_segment(t->ctx, t->st, 0, A, 1, 0, d, 4000, &t->sink);
    assert_int_equal(t->r.len[0], 12000);
    assert_memory_equal(t->r.out[0], d, 12000);
    stream_segment(t->ctx, t->st, 0, A, 20001, 0, d + 20000, 4000, &t->sink);
    stream_flush(t->ctx, t->st, &t->sink);
    assert_int_equal(t->r.ngaps, 1);
    gap_is(t, 0, 0, 12000, 8000);
    assert_int_equal(t->r.len[0], 16000);
    assert_memory_equal(t->r.out[0] + 12000, d + 20000, 4000);
    assert_true(stats(t)->memuse_max <= 10000);

    /* no room even for a stream */
    cfg.memcap = 0;
    stream_ctx_t *z = stream_ctx_new(&cfg);
    assert_non_null(z);
    assert_null(stream_new(z));
    assert_int_equal(stream_ctx_stats(z)->memcap_hits, 1);
    stream_ctx_free(z);
    tc_free(t);
}

/* window 8: "EVILPATTERN" split over two segments is whole in the second
 * span; a gap empties the window; long data comes in chunks. */
static void test_window_spanning(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.window = 8;
    tc_t *t = tc_new(&cfg, 200000);
    t->r.pattern = "EVILPATTERN";
    t->r.match_call = -1;
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 1, 0, "xxxxxEVIL");  /* rel 0..9 */
    seg(t, 0, A, 10, 0, "PATTERNyy"); /* rel 9..18 */
    assert_int_equal(t->r.calls[0].seen, 0);
    assert_int_equal(t->r.calls[1].seen, 8);
    assert_int_equal(t->r.calls[1].len, 17);
    assert_int_equal(t->r.calls[1].off, 9);
    assert_int_equal(t->r.match_call, 1); /* span "xxxxEVIL" + "PATTERNyy" */
    assert_int_equal(t->r.match_at, 4);
    out_is(t, 0, "xxxxxEVILPATTERNyy");
    seg(t, 0, A, 22, 0, "zz"); /* rel 21..23 held */
    seg(t, 1, A, 1, 23, "");   /* ACK 23: gap rel 18..21 */
    gap_is(t, 0, 0, 18, 3);
    assert_int_equal(t->r.calls[2].seen, 0);
    assert_int_equal(t->r.calls[2].off, 21);
    static uint8_t big[70000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i % 251);
    stream_segment(t->ctx, t->st, 0, A, 24, 0, big, sizeof big, &t->sink);
    assert_int_equal(t->r.ncalls, 5);
    assert_int_equal(t->r.calls[3].seen, 2); /* only "zz" since the gap */
    assert_int_equal(t->r.calls[3].len, 2 + STREAM_CHUNK);
    assert_int_equal(t->r.calls[4].seen, 8);
    assert_int_equal(t->r.calls[4].len, 8 + 70000 - STREAM_CHUNK);
    assert_int_equal(t->r.calls[4].off, 23 + STREAM_CHUNK);
    assert_memory_equal(t->r.out[0] + 20, big, sizeof big); /* 20 bytes before it, 3 lost */
    tc_free(t);
}

/* Window memory is part of the budget: with none left, spans come without
 * a window (seen 0) and the refusal is counted. */
static void test_window_memcap(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.window = 4096;
    cfg.memcap = 4096; /* a stream fits, two 4 KiB windows do not */
    tc_t *t = tc_new(&cfg, 4096);
    seg(t, 0, A, 1, 0, "abc");
    seg(t, 0, A, 4, 0, "def");
    out_is(t, 0, "abcdef");
    assert_int_equal(t->r.calls[1].seen, 0);
    assert_int_equal(stats(t)->memcap_hits, 2);
    tc_free(t);
}

/* The consumer stops a direction in the middle of releasing held data. */
static void test_stop_in_callback(void **state)
{
    (void)state;
    tc_t *t = tc_default();
    t->r.stop_after = 2;
    seg(t, 0, S, 0, 0, "");
    seg(t, 0, A, 3, 0, "cd");
    seg(t, 0, A, 5, 0, "ef");
    seg(t, 0, A, 1, 0, "ab");
    out_is(t, 0, "abcd");
    assert_true(stream_dir_done(t->st, 0));
    seg(t, 0, A, 7, 0, "gh");
    out_is(t, 0, "abcd");
    tc_free(t);
}

/* Bad arguments do nothing. */
static void test_bad_input(void **state)
{
    (void)state;
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.window = STREAM_WINDOW_MAX + 1;
    assert_null(stream_ctx_new(&cfg));
    stream_config_defaults(&cfg);
    cfg.policy = (stream_policy_t)7;
    assert_null(stream_ctx_new(&cfg));
    assert_null(stream_ctx_new(NULL));
    assert_null(stream_new(NULL));

    tc_t *t = tc_default();
    stream_segment(t->ctx, t->st, 2, A, 1, 0, (const uint8_t *)"x", 1, &t->sink);
    stream_segment(t->ctx, t->st, -1, A, 1, 0, (const uint8_t *)"x", 1, &t->sink);
    stream_segment(t->ctx, NULL, 0, A, 1, 0, (const uint8_t *)"x", 1, &t->sink);
    stream_segment(t->ctx, t->st, 0, A, 1, 0, NULL, 5, &t->sink); /* no payload */
    stream_segment(t->ctx, t->st, 0, A, 1, 0, (const uint8_t *)"x", STREAM_SEG_MAX + 1,
                   &t->sink); /* absurd length: ignored before any read */
    assert_false(stream_dir_position(t->st, 0, NULL, NULL));
    stream_segment(t->ctx, t->st, 1, A, 1, 0, (const uint8_t *)"ab", 2, NULL); /* no sink */
    uint32_t nseq = 0;
    uint64_t noff = 0;
    assert_true(stream_dir_position(t->st, 1, &nseq, &noff));
    assert_int_equal(nseq, 3);
    assert_int_equal(noff, 2);
    stream_segment(t->ctx, t->st, 0, A, 3, 0, (const uint8_t *)"cd", 2, &t->sink);
    out_is(t, 0, "cd");
    out_is(t, 1, "");
    assert_int_equal(t->r.calls[0].off, 0);
    assert_false(stream_dir_done(t->st, 2));
    assert_false(stream_dir_position(t->st, 5, NULL, NULL));
    stream_dir_stop(t->ctx, t->st, 3);
    stream_flush(t->ctx, NULL, &t->sink);
    stream_free(t->ctx, NULL);
    tc_free(t);
}

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

#define BIG (1u << 20)

typedef struct piece {
    uint32_t off, len;
} piece_t;

/* 1 MiB of random bytes cut at random (1..1460 bytes), one in eight pieces
 * sent twice and one in eight re-cut to overlap its neighbours, all in a
 * random order, ISN near 2^32: the exact bytes come out. */
static void stress(uint32_t window)
{
    stream_config_t cfg;
    stream_config_defaults(&cfg);
    cfg.depth = 0;
    cfg.max_ooo_segs = 100000;
    cfg.window = window;
    tc_t *t = tc_new(&cfg, BIG);
    uint8_t *d = test_malloc(BIG);
    rng_state = 0x9E3779B97F4A7C15ull;
    for (uint32_t i = 0; i < BIG; i++)
        d[i] = (uint8_t)rnd();
    const size_t max = 20000;
    piece_t *ps = test_malloc(max * sizeof *ps);
    size_t n = 0;
    for (uint32_t off = 0; off < BIG;) {
        assert_true(n + 3 <= max);
        uint32_t len = 1 + rnd() % 1460;
        if (len > BIG - off) len = BIG - off;
        ps[n++] = (piece_t){off, len};
        if (rnd() % 8 == 0) ps[n++] = (piece_t){off, len};
        if (rnd() % 8 == 0 && off > 100) { /* straddles the previous cut */
            uint32_t o = off - 1 - rnd() % 100, l = 1 + rnd() % 2000;
            if (l > BIG - o) l = BIG - o;
            ps[n++] = (piece_t){o, l};
        }
        off += len;
    }
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1);
        piece_t tmp = ps[i];
        ps[i] = ps[j];
        ps[j] = tmp;
    }
    const uint32_t isn = 0xFFFF0000u;
    stream_segment(t->ctx, t->st, 0, S, isn, 0, NULL, 0, &t->sink);
    for (size_t i = 0; i < n; i++)
        stream_segment(t->ctx, t->st, 0, A, isn + 1 + ps[i].off, 0, d + ps[i].off, ps[i].len,
                       &t->sink);
    assert_int_equal(t->r.len[0], BIG);
    assert_memory_equal(t->r.out[0], d, BIG);
    assert_int_equal(stats(t)->gaps, 0);
    assert_int_equal(stats(t)->overlap_diff, 0);
    assert_int_equal(stats(t)->bytes, BIG);
    assert_true(stats(t)->retransmissions > 0);
    assert_true(stats(t)->overlaps > 0);
    assert_int_equal(stats(t)->segments, n);
    test_free(ps);
    test_free(d);
    tc_free(t);
}

static void test_stress_random(void **state)
{
    (void)state;
    stress(0);
}

static void test_stress_random_window(void **state)
{
    (void)state;
    stress(2048);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_out_of_order_reverse),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_overlap_same),
        cmocka_unit_test(test_overlap_differs_first_wins),
        cmocka_unit_test(test_inorder_over_held),
        cmocka_unit_test(test_cover_several_held),
        cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_midstream),
        cmocka_unit_test(test_syn_with_data),
        cmocka_unit_test(test_fin),
        cmocka_unit_test(test_rst),
        cmocka_unit_test(test_gap_hold_overflow),
        cmocka_unit_test(test_gap_hold_none),
        cmocka_unit_test(test_gap_ack_beyond),
        cmocka_unit_test(test_gap_ack_of_fin),
        cmocka_unit_test(test_flush_with_holes),
        cmocka_unit_test(test_depth_exact),
        cmocka_unit_test(test_depth_gap),
        cmocka_unit_test(test_memcap),
        cmocka_unit_test(test_window_spanning),
        cmocka_unit_test(test_window_memcap),
        cmocka_unit_test(test_stop_in_callback),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_stress_random),
        cmocka_unit_test(test_stress_random_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
