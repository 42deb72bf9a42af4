/* Unit tests for common/tls.c: real TLS handshakes over a socketpair between
 * a server thread and the test, with certificates made by socctl's pki.c in
 * a temporary directory. The expected reason strings are the contract of
 * tls.h (what the daemons log), written out by hand here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "tls.h"
#include "socctl/pki.h"

#define DAY 86400

typedef struct fixture {
    char root[64];   /* temporary directory */
    char a[128];     /* our appliance's PKI */
    char b[128];     /* an unrelated appliance's PKI */
    SSL_CTX *server; /* A's soc-ingest, with A's CRL */
} fixture_t;

static fixture_t fx;

/* ---- paths -------------------------------------------------------------------- */

static const char *pa(const char *file)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", fx.a, file);
    return buf[i];
}

/* DIR/sensors/NAME/NAME.EXT */
static const char *sensor_file(const char *dir, const char *name, const char *ext)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/sensors/%s/%s.%s", dir, name, name, ext);
    return buf[i];
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* ---- fixture ------------------------------------------------------------------ */

static void issue(const char *dir, const char *name, time_t nb, time_t na)
{
    char err[512];
    pki_issue_opts_t o = {.not_before = nb, .not_after = na};
    int rc = pki_issue(dir, name, &o, NULL, err, sizeof(err));
    if (rc != 0) fprintf(stderr, "pki_issue %s: %s\n", name, err);
    assert_int_equal(rc, 0);
}

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    snprintf(fx.root, sizeof(fx.root), "/tmp/soc-tls-XXXXXX");
    if (!mkdtemp(fx.root)) return -1;
    snprintf(fx.a, sizeof(fx.a), "%s/a", fx.root);
    snprintf(fx.b, sizeof(fx.b), "%s/b", fx.root);
    char err[512];
    const char *names[] = {"ingest.city.local", "10.1.2.3"};
    pki_init_opts_t ia = {.server_names = names, .n_server_names = 2};
    if (pki_init(fx.a, &ia, err, sizeof(err)) != 0 || pki_init(fx.b, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "pki_init: %s\n", err);
        return -1;
    }
    time_t now = time(NULL);
    issue(fx.a, "sensor-1", 0, 0);
    issue(fx.a, "old", now - 40 * DAY, now - 10 * DAY);
    issue(fx.a, "future", now + 10 * DAY, now + 20 * DAY);
    issue(fx.a, "gone", 0, 0);
    issue(fx.a, "later", 0, 0);
    issue(fx.b, "stranger", 0, 0);
    size_t n = 0;
    if (pki_revoke(fx.a, "gone", 0, &n, err, sizeof(err)) != 0 || n != 1) return -1;
    fx.server = tls_server_ctx(pa("server.crt"), pa("server.key"), pa("ca.crt"), pa("crl.pem"), err,
                               sizeof(err));
    if (!fx.server) fprintf(stderr, "tls_server_ctx: %s\n", err);
    return fx.server ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    SSL_CTX_free(fx.server);
    nftw(fx.root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- one connection ----------------------------------------------------------- */

typedef struct side {
    bool ok;          /* handshake done (server) / "ok" received (client) */
    char reason[256]; /* tls_failure_reason when not ok */
    char peer[80];    /* tls_peer_name when ok */
} side_t;

typedef struct server_job {
    SSL_CTX *ctx;
    int fd;
    size_t cnlen; /* room given to tls_peer_name; 0 = all of res.peer */
    side_t res;
} server_job_t;

static void *server_main(void *arg)
{
    server_job_t *j = arg;
    SSL *ssl = SSL_new(j->ctx);
    SSL_set_fd(ssl, j->fd);
    int r = SSL_accept(ssl);
    if (r == 1) {
        j->res.ok = true;
        size_t room = j->cnlen ? j->cnlen : sizeof(j->res.peer);
        if (tls_peer_name(ssl, j->res.peer, room) != 0) strcpy(j->res.peer, "(none)");
        SSL_write(ssl, "ok", 2);
        SSL_shutdown(ssl);
    } else {
        tls_failure_reason(ssl, r, j->res.reason, sizeof(j->res.reason));
    }
    SSL_free(ssl);
    ERR_clear_error();
    shutdown(j->fd, SHUT_RDWR); /* the client sees EOF whatever happened */
    return NULL;
}

static void set_timeout(int fd)
{
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void client_tls(SSL_CTX *cctx, const char *host, int fd, side_t *c)
{
    SSL *ssl = SSL_new(cctx);
    SSL_set_fd(ssl, fd);
    if (host) assert_int_equal(tls_client_set_host(ssl, host), 0);
    int r = SSL_connect(ssl);
    if (r == 1) {
        if (tls_peer_name(ssl, c->peer, sizeof(c->peer)) != 0) c->peer[0] = '\0';
        /* TLS 1.3: the server judges our certificate after we finish, so
         * a refusal arrives as an alert on the first read. */
        char buf[8];
        r = SSL_read(ssl, buf, sizeof(buf));
        if (r == 2 && memcmp(buf, "ok", 2) == 0) c->ok = true;
    }
    if (!c->ok) tls_failure_reason(ssl, r, c->reason, sizeof(c->reason));
    SSL_free(ssl);
    ERR_clear_error();
}

static void client_raw(const char *bytes, size_t n, int fd)
{
    if (n) assert_int_equal(write(fd, bytes, n), (ssize_t)n);
    shutdown(fd, SHUT_WR); /* then the server sees EOF after our bytes */
    char buf[256];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
}

/* One connection to sctx: a TLS client on cctx (host may be NULL), or raw
 * bytes when cctx is NULL. */
static size_t next_cnlen; /* cnlen for the next connection's server */

static void connect_once(SSL_CTX *sctx, SSL_CTX *cctx, const char *host, const char *raw,
                         size_t rawlen, side_t *s, side_t *c)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    set_timeout(sv[0]);
    set_timeout(sv[1]);
    server_job_t job = {.ctx = sctx, .fd = sv[0], .cnlen = next_cnlen};
    next_cnlen = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, server_main, &job), 0);
    memset(c, 0, sizeof(*c));
    if (cctx)
        client_tls(cctx, host, sv[1], c);
    else
        client_raw(raw, rawlen, sv[1]);
    shutdown(sv[1], SHUT_RDWR);
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
    *s = job.res;
}

