/* fuzz_intel_stix.c -- the STIX 2.1 loader (JSON walk and pattern parser)
 * on arbitrary bytes.
 *
 * Loading must never crash, hang or leak; messages are single lines naming
 * the file. The input is also tried as the pattern of one indicator, so
 * the pattern parser sees fuzzed text without the JSON around it having
 * to be valid. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context/intel.h"
#include "json_writer.h"

static void check_line(void *arg, const char *line)
{
    (void)arg;
    if (!memchr(line, '\0', CTX_DIAG_LINE_MAX) || strchr(line, '\n')) abort();
    if (strncmp(line, "fuzz.json", 9) != 0) abort();
}

static void load(const char *buf, size_t len)
{
    intel_feed_t f;
    intel_feed_defaults(&f, "fuzz", INTEL_FMT_STIX);
    ctx_diag_t diag = {check_line, NULL, 50, 0};
    intel_load_stats_t st = {0};
    char err[512];
    intel_set_t *set = intel_new();
    if (!set) return;
    if (!intel_load_buffer(set, &f, "fuzz.json", buf, len, &diag, &st, err, sizeof(err)) &&
        (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n') || strncmp(err, "fuzz.json", 9) != 0))
        abort();
    if (intel_finish(set, err, sizeof(err)) && intel_count(set, INTEL_TYPE_COUNT) != st.loaded)
        abort();
    intel_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load((const char *)data, size);
    /* the bytes as one indicator's pattern */
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_kstr(&w, "type", "indicator");
    jw_kstr(&w, "id", "indicator--fuzz");
    jw_kstrn(&w, "pattern", data, size);
    jw_kint(&w, "confidence", size % 101);
    jw_object_close(&w);
    if (!w.oom) load(w.buf, w.len);
    jw_free(&w);
    return 0;
}
