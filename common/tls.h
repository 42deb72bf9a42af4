/* tls.h -- the one TLS helper both daemons use (OpenSSL 3).
 *
 * Sensors talk to soc-ingest over mutual TLS 1.3: the server demands a client
 * certificate issued by the appliance's own CA (socctl pki), checks the CRL,
 * and takes the sensor's name from the certificate's CN. The forwarder is a
 * client with a pinned CA and hostname verification. Both sides verify
 * against the given CA file only, never the system store.
 *
 * Errors are one line in err ("FILE: reason"). Functions returning int give
 * 0 on success and -1 on failure. No state is kept outside the SSL_CTX. */
#ifndef SOC_COMMON_TLS_H
#define SOC_COMMON_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>

/* Server context: TLS 1.3 only; a client certificate is required and
 * verified against ca (PEM, one or more CA certificates); when crl is not
 * NULL, the client certificate is checked against it (X509_V_FLAG_CRL_CHECK).
 * Session resumption is off so every connection is verified afresh (a
 * revoked sensor cannot resume an old session). NULL on error. */
SSL_CTX *tls_server_ctx(const char *cert, const char *key, const char *ca, const char *crl,
                        char *err, size_t errlen);

/* Load crl afresh (turning CRL checking on if the context had none) so a
 * revocation takes effect without a restart; the trusted CA stays as
 * loaded. Connections that already exist keep the old list; SSL objects
 * created afterwards use the new one. Not safe against a concurrent SSL_new
 * on the same ctx: call it from the thread that creates connections. The
 * CRL must verify with the CA; on any error the old list stays in force. */
int tls_server_reload_crl(SSL_CTX *ctx, const char *crl, char *err, size_t errlen);

/* Client context: TLS 1.3 only; the server is verified against ca only
 * (pinned). cert and key may both be NULL for a client without a
 * certificate. NULL on error. */
SSL_CTX *tls_client_ctx(const char *cert, const char *key, const char *ca, char *err,
                        size_t errlen);

/* Before SSL_connect: the server's certificate must match host, a DNS name
 * (also sent as SNI) or an IPv4/IPv6 address (matched against IP SANs). */
int tls_client_set_host(SSL *ssl, const char *host);

/* CN of the peer's verified certificate (exactly one CN, no NUL or control
 * bytes, shorter than cnlen). -1 if there is no verified certificate. */
int tls_peer_name(SSL *ssl, char *cn, size_t cnlen);

/* Why a TLS call failed, as one short phrase for a log line. Call right
 * after a failed SSL_accept / SSL_connect / SSL_read / SSL_write with its
 * return value; reads and clears this thread's OpenSSL error queue. Returns
 * buf. Phrases (exact):
 *   "client sent no certificate"
 *   "certificate revoked" / "certificate expired" / "certificate not yet valid"
 *   "unknown CA (certificate not issued by this appliance)"        (server)
 *   "unknown CA (server certificate not issued by the pinned CA)"  (client)
 *   "server name mismatch"
 *   "certificate not valid for this purpose (extended key usage)"
 *   "not TLS (plain TCP or other protocol)"
 *   "protocol version too old"
 *   "refused by peer: ALERT" (e.g. "refused by peer: certificate revoked")
 *   "connection closed by peer", "timed out waiting for the peer"
 *   "CRL expired (run socctl pki crl)", "no CRL for the issuing CA"
 *   otherwise "certificate verification failed: ..." or "TLS error: ..."
 * "not TLS" comes from what OpenSSL saw in the first record header ("GET ",
 * "CONNECT", a version byte that is not 3, an impossible length): those
 * bytes are already consumed when the handshake fails, so no peek is
 * needed (a blocking peek before SSL_accept would stall on a silent peer). */
const char *tls_failure_reason(SSL *ssl, int ret, char *buf, size_t buflen);

#endif
