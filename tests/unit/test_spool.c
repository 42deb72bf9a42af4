/* test_spool.c -- the on-disk batch spool: order, acks, rewind, numbering
 * across restarts and crashes, segment deletion, full-spool drops, torn and
 * corrupt files, the reader waiting for the writer, skip_to, and speed.
 *
 * Expected bytes come from the format in spool.h, built here by hand with a
 * bitwise CRC-32C checked against RFC 3720's test vectors; expected sizes
 * and drop counts are worked out in the comments from record sizes
 * (20-byte header + payload). Every test works in its own /tmp directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "output/spool.h"

#define MIB (1024ULL * 1024)

/* ---- helpers ---------------------------------------------------------- */

static uint32_t ref_crc32c(uint32_t crc, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* One record as spool.h describes it; returns its size. */
static size_t make_record(uint8_t *out, uint64_t seq, uint32_t nev, const void *pl, uint32_t len)
{
    le32(out, len);
    le64(out + 8, seq);
    le32(out + 16, nev);
    if (len) memcpy(out + 20, pl, len);
    le32(out + 4, ref_crc32c(0, out + 8, 12 + (size_t)len));
    return 20 + (size_t)len;
}

/* Payload bytes are a function of the sequence, so a reader can check them. */
static void fill(uint8_t *buf, uint64_t seq, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seq * 31 + i * 7);
}

static void mkdir_tmp(char path[64])
{
    strcpy(path, "/tmp/test_spool_XXXXXX");
    assert_non_null(mkdtemp(path));
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    char p[512];
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's file names, sorted, space-separated (segment names
 * shortened to their number: "1 3 state"). state.tmp is left out: the sync
 * thread writes and renames it whenever an ack comes. */
static const char *listing(const char *dir)
{
    static char out[1024];
    char *names[64];
    size_t n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        if (!strcmp(de->d_name, "state.tmp")) continue; /* the sync thread's, in passing */
        assert_true(n < 64);
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char shown[300];
        size_t l = strlen(names[i]);
        if (l == 24 && !strcmp(names[i] + 20, ".seg"))
            snprintf(shown, sizeof(shown), "%llu", strtoull(names[i], NULL, 10));
        else
            snprintf(shown, sizeof(shown), "%s", names[i]);
        if (i) strcat(out, " ");
        strcat(out, shown);
        free(names[i]);
    }
    return out;
}

static char *seg_path(const char *dir, uint64_t first)
{
    static char p[128];
    snprintf(p, sizeof(p), "%s/%020llu.seg", dir, (unsigned long long)first);
    return p;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

static long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

/* Copies every file of src into a new directory: what a crash (kill -9)
 * leaves behind, taken while the spool is still open. */
static void copy_dir(const char *src, char dst[64])
{
    mkdir_tmp(dst);
    DIR *d = opendir(src);
    assert_non_null(d);
    struct dirent *de;
    static uint8_t buf[4 << 20];
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char a[512], b[512];
        snprintf(a, sizeof(a), "%s/%s", src, de->d_name);
        snprintf(b, sizeof(b), "%s/%s", dst, de->d_name);
        size_t n = read_file(a, buf, sizeof(buf));
        assert_true(n < sizeof(buf));
        FILE *fp = fopen(b, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(buf, 1, n, fp), n);
        fclose(fp);
    }
    closedir(d);
}

static spool_t *open_ok(const char *dir, uint64_t max, uint64_t seg)
{
    char err[256] = "";
    spool_t *sp = spool_open(dir, max, seg, err, sizeof(err));
    if (!sp) fail_msg("spool_open: %s", err);
    return sp;
}

static uint64_t append(spool_t *sp, size_t len, uint32_t nev)
{
    struct spool_stats st;
    spool_get_stats(sp, &st);
    uint8_t *buf = malloc(len ? len : 1);
    fill(buf, st.next_seq, len);
    uint64_t seq = 0;
    assert_int_equal(spool_append(sp, buf, len, nev, &seq), 0);
    assert_int_equal(seq, st.next_seq);
    free(buf);
    return seq;
}

/* The next record must be seq, with len payload bytes made by fill(). */
static void expect_next(spool_t *sp, uint64_t seq, size_t len, uint32_t nev)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    uint64_t s = 0;
    uint32_t e = 0;
    assert_int_equal(spool_next(sp, &p, &n, &s, &e, 0), 1);
    assert_int_equal(s, seq);
    assert_int_equal(n, len);
    assert_int_equal(e, nev);
    uint8_t *want = malloc(len ? len : 1);
    fill(want, seq, len);
    assert_memory_equal(p, want, len);
    free(want);
}

