/* fwd_doc.c -- see fwd_doc.h. */
#include "forward/fwd_doc.h"

#include "incidents/incident_json.h"

void fwd_doc_write(jw_t *w, const incident_t *inc, const fwd_change_t *c)
{
    incident_t v = *inc; /* shallow: the strings stay the record's */
    incident_status_t st;
    if (incident_status_parse(c->status, &st)) v.status = st;
    if (c->priority) v.priority = c->priority;
    v.severity = c->severity;
    if (c->count) v.count = c->count;
    if (c->last_seen) v.last_seen = c->last_seen;
    if (c->rule_version) v.rule_version = c->rule_version;
    if (c->updated_at) v.updated_at = c->updated_at;
    v.has_timeline = false;
    v.n_timeline = 0;
    jw_object_open(w);
    jw_kuint(w, "version", c->version);
    jw_kstr(w, "reason", c->reason);
    jw_key(w, "incident");
    /* overdue flags as they stood at this version, not at sending time */
    incident_json(w, &v, v.updated_at);
    jw_object_close(w);
}
