/* enrich.c -- one event's assets and indicator hits as JSON (see enrich.h). */
#include "enrich.h"

#include <stdlib.h>
#include <string.h>

static const asset_t *asset_of(const asset_set_t *set, const corr_doc_t *eve, const char *key)
{
    const json_tok_t *t = corr_doc_get(eve, key);
    size_t n;
    if (!t || t->type != JSON_STRING || (t->flags & JSON_TOK_ESCAPED)) return NULL;
    const char *s = json_tok_raw(eve->s, t, &n); /* addresses need no escapes */
    return asset_lookup_str(set, s, n);
}

void corr_enrich_lookup(const corr_context_t *ctx, const corr_doc_t *eve, int64_t ts_usec,
                        corr_enrichment_t *out)
{
    out->src = out->dest = NULL;
    out->nhits = 0;
    if (!ctx || !eve || !eve->toks || eve->ntoks < 1 || eve->toks[0].type != JSON_OBJECT) return;
    const asset_set_t *assets = corr_context_assets(ctx);
    out->src = asset_of(assets, eve, "src_ip");
    out->dest = asset_of(assets, eve, "dest_ip");
    out->nhits =
        intel_match_event(corr_context_intel(ctx), eve, ts_usec, out->hits, CORR_ENRICH_MAX_HITS);
}

static void write_asset(jw_t *w, const char *key, const asset_t *a)
{
    jw_kobject_open(w, key);
    jw_kstr(w, "name", a->name);
    jw_kint(w, "level", a->level);
    jw_kstr(w, "criticality", asset_criticality_name(a->criticality));
    jw_kstr(w, "owner", a->owner);
    jw_karray_open(w, "tags");
    for (size_t i = 0; i < a->ntags; i++)
        jw_str(w, a->tags[i]);
    jw_array_close(w);
    jw_object_close(w);
}

bool corr_enrich_write(const corr_enrichment_t *en, jw_t *w)
{
    if (!en->src && !en->dest && en->nhits == 0) return false;
    jw_object_open(w);
    if (en->src) write_asset(w, "src_asset", en->src);
    if (en->dest) write_asset(w, "dest_asset", en->dest);
    if (en->nhits) {
        jw_karray_open(w, "intel");
        for (size_t i = 0; i < en->nhits; i++) {
            const intel_hit_t *h = &en->hits[i];
            jw_object_open(w);
            jw_kstr(w, "type", intel_type_name(h->type));
            jw_kstr(w, "value", h->value);
            jw_kstr(w, "source", h->source);
            jw_kint(w, "confidence", h->confidence);
            jw_kstr(w, "field", h->field);
            jw_object_close(w);
        }
        jw_array_close(w);
    }
    jw_object_close(w);
    return true;
}

bool corr_enrich_event(const corr_context_t *ctx, const corr_event_t *ev, jw_t *w,
                       corr_enrichment_t *out)
{
    corr_enrichment_t *en = out ? out : malloc(sizeof(*en));
    if (!en) return false;
    corr_enrich_lookup(ctx, &ev->eve, ev->ts_usec, en);
    bool wrote = corr_enrich_write(en, w);
    if (!out) free(en);
    return wrote;
}