static void expect_none(spool_t *sp)
{
    const uint8_t *p;
    size_t n;
    uint64_t s;
    uint32_t e;
    assert_int_equal(spool_next(sp, &p, &n, &s, &e, 0), 0);
}

static struct spool_stats stats(spool_t *sp)
{
    struct spool_stats st;
    spool_get_stats(sp, &st);
    return st;
}

/* Log lines go to a temp file while captured. */
static int log_fd = -1;
static char log_path[64];

static void capture_log(void)
{
    strcpy(log_path, "/tmp/test_spool_log_XXXXXX");
    log_fd = mkstemp(log_path);
    assert_true(log_fd >= 0);
    log_set_fd(log_fd);
}

static const char *captured_log(void)
{
    static char buf[8192];
    log_set_fd(-1);
    size_t n = read_file(log_path, (uint8_t *)buf, sizeof(buf) - 1);
    buf[n] = '\0';
    close(log_fd);
    unlink(log_path);
    log_fd = -1;
    return buf;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void append_bytes(const char *path, const void *b, size_t n)
{
    FILE *fp = fopen(path, "ab");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, n, fp), n);
    fclose(fp);
}

/* ---- CRC -------------------------------------------------------------- */

static void test_crc32c(void **state)
{
    (void)state;
    /* RFC 3720 B.4 and the common check value */
    uint8_t zeros[32] = {0}, ones[32], inc[32];
    memset(ones, 0xff, sizeof(ones));
    for (int i = 0; i < 32; i++)
        inc[i] = (uint8_t)i;
    assert_int_equal(ref_crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(ref_crc32c(0, zeros, 32), 0x8A9136AAu);
    assert_int_equal(ref_crc32c(0, ones, 32), 0x62A8AB43u);
    assert_int_equal(ref_crc32c(0, inc, 32), 0x46DD794Eu);
    assert_int_equal(spool_crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(spool_crc32c_portable(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(spool_crc32c(0, zeros, 32), 0x8A9136AAu);
    assert_int_equal(spool_crc32c_portable(0, ones, 32), 0x62A8AB43u);

    /* every length and alignment up to a few words, and chaining */
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len + off <= 100; len++) {
            uint32_t want = ref_crc32c(0, buf + off, len);
            assert_int_equal(spool_crc32c(0, buf + off, len), want);
            assert_int_equal(spool_crc32c_portable(0, buf + off, len), want);
            size_t half = len / 3;
            assert_int_equal(
                spool_crc32c(spool_crc32c(0, buf + off, half), buf + off + half, len - half), want);
        }
    }
    assert_int_equal(spool_crc32c(0, buf, sizeof(buf)), ref_crc32c(0, buf, sizeof(buf)));
}

/* ---- order, ack, rewind ----------------------------------------------- */

static void test_append_read_ack(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    assert_int_equal(stats(sp).next_seq, 1); /* brand-new spool */
    for (uint64_t s = 1; s <= 5; s++)
        assert_int_equal(append(sp, 10 * s, (uint32_t)(100 + s)), s);
    struct spool_stats st = stats(sp);
    assert_int_equal(st.records, 5);
    assert_int_equal(st.bytes, 5 * 20 + (10 + 20 + 30 + 40 + 50)); /* 250 */
    assert_int_equal(st.appended_batches, 5);
    assert_int_equal(st.next_seq, 6);
    assert_int_equal(st.acked_seq, 0);
    for (uint64_t s = 1; s <= 5; s++)
        expect_next(sp, s, 10 * s, (uint32_t)(100 + s));
    expect_none(sp);

    assert_int_equal(spool_ack(sp, 3), 0);
    assert_int_equal(stats(sp).acked_seq, 3);
    assert_int_equal(spool_ack(sp, 6), -1); /* never assigned */
    assert_int_equal(spool_ack(sp, 2), 0);  /* behind: no change */
    assert_int_equal(stats(sp).acked_seq, 3);
    spool_rewind(sp);
    expect_next(sp, 4, 40, 104);
    expect_next(sp, 5, 50, 105);
    expect_none(sp);
    assert_int_equal(stats(sp).dropped_batches, 0);
    spool_close(sp);
    rm_dir(dir);
}

static void test_rewind(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    for (uint64_t s = 1; s <= 6; s++)
        append(sp, 33, 1);
    for (uint64_t s = 1; s <= 4; s++) /* four in flight */
        expect_next(sp, s, 33, 1);
    assert_int_equal(spool_ack(sp, 2), 0); /* then the connection drops */
    spool_rewind(sp);
    for (uint64_t s = 3; s <= 6; s++)
        expect_next(sp, s, 33, 1);
    expect_none(sp);
    assert_int_equal(spool_ack(sp, 6), 0);
    spool_rewind(sp);
    expect_none(sp);
    spool_close(sp);
    rm_dir(dir);
}

/* Bytes on disk, built independently: two records, then the state file. */
static void test_format_on_disk(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    uint64_t seq;
    assert_int_equal(spool_append(sp, "hello", 5, 3, &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(spool_append(sp, NULL, 0, 0, &seq), 0);
    assert_int_equal(seq, 2);
    assert_int_equal(spool_flush(sp), 0);

    uint8_t want[64], got[128];
    size_t n = make_record(want, 1, 3, "hello", 5);
    n += make_record(want + n, 2, 0, NULL, 0);
    assert_int_equal(n, 45);
    assert_int_equal(read_file(seg_path(dir, 1), got, sizeof(got)), 45);
    assert_memory_equal(got, want, 45);

    /* state after ack 1: floor 1 + SPOOL_SEQ_RESERVE, written at open */
    char sp_path[128];
    snprintf(sp_path, sizeof(sp_path), "%s/state", dir);
    assert_int_equal(spool_ack(sp, 1), 0);
    uint8_t st[28];
    memcpy(st, "SPST", 4);
    le32(st + 4, 1);
    le64(st + 8, 1);
    le64(st + 16, 1 + 65536);
    le32(st + 24, ref_crc32c(0, st, 24));
    /* the sync thread writes it moments after the ack */
    for (int i = 0; i < 500; i++) {
        if (read_file(sp_path, got, sizeof(got)) == 28 && !memcmp(got, st, 28)) break;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(read_file(sp_path, got, sizeof(got)), 28);
    assert_memory_equal(got, st, 28);

    /* a clean close records the exact next number, 3 */
    spool_close(sp);
    le64(st + 16, 3);
    le32(st + 24, ref_crc32c(0, st, 24));
    assert_int_equal(read_file(sp_path, got, sizeof(got)), 28);
    assert_memory_equal(got, st, 28);
    assert_string_equal(listing(dir), "1 state"); /* batch 2 is not acked */
    rm_dir(dir);
}

/* ---- numbering across restarts ---------------------------------------- */

static void test_reopen_with_segments(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    for (int i = 0; i < 3; i++)
        append(sp, 50, 2);
    spool_close(sp);
    assert_string_equal(listing(dir), "1 state");

    sp = open_ok(dir, 0, 0);
    struct spool_stats st = stats(sp);
    assert_int_equal(st.next_seq, 4);
    assert_int_equal(st.records, 3);
    assert_int_equal(st.bytes, 3 * 70);
    assert_int_equal(append(sp, 60, 5), 4); /* a new segment, named 4 */
    for (uint64_t s = 1; s <= 3; s++)
        expect_next(sp, s, 50, 2);
    expect_next(sp, 4, 60, 5);
    assert_string_equal(listing(dir), "1 4 state");
    assert_int_equal(spool_ack(sp, 4), 0);
    assert_string_equal(listing(dir), "4 state"); /* 4 is still being appended to */
    spool_close(sp);
    assert_string_equal(listing(dir), "state");

    sp = open_ok(dir, 0, 0);
    assert_int_equal(stats(sp).next_seq, 5);
    assert_int_equal(stats(sp).records, 0);
    expect_none(sp);
    spool_close(sp);
    rm_dir(dir);
}

static void test_reopen_without_segments(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    for (int i = 0; i < 3; i++)
        append(sp, 8, 1);
    assert_int_equal(spool_ack(sp, 3), 0);
    spool_close(sp);
    assert_string_equal(listing(dir), "state");
    sp = open_ok(dir, 0, 0);
    assert_int_equal(stats(sp).next_seq, 4);
    assert_int_equal(stats(sp).acked_seq, 3);
    expect_none(sp);
    assert_int_equal(append(sp, 8, 1), 4);
    spool_close(sp);
    rm_dir(dir);
}

/* Without a clean close, numbering resumes at the floor written ahead. */
static void test_crash_reopen(void **state)
{
    (void)state;
    char dir[64], copy[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    for (int i = 0; i < 3; i++)
        append(sp, 12, 1);
    assert_int_equal(spool_flush(sp), 0);
    copy_dir(dir, copy);
    spool_close(sp);
    rm_dir(dir);

    sp = open_ok(copy, 0, 0);
    assert_int_equal(stats(sp).next_seq, 1 + 65536); /* floor written at open */
    for (uint64_t s = 1; s <= 3; s++)
        expect_next(sp, s, 12, 1);
    spool_close(sp);
    rm_dir(copy);
}

static uint64_t state_floor(const char *dir)
{
    char p[128];
    uint8_t b[64];
    snprintf(p, sizeof(p), "%s/state", dir);
    assert_int_equal(read_file(p, b, sizeof(b)), 28);
    return rd64(b + 16);
}

/* The durable floor stays above every number handed out: the sync thread
 * moves it once half the reserve is used (or the writer itself, should that
 * thread lag), and a crash copy resumes exactly there. */
static void test_floor_advances(void **state)
{
    (void)state;
    char dir[64], copy[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    assert_int_equal(state_floor(dir), 65537);
    uint64_t seq = 0;
    for (int i = 0; i < 70000; i++) {
        assert_int_equal(spool_append(sp, NULL, 0, 0, &seq), 0);
        if (i % 5000 == 0) assert_true(state_floor(dir) > seq);
    }
    assert_int_equal(seq, 70000);
    assert_int_equal(spool_flush(sp), 0);
    copy_dir(dir, copy);
    spool_close(sp);
    rm_dir(dir);
    uint64_t floor = state_floor(copy); /* the sync thread may move it any time */
    assert_true(floor > 70000);
    /* moved at least once, from a next_seq of 32769 or later */
    assert_true(floor >= 32769 + 65536);
    sp = open_ok(copy, 0, 0);
    assert_int_equal(stats(sp).next_seq, floor);
    spool_close(sp);
    rm_dir(copy);
}

/* ---- segments --------------------------------------------------------- */

/* 100-byte payloads make 120-byte records; 256-byte segments hold two. */
static void test_ack_deletes_segments(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, MIB, 256);
    for (int i = 0; i < 6; i++)
        append(sp, 100, 1);
    assert_int_equal(spool_flush(sp), 0);
    assert_string_equal(listing(dir), "1 3 5 state");
    assert_int_equal(file_size(seg_path(dir, 1)), 240);
    assert_int_equal(file_size(seg_path(dir, 5)), 240);
    assert_int_equal(spool_ack(sp, 1), 0);
    assert_string_equal(listing(dir), "1 3 5 state"); /* batch 2 still pending */
    assert_int_equal(spool_ack(sp, 2), 0);
    assert_string_equal(listing(dir), "3 5 state");
    assert_int_equal(stats(sp).bytes, 480);
    assert_int_equal(stats(sp).records, 4);
    assert_int_equal(spool_ack(sp, 5), 0);
    assert_string_equal(listing(dir), "5 state"); /* 5 is being appended to */
    assert_int_equal(spool_ack(sp, 6), 0);
    assert_string_equal(listing(dir), "5 state");
    spool_close(sp);
    assert_string_equal(listing(dir), "state");
    sp = open_ok(dir, MIB, 256);
    assert_int_equal(stats(sp).next_seq, 7);
    spool_close(sp);
    rm_dir(dir);
}

/* max 1000, segments of 256 = two 120-byte records; batch s has 10*s events.
 * 8 batches fill segments 1,3,5,7: 960 bytes. Batch 9 starts segment 9 and
 * needs 960 + 120 = 1080 > 1000: segment 1 goes; batch 1 was acked, so 1
 * batch (2) with 20 events is dropped; 840 bytes left. Batch 10 fits
 * (960). Batch 11 starts segment 11, 1080 > 1000 again: segment 3 goes with
 * batches 3 and 4 (30 + 40 events): 3 batches, 90 events in all. */
static void test_full_drops_oldest(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 1000, 256);
    capture_log();
    for (uint32_t s = 1; s <= 8; s++)
        append(sp, 100, 10 * s);
    assert_int_equal(stats(sp).bytes, 960);
    expect_next(sp, 1, 100, 10);
    expect_next(sp, 2, 100, 20);
    assert_int_equal(spool_ack(sp, 1), 0);

    append(sp, 100, 90);
    struct spool_stats st = stats(sp);
    assert_int_equal(st.dropped_batches, 1);
    assert_int_equal(st.dropped_events, 20);
    assert_int_equal(st.bytes, 840);
    assert_int_equal(st.records, 7);
    assert_int_equal(spool_flush(sp), 0);
    assert_string_equal(listing(dir), "3 5 7 9 state");
    expect_next(sp, 3, 100, 30); /* the cursor moved to the new oldest */

    append(sp, 100, 100);
    assert_int_equal(stats(sp).dropped_batches, 1);
    append(sp, 100, 110);
    st = stats(sp);
    assert_int_equal(st.dropped_batches, 3);
    assert_int_equal(st.dropped_events, 90);
    assert_int_equal(st.bytes, 840);
    assert_int_equal(st.appended_batches, 11);
    assert_int_equal(st.next_seq, 12);
    assert_string_equal(listing(dir), "5 7 9 11 state");
    for (uint32_t s = 5; s <= 11; s++) /* batch 3 was read but not acked: gone */
        expect_next(sp, s, 100, 10 * s);
    expect_none(sp);
    const char *log = captured_log();
    assert_non_null(strstr(log, "dropped segment 1 with 1 undelivered batches (20 events)"));
    spool_close(sp);
    rm_dir(dir);
}

/* Batches larger than the 64 KiB write buffer (and than the 64 KiB chunks
 * the reader and the open-time check read in) go straight to the file. */
static void test_large_records(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 16 * MIB, MIB);
    static const size_t lens[] = {10, 200 * 1024, 70000, 65536 - 20, 65536 - 19, 0, 300000};
    const size_t n = sizeof(lens) / sizeof(lens[0]);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(append(sp, lens[i], (uint32_t)i), i + 1);
        total += 20 + lens[i];
    }
    assert_int_equal(stats(sp).bytes, total);
    for (size_t i = 0; i < n; i++)
        expect_next(sp, i + 1, lens[i], (uint32_t)i);
    expect_none(sp);
    spool_close(sp);
    assert_int_equal(file_size(seg_path(dir, 1)), (long)total); /* all in one segment */

    sp = open_ok(dir, 16 * MIB, MIB);
    assert_int_equal(stats(sp).records, n);
    for (size_t i = 0; i < n; i++)
        expect_next(sp, i + 1, lens[i], (uint32_t)i);
    spool_close(sp);
    rm_dir(dir);
}

/* A segment holds numbers from its name on: one named 5 whose records say
 * 1..3 is misnamed, so nothing in it is used. */
static void test_segment_name_checked(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    uint8_t buf[256], pl[10];
    size_t n = 0;
    for (uint64_t s = 1; s <= 3; s++) {
        fill(pl, s, 10);
        n += make_record(buf + n, s, 1, pl, 10);
    }
    char p[128];
    snprintf(p, sizeof(p), "%s", seg_path(dir, 5));
    append_bytes(p, buf, n);
    snprintf(p, sizeof(p), "%s", seg_path(dir, 1));
    append_bytes(p, buf, n);
    capture_log();
    spool_t *sp = open_ok(dir, 0, 0);
    const char *log = captured_log();
    assert_non_null(
        strstr(log, "00000000000000000005.seg: batch sequence out of order at offset 0"));
    assert_string_equal(listing(dir), "1 state");
    /* no state file but segments: resend all, jump the numbering */
    assert_int_equal(stats(sp).next_seq, 4 + 4294967296ULL);
    for (uint64_t s = 1; s <= 3; s++)
        expect_next(sp, s, 10, 1);
    spool_close(sp);
    rm_dir(dir);
}

static void test_reject_and_open_errors(void **state)
{
    (void)state;
    char dir[64], err[256];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 1024, 256);
    uint8_t buf[300] = {0};
    assert_int_equal(spool_append(sp, buf, 237, 7, NULL), -1); /* 257 > 256 */
    assert_int_equal(stats(sp).dropped_batches, 1);
    assert_int_equal(stats(sp).dropped_events, 7);
    assert_int_equal(spool_append(sp, NULL, 5, 1, NULL), -1);
    uint64_t seq = 0;
    assert_int_equal(spool_append(sp, buf, 236, 1, &seq), 0);
    assert_int_equal(seq, 1); /* rejected batches take no number */

    err[0] = '\0';
    assert_null(spool_open(dir, 1024, 256, err, sizeof(err)));
    assert_non_null(strstr(err, "in use by another spool"));
    spool_close(sp);

    assert_null(spool_open(dir, 1000, 2000, err, sizeof(err)));
    assert_non_null(strstr(err, "segment size larger than the spool size"));
    assert_null(spool_open(dir, MIB, 10, err, sizeof(err)));
    assert_non_null(strstr(err, "segment size out of range"));
    assert_null(strchr(err, '\n'));
    rm_dir(dir);
}

/* ---- damaged files ---------------------------------------------------- */

/* Records of 10, 20, 30 bytes end at 30 + 40 + 50 = 120. */
static void test_torn_tail(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, MIB, 64 * 1024);
    append(sp, 10, 1);
    append(sp, 20, 2);
    append(sp, 30, 3);
    spool_close(sp);
    const char *seg1 = strdup(seg_path(dir, 1));
    assert_int_equal(file_size(seg1), 120);

    /* a crash while writing batch 4: header says 50, only 10 arrived */
    uint8_t rec[128], pl[50];
    fill(pl, 4, 50);
    make_record(rec, 4, 4, pl, 50);
    append_bytes(seg1, rec, 30);
    capture_log();
    sp = open_ok(dir, MIB, 64 * 1024);
    const char *log = captured_log();
    assert_non_null(strstr(log, "00000000000000000001.seg: record runs past the end of the file at "
                                "offset 120: torn tail, truncated 30 bytes"));
    assert_int_equal(file_size(seg1), 120);
    expect_next(sp, 1, 10, 1);
    expect_next(sp, 2, 20, 2);
    expect_next(sp, 3, 30, 3);
    expect_none(sp);
    assert_int_equal(stats(sp).next_seq, 4);
    spool_close(sp);

    /* a whole record whose payload never reached the disk: bad CRC at EOF */
    make_record(rec, 4, 4, pl, 50);
    memset(rec + 20, 0, 50);
    append_bytes(seg1, rec, 70);
    capture_log();
    sp = open_ok(dir, MIB, 64 * 1024);
    log = captured_log();
    assert_non_null(strstr(log, "CRC mismatch at offset 120: torn tail, truncated 70 bytes"));
    assert_int_equal(file_size(seg1), 120);
    assert_int_equal(stats(sp).records, 3);
    spool_close(sp);

    /* just 7 bytes of a header */
    append_bytes(seg1, rec, 7);
    capture_log();
    sp = open_ok(dir, MIB, 64 * 1024);
    log = captured_log();
    assert_non_null(strstr(log, "incomplete record header at offset 120: torn tail, truncated 7"));
    assert_int_equal(file_size(seg1), 120);
    spool_close(sp);
    free((void *)seg1);
    rm_dir(dir);
}

/* 400-byte segments hold three 120-byte records: 1(1,2,3) 4(4,5,6) 7(7,8,9). */
static void test_corrupt_middle(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, MIB, 400);
    for (int i = 0; i < 9; i++)
        append(sp, 100, 1);
    spool_close(sp);
    assert_string_equal(listing(dir), "1 4 7 state");

    /* a payload byte of batch 2 (offset 120 + 20 + 5), and batch 4's CRC */
    int fd = open(seg_path(dir, 1), O_RDWR);
    assert_true(fd >= 0);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, 145), 1);
    b ^= 0x40;
    assert_int_equal(pwrite(fd, &b, 1, 145), 1);
    close(fd);
    fd = open(seg_path(dir, 4), O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &b, 1, 4), 1);
    b ^= 0x01;
    assert_int_equal(pwrite(fd, &b, 1, 4), 1);
    close(fd);

    capture_log();
    sp = open_ok(dir, MIB, 400);
    const char *log = captured_log();
    assert_non_null(strstr(log, "00000000000000000001.seg: CRC mismatch at offset 120: segment "
                                "ends there, 240 bytes after it ignored"));
    assert_non_null(strstr(log, "00000000000000000004.seg: CRC mismatch at offset 0: segment "
                                "ends there, 360 bytes after it ignored"));
    assert_non_null(strstr(log, "00000000000000000004.seg: no valid record, deleted"));
    assert_string_equal(listing(dir), "1 7 state");
    assert_int_equal(file_size(seg_path(dir, 1)), 360); /* left as it was */
    struct spool_stats st = stats(sp);
    assert_int_equal(st.records, 4);
    assert_int_equal(st.bytes, 360 + 360);
    assert_int_equal(st.next_seq, 10);
    expect_next(sp, 1, 100, 1);
    for (uint64_t s = 7; s <= 9; s++)
        expect_next(sp, s, 100, 1);
    expect_none(sp);
    spool_close(sp);
    rm_dir(dir);
}

