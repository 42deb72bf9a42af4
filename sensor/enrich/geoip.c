/* geoip.c -- GeoIP/ASN enrichment over libmaxminddb (see geoip.h).
 *
 * Per event the cost is a private-range test, a cache probe and, on a miss,
 * one search-tree walk per database plus a few map lookups. The sockaddr is
 * built directly from the address bytes, never through getaddrinfo. */
#include "geoip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define GEOIP_CACHE_BITS 12
#define GEOIP_CACHE_SIZE (1u << GEOIP_CACHE_BITS)

typedef struct geoip_entry {
    uint8_t addr[16];
    uint8_t version; /* 0: empty slot */
    bool found;
    geoip_info_t info;
} geoip_entry_t;

struct geoip {
    MMDB_s city, asn;
    bool has_city, has_asn;
    uint64_t hits, lookups;
    geoip_entry_t cache[GEOIP_CACHE_SIZE];
};

/* ---- address classification --------------------------------------------- */

/* IPv6 forms that carry an IPv4 address are reduced to it: IPv4-mapped
 * (::ffff:0:0/96, how dual-stack sockets show IPv4 peers) and the NAT64
 * well-known prefix (64:ff9b::/96), whose IPv4 part is the real peer.
 * Returns the effective version (4 or 6), or 0 for anything else. */
static int normalize(int v, const uint8_t in[16], uint8_t out[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    memset(out, 0, 16);
    if (v == 4) {
        memcpy(out, in, 4);
        return 4;
    }
    if (v != 6) return 0;
    if (memcmp(in, mapped, 12) == 0 || memcmp(in, nat64, 12) == 0) {
        memcpy(out, in + 12, 4);
        return 4;
    }
    memcpy(out, in, 16);
    return 6;
}

/* IANA special-purpose IPv4 registry (RFC 6890 and successors). */
static bool private4(const uint8_t a[4])
{
    switch (a[0]) {
    case 0:  /* "this network" */
    case 10: /* RFC 1918 */
    case 127: /* loopback */ return true;
    case 100: return (a[1] & 0xc0) == 64; /* 100.64/10 CGNAT */
    case 169: return a[1] == 254;         /* link-local */
    case 172: return (a[1] & 0xf0) == 16; /* 172.16/12 */
    case 192:
        return (a[1] == 0 && (a[2] == 0 || a[2] == 2)) || /* IETF, TEST-NET-1 */
               a[1] == 168;                               /* RFC 1918 */
    case 198:
        return (a[1] & 0xfe) == 18 ||          /* 198.18/15 benchmarking */
               (a[1] == 51 && a[2] == 100);    /* TEST-NET-2 */
    case 203: return a[1] == 0 && a[2] == 113; /* TEST-NET-3 */
    default: return a[0] >= 224;               /* multicast, reserved, broadcast */
    }
}

static bool private6(const uint8_t a[16])
{
    /* Only 2000::/3 is global unicast; everything else (::, ::1, ULA
     * fc00::/7, link-local fe80::/10, site-local, multicast ff00::/8,
     * discard 100::/64, IPv4-compatible) is special or unassigned. */
    if ((a[0] & 0xe0) != 0x20) return true;
    if (a[0] == 0x20 && a[1] == 0x01) {
        if (a[2] == 0x0d && a[3] == 0xb8) return true;                   /* 2001:db8::/32 docs */
        if (a[2] == 0x00 && a[3] == 0x02 && !a[4] && !a[5]) return true; /* 2001:2::/48 bench */
    }
    return a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0; /* 3fff::/20 docs */
}

static bool private_norm(int v, const uint8_t a[16])
{
    return v == 4 ? private4(a) : private6(a);
}

bool geoip_is_private(int ip_version, const uint8_t addr[16])
{
    uint8_t a[16];
    int v = normalize(ip_version, addr, a);
    return v == 0 || private_norm(v, a);
}

/* ---- opening -------------------------------------------------------------- */

static bool type_has(const MMDB_s *db, const char *const kinds[])
{
    const char *t = db->metadata.database_type;
    for (size_t i = 0; t && kinds[i]; i++)
        if (strstr(t, kinds[i])) return true;
    return false;
}

static bool open_db(MMDB_s *db, const char *path, const char *const kinds[], const char *want,
                    char *err, size_t errlen)
{
    errno = 0;
    int status = MMDB_open(path, MMDB_MODE_MMAP, db);
    if (status != MMDB_SUCCESS) {
        /* For file errors errno says more ("No such file or directory"). */
        bool sys = (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR) && errno != 0;
        const char *why = sys ? strerror(errno) : MMDB_strerror(status);
        snprintf(err, errlen, "%s: cannot open GeoIP database: %s", path, why);
        return false;
    }
    if (!type_has(db, kinds)) {
        const char *t = db->metadata.database_type;
        snprintf(err, errlen, "%s: wrong database type '%.64s' (want %s)", path, t ? t : "", want);
        MMDB_close(db);
        return false;
    }
    return true;
}

geoip_t *geoip_open(const char *city_or_country_db, const char *asn_db, char *err, size_t errlen)
{
    static const char *const city_kinds[] = {"City", "Country", "Enterprise", NULL};
    static const char *const asn_kinds[] = {"ASN", "ISP", NULL};
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (!city_or_country_db && !asn_db) {
        snprintf(err, errlen, "no GeoIP database given");
        return NULL;
    }
    geoip_t *g = calloc(1, sizeof(*g)); /* ~1 MiB, mostly the cache */
    if (!g) {
        snprintf(err, errlen, "GeoIP: out of memory");
        return NULL;
    }
    if (city_or_country_db) {
        if (!open_db(&g->city, city_or_country_db, city_kinds, "a City or Country database", err,
                     errlen)) {
            free(g);
            return NULL;
        }
        g->has_city = true;
    }
    if (asn_db) {
        if (!open_db(&g->asn, asn_db, asn_kinds, "an ASN database", err, errlen)) {
            geoip_close(g);
            return NULL;
        }
        g->has_asn = true;
    }
    return g;
}

void geoip_close(geoip_t *g)
{
    if (!g) return;
    if (g->has_city) MMDB_close(&g->city);
    if (g->has_asn) MMDB_close(&g->asn);
    free(g);
}

void geoip_counters(const geoip_t *g, uint64_t *cache_hits, uint64_t *db_lookups)
{
    if (cache_hits) *cache_hits = g ? g->hits : 0;
    if (db_lookups) *db_lookups = g ? g->lookups : 0;
}

/* ---- lookups -------------------------------------------------------------- */

static bool db_find(const MMDB_s *db, int v, const uint8_t a[16], MMDB_entry_s *entry)
{
    struct sockaddr_in s4;
    struct sockaddr_in6 s6;
    const struct sockaddr *sa;
    if (v == 4) {
        memset(&s4, 0, sizeof(s4));
        s4.sin_family = AF_INET;
        memcpy(&s4.sin_addr, a, 4);
        sa = (const struct sockaddr *)&s4;
    } else {
        memset(&s6, 0, sizeof(s6));
        s6.sin6_family = AF_INET6;
        memcpy(&s6.sin6_addr, a, 16);
        sa = (const struct sockaddr *)&s6;
    }
    int mmdb_err = MMDB_SUCCESS;
    /* An IPv6 address in an IPv4-only database is an error: not found. */
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db, sa, &mmdb_err);
    if (mmdb_err != MMDB_SUCCESS || !r.found_entry) return false;
    *entry = r.entry;
    return true;
}

