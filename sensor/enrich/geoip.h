/* geoip.h -- country, city and AS of a public address (libmaxminddb).
 *
 * Two optional databases: a City or Country one (GeoIP2/GeoLite2/DB-IP
 * style: country.iso_code, country.names.en, city.names.en) and an ASN one
 * (autonomous_system_number, autonomous_system_organization). Private and
 * special-purpose addresses are answered without a lookup. Results are kept
 * in a small direct-mapped cache because the same addresses repeat.
 *
 * A geoip_t is not thread-safe (the cache); give each worker thread its own
 * (the databases are mmap'ed, so the pages are shared). */
#ifndef SOC_GEOIP_H
#define SOC_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct geoip geoip_t;

typedef struct geoip_info {
    char country_iso[4]; /* "GB" */
    char country[64];    /* English name, UTF-8, cut at a character boundary */
    char city[64];
    uint32_t asn;
    char as_org[128];
    uint8_t has_country, has_city, has_asn;
} geoip_info_t;

/* Open either or both databases (a NULL path is skipped, not both). On
 * failure returns NULL with a one-line message naming the file in err, e.g.
 * "/x/City.mmdb: cannot open GeoIP database: No such file or directory" or
 * "...: wrong database type 'GeoLite2-ASN' (want a City or Country database)". */
geoip_t *geoip_open(const char *city_or_country_db, const char *asn_db, char *err, size_t errlen);
void geoip_close(geoip_t *g);

/* Look up addr (network byte order; IPv4 in the first 4 bytes). IPv4-mapped
 * (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) IPv6 addresses are looked up
 * as the IPv4 address they carry. Returns false, with *out cleared, for
 * private/special addresses and when none of the fields is known. */
bool geoip_lookup(geoip_t *g, int ip_version, const uint8_t addr[16], geoip_info_t *out);

/* True for addresses with no place on the public Internet: RFC 1918,
 * loopback, link-local, CGNAT, multicast, documentation, benchmarking,
 * reserved; IPv6 ULA, link/site-local, multicast, documentation, ::, ::1. */
bool geoip_is_private(int ip_version, const uint8_t addr[16]);

/* Lookups answered from the cache / from the databases (for stats). */
void geoip_counters(const geoip_t *g, uint64_t *cache_hits, uint64_t *db_lookups);

#endif
