/* eve_alert.c -- alert events: alert{action gid signature_id rev signature
 * category severity metadata}, the flow's app_proto and the transaction. */
#include "eve_alert.h"

#include <string.h>

static const char *action_name(const rule_t *r)
{
    /* Passive sensor: nothing is blocked, whatever the rule's action says. */
    (void)r;
    return "allowed";
}

/* Suricata groups metadata by key: {"created_at":["2019_01_01"], ...}. */
static void write_metadata(jw_t *w, const rule_t *r)
{
    if (r->n_meta == 0) return;
    jw_kobject_open(w, "metadata");
    for (uint16_t i = 0; i < r->n_meta; i++) {
        const char *key = r->meta[i].key;
        bool first = true;
        for (uint16_t j = 0; j < i; j++)
            if (strcmp(r->meta[j].key, key) == 0) first = false;
        if (!first) continue; /* already written with its first occurrence */
        jw_karray_open(w, key);
        for (uint16_t j = i; j < r->n_meta; j++)
            if (strcmp(r->meta[j].key, key) == 0) jw_str(w, r->meta[j].value);
        jw_array_close(w);
    }
    jw_object_close(w);
}

void eve_alert_event(eve_t *e, const rule_t *r, const packet_t *p, const flow_t *f, int dir,
                     void (*write_tx)(jw_t *w, const void *tx), const void *tx)
{
    jw_t *w = f ? eve_begin_flow(e, "alert", p->ts_usec, f, dir == DIR_TOCLIENT)
                : eve_begin_packet(e, "alert", p, NULL);
    jw_kobject_open(w, "alert");
    jw_kstr(w, "action", action_name(r));
    jw_kuint(w, "gid", r->gid);
    jw_kuint(w, "signature_id", r->sid);
    jw_kuint(w, "rev", r->rev);
    jw_kstr(w, "signature", r->msg);
    jw_kstr(w, "category", r->category ? r->category : "");
    jw_kuint(w, "severity", r->severity);
    write_metadata(w, r);
    jw_object_close(w);
    const char *app = f ? app_proto_name((app_proto_t)f->app_proto) : NULL;
    if (app) jw_kstr(w, "app_proto", app);
    if (write_tx && tx) write_tx(w, tx);
    eve_end(e);
}
