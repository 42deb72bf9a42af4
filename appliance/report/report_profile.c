/* report_profile.c -- see report_profile.h. */
#include "report/report_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEVEL    5
#define MAX_PRIORITY 5
#define DUE_SOON_MAX (30ull * 86400)

/* ---- scalars ---------------------------------------------------------------------------- */

static bool missing(const cfg_node_t *map, const char *key, char *err, size_t errlen)
{
    cfg_node_error(map, err, errlen, "missing '%s'", key);
    return false;
}

static bool present(const cfg_node_t *n)
{
    return n && !cfg_node_is_null(n);
}

/* Text of one line, NFC, 1..cap-1 bytes, into dst. */
static bool text_of(const cfg_node_t *n, char *dst, size_t cap, char *err, size_t errlen)
{
    if (n->type != CFG_SCALAR) {
        cfg_node_error(n, err, errlen, "expected a string, got a %s", cfg_type_name(n->type));
        return false;
    }
    if (n->len == 0 || strlen(n->str) != n->len) {
        cfg_node_error(n, err, errlen, "expected a non-empty string without NUL bytes");
        return false;
    }
    for (size_t i = 0; i < n->len; i++)
        if ((unsigned char)n->str[i] < 0x20 || n->str[i] == 0x7f) {
            cfg_node_error(n, err, errlen, "expected one line of text, without control characters");
            return false;
        }
    char *nfc = report_nfc(n->str);
    if (!nfc) {
        cfg_node_error(n, err, errlen, "expected UTF-8 text");
        return false;
    }
    size_t len = strlen(nfc);
    bool ok = len < cap;
    if (ok)
        memcpy(dst, nfc, len + 1);
    else
        cfg_node_error(n, err, errlen, "expected a string of at most %zu bytes", cap - 1);
    free(nfc);
    return ok;
}

bool report_cfg_text(const cfg_node_t *map, const char *key, bool required, char *dst, size_t cap,
                     char *err, size_t errlen)
{
    const cfg_node_t *n = cfg_node_child(map, key);
    if (!present(n)) return required ? missing(map, key, err, errlen) : true;
    return text_of(n, dst, cap, err, errlen);
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= REPORT_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return false;
    return true;
}

static bool get_name(const cfg_node_t *root, char *dst, char *err, size_t errlen)
{
    const cfg_node_t *n = cfg_node_child(root, "name");
    if (!present(n)) return missing(root, "name", err, errlen);
    if (n->type != CFG_SCALAR || !name_ok(n->str)) {
        cfg_node_error(n, err, errlen, "expected 1..%d of a-z, 0-9, _ and -", REPORT_NAME_MAX - 1);
        return false;
    }
    memcpy(dst, n->str, strlen(n->str) + 1);
    return true;
}

/* A sequence at key: NULL when absent (allowed unless required). */
static bool seq_key(const cfg_node_t *map, const char *key, bool required, size_t max,
                    const cfg_node_t **out, char *err, size_t errlen)
{
    if (!cfg_get_seq(map, key, out, err, errlen)) return false;
    if (!*out) return required ? missing(map, key, err, errlen) : true;
    if ((*out)->count > max) {
        cfg_node_error(*out, err, errlen, "at most %zu entries", max);
        return false;
    }
    if (required && (*out)->count == 0) {
        cfg_node_error(*out, err, errlen, "expected at least one entry");
        return false;
    }
    return true;
}

/* ---- conditions ----------------------------------------------------------------------- */

static bool get_categories(const cfg_node_t *c, uint32_t *bits, char *err, size_t errlen)
{
    const cfg_node_t *seq;
    *bits = 0;
    if (!seq_key(c, "categories", false, REPORT_CAT_COUNT * 4, &seq, err, errlen)) return false;
    if (!seq) return true;
    if (seq->count == 0) {
        cfg_node_error(seq, err, errlen, "expected at least one category (or leave the key out)");
        return false;
    }
    for (const cfg_node_t *it = seq->child; it; it = it->next) {
        report_category_t cat;
        if (it->type != CFG_SCALAR || !report_category_parse(it->str, &cat)) {
            char names[512] = "";
            for (int k = 0; k < REPORT_CAT_COUNT; k++)
                snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                         k ? ", " : "", report_category_name((report_category_t)k));
            cfg_node_error(it, err, errlen, "unknown category (one of: %s)", names);
            return false;
        }
        *bits |= REPORT_CAT_BIT(cat);
    }
    return true;
}

