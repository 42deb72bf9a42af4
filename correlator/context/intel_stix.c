/* intel_stix.c -- STIX 2.1 bundles: indicator objects whose pattern is a
 * set of equality comparisons joined by OR,
 *
 *   [ipv4-addr:value = '198.51.100.0/24' OR domain-name:value = 'evil.example']
 *   [url:value = 'http://x4z9arb.cn/4712/'] OR [file:hashes.'SHA-256' = '...']
 *
 * on ipv4-addr:value, ipv6-addr:value (addresses or CIDRs), domain-name:value,
 * url:value and file:hashes.'SHA-256'. Anything else -- AND, FOLLOWEDBY,
 * qualifiers, other operators or object paths, other pattern_type values --
 * cannot be evaluated here: the indicator is counted and skipped with one
 * line naming the file and the object id. Partial use of a pattern is not
 * attempted, so what is loaded always means what the producer meant.
 *
 * valid_until is the expiry, confidence (0..100) the confidence, name (or
 * description) the description; revoked indicators are left out. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel_int.h"
#include "json_reader.h"

#define STIX_MAX_TERMS   64
#define STIX_MAX_PATTERN 65536
#define STIX_MAX_TOKENS  4000000

typedef struct term {
    intel_type_t type; /* INTEL_IP or INTEL_CIDR for addresses */
    bool v6;           /* ipv6-addr rather than ipv4-addr */
    const char *value; /* unescaped, in the parser's buffer */
    size_t n;
} term_t;

typedef struct pat {
    const char *s;
    size_t n, i;
    char *buf; /* unescaped literals */
    size_t blen;
    term_t terms[STIX_MAX_TERMS];
    int nterms;
    char why[160];
    bool unsupported; /* false: a syntax error */
} pat_t;

