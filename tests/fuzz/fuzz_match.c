/* fuzz_match.c -- the matcher against rules and data from the input.
 *
 * Input: one rule (Suricata syntax) up to the first newline, then the data.
 * The rule is parsed into a fresh set; every buffer it inspects is matched
 * against the data, the header against a packet whose fields come from the
 * data's first bytes, flowbits are checked and applied on a fresh set and
 * the threshold table is consulted. Work stays bounded: the data is capped
 * so each run is quick, and match_buffer has its own retry budget. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/match.h"
#include "detect/rule_set.h"

#define MAX_RULE 4096
#define MAX_DATA 4096

static match_scratch_t *ms;
static threshold_ctx_t *th;
static int64_t now;

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static uint16_t rd16(const uint8_t *p, size_t n, size_t at)
{
    return at + 1 < n ? (uint16_t)(p[at] << 8 | p[at + 1]) : 0;
}

/* A packet made of the data's first bytes (zero when short). */
static void fake_packet(match_pkt_t *mp, const uint8_t *d, size_t n)
{
    memset(mp, 0, sizeof *mp);
    uint8_t flags = n > 0 ? d[0] : 0;
    mp->ip_version = (flags & 1) ? 6 : 4;
    mp->ip_proto = n > 1 ? d[1] : 6;
    for (size_t i = 0; i < 16; i++) {
        mp->src.b[i] = 2 + i < n ? d[2 + i] : 0;
        mp->dst.b[i] = 18 + i < n ? d[18 + i] : 0;
    }
    if (mp->ip_version == 4) {
        memset(mp->src.b + 4, 0, 12);
        memset(mp->dst.b + 4, 0, 12);
    }
    mp->sport = rd16(d, n, 34);
    mp->dport = rd16(d, n, 36);
    mp->tcp_flags = n > 38 ? d[38] : 0;
    mp->icmp_type = n > 39 ? d[39] : 0;
    mp->icmp_code = n > 40 ? d[40] : 0;
    mp->payload_len = (uint32_t)n;
    mp->is_fragment = flags & 2;
    mp->frag_rebuilt = flags & 4;
    mp->has_flow = flags & 8;
    mp->to_server = flags & 16;
    mp->established = flags & 32;
    mp->stream = flags & 64;
    mp->app_proto = n > 41 ? d[41] % APP_PROTO_COUNT : 0;
    mp->tls_version = rd16(d, n, 42);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ms) {
        ms = match_scratch_new();
        th = threshold_new(64);
        if (!ms || !th) abort();
    }
    const uint8_t *nl = memchr(data, '\n', size);
    size_t rlen = nl ? (size_t)(nl - data) : size;
    if (rlen == 0 || rlen > MAX_RULE) return 0;
    const uint8_t *buf = nl ? nl + 1 : data + size;
    size_t blen = size - (size_t)(buf - data);
    if (blen > MAX_DATA) blen = MAX_DATA;

    char text[MAX_RULE + 1];
    memcpy(text, data, rlen);
    text[rlen] = '\0';
    rule_set_t *rs = rule_set_new(NULL);
    if (!rs) abort();
    rule_set_set_diag(rs, quiet, NULL);
    const rule_t *r = rule_set_add_rule(rs, text, "fuzz", 1);
    if (r) {
        for (uint32_t b = 0; b < r->n_bufs; b++) {
            match_buffer(&r->bufs[b], buf, (uint32_t)blen, ms);
            if (blen > 1) match_buffer(&r->bufs[b], buf + 1, (uint32_t)blen - 1, ms);
        }
        match_pkt_t mp;
        fake_packet(&mp, buf, blen);
        match_header(r, &mp);
        flowbits_t *fb = NULL;
        match_flowbits_check(r, fb);
        match_flowbits_apply(r, &fb);
        match_flowbits_check(r, fb);
        if (flowbits_count(fb) > FLOWBITS_MAX) abort();
        flowbits_free(fb);
        threshold_allow(th, r, &mp.src, &mp.dst, mp.ip_version, now);
        now += blen & 1 ? 1000000 : 1000;
        threshold_stats_t st;
        threshold_get_stats(th, &st);
        if (st.entries > st.max_entries) abort();
    }
    rule_set_free(rs);
    return 0;
}
