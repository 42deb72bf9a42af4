/* detect_int.h -- what the engine's files share. Not for outside detect/. */
#ifndef SOC_DETECT_INT_H
#define SOC_DETECT_INT_H

#include "detect.h"
#include "match.h"
#include "mpm.h"

/* Prefilter slots: per buffer, plain and dot-prefixed; plus the payload
 * patterns of packet-only ("tcp-pkt") rules, kept apart from the stream's. */
#define DETECT_SLOT_PKT (RULE_BUF_COUNT * 2)
#define DETECT_SLOTS    (RULE_BUF_COUNT * 2 + 1)

typedef struct detect_list {
    uint32_t *idx;
    uint32_t n, cap;
} detect_list_t;

struct detect_engine {
    const rule_set_t *rs;
    uint32_t nrules;
    mpm_t *mpm[DETECT_SLOTS];
    mpm_scratch_t *scratch;
    uint32_t patterns;
    uint32_t payload_fp_max; /* longest payload fast pattern */
    uint64_t min_end;        /* prefilter hits ending at or before this are old */
    /* rules without a usable fast pattern: packet rules that look at the
     * payload, packet rules that only look at headers, transaction rules */
    detect_list_t nofp_payload, nofp_hdr, nofp_tx;
    detect_list_t cand; /* candidates of the current inspection */
    match_pkt_t mp;     /* header of the current inspection */
    uint32_t *seen;     /* per rule: generation it was last a candidate */
    uint8_t *late;      /* per rule: tests flowbits (verify after setters) */
    uint32_t gen;
    match_scratch_t *ms;
    threshold_ctx_t *thr;
    detect_alert_fn on_alert;
    void *ud;
    detect_stats_t stats;
    const char *cache_dir;
};

bool detect_rule_is_tx(const rule_t *r);
int detect_prefilter_build(detect_engine_t *de, char *err, size_t errlen);
int detect_list_push(detect_list_t *l, uint32_t idx);

#endif