/* Garbage files, a broken state file: the spool opens and numbers safely. */
static void test_garbage_and_bad_state(void **state)
{
    (void)state;
    char dir[64], p[128];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    append(sp, 10, 1);
    append(sp, 10, 1);
    spool_close(sp);
    snprintf(p, sizeof(p), "%s/state", dir);
    append_bytes(p, "x", 1); /* 29 bytes: unusable */
    append_bytes(seg_path(dir, 99), "garbage garbage garbage", 23);
    snprintf(p, sizeof(p), "%s/notes.txt", dir);
    append_bytes(p, "hi", 2);
    capture_log();
    sp = open_ok(dir, 0, 0);
    const char *log = captured_log();
    assert_non_null(strstr(log, "/state: wrong size; every batch here is sent again"));
    /* 2 + 1 + 2^32: past anything the lost state could have allowed */
    assert_int_equal(stats(sp).next_seq, 3 + 4294967296ULL);
    assert_int_equal(stats(sp).acked_seq, 0);
    expect_next(sp, 1, 10, 1);
    expect_next(sp, 2, 10, 1);
    assert_string_equal(listing(dir), "1 notes.txt state");
    spool_close(sp);
    rm_dir(dir);
}

/* ---- skip_to ---------------------------------------------------------- */

static void test_skip_to(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    for (uint32_t s = 1; s <= 5; s++)
        append(sp, 16, 10 * s);
    spool_skip_to(sp, 3);
    assert_int_equal(stats(sp).acked_seq, 3);
    expect_next(sp, 4, 16, 40);
    spool_skip_to(sp, 2); /* behind: nothing */
    assert_int_equal(stats(sp).acked_seq, 3);
    spool_rewind(sp);
    expect_next(sp, 4, 16, 40);

    /* the server has numbers up to 100, this spool only gave out 5: batches
     * 4 and 5 (40 + 50 events) would be taken for duplicates */
    capture_log();
    spool_skip_to(sp, 100);
    const char *log = captured_log();
    assert_non_null(strstr(log, "server holds batches up to 100"));
    struct spool_stats st = stats(sp);
    assert_int_equal(st.dropped_batches, 2);
    assert_int_equal(st.dropped_events, 90);
    assert_int_equal(st.next_seq, 101);
    assert_int_equal(st.acked_seq, 100);
    expect_none(sp);
    assert_int_equal(append(sp, 16, 1), 101);
    expect_next(sp, 101, 16, 1);
    spool_close(sp);

    sp = open_ok(dir, 0, 0);
    assert_int_equal(stats(sp).next_seq, 102);
    spool_rewind(sp);
    expect_next(sp, 101, 16, 1); /* 1..5 are acked */
    expect_none(sp);
    spool_close(sp);
    rm_dir(dir);
}

