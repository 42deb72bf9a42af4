/* fwd_doc.h -- the document of one incident version (FORMATS.md): what
 * every output format is made from.
 *
 *   {"version": 3, "reason": "escalated", "incident": { socctl show --json }}
 *
 * The incident is read when the forwarder takes the version from the
 * outbox; the fields that change between versions come from the outbox
 * entry, so a version read late still says what it said when it was made. */
#ifndef SOC_FWD_DOC_H
#define SOC_FWD_DOC_H

#include "forward/fwd_queue.h"
#include "incidents/incident_record.h"
#include "json_writer.h"

void fwd_doc_write(jw_t *w, const incident_t *inc, const fwd_change_t *c);

#endif