static void ws(pat_t *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool fail(pat_t *p, bool unsupported, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(pat_t *p, bool unsupported, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof(p->why), fmt, ap);
    va_end(ap);
    p->unsupported = unsupported;
    return false;
}

/* An upper-case keyword at the cursor (AND, OR, FOLLOWEDBY, WITHIN ...). */
static size_t word(const pat_t *p, char *out, size_t cap)
{
    size_t k = 0;
    while (p->i + k < p->n && k + 1 < cap && p->s[p->i + k] >= 'A' && p->s[p->i + k] <= 'Z') {
        out[k] = p->s[p->i + k];
        k++;
    }
    out[k] = '\0';
    return k;
}

/* An object path: ipv4-addr:value, file:hashes.'SHA-256' ... */
static size_t path(const pat_t *p)
{
    size_t k = p->i;
    while (k < p->n) {
        char c = p->s[k];
        if (c == '\'' && k > p->i && p->s[k - 1] == '.') {
            const char *q = memchr(p->s + k + 1, '\'', p->n - k - 1);
            if (!q) return 0;
            k = (size_t)(q - p->s) + 1;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == ':' || c == '.' || c == '[' || c == '*' ||
                  (c == ']' && k > p->i &&
                   (p->s[k - 1] == '*' || (p->s[k - 1] >= '0' && p->s[k - 1] <= '9')));
        if (!ok) break;
        k++;
    }
    return k - p->i;
}

/* 'text' with \' and \\ escapes, unescaped into p->buf. */
static bool literal(pat_t *p, const char **out, size_t *n)
{
    if (p->i >= p->n || p->s[p->i] != '\'')
        return fail(p, true, "%s", "only quoted string values are supported");
    size_t start = p->blen;
    for (p->i++; p->i < p->n; p->i++) {
        char c = p->s[p->i];
        if (c == '\'') {
            p->i++;
            *out = p->buf + start;
            *n = p->blen - start;
            return true;
        }
        if (c == '\\') {
            if (p->i + 1 >= p->n || (p->s[p->i + 1] != '\'' && p->s[p->i + 1] != '\\'))
                return fail(p, false, "%s", "bad escape in a string");
            c = p->s[++p->i];
        }
        p->buf[p->blen++] = c;
    }
    return fail(p, false, "%s", "unterminated string");
}

static bool path_type(pat_t *p, const char *s, size_t n, term_t *t)
{
    static const struct {
        const char *path;
        intel_type_t type;
        bool v6;
    } known[] = {
        {"ipv4-addr:value", INTEL_IP, false},           {"ipv6-addr:value", INTEL_IP, true},
        {"domain-name:value", INTEL_DOMAIN, false},     {"url:value", INTEL_URL, false},
        {"file:hashes.'SHA-256'", INTEL_SHA256, false},
    };
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        if (strlen(known[k].path) == n && memcmp(known[k].path, s, n) == 0) {
            t->type = known[k].type;
            t->v6 = known[k].v6;
            return true;
        }
    }
    char tmp[CTX_SHOW_MAX];
    return fail(p, true, "object path '%s' is not supported", ctx_show(s, n, tmp));
}

/* path '=' 'value' */
static bool comparison(pat_t *p)
{
    ws(p);
    size_t plen = path(p);
    if (plen == 0) return fail(p, false, "%s", "expected an object path");
    const char *ps = p->s + p->i;
    p->i += plen;
    if (p->nterms == STIX_MAX_TERMS)
        return fail(p, true, "more than %d comparisons", STIX_MAX_TERMS);
    term_t *t = &p->terms[p->nterms];
    if (!path_type(p, ps, plen, t)) return false;
    ws(p);
    char w[16], tmp[CTX_SHOW_MAX];
    if (p->i < p->n && p->s[p->i] == '=') {
        p->i++;
    } else {
        size_t k = word(p, w, sizeof(w)), j = p->i; /* MATCHES, LIKE, IN, NOT ... */
        if (k) return fail(p, true, "operator '%s' is not supported", w);
        while (j < p->n && p->s[j] && strchr("!<>=", p->s[j])) /* != < <= > >= */
            j++;
        if (j > p->i)
            return fail(p, true, "operator '%s' is not supported",
                        ctx_show(p->s + p->i, j - p->i, tmp));
        return fail(p, false, "%s", "expected '=' after the object path");
    }
    ws(p);
    if (!literal(p, &t->value, &t->n)) return false;
    p->nterms++;
    return true;
}

/* What follows a comparison or an observation: OR continues; AND and the
 * rest are valid STIX this evaluator does not do. */
static bool joiner(pat_t *p, bool *more)
{
    char w[16];
    ws(p);
    size_t k = word(p, w, sizeof(w));
    if (k == 2 && strcmp(w, "OR") == 0) {
        p->i += k;
        *more = true;
        return true;
    }
    *more = false;
    if (k == 0) return true;
    if (strcmp(w, "AND") == 0 || strcmp(w, "FOLLOWEDBY") == 0)
        return fail(p, true, "%s is not supported", w);
    if (strcmp(w, "WITHIN") == 0 || strcmp(w, "REPEATS") == 0 || strcmp(w, "START") == 0 ||
        strcmp(w, "STOP") == 0)
        return fail(p, true, "qualifier %s is not supported", w);
    return fail(p, false, "unexpected '%s'", w);
}

static bool observation(pat_t *p)
{
    ws(p);
    if (p->i < p->n && p->s[p->i] == '(')
        return fail(p, true, "%s", "parenthesised expressions are not supported");
    if (p->i >= p->n || p->s[p->i] != '[') return fail(p, false, "%s", "expected '['");
    p->i++;
    for (bool more = true; more;)
        if (!comparison(p) || !joiner(p, &more)) return false;
    ws(p);
    if (p->i >= p->n || p->s[p->i] != ']') return fail(p, false, "%s", "expected ']'");
    p->i++;
    return true;
}

static bool parse_pattern(pat_t *p)
{
    for (bool more = true; more;)
        if (!observation(p) || !joiner(p, &more)) return false;
    ws(p);
    if (p->i != p->n) return fail(p, false, "%s", "unexpected text after the pattern");
    return true;
}

/* ---- bundle ----------------------------------------------------------------- */

typedef struct stix {
    intel_set_t *set;
    const intel_feed_t *feed;
    const char *name;
    const char *s;
    const json_tok_t *toks;
    int ntoks;
    ctx_diag_file_t *df;
    intel_load_stats_t *st;
    char *pbuf; /* pattern text, then its literals */
    char *err;
    size_t errlen;
} stix_t;

static const json_tok_t *member(const stix_t *x, int obj, const char *key)
{
    int i = json_object_find(x->s, x->toks, x->ntoks, obj, key, strlen(key));
    return i >= 0 ? &x->toks[i] : NULL;
}

/* A string member unescaped into out; false if absent, not a string or
 * too long. */
static bool str_member(const stix_t *x, int obj, const char *key, char *out, size_t cap,
                       size_t *len)
{
    const json_tok_t *t = member(x, obj, key);
    if (!t || t->type != JSON_STRING) return false;
    return json_tok_string(x->s, t, out, cap, len) == JSON_OK;
}

/* Check one term's value against its object type. */
static bool term_value(const term_t *t, intel_value_t *v, char *why, size_t whylen)
{
    intel_type_t type = t->type;
    if (type == INTEL_IP && memchr(t->value, '/', t->n)) type = INTEL_CIDR;
    if (!intel_value_parse(type, t->value, t->n, v, why, whylen)) return false;
    if (type == INTEL_IP || type == INTEL_CIDR) {
        ctx_ip_t a;
        const char *slash = memchr(t->value, '/', t->n);
        size_t alen = slash ? (size_t)(slash - t->value) : t->n;
        if (ctx_ip_parse(t->value, alen, &a) && ctx_ip_is_v4(a) == t->v6) {
            char tmp[CTX_SHOW_MAX];
            snprintf(why, whylen, "%s value '%s' is not an %s address",
                     t->v6 ? "ipv6-addr" : "ipv4-addr", ctx_show(t->value, t->n, tmp),
                     t->v6 ? "IPv6" : "IPv4");
            return false;
        }
    }
    return true;
}

typedef struct ind_meta {
    const char *id;
    int confidence;
    int64_t expires;
    const char *desc;
    size_t desclen;
} ind_meta_t;

/* Optional members: confidence, valid_until, revoked, name/description.
 * False (reported) on a bad value; *skip for revoked. */
static bool meta(stix_t *x, int obj, ind_meta_t *m, char *desc, size_t dcap, bool *skip)
{
    char tbuf[64];
    size_t tlen;
    const json_tok_t *t;
    *skip = false;
    m->confidence = intel_feed_conf(x->feed, INTEL_DEFAULT_CONF);
    if ((t = member(x, obj, "confidence"))) {
        int64_t c;
        if (json_tok_int64(x->s, t, &c) != JSON_OK || c < 0 || c > 100) {
            ctx_diag_line(x->df, "%s: %s: confidence: expected an integer 0..100", x->name, m->id);
            return false;
        }
        m->confidence = (int)c;
    }
    m->expires = x->feed->expires_usec;
    if ((t = member(x, obj, "valid_until"))) {
        if (!str_member(x, obj, "valid_until", tbuf, sizeof(tbuf), &tlen) ||
            !ctx_time_parse(tbuf, tlen, &m->expires)) {
            ctx_diag_line(x->df, "%s: %s: valid_until: expected an RFC 3339 time", x->name, m->id);
            return false;
        }
    }
    bool revoked = false;
    if ((t = member(x, obj, "revoked")) && json_tok_bool(t, &revoked) == JSON_OK && revoked) {
        *skip = true;
        return true;
    }
    m->desc = NULL;
    m->desclen = 0;
    if (str_member(x, obj, "name", desc, dcap, &m->desclen) ||
        str_member(x, obj, "description", desc, dcap, &m->desclen)) {
        m->desc = desc;
    } else if ((t = member(x, obj, "description")) && t->type == JSON_STRING &&
               !(t->flags & JSON_TOK_ESCAPED)) { /* long: its start, cut by intel_add_value */
        m->desc = x->s + t->start;
        m->desclen = t->end - t->start;
    }
    return true;
}

static bool add_terms(stix_t *x, const pat_t *p, const ind_meta_t *m)
{
    static const intel_value_t zero;
    intel_value_t v = zero;
    char why[256];
    /* check every term first: the indicator is used whole or not at all */
    for (int k = 0; k < p->nterms; k++) {
        if (!term_value(&p->terms[k], &v, why, sizeof(why))) {
            ctx_diag_line(x->df, "%s: %s: %s", x->name, m->id, why);
            x->st->bad++;
            return true;
        }
    }
    for (int k = 0; k < p->nterms; k++) {
        term_value(&p->terms[k], &v, why, sizeof(why));
        int r = intel_add_value(x->set, &v, x->feed->name, strlen(x->feed->name), m->confidence,
                                m->expires, m->desc, m->desclen, why, sizeof(why));
        if (r == -2) {
            snprintf(x->err, x->errlen, "%s: %s: %s", x->name, m->id, why);
            return false;
        }
        if (r == 1)
            x->st->loaded++;
        else
            x->st->duplicates++;
    }
    return true;
}

/* One indicator object. False only when the file must stop. */
static bool indicator(stix_t *x, int obj, size_t index)
{
    char id[128], ptype[32], desc[INTEL_MAX_DESC * 4 + 1];
    size_t idlen, plen, tlen;
    ind_meta_t m;
    bool skip;
    if (!str_member(x, obj, "id", id, sizeof(id), &idlen))
        snprintf(id, sizeof(id), "objects[%zu]", index);
    m.id = id;
    if (str_member(x, obj, "pattern_type", ptype, sizeof(ptype), &tlen) && strcmp(ptype, "stix")) {
        char tmp[CTX_SHOW_MAX];
        ctx_diag_line(x->df, "%s: %s: cannot evaluate pattern: pattern_type '%s' is not supported",
                      x->name, id, ctx_show(ptype, tlen, tmp));
        x->st->unsupported++;
        return true;
    }
    if (!str_member(x, obj, "pattern", x->pbuf, STIX_MAX_PATTERN + 1, &plen)) {
        ctx_diag_line(x->df, "%s: %s: missing pattern, or not a string of at most %d bytes",
                      x->name, id, STIX_MAX_PATTERN);
        x->st->bad++;
        return true;
    }
    if (!meta(x, obj, &m, desc, sizeof(desc), &skip)) {
        x->st->bad++;
        return true;
    }
    if (skip) {
        x->st->filtered++;
        return true;
    }
    pat_t *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(x->err, x->errlen, "%s: out of memory", x->name);
        return false;
    }
    *p = (pat_t){.s = x->pbuf, .n = plen, .buf = x->pbuf + plen + 1};
    bool ok = true;
    if (!parse_pattern(p)) {
        ctx_diag_line(x->df, "%s: %s: %s pattern: %s", x->name, id,
                      p->unsupported ? "cannot evaluate" : "bad", p->why);
        if (p->unsupported)
            x->st->unsupported++;
        else
            x->st->bad++;
    } else {
        ok = add_terms(x, p, &m);
    }
    free(p);
    return ok;
}

