/* priority.c -- the incident priority formula (see priority.h). */
#include "priority.h"

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int corr_priority_score(int severity, int level, int criticality)
{
    static const int w_level[6] = {0, 0, 1, 2, 3, 4};
    static const int w_crit[4] = {0, 0, 1, 2};
    return 4 * clamp(severity, 0, 4) + w_level[clamp(level, 0, 5)] +
           w_crit[clamp(criticality, 0, 3)];
}

int corr_priority(int severity, int level, int criticality)
{
    int score = corr_priority_score(severity, level, criticality);
    if (score >= 18) return 1;
    if (score >= 14) return 2;
    if (score >= 9) return 3;
    if (score >= 4) return 4;
    return 5;
}

int corr_priority_assets(int severity, const asset_t *src, const asset_t *dest)
{
    int p = corr_priority(severity, 0, 0);
    if (src) {
        int q = corr_priority(severity, src->level, src->criticality);
        if (q < p) p = q;
    }
    if (dest) {
        int q = corr_priority(severity, dest->level, dest->criticality);
        if (q < p) p = q;
    }
    return p;
}
