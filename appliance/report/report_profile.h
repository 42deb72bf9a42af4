/* report_profile.h -- a reporting regime, loaded from a YAML profile
 * (rules/reporting/NAME.yml; rules/reporting/README.md explains the format and
 * the regimes shipped):
 *
 *   name: law116                      # [a-z0-9_-], 1..32
 *   title: Luật An ninh mạng số 116/2025/QH15     # the regime, as the report cites it
 *   recipient: Bộ Công an ...          # "Kính gửi" of the report
 *   legal-basis: [...]                # documents the report rests on (0..8 lines)
 *   must-report:                      # an incident must be reported when ANY holds
 *     - {min-level: 3, max-priority: 3}
 *   immediate:                        # and at once when any of these holds (optional)
 *     - {min-level: 4, max-priority: 1, categories: [dos, data-leak]}
 *   reports:
 *     initial: {within: 24h, immediate: 1h, name: ..., title: ...}   # from detection
 *     update:  {within: 72h, name: ..., title: ...}                  # from detection
 *     final:   {within: 5d, name: ..., title: ...}                   # from the end of response
 *   due-soon: 6h                      # "due soon" this long before a deadline
 *   fields: [owner, contact, system, ...]   # rows of the report, in order
 *
 * A condition: min-level/max-level (asset security level 0..5, 0 being an
 * unknown asset; default 0..5), max-priority (1..5, default 5: any), and
 * categories (report_text_vi.h names; default any). It holds when all its
 * parts do. reports.initial.within is required; update.within and
 * final.within may be left out, and then that report has no deadline
 * (it may still be sent). Unknown keys, bad values and contradictions are
 * errors "FILE:LINE:COL: path: message" (common/config.h).
 *
 * A profile is plain data, fixed size: no allocation, copy freely. */
#ifndef SOC_REPORT_PROFILE_H
#define SOC_REPORT_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "report/report_text_vi.h"

#define REPORT_NAME_MAX         33  /* bytes with the NUL */
#define REPORT_TEXT_MAX         512 /* title, recipient, a legal-basis line, kind names and titles */
#define REPORT_LEGAL_MAX        8   /* legal-basis lines */
#define REPORT_CONDS_MAX        16  /* conditions per list */
#define REPORT_WITHIN_MAX       (365ull * 86400)
#define REPORT_DUE_SOON_DEFAULT (6ull * 3600)

typedef struct report_cond {
    int min_level, max_level; /* 0..5 */
    int max_priority;         /* 1..5 */
    uint32_t categories;      /* REPORT_CAT_BIT set; 0: any */
} report_cond_t;

typedef struct report_kind_rule {
    bool has_within; /* a deadline applies */
    uint64_t within; /* seconds from the anchor (detection; final: end of response) */
    char name[REPORT_TEXT_MAX];
    char title[REPORT_TEXT_MAX];
} report_kind_rule_t;

typedef struct report_profile {
    char name[REPORT_NAME_MAX];
    char title[REPORT_TEXT_MAX];
    char recipient[REPORT_TEXT_MAX];
    char legal[REPORT_LEGAL_MAX][REPORT_TEXT_MAX];
    size_t n_legal;
    report_cond_t must[REPORT_CONDS_MAX];
    size_t n_must;
    report_cond_t immediate[REPORT_CONDS_MAX];
    size_t n_immediate;
    uint64_t immediate_within; /* initial deadline of immediate incidents (0: at once) */
    report_kind_rule_t kinds[REPORT_KIND_COUNT];
    uint64_t due_soon;
    report_field_t fields[RF_COUNT];
    size_t n_fields;
} report_profile_t;

/* Load a profile file; false with one line in err. p is written only on
 * success. */
bool report_profile_load(report_profile_t *p, const char *path, char *err, size_t errlen);
/* Same from a buffer (name stands for the file in messages). */
bool report_profile_load_buffer(report_profile_t *p, const char *name, const char *buf, size_t len,
                                char *err, size_t errlen);
/* From a loaded document's root. */
bool report_profile_from_node(report_profile_t *p, const cfg_node_t *root, char *err,
                              size_t errlen);

/* One line of text at map.key (NFC, no control characters, 1..cap-1
 * bytes) into dst; absent: dst unchanged, an error only when required.
 * Shared with the `reports` section of soc.yaml (report_config.h). */
bool report_cfg_text(const cfg_node_t *map, const char *key, bool required, char *dst, size_t cap,
                     char *err, size_t errlen);

/* Whether a condition holds for an incident with these facts (a priority
 * outside 1..5 counts as 5, the least urgent). */
bool report_cond_match(const report_cond_t *c, int level, int priority, uint32_t categories);

#endif
