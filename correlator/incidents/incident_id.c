/* incident_id.c -- see incident_id.h. */
#include "incident_id.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool incident_id_format(char *out, size_t outcap, int year, uint64_t seq)
{
    if (year < 1970 || year > 9999 || seq == 0) return false;
    int n = snprintf(out, outcap, "INC-%04d-%06" PRIu64, year, seq);
    return n > 0 && (size_t)n < outcap;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool incident_id_valid(const char *s)
{
    if (!s || strncmp(s, "INC-", 4) != 0) return false;
    size_t len = strlen(s);
    if (len < 4 + 4 + 1 + 6 || len > 4 + 4 + 1 + 19) return false;
    return all_digits(s + 4, 4) && s[8] == '-' && all_digits(s + 9, len - 9);
}

int incident_id_year(int64_t usec)
{
    time_t t = (time_t)(usec / 1000000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return 1970;
    return tm.tm_year + 1900;
}
