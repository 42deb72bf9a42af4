/* fwd_render.c -- see fwd_render.h. */
#include "forward/fwd_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_redact.h"
#include "forward/fwd_stix.h"
#include "forward/fwd_syslog.h"

/* The global list and the endpoint's own, as one set. */
static int redact_set(fwd_redact_t *r, const fwd_config_t *cfg, const fwd_endpoint_t *e, char *err,
                      size_t errlen)
{
    char why[384];
    fwd_redact_init(r);
    for (size_t i = 0; i < cfg->nredact; i++)
        if (fwd_redact_add(r, cfg->redact[i], why, sizeof(why)) != 0)
            return snprintf(err, errlen, "forwarder.redact: %s", why), -1;
    for (size_t i = 0; e && i < e->nredact; i++)
        if (fwd_redact_add(r, e->redact[i], why, sizeof(why)) != 0)
            return snprintf(err, errlen, "endpoint %s: redact: %s", e->name, why), -1;
    return 0;
}

static void stix_opts(fwd_stix_opts_t *o, const fwd_config_t *cfg, const fwd_endpoint_t *e)
{
    *o = (fwd_stix_opts_t){
        .identity_name = cfg->identity_name,
        .identity_class = cfg->identity_class,
        .sector = cfg->identity_sector[0] ? cfg->identity_sector : NULL,
        .contact = cfg->identity_contact[0] ? cfg->identity_contact : NULL,
        .tlp = e->tlp,
        .taxii_envelope = e->taxii,
    };
}

bool fwd_render_check(const fwd_config_t *cfg, char *err, size_t errlen)
{
    fwd_redact_t *r = malloc(sizeof(*r));
    if (!r) return snprintf(err, errlen, "out of memory"), false;
    bool ok = redact_set(r, cfg, NULL, err, errlen) == 0;
    for (size_t i = 0; ok && i < cfg->nendpoints; i++) {
        const fwd_endpoint_t *e = &cfg->endpoints[i];
        fwd_stix_opts_t o;
        char why[384];
        stix_opts(&o, cfg, e);
        ok = redact_set(r, cfg, e, err, errlen) == 0;
        if (ok && e->type == FWD_STIX_HTTPS && fwd_stix_opts_check(&o, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "endpoint %s: %s", e->name, why);
            ok = false;
        }
    }
    free(r);
    return ok;
}

/* Raw bytes at the end of a writer's buffer (the item header, a syslog
 * frame: not JSON, but the STIX payload is written by the same jw_t). */
static int raw_append(jw_t *w, const void *p, size_t n)
{
    if (w->cap - w->len < n + 1) {
        size_t cap = w->len + n + 1 > 2 * w->cap ? w->len + n + 1 : 2 * w->cap;
        char *b = realloc(w->buf, cap);
        if (!b) return -1;
        w->buf = b, w->cap = cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    w->buf[w->len] = '\0';
    return 0;
}

static int render_payload(jw_t *out, const char *doc, size_t len, const fwd_config_t *cfg,
                          const fwd_endpoint_t *e, char *err, size_t errlen)
{
    if (e->type == FWD_STIX_HTTPS) {
        fwd_stix_opts_t o;
        stix_opts(&o, cfg, e);
        return fwd_stix_write(out, doc, len, &o, err, errlen);
    }
    char frame[FWD_SYSLOG_FRAME_MAX];
    fwd_syslog_opts_t so = {.facility = e->facility, .hostname = cfg->hostname};
    int n = fwd_syslog_format(doc, len, &so, NULL, frame, sizeof(frame), err, errlen);
    if (n < 0) return -1;
    if (raw_append(out, frame, (size_t)n) != 0) return snprintf(err, errlen, "out of memory"), -1;
    return 0;
}

int fwd_render_item(jw_t *out, const char *doc, size_t len, const fwd_config_t *cfg,
                    const fwd_endpoint_t *e, const fwd_change_t *c, char *err, size_t errlen)
{
    fwd_redact_t *r = malloc(sizeof(*r));
    char *red = NULL, hdr[FWD_ITEM_HDR_MAX];
    size_t redlen = 0;
    int rc = -1;
    if (!r) return snprintf(err, errlen, "out of memory"), -1;
    if (redact_set(r, cfg, e, err, errlen) == 0 &&
        fwd_redact_apply(r, doc, len, &red, &redlen, err, errlen) == 0) {
        jw_reset(out);
        int h = snprintf(hdr, sizeof(hdr), "%s %u %s\n", c->id, c->version, c->reason);
        if (h > 0 && (size_t)h < sizeof(hdr) && raw_append(out, hdr, (size_t)h) == 0)
            rc = render_payload(out, red, redlen, cfg, e, err, errlen);
        else
            snprintf(err, errlen, "incident id too long");
    }
    free(red);
    free(r);
    if (rc == 0 && out->oom) rc = -1, snprintf(err, errlen, "out of memory");
    return rc;
}
