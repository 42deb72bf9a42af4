/* ship_int.h -- what ship.c (set-up, packet thread) and ship_session.c
 * (the shipper thread) share. Not for other modules. */
#ifndef SOC_SHIP_INT_H
#define SOC_SHIP_INT_H

#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "ship.h"
#include "spool.h"

struct ship {
    ship_config_t cfg;
    char host[256];
    char port[8];
    SSL_CTX *ctx;
    char cert_cn[256];
    spool_t *sp;
    char spool_id[FRAME_ID_HEX_LEN + 1];
    char version[FRAME_HELLO_VERSION_MAX];
    char interface[4096];
    struct frame_hello hello; /* complete after ship_attach */
    struct eve *eve;

    /* packet thread */
    struct ship_batcher batcher;
    uint64_t rep_spool_batches, rep_spool_events; /* drops already reported */
    uint64_t rep_rej_batches, rep_rej_events, rep_too_large;
    int64_t next_report_ns;

    /* The spool allows one writer at a time: the packet thread, and the
     * shipper when it re-packs a batch too large for the ingest. */
    pthread_mutex_t append_mtx;
    uint64_t last_appended; /* highest seq appended by this process; under append_mtx */

    /* shipper thread */
    pthread_t thread;
    bool started;
    int wake_fd; /* eventfd: wakes the shipper's poll() to stop */
    atomic_bool stop;

    /* counters written by the shipper, read anywhere */
    atomic_uint_fast64_t acked_batches, reconnects;
    atomic_uint_fast64_t rejected_batches, rejected_events; /* set aside (ERROR) */
    atomic_uint_fast64_t repack_too_large;                  /* events dropped while re-packing */
    atomic_bool connected;
};

/* Shipper thread body (ship_session.c). */
void *ship_thread_main(void *arg);
/* Appends one batch as the spool's writer (either thread). */
int ship_append(ship_t *sh, const uint8_t *lines, size_t len, uint32_t count);

#endif
