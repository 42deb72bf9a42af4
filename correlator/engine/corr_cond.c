/* corr_cond.c -- Sigma detection conditions.
 *
 *     expr    := and ('or' and)*
 *     and     := not ('and' not)*
 *     not     := 'not' not | primary
 *     primary := '(' expr ')' | ('1' | 'all') 'of' (PATTERN | 'them') | NAME
 *
 * NAME is a selection of the detection block; PATTERN may hold '*'
 * ("1 of sel*"); 'them' is every selection whose name does not start with
 * '_'. Keywords are matched without case. A list of conditions is their OR
 * (Sigma's older form). Errors name the line and column of the offending
 * token inside the rule file when the condition is a one-line scalar. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/corr_int.h"

typedef enum ctok_type {
    CT_END,
    CT_LP,
    CT_RP,
    CT_AND,
    CT_OR,
    CT_NOT,
    CT_OF,
    CT_ONE,
    CT_ALL,
    CT_THEM,
    CT_NAME,
    CT_PIPE,
    CT_BAD,
} ctok_type_t;

typedef struct ctok {
    ctok_type_t type;
    size_t off, len;
} ctok_t;

typedef struct cparser {
    corr_ctx_t *c;
    const cfg_node_t *node;
    const char *s;
    size_t n, pos;
    ctok_t cur;
    const corr_sel_t *sels;
    size_t nsels;
    size_t nodes;
    int depth;
} cparser_t;

/* ---- positions -------------------------------------------------------------- */

static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xc0) != 0x80;
    return k;
}

/* Line and column of byte off of the scalar in the file: exact when the
 * scalar sits on one line as written (plain or quoted without escapes
 * before off); otherwise false. */
static bool scalar_pos(const corr_ctx_t *c, const cfg_node_t *n, size_t off, uint32_t *line,
                       uint32_t *col)
{
    if (!c->text || n->line == 0 || n->col == 0) return false;
    size_t b = 0;
    uint32_t l = 1;
    if (c->linepos && c->linepos->line <= n->line && c->linepos->line > 0) {
        l = c->linepos->line;
        b = c->linepos->off;
    }
    for (; l < n->line; l++) {
        const char *nl = memchr(c->text + b, '\n', c->textlen - b);
        if (!nl) return false;
        b = (size_t)(nl - c->text) + 1;
    }
    if (c->linepos) *c->linepos = (corr_linepos_t){n->line, b};
    for (uint32_t k = 1; k < n->col; k++) { /* columns count characters */
        if (b >= c->textlen || c->text[b] == '\n') return false;
        b++;
        while (b < c->textlen && ((unsigned char)c->text[b] & 0xc0) == 0x80)
            b++;
    }
    size_t q = 0;
    if (b < c->textlen && (c->text[b] == '"' || c->text[b] == '\'')) q = 1;
    if (b + q + off > c->textlen || memchr(n->str, '\n', off)) return false;
    if (memcmp(c->text + b + q, n->str, off) != 0) return false;
    *line = n->line;
    *col = n->col + (uint32_t)q + (uint32_t)utf8_chars(n->str, off);
    return true;
}

