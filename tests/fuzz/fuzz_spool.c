/* fuzz_spool.c -- the spool opened on arbitrary files: it must never crash,
 * hang or leak, must hand out only well-formed records in increasing order,
 * and must keep working (append, read, ack, rewind, reopen) afterwards.
 *
 * Input: byte 0 is flags, then
 *   bit 0: the next 28 bytes become the state file
 *   bit 1: the next 2 bytes (little-endian) split the rest into two segment
 *          files, 00000000000000000001.seg and 00000000000000000003.seg
 *   bits 2-3: spool and segment size (1 MiB/64 KiB, 4 KiB/1 KiB, 1 KiB/256,
 *          64 MiB/16 MiB), so the appends afterwards also drop segments
 * the rest is segment 1 (and 3). */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "output/spool.h"

static const uint64_t sizes[4][2] = {
    {1 << 20, 64 << 10}, {4 << 10, 1 << 10}, {1 << 10, 256}, {64 << 20, 16 << 20}};

static void put_file(const char *dir, const char *name, const uint8_t *b, size_t n)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) abort();
    if (n && write(fd, b, n) != (ssize_t)n) abort();
    close(fd);
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) abort();
    struct dirent *de;
    char p[256];
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Reads everything after the cursor; acks every other record. */
static void drain(spool_t *sp)
{
    struct spool_stats st;
    spool_get_stats(sp, &st);
    uint64_t prev = st.acked_seq;
    for (int i = 0; i < 200000; i++) {
        const uint8_t *p;
        size_t len;
        uint64_t seq;
        uint32_t nev;
        int r = spool_next(sp, &p, &len, &seq, &nev, 0);
        if (r != 1) break;
        if (seq <= prev || len > SPOOL_PAYLOAD_MAX || (len && !p)) abort();
        volatile uint8_t sum = 0; /* touch every byte: ASan checks the bounds */
        for (size_t k = 0; k < len; k++)
            sum ^= p[k];
        (void)sum;
        prev = seq;
        if (i % 2 && spool_ack(sp, seq) != 0) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet = -1;
    if (quiet < 0) {
        quiet = open("/dev/null", O_WRONLY);
        log_set_fd(quiet);
    }
    if (size < 1) return 0;
    uint8_t flags = data[0];
    data++;
    size--;

    char dir[64];
    snprintf(dir, sizeof(dir), "%s/fuzz_spool_XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir)) abort();
    if ((flags & 1) && size >= 28) {
        put_file(dir, "state", data, 28);
        data += 28;
        size -= 28;
    }
    size_t split = size;
    if ((flags & 2) && size >= 2) {
        split = (size_t)(data[0] | data[1] << 8);
        data += 2;
        size -= 2;
        if (split > size) split = size;
        put_file(dir, "00000000000000000003.seg", data + split, size - split);
    }
    put_file(dir, "00000000000000000001.seg", data, split);

    const uint64_t *sz = sizes[(flags >> 2) & 3];
    char err[256];
    spool_t *sp = spool_open(dir, sz[0], sz[1], err, sizeof(err));
    if (!sp) abort(); /* file contents alone must never stop the spool */
    drain(sp);
    static const uint8_t pl[300] = {1, 2, 3};
    for (int i = 0; i < 4; i++)
        spool_append(sp, pl, (size_t)(i * 97 % 300), (uint32_t)i, NULL);
    spool_rewind(sp);
    drain(sp);
    struct spool_stats st;
    spool_get_stats(sp, &st);
    if (st.next_seq <= st.acked_seq) abort();
    spool_skip_to(sp, st.next_seq - 1);
    spool_close(sp);

    sp = spool_open(dir, sz[0], sz[1], err, sizeof(err));
    if (!sp) abort();
    drain(sp);
    spool_close(sp);
    rm_dir(dir);
    return 0;
}
