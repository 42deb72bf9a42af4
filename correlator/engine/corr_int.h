/* corr_int.h -- internals of the rule language shared by the engine files:
 * the arena that owns a ruleset's memory, compiled field references, value
 * matchers, detection trees and the per-document load context. Not for use
 * outside correlator/engine/. */
#ifndef SOC_CORR_INT_H
#define SOC_CORR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "engine/corr_rule.h"

/* ---- limits (each bounds what one rule file can make us allocate) ------- */

#define CORR_MAX_SELECTIONS 64   /* named selections in one detection block */
#define CORR_MAX_MATCHERS   256  /* field: value entries in one selection */
#define CORR_MAX_VALUES     1024 /* values in one list */
#define CORR_MAX_COND_LEN   4096 /* bytes of one condition */
#define CORR_MAX_COND_DEPTH 32   /* nested parentheses and nots */
#define CORR_MAX_COND_NODES 512  /* nodes of one compiled condition */
#define CORR_MAX_REFS       64   /* rules referenced by one correlation rule */
#define CORR_MAX_ALIASES    16   /* entries of one aliases block */
#define CORR_MAX_TAGS       64
#define CORR_MAX_TEXT       4096 /* title, description ... */
#define CORR_MAX_ID         128
#define CORR_SEG_MAX        8              /* dotted segments of one field path */
#define CORR_FIELD_PATHS    4              /* alternatives of a built-in alias */
#define CORR_FIELD_NAME_MAX 128            /* bytes of a field name */
#define CORR_MAX_TIMESPAN   (30ll * 86400) /* seconds: timespan and suppress */

/* ---- arena ---------------------------------------------------------------- */

typedef struct corr_arena corr_arena_t;

corr_arena_t *corr_arena_new(void);
void corr_arena_free(corr_arena_t *a);
void *corr_alloc(corr_arena_t *a, size_t n); /* zeroed; NULL when out of memory */
char *corr_strndup(corr_arena_t *a, const char *s, size_t n);

/* ---- field references ---------------------------------------------------- */

typedef struct corr_seg {
    const char *s;
    uint32_t len;
    uint32_t hash; /* corr_doc_hash(s, len) for the index (0: not known, computed when used) */
} corr_seg_t;

typedef struct corr_path {
    uint8_t nseg;
    corr_seg_t seg[CORR_SEG_MAX];
} corr_path_t;

/* A field as a rule names it, with the event paths it stands for: one
 * path, or the alternatives of a built-in alias (the first one present in
 * the event is the field's value). */
typedef struct corr_field {
    const char *name;
    uint8_t npaths;
    corr_path_t path[CORR_FIELD_PATHS];
} corr_field_t;

/* Compile a field name (checked: non-empty segments, allowed bytes). On
 * error returns false with the reason in why. */
bool corr_field_compile(corr_arena_t *a, const char *name, size_t len, corr_field_t *out, char *why,
                        size_t whylen);

/* Called for each value of a field in an event (an array's elements one by
 * one); return true to stop. */
typedef bool (*corr_visit_fn)(const corr_doc_t *doc, const json_tok_t *t, void *arg);

/* Visit the values of f in the event: the first path present, in eve then
 * in extra. Returns how many values were visited (0: the field is missing);
 * *stopped tells whether fn stopped the walk. */
size_t corr_field_visit(const corr_field_t *f, const corr_event_t *ev, corr_visit_fn fn, void *arg,
                        bool *stopped);

/* Text of a scalar token: strings unescaped (into a per-thread buffer when
 * they hold escapes), numbers and booleans as written. False for null,
 * objects and arrays. The text stays valid until the next call. */
bool corr_tok_text(const corr_doc_t *doc, const json_tok_t *t, const char **s, size_t *len);

/* The first scalar value of f, rendered for a group key into out (see
 * corr_group_key_for), NUL-terminated, length in *len. False when the
 * field has no scalar value or out has no room. */
bool corr_field_render(const corr_field_t *f, const corr_event_t *ev, char *out, size_t cap,
                       size_t *len);

/* ---- values and field matchers --------------------------------------------- */

typedef enum corr_vkind {
    CV_NULL,     /* field missing or JSON null */
    CV_EQ,       /* text equal (numbers: numerically when both are numbers) */
    CV_PREFIX,   /* startswith */
    CV_SUFFIX,   /* endswith */
    CV_CONTAINS, /* contains */
    CV_GLOB,     /* any of the above with * or ? wildcards */
    CV_RE,       /* PCRE2 */
    CV_CIDR,
    CV_NUM, /* gt, gte, lt, lte against a JSON number */
} corr_vkind_t;

typedef struct corr_value {
    uint8_t kind; /* corr_vkind_t */
    uint8_t op;   /* CV_NUM: corr_op_t */
    bool cased;   /* text compared with case */
    bool is_num;  /* text is a number: num (and inum when is_int) hold it */
    bool is_int;
    uint8_t family; /* CV_CIDR: 4 or 6 */
    uint8_t prefix; /* CV_CIDR: prefix bits */
    uint32_t len;
    const char *s;       /* text; folded to lower case unless cased */
    const uint8_t *wild; /* CV_GLOB: per byte of s, 0 literal, '*' or '?' */
    double num;
    int64_t inum;
    uint8_t addr[16];
    void *re; /* pcre2_code_8 */
} corr_value_t;

typedef struct corr_fmatch {
    corr_field_t field;
    bool all;    /* every value must match (|all) */
    bool exists; /* |exists: presence test, want_exists */
    bool want_exists;
    bool has_null; /* a CV_NULL value is in the list */
    uint16_t nvalues;
    const corr_value_t *values;
} corr_fmatch_t;

