/* pki_files.h -- file handling for the PKI directory (internal to socctl pki):
 * paths, directories, whole-file reads and atomic replacement, the lock. */
#ifndef SOC_SOCCTL_PKI_FILES_H
#define SOC_SOCCTL_PKI_FILES_H

#include <stddef.h>
#include <sys/types.h>

#define PKI_PATH_MAX 4096

/* dir/name into out; -1 with a message if it does not fit. */
int pki_path(char *out, size_t outlen, const char *dir, const char *name, char *err, size_t errlen);
/* mkdir -p; directories created get mode (existing ones are left alone). */
int pki_mkdirs(const char *path, mode_t mode, char *err, size_t errlen);
/* Replace path with data: a temporary file of the given mode, fsync, rename. */
int pki_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
                     size_t errlen);
/* Whole file (at most max bytes) into a NUL-terminated malloc'd buffer. */
int pki_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen);
/* Exclusive lock on dir/.lock (blocks); returns the fd to pass to unlock. */
int pki_lock(const char *dir, char *err, size_t errlen);
void pki_unlock(int fd);

#endif
