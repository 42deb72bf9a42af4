/* ctx_ptable.h -- longest-prefix-match table over 128-bit addresses.
 *
 * Prefixes are added, then built once into a sorted array of disjoint
 * address ranges, each naming the most specific prefix that covers it
 * (nested prefixes are flattened with a stack sweep). A lookup is one
 * binary search: about log2(2n) steps of a two-word comparison, no
 * allocation, no recursion. Every prefix node also knows its parent (the
 * next less specific prefix that contains it), so callers that want every
 * covering prefix (threat intel) walk up from the most specific one.
 *
 * IPv4 prefixes live in ::ffff:0:0/96 (ctx_ip.h). An IPv6 prefix that
 * covers that region (::/0) does not contain IPv4 addresses: the region is
 * fenced by a node without values and without parent.
 *
 * The same prefix added several times is one node holding several values,
 * in the order they were added. Immutable after ctx_ptable_build(); lookups
 * from several threads are then safe. */
#ifndef SOC_CTX_PTABLE_H
#define SOC_CTX_PTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx_ip.h"

#define CTX_PTABLE_MAX 4000000u /* prefixes in one table */

typedef struct ctx_pnode {
    ctx_ip_t net;
    uint8_t len;    /* 0..128 */
    int32_t parent; /* node index of the enclosing prefix, or -1 */
    uint32_t first; /* index of its first value in ctx_ptable_values() */
    uint32_t count; /* values added with exactly this prefix (0 for the IPv4 fence) */
} ctx_pnode_t;

typedef struct ctx_ptable ctx_ptable_t;

ctx_ptable_t *ctx_ptable_new(void);
void ctx_ptable_free(ctx_ptable_t *t);
/* Add net/len (host bits must be clear; len 0..128) with the caller's
 * value. False on allocation failure or beyond CTX_PTABLE_MAX. */
bool ctx_ptable_add(ctx_ptable_t *t, ctx_ip_t net, unsigned len, uint32_t value);
/* Sort and flatten. False on allocation failure. Adding after building is
 * not allowed. */
bool ctx_ptable_build(ctx_ptable_t *t);

/* Node index of the most specific prefix containing addr, or -1. */
int32_t ctx_ptable_lookup(const ctx_ptable_t *t, ctx_ip_t addr);
const ctx_pnode_t *ctx_ptable_node(const ctx_ptable_t *t, int32_t i);
/* Values of all nodes: node->first .. node->first + node->count - 1. */
const uint32_t *ctx_ptable_values(const ctx_ptable_t *t);
size_t ctx_ptable_nodes(const ctx_ptable_t *t);
/* Number of disjoint ranges after building (for tests and figures). */
size_t ctx_ptable_ranges(const ctx_ptable_t *t);

#endif
