/* corr_resolve.c -- after every file is read: the references of
 * correlation rules (names or ids) become pointers, their aliases and
 * group-by fields are compiled per referenced rule, and the loaded rules
 * are indexed (by category, reverse links, Sigma's generate).
 *
 * A reference to an unknown or skipped rule skips the correlation rule;
 * correlation rules may use other correlation rules, and those that wait
 * on each other in a cycle are skipped too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/corr_set.h"

/* ---- references ------------------------------------------------------------------ */

static corr_ctx_t rule_ctx(corr_ruleset_t *rs, const corr_rule_t *r)
{
    corr_ctx_t c = {.arena = rs->arena, .file = r->file};
    snprintf(c.label, sizeof(c.label), "%s", r->id);
    return c;
}

static int ref_index(const corr_rule_t *r, const corr_rule_t *t)
{
    for (size_t i = 0; i < r->corr.nrules; i++)
        if (r->corr.rules[i] == t) return (int)i;
    return -1;
}

static bool compile_field(corr_ctx_t *c, const char *name, const corr_field_t **out)
{
    corr_field_t *f = corr_alloc(c->arena, sizeof(*f));
    char why[128];
    if (!f) return corr_error_at(c, NULL, 0, 0, "", "out of memory"), false;
    if (!corr_field_compile(c->arena, name, strlen(name), f, why, sizeof(why)))
        return corr_error_at(c, NULL, 0, 0, "", "%s", why), false;
    *out = f;
    return true;
}

/* aliases: NAME: {RULE: FIELD} into corr.aliases, one field per rule. */
static bool resolve_aliases(corr_ruleset_t *rs, corr_ctx_t *c, corr_rule_t *r)
{
    corr_rule_priv_t *p = corr_mpriv(r);
    size_t nr = r->corr.nrules;
    corr_alias_t *al = corr_alloc(rs->arena, (p->nalias_src ? p->nalias_src : 1) * sizeof(*al));
    if (!al) return corr_error_at(c, NULL, 0, 0, "", "out of memory"), false;
    for (size_t a = 0; a < p->nalias_src; a++) {
        const corr_alias_src_t *s = &p->alias_src[a];
        const char **fields = corr_alloc(rs->arena, nr * sizeof(*fields));
        if (!fields) return corr_error_at(c, NULL, 0, 0, "", "out of memory"), false;
        for (size_t k = 0; k < s->n; k++) {
            hent_t *e = corr_set_get(rs, s->rule[k].text);
            int i = e && e->rule ? ref_index(r, e->rule) : -1;
            if (i < 0)
                return corr_error_pos(c, &s->rule[k].pos, "rule '%s' is not in correlation.rules",
                                      s->rule[k].text),
                       false;
            if (fields[i])
                return corr_error_pos(c, &s->rule[k].pos, "rule '%s' is mapped twice",
                                      s->rule[k].text),
                       false;
            fields[i] = s->field[k];
        }
        for (size_t i = 0; i < nr; i++)
            if (!fields[i])
                return corr_error_pos(c, &s->pos, "alias '%s' has no field for rule '%s'", s->name,
                                      p->refs[i].text),
                       false;
        al[a] = (corr_alias_t){s->name, fields};
    }
    r->corr.aliases = al;
    r->corr.naliases = p->nalias_src;
    return true;
}

/* The field a group-by (or value_count) name stands for with rule i. */
static const char *field_for(const corr_rule_t *r, const char *name, size_t i)
{
    for (size_t a = 0; a < r->corr.naliases; a++)
        if (strcmp(r->corr.aliases[a].name, name) == 0)
            return i < r->corr.nrules ? r->corr.aliases[a].fields[i] : name;
    return name;
}

