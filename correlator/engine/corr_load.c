/* corr_load.c -- loading rule files into a ruleset, and the ruleset API.
 *
 * Each YAML document of each file becomes one rule, compiled on its own
 * (corr_meta.c and the files it calls): a document with an error is
 * reported in one line and skipped. Once every file is read, references
 * between rules are resolved and the index built (corr_resolve.c). Error
 * lines are collected and reported sorted by file and place. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/corr_set.h"
#include "log.h"

#define MAX_FILES_PER_DIR 4096

/* ---- messages ---------------------------------------------------------------- */

static void emit_now(corr_ruleset_t *rs, const char *line)
{
    if (rs->diag)
        rs->diag(rs->ud, line);
    else
        log_warn("%s", line);
}

static void emit_at(corr_ruleset_t *rs, size_t file_seq, uint32_t line, uint32_t col,
                    const char *text)
{
    if (rs->nmsgs == rs->capmsgs) {
        size_t cap = rs->capmsgs ? rs->capmsgs * 2 : 16;
        msg_t *m = realloc(rs->msgs, cap * sizeof(*m));
        if (!m) {
            emit_now(rs, text); /* out of order rather than lost */
            return;
        }
        rs->msgs = m;
        rs->capmsgs = cap;
    }
    char *t = strdup(text);
    if (!t) {
        emit_now(rs, text);
        return;
    }
    rs->msgs[rs->nmsgs] = (msg_t){file_seq, rs->nmsgs, line, col, t};
    rs->nmsgs++;
}

static void emit(corr_ruleset_t *rs, const char *line)
{
    emit_at(rs, rs->file_seq, 0, 0, line);
}

void corr_set_emit_ctx(corr_ruleset_t *rs, size_t file_seq, const corr_ctx_t *c)
{
    emit_at(rs, file_seq, c->err_line, c->err_col, c->msg);
}

static int cmp_msg(const void *a, const void *b)
{
    const msg_t *x = a, *y = b;
    if (x->file_seq != y->file_seq) return x->file_seq < y->file_seq ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_msgs(corr_ruleset_t *rs)
{
    if (rs->nmsgs) qsort(rs->msgs, rs->nmsgs, sizeof(*rs->msgs), cmp_msg);
    for (size_t i = 0; i < rs->nmsgs; i++) {
        emit_now(rs, rs->msgs[i].text);
        free(rs->msgs[i].text);
    }
    free(rs->msgs);
    rs->msgs = NULL;
    rs->nmsgs = rs->capmsgs = 0;
}

/* ---- id / name map ------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static hent_t *map_slot(const corr_ruleset_t *rs, const char *key)
{
    if (!rs->map) return NULL;
    size_t mask = rs->mapcap - 1;
    for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
        hent_t *e = &rs->map[i];
        if (!e->key || strcmp(e->key, key) == 0) return e;
    }
}

bool corr_set_put(corr_ruleset_t *rs, const char *key, corr_rule_t *rule)
{
    if (2 * (rs->mapused + 1) > rs->mapcap) {
        size_t cap = rs->mapcap ? rs->mapcap * 2 : 256;
        hent_t *old = rs->map;
        size_t oldcap = rs->mapcap;
        rs->map = calloc(cap, sizeof(*rs->map));
        if (!rs->map) {
            rs->map = old;
            return false;
        }
        rs->mapcap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].key) *map_slot(rs, old[i].key) = old[i];
        free(old);
    }
    hent_t *e = map_slot(rs, key);
    if (!e->key) rs->mapused++;
    e->key = key;
    e->rule = rule;
    return true;
}

hent_t *corr_set_get(const corr_ruleset_t *rs, const char *key)
{
    hent_t *e = map_slot(rs, key);
    return e && e->key ? e : NULL;
}

static bool check_unique(corr_ruleset_t *rs, corr_ctx_t *c, const cfg_node_t *doc, corr_rule_t *r)
{
    const char *keys[2] = {r->id, r->name};
    const char *what[2] = {"id", "name"};
    for (int i = 0; i < 2; i++) {
        if (!keys[i]) continue;
        if (i == 1 && strcmp(r->name, r->id) == 0) continue;
        hent_t *e = corr_set_get(rs, keys[i]);
        if (e && e->rule) {
            corr_error(c, cfg_node_child(doc, what[i]),
                       "%s '%s' is already used by rule %s at %s:%u", what[i], keys[i], e->rule->id,
                       e->rule->file, e->rule->line);
            return false;
        }
    }
    return true;
}

static void compile_doc(corr_ruleset_t *rs, const char *file, const char *text, size_t len,
                        corr_linepos_t *linepos, const cfg_node_t *doc, size_t docno)
{
    corr_ctx_t c = {.arena = rs->arena,
                    .file = file,
                    .text = text,
                    .textlen = len,
                    .linepos = linepos,
                    .pcre_list = rs->pcre};
    snprintf(c.label, sizeof(c.label), "#%zu", docno + 1);
    corr_rule_t *r = corr_alloc(rs->arena, sizeof(*r));
    corr_rule_priv_t *priv = corr_alloc(rs->arena, sizeof(*priv));
    if (!r || !priv) {
        corr_error_at(&c, file, doc->line, doc->col, "", "out of memory");
    } else if (doc->type != CFG_MAP) {
        corr_error(&c, doc, "expected a mapping (a rule), got a %s", cfg_type_name(doc->type));
    } else if (rs->nall >= CORR_MAX_RULES) {
        corr_error(&c, doc, "too many rules (limit %d)", CORR_MAX_RULES);
    } else {
        r->priv = priv;
        priv->file_seq = rs->file_seq;
        r->file = file;
        r->line = doc->line;
        r->category = CORR_CAT_NONE;
        (void)(corr_meta_head(&c, doc, r) && check_unique(rs, &c, doc, r) &&
               corr_meta_rest(&c, doc, r, priv));
    }
    if (!c.failed && rs->nall == rs->capall) {
        size_t cap = rs->capall ? rs->capall * 2 : 64;
        corr_rule_t **a = realloc(rs->all, cap * sizeof(*a));
        if (!a)
            corr_error(&c, doc, "out of memory");
        else
            rs->all = a, rs->capall = cap;
    }
    if (!c.failed && (!corr_set_put(rs, r->id, r) || (r->name && !corr_set_put(rs, r->name, r))))
        corr_error(&c, doc, "out of memory");
    if (c.failed) {
        corr_set_emit_ctx(rs, rs->file_seq, &c);
        rs->skipped++;
        /* Remember the id and name so references to them say "skipped". */
        for (int i = 0; r && i < 2; i++) {
            const char *k = i ? r->name : r->id;
            if (k && !corr_set_get(rs, k)) corr_set_put(rs, k, NULL);
        }
        return;
    }
    rs->all[rs->nall++] = r;
}

