/* test_pipeline.c -- whole captures through capture -> pipeline -> EVE file:
 * which events come out, in what order, with which counters, and the
 * sensor{name,boot_id,seq} identity on every one.
 *
 * Expected flows are the hand-checked manifests (pcaps/expected/NAME.json:
 * tuple, pkts/bytes per direction, anomalies per decoder event); frame times
 * are tshark's frame.time_epoch; total bytes are ndpiReader's. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

#define MAX_LINES 256

typedef struct run {
    char *buf;
    char *line[MAX_LINES];
    size_t n;
    char boot[33];
    uint64_t packets;
    int64_t last_ts;
} run_t;

static const char *pcap_path(const char *name)
{
    static char buf[1024];
    const char *root = getenv("SOC_SOURCE_DIR");
    snprintf(buf, sizeof(buf), "%s/pcaps/%s", root ? root : "/work/main", name);
    return buf;
}

static void read_lines(const char *path, run_t *r)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    r->buf = malloc((size_t)size + 1);
    assert_int_equal(fread(r->buf, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    r->buf[size] = '\0';
    r->n = 0;
    for (char *s = r->buf; *s;) {
        char *nl = strchr(s, '\n');
        assert_non_null(nl); /* every event ends with a newline */
        *nl = '\0';
        assert_true(r->n < MAX_LINES);
        r->line[r->n++] = s;
        s = nl + 1;
    }
}

/* Run a capture file through a pipeline with cfg, EVE into a temp file. */
static void run_file(const char *name, sensor_config_t *cfg, run_t *r)
{
    char err[1024] = "";
    char path[] = "/tmp/test_pipeline_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    capture_config_t cc = {.file = pcap_path(name)};
    capture_t *cap = capture_open(&cc, err, sizeof(err));
    if (!cap) fail_msg("%s", err);
    eve_t *eve = eve_open(path, cfg->name, NULL, err, sizeof(err));
    assert_non_null(eve);
    snprintf(r->boot, sizeof(r->boot), "%s", eve_boot_id(eve));
    pipeline_t *pl = pipeline_new(cfg, eve, capture_linktype(cap), err, sizeof(err));
    if (!pl) fail_msg("%s", err);
    pipeline_attach_capture(pl, cap);
    capture_frame_t fr;
    capture_result_t res;
    while ((res = capture_next(cap, &fr)) == CAPTURE_FRAME)
        pipeline_packet(pl, &fr);
    assert_int_equal(res, CAPTURE_EOF);
    pipeline_finish(pl);
    r->packets = pipeline_packets(pl);
    r->last_ts = pipeline_last_ts(pl);
    pipeline_free(pl);
    assert_int_equal(eve_close(eve, err, sizeof(err)), 0);
    capture_close(cap);
    read_lines(path, r);
    unlink(path);
}

static void config(sensor_config_t *cfg)
{
    sensor_config_defaults(cfg);
    snprintf(cfg->name, sizeof(cfg->name), "lt-sensor");
    cfg->flow.max_flows = 1024; /* small tables: the captures are small */
    cfg->dpi.max_detecting = 64;
}

/* Every line: one object, its sensor object last, seq 1, 2, 3 ... in file
 * order, one boot_id of 32 hex digits. */
static void check_identity(const run_t *r)
{
    assert_int_equal(strlen(r->boot), 32);
    for (size_t i = 0; i < 32; i++)
        assert_true(isdigit((unsigned char)r->boot[i]) || (r->boot[i] >= 'a' && r->boot[i] <= 'f'));
    for (size_t i = 0; i < r->n; i++) {
        const char *l = r->line[i];
        char want[160];
        snprintf(want, sizeof(want),
                 ",\"sensor\":{\"name\":\"lt-sensor\",\"boot_id\":\"%s\",\"seq\":%zu}}", r->boot,
                 i + 1);
        size_t n = strlen(l), wn = strlen(want);
        if (n <= wn || strcmp(l + n - wn, want) != 0) fail_msg("line %zu: %s", i + 1, l);
        assert_true(strncmp(l, "{\"timestamp\":\"", 14) == 0);
        /* "sensor" appears once: nothing else is called that */
        assert_ptr_equal(strstr(l, "\"sensor\":"), l + n - wn + 1);
    }
}

static void assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0) fail_msg("want prefix %s in %s", prefix, s);
}

static size_t count_type(const run_t *r, const char *type)
{
    char key[64];
    snprintf(key, sizeof(key), "\"event_type\":\"%s\"", type);
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += strstr(r->line[i], key) != NULL;
    return n;
}

