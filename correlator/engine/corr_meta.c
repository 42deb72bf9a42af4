/* corr_meta.c -- the top-level keys of a rule: title, id, name, version,
 * status, description, author, level, tags (ATT&CK tactics and
 * techniques), falsepositives, logsource, suppress, generate, and the
 * choice between a detection and a correlation block. Sigma's other
 * descriptive keys (date, references, ...) are accepted and ignored. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/corr_set.h"

static const char *const categories[CORR_CAT_COUNT] = {
    "alert", "flow", "dns", "http", "tls", "anomaly", "stats", "correlation",
};

static const char *const levels[] = {"informational", "low", "medium", "high", "critical"};

static const char *const statuses[] = {"stable",     "test",        "experimental",
                                       "deprecated", "unsupported", NULL};

/* MITRE ATT&CK tactics (Enterprise, and the two ICS ones a city's IoT needs). */
static const char *const tactics[] = {
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
    "inhibit-response-function",
    "impair-process-control",
    NULL,
};

/* ---- top-level keys ---------------------------------------------------------------- */

static bool text_key(corr_ctx_t *c, const cfg_node_t *doc, const char *key, bool required,
                     const char **out)
{
    const cfg_node_t *n = cfg_node_child(doc, key);
    *out = "";
    if (!n) {
        if (required) corr_error(c, doc, "missing '%s'", key);
        return !required;
    }
    if (!corr_scalar(c, n, "a string")) return false;
    if (n->len > CORR_MAX_TEXT) {
        corr_error(c, n, "longer than %d bytes", CORR_MAX_TEXT);
        return false;
    }
    return (*out = corr_strndup(c->arena, n->str, n->len)) != NULL ||
           (corr_error(c, n, "out of memory"), false);
}

static bool parse_level(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    const cfg_node_t *n = cfg_node_child(doc, "level");
    char tmp[64];
    if (!n) {
        corr_error(c, doc, "missing 'level' (informational, low, medium, high, critical)");
        return false;
    }
    if (!corr_scalar(c, n, "a level")) return false;
    for (int i = 0; i < 5; i++) {
        if (strcmp(n->str, levels[i]) == 0) {
            r->severity = i;
            return true;
        }
    }
    corr_error(c, n, "unknown level '%s' (informational, low, medium, high, critical)",
               err_quote(n->str, n->len, tmp, sizeof(tmp)));
    return false;
}

static bool parse_status(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    const cfg_node_t *n = cfg_node_child(doc, "status");
    char tmp[64];
    if (!text_key(c, doc, "status", false, &r->status)) return false;
    if (!n) return true;
    for (int i = 0; statuses[i]; i++)
        if (strcmp(r->status, statuses[i]) == 0) return true;
    corr_error(c, n, "unknown status '%s' (stable, test, experimental, deprecated, unsupported)",
               err_quote(n->str, n->len, tmp, sizeof(tmp)));
    return false;
}

static bool parse_version(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    const cfg_node_t *n = cfg_node_child(doc, "version");
    char tmp[64];
    r->version = 1;
    if (!n) return true;
    if (!corr_scalar(c, n, "an integer")) return false;
    unsigned v = 0;
    bool ok = n->len > 0 && n->len <= 7 && n->str[0] != '0';
    for (size_t i = 0; ok && i < n->len; i++) {
        ok = n->str[i] >= '0' && n->str[i] <= '9';
        v = v * 10 + (unsigned)(n->str[i] - '0');
    }
    if (!ok) {
        corr_error(c, n, "expected an integer 1..9999999, got '%s'",
                   err_quote(n->str, n->len, tmp, sizeof(tmp)));
        return false;
    }
    r->version = v;
    return true;
}

/* A list of strings (a single string is taken as a list of one). */
static bool str_list(corr_ctx_t *c, const cfg_node_t *n, const char ***out, size_t *count)
{
    size_t k = n->type == CFG_SEQ ? n->count : 1;
    *count = 0;
    if (n->type == CFG_MAP) {
        corr_error(c, n, "expected a list of strings, got a mapping");
        return false;
    }
    if (k > CORR_MAX_TAGS) {
        corr_error(c, n, "more than %d entries", CORR_MAX_TAGS);
        return false;
    }
    const char **v = corr_alloc(c->arena, (k ? k : 1) * sizeof(*v));
    if (!v) return corr_error(c, n, "out of memory"), false;
    const cfg_node_t *it = n->type == CFG_SEQ ? n->child : n;
    for (size_t i = 0; i < k; i++, it = it->next) {
        if (!corr_scalar(c, it, "a string")) return false;
        if (it->len > CORR_MAX_TEXT)
            return corr_error(c, it, "longer than %d bytes", CORR_MAX_TEXT), false;
        if (!(v[i] = corr_strndup(c->arena, it->str, it->len)))
            return corr_error(c, it, "out of memory"), false;
    }
    *out = v;
    *count = k;
    return true;
}

