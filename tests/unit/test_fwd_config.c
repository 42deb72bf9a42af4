/* Unit tests for the forwarder's configuration (fwd_config.c), filters
 * (fwd_filter.c), backoff (fwd_deliver.c) and queue item headers
 * (fwd_queue.c). Expected values are written out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "forward/fwd_config.h"
#include "forward/fwd_deliver.h"
#include "forward/fwd_filter.h"
#include "forward/fwd_queue.h"

static bool load(const char *yaml, fwd_config_t *c, char *err, size_t errlen)
{
    char path[] = "/tmp/fwdcfgXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    fwd_config_defaults(c);
    bool ok = fwd_config_load(c, path, err, errlen);
    unlink(path);
    return ok;
}

#define TLS "      ca: /ca.pem\n      cert: /c.pem\n      key: /c.key\n"

static void test_full(void **state)
{
    (void)state;
    static fwd_config_t c;
    char err[512] = "";
    const char *y = "forwarder:\n"
                    "  identity: {name: Can Tho SOC, contact: soc@cantho.gov.vn}\n"
                    "  redact: [incident.samples, incident.assignee]\n"
                    "  retry: {initial: 200ms, max: 2s}\n"
                    "  queue-alarm: 50\n"
                    "  endpoints:\n"
                    "    - name: ncsc\n"
                    "      url: https://nc.example.vn:8443/taxii2/a/collections/c/objects/\n"
                    "      taxii: yes\n"
                    "      tlp: red\n" TLS
                    "      filter: {min-priority: 2, asset-levels: [4, 5], tags: [city.portal]}\n"
                    "    - name: siem\n"
                    "      type: syslog-tls\n"
                    "      address: '[2001:db8::1]:6514'\n"
                    "      server-name: siem.example.vn\n" TLS "    - name: plain\n"
                    "      url: https://10.0.0.9/stix\n" TLS;
    assert_true(load(y, &c, err, sizeof(err)));
    assert_string_equal(c.identity_name, "Can Tho SOC");
    assert_int_equal(c.nredact, 2);
    assert_string_equal(c.redact[1], "incident.assignee");
    assert_int_equal(c.retry_initial_ms, 200);
    assert_int_equal(c.retry_max_ms, 2000);
    assert_int_equal(c.queue_alarm, 50);
    assert_int_equal(c.nendpoints, 3);
    const fwd_endpoint_t *e = &c.endpoints[0];
    assert_int_equal(e->type, FWD_STIX_HTTPS);
    assert_string_equal(e->host, "nc.example.vn");
    assert_int_equal(e->port, 8443);
    assert_string_equal(e->path, "/taxii2/a/collections/c/objects/");
    assert_string_equal(e->server_name, "nc.example.vn");
    assert_true(e->taxii);
    assert_string_equal(e->tlp, "red");
    assert_int_equal(e->filter.min_priority, 2);
    assert_int_equal(e->filter.levels, (1 << 4) | (1 << 5));
    assert_int_equal(e->filter.ntags, 1);
    e = &c.endpoints[1];
    assert_int_equal(e->type, FWD_SYSLOG_TLS);
    assert_string_equal(e->host, "2001:db8::1");
    assert_int_equal(e->port, 6514);
    assert_string_equal(e->server_name, "siem.example.vn");
    assert_int_equal(e->facility, 10);
    e = &c.endpoints[2];
    assert_string_equal(e->host, "10.0.0.9");
    assert_int_equal(e->port, 443);
    assert_string_equal(e->path, "/stix");
    assert_string_equal(e->tlp, "amber");
    assert_int_equal(e->filter.min_priority, 5);
    assert_int_equal(e->filter.levels, 0x3f);
}

static void bad(const char *endpoint, const char *want)
{
    static fwd_config_t c;
    char err[512] = "", y[2048];
    snprintf(y, sizeof(y), "forwarder:\n  endpoints:\n    - name: x\n%s", endpoint);
    if (load(y, &c, err, sizeof(err))) fail_msg("accepted: %s", endpoint);
    if (!strstr(err, want)) fail_msg("'%s' lacks '%s'", err, want);
}

static void test_errors(void **state)
{
    (void)state;
    bad("      url: http://a/b\n" TLS,
        ":4:12: forwarder.endpoints[0].url: expected an https:// URL");
    bad("      url: https://a:99999/b\n" TLS, "expected HOST:PORT (port 1..65535), got 'a:99999'");
    bad("      url: https://a/\n", "ca, cert and key are required (mutual TLS)");
    bad("      url: https://a/\n      tlp: pink\n" TLS,
        "expected white, clear, green, amber or red");
    bad("      type: kafka\n" TLS, "expected stix-https or syslog-tls, got 'kafka'");
    bad("      type: syslog-tls\n      address: nohost\n" TLS, "expected HOST:PORT");
    bad("      url: https://a/\n" TLS "      filter: {min-priority: 6}\n", "1..5");
    bad("      url: https://a/\n" TLS "      filter: {asset-levels: [7]}\n", "0..5");
    bad("      url: https://a/\n" TLS "      colour: blue\n", "colour");
    bad("      url: https://a/\n" TLS "    - name: x\n      url: https://b/\n" TLS,
        "endpoint 'x' twice");
    bad("      url: https://a/\n" TLS "    - name: 'a b'\n      url: https://b/\n" TLS,
        "name is required: letters, digits");
}

static void test_filter(void **state)
{
    (void)state;
    fwd_filter_t f = {.min_priority = 3, .levels = (1 << 0) | (1 << 4)};
    assert_true(fwd_filter_pass(&f, 1, 4, NULL, 0));
    assert_true(fwd_filter_pass(&f, 3, 0, NULL, 0));
    assert_false(fwd_filter_pass(&f, 4, 4, NULL, 0)); /* P4 less urgent than P3 */
    assert_false(fwd_filter_pass(&f, 2, 3, NULL, 0)); /* level 3 not listed */
    assert_false(fwd_filter_pass(&f, 0, 4, NULL, 0)); /* no priority */
    snprintf(f.tags[0], sizeof(f.tags[0]), "City.Portal");
    f.ntags = 1;
    const char *tags[] = {"attack.t1046", "city.portal"};
    assert_true(fwd_filter_pass(&f, 2, 4, tags, 2));
    assert_false(fwd_filter_pass(&f, 2, 4, tags, 1));
    assert_false(fwd_filter_pass(&f, 2, 4, NULL, 0));
}

