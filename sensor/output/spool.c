/* spool.c -- the on-disk batch queue between the packet thread and the
 * shipper thread (format, numbering and fsync policy are in spool.h).
 *
 * In memory: an array of segments, oldest first; the last one is "active"
 * (open for appending) once the writer has appended since open. Appends go
 * through a 64 KiB buffer; a segment's bytes [0, flushed) are in its file,
 * [flushed, bytes) still in the buffer. The reader only reads [0, flushed)
 * and flushes the buffer itself when it runs out of data. Every metadata
 * change happens under mtx; file reads happen outside it, and a generation
 * counter tells the reader that segments went away while it was reading.
 * A small internal thread does the waits for the disk (fsync of rolled
 * segments and the directory, moving the sequence floor ahead), so neither
 * the packet thread nor the shipper stalls on them. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include "byteorder.h"
#include "log.h"

#define HDR             SPOOL_RECORD_HDR
#define WBUF_SIZE       (64u * 1024) /* one write(2) per 64 KiB of appends */
#define SCRATCH_SIZE    (64u * 1024) /* reading headers at open and when dropping */
#define RBUF_CHUNK      (64u * 1024) /* the reader reads ahead this much */
#define MAX_PENDING     8            /* rolled segments waiting for the sync thread */
#define SEQ_LIMIT       (1ULL << 62) /* keeps seq + reserve/gap far from overflow */
#define STATE_NAME      "state"
#define STATE_TMP       "state.tmp"
#define STATE_SIZE      28
#define STATE_MAGIC     0x54535053u /* "SPST" */
#define STATE_VERSION   1u
#define SEG_DIGITS      20
#define SEG_NAME_SIZE   32
#define LOG_INTERVAL_NS (10LL * 1000 * 1000 * 1000)

/* ---- CRC-32C ---------------------------------------------------------- */

static uint32_t crc_table[8][256];
static bool crc_hw;
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

/* Slicing-by-8: eight table lookups per 8 input bytes. */
static uint32_t crc_sw(uint32_t crc, const uint8_t *p, size_t len)
{
    while (len >= 8) {
        uint32_t lo = crc ^ get_u32(p), hi = get_u32(p + 4);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^
              crc_table[2][(hi >> 8) & 0xff] ^ crc_table[1][(hi >> 16) & 0xff] ^
              crc_table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
    return crc;
}

#if defined(__x86_64__)
/* The SSE4.2 instruction computes exactly this polynomial, ~8 bytes/cycle. */
__attribute__((target("sse4.2"))) static uint32_t crc_hw_x86(uint32_t crc, const uint8_t *p,
                                                             size_t len)
{
    uint64_t c = crc;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len--)
        c32 = _mm_crc32_u8(c32, *p++);
    return c32;
}
#endif

uint32_t spool_crc32c_portable(uint32_t crc, const void *buf, size_t len)
{
    pthread_once(&crc_once, crc_init);
    return ~crc_sw(~crc, buf, len);
}

uint32_t spool_crc32c(uint32_t crc, const void *buf, size_t len)
{
    pthread_once(&crc_once, crc_init);
#if defined(__x86_64__)
    if (crc_hw) return ~crc_hw_x86(~crc, buf, len);
#endif
    return ~crc_sw(~crc, buf, len);
}

/* ---- types ------------------------------------------------------------ */

struct seg {
    uint64_t first_seq; /* names the file */
    uint64_t first_rec; /* sequence of its first record (0 while empty) */
    uint64_t last_seq;  /* of its last record */
    uint64_t bytes;     /* valid records, including any still in the write buffer */
    uint64_t flushed;   /* of those, already in the file */
    uint64_t extra;     /* bytes after a corrupt record, left on disk and ignored */
    uint64_t records;
    uint64_t events;
    bool torn; /* a failed write may have left bytes after flushed */
};

struct ratelimit {
    int64_t next_ns;
    uint64_t suppressed;
};

struct spool {
    pthread_mutex_t mtx;       /* everything below but the reader-only part */
    pthread_cond_t cond;       /* reader waits for data */
    pthread_cond_t sync_cond;  /* sync thread waits for work */
    pthread_mutex_t state_mtx; /* serialises state-file writes; taken before mtx */
    pthread_t syncer;
    bool syncer_started, stopping;
    char *dir;
    int dirfd; /* also holds the flock */
    uint64_t max_bytes, seg_bytes;

    struct seg *segs; /* oldest first */
    size_t nsegs, segcap;
    bool active; /* segs[nsegs - 1] is open for appending on wfd */
    int wfd;
    uint8_t *wbuf; /* bytes [flushed, bytes) of the active segment */
    size_t wlen;
    uint8_t *scratch; /* header walks; used under mtx (or single-threaded at open) */

    uint64_t next_seq;        /* the next append's sequence */
    uint64_t acked;           /* every batch <= acked was delivered */
    uint64_t seq_floor;       /* durable on disk: next_seq stays below it */
    bool reserve_req;         /* sync thread should move the floor ahead */
    bool ack_dirty;           /* sync thread should write the ack position */
    bool dirsync_req;         /* sync thread should fsync the directory (new segment) */
    int pending[MAX_PENDING]; /* rolled segments' fds for the sync thread to fsync */
    size_t npending;

    uint64_t total_bytes, total_records;
    uint64_t dropped_batches, dropped_events, appended;
    struct ratelimit drop_rl, err_rl, read_rl; /* under mtx */
    struct ratelimit state_rl;                 /* under state_mtx */

    /* reader cursor: changed by the reader, reset under mtx when segments go */
    size_t rd_idx;
    uint64_t rd_off;
    uint64_t gen; /* bumped whenever segments are removed */
    bool reader_waiting, wake;

    /* reader-only: an open segment and a read-ahead buffer */
    int rd_fd;
    uint64_t rd_fd_seg;
    uint8_t *rbuf;
    size_t rbuf_cap, rbuf_len;
    bool rbuf_valid;
    uint64_t rbuf_seg, rbuf_off;
};

/* ---- small helpers ---------------------------------------------------- */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* At most one message per LOG_INTERVAL_NS: NULL while held back, else a note
 * to end the message with ("" or "; N similar messages suppressed"). */
static const char *rl_note(struct ratelimit *rl, char note[64])
{
    int64_t now = now_ns();
    if (now < rl->next_ns) {
        rl->suppressed++;
        return NULL;
    }
    rl->next_ns = now + LOG_INTERVAL_NS;
    note[0] = '\0';
    if (rl->suppressed)
        snprintf(note, 64, "; %" PRIu64 " similar messages suppressed", rl->suppressed);
    rl->suppressed = 0;
    return note;
}

