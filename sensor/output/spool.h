/* spool.h -- the sensor's outgoing event queue: a bounded write-ahead log on
 * disk, shared by the packet thread (writer) and the shipper thread (reader).
 *
 * Every batch of EVE events the pipeline finishes is appended here and given
 * a batch sequence number; the shipper reads records in order, sends them
 * (several in flight), and acks advance a persisted ack position. So nothing
 * is lost while soc-ingest is unreachable: only a full spool drops batches,
 * whole oldest segments first, and those drops are counted.
 *
 * Directory layout
 *   NNNNNNNNNNNNNNNNNNNN.seg  segments, named by the first batch sequence they
 *                             hold, 20 digits so names sort like numbers; each
 *                             holds whole records, at most segment_bytes.
 *   state                     the ack position and the sequence floor (below).
 *   state.tmp                 written, then renamed over "state".
 *   The directory is flock()ed: two processes never share one spool.
 *
 * Record format (all integers little-endian), 20-byte header then payload:
 *   u32 len      payload length, at most SPOOL_PAYLOAD_MAX
 *   u32 crc      CRC-32C (Castagnoli, as iSCSI/ext4) of bytes 8..20+len,
 *                i.e. of seq, count and payload as stored (own code: the
 *                SSE4.2 instruction where the CPU has it, else tables)
 *   u64 seq      batch sequence number, strictly increasing through the spool
 *   u32 count    events in the batch (for drop accounting)
 *   u8  payload[len]
 *
 * State file (28 bytes, little-endian):
 *   u32 magic "SPST" (0x54535053), u32 version 1, u64 acked (every batch
 *   <= acked was delivered), u64 floor (no sequence below it will ever be
 *   assigned again), u32 CRC-32C of the 24 bytes before it.
 *
 * Batch sequence numbers: unique and increasing, never reused (soc-ingest
 * dedups by (sensor, seq)), but not contiguous. A brand-new spool starts at 1;
 * a reopened one continues at max(last record on disk + 1, acked + 1, floor).
 * After a clean spool_close the floor is the exact next number, so numbering
 * simply continues. While open, the floor on disk runs SPOOL_SEQ_RESERVE ahead
 * of the numbers handed out (fsynced before a number past it is used), so
 * after kill -9 or a power cut -- when the unsynced tail of the last segment,
 * which the server may already have received, can be gone -- numbering jumps
 * forward by up to SPOOL_SEQ_RESERVE instead of reusing a number. If the state
 * file is unreadable but segments exist, the jump is SPOOL_SEQ_GAP_UNKNOWN.
 * The server must therefore not read gaps as loss; loss is what the
 * dropped_* counters say.
 *
 * fsync policy: a segment is fsynced when it is rolled (full) and on close,
 * the directory after a segment is created, the state file when the floor
 * moves and on close; never per record, since an fsync costs milliseconds on
 * a real disk and appends run on the packet thread. The fsync of a rolled
 * segment and the floor's advance are done by a small thread the spool runs
 * itself, so neither the packet thread nor the shipper waits for the disk
 * (unless the disk falls 8 segments behind). What this costs: kill -9 loses
 * only batches still in the 64 KiB write buffer (never seen by the reader, so
 * never sent); a power cut can also lose the unsynced tail of the newest
 * segment. The ack
 * position is written by the same thread, coalesced and not fsynced: a lost
 * ack only means a batch is sent again.
 *
 * Opening validates every record (length, CRC, sequence above the previous
 * record's and not below the segment's name). A bad record that reaches the
 * end of its file (a torn write) is truncated away; one followed by more
 * bytes ends its segment there (the rest is left on disk, ignored, later segments still
 * used). Either is logged once with file and offset. Segments with no valid
 * record, and fully acked ones, are deleted.
 *
 * Threads: exactly one writer thread (spool_append, spool_flush) and one
 * reader thread (spool_next, spool_ack, spool_rewind, spool_skip_to) may run
 * at once; spool_get_stats and spool_wake from any thread; spool_open and
 * spool_close with no other call running. One mutex guards the metadata; file
 * reads happen outside it, so the writer never waits for the reader's I/O.
 * The internal sync thread blocks all signals. */