static void perr(cparser_t *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void perr(cparser_t *p, size_t off, const char *fmt, ...)
{
    char msg[512], path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cfg_node_path(p->node, path, sizeof(path));
    uint32_t line, col;
    if (scalar_pos(p->c, p->node, off, &line, &col))
        corr_error_at(p->c, p->node->file, line, col, path, "%s", msg);
    else
        corr_error_at(p->c, p->node->file, p->node->line, p->node->col, path,
                      "%s (at character %zu)", msg, utf8_chars(p->s, off) + 1);
}

/* ---- tokens ------------------------------------------------------------------ */

static bool word_byte(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '*';
}

static bool word_is(const cparser_t *p, const ctok_t *t, const char *kw)
{
    return strlen(kw) == t->len && strncasecmp(p->s + t->off, kw, t->len) == 0;
}

static void next(cparser_t *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                             p->s[p->pos] == '\r'))
        p->pos++;
    ctok_t t = {.type = CT_END, .off = p->pos, .len = 0};
    if (p->pos < p->n) {
        char ch = p->s[p->pos];
        t.len = 1;
        if (ch == '(')
            t.type = CT_LP;
        else if (ch == ')')
            t.type = CT_RP;
        else if (ch == '|')
            t.type = CT_PIPE;
        else if (!word_byte(ch))
            t.type = CT_BAD;
        else {
            size_t e = p->pos;
            while (e < p->n && word_byte(p->s[e]))
                e++;
            t.len = e - p->pos;
            t.type = CT_NAME;
            static const struct {
                const char *kw;
                ctok_type_t type;
            } kws[] = {{"and", CT_AND}, {"or", CT_OR},   {"not", CT_NOT},  {"of", CT_OF},
                       {"1", CT_ONE},   {"all", CT_ALL}, {"them", CT_THEM}};
            for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
                if (word_is(p, &t, kws[i].kw)) t.type = kws[i].type;
        }
    }
    p->pos = t.off + t.len;
    p->cur = t;
}

/* The current token for a message: 'text' or "end of condition". */
static const char *shown(const cparser_t *p, char *buf, size_t cap)
{
    if (p->cur.type == CT_END) return "end of condition";
    char tmp[64];
    size_t len = p->cur.len;
    if (p->cur.type == CT_BAD) { /* a whole UTF-8 character */
        len = 1;
        while (p->cur.off + len < p->n && ((unsigned char)p->s[p->cur.off + len] & 0xc0) == 0x80)
            len++;
    }
    snprintf(buf, cap, "'%s'", err_quote(p->s + p->cur.off, len, tmp, sizeof(tmp)));
    return buf;
}

/* ---- nodes -------------------------------------------------------------------- */

static corr_cnode_t *new_node(cparser_t *p, corr_cop_t op, size_t nkids)
{
    if (++p->nodes > CORR_MAX_COND_NODES) {
        perr(p, p->cur.off, "condition has more than %d terms", CORR_MAX_COND_NODES);
        return NULL;
    }
    corr_cnode_t *n = corr_alloc(p->c->arena, sizeof(*n));
    const corr_cnode_t **kids = nkids ? corr_alloc(p->c->arena, nkids * sizeof(*kids)) : NULL;
    if (!n || (nkids && !kids)) {
        perr(p, p->cur.off, "out of memory");
        return NULL;
    }
    n->op = (uint8_t)op;
    n->n = (uint16_t)nkids;
    n->kids = kids;
    return n;
}

static const corr_cnode_t *binary(cparser_t *p, corr_cop_t op, const corr_cnode_t *a,
                                  const corr_cnode_t *b)
{
    corr_cnode_t *n = new_node(p, op, 2);
    if (!n) return NULL;
    ((const corr_cnode_t **)n->kids)[0] = a;
    ((const corr_cnode_t **)n->kids)[1] = b;
    return n;
}

static const corr_cnode_t *sel_node(cparser_t *p, const corr_sel_t *sel)
{
    corr_cnode_t *n = new_node(p, COND_SEL, 0);
    if (n) n->sel = sel;
    return n;
}

