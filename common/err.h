/* err.h -- one-line error messages into the caller's buffer.
 *
 * Functions that can fail take (char *err, size_t errlen) and write one
 * line saying what and where; these two helpers are what they share. */
#ifndef SOC_ERR_H
#define SOC_ERR_H

#include <stddef.h>

/* Format into err (when err and errlen are set) and return rc, so a failing
 * path is one statement: return err_set(-1, err, errlen, "...", ...). */
int err_set(int rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Outside text as it may appear inside a message: at most cap - 1 bytes,
 * control bytes as '?', cut on a UTF-8 boundary and marked "..." when
 * longer. Returns out. */
const char *err_quote(const char *s, size_t n, char *out, size_t cap);

#endif