static void seg_name(char name[SEG_NAME_SIZE], uint64_t first_seq)
{
    snprintf(name, SEG_NAME_SIZE, "%020" PRIu64 ".seg", first_seq);
}

/* "NNNNNNNNNNNNNNNNNNNN.seg" exactly, value fits in 64 bits. */
static bool parse_seg_name(const char *name, uint64_t *seq)
{
    if (strlen(name) != SEG_DIGITS + 4 || strcmp(name + SEG_DIGITS, ".seg") != 0) return false;
    uint64_t v = 0;
    for (int i = 0; i < SEG_DIGITS; i++) {
        if (name[i] < '0' || name[i] > '9') return false;
        unsigned d = (unsigned)(name[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *seq = v;
    return true;
}

static bool is_active(const spool_t *sp, size_t idx)
{
    return sp->active && idx + 1 == sp->nsegs;
}

static int grow_segs(spool_t *sp)
{
    if (sp->nsegs < sp->segcap) return 0;
    size_t cap = sp->segcap ? sp->segcap * 2 : 16;
    struct seg *s = realloc(sp->segs, cap * sizeof(*s));
    if (!s) {
        errno = ENOMEM;
        return -1;
    }
    sp->segs = s;
    sp->segcap = cap;
    return 0;
}

/* Takes the k oldest segments out of the list (the caller unlinks them) and
 * moves the read cursor off them. */
static void remove_front_locked(spool_t *sp, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        sp->total_bytes -= sp->segs[i].bytes + sp->segs[i].extra;
        sp->total_records -= sp->segs[i].records;
    }
    memmove(sp->segs, sp->segs + k, (sp->nsegs - k) * sizeof(*sp->segs));
    sp->nsegs -= k;
    if (sp->rd_idx < k) {
        sp->rd_idx = 0;
        sp->rd_off = 0;
    } else {
        sp->rd_idx -= k;
    }
    sp->gen++;
}

static void unlink_seg(spool_t *sp, uint64_t first_seq)
{
    char name[SEG_NAME_SIZE];
    seg_name(name, first_seq);
    if (unlinkat(sp->dirfd, name, 0) != 0 && errno != ENOENT)
        log_error("spool: %s/%s: cannot delete: %s", sp->dir, name, strerror(errno));
}

static void sync_close(spool_t *sp, int fd)
{
    if (fsync(fd) != 0)
        log_error("spool: %s: fsync of a segment failed: %s", sp->dir, strerror(errno));
    close(fd);
}

/* ---- reading files in chunks ------------------------------------------ */

struct scan_buf {
    int fd;
    uint64_t size; /* bytes of the file to consider */
    uint8_t *buf;
    size_t cap;
    uint64_t off; /* file offset of buf[0] */
    size_t len;
    bool io_error; /* a read failed (as opposed to the file being short) */
};

/* n (<= cap) bytes at off (off + n <= size), from the buffer or read anew;
 * NULL if they cannot be read. */
static const uint8_t *sb_get(struct scan_buf *sb, uint64_t off, size_t n)
{
    if (off >= sb->off && off - sb->off <= sb->len && n <= sb->len - (off - sb->off))
        return sb->buf + (off - sb->off);
    size_t want = sb->size - off < sb->cap ? (size_t)(sb->size - off) : sb->cap;
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(sb->fd, sb->buf + got, want - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) sb->io_error = true;
        if (r <= 0) break;
        got += (size_t)r;
    }
    sb->off = off;
    sb->len = got;
    return got >= n ? sb->buf : NULL;
}

/* Counts the records after acked among the headers in [0, sb->size);
 * returns how far it got (sb->size when all were read). */
static uint64_t walk_headers(struct scan_buf *sb, uint64_t acked, uint64_t *batches,
                             uint64_t *events)
{
    uint64_t off = 0;
    while (sb->size - off >= HDR) {
        const uint8_t *h = sb_get(sb, off, HDR);
        if (!h) break;
        uint64_t len = get_u32(h);
        if (len > sb->size - off - HDR) break;
        if (get_u64(h + 8) > acked) {
            (*batches)++;
            *events += get_u32(h + 16);
        }
        off += HDR + len;
    }
    return off;
}

/* ---- state file ------------------------------------------------------- */

/* Returns 0 or an errno value (logged, rate-limited). */
static int state_write(spool_t *sp, uint64_t acked, uint64_t floor, bool durable)
{
    uint8_t b[STATE_SIZE];
    put_u32(b, STATE_MAGIC);
    put_u32(b + 4, STATE_VERSION);
    put_u64(b + 8, acked);
    put_u64(b + 16, floor);
    put_u32(b + 24, spool_crc32c(0, b, 24));

    int err = 0;
    int fd = openat(sp->dirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        err = errno;
    } else {
        ssize_t w = write(fd, b, sizeof(b));
        if (w != (ssize_t)sizeof(b)) err = w < 0 ? errno : EIO;
        if (!err && durable && fsync(fd) != 0) err = errno;
        if (close(fd) != 0 && !err) err = errno;
    }
    if (!err && renameat(sp->dirfd, STATE_TMP, sp->dirfd, STATE_NAME) != 0) err = errno;
    if (!err && durable && fsync(sp->dirfd) != 0) err = errno;
    char buf[64];
    const char *note = err ? rl_note(&sp->state_rl, buf) : NULL;
    if (note)
        log_error("spool: %s/%s: cannot write: %s%s", sp->dir, STATE_NAME, strerror(err), note);
    return err;
}

/* 1 valid, 0 missing, -1 unusable (*why says why). */
static int state_load(spool_t *sp, uint64_t *acked, uint64_t *floor, const char **why)
{
    int fd = openat(sp->dirfd, STATE_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = "cannot open";
        return errno == ENOENT ? 0 : -1;
    }
    uint8_t b[STATE_SIZE + 1];
    size_t n = 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *why = "not a regular file";
        return -1;
    }
    while (n < sizeof(b)) {
        ssize_t r = read(fd, b + n, sizeof(b) - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    *why = NULL;
    if (n != STATE_SIZE)
        *why = "wrong size";
    else if (get_u32(b) != STATE_MAGIC || get_u32(b + 4) != STATE_VERSION)
        *why = "not a spool state file";
    else if (get_u32(b + 24) != spool_crc32c(0, b, 24))
        *why = "CRC mismatch";
    else if (get_u64(b + 8) >= SEQ_LIMIT || get_u64(b + 16) >= SEQ_LIMIT)
        *why = "sequence out of range";
    if (*why) return -1;
    *acked = get_u64(b + 8);
    *floor = get_u64(b + 16);
    return 1;
}

/* Writes the current ack position. With reserve, the floor moves to
 * next_seq + SPOOL_SEQ_RESERVE and is fsynced before anyone may use it.
 * Called without mtx. Returns 0 or an errno value. */
static int state_save(spool_t *sp, bool reserve)
{
    pthread_mutex_lock(&sp->state_mtx);
    pthread_mutex_lock(&sp->mtx);
    uint64_t acked = sp->acked;
    uint64_t floor = sp->seq_floor;
    sp->ack_dirty = false;
    if (reserve && sp->next_seq + SPOOL_SEQ_RESERVE > floor)
        floor = sp->next_seq + SPOOL_SEQ_RESERVE;
    pthread_mutex_unlock(&sp->mtx);

    int err = state_write(sp, acked, floor, reserve);

    pthread_mutex_lock(&sp->mtx);
    if (!err && floor > sp->seq_floor) sp->seq_floor = floor;
    if (reserve) sp->reserve_req = false;
    pthread_mutex_unlock(&sp->mtx);
    pthread_mutex_unlock(&sp->state_mtx);
    return err;
}

/* ---- writing ---------------------------------------------------------- */

/* Writes the buffered bytes of the active segment to its file. On error the
 * unwritten rest stays buffered (the file stays a clean prefix). */
static int flush_locked(spool_t *sp)
{
    if (!sp->active || sp->wlen == 0) return 0;
    struct seg *sg = &sp->segs[sp->nsegs - 1];
    size_t done = 0;
    int rc = 0;
    while (done < sp->wlen) {
        ssize_t r = pwrite(sp->wfd, sp->wbuf + done, sp->wlen - done, (off_t)(sg->flushed + done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r == 0) errno = EIO;
            rc = -1;
            break;
        }
        done += (size_t)r;
    }
    int saved = errno;
    sg->flushed += done;
    memmove(sp->wbuf, sp->wbuf + done, sp->wlen - done);
    sp->wlen -= done;
    errno = saved;
    return rc;
}

/* A record larger than the buffer goes straight to the file (buffer empty). */
static int write_direct_locked(spool_t *sp, struct seg *sg, const uint8_t *hdr,
                               const uint8_t *payload, size_t len)
{
    size_t rec = HDR + len, done = 0;
    while (done < rec) {
        struct iovec iov[2];
        int n = 0;
        if (done < HDR) iov[n++] = (struct iovec){(void *)(hdr + done), HDR - done};
        size_t pdone = done < HDR ? 0 : done - HDR;
        iov[n++] = (struct iovec){(void *)(payload + pdone), len - pdone};
        ssize_t r = pwritev(sp->wfd, iov, n, (off_t)(sg->flushed + done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r == 0) errno = EIO;
            if (done) sg->torn = true; /* overwritten by the next write, cut at roll */
            return -1;
        }
        done += (size_t)r;
    }
    sg->flushed += rec;
    return 0;
}

static int write_record_locked(spool_t *sp, const uint8_t *hdr, const void *payload, size_t len)
{
    struct seg *sg = &sp->segs[sp->nsegs - 1];
    size_t rec = HDR + len;
    if (sp->wlen + rec > WBUF_SIZE && flush_locked(sp) != 0) return -1;
    if (rec > WBUF_SIZE) return write_direct_locked(sp, sg, hdr, payload, len);
    memcpy(sp->wbuf + sp->wlen, hdr, HDR);
    if (len) memcpy(sp->wbuf + sp->wlen + HDR, payload, len);
    sp->wlen += rec;
    return 0;
}

/* Hands a finished segment's fd to the sync thread; if that one is far
 * behind (a very slow disk), the writer does the oldest fsync itself. */
static void queue_sync_locked(spool_t *sp, int fd)
{
    if (sp->npending == MAX_PENDING) {
        sync_close(sp, sp->pending[0]);
        memmove(sp->pending, sp->pending + 1, (MAX_PENDING - 1) * sizeof(int));
        sp->npending--;
    }
    sp->pending[sp->npending++] = fd;
    pthread_cond_signal(&sp->sync_cond);
}

/* The active segment is full: flush it and queue its fsync. */
static int roll_locked(spool_t *sp)
{
    struct seg *sg = &sp->segs[sp->nsegs - 1];
    if (flush_locked(sp) != 0) return -1;
    if (sg->torn && ftruncate(sp->wfd, (off_t)sg->flushed) == 0) sg->torn = false;
    queue_sync_locked(sp, sp->wfd);
    sp->wfd = -1;
    sp->active = false;
    return 0;
}

static int open_active_locked(spool_t *sp)
{
    if (grow_segs(sp) != 0) return -1;
    char name[SEG_NAME_SIZE];
    seg_name(name, sp->next_seq);
    int fd = openat(sp->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return -1;
    sp->segs[sp->nsegs++] = (struct seg){.first_seq = sp->next_seq};
    sp->active = true;
    sp->wfd = fd;
    sp->wlen = 0;
    sp->dirsync_req = true;
    pthread_cond_signal(&sp->sync_cond);
    return 0;
}

/* Batches and events in sg numbered above acked. Only the oldest segment
 * can be partly acked; that one's headers are read. */
static void count_unacked_locked(spool_t *sp, size_t idx, uint64_t *batches, uint64_t *events)
{
    const struct seg *sg = &sp->segs[idx];
    *batches = *events = 0;
    if (sg->records == 0 || sp->acked >= sg->last_seq) return;
    if (sp->acked < sg->first_rec) {
        *batches = sg->records;
        *events = sg->events;
        return;
    }
    bool act = is_active(sp, idx);
    struct scan_buf sb = {
        .fd = act ? sp->wfd : -1, .size = sg->flushed, .buf = sp->scratch, .cap = SCRATCH_SIZE};
    if (!act) {
        char name[SEG_NAME_SIZE];
        seg_name(name, sg->first_seq);
        sb.fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC);
    }
    uint64_t got = sb.fd >= 0 ? walk_headers(&sb, sp->acked, batches, events) : 0;
    if (!act && sb.fd >= 0) close(sb.fd);
    if (act && got == sg->flushed) {
        struct scan_buf mem = {
            .fd = -1, .size = sp->wlen, .buf = sp->wbuf, .cap = sp->wlen, .len = sp->wlen};
        got += walk_headers(&mem, sp->acked, batches, events);
    }
    if (got != sg->bytes) { /* unreadable: count all rather than lose count */
        log_error("spool: %s: cannot read segment %" PRIu64 " to count its unacked batches",
                  sp->dir, sg->first_seq);
        *batches = sg->records;
        *events = sg->events;
    }
}

/* Drops the oldest segment unless it is the one being appended to. */
static bool drop_oldest_locked(spool_t *sp)
{
    if (sp->nsegs == 0 || is_active(sp, 0)) return false;
    uint64_t b, e, first = sp->segs[0].first_seq;
    count_unacked_locked(sp, 0, &b, &e);
    sp->dropped_batches += b;
    sp->dropped_events += e;
    remove_front_locked(sp, 1);
    unlink_seg(sp, first);
    char buf[64];
    const char *note = rl_note(&sp->drop_rl, buf);
    if (note)
        log_warn("spool: %s: full (%" PRIu64 " bytes): dropped segment %" PRIu64 " with %" PRIu64
                 " undelivered batches (%" PRIu64 " events); %" PRIu64 " batches (%" PRIu64
                 " events) dropped since start%s",
                 sp->dir, sp->max_bytes, first, b, e, sp->dropped_batches, sp->dropped_events,
                 note);
    return true;
}

/* Keeps next_seq below the durable floor. Normally the sync thread moved
 * the floor ahead in time; if not, the writer does it (drops mtx meanwhile). */
static int reserve_locked(spool_t *sp)
{
    while (sp->next_seq >= sp->seq_floor) {
        pthread_mutex_unlock(&sp->mtx);
        int err = state_save(sp, true);
        pthread_mutex_lock(&sp->mtx);
        if (err) {
            errno = err;
            return -1;
        }
    }
    return 0;
}

static const char *append_locked(spool_t *sp, const void *payload, size_t len, uint32_t nevents,
                                 uint64_t *seq_out, int *err)
{
    uint64_t rec = HDR + len;
    if (sp->next_seq >= SEQ_LIMIT) return "batch sequence numbers exhausted";
    if (reserve_locked(sp) != 0) {
        *err = errno;
        return "cannot record the sequence floor";
    }
    if (sp->active && sp->segs[sp->nsegs - 1].bytes + rec > sp->seg_bytes && roll_locked(sp) != 0) {
        *err = errno;
        return "cannot finish the full segment";
    }
    while (sp->total_bytes + rec > sp->max_bytes && drop_oldest_locked(sp)) {
    }
    if (!sp->active && open_active_locked(sp) != 0) {
        *err = errno;
        return "cannot create a segment file";
    }
    uint64_t seq = sp->next_seq;
    uint8_t hdr[HDR];
    put_u32(hdr, (uint32_t)len);
    put_u64(hdr + 8, seq);
    put_u32(hdr + 16, nevents);
    put_u32(hdr + 4, spool_crc32c(spool_crc32c(0, hdr + 8, HDR - 8), payload, len));
    while (write_record_locked(sp, hdr, payload, len) != 0) {
        *err = errno;
        if (*err != ENOSPC || !drop_oldest_locked(sp)) return "cannot write the segment file";
    }

    struct seg *sg = &sp->segs[sp->nsegs - 1];
    if (!sg->records) sg->first_rec = seq;
    sg->last_seq = seq;
    sg->records++;
    sg->events += nevents;
    sg->bytes += rec;
    sp->total_bytes += rec;
    sp->total_records++;
    sp->appended++;
    sp->next_seq++;
    if (seq_out) *seq_out = seq;
    if (!sp->reserve_req && sp->next_seq + SPOOL_SEQ_RESERVE / 2 >= sp->seq_floor) {
        sp->reserve_req = true;
        pthread_cond_signal(&sp->sync_cond);
    }
    if (sp->reader_waiting) pthread_cond_signal(&sp->cond);
    return NULL;
}

int spool_append(spool_t *sp, const void *payload, size_t len, uint32_t nevents, uint64_t *seq_out)
{
    if (!sp) return -1;
    const char *why;
    int err = 0;
    pthread_mutex_lock(&sp->mtx);
    if (!payload && len)
        why = "no payload";
    else if (len > SPOOL_PAYLOAD_MAX || HDR + len > sp->seg_bytes)
        why = "batch larger than a segment";
    else
        why = append_locked(sp, payload, len, nevents, seq_out, &err);
    if (why) {
        sp->dropped_batches++;
        sp->dropped_events += nevents;
        char buf[64];
        const char *note = rl_note(&sp->err_rl, buf);
        if (note)
            log_error("spool: %s: batch of %" PRIu32 " events (%zu bytes) dropped: %s%s%s%s",
                      sp->dir, nevents, len, why, err ? ": " : "", err ? strerror(err) : "", note);
    }
    pthread_mutex_unlock(&sp->mtx);
    return why ? -1 : 0;
}

int spool_flush(spool_t *sp)
{
    if (!sp) return -1;
    pthread_mutex_lock(&sp->mtx);
    int rc = flush_locked(sp);
    pthread_mutex_unlock(&sp->mtx);
    return rc;
}

/* ---- the sync thread -------------------------------------------------- */

static bool maint_pending_locked(const spool_t *sp)
{
    return sp->npending || sp->dirsync_req || sp->reserve_req || sp->ack_dirty;
}

/* fsyncs rolled segments and the directory, moves the floor ahead, writes
 * the ack position (an ext4 rename costs ~1 ms; acks that arrive meanwhile
 * are written together next time): disk waits that neither the packet
 * thread nor the shipper should see. Called without mtx. */
static void maintain(spool_t *sp)
{
    int fds[MAX_PENDING];
    pthread_mutex_lock(&sp->mtx);
    size_t n = sp->npending;
    memcpy(fds, sp->pending, n * sizeof(int));
    sp->npending = 0;
    bool dirsync = sp->dirsync_req, reserve = sp->reserve_req, ack = sp->ack_dirty;
    sp->dirsync_req = false;
    pthread_mutex_unlock(&sp->mtx);

    for (size_t i = 0; i < n; i++)
        sync_close(sp, fds[i]);
    if (dirsync && fsync(sp->dirfd) != 0)
        log_error("spool: %s: fsync of the directory failed: %s", sp->dir, strerror(errno));
    if (reserve || ack) state_save(sp, reserve);
}

static void *sync_main(void *arg)
{
    spool_t *sp = arg;
    pthread_mutex_lock(&sp->mtx);
    while (!sp->stopping) {
        if (!maint_pending_locked(sp)) {
            pthread_cond_wait(&sp->sync_cond, &sp->mtx);
            continue;
        }
        pthread_mutex_unlock(&sp->mtx);
        maintain(sp);
        pthread_mutex_lock(&sp->mtx);
    }
    pthread_mutex_unlock(&sp->mtx);
    return NULL;
}

/* Signals stay with the program's own threads. */
static int start_syncer(spool_t *sp)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&sp->syncer, NULL, sync_main, sp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    sp->syncer_started = err == 0;
    return err;
}

static void stop_syncer(spool_t *sp)
{
    if (!sp->syncer_started) return;
    pthread_mutex_lock(&sp->mtx);
    sp->stopping = true;
    pthread_cond_signal(&sp->sync_cond);
    pthread_mutex_unlock(&sp->mtx);
    pthread_join(sp->syncer, NULL);
    sp->syncer_started = false;
}

/* Deletes the oldest segments while all their records are acked; the one
 * being appended to stays. */
static void delete_acked(spool_t *sp)
{
    for (;;) {
        pthread_mutex_lock(&sp->mtx);
        if (sp->nsegs == 0 || is_active(sp, 0) || sp->segs[0].last_seq > sp->acked) {
            pthread_mutex_unlock(&sp->mtx);
            return;
        }
        uint64_t first = sp->segs[0].first_seq;
        remove_front_locked(sp, 1);
        pthread_mutex_unlock(&sp->mtx);
        unlink_seg(sp, first);
    }
}

/* ---- reading ---------------------------------------------------------- */

enum { RD_OK, RD_FLUSH, RD_BAD, RD_GONE, RD_IOERR };

struct read_plan {
    uint64_t gen;
    uint64_t seg;   /* first_seq of the cursor's segment */
    uint64_t off;   /* the cursor */
    uint64_t limit; /* flushed: what the file holds */
    uint64_t end;   /* bytes: where valid records end */
};

struct rec_view {
    const uint8_t *payload;
    uint32_t len, nevents;
    uint64_t seq;
    const char *why;
    int err;
};

/* Points the plan at the record under the cursor; 0 if there is none yet. */
static int plan_read_locked(spool_t *sp, struct read_plan *rp)
{
    while (sp->rd_idx < sp->nsegs) {
        struct seg *sg = &sp->segs[sp->rd_idx];
        if (sp->rd_off < sg->bytes) {
            if (sp->rd_off + HDR > sg->flushed) flush_locked(sp);
            *rp = (struct read_plan){sp->gen, sg->first_seq, sp->rd_off, sg->flushed, sg->bytes};
            return rp->off + HDR <= rp->limit;
        }
        if (sp->rd_idx + 1 == sp->nsegs) break;
        sp->rd_idx++;
        sp->rd_off = 0;
    }
    return 0;
}

/* Makes rbuf hold need bytes at the plan's offset (need <= limit - off). */
static int rbuf_fill(spool_t *sp, const struct read_plan *rp, size_t need, struct rec_view *rv)
{
    if (sp->rbuf_valid && sp->rbuf_seg == rp->seg && rp->off >= sp->rbuf_off &&
        rp->off - sp->rbuf_off <= sp->rbuf_len && need <= sp->rbuf_len - (rp->off - sp->rbuf_off))
        return RD_OK;
    if (sp->rd_fd < 0 || sp->rd_fd_seg != rp->seg) {
        if (sp->rd_fd >= 0) close(sp->rd_fd);
        char name[SEG_NAME_SIZE];
        seg_name(name, rp->seg);
        sp->rd_fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC);
        if (sp->rd_fd < 0) {
            rv->err = errno;
            rv->why = "segment file is gone";
            return rv->err == ENOENT ? RD_GONE : RD_IOERR;
        }
        sp->rd_fd_seg = rp->seg;
    }
    size_t want = need > RBUF_CHUNK ? need : RBUF_CHUNK;
    if (rp->limit - rp->off < want) want = (size_t)(rp->limit - rp->off);
    if (want > sp->rbuf_cap) { /* at most HDR + SPOOL_PAYLOAD_MAX */
        uint8_t *b = realloc(sp->rbuf, want);
        if (!b) {
            rv->err = ENOMEM;
            return RD_IOERR;
        }
        sp->rbuf = b;
        sp->rbuf_cap = want;
    }
    sp->rbuf_valid = false;
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(sp->rd_fd, sp->rbuf + got, want - got, (off_t)(rp->off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rv->err = errno;
            return RD_IOERR;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    if (got < need) {
        rv->why = "segment file is shorter than expected";
        return RD_BAD;
    }
    sp->rbuf_valid = true;
    sp->rbuf_seg = rp->seg;
    sp->rbuf_off = rp->off;
    sp->rbuf_len = got;
    return RD_OK;
}

/* Reads and checks the record the plan points at. Called without mtx. */
static int read_record(spool_t *sp, const struct read_plan *rp, struct rec_view *rv)
{
    *rv = (struct rec_view){0};
    int r = rbuf_fill(sp, rp, HDR, rv);
    if (r != RD_OK) return r;
    const uint8_t *h = sp->rbuf + (rp->off - sp->rbuf_off);
    uint32_t len = get_u32(h);
    if (len > SPOOL_PAYLOAD_MAX || len > rp->end - rp->off - HDR) {
        rv->why = "bad record length";
        return RD_BAD;
    }
    if (rp->off + HDR + len > rp->limit) return RD_FLUSH;
    r = rbuf_fill(sp, rp, HDR + len, rv);
    if (r != RD_OK) return r;
    h = sp->rbuf + (rp->off - sp->rbuf_off);
    if (spool_crc32c(spool_crc32c(0, h + 8, HDR - 8), h + HDR, len) != get_u32(h + 4)) {
        rv->why = "CRC mismatch";
        return RD_BAD;
    }
    rv->len = len;
    rv->seq = get_u64(h + 8);
    rv->nevents = get_u32(h + 16);
    rv->payload = h + HDR;
    return RD_OK;
}

/* The record under the cursor is unreadable: go on after the segment's
 * current end (always a record boundary). */
static void skip_segment_locked(spool_t *sp, const struct read_plan *rp, const char *why)
{
    struct seg *sg = &sp->segs[sp->rd_idx];
    char buf[64];
    const char *note = rl_note(&sp->read_rl, buf);
    if (note)
        log_error("spool: %s/%020" PRIu64 ".seg: %s at offset %" PRIu64 ": skipping %" PRIu64
                  " bytes%s",
                  sp->dir, rp->seg, why, rp->off, sg->bytes - rp->off, note);
    sp->rd_off = sg->bytes;
}

int spool_next(spool_t *sp, const uint8_t **payload, size_t *len, uint64_t *seq, uint32_t *nevents,
               int timeout_ms)
{
    if (!sp) return -1;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms > 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    bool timed_out = timeout_ms == 0;
    pthread_mutex_lock(&sp->mtx);
    for (;;) {
        struct read_plan rp;
        if (plan_read_locked(sp, &rp)) {
            pthread_mutex_unlock(&sp->mtx);
            struct rec_view rv;
            int r = read_record(sp, &rp, &rv);
            pthread_mutex_lock(&sp->mtx);
            if (rp.gen != sp->gen) continue; /* segments went away meanwhile */
            if (r == RD_OK) {
                sp->rd_off = rp.off + HDR + rv.len;
                if (rv.seq <= sp->acked) continue;
                pthread_mutex_unlock(&sp->mtx);
                *payload = rv.payload;
                *len = rv.len;
                *seq = rv.seq;
                *nevents = rv.nevents;
                return 1;
            }
            if (r == RD_IOERR) {
                char buf[64];
                const char *note = rl_note(&sp->read_rl, buf);
                if (note)
                    log_error("spool: %s/%020" PRIu64 ".seg: read error at offset %" PRIu64
                              ": %s%s",
                              sp->dir, rp.seg, rp.off, strerror(rv.err), note);
                pthread_mutex_unlock(&sp->mtx);
                return -1;
            }
            if (r == RD_BAD || r == RD_GONE) {
                skip_segment_locked(sp, &rp, rv.why);
                continue;
            }
            /* RD_FLUSH: the record's end is still in the write buffer */
            uint64_t before = sp->segs[sp->rd_idx].flushed;
            flush_locked(sp);
            if (sp->segs[sp->rd_idx].flushed != before) continue;
        }
        if (sp->wake) {
            sp->wake = false;
            break;
        }
        if (timed_out) break;
        sp->reader_waiting = true;
        int rc = timeout_ms < 0 ? pthread_cond_wait(&sp->cond, &sp->mtx)
                                : pthread_cond_timedwait(&sp->cond, &sp->mtx, &deadline);
        sp->reader_waiting = false;
        if (rc == ETIMEDOUT) timed_out = true; /* one more look, then give up */
    }
    pthread_mutex_unlock(&sp->mtx);
    return 0;
}

int spool_ack(spool_t *sp, uint64_t seq)
{
    if (!sp) return -1;
    pthread_mutex_lock(&sp->mtx);
    if (seq >= sp->next_seq) {
        uint64_t next = sp->next_seq;
        pthread_mutex_unlock(&sp->mtx);
        log_warn("spool: %s: ack for batch %" PRIu64 " which was never assigned (next is %" PRIu64
                 ")",
                 sp->dir, seq, next);
        return -1;
    }
    bool moved = seq > sp->acked;
    if (moved) sp->acked = seq;
    pthread_mutex_unlock(&sp->mtx);
    if (moved) {
        delete_acked(sp);
        pthread_mutex_lock(&sp->mtx);
        sp->ack_dirty = true;
        pthread_cond_signal(&sp->sync_cond);
        pthread_mutex_unlock(&sp->mtx);
    }
    return 0;
}

void spool_rewind(spool_t *sp)
{
    if (!sp) return;
    pthread_mutex_lock(&sp->mtx);
    sp->rd_idx = 0; /* records <= acked are skipped while reading */
    sp->rd_off = 0;
    pthread_mutex_unlock(&sp->mtx);
}

void spool_skip_to(spool_t *sp, uint64_t seq)
{
    if (!sp) return;
    if (seq >= SEQ_LIMIT) {
        log_warn("spool: %s: server position %" PRIu64 " is out of range; ignored", sp->dir, seq);
        return;
    }
    pthread_mutex_lock(&sp->mtx);
    bool reserve = false;
    if (seq >= sp->next_seq) {
        uint64_t b = 0, e = 0;
        for (size_t i = 0; i < sp->nsegs; i++) {
            uint64_t sb, se;
            count_unacked_locked(sp, i, &sb, &se);
            b += sb;
            e += se;
        }
        sp->dropped_batches += b;
        sp->dropped_events += e;
        log_warn("spool: %s: the server holds batches up to %" PRIu64 " but this spool only "
                 "numbered up to %" PRIu64 " (its history was lost): numbering continues at "
                 "%" PRIu64 "; %" PRIu64 " batches (%" PRIu64
                 " events) whose numbers the server already has are counted as dropped",
                 sp->dir, seq, sp->next_seq - 1, seq + 1, b, e);
        sp->next_seq = seq + 1;
        reserve = true;
    }
    bool moved = seq > sp->acked;
    if (moved) sp->acked = seq;
    pthread_mutex_unlock(&sp->mtx);
    if (moved) delete_acked(sp);
    if (reserve) {
        state_save(sp, true); /* before the writer may use the new numbers */
    } else if (moved) {
        pthread_mutex_lock(&sp->mtx);
        sp->ack_dirty = true;
        pthread_cond_signal(&sp->sync_cond);
        pthread_mutex_unlock(&sp->mtx);
    }
}

void spool_wake(spool_t *sp)
{
    if (!sp) return;
    pthread_mutex_lock(&sp->mtx);
    sp->wake = true;
    pthread_cond_signal(&sp->cond);
    pthread_mutex_unlock(&sp->mtx);
}

void spool_get_stats(spool_t *sp, struct spool_stats *st)
{
    if (!sp) {
        *st = (struct spool_stats){0};
        return;
    }
    pthread_mutex_lock(&sp->mtx);
    *st = (struct spool_stats){
        .bytes = sp->total_bytes,
        .records = sp->total_records,
        .dropped_batches = sp->dropped_batches,
        .dropped_events = sp->dropped_events,
        .appended_batches = sp->appended,
        .acked_seq = sp->acked,
        .next_seq = sp->next_seq,
    };
    pthread_mutex_unlock(&sp->mtx);
}

/* ---- open ------------------------------------------------------------- */

struct rec_check {
    uint32_t len, nevents;
    uint64_t seq;
    uint64_t end; /* offset after the record; UINT64_MAX if it runs past EOF */
    bool io_error;
};

/* Validates the record at off; returns why it is bad, or NULL. */
static const char *check_record(struct scan_buf *sb, uint64_t off, uint64_t prev,
                                struct rec_check *rc)
{
    *rc = (struct rec_check){.end = UINT64_MAX};
    if (sb->size - off < HDR) return "incomplete record header";
    const uint8_t *h = sb_get(sb, off, HDR);
    if (!h) {
        rc->io_error = true;
        return "read error";
    }
    rc->len = get_u32(h);
    uint32_t want = get_u32(h + 4);
    rc->seq = get_u64(h + 8);
    rc->nevents = get_u32(h + 16);
    if (rc->len > sb->size - off - HDR) return "record runs past the end of the file";
    rc->end = off + HDR + rc->len;
    if (rc->len > SPOOL_PAYLOAD_MAX) return "record longer than the format allows";
    uint32_t crc = spool_crc32c(0, h + 8, HDR - 8); /* before h is overwritten */
    for (uint64_t pos = off + HDR; pos < rc->end;) {
        size_t n = rc->end - pos > sb->cap ? sb->cap : (size_t)(rc->end - pos);
        const uint8_t *p = sb_get(sb, pos, n);
        if (!p) {
            rc->io_error = true;
            return "read error";
        }
        crc = spool_crc32c(crc, p, n);
        pos += n;
    }
    if (crc != want) return "CRC mismatch";
    if (rc->seq <= prev || rc->seq >= SEQ_LIMIT) return "batch sequence out of order";
    return NULL;
}

/* A bad record at off: a torn tail (it reaches the end of the file) is cut
 * off; anything else ends the segment there, the rest left on disk. */
static void end_segment_at(spool_t *sp, const char *name, int fd, uint64_t size, uint64_t off,
                           const struct rec_check *rc, const char *why, struct seg *sg)
{
    bool tail = !rc->io_error && rc->end >= size;
    if (tail && ftruncate(fd, (off_t)off) == 0) {
        log_warn("spool: %s/%s: %s at offset %" PRIu64 ": torn tail, truncated %" PRIu64 " bytes",
                 sp->dir, name, why, off, size - off);
        return;
    }
    if (tail)
        log_error("spool: %s/%s: %s at offset %" PRIu64
                  ": cannot truncate (%s); segment ends there",
                  sp->dir, name, why, off, strerror(errno));
    else
        log_warn("spool: %s/%s: %s at offset %" PRIu64 ": segment ends there, %" PRIu64
                 " bytes after it ignored",
                 sp->dir, name, why, off, size - off);
    sg->extra = size - off;
}

/* Validates one segment file. Returns 1 with *sg filled, 0 if it holds no
 * valid record (the caller deletes it), -1 if it cannot be used at all. */
static int scan_segment(spool_t *sp, const char *name, uint64_t first, uint64_t prev,
                        struct seg *sg)
{
    int fd = openat(sp->dirfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        log_error("spool: %s/%s: not usable as a segment: %s", sp->dir, name,
                  fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0) close(fd);
        return -1;
    }
    *sg = (struct seg){.first_seq = first};
    if (first && first - 1 > prev) prev = first - 1; /* a segment starts at its name */
    struct scan_buf sb = {
        .fd = fd, .size = (uint64_t)st.st_size, .buf = sp->scratch, .cap = SCRATCH_SIZE};
    uint64_t off = 0;
    struct rec_check rc = {0};
    const char *why = NULL;
    while (off < sb.size) {
        why = check_record(&sb, off, prev, &rc);
        if (why) break;
        if (!sg->records) sg->first_rec = rc.seq;
        sg->records++;
        sg->events += rc.nevents;
        sg->last_seq = prev = rc.seq;
        off = rc.end;
    }
    sg->bytes = sg->flushed = off;
    if (why) end_segment_at(sp, name, fd, sb.size, off, &rc, why, sg);
    close(fd);
    if (sg->records) return 1;
    return rc.io_error ? -1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* First sequences of the directory's segment files, sorted. */
static int list_segments(spool_t *sp, uint64_t **out, size_t *count)
{
    DIR *d = opendir(sp->dir);
    if (!d) return -1;
    uint64_t *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        uint64_t seq;
        if (!parse_seg_name(de->d_name, &seq)) continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            uint64_t *nv = realloc(v, ncap * sizeof(*v));
            if (!nv) {
                free(v);
                closedir(d);
                errno = ENOMEM;
                return -1;
            }
            v = nv;
            cap = ncap;
        }
        v[n++] = seq;
    }
    closedir(d);
    if (n) qsort(v, n, sizeof(*v), cmp_u64);
    *out = v;
    *count = n;
    return 0;
}

static int load_segments(spool_t *sp)
{
    uint64_t *firsts = NULL;
    size_t n = 0;
    if (list_segments(sp, &firsts, &n) != 0) return -1;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        char name[SEG_NAME_SIZE];
        seg_name(name, firsts[i]);
        struct seg sg;
        int r = scan_segment(sp, name, firsts[i], prev, &sg);
        if (r == 0) {
            log_info("spool: %s/%s: no valid record, deleted", sp->dir, name);
            unlinkat(sp->dirfd, name, 0);
        }
        if (r != 1) continue;
        if (grow_segs(sp) != 0) {
            free(firsts);
            return -1;
        }
        sp->segs[sp->nsegs++] = sg;
        sp->total_bytes += sg.bytes + sg.extra;
        sp->total_records += sg.records;
        prev = sg.last_seq;
    }
    free(firsts);
    return 0;
}

