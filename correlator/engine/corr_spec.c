/* corr_spec.c -- the `correlation:` block of a Sigma correlation rule (v2):
 *
 *     correlation:
 *       type: event_count | value_count | temporal | temporal_ordered
 *       rules: [NAME-or-ID, ...]
 *       group-by: [FIELD, ...]
 *       timespan: 5m
 *       condition: {gte: 10}            # value_count: {gte: 20, field: dest_port}
 *       aliases: {ALIAS: {RULE: FIELD, ...}}
 *       generate: false
 *
 * References and aliases are kept as written (with their positions) and
 * resolved by the loader once every file is read. */
#include <stdio.h>
#include <string.h>

#include "engine/corr_int.h"

#define MAX_THRESHOLD 1000000000ull

static const struct {
    const char *name;
    corr_type_t type;
} types[] = {
    {"event_count", CORR_TYPE_EVENT_COUNT},
    {"value_count", CORR_TYPE_VALUE_COUNT},
    {"temporal", CORR_TYPE_TEMPORAL},
    {"temporal_ordered", CORR_TYPE_TEMPORAL_ORDERED},
};

static const char *const ops[] = {"gt", "gte", "lt", "lte", "eq", "neq", NULL};

static bool is_temporal(corr_type_t t)
{
    return t == CORR_TYPE_TEMPORAL || t == CORR_TYPE_TEMPORAL_ORDERED;
}

static bool parse_type(corr_ctx_t *c, const cfg_node_t *n, corr_rule_t *rule)
{
    char tmp[64];
    if (!corr_scalar(c, n, "a correlation type")) return false;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(n->str, types[i].name) == 0) {
            rule->corr.type = types[i].type;
            rule->corr.ordered = types[i].type == CORR_TYPE_TEMPORAL_ORDERED;
            return true;
        }
    }
    corr_error(c, n,
               "unknown correlation type '%s' (event_count, value_count, temporal, "
               "temporal_ordered)",
               err_quote(n->str, n->len, tmp, sizeof(tmp)));
    return false;
}

/* A scalar or a list of scalars: calls each item. */
static size_t list_items(const cfg_node_t *n, const cfg_node_t **items, size_t max)
{
    if (n->type != CFG_SEQ) {
        items[0] = n;
        return 1;
    }
    size_t k = 0;
    for (const cfg_node_t *i = n->child; i && k < max; i = i->next)
        items[k++] = i;
    return k;
}

static bool parse_rules(corr_ctx_t *c, const cfg_node_t *n, corr_rule_priv_t *priv)
{
    const cfg_node_t *items[CORR_MAX_REFS];
    char tmp[80];
    if (n->type == CFG_MAP) {
        corr_error(c, n, "expected a list of rule names or ids, got a mapping");
        return false;
    }
    if (n->type == CFG_SEQ && (n->count == 0 || n->count > CORR_MAX_REFS)) {
        corr_error(c, n, "expected 1..%d rule names or ids", CORR_MAX_REFS);
        return false;
    }
    size_t k = list_items(n, items, CORR_MAX_REFS);
    priv->refs = corr_alloc(c->arena, k * sizeof(*priv->refs));
    if (!priv->refs) {
        corr_error(c, n, "out of memory");
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        const cfg_node_t *it = items[i];
        if (!corr_scalar(c, it, "a rule name or id")) return false;
        if (!corr_ident_ok(it->str, it->len)) {
            corr_error(c, it, "'%s' is not a rule name or id",
                       err_quote(it->str, it->len, tmp, sizeof(tmp)));
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(priv->refs[j].text, it->str) == 0) {
                corr_error(c, it, "rule '%s' listed twice", it->str);
                return false;
            }
        }
        priv->refs[i] =
            (corr_ref_t){corr_strndup(c->arena, it->str, it->len), corr_pos(c, it, false)};
        if (!priv->refs[i].text) {
            corr_error(c, it, "out of memory");
            return false;
        }
    }
    priv->nrefs = k;
    return true;
}

/* A field or alias name, checked as a field would be. */
static const char *field_name(corr_ctx_t *c, const cfg_node_t *n, const char *what)
{
    if (!corr_scalar(c, n, what)) return NULL;
    corr_field_t f;
    char why[128];
    if (!corr_field_compile(c->arena, n->str, n->len, &f, why, sizeof(why))) {
        corr_error(c, n, "%s", why);
        return NULL;
    }
    return f.name;
}

