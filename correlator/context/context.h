/* context.h -- everything the correlator knows about the city beyond the
 * events: its assets and the threat intel, loaded together as one
 * immutable object.
 *
 * Reload (SIGHUP) builds a complete new context first and swaps it in only
 * when that worked, so a broken file never leaves the correlator with less
 * than it had. The caller owns the swap's timing: free the old context
 * only when no thread still reads it (the correlator swaps between
 * batches). */
#ifndef SOC_CONTEXT_H
#define SOC_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "asset.h"
#include "ctx_util.h"
#include "intel.h"

typedef struct corr_context_paths {
    const char *assets; /* rules/assets.yml; NULL: no assets */
    const char *intel;  /* rules/intel/feeds.yml; NULL: no threat intel */
} corr_context_paths_t;

typedef struct corr_context_stats {
    asset_load_stats_t assets;
    intel_feeds_stats_t intel;
} corr_context_stats_t;

typedef struct corr_context corr_context_t;

/* NULL with one line in err when the assets file or the feeds file as a
 * whole is unusable. Bad entries inside are reported on diag (NULL: the
 * logger) and skipped. */
corr_context_t *corr_context_load(const corr_context_paths_t *paths, ctx_diag_t *diag, char *err,
                                  size_t errlen);
/* Load anew; on success free *ctx and store the new one, else keep *ctx
 * untouched and return false with err. */
bool corr_context_reload(corr_context_t **ctx, const corr_context_paths_t *paths, ctx_diag_t *diag,
                         char *err, size_t errlen);
void corr_context_free(corr_context_t *ctx);

const asset_set_t *corr_context_assets(const corr_context_t *ctx);
const intel_set_t *corr_context_intel(const corr_context_t *ctx);
const corr_context_stats_t *corr_context_stats(const corr_context_t *ctx);

#endif
