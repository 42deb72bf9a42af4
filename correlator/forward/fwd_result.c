/* fwd_result.c -- see fwd_result.h. */
#include "forward/fwd_result.h"

#include <stdarg.h>
#include <stdio.h>

fwd_status_t fwd_result_set(fwd_result_t *res, fwd_status_t st, const char *label, const char *fmt,
                            ...)
{
    int n = snprintf(res->reason, sizeof(res->reason), "%s: ", label);
    if (n > 0 && (size_t)n < sizeof(res->reason)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res->reason + n, sizeof(res->reason) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    res->status = st;
    return st;
}