/* ---- threads ---------------------------------------------------------- */

struct later {
    spool_t *sp;
    int delay_ms;
    bool wake;
};

static void *do_later(void *arg)
{
    struct later *l = arg;
    struct timespec ts = {0, l->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    if (l->wake)
        spool_wake(l->sp);
    else
        assert_int_equal(spool_append(l->sp, "late", 4, 9, NULL), 0);
    return NULL;
}

static void test_reader_waits(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    const uint8_t *p;
    size_t n;
    uint64_t s;
    uint32_t e;

    double t0 = now_s();
    assert_int_equal(spool_next(sp, &p, &n, &s, &e, 50), 0);
    assert_true(now_s() - t0 >= 0.045);

    struct later l = {sp, 100, false};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, do_later, &l), 0);
    t0 = now_s();
    assert_int_equal(spool_next(sp, &p, &n, &s, &e, 5000), 1);
    double waited = now_s() - t0;
    assert_int_equal(s, 1);
    assert_int_equal(n, 4);
    assert_int_equal(e, 9);
    assert_memory_equal(p, "late", 4);
    assert_true(waited >= 0.09 && waited < 4.0);
    pthread_join(th, NULL);

    struct later w = {sp, 50, true};
    assert_int_equal(pthread_create(&th, NULL, do_later, &w), 0);
    t0 = now_s();
    assert_int_equal(spool_next(sp, &p, &n, &s, &e, -1), 0);
    assert_true(now_s() - t0 < 4.0);
    pthread_join(th, NULL);
    spool_close(sp);
    rm_dir(dir);
}

