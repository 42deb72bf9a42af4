/* tls.h -- TLS record layer, ClientHello/ServerHello, the server's
 * Certificate message, JA3 and JA3S.
 *
 * Pure parsers: no flow knowledge, no allocation. The record walker strips
 * record headers from a direction's byte stream and hands out the handshake
 * bytes, which the caller gathers until one handshake message is complete
 * (a hello may span records and segments); the message parsers then work on
 * that message. Spans point into the caller's buffers. */
#ifndef SOC_TLS_H
#define SOC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_proto.h"

#define TLS_HS_HEADER_LEN  4
#define TLS_REC_HEADER_LEN 5
#define TLS_MAX_HELLO      16384u /* bound on a hello message body */
#define TLS_MAX_RECORD     (16384u + 2048u)

#define TLS_HS_CLIENT_HELLO      1
#define TLS_HS_SERVER_HELLO      2
#define TLS_HS_CERTIFICATE       11
#define TLS_HS_SERVER_HELLO_DONE 14

/* Bytes of a Certificate message body kept: a longer chain is cut there
 * (the leaf comes first, so it survives). Certificates listed beyond
 * TLS_MAX_CERTS are dropped the same way. */
#define TLS_MAX_CERT_MSG 65536u
#define TLS_MAX_CERTS    16u

/* Record content types */
#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define TLS_CT_ALERT              21
#define TLS_CT_HANDSHAKE          22
#define TLS_CT_APPLICATION_DATA   23

typedef struct tls_span {
    const uint8_t *p;
    uint32_t len; /* 0 = absent */
} tls_span_t;

typedef struct tls_client_hello {
    uint16_t version;         /* legacy client_version */
    tls_span_t ciphers;       /* uint16 list */
    tls_span_t extensions;    /* the whole extensions block */
    tls_span_t groups;        /* supported_groups: uint16 list */
    tls_span_t point_formats; /* ec_point_formats: uint8 list */
    tls_span_t versions;      /* supported_versions: uint16 list */
    tls_span_t sni;           /* first host_name of server_name */
    tls_span_t alpn;          /* ProtocolNameList body: (len8, name)* */
} tls_client_hello_t;

typedef struct tls_server_hello {
    uint16_t version;          /* legacy server_version */
    uint16_t selected_version; /* supported_versions (TLS 1.3), 0 if absent */
    uint16_t cipher;
    tls_span_t extensions;
    tls_span_t alpn; /* ProtocolNameList body with the chosen protocol */
} tls_server_hello_t;

/* A Certificate message (TLS 1.0-1.2; TLS 1.3 sends it encrypted). */
typedef struct tls_certs {
    uint32_t n;                    /* certificates wholly present, leaf first */
    tls_span_t der[TLS_MAX_CERTS]; /* each one's DER */
    /* der[0..n) as sent: (3-byte big-endian length, DER)*, one span */
    tls_span_t list;
    bool truncated; /* message cut short, or more than TLS_MAX_CERTS listed */
} tls_certs_t;

/* Record layer walker for one direction. */
typedef struct tls_records {
    uint8_t hdr[TLS_REC_HEADER_LEN];
    uint8_t hdr_len;  /* header bytes gathered so far */
    uint8_t type;     /* content type of the current record */
    uint16_t left;    /* payload bytes left in the current record */
    uint16_t version; /* record version of the last header */
} tls_records_t;

/* Consume the next piece of buf (record header bytes or a payload run):
 * *used is how far it got, *hs the handshake payload bytes in that piece
 * (len 0 for headers and other content types). MORE normally, ERROR when a
 * record header is not TLS (bad type, version or length). Call again with
 * buf + *used until the input is used up. */
app_parse_t tls_records_next(tls_records_t *r, const uint8_t *buf, size_t len, size_t *used,
                             tls_span_t *hs);

/* First bytes of a direction look like a TLS handshake record carrying a
 * ClientHello or ServerHello (checked as far as the bytes go: 6 decide). */
bool tls_probe(const uint8_t *buf, size_t len);

/* Handshake message at buf (header included): DONE with *type and the total
 * message length *msg_len (header + body) when all of it is in buf, MORE
 * when not yet (*type and *msg_len are set as soon as the header is there),
 * ERROR when the body is longer than TLS_MAX_HELLO -- except a Certificate,
 * whose body may take the full 24 bits: the caller keeps what it can. */
app_parse_t tls_handshake_peek(const uint8_t *buf, size_t len, uint8_t *type, size_t *msg_len);

/* Parse a complete hello message (header included). ERROR when it is not
 * that message type or is malformed; MORE when truncated. */
app_parse_t tls_parse_client_hello(const uint8_t *msg, size_t len, tls_client_hello_t *out);
app_parse_t tls_parse_server_hello(const uint8_t *msg, size_t len, tls_server_hello_t *out);

/* Parse a Certificate message (header included) of which the first len
 * bytes are at msg. DONE with the certificates wholly inside msg[0..len)
 * (out->truncated when the message goes on beyond len, or lists more than
 * TLS_MAX_CERTS); MORE when not even the list length is there; ERROR when
 * it is not a Certificate or its framing is broken (list length other than
 * the body's, a certificate overrunning the list, an empty certificate). */
app_parse_t tls_parse_certificate(const uint8_t *msg, size_t len, tls_certs_t *out);

/* Gather the handshake bytes of a record stream into scratch and stop at the
 * first complete handshake message: DONE with its length in *msg_len. For
 * tests and fuzzing; the app layer does the same incrementally. */
app_parse_t tls_first_handshake(const uint8_t *data, size_t len, uint8_t *scratch, size_t cap,
                                size_t *msg_len);

/* JA3 / JA3S strings (Salesforce definition, GREASE values removed). Like
 * snprintf: writes at most cap bytes with a NUL, returns the full length. */
size_t tls_ja3(const tls_client_hello_t *ch, char *out, size_t cap);
size_t tls_ja3s(const tls_server_hello_t *sh, char *out, size_t cap);

/* MD5 of s as 32 lowercase hex digits + NUL. False if the digest failed. */
bool tls_md5_hex(const void *s, size_t n, char hex[33]);

/* GREASE (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
static inline bool tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Suricata's version names: "SSLv3", "TLSv1", "TLS 1.1", "TLS 1.2",
 * "TLS 1.3", "UNDETERMINED" for 0; other values as "0x%04x" in buf. */
const char *tls_version_name(uint16_t v, char buf[24]);

#endif
