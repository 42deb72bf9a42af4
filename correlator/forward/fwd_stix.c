/* fwd_stix.c -- see fwd_stix.h. This file assembles the bundle and writes
 * the fixed objects (identities, markings, extension-definition) and the
 * report; fwd_stix_incident.c and fwd_stix_addr.c write the rest. */
#include "fwd_stix.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "fwd_stix_int.h"
#include "fwd_uuid.h"

/* created/modified of the objects that do not change with incidents (the
 * product, its extension, the reporting identity): fixed, so that every
 * bundle carries the very same version of them. */
#define STX_FIXED_TIME "2026-01-01T00:00:00.000Z"
#define STX_MAX_TEXT   1024 /* identity name, contact information */

/* STIX 2.1 section 7.2.1.4: the predefined TLP marking definitions. */
static const struct tlp {
    const char *level, *alias, *id, *name;
} tlps[] = {
    {"white", "clear", STX_TLP_WHITE, "TLP:WHITE"},
    {"green", NULL, "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN"},
    {"amber", NULL, "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER"},
    {"red", NULL, "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED"},
};

static const struct tlp *find_tlp(const char *level)
{
    if (!level) level = "amber";
    for (size_t i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
        if (strcasecmp(level, tlps[i].level) == 0 ||
            (tlps[i].alias && strcasecmp(level, tlps[i].alias) == 0))
            return &tlps[i];
    return NULL;
}

/* ---- ids and common properties ----------------------------------------------------- */

bool stx_make_id(char out[STX_ID_MAX], const char *type, const char *name, size_t n)
{
    char uuid[FWD_UUID_STR];
    if (!fwd_uuid_v5(fwd_uuid_ns_soc, name, n, uuid)) return false;
    snprintf(out, STX_ID_MAX, "%s--%s", type, uuid);
    return true;
}

bool stx_make_idf(char out[STX_ID_MAX], const char *type, const char *fmt, ...)
{
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    return n > 0 && (size_t)n < sizeof(name) && stx_make_id(out, type, name, (size_t)n);
}

void stx_ref(stx_t *x, const char *id)
{
    if (x->nrefs == x->caprefs) {
        size_t cap = x->caprefs ? 2 * x->caprefs : 64;
        void *p = realloc(x->refs, cap * sizeof(*x->refs));
        if (!p) {
            x->failed = true;
            return;
        }
        x->refs = p;
        x->caprefs = cap;
    }
    snprintf(x->refs[x->nrefs++], STX_ID_MAX, "%s", id);
}

static void common_open(stx_t *x, const char *type, const char *id)
{
    jw_object_open(x->w);
    jw_kstr(x->w, "type", type);
    jw_kstr(x->w, "spec_version", "2.1");
    jw_kstr(x->w, "id", id);
    stx_ref(x, id);
}

static void sdo_open_at(stx_t *x, const char *type, const char *id, const char *created,
                        const char *modified)
{
    common_open(x, type, id);
    jw_kstr(x->w, "created_by_ref", x->identity);
    jw_kstr(x->w, "created", created);
    jw_kstr(x->w, "modified", modified);
}

void stx_sdo_open(stx_t *x, const char *type, const char *id)
{
    sdo_open_at(x, type, id, x->created, x->modified);
}

void stx_close_marked(stx_t *x, const char *marking)
{
    jw_karray_open(x->w, "object_marking_refs");
    jw_str(x->w, marking);
    jw_array_close(x->w);
    jw_object_close(x->w);
}

/* ---- options --------------------------------------------------------------------- */

static const char *opt(const char *v, const char *def)
{
    return v && v[0] ? v : def;
}

/* Open vocabularies: lower-case words joined by '-', as the spec's own. */
static bool vocab_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int fwd_stix_opts_check(const fwd_stix_opts_t *o, char *err, size_t errlen)
{
    if (!o) return 0;
    char q[64];
    if (!find_tlp(o->tlp))
        return err_set(-1, err, errlen, "tlp: expected white, clear, green, amber or red, got '%s'",
                       err_quote(o->tlp, strlen(o->tlp), q, sizeof(q)));
    if (o->identity_class && !vocab_ok(o->identity_class))
        return err_set(-1, err, errlen,
                       "identity class '%s': expected a word like organization (a-z, 0-9, '-')",
                       err_quote(o->identity_class, strlen(o->identity_class), q, sizeof(q)));
    if (o->sector && o->sector[0] && !vocab_ok(o->sector))
        return err_set(-1, err, errlen,
                       "sector '%s': expected a word like government-local (a-z, 0-9, '-')",
                       err_quote(o->sector, strlen(o->sector), q, sizeof(q)));
    if (o->identity_name && strlen(o->identity_name) > STX_MAX_TEXT)
        return err_set(-1, err, errlen, "identity name: longer than %d bytes", STX_MAX_TEXT);
    if (o->contact && strlen(o->contact) > STX_MAX_TEXT)
        return err_set(-1, err, errlen, "contact: longer than %d bytes", STX_MAX_TEXT);
    return 0;
}

/* ---- the fixed objects ------------------------------------------------------------ */

static void fixed_open(stx_t *x, const char *type, const char *id, const char *created_by)
{
    common_open(x, type, id);
    if (created_by) jw_kstr(x->w, "created_by_ref", created_by);
    jw_kstr(x->w, "created", STX_FIXED_TIME);
    jw_kstr(x->w, "modified", STX_FIXED_TIME);
}

/* The reporting identity's id hashes everything it says (the parts joined
 * by NULs), so a changed option is a new identity, not a second version
 * of the old one with the same timestamp. */
static bool reporter_id(stx_t *x)
{
    const fwd_stix_opts_t *o = x->o;
    const char *parts[] = {"identity",
                           opt(o->identity_name, "SOC appliance"),
                           opt(o->identity_class, "organization"),
                           opt(o->sector, ""),
                           opt(o->contact, ""),
                           x->tlp_id};
    char buf[4 * STX_MAX_TEXT + 256];
    size_t k = 0;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t n = strlen(parts[i]);
        if (n + 1 > sizeof(buf) - k) return false;
        memcpy(buf + k, parts[i], n + 1);
        k += n + 1;
    }
    return stx_make_id(x->identity, "identity", buf, k - 1); /* no NUL after the last */
}