struct writer {
    spool_t *sp;
    uint64_t n;
    size_t max_len;
    double seconds;
    uint64_t bytes;
};

static size_t len_of(uint64_t seq, size_t max_len)
{
    return (size_t)((seq * 2654435761u) % (max_len + 1));
}

static void *do_write(void *arg)
{
    struct writer *w = arg;
    uint8_t *buf = malloc(w->max_len + 1);
    double t0 = now_s();
    for (uint64_t s = 1; s <= w->n; s++) {
        size_t len = len_of(s, w->max_len);
        fill(buf, s, len);
        uint64_t got;
        if (spool_append(w->sp, buf, len, (uint32_t)s, &got) != 0 || got != s) abort();
        w->bytes += 20 + len;
    }
    w->seconds = now_s() - t0;
    free(buf);
    return NULL;
}

/* Reads until batch last arrives; checks order and content; acks as it
 * goes, rewinding now and then. Returns the batches read (with repeats). */
static uint64_t read_all(spool_t *sp, uint64_t last, size_t max_len, bool contiguous)
{
    uint64_t prev = 0, count = 0, acked = 0, rewound = 0;
    uint8_t *want = malloc(max_len + 1);
    while (prev < last) {
        const uint8_t *p;
        size_t n;
        uint64_t s;
        uint32_t e;
        int r = spool_next(sp, &p, &n, &s, &e, 5000);
        assert_int_equal(r, 1);
        assert_true(s > prev);
        if (contiguous) assert_int_equal(s, prev + 1);
        assert_int_equal(n, len_of(s, max_len));
        assert_int_equal(e, (uint32_t)s);
        fill(want, s, n);
        assert_memory_equal(p, want, n);
        prev = s;
        count++;
        if (s % 16 == 0 && s - 8 > acked) {
            assert_int_equal(spool_ack(sp, s - 8), 0);
            acked = s - 8;
        }
        if (s % 1000 == 0 && s > rewound) {
            spool_rewind(sp); /* batches after the last ack come again */
            rewound = s;
            prev = acked;
        }
    }
    free(want);
    return count;
}

