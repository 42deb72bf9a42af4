/* corr_rule.h -- correlation rules: the Sigma-style rule language.
 *
 * Rule files (rules/correlation/NAME.yml, described in
 * rules/correlation/README.md) hold YAML documents of two kinds:
 *   - detection rules: a logsource category (the EVE event_type) and a
 *     Sigma detection block, matched against one event at a time with
 *     corr_rule_match();
 *   - correlation rules (Sigma correlation rules v2): event_count,
 *     value_count, temporal and temporal_ordered over other rules, parsed
 *     into a corr_spec_t the window engine executes.
 *
 * A ruleset is loaded once; a rule with an error is skipped with one line
 *     FILE:LINE:COL: rule ID: what
 * and the others load. Everything in a ruleset is read-only after loading,
 * so any number of threads may evaluate it at once. Evaluation never
 * allocates (apart from one small PCRE2 match block per thread, on the
 * first regular expression it runs; corr_thread_cleanup() frees it). */
#ifndef SOC_CORR_RULE_H
#define SOC_CORR_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/corr_event.h"

#define CORR_MAX_RULES     10000 /* per ruleset */
#define CORR_MAX_GROUP_BY  8     /* group-by fields of one correlation rule */
#define CORR_KEY_MAX       4096  /* enough for any group key corr_group_key renders */
#define CORR_KEY_VALUE_MAX 256   /* bytes of one rendered value; longer ones end in "#<hash>" */

/* logsource.category: which events a detection rule looks at. */
typedef enum corr_category {
    CORR_CAT_NONE = -1, /* correlation rules; events of another event_type */
    CORR_CAT_ALERT = 0,
    CORR_CAT_FLOW,
    CORR_CAT_DNS,
    CORR_CAT_HTTP,
    CORR_CAT_TLS,
    CORR_CAT_ANOMALY,
    CORR_CAT_STATS,
    CORR_CAT_CORRELATION, /* the correlator's own outputs (event_type "correlation") */
    CORR_CAT_COUNT
} corr_category_t;

/* Sigma levels; the number is the rule's severity. */
typedef enum corr_level {
    CORR_LEVEL_INFORMATIONAL = 0,
    CORR_LEVEL_LOW = 1,
    CORR_LEVEL_MEDIUM = 2,
    CORR_LEVEL_HIGH = 3,
    CORR_LEVEL_CRITICAL = 4,
} corr_level_t;

typedef enum corr_type {
    CORR_TYPE_NONE = 0,         /* a detection rule */
    CORR_TYPE_EVENT_COUNT,      /* events of the rules per group and timespan vs condition */
    CORR_TYPE_VALUE_COUNT,      /* distinct values of condition.field vs condition */
    CORR_TYPE_TEMPORAL,         /* every listed rule matched within timespan */
    CORR_TYPE_TEMPORAL_ORDERED, /* ... and in the listed order */
} corr_type_t;

typedef enum corr_op {
    CORR_OP_GT,
    CORR_OP_GTE,
    CORR_OP_LT,
    CORR_OP_LTE,
    CORR_OP_EQ,
    CORR_OP_NEQ,
} corr_op_t;

typedef struct corr_rule corr_rule_t;
typedef struct corr_rule_priv corr_rule_priv_t; /* compiled detection, group-by fields */
typedef struct corr_ruleset corr_ruleset_t;

/* One entry of a correlation rule's `aliases:` block: the field that
 * stands for `name` in the events of each referenced rule. */
typedef struct corr_alias {
    const char *name;
    const char *const *fields; /* fields[i] belongs to spec.rules[i] */
} corr_alias_t;

/* The parsed `correlation:` block. */
typedef struct corr_spec {
    corr_type_t type;
    bool ordered;                    /* temporal_ordered */
    const corr_rule_t *const *rules; /* resolved references, in the listed order */
    size_t nrules;
    const char *const *group_by; /* field or alias names, as written */
    size_t ngroup_by;
    int64_t timespan_usec;
    bool has_condition; /* event_count and value_count always have one */
    corr_op_t op;       /* condition: count OP threshold */
    uint64_t threshold;
    const char *field; /* value_count: the field whose distinct values count */
    const corr_alias_t *aliases;
    size_t naliases;
    bool generate; /* the referenced rules also raise incidents themselves */
} corr_spec_t;

/* A loaded rule. Read-only; owned by its ruleset. */
struct corr_rule {
    const char *id;
    const char *name; /* short name other rules refer to, or NULL */
    const char *title;
    const char *description; /* "" when absent (also author, status) */
    const char *author;
    const char *status;
    unsigned version;
    int severity;               /* corr_level_t */
    corr_category_t category;   /* detection rules; CORR_CAT_NONE for correlation rules */
    corr_spec_t corr;           /* correlation rules (corr.type != CORR_TYPE_NONE) */
    bool standalone;            /* raises incidents on its own (see Sigma's `generate`) */
    int64_t suppress_usec;      /* one incident per group key per this long; 0: no suppression */
    const char *const *tactics; /* ATT&CK tactic short names: "initial-access" */
    size_t ntactics;
    const char *const *techniques; /* "T1190", "T1110.001" */
    size_t ntechniques;
    const char *const *tags; /* every tag as written */
    size_t ntags;
    const char *const *falsepositives;
    size_t nfalsepositives;
    const corr_rule_t *const *used_by; /* correlation rules that reference this one */
    size_t nused_by;
    const char *file; /* where the rule's document starts */
    unsigned line;
    size_t index; /* position in the ruleset */
    const corr_rule_priv_t *priv;
};

