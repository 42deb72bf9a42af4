/* fwd_daemon.h -- soc-forwarder: incident versions from the outbox to the
 * endpoints (correlator/forward/README.md).
 *
 * The main thread reads the outbox as consumer group "forwarder" (its own
 * pending entries first, after a crash), renders each version once per
 * endpoint whose filter it passes and queues it (fwd_queue.h). One thread
 * per endpoint delivers its queue in order, head first: a version leaves
 * the queue only once the endpoint took it (or refused it for good), so an
 * outage of any length only grows the queue (alarm past queue-alarm), and
 * order per incident holds because the queue is one FIFO. */
#ifndef SOC_FWD_DAEMON_H
#define SOC_FWD_DAEMON_H

#include <signal.h>

#include "forward/fwd_config.h"

/* Runs until *stop is set; 0, or 1 after a fatal start-up error (logged). */
int fwd_daemon_run(const fwd_config_t *cfg, volatile sig_atomic_t *stop);

#endif
