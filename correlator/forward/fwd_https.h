/* fwd_https.h -- HTTP/1.1 POST of one payload to the national centre over
 * a persistent mutual-TLS connection (TAXII 2.1 "add objects", or a bare
 * STIX bundle to a plain HTTPS endpoint).
 *
 * One request at a time on one keep-alive connection. Before a request the
 * connection is checked (a server that closed it while idle is noticed and
 * a new one is opened); when a reused connection turns out dead while the
 * request is sent, or closes before any byte of a response, the request is
 * sent once more on a new connection (so a payload may arrive twice; the
 * forwarder's payloads are idempotent: deterministic object ids).
 *
 * The response is parsed strictly and within bounds (fwd_http_response.h);
 * its body is read up to a cap and dropped (its start goes in the reason).
 * Redirects are not followed. Single-threaded; no state outside the
 * handle. The process needs no SIGPIPE handling (see fwd_tls.h). */
#ifndef SOC_FWD_HTTPS_H
#define SOC_FWD_HTTPS_H

#include <stddef.h>
#include <stdint.h>

#include "fwd_result.h"
#include "fwd_tls.h"

#define FWD_HTTPS_BODY_MAX         (64u << 20) /* largest payload we send */
#define FWD_HTTPS_RESPONSE_MAX_DEF (1u << 20)  /* response body cap by default */
#define FWD_HTTPS_PATH_MAX         2048
#define FWD_HTTPS_CREDENTIAL_MAX   4096

typedef struct fwd_https_cfg {
    fwd_endpoint_tls_t tls;
    /* Authorization, at most one kind (strings read during fwd_https_new): */
    const char *basic_user; /* Basic: user name (no ':'), with basic_password */
    const char *basic_password;
    const char *bearer_token;   /* Bearer: token68 (RFC 9110 11.2) */
    uint64_t max_response_body; /* bytes of response body read at most; 0: default */
} fwd_https_cfg_t;

typedef struct fwd_https fwd_https_t;

/* Checks the configuration and loads the TLS material; connects lazily.
 * NULL with one line in err. */
fwd_https_t *fwd_https_new(const fwd_https_cfg_t *cfg, char *err, size_t errlen);
/* Closes the connection and wipes the credentials. */
void fwd_https_free(fwd_https_t *h);

/* POST body (len bytes) to path ("/taxii2/api1/collections/ID/objects/")
 * with the given Content-Type (fwd_stix.h: FWD_TAXII_MEDIA_TYPE, and then
 * Accept is the TAXII media type too; FWD_STIX_MEDIA_TYPE for a bare
 * bundle, and then Accept is application/json). Fills res and returns its
 * status: FWD_DELIVERED on 2xx, FWD_RETRYABLE on a network or TLS error, a
 * timeout, 408, 429 or 5xx, FWD_PERMANENT on other statuses or a request
 * we refuse to send (bad path or content type, payload over
 * FWD_HTTPS_BODY_MAX). */
fwd_status_t fwd_https_post(fwd_https_t *h, const char *path, const char *content_type,
                            const void *body, size_t len, fwd_result_t *res);

/* Drops the connection (the next post opens a new one). */
void fwd_https_disconnect(fwd_https_t *h);

#endif
