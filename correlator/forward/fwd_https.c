/* fwd_https.c -- see fwd_https.h. */
#include "fwd_https.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "fwd_http_response.h"

#define REQ_HEAD_MAX (FWD_HTTPS_PATH_MAX + FWD_HTTPS_CREDENTIAL_MAX * 2 + 1024)
#define READ_CHUNK   16384
#define USER_AGENT   "soc-forwarder/1"
#define TAXII_TYPE   "application/taxii+json;version=2.1" /* = FWD_TAXII_MEDIA_TYPE */

struct fwd_https {
    fwd_tls_t *tls;
    char host_header[FWD_HOST_MAX + 10]; /* Host: value */
    char *auth;                          /* "Authorization: ...\r\n" or NULL */
    size_t auth_len;
    uint64_t response_cap;
    fwd_http_resp_t resp; /* the response being read (10 KiB: not on the stack) */
};

/* ---- configuration ------------------------------------------------------------ */

static bool printable(const char *s, bool allow_space)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || (!allow_space && c == ' ')) return false;
    }
    return true;
}

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static bool token68(const char *s)
{
    size_t i = 0;
    while (s[i] && (strchr("-._~+/", s[i]) || (s[i] >= '0' && s[i] <= '9') ||
                    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    if (i == 0) return false;
    while (s[i] == '=')
        i++;
    return s[i] == '\0';
}

static char *auth_line(const char *scheme, const char *cred, size_t n, size_t *len)
{
    size_t cap = strlen("Authorization: ") + strlen(scheme) + 1 + n + 3;
    char *line = malloc(cap);
    if (!line) return NULL;
    int w = snprintf(line, cap, "Authorization: %s %.*s\r\n", scheme, (int)n, cred);
    *len = (size_t)w;
    return line;
}

static int make_auth(fwd_https_t *h, const fwd_https_cfg_t *cfg, char *err, size_t errlen)
{
    const char *who = fwd_tls_label(h->tls);
    bool basic = cfg->basic_user || cfg->basic_password;
    if (basic && cfg->bearer_token)
        return err_set(-1, err, errlen, "forwarder %s: both Basic and Bearer credentials", who);
    if (cfg->bearer_token) {
        size_t n = strlen(cfg->bearer_token);
        if (n > FWD_HTTPS_CREDENTIAL_MAX || !token68(cfg->bearer_token))
            return err_set(-1, err, errlen,
                           "forwarder %s: bearer token is not a token68 of at "
                           "most %d characters",
                           who, FWD_HTTPS_CREDENTIAL_MAX);
        h->auth = auth_line("Bearer", cfg->bearer_token, n, &h->auth_len);
    } else if (basic) {
        const char *u = cfg->basic_user ? cfg->basic_user : "";
        const char *p = cfg->basic_password ? cfg->basic_password : "";
        size_t ul = strlen(u), pl = strlen(p);
        if (!*u || strchr(u, ':') || !printable(u, true) || !printable(p, true) ||
            ul + pl > FWD_HTTPS_CREDENTIAL_MAX)
            return err_set(-1, err, errlen,
                           "forwarder %s: Basic user name must be non-empty "
                           "without ':' and both without control characters",
                           who);
        char plain[FWD_HTTPS_CREDENTIAL_MAX + 2];
        unsigned char b64[(FWD_HTTPS_CREDENTIAL_MAX + 2) / 3 * 4 + 8];
        int pn = snprintf(plain, sizeof(plain), "%s:%s", u, p);
        int bn = EVP_EncodeBlock(b64, (const unsigned char *)plain, pn);
        h->auth = auth_line("Basic", (const char *)b64, (size_t)bn, &h->auth_len);
        OPENSSL_cleanse(plain, sizeof(plain));
        OPENSSL_cleanse(b64, sizeof(b64));
    } else {
        return 0;
    }
    if (!h->auth) return err_set(-1, err, errlen, "forwarder %s: out of memory", who);
    return 0;
}

fwd_https_t *fwd_https_new(const fwd_https_cfg_t *cfg, char *err, size_t errlen)
{
    if (!cfg) {
        err_set(-1, err, errlen, "forwarder: no HTTPS configuration");
        return NULL;
    }
    fwd_https_t *h = calloc(1, sizeof(*h));
    if (!h) {
        err_set(-1, err, errlen, "forwarder: out of memory");
        return NULL;
    }
    h->tls = fwd_tls_new(&cfg->tls, err, errlen);
    if (!h->tls || make_auth(h, cfg, err, errlen) != 0) {
        fwd_https_free(h);
        return NULL;
    }
    const char *name =
        cfg->tls.server_name && *cfg->tls.server_name ? cfg->tls.server_name : cfg->tls.host;
    bool v6 = strchr(name, ':') != NULL;
    int n = snprintf(h->host_header, sizeof(h->host_header), "%s%s%s", v6 ? "[" : "", name,
                     v6 ? "]" : "");
    if (cfg->tls.port != 443 && n > 0 && (size_t)n < sizeof(h->host_header))
        snprintf(h->host_header + n, sizeof(h->host_header) - (size_t)n, ":%u",
                 (unsigned)cfg->tls.port);
    h->response_cap = cfg->max_response_body ? cfg->max_response_body : FWD_HTTPS_RESPONSE_MAX_DEF;
    return h;
}

void fwd_https_free(fwd_https_t *h)
{
    if (!h) return;
    fwd_tls_free(h->tls);
    if (h->auth) OPENSSL_cleanse(h->auth, h->auth_len);
    free(h->auth);
    free(h);
}

void fwd_https_disconnect(fwd_https_t *h)
{
    if (h) fwd_tls_close(h->tls);
}

/* ---- results -------------------------------------------------------------------- */

/* The answer the server gave, as the result: status class and one line. */
static fwd_status_t from_response(fwd_result_t *res, const fwd_http_resp_t *r, const char *url,
                                  bool framing_lost)
{
    char summary[200] = "", ra[32] = "";
    /* A refusal's body says why; an acceptance's is just noise in the log. */
    if (fwd_http_status_class(r->status) != FWD_DELIVERED)
        fwd_http_body_summary(r, summary, sizeof(summary));
    if (strcmp(summary, r->reason) == 0) summary[0] = '\0'; /* "401 Unauthorized: Unauthorized" */
    if (r->retry_after) snprintf(ra, sizeof(ra), " (Retry-After %" PRIu32 " s)", r->retry_after);
    res->http_status = r->status;
    res->retry_after = r->retry_after;
    return fwd_result_set(res, fwd_http_status_class(r->status), url, "HTTP %d%s%s%s%s%s%s%s",
                          r->status, *r->reason ? " " : "", r->reason, *summary ? ": " : "",
                          summary, ra, framing_lost ? "; then " : "", framing_lost ? r->err : "");
}

/* ---- one exchange --------------------------------------------------------------- */

enum exchange { EX_DONE, EX_STALE, EX_FAILED };

/* Reads the response to the request just sent. */
static enum exchange read_response(fwd_https_t *h, bool reused, const char *url, fwd_result_t *res)
{
    fwd_http_resp_t *r = &h->resp;
    fwd_http_resp_init(r, h->response_cap);
    int64_t deadline = fwd_deadline_ms(fwd_tls_io_timeout_ms(h->tls));
    unsigned char buf[READ_CHUNK];
    char why[256];
    enum exchange ex = EX_FAILED;
    for (;;) {
        ssize_t n = fwd_tls_read(h->tls, buf, sizeof(buf), deadline, why, sizeof(why));
        fwd_http_rc_t rc;
        size_t used = 0;
        if (n > 0) {
            rc = fwd_http_resp_feed(r, buf, (size_t)n, &used);
            if (rc == FWD_HTTP_MORE) continue;
        } else if (n == 0) {
            if (reused && !fwd_http_resp_started(r)) {
                ex = EX_STALE;
                break;
            }
            rc = fwd_http_resp_eof(r);
        } else {
            if (reused && n != FWD_TLS_TIMEOUT && !fwd_http_resp_started(r)) {
                ex = EX_STALE;
                break;
            }
            if (r->headers_done) { /* the answer came, its body did not */
                snprintf(r->err, sizeof(r->err), "%.*s", (int)sizeof(r->err) - 1, why);
                from_response(res, r, url, true);
            } else {
                fwd_result_set(res, FWD_RETRYABLE, url, "%s", why);
            }
            break;
        }
        /* More bytes than the response, or a server ending the connection:
         * the connection cannot carry another request. */
        if (rc != FWD_HTTP_DONE || !r->keep_alive || used < (size_t)(n > 0 ? n : 0))
            fwd_tls_close(h->tls);
        else
            fwd_tls_touch(h->tls); /* the server's idle clock starts now */
        if (rc == FWD_HTTP_DONE || r->headers_done)
            from_response(res, r, url, rc != FWD_HTTP_DONE);
        else
            fwd_result_set(res, FWD_RETRYABLE, url, "%s", r->err);
        ex = EX_DONE;
        break;
    }
    return ex;
}

static enum exchange exchange(fwd_https_t *h, const void *req, size_t len, bool reused,
                              const char *url, fwd_result_t *res)
{
    char why[256];
    int64_t deadline = fwd_deadline_ms(fwd_tls_io_timeout_ms(h->tls));
    if (fwd_tls_write(h->tls, req, len, deadline, why, sizeof(why)) != 0) {
        if (reused && strstr(why, "timed out") == NULL) return EX_STALE;
        fwd_result_set(res, FWD_RETRYABLE, url, "%s", why);
        return EX_FAILED;
    }
    res->sent = true;
    return read_response(h, reused, url, res);
}

/* ---- the request ----------------------------------------------------------------- */

static bool path_ok(const char *path)
{
    return path && path[0] == '/' && strlen(path) <= FWD_HTTPS_PATH_MAX && printable(path, false);
}

/* Request head and body in one buffer (one TLS record stream, no small
 * segment for the head alone). NULL when out of memory. */
static char *build_request(const fwd_https_t *h, const char *path, const char *ctype,
                           const void *body, size_t len, size_t *outlen)
{
    const char *accept =
        strncmp(ctype, "application/taxii+json", 22) == 0 ? TAXII_TYPE : "application/json";
    char head[REQ_HEAD_MAX];
    int n = snprintf(head, sizeof(head),
                     "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: " USER_AGENT
                     "\r\nAccept: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
                     path, h->host_header, accept, ctype, len, h->auth ? h->auth : "");
    char *req = NULL;
    if (n > 0 && (size_t)n < sizeof(head) && (req = malloc((size_t)n + len + 1)) != NULL) {
        memcpy(req, head, (size_t)n);
        if (len) memcpy(req + n, body, len);
        *outlen = (size_t)n + len;
    }
    OPENSSL_cleanse(head, sizeof(head)); /* it held the credentials */
    return req;
}

static fwd_status_t send_request(fwd_https_t *h, const char *req, size_t reqlen, const char *url,
                                 fwd_result_t *res)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        char why[FWD_REASON_MAX - 64];
        int o = fwd_tls_open(h->tls, why, sizeof(why));
        if (o < 0) return fwd_result_set(res, FWD_RETRYABLE, url, "%s", why);
        if (o == 1) res->connects++;
        enum exchange ex = exchange(h, req, reqlen, o == 0, url, res);
        if (ex != EX_STALE) return res->status;
        /* The server had dropped the kept-alive connection: once more on a
         * new one (fwd_tls_open connects, as it is closed now). */
        fwd_tls_close(h->tls);
    }
    return fwd_result_set(res, FWD_RETRYABLE, url,
                          "connection closed by peer twice before a response");
}

