/* asset.c -- loading rules/assets.yml and looking assets up (see asset.h). */
#include "asset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctx_hset.h"
#include "ctx_ptable.h"

struct asset_set {
    asset_t *assets;
    size_t n, cap;
    ctx_hset_t names;    /* name -> asset index */
    ctx_hset_t prefixes; /* 16-byte net + length -> asset index (load time only) */
    ctx_ptable_t *table;
};

static const char *const asset_keys[] = {"name",        "description", "owner", "contact", "level",
                                         "criticality", "cidrs",       "tags",  NULL};

const char *asset_criticality_name(int c)
{
    switch (c) {
    case ASSET_CRIT_LOW: return "low";
    case ASSET_CRIT_MEDIUM: return "medium";
    case ASSET_CRIT_HIGH: return "high";
    default: return "unknown";
    }
}

int asset_criticality_parse(const char *s, size_t n)
{
    for (int c = ASSET_CRIT_LOW; c <= ASSET_CRIT_HIGH; c++) {
        const char *name = asset_criticality_name(c);
        if (strlen(name) == n && memcmp(name, s, n) == 0) return c;
    }
    return 0;
}

static void free_fields(asset_t *a)
{
    free((void *)a->name);
    free((void *)a->description);
    free((void *)a->owner);
    free((void *)a->contact);
    for (size_t i = 0; i < a->ntags; i++)
        free((void *)a->tags[i]);
    free((void *)a->tags);
    free((void *)a->cidrs);
    memset(a, 0, sizeof(*a));
}

void asset_set_free(asset_set_t *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->n; i++)
        free_fields(&set->assets[i]);
    free(set->assets);
    ctx_hset_free(&set->names);
    ctx_hset_free(&set->prefixes);
    ctx_ptable_free(set->table);
    free(set);
}

/* ---- one entry ------------------------------------------------------------ */

static bool missing(const cfg_node_t *entry, const char *key, const char *what, char *err,
                    size_t errlen)
{
    const cfg_node_t *n = cfg_node_child(entry, key);
    if (n && !cfg_node_is_null(n)) return false;
    cfg_node_error(entry, err, errlen, "missing '%s' (%s)", key, what);
    return true;
}

/* Optional text: a copy, "" when absent. */
static bool get_text(const cfg_node_t *entry, const char *key, const char **out, char *err,
                     size_t errlen)
{
    const char *s = NULL;
    if (!cfg_get_str(entry, key, "", &s, err, errlen)) return false;
    if (strlen(s) > ASSET_MAX_TEXT) {
        cfg_node_error(cfg_node_child(entry, key), err, errlen, "longer than %d bytes",
                       ASSET_MAX_TEXT);
        return false;
    }
    *out = strdup(s);
    if (!*out) {
        cfg_node_error(entry, err, errlen, "out of memory");
        return false;
    }
    return true;
}

/* A name or tag: letters, digits and . _ - : (no spaces), at most max. */
static bool word_ok(const char *s, size_t n, size_t max, bool colon)
{
    if (n == 0 || n > max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-' || (colon && c == ':');
        if (!ok) return false;
    }
    return true;
}

static bool get_name(const cfg_node_t *entry, asset_t *a, char *err, size_t errlen)
{
    const char *s;
    if (missing(entry, "name", "a unique asset name", err, errlen)) return false;
    if (!cfg_get_str(entry, "name", NULL, &s, err, errlen)) return false;
    if (!word_ok(s, strlen(s), ASSET_MAX_NAME, false)) {
        char tmp[CTX_SHOW_MAX];
        cfg_node_error(cfg_node_child(entry, "name"), err, errlen,
                       "expected letters, digits, '.', '_' or '-' (at most %d), got '%s'",
                       ASSET_MAX_NAME, ctx_show(s, strlen(s), tmp));
        return false;
    }
    a->name = strdup(s);
    if (!a->name) cfg_node_error(entry, err, errlen, "out of memory");
    return a->name != NULL;
}

