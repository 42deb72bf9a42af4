/* Unit tests for the forwarder's transports (correlator/forward/fwd_tls.c,
 * fwd_https.c, fwd_syslog_tls.c) against a scripted TLS server thread on
 * 127.0.0.1, with certificates made by socctl's pki.c in a temporary
 * directory. The request bytes and the reason lines expected here are
 * written out by hand from fwd_https.h / fwd_syslog_tls.h and RFC 9112.
 *
 * SIGPIPE is left at its default on purpose: writing into a connection the
 * server reset must not kill the process (fwd_tls.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "forward/fwd_https.h"
#include "forward/fwd_syslog_tls.h"
#include "socctl/pki.h"
#include "tls.h"

/* ---- certificates ---------------------------------------------------------------- */

static struct {
    char root[64];
    char a[128]; /* the centre's CA (server certificate) and ours (client) */
    char b[128]; /* an unrelated CA */
    char ca_a[160], ca_b[160], cert[160], key[160], srv_cert[160], srv_key[160];
} fx;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(fx.root, sizeof(fx.root), "/tmp/soc-fwd-XXXXXX");
    if (!mkdtemp(fx.root)) return -1;
    snprintf(fx.a, sizeof(fx.a), "%s/a", fx.root);
    snprintf(fx.b, sizeof(fx.b), "%s/b", fx.root);
    char err[512];
    if (pki_init(fx.a, NULL, err, sizeof(err)) != 0 ||
        pki_init(fx.b, NULL, err, sizeof(err)) != 0 ||
        pki_issue(fx.a, "fwd", NULL, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "pki: %s\n", err);
        return -1;
    }
    snprintf(fx.ca_a, sizeof(fx.ca_a), "%s/ca.crt", fx.a);
    snprintf(fx.ca_b, sizeof(fx.ca_b), "%s/ca.crt", fx.b);
    snprintf(fx.cert, sizeof(fx.cert), "%s/sensors/fwd/fwd.crt", fx.a);
    snprintf(fx.key, sizeof(fx.key), "%s/sensors/fwd/fwd.key", fx.a);
    snprintf(fx.srv_cert, sizeof(fx.srv_cert), "%s/server.crt", fx.a);
    snprintf(fx.srv_key, sizeof(fx.srv_key), "%s/server.key", fx.a);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(fx.root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- the scripted server --------------------------------------------------------- */

enum mode {
    M_HTTP,            /* answer every request with the canned response, keep the connection */
    M_HTTP_CLOSE_EACH, /* answer, then close (without saying so) */
    M_HTTP_DROP_2ND,   /* close instead of answering the second request */
    M_HTTP_SILENT,     /* read requests, never answer */
    M_SYSLOG,          /* read frames */
    M_SYSLOG_CLOSE,    /* read one frame per connection, close 1 s later */
    M_SYSLOG_RESET,    /* read one frame, then reset the connection */
};

#define MAX_REQ 8

typedef struct srv {
    SSL_CTX *ctx;
    int lfd;
    uint16_t port;
    pthread_t th;
    enum mode mode;
    const char *canned;
    atomic_int stop;
    atomic_int conns, handshakes, requests;
    char req[MAX_REQ][4096];
    size_t req_len[MAX_REQ];
    int req_conn[MAX_REQ]; /* connection number (1..) of each request */
} srv_t;

static srv_t S;

static const char *ok_202 = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";

/* Reads up to and including "\r\n\r\n" plus Content-Length bytes. */
static ssize_t read_http(SSL *ssl, char *buf, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    while (!end) {
        if (n == cap - 1) return -1;
        int r = SSL_read(ssl, buf + n, (int)(cap - 1 - n));
        if (r <= 0) return -1;
        n += (size_t)r;
        buf[n] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    const char *cl = strstr(buf, "Content-Length: ");
    size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
    while (n < want && n < cap - 1) {
        int r = SSL_read(ssl, buf + n, (int)(cap - 1 - n));
        if (r <= 0) return -1;
        n += (size_t)r;
    }
    return (ssize_t)n;
}

/* One octet-counted frame. */
static ssize_t read_frame(SSL *ssl, char *buf, size_t cap)
{
    size_t n = 0, len = 0;
    for (;;) {
        if (n == cap || SSL_read(ssl, buf + n, 1) != 1) return -1;
        if (buf[n++] == ' ') break;
        len = len * 10 + (size_t)(buf[n - 1] - '0');
    }
    while (n < cap && len > 0) {
        int r = SSL_read(ssl, buf + n, (int)(len < cap - n ? len : cap - n));
        if (r <= 0) return -1;
        n += (size_t)r, len -= (size_t)r;
    }
    return (ssize_t)n;
}

static void record(const char *buf, size_t n, int conn)
{
    int i = atomic_fetch_add(&S.requests, 1);
    if (i >= MAX_REQ) return;
    if (n >= sizeof(S.req[i])) n = sizeof(S.req[i]) - 1;
    memcpy(S.req[i], buf, n);
    S.req[i][n] = '\0';
    S.req_len[i] = n;
    S.req_conn[i] = conn;
}

static void serve(SSL *ssl, int fd, int conn)
{
    char buf[4096];
    bool http = S.mode <= M_HTTP_SILENT;
    for (;;) {
        ssize_t n = http ? read_http(ssl, buf, sizeof(buf)) : read_frame(ssl, buf, sizeof(buf));
        if (n < 0) return;
        record(buf, (size_t)n, conn);
        switch (S.mode) {
        case M_HTTP: SSL_write(ssl, S.canned, (int)strlen(S.canned)); break;
        case M_HTTP_CLOSE_EACH: SSL_write(ssl, S.canned, (int)strlen(S.canned)); return;
        case M_HTTP_DROP_2ND:
            if (atomic_load(&S.requests) == 2) return;
            SSL_write(ssl, S.canned, (int)strlen(S.canned));
            break;
        case M_SYSLOG_CLOSE: usleep(1000000); return;
        case M_SYSLOG_RESET: {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            return;
        }
        default: break;
        }
    }
}

static void *server_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&S.stop)) {
        struct pollfd p = {.fd = S.lfd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) continue;
        int fd = accept(S.lfd, NULL, NULL);
        if (fd < 0) continue;
        int conn = atomic_fetch_add(&S.conns, 1) + 1;
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        SSL *ssl = SSL_new(S.ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) == 1) {
            atomic_fetch_add(&S.handshakes, 1);
            serve(ssl, fd, conn);
            if (S.mode != M_SYSLOG_RESET) SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        ERR_clear_error();
        close(fd);
    }
    return NULL;
}