/* Copy at most outlen-1 bytes, never splitting a UTF-8 sequence. */
static void copy_utf8(char *out, size_t outlen, const char *s, size_t n)
{
    if (n >= outlen) {
        n = outlen - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Non-empty string at path; false when absent, of another type or corrupt. */
static bool get_str(MMDB_entry_s *e, const char *const path[], char *out, size_t outlen)
{
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size == 0)
        return false;
    copy_utf8(out, outlen, d.utf8_string, d.data_size);
    return out[0] != '\0';
}

static void fill_city(MMDB_entry_s *e, geoip_info_t *out)
{
    static const char *const iso[] = {"country", "iso_code", NULL};
    static const char *const country[] = {"country", "names", "en", NULL};
    static const char *const city[] = {"city", "names", "en", NULL};
    bool has_iso = get_str(e, iso, out->country_iso, sizeof(out->country_iso));
    bool has_name = get_str(e, country, out->country, sizeof(out->country));
    out->has_country = has_iso || has_name;
    out->has_city = get_str(e, city, out->city, sizeof(out->city));
}

static void fill_asn(MMDB_entry_s *e, geoip_info_t *out)
{
    static const char *const num[] = {"autonomous_system_number", NULL};
    static const char *const org[] = {"autonomous_system_organization", NULL};
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, num) != MMDB_SUCCESS || !d.has_data) return;
    switch (d.type) {
    case MMDB_DATA_TYPE_UINT16: out->asn = d.uint16; break;
    case MMDB_DATA_TYPE_UINT32: out->asn = d.uint32; break;
    case MMDB_DATA_TYPE_UINT64:
        if (d.uint64 > UINT32_MAX) return; /* AS numbers are 32-bit */
        out->asn = (uint32_t)d.uint64;
        break;
    default: return;
    }
    out->has_asn = 1;
    get_str(e, org, out->as_org, sizeof(out->as_org));
}

static uint32_t cache_slot(int v, const uint8_t a[16])
{
    uint64_t x;
    if (v == 4) {
        x = (uint64_t)a[0] << 24 | (uint64_t)a[1] << 16 | (uint64_t)a[2] << 8 | a[3];
    } else {
        uint64_t hi, lo;
        memcpy(&hi, a, 8);
        memcpy(&lo, a + 8, 8);
        x = hi ^ (lo * 0x9e3779b97f4a7c15ull);
    }
    x *= 0x9e3779b97f4a7c15ull; /* Fibonacci hashing: top bits are well mixed */
    return (uint32_t)(x >> (64 - GEOIP_CACHE_BITS));
}

bool geoip_lookup(geoip_t *g, int ip_version, const uint8_t addr[16], geoip_info_t *out)
{
    memset(out, 0, sizeof(*out));
    uint8_t a[16];
    int v = normalize(ip_version, addr, a);
    if (!g || v == 0 || private_norm(v, a)) return false;

    geoip_entry_t *e = &g->cache[cache_slot(v, a)];
    if (e->version == v && memcmp(e->addr, a, 16) == 0) {
        g->hits++;
        *out = e->info;
        return e->found;
    }
    g->lookups++;
    MMDB_entry_s entry;
    if (g->has_city && db_find(&g->city, v, a, &entry)) fill_city(&entry, out);
    if (g->has_asn && db_find(&g->asn, v, a, &entry)) fill_asn(&entry, out);

    memcpy(e->addr, a, 16);
    e->version = (uint8_t)v;
    e->found = out->has_country || out->has_city || out->has_asn;
    e->info = *out;
    return e->found;
}