/* Upper bound on the tokens of a JSON text: every value but the first
 * follows one of , : [ { (strings may hold some too: an overestimate). */
static size_t token_bound(const char *s, size_t len)
{
    size_t k = 1;
    for (size_t i = 0; i < len; i++)
        k += s[i] == ',' || s[i] == ':' || s[i] == '[' || s[i] == '{';
    return k;
}

static bool walk(stix_t *x)
{
    const json_tok_t *top = &x->toks[0];
    if (top->type != JSON_OBJECT) {
        snprintf(x->err, x->errlen, "%s: not a STIX bundle (expected a JSON object)", x->name);
        return false;
    }
    const json_tok_t *type = member(x, 0, "type");
    if (!type || type->type != JSON_STRING) {
        snprintf(x->err, x->errlen, "%s: not a STIX object (no \"type\")", x->name);
        return false;
    }
    if (!json_tok_eq(x->s, type, "bundle")) /* a lone object */
        return !json_tok_eq(x->s, type, "indicator") || indicator(x, 0, 0);
    int arr = json_object_find(x->s, x->toks, x->ntoks, 0, "objects", 7);
    if (arr < 0) return true; /* an empty bundle */
    if (x->toks[arr].type != JSON_ARRAY) {
        snprintf(x->err, x->errlen, "%s: \"objects\" is not an array", x->name);
        return false;
    }
    size_t idx = 0;
    for (int i = arr + 1, m = 0; m < x->toks[arr].size; m++, i = x->toks[i].next, idx++) {
        if (x->toks[i].type != JSON_OBJECT) continue;
        const json_tok_t *t = member(x, i, "type");
        if (t && t->type == JSON_STRING && json_tok_eq(x->s, t, "indicator") &&
            !indicator(x, i, idx))
            return false;
    }
    return true;
}

