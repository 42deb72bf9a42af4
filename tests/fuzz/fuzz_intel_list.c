/* fuzz_intel_list.c -- the line-based threat-intel loaders (plain lists of
 * every type, Adblock, ipsum) on arbitrary bytes.
 *
 * The first byte picks the format and the plain list's type; the rest is
 * the file. Loading must never crash, hang or leak; every reported line is
 * one NUL-terminated line naming the file; whatever loaded must then be
 * found again by its own lookups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "context/intel.h"

static void check_line(void *arg, const char *line)
{
    (void)arg;
    if (!memchr(line, '\0', CTX_DIAG_LINE_MAX) || strchr(line, '\n')) abort();
    if (strncmp(line, "fuzz.txt", 8) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const intel_format_t formats[] = {INTEL_FMT_PLAIN, INTEL_FMT_ADBLOCK, INTEL_FMT_IPSUM};
    intel_feed_t f;
    intel_feed_defaults(&f, "fuzz", formats[data[0] % 3]);
    f.type = (intel_type_t)((data[0] >> 2) % (INTEL_TYPE_COUNT + 1)); /* AUTO included */
    f.min_count = (data[0] >> 5) + 1u;
    ctx_diag_t diag = {check_line, NULL, 50, 0};
    intel_load_stats_t st = {0};
    char err[512];
    intel_set_t *set = intel_new();
    if (!set) return 0;
    if (!intel_load_buffer(set, &f, "fuzz.txt", (const char *)data + 1, size - 1, &diag, &st, err,
                           sizeof(err)) &&
        (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n')))
        abort();
    if (intel_finish(set, err, sizeof(err))) {
        if (intel_count(set, INTEL_TYPE_COUNT) != st.loaded) abort();
        intel_hit_t h[8];
        ctx_ip_t a = {0, 0x0000ffff0a000001ull};
        intel_match_ip(set, a, 0, "f", h, 8);
        intel_match_domain(set, (const char *)data + 1, size - 1 < 300 ? size - 1 : 300, 0, "f", h,
                           8);
        intel_match_url(set, (const char *)data + 1, size - 1, 0, "f", h, 8);
    }
    intel_free(set);
    return 0;
}
