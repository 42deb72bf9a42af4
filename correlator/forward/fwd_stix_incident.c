/* fwd_stix_incident.c -- the incident SDO: what STIX 2.1 defines for it
 * (name, description, kill_chain_phases, external_references) and our
 * record in the property extension (FORMATS.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_stix_int.h"

static const char *const severity_names[] = {"informational", "low", "medium", "high", "critical"};

/* The ICS matrix's own tactics (corr_meta.c's list); the rest are
 * Enterprise. */
static bool ics_tactic(const char *t)
{
    return strcmp(t, "inhibit-response-function") == 0 || strcmp(t, "impair-process-control") == 0;
}

/* Element i of an array as a string into out; false when not a string or
 * longer than cap - 1. */
static bool elem_str(const fwd_incdoc_t *d, int i, char *out, size_t cap)
{
    return d->toks[i].type == JSON_STRING &&
           json_tok_string(d->s, &d->toks[i], out, cap, NULL) == JSON_OK;
}

/* ATT&CK tactic short names: "credential-access". */
static bool phase_ok(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-')) return false;
    return n > 0;
}

/* "T1110" or "T1110.001". */
static bool technique_ok(const char *s)
{
    size_t n = strlen(s);
    if ((n != 5 && n != 9) || s[0] != 'T') return false;
    for (size_t i = 1; i < n; i++)
        if (i == 5 ? s[i] != '.' : (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

/* Valid elements of an array member, so that no empty list is written
 * (STIX forbids them). */
static size_t count_valid(const fwd_incdoc_t *d, int a, bool (*ok)(const char *))
{
    size_t n = 0;
    char b[65];
    for (int i = a + 1, k = 0; a >= 0 && k < d->toks[a].size; k++, i = d->toks[i].next)
        n += elem_str(d, i, b, sizeof(b)) && ok(b);
    return n;
}

void stx_kill_chain(stx_t *x)
{
    const fwd_incdoc_t *d = x->d;
    int a = fwd_incdoc_array(d, "attack.tactics");
    if (count_valid(d, a, phase_ok) == 0) return;
    jw_karray_open(x->w, "kill_chain_phases");
    char b[65];
    for (int i = a + 1, k = 0; k < d->toks[a].size; k++, i = d->toks[i].next) {
        if (!elem_str(d, i, b, sizeof(b)) || !phase_ok(b)) continue;
        jw_object_open(x->w);
        jw_kstr(x->w, "kill_chain_name", ics_tactic(b) ? "mitre-ics-attack" : "mitre-attack");
        jw_kstr(x->w, "phase_name", b);
        jw_object_close(x->w);
    }
    jw_array_close(x->w);
}

static void external_references(stx_t *x)
{
    const fwd_incdoc_t *d = x->d;
    jw_karray_open(x->w, "external_references");
    jw_object_open(x->w);
    jw_kstr(x->w, "source_name", "soc-appliance");
    jw_kstr(x->w, "external_id", d->id);
    jw_object_close(x->w);
    int a = fwd_incdoc_array(d, "attack.techniques");
    char b[65], url[128];
    for (int i = a + 1, k = 0; a >= 0 && k < d->toks[a].size; k++, i = d->toks[i].next) {
        if (!elem_str(d, i, b, sizeof(b)) || !technique_ok(b)) continue;
        /* T0xxx are the ICS matrix's techniques */
        jw_object_open(x->w);
        jw_kstr(x->w, "source_name", b[1] == '0' ? "mitre-ics-attack" : "mitre-attack");
        jw_kstr(x->w, "external_id", b);
        if (b[5] == '.')
            snprintf(url, sizeof(url), "https://attack.mitre.org/techniques/%.5s/%s/", b, b + 6);
        else
            snprintf(url, sizeof(url), "https://attack.mitre.org/techniques/%s/", b);
        jw_kstr(x->w, "url", url);
        jw_object_close(x->w);
    }
    jw_array_close(x->w);
}

/* One sentence from what the version has: "Incident INC-2026-000123,
 * version 3 (created): severity high, priority P1, status new, 42 events,
 * asset portal (level 3)." */
static void description(stx_t *x)
{
    const fwd_incdoc_t *d = x->d;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        x->failed = true;
        return;
    }
    fprintf(f, "Incident %s, version %lld (%s)", d->id, (long long)d->version, d->reason);
    const char *sep = ": ";
    int64_t v;
    if (fwd_incdoc_int(d, "severity", &v) && v >= 0 && v <= 4)
        fprintf(f, "%sseverity %s", sep, severity_names[v]), sep = ", ";
    if (fwd_incdoc_int(d, "priority", &v) && v >= 1 && v <= 5)
        fprintf(f, "%spriority P%lld", sep, (long long)v), sep = ", ";
    char s[64];
    if (fwd_incdoc_str(d, "status", s, sizeof(s))) fprintf(f, "%sstatus %s", sep, s), sep = ", ";
    if (x->count) fprintf(f, "%s%llu events", sep, (unsigned long long)x->count), sep = ", ";
    char *asset = fwd_incdoc_strdup(d, "asset.name");
    if (asset) {
        fprintf(f, "%sasset %s", sep, asset);
        if (fwd_incdoc_int(d, "asset.level", &v)) fprintf(f, " (level %lld)", (long long)v);
    }
    free(asset);
    fputc('.', f);
    if (fclose(f) == 0 && buf)
        jw_kstr(x->w, "description", buf);
    else
        x->failed = true;
    free(buf);
}

/* ---- the extension ----------------------------------------------------------------- */

typedef enum { K_STR, K_INT, K_BOOL, K_TIME, K_STRLIST, K_SAMPLES } kind_t;

/* Input member -> extension property. Lists must hold strings. */
static const struct field {
    const char *path, *name;
    kind_t kind;
} fields[] = {
    {"title", "title", K_STR},
    {"rule.id", "rule_id", K_STR},
    {"rule.version", "rule_version", K_INT},
    {"severity", "severity", K_INT},
    {"priority", "priority", K_INT},
    {"status", "status", K_STR},
    {"assignee", "assignee", K_STR},
    {"group_key", "group_key", K_STR},
    {"first_seen", "first_seen", K_TIME},
    {"last_seen", "last_seen", K_TIME},
    {"count", "count", K_INT},
    {"src_ips", "src_ips", K_STRLIST},
    {"dest_ips", "dest_ips", K_STRLIST},
    {"asset.name", "asset_name", K_STR},
    {"asset.level", "asset_level", K_INT},
    {"attack.tactics", "tactics", K_STRLIST},
    {"attack.techniques", "techniques", K_STRLIST},
    {"evidence", "evidence", K_STRLIST},
    {"evidence_total", "evidence_total", K_INT},
    {"samples", "samples", K_SAMPLES},
    {"sla.acknowledge_by", "acknowledge_by", K_TIME},
    {"sla.resolve_by", "resolve_by", K_TIME},
    {"sla.acknowledge_overdue", "acknowledge_overdue", K_BOOL},
    {"sla.resolve_overdue", "resolve_overdue", K_BOOL},
    {"created_at", "created_at", K_TIME},
    {"updated_at", "updated_at", K_TIME},
    {"acknowledged_at", "acknowledged_at", K_TIME},
    {"resolved_at", "resolved_at", K_TIME},
    {"closed_at", "closed_at", K_TIME},
    {"time_to_acknowledge", "time_to_acknowledge", K_INT},
    {"time_to_resolve", "time_to_resolve", K_INT},
    {"links", "links", K_STRLIST},
    {"merged_into", "merged_into", K_STR},
    {"merged_from", "merged_from", K_STRLIST},
};

/* The token's text as it stands (strings with their quotes): the input
 * passed the strict reader, so it is valid JSON to copy. */
static void kraw_tok(stx_t *x, const char *key, const json_tok_t *t)
{
    size_t q = t->type == JSON_STRING, n = t->end - t->start + 2 * q;
    char *raw = malloc(n + 1);
    if (!raw) {
        x->failed = true;
        return;
    }
    memcpy(raw, x->d->s + t->start - q, n);
    raw[n] = '\0';
    jw_kraw(x->w, key, raw);
    free(raw);
}

static bool list_ok(const fwd_incdoc_t *d, const json_tok_t *t, bool strings)
{
    if (t->type != JSON_ARRAY || t->size == 0) return false; /* STIX: no empty lists */
    int a = (int)(t - d->toks);
    for (int i = a + 1, k = 0; strings && k < t->size; k++, i = d->toks[i].next)
        if (d->toks[i].type != JSON_STRING) return false;
    return true;
}

/* The EVE samples as strings of JSON text: inside STIX they would have to
 * follow its rules for property values (no nulls, no empty lists, key
 * names), which EVE does not; as text they stay exactly what the sensor
 * wrote. A sample that is a string already is kept as it is. */
static void samples(stx_t *x, const char *key, const json_tok_t *arr)
{
    const fwd_incdoc_t *d = x->d;
    int a = (int)(arr - d->toks);
    jw_karray_open(x->w, key);
    for (int i = a + 1, k = 0; k < arr->size; k++, i = d->toks[i].next) {
        const json_tok_t *t = &d->toks[i];
        if (t->type != JSON_STRING) {
            jw_strn(x->w, d->s + t->start, t->end - t->start);
            continue;
        }
        size_t cap = t->end - t->start + 1, n = 0;
        char *v = malloc(cap);
        if (v && json_tok_string(d->s, t, v, cap, &n) == JSON_OK)
            jw_strn(x->w, v, n);
        else
            x->failed = true;
        free(v);
    }
    jw_array_close(x->w);
}

/* One member, when present and of its kind (otherwise left out). */
static void ext_field(stx_t *x, const struct field *f)
{
    const fwd_incdoc_t *d = x->d;
    const json_tok_t *t = fwd_incdoc_get(d, f->path);
    if (!t) return;
    int64_t usec;
    char ts[STX_TIME_MAX];
    switch (f->kind) {
    case K_STR:
        if (t->type == JSON_STRING) kraw_tok(x, f->name, t);
        break;
    case K_INT:
        if (t->type == JSON_NUMBER && (t->flags & JSON_TOK_INTEGER)) kraw_tok(x, f->name, t);
        break;
    case K_BOOL:
        if (t->type == JSON_TRUE || t->type == JSON_FALSE) kraw_tok(x, f->name, t);
        break;
    case K_TIME:
        if (fwd_incdoc_time(d, f->path, &usec)) {
            fwd_time_rfc3339(usec, ts);
            jw_kstr(x->w, f->name, ts);
        }
        break;
    case K_STRLIST:
        if (list_ok(d, t, true)) kraw_tok(x, f->name, t);
        break;
    case K_SAMPLES:
        if (list_ok(d, t, false)) samples(x, f->name, t);
        break;
    }
}

static void extension(stx_t *x)
{
    jw_kobject_open(x->w, "extensions");
    jw_kobject_open(x->w, FWD_STIX_EXT_ID);
    jw_kstr(x->w, "extension_type", "property-extension");
    jw_kstr(x->w, "incident_id", x->d->id);
    jw_kint(x->w, "version", x->d->version);
    jw_kstr(x->w, "reason", x->d->reason);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        ext_field(x, &fields[i]);
    jw_object_close(x->w);
    jw_object_close(x->w);
}

void stx_incident(stx_t *x)
{
    char id[STX_ID_MAX];
    if (!stx_make_idf(id, "incident", "incident/%s", x->d->id)) {
        x->failed = true;
        return;
    }
    stx_sdo_open(x, "incident", id);
    char *title = fwd_incdoc_strdup(x->d, "title");
    jw_kstr(x->w, "name", title && title[0] ? title : x->d->id);
    free(title);
    description(x);
    stx_kill_chain(x);
    external_references(x);
    extension(x);
    stx_close_marked(x, x->tlp_id);
}
