/* ctx_util.h -- small shared pieces of the context module: where loaders
 * report bad entries, bounded file reading, RFC 3339 times, and quoting of
 * outside text in messages.
 *
 * Loaders never stop at a bad entry: they report one line about it and go
 * on. The lines go to a ctx_diag_t, by default the logger (warn level), or
 * to a callback (tests, `socctl rules check`). A file with thousands of bad
 * lines must not flood the journal, so each file shows at most `limit`
 * lines and then one line counting the rest. */
#ifndef SOC_CTX_UTIL_H
#define SOC_CTX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTX_DIAG_DEFAULT_LIMIT 20
#define CTX_DIAG_LINE_MAX      512

typedef void (*ctx_diag_fn)(void *arg, const char *line);

typedef struct ctx_diag {
    ctx_diag_fn fn; /* NULL: log_warn() */
    void *arg;
    size_t limit; /* lines shown per file; 0 means CTX_DIAG_DEFAULT_LIMIT */
    size_t lines; /* lines reported so far (all files) */
} ctx_diag_t;

/* Reporting about one file. d may be NULL (the logger, default limit). */
typedef struct ctx_diag_file {
    ctx_diag_t *d;
    const char *file;
    size_t shown, hidden;
} ctx_diag_file_t;

void ctx_diag_file_init(ctx_diag_file_t *f, ctx_diag_t *d, const char *file);
/* One line (the caller writes "FILE:LINE: ..." itself). */
void ctx_diag_line(ctx_diag_file_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "FILE: N more problems not shown" when lines were held back. */
void ctx_diag_file_done(ctx_diag_file_t *f);
/* A line outside any file's budget. */
void ctx_diag_msg(ctx_diag_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Text from a file or the wire, fit for a message: at most 40 bytes
 * (then "..."), bytes outside printable ASCII shown as '?'. */
#define CTX_SHOW_MAX 48
const char *ctx_show(const char *s, size_t n, char out[CTX_SHOW_MAX]);

/* Read a whole regular file of at most max bytes into a NUL-terminated
 * malloc'd buffer. False with "PATH: reason" in err. */
bool ctx_read_file(const char *path, size_t max, char **buf, size_t *len, char *err, size_t errlen);

/* RFC 3339 date-time ("2025-06-30T12:00:00Z", "...T19:00:00.5+07:00",
 * also "+0700" as EVE writes it) or a full date ("2025-06-30", midnight
 * UTC) to microseconds since the epoch. Years 1970..9999. */
bool ctx_time_parse(const char *s, size_t n, int64_t *usec);

#endif