static void test_threads(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 64 * MIB, MIB);
    struct writer w = {sp, 20000, 3000, 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, do_write, &w), 0);
    read_all(sp, w.n, w.max_len, true);
    pthread_join(th, NULL);
    assert_int_equal(spool_ack(sp, w.n), 0);
    struct spool_stats st = stats(sp);
    assert_int_equal(st.dropped_batches, 0);
    assert_int_equal(st.appended_batches, w.n);
    spool_close(sp);
    assert_string_equal(listing(dir), "state");
    rm_dir(dir);
}

/* A spool far too small for the writer: drops while the reader reads. */
static void test_threads_dropping(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, MIB, 64 * 1024);
    struct writer w = {sp, 10000, 2000, 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, do_write, &w), 0);
    /* the link is down until the spool has overflowed once */
    for (int i = 0; i < 10000 && stats(sp).dropped_batches == 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    uint64_t prev = 0, got = 0;
    uint8_t want[2001];
    while (prev < w.n) {
        const uint8_t *p;
        size_t n;
        uint64_t s;
        uint32_t e;
        if (spool_next(sp, &p, &n, &s, &e, 5000) != 1)
            fail_msg("no batch after %llu", (unsigned long long)prev);
        assert_true(s > prev);
        assert_int_equal(n, len_of(s, w.max_len));
        fill(want, s, n);
        assert_memory_equal(p, want, n);
        prev = s;
        got++;
        if (got % 4 == 0) {
            struct timespec ts = {0, 200000}; /* a slow link */
            nanosleep(&ts, NULL);
            assert_int_equal(spool_ack(sp, s), 0);
        }
    }
    pthread_join(th, NULL);
    struct spool_stats st = stats(sp);
    assert_true(st.dropped_batches > 0);
    assert_true(got + st.dropped_batches >= w.n); /* each batch read or counted */
    assert_true(st.bytes <= MIB);
    printf("threads_dropping: %llu read, %llu dropped\n", (unsigned long long)got,
           (unsigned long long)st.dropped_batches);
    spool_close(sp);
    rm_dir(dir);
}