/* A server of PKI A (client certificates checked against trust_ca). */
static void server_start(enum mode mode, const char *trust_ca, bool tls12)
{
    memset(&S, 0, sizeof(S));
    char err[512];
    S.ctx = tls_server_ctx(fx.srv_cert, fx.srv_key, trust_ca, NULL, err, sizeof(err));
    if (!S.ctx) fprintf(stderr, "server: %s\n", err);
    assert_non_null(S.ctx);
    if (tls12) {
        SSL_CTX_set_min_proto_version(S.ctx, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(S.ctx, TLS1_2_VERSION);
    }
    S.mode = mode;
    S.canned = ok_202;
    S.lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    assert_int_equal(bind(S.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(S.lfd, 8), 0);
    getsockname(S.lfd, (struct sockaddr *)&a, &al);
    S.port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&S.th, NULL, server_main, NULL), 0);
}

static void server_stop(void)
{
    atomic_store(&S.stop, 1);
    pthread_join(S.th, NULL);
    close(S.lfd);
    SSL_CTX_free(S.ctx);
}

/* The server's request count once it reaches n (or after 5 s). */
static int wait_requests(int n)
{
    for (int i = 0; i < 500 && atomic_load(&S.requests) < n; i++)
        usleep(10000);
    return atomic_load(&S.requests);
}

/* A port nobody listens on (bound, then closed). */
static uint16_t dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- clients ------------------------------------------------------------------------ */

static fwd_endpoint_tls_t endpoint(const char *ca)
{
    return (fwd_endpoint_tls_t){.host = "localhost",
                                .port = S.port,
                                .ca_file = ca,
                                .cert_file = fx.cert,
                                .key_file = fx.key,
                                .connect_timeout_ms = 3000,
                                .io_timeout_ms = 3000};
}

static fwd_https_t *https(fwd_https_cfg_t *c)
{
    char err[512] = "";
    fwd_https_t *h = fwd_https_new(c, err, sizeof(err));
    if (!h) fprintf(stderr, "fwd_https_new: %s\n", err);
    assert_non_null(h);
    return h;
}

static char url[128];

