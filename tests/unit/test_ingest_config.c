/* Unit tests for correlator/ingest/ingest_config.c: defaults, every key,
 * and the exact one-line errors (FILE:LINE:COL: PATH: message). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ingest/ingest_config.h"

/* Apply YAML text; returns the result, the message in err. */
static bool apply(ingest_config_t *c, const char *yaml, char *err, size_t errlen)
{
    ingest_config_defaults(c);
    cfg_t *cfg = cfg_load_buffer("t.yaml", yaml, strlen(yaml), err, errlen);
    assert_non_null(cfg);
    bool ok = ingest_config_apply(c, cfg, err, errlen);
    cfg_free(cfg);
    return ok;
}

static void expect_error(const char *yaml, const char *want)
{
    ingest_config_t c;
    char err[512] = "";
    assert_false(apply(&c, yaml, err, sizeof(err)));
    assert_string_equal(err, want);
}

static void test_defaults(void **state)
{
    (void)state;
    ingest_config_t c;
    ingest_config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:7000");
    const struct sockaddr_in *a = (const struct sockaddr_in *)&c.listen_addr;
    assert_int_equal(a->sin_family, AF_INET);
    assert_int_equal(ntohs(a->sin_port), 7000);
    assert_int_equal(ntohl(a->sin_addr.s_addr), 0x7f000001);
    assert_string_equal(c.cert, "/etc/soc/pki/server.crt");
    assert_string_equal(c.key, "/etc/soc/pki/server.key");
    assert_string_equal(c.ca, "/etc/soc/pki/ca.crt");
    assert_string_equal(c.crl, "/etc/soc/pki/crl.pem");
    assert_string_equal(c.redis_socket, "/var/lib/soc/redis/redis.sock");
    assert_string_equal(c.redis_user, "ingest");
    assert_string_equal(c.redis_password_file, "/var/lib/soc/redis/secrets/ingest.pass");
    assert_int_equal(c.shards, 4);
    assert_int_equal(c.stream_maxlen, 1000000);
    assert_int_equal(c.max_payload, 4194304);
    assert_int_equal(c.max_connections, 256);
    assert_int_equal(c.handshake_timeout, 10);
    assert_int_equal(c.idle_timeout, 300);
}

static void test_no_section(void **state)
{
    (void)state;
    ingest_config_t c;
    char err[256];
    assert_true(apply(&c, "sensor:\n  name: x\n", err, sizeof(err)));
    assert_int_equal(c.shards, 4);
    assert_true(apply(&c, "ingest:\n", err, sizeof(err))); /* null section */
    assert_string_equal(c.listen, "127.0.0.1:7000");
}

static void test_every_key(void **state)
{
    (void)state;
    ingest_config_t c;
    char err[256] = "";
    const char *yaml = "ingest:\n"
                       "  listen: \"[::]:7443\"\n"
                       "  cert: /p/s.crt\n"
                       "  key: /p/s.key\n"
                       "  ca: /p/ca.crt\n"
                       "  crl: /p/crl.pem\n"
                       "  redis:\n"
                       "    socket: /run/r.sock\n"
                       "    user: ing\n"
                       "    password-file: /run/ing.pass\n"
                       "  shards: 16\n"
                       "  stream-maxlen: 5000\n"
                       "  max-payload: 1mb\n"
                       "  max-connections: 64\n"
                       "  handshake-timeout: 5s\n"
                       "  idle-timeout: 2m\n";
    assert_true(apply(&c, yaml, err, sizeof(err)));
    assert_string_equal(c.listen, "[::]:7443");
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&c.listen_addr;
    assert_int_equal(a->sin6_family, AF_INET6);
    assert_int_equal(ntohs(a->sin6_port), 7443);
    assert_true(IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr));
    assert_int_equal(c.listen_addr_len, sizeof(struct sockaddr_in6));
    assert_string_equal(c.cert, "/p/s.crt");
    assert_string_equal(c.key, "/p/s.key");
    assert_string_equal(c.ca, "/p/ca.crt");
    assert_string_equal(c.crl, "/p/crl.pem");
    assert_string_equal(c.redis_socket, "/run/r.sock");
    assert_string_equal(c.redis_user, "ing");
    assert_string_equal(c.redis_password_file, "/run/ing.pass");
    assert_int_equal(c.shards, 16);
    assert_int_equal(c.stream_maxlen, 5000);
    assert_int_equal(c.max_payload, 1048576);
    assert_int_equal(c.max_connections, 64);
    assert_int_equal(c.handshake_timeout, 5);
    assert_int_equal(c.idle_timeout, 120);
}

