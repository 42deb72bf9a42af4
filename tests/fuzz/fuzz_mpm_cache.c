/* fuzz_mpm_cache.c -- the prefilter cache decoder on arbitrary file bytes.
 * A file in the cache directory is outside data: whatever it holds must be
 * rejected with a reason or yield a database that scans without harm. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect/mpm.h"

static int on_match(uint32_t id, uint64_t end, void *ctx)
{
    (void)id, (void)end, (void)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t key[MPM_KEY_LEN];
    char err[256];
    /* The key is the file's own claim when long enough, so decoding gets
     * past the key check and into the tables. */
    memset(key, 0, sizeof(key));
    if (size >= 16 + MPM_KEY_LEN) memcpy(key, data + 16, MPM_KEY_LEN);
    mpm_t *m = mpm_cache_decode(data, size, key, err, sizeof(err));
    if (!m) return 0;
    mpm_scratch_t *s = mpm_scratch_new();
    if (s && mpm_scratch_reserve(s, m) == 0) {
        static const uint8_t probe[] = "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n\x00\xff";
        mpm_scan(m, s, probe, sizeof(probe) - 1, on_match, NULL);
    }
    mpm_scratch_free(s);
    mpm_free(m);
    return 0;
}
