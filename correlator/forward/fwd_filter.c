/* fwd_filter.c -- see fwd_filter.h. */
#include "forward/fwd_filter.h"

#include <strings.h>

bool fwd_filter_pass(const fwd_filter_t *f, int priority, int asset_level, const char *const *tags,
                     size_t ntags)
{
    if (priority < 1 || priority > f->min_priority) return false;
    if (asset_level < 0 || asset_level > 5 || !(f->levels & (1u << asset_level))) return false;
    if (f->ntags == 0) return true;
    for (size_t i = 0; i < f->ntags; i++)
        for (size_t j = 0; j < ntags; j++)
            if (strcasecmp(f->tags[i], tags[j]) == 0) return true;
    return false;
}