/* ---- files ---------------------------------------------------------------------- */

static void add_buffer(corr_ruleset_t *rs, const char *name, const char *text, size_t len)
{
    char err[1024];
    rs->file_seq++;
    const char *file = corr_strndup(rs->arena, name, strlen(name));
    if (!file) {
        snprintf(err, sizeof(err), "%s: out of memory", name);
        emit(rs, err);
        rs->skipped++;
        return;
    }
    cfg_t *cfg = cfg_load_buffer(file, text, len, err, sizeof(err));
    if (!cfg) {
        emit_at(rs, rs->file_seq, 1, 0, err); /* after messages of line 0, before others */
        rs->skipped++;
        return;
    }
    corr_linepos_t linepos = {0, 0};
    for (size_t i = 0; i < cfg_doc_count(cfg); i++) {
        const cfg_node_t *doc = cfg_doc(cfg, i);
        if (doc && !cfg_node_is_null(doc)) compile_doc(rs, file, text, len, &linepos, doc, i);
    }
    cfg_free(cfg);
}

static void file_error(corr_ruleset_t *rs, const char *path, const char *what)
{
    char line[1024];
    rs->file_seq++;
    snprintf(line, sizeof(line), "%s: %s", path, what);
    emit(rs, line);
    rs->skipped++;
}

