/* detect.c -- one inspection: prefilter candidates, verify, alert.
 *
 * Candidates are verified in rule order, except that rules which only set
 * flowbits go before rules that test them, so "set" and "isset" rules hit by
 * the same data see each other as Suricata's dependency ordering does. A
 * matching pass rule silences every alert of the inspection. */
#include "detect_int.h"

#include <stdlib.h>
#include <string.h>

#define DOT_MAX 4096 /* dot-prefixed copies: DNS names and SNIs are short */
/* Candidates are sorted as plain integers: rules testing flowbits go after
 * the ones that only set them (high bit), then rule order. */
#define CAND_LATE 0x80000000u

detect_engine_t *detect_engine_new(const rule_set_t *rs, const detect_config_t *cfg,
                                   detect_alert_fn on_alert, void *ud, char *err, size_t errlen)
{
    detect_engine_t *de = calloc(1, sizeof(*de));
    if (!de) goto oom;
    de->rs = rs;
    de->nrules = (uint32_t)rule_set_count(rs);
    de->on_alert = on_alert;
    de->ud = ud;
    de->cache_dir = cfg->cache_dir;
    de->seen = calloc(de->nrules ? de->nrules : 1, sizeof(*de->seen));
    de->late = calloc(de->nrules ? de->nrules : 1, 1);
    for (uint32_t i = 0; de->late && i < de->nrules; i++) {
        const rule_t *r = rule_set_rule(rs, i);
        for (unsigned k = 0; k < r->n_flowbits; k++)
            if (r->flowbits[k].cmd == RULE_FB_ISSET || r->flowbits[k].cmd == RULE_FB_ISNOTSET)
                de->late[i] = 1;
    }
    de->scratch = mpm_scratch_new();
    de->ms = match_scratch_new();
    de->thr = threshold_new(cfg->threshold_entries ? cfg->threshold_entries : 65536);
    if (!de->seen || !de->late || !de->scratch || !de->ms || !de->thr) goto oom;
    if (detect_prefilter_build(de, err, errlen) < 0) {
        detect_engine_free(de);
        return NULL;
    }
    return de;
oom:
    snprintf(err, errlen, "detect: out of memory for %zu rules", rule_set_count(rs));
    detect_engine_free(de);
    return NULL;
}

void detect_engine_free(detect_engine_t *de)
{
    if (!de) return;
    for (unsigned s = 0; s < DETECT_SLOTS; s++)
        mpm_free(de->mpm[s]);
    for (uint32_t g = 0; g < DG_MAX_GROUPS; g++) {
        for (unsigned k = 0; k < PG_KINDS; k++)
            mpm_free(de->pg[g].mpm[k]);
        free(de->pg[g].nofp_payload.idx);
        free(de->pg[g].nofp_hdr.idx);
    }
    free(de->groups);
    mpm_scratch_free(de->scratch);
    match_scratch_free(de->ms);
    threshold_free(de->thr);
    free(de->nofp_tx.idx);
    free(de->cand.idx);
    free(de->seen);
    free(de->late);
    free(de);
}

/* ---- candidates ---------------------------------------------------------- */

/* Protocol and ports are checked before a rule is queued: short fast
 * patterns hit often, and a group (or a transaction buffer) holds rules
 * for other ports too. */
static bool header_may_match(const detect_engine_t *de, const rule_t *r)
{
    const match_pkt_t *mp = &de->mp;
    if (!match_proto(r, mp->ip_proto)) return false;
    if (r->bidirectional || (mp->ip_proto != 6 && mp->ip_proto != 17 && mp->ip_proto != 132))
        return true;
    return match_port(r->sport, mp->sport) && match_port(r->dport, mp->dport);
}

static void add_candidate(detect_engine_t *de, uint32_t idx)
{
    if (de->seen[idx] == de->gen) return;
    de->seen[idx] = de->gen;
    if (!header_may_match(de, rule_set_rule(de->rs, idx))) return;
    /* on failure the rule is simply not tried */
    detect_list_push(&de->cand, idx | (de->late[idx] ? CAND_LATE : 0));
}

static int on_mpm_match(uint32_t id, uint64_t end, void *ctx)
{
    detect_engine_t *de = ctx;
    if (end > de->min_end) add_candidate(de, id);
    return 0;
}

/* The header the rules are checked against. Stream data may be delivered
 * while the other direction's packet is processed (an ACK releasing held
 * data), so its addresses come from the flow, oriented by the data's way. */