static bool resolve_fields(corr_ruleset_t *rs, corr_ctx_t *c, corr_rule_t *r)
{
    corr_rule_priv_t *p = corr_mpriv(r);
    size_t nr = r->corr.nrules, ng = r->corr.ngroup_by;
    const corr_field_t **g = corr_alloc(rs->arena, (ng ? ng : 1) * (nr + 1) * sizeof(*g));
    const corr_field_t **cf = corr_alloc(rs->arena, (nr + 1) * sizeof(*cf));
    if (!g || !cf) return corr_error_at(c, NULL, 0, 0, "", "out of memory"), false;
    for (size_t k = 0; k < ng; k++)
        for (size_t i = 0; i <= nr; i++)
            if (!compile_field(c, field_for(r, r->corr.group_by[k], i), &g[k * (nr + 1) + i]))
                return false;
    for (size_t i = 0; r->corr.field && i <= nr; i++)
        if (!compile_field(c, field_for(r, r->corr.field, i), &cf[i])) return false;
    p->group = g;
    p->count_field = r->corr.field ? cf : NULL;
    return true;
}

/* Resolve r once every rule it names is settled (OK or BAD) or is one of
 * its ancestors in the walk (a cycle). Emits r's line when it fails. */
static void resolve_one(corr_ruleset_t *rs, corr_rule_t *r)
{
    corr_rule_priv_t *p = corr_mpriv(r);
    corr_ctx_t c = rule_ctx(rs, r);
    for (size_t i = 0; i < p->nrefs && !c.failed; i++) {
        const corr_ref_t *ref = &p->refs[i];
        hent_t *e = corr_set_get(rs, ref->text);
        const corr_rule_priv_t *tp = e && e->rule ? corr_mpriv(e->rule) : NULL;
        if (!e)
            corr_error_pos(&c, &ref->pos, "unknown rule '%s'", ref->text);
        else if (e->rule == r)
            corr_error_pos(&c, &ref->pos, "a rule cannot refer to itself");
        else if (tp && (tp->state == ST_VISITING || (tp->in_cycle && p->in_cycle)))
            corr_error_pos(&c, &ref->pos, "reference cycle through rule '%s'", ref->text);
        else if (!tp || tp->state == ST_BAD)
            corr_error_pos(&c, &ref->pos, "rule '%s' was skipped (see its error)", ref->text);
    }
    if (!c.failed) {
        const corr_rule_t **rules = corr_alloc(rs->arena, p->nrefs * sizeof(*rules));
        if (!rules) corr_error_at(&c, NULL, 0, 0, "", "out of memory");
        for (size_t i = 0; rules && i < p->nrefs; i++) {
            corr_rule_t *t = corr_set_get(rs, p->refs[i].text)->rule;
            for (size_t j = 0; j < i && !c.failed; j++)
                if (rules[j] == t)
                    corr_error_pos(&c, &p->refs[i].pos, "'%s' is rule %s again", p->refs[i].text,
                                   t->id);
            rules[i] = t;
        }
        r->corr.rules = rules;
        r->corr.nrules = p->nrefs;
        (void)(!c.failed && resolve_aliases(rs, &c, r) && resolve_fields(rs, &c, r));
    }
    if (c.failed) corr_set_emit_ctx(rs, p->file_seq, &c);
    p->state = c.failed ? ST_BAD : ST_OK;
}

/* Depth-first from root over references, with an explicit stack (chains
 * may be thousands of rules long): a rule is resolved after the rules it
 * uses. A reference to a rule still on the stack closes a cycle; every
 * rule on the stack from there up is in it. */
static bool walk_from(corr_ruleset_t *rs, corr_rule_t *root, corr_rule_t **stack, size_t *next)
{
    size_t top = 0;
    stack[top] = root;
    next[top++] = 0;
    corr_mpriv(root)->state = ST_VISITING;
    corr_mpriv(root)->stack_pos = 0;
    while (top > 0) {
        corr_rule_t *r = stack[top - 1];
        corr_rule_priv_t *p = corr_mpriv(r);
        if (next[top - 1] == p->nrefs) {
            top--;
            resolve_one(rs, r);
            continue;
        }
        hent_t *e = corr_set_get(rs, p->refs[next[top - 1]++].text);
        if (!e || !e->rule) continue;
        corr_rule_priv_t *tp = corr_mpriv(e->rule);
        if (tp->state == ST_PENDING) {
            if (top == rs->nall) return false; /* cannot happen: each rule is pushed once */
            tp->state = ST_VISITING;
            tp->stack_pos = top;
            stack[top] = e->rule;
            next[top++] = 0;
        } else if (tp->state == ST_VISITING) {
            for (size_t k = tp->stack_pos; k < top; k++)
                corr_mpriv(stack[k])->in_cycle = true;
        }
    }
    return true;
}

