/* fwd_syslog.h -- one incident version as an RFC 5424 syslog message
 * carrying the CEF line, framed for syslog over TLS (RFC 5425, octet
 * counting):
 *
 *   LEN SP <PRI>1 TIMESTAMP HOSTNAME soc-forwarder - incident SD MSG
 *
 *   PRI        facility * 8 + severity; our severity 4 critical -> 2 crit,
 *              3 -> 3 err, 2 -> 4 warning, 1 -> 5 notice, 0 -> 6 info,
 *              absent -> 5 notice
 *   TIMESTAMP  the incident's updated_at, "2026-03-01T08:30:15.000000Z", or "-"
 *   SD         [incident@32473 id="INC-2026-000123" version="3" reason="created"]
 *              (the SD-ID is an option: name@private-enterprise-number; 32473
 *              is RFC 5612's documentation number), or "-"
 *   MSG        fwd_cef's line, cut to what the message size leaves
 * Header fields are checked (RFC 5424 section 6: printable US-ASCII,
 * HOSTNAME <= 255, APP-NAME <= 48, PROCID <= 128, MSGID <= 32 bytes). */
#ifndef SOC_FWD_SYSLOG_H
#define SOC_FWD_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "fwd_cef.h"

#define FWD_SYSLOG_MAX              8192 /* RFC 5425: receivers SHOULD take 8192-byte messages */
#define FWD_SYSLOG_FRAME_MAX        (FWD_SYSLOG_MAX + 16) /* with "LEN SP" and a NUL */
#define FWD_SYSLOG_DEFAULT_FACILITY 13                    /* log audit */
#define FWD_SYSLOG_DEFAULT_SD_ID    "incident@32473"

typedef struct fwd_syslog_opts {
    int facility;         /* 0..23 */
    const char *hostname; /* NULL or "": "-" (the NILVALUE) */
    const char *sd_id;    /* NULL: FWD_SYSLOG_DEFAULT_SD_ID; "": no SD element ("-") */
    bool bom;             /* start a MSG that is not plain ASCII with the UTF-8 BOM */
    size_t max_len;       /* bytes of the message without its frame; 0: FWD_SYSLOG_MAX */
} fwd_syslog_opts_t;

int fwd_syslog_opts_check(const fwd_syslog_opts_t *o, char *err, size_t errlen);

/* The framed message into out[cap], NUL-terminated. Returns the frame's
 * length, or -1 with one line in err. o (NULL: facility 13, the rest
 * defaults) and cef (NULL: defaults) are options. */
int fwd_syslog_format(const char *doc, size_t len, const fwd_syslog_opts_t *o,
                      const fwd_cef_opts_t *cef, char *out, size_t cap, char *err, size_t errlen);

/* PARAM-VALUE escaping (RFC 5424 section 6.3.3: '"', '\' and ']' get a
 * backslash) into out[cap]; returns the length, or -1 if it does not fit. */
int fwd_syslog_sd_escape(const char *s, char *out, size_t cap);

/* Syslog severity of ours (0..4); 5 (notice) otherwise. */
int fwd_syslog_severity(int64_t severity);

#endif