fwd_status_t fwd_https_post(fwd_https_t *h, const char *path, const char *content_type,
                            const void *body, size_t len, fwd_result_t *res)
{
    memset(res, 0, sizeof(*res));
    res->status = FWD_RETRYABLE;
    char qpath[120], url[FWD_HOST_MAX + 140];
    err_quote(path ? path : "", path ? strlen(path) : 0, qpath, sizeof(qpath));
    snprintf(url, sizeof(url), "https://%s%s", fwd_tls_label(h->tls), qpath);
    if (!path_ok(path))
        return fwd_result_set(res, FWD_PERMANENT, url,
                              "bad request path (must start with '/', no "
                              "spaces or control characters, at most %d bytes)",
                              FWD_HTTPS_PATH_MAX);
    if (!content_type || !*content_type || strlen(content_type) > 200 ||
        !printable(content_type, true))
        return fwd_result_set(res, FWD_PERMANENT, url, "bad Content-Type");
    if (len > FWD_HTTPS_BODY_MAX || (len && !body))
        return fwd_result_set(res, FWD_PERMANENT, url,
                              "payload of %zu bytes over the %u byte limit", len,
                              FWD_HTTPS_BODY_MAX);
    size_t reqlen = 0;
    char *req = build_request(h, path, content_type, body, len, &reqlen);
    if (!req) return fwd_result_set(res, FWD_RETRYABLE, url, "out of memory");
    fwd_status_t st = send_request(h, req, reqlen, url, res);
    if (h->auth) OPENSSL_cleanse(req, reqlen - len);
    free(req);
    return st;
}