typedef struct corr_branch { /* AND of field matchers */
    uint16_t n;
    const corr_fmatch_t *m;
} corr_branch_t;

typedef struct corr_sel { /* OR of branches */
    const char *name;
    uint16_t n;
    const corr_branch_t *b;
} corr_sel_t;

typedef enum corr_cop { COND_SEL, COND_AND, COND_OR, COND_NOT } corr_cop_t;

typedef struct corr_cnode {
    uint8_t op; /* corr_cop_t */
    uint16_t n; /* AND/OR: children; NOT: 1 */
    const corr_sel_t *sel;
    const struct corr_cnode *const *kids;
} corr_cnode_t;

/* ---- load context -------------------------------------------------------- */

typedef struct corr_pcre_list corr_pcre_list_t;

typedef struct corr_pos {
    const char *file;
    uint32_t line, col;
    const char *path; /* key path in the document, for messages */
} corr_pos_t;

/* A reference to another rule as written (resolved after every file is in). */
typedef struct corr_ref {
    const char *text;
    corr_pos_t pos;
} corr_ref_t;

typedef struct corr_alias_src { /* aliases: NAME: {RULE: FIELD} as written */
    const char *name;
    corr_pos_t pos;
    size_t n;
    corr_ref_t *rule;   /* [n] */
    const char **field; /* [n] */
} corr_alias_src_t;

struct corr_rule_priv {
    /* detection rules */
    const corr_cnode_t *cond;
    /* correlation rules, filled when references resolve: group[g][i] is
     * group-by field g for spec.rules[i]; index nrules is for matched ==
     * NULL. count_field[i] likewise for value_count. */
    const corr_field_t *const *group;
    const corr_field_t *const *count_field;
    /* as written, until references resolve */
    corr_ref_t *refs;
    size_t nrefs;
    corr_alias_src_t *alias_src;
    size_t nalias_src;
    bool generate_set;
    int state;        /* resolution state, loader's own */
    bool in_cycle;    /* found in a reference cycle */
    size_t stack_pos; /* place on the resolver's stack */
    size_t file_seq;  /* which file, in load order */
};

/* The start of the last line looked up in a file, so placing errors in
 * the documents of a file, in order, reads it once. */
typedef struct corr_linepos {
    uint32_t line;
    size_t off;
} corr_linepos_t;

/* One document being compiled into a rule. The first error wins: it is
 * formatted into msg and later calls are ignored. */
typedef struct corr_ctx {
    corr_arena_t *arena;
    const char *file;
    const char *text; /* the file's bytes, to place errors inside scalars */
    size_t textlen;
    corr_linepos_t *linepos;     /* of this file, or NULL */
    char label[CORR_MAX_ID + 8]; /* rule id, or "#N" until the id is known */
    bool failed;
    char msg[1024];
    uint32_t err_line, err_col;  /* where the error is, to sort the lines */
    corr_pcre_list_t *pcre_list; /* compiled patterns, freed with the ruleset */
} corr_ctx_t;

void corr_error(corr_ctx_t *c, const cfg_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* At a member's key rather than its value. */
void corr_error_key(corr_ctx_t *c, const cfg_node_t *member, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* At an explicit position, with a path prefix ("detection.condition"). */
void corr_error_at(corr_ctx_t *c, const char *file, uint32_t line, uint32_t col, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Where n is (at its key when at_key), path included, for later messages. */
corr_pos_t corr_pos(corr_ctx_t *c, const cfg_node_t *n, bool at_key);
void corr_error_pos(corr_ctx_t *c, const corr_pos_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Scalars the language reads. Return false after corr_error. */
bool corr_scalar(corr_ctx_t *c, const cfg_node_t *n, const char *what);
bool corr_duration_usec(corr_ctx_t *c, const cfg_node_t *n, int64_t min_sec, int64_t *out);
bool corr_bool(corr_ctx_t *c, const cfg_node_t *n, bool *out);
/* Every key of map must be in known (NULL-terminated); the first other
 * one is reported, with a suggestion when one is close. */
bool corr_check_keys(corr_ctx_t *c, const cfg_node_t *map, const char *const known[]);
/* A rule id or name: 1..CORR_MAX_ID letters, digits, '.', '_', '-', ':'. */
bool corr_ident_ok(const char *s, size_t n);

/* ---- the parts of a rule --------------------------------------------------- */

/* detection: { NAME: selection..., condition: ... } */
bool corr_detect_compile(corr_ctx_t *c, const cfg_node_t *detection, corr_rule_priv_t *priv);
/* One field: value entry (key "field|mod|mod") into m. */
bool corr_fmatch_compile(corr_ctx_t *c, const cfg_node_t *member, corr_fmatch_t *m);
bool corr_fmatch_eval(const corr_fmatch_t *m, const corr_event_t *ev);
/* The condition text of node n over the selections. */
const corr_cnode_t *corr_cond_compile(corr_ctx_t *c, const cfg_node_t *n, const corr_sel_t *sels,
                                      size_t nsels);
bool corr_cond_eval(const corr_cnode_t *node, const corr_event_t *ev);
bool corr_sel_eval(const corr_sel_t *sel, const corr_event_t *ev);
/* correlation: {...} into rule->corr and priv (references stay unresolved). */
bool corr_spec_parse(corr_ctx_t *c, const cfg_node_t *corr, corr_rule_t *rule,
                     corr_rule_priv_t *priv);

/* PCRE2 patterns compiled for a ruleset, freed with it. */
corr_pcre_list_t *corr_pcre_list_new(void);
void corr_pcre_list_free(corr_pcre_list_t *l);

#endif