static SSL_CTX *sensor_ctx(const char *dir, const char *name, const char *ca)
{
    char err[512];
    SSL_CTX *c = tls_client_ctx(sensor_file(dir, name, "crt"), sensor_file(dir, name, "key"), ca,
                                err, sizeof(err));
    if (!c) fprintf(stderr, "tls_client_ctx: %s\n", err);
    assert_non_null(c);
    return c;
}

/* A sensor of A connects to A's server; returns the server side. */
static side_t sensor_connects(const char *name, side_t *client)
{
    SSL_CTX *c = sensor_ctx(fx.a, name, pa("ca.crt"));
    side_t s, cl;
    connect_once(fx.server, c, "localhost", NULL, 0, &s, &cl);
    SSL_CTX_free(c);
    if (client) *client = cl;
    return s;
}

/* ---- accepted ----------------------------------------------------------------- */

static void test_valid_sensor_accepted(void **state)
{
    (void)state;
    side_t c, s = sensor_connects("sensor-1", &c);
    assert_true(s.ok);
    assert_string_equal(s.peer, "sensor-1");
    assert_true(c.ok);
    assert_string_equal(c.peer, PKI_SERVER_CN);
    /* "sensor-1" needs 9 bytes with its NUL. */
    next_cnlen = 9;
    s = sensor_connects("sensor-1", NULL);
    assert_string_equal(s.peer, "sensor-1");
    next_cnlen = 8;
    s = sensor_connects("sensor-1", NULL);
    assert_true(s.ok);
    assert_string_equal(s.peer, "(none)");
}

static void test_server_names_accepted(void **state)
{
    (void)state;
    const char *hosts[] = {"localhost", "127.0.0.1", "ingest.city.local", "10.1.2.3",
                           "INGEST.City.Local"};
    SSL_CTX *c = sensor_ctx(fx.a, "sensor-1", pa("ca.crt"));
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        side_t s, cl;
        connect_once(fx.server, c, hosts[i], NULL, 0, &s, &cl);
        if (!cl.ok) fprintf(stderr, "%s: %s\n", hosts[i], cl.reason);
        assert_true(cl.ok);
        assert_true(s.ok);
    }
    SSL_CTX_free(c);
}

