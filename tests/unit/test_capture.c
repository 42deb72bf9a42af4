/* test_capture.c -- offline capture through libpcap: every committed pcap
 * and the pcapng, linktypes, frame counts, microsecond timestamps, progress,
 * BPF filters, and the errors for missing, garbage, empty and truncated
 * files. Frame counts are `tshark -r FILE | wc -l`; linktypes are the
 * LINKTYPE_ field of each file's header (as DLT_ values: LINKTYPE_RAW 101
 * reads as DLT_RAW 12); record sizes of the broken files were read with a
 * few lines of Python (struct) from the files themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture.h"

static char err[1024];

static const char *pcap_path(const char *name)
{
    static char buf[4][1024];
    static int k;
    const char *root = getenv("SOC_SOURCE_DIR");
    if (!root) root = "/work/main"; /* when run by hand */
    char *out = buf[k++ % 4];
    snprintf(out, sizeof(buf[0]), "%s/pcaps/%s", root, name);
    return out;
}

static capture_t *open_file(const char *name, const char *bpf)
{
    capture_config_t cfg = {.file = pcap_path(name), .bpf = bpf};
    err[0] = '\0';
    capture_t *c = capture_open(&cfg, err, sizeof(err));
    if (!c) fail_msg("%s: %s", name, err);
    return c;
}

/* Frames until the end; the last result in *last. */
static int count_frames(capture_t *c, capture_result_t *last)
{
    capture_frame_t f;
    int n = 0;
    capture_result_t r;
    while ((r = capture_next(c, &f)) == CAPTURE_FRAME) {
        assert_non_null(f.data);
        assert_true(f.caplen > 0 && f.caplen <= f.wirelen);
        n++;
    }
    *last = r;
    return n;
}

static void test_all_captures(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int frames, linktype;
    } files[] = {
        {"bsd_loopback.pcap", 18, 0},
        {"city_mix.pcap", 220, 1},
        {"dns.pcap", 21, 1},
        {"flow_timeout.pcap", 16, 1},
        {"fragments.pcap", 16, 1},
        {"geoip.pcap", 49, 1},
        {"http_basic.pcap", 36, 1},
        {"icmp.pcap", 16, 1},
        {"ipv6.pcap", 23, 1},
        {"linux_sll.pcap", 14, 113},
        {"linux_sll2.pcap", 14, 276},
        {"malformed.pcap", 19, 1},
        {"raw_ip.pcap", 16, 12},
        {"tcp_midstream.pcap", 23, 1},
        {"tcp_port_reuse.pcap", 28, 1},
        {"tls.pcap", 54, 1},
        {"vlan.pcap", 57, 1},
        {"pcapng_basic.pcapng", 22, 1},
        {"corrupt/header_only.pcap", 0, 1},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        capture_t *c = open_file(files[i].name, NULL);
        assert_false(capture_is_live(c));
        if (capture_linktype(c) != files[i].linktype)
            fail_msg("%s: linktype %d", files[i].name, capture_linktype(c));
        capture_result_t last;
        int n = count_frames(c, &last);
        if (n != files[i].frames) fail_msg("%s: %d frames", files[i].name, n);
        assert_int_equal(last, CAPTURE_EOF);
        /* EOF stays EOF. */
        capture_frame_t f;
        assert_int_equal(capture_next(c, &f), CAPTURE_EOF);
        capture_close(c);
    }
}

/* dns.pcap frame 1: 2024-03-01 08:10:00.001000 UTC, 77 bytes; frame 2 at
 * .001800, 110 bytes (tshark -T fields -e frame.time_epoch -e frame.len). */