static const char *reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *reason(const char *fmt, ...)
{
    static char buf[FWD_REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return buf;
}

#define TAXII "application/taxii+json;version=2.1"
#define STIX  "application/stix+json;version=2.1"

/* ---- HTTPS ------------------------------------------------------------------------- */

static void test_https_request_bytes(void **state)
{
    (void)state;
    server_start(M_HTTP, fx.ca_a, false);
    fwd_https_cfg_t c = {.tls = endpoint(fx.ca_a), .bearer_token = "abc.DEF-_~+/=="};
    fwd_https_t *h = https(&c);
    fwd_result_t res;
    assert_int_equal(
        fwd_https_post(h, "/taxii2/api1/collections/c1/objects/", TAXII, "{}", 2, &res),
        FWD_DELIVERED);
    snprintf(url, sizeof(url), "https://localhost:%u/taxii2/api1/collections/c1/objects/", S.port);
    assert_string_equal(res.reason, reason("%s: HTTP 202 Accepted", url));
    assert_int_equal(res.http_status, 202);
    assert_int_equal(res.connects, 1);
    assert_true(res.sent);
    char want[1024];
    snprintf(want, sizeof(want),
             "POST /taxii2/api1/collections/c1/objects/ HTTP/1.1\r\n"
             "Host: localhost:%u\r\n"
             "User-Agent: soc-forwarder/1\r\n"
             "Accept: application/taxii+json;version=2.1\r\n"
             "Content-Type: application/taxii+json;version=2.1\r\n"
             "Content-Length: 2\r\n"
             "Authorization: Bearer abc.DEF-_~+/==\r\n"
             "\r\n"
             "{}",
             S.port);
    assert_int_equal(atomic_load(&S.requests), 1);
    assert_string_equal(S.req[0], want);

    /* Second post on the same connection; a bare bundle asks for JSON. */
    assert_int_equal(fwd_https_post(h, "/bundles", STIX, "[1]", 3, &res), FWD_DELIVERED);
    assert_int_equal(res.connects, 0);
    assert_int_equal(atomic_load(&S.conns), 1);
    assert_int_equal(S.req_conn[1], 1);
    assert_non_null(strstr(S.req[1], "\r\nAccept: application/json\r\n"));
    assert_non_null(strstr(S.req[1], "\r\nContent-Type: application/stix+json;version=2.1\r\n"));
    fwd_https_free(h);
    server_stop();
}

static void test_https_basic_auth(void **state)
{
    (void)state;
    server_start(M_HTTP, fx.ca_a, false);
    /* RFC 7617 section 2's example: Aladdin / open sesame. */
    fwd_https_cfg_t c = {
        .tls = endpoint(fx.ca_a), .basic_user = "Aladdin", .basic_password = "open sesame"};
    fwd_https_t *h = https(&c);
    fwd_result_t res;
    assert_int_equal(fwd_https_post(h, "/x", STIX, "", 0, &res), FWD_DELIVERED);
    assert_non_null(strstr(S.req[0], "\r\nContent-Length: 0\r\n"
                                     "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"));
    fwd_https_free(h);
    server_stop();
}

static void test_https_statuses(void **state)
{
    (void)state;
    server_start(M_HTTP, fx.ca_a, false);
    fwd_https_cfg_t c = {.tls = endpoint(fx.ca_a)};
    fwd_https_t *h = https(&c);
    fwd_result_t res;
    snprintf(url, sizeof(url), "https://localhost:%u/p", S.port);

    S.canned =
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy";
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_string_equal(res.reason,
                        reason("%s: HTTP 503 Service Unavailable: busy (Retry-After 7 s)", url));
    assert_int_equal(res.http_status, 503);
    assert_int_equal(res.retry_after, 7);

    S.canned = "HTTP/1.1 400 Bad Request\r\nContent-Length: 41\r\n\r\n"
               "{\"title\":\"bad\",\"description\":\"no objects\"}";
    /* { 1 "title" 7 : 1 "bad" 5 , 1 "description" 13 : 1 "no objects" 12 } 1 = 42:
     * one byte is left over, so the connection is closed after it. */
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_PERMANENT);
    assert_int_equal(res.http_status, 400);
    assert_int_equal(res.connects, 0);

    S.canned = "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_string_equal(res.reason, reason("%s: HTTP 429 Too Many Requests", url));
    assert_int_equal(res.connects, 1); /* the 400's extra byte closed the old one */

    S.canned = "HTTP/1.1 302 Found\r\nLocation: https://elsewhere/\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_PERMANENT);
    assert_string_equal(res.reason, reason("%s: HTTP 302 Found", url));

    /* Not HTTP at all. */
    S.canned = "SSH-2.0-OpenSSH_9.2\r\n";
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_string_equal(res.reason, reason("%s: HTTP response: byte 0: bad status line "
                                           "'SSH-2.0-OpenSSH_9.2'",
                                           url));
    assert_int_equal(res.http_status, 0);

    /* A 202 whose chunked body is broken: delivered (the server said so),
     * the connection is dropped. The header block is 23 + 28 + 2 = 53 bytes. */
    S.canned = "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_DELIVERED);
    assert_string_equal(res.reason, reason("%s: HTTP 202 Accepted; then HTTP response: byte 53: "
                                           "bad chunk size line 'zz'",
                                           url));
    int before = atomic_load(&S.conns);
    S.canned = ok_202;
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_DELIVERED);
    assert_int_equal(res.connects, 1);
    assert_int_equal(atomic_load(&S.conns), before + 1);
    fwd_https_free(h);
    server_stop();
}

