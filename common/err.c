/* err.c -- see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(int rc, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

const char *err_quote(const char *s, size_t n, char *out, size_t cap)
{
    if (cap < 8) {
        if (cap) out[0] = '\0';
        return out;
    }
    size_t room = cap - 4, k = n > room ? room : n;
    while (k < n && k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--; /* do not cut a UTF-8 sequence */
    for (size_t i = 0; i < k; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    if (k < n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}