static bool get_cond(const cfg_node_t *c, report_cond_t *out, char *err, size_t errlen)
{
    static const char *const keys[] = {"min-level", "max-level", "max-priority", "categories",
                                       NULL};
    if (c->type != CFG_MAP) {
        cfg_node_error(c, err, errlen,
                       "expected a mapping (min-level, max-level, max-priority, "
                       "categories), got a %s",
                       cfg_type_name(c->type));
        return false;
    }
    int64_t lo, hi, prio;
    if (!cfg_check_keys(c, keys, err, errlen) ||
        !cfg_get_i64(c, "min-level", 0, 0, MAX_LEVEL, &lo, err, errlen) ||
        !cfg_get_i64(c, "max-level", MAX_LEVEL, 0, MAX_LEVEL, &hi, err, errlen) ||
        !cfg_get_i64(c, "max-priority", MAX_PRIORITY, 1, MAX_PRIORITY, &prio, err, errlen) ||
        !get_categories(c, &out->categories, err, errlen))
        return false;
    if (hi < lo) {
        cfg_node_error(cfg_node_child(c, "max-level"), err, errlen,
                       "max-level %lld is below min-level %lld", (long long)hi, (long long)lo);
        return false;
    }
    out->min_level = (int)lo;
    out->max_level = (int)hi;
    out->max_priority = (int)prio;
    return true;
}

static bool get_conds(const cfg_node_t *root, const char *key, bool required, report_cond_t *v,
                      size_t *n, const cfg_node_t **seq, char *err, size_t errlen)
{
    *n = 0;
    if (!seq_key(root, key, required, REPORT_CONDS_MAX, seq, err, errlen)) return false;
    for (const cfg_node_t *c = *seq ? (*seq)->child : NULL; c; c = c->next)
        if (!get_cond(c, &v[(*n)++], err, errlen)) return false;
    return true;
}

bool report_cond_match(const report_cond_t *c, int level, int priority, uint32_t categories)
{
    if (priority < 1 || priority > MAX_PRIORITY) priority = MAX_PRIORITY;
    return level >= c->min_level && level <= c->max_level && priority <= c->max_priority &&
           (c->categories == 0 || (c->categories & categories) != 0);
}

/* ---- reports: deadlines per kind -------------------------------------------------------- */

static bool get_kind(const cfg_node_t *reports, report_kind_t k, report_profile_t *p,
                     const cfg_node_t **immediate_node, char *err, size_t errlen)
{
    static const char *const keys_initial[] = {"within", "immediate", "name", "title", NULL};
    static const char *const keys_other[] = {"within", "name", "title", NULL};
    report_kind_rule_t *r = &p->kinds[k];
    const char *kname = report_kind_name(k);
    snprintf(r->name, sizeof(r->name), "%s", report_kind_vi(k));
    snprintf(r->title, sizeof(r->title), "%s", report_kind_title_vi(k));
    const cfg_node_t *m;
    if (!cfg_get_map(reports, kname, &m, err, errlen)) return false;
    if (!m) return k == REPORT_INITIAL ? missing(reports, kname, err, errlen) : true;
    if (!cfg_check_keys(m, k == REPORT_INITIAL ? keys_initial : keys_other, err, errlen) ||
        !report_cfg_text(m, "name", false, r->name, sizeof(r->name), err, errlen) ||
        !report_cfg_text(m, "title", false, r->title, sizeof(r->title), err, errlen))
        return false;
    r->has_within = present(cfg_node_child(m, "within"));
    if (!r->has_within && k == REPORT_INITIAL) return missing(m, "within", err, errlen);
    if (!cfg_get_duration_sec(m, "within", 0, 0, REPORT_WITHIN_MAX, &r->within, err, errlen))
        return false;
    if (k != REPORT_INITIAL) return true;
    *immediate_node = cfg_node_child(m, "immediate");
    if (!present(*immediate_node)) {
        *immediate_node = NULL;
        return true;
    }
    if (!cfg_get_duration_sec(m, "immediate", 0, 0, REPORT_WITHIN_MAX, &p->immediate_within, err,
                              errlen))
        return false;
    if (p->immediate_within > r->within) {
        cfg_node_error(*immediate_node, err, errlen,
                       "the immediate deadline (%llus) is later than within (%llus)",
                       (unsigned long long)p->immediate_within, (unsigned long long)r->within);
        return false;
    }
    return true;
}

