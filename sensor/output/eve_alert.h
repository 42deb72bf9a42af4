/* eve_alert.h -- the `alert` event (Suricata's EVE alert). */
#ifndef SOC_EVE_ALERT_H
#define SOC_EVE_ALERT_H

#include "../detect/rule.h"
#include "../flow/flow.h"
#include "eve.h"

/* Tuple oriented as the packet that matched (src = its sender). write_tx, when
 * given, adds the transaction's object (http{}, dns{}, tls{}). */
void eve_alert_event(eve_t *e, const rule_t *r, const packet_t *p, const flow_t *f, int dir,
                     void (*write_tx)(jw_t *w, const void *tx), const void *tx);

#endif
