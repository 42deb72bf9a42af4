/* priority.h -- incident priority P1 (most urgent) .. P5 from the rule's
 * severity and the asset's security level and criticality.
 *
 *   score = 4 * severity + W_level[level] + W_crit[criticality]
 *     W_level = {unknown 0, 1: 0, 2: 1, 3: 2, 4: 3, 5: 4}
 *     W_crit  = {unknown 0, low 0, medium 1, high 2}
 *   P1: score >= 18   P2: >= 14   P3: >= 9   P4: >= 4   P5: below 4
 *
 * Severity leads (one severity step moves the score as much as the whole
 * level scale), the asset moves it by up to 6 points, about one and a half
 * priorities. Every weight grows with its input and the bands fall with
 * the score, so raising any input never lowers urgency. An unknown level
 * or criticality weighs as the lowest known one. Out-of-range inputs are
 * clamped. correlator/context/README.md has the whole table. */
#ifndef SOC_PRIORITY_H
#define SOC_PRIORITY_H

#include "asset.h"

/* severity 0..4 (Sigma level: informational 0, low 1, medium 2, high 3,
 * critical 4), level 1..5 (0 unknown), criticality 1..3
 * (ASSET_CRIT_*, 0 unknown) -> 1..5. */
int corr_priority(int severity, int level, int criticality);
/* The score behind it (0..22), for display. */
int corr_priority_score(int severity, int level, int criticality);
/* The more urgent of the two assets' priorities (either may be NULL). */
int corr_priority_assets(int severity, const asset_t *src, const asset_t *dest);

#endif
