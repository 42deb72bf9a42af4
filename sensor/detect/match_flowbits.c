/* match_flowbits.c -- the flowbits set on one flow, and the flowbits keyword.
 *
 * A flow usually carries a handful of bits, so the set is a sorted array of
 * ids searched by bisection: one small allocation, made the first time a
 * bit is set and doubled when full, up to FLOWBITS_MAX ids. */
#include <stdlib.h>

#include "detect/match.h"

#define FLOWBITS_INITIAL 4u

struct flowbits {
    uint32_t n, cap;
    uint32_t ids[]; /* sorted, distinct */
};

/* Index of the first id >= id. */
static uint32_t lower_bound(const flowbits_t *fb, uint32_t id)
{
    uint32_t lo = 0, hi = fb->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (fb->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool flowbits_isset(const flowbits_t *fb, uint32_t id)
{
    if (!fb) return false;
    uint32_t i = lower_bound(fb, id);
    return i < fb->n && fb->ids[i] == id;
}

uint32_t flowbits_count(const flowbits_t *fb)
{
    return fb ? fb->n : 0;
}

/* Room for one more id; false when out of memory or at FLOWBITS_MAX. */
static bool reserve_one(flowbits_t **fbp)
{
    flowbits_t *fb = *fbp;
    if (fb && fb->n < fb->cap) return true;
    uint32_t cap = fb ? fb->cap * 2 : FLOWBITS_INITIAL;
    if (cap > FLOWBITS_MAX) cap = FLOWBITS_MAX;
    if (fb && fb->n >= cap) return false;
    flowbits_t *nfb = realloc(fb, sizeof *nfb + (size_t)cap * sizeof nfb->ids[0]);
    if (!nfb) return false;
    if (!fb) nfb->n = 0;
    nfb->cap = cap;
    *fbp = nfb;
    return true;
}

bool flowbits_set(flowbits_t **fbp, uint32_t id)
{
    if (flowbits_isset(*fbp, id)) return true;
    if (!reserve_one(fbp)) return false;
    flowbits_t *fb = *fbp;
    uint32_t i = lower_bound(fb, id);
    for (uint32_t k = fb->n; k > i; k--)
        fb->ids[k] = fb->ids[k - 1];
    fb->ids[i] = id;
    fb->n++;
    return true;
}

void flowbits_unset(flowbits_t *fb, uint32_t id)
{
    if (!fb) return;
    uint32_t i = lower_bound(fb, id);
    if (i >= fb->n || fb->ids[i] != id) return;
    for (uint32_t k = i + 1; k < fb->n; k++)
        fb->ids[k - 1] = fb->ids[k];
    fb->n--;
}

bool flowbits_toggle(flowbits_t **fbp, uint32_t id)
{
    if (flowbits_isset(*fbp, id)) {
        flowbits_unset(*fbp, id);
        return true;
    }
    return flowbits_set(fbp, id);
}

void flowbits_free(flowbits_t *fb)
{
    free(fb);
}

/* ---- the keyword ---- */

static bool condition_holds(const rule_flowbit_t *c, const flowbits_t *fb)
{
    const bool want_set = c->cmd == RULE_FB_ISSET;
    uint32_t hits = 0; /* ids in the wanted state */
    for (uint32_t i = 0; i < c->n; i++)
        if (flowbits_isset(fb, c->ids[i]) == want_set) hits++;
    return c->any ? hits > 0 : hits == c->n;
}

bool match_flowbits_check(const rule_t *r, const flowbits_t *fb)
{
    for (uint32_t k = 0; k < r->n_flowbits; k++) {
        const rule_flowbit_t *c = &r->flowbits[k];
        if (c->cmd != RULE_FB_ISSET && c->cmd != RULE_FB_ISNOTSET) continue;
        if (c->n == 0 || !c->ids || !condition_holds(c, fb)) return false;
    }
    return true;
}

bool match_flowbits_apply(const rule_t *r, flowbits_t **fbp)
{
    bool ok = true;
    for (uint32_t k = 0; k < r->n_flowbits; k++) {
        const rule_flowbit_t *a = &r->flowbits[k];
        if (!a->ids) continue;
        for (uint32_t i = 0; i < a->n; i++) {
            switch (a->cmd) {
            case RULE_FB_SET:
                if (!flowbits_set(fbp, a->ids[i])) ok = false;
                break;
            case RULE_FB_UNSET: flowbits_unset(*fbp, a->ids[i]); break;
            case RULE_FB_TOGGLE:
                if (!flowbits_toggle(fbp, a->ids[i])) ok = false;
                break;
            default: break; /* conditions */
            }
        }
    }
    return ok;
}
