/* fuzz_intel_csv.c -- the CSV threat-intel loader on arbitrary bytes.
 *
 * Loading must never crash, hang or leak; messages are single lines naming
 * the file; the indicators loaded are the ones counted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "context/intel.h"

static void check_line(void *arg, const char *line)
{
    (void)arg;
    if (!memchr(line, '\0', CTX_DIAG_LINE_MAX) || strchr(line, '\n')) abort();
    if (strncmp(line, "fuzz.csv", 8) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    intel_feed_t f;
    intel_feed_defaults(&f, "fuzz", INTEL_FMT_CSV);
    ctx_diag_t diag = {check_line, NULL, 50, 0};
    intel_load_stats_t st = {0};
    char err[512];
    intel_set_t *set = intel_new();
    if (!set) return 0;
    bool ok = intel_load_buffer(set, &f, "fuzz.csv", (const char *)data, size, &diag, &st, err,
                                sizeof(err));
    if (!ok &&
        (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n') || strncmp(err, "fuzz.csv", 8) != 0))
        abort();
    if (intel_finish(set, err, sizeof(err)) && intel_count(set, INTEL_TYPE_COUNT) != st.loaded)
        abort();
    intel_free(set);
    return 0;
}
