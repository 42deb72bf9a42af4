/* log.h -- one logger for every program: one line per message on stderr,
 * "PROG: LEVEL: message", which systemd's journal stamps and stores.
 *
 * Messages are formatted into a bounded stack buffer and written with one
 * write(2), so lines from several threads never interleave. Control bytes
 * in the message (text from the wire, file names) are replaced by '?' so a
 * message is always exactly one line. */
#ifndef SOC_LOG_H
#define SOC_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Names avoid <syslog.h>'s LOG_ERR/LOG_INFO/LOG_DEBUG macros. */
typedef enum log_level {
    SOC_LOG_ERROR = 0,
    SOC_LOG_WARN = 1,
    SOC_LOG_INFO = 2,
    SOC_LOG_DEBUG = 3,
} log_level_t;

#define LOG_LINE_MAX 1024 /* longer messages are cut and end in "..." */

/* Program name shown before each line (copied; default "soc"). */
void log_init(const char *prog);
/* Messages above this level are dropped (default SOC_LOG_INFO). */
void log_set_level(log_level_t level);
/* "error", "warn" (or "warning"), "info", "debug"; false if unknown. */
bool log_set_level_str(const char *name);
log_level_t log_get_level(void);
/* Cheap test so callers can skip building expensive debug arguments. */
bool log_enabled(log_level_t level);
/* Redirect output (tests); fd < 0 restores stderr. */
void log_set_fd(int fd);

void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(log_level_t level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
