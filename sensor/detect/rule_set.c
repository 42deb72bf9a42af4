/* rule_set.c -- the set: rule files (comments, continuation lines), the
 * sid index, variables, interned names, totals by skip reason. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rule_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"

rule_t *rule_parse(rule_set_t *rs, const char *text, size_t len, const char *file, uint32_t line,
                   uint32_t *sid_out);

/* Messages echo rule text: keep them one printable line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

static void default_diag(void *ud, const char *line)
{
    (void)ud;
    log_warn("%s", line);
}

void rule_diag(rule_set_t *rs, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    one_line(line);
    snprintf(rs->last_error, sizeof(rs->last_error), "%s", line);
    rs->diag(rs->diag_ud, line);
}

void rule_set_set_diag(rule_set_t *rs, rule_diag_fn fn, void *ud)
{
    rs->diag = fn ? fn : default_diag;
    rs->diag_ud = fn ? ud : NULL;
}

const char *rule_intern(rule_set_t *rs, const char *s, size_t len)
{
    strmap_slot_t *hit = strmap_find(&rs->intern, s, len);
    if (hit) return hit->key;
    char *copy = arena_strndup(&rs->shared, s, len);
    if (copy == NULL || !strmap_put(&rs->intern, copy, len, copy)) return NULL;
    return copy;
}

rule_set_t *rule_set_new(const rule_set_opts_t *opts)
{
    rule_set_t *rs = calloc(1, sizeof(*rs));
    if (rs == NULL) return NULL;
    rs->opts.pcre_jit = opts ? opts->pcre_jit : true;
    rs->diag = default_diag;
    rs->ctx = malloc(sizeof(*rs->ctx));
    rule_vars_init(&rs->vars);
    if (rs->ctx == NULL || !rule_vars_defaults(&rs->vars) || !rule_class_defaults(rs)) {
        rule_set_free(rs);
        return NULL;
    }
    return rs;
}

static void free_pcres(rule_t *r)
{
    for (uint8_t b = 0; b < r->n_bufs; b++)
        for (uint16_t i = 0; i < r->bufs[b].n_items; i++)
            if (r->bufs[b].items[i].type == RULE_ITEM_PCRE)
                pcre2_code_free((pcre2_code *)r->bufs[b].items[i].u.pcre.code);
}

void rule_set_free(rule_set_t *rs)
{
    if (rs == NULL) return;
    for (size_t i = 0; i < rs->n; i++)
        free_pcres(rs->v[i]);
    free(rs->v);
    free(rs->sid_keys);
    free(rs->sid_rule);
    rule_vars_free(&rs->vars);
    strmap_free(&rs->addr_cache);
    strmap_free(&rs->port_cache);
    strmap_free(&rs->classes);
    strmap_free(&rs->intern);
    strmap_free(&rs->flowbits);
    arena_free(&rs->rules);
    arena_free(&rs->shared);
    free(rs->ctx);
    free(rs);
}

/* ---- variables ---- */

static bool set_var(rule_set_t *rs, bool port, const char *name, const char *value, char *err,
                    size_t errlen)
{
    strmap_t *m = port ? &rs->vars.port : &rs->vars.addr;
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > 128) {
        snprintf(err, errlen, "invalid variable name");
        return false;
    }
    for (size_t i = 0; i < nlen; i++) {
        char ch = name[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_')) {
            snprintf(err, errlen, "invalid variable name '%.64s'", name);
            return false;
        }
    }
    if (!rule_vars_set(m, name, value)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    strmap_clear(&rs->addr_cache); /* groups built with the old value are stale */
    strmap_clear(&rs->port_cache);
    return true;
}

static bool check_var(rule_set_t *rs, bool port, const char *name, char *err, size_t errlen)
{
    char why[160];
    const char *v = rule_vars_get(port ? &rs->vars.port : &rs->vars.addr, name, strlen(name));
    bool ok = port ? rule_ports_get(rs, v, strlen(v), why, sizeof(why)) != NULL
                   : rule_addr_get(rs, v, strlen(v), why, sizeof(why)) != NULL;
    if (!ok) snprintf(err, errlen, "%s '%.64s': %s", name, v, why);
    return ok;
}

/* Set and check; on error the variable keeps its old value (a new one
 * stays undefined). */
