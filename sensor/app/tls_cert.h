/* tls_cert.h -- what Suricata shows of a server certificate (the leaf of
 * the chain in the Certificate message): subject, issuer, serial, SHA-1
 * fingerprint and validity, as the strings its tls.cert_* buffers and EVE
 * tls object hold.
 *
 * libcrypto decides whether the DER is a certificate (d2i_X509); the name
 * and serial strings are then built from the DER itself, the way Suricata's
 * Rust x509-parser prints them:
 *   subject / issuer  RDNs in certificate order joined by ", ", the
 *                     attributes of a multi-valued RDN by " + ", each
 *                     "LABEL=value": C ST L O OU CN DC Email, else the OID's
 *                     short name (serialNumber, businessCategory ...), else
 *                     "OID(1.2.3)". String values are their bytes (UTF-8
 *                     checked, BMPString converted), other types upper-case
 *                     hex of the value bytes; a string value that is not
 *                     UTF-8 makes the whole name "<X509Error: Invalid X.509
 *                     name>", as Suricata prints it.
 *   serial            the INTEGER's content bytes as sent (a leading 00
 *                     kept), upper-case hex joined by ':' ("00:E1:A2").
 *   fingerprint       SHA-1 of the DER, lower-case hex joined by ':'.
 *   not_before/after  seconds since the epoch (UTC). */
#ifndef SOC_TLS_CERT_H
#define SOC_TLS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_CERT_NAME_MAX   2048u /* bytes of a subject / issuer string, NUL included */
#define TLS_CERT_SERIAL_MAX 64u   /* serial bytes shown */
#define TLS_CERT_FP_LEN     59u   /* 20 bytes as "ab:" ... "ef" */

typedef struct tls_cert {
    bool ok; /* libcrypto accepted the DER; the fields below come from it */
    /* Strings with their lengths; a field whose text does not fit (or
     * whose DER is broken) has length 0 and is absent. Each is also
     * NUL-terminated; subject and issuer may hold NUL bytes of their own. */
    uint32_t subject_len, issuer_len, serial_len;
    char subject[TLS_CERT_NAME_MAX];
    char issuer[TLS_CERT_NAME_MAX];
    char serial[TLS_CERT_SERIAL_MAX * 3];
    char fingerprint[TLS_CERT_FP_LEN + 1];
    bool has_validity;
    int64_t not_before, not_after;
} tls_cert_t;

/* Fill c from one DER certificate. False when it is not a certificate
 * (c->ok false, every field empty). Allocates only inside libcrypto, freed
 * before returning. */
bool tls_cert_parse(const uint8_t *der, size_t len, tls_cert_t *c);

/* Suricata's text of a DER Name (the SEQUENCE with its header) into out
 * (cap bytes, NUL-terminated). Returns the text length; 0 when the DER is
 * not a Name or the text does not fit (out is then ""). */
size_t tls_cert_name_text(const uint8_t *der, size_t len, char *out, size_t cap);

/* Suricata's EVE time form, UTC: "2019-01-01T00:00:00". */
void tls_cert_time_text(int64_t t, char out[32]);

#endif
