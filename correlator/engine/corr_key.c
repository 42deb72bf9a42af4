/* corr_key.c -- group keys: which window of a correlation rule an event
 * belongs to ("src_ip=1.2.3.4|dest_ip=10.20.0.10"), the value_count field,
 * and the names of the language's enums. */
#include <string.h>

#include "engine/corr_int.h"

/* Appends "name=value" (with '|' before all but the first); false when a
 * value is missing or out is full. */
static bool append_field(const char *name, const corr_field_t *f, const corr_event_t *ev, char *out,
                         size_t cap, size_t *len)
{
    size_t nl = strlen(name), vl;
    size_t need = (*len ? 1 : 0) + nl + 1;
    if (*len + need >= cap) return false;
    size_t o = *len;
    if (o) out[o++] = '|';
    memcpy(out + o, name, nl);
    o += nl;
    out[o++] = '=';
    if (!corr_field_render(f, ev, out + o, cap - o, &vl)) return false;
    *len = o + vl;
    return true;
}

static size_t star_key(char *out, size_t cap)
{
    if (cap < 2) return 0;
    memcpy(out, "*", 2);
    return 1;
}

/* Detection rules: src_ip and dest_ip where the event has them. */
static size_t detection_key(const corr_event_t *ev, char *out, size_t cap)
{
    static const corr_field_t fields[2] = {
        {.name = "src_ip", .npaths = 1, .path = {{.nseg = 1, .seg = {{.s = "src_ip", .len = 6}}}}},
        {.name = "dest_ip",
         .npaths = 1,
         .path = {{.nseg = 1, .seg = {{.s = "dest_ip", .len = 7}}}}},
    };
    size_t len = 0;
    for (int i = 0; i < 2; i++) {
        size_t before = len;
        if (!append_field(fields[i].name, &fields[i], ev, out, cap, &len)) {
            len = before; /* missing here: leave it out */
            if (cap) out[len] = '\0';
        }
    }
    return len ? len : star_key(out, cap);
}

static size_t matched_index(const corr_rule_t *rule, const corr_rule_t *matched)
{
    for (size_t i = 0; matched && i < rule->corr.nrules; i++)
        if (rule->corr.rules[i] == matched) return i;
    return rule->corr.nrules; /* the entry for "no matched rule" */
}

size_t corr_group_key_for(const corr_rule_t *rule, const corr_rule_t *matched,
                          const corr_event_t *ev, char *out, size_t cap)
{
    if (!rule || !ev || !out || cap == 0) return 0;
    out[0] = '\0';
    if (!corr_rule_is_correlation(rule)) return detection_key(ev, out, cap);
    if (rule->corr.ngroup_by == 0) return star_key(out, cap);
    const corr_rule_priv_t *p = rule->priv;
    size_t nr = rule->corr.nrules, i = matched_index(rule, matched), len = 0;
    for (size_t g = 0; g < rule->corr.ngroup_by; g++) {
        if (!append_field(rule->corr.group_by[g], p->group[g * (nr + 1) + i], ev, out, cap, &len)) {
            out[0] = '\0';
            return 0;
        }
    }
    out[len] = '\0';
    return len;
}

size_t corr_count_value(const corr_rule_t *rule, const corr_rule_t *matched, const corr_event_t *ev,
                        char *out, size_t cap)
{
    if (!rule || !ev || !out || cap == 0) return 0;
    out[0] = '\0';
    if (rule->corr.type != CORR_TYPE_VALUE_COUNT || !rule->priv->count_field) return 0;
    size_t len;
    if (!corr_field_render(rule->priv->count_field[matched_index(rule, matched)], ev, out, cap,
                           &len))
        return 0;
    return len;
}

bool corr_op_holds(corr_op_t op, uint64_t count, uint64_t threshold)
{
    switch (op) {
    case CORR_OP_GT: return count > threshold;
    case CORR_OP_GTE: return count >= threshold;
    case CORR_OP_LT: return count < threshold;
    case CORR_OP_LTE: return count <= threshold;
    case CORR_OP_EQ: return count == threshold;
    case CORR_OP_NEQ: return count != threshold;
    }
    return false;
}

const char *corr_type_name(corr_type_t type)
{
    switch (type) {
    case CORR_TYPE_NONE: return "detection";
    case CORR_TYPE_EVENT_COUNT: return "event_count";
    case CORR_TYPE_VALUE_COUNT: return "value_count";
    case CORR_TYPE_TEMPORAL: return "temporal";
    case CORR_TYPE_TEMPORAL_ORDERED: return "temporal_ordered";
    }
    return "?";
}

const char *corr_op_name(corr_op_t op)
{
    static const char *const names[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
    return (unsigned)op < 6 ? names[op] : "?";
}
