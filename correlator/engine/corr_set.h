/* corr_set.h -- the ruleset as its loader files share it (private to
 * correlator/engine/: corr_load.c reads files, corr_meta.c the top-level
 * keys of a rule, corr_resolve.c references and the index). */
#ifndef SOC_CORR_SET_H
#define SOC_CORR_SET_H

#include "engine/corr_int.h"

enum { ST_OK = 1, ST_PENDING, ST_VISITING, ST_BAD }; /* corr_rule_priv_t.state */

/* Error lines are kept and sorted by place before they are reported, so
 * that reference errors found at the end show up where their rule is. */
typedef struct msg {
    size_t file_seq, seq;
    uint32_t line, col;
    char *text;
} msg_t;

typedef struct hent {
    const char *key;
    corr_rule_t *rule; /* NULL: a skipped rule had this id or name */
} hent_t;

struct corr_ruleset {
    corr_arena_t *arena;
    corr_pcre_list_t *pcre;
    corr_diag_fn diag;
    void *ud;
    corr_rule_t **all; /* every compiled rule, before resolution */
    size_t nall, capall;
    corr_rule_t **rules; /* loaded rules */
    size_t nrules;
    size_t skipped;
    hent_t *map; /* ids and names */
    size_t mapcap, mapused;
    const corr_rule_t **bycat[CORR_CAT_COUNT];
    size_t nbycat[CORR_CAT_COUNT];
    const corr_rule_t **corrs;
    size_t ncorrs;
    msg_t *msgs;
    size_t nmsgs, capmsgs;
    size_t file_seq; /* files added so far */
};

/* Record an error line of a rule (sorted by file and place at the end). */
void corr_set_emit_ctx(corr_ruleset_t *rs, size_t file_seq, const corr_ctx_t *c);
/* Ids and names: NULL when never seen; entry->rule NULL for a skipped rule. */
hent_t *corr_set_get(const corr_ruleset_t *rs, const char *key);
bool corr_set_put(corr_ruleset_t *rs, const char *key, corr_rule_t *rule);

/* id, the keys, title and name: what must be known before uniqueness. */
bool corr_meta_head(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r);
/* The rest: version ... level, tags, detection or correlation, suppress. */
bool corr_meta_rest(corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r, corr_rule_priv_t *priv);

/* Resolve the references of every correlation rule; then index the loaded ones. */
void corr_resolve_all(corr_ruleset_t *rs);
bool corr_build_index(corr_ruleset_t *rs);

static inline corr_rule_priv_t *corr_mpriv(const corr_rule_t *r)
{
    return (corr_rule_priv_t *)r->priv;
}

#endif
