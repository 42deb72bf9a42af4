/* fuzz_fwd_formats.c -- the forwarder's formats on arbitrary incident
 * versions. The document is built by the forwarder from Redis, but its
 * samples and many fields came off the wire through the sensors, so every
 * format and the redaction must take any bytes. Checks: nothing crashes,
 * reads out of bounds or leaks; a STIX result is one valid JSON value; the
 * same input gives the same bytes twice; a syslog frame's length prefix
 * matches the message that follows it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_cef.h"
#include "forward/fwd_redact.h"
#include "forward/fwd_stix.h"
#include "forward/fwd_syslog.h"
#include "json_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_tok_t toks[1 << 16];

static void stix(const char *doc, size_t n)
{
    jw_t a, b;
    char err[512];
    fwd_stix_opts_t o = {.taxii_envelope = n & 1};
    jw_init(&a);
    jw_init(&b);
    int ra = fwd_stix_write(&a, doc, n, &o, err, sizeof(err));
    int rb = fwd_stix_write(&b, doc, n, &o, err, sizeof(err));
    if (ra != rb) abort();
    if (ra == 0 && !a.oom) {
        if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0) abort();
        if (json_parse(a.buf, a.len, toks, (int)(sizeof(toks) / sizeof(toks[0])), NULL, 0) < 1 &&
            a.len < (1u << 20))
            abort();
    }
    jw_free(&a);
    jw_free(&b);
}

static void syslog_frame(const char *doc, size_t n)
{
    static char out[FWD_SYSLOG_FRAME_MAX];
    char err[512];
    fwd_syslog_opts_t o = {.facility = 13, .hostname = "soc"};
    int len = fwd_syslog_format(doc, n, &o, NULL, out, sizeof(out), err, sizeof(err));
    if (len < 0) return;
    char *sp;
    unsigned long msg = strtoul(out, &sp, 10);
    if (*sp != ' ' || (size_t)(sp + 1 - out) + msg != (size_t)len) abort();
}

static void redact(const char *doc, size_t n)
{
    static fwd_redact_t r;
    char err[512], *out = NULL;
    size_t outlen = 0;
    fwd_redact_init(&r);
    fwd_redact_add(&r, "incident.samples", err, sizeof(err));
    fwd_redact_add(&r, "incident.asset.name", err, sizeof(err));
    if (fwd_redact_apply(&r, doc, n, &out, &outlen, err, sizeof(err)) == 0 &&
        json_parse(out, outlen, toks, (int)(sizeof(toks) / sizeof(toks[0])), NULL, 0) < 1)
        abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *doc = malloc(size + 1);
    if (!doc) return 0;
    memcpy(doc, data, size);
    doc[size] = '\0';
    char cef[FWD_CEF_MAX], err[512];
    stix(doc, size);
    fwd_cef_format(doc, size, NULL, cef, sizeof(cef), err, sizeof(err));
    syslog_frame(doc, size);
    redact(doc, size);
    free(doc);
    return 0;
}
