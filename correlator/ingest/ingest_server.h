/* ingest_server.h -- the soc-ingest listener.
 *
 * Concurrency model, kept simple on purpose: one accept thread, one thread
 * per connection (at most max-connections), each connection with its own
 * TLS session and its own Redis connection, blocking sockets with
 * timeouts. The accept thread also enforces the handshake deadline
 * (handshake-timeout from accept to a whole HELLO) and reloads the CRL on
 * request, since OpenSSL wants that done where SSL objects are created.
 *
 * Beyond max-connections a few more connections are taken only to tell the
 * sensor ERROR 5 "server busy" (it then backs off); past those, new
 * connections are closed at once. */
#ifndef SOC_INGEST_SERVER_H
#define SOC_INGEST_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "ingest_config.h"

typedef struct ingest_server ingest_server_t;

/* TLS context and listening socket; the password is Redis's for the
 * configured user. NULL with one line in err. cfg must outlive the server. */
ingest_server_t *ingest_server_new(const ingest_config_t *cfg, const char *password, char *err,
                                   size_t errlen);
/* Start the accept thread. */
int ingest_server_start(ingest_server_t *s, char *err, size_t errlen);
/* Ask the accept thread to reload the CRL (safe from a signal loop). */
void ingest_server_reload_crl(ingest_server_t *s);
/* Stop accepting; let every connection finish the batch in progress, then
 * close; wait up to wait_sec for the connection threads. */
void ingest_server_stop(ingest_server_t *s, unsigned wait_sec);
void ingest_server_free(ingest_server_t *s);

/* Add the counters gathered since the last call to soc:ingest:stats (from
 * the main thread, with a Redis connection of its own). Quiet on failure
 * except for one line when Redis becomes unreachable. */
void ingest_server_flush_counters(ingest_server_t *s);

#endif
