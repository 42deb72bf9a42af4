/* corr_engine_emit.c -- turning a fired window or a detection into a
 * reported match: suppression per key, evidence, match ids, and passing
 * correlation matches on to the rules that use them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/corr_engine_int.h"

/* src_ip / dest_ip of the current event, once per event. */
static void event_ips(corr_engine_t *e)
{
    static const char *const names[2] = {"src_ip", "dest_ip"};
    char *out[2] = {e->src_ip, e->dst_ip};
    size_t *len[2] = {&e->src_len, &e->dst_len};
    if (e->ips_ready) return;
    e->ips_ready = true;
    const corr_doc_t *d = &e->cur->eve;
    for (int i = 0; i < 2; i++) {
        const json_tok_t *t = corr_doc_get(d, names[i]);
        *len[i] = 0;
        out[i][0] = '\0';
        if (t && t->type == JSON_STRING &&
            json_tok_string(d->s, t, out[i], CW_IP_LEN, len[i]) == JSON_OK &&
            strlen(out[i]) != *len[i]) { /* a NUL inside: not an address */
            *len[i] = 0;
            out[i][0] = '\0';
        }
    }
}

void cw_record(corr_engine_t *e, cw_rule_t *r, uint32_t k)
{
    cw_key_t *key = &r->keys[k];
    (void)cw_evid_add(&e->mem, &key->evid, e->cfg.evidence_max, e->cur_ts, e->cur_id, e->cur_idlen,
                      &e->st.evidence_dropped);
    event_ips(e);
    (void)cw_ips_add(&e->mem, &key->src, e->cfg.ips_max, e->src_ip, e->src_len, &e->st.ips_dropped);
    (void)cw_ips_add(&e->mem, &key->dst, e->cfg.ips_max, e->dst_ip, e->dst_len, &e->st.ips_dropped);
}

static const char *match_id(corr_engine_t *e, const corr_rule_t *rule, const char *gkey,
                            const char *completing)
{
    snprintf(e->mid, sizeof(e->mid), "%s/%016" PRIx64 "/%s", rule->id, cw_fnv1a(gkey, strlen(gkey)),
             completing);
    return e->mid;
}

static void deliver(corr_engine_t *e, cw_rule_t *r, corr_match_t *m)
{
    r->st.matches++;
    e->st.matches++;
    if (e->on_match) e->on_match(e->ud, m);
}

/* Report for key k what the match and the folded matches cover; the
 * key's evidence up to `last` and its addresses go with it. */
static void report(corr_engine_t *e, cw_rule_t *r, uint32_t k, const cw_fire_t *f, uint64_t nsupp,
                   bool flush)
{
    cw_key_t *key = &r->keys[k];
    uint32_t max = e->cfg.evidence_max, n = 0;
    for (uint32_t i = 0; i < key->evid.n; i++) {
        int64_t ts;
        const char *id = cw_evid_get(&key->evid, max, i, &ts);
        if (ts >= f->ev_from && ts <= f->last) e->ids[n++] = id;
    }
    for (uint32_t i = 0; i < key->src.n; i++)
        e->srcs[i] = key->src.v[i];
    for (uint32_t i = 0; i < key->dst.n; i++)
        e->dsts[i] = key->dst.v[i];
    corr_match_t m = {
        .rule = r->rule,
        .group_key = key->text,
        .first_usec = f->first,
        .last_usec = f->last,
        .count = f->count,
        .event_ids = e->ids,
        .n_event_ids = n,
        .src_ips = e->srcs,
        .n_src = key->src.n,
        .dest_ips = e->dsts,
        .n_dest = key->dst.n,
        .match_id = match_id(e, r->rule, key->text, f->completing_id),
        .n_suppressed = nsupp,
        .flush = flush,
        .event = f->from_event ? e->cur : NULL,
    };
    deliver(e, r, &m);
    key = &r->keys[k];
    cw_evid_drop_upto(&e->mem, &key->evid, max, f->last);
    key->src.n = key->dst.n = 0;
}