static void test_https_stale(void **state)
{
    (void)state;
    /* The server closes after each answer without "Connection: close". */
    server_start(M_HTTP_CLOSE_EACH, fx.ca_a, false);
    fwd_https_cfg_t c = {.tls = endpoint(fx.ca_a)};
    fwd_https_t *h = https(&c);
    fwd_result_t res;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_DELIVERED);
        assert_int_equal(res.connects, 1);
    }
    assert_int_equal(atomic_load(&S.conns), 3);
    fwd_https_free(h);
    server_stop();

    /* The server takes the second request and closes without answering:
     * it is sent again on a new connection. */
    server_start(M_HTTP_DROP_2ND, fx.ca_a, false);
    c.tls.port = S.port;
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "one", 3, &res), FWD_DELIVERED);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "two", 3, &res), FWD_DELIVERED);
    assert_int_equal(res.connects, 1);
    assert_int_equal(atomic_load(&S.requests), 3);
    assert_int_equal(S.req_conn[1], 1);
    assert_int_equal(S.req_conn[2], 2);
    assert_string_equal(S.req[2] + S.req_len[2] - 3, "two");
    fwd_https_free(h);
    server_stop();

    /* An idle connection older than idle_max_ms is not reused. */
    server_start(M_HTTP, fx.ca_a, false);
    c.tls.port = S.port;
    c.tls.idle_max_ms = 1;
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_DELIVERED);
    usleep(20000);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_DELIVERED);
    assert_int_equal(res.connects, 1);
    assert_int_equal(atomic_load(&S.conns), 2);
    fwd_https_free(h);
    server_stop();
}

static void test_https_timeout_and_down(void **state)
{
    (void)state;
    server_start(M_HTTP_SILENT, fx.ca_a, false);
    fwd_https_cfg_t c = {.tls = endpoint(fx.ca_a)};
    c.tls.io_timeout_ms = 300;
    fwd_https_t *h = https(&c);
    fwd_result_t res;
    snprintf(url, sizeof(url), "https://localhost:%u/p", S.port);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_string_equal(res.reason, reason("%s: receive: timed out", url));
    assert_true(res.sent);
    fwd_https_free(h);
    server_stop();

    c.tls.port = dead_port();
    c.tls.host = "127.0.0.1";
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_string_equal(res.reason,
                        reason("https://127.0.0.1:%u/p: connect: Connection refused", c.tls.port));
    assert_false(res.sent);
    assert_int_equal(res.connects, 0);
    fwd_https_free(h);
}