static bool var_and_check(rule_set_t *rs, bool port, const char *name, const char *value, char *err,
                          size_t errlen)
{
    strmap_t *m = port ? &rs->vars.port : &rs->vars.addr;
    const char *old = rule_vars_get(m, name, strlen(name));
    char *saved = old ? strdup(old) : NULL;
    if (old && saved == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = set_var(rs, port, name, value, err, errlen) && check_var(rs, port, name, err, errlen);
    if (!ok) {
        strmap_slot_t *s = strmap_find(m, name, strlen(name));
        if (s) {
            free(s->val);
            s->val = saved; /* NULL: undefined */
            saved = NULL;
        }
        strmap_clear(&rs->addr_cache);
        strmap_clear(&rs->port_cache);
    }
    free(saved);
    return ok;
}

bool rule_set_var_address(rule_set_t *rs, const char *name, const char *value, char *err,
                          size_t errlen)
{
    return var_and_check(rs, false, name, value, err, errlen);
}

bool rule_set_var_port(rule_set_t *rs, const char *name, const char *value, char *err,
                       size_t errlen)
{
    return var_and_check(rs, true, name, value, err, errlen);
}

const char *rule_set_var_address_get(const rule_set_t *rs, const char *name)
{
    return rule_vars_get(&rs->vars.addr, name, strlen(name));
}

const char *rule_set_var_port_get(const rule_set_t *rs, const char *name)
{
    return rule_vars_get(&rs->vars.port, name, strlen(name));
}

/* All entries are set first (they may refer to each other), then each is
 * checked. */
static bool vars_section(rule_set_t *rs, const cfg_node_t *vars, const char *key, bool port,
                         bool check, char *err, size_t errlen)
{
    const cfg_node_t *m;
    if (!cfg_get_map(vars, key, &m, err, errlen)) return false;
    for (const cfg_node_t *n = m ? m->child : NULL; n; n = n->next) {
        char why[256];
        bool ok = n->type == CFG_SCALAR;
        if (!ok) snprintf(why, sizeof(why), "expected a scalar");
        if (ok && !check) ok = set_var(rs, port, n->key, n->str, why, sizeof(why));
        if (ok && check) ok = check_var(rs, port, n->key, why, sizeof(why));
        if (!ok) {
            cfg_node_error(n, err, errlen, "%s", why);
            return false;
        }
    }
    return true;
}

bool rule_set_load_vars(rule_set_t *rs, const cfg_node_t *vars, char *err, size_t errlen)
{
    if (vars == NULL) return true;
    if (!cfg_check_keys(vars, (const char *const[]){"address-groups", "port-groups", NULL}, err,
                        errlen))
        return false;
    for (int check = 0; check < 2; check++) {
        if (!vars_section(rs, vars, "address-groups", false, check, err, errlen) ||
            !vars_section(rs, vars, "port-groups", true, check, err, errlen))
            return false;
    }
    return true;
}

/* ---- sid index ---- */

static uint64_t sid_key(uint32_t gid, uint32_t sid)
{
    return ((uint64_t)gid << 32 | sid) + 1; /* 0 marks an empty slot */
}

static size_t sid_slot(const rule_set_t *rs, uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 20) & (rs->sid_cap - 1);
    while (rs->sid_keys[i] && rs->sid_keys[i] != key)
        i = (i + 1) & (rs->sid_cap - 1);
    return i;
}

static bool sid_grow(rule_set_t *rs)
{
    size_t cap = rs->sid_cap ? rs->sid_cap * 2 : 1024;
    rule_set_t tmp = {.sid_cap = cap};
    tmp.sid_keys = calloc(cap, sizeof(uint64_t));
    tmp.sid_rule = calloc(cap, sizeof(uint32_t));
    if (!tmp.sid_keys || !tmp.sid_rule) {
        free(tmp.sid_keys);
        free(tmp.sid_rule);
        return false;
    }
    for (size_t i = 0; i < rs->sid_cap; i++) {
        if (rs->sid_keys[i] == 0) continue;
        size_t j = sid_slot(&tmp, rs->sid_keys[i]);
        tmp.sid_keys[j] = rs->sid_keys[i];
        tmp.sid_rule[j] = rs->sid_rule[i];
    }
    free(rs->sid_keys);
    free(rs->sid_rule);
    rs->sid_keys = tmp.sid_keys;
    rs->sid_rule = tmp.sid_rule;
    rs->sid_cap = cap;
    return true;
}

const rule_t *rule_set_find(const rule_set_t *rs, uint32_t gid, uint32_t sid)
{
    if (rs->sid_cap == 0) return NULL;
    size_t i = sid_slot(rs, sid_key(gid, sid));
    return rs->sid_keys[i] ? rs->v[rs->sid_rule[i]] : NULL;
}

