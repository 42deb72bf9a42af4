/* fwd_filter.h -- which incident versions an endpoint receives. */
#ifndef SOC_FWD_FILTER_H
#define SOC_FWD_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "forward/fwd_config.h"

/* Priority at most min_priority (P1 is most urgent), the asset's security
 * level among the allowed ones (0: no asset), and, when the filter names
 * tags, one of them among the rule's tags (case-insensitive). */
bool fwd_filter_pass(const fwd_filter_t *f, int priority, int asset_level, const char *const *tags,
                     size_t ntags);

#endif
