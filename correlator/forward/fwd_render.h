/* fwd_render.h -- one incident version as one endpoint's queue item:
 * redacted (global list, then the endpoint's), formatted (STIX bundle or
 * TAXII envelope; RFC 5425 frame of an RFC 5424 message carrying CEF) and
 * headed "ID VERSION REASON\n" (fwd_queue.h). */
#ifndef SOC_FWD_RENDER_H
#define SOC_FWD_RENDER_H

#include "forward/fwd_config.h"
#include "forward/fwd_queue.h"
#include "json_writer.h"

/* Check every redaction path of the config (global and per endpoint).
 * false with the first bad one in err. */
bool fwd_render_check(const fwd_config_t *cfg, char *err, size_t errlen);

/* The item into out (reset first). 0, or -1 with one line in err. */
int fwd_render_item(jw_t *out, const char *doc, size_t len, const fwd_config_t *cfg,
                    const fwd_endpoint_t *e, const fwd_change_t *c, char *err, size_t errlen);

#endif