bool intel_load_stix(intel_set_t *set, const intel_feed_t *feed, const char *name, const char *buf,
                     size_t len, ctx_diag_file_t *df, intel_load_stats_t *st, char *err,
                     size_t errlen)
{
    if (len > INTEL_MAX_STIX_FILE) {
        snprintf(err, errlen, "%s: larger than %u bytes", name, INTEL_MAX_STIX_FILE);
        return false;
    }
    size_t bound = token_bound(buf, len);
    if (bound > STIX_MAX_TOKENS) {
        snprintf(err, errlen, "%s: more than %d JSON values", name, STIX_MAX_TOKENS);
        return false;
    }
    json_tok_t *toks = malloc(bound * sizeof(*toks));
    char *pbuf = malloc(2 * (STIX_MAX_PATTERN + 1));
    bool ok = false;
    char jerr[160];
    if (!toks || !pbuf) {
        snprintf(err, errlen, "%s: out of memory", name);
    } else {
        int n = json_parse(buf, len, toks, (int)bound, jerr, sizeof(jerr));
        if (n < 0) {
            snprintf(err, errlen, "%s: %s", name, jerr);
        } else {
            stix_t x = {set, feed, name, buf, toks, n, df, st, pbuf, err, errlen};
            ok = walk(&x);
        }
    }
    free(toks);
    free(pbuf);
    return ok;
}
