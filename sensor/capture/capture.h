/* capture.h -- packet source: a capture file or a live interface (libpcap).
 *
 * One loop for both: capture_next() hands out one frame at a time, pointing
 * into libpcap's buffer (valid until the next call). Offline reads report a
 * truncated or corrupt file as an error after the frames read so far. */
#ifndef SOC_CAPTURE_H
#define SOC_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct capture_config {
    const char *file;  /* -r: pcap or pcapng */
    const char *iface; /* -i: live interface */
    const char *bpf;   /* -f: capture filter, may be NULL */
    int snaplen;       /* live: bytes kept per frame */
    bool promisc;      /* live: promiscuous mode */
    int buffer_bytes;  /* live: kernel ring size, 0 = libpcap default */
} capture_config_t;

#define CAPTURE_DEFAULT_SNAPLEN 65535

typedef struct capture capture_t;

typedef enum capture_result {
    CAPTURE_FRAME = 1, /* a frame is ready */
    CAPTURE_IDLE = 0,  /* live: read timeout, nothing this time */
    CAPTURE_EOF = -1,  /* end of file, or the loop was broken */
    CAPTURE_ERROR = -2 /* see capture_error() */
} capture_result_t;

typedef struct capture_frame {
    int64_t ts_usec;
    const uint8_t *data;
    uint32_t caplen, wirelen;
} capture_frame_t;

typedef struct capture_stats {
    uint64_t kernel_packets, kernel_drops, ifdrops; /* live only */
    bool valid;
} capture_stats_t;

/* Opens the source; on failure returns NULL with a one-line message in err. */
capture_t *capture_open(const capture_config_t *cfg, char *err, size_t errlen);
void capture_close(capture_t *c);

capture_result_t capture_next(capture_t *c, capture_frame_t *f);
int capture_linktype(const capture_t *c);
const char *capture_error(const capture_t *c);
bool capture_is_live(const capture_t *c);
/* Async-signal-safe: makes the next capture_next() return CAPTURE_EOF. */
void capture_break(capture_t *c);
void capture_get_stats(capture_t *c, capture_stats_t *st);
/* Offline: bytes read so far and file size, for the progress line. */
void capture_progress(const capture_t *c, uint64_t *pos, uint64_t *size);

#endif