static void add_file(corr_ruleset_t *rs, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char why[256];
        snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
        file_error(rs, path, why);
        return;
    }
    size_t cap = CFG_MAX_FILE_SIZE + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        file_error(rs, path, "out of memory");
        return;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            char why[256];
            snprintf(why, sizeof(why), "read error: %s", strerror(errno));
            file_error(rs, path, why);
            free(buf);
            close(fd);
            return;
        }
        if (n == 0 || (len += (size_t)n) == cap) break;
    }
    close(fd);
    if (len > CFG_MAX_FILE_SIZE)
        file_error(rs, path, "file too large (limit 4 MiB)");
    else
        add_buffer(rs, path, buf, len);
    free(buf);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool rule_file_name(const char *n)
{
    size_t l = strlen(n);
    if (n[0] == '.') return false;
    return (l > 4 && strcmp(n + l - 4, ".yml") == 0) || (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

static void add_dir(corr_ruleset_t *rs, const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        char why[256];
        snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
        file_error(rs, path, why);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_FILES_PER_DIR) {
        if (!rule_file_name(e->d_name)) continue;
        if (n % 64 == 0) {
            char **nn = realloc(names, (n + 64) * sizeof(*nn));
            if (!nn) break;
            names = nn;
        }
        if ((names[n] = strdup(e->d_name))) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof(*names), cmp_names);
    size_t pl = strlen(path);
    bool slash = pl > 0 && path[pl - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        if (snprintf(full, sizeof(full), "%s%s%s", path, slash ? "" : "/", names[i]) <
            (int)sizeof(full)) {
            struct stat st;
            if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) add_file(rs, full);
        }
        free(names[i]);
    }
    free(names);
}

/* ---- API ---------------------------------------------------------------------------- */

static corr_ruleset_t *rs_new(corr_diag_fn diag, void *ud)
{
    corr_ruleset_t *rs = calloc(1, sizeof(*rs));
    if (!rs) return NULL;
    rs->diag = diag;
    rs->ud = ud;
    rs->arena = corr_arena_new();
    rs->pcre = corr_pcre_list_new();
    if (!rs->arena || !rs->pcre) {
        corr_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

static corr_ruleset_t *rs_finish(corr_ruleset_t *rs)
{
    corr_resolve_all(rs);
    flush_msgs(rs);
    if (!corr_build_index(rs)) {
        corr_ruleset_free(rs);
        return NULL;
    }
    free(rs->all);
    rs->all = NULL;
    rs->nall = rs->capall = 0;
    return rs;
}

corr_ruleset_t *corr_ruleset_load(const char *const paths[], size_t npaths, corr_diag_fn diag,
                                  void *ud)
{
    corr_ruleset_t *rs = rs_new(diag, ud);
    if (!rs) return NULL;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (!paths[i]) continue;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            add_dir(rs, paths[i]);
        else
            add_file(rs, paths[i]);
    }
    return rs_finish(rs);
}

corr_ruleset_t *corr_ruleset_load_buffer(const char *name, const char *text, size_t len,
                                         corr_diag_fn diag, void *ud)
{
    corr_ruleset_t *rs = rs_new(diag, ud);
    if (!rs) return NULL;
    add_buffer(rs, name ? name : "<rules>", text, len);
    return rs_finish(rs);
}

void corr_ruleset_free(corr_ruleset_t *rs)
{
    if (!rs) return;
    for (size_t i = 0; i < rs->nmsgs; i++)
        free(rs->msgs[i].text);
    free(rs->msgs);
    corr_pcre_list_free(rs->pcre);
    corr_arena_free(rs->arena);
    free(rs->all);
    free(rs->rules);
    free(rs->map);
    free(rs);
}

size_t corr_ruleset_loaded(const corr_ruleset_t *rs)
{
    return rs ? rs->nrules : 0;
}

size_t corr_ruleset_skipped(const corr_ruleset_t *rs)
{
    return rs ? rs->skipped : 0;
}

size_t corr_ruleset_count(const corr_ruleset_t *rs)
{
    return rs ? rs->nrules : 0;
}

const corr_rule_t *corr_ruleset_rule(const corr_ruleset_t *rs, size_t i)
{
    return rs && i < rs->nrules ? rs->rules[i] : NULL;
}

const corr_rule_t *corr_ruleset_find(const corr_ruleset_t *rs, const char *id_or_name)
{
    if (!rs || !id_or_name) return NULL;
    hent_t *e = corr_set_get(rs, id_or_name);
    return e && e->rule && corr_mpriv(e->rule)->state == ST_OK ? e->rule : NULL;
}

size_t corr_ruleset_detections(const corr_ruleset_t *rs, corr_category_t cat,
                               const corr_rule_t *const **out)
{
    if (!rs || cat < 0 || cat >= CORR_CAT_COUNT) {
        *out = NULL;
        return 0;
    }
    *out = rs->bycat[cat];
    return rs->nbycat[cat];
}

size_t corr_ruleset_correlations(const corr_ruleset_t *rs, const corr_rule_t *const **out)
{
    *out = rs ? rs->corrs : NULL;
    return rs ? rs->ncorrs : 0;
}