void corr_resolve_all(corr_ruleset_t *rs)
{
    for (size_t i = 0; i < rs->nall; i++)
        corr_mpriv(rs->all[i])->state = corr_rule_is_correlation(rs->all[i]) ? ST_PENDING : ST_OK;
    corr_rule_t **stack = calloc(rs->nall ? rs->nall : 1, sizeof(*stack));
    size_t *next = calloc(rs->nall ? rs->nall : 1, sizeof(*next));
    for (size_t i = 0; i < rs->nall; i++) {
        corr_rule_t *r = rs->all[i];
        if (corr_mpriv(r)->state != ST_PENDING) continue;
        if (!stack || !next || !walk_from(rs, r, stack, next)) {
            corr_ctx_t c = rule_ctx(rs, r); /* out of memory: skip what is left */
            corr_error_at(&c, NULL, 0, 0, "", "out of memory");
            corr_set_emit_ctx(rs, corr_mpriv(r)->file_seq, &c);
            corr_mpriv(r)->state = ST_BAD;
        }
    }
    free(stack);
    free(next);
}

/* ---- index ----------------------------------------------------------------------- */

bool corr_build_index(corr_ruleset_t *rs)
{
    rs->rules = calloc(rs->nall ? rs->nall : 1, sizeof(*rs->rules));
    if (!rs->rules) return false;
    size_t ncat[CORR_CAT_COUNT] = {0}, ncorr = 0;
    for (size_t i = 0; i < rs->nall; i++) {
        corr_rule_t *r = rs->all[i];
        if (corr_mpriv(r)->state != ST_OK) {
            rs->skipped++;
            continue;
        }
        r->index = rs->nrules;
        rs->rules[rs->nrules++] = r;
        if (corr_rule_is_correlation(r))
            ncorr++;
        else
            ncat[r->category]++;
        for (size_t k = 0; k < r->corr.nrules; k++)
            ((corr_rule_t *)r->corr.rules[k])->nused_by++;
    }
    for (int c = 0; c < CORR_CAT_COUNT; c++)
        if (!(rs->bycat[c] = corr_alloc(rs->arena, (ncat[c] + 1) * sizeof(corr_rule_t *))))
            return false;
    if (!(rs->corrs = corr_alloc(rs->arena, (ncorr + 1) * sizeof(corr_rule_t *)))) return false;
    for (size_t i = 0; i < rs->nrules; i++) {
        corr_rule_t *r = rs->rules[i];
        if (r->nused_by &&
            !(r->used_by = corr_alloc(rs->arena, r->nused_by * sizeof(corr_rule_t *))))
            return false;
        r->nused_by = 0; /* counted again while filling */
    }
    for (size_t i = 0; i < rs->nrules; i++) {
        corr_rule_t *r = rs->rules[i];
        if (corr_rule_is_correlation(r))
            rs->corrs[rs->ncorrs++] = r;
        else
            rs->bycat[r->category][rs->nbycat[r->category]++] = r;
        for (size_t k = 0; k < r->corr.nrules; k++) {
            corr_rule_t *t = (corr_rule_t *)r->corr.rules[k];
            ((const corr_rule_t **)t->used_by)[t->nused_by++] = r;
        }
    }
    /* Sigma's generate: a rule used by correlations raises incidents of its
     * own only when one of them says so. */
    for (size_t i = 0; i < rs->nrules; i++) {
        corr_rule_t *r = rs->rules[i];
        r->standalone = r->nused_by == 0;
        for (size_t k = 0; k < r->nused_by; k++)
            if (r->used_by[k]->corr.generate) r->standalone = true;
    }
    return true;
}
