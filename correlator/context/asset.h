/* asset.h -- the city's systems (rules/assets.yml) and lookup by address.
 *
 *   assets:
 *     - name: dichvucong                 # unique: letters, digits, . _ - (<= 64)
 *       description: Public-service portal
 *       owner: So Thong tin va Truyen thong   # owner agency
 *       contact: soc@cantho.gov.vn
 *       level: 4                         # security level 1..5 (Decree 85/2016/ND-CP)
 *       criticality: high                # low | medium | high
 *       cidrs: [10.20.0.10/32, "2001:db8:10::/64"]
 *       tags: [e-government, public-facing]
 *
 * name, level, criticality and cidrs are required. Errors name FILE:LINE:COL
 * (common/config.h). A bad entry -- unknown key, bad value, a name or a
 * CIDR some earlier asset already has -- is reported on the diag and
 * skipped; the other assets load. Only a file that cannot be read or
 * parsed, or whose top level is not `assets: [...]`, fails the load.
 *
 * Lookup returns the asset of the most specific CIDR containing the
 * address (nested CIDRs are fine: a /32 server inside a /16 user network).
 * The set is immutable once loaded; lookups from many threads are safe. */
#ifndef SOC_ASSET_H
#define SOC_ASSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx_ip.h"
#include "ctx_util.h"

#define ASSET_MAX_ASSETS 100000
#define ASSET_MAX_CIDRS  4096 /* per asset */
#define ASSET_MAX_TAGS   32
#define ASSET_MAX_NAME   64
#define ASSET_MAX_TAG    64
#define ASSET_MAX_TEXT   1024 /* description, owner, contact */
#define ASSET_MAX_FILE   (4u << 20)

enum {
    ASSET_CRIT_UNKNOWN = 0,
    ASSET_CRIT_LOW = 1,
    ASSET_CRIT_MEDIUM = 2,
    ASSET_CRIT_HIGH = 3,
};

typedef struct asset_cidr {
    ctx_ip_t net;
    uint8_t len; /* in the 128-bit space (IPv4 /24 is 120) */
} asset_cidr_t;

typedef struct asset {
    const char *name;
    const char *description; /* "" when absent, like owner and contact */
    const char *owner;
    const char *contact;
    int level;       /* 1..5 */
    int criticality; /* ASSET_CRIT_LOW..HIGH */
    const char *const *tags;
    size_t ntags;
    const asset_cidr_t *cidrs;
    size_t ncidrs;
} asset_t;

typedef struct asset_set asset_set_t;

typedef struct asset_load_stats {
    size_t loaded; /* assets kept */
    size_t bad;    /* entries reported and skipped */
} asset_load_stats_t;

/* NULL with one line in err when the file as a whole is unusable. diag
 * may be NULL (the logger); stats may be NULL. */
asset_set_t *asset_load_file(const char *path, ctx_diag_t *diag, asset_load_stats_t *stats,
                             char *err, size_t errlen);
asset_set_t *asset_load_buffer(const char *name, const char *buf, size_t len, ctx_diag_t *diag,
                               asset_load_stats_t *stats, char *err, size_t errlen);
void asset_set_free(asset_set_t *set);

size_t asset_count(const asset_set_t *set);
const asset_t *asset_at(const asset_set_t *set, size_t i);
const asset_t *asset_find(const asset_set_t *set, const char *name);
/* The asset owning addr (most specific CIDR), or NULL. set may be NULL. */
const asset_t *asset_lookup(const asset_set_t *set, ctx_ip_t addr);
/* Same from address text (n bytes); NULL for text that is no address. */
const asset_t *asset_lookup_str(const asset_set_t *set, const char *s, size_t n);

/* "low", "medium", "high"; "unknown" otherwise. */
const char *asset_criticality_name(int criticality);
/* Parse "low"/"medium"/"high" (n bytes); 0 if none of them. */
int asset_criticality_parse(const char *s, size_t n);

#endif