static bool add_unique(const char **arr, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(arr[i], s) == 0) return true;
    arr[(*n)++] = s;
    return true;
}

/* attack.tNNNN[.NNN] -> "TNNNN[.NNN]"; attack.<tactic> -> tactic (with '-'). */
static bool parse_tag(corr_ctx_t *c, const cfg_node_t *n, const char *tag, corr_rule_t *r,
                      const char **tac, const char **tec)
{
    char tmp[80];
    size_t len = strlen(tag);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)tag[i];
        if (ch <= 0x20 || ch == 0x7f || len > 64) {
            corr_error(c, n, "tag '%s' must be 1..64 bytes without spaces",
                       err_quote(tag, len, tmp, sizeof(tmp)));
            return false;
        }
    }
    if (len == 0) return corr_error(c, n, "empty tag"), false;
    if (strncasecmp(tag, "attack.", 7) != 0) return true;
    const char *v = tag + 7;
    size_t vl = len - 7;
    bool tech = vl >= 5 && (v[0] == 't' || v[0] == 'T');
    for (size_t i = 1; tech && i < 5; i++)
        tech = v[i] >= '0' && v[i] <= '9';
    if (tech && vl != 5)
        tech = vl == 9 && v[5] == '.' && v[6] >= '0' && v[6] <= '9' && v[7] >= '0' && v[7] <= '9' &&
               v[8] >= '0' && v[8] <= '9';
    if (tech) {
        char *t = corr_strndup(c->arena, v, vl);
        if (!t) return corr_error(c, n, "out of memory"), false;
        t[0] = 'T';
        return add_unique(tec, &r->ntechniques, t);
    }
    /* Groups (gNNNN) and software (sNNNN) are free tags. */
    bool gs = vl == 5 && strchr("gGsS", v[0]);
    for (size_t i = 1; gs && i < 5; i++)
        gs = v[i] >= '0' && v[i] <= '9';
    if (gs) return true;
    char norm[64];
    if (vl < sizeof(norm)) {
        for (size_t i = 0; i <= vl; i++) {
            char ch = v[i] == '_' ? '-' : v[i];
            norm[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
        }
        for (size_t i = 0; tactics[i]; i++)
            if (strcmp(norm, tactics[i]) == 0) return add_unique(tac, &r->ntactics, tactics[i]);
    }
    corr_error(c, n,
               "unknown ATT&CK tag '%s' (techniques are attack.tNNNN[.NNN], tactics like "
               "attack.initial-access)",
               err_quote(tag, len, tmp, sizeof(tmp)));
    return false;
}

static bool parse_tags(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    const cfg_node_t *n = cfg_node_child(doc, "tags");
    if (!n) return true;
    if (n->type != CFG_SEQ) return corr_error(c, n, "expected a list of tags"), false;
    const char **tags;
    size_t nt;
    if (!str_list(c, n, &tags, &nt)) return false;
    const char **tac = corr_alloc(c->arena, (nt ? nt : 1) * sizeof(*tac));
    const char **tec = corr_alloc(c->arena, (nt ? nt : 1) * sizeof(*tec));
    if (!tac || !tec) return corr_error(c, n, "out of memory"), false;
    const cfg_node_t *it = n->child;
    for (size_t i = 0; i < nt; i++, it = it->next)
        if (!parse_tag(c, it, tags[i], r, tac, tec)) return false;
    r->tags = tags;
    r->ntags = nt;
    r->tactics = tac;
    r->techniques = tec;
    return true;
}

static bool parse_logsource(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    static const char *const known[] = {"category", "product", "service", "definition", NULL};
    const cfg_node_t *ls = cfg_node_child(doc, "logsource");
    char tmp[64];
    if (!ls) return corr_error(c, doc, "missing 'logsource'"), false;
    if (ls->type != CFG_MAP) return corr_error(c, ls, "expected a mapping {category: ...}"), false;
    if (!corr_check_keys(c, ls, known)) return false;
    for (const cfg_node_t *m = ls->child; m; m = m->next)
        if (!corr_scalar(c, m, "a string")) return false;
    const cfg_node_t *cat = cfg_node_child(ls, "category");
    if (!cat)
        return corr_error(c, ls,
                          "missing 'category' (alert, flow, dns, http, tls, anomaly, "
                          "stats, correlation)"),
               false;
    for (int i = 0; i < CORR_CAT_COUNT; i++) {
        if (strcmp(cat->str, categories[i]) == 0) {
            r->category = (corr_category_t)i;
            return true;
        }
    }
    corr_error(c, cat,
               "unknown category '%s' (alert, flow, dns, http, tls, anomaly, stats, correlation)",
               err_quote(cat->str, cat->len, tmp, sizeof(tmp)));
    return false;
}

