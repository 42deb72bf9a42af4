/* ctx_ptable.c -- longest-prefix-match table (see ctx_ptable.h). */
#include "ctx_ptable.h"

#include <stdlib.h>
#include <string.h>

typedef struct padd {
    ctx_ip_t net;
    uint32_t value;
    uint32_t order; /* insertion order: keeps equal prefixes' values stable */
    uint8_t len;
    bool barrier; /* the IPv4 region's fence (see ctx_ptable_build) */
} padd_t;

#define V4_REGION ((ctx_ip_t){0, 0x0000ffff00000000ull})

struct ctx_ptable {
    padd_t *adds;
    size_t nadds, cap;
    ctx_pnode_t *nodes;
    size_t nnodes;
    uint32_t *values;
    ctx_ip_t *starts; /* range i covers starts[i] .. starts[i+1]-1 */
    int32_t *rnode;   /* node of range i, or -1 */
    size_t nranges;
    bool built;
};

ctx_ptable_t *ctx_ptable_new(void)
{
    return calloc(1, sizeof(ctx_ptable_t));
}

void ctx_ptable_free(ctx_ptable_t *t)
{
    if (!t) return;
    free(t->adds);
    free(t->nodes);
    free(t->values);
    free(t->starts);
    free(t->rnode);
    free(t);
}

bool ctx_ptable_add(ctx_ptable_t *t, ctx_ip_t net, unsigned len, uint32_t value)
{
    if (t->built || len > 128 || t->nadds >= CTX_PTABLE_MAX) return false;
    if (t->nadds == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        padd_t *n = realloc(t->adds, ncap * sizeof(*n));
        if (!n) return false;
        t->adds = n;
        t->cap = ncap;
    }
    t->adds[t->nadds] =
        (padd_t){ctx_ip_mask(net, len), value, (uint32_t)t->nadds, (uint8_t)len, false};
    t->nadds++;
    return true;
}

static int cmp_add(const void *pa, const void *pb)
{
    const padd_t *a = pa, *b = pb;
    int c = ctx_ip_cmp(a->net, b->net);
    if (c) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1; /* enclosing first */
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Append range [pos..) -> node, merging with the previous range when they
 * name the same node and replacing a range that starts at the same place
 * (a prefix that ends where its parent ends). */
static void emit(ctx_ptable_t *t, ctx_ip_t pos, int32_t node)
{
    size_t n = t->nranges;
    if (n && ctx_ip_cmp(t->starts[n - 1], pos) == 0) {
        t->rnode[n - 1] = node;
        if (n >= 2 && t->rnode[n - 2] == node) t->nranges--;
        return;
    }
    if (n && t->rnode[n - 1] == node) return;
    t->starts[n] = pos;
    t->rnode[n] = node;
    t->nranges++;
}

static bool is_all_ones(ctx_ip_t a)
{
    return a.hi == ~0ull && a.lo == ~0ull;
}

static ctx_ip_t ip_next(ctx_ip_t a)
{
    a.lo++;
    if (a.lo == 0) a.hi++;
    return a;
}

/* Group equal prefixes into nodes; values keep the sorted order. */
static bool make_nodes(ctx_ptable_t *t)
{
    t->nodes = malloc((t->nadds ? t->nadds : 1) * sizeof(*t->nodes));
    t->values = malloc((t->nadds ? t->nadds : 1) * sizeof(*t->values));
    if (!t->nodes || !t->values) return false;
    size_t nv = 0;
    for (size_t i = 0; i < t->nadds; i++) {
        const padd_t *a = &t->adds[i];
        ctx_pnode_t *last = t->nnodes ? &t->nodes[t->nnodes - 1] : NULL;
        if (!last || last->len != a->len || ctx_ip_cmp(last->net, a->net) != 0) {
            t->nodes[t->nnodes++] = (ctx_pnode_t){a->net, a->len, -1, (uint32_t)nv, 0};
            last = &t->nodes[t->nnodes - 1];
        }
        if (a->barrier) continue; /* sorts last among equals: adds no value */
        t->values[nv++] = a->value;
        last->count++;
    }
    return true;
}

/* Close the innermost open prefix: the addresses after it belong to the
 * next enclosing one (or to none). */
static void pop(ctx_ptable_t *t, int32_t *stack, size_t *sp)
{
    const ctx_pnode_t *n = &t->nodes[stack[--*sp]];
    ctx_ip_t end = ctx_ip_last(n->net, n->len);
    if (!is_all_ones(end)) emit(t, ip_next(end), *sp ? stack[*sp - 1] : -1);
}

bool ctx_ptable_build(ctx_ptable_t *t)
{
    if (t->built) return true;
    /* IPv4 lives in ::ffff:0:0/96; a short IPv6 prefix such as ::/0 covers
     * that region but must not claim IPv4 addresses. A valueless node on
     * the region, with no parent, fences it off. */
    if (!ctx_ptable_add(t, V4_REGION, 96, 0)) return false;
    t->adds[t->nadds - 1].barrier = true;
    t->adds[t->nadds - 1].order = UINT32_MAX;
    qsort(t->adds, t->nadds, sizeof(*t->adds), cmp_add);
    if (!make_nodes(t)) return false;
    size_t maxr = 2 * t->nnodes + 1;
    t->starts = malloc(maxr * sizeof(*t->starts));
    t->rnode = malloc(maxr * sizeof(*t->rnode));
    if (!t->starts || !t->rnode) return false;
    int32_t stack[130]; /* strictly nested prefixes: at most 129 deep */
    size_t sp = 0;
    emit(t, (ctx_ip_t){0, 0}, -1);
    for (size_t i = 0; i < t->nnodes; i++) {
        ctx_pnode_t *n = &t->nodes[i];
        while (sp &&
               ctx_ip_cmp(ctx_ip_last(t->nodes[stack[sp - 1]].net, t->nodes[stack[sp - 1]].len),
                          n->net) < 0)
            pop(t, stack, &sp);
        bool fence = n->len == 96 && ctx_ip_cmp(n->net, V4_REGION) == 0;
        n->parent = sp && !fence ? stack[sp - 1] : -1;
        emit(t, n->net, (int32_t)i);
        stack[sp++] = (int32_t)i;
    }
    while (sp)
        pop(t, stack, &sp);
    free(t->adds);
    t->adds = NULL;
    t->built = true;
    return true;
}

int32_t ctx_ptable_lookup(const ctx_ptable_t *t, ctx_ip_t addr)
{
    if (!t || !t->built || t->nranges == 0) return -1;
    size_t lo = 0, hi = t->nranges; /* starts[lo] <= addr < starts[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ctx_ip_cmp(t->starts[mid], addr) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    int32_t n = t->rnode[lo];
    return n >= 0 && t->nodes[n].count ? n : -1; /* the fence has no value */
}

const ctx_pnode_t *ctx_ptable_node(const ctx_ptable_t *t, int32_t i)
{
    if (!t || i < 0 || (size_t)i >= t->nnodes) return NULL;
    return &t->nodes[i];
}

const uint32_t *ctx_ptable_values(const ctx_ptable_t *t)
{
    return t->values;
}

size_t ctx_ptable_nodes(const ctx_ptable_t *t)
{
    return t->nnodes;
}

size_t ctx_ptable_ranges(const ctx_ptable_t *t)
{
    return t->nranges;
}
