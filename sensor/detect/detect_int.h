/* detect_int.h -- what the engine's files share. Not for outside detect/. */
#ifndef SOC_DETECT_INT_H
#define SOC_DETECT_INT_H

#include "detect.h"
#include "detect_group.h"
#include "match.h"
#include "mpm.h"

/* Transaction prefilter slots: per buffer, plain and dot-prefixed. */
#define DETECT_SLOTS (RULE_BUF_COUNT * 2)

typedef struct detect_list {
    uint32_t *idx;
    uint32_t n, cap;
} detect_list_t;

/* What a packet group checks: the payload prefilter (packet payload and
 * stream), the one of packet-only ("tcp-pkt") rules, kept apart from the
 * stream's, and the rules without a usable fast pattern, by header. */
enum { PG_PAYLOAD, PG_PKT, PG_KINDS };
typedef struct detect_pgroup {
    mpm_t *mpm[PG_KINDS];
    detect_list_t nofp_payload, nofp_hdr;
} detect_pgroup_t;

struct detect_engine {
    const rule_set_t *rs;
    uint32_t nrules;
    mpm_t *mpm[DETECT_SLOTS];
    mpm_scratch_t *scratch;
    uint32_t patterns;
    uint32_t payload_fp_max; /* longest payload fast pattern */
    uint64_t min_end;        /* prefilter hits ending at or before this are old */
    detect_groups_t *groups; /* packet rules by protocol, direction, port */
    detect_pgroup_t pg[DG_MAX_GROUPS];
    const detect_pgroup_t *cur; /* group of the current inspection */
    detect_list_t nofp_tx;      /* transaction rules without a usable fast pattern */
    detect_list_t cand;         /* candidates of the current inspection */
    match_pkt_t mp;             /* header of the current inspection */
    uint32_t *seen;             /* per rule: generation it was last a candidate */
    uint8_t *late;              /* per rule: tests flowbits (verify after setters) */
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