static void fill_header(detect_engine_t *de, const detect_input_t *in)
{
    match_pkt_t *mp = &de->mp;
    match_pkt_fill(mp, in->p, in->f, in->dir, in->stream);
    if (!in->stream || !in->f) return;
    const flow_key_t *k = &in->f->key;
    int s = in->dir == DIR_TOSERVER ? 0 : 1;
    mp->src = k->addr[s];
    mp->dst = k->addr[!s];
    mp->sport = k->port[s];
    mp->dport = k->port[!s];
    mp->to_server = in->dir == DIR_TOSERVER;
}

static void begin(detect_engine_t *de, const detect_input_t *in)
{
    fill_header(de, in);
    const match_pkt_t *mp = &de->mp;
    de->cur =
        &de->pg[detect_group_of(de->groups, mp->ip_proto, mp->to_server, mp->sport, mp->dport)];
    de->cand.n = 0;
    de->min_end = 0;
    if (++de->gen == 0) { /* wrapped: forget every old generation */
        memset(de->seen, 0, de->nrules * sizeof(*de->seen));
        de->gen = 1;
    }
}

/* Payload bytes against the current group's prefilter of that kind. */
static void scan_payload(detect_engine_t *de, unsigned kind, const uint8_t *data, uint32_t len)
{
    if (de->cur->mpm[kind] && len > 0)
        mpm_scan(de->cur->mpm[kind], de->scratch, data, len, on_mpm_match, de);
}

static void scan_slot(detect_engine_t *de, unsigned slot, const uint8_t *data, uint32_t len)
{
    if (!de->mpm[slot] || len == 0) return;
    if (slot & 1) { /* dot-prefixed buffer: scan ".data" */
        uint8_t tmp[DOT_MAX + 1];
        if (len > DOT_MAX) len = DOT_MAX;
        tmp[0] = '.';
        memcpy(tmp + 1, data, len);
        mpm_scan(de->mpm[slot], de->scratch, tmp, len + 1, on_mpm_match, de);
        return;
    }
    mpm_scan(de->mpm[slot], de->scratch, data, len, on_mpm_match, de);
}