/* Appends with a shipper thread reading and acking, as in the sensor. */
static void *do_ship(void *arg)
{
    struct writer *w = arg;
    uint64_t acked = 0;
    while (acked < w->n) {
        const uint8_t *p;
        size_t n;
        uint64_t s;
        uint32_t e;
        if (spool_next(w->sp, &p, &n, &s, &e, 5000) != 1) abort();
        if (s % 64 == 0 || s == w->n) {
            if (spool_ack(w->sp, s) != 0) abort();
            acked = s;
        }
    }
    return NULL;
}

static void test_append_speed(void **state)
{
    (void)state;
    char dir[64];
    mkdir_tmp(dir);
    spool_t *sp = open_ok(dir, 0, 0);
    const size_t len = 16 * 1024;
    const uint64_t n = (256 * MIB) / len;
    uint8_t *buf = malloc(len);
    memset(buf, 'e', len);
    struct writer w = {sp, n, len, 0, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, do_ship, &w), 0);
    double t0 = now_s();
    for (uint64_t i = 0; i < n; i++)
        assert_int_equal(spool_append(sp, buf, len, 20, NULL), 0);
    double dt = now_s() - t0;
    pthread_join(th, NULL);
    printf("spool append: %.0f MB/s (%llu batches of %zu bytes, shipper reading alongside)\n",
           (double)n * (double)(len + 20) / dt / 1e6, (unsigned long long)n, len);
    free(buf);
    spool_close(sp);
    rm_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test(test_append_read_ack),
        cmocka_unit_test(test_rewind),
        cmocka_unit_test(test_format_on_disk),
        cmocka_unit_test(test_reopen_with_segments),
        cmocka_unit_test(test_reopen_without_segments),
        cmocka_unit_test(test_crash_reopen),
        cmocka_unit_test(test_floor_advances),
        cmocka_unit_test(test_ack_deletes_segments),
        cmocka_unit_test(test_full_drops_oldest),
        cmocka_unit_test(test_large_records),
        cmocka_unit_test(test_segment_name_checked),
        cmocka_unit_test(test_reject_and_open_errors),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_corrupt_middle),
        cmocka_unit_test(test_garbage_and_bad_state),
        cmocka_unit_test(test_skip_to),
        cmocka_unit_test(test_reader_waits),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_threads_dropping),
        cmocka_unit_test(test_append_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
