/* ctx_ip.h -- IP addresses and prefixes for the context module.
 *
 * Every address is held as 128 bits. IPv4 addresses are stored mapped into
 * ::ffff:0:0/96 (RFC 4291 2.5.5.2), so one table and one comparison serve
 * both families; an IPv4 prefix /n is the mapped prefix /96+n. A literal
 * IPv4-mapped IPv6 address ("::ffff:10.0.0.1") is therefore the same
 * address as 10.0.0.1, which is what a lookup should see. */
#ifndef SOC_CTX_IP_H
#define SOC_CTX_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ctx_ip {
    uint64_t hi, lo; /* network byte order read as two big-endian words */
} ctx_ip_t;

#define CTX_IP_STRLEN 64 /* enough for any address or prefix text, with NUL */

/* Parse an IPv4 dotted quad or an IPv6 address (n bytes, need not be
 * NUL-terminated; at most 45 bytes). */
bool ctx_ip_parse(const char *s, size_t n, ctx_ip_t *out);
/* Parse "ADDR/LEN" or a bare address (then the host prefix). *len is in
 * the 128-bit space (IPv4 /8 gives 104). Host bits set below the prefix
 * are refused (*host_bits is set) so a typo such as 10.20.0.10/24 is not
 * silently widened. */
bool ctx_prefix_parse(const char *s, size_t n, ctx_ip_t *net, unsigned *len, bool *host_bits);
/* Whether the address is IPv4 (mapped). */
bool ctx_ip_is_v4(ctx_ip_t a);
/* Canonical text: dotted quad for IPv4, RFC 5952 for IPv6. */
void ctx_ip_format(ctx_ip_t a, char out[CTX_IP_STRLEN]);
/* Prefix text in the address's own family ("10.0.0.0/8", "fd00::/16"). */
void ctx_prefix_format(ctx_ip_t net, unsigned len, char out[CTX_IP_STRLEN]);
/* Address with the bits below len cleared / set. */
ctx_ip_t ctx_ip_mask(ctx_ip_t a, unsigned len);
ctx_ip_t ctx_ip_last(ctx_ip_t net, unsigned len);

static inline int ctx_ip_cmp(ctx_ip_t a, ctx_ip_t b)
{
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

/* 16 bytes in network order (hash keys). */
void ctx_ip_bytes(ctx_ip_t a, uint8_t out[16]);

#endif