static inline bool corr_rule_is_correlation(const corr_rule_t *r)
{
    return r->corr.type != CORR_TYPE_NONE;
}

/* ---- loading ------------------------------------------------------------ */

/* Receives each error line (no newline). NULL: lines go to log_warn. */
typedef void (*corr_diag_fn)(void *ud, const char *line);

/* Load rule files and directories (every *.yml and *.yaml directly in a
 * directory, in name order). NULL only when out of memory. A path that
 * cannot be read, or a file that is not YAML, is reported and counts as one
 * skipped rule. */
corr_ruleset_t *corr_ruleset_load(const char *const paths[], size_t npaths, corr_diag_fn diag,
                                  void *ud);
/* Same for one buffer; name stands for the file name in messages. */
corr_ruleset_t *corr_ruleset_load_buffer(const char *name, const char *text, size_t len,
                                         corr_diag_fn diag, void *ud);
void corr_ruleset_free(corr_ruleset_t *rs);

size_t corr_ruleset_loaded(const corr_ruleset_t *rs);
size_t corr_ruleset_skipped(const corr_ruleset_t *rs);

/* Every loaded rule, in load order: for (i = 0; i < count; i++) rule(rs, i). */
size_t corr_ruleset_count(const corr_ruleset_t *rs);
const corr_rule_t *corr_ruleset_rule(const corr_ruleset_t *rs, size_t i);
/* Rule by id or name, or NULL. */
const corr_rule_t *corr_ruleset_find(const corr_ruleset_t *rs, const char *id_or_name);

/* The detection rules of one category (the pre-filter: only these need
 * corr_rule_match for an event of that event_type). Returns the count. */
size_t corr_ruleset_detections(const corr_ruleset_t *rs, corr_category_t cat,
                               const corr_rule_t *const **out);
/* Every correlation rule. */
size_t corr_ruleset_correlations(const corr_ruleset_t *rs, const corr_rule_t *const **out);

/* ---- evaluation --------------------------------------------------------- */

/* The category of an event from its event_type, or CORR_CAT_NONE. */
corr_category_t corr_event_category(const corr_event_t *ev);

/* Whether a detection rule's detection block matches the event (false for
 * correlation rules). The logsource category is not checked here: take the
 * rules from corr_ruleset_detections(). No allocation. */
bool corr_rule_match(const corr_rule_t *rule, const corr_event_t *ev);

/* The group key of an event for a rule: "src_ip=1.2.3.4|dest_ip=10.20.0.10",
 * the group-by names as written and each value of the event: strings
 * unescaped, numbers as in the JSON, backslash, '|' and control bytes
 * escaped (backslash-backslash, backslash-bar, backslash-xNN); a value
 * longer than CORR_KEY_VALUE_MAX once rendered is cut to 239 bytes and
 * ends in '#' and 16 hex digits of FNV-1a 64 of the whole value.
 * `matched` is the referenced rule whose match brought the event (it
 * selects the field of each `aliases:` entry); NULL takes the alias name
 * itself as the field. Returns the length, NUL-terminated in out, or 0
 * when a group-by field is missing from the event (the rule does not apply
 * to it) or cap is too small (CORR_KEY_MAX is always enough). A
 * correlation rule without group-by has the one key "*"; a detection rule
 * (its suppress key) uses src_ip and dest_ip where present, else "*". */
size_t corr_group_key_for(const corr_rule_t *rule, const corr_rule_t *matched,
                          const corr_event_t *ev, char *out, size_t cap);
static inline size_t corr_group_key(const corr_rule_t *rule, const corr_event_t *ev, char *out,
                                    size_t cap)
{
    return corr_group_key_for(rule, NULL, ev, out, cap);
}
/* value_count: the value of condition.field in the event, rendered like
 * one group key value (no name). 0 when missing or not a value_count rule. */
size_t corr_count_value(const corr_rule_t *rule, const corr_rule_t *matched, const corr_event_t *ev,
                        char *out, size_t cap);

/* Whether `count OP threshold` holds. */
bool corr_op_holds(corr_op_t op, uint64_t count, uint64_t threshold);

/* Frees this thread's PCRE2 match block (threads that evaluated regular
 * expressions call it before they end). */
void corr_thread_cleanup(void);

/* ---- names -------------------------------------------------------------- */

const char *corr_category_name(corr_category_t cat); /* "alert" ... "correlation", "?" */
const char *corr_level_name(int severity);           /* "informational" ... "critical" */
const char *corr_type_name(corr_type_t type);        /* "event_count" ..., "detection" */
const char *corr_op_name(corr_op_t op);              /* "gt" ... "neq" */

#endif