static void add_list(detect_engine_t *de, const detect_list_t *l)
{
    for (uint32_t i = 0; i < l->n; i++)
        add_candidate(de, l->idx[i]);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- verification --------------------------------------------------------- */

/* Which pass a rule belongs to, so nothing alerts twice on one packet:
 * stream chunks take payload rules; a packet pass takes header-only rules,
 * and payload rules unless the payload goes to the stream pass. */
static bool wanted(const rule_t *r, const detect_input_t *in)
{
    bool payload = r->n_bufs > 0 && r->bufs[0].id == RULE_BUF_PAYLOAD; /* payload first */
    if (in->stream) return payload;
    if (in->payload_in_stream && payload) return r->stream_mode == RULE_STREAM_PKT;
    return true;
}

static bool uses_body(const rule_t *r)
{
    for (unsigned i = 0; i < r->n_bufs; i++) {
        uint8_t id = r->bufs[i].id;
        if (id == RULE_BUF_HTTP_REQUEST_BODY || id == RULE_BUF_HTTP_RESPONSE_BODY ||
            id == RULE_BUF_FILE_DATA)
            return true;
    }
    return false;
}

static bool buffers_match(detect_engine_t *de, const rule_t *r, const detect_input_t *in)
{
    for (unsigned i = 0; i < r->n_bufs; i++) {
        const rule_buffer_t *b = &r->bufs[i];
        const uint8_t *data = in->payload;
        uint32_t len = in->payload_len;
        if (b->id != RULE_BUF_PAYLOAD) {
            if (!in->buf || !in->buf[b->id]) return false; /* not in this transaction */
            data = in->buf[b->id];
            len = in->buf_len[b->id];
        }
        if (!match_buffer(b, data ? data : (const uint8_t *)"", len, de->ms)) return false;
    }
    return true;
}

static bool verify(detect_engine_t *de, const rule_t *r, const detect_input_t *in,
                   const match_pkt_t *mp)
{
    flowbits_t *fb = in->f ? (flowbits_t *)in->f->flowbits : NULL;
    return match_header(r, mp) && match_flowbits_check(r, fb) && buffers_match(de, r, in);
}

/* Flowbit actions take effect at once, so later candidates of the same
 * data (sorted after the setters) see them. */
static void apply_flowbits(const rule_t *r, const detect_input_t *in)
{
    if (!in->f || r->n_flowbits == 0) return;
    flowbits_t *fb = in->f->flowbits;
    match_flowbits_apply(r, &fb);
    in->f->flowbits = fb;
}

static void alert(detect_engine_t *de, const rule_t *r, const detect_input_t *in)
{
    if (r->noalert) return;
    const match_pkt_t *mp = &de->mp; /* oriented like the data, see fill_header */
    if (!threshold_allow(de->thr, r, &mp->src, &mp->dst, mp->ip_version, in->p->ts_usec)) {
        de->stats.suppressed++;
        return;
    }
    de->stats.alerts++;
    if (in->f) in->f->flags |= FLOW_F_ALERTED;
    de->on_alert(de->ud, r, in);
}

static void run(detect_engine_t *de, const detect_input_t *in, bool tx)
{
    if (in->f && (in->f->flags & FLOW_F_PASSED)) return;
    if (de->cand.n == 0) return;
    de->stats.candidates += de->cand.n;
    if (de->cand.n > 1) qsort(de->cand.idx, de->cand.n, sizeof(uint32_t), cmp_u32);
    const match_pkt_t *mp = &de->mp;
    /* Verify all first: a pass rule anywhere silences the inspection. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < de->cand.n; i++) {
        uint32_t idx = de->cand.idx[i] & ~CAND_LATE;
        const rule_t *r = rule_set_rule(de->rs, idx);
        if (detect_rule_is_tx(r) != tx || (!tx && !wanted(r, in)) ||
            (in->body_pass && !uses_body(r)) || (tx && r->n_bufs == 0 && !in->bufferless) ||
            !verify(de, r, in, mp))
            continue;
        if (r->action == RULE_ACTION_PASS) {
            de->stats.passed++;
            if (in->f) in->f->flags |= FLOW_F_PASSED;
            return;
        }
        apply_flowbits(r, in);
        de->cand.idx[n++] = idx;
        de->stats.verified_matches++;
    }
    for (uint32_t i = 0; i < n; i++)
        alert(de, rule_set_rule(de->rs, de->cand.idx[i]), in);
}

/* A stream chunk repeats up to a window of earlier bytes so a pattern split
 * across segments is seen whole. Only matches that reach into the new bytes
 * count: the prefilter scans from just before them and ignores hits ending
 * in old data, and rules without a fast pattern look at the new bytes only,
 * so nothing alerts twice on the same bytes. */
static void detect_stream_chunk(detect_engine_t *de, const detect_input_t *in)
{
    uint32_t seen = in->payload_seen;
    uint32_t back = de->payload_fp_max > 1 ? de->payload_fp_max - 1 : 0;
    if (back > seen) back = seen;
    begin(de, in);
    de->min_end = back;
    scan_payload(de, PG_PAYLOAD, in->payload + seen - back, in->payload_len - seen + back);
    de->min_end = 0;
    run(de, in, false);

    detect_input_t fresh = *in;
    fresh.payload += seen;
    fresh.payload_len -= seen;
    fresh.payload_seen = 0;
    begin(de, &fresh);
    add_list(de, &de->cur->nofp_payload);
    run(de, &fresh, false);
}

void detect_packet(detect_engine_t *de, const detect_input_t *in)
{
    de->stats.packets_inspected++;
    if (in->payload_seen && in->payload_seen <= in->payload_len) {
        detect_stream_chunk(de, in);
        return;
    }
    begin(de, in);
    /* A streamed TCP payload waits for the stream pass; here only the
     * "tcp-pkt" rules look at it. */
    if (!in->payload_in_stream) scan_payload(de, PG_PAYLOAD, in->payload, in->payload_len);
    scan_payload(de, PG_PKT, in->payload, in->payload_len);
    add_list(de, &de->cur->nofp_hdr);
    add_list(de, &de->cur->nofp_payload); /* wanted() keeps only tcp-pkt ones for streamed TCP */
    run(de, in, false);
}

void detect_tx(detect_engine_t *de, const detect_input_t *in)
{
    de->stats.txs_inspected++;
    begin(de, in);
    for (unsigned s = 2; s < RULE_BUF_COUNT * 2; s++)
        if (in->buf[s / 2]) scan_slot(de, s, in->buf[s / 2], in->buf_len[s / 2]);
    add_list(de, &de->nofp_tx);
    run(de, in, true);
}

const detect_stats_t *detect_get_stats(const detect_engine_t *de)
{
    return &de->stats;
}
uint32_t detect_pattern_count(const detect_engine_t *de)
{
    return de->patterns;
}
