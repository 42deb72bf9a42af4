/* ship.h -- ships EVE events to soc-ingest (correlator/ingest/PROTOCOL.md).
 *
 * Two halves joined by the disk spool (spool.h), which IS the queue:
 *
 *   packet thread: every EVE line goes into the current batch (the frame
 *     batch writer); a batch is closed and appended to the spool when it
 *     holds batch-events events or batch-bytes bytes, when flush-interval
 *     has passed (ship_poll, called between packets), and at the end. It
 *     never touches the network and never waits for it.
 *   shipper thread: TCP, TLS 1.3 with the sensor's client certificate
 *     (server verified against the pinned CA and the host of --ingest),
 *     HELLO, WELCOME -> spool_skip_to, then spooled batches as BATCH frames,
 *     up to SHIP_WINDOW_BATCHES / SHIP_WINDOW_BYTES in flight, acks in
 *     order -> spool_ack. Any failure: close, spool_rewind, reconnect after
 *     an exponential backoff with jitter.
 *
 * What cannot be delivered is counted, never hidden: full-spool drops (in
 * spool.c), batches the ingest refused (set aside, PROTOCOL.md section 5)
 * and events too large for any batch. The counters go into the stats event
 * (stats.ingest) and drops raise an `anomaly` event of type "sensor". */
#ifndef SOC_SHIP_H
#define SOC_SHIP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame.h"
#include "json_writer.h"

struct eve;

#define SHIP_DEFAULT_SPOOL_DIR    "/var/lib/soc/spool"
#define SHIP_DEFAULT_SPOOL_BYTES  (1ULL << 30)
#define SHIP_DEFAULT_BATCH_EVENTS 1000u
#define SHIP_DEFAULT_BATCH_BYTES  (1u << 20)
#define SHIP_DEFAULT_FLUSH_MS     200u
#define SHIP_DEFAULT_DRAIN_MS     30000u
#define SHIP_MIN_BATCH_BYTES      1024u
#define SHIP_MAX_BATCH_BYTES      (16u << 20)
#define SHIP_WINDOW_BATCHES       32            /* batches in flight at most */
#define SHIP_WINDOW_BYTES         (16ULL << 20) /* and bytes in flight at most */
#define SHIP_CONNECT_TIMEOUT_MS   10000         /* TCP connect and TLS handshake */
#define SHIP_WELCOME_TIMEOUT_MS   30000         /* HELLO to WELCOME (PROTOCOL.md 4) */
#define SHIP_ACK_TIMEOUT_MS       60000         /* a batch waiting for its ACK */
#define SHIP_SPOOL_ID_FILE        "spool_id"    /* in the spool directory */

/* sensor.ingest in soc.yaml; --ingest/--cert/--key/--ca/--spool win. */
typedef struct ship_config {
    char server[512]; /* HOST:PORT ("[v6]:PORT"); "" = shipping off */
    char cert[4096], key[4096], ca[4096];
    char spool_dir[4096];
    uint64_t spool_bytes;
    uint32_t batch_events, batch_bytes;
    uint32_t flush_ms, drain_ms;
} ship_config_t;

void ship_config_defaults(ship_config_t *c);

typedef struct ship ship_t;

/* Loads the TLS context (so key files are read before privileges are
 * dropped), opens the spool and its spool_id. version and interface go into
 * HELLO. NULL with one line in err. No thread runs yet. */
ship_t *ship_open(const ship_config_t *c, const char *version, const char *interface, char *err,
                  size_t errlen);
/* The CN of the client certificate: the only name the ingest accepts in
 * events (sensor.name). */
const char *ship_cert_name(const ship_t *sh);
/* Every event line of e goes into the batches, its stats event gets
 * stats.ingest, and HELLO carries its boot_id. Before ship_start. */
void ship_attach(ship_t *sh, struct eve *e);
/* For --user, before root is given up: hands the spool directory and its
 * files (segments, state, spool_id) to uid:gid where root owns them, so the
 * sensor can go on writing and reading them (a spool used by an earlier run
 * as root included). Other owners are left alone. 0, or -1 with err. */
int ship_spool_chown(ship_t *sh, uid_t uid, gid_t gid, char *err, size_t errlen);
/* Starts the shipper thread (after ship_attach). */
int ship_start(ship_t *sh, char *err, size_t errlen);