static void reporter(stx_t *x)
{
    const fwd_stix_opts_t *o = x->o;
    fixed_open(x, "identity", x->identity, NULL);
    jw_kstr(x->w, "name", opt(o->identity_name, "SOC appliance"));
    jw_kstr(x->w, "identity_class", opt(o->identity_class, "organization"));
    if (o->sector && o->sector[0]) {
        jw_karray_open(x->w, "sectors");
        jw_str(x->w, o->sector);
        jw_array_close(x->w);
    }
    if (o->contact && o->contact[0]) jw_kstr(x->w, "contact_information", o->contact);
    stx_close_marked(x, x->tlp_id);
}

static void marking(stx_t *x, const struct tlp *t)
{
    common_open(x, "marking-definition", t->id);
    jw_kstr(x->w, "created", "2017-01-20T00:00:00.000Z");
    jw_kstr(x->w, "definition_type", "tlp");
    jw_kstr(x->w, "name", t->name);
    jw_kobject_open(x->w, "definition");
    jw_kstr(x->w, "tlp", t->level);
    jw_object_close(x->w);
    jw_object_close(x->w);
}

static void product(stx_t *x)
{
    fixed_open(x, "identity", FWD_STIX_PRODUCT_ID, NULL);
    jw_kstr(x->w, "name", "soc-appliance");
    jw_kstr(x->w, "description", "Security-operations appliance: sensors, correlator, forwarder");
    jw_kstr(x->w, "identity_class", "system");
    stx_close_marked(x, STX_TLP_WHITE);
}

static void extension_definition(stx_t *x)
{
    fixed_open(x, "extension-definition", FWD_STIX_EXT_ID, FWD_STIX_PRODUCT_ID);
    jw_kstr(x->w, "name", "soc-appliance incident");
    jw_kstr(x->w, "description",
            "The incident record of the SOC appliance's incident store, as of one version "
            "(created, escalated, resolved or closed).");
    jw_kstr(x->w, "schema",
            "soc-appliance correlator/forward/FORMATS.md, section 'The incident extension': "
            "incident_id, version, reason, then the members of 'socctl incidents show --json' "
            "(rule.id as rule_id, asset.name as asset_name, sla.* without the prefix, attack.* "
            "without the prefix), times as STIX timestamps with microseconds; any member may "
            "be absent.");
    jw_kstr(x->w, "version", "1.0.0");
    jw_karray_open(x->w, "extension_types");
    jw_str(x->w, "property-extension");
    jw_array_close(x->w);
    stx_close_marked(x, STX_TLP_WHITE);
}

/* ---- this version's times ---------------------------------------------------------- */

/* created: when the incident was created (or its first event); modified:
 * this version's updated_at. Both cut to milliseconds, modified never
 * before created. */