/* ---- refused: the server's reason --------------------------------------------- */

static void test_revoked_refused(void **state)
{
    (void)state;
    side_t c, s = sensor_connects("gone", &c);
    assert_false(s.ok);
    assert_string_equal(s.reason, "certificate revoked");
    assert_false(c.ok);
    assert_string_equal(c.reason, "refused by peer: certificate revoked");
}

static void test_expired_refused(void **state)
{
    (void)state;
    side_t c, s = sensor_connects("old", &c);
    assert_false(s.ok);
    assert_string_equal(s.reason, "certificate expired");
    assert_string_equal(c.reason, "refused by peer: certificate expired");
}

static void test_not_yet_valid_refused(void **state)
{
    (void)state;
    side_t s = sensor_connects("future", NULL);
    assert_false(s.ok);
    assert_string_equal(s.reason, "certificate not yet valid");
}

static void test_unknown_ca_refused(void **state)
{
    (void)state;
    /* B's sensor trusts A's server, but its certificate is B's. */
    SSL_CTX *c = sensor_ctx(fx.b, "stranger", pa("ca.crt"));
    side_t s, cl;
    connect_once(fx.server, c, "localhost", NULL, 0, &s, &cl);
    SSL_CTX_free(c);
    assert_false(s.ok);
    assert_string_equal(s.reason, "unknown CA (certificate not issued by this appliance)");
    assert_string_equal(cl.reason, "refused by peer: unknown CA");
}

static void test_no_client_certificate_refused(void **state)
{
    (void)state;
    char err[512];
    SSL_CTX *c = tls_client_ctx(NULL, NULL, pa("ca.crt"), err, sizeof(err));
    assert_non_null(c);
    side_t s, cl;
    connect_once(fx.server, c, "localhost", NULL, 0, &s, &cl);
    SSL_CTX_free(c);
    assert_false(s.ok);
    assert_string_equal(s.reason, "client sent no certificate");
    assert_string_equal(cl.reason, "refused by peer: client certificate required");
}

static void test_server_certificate_as_client_refused(void **state)
{
    (void)state;
    /* soc-ingest's own certificate is for serverAuth only. */
    char err[512];
    SSL_CTX *c = tls_client_ctx(pa("server.crt"), pa("server.key"), pa("ca.crt"), err, sizeof(err));
    assert_non_null(c);
    side_t s, cl;
    connect_once(fx.server, c, "localhost", NULL, 0, &s, &cl);
    SSL_CTX_free(c);
    assert_false(s.ok);
    assert_string_equal(s.reason, "certificate not valid for this purpose (extended key usage)");
}

static void raw_refused(const char *bytes, size_t n, const char *want)
{
    side_t s, c;
    connect_once(fx.server, NULL, NULL, bytes, n, &s, &c);
    assert_false(s.ok);
    assert_string_equal(s.reason, want);
}

static void test_plain_tcp_refused(void **state)
{
    (void)state;
    const char *http = "GET / HTTP/1.0\r\n\r\n";
    raw_refused(http, strlen(http), "not TLS (plain TCP or other protocol)");
    const char *ssh = "SSH-2.0-OpenSSH_9.2p1\r\n";
    raw_refused(ssh, strlen(ssh), "not TLS (plain TCP or other protocol)");
    const char *proxy = "CONNECT ingest:7514 HTTP/1.1\r\n\r\n";
    raw_refused(proxy, strlen(proxy), "not TLS (plain TCP or other protocol)");
    /* A JSON event line, what a misconfigured sensor would send in clear. */
    const char *json = "{\"event_type\":\"alert\"}\n";
    raw_refused(json, strlen(json), "not TLS (plain TCP or other protocol)");
    static const char zeros[16] = {0};
    raw_refused(zeros, sizeof(zeros), "not TLS (plain TCP or other protocol)");
    /* A handshake record header (0x16 0x03 0x01) whose length is 0xffff:
     * more than any record may carry. */
    static const char huge[] = {0x16, 0x03, 0x01, (char)0xff, (char)0xff, 0x01};
    raw_refused(huge, sizeof(huge), "not TLS (plain TCP or other protocol)");
}

