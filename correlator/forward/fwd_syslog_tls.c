/* fwd_syslog_tls.c -- see fwd_syslog_tls.h. */
#include "fwd_syslog_tls.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define MSG_LEN_DIGITS 9 /* MSG-LEN up to 999999999, above any max_msg */

struct fwd_syslog_tls {
    fwd_tls_t *tls;
    uint32_t confirm_ms;
    char label[FWD_HOST_MAX + 32];
};

fwd_syslog_tls_t *fwd_syslog_tls_new(const fwd_endpoint_tls_t *cfg, char *err, size_t errlen)
{
    fwd_syslog_tls_t *s = calloc(1, sizeof(*s));
    if (!s) {
        err_set(-1, err, errlen, "forwarder: out of memory");
        return NULL;
    }
    s->tls = fwd_tls_new(cfg, err, errlen);
    if (!s->tls) {
        free(s);
        return NULL;
    }
    s->confirm_ms = FWD_SYSLOG_CONFIRM_MS_DEF;
    snprintf(s->label, sizeof(s->label), "syslog-tls://%s", fwd_tls_label(s->tls));
    return s;
}

void fwd_syslog_tls_free(fwd_syslog_tls_t *s)
{
    if (!s) return;
    fwd_tls_free(s->tls);
    free(s);
}

void fwd_syslog_tls_set_confirm_ms(fwd_syslog_tls_t *s, uint32_t ms)
{
    if (s) s->confirm_ms = ms;
}

void fwd_syslog_tls_disconnect(fwd_syslog_tls_t *s)
{
    if (s) fwd_tls_close(s->tls);
}

/* ---- frames --------------------------------------------------------------------- */

int fwd_syslog_tls_check_frames(const void *buf, size_t len, size_t max_msg, size_t *count,
                                char *err, size_t errlen)
{
    const unsigned char *p = buf;
    size_t off = 0, n = 0;
    if (count) *count = 0;
    if (!p || len == 0) return err_set(-1, err, errlen, "syslog frame: empty");
    while (off < len) {
        size_t start = off, msglen = 0, digits = 0;
        if (p[off] < '1' || p[off] > '9')
            return err_set(-1, err, errlen,
                           "syslog frame at byte %zu: MSG-LEN must start with "
                           "a digit 1-9, got 0x%02x",
                           start, p[off]);
        while (off < len && p[off] >= '0' && p[off] <= '9' && digits < MSG_LEN_DIGITS) {
            msglen = msglen * 10 + (size_t)(p[off] - '0');
            off++, digits++;
        }
        if (off >= len || p[off] != ' ')
            return err_set(-1, err, errlen,
                           "syslog frame at byte %zu: MSG-LEN not followed by "
                           "a space within %d digits",
                           start, MSG_LEN_DIGITS);
        off++;
        if (msglen > max_msg)
            return err_set(-1, err, errlen,
                           "syslog frame at byte %zu: message of %zu bytes over "
                           "the %zu byte limit",
                           start, msglen, max_msg);
        if (msglen > len - off)
            return err_set(-1, err, errlen,
                           "syslog frame at byte %zu: MSG-LEN %zu but only %zu "
                           "bytes follow",
                           start, msglen, len - off);
        if (p[off] != '<')
            return err_set(-1, err, errlen,
                           "syslog frame at byte %zu: message does not start "
                           "with '<' (PRI)",
                           start);
        off += msglen;
        n++;
    }
    if (count) *count = n;
    return 0;
}

/* ---- sending -------------------------------------------------------------------- */

enum attempt { AT_DONE, AT_STALE };

/* One write on the current (or a new) connection, then the check that the
 * receiver is still there. */
static enum attempt attempt(fwd_syslog_tls_t *s, const void *buf, size_t len, size_t nframes,
                            fwd_result_t *res)
{
    char why[FWD_REASON_MAX - 64];
    int o = fwd_tls_open(s->tls, why, sizeof(why));
    if (o < 0) {
        fwd_result_set(res, FWD_RETRYABLE, s->label, "%s", why);
        return AT_DONE;
    }
    if (o == 1) res->connects++;
    bool reused = o == 0;
    int64_t deadline = fwd_deadline_ms(fwd_tls_io_timeout_ms(s->tls));
    if (fwd_tls_write(s->tls, buf, len, deadline, why, sizeof(why)) != 0) {
        if (reused && !strstr(why, "timed out")) return AT_STALE;
        fwd_result_set(res, FWD_RETRYABLE, s->label, "%s", why);
        return AT_DONE;
    }
    res->sent = true;
    if (fwd_tls_linger_check(s->tls, s->confirm_ms, why, sizeof(why)) != 0) {
        if (reused) return AT_STALE;
        fwd_result_set(res, FWD_RETRYABLE, s->label,
                       "receiver dropped the connection after the write "
                       "(%s); the message may be lost",
                       why);
        return AT_DONE;
    }
    fwd_tls_touch(s->tls);
    fwd_result_set(res, FWD_DELIVERED, s->label, "%zu message%s sent", nframes,
                   nframes == 1 ? "" : "s");
    return AT_DONE;
}

fwd_status_t fwd_syslog_tls_send(fwd_syslog_tls_t *s, const void *buf, size_t len,
                                 fwd_result_t *res)
{
    memset(res, 0, sizeof(*res));
    res->status = FWD_RETRYABLE;
    char err[200];
    size_t nframes = 0;
    if (len > FWD_SYSLOG_TLS_BATCH_MAX)
        return fwd_result_set(res, FWD_PERMANENT, s->label,
                              "%zu bytes of frames over the %u byte limit", len,
                              FWD_SYSLOG_TLS_BATCH_MAX);
    if (fwd_syslog_tls_check_frames(buf, len, FWD_SYSLOG_TLS_MSG_MAX, &nframes, err, sizeof(err)) !=
        0)
        return fwd_result_set(res, FWD_PERMANENT, s->label, "not sent: %s", err);
    for (int i = 0; i < 2; i++) {
        if (attempt(s, buf, len, nframes, res) == AT_DONE) return res->status;
        /* The receiver had dropped the connection we kept: once more on a
         * new one. */
        fwd_tls_close(s->tls);
    }
    return fwd_result_set(res, FWD_RETRYABLE, s->label, "receiver dropped the connection twice");
}