static void test_listen_forms(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    char err[256];
    assert_true(ingest_parse_listen("0.0.0.0:7000", &ss, &len, err, sizeof(err)));
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr), 0);
    assert_true(ingest_parse_listen("[::1]:65535", &ss, &len, err, sizeof(err)));
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 65535);
    assert_true(IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr));
    static const char *const bad[] = {
        "127.0.0.1",    "127.0.0.1:",       "127.0.0.1:0",    "127.0.0.1:65536", "127.0.0.1:07000",
        "127.0.0.1:-1", "127.0.0.1:7x",     "localhost:7000", "::1:7000",        "[::1]7000",
        "[::1:7000",    "[127.0.0.1]:7000", ":7000",          "1.2.3.4.5:7000",  "",
        "[]:7000",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (ingest_parse_listen(bad[i], &ss, &len, err, sizeof(err)))
            fail_msg("accepted listen address '%s'", bad[i]);
        assert_non_null(strstr(err, "expected ADDRESS:PORT"));
    }
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("ingest:\n  shard: 3\n",
                 "t.yaml:2:3: ingest: unknown key 'shard' (did you mean 'shards'?)");
    expect_error("ingest:\n  redis:\n    sock: /x\n",
                 "t.yaml:3:5: ingest.redis: unknown key 'sock' (did you mean 'socket'?)");
    expect_error("ingest:\n  shards: x\n",
                 "t.yaml:2:11: ingest.shards: expected an integer 1..1024, got 'x'");
    expect_error("ingest:\n  shards: 0\n",
                 "t.yaml:2:11: ingest.shards: expected an integer 1..1024, got '0'");
    expect_error("ingest:\n  shards: 1025\n",
                 "t.yaml:2:11: ingest.shards: expected an integer 1..1024, got '1025'");
    expect_error(
        "ingest:\n  max-payload: 1kb\n",
        "t.yaml:2:16: ingest.max-payload: expected a size 65536..268435456 (bytes, or with "
        "kb/mb/gb), got '1kb'");
    expect_error(
        "ingest:\n  stream-maxlen: 999\n",
        "t.yaml:2:18: ingest.stream-maxlen: expected an integer 1000..10000000000, got '999'");
    expect_error("ingest:\n  max-connections: 0\n",
                 "t.yaml:2:20: ingest.max-connections: expected an integer 1..65536, got '0'");
    expect_error(
        "ingest:\n  idle-timeout: 0s\n",
        "t.yaml:2:17: ingest.idle-timeout: expected a duration 1..86400 seconds (like 30s, "
        "5m, 1h, 1d), got '0s'");
    expect_error("ingest:\n  listen: 127.0.0.1\n",
                 "t.yaml:2:11: ingest.listen: expected ADDRESS:PORT with a numeric address "
                 "(127.0.0.1:7000, 0.0.0.0:7000, [::]:7000), got '127.0.0.1'");
    expect_error("ingest:\n  redis: /tmp/sock\n",
                 "t.yaml:2:10: ingest.redis: expected a mapping, got a scalar");
    expect_error("ingest: [1, 2]\n", "t.yaml:1:9: ingest: expected a mapping, got a sequence");
    expect_error("ingest:\n  cert: [a]\n",
                 "t.yaml:2:9: ingest.cert: expected a string, got a sequence");
}

static void test_too_long(void **state)
{
    (void)state;
    char yaml[400];
    char sock[200];
    memset(sock, 'a', sizeof(sock) - 1);
    sock[sizeof(sock) - 1] = '\0';
    snprintf(yaml, sizeof(yaml), "ingest:\n  redis:\n    socket: /%s\n", sock);
    expect_error(yaml, "t.yaml:3:13: ingest.redis.socket: expected a string of at most 107 bytes");
}

static void test_load_file(void **state)
{
    (void)state;
    ingest_config_t c;
    char err[512];
    ingest_config_defaults(&c);
    assert_false(ingest_config_load(&c, "/nonexistent/soc.yaml", err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/soc.yaml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),  cmocka_unit_test(test_no_section),
        cmocka_unit_test(test_every_key), cmocka_unit_test(test_listen_forms),
        cmocka_unit_test(test_errors),    cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