static bool parse_group_by(corr_ctx_t *c, const cfg_node_t *n, corr_rule_t *rule)
{
    const cfg_node_t *items[CORR_MAX_GROUP_BY];
    if (n->type == CFG_MAP) {
        corr_error(c, n, "expected a list of fields, got a mapping");
        return false;
    }
    if (n->type == CFG_SEQ && n->count > CORR_MAX_GROUP_BY) {
        corr_error(c, n, "more than %d group-by fields", CORR_MAX_GROUP_BY);
        return false;
    }
    if (cfg_node_is_null(n)) return true;
    size_t k = list_items(n, items, CORR_MAX_GROUP_BY);
    const char **names = corr_alloc(c->arena, (k ? k : 1) * sizeof(*names));
    if (!names) {
        corr_error(c, n, "out of memory");
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        if (!(names[i] = field_name(c, items[i], "a field name"))) return false;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(names[j], names[i]) == 0) {
                corr_error(c, items[i], "field '%s' listed twice", names[i]);
                return false;
            }
        }
    }
    rule->corr.group_by = names;
    rule->corr.ngroup_by = k;
    return true;
}

static bool parse_threshold(corr_ctx_t *c, const cfg_node_t *n, uint64_t *out)
{
    char tmp[64];
    if (!corr_scalar(c, n, "an integer")) return false;
    uint64_t v = 0;
    bool ok = n->len > 0 && n->len <= 10;
    for (size_t i = 0; ok && i < n->len; i++) {
        ok = n->str[i] >= '0' && n->str[i] <= '9';
        v = v * 10 + (uint64_t)(n->str[i] - '0');
    }
    if (!ok || v > MAX_THRESHOLD) {
        corr_error(c, n, "expected an integer 0..%llu, got '%s'", MAX_THRESHOLD,
                   err_quote(n->str, n->len, tmp, sizeof(tmp)));
        return false;
    }
    *out = v;
    return true;
}

static bool parse_condition(corr_ctx_t *c, const cfg_node_t *n, corr_rule_t *rule)
{
    static const char *const known[] = {"gt", "gte", "lt", "lte", "eq", "neq", "field", NULL};
    if (n->type != CFG_MAP) {
        corr_error(c, n, "expected a mapping like {gte: 10}");
        return false;
    }
    if (!corr_check_keys(c, n, known)) return false;
    const cfg_node_t *op = NULL, *field = NULL;
    for (const cfg_node_t *m = n->child; m; m = m->next) {
        if (strcmp(m->key, "field") == 0) {
            field = m;
            continue;
        }
        if (op) {
            corr_error_key(c, m, "give one of gt, gte, lt, lte, eq, neq (already '%s')", op->key);
            return false;
        }
        op = m;
    }
    if (!op) {
        corr_error(c, n, "expected one of gt, gte, lt, lte, eq, neq");
        return false;
    }
    for (int i = 0; ops[i]; i++)
        if (strcmp(op->key, ops[i]) == 0) rule->corr.op = (corr_op_t)i;
    if (!parse_threshold(c, op, &rule->corr.threshold)) return false;
    rule->corr.has_condition = true;
    if (rule->corr.type == CORR_TYPE_VALUE_COUNT) {
        if (!field) {
            corr_error(c, n, "value_count needs 'field' (the field whose distinct values count)");
            return false;
        }
        return (rule->corr.field = field_name(c, field, "a field name")) != NULL;
    }
    if (field) {
        corr_error_key(c, field, "'field' is only for value_count");
        return false;
    }
    return true;
}