static void test_silent_close(void **state)
{
    (void)state;
    raw_refused(NULL, 0, "connection closed by peer");
    /* A valid record header, then nothing. */
    static const char head[] = {0x16, 0x03, 0x01, 0x00, 0x40};
    raw_refused(head, sizeof(head), "connection closed by peer");
}

static void test_tls12_client_refused(void **state)
{
    (void)state;
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    assert_non_null(c);
    assert_int_equal(SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION), 1);
    assert_int_equal(SSL_CTX_use_certificate_chain_file(c, sensor_file(fx.a, "sensor-1", "crt")),
                     1);
    assert_int_equal(
        SSL_CTX_use_PrivateKey_file(c, sensor_file(fx.a, "sensor-1", "key"), SSL_FILETYPE_PEM), 1);
    side_t s, cl;
    connect_once(fx.server, c, NULL, NULL, 0, &s, &cl);
    SSL_CTX_free(c);
    assert_false(s.ok);
    assert_string_equal(s.reason, "protocol version too old");
    assert_false(cl.ok);
    assert_string_equal(cl.reason, "protocol version too old");
}

/* ---- refused: the client's reason --------------------------------------------- */

static void test_server_name_mismatch(void **state)
{
    (void)state;
    SSL_CTX *c = sensor_ctx(fx.a, "sensor-1", pa("ca.crt"));
    const char *hosts[] = {"wrong.example", "10.9.9.9", "::1", "city.local", "xingest.city.local"};
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        side_t s, cl;
        connect_once(fx.server, c, hosts[i], NULL, 0, &s, &cl);
        assert_false(cl.ok);
        assert_string_equal(cl.reason, "server name mismatch");
        assert_false(s.ok);
        assert_memory_equal(s.reason, "refused by peer: ", 17);
    }
    SSL_CTX_free(c);
}

static void test_server_from_unpinned_ca(void **state)
{
    (void)state;
    /* A's sensor pinned to B's CA: A's server is not B's. */
    char err[512], bca[256];
    snprintf(bca, sizeof(bca), "%s/ca.crt", fx.b);
    SSL_CTX *c = tls_client_ctx(sensor_file(fx.a, "sensor-1", "crt"),
                                sensor_file(fx.a, "sensor-1", "key"), bca, err, sizeof(err));
    assert_non_null(c);
    side_t s, cl;
    connect_once(fx.server, c, "localhost", NULL, 0, &s, &cl);
    SSL_CTX_free(c);
    assert_false(cl.ok);
    assert_string_equal(cl.reason, "unknown CA (server certificate not issued by the pinned CA)");
    assert_string_equal(s.reason, "refused by peer: unknown CA");
}

/* ---- CRL reload ----------------------------------------------------------------- */