/* Add r to the set; false (with the message in ctx) on duplicate or OOM. */
static bool insert(rule_set_t *rs, rule_t *r)
{
    rule_ctx_t *c = rs->ctx;
    const rule_t *dup = rule_set_find(rs, r->gid, r->sid);
    if (dup)
        return rule_fail_reason(c, "duplicate sid", "duplicate sid (first at %s:%u)", dup->file,
                                dup->line);
    if ((rs->n + 1) * 2 > rs->sid_cap && !sid_grow(rs))
        return rule_fail_reason(c, "out of memory", "out of memory");
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 1024;
        rule_t **v = realloc(rs->v, cap * sizeof(*v));
        if (v == NULL) return rule_fail_reason(c, "out of memory", "out of memory");
        rs->v = v;
        rs->cap = cap;
    }
    size_t i = sid_slot(rs, sid_key(r->gid, r->sid));
    rs->sid_keys[i] = sid_key(r->gid, r->sid);
    rs->sid_rule[i] = (uint32_t)rs->n;
    r->index = (uint32_t)rs->n;
    rs->v[rs->n++] = r;
    return true;
}

/* ---- rules ---- */

static void count_reason(rule_set_t *rs, const char *reason)
{
    for (size_t i = 0; i < rs->n_reasons; i++) {
        if (strcmp(rs->reasons[i].text, reason) == 0) {
            rs->reasons[i].count++;
            return;
        }
    }
    if (rs->n_reasons == RULE_MAX_REASONS) reason = "other";
    const char *text = rule_intern(rs, reason, strlen(reason));
    if (text == NULL || rs->n_reasons == RULE_MAX_REASONS) {
        if (rs->n_reasons) rs->reasons[rs->n_reasons - 1].count++;
        return;
    }
    rs->reasons[rs->n_reasons++] = (rule_reason_t){text, 1};
}

static const rule_t *add_rule(rule_set_t *rs, const char *text, size_t len, const char *file,
                              uint32_t line)
{
    arena_mark_t mark = arena_mark(&rs->rules);
    uint32_t sid = 0;
    rule_ctx_t *c = rs->ctx;
    rule_t *r = rule_parse(rs, text, len, file, line, &sid);
    if (r && insert(rs, r)) {
        rs->stats.loaded++;
        rs->stats.unknown_class += c->unknown_class;
        return r;
    }
    for (uint32_t i = 0; i < c->n_pcres; i++)
        pcre2_code_free((pcre2_code *)c->pcres[i]);
    c->n_pcres = 0;
    arena_rollback(&rs->rules, mark);
    rs->stats.skipped++;
    count_reason(rs, c->reason[0] ? c->reason : "invalid rule");
    char sidtxt[16] = "?";
    if (sid) snprintf(sidtxt, sizeof(sidtxt), "%u", sid);
    snprintf(rs->last_error, sizeof(rs->last_error), "%s:%u: sid %s: %s", file, line, sidtxt,
             c->msg);
    one_line(rs->last_error);
    rs->diag(rs->diag_ud, rs->last_error);
    return NULL;
}

const rule_t *rule_set_add_rule(rule_set_t *rs, const char *text, const char *file, uint32_t line)
{
    const char *f = rule_intern(rs, file ? file : "-", strlen(file ? file : "-"));
    size_t len = strlen(text);
    rs->last_error[0] = '\0';
    if (f == NULL) return NULL;
    return add_rule(rs, text, len, f, line);
}

const char *rule_set_last_error(const rule_set_t *rs)
{
    return rs->last_error;
}

/* A rule too long to keep: counted and reported like any other skip. */
static void too_long(rule_set_t *rs, const char *file, uint32_t line)
{
    rs->stats.skipped++;
    count_reason(rs, "rule too long");
    snprintf(rs->last_error, sizeof(rs->last_error), "%s:%u: sid ?: rule longer than %u bytes",
             file, line, RULE_MAX_LEN);
    one_line(rs->last_error);
    rs->diag(rs->diag_ud, rs->last_error);
}