static void test_frames_and_progress(void **state)
{
    (void)state;
    capture_t *c = open_file("dns.pcap", NULL);
    uint64_t pos = 1, size = 0;
    capture_progress(c, &pos, &size);
    assert_int_equal(size, 2150);
    assert_int_equal(pos, 24); /* the global header */
    capture_frame_t f;
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.ts_usec, 1709280600001000LL);
    assert_int_equal(f.caplen, 77);
    assert_int_equal(f.wirelen, 77);
    /* Ethertype IPv4 at bytes 12-13. */
    assert_int_equal(f.data[12], 0x08);
    assert_int_equal(f.data[13], 0x00);
    capture_progress(c, &pos, &size);
    assert_int_equal(pos, 24 + 16 + 77);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.ts_usec, 1709280600001800LL);
    assert_int_equal(f.caplen, 110);
    capture_progress(c, &pos, &size);
    assert_int_equal(pos, 24 + 16 + 77 + 16 + 110);
    capture_result_t last;
    assert_int_equal(count_frames(c, &last), 19);
    capture_progress(c, &pos, &size);
    assert_int_equal(pos, 2150);
    assert_int_equal(size, 2150);

    capture_stats_t st;
    memset(&st, 0xff, sizeof(st));
    capture_get_stats(c, &st); /* offline: nothing to report */
    assert_false(st.valid);
    assert_int_equal(st.kernel_packets, 0);
    assert_int_equal(st.kernel_drops, 0);
    capture_close(c);
}

/* pcapng_basic: interface 0 in microseconds, interface 1 in nanoseconds;
 * frame i (1-based) is at 1709287800 s + i ms on both (tshark
 * frame.time_epoch), all delivered in microseconds. */
static void test_pcapng_timestamps(void **state)
{
    (void)state;
    capture_t *c = open_file("pcapng_basic.pcapng", NULL);
    static const uint32_t lens[22] = {66,  66, 54, 169, 54,  161, 54,  54, 54, 54, 78,
                                      112, 66, 66, 54,  167, 54,  159, 54, 54, 54, 54};
    capture_frame_t f;
    for (int i = 0; i < 22; i++) {
        assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
        assert_int_equal(f.ts_usec, 1709287800000000LL + (int64_t)(i + 1) * 1000);
        assert_int_equal(f.caplen, lens[i]);
        assert_int_equal(f.wirelen, lens[i]);
    }
    assert_int_equal(capture_next(c, &f), CAPTURE_EOF);
    uint64_t pos, size;
    capture_progress(c, &pos, &size);
    assert_int_equal(size, 2620);
    assert_int_equal(pos, 2620);
    capture_close(c);
}

