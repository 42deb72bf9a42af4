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

/* A rule inspects transactions when any of its buffers is an app-layer one,
 * or when it has none but tests a transaction's state (tls.version). */
bool detect_rule_is_tx(const rule_t *r)
{
    if (r->n_bufs == 0) return (r->checks & RULE_CHECK_TLS_VERSION) != 0;
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

/* Transaction prefilter slot of a fast pattern: buffer id and whether it
 * is dot-prefixed. */
static unsigned fp_slot(const rule_t *r)
{
    const rule_buffer_t *b = &r->bufs[r->fp.buf];
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

/* One database under construction, with its cache key. */
typedef struct pending {
    mpm_builder_t *b;
    mpm_key_ctx_t *k;
} pending_t;

static int pending_add(detect_engine_t *de, pending_t *p, const rule_t *r, uint32_t idx, char *err,
                       size_t errlen)
{
    if (!p->b && !(p->b = mpm_builder_new())) goto oom;
    if (de->cache_dir && !p->k && !(p->k = mpm_key_begin())) goto oom;
    if (p->k && key_add(p->k, r, idx) < 0) goto oom;
    if (mpm_add(p->b, r->fp.pat, r->fp.len, r->fp.nocase, idx) == 0) return 0;
    snprintf(err, errlen, "%s:%u: sid %u: fast pattern not usable by the prefilter", r->file,
             r->line, r->sid);
    return -1;
oom:
    snprintf(err, errlen, "detect: out of memory building the prefilter");
    return -1;
}

/* Compile p (if anything was added) into *out; p is consumed. */
static int pending_finish(detect_engine_t *de, pending_t *p, mpm_t **out, char *err, size_t errlen)
{
    if (!p->b) return 0;
    *out = build_slot(de, p->b, p->k, err, errlen);
    p->k = NULL; /* consumed */
    mpm_builder_free(p->b);
    p->b = NULL;
    if (!*out) return -1;
    if (mpm_scratch_reserve(de->scratch, *out) < 0) {
        snprintf(err, errlen, "detect: out of memory for prefilter scratch");
        return -1;
    }
    de->patterns += mpm_pattern_count(*out);
    return 0;
}

static void pending_drop(pending_t *p)
{
    mpm_builder_free(p->b);
    if (p->k) mpm_key_abort(p->k);
    p->b = NULL;
    p->k = NULL;
}

/* Transaction rules: one database per buffer slot, or the plain list. */
static int build_tx(detect_engine_t *de, char *err, size_t errlen)
{
    pending_t p[DETECT_SLOTS] = {0};
    int rc = 0;
    for (uint32_t i = 0; i < de->nrules && rc == 0; i++) {
        const rule_t *r = rule_set_rule(de->rs, i);
        if (!detect_rule_is_tx(r)) continue;
        if (!has_fp(r))
            rc = detect_list_push(&de->nofp_tx, i);
        else
            rc = pending_add(de, &p[fp_slot(r)], r, i, err, errlen);
        if (rc < 0 && !err[0]) snprintf(err, errlen, "detect: out of memory");
    }
    for (unsigned s = 0; s < DETECT_SLOTS && rc == 0; s++)
        rc = pending_finish(de, &p[s], &de->mpm[s], err, errlen);
    for (unsigned s = 0; s < DETECT_SLOTS; s++)
        pending_drop(&p[s]);
    return rc;
}

/* One packet group: its members' fast patterns (payload or "tcp-pkt") and
 * the members without one. */
static int build_group(detect_engine_t *de, uint32_t gid, const uint32_t *idx, uint32_t n,
                       char *err, size_t errlen)
{
    detect_pgroup_t *g = &de->pg[gid];
    pending_t p[PG_KINDS] = {0};
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        const rule_t *r = rule_set_rule(de->rs, idx[i]);
        if (!detect_groups_member(de->groups, gid, r)) continue;
        if (!has_fp(r)) {
            rc = detect_list_push(r->n_bufs ? &g->nofp_payload : &g->nofp_hdr, idx[i]);
            if (rc < 0) snprintf(err, errlen, "detect: out of memory");
            continue;
        }
        unsigned kind = r->stream_mode == RULE_STREAM_PKT ? PG_PKT : PG_PAYLOAD;
        rc = pending_add(de, &p[kind], r, idx[i], err, errlen);
    }
    for (unsigned k = 0; k < PG_KINDS && rc == 0; k++)
        rc = pending_finish(de, &p[k], &g->mpm[k], err, errlen);
    for (unsigned k = 0; k < PG_KINDS; k++)
        pending_drop(&p[k]);
    return rc;
}

/* Packet rules: grouped by protocol, direction and server port. */
static int build_packet(detect_engine_t *de, char *err, size_t errlen)
{
    uint32_t *idx = malloc((de->nrules ? de->nrules : 1) * sizeof(*idx));
    const rule_t **rules = malloc((de->nrules ? de->nrules : 1) * sizeof(*rules));
    de->groups = malloc(sizeof(*de->groups));
    int rc = -1;
    if (!idx || !rules || !de->groups) {
        snprintf(err, errlen, "detect: out of memory grouping the rules");
        goto done;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < de->nrules; i++) {
        const rule_t *r = rule_set_rule(de->rs, i);
        if (detect_rule_is_tx(r)) continue;
        if (has_fp(r) && r->fp.len > de->payload_fp_max) de->payload_fp_max = r->fp.len;
        rules[n] = r;
        idx[n++] = i;
    }
    detect_groups_build(de->groups, rules, n);
    rc = 0;
    for (uint32_t g = 0; g < de->groups->n && rc == 0; g++)
        rc = build_group(de, g, idx, n, err, errlen);
done:
    free(idx);
    free(rules);
    return rc;
}

int detect_prefilter_build(detect_engine_t *de, char *err, size_t errlen)
{
    if (errlen) err[0] = '\0';
    return build_tx(de, err, errlen) < 0 || build_packet(de, err, errlen) < 0 ? -1 : 0;
}
