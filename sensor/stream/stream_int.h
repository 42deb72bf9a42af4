/* stream_int.h -- internals shared by the stream reassembly files. */
#ifndef SOC_STREAM_INT_H
#define SOC_STREAM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "stream.h"

/* stream_dir_t.flags */
#define SD_BASE 0x01 /* next_seq is known */
#define SD_FIN  0x02 /* fin_seq is known */
#define SD_DONE 0x04 /* nothing more is delivered */

/* One held out-of-order segment. */
typedef struct stream_seg {
    struct stream_seg *next; /* next higher sequence */
    uint32_t seq, len;
    uint8_t data[];
} stream_seg_t;

/* What a direction needs only while it holds data or keeps a window. */
typedef struct stream_ext_dir {
    stream_seg_t *head; /* sorted by seq, non-overlapping, all after next_seq */
    uint32_t nsegs;
    uint32_t wlen; /* bytes in win */
    uint8_t *win;  /* last delivered bytes (inside the ext allocation), or NULL */
} stream_ext_dir_t;

typedef struct stream_ext {
    stream_ext_dir_t dir[2];
    uint8_t winbuf[]; /* 2 x window bytes when a window is configured */
} stream_ext_t;

typedef struct stream_dir {
    uint64_t next_off; /* stream offset of next_seq */
    uint32_t next_seq; /* next byte expected */
    uint32_t fin_seq;  /* sequence number of the FIN (SD_FIN) */
    uint8_t flags;     /* SD_* */
} stream_dir_t;

struct tcp_stream {
    stream_dir_t dir[2];
    stream_ext_t *ext; /* NULL while idle */
};

struct stream_ctx {
    stream_config_t cfg;
    stream_stats_t st;
    uint8_t *scratch; /* window + STREAM_CHUNK bytes, only with a window */
};

/* a - b in serial-number arithmetic (RFC 1982), without relying on
 * implementation-defined conversions. */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    return d < 0x80000000u ? (int32_t)d : -(int32_t)(~d) - 1;
}

/* memory budget (stream.c) */
bool stream_mem_take(stream_ctx_t *c, uint64_t n);
void stream_mem_give(stream_ctx_t *c, uint64_t n);
stream_ext_t *stream_ext_get(stream_ctx_t *c, tcp_stream_t *st); /* NULL: memcap */

/* holding list (stream_held.c) */
typedef enum { HELD_OK, HELD_DUP, HELD_NOMEM } held_result_t;
/* Hold n bytes at rel bytes (> 0) after next_seq, keeping held bytes where
 * they overlap; sets *overlap and *diff when it met held bytes. */
held_result_t stream_held_insert(stream_ctx_t *c, tcp_stream_t *st, int dir, int64_t rel,
                                 const uint8_t *p, uint32_t n, bool *overlap, bool *diff);
stream_seg_t *stream_held_pop(tcp_stream_t *st, int dir); /* unlinks the first */
void stream_seg_free(stream_ctx_t *c, stream_seg_t *s);
void stream_held_free(stream_ctx_t *c, tcp_stream_t *st, int dir);

/* delivery (stream_deliver.c) */
int64_t stream_limit(const stream_ctx_t *c, const stream_dir_t *sd);
void stream_emit(stream_ctx_t *c, tcp_stream_t *st, int dir, const uint8_t *p, uint64_t n,
                 const stream_sink_t *sink);
void stream_gap(stream_ctx_t *c, tcp_stream_t *st, int dir, uint64_t n, const stream_sink_t *sink);
void stream_drain(stream_ctx_t *c, tcp_stream_t *st, int dir, const stream_sink_t *sink);
void stream_skip_hole(stream_ctx_t *c, tcp_stream_t *st, int dir, const stream_sink_t *sink);
void stream_check_end(stream_ctx_t *c, tcp_stream_t *st, int dir);
void stream_set_done(stream_ctx_t *c, tcp_stream_t *st, int dir);

#endif
