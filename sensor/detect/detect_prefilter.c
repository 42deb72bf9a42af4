/* detect_prefilter.c -- which rules to verify for a given buffer.
 *
 * Every rule lands in exactly one prefilter: the multi-pattern matcher of
 * the buffer holding its fast pattern (keyed by buffer id and transform, as
 * the pattern is matched against the transformed bytes), or, without a
 * usable pattern, a plain list checked by header for every packet or every
 * transaction of its kind. A negated fast pattern cannot gate a rule (its
 * absence is what matches), so such rules go to the lists too. */
#include "detect_int.h"

#include "log.h"

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

/* Prefilter slot of a fast pattern: buffer id and whether it is dot-prefixed;
 * payload patterns of packet-only rules have a slot of their own. */
static unsigned fp_slot(const rule_t *r)
{
    const rule_buffer_t *b = &r->bufs[r->fp.buf];
    if (b->id == RULE_BUF_PAYLOAD && r->stream_mode == RULE_STREAM_PKT) return DETECT_SLOT_PKT;
    return b->id * 2u + ((b->transforms & RULE_XFORM_DOTPREFIX) ? 1u : 0u);
}

static bool has_fp(const rule_t *r)
{
    return r->fp.present && !r->fp.negated && r->fp.len > 0;
}

/* Key of one database: the exact inputs of its compile, so a cached file is
 * used only for identical patterns, flags and rule numbering. */
static int key_add(mpm_key_ctx_t *k, const rule_t *r, uint32_t idx)
{
    uint8_t hdr[9];
    memcpy(hdr, &idx, 4);
    memcpy(hdr + 4, &r->fp.len, 2);
    hdr[6] = r->fp.nocase;
    hdr[7] = hdr[8] = 0;
    return mpm_key_update(k, hdr, sizeof(hdr)) < 0 || mpm_key_update(k, r->fp.pat, r->fp.len) < 0
               ? -1
               : 0;
}

/* Compile a slot's database, or take it from the cache directory. */
static mpm_t *build_slot(detect_engine_t *de, mpm_builder_t *b, mpm_key_ctx_t *k, char *err,
                         size_t errlen)
{
    uint8_t key[MPM_KEY_LEN];
    mpm_t *m = NULL;
    char why[256];
    bool keyed = k && mpm_key_end(k, key) == 0; /* frees k */
    if (keyed) {
        mpm_cache_result_t r = mpm_cache_load(de->cache_dir, key, &m, why, sizeof(why));
        if (r == MPM_CACHE_HIT) {
            de->stats.cache_hits++;
            return m;
        }
        if (r == MPM_CACHE_REJECTED) {
            de->stats.cache_rejected++;
            log_warn("rule cache: %s; compiling again", why);
        } else {
            de->stats.cache_misses++;
        }
    }
    if (!(m = mpm_build(b, err, errlen))) return NULL;
    if (keyed && mpm_cache_store(de->cache_dir, key, m, why, sizeof(why)) < 0)
        log_warn("rule cache: %s", why);
    return m;
}

int detect_prefilter_build(detect_engine_t *de, char *err, size_t errlen)
{
    mpm_builder_t *b[DETECT_SLOTS] = {0};
    mpm_key_ctx_t *k[DETECT_SLOTS] = {0};
    int rc = -1;
    for (uint32_t i = 0; i < de->nrules; i++) {
        const rule_t *r = rule_set_rule(de->rs, i);
        bool tx = detect_rule_is_tx(r);
        if (!has_fp(r)) {
            detect_list_t *l = tx ? &de->nofp_tx : r->n_bufs ? &de->nofp_payload : &de->nofp_hdr;
            if (detect_list_push(l, i) < 0) goto oom;
            continue;
        }
        unsigned slot = fp_slot(r);
        if (slot == RULE_BUF_PAYLOAD * 2 && r->fp.len > de->payload_fp_max)
            de->payload_fp_max = r->fp.len;
        if (!b[slot] && !(b[slot] = mpm_builder_new())) goto oom;
        if (de->cache_dir && !k[slot] && !(k[slot] = mpm_key_begin())) goto oom;
        if (k[slot] && key_add(k[slot], r, i) < 0) goto oom;
        if (mpm_add(b[slot], r->fp.pat, r->fp.len, r->fp.nocase, i) < 0) {
            snprintf(err, errlen, "%s:%u: sid %u: fast pattern not usable by the prefilter",
                     r->file, r->line, r->sid);
            goto done;
        }
    }
    for (unsigned s = 0; s < DETECT_SLOTS; s++) {
        if (!b[s]) continue;
        de->mpm[s] = build_slot(de, b[s], k[s], err, errlen);
        k[s] = NULL; /* consumed */
        if (!de->mpm[s]) goto done;
        if (mpm_scratch_reserve(de->scratch, de->mpm[s]) < 0) goto oom;
        de->patterns += mpm_pattern_count(de->mpm[s]);
    }
    rc = 0;
    goto done;
oom:
    snprintf(err, errlen, "detect: out of memory building the prefilter");
done:
    for (unsigned s = 0; s < DETECT_SLOTS; s++) {
        mpm_builder_free(b[s]);
        if (k[s]) mpm_key_abort(k[s]);
    }
    return rc;
}