static void test_backoff(void **state)
{
    (void)state;
    fwd_config_t c;
    fwd_config_defaults(&c);
    c.retry_initial_ms = 1000;
    c.retry_max_ms = 30000;
    /* 1, 2, 4, 8, 16, 30 (capped) s; drawn in [half, whole] */
    assert_int_equal(fwd_backoff_ms(&c, 1, 0.0), 500);
    assert_int_equal(fwd_backoff_ms(&c, 1, 0.999999), 999);
    assert_int_equal(fwd_backoff_ms(&c, 2, 0.0), 1000);
    assert_int_equal(fwd_backoff_ms(&c, 4, 0.5), 6000);
    assert_int_equal(fwd_backoff_ms(&c, 5, 0.0), 8000);
    assert_int_equal(fwd_backoff_ms(&c, 6, 0.0), 15000);
    assert_int_equal(fwd_backoff_ms(&c, 1000, 0.0), 15000);
}

static void test_item_header(void **state)
{
    (void)state;
    char id[INCIDENT_ID_MAX], reason[16];
    uint32_t v = 0;
    size_t off = 0;
    const char ok[] = "INC-2026-000042 7 escalated\n{\"type\":\"bundle\"}";
    assert_true(
        fwd_item_header(ok, sizeof(ok) - 1, id, sizeof(id), &v, reason, sizeof(reason), &off));
    assert_string_equal(id, "INC-2026-000042");
    assert_int_equal(v, 7);
    assert_string_equal(reason, "escalated");
    assert_int_equal(off, 28);
    static const char *const badv[] = {
        "INC-1 0 created\n",
        "INC-1 x created\n",
        "INC-1 1\n",
        "INC-1 1 created extra\n",
        "INC-1 1 created",
        "INC-1  1 created\n",
        "INC-1 1 waytoolongreasonfield\n",
    };
    for (size_t i = 0; i < sizeof(badv) / sizeof(badv[0]); i++)
        if (fwd_item_header(badv[i], strlen(badv[i]), id, sizeof(id), &v, reason, sizeof(reason),
                            &off))
            fail_msg("accepted '%s'", badv[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_filter),      cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_item_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
