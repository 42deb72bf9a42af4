/* fuzz_report_profile.c -- the loader of reporting profiles
 * (rules/reporting/, YAML) on arbitrary text: a profile is a file an
 * administrator edits, so a broken one must end in one error line, never a
 * crash. Checks: nothing crashes, reads out of bounds or leaks; an error
 * is one NUL-terminated line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static report_profile_t p;
    char err[512];
    err[0] = '\0';
    if (!report_profile_load_buffer(&p, "fuzz.yml", (const char *)data, size, err, sizeof(err)) &&
        (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n')))
        abort();
    return 0;
}
