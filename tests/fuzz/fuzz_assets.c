/* fuzz_assets.c -- the assets loader (rules/assets.yml) on arbitrary bytes.
 *
 * Loading must never crash, hang or leak; every message is one line naming
 * the file; every CIDR of every loaded asset must lead back, by lookup of
 * its first and last address, to an asset at least as specific. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "context/asset.h"

static void check_line(void *arg, const char *line)
{
    (void)arg;
    if (!memchr(line, '\0', CTX_DIAG_LINE_MAX) || strchr(line, '\n')) abort();
    if (strncmp(line, "fuzz.yml", 8) != 0) abort();
}

/* The most specific CIDR of a that contains addr, or -1. */
static int best_len(const asset_t *a, ctx_ip_t addr)
{
    int best = -1;
    for (size_t i = 0; i < a->ncidrs; i++) {
        const asset_cidr_t *c = &a->cidrs[i];
        if (ctx_ip_cmp(ctx_ip_mask(addr, c->len), c->net) == 0 && c->len > best) best = c->len;
    }
    return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctx_diag_t diag = {check_line, NULL, 50, 0};
    asset_load_stats_t st;
    char err[512];
    asset_set_t *set =
        asset_load_buffer("fuzz.yml", (const char *)data, size, &diag, &st, err, sizeof(err));
    if (!set) {
        if (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n') ||
            strncmp(err, "fuzz.yml", 8) != 0)
            abort();
        return 0;
    }
    if (asset_count(set) != st.loaded) abort();
    for (size_t i = 0; i < asset_count(set); i++) {
        const asset_t *a = asset_at(set, i);
        if (asset_find(set, a->name) != a) abort();
        if (a->level < 1 || a->level > 5 || a->criticality < 1 || a->criticality > 3) abort();
        for (size_t j = 0; j < a->ncidrs; j++) {
            ctx_ip_t ends[2] = {a->cidrs[j].net, ctx_ip_last(a->cidrs[j].net, a->cidrs[j].len)};
            bool v4 = ctx_ip_is_v4(a->cidrs[j].net) && a->cidrs[j].len >= 96;
            for (int e = 0; e < 2; e++) {
                if (ctx_ip_is_v4(ends[e]) && !v4) continue; /* fenced off: ctx_ptable.h */
                const asset_t *b = asset_lookup(set, ends[e]);
                if (!b || best_len(b, ends[e]) < a->cidrs[j].len) abort();
            }
        }
    }
    asset_set_free(set);
    return 0;
}