static void test_crl_reload(void **state)
{
    (void)state;
    char err[512];
    side_t s = sensor_connects("later", NULL);
    assert_true(s.ok);
    size_t n = 0;
    assert_int_equal(pki_revoke(fx.a, "later", 0, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    /* The context still holds the CRL it loaded. */
    s = sensor_connects("later", NULL);
    assert_true(s.ok);
    assert_int_equal(tls_server_reload_crl(fx.server, pa("crl.pem"), err, sizeof(err)), 0);
    s = sensor_connects("later", NULL);
    assert_false(s.ok);
    assert_string_equal(s.reason, "certificate revoked");
    s = sensor_connects("sensor-1", NULL);
    assert_true(s.ok);

    /* A CRL of another CA, or no file: refused, the current CRL stays. */
    char bcrl[256], want[512];
    snprintf(bcrl, sizeof(bcrl), "%s/crl.pem", fx.b);
    assert_int_equal(tls_server_reload_crl(fx.server, bcrl, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: CRL not signed by the trusted CA", bcrl);
    assert_string_equal(err, want);
    assert_int_equal(tls_server_reload_crl(fx.server, pa("nope.pem"), err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: No such file or directory", pa("nope.pem"));
    assert_string_equal(err, want);
    assert_int_equal(tls_server_reload_crl(fx.server, pa("ca.crt"), err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: no CRL in file", pa("ca.crt"));
    assert_string_equal(err, want);
    assert_false(sensor_connects("later", NULL).ok);
    assert_false(sensor_connects("gone", NULL).ok);
    assert_true(sensor_connects("sensor-1", NULL).ok);
}

static void test_without_crl_no_revocation_check(void **state)
{
    (void)state;
    char err[512];
    SSL_CTX *sctx =
        tls_server_ctx(pa("server.crt"), pa("server.key"), pa("ca.crt"), NULL, err, sizeof(err));
    assert_non_null(sctx);
    SSL_CTX *c = sensor_ctx(fx.a, "gone", pa("ca.crt"));
    side_t s, cl;
    connect_once(sctx, c, "localhost", NULL, 0, &s, &cl);
    assert_true(s.ok);
    assert_string_equal(s.peer, "gone");
    /* Turning the CRL on later works too. */
    assert_int_equal(tls_server_reload_crl(sctx, pa("crl.pem"), err, sizeof(err)), 0);
    connect_once(sctx, c, "localhost", NULL, 0, &s, &cl);
    assert_false(s.ok);
    assert_string_equal(s.reason, "certificate revoked");
    SSL_CTX_free(c);
    SSL_CTX_free(sctx);
}

/* ---- loading errors ------------------------------------------------------------ */

static void test_load_errors(void **state)
{
    (void)state;
    char err[512], want[512];
    assert_null(
        tls_server_ctx(pa("server.crt"), pa("missing.key"), pa("ca.crt"), NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: No such file or directory", pa("missing.key"));
    assert_string_equal(err, want);

    assert_null(
        tls_server_ctx(pa("missing.crt"), pa("server.key"), pa("ca.crt"), NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: No such file or directory", pa("missing.crt"));
    assert_string_equal(err, want);

    /* A key that belongs to another certificate. */
    assert_null(
        tls_server_ctx(pa("server.crt"), pa("ca.key"), pa("ca.crt"), NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: private key does not match certificate %s", pa("ca.key"),
             pa("server.crt"));
    assert_string_equal(err, want);

    /* A CA file with no certificate in it. */
    assert_null(tls_server_ctx(pa("server.crt"), pa("server.key"), pa("index.txt"), NULL, err,
                               sizeof(err)));
    snprintf(want, sizeof(want), "%s: no certificate in file", pa("index.txt"));
    assert_string_equal(err, want);

    assert_null(tls_client_ctx(pa("server.crt"), NULL, pa("ca.crt"), err, sizeof(err)));
    assert_string_equal(err, "TLS: client needs a CA, and a key with its certificate");
    assert_null(tls_server_ctx(NULL, pa("server.key"), pa("ca.crt"), NULL, err, sizeof(err)));
    assert_string_equal(err, "TLS: server needs a certificate, a key and a CA");
    assert_int_equal(ERR_peek_error(), 0); /* nothing left in the queue */
}

static void test_peer_name_bounds(void **state)
{
    (void)state;
    char cn[16];
    assert_int_equal(tls_peer_name(NULL, cn, sizeof(cn)), -1);
    SSL *ssl = SSL_new(fx.server);
    assert_int_equal(tls_peer_name(ssl, cn, sizeof(cn)), -1); /* no handshake, no peer */
    assert_string_equal(cn, "");
    assert_int_equal(tls_client_set_host(ssl, ""), -1);
    assert_int_equal(tls_client_set_host(ssl, NULL), -1);
    SSL_free(ssl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_sensor_accepted),
        cmocka_unit_test(test_server_names_accepted),
        cmocka_unit_test(test_revoked_refused),
        cmocka_unit_test(test_expired_refused),
        cmocka_unit_test(test_not_yet_valid_refused),
        cmocka_unit_test(test_unknown_ca_refused),
        cmocka_unit_test(test_no_client_certificate_refused),
        cmocka_unit_test(test_server_certificate_as_client_refused),
        cmocka_unit_test(test_plain_tcp_refused),
        cmocka_unit_test(test_silent_close),
        cmocka_unit_test(test_tls12_client_refused),
        cmocka_unit_test(test_server_name_mismatch),
        cmocka_unit_test(test_server_from_unpinned_ca),
        cmocka_unit_test(test_crl_reload),
        cmocka_unit_test(test_without_crl_no_revocation_check),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_peer_name_bounds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
