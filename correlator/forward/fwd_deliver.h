/* fwd_deliver.h -- one endpoint's delivery thread: its queue, head first,
 * to the endpoint, with exponential backoff and jitter between failed
 * attempts (retry.initial doubling up to retry.max, each wait drawn in
 * [half, whole], or the server's Retry-After when longer). Every attempt
 * is recorded (fwd_queue.h): a delivery or a failure on the incident's
 * timeline and in the endpoint's status. */
#ifndef SOC_FWD_DELIVER_H
#define SOC_FWD_DELIVER_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "forward/fwd_config.h"

/* Start the thread; it runs until *stop. 0 or -1. */
int fwd_deliver_start(pthread_t *t, const fwd_config_t *cfg, const fwd_endpoint_t *e,
                      volatile sig_atomic_t *stop);

/* The wait before attempt n+1 after n consecutive failures (n >= 1), in
 * ms; r is a uniform random number in [0, 1). */
uint64_t fwd_backoff_ms(const fwd_config_t *cfg, unsigned n, double r);

#endif
