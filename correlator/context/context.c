/* context.c -- loading and swapping the context (see context.h). */
#include "context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct corr_context {
    asset_set_t *assets;
    intel_set_t *intel;
    corr_context_stats_t stats;
};

static asset_set_t *empty_assets(char *err, size_t errlen)
{
    static const char empty[] = "assets: []\n";
    return asset_load_buffer("(no assets file)", empty, sizeof(empty) - 1, NULL, NULL, err, errlen);
}

static intel_set_t *empty_intel(char *err, size_t errlen)
{
    intel_set_t *set = intel_new();
    if (!set) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!intel_finish(set, err, errlen)) {
        intel_free(set);
        return NULL;
    }
    return set;
}

corr_context_t *corr_context_load(const corr_context_paths_t *paths, ctx_diag_t *diag, char *err,
                                  size_t errlen)
{
    corr_context_t *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ctx->assets = paths && paths->assets
                      ? asset_load_file(paths->assets, diag, &ctx->stats.assets, err, errlen)
                      : empty_assets(err, errlen);
    if (ctx->assets)
        ctx->intel = paths && paths->intel
                         ? intel_load_feeds(paths->intel, diag, &ctx->stats.intel, err, errlen)
                         : empty_intel(err, errlen);
    if (!ctx->assets || !ctx->intel) {
        corr_context_free(ctx);
        return NULL;
    }
    const corr_context_stats_t *s = &ctx->stats;
    log_info("context: %zu assets (%zu skipped), %zu indicators from %zu feeds (%zu feeds failed; "
             "%zu entries bad, %zu not evaluable, %zu merged, %zu filtered)",
             s->assets.loaded, s->assets.bad, s->intel.entries.loaded, s->intel.feeds,
             s->intel.feeds_failed, s->intel.entries.bad, s->intel.entries.unsupported,
             s->intel.entries.duplicates, s->intel.entries.filtered);
    return ctx;
}

bool corr_context_reload(corr_context_t **ctx, const corr_context_paths_t *paths, ctx_diag_t *diag,
                         char *err, size_t errlen)
{
    corr_context_t *fresh = corr_context_load(paths, diag, err, errlen);
    if (!fresh) return false;
    corr_context_free(*ctx);
    *ctx = fresh;
    return true;
}

void corr_context_free(corr_context_t *ctx)
{
    if (!ctx) return;
    asset_set_free(ctx->assets);
    intel_free(ctx->intel);
    free(ctx);
}

const asset_set_t *corr_context_assets(const corr_context_t *ctx)
{
    return ctx ? ctx->assets : NULL;
}

const intel_set_t *corr_context_intel(const corr_context_t *ctx)
{
    return ctx ? ctx->intel : NULL;
}

const corr_context_stats_t *corr_context_stats(const corr_context_t *ctx)
{
    return ctx ? &ctx->stats : NULL;
}
