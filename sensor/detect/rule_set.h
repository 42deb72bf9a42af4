/* rule_set.h -- loading Suricata rule files into a set of parsed rules.
 *
 * A rule set owns every rule and everything the rules point to (one arena,
 * plus the compiled PCRE2 codes); rule_set_free() releases it all.
 *
 * Typical use:
 *
 *     rule_set_t *rs = rule_set_new(NULL);
 *     rule_set_load_vars(rs, cfg_get(cfg, "vars"), err, sizeof err);  // optional
 *     rule_set_load_classification(rs, "classification.config");     // optional
 *     rule_set_load_file(rs, "emerging-dns.rules");
 *     rule_set_print_summary(rs, stderr);
 *     for (size_t i = 0; i < rule_set_count(rs); i++) use(rule_set_rule(rs, i));
 *
 * A rule the engine cannot run is skipped with one line through the
 * diagnostic callback (default: the logger, level warn):
 *
 *     FILE:LINE: sid N: unsupported keyword 'xbits'
 *     FILE:LINE: sid N: content: unterminated string
 *
 * ("sid ?" when the rule has no readable sid). Nothing in a rule file can
 * crash the loader; every size is bounded. Variables and classifications
 * must be set before the rules that use them are loaded. */
#ifndef SOC_RULE_SET_H
#define SOC_RULE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/rule.h"

struct cfg_node;

typedef struct rule_set rule_set_t;

typedef struct rule_set_opts {
    bool pcre_jit; /* JIT-compile every pcre at load (default true) */
} rule_set_opts_t;

/* Stock Suricata defaults: address and port variables of suricata.yaml,
 * the classifications of classification.config. NULL opts = defaults.
 * NULL only when out of memory. */
rule_set_t *rule_set_new(const rule_set_opts_t *opts);
void rule_set_free(rule_set_t *rs);

/* Each message line (skipped rule, bad classification line, unreadable
 * file) goes to fn; NULL restores the default (log_warn). */
typedef void (*rule_diag_fn)(void *ud, const char *line);
void rule_set_set_diag(rule_set_t *rs, rule_diag_fn fn, void *ud);

/* ---- variables ($HOME_NET, $HTTP_PORTS ...) ---- */

/* Define or override an address or port group (name without '$'). The
 * value is checked at once; false with a one-line message in err. */
bool rule_set_var_address(rule_set_t *rs, const char *name, const char *value, char *err,
                          size_t errlen);
bool rule_set_var_port(rule_set_t *rs, const char *name, const char *value, char *err,
                       size_t errlen);
/* A suricata.yaml-style `vars:` mapping: {address-groups: {NAME: value},
 * port-groups: {NAME: value}}. NULL vars is fine. Stops at the first bad
 * entry (message "FILE:LINE:COL: vars.address-groups.X: ..."). */
bool rule_set_load_vars(rule_set_t *rs, const struct cfg_node *vars, char *err, size_t errlen);
/* Current value of a variable, or NULL. */
const char *rule_set_var_address_get(const rule_set_t *rs, const char *name);
const char *rule_set_var_port_get(const rule_set_t *rs, const char *name);

/* ---- classification.config ---- */

/* Read "config classification: shortname,description,priority" lines,
 * adding to (or replacing entries of) the table. Returns the number of bad
 * lines (each reported through the diagnostic callback), or -1 when the
 * file cannot be read. */
int rule_set_load_classification(rule_set_t *rs, const char *path);
int rule_set_load_classification_buffer(rule_set_t *rs, const char *name, const char *buf,
                                        size_t len);
/* Description and priority of a classtype; false when unknown. */
bool rule_set_classtype(const rule_set_t *rs, const char *name, const char **desc,
                        uint8_t *priority);

/* ---- rules ---- */

#define RULE_FILE_MAX_BYTES (256u << 20) /* a rule file larger than this is refused */
#define RULE_MAX_LEN        (64u << 10)  /* one rule, continuation lines joined */

/* Load a rule file. Returns the number of rules loaded from it, or -1 when
 * it cannot be read (reported through the diagnostic callback). */
int rule_set_load_file(rule_set_t *rs, const char *path);
/* Same for text in memory; name stands for the file name in messages. */
int rule_set_load_buffer(rule_set_t *rs, const char *name, const char *buf, size_t len);
/* Parse one rule (no comments, no continuation lines). Returns the rule,
 * or NULL when skipped; then rule_set_last_error() has the message line. */
const rule_t *rule_set_add_rule(rule_set_t *rs, const char *text, const char *file, uint32_t line);
/* The last message line (skipped rule, bad classification line, file
 * that cannot be read), as given to the diagnostic callback; "" if none
 * since the last load call. */
const char *rule_set_last_error(const rule_set_t *rs);

size_t rule_set_count(const rule_set_t *rs);
const rule_t *rule_set_rule(const rule_set_t *rs, size_t i); /* NULL if out of range */
/* The rule with this gid and sid, or NULL. */
const rule_t *rule_set_find(const rule_set_t *rs, uint32_t gid, uint32_t sid);

/* Flowbit names are interned to ids 0..count-1. */
uint32_t rule_set_flowbit_count(const rule_set_t *rs);
const char *rule_set_flowbit_name(const rule_set_t *rs, uint32_t id);
/* Id of a name, or -1 when no rule uses it. */
int64_t rule_set_flowbit_id(const rule_set_t *rs, const char *name);

/* ---- totals ---- */

typedef struct rule_set_stats {
    uint32_t files;         /* rule files read */
    uint32_t loaded;        /* rules in the set */
    uint32_t skipped;       /* rules not loaded */
    uint32_t unknown_class; /* loaded with a classtype missing from the table */
    double load_sec;        /* wall time spent parsing rules */
} rule_set_stats_t;

const rule_set_stats_t *rule_set_stats(const rule_set_t *rs);

/* Skipped rules grouped by reason ("unsupported keyword 'xbits'",
 * "invalid 'content'", "duplicate sid", ...), most frequent first. */
typedef struct rule_skip_reason {
    const char *reason;
    uint32_t count;
} rule_skip_reason_t;

/* Number of distinct reasons; fills out[0..min(n, max)-1], sorted. */
size_t rule_set_skip_reasons(const rule_set_t *rs, rule_skip_reason_t *out, size_t max);

/* Print the totals and the skipped-by-reason table:
 *     rules: 23010 loaded, 625 skipped (97.36% of 23635 loaded) from 48 files in 0.61 s
 *         431  unsupported keyword 'tls.certs'
 *     ... */
void rule_set_print_summary(const rule_set_t *rs, FILE *out);

#endif