static bool name_glob(const char *pat, size_t pn, const char *s)
{
    size_t sn = strlen(s), pi = 0, si = 0, star = SIZE_MAX, mark = 0;
    while (si < sn) {
        if (pi < pn && pat[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && pat[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && pat[pi] == '*')
        pi++;
    return pi == pn;
}

/* '1 of' / 'all of' PATTERN|them: the OR / AND of the selections. */
static const corr_cnode_t *parse_of(cparser_t *p)
{
    corr_cop_t op = p->cur.type == CT_ONE ? COND_OR : COND_AND;
    char buf[80], tmp[64];
    next(p);
    if (p->cur.type != CT_OF) {
        perr(p, p->cur.off, "expected 'of', found %s", shown(p, buf, sizeof(buf)));
        return NULL;
    }
    next(p);
    bool them = p->cur.type == CT_THEM;
    if (!them && p->cur.type != CT_NAME) {
        perr(p, p->cur.off, "expected a selection name, a pattern or 'them', found %s",
             shown(p, buf, sizeof(buf)));
        return NULL;
    }
    const char *pat = p->s + p->cur.off;
    size_t pn = p->cur.len, count = 0;
    for (size_t i = 0; i < p->nsels; i++)
        count += them ? p->sels[i].name[0] != '_' : name_glob(pat, pn, p->sels[i].name);
    if (count == 0) {
        perr(p, p->cur.off, "'%s' matches no selection", err_quote(pat, pn, tmp, sizeof(tmp)));
        return NULL;
    }
    corr_cnode_t *n = new_node(p, op, count);
    if (!n) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < p->nsels; i++) {
        bool hit = them ? p->sels[i].name[0] != '_' : name_glob(pat, pn, p->sels[i].name);
        if (!hit) continue;
        const corr_cnode_t *s = sel_node(p, &p->sels[i]);
        if (!s) return NULL;
        ((const corr_cnode_t **)n->kids)[k++] = s;
    }
    next(p);
    return n;
}

static const corr_cnode_t *parse_or(cparser_t *p);

static const corr_cnode_t *parse_name(cparser_t *p)
{
    char tmp[64];
    const char *name = p->s + p->cur.off;
    size_t len = p->cur.len;
    if (strspn(name, "0123456789") >= len) {
        perr(p, p->cur.off, "only '1 of' and 'all of' are supported");
        return NULL;
    }
    if (memchr(name, '*', len)) {
        perr(p, p->cur.off, "pattern '%s' needs '1 of' or 'all of'",
             err_quote(name, len, tmp, sizeof(tmp)));
        return NULL;
    }
    for (size_t i = 0; i < p->nsels; i++) {
        if (strlen(p->sels[i].name) == len && memcmp(p->sels[i].name, name, len) == 0) {
            next(p);
            return sel_node(p, &p->sels[i]);
        }
    }
    perr(p, p->cur.off, "unknown selection '%s'", err_quote(name, len, tmp, sizeof(tmp)));
    return NULL;
}

static const corr_cnode_t *parse_primary(cparser_t *p)
{
    char buf[80];
    switch (p->cur.type) {
    case CT_LP: {
        size_t open = p->cur.off;
        if (++p->depth > CORR_MAX_COND_DEPTH) {
            perr(p, open, "condition nested deeper than %d", CORR_MAX_COND_DEPTH);
            return NULL;
        }
        next(p);
        const corr_cnode_t *e = parse_or(p);
        if (!e) return NULL;
        if (p->cur.type != CT_RP) {
            perr(p, p->cur.off, "expected ')' for the '(' at character %zu, found %s",
                 utf8_chars(p->s, open) + 1, shown(p, buf, sizeof(buf)));
            return NULL;
        }
        p->depth--;
        next(p);
        return e;
    }
    case CT_ONE:
    case CT_ALL: return parse_of(p);
    case CT_NAME: return parse_name(p);
    case CT_PIPE:
        perr(p, p->cur.off, "aggregations after '|' are not supported (use a correlation rule)");
        return NULL;
    default:
        perr(p, p->cur.off, "expected a selection, found %s", shown(p, buf, sizeof(buf)));
        return NULL;
    }
}

static const corr_cnode_t *parse_not(cparser_t *p)
{
    if (p->cur.type != CT_NOT) return parse_primary(p);
    size_t at = p->cur.off;
    if (++p->depth > CORR_MAX_COND_DEPTH) {
        perr(p, at, "condition nested deeper than %d", CORR_MAX_COND_DEPTH);
        return NULL;
    }
    next(p);
    const corr_cnode_t *e = parse_not(p);
    p->depth--;
    if (!e) return NULL;
    corr_cnode_t *n = new_node(p, COND_NOT, 1);
    if (n) ((const corr_cnode_t **)n->kids)[0] = e;
    return n;
}

static const corr_cnode_t *parse_and(cparser_t *p)
{
    const corr_cnode_t *left = parse_not(p);
    while (left && p->cur.type == CT_AND) {
        next(p);
        const corr_cnode_t *right = parse_not(p);
        left = right ? binary(p, COND_AND, left, right) : NULL;
    }
    return left;
}

static const corr_cnode_t *parse_or(cparser_t *p)
{
    const corr_cnode_t *left = parse_and(p);
    while (left && p->cur.type == CT_OR) {
        next(p);
        const corr_cnode_t *right = parse_and(p);
        left = right ? binary(p, COND_OR, left, right) : NULL;
    }
    return left;
}

static const corr_cnode_t *compile_one(corr_ctx_t *c, const cfg_node_t *n, const corr_sel_t *sels,
                                       size_t nsels, size_t *nodes)
{
    if (n->type != CFG_SCALAR || cfg_node_is_null(n)) {
        corr_error(c, n, "expected a condition like 'selection and not filter'");
        return NULL;
    }
    if (n->len > CORR_MAX_COND_LEN) {
        corr_error(c, n, "condition longer than %d bytes", CORR_MAX_COND_LEN);
        return NULL;
    }
    cparser_t p = {
        .c = c, .node = n, .s = n->str, .n = n->len, .sels = sels, .nsels = nsels, .nodes = *nodes};
    next(&p);
    if (p.cur.type == CT_END) {
        perr(&p, 0, "empty condition");
        return NULL;
    }
    const corr_cnode_t *root = parse_or(&p);
    char buf[80];
    if (root && p.cur.type != CT_END) {
        if (p.cur.type == CT_RP)
            perr(&p, p.cur.off, "unbalanced ')'");
        else if (p.cur.type == CT_PIPE)
            perr(&p, p.cur.off,
                 "aggregations after '|' are not supported (use a correlation rule)");
        else
            perr(&p, p.cur.off, "expected 'and', 'or' or the end, found %s",
                 shown(&p, buf, sizeof(buf)));
        return NULL;
    }
    *nodes = p.nodes;
    return root;
}

const corr_cnode_t *corr_cond_compile(corr_ctx_t *c, const cfg_node_t *n, const corr_sel_t *sels,
                                      size_t nsels)
{
    size_t nodes = 0;
    if (n->type != CFG_SEQ) return compile_one(c, n, sels, nsels, &nodes);
    if (n->count == 0 || n->count > CORR_MAX_COND_NODES) {
        corr_error(c, n, "expected 1..%d conditions", CORR_MAX_COND_NODES);
        return NULL;
    }
    corr_cnode_t *any = corr_alloc(c->arena, sizeof(*any));
    const corr_cnode_t **kids = corr_alloc(c->arena, n->count * sizeof(*kids));
    if (!any || !kids) {
        corr_error(c, n, "out of memory");
        return NULL;
    }
    any->op = COND_OR;
    any->n = (uint16_t)n->count;
    any->kids = kids;
    size_t k = 0;
    for (const cfg_node_t *item = n->child; item; item = item->next)
        if (!(kids[k++] = compile_one(c, item, sels, nsels, &nodes))) return NULL;
    return any;
}

/* ---- evaluation ------------------------------------------------------------------ */

bool corr_cond_eval(const corr_cnode_t *node, const corr_event_t *ev)
{
    switch (node->op) {
    case COND_SEL: return corr_sel_eval(node->sel, ev);
    case COND_NOT: return !corr_cond_eval(node->kids[0], ev);
    case COND_AND:
        for (unsigned i = 0; i < node->n; i++)
            if (!corr_cond_eval(node->kids[i], ev)) return false;
        return true;
    default:
        for (unsigned i = 0; i < node->n; i++)
            if (corr_cond_eval(node->kids[i], ev)) return true;
        return false;
    }
}