static bool parse_aliases(corr_ctx_t *c, const cfg_node_t *n, corr_rule_priv_t *priv)
{
    if (n->type != CFG_MAP) {
        corr_error(c, n, "expected a mapping ALIAS: {RULE: FIELD, ...}");
        return false;
    }
    if (n->count > CORR_MAX_ALIASES) {
        corr_error(c, n, "more than %d aliases", CORR_MAX_ALIASES);
        return false;
    }
    priv->alias_src = corr_alloc(c->arena, (n->count ? n->count : 1) * sizeof(*priv->alias_src));
    if (!priv->alias_src) {
        corr_error(c, n, "out of memory");
        return false;
    }
    for (const cfg_node_t *a = n->child; a; a = a->next) {
        corr_alias_src_t *as = &priv->alias_src[priv->nalias_src++];
        corr_field_t f;
        char why[128];
        if (!corr_field_compile(c->arena, a->key, a->key_len, &f, why, sizeof(why))) {
            corr_error_key(c, a, "%s", why);
            return false;
        }
        if (a->type != CFG_MAP || a->count == 0 || a->count > CORR_MAX_REFS) {
            corr_error(c, a, "expected a mapping of 1..%d RULE: FIELD", CORR_MAX_REFS);
            return false;
        }
        as->name = f.name;
        as->pos = corr_pos(c, a, true);
        as->rule = corr_alloc(c->arena, a->count * sizeof(*as->rule));
        as->field = corr_alloc(c->arena, a->count * sizeof(*as->field));
        if (!as->rule || !as->field) {
            corr_error(c, a, "out of memory");
            return false;
        }
        for (const cfg_node_t *m = a->child; m; m = m->next) {
            char tmp[80];
            if (!corr_ident_ok(m->key, m->key_len)) {
                corr_error_key(c, m, "'%s' is not a rule name or id",
                               err_quote(m->key, m->key_len, tmp, sizeof(tmp)));
                return false;
            }
            as->rule[as->n] =
                (corr_ref_t){corr_strndup(c->arena, m->key, m->key_len), corr_pos(c, m, true)};
            if (!as->rule[as->n].text || !(as->field[as->n] = field_name(c, m, "a field name")))
                return c->failed ? false : (corr_error(c, m, "out of memory"), false);
            as->n++;
        }
    }
    return true;
}

bool corr_spec_parse(corr_ctx_t *c, const cfg_node_t *corr, corr_rule_t *rule,
                     corr_rule_priv_t *priv)
{
    static const char *const known[] = {"type",    "rules",    "group-by", "timespan", "condition",
                                        "aliases", "generate", "ordered",  NULL};
    if (corr->type != CFG_MAP) {
        corr_error(c, corr, "expected a mapping");
        return false;
    }
    if (!corr_check_keys(c, corr, known)) return false;
    const cfg_node_t *type = cfg_node_child(corr, "type");
    const cfg_node_t *rules = cfg_node_child(corr, "rules");
    const cfg_node_t *group = cfg_node_child(corr, "group-by");
    const cfg_node_t *span = cfg_node_child(corr, "timespan");
    const cfg_node_t *cond = cfg_node_child(corr, "condition");
    const cfg_node_t *aliases = cfg_node_child(corr, "aliases");
    const cfg_node_t *generate = cfg_node_child(corr, "generate");
    const cfg_node_t *ordered = cfg_node_child(corr, "ordered");

    if (!type) return corr_error(c, corr, "missing 'type'"), false;
    if (!parse_type(c, type, rule)) return false;
    if (!rules) return corr_error(c, corr, "missing 'rules'"), false;
    if (!parse_rules(c, rules, priv)) return false;
    corr_type_t t = rule->corr.type;
    if (is_temporal(t) && priv->nrefs < 2) {
        corr_error(c, rules, "%s needs at least 2 rules", corr_type_name(t));
        return false;
    }
    if (group && !parse_group_by(c, group, rule)) return false;
    if (is_temporal(t) && rule->corr.ngroup_by == 0) {
        corr_error(c, group ? group : corr, "%s needs 'group-by' (events of one group key)",
                   corr_type_name(t));
        return false;
    }
    if (!span) return corr_error(c, corr, "missing 'timespan'"), false;
    if (!corr_duration_usec(c, span, 1, &rule->corr.timespan_usec)) return false;
    if (is_temporal(t) && cond) {
        corr_error_key(c, cond, "%s takes no condition (every listed rule must match)",
                       corr_type_name(t));
        return false;
    }
    if (!is_temporal(t) && !cond) return corr_error(c, corr, "missing 'condition'"), false;
    if (cond && !parse_condition(c, cond, rule)) return false;
    if (aliases && !parse_aliases(c, aliases, priv)) return false;
    if (generate) {
        if (!corr_bool(c, generate, &rule->corr.generate)) return false;
        priv->generate_set = true;
    }
    if (ordered) {
        bool o;
        if (!corr_bool(c, ordered, &o)) return false;
        if (!is_temporal(t)) {
            corr_error_key(c, ordered, "'ordered' is only for temporal correlations");
            return false;
        }
        if (t == CORR_TYPE_TEMPORAL_ORDERED && !o) {
            corr_error(c, ordered, "ordered: false contradicts type temporal_ordered");
            return false;
        }
        if (o) {
            rule->corr.type = CORR_TYPE_TEMPORAL_ORDERED;
            rule->corr.ordered = true;
        }
    }
    return true;
}