static void test_open_errors(void **state)
{
    (void)state;
    char want[1100];
    capture_config_t cfg = {.file = "/nonexistent/x.pcap"};
    assert_null(capture_open(&cfg, err, sizeof(err)));
    assert_string_equal(err, "/nonexistent/x.pcap: cannot open: No such file or directory");

    /* libpcap's own words after "not a readable pcap or pcapng file". */
    static const struct {
        const char *name, *why;
    } bad[] = {
        {"corrupt/garbage_header.pcap", "unknown file format"},
        {"corrupt/empty.pcap",
         "truncated dump file; tried to read 4 file header bytes, only got 0"},
        /* 12 bytes: the magic, then 8 more (libpcap names the whole 24) */
        {"corrupt/truncated_header.pcap",
         "truncated dump file; tried to read 24 file header bytes, only got 8"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cfg.file = pcap_path(bad[i].name);
        err[0] = '\0';
        assert_null(capture_open(&cfg, err, sizeof(err)));
        snprintf(want, sizeof(want), "%s: not a readable pcap or pcapng file: %s", cfg.file,
                 bad[i].why);
        assert_string_equal(err, want);
    }

    /* A directory opens with fopen() but is no capture. */
    cfg.file = "/";
    err[0] = '\0';
    assert_null(capture_open(&cfg, err, sizeof(err)));
    assert_string_equal(err, "/: not a readable pcap or pcapng file: error reading dump file: Is "
                             "a directory");
}

/* truncated_record.pcap: 35 whole records, then record 36 whose 16-byte
 * header says 60 bytes of which 10 remain. */
static void test_truncated_pcap(void **state)
{
    (void)state;
    capture_t *c = open_file("corrupt/truncated_record.pcap", NULL);
    capture_result_t last;
    assert_int_equal(count_frames(c, &last), 35);
    assert_int_equal(last, CAPTURE_ERROR);
    assert_string_equal(capture_error(c),
                        "truncated dump file; tried to read 60 captured bytes, only got 10");
    uint64_t pos, size;
    capture_progress(c, &pos, &size);
    assert_int_equal(size, 7661);
    capture_close(c);
}

/* truncated_block.pcapng: 35 Enhanced Packet Blocks, then one that says 92
 * bytes of which 62 remain (8 of them its type and length). */
static void test_truncated_pcapng(void **state)
{
    (void)state;
    capture_t *c = open_file("corrupt/truncated_block.pcapng", NULL);
    capture_result_t last;
    assert_int_equal(count_frames(c, &last), 35);
    assert_int_equal(last, CAPTURE_ERROR);
    assert_string_equal(capture_error(c),
                        "truncated pcapng dump file; tried to read 84 bytes, only got 54");
    capture_close(c);
}

/* BPF on a file: dns.pcap has 11 UDP frames (10 IPv4, 1 IPv6) and 10 TCP
 * frames (tshark -Y udp / -Y tcp). */
static void test_bpf_filter(void **state)
{
    (void)state;
    capture_result_t last;
    capture_t *c = open_file("dns.pcap", "udp");
    assert_int_equal(count_frames(c, &last), 11);
    assert_int_equal(last, CAPTURE_EOF);
    capture_close(c);

    c = open_file("dns.pcap", "tcp port 53");
    assert_int_equal(count_frames(c, &last), 10);
    capture_close(c);

    c = open_file("dns.pcap", "ip6");
    assert_int_equal(count_frames(c, &last), 2);
    capture_close(c);

    /* http_basic: 2 ARP frames. */
    c = open_file("http_basic.pcap", "arp");
    assert_int_equal(count_frames(c, &last), 2);
    capture_close(c);

    /* An empty filter is no filter. */
    c = open_file("dns.pcap", "");
    assert_int_equal(count_frames(c, &last), 21);
    capture_close(c);
}

static void test_bad_bpf(void **state)
{
    (void)state;
    capture_config_t cfg = {.file = pcap_path("dns.pcap"), .bpf = "udp and"};
    err[0] = '\0';
    assert_null(capture_open(&cfg, err, sizeof(err)));
    char want[1100];
    snprintf(want, sizeof(want),
             "%s: bad capture filter 'udp and': can't parse filter expression: syntax error",
             cfg.file);
    assert_string_equal(err, want);

    cfg.bpf = "port 99999";
    err[0] = '\0';
    assert_null(capture_open(&cfg, err, sizeof(err)));
    snprintf(want, sizeof(want),
             "%s: bad capture filter 'port 99999': illegal port number 99999 > 65535", cfg.file);
    assert_string_equal(err, want);
}

/* capture_break: the next capture_next() says EOF. */
static void test_break(void **state)
{
    (void)state;
    capture_t *c = open_file("dns.pcap", NULL);
    capture_frame_t f;
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    capture_break(c);
    assert_int_equal(capture_next(c, &f), CAPTURE_EOF);
    capture_close(c);
    capture_close(NULL);
}

/* A live source that does not exist fails with a message naming it. */
static void test_live_no_such_interface(void **state)
{
    (void)state;
    capture_config_t cfg = {.iface = "soc-nosuch0", .snaplen = 1500};
    err[0] = '\0';
    assert_null(capture_open(&cfg, err, sizeof(err)));
    /* "IFACE: cannot capture: " and libpcap's reason: as root (Debian 12)
     * "No such device exists"; without privileges a permission message. */
    const char *want = "soc-nosuch0: cannot capture: ";
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_true(strlen(err) > strlen(want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_captures),
        cmocka_unit_test(test_frames_and_progress),
        cmocka_unit_test(test_pcapng_timestamps),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_truncated_pcap),
        cmocka_unit_test(test_truncated_pcapng),
        cmocka_unit_test(test_bpf_filter),
        cmocka_unit_test(test_bad_bpf),
        cmocka_unit_test(test_break),
        cmocka_unit_test(test_live_no_such_interface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
