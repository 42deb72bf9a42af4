/* ingest_server_int.h -- what the accept side (ingest_server.c) and the
 * connection threads (ingest_conn.c) share. Not for other modules. */
#ifndef SOC_INGEST_SERVER_INT_H
#define SOC_INGEST_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "ingest_config.h"
#include "ingest_event.h"
#include "ingest_server.h"
#include "ingest_store.h"

#define INGEST_BUSY_SLOTS 16 /* extra connections that only get "server busy" */
#define INGEST_REMOTE_MAX 64 /* "[IPv6]:port" */

/* One connection; its fields are guarded by the server's lock except where
 * noted. */
typedef struct ingest_slot {
    bool used;
    bool busy;                      /* over max-connections: answer ERROR 5 and close */
    bool in_session;                /* past WELCOME: the handshake deadline no longer applies */
    bool timed_out;                 /* the accept thread cut the handshake short */
    bool superseded;                /* a newer session of the same sensor took over */
    int fd;                         /* -1 once the thread closed it */
    uint64_t deadline_ms;           /* CLOCK_MONOTONIC, handshake and HELLO */
    char name[INGEST_NAME_MAX + 1]; /* sensor, once its HELLO is accepted */
    /* set before the thread starts, then read-only */
    SSL *ssl;
    char remote[INGEST_REMOTE_MAX];
    struct ingest_server *srv;
} ingest_slot_t;

struct ingest_server {
    const ingest_config_t *cfg;
    ingest_store_opts_t store_opts;
    char password[INGEST_PASSWORD_MAX];
    SSL_CTX *ctx;
    int listen_fd;
    pthread_t accept_thread;
    bool accept_started;
    atomic_bool stopping;
    atomic_bool reload;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a slot was freed */
    ingest_slot_t *slots;   /* max_connections + INGEST_BUSY_SLOTS */
    uint32_t nslots;
    uint32_t active, busy_active;
    ingest_store_t *stats_store; /* main thread only */
    bool stats_down_logged;
};

uint64_t ingest_now_ms(void);

/* Thread body of one connection (arg: its slot). Frees the slot at the end. */
void *ingest_conn_main(void *arg);

/* After a HELLO: record the sensor's name in its slot and end any older
 * session of that sensor (its socket is shut for reading, so it finishes
 * the batch it is storing, acks it and closes). */
void ingest_server_claim(ingest_server_t *s, ingest_slot_t *slot, const char *name);
/* The thread is done with the slot: close the socket, free the slot. */
void ingest_server_release(ingest_server_t *s, ingest_slot_t *slot);

#endif
