/* log.c -- see log.h. */
#include "log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LOG_PROG_MAX 64

static char log_prog[LOG_PROG_MAX] = "soc";
static atomic_int log_level = SOC_LOG_INFO;
static atomic_int log_fd = STDERR_FILENO;

static const char *const log_names[] = {"error", "warn", "info", "debug"};

void log_init(const char *prog)
{
    if (!prog || !*prog) return;
    const char *slash = strrchr(prog, '/'); /* argv[0] may be a path */
    if (slash && slash[1]) prog = slash + 1;
    snprintf(log_prog, sizeof(log_prog), "%s", prog);
}

void log_set_level(log_level_t level)
{
    if (level < SOC_LOG_ERROR) level = SOC_LOG_ERROR;
    if (level > SOC_LOG_DEBUG) level = SOC_LOG_DEBUG;
    atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

bool log_set_level_str(const char *name)
{
    if (!name) return false;
    if (strcasecmp(name, "warning") == 0) name = "warn";
    for (int i = SOC_LOG_ERROR; i <= SOC_LOG_DEBUG; i++) {
        if (strcasecmp(name, log_names[i]) == 0) {
            log_set_level((log_level_t)i);
            return true;
        }
    }
    return false;
}

log_level_t log_get_level(void)
{
    return (log_level_t)atomic_load_explicit(&log_level, memory_order_relaxed);
}

bool log_enabled(log_level_t level)
{
    return (int)level <= atomic_load_explicit(&log_level, memory_order_relaxed);
}

void log_set_fd(int fd)
{
    atomic_store_explicit(&log_fd, fd < 0 ? STDERR_FILENO : fd, memory_order_relaxed);
}

/* Keep the message on one line whatever it contains. */
static void log_sanitize(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) s[i] = '?';
    }
}

void log_vmsg(log_level_t level, const char *fmt, va_list ap)
{
    if (!log_enabled(level) || (int)level < SOC_LOG_ERROR) return;
    int saved_errno = errno; /* callers may log then inspect errno */
    char line[LOG_LINE_MAX];
    int head = snprintf(line, sizeof(line), "%s: %s: ", log_prog, log_names[level]);
    if (head < 0 || (size_t)head >= sizeof(line)) head = 0;
    size_t room = sizeof(line) - (size_t)head - 1; /* keep one byte for '\n' */
    int n = vsnprintf(line + head, room + 1, fmt, ap);
    size_t body;
    if (n < 0) {
        body = 0;
    } else if ((size_t)n > room) {
        body = room;
        memcpy(line + head + body - 3, "...", 3);
    } else {
        body = (size_t)n;
    }
    while (body > 0 && line[head + body - 1] == '\n') /* callers may add their own */
        body--;
    log_sanitize(line + head, body);
    size_t len = (size_t)head + body;
    line[len++] = '\n';
    int fd = atomic_load_explicit(&log_fd, memory_order_relaxed);
    const char *p = line;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* nowhere to report a logging failure */
        p += w;
        len -= (size_t)w;
    }
    errno = saved_errno;
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

/* The four shorthands differ only in their level. */
#define LOG_SHORTHAND(fn, lvl)                                                                     \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        if (!log_enabled(lvl)) return;                                                             \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        log_vmsg(lvl, fmt, ap);                                                                    \
        va_end(ap);                                                                                \
    }

LOG_SHORTHAND(log_error, SOC_LOG_ERROR)
LOG_SHORTHAND(log_warn, SOC_LOG_WARN)
LOG_SHORTHAND(log_info, SOC_LOG_INFO)
LOG_SHORTHAND(log_debug, SOC_LOG_DEBUG)