/* The one line with all of the given substrings (NULL-terminated). */
static const char *find_line(const run_t *r, const char *first, ...)
{
    const char *hit = NULL;
    for (size_t i = 0; i < r->n; i++) {
        va_list ap;
        va_start(ap, first);
        bool all = true;
        for (const char *s = first; s; s = va_arg(ap, const char *))
            all = all && strstr(r->line[i], s);
        va_end(ap);
        if (all) {
            if (hit) fail_msg("two lines match %s", first);
            hit = r->line[i];
        }
    }
    if (!hit) fail_msg("no line matches %s", first);
    return hit;
}

/* ---- dns.pcap ---------------------------------------------------------- */

static void test_dns(void **state)
{
    (void)state;
    sensor_config_t cfg;
    config(&cfg);
    run_t r;
    run_file("dns.pcap", &cfg, &r);
    assert_int_equal(r.packets, 21);
    assert_int_equal(r.last_ts, 1709280600020000LL); /* frame 21 */
    check_identity(&r);

    /* 7 flows; a DNS event per query (7) and per answer (6: 53005 got none);
     * no anomaly; the final stats event last. */
    assert_int_equal(r.n, 21);
    assert_int_equal(count_type(&r, "flow"), 7);
    assert_int_equal(count_type(&r, "dns"), 13);
    assert_int_equal(count_type(&r, "anomaly"), 0);
    assert_int_equal(count_type(&r, "stats"), 1);
    assert_non_null(strstr(r.line[20], "\"event_type\":\"stats\""));

    static const struct {
        const char *tuple, *counts;
        int dns_events;
    } flows[] = {
        {"\"src_ip\":\"192.168.1.50\",\"src_port\":53001,\"dest_ip\":\"192.168.1.1\",",
         "1,\"pkts_toclient\":1,\"bytes_toserver\":77,\"bytes_toclient\":110,", 2},
        {"\"src_ip\":\"192.168.1.50\",\"src_port\":53002,\"dest_ip\":\"192.168.1.1\",",
         "1,\"pkts_toclient\":1,\"bytes_toserver\":77,\"bytes_toclient\":122,", 2},
        {"\"src_ip\":\"192.168.1.50\",\"src_port\":53003,\"dest_ip\":\"192.168.1.1\",",
         "1,\"pkts_toclient\":1,\"bytes_toserver\":84,\"bytes_toclient\":172,", 2},
        {"\"src_ip\":\"192.168.1.50\",\"src_port\":53004,\"dest_ip\":\"192.168.1.1\",",
         "1,\"pkts_toclient\":1,\"bytes_toserver\":80,\"bytes_toclient\":80,", 2},
        {"\"src_ip\":\"192.168.1.50\",\"src_port\":53005,\"dest_ip\":\"192.168.1.1\",",
         "1,\"pkts_toclient\":0,\"bytes_toserver\":84,\"bytes_toclient\":0,", 1},
        {"\"src_ip\":\"fd00:10::50\",\"src_port\":53006,\"dest_ip\":\"fd00:10::1\",",
         "1,\"pkts_toclient\":1,\"bytes_toserver\":98,\"bytes_toclient\":132,", 2},
        {"\"src_ip\":\"192.168.1.50\",\"src_port\":40000,\"dest_ip\":\"192.168.1.1\",",
         "6,\"pkts_toclient\":4,\"bytes_toserver\":374,\"bytes_toclient\":300,", 2},
    };
    for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
        char counts[160];
        snprintf(counts, sizeof(counts), "\"flow\":{\"pkts_toserver\":%s", flows[i].counts);
        const char *l = find_line(&r, "\"event_type\":\"flow\"", flows[i].tuple, NULL);
        assert_non_null(strstr(l, "\"dest_port\":53,"));
        assert_non_null(strstr(l, "\"app_proto\":\"dns\""));
        assert_non_null(strstr(l, counts));
        assert_non_null(strstr(l, "\"reason\":\"shutdown\""));
        /* dns events: the query client to server, the answer back */
        const char *port = strstr(flows[i].tuple, "\"src_port\":") + 11;
        char q[64], a[64];
        int p = atoi(port);
        snprintf(q, sizeof(q), "\"src_port\":%d,", p);
        snprintf(a, sizeof(a), "\"dest_port\":%d,", p);
        int nq = 0, na = 0;
        for (size_t k = 0; k < r.n; k++) {
            if (!strstr(r.line[k], "\"event_type\":\"dns\"")) continue;
            nq += strstr(r.line[k], q) && strstr(r.line[k], "\"type\":\"query\"");
            na += strstr(r.line[k], a) && strstr(r.line[k], "\"type\":\"answer\"");
        }
        assert_int_equal(nq, 1);
        assert_int_equal(na, flows[i].dns_events - 1);
    }

    /* The final stats: at the last packet's time; 1790 bytes in 21 frames
     * (ndpiReader); all 7 flows ended at shutdown, all there at once at the
     * end; nDPI finished 5 flows itself and settled 2 at the end (the
     * NXDOMAIN answer without records, the unanswered query). */
    const char *s = r.line[20];
    assert_prefix(s, "{\"timestamp\":\"2024-03-01T08:10:00.020000+0000\",\"event_type\":"
                     "\"stats\",\"stats\":{\"uptime\":0,\"decoder\":{\"pkts\":21,\"bytes\":"
                     "1790,\"ethernet\":21,");
    assert_non_null(strstr(s, "\"ipv4\":19,\"ipv6\":2,\"tcp\":10,\"udp\":11,"));
    assert_non_null(
        strstr(s, "\"flow\":{\"active\":0,\"active_max\":7,\"capacity\":1024,\"created\":7,"
                  "\"ended\":7,\"timeout\":0,\"evicted\":0,\"shutdown\":7,\"reused\":0,"
                  "\"tcp\":1,\"udp\":6,\"icmp\":0,\"other\":0}"));
    assert_non_null(strstr(s, "\"dpi\":{\"detecting\":0,\"detecting_max\":3,\"detected\":7,"
                              "\"given_up\":0,\"pool_exhausted\":0}"));
    assert_non_null(strstr(s, "\"app_layer\":{\"flow\":{\"dns\":7},"));
    assert_non_null(strstr(s, "\"tx\":{\"http\":0,\"tls\":0,\"dns\":13}"));
    assert_non_null(strstr(s, "\"eve\":{\"events\":21,\"dropped\":0}"));
    assert_null(strstr(s, "\"capture\"")); /* offline: no kernel counters */
    free(r.buf);
}

