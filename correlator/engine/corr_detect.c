/* corr_detect.c -- a Sigma detection block compiled into selections and a
 * condition tree, and its evaluation over one event.
 *
 * A selection is a mapping of `field|modifiers: value(s)` (all must match)
 * or a list of such mappings (any must match). */
#include <string.h>
#include <strings.h>

#include "engine/corr_int.h"

static bool is_keyword(const char *s, size_t n)
{
    static const char *const kw[] = {"and", "or", "not", "of", "all", "them", NULL};
    for (size_t i = 0; kw[i]; i++)
        if (strlen(kw[i]) == n && strncasecmp(kw[i], s, n) == 0) return true;
    return false;
}

static bool check_sel_name(corr_ctx_t *c, const cfg_node_t *member)
{
    const char *s = member->key;
    size_t n = member->key_len;
    bool ok = n > 0 && n <= 64 && !(s[0] >= '0' && s[0] <= '9');
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= '0' && s[i] <= '9') || s[i] == '_';
    char tmp[80];
    if (!ok) {
        corr_error_key(c, member,
                       "selection name '%s' must be 1..64 letters, digits and '_', not starting "
                       "with a digit",
                       err_quote(s, n, tmp, sizeof(tmp)));
        return false;
    }
    if (is_keyword(s, n)) {
        corr_error_key(c, member, "selection name '%s' is a condition keyword",
                       err_quote(s, n, tmp, sizeof(tmp)));
        return false;
    }
    return true;
}

/* One mapping of field: value entries (an AND). */
static bool compile_branch(corr_ctx_t *c, const cfg_node_t *map, corr_branch_t *b)
{
    if (map->count == 0) {
        corr_error(c, map, "empty selection");
        return false;
    }
    if (map->count > CORR_MAX_MATCHERS) {
        corr_error(c, map, "more than %d fields in one selection", CORR_MAX_MATCHERS);
        return false;
    }
    corr_fmatch_t *m = corr_alloc(c->arena, map->count * sizeof(*m));
    if (!m) {
        corr_error(c, map, "out of memory");
        return false;
    }
    size_t k = 0;
    for (const cfg_node_t *f = map->child; f; f = f->next)
        if (!corr_fmatch_compile(c, f, &m[k++])) return false;
    b->m = m;
    b->n = (uint16_t)map->count;
    return true;
}

static bool compile_selection(corr_ctx_t *c, const cfg_node_t *member, corr_sel_t *sel)
{
    sel->name = corr_strndup(c->arena, member->key, member->key_len);
    if (!sel->name) {
        corr_error(c, member, "out of memory");
        return false;
    }
    size_t nb = member->type == CFG_SEQ ? member->count : 1;
    if (member->type == CFG_SCALAR) {
        corr_error(c, member, "expected a mapping of field: value, or a list of them");
        return false;
    }
    if (nb == 0) {
        corr_error(c, member, "empty selection");
        return false;
    }
    if (nb > CORR_MAX_MATCHERS) {
        corr_error(c, member, "more than %d alternatives in one selection", CORR_MAX_MATCHERS);
        return false;
    }
    corr_branch_t *b = corr_alloc(c->arena, nb * sizeof(*b));
    if (!b) {
        corr_error(c, member, "out of memory");
        return false;
    }
    if (member->type == CFG_MAP) {
        if (!compile_branch(c, member, &b[0])) return false;
    } else {
        size_t k = 0;
        for (const cfg_node_t *item = member->child; item; item = item->next) {
            if (item->type != CFG_MAP) {
                corr_error(c, item,
                           "expected a mapping of field: value (plain keyword lists are not "
                           "supported)");
                return false;
            }
            if (!compile_branch(c, item, &b[k++])) return false;
        }
    }
    sel->b = b;
    sel->n = (uint16_t)nb;
    return true;
}

bool corr_detect_compile(corr_ctx_t *c, const cfg_node_t *det, corr_rule_priv_t *priv)
{
    if (det->type != CFG_MAP) {
        corr_error(c, det, "expected a mapping of selections and a condition");
        return false;
    }
    const cfg_node_t *cond = NULL;
    size_t nsels = 0;
    for (const cfg_node_t *m = det->child; m; m = m->next) {
        if (strcmp(m->key, "condition") == 0) {
            cond = m;
        } else if (strcmp(m->key, "timeframe") == 0) {
            corr_error_key(c, m, "timeframe is not supported (use a correlation rule)");
            return false;
        } else {
            if (!check_sel_name(c, m)) return false;
            nsels++;
        }
    }
    if (!cond) {
        corr_error(c, det, "missing 'condition'");
        return false;
    }
    if (nsels == 0) {
        corr_error(c, det, "no selections");
        return false;
    }
    if (nsels > CORR_MAX_SELECTIONS) {
        corr_error(c, det, "more than %d selections", CORR_MAX_SELECTIONS);
        return false;
    }
    corr_sel_t *sels = corr_alloc(c->arena, nsels * sizeof(*sels));
    if (!sels) {
        corr_error(c, det, "out of memory");
        return false;
    }
    size_t k = 0;
    for (const cfg_node_t *m = det->child; m; m = m->next)
        if (m != cond && !compile_selection(c, m, &sels[k++])) return false;
    priv->cond = corr_cond_compile(c, cond, sels, nsels);
    return priv->cond != NULL;
}

bool corr_sel_eval(const corr_sel_t *sel, const corr_event_t *ev)
{
    for (unsigned i = 0; i < sel->n; i++) {
        const corr_branch_t *b = &sel->b[i];
        unsigned k = 0;
        while (k < b->n && corr_fmatch_eval(&b->m[k], ev))
            k++;
        if (k == b->n) return true;
    }
    return false;
}

bool corr_rule_match(const corr_rule_t *rule, const corr_event_t *ev)
{
    if (!rule || !rule->priv || !rule->priv->cond || !ev) return false;
    return corr_cond_eval(rule->priv->cond, ev);
}