/* Where numbering continues (see spool.h). */
static void init_numbering(spool_t *sp)
{
    uint64_t last = sp->nsegs ? sp->segs[sp->nsegs - 1].last_seq : 0;
    uint64_t acked = 0, floor = 1;
    const char *why = NULL;
    int st = state_load(sp, &acked, &floor, &why);
    if (st < 0 || (st == 0 && sp->nsegs)) {
        acked = 0;
        floor = last + 1 + SPOOL_SEQ_GAP_UNKNOWN;
        log_warn("spool: %s/%s: %s; every batch here is sent again and numbering jumps to %" PRIu64,
                 sp->dir, STATE_NAME, st < 0 ? why : "missing", floor);
    }
    sp->acked = acked;
    sp->next_seq = floor;
    if (last + 1 > sp->next_seq) sp->next_seq = last + 1;
    if (acked + 1 > sp->next_seq) sp->next_seq = acked + 1;
    /* Fully acked segments left by a crash between ack and delete. */
    size_t k = 0;
    while (k < sp->nsegs && sp->segs[k].last_seq <= acked)
        unlink_seg(sp, sp->segs[k++].first_seq);
    if (k) remove_front_locked(sp, k);
}

static void spool_free(spool_t *sp)
{
    stop_syncer(sp);
    if (sp->wfd >= 0) close(sp->wfd);
    for (size_t i = 0; i < sp->npending; i++)
        close(sp->pending[i]);
    if (sp->rd_fd >= 0) close(sp->rd_fd);
    if (sp->dirfd >= 0) close(sp->dirfd);
    pthread_cond_destroy(&sp->cond);
    pthread_cond_destroy(&sp->sync_cond);
    pthread_mutex_destroy(&sp->mtx);
    pthread_mutex_destroy(&sp->state_mtx);
    free(sp->segs);
    free(sp->wbuf);
    free(sp->scratch);
    free(sp->rbuf);
    free(sp->dir);
    free(sp);
}

