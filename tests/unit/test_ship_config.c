/* test_ship_config.c -- sensor.ingest and sensor.user in soc.yaml: the
 * defaults of output/ship.h, every key, durations in ms/s/m/h, sizes, and
 * the one-line errors ("FILE:LINE:COL: PATH: message"; lines and columns
 * counted by hand in each YAML text, 1-based, a value's column is where it
 * starts). */
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

static void write_yaml(const char *text)
{
    snprintf(path, sizeof(path), "/tmp/test_ship_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static int load(sensor_config_t *c, const char *text)
{
    sensor_config_defaults(c);
    write_yaml(text);
    err[0] = '\0';
    int rc = sensor_config_load(c, path, err, sizeof(err));
    unlink(path);
    return rc;
}

static void expect_error(const char *text, const char *want_tail)
{
    sensor_config_t c;
    assert_int_equal(load(&c, text), -1);
    char want[512];
    snprintf(want, sizeof(want), "%s:%s", path, want_tail);
    assert_string_equal(err, want);
}

static void test_defaults(void **state)
{
    (void)state;
    sensor_config_t c;
    assert_int_equal(load(&c, "sensor:\n  name: x\n"), 0);
    const ship_config_t *g = &c.ingest;
    assert_string_equal(g->server, ""); /* shipping off */
    assert_string_equal(g->cert, "");
    assert_string_equal(g->spool_dir, "/var/lib/soc/spool");
    assert_int_equal(g->spool_bytes, 1024ULL * 1024 * 1024);
    assert_int_equal(g->batch_events, 1000);
    assert_int_equal(g->batch_bytes, 1024 * 1024);
    assert_int_equal(g->flush_ms, 200);
    assert_int_equal(g->drain_ms, 30000);
    assert_string_equal(c.user, "");
    assert_true(c.name_set);
    assert_false(c.eve_set);
    assert_int_equal(load(&c, "sensor:\n  eve: out.json\n  name: ~\n"), 0);
    assert_true(c.eve_set);
    assert_false(c.name_set);
}

static void test_all_keys(void **state)
{
    (void)state;
    sensor_config_t c;
    assert_int_equal(load(&c, "sensor:\n"
                              "  user: soc\n"
                              "  ingest:\n"
                              "    server: ingest.city.local:9000\n"
                              "    cert: /etc/soc/pki/s1.crt\n"
                              "    key: /etc/soc/pki/s1.key\n"
                              "    ca: /etc/soc/pki/ca.crt\n"
                              "    spool-dir: /srv/spool\n"
                              "    spool-size: 64kb\n"
                              "    batch-events: 20\n"
                              "    batch-bytes: 2mb\n"
                              "    flush-interval: 50ms\n"
                              "    drain-timeout: 2m\n"),
                     0);
    const ship_config_t *g = &c.ingest;
    assert_string_equal(c.user, "soc");
    assert_string_equal(g->server, "ingest.city.local:9000");
    assert_string_equal(g->cert, "/etc/soc/pki/s1.crt");
    assert_string_equal(g->key, "/etc/soc/pki/s1.key");
    assert_string_equal(g->ca, "/etc/soc/pki/ca.crt");
    assert_string_equal(g->spool_dir, "/srv/spool");
    assert_int_equal(g->spool_bytes, 65536);
    assert_int_equal(g->batch_events, 20);
    assert_int_equal(g->batch_bytes, 2 * 1024 * 1024);
    assert_int_equal(g->flush_ms, 50);
    assert_int_equal(g->drain_ms, 120000);
}

static void test_durations(void **state)
{
    (void)state;
    sensor_config_t c;
    static const struct {
        const char *text;
        uint32_t ms;
    } cases[] = {{"0", 0},      {"2", 2000}, {"2s", 2000},  {"1500ms", 1500},
                 {"1m", 60000}, {"0ms", 0},  {"60s", 60000}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char yaml[128];
        snprintf(yaml, sizeof(yaml), "sensor:\n  ingest:\n    flush-interval: %s\n", cases[i].text);
        assert_int_equal(load(&c, yaml), 0);
        assert_int_equal(c.ingest.flush_ms, cases[i].ms);
    }
    assert_int_equal(load(&c, "sensor:\n  ingest:\n    drain-timeout: 1h\n"), 0);
    assert_int_equal(c.ingest.drain_ms, 3600000);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("sensor:\n"
                 "  ingest:\n"
                 "    sever: x:1\n",
                 "3:5: sensor.ingest: unknown key 'sever' (did you mean 'server'?)");
    expect_error("sensor:\n"
                 "  ingest:\n"
                 "    flush-interval: 5x\n",
                 "3:21: sensor.ingest.flush-interval: expected a duration up to 60000 ms (e.g. "
                 "200ms, 30s, 5m), got '5x'");
    expect_error("sensor:\n"
                 "  ingest:\n"
                 "    flush-interval: 61s\n",
                 "3:21: sensor.ingest.flush-interval: expected a duration up to 60000 ms (e.g. "
                 "200ms, 30s, 5m), got '61s'");
    expect_error("sensor:\n"
                 "  ingest:\n"
                 "    drain-timeout: -1s\n",
                 "3:20: sensor.ingest.drain-timeout: expected a duration up to 3600000 ms (e.g. "
                 "200ms, 30s, 5m), got '-1s'");
    expect_error("sensor:\n"
                 "  ingest: { batch-events: 0 }\n",
                 "2:27: sensor.ingest.batch-events: expected an integer 1..1000000, got '0'");
    expect_error("sensor:\n"
                 "  ingest: { spool-size: 1kb }\n",
                 "2:25: sensor.ingest.spool-size: expected a size 65536..1099511627776 (bytes, or "
                 "with kb/mb/gb), got '1kb'");
    expect_error("sensor:\n"
                 "  ingest: 5\n",
                 "2:11: sensor.ingest: expected a mapping, got a scalar");
    expect_error("sensor:\n"
                 "  user: [a]\n",
                 "2:9: sensor.user: expected a string, got a sequence");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