/* ---- flow_timeout.pcap: timeouts and periodic stats --------------------- */

/* Frames at t0 = 11:00:00.001 UTC, then +45 s, +45.001, +45.002, +245.002,
 * ... +945.012 (tshark). With stats every 30 s of packet time, a stats event
 * follows the first packet at least 30 s after the previous one (or the
 * start): frames 2 (11:00:45.001), 5 (11:04:05.003) and 12 (11:15:45.009);
 * then the final one at the last frame (11:15:45.013). */
static void test_timeouts_and_periodic_stats(void **state)
{
    (void)state;
    sensor_config_t cfg;
    config(&cfg);
    assert_int_equal(cfg.stats_interval, 30);
    run_t r;
    run_file("flow_timeout.pcap", &cfg, &r);
    assert_int_equal(r.packets, 16);
    check_identity(&r);
    assert_int_equal(count_type(&r, "flow"), 5);
    assert_int_equal(count_type(&r, "anomaly"), 0);
    assert_int_equal(count_type(&r, "stats"), 4);

    static const char *const stats_ts[4] = {
        "2024-03-01T11:00:45.001000+0000", "2024-03-01T11:04:05.003000+0000",
        "2024-03-01T11:15:45.009000+0000", "2024-03-01T11:15:45.013000+0000"};
    int k = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (!strstr(r.line[i], "\"event_type\":\"stats\"")) continue;
        char want[96];
        snprintf(want, sizeof(want), "{\"timestamp\":\"%s\",\"event_type\":\"stats\",",
                 stats_ts[k]);
        assert_prefix(r.line[i], want);
        k++;
    }
    assert_non_null(strstr(r.line[r.n - 1], "\"event_type\":\"stats\""));
    assert_non_null(strstr(r.line[r.n - 1], "\"eve\":{\"events\":"));

    /* Manifest flows: the one-way UDP packet twice 45 s apart (new: 30 s)
     * is two flows; the UDP flow idle 200 s while established (300 s) is
     * one; the TCP connection idle 700 s while established (600 s) is two.
     * At the frame 700 s after the pause (945.008) every flow but the new
     * TCP one has been idle past its timeout: only that one is left for the
     * end of the capture. */
    const char *udp1 = "\"src_ip\":\"10.0.7.1\",\"src_port\":6000,\"dest_ip\":\"10.0.7.2\","
                       "\"dest_port\":6001,\"proto\":\"UDP\"";
    const char *one = "\"flow\":{\"pkts_toserver\":1,\"pkts_toclient\":0,\"bytes_toserver\":50,"
                      "\"bytes_toclient\":0,";
    find_line(&r, udp1, one, "\"start\":\"2024-03-01T11:00:00.001000+0000\"",
              "\"state\":\"new\",\"reason\":\"timeout\"", NULL);
    find_line(&r, udp1, one, "\"start\":\"2024-03-01T11:00:45.001000+0000\"",
              "\"state\":\"new\",\"reason\":\"timeout\"", NULL);
    find_line(&r,
              "\"src_ip\":\"10.0.7.3\",\"src_port\":6002,\"dest_ip\":\"10.0.7.4\","
              "\"dest_port\":6003,\"proto\":\"UDP\"",
              "\"flow\":{\"pkts_toserver\":2,\"pkts_toclient\":2,\"bytes_toserver\":98,"
              "\"bytes_toclient\":98,",
              "\"state\":\"established\",\"reason\":\"timeout\"", NULL);
    const char *tcp = "\"src_ip\":\"10.0.7.5\",\"src_port\":42000,\"dest_ip\":\"10.0.7.6\","
                      "\"dest_port\":7000,\"proto\":\"TCP\"";
    find_line(&r, tcp,
              "\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,\"bytes_toserver\":185,"
              "\"bytes_toclient\":120,",
              "\"reason\":\"timeout\"", NULL);
    find_line(&r, tcp,
              "\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,\"bytes_toserver\":172,"
              "\"bytes_toclient\":108,",
              "\"reason\":\"shutdown\"", "\"midstream\":true", NULL);
    const char *fin = r.line[r.n - 1];
    assert_non_null(strstr(fin, "\"created\":5,\"ended\":5,\"timeout\":4,\"evicted\":0,"
                                "\"shutdown\":1,"));
    free(r.buf);
}