static spool_t *spool_alloc(const char *dir)
{
    spool_t *sp = calloc(1, sizeof(*sp));
    if (!sp) return NULL;
    sp->dirfd = sp->wfd = sp->rd_fd = -1;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sp->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&sp->sync_cond, NULL);
    pthread_mutex_init(&sp->mtx, NULL);
    pthread_mutex_init(&sp->state_mtx, NULL);
    sp->dir = strdup(dir);
    sp->wbuf = malloc(WBUF_SIZE);
    sp->scratch = malloc(SCRATCH_SIZE);
    if (!sp->dir || !sp->wbuf || !sp->scratch) {
        spool_free(sp);
        return NULL;
    }
    return sp;
}

static const char *check_sizes(uint64_t *max_bytes, uint64_t *segment_bytes)
{
    if (*max_bytes == 0) *max_bytes = SPOOL_DEFAULT_MAX_BYTES;
    if (*segment_bytes == 0) {
        *segment_bytes = SPOOL_DEFAULT_SEGMENT_BYTES;
        if (*segment_bytes > *max_bytes / 8) *segment_bytes = *max_bytes / 8;
        if (*segment_bytes < SPOOL_MIN_SEGMENT_BYTES) *segment_bytes = SPOOL_MIN_SEGMENT_BYTES;
    }
    if (*segment_bytes < SPOOL_MIN_SEGMENT_BYTES || *segment_bytes > SPOOL_MAX_SEGMENT_BYTES)
        return "segment size out of range";
    if (*segment_bytes > *max_bytes) return "segment size larger than the spool size";
    return NULL;
}