static void test_https_certificates(void **state)
{
    (void)state;
    server_start(M_HTTP, fx.ca_a, false);
    fwd_result_t res;
    snprintf(url, sizeof(url), "https://localhost:%u/p", S.port);

    /* Pinned to another CA. */
    fwd_https_cfg_t c = {.tls = endpoint(fx.ca_b)};
    fwd_https_t *h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_string_equal(
        res.reason, reason("%s: TLS handshake: unknown CA (server certificate not issued by the "
                           "pinned CA): unable to get local issuer certificate (depth 0, "
                           "/CN=soc-ingest)",
                           url));
    assert_false(res.sent);
    fwd_https_free(h);

    /* The certificate does not name the host. */
    c = (fwd_https_cfg_t){.tls = endpoint(fx.ca_a)};
    c.tls.server_name = "nc.example";
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_string_equal(res.reason,
                        reason("%s: TLS handshake: server name mismatch: hostname mismatch "
                               "(depth 0, /CN=soc-ingest, expected nc.example)",
                               url));
    fwd_https_free(h);
    /* By address: 127.0.0.1 is in the certificate, 127.0.0.2 is not. */
    c.tls.server_name = NULL;
    c.tls.host = "127.0.0.1";
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_DELIVERED);
    fwd_https_free(h);
    c.tls.server_name = "127.0.0.2";
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    assert_non_null(strstr(res.reason, "server name mismatch: IP address mismatch"));
    fwd_https_free(h);
    server_stop();

    /* The server does not trust our certificate (TLS 1.3: we learn it from
     * its alert, after our handshake is done). */
    server_start(M_HTTP, fx.ca_b, false);
    c = (fwd_https_cfg_t){.tls = endpoint(fx.ca_a)};
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_RETRYABLE);
    snprintf(url, sizeof(url), "https://localhost:%u/p", S.port);
    /* The alert comes as we send or as we wait for the answer. */
    assert_true(strcmp(res.reason, reason("%s: receive: refused by peer: unknown CA", url)) == 0 ||
                strcmp(res.reason, reason("%s: send: refused by peer: unknown CA", url)) == 0);
    assert_int_equal(atomic_load(&S.handshakes), 0);
    fwd_https_free(h);
    server_stop();

    /* TLS 1.2 is accepted. */
    server_start(M_HTTP, fx.ca_a, true);
    c = (fwd_https_cfg_t){.tls = endpoint(fx.ca_a)};
    h = https(&c);
    assert_int_equal(fwd_https_post(h, "/p", STIX, "{}", 2, &res), FWD_DELIVERED);
    fwd_https_free(h);
    server_stop();
}

static void test_https_refused_requests(void **state)
{
    (void)state;
    fwd_https_cfg_t c = {.tls = endpoint(fx.ca_a)};
    c.tls.port = 8443;
    fwd_https_t *h = https(&c);
    fwd_result_t res;
    assert_int_equal(fwd_https_post(h, "p", STIX, "{}", 2, &res), FWD_PERMANENT);
    assert_string_equal(res.reason,
                        "https://localhost:8443p: bad request path (must start with '/', "
                        "no spaces or control characters, at most 2048 bytes)");
    assert_int_equal(fwd_https_post(h, "/a b", STIX, "{}", 2, &res), FWD_PERMANENT);
    assert_int_equal(fwd_https_post(h, "/a\r\nX: y", STIX, "{}", 2, &res), FWD_PERMANENT);
    assert_string_equal(res.reason,
                        "https://localhost:8443/a??X: y: bad request path (must start "
                        "with '/', no spaces or control characters, at most 2048 bytes)");
    assert_int_equal(fwd_https_post(h, "/p", "text/plain\r\nX: y", "{}", 2, &res), FWD_PERMANENT);
    assert_string_equal(res.reason, "https://localhost:8443/p: bad Content-Type");
    assert_int_equal(fwd_https_post(h, "/p", STIX, NULL, (size_t)FWD_HTTPS_BODY_MAX + 1, &res),
                     FWD_PERMANENT);
    assert_string_equal(res.reason, "https://localhost:8443/p: payload of 67108865 bytes over the "
                                    "67108864 byte limit");
    assert_int_equal(res.connects, 0);
    assert_false(res.sent);
    fwd_https_free(h);
}

static void test_https_config_errors(void **state)
{
    (void)state;
    char err[512];
    fwd_https_cfg_t c = {.tls = endpoint(fx.ca_a)};
    c.tls.ca_file = "/nonexistent/ca.crt";
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    assert_string_equal(err, "/nonexistent/ca.crt: No such file or directory");
    c = (fwd_https_cfg_t){.tls = endpoint(fx.ca_a)};
    c.tls.key_file = NULL;
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    assert_string_equal(err, "TLS: client needs a CA, and a key with its certificate");
    c = (fwd_https_cfg_t){.tls = endpoint(fx.ca_a)};
    c.tls.host = "a b";
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    assert_string_equal(err, "forwarder endpoint: host missing or not a host name/address");
    c = (fwd_https_cfg_t){.tls = endpoint(fx.ca_a)};
    c.tls.port = 0;
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    assert_string_equal(err, "forwarder endpoint localhost: port 0");
    c = (fwd_https_cfg_t){.tls = endpoint(fx.ca_a), .bearer_token = "a b"};
    c.tls.port = 443;
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    assert_string_equal(err, "forwarder localhost:443: bearer token is not a token68 of at most "
                             "4096 characters");
    c.bearer_token = "=abc";
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    c.bearer_token = "t";
    c.basic_user = "u";
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    assert_string_equal(err, "forwarder localhost:443: both Basic and Bearer credentials");
    c.bearer_token = NULL;
    c.basic_user = "a:b";
    assert_null(fwd_https_new(&c, err, sizeof(err)));
    assert_string_equal(err, "forwarder localhost:443: Basic user name must be non-empty without "
                             "':' and both without control characters");
    c.basic_user = "a";
    c.basic_password = "x\ny";
    assert_null(fwd_https_new(&c, err, sizeof(err)));
}

