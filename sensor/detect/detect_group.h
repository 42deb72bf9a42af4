/* detect_group.h -- rule groups for packet inspection.
 *
 * A packet rule (payload or header only) can match only packets of its
 * protocol, its direction (flow:to_server / to_client) and its ports, so,
 * as Suricata's signature group heads do, the packet prefilter is split
 * along these and a packet scans only its group's patterns and header-only
 * rules. TCP and UDP packets are grouped by their server-side port (the
 * destination going to the server, the source coming back): the ports the
 * rules name most get a group each, all other ports share a catch-all
 * group. Packets of other protocols have one group per direction.
 *
 * A group holds every rule that could match some packet mapped to it, so
 * grouping never loses a match; candidates are still verified in full. */
#ifndef SOC_DETECT_GROUP_H
#define SOC_DETECT_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "rule.h"

#define DG_MAX_GROUPS 64
#define DG_CLASS_TCP  0
#define DG_CLASS_UDP  1
#define DG_CLASS_NONE 2 /* protocols without ports */

typedef struct dg_group {
    uint8_t cls, to_server;
    int32_t port; /* -1: every port without a group of its own */
} dg_group_t;

typedef struct detect_groups {
    uint32_t n;
    dg_group_t g[DG_MAX_GROUPS];
    uint8_t none[2];                   /* [to_server]: group of packets without ports */
    uint8_t port_map[2][2][65536];     /* [TCP/UDP][to_server]: server port -> group */
    uint16_t own[2][2][DG_MAX_GROUPS]; /* ports with a group of their own */
    uint8_t n_own[2][2];
} detect_groups_t;

/* Choose the groups for these rules (packet rules, by index into rs).
 * Only reads the rules; dg is the caller's. */
void detect_groups_build(detect_groups_t *dg, const rule_t *const *rules, uint32_t n);

/* Whether rule r belongs to group gid (may match a packet mapped to it). */
bool detect_groups_member(const detect_groups_t *dg, uint32_t gid, const rule_t *r);

/* Group of a packet, from its header as the rules see it. */
static inline uint32_t detect_group_of(const detect_groups_t *dg, uint8_t ip_proto, bool to_server,
                                       uint16_t sport, uint16_t dport)
{
    if (ip_proto != 6 && ip_proto != 17) return dg->none[to_server];
    return dg->port_map[ip_proto == 17][to_server][to_server ? dport : sport];
}

#endif
