/* corr_sid.c -- see corr_sid.h. */
#include "daemon/corr_sid.h"

#include <string.h>

/* Digits s[0..n) as a number; false when empty, not digits or over 64 bits. */
static bool number(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool corr_sid_parse(const char *s, size_t n, corr_sid_t *out)
{
    const char *dash = s ? memchr(s, '-', n) : NULL;
    if (!s) return false;
    if (!dash) {
        out->seq = 0;
        return number(s, n, &out->ms);
    }
    size_t k = (size_t)(dash - s);
    return number(s, k, &out->ms) && number(dash + 1, n - k - 1, &out->seq);
}

size_t corr_sid_dec(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

size_t corr_sid_format(corr_sid_t id, char *out)
{
    size_t n = corr_sid_dec(out, id.ms);
    out[n++] = '-';
    n += corr_sid_dec(out + n, id.seq);
    out[n] = '\0';
    return n;
}