static bool get_levels(const cfg_node_t *entry, asset_t *a, char *err, size_t errlen)
{
    uint64_t level;
    const char *crit;
    if (missing(entry, "level", "security level 1-5, Decree 85/2016/ND-CP", err, errlen) ||
        !cfg_get_u64(entry, "level", 0, 1, 5, 0, &level, err, errlen))
        return false;
    a->level = (int)level;
    if (missing(entry, "criticality", "low, medium or high", err, errlen) ||
        !cfg_get_str(entry, "criticality", NULL, &crit, err, errlen))
        return false;
    a->criticality = asset_criticality_parse(crit, strlen(crit));
    if (!a->criticality) {
        char tmp[CTX_SHOW_MAX];
        cfg_node_error(cfg_node_child(entry, "criticality"), err, errlen,
                       "expected low, medium or high, got '%s'", ctx_show(crit, strlen(crit), tmp));
        return false;
    }
    return true;
}

static bool get_cidrs(const cfg_node_t *entry, asset_t *a, char *err, size_t errlen)
{
    const cfg_node_t *seq;
    if (missing(entry, "cidrs", "a list of IPv4/IPv6 addresses or CIDRs", err, errlen) ||
        !cfg_get_seq(entry, "cidrs", &seq, err, errlen))
        return false;
    if (seq->count == 0 || seq->count > ASSET_MAX_CIDRS) {
        cfg_node_error(seq, err, errlen, "expected 1..%d CIDRs, got %zu", ASSET_MAX_CIDRS,
                       seq->count);
        return false;
    }
    asset_cidr_t *c = calloc(seq->count, sizeof(*c));
    if (!c) {
        cfg_node_error(seq, err, errlen, "out of memory");
        return false;
    }
    a->cidrs = c;
    for (const cfg_node_t *n = seq->child; n; n = n->next) {
        const char *s;
        if (!cfg_get_str(n, "", NULL, &s, err, errlen)) return false;
        char tmp[CTX_SHOW_MAX], want[CTX_IP_STRLEN];
        unsigned len;
        bool host_bits = false;
        ctx_ip_t net;
        if (!s || !ctx_prefix_parse(s, strlen(s), &net, &len, &host_bits)) {
            if (host_bits) {
                ctx_prefix_format(net, len, want);
                cfg_node_error(n, err, errlen, "host bits set in '%s' (did you mean %s?)",
                               ctx_show(s, strlen(s), tmp), want);
            } else {
                cfg_node_error(n, err, errlen, "expected an IPv4 or IPv6 address or CIDR, got '%s'",
                               s ? ctx_show(s, strlen(s), tmp) : "");
            }
            return false;
        }
        c[a->ncidrs++] = (asset_cidr_t){net, (uint8_t)len};
    }
    return true;
}

static bool get_tags(const cfg_node_t *entry, asset_t *a, char *err, size_t errlen)
{
    const cfg_node_t *seq;
    if (!cfg_get_seq(entry, "tags", &seq, err, errlen)) return false;
    if (!seq) return true;
    if (seq->count > ASSET_MAX_TAGS) {
        cfg_node_error(seq, err, errlen, "more than %d tags", ASSET_MAX_TAGS);
        return false;
    }
    const char **tags = calloc(seq->count ? seq->count : 1, sizeof(*tags));
    if (!tags) {
        cfg_node_error(seq, err, errlen, "out of memory");
        return false;
    }
    a->tags = tags;
    for (const cfg_node_t *n = seq->child; n; n = n->next) {
        const char *s;
        char tmp[CTX_SHOW_MAX];
        if (!cfg_get_str(n, "", NULL, &s, err, errlen)) return false;
        if (!s || !word_ok(s, strlen(s), ASSET_MAX_TAG, true)) {
            cfg_node_error(n, err, errlen,
                           "expected a tag of letters, digits, '.', '_', '-' or ':' (at most "
                           "%d), got '%s'",
                           ASSET_MAX_TAG, s ? ctx_show(s, strlen(s), tmp) : "");
            return false;
        }
        if (!(tags[a->ntags] = strdup(s))) {
            cfg_node_error(n, err, errlen, "out of memory");
            return false;
        }
        a->ntags++;
    }
    return true;
}

static bool parse_entry(const cfg_node_t *entry, asset_t *a, char *err, size_t errlen)
{
    if (entry->type != CFG_MAP) {
        cfg_node_error(entry, err, errlen, "expected a mapping, got a %s",
                       cfg_type_name(entry->type));
        return false;
    }
    return cfg_check_keys(entry, asset_keys, err, errlen) && get_name(entry, a, err, errlen) &&
           get_text(entry, "description", &a->description, err, errlen) &&
           get_text(entry, "owner", &a->owner, err, errlen) &&
           get_text(entry, "contact", &a->contact, err, errlen) &&
           get_levels(entry, a, err, errlen) && get_cidrs(entry, a, err, errlen) &&
           get_tags(entry, a, err, errlen);
}