static void supp_reset(cw_key_t *key)
{
    key->supp_count = key->supp_matches = 0;
    key->supp_first = key->supp_last = key->supp_from = CW_UNSET;
}

void cw_fired(corr_engine_t *e, cw_rule_t *r, uint32_t k, const cw_fire_t *f)
{
    const corr_rule_t *rule = r->rule;
    cw_key_t *key = &r->keys[k];
    if (rule->standalone && rule->suppress_usec > 0 && key->supp_until != CW_UNSET &&
        f->last < key->supp_until) { /* fold */
        key->supp_first =
            key->supp_count ? (f->first < key->supp_first ? f->first : key->supp_first) : f->first;
        key->supp_last = key->supp_count && key->supp_last > f->last ? key->supp_last : f->last;
        key->supp_from =
            key->supp_count && key->supp_from < f->ev_from ? key->supp_from : f->ev_from;
        key->supp_count += f->count;
        key->supp_matches++;
        (void)cw_str_set(&e->mem, &key->supp_id, f->completing_id, strlen(f->completing_id));
        r->st.suppressed++;
        e->st.suppressed++;
    } else if (rule->standalone) {
        cw_fire_t all = *f;
        uint64_t nsupp = key->supp_matches;
        if (key->supp_count) {
            all.count += key->supp_count;
            if (key->supp_first < all.first) all.first = key->supp_first;
            if (key->supp_last > all.last) all.last = key->supp_last;
            if (key->supp_from < all.ev_from) all.ev_from = key->supp_from;
        }
        report(e, r, k, &all, nsupp, false);
        key = &r->keys[k];
        supp_reset(key);
        if (rule->suppress_usec > 0) key->supp_until = all.last + rule->suppress_usec;
    }
    if (corr_rule_is_correlation(rule) && f->from_event) cw_queue_parents(e, rule);
}

void cw_flush(corr_engine_t *e, cw_rule_t *r, uint32_t k)
{
    cw_key_t *key = &r->keys[k];
    if (!key->supp_count) return;
    cw_fire_t f = {key->supp_count,
                   key->supp_first,
                   key->supp_last,
                   key->supp_from,
                   key->supp_id.p ? key->supp_id.p : "",
                   false};
    report(e, r, k, &f, key->supp_matches, true);
    supp_reset(&r->keys[k]);
}

void cw_emit_stateless(corr_engine_t *e, cw_rule_t *r)
{
    const corr_event_t *ev = e->cur;
    if (!corr_group_key(r->rule, ev, e->key, sizeof(e->key))) return;
    event_ips(e);
    const char *id = e->cur_id, *src = e->src_ip, *dst = e->dst_ip;
    corr_match_t m = {
        .rule = r->rule,
        .group_key = e->key,
        .first_usec = e->cur_ts,
        .last_usec = e->cur_ts,
        .count = 1,
        .event_ids = &id,
        .n_event_ids = 1,
        .src_ips = &src,
        .n_src = e->src_len ? 1 : 0,
        .dest_ips = &dst,
        .n_dest = e->dst_len ? 1 : 0,
        .match_id = match_id(e, r->rule, e->key, e->cur_id),
        .event = ev,
    };
    deliver(e, r, &m);
}

void cw_queue_parents(corr_engine_t *e, const corr_rule_t *rule)
{
    for (size_t i = 0; i < rule->nused_by; i++) {
        uint32_t p = (uint32_t)rule->used_by[i]->index, c = (uint32_t)rule->index;
        bool seen = false;
        for (size_t w = 0; w < e->nwork && !seen; w++)
            seen = e->work[w].rule == p && e->work[w].child == c;
        if (seen) continue;
        if (e->nwork == e->capwork) {
            size_t ncap = e->capwork ? e->capwork * 2 : 16;
            cw_work_t *nw = cw_resize(&e->mem, e->work, e->capwork, ncap, sizeof(*nw));
            if (!nw) return;
            e->work = nw;
            e->capwork = ncap;
        }
        e->work[e->nwork++] = (cw_work_t){p, c};
    }
}
