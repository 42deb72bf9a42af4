/* pki_files.c -- see pki_files.h. */
#include "socctl/pki_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Message from errno; errno itself is kept so callers can test for ENOENT. */
static int pki_errno(char *err, size_t errlen, const char *path)
{
    int saved = errno;
    snprintf(err, errlen, "%s: %s", path, strerror(saved));
    errno = saved;
    return -1;
}

int pki_path(char *out, size_t outlen, const char *dir, const char *name, char *err, size_t errlen)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "%s/%s: path too long", dir, name);
        return -1;
    }
    return 0;
}

int pki_mkdirs(const char *path, mode_t mode, char *err, size_t errlen)
{
    char buf[PKI_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf)) {
        snprintf(err, errlen, "%s: bad directory name", path);
        return -1;
    }
    memcpy(buf, path, n + 1);
    /* Create each prefix in turn; EEXIST is fine as long as it is a directory. */
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, mode) != 0 && errno != EEXIST) return pki_errno(err, errlen, buf);
        buf[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) != 0) return pki_errno(err, errlen, path);
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a directory", path);
        return -1;
    }
    return 0;
}

int pki_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
                     size_t errlen)
{
    char tmp[PKI_PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    unlink(tmp); /* a leftover from a crashed run */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return pki_errno(err, errlen, tmp);
    const char *p = data;
    size_t left = len;
    int rc = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            rc = -1;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    /* The umask may have narrowed mode; keys must end up exactly 0600. */
    if (rc == 0 && fchmod(fd, mode) != 0) rc = -1;
    if (rc == 0 && fsync(fd) != 0) rc = -1;
    if (rc != 0) pki_errno(err, errlen, tmp);
    if (close(fd) != 0 && rc == 0) rc = pki_errno(err, errlen, tmp);
    if (rc == 0 && rename(tmp, path) != 0) rc = pki_errno(err, errlen, path);
    if (rc != 0) unlink(tmp);
    return rc;
}

int pki_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return pki_errno(err, errlen, path);
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        pki_errno(err, errlen, path);
        fclose(f);
        return -1;
    }
    errno = 0;
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uintmax_t)st.st_size > max) {
        fclose(f);
        if (!S_ISREG(st.st_mode))
            snprintf(err, errlen, "%s: not a regular file", path);
        else
            snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    /* A file that grew since fstat is cut at its old size: never past buf. */
    size_t n = fread(buf, 1, size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int pki_lock(const char *dir, char *err, size_t errlen)
{
    char path[PKI_PATH_MAX];
    if (pki_path(path, sizeof(path), dir, ".lock", err, errlen) != 0) return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return pki_errno(err, errlen, path);
    while (flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        pki_errno(err, errlen, path);
        close(fd);
        return -1;
    }
    return fd;
}

void pki_unlock(int fd)
{
    if (fd >= 0) close(fd); /* closing releases the flock */
}
