/* fwd_uuid.h -- name-based UUIDs (version 5, SHA-1; RFC 9562 section 5.5).
 *
 * The forwarder's object ids must come out the same every time the same
 * incident version is formatted (a retry must not create a second object
 * at the receiver), so they are hashed from names, never drawn at random. */
#ifndef SOC_FWD_UUID_H
#define SOC_FWD_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FWD_UUID_STR 37 /* 36 characters and the NUL */

/* RFC 9562 appendix: the DNS namespace (6ba7b810-9dad-11d1-80b4-00c04fd430c8). */
extern const uint8_t fwd_uuid_ns_dns[16];
/* STIX 2.1 section 2.9: namespace of deterministic SCO ids
 * (00abedb4-aa42-466c-9c01-fed23315a9b7). */
extern const uint8_t fwd_uuid_ns_stix_sco[16];
/* This project's namespace for its own object ids
 * (118169b5-6336-4196-949c-5819fab73815, drawn once at random). */
extern const uint8_t fwd_uuid_ns_soc[16];

/* UUIDv5 of name (n bytes) in namespace ns, as lower-case
 * "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx". False only if libcrypto fails. */
bool fwd_uuid_v5(const uint8_t ns[16], const void *name, size_t n, char out[FWD_UUID_STR]);

/* The 16 bytes as the 36-character text form. */
void fwd_uuid_format(const uint8_t b[16], char out[FWD_UUID_STR]);

#endif
