/* frame.h -- wire codec of the SOC ingest protocol v1, shared by the sensor
 * and soc-ingest. The protocol is specified in correlator/ingest/PROTOCOL.md;
 * this file only names its pieces.
 *
 * Every frame is an 8-byte header, then the payload:
 *     'S' 'F' | version (1) | type (u8) | payload length (u32, big-endian)
 *
 * Everything here is pure: no I/O, no global state, and the decoders never
 * allocate (payloads are returned as pointers into the caller's buffer). All
 * multi-byte integers on the wire are big-endian.
 *
 * Functions that can fail take (char *err, size_t errlen) and write one line
 * naming what is wrong and where ("frame: payload length 9000000 exceeds
 * limit 4194304", "batch 42: line 3 (payload offset 1210) is empty"); err may
 * be NULL. */
#ifndef SOC_FRAME_H
#define SOC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_LEN 8
#define FRAME_MAGIC0     0x53 /* 'S' */
#define FRAME_MAGIC1     0x46 /* 'F' */
#define FRAME_VERSION    1    /* header byte 2 */
#define FRAME_PROTO      1    /* "proto" in HELLO */

/* Payload limits (PROTOCOL.md, "Limits"). */
#define FRAME_DEFAULT_MAX_PAYLOAD (4u << 20)   /* ingest's default for BATCH */
#define FRAME_MIN_MAX_PAYLOAD     (64u << 10)  /* smallest limit a WELCOME may carry */
#define FRAME_MAX_MAX_PAYLOAD     (256u << 20) /* largest limit a WELCOME may carry */
#define FRAME_CONTROL_MAX         4096 /* limit for HELLO and for every frame ingest sends */

#define FRAME_WELCOME_PAYLOAD_LEN 12 /* u64 last stored seq, u32 max payload */
#define FRAME_ACK_PAYLOAD_LEN     8  /* u64 seq */
#define FRAME_BATCH_HEADER_LEN    12 /* u64 seq, u32 event count, then the lines */
#define FRAME_ERROR_TEXT_MAX      1024
#define FRAME_WELCOME_LEN         (FRAME_HEADER_LEN + FRAME_WELCOME_PAYLOAD_LEN)
#define FRAME_ACK_LEN             (FRAME_HEADER_LEN + FRAME_ACK_PAYLOAD_LEN)
#define FRAME_ERROR_LEN_MAX       (FRAME_HEADER_LEN + 2 + FRAME_ERROR_TEXT_MAX)
#define FRAME_HELLO_LEN_MAX       (FRAME_HEADER_LEN + FRAME_CONTROL_MAX)

enum frame_type {
    FRAME_HELLO = 1,   /* sensor -> ingest, first frame: JSON object */
    FRAME_WELCOME = 2, /* ingest -> sensor: last stored batch seq, max payload */
    FRAME_BATCH = 3,   /* sensor -> ingest: seq, count, EVE lines */
    FRAME_ACK = 4,     /* ingest -> sensor: seq of a durably stored batch */
    FRAME_ERROR = 5,   /* either way, just before closing: code, text */
};

/* Results of the decoders and of the batch writer. */
enum frame_status {
    FRAME_NEED_MORE = 0, /* frame_decode: the frame is not complete yet */
    FRAME_OK = 1,
    FRAME_E_MAGIC = -1,     /* not 'S' 'F' */
    FRAME_E_VERSION = -2,   /* header version or HELLO proto other than 1 */
    FRAME_E_TYPE = -3,      /* unknown frame type */
    FRAME_E_TOO_LARGE = -4, /* payload above the limit; a line that can never fit */
    FRAME_E_MALFORMED = -5, /* payload does not follow its layout */
    FRAME_E_FULL = -6,      /* batch writer: this line would pass the cap */
    FRAME_E_NOMEM = -7,     /* batch writer: allocation failed */
};

/* Codes carried by an ERROR frame (u16). */
enum frame_error {
    FRAME_ERR_MALFORMED = 1,    /* malformed frame or payload */
    FRAME_ERR_TOO_LARGE = 2,    /* payload length above the limit */
    FRAME_ERR_VERSION = 3,      /* unsupported version */
    FRAME_ERR_UNAUTHORISED = 4, /* certificate not allowed, or event of another sensor */
    FRAME_ERR_BUSY = 5,         /* server busy or storage unavailable: retry later */
};

struct frame {
    enum frame_type type;
    uint32_t len;           /* payload bytes */
    const uint8_t *payload; /* into the decoder's input buffer */
};

/* "HELLO" ... "ERROR", or "unknown". */
const char *frame_type_name(int type);
/* "malformed frame", "frame too large", ... or "unknown error". */
const char *frame_error_name(int code);
/* The ERROR code to send for a failed decode (a negative frame_status). */
enum frame_error frame_status_error(int status);

/* ---- header ---------------------------------------------------------------- */

/* Writes the 8 header bytes; returns FRAME_HEADER_LEN. */
size_t frame_encode_header(uint8_t out[FRAME_HEADER_LEN], enum frame_type type,
                           uint32_t payload_len);

/* Incremental decoder: looks at the start of buf (len bytes received so
 * far). FRAME_OK: *out describes the frame (payload points into buf) and
 * *consumed is its total length (header + payload). FRAME_NEED_MORE: read
 * more and call again with the longer buffer. Negative: the stream is not
 * v1 frames, or the payload is longer than max_payload; reply ERROR with
 * frame_status_error(result) and close. Errors are reported as soon as the
 * offending header byte has arrived, before any payload is waited for. */