static bool parse_names(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    char tmp[80];
    const cfg_node_t *n = cfg_node_child(doc, "name");
    if (!n) return true;
    if (!corr_scalar(c, n, "a rule name")) return false;
    if (!corr_ident_ok(n->str, n->len)) {
        corr_error(c, n, "name '%s' must be 1..%d letters, digits, '.', '_', '-', ':'",
                   err_quote(n->str, n->len, tmp, sizeof(tmp)), CORR_MAX_ID);
        return false;
    }
    r->name = corr_strndup(c->arena, n->str, n->len);
    return r->name || (corr_error(c, n, "out of memory"), false);
}

static bool parse_body(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r, corr_rule_priv_t *priv)
{
    const cfg_node_t *det = cfg_node_child(doc, "detection");
    const cfg_node_t *corr = cfg_node_child(doc, "correlation");
    const cfg_node_t *gen = cfg_node_child(doc, "generate");
    const cfg_node_t *sup = cfg_node_child(doc, "suppress");
    const cfg_node_t *fps = cfg_node_child(doc, "falsepositives");
    if (det && corr)
        return corr_error_key(c, corr, "a rule has 'detection' or 'correlation', not both"), false;
    if (!det && !corr) return corr_error(c, doc, "missing 'detection' or 'correlation'"), false;
    if (fps) {
        const char **v;
        if (!str_list(c, fps, &v, &r->nfalsepositives)) return false;
        r->falsepositives = v;
    }
    if (det) {
        r->corr.type = CORR_TYPE_NONE;
        if (!parse_logsource(c, doc, r) || !corr_detect_compile(c, det, priv)) return false;
        if (gen)
            return corr_error_key(c, gen,
                                  "'generate' is for correlation rules (it says whether "
                                  "the rules they use raise incidents too)"),
                   false;
    } else {
        r->category = CORR_CAT_NONE;
        const cfg_node_t *ls = cfg_node_child(doc, "logsource");
        if (ls) return corr_error_key(c, ls, "correlation rules take no logsource"), false;
        if (!corr_spec_parse(c, corr, r, priv)) return false;
        if (gen && priv->generate_set)
            return corr_error_key(c, gen, "'generate' given twice (here and in correlation)"),
                   false;
        if (gen && !corr_bool(c, gen, &r->corr.generate)) return false;
    }
    return !sup || corr_duration_usec(c, sup, 0, &r->suppress_usec);
}

static const char *const top_keys[] = {
    "title",    "id",       "name",           "version",    "status",    "description",
    "author",   "date",     "modified",       "references", "license",   "related",
    "level",    "tags",     "falsepositives", "fields",     "logsource", "detection",
    "generate", "suppress", "correlation",    "taxonomy",   "scope",     NULL,
};

static bool parse_id(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    const cfg_node_t *n = cfg_node_child(doc, "id");
    char tmp[80];
    if (!n) return corr_error(c, doc, "missing 'id'"), false;
    if (!corr_scalar(c, n, "an id")) return false;
    if (!corr_ident_ok(n->str, n->len)) {
        corr_error(c, n, "id '%s' must be 1..%d letters, digits, '.', '_', '-', ':'",
                   err_quote(n->str, n->len, tmp, sizeof(tmp)), CORR_MAX_ID);
        return false;
    }
    snprintf(c->label, sizeof(c->label), "%s", n->str);
    r->id = corr_strndup(c->arena, n->str, n->len);
    return r->id || (corr_error(c, n, "out of memory"), false);
}

/* Ids and names are unique across the ruleset. */

bool corr_meta_head(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    return parse_id(c, doc, r) && corr_check_keys(c, doc, top_keys) &&
           text_key(c, doc, "title", true, &r->title) && parse_names(c, doc, r);
}

bool corr_meta_rest(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r, corr_rule_priv_t *priv)
{
    return parse_version(c, doc, r) && parse_status(c, doc, r) &&
           text_key(c, doc, "description", false, &r->description) &&
           text_key(c, doc, "author", false, &r->author) && parse_level(c, doc, r) &&
           parse_tags(c, doc, r) && parse_body(c, doc, r, priv);
}

const char *corr_category_name(corr_category_t cat)
{
    return cat >= 0 && cat < CORR_CAT_COUNT ? categories[cat] : "?";
}

const char *corr_level_name(int severity)
{
    return severity >= 0 && severity <= 4 ? levels[severity] : "?";
}

corr_category_t corr_event_category(const corr_event_t *ev)
{
    const corr_doc_t *d = &ev->eve;
    if (!d->s || !d->toks || d->ntoks <= 0) return CORR_CAT_NONE;
    int v = corr_doc_member(d, "event_type", 10);
    if (v < 0 || d->toks[v].type != JSON_STRING) return CORR_CAT_NONE;
    for (int i = 0; i < CORR_CAT_COUNT; i++)
        if (json_tok_eq(d->s, &d->toks[v], categories[i])) return (corr_category_t)i;
    return CORR_CAT_NONE;
}