/* ---- syslog ------------------------------------------------------------------------ */

static fwd_syslog_tls_t *syslog_client(const fwd_endpoint_tls_t *e)
{
    char err[512] = "";
    fwd_syslog_tls_t *s = fwd_syslog_tls_new(e, err, sizeof(err));
    if (!s) fprintf(stderr, "fwd_syslog_tls_new: %s\n", err);
    assert_non_null(s);
    return s;
}

/* "<13>1" 5, " - - " 10, "soc-forwarder" 23, " - - " 28, "a" 29 bytes */
#define MSG1 "29 <13>1 - - soc-forwarder - - a"
#define MSG2 "29 <13>1 - - soc-forwarder - - b"

static void test_syslog_frames(void **state)
{
    (void)state;
    char err[256];
    size_t n = 0;
    assert_int_equal(fwd_syslog_tls_check_frames(MSG1, strlen(MSG1), 100, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    assert_int_equal(
        fwd_syslog_tls_check_frames(MSG1 MSG2, 2 * strlen(MSG1), 100, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 2);
    assert_int_equal(fwd_syslog_tls_check_frames("", 0, 100, &n, err, sizeof(err)), -1);
    assert_string_equal(err, "syslog frame: empty");
    assert_int_equal(fwd_syslog_tls_check_frames("027 <", 5, 100, &n, err, sizeof(err)), -1);
    assert_string_equal(err,
                        "syslog frame at byte 0: MSG-LEN must start with a digit 1-9, got 0x30");
    assert_int_equal(fwd_syslog_tls_check_frames("5<13>x", 6, 100, &n, err, sizeof(err)), -1);
    assert_string_equal(err, "syslog frame at byte 0: MSG-LEN not followed by a space within 9 "
                             "digits");
    assert_int_equal(fwd_syslog_tls_check_frames("1234567890 <", 12, 100, &n, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "syslog frame at byte 0: MSG-LEN not followed by a space within 9 "
                             "digits");
    assert_int_equal(fwd_syslog_tls_check_frames("101 <", 5, 100, &n, err, sizeof(err)), -1);
    assert_string_equal(err,
                        "syslog frame at byte 0: message of 101 bytes over the 100 byte limit");
    /* Frame 2 starts at 32 ("29 " + 29 bytes) and claims more than is there. */
    assert_int_equal(fwd_syslog_tls_check_frames(MSG1 "9 <13>", 38, 100, &n, err, sizeof(err)), -1);
    assert_string_equal(err, "syslog frame at byte 32: MSG-LEN 9 but only 4 bytes follow");
    assert_int_equal(fwd_syslog_tls_check_frames("3 abc", 5, 100, &n, err, sizeof(err)), -1);
    assert_string_equal(err, "syslog frame at byte 0: message does not start with '<' (PRI)");
    assert_int_equal(n, 0);
}

static void test_syslog_send(void **state)
{
    (void)state;
    server_start(M_SYSLOG, fx.ca_a, false);
    fwd_endpoint_tls_t e = endpoint(fx.ca_a);
    fwd_syslog_tls_t *s = syslog_client(&e);
    fwd_result_t res;
    char label[64];
    snprintf(label, sizeof(label), "syslog-tls://localhost:%u", S.port);
    assert_int_equal(fwd_syslog_tls_send(s, MSG1, strlen(MSG1), &res), FWD_DELIVERED);
    assert_string_equal(res.reason, reason("%s: 1 message sent", label));
    assert_int_equal(res.connects, 1);
    assert_int_equal(fwd_syslog_tls_send(s, MSG1 MSG2, 2 * strlen(MSG1), &res), FWD_DELIVERED);
    assert_string_equal(res.reason, reason("%s: 2 messages sent", label));
    assert_int_equal(res.connects, 0);
    /* A bad frame never reaches the wire. */
    assert_int_equal(fwd_syslog_tls_send(s, "3 abc", 5, &res), FWD_PERMANENT);
    assert_string_equal(res.reason, reason("%s: not sent: syslog frame at byte 0: message does "
                                           "not start with '<' (PRI)",
                                           label));
    assert_false(res.sent);
    assert_int_equal(wait_requests(3), 3);
    assert_string_equal(S.req[0], MSG1);
    assert_string_equal(S.req[2], MSG2);
    fwd_syslog_tls_free(s);
    server_stop();
}

static void test_syslog_dead_peer(void **state)
{
    (void)state;
    fwd_result_t res;
    char label[64];
    /* A receiver that closes the connection while it idles (here 1 s after
     * each message, long after confirm_ms): the next message goes on a new
     * connection, none is lost. */
    server_start(M_SYSLOG_CLOSE, fx.ca_a, false);
    fwd_endpoint_tls_t e = endpoint(fx.ca_a);
    fwd_syslog_tls_t *s = syslog_client(&e);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fwd_syslog_tls_send(s, MSG1, strlen(MSG1), &res), FWD_DELIVERED);
        assert_int_equal(res.connects, 1);
        usleep(1200000);
    }
    assert_int_equal(wait_requests(2), 2);
    assert_int_equal(atomic_load(&S.conns), 2);
    fwd_syslog_tls_free(s);
    server_stop();

    /* A receiver that resets the connection after reading: not delivered. */
    server_start(M_SYSLOG_RESET, fx.ca_a, false);
    e = endpoint(fx.ca_a);
    s = syslog_client(&e);
    fwd_syslog_tls_set_confirm_ms(s, 1000);
    snprintf(label, sizeof(label), "syslog-tls://localhost:%u", S.port);
    assert_int_equal(fwd_syslog_tls_send(s, MSG1, strlen(MSG1), &res), FWD_RETRYABLE);
    assert_string_equal(res.reason, reason("%s: receiver dropped the connection after the write "
                                           "(connection error: Connection reset by peer); the "
                                           "message may be lost",
                                           label));
    assert_true(res.sent);
    fwd_syslog_tls_free(s);
    server_stop();

    /* A receiver that refuses our certificate (TLS 1.3: after our side of
     * the handshake is done): the alert arrives within confirm_ms. */
    server_start(M_SYSLOG, fx.ca_b, false);
    e = endpoint(fx.ca_a);
    s = syslog_client(&e);
    fwd_syslog_tls_set_confirm_ms(s, 1000);
    snprintf(label, sizeof(label), "syslog-tls://localhost:%u", S.port);
    assert_int_equal(fwd_syslog_tls_send(s, MSG1, strlen(MSG1), &res), FWD_RETRYABLE);
    /* The alert comes as we send or while we wait after sending. */
    assert_true(strcmp(res.reason, reason("%s: receiver dropped the connection after the write "
                                          "(refused by peer: unknown CA); the message may be "
                                          "lost",
                                          label)) == 0 ||
                strcmp(res.reason, reason("%s: send: refused by peer: unknown CA", label)) == 0);
    assert_int_equal(atomic_load(&S.requests), 0);
    fwd_syslog_tls_free(s);
    server_stop();

    /* Nobody listening. */
    e = endpoint(fx.ca_a);
    e.port = dead_port();
    s = syslog_client(&e);
    assert_int_equal(fwd_syslog_tls_send(s, MSG1, strlen(MSG1), &res), FWD_RETRYABLE);
    assert_string_equal(res.reason,
                        reason("syslog-tls://localhost:%u: connect: Connection refused", e.port));
    fwd_syslog_tls_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https_request_bytes),    cmocka_unit_test(test_https_basic_auth),
        cmocka_unit_test(test_https_statuses),         cmocka_unit_test(test_https_stale),
        cmocka_unit_test(test_https_timeout_and_down), cmocka_unit_test(test_https_certificates),
        cmocka_unit_test(test_https_refused_requests), cmocka_unit_test(test_https_config_errors),
        cmocka_unit_test(test_syslog_frames),          cmocka_unit_test(test_syslog_send),
        cmocka_unit_test(test_syslog_dead_peer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
