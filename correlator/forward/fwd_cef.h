/* fwd_cef.h -- one incident version as one CEF line (ArcSight Common Event
 * Format, version 0):
 *
 *   CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|k=v k=v ...
 *
 * SignatureID is the rule id, Name the title, Severity our 0..4 mapped to
 * 0, 3, 5, 8, 10 ("Unknown" when absent); the extension carries the
 * incident id (externalId), the reason (act), the status (outcome), times
 * as ms since the epoch (rt, start, end), cnt, src/dst and the cs/cn
 * fields FORMATS.md lists. Escaping per the CEF specification: '\' and '|'
 * in the header, '\', '=' and line breaks in extension values; other
 * control bytes become spaces, so the result is always one line.
 *
 * Bounded: each value is cut to the specification's length for its field
 * (on a UTF-8 boundary; lists on an item boundary, ending in ",..."), and an
 * extension field that does not fit in the caller's buffer whole is left
 * out, from the end of the order. */
#ifndef SOC_FWD_CEF_H
#define SOC_FWD_CEF_H

#include <stddef.h>
#include <stdint.h>

#include "fwd_incdoc.h"

#define FWD_CEF_MAX 8192 /* a good buffer size: RFC 5425 receivers take 8 KiB messages */

typedef struct fwd_cef_opts {
    const char *vendor;  /* NULL: "soc-appliance" */
    const char *product; /* NULL: "correlator" */
    const char *version; /* NULL: "1.0" */
} fwd_cef_opts_t;

int fwd_cef_opts_check(const fwd_cef_opts_t *o, char *err, size_t errlen);

/* Write the line (no line break) into out[cap], NUL-terminated. Returns its
 * length, or -1 with one line in err (bad document or options, cap too
 * small for the header). o may be NULL. */
int fwd_cef_format(const char *doc, size_t len, const fwd_cef_opts_t *o, char *out, size_t cap,
                   char *err, size_t errlen);
/* Same from a parsed document (fwd_syslog shares the parse). */
int fwd_cef_format_doc(const fwd_incdoc_t *d, const fwd_cef_opts_t *o, char *out, size_t cap,
                       char *err, size_t errlen);

/* CEF severity of ours (0..4): 0, 3, 5, 8, 10; -1 outside. */
int fwd_cef_severity(int64_t severity);

#endif
