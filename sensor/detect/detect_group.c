/* detect_group.c -- choosing the packet rule groups (see detect_group.h).
 *
 * Each group costs a prefilter database holding, besides its own rules,
 * every rule for any port, so only ports named by several rules get one:
 * at most a handful per protocol and direction (more going to servers,
 * where most rules point). */
#include "detect_group.h"

#include <stdlib.h>
#include <string.h>

#include "match.h"

#define DG_MIN_RULES   4   /* rules naming a port before it is worth a group */
#define DG_MAX_PORTSET 256 /* larger port sets (ranges) do not vote */

/* Own-port groups per [class][to_server]. */
static const uint8_t quota[2][2] = {{2, 6}, {2, 4}};

static bool class_ok(const rule_t *r, uint8_t cls)
{
    switch (cls) {
    case DG_CLASS_TCP: return r->ipproto & RULE_IPPROTO_TCP;
    case DG_CLASS_UDP: return r->ipproto & RULE_IPPROTO_UDP;
    default:
        return r->ipproto &
               (RULE_IPPROTO_ICMP4 | RULE_IPPROTO_ICMP6 | RULE_IPPROTO_SCTP | RULE_IPPROTO_OTHER);
    }
}

static bool dir_ok(const rule_t *r, bool to_server)
{
    if (r->flow & RULE_FLOW_TOSERVER) return to_server;
    if (r->flow & RULE_FLOW_TOCLIENT) return !to_server;
    return true;
}

static bool ports_any(const rule_ports_t *p)
{
    return !p || p->any;
}

static uint32_t ports_size(const rule_ports_t *p)
{
    if (ports_any(p)) return 65536;
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n; i++)
        n += (uint32_t)p->r[i].hi - p->r[i].lo + 1;
    return n;
}

/* The rule's port set that a packet's server port must be in: its
 * destination ports going to the server, its source ports coming back. */
static const rule_ports_t *server_ports(const rule_t *r, bool to_server)
{
    return to_server ? r->dport : r->sport;
}

static bool has_port(const rule_t *r, bool to_server, uint16_t port)
{
    if (r->bidirectional) return match_port(r->sport, port) || match_port(r->dport, port);
    return match_port(server_ports(r, to_server), port);
}

/* Some port of p has no group of its own. */
static bool has_shared_port(const detect_groups_t *dg, uint8_t cls, bool ts, const rule_ports_t *p)
{
    uint32_t own = 0;
    for (uint32_t i = 0; i < dg->n_own[cls][ts]; i++)
        own += match_port(p, dg->own[cls][ts][i]);
    return ports_size(p) > own;
}

bool detect_groups_member(const detect_groups_t *dg, uint32_t gid, const rule_t *r)
{
    const dg_group_t *g = &dg->g[gid];
    if (!class_ok(r, g->cls) || !dir_ok(r, g->to_server)) return false;
    if (g->cls == DG_CLASS_NONE) return true;
    if (g->port >= 0) return has_port(r, g->to_server, (uint16_t)g->port);
    if (r->bidirectional)
        return has_shared_port(dg, g->cls, g->to_server, r->sport) ||
               has_shared_port(dg, g->cls, g->to_server, r->dport);
    return has_shared_port(dg, g->cls, g->to_server, server_ports(r, g->to_server));
}

static void vote(uint32_t *votes, const rule_ports_t *p)
{
    if (ports_any(p) || ports_size(p) > DG_MAX_PORTSET) return;
    for (uint32_t i = 0; i < p->n; i++)
        for (uint32_t port = p->r[i].lo; port <= p->r[i].hi; port++)
            votes[port]++;
}

/* The quota's most named ports, each named by at least DG_MIN_RULES rules. */
static void pick_ports(detect_groups_t *dg, uint8_t cls, bool ts, uint32_t *votes)
{
    uint8_t *n = &dg->n_own[cls][ts];
    while (*n < quota[cls][ts]) {
        uint32_t best = 0;
        for (uint32_t p = 1; p < 65536; p++)
            if (votes[p] > votes[best]) best = p;
        if (votes[best] < DG_MIN_RULES) break;
        dg->own[cls][ts][(*n)++] = (uint16_t)best;
        votes[best] = 0;
    }
}

static uint32_t add_group(detect_groups_t *dg, uint8_t cls, bool ts, int32_t port)
{
    dg->g[dg->n] = (dg_group_t){.cls = cls, .to_server = ts, .port = port};
    return dg->n++;
}

void detect_groups_build(detect_groups_t *dg, const rule_t *const *rules, uint32_t n)
{
    memset(dg, 0, sizeof(*dg));
    uint32_t *votes = calloc(65536, sizeof(*votes));
    for (uint8_t cls = DG_CLASS_TCP; cls <= DG_CLASS_UDP; cls++) {
        for (int ts = 0; ts < 2; ts++) {
            if (votes) { /* without memory, every port shares one group */
                memset(votes, 0, 65536 * sizeof(*votes));
                for (uint32_t i = 0; i < n; i++) {
                    const rule_t *r = rules[i];
                    if (!class_ok(r, cls) || !dir_ok(r, ts)) continue;
                    vote(votes, server_ports(r, ts));
                    if (r->bidirectional) vote(votes, server_ports(r, !ts));
                }
                pick_ports(dg, cls, ts, votes);
            }
            uint32_t shared = add_group(dg, cls, ts, -1);
            memset(dg->port_map[cls][ts], (int)shared, 65536);
            for (uint32_t k = 0; k < dg->n_own[cls][ts]; k++) {
                uint16_t port = dg->own[cls][ts][k];
                dg->port_map[cls][ts][port] = (uint8_t)add_group(dg, cls, ts, port);
            }
        }
    }
    for (int ts = 0; ts < 2; ts++)
        dg->none[ts] = (uint8_t)add_group(dg, DG_CLASS_NONE, ts, -1);
    free(votes);
}