static bool get_reports(const cfg_node_t *root, report_profile_t *p, const cfg_node_t *imm_seq,
                        char *err, size_t errlen)
{
    static const char *const keys[] = {"initial", "update", "final", NULL};
    const cfg_node_t *reports, *imm_deadline = NULL;
    if (!cfg_get_map(root, "reports", &reports, err, errlen)) return false;
    if (!reports) return missing(root, "reports", err, errlen);
    if (!cfg_check_keys(reports, keys, err, errlen)) return false;
    for (int k = 0; k < REPORT_KIND_COUNT; k++)
        if (!get_kind(reports, (report_kind_t)k, p, &imm_deadline, err, errlen)) return false;
    /* conditions without a deadline, or the other way round, is a half-written profile */
    if (p->n_immediate && !imm_deadline) {
        cfg_node_error(imm_seq, err, errlen,
                       "immediate conditions need reports.initial.immediate (their deadline)");
        return false;
    }
    if (!p->n_immediate && imm_deadline) {
        cfg_node_error(imm_deadline, err, errlen,
                       "an immediate deadline needs the top-level 'immediate' conditions");
        return false;
    }
    return true;
}

/* ---- fields, legal basis ------------------------------------------------------------------ */

static bool get_fields(const cfg_node_t *root, report_profile_t *p, char *err, size_t errlen)
{
    const cfg_node_t *seq;
    if (!seq_key(root, "fields", true, RF_COUNT, &seq, err, errlen)) return false;
    bool seen[RF_COUNT] = {false};
    for (const cfg_node_t *it = seq->child; it; it = it->next) {
        report_field_t f;
        if (it->type != CFG_SCALAR || !report_field_parse(it->str, &f)) {
            char names[512] = "";
            for (int k = 0; k < RF_COUNT; k++)
                snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                         k ? ", " : "", report_field_name((report_field_t)k));
            cfg_node_error(it, err, errlen, "unknown field (one of: %s)", names);
            return false;
        }
        if (seen[f]) {
            cfg_node_error(it, err, errlen, "field '%s' listed twice", report_field_name(f));
            return false;
        }
        seen[f] = true;
        p->fields[p->n_fields++] = f;
    }
    return true;
}

static bool get_legal(const cfg_node_t *root, report_profile_t *p, char *err, size_t errlen)
{
    const cfg_node_t *seq;
    if (!seq_key(root, "legal-basis", false, REPORT_LEGAL_MAX, &seq, err, errlen)) return false;
    for (const cfg_node_t *it = seq ? seq->child : NULL; it; it = it->next)
        if (!text_of(it, p->legal[p->n_legal++], REPORT_TEXT_MAX, err, errlen)) return false;
    return true;
}

/* ---- the profile -------------------------------------------------------------------------- */

bool report_profile_from_node(report_profile_t *out, const cfg_node_t *root, char *err,
                              size_t errlen)
{
    static const char *const keys[] = {"name",        "title",     "recipient", "legal-basis",
                                       "must-report", "immediate", "reports",   "due-soon",
                                       "fields",      NULL};
    if (!root) {
        snprintf(err, errlen, "empty profile");
        return false;
    }
    if (root->type != CFG_MAP) {
        cfg_node_error(root, err, errlen, "expected a mapping (a reporting profile), got a %s",
                       cfg_type_name(root->type));
        return false;
    }
    /* built on the heap side of the caller's copy: a failed load leaves out as it was */
    report_profile_t *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    const cfg_node_t *must_seq, *imm_seq;
    bool ok =
        cfg_check_keys(root, keys, err, errlen) && get_name(root, p->name, err, errlen) &&
        report_cfg_text(root, "title", true, p->title, sizeof(p->title), err, errlen) &&
        report_cfg_text(root, "recipient", true, p->recipient, sizeof(p->recipient), err, errlen) &&
        get_legal(root, p, err, errlen) &&
        get_conds(root, "must-report", true, p->must, &p->n_must, &must_seq, err, errlen) &&
        get_conds(root, "immediate", false, p->immediate, &p->n_immediate, &imm_seq, err, errlen) &&
        get_reports(root, p, imm_seq, err, errlen) &&
        cfg_get_duration_sec(root, "due-soon", REPORT_DUE_SOON_DEFAULT, 0, DUE_SOON_MAX,
                             &p->due_soon, err, errlen) &&
        get_fields(root, p, err, errlen);
    if (ok) *out = *p;
    free(p);
    return ok;
}

static bool load_done(report_profile_t *p, cfg_t *cfg, const char *name, char *err, size_t errlen)
{
    if (!cfg) return false;
    bool ok = report_profile_from_node(p, cfg_root(cfg), err, errlen);
    if (!ok && !cfg_root(cfg)) snprintf(err, errlen, "%s: empty profile", name);
    cfg_free(cfg);
    return ok;
}

bool report_profile_load(report_profile_t *p, const char *path, char *err, size_t errlen)
{
    return load_done(p, cfg_load_file(path, err, errlen), path, err, errlen);
}

bool report_profile_load_buffer(report_profile_t *p, const char *name, const char *buf, size_t len,
                                char *err, size_t errlen)
{
    return load_done(p, cfg_load_buffer(name, buf, len, err, errlen), name, err, errlen);
}