static void version_times(stx_t *x)
{
    const fwd_incdoc_t *d = x->d;
    int64_t created = -1, modified = -1, first = -1, last = -1, v;
    if (fwd_incdoc_time(d, "created_at", &v)) created = v;
    if (fwd_incdoc_time(d, "first_seen", &v)) first = v;
    if (fwd_incdoc_time(d, "last_seen", &v)) last = v;
    if (fwd_incdoc_time(d, "updated_at", &v)) modified = v;
    if (created < 0) created = first;
    if (created < 0) created = modified;
    if (created < 0) created = 1767225600LL * 1000000; /* STX_FIXED_TIME */
    created -= created % 1000;
    if (modified < 0) modified = created;
    modified -= modified % 1000;
    if (modified < created) modified = created;
    fwd_time_stix(created, x->created);
    fwd_time_stix(modified, x->modified);
    /* observation window: first/last seen, else the version times */
    if (first < 0) first = created;
    if (last < first) last = first;
    fwd_time_stix(first, x->first);
    fwd_time_stix(last, x->last);
    int64_t count;
    x->count = fwd_incdoc_int(d, "count", &count) && count > 0 ? (uint64_t)count : 0;
}

/* ---- the report ------------------------------------------------------------------- */

static void report(stx_t *x, const char *id)
{
    size_t nrefs = x->nrefs; /* the report itself is noted by sdo_open_at */
    /* one report per version, made when the version was */
    sdo_open_at(x, "report", id, x->modified, x->modified);
    char *title = fwd_incdoc_strdup(x->d, "title");
    char head[96];
    snprintf(head, sizeof(head), "%s version %lld (%s)", x->d->id, (long long)x->d->version,
             x->d->reason);
    if (title && title[0]) {
        size_t n = strlen(head) + 2 + strlen(title) + 1;
        char *name = malloc(n);
        if (name) {
            snprintf(name, n, "%s: %s", head, title);
            jw_kstr(x->w, "name", name);
        } else {
            x->failed = true;
        }
        free(name);
    } else {
        jw_kstr(x->w, "name", head);
    }
    free(title);
    jw_karray_open(x->w, "report_types");
    jw_str(x->w, "incident");
    jw_array_close(x->w);
    jw_kstr(x->w, "published", x->modified);
    jw_karray_open(x->w, "object_refs");
    for (size_t i = 0; i < nrefs; i++)
        jw_str(x->w, x->refs[i]);
    jw_array_close(x->w);
    stx_close_marked(x, x->tlp_id);
}

/* ---- the bundle ------------------------------------------------------------------- */

static void objects(stx_t *x, const struct tlp *t, const char *report_id)
{
    reporter(x);
    marking(x, t);
    if (t != &tlps[0]) marking(x, &tlps[0]); /* the public objects' TLP:WHITE */
    product(x);
    extension_definition(x);
    stx_incident(x);
    stx_addr_objects(x);
    report(x, report_id);
}

static int write_doc(stx_t *x, const struct tlp *t, char *err, size_t errlen)
{
    char bundle[STX_ID_MAX], report_id[STX_ID_MAX];
    long long v = (long long)x->d->version;
    if (!reporter_id(x) || !stx_make_idf(bundle, "bundle", "bundle/%s/%lld", x->d->id, v) ||
        !stx_make_idf(report_id, "report", "report/%s/%lld", x->d->id, v))
        return err_set(-1, err, errlen, "STIX: %s: cannot make object ids (libcrypto)", x->d->id);
    if (!stx_addrs_collect(x)) return err_set(-1, err, errlen, "STIX: out of memory");
    jw_object_open(x->w);
    if (!x->o->taxii_envelope) {
        jw_kstr(x->w, "type", "bundle");
        jw_kstr(x->w, "id", bundle);
    }
    jw_karray_open(x->w, "objects");
    objects(x, t, report_id);
    jw_array_close(x->w);
    jw_object_close(x->w);
    if (x->w->oom || x->failed)
        return err_set(-1, err, errlen, "STIX: %s: output too large or out of memory", x->d->id);
    return 0;
}

int fwd_stix_write(jw_t *out, const char *doc, size_t len, const fwd_stix_opts_t *o, char *err,
                   size_t errlen)
{
    static const fwd_stix_opts_t defaults = {0};
    if (!o) o = &defaults;
    if (fwd_stix_opts_check(o, err, errlen) < 0) return -1;
    const struct tlp *t = find_tlp(o->tlp);
    fwd_incdoc_t d;
    if (fwd_incdoc_parse(&d, doc, len, err, errlen) < 0) return -1;
    stx_t x = {.w = out, .d = &d, .o = o, .tlp_id = t->id};
    version_times(&x);
    int rc = write_doc(&x, t, err, errlen);
    free(x.addrs);
    free(x.refs);
    fwd_incdoc_free(&d);
    return rc;
}
