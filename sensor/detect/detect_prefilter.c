/* detect_prefilter.c -- which rules to verify for a given buffer.
 *
 * Every rule lands in exactly one prefilter: the multi-pattern matcher of
 * the buffer holding its fast pattern (keyed by buffer id and transform, as
 * the pattern is matched against the transformed bytes), or, without a
 * usable pattern, a plain list checked by header for every packet or every
 * transaction of its kind. A negated fast pattern cannot gate a rule (its
 * absence is what matches), so such rules go to the lists too. */
#include "detect_int.h"

#include <stdlib.h>
#include <string.h>

/* A rule inspects transactions when any of its buffers is an app-layer one. */
bool detect_rule_is_tx(const rule_t *r)
{
    for (unsigned i = 0; i < r->n_bufs; i++)
        if (r->bufs[i].id != RULE_BUF_PAYLOAD) return true;
    return false;
}

int detect_list_push(detect_list_t *l, uint32_t idx)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 64;
        uint32_t *p = realloc(l->idx, cap * sizeof(*p));
        if (!p) return -1;
        l->idx = p;
        l->cap = cap;
    }
    l->idx[l->n++] = idx;
    return 0;
}

/* Prefilter slot of a fast pattern: buffer id and whether it is dot-prefixed. */
static unsigned fp_slot(const rule_t *r)
{
    const rule_buffer_t *b = &r->bufs[r->fp.buf];
    return b->id * 2u + ((b->transforms & RULE_XFORM_DOTPREFIX) ? 1u : 0u);
}

static bool has_fp(const rule_t *r)
{
    return r->fp.present && !r->fp.negated && r->fp.len > 0;
}

int detect_prefilter_build(detect_engine_t *de, char *err, size_t errlen)
{
    mpm_builder_t *b[DETECT_SLOTS] = {0};
    int rc = -1;
    for (uint32_t i = 0; i < de->nrules; i++) {
        const rule_t *r = rule_set_rule(de->rs, i);
        bool tx = detect_rule_is_tx(r);
        if (!has_fp(r)) {
            if (detect_list_push(tx ? &de->nofp_tx : &de->nofp_pkt, i) < 0) goto oom;
            continue;
        }
        unsigned slot = fp_slot(r);
        if (slot == RULE_BUF_PAYLOAD * 2 && r->fp.len > de->payload_fp_max)
            de->payload_fp_max = r->fp.len;
        if (!b[slot] && !(b[slot] = mpm_builder_new())) goto oom;
        if (mpm_add(b[slot], r->fp.pat, r->fp.len, r->fp.nocase, i) < 0) {
            snprintf(err, errlen, "%s:%u: sid %u: fast pattern not usable by the prefilter",
                     r->file, r->line, r->sid);
            goto done;
        }
    }
    for (unsigned s = 0; s < DETECT_SLOTS; s++) {
        if (!b[s]) continue;
        if (!(de->mpm[s] = mpm_build(b[s], err, errlen))) goto done;
        if (mpm_scratch_reserve(de->scratch, de->mpm[s]) < 0) goto oom;
        de->patterns += mpm_pattern_count(de->mpm[s]);
    }
    rc = 0;
    goto done;
oom:
    snprintf(err, errlen, "detect: out of memory building the prefilter");
done:
    for (unsigned s = 0; s < DETECT_SLOTS; s++)
        mpm_builder_free(b[s]);
    return rc;
}