/* stats-interval 0: only the final stats event. */
static void test_no_periodic_stats(void **state)
{
    (void)state;
    sensor_config_t cfg;
    config(&cfg);
    cfg.stats_interval = 0;
    run_t r;
    run_file("flow_timeout.pcap", &cfg, &r);
    check_identity(&r);
    assert_int_equal(count_type(&r, "stats"), 1);
    assert_non_null(strstr(r.line[r.n - 1], "\"event_type\":\"stats\""));
    free(r.buf);
}

/* ---- malformed.pcap: anomaly events ------------------------------------ */

static void test_malformed(void **state)
{
    (void)state;
    sensor_config_t cfg;
    config(&cfg);
    run_t r;
    run_file("malformed.pcap", &cfg, &r);
    assert_int_equal(r.packets, 19);
    check_identity(&r);
    /* The manifest's anomalies: each decoder event and how many frames. */
    static const struct {
        const char *event;
        size_t n;
    } anom[] = {
        {"ethernet.pkt_too_small", 1}, {"icmpv4.pkt_too_small", 1},
        {"ipv4.hlen_too_small", 1},    {"ipv4.iplen_smaller_than_hlen", 1},
        {"ipv4.pkt_too_small", 1},     {"ipv4.trunc_pkt", 1},
        {"ipv4.wrong_ip_version", 1},  {"ipv6.pkt_too_small", 1},
        {"ipv6.trunc_exthdr", 1},      {"ipv6.trunc_pkt", 1},
        {"tcp.hlen_too_small", 1},     {"tcp.pkt_too_small", 1},
        {"udp.hlen_invalid", 1},       {"udp.pkt_too_small", 2},
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof(anom) / sizeof(anom[0]); i++) {
        char ev[96];
        snprintf(ev, sizeof(ev), "\"event\":\"decoder.%s\"", anom[i].event);
        size_t n = 0;
        for (size_t k = 0; k < r.n; k++)
            n += strstr(r.line[k], "\"event_type\":\"anomaly\"") && strstr(r.line[k], ev);
        if (n != anom[i].n) fail_msg("%s: %zu events", anom[i].event, n);
        total += n;
    }
    assert_int_equal(count_type(&r, "anomaly"), total);
    assert_int_equal(total, 15);
    /* The one valid flow, and the stats' per-event counters. */
    find_line(&r, "\"event_type\":\"flow\"",
              "\"src_ip\":\"10.9.0.1\",\"src_port\":1000,\"dest_ip\":\"10.9.0.2\","
              "\"dest_port\":2000,\"proto\":\"UDP\"",
              "\"flow\":{\"pkts_toserver\":2,\"pkts_toclient\":2,\"bytes_toserver\":107,"
              "\"bytes_toclient\":106,",
              NULL);
    const char *s = r.line[r.n - 1];
    assert_non_null(strstr(s, "\"event_type\":\"stats\""));
    assert_non_null(strstr(s, "\"udp\":{\"pkt_too_small\":2,\"hlen_invalid\":1}"));
    assert_non_null(strstr(s, "\"ethernet\":{\"pkt_too_small\":1}"));
    free(r.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns),
        cmocka_unit_test(test_timeouts_and_periodic_stats),
        cmocka_unit_test(test_no_periodic_stats),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