#ifndef SOC_SPOOL_H
#define SOC_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_DEFAULT_MAX_BYTES     (1ULL << 30) /* 1 GiB */
#define SPOOL_DEFAULT_SEGMENT_BYTES (16ULL << 20)
#define SPOOL_MIN_SEGMENT_BYTES     64ULL
#define SPOOL_MAX_SEGMENT_BYTES     (1ULL << 30)
#define SPOOL_RECORD_HDR            20u
#define SPOOL_PAYLOAD_MAX           (64u << 20) /* format limit; bounds the reader's buffer */
#define SPOOL_SEQ_RESERVE           65536ULL
#define SPOOL_SEQ_GAP_UNKNOWN       (1ULL << 32)

typedef struct spool spool_t;

struct spool_stats {
    uint64_t bytes;            /* on disk now (records, plus ignored corrupt bytes) */
    uint64_t records;          /* records in segment files (acked ones stay until their
                                  segment is deleted) */
    uint64_t dropped_batches;  /* since open: not delivered and gone (full spool, write
                                  failure, or rejected) */
    uint64_t dropped_events;   /* the event counts of those batches */
    uint64_t appended_batches; /* since open */
    uint64_t acked_seq;        /* every batch <= this was delivered */
    uint64_t next_seq;         /* the sequence the next append gets */
};

/* Opens (creating the directory, not its parents, if needed) and validates
 * the spool in dir. max_bytes / segment_bytes of 0 mean the defaults (the
 * segment default shrinks to max_bytes / 8 for small spools). segment_bytes
 * must lie in [SPOOL_MIN_SEGMENT_BYTES, SPOOL_MAX_SEGMENT_BYTES] and not
 * exceed max_bytes. On failure returns NULL with one line in err. */
spool_t *spool_open(const char *dir, uint64_t max_bytes, uint64_t segment_bytes, char *err,
                    size_t errlen);

/* Writer: appends one batch and gives it the next sequence (*seq_out, may be
 * NULL). Never waits for the reader. If the spool would exceed max_bytes,
 * whole oldest segments are dropped first (unacked batches in them are
 * counted as dropped). Returns 0, or -1 when the batch was not stored (too
 * large for a segment, or a write error); it is then counted as dropped too,
 * and the reason logged (rate-limited). */
int spool_append(spool_t *sp, const void *payload, size_t len, uint32_t nevents, uint64_t *seq_out);

/* Writer: pushes the 64 KiB write buffer into the segment file (no fsync),
 * e.g. when the pipeline goes idle. The reader flushes by itself when it
 * runs out of data, so this is only for tighter crash windows. 0 or -1. */
int spool_flush(spool_t *sp);

/* Reader: the next record after the read cursor that is not yet acked.
 * Waits up to timeout_ms (< 0: no limit, 0: no wait) for one. Returns 1 with
 * the record (*payload stays valid until the reader's next spool_next or
 * spool_rewind), 0 on timeout or spool_wake, -1 on a read error (logged;
 * the cursor stays, so a later call retries). */
int spool_next(spool_t *sp, const uint8_t **payload, size_t *len, uint64_t *seq, uint32_t *nevents,
               int timeout_ms);

/* Reader: every batch <= seq was delivered. Deletes the segments whose
 * records are all acked (the one being appended to stays until it is full or
 * the spool closes); the sync thread persists the ack position moments later
 * (acks arriving meanwhile are written together; spool_close writes the
 * last). Returns 0, or -1 if seq was never assigned (>= next_seq). */
int spool_ack(spool_t *sp, uint64_t seq);

/* Reader: after a reconnect, read again from the first unacked record. */
void spool_rewind(spool_t *sp);

/* Reader: the server says it already holds every batch <= seq; treat them as
 * acked (then spool_rewind to send what follows). If seq >= next_seq the
 * server knows numbers this spool never handed out (its directory was lost):
 * numbering continues after seq, and the unacked batches still here, whose
 * numbers the server will take for duplicates, are counted as dropped
 * (logged). */
void spool_skip_to(spool_t *sp, uint64_t seq);

/* Any thread: a spool_next that is waiting (or the next one that would
 * wait) returns 0 at once, e.g. to stop the shipper thread. */
void spool_wake(spool_t *sp);

void spool_get_stats(spool_t *sp, struct spool_stats *st);

/* Flushes and fsyncs, deletes fully acked segments, records the exact next
 * sequence, releases the directory. NULL is ignored. */
void spool_close(spool_t *sp);

/* CRC-32C as in the record format; crc is 0 to start, or a previous result
 * to continue. The second never uses the SSE4.2 instruction (for tests). */
uint32_t spool_crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t spool_crc32c_portable(uint32_t crc, const void *buf, size_t len);

#endif