int frame_decode(const uint8_t *buf, size_t len, uint32_t max_payload, struct frame *out,
                 size_t *consumed, char *err, size_t errlen);

/* ---- HELLO ------------------------------------------------------------------- */

#define FRAME_HELLO_VERSION_MAX 64  /* bytes incl. NUL */
#define FRAME_HELLO_IFACE_MAX   256 /* bytes incl. NUL */
#define FRAME_ID_HEX_LEN        32  /* boot_id, spool_id: 128 bits, lowercase hex */

struct frame_hello {
    char version[FRAME_HELLO_VERSION_MAX]; /* sensor software version */
    char interface[FRAME_HELLO_IFACE_MAX]; /* capture interface or file */
    char boot_id[FRAME_ID_HEX_LEN + 1];    /* drawn at each sensor start */
    char spool_id[FRAME_ID_HEX_LEN + 1];   /* drawn when the spool is created */
};

/* Whole HELLO frame into out; returns its length, or 0 if cap is too small
 * or a field is invalid (empty version/interface, ids not 32 hex digits). */
size_t frame_hello_encode(uint8_t *out, size_t cap, const struct frame_hello *h);
/* FRAME_OK, FRAME_E_VERSION ("proto" other than 1), FRAME_E_MALFORMED. */
int frame_hello_decode(const uint8_t *payload, size_t len, struct frame_hello *h, char *err,
                       size_t errlen);

/* ---- WELCOME, ACK, ERROR ------------------------------------------------------ */

/* Whole frames; return their length. */
size_t frame_welcome_encode(uint8_t out[FRAME_WELCOME_LEN], uint64_t last_seq,
                            uint32_t max_payload);
size_t frame_ack_encode(uint8_t out[FRAME_ACK_LEN], uint64_t seq);
/* text is cut to FRAME_ERROR_TEXT_MAX bytes at a character boundary;
 * control characters and invalid UTF-8 become '?'. NULL text = empty. */
size_t frame_error_encode(uint8_t out[FRAME_ERROR_LEN_MAX], uint16_t code, const char *text);

/* Payload decoders: FRAME_OK or FRAME_E_MALFORMED. */
int frame_welcome_decode(const uint8_t *payload, size_t len, uint64_t *last_seq,
                         uint32_t *max_payload, char *err, size_t errlen);
int frame_ack_decode(const uint8_t *payload, size_t len, uint64_t *seq, char *err, size_t errlen);
/* *text points into the payload (not NUL-terminated, untrusted: log it
 * through soc_log, which masks control bytes). */
int frame_error_decode(const uint8_t *payload, size_t len, uint16_t *code, const char **text,
                       size_t *textlen, char *err, size_t errlen);

/* ---- BATCH writer (sensor) ----------------------------------------------------- */

#define FRAME_BATCH_PREFIX_LEN (FRAME_HEADER_LEN + FRAME_BATCH_HEADER_LEN)

/* The first 20 bytes of a BATCH frame (frame header, seq, count) for event
 * lines already held elsewhere (a spool record): send these, then the
 * lines_len bytes of lines. The caller guarantees the lines follow the batch
 * rules (frame_batch_open) and that FRAME_BATCH_HEADER_LEN + lines_len fits
 * the peer's limit. Returns FRAME_BATCH_PREFIX_LEN. */
size_t frame_batch_prefix_encode(uint8_t out[FRAME_BATCH_PREFIX_LEN], uint64_t seq, uint32_t count,
                                 uint32_t lines_len);

/* Builds one whole BATCH frame (header included) in a buffer it owns,
 * growing it up to max_payload + FRAME_HEADER_LEN bytes and never beyond. */
struct frame_batch_writer {
    uint8_t *buf; /* header, seq, count, lines; owned */
    size_t len, cap;
    uint32_t max_payload;
    uint64_t seq;
    uint32_t count;
};

/* No allocation until the first line. */
void frame_batch_writer_init(struct frame_batch_writer *w, uint64_t seq, uint32_t max_payload);
/* Start the next batch, keeping the memory. */
void frame_batch_writer_reset(struct frame_batch_writer *w, uint64_t seq);
void frame_batch_writer_free(struct frame_batch_writer *w);
/* Append one event (without its '\n'). FRAME_OK; FRAME_E_FULL: the batch
 * would pass the cap, send it and append to the next one; FRAME_E_TOO_LARGE:
 * the line would not fit even an empty batch (drop and count it);
 * FRAME_E_MALFORMED: empty, or contains '\n' or NUL; FRAME_E_NOMEM. On any
 * failure the batch is unchanged. */
int frame_batch_writer_append_line(struct frame_batch_writer *w, const char *line, size_t len);
/* The complete frame, ready to send (valid until the next append, reset or
 * free), or NULL if the batch has no events (never send an empty batch). */
const uint8_t *frame_batch_writer_finish(struct frame_batch_writer *w, size_t *frame_len);

/* ---- BATCH reader (ingest) ------------------------------------------------------ */

struct frame_batch_iter {
    const uint8_t *p, *end;
};

/* Validates a whole BATCH payload before anything is stored: seq >= 1,
 * count >= 1, exactly count lines, each non-empty and ended by '\n', no NUL
 * byte anywhere. FRAME_OK fills seq, count and the iterator; otherwise
 * FRAME_E_MALFORMED (the iterator then yields nothing). */
int frame_batch_open(const uint8_t *payload, size_t len, uint64_t *seq, uint32_t *count,
                     struct frame_batch_iter *it, char *err, size_t errlen);
/* Next event line (without '\n', not NUL-terminated); false at the end. */
bool frame_batch_next(struct frame_batch_iter *it, const char **line, size_t *linelen);

#endif