spool_t *spool_open(const char *dir, uint64_t max_bytes, uint64_t segment_bytes, char *err,
                    size_t errlen)
{
    const char *why = check_sizes(&max_bytes, &segment_bytes);
    int e = 0;
    spool_t *sp = NULL;
    if (!why && (!dir || !*dir)) why = "no spool directory";
    if (!why && mkdir(dir, 0750) != 0 && errno != EEXIST) {
        e = errno;
        why = "cannot create the directory";
    }
    if (!why && !(sp = spool_alloc(dir))) why = "out of memory";
    if (!why && (sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        e = errno;
        why = "cannot open the directory";
    }
    if (!why && flock(sp->dirfd, LOCK_EX | LOCK_NB) != 0) {
        e = errno;
        why = e == EWOULDBLOCK ? "in use by another spool" : "cannot lock the directory";
        if (e == EWOULDBLOCK) e = 0;
    }
    if (!why) {
        sp->max_bytes = max_bytes;
        sp->seg_bytes = segment_bytes;
        unlinkat(sp->dirfd, STATE_TMP, 0);
        if (load_segments(sp) != 0) {
            e = errno;
            why = "cannot list the directory";
        }
    }
    if (!why) {
        init_numbering(sp);
        sp->seq_floor = sp->next_seq + SPOOL_SEQ_RESERVE;
        if ((e = state_write(sp, sp->acked, sp->seq_floor, true)) != 0)
            why = "cannot write the state file";
        else if ((e = start_syncer(sp)) != 0)
            why = "cannot start the sync thread";
    }
    if (why) {
        snprintf(err, errlen, "spool %s: %s%s%s", dir ? dir : "(null)", why, e ? ": " : "",
                 e ? strerror(e) : "");
        if (sp) spool_free(sp);
        return NULL;
    }
    log_info("spool: %s: %zu segments, %" PRIu64 " batches, %" PRIu64 " bytes; acked up to %" PRIu64
             ", next batch %" PRIu64,
             dir, sp->nsegs, sp->total_records, sp->total_bytes, sp->acked, sp->next_seq);
    return sp;
}

/* ---- close ------------------------------------------------------------ */

void spool_close(spool_t *sp)
{
    if (!sp) return;
    stop_syncer(sp);
    maintain(sp);
    pthread_mutex_lock(&sp->mtx);
    if (sp->active) {
        struct seg *sg = &sp->segs[sp->nsegs - 1];
        if (flush_locked(sp) != 0) {
            int e = errno;
            uint64_t b = 0, ev = 0;
            struct scan_buf mem = {
                .fd = -1, .size = sp->wlen, .buf = sp->wbuf, .cap = sp->wlen, .len = sp->wlen};
            walk_headers(&mem, sp->acked, &b, &ev);
            sp->dropped_batches += b;
            sp->dropped_events += ev;
            log_error("spool: %s: %" PRIu64 " batches (%" PRIu64 " events) lost at close: %s",
                      sp->dir, b, ev, strerror(e));
        }
        if (sg->torn && ftruncate(sp->wfd, (off_t)sg->flushed) != 0)
            log_error("spool: %s: cannot cut a failed write: %s", sp->dir, strerror(errno));
        sync_close(sp, sp->wfd);
        sp->wfd = -1;
        sp->active = false;
    }
    size_t k = 0;
    while (k < sp->nsegs && sp->segs[k].last_seq <= sp->acked)
        unlink_seg(sp, sp->segs[k++].first_seq);
    if (k) remove_front_locked(sp, k);
    if (fsync(sp->dirfd) != 0)
        log_error("spool: %s: fsync of the directory failed: %s", sp->dir, strerror(errno));
    /* Exact floor: everything below next_seq is on disk now, nothing above was used. */
    state_write(sp, sp->acked, sp->next_seq, true);
    pthread_mutex_unlock(&sp->mtx);
    spool_free(sp);
}