/* Packet thread, between packets (cheap; now_ns from CLOCK_MONOTONIC, any
 * resolution better than the flush interval): closes a batch older than
 * flush-interval and reports new drops as an anomaly event at ts_usec. */
void ship_poll(ship_t *sh, int64_t now_ns, int64_t ts_usec);
/* After the last event: reports pending drops, closes the last batch, then
 * waits up to drain-timeout until the shipper has every batch acked, or
 * until *stop changes from its value at the call (a second signal). Logs
 * what is left. Returns true when everything was delivered. */
bool ship_finish(ship_t *sh, int64_t ts_usec, const volatile sig_atomic_t *stop);
/* Stops the thread, closes the spool, frees. NULL is ignored. */
void ship_close(ship_t *sh);

struct ship_counters {
    uint64_t batches_spooled, batches_acked, batches_dropped, events_dropped;
    uint64_t spool_bytes, reconnects;
    bool connected;
};
void ship_get_counters(ship_t *sh, struct ship_counters *out);
/* "ingest": {...} into the stats event being written. */
void ship_write_stats(ship_t *sh, jw_t *w);

/* ---- pure pieces (unit-tested) ---------------------------------------------- */

/* "host:port", "1.2.3.4:port", "[v6addr]:port"; port 1..65535. 0, or -1
 * with the reason in err. */
int ship_parse_server(const char *s, char *host, size_t hostlen, uint16_t *port, char *err,
                      size_t errlen);

enum ship_backoff {
    SHIP_BACKOFF_NORMAL, /* 100 ms doubling to 10 s: refused, TLS, lost */
    SHIP_BACKOFF_BUSY,   /* 1 s doubling to 60 s: ERROR 5 */
    SHIP_BACKOFF_LONG,   /* 30 s doubling to 5 min: ERROR 3/4 before WELCOME */
};
/* Delay before reconnect attempt number attempt (0 = first retry): the
 * class's base doubled attempt times, capped, then "equal jitter" -- a value
 * in [d/2, d] chosen by rnd (d/2 + rnd % (d - d/2 + 1)), so many sensors
 * cut off together do not reconnect in step. */
uint32_t ship_backoff_ms(enum ship_backoff cls, unsigned attempt, uint32_t rnd);

/* HELLO fields; an interface longer than the protocol allows is shortened
 * to its last path component, then cut at a UTF-8 boundary. -1 if the ids
 * are not 32 lowercase hex digits or version/interface is empty. */
int ship_hello_init(struct frame_hello *h, const char *version, const char *interface,
                    const char *boot_id, const char *spool_id);

/* The spool directory's id: read from dir/spool_id, or drawn and written
 * (atomically) when missing or unreadable. 0, or -1 with err. */
int ship_spool_id(const char *dir, char out[FRAME_ID_HEX_LEN + 1], char *err, size_t errlen);

/* ---- the batcher (packet-thread half, unit-tested on its own) --------------- */

/* Receives a closed batch: count '\n'-terminated lines. Returns 0, or -1
 * if it was not stored (already counted by the callee). */
typedef int (*ship_emit_fn)(void *ud, const uint8_t *lines, size_t len, uint32_t count);

struct ship_batcher {
    struct frame_batch_writer w;
    uint32_t max_events;
    int64_t flush_ns;
    int64_t opened_ns; /* first poll that saw this batch non-empty; 0 = none yet */
    ship_emit_fn emit;
    void *ud;
    uint64_t too_large; /* events that fit no batch (dropped) */
    uint64_t failed;    /* events lost to malformed lines or no memory */
};

/* max_bytes is the BATCH payload cap (12 + lines), as batch-bytes. */
void ship_batcher_init(struct ship_batcher *b, uint32_t max_events, uint32_t max_bytes,
                       uint32_t flush_ms, ship_emit_fn emit, void *ud);
void ship_batcher_free(struct ship_batcher *b);
/* One event (without '\n'). Closes the batch first when the line does not
 * fit, and after it when max_events is reached. */
void ship_batcher_add(struct ship_batcher *b, const char *line, size_t len);
/* Closes the batch when it has waited flush-interval since a poll first saw
 * it non-empty (so adding a line never reads the clock). */
void ship_batcher_poll(struct ship_batcher *b, int64_t now_ns);
/* Closes the batch now if it holds any event. */
void ship_batcher_close(struct ship_batcher *b);
uint32_t ship_batcher_pending(const struct ship_batcher *b);

#endif
