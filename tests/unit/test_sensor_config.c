/* test_sensor_config.c -- soc-sensor's settings: the built-in defaults
 * (Suricata's stock suricata.yaml values), the `sensor:` section of a YAML
 * file with every key, durations and sizes, and the one-line errors
 * ("FILE:LINE:COL: PATH: message") for unknown keys, wrong types, values out
 * of range and missing files. Lines and columns are counted by hand in the
 * YAML text of each test (1-based; a value's column is where it starts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pipeline/sensor_config.h"

static char path[64];
static char err[512];

/* Write text to a fresh temp file (name in path). */
static void write_yaml(const char *text)
{
    snprintf(path, sizeof(path), "/tmp/test_sensor_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Load text over the defaults; expect failure with "PATH:" + want_tail. */
static void expect_error(const char *text, const char *want_tail)
{
    sensor_config_t c;
    sensor_config_defaults(&c);
    write_yaml(text);
    err[0] = '\0';
    assert_int_equal(sensor_config_load(&c, path, err, sizeof(err)), -1);
    char want[512];
    snprintf(want, sizeof(want), "%s:%s", path, want_tail);
    assert_string_equal(err, want);
    unlink(path);
}

static void test_defaults(void **state)
{
    (void)state;
    sensor_config_t c;
    memset(&c, 0x5a, sizeof(c)); /* defaults must set everything */
    sensor_config_defaults(&c);
    char host[128] = "";
    assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
    assert_string_equal(c.name, host[0] ? host : "sensor");
    assert_string_equal(c.eve_path, "eve.json");
    assert_string_equal(c.geoip_city, "");
    assert_string_equal(c.geoip_asn, "");
    assert_int_equal(c.stats_interval, 30);
    assert_int_equal(c.app_memcap, 256ull << 20);
    assert_null(c.capture.file);
    assert_null(c.capture.iface);
    assert_null(c.capture.bpf);
    assert_int_equal(c.capture.snaplen, 65535);
    assert_true(c.capture.promisc);
    assert_int_equal(c.capture.buffer_bytes, 0);
    assert_string_equal(c.bpf, "");
    assert_string_equal(c.file, "");
    assert_string_equal(c.iface, "");
    assert_int_equal(c.flow.max_flows, 1000000);
    assert_int_equal(c.flow.hash_size, 0);
    assert_int_equal(c.flow.hash_seed, 0);
    /* suricata.yaml flow-timeouts: tcp 60/600/60; udp, icmp and default
     * 30/300 (no closed state: 0). */
    const flow_timeouts_t *t = c.flow.timeouts;
    assert_int_equal(t[FLOW_PROTO_TCP].new_ms, 60000);
    assert_int_equal(t[FLOW_PROTO_TCP].established_ms, 600000);
    assert_int_equal(t[FLOW_PROTO_TCP].closed_ms, 60000);
    for (int i = FLOW_PROTO_UDP; i < FLOW_PROTO_COUNT; i++) {
        assert_int_equal(t[i].new_ms, 30000);
        assert_int_equal(t[i].established_ms, 300000);
        assert_int_equal(t[i].closed_ms, 0);
    }
    /* suricata.yaml defrag: memcap 32mb, trackers 65535, timeout 60. */
    assert_int_equal(c.defrag.memcap_bytes, 32u << 20);
    assert_int_equal(c.defrag.max_trackers, 65535);
    assert_int_equal(c.defrag.timeout_sec, 60);
    /* ndpiReader's limits. */
    assert_int_equal(c.dpi.max_detecting, 262144);
    assert_int_equal(c.dpi.max_tcp_packets, 80);
    assert_int_equal(c.dpi.max_udp_packets, 24);
}

static void test_every_key(void **state)
{
    (void)state;
    write_yaml("sensor:\n"
               "  name: ioc-edge-1\n"
               "  eve: /var/log/soc/eve.json\n"
               "  stats-interval: 5m\n"
               "  geoip:\n"
               "    city: /var/lib/GeoIP/GeoLite2-City.mmdb\n"
               "    asn: /var/lib/GeoIP/GeoLite2-ASN.mmdb\n"
               "  capture:\n"
               "    interface: eth1\n"
               "    filter: \"not port 22\"\n"
               "    snaplen: 1518\n"
               "    promisc: no\n"
               "    buffer-size: 64mb\n"
               "  flow:\n"
               "    max-flows: 50000\n"
               "    hash-size: 65536\n"
               "    timeouts:\n"
               "      tcp: { new: 1m, established: 1h, closed: 10s }\n"
               "      udp: { new: 15, established: 2m, closed: 1 }\n"
               "      icmp: { new: 5s, established: 40, closed: 2 }\n"
               "      default: { new: 3, established: 4, closed: 500ms }\n"
               "  defrag:\n"
               "    memcap: 16mb\n"
               "    max-trackers: 1000\n"
               "    timeout: 2m\n"
               "  dpi:\n"
               "    max-detecting: 1024\n"
               "    max-tcp-packets: 40\n"
               "    max-udp-packets: 12\n"
               "  app-layer:\n"
               "    memcap: 1gb\n"
               "    http: { request-body-limit: 100kb, response-body-limit: 2mb }\n"
               "  stream:\n"
               "    depth: 4mb\n"
               "    memcap: 512mb\n"
               "ingest:\n" /* other programs' sections are not ours to judge */
               "  listen: 0.0.0.0:7000\n");
    sensor_config_t c;
    sensor_config_defaults(&c);
    assert_int_equal(sensor_config_load(&c, path, err, sizeof(err)), 0);
    unlink(path);
    assert_string_equal(c.name, "ioc-edge-1");
    assert_string_equal(c.eve_path, "/var/log/soc/eve.json");
    assert_int_equal(c.stats_interval, 300);
    assert_string_equal(c.geoip_city, "/var/lib/GeoIP/GeoLite2-City.mmdb");
    assert_string_equal(c.geoip_asn, "/var/lib/GeoIP/GeoLite2-ASN.mmdb");
    assert_string_equal(c.iface, "eth1");
    assert_string_equal(c.bpf, "not port 22");
    assert_int_equal(c.capture.snaplen, 1518);
    assert_false(c.capture.promisc);
    assert_int_equal(c.capture.buffer_bytes, 64 << 20);
    assert_int_equal(c.flow.max_flows, 50000);
    assert_int_equal(c.flow.hash_size, 65536);
    const flow_timeouts_t *t = c.flow.timeouts;
    assert_int_equal(t[FLOW_PROTO_TCP].new_ms, 60000);
    assert_int_equal(t[FLOW_PROTO_TCP].established_ms, 3600000);
    assert_int_equal(t[FLOW_PROTO_TCP].closed_ms, 10000);
    assert_int_equal(t[FLOW_PROTO_UDP].new_ms, 15000);
    assert_int_equal(t[FLOW_PROTO_UDP].established_ms, 120000);
    assert_int_equal(t[FLOW_PROTO_UDP].closed_ms, 1000);
    assert_int_equal(t[FLOW_PROTO_ICMP].new_ms, 5000);
    assert_int_equal(t[FLOW_PROTO_ICMP].established_ms, 40000);
    assert_int_equal(t[FLOW_PROTO_ICMP].closed_ms, 2000);
    assert_int_equal(t[FLOW_PROTO_OTHER].new_ms, 3000);
    assert_int_equal(t[FLOW_PROTO_OTHER].established_ms, 4000);
    assert_int_equal(t[FLOW_PROTO_OTHER].closed_ms, 500);
    assert_int_equal(c.defrag.memcap_bytes, 16u << 20);
    assert_int_equal(c.defrag.max_trackers, 1000);
    assert_int_equal(c.defrag.timeout_sec, 120);
    assert_int_equal(c.dpi.max_detecting, 1024);
    assert_int_equal(c.dpi.max_tcp_packets, 40);
    assert_int_equal(c.dpi.max_udp_packets, 12);
    assert_int_equal(c.app_memcap, 1ull << 30);
    assert_int_equal(c.http_body_limit[DIR_TOSERVER], 100 << 10);
    assert_int_equal(c.http_body_limit[DIR_TOCLIENT], 2 << 20);
    assert_int_equal(c.stream_depth, 4 << 20);
    assert_int_equal(c.stream_memcap, 512ull << 20);
}

/* Keys not given keep their defaults, also inside a partly given map. */
static void test_partial(void **state)
{
    (void)state;
    write_yaml("sensor:\n"
               "  flow:\n"
               "    timeouts:\n"
               "      udp:\n"
               "        new: 10\n"
               "  capture:\n"
               "    buffer-size: 1048576\n"
               "  stats-interval: 0\n"
               "  dpi: ~\n");
    sensor_config_t c;
    sensor_config_defaults(&c);
    assert_int_equal(sensor_config_load(&c, path, err, sizeof(err)), 0);
    unlink(path);
    const flow_timeouts_t *t = c.flow.timeouts;
    assert_int_equal(t[FLOW_PROTO_UDP].new_ms, 10000);
    assert_int_equal(t[FLOW_PROTO_UDP].established_ms, 300000);
    assert_int_equal(t[FLOW_PROTO_TCP].established_ms, 600000);
    assert_int_equal(c.flow.max_flows, 1000000);
    assert_int_equal(c.capture.buffer_bytes, 1 << 20);
    assert_int_equal(c.capture.snaplen, 65535);
    assert_true(c.capture.promisc);
    assert_int_equal(c.stats_interval, 0);
    assert_int_equal(c.dpi.max_detecting, 262144);
    assert_int_equal(c.dpi.max_tcp_packets, 80);
    assert_string_equal(c.eve_path, "eve.json");

    /* An empty file, or one without a sensor section: all defaults. */
    sensor_config_t d;
    sensor_config_defaults(&d);
    write_yaml("");
    assert_int_equal(sensor_config_load(&c, path, err, sizeof(err)), 0);
    unlink(path);
    write_yaml("console:\n  port: 8443\n");
    assert_int_equal(sensor_config_load(&c, path, err, sizeof(err)), 0);
    unlink(path);
    sensor_config_defaults(&c);
    write_yaml("sensor:\n");
    assert_int_equal(sensor_config_load(&c, path, err, sizeof(err)), 0);
    unlink(path);
    /* The file read is remembered (its vars: feed the rule loader). */
    assert_string_equal(c.config_path, path);
    memset(c.config_path, 0, sizeof(c.config_path));
    assert_memory_equal(&c, &d, sizeof(c));
}

static void test_unknown_keys(void **state)
{
    (void)state;
    expect_error("sensor:\n"
                 "  name: x\n"
                 "  nmae: y\n",
                 "3:3: sensor: unknown key 'nmae' (did you mean 'name'?)");
    expect_error("sensor:\n"
                 "  frobnicate: 1\n",
                 "2:3: sensor: unknown key 'frobnicate'");
    expect_error("sensor:\n"
                 "  flow:\n"
                 "    timeouts:\n"
                 "      tcp:\n"
                 "        new: 30\n"
                 "        establised: 600\n",
                 "6:9: sensor.flow.timeouts.tcp: unknown key 'establised' (did you mean "
                 "'established'?)");
    expect_error("sensor:\n"
                 "  flow:\n"
                 "    timeouts:\n"
                 "      sctp: { new: 1 }\n",
                 "4:7: sensor.flow.timeouts: unknown key 'sctp' (did you mean 'tcp'?)");
    expect_error("sensor:\n"
                 "  capture: { interface: eth0, filtre: udp }\n",
                 "2:31: sensor.capture: unknown key 'filtre' (did you mean 'filter'?)");
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_error("sensor: [1, 2]\n", "1:9: sensor: expected a mapping, got a sequence");
    expect_error("sensor:\n"
                 "  flow: 5\n",
                 "2:9: sensor.flow: expected a mapping, got a scalar");
    expect_error("sensor:\n"
                 "  name: [a, b]\n",
                 "2:9: sensor.name: expected a string, got a sequence");
    expect_error("sensor:\n"
                 "  capture:\n"
                 "    snaplen: abc\n",
                 "3:14: sensor.capture.snaplen: expected an integer 64..262144, got 'abc'");
    expect_error("sensor:\n"
                 "  capture:\n"
                 "    promisc: maybe\n",
                 "3:14: sensor.capture.promisc: expected a boolean (yes/no, true/false, "
                 "on/off), got 'maybe'");
    expect_error("sensor:\n"
                 "  stats-interval: 5x\n",
                 "2:19: sensor.stats-interval: expected a duration 0..604800 seconds (like "
                 "30s, 5m, 1h, 1d), got '5x'");
    expect_error("sensor:\n"
                 "  geoip:\n"
                 "    city: {a: b}\n",
                 "3:11: sensor.geoip.city: expected a string, got a mapping");
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect_error("sensor:\n"
                 "  flow:\n"
                 "    max-flows: 0\n",
                 "3:16: sensor.flow.max-flows: expected an integer 1..100000000, got '0'");
    expect_error("sensor:\n"
                 "  stats-interval: 8d\n",
                 "2:19: sensor.stats-interval: expected a duration 0..604800 seconds (like "
                 "30s, 5m, 1h, 1d), got '8d'");
    /* 2047 MiB = 2146435072 bytes is the largest kernel buffer. */
    expect_error("sensor:\n"
                 "  capture:\n"
                 "    buffer-size: 3gb\n",
                 "3:18: sensor.capture.buffer-size: expected a size 0..2146435072 (bytes, or "
                 "with kb/mb/gb), got '3gb'");
    expect_error("sensor:\n"
                 "  defrag:\n"
                 "    memcap: 1kb\n",
                 "3:13: sensor.defrag.memcap: expected a size 65536..4293918720 (bytes, or "
                 "with kb/mb/gb), got '1kb'");
    expect_error("sensor:\n"
                 "  dpi:\n"
                 "    max-tcp-packets: 0\n",
                 "3:22: sensor.dpi.max-tcp-packets: expected an integer 1..10000, got '0'");
    expect_error("sensor:\n"
                 "  dpi:\n"
                 "    max-udp-packets: 65536\n",
                 "3:22: sensor.dpi.max-udp-packets: expected an integer 1..10000, got '65536'");
    expect_error("sensor:\n"
                 "  flow:\n"
                 "    timeouts:\n"
                 "      udp: { new: -1 }\n",
                 "4:19: sensor.flow.timeouts.udp.new: expected a duration up to 604800000 ms "
                 "(e.g. 200ms, 30s, 5m), got '-1'");
    expect_error("sensor:\n"
                 "  app-layer:\n"
                 "    memcap: 2tb\n",
                 "3:13: sensor.app-layer.memcap: expected a size 1048576..1099511627776 (bytes, "
                 "or with kb/mb/gb), got '2tb'");

    /* A name that does not fit sensor_config_t.name[128]. */
    char text[300];
    char name[201];
    memset(name, 'a', 200);
    name[200] = '\0';
    snprintf(text, sizeof(text), "sensor:\n  name: %s\n", name);
    expect_error(text, "2:9: sensor.name: expected a string of at most 127 bytes");
}

static void test_file_errors(void **state)
{
    (void)state;
    sensor_config_t c;
    sensor_config_defaults(&c);
    assert_int_equal(sensor_config_load(&c, "/nonexistent/soc.yaml", err, sizeof(err)), -1);
    assert_string_equal(err, "/nonexistent/soc.yaml: cannot open: No such file or directory");

    /* A YAML syntax error: libyaml's message at the place it names. */
    write_yaml("sensor:\n  name: [a,\n");
    assert_int_equal(sensor_config_load(&c, path, err, sizeof(err)), -1);
    char want[128];
    snprintf(want, sizeof(want), "%s:", path);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    assert_true(strlen(err) > strlen(want) + 4);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_partial),     cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_wrong_types), cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
