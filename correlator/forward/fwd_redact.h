/* fwd_redact.h -- leave members out of an incident version before it is
 * formatted: what the city may not share with the national centre
 * (analyst names, raw EVE samples, internal addresses ...).
 *
 * A path is dotted member names from the document's top level, always
 * under "incident": "incident.assignee", "incident.asset.name",
 * "incident.samples.http.http_user_agent". Where a step meets an array the
 * rest of the path applies to each element (the samples are an array of
 * EVE objects). Names are checked against the members `socctl incidents
 * show --json` writes (a misspelt path would silently redact nothing);
 * below "samples" any EVE name goes. "incident.id" cannot be redacted:
 * every format needs it. Paths absent from a document are fine. */
#ifndef SOC_FWD_REDACT_H
#define SOC_FWD_REDACT_H

#include <stddef.h>
#include <stdint.h>

#define FWD_REDACT_MAX_PATHS 64
#define FWD_REDACT_MAX_SEGS  8
#define FWD_REDACT_PATH_MAX  256 /* bytes of one path and its NUL */

typedef struct fwd_redact_path {
    char text[FWD_REDACT_PATH_MAX];
    size_t nseg;
    uint16_t off[FWD_REDACT_MAX_SEGS], len[FWD_REDACT_MAX_SEGS];
} fwd_redact_path_t;

typedef struct fwd_redact {
    size_t n;
    fwd_redact_path_t paths[FWD_REDACT_MAX_PATHS];
} fwd_redact_t;

void fwd_redact_init(fwd_redact_t *r);
/* Check and add one path (a path already there is not added twice). 0,
 * or -1 with one line in err naming the path and the problem (the config
 * loader adds file:line:col). */
int fwd_redact_add(fwd_redact_t *r, const char *path, char *err, size_t errlen);

/* The document without the listed members, as a new NUL-terminated text
 * in *out (free()) of *outlen bytes. Untouched parts are copied byte for
 * byte; an object that lost a member is rewritten without spaces. 0, or -1
 * with one line in err (the document is not a valid incident version). */
int fwd_redact_apply(const fwd_redact_t *r, const char *doc, size_t len, char **out, size_t *outlen,
                     char *err, size_t errlen);

#endif