/* Walk the lines: skip blanks and comments, join lines ending in '\'. */
static int load_lines(rule_set_t *rs, const char *file, const char *buf, size_t len, char *acc)
{
    uint32_t before = rs->stats.loaded, lineno = 0, start = 0;
    size_t alen = 0;
    bool joining = false, overflow = false;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) buf += 3, len -= 3; /* BOM */
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        const char *s = buf + i;
        size_t l = nl ? (size_t)(nl - s) : len - i;
        i += l + 1;
        lineno++;
        rule_trim(&s, &l);
        if (!joining) {
            if (l == 0 || s[0] == '#') continue;
            start = lineno;
            alen = 0;
            overflow = false;
        }
        joining = l > 0 && s[l - 1] == '\\';
        if (joining) l--;
        if (alen + l > RULE_MAX_LEN) overflow = true;
        if (!overflow) memcpy(acc + alen, s, l), alen += l;
        if (joining && i < len) continue;
        joining = false;
        if (overflow)
            too_long(rs, file, start);
        else
            add_rule(rs, acc, alen, file, start);
    }
    return (int)(rs->stats.loaded - before);
}

int rule_set_load_buffer(rule_set_t *rs, const char *name, const char *buf, size_t len)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *file = rule_intern(rs, name, strlen(name));
    char *acc = malloc(RULE_MAX_LEN);
    if (file == NULL || acc == NULL) {
        free(acc);
        rule_diag(rs, "%s: out of memory", name);
        return -1;
    }
    rs->last_error[0] = '\0';
    int n = load_lines(rs, file, buf, len, acc);
    free(acc);
    rs->stats.files++;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rs->stats.load_sec += (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    return n;
}

int rule_set_load_file(rule_set_t *rs, const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f == NULL) {
        rule_diag(rs, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > RULE_FILE_MAX_BYTES) {
        rule_diag(rs, "%s: not a regular file of at most %u MiB", path, RULE_FILE_MAX_BYTES >> 20);
        fclose(f);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size ? size : 1);
    size_t got = buf ? fread(buf, 1, size, f) : 0;
    bool err = buf == NULL || got != size || ferror(f);
    fclose(f);
    if (err) {
        rule_diag(rs, "%s: cannot read", path);
        free(buf);
        return -1;
    }
    int n = rule_set_load_buffer(rs, path, buf, size);
    free(buf);
    return n;
}

size_t rule_set_count(const rule_set_t *rs)
{
    return rs->n;
}

const rule_t *rule_set_rule(const rule_set_t *rs, size_t i)
{
    return i < rs->n ? rs->v[i] : NULL;
}

uint32_t rule_set_flowbit_count(const rule_set_t *rs)
{
    return rs->fb_n;
}

const char *rule_set_flowbit_name(const rule_set_t *rs, uint32_t id)
{
    return id < rs->fb_n ? rs->fb_names[id] : NULL;
}

int64_t rule_set_flowbit_id(const rule_set_t *rs, const char *name)
{
    strmap_slot_t *s = strmap_find(&rs->flowbits, name, strlen(name));
    return s ? (int64_t)(uintptr_t)s->val - 1 : -1;
}

/* ---- totals ---- */

const rule_set_stats_t *rule_set_stats(const rule_set_t *rs)
{
    return &rs->stats;
}

static int by_count(const void *a, const void *b)
{
    const rule_skip_reason_t *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->reason, y->reason);
}

size_t rule_set_skip_reasons(const rule_set_t *rs, rule_skip_reason_t *out, size_t max)
{
    rule_skip_reason_t all[RULE_MAX_REASONS];
    for (size_t i = 0; i < rs->n_reasons; i++)
        all[i] = (rule_skip_reason_t){rs->reasons[i].text, rs->reasons[i].count};
    qsort(all, rs->n_reasons, sizeof(all[0]), by_count);
    for (size_t i = 0; i < rs->n_reasons && i < max; i++)
        out[i] = all[i];
    return rs->n_reasons;
}

void rule_set_print_summary(const rule_set_t *rs, FILE *out)
{
    const rule_set_stats_t *s = &rs->stats;
    uint32_t total = s->loaded + s->skipped;
    fprintf(out, "rules: %u loaded, %u skipped (%.2f%% of %u loaded) from %u files in %.2f s\n",
            s->loaded, s->skipped, total ? 100.0 * s->loaded / total : 100.0, total, s->files,
            s->load_sec);
    rule_skip_reason_t r[RULE_MAX_REASONS];
    size_t n = rule_set_skip_reasons(rs, r, RULE_MAX_REASONS);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %7u  %s\n", r[i].count, r[i].reason);
    if (s->unknown_class)
        fprintf(out, "rules: %u loaded with an unknown classtype (severity 3, no category)\n",
                s->unknown_class);
}