/* ---- uniqueness ------------------------------------------------------------ */

static void prefix_key(const asset_cidr_t *c, uint8_t key[17])
{
    ctx_ip_bytes(c->net, key);
    key[16] = c->len;
}

static const cfg_node_t *nth(const cfg_node_t *seq, size_t i)
{
    const cfg_node_t *n = seq ? seq->child : NULL;
    while (n && i--)
        n = n->next;
    return n;
}

static int cmp_cidr(const void *pa, const void *pb)
{
    const asset_cidr_t *a = pa, *b = pb;
    int c = ctx_ip_cmp(a->net, b->net);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The entry's name and CIDRs must be new. */
static bool unique(const asset_set_t *set, const cfg_node_t *entry, const asset_t *a, char *err,
                   size_t errlen)
{
    uint32_t other;
    if (ctx_hset_get(&set->names, a->name, strlen(a->name), &other)) {
        cfg_node_error(cfg_node_child(entry, "name"), err, errlen, "asset '%s' is already defined",
                       a->name);
        return false;
    }
    const cfg_node_t *seq = cfg_node_child(entry, "cidrs");
    char txt[CTX_IP_STRLEN];
    for (size_t i = 0; i < a->ncidrs; i++) {
        uint8_t key[17];
        prefix_key(&a->cidrs[i], key);
        if (ctx_hset_get(&set->prefixes, key, sizeof(key), &other)) {
            ctx_prefix_format(a->cidrs[i].net, a->cidrs[i].len, txt);
            cfg_node_error(nth(seq, i), err, errlen, "%s already belongs to asset '%s'", txt,
                           set->assets[other].name);
            return false;
        }
    }
    asset_cidr_t *sorted = malloc(a->ncidrs * sizeof(*sorted));
    if (!sorted) {
        cfg_node_error(entry, err, errlen, "out of memory");
        return false;
    }
    memcpy(sorted, a->cidrs, a->ncidrs * sizeof(*sorted));
    qsort(sorted, a->ncidrs, sizeof(*sorted), cmp_cidr);
    for (size_t i = 1; i < a->ncidrs; i++) {
        if (cmp_cidr(&sorted[i - 1], &sorted[i]) == 0) {
            ctx_prefix_format(sorted[i].net, sorted[i].len, txt);
            cfg_node_error(seq, err, errlen, "%s is listed twice", txt);
            free(sorted);
            return false;
        }
    }
    free(sorted);
    return true;
}

/* False only when out of memory. */
static bool keep(asset_set_t *set, asset_t *a)
{
    if (set->n == set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 32;
        asset_t *na = realloc(set->assets, ncap * sizeof(*na));
        if (!na) return false;
        set->assets = na;
        set->cap = ncap;
    }
    uint32_t idx = (uint32_t)set->n;
    if (ctx_hset_put(&set->names, a->name, strlen(a->name), idx, NULL) < 0) return false;
    for (size_t i = 0; i < a->ncidrs; i++) {
        uint8_t key[17];
        prefix_key(&a->cidrs[i], key);
        if (ctx_hset_put(&set->prefixes, key, sizeof(key), idx, NULL) < 0) return false;
    }
    set->assets[set->n++] = *a;
    return true;
}

/* ---- the file -------------------------------------------------------------- */

static bool load_entries(asset_set_t *set, const cfg_node_t *seq, ctx_diag_t *diag,
                         asset_load_stats_t *st, const char *file)
{
    ctx_diag_file_t df;
    ctx_diag_file_init(&df, diag, file);
    for (const cfg_node_t *e = seq ? seq->child : NULL; e; e = e->next) {
        char err[CTX_DIAG_LINE_MAX];
        asset_t a = {0};
        if (set->n >= ASSET_MAX_ASSETS) {
            cfg_node_error(e, err, sizeof(err), "more than %d assets", ASSET_MAX_ASSETS);
            ctx_diag_line(&df, "%s", err);
            st->bad += seq->count - e->index;
            break;
        }
        if (parse_entry(e, &a, err, sizeof(err)) && unique(set, e, &a, err, sizeof(err))) {
            if (!keep(set, &a)) {
                free_fields(&a);
                return false; /* out of memory: the set would be inconsistent */
            }
            st->loaded++;
            continue;
        }
        ctx_diag_line(&df, "%s", err);
        free_fields(&a);
        st->bad++;
    }
    ctx_diag_file_done(&df);
    return true;
}

static bool build_table(asset_set_t *set)
{
    set->table = ctx_ptable_new();
    if (!set->table) return false;
    for (size_t i = 0; i < set->n; i++)
        for (size_t j = 0; j < set->assets[i].ncidrs; j++)
            if (!ctx_ptable_add(set->table, set->assets[i].cidrs[j].net,
                                set->assets[i].cidrs[j].len, (uint32_t)i))
                return false;
    ctx_hset_free(&set->prefixes); /* only needed while loading */
    return ctx_ptable_build(set->table);
}

static asset_set_t *load_cfg(const cfg_t *cfg, ctx_diag_t *diag, asset_load_stats_t *st, char *err,
                             size_t errlen)
{
    static const char *const top[] = {"assets", NULL};
    const cfg_node_t *root = cfg_root(cfg), *seq = NULL;
    if (cfg_doc_count(cfg) > 1) {
        snprintf(err, errlen, "%s: expected one YAML document, found %zu", cfg_file(cfg),
                 cfg_doc_count(cfg));
        return NULL;
    }
    if (root && root->type != CFG_MAP && !cfg_node_is_null(root)) {
        cfg_node_error(root, err, errlen, "expected a mapping with 'assets', got a %s",
                       cfg_type_name(root->type));
        return NULL;
    }
    if (!cfg_check_keys(root, top, err, errlen) || !cfg_get_seq(root, "assets", &seq, err, errlen))
        return NULL;
    asset_set_t *set = calloc(1, sizeof(*set));
    if (!set) {
        snprintf(err, errlen, "%s: out of memory", cfg_file(cfg));
        return NULL;
    }
    ctx_hset_init(&set->names);
    ctx_hset_init(&set->prefixes);
    if (!load_entries(set, seq, diag, st, cfg_file(cfg)) || !build_table(set)) {
        snprintf(err, errlen, "%s: out of memory", cfg_file(cfg));
        asset_set_free(set);
        return NULL;
    }
    return set;
}

asset_set_t *asset_load_buffer(const char *name, const char *buf, size_t len, ctx_diag_t *diag,
                               asset_load_stats_t *stats, char *err, size_t errlen)
{
    asset_load_stats_t local = {0};
    asset_load_stats_t *st = stats ? stats : &local;
    memset(st, 0, sizeof(*st));
    cfg_t *cfg = cfg_load_buffer(name, buf, len, err, errlen);
    if (!cfg) return NULL;
    asset_set_t *set = load_cfg(cfg, diag, st, err, errlen);
    cfg_free(cfg);
    return set;
}

asset_set_t *asset_load_file(const char *path, ctx_diag_t *diag, asset_load_stats_t *stats,
                             char *err, size_t errlen)
{
    asset_load_stats_t local = {0};
    asset_load_stats_t *st = stats ? stats : &local;
    memset(st, 0, sizeof(*st));
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return NULL;
    asset_set_t *set = load_cfg(cfg, diag, st, err, errlen);
    cfg_free(cfg);
    return set;
}

size_t asset_count(const asset_set_t *set)
{
    return set ? set->n : 0;
}

const asset_t *asset_at(const asset_set_t *set, size_t i)
{
    return set && i < set->n ? &set->assets[i] : NULL;
}

const asset_t *asset_find(const asset_set_t *set, const char *name)
{
    uint32_t i;
    if (!set || !name || !ctx_hset_get(&set->names, name, strlen(name), &i)) return NULL;
    return &set->assets[i];
}

const asset_t *asset_lookup(const asset_set_t *set, ctx_ip_t addr)
{
    if (!set) return NULL;
    int32_t node = ctx_ptable_lookup(set->table, addr);
    const ctx_pnode_t *pn = ctx_ptable_node(set->table, node);
    if (!pn) return NULL;
    return &set->assets[ctx_ptable_values(set->table)[pn->first]];
}

const asset_t *asset_lookup_str(const asset_set_t *set, const char *s, size_t n)
{
    ctx_ip_t a;
    if (!set || !ctx_ip_parse(s, n, &a)) return NULL;
    return asset_lookup(set, a);
}
