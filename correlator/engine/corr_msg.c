/* corr_msg.c -- error lines of the rule loader and the small scalar
 * readers every part of a rule uses.
 *
 * Every problem becomes one line "FILE:LINE:COL: rule ID: PATH: what",
 * PATH being the key path inside the rule's document (empty at its top). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/corr_int.h"

static void verror_at(corr_ctx_t *c, const char *file, uint32_t line, uint32_t col,
                      const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void verror_at(corr_ctx_t *c, const char *file, uint32_t line, uint32_t col,
                      const char *path, const char *fmt, va_list ap)
{
    if (c->failed) return; /* one line per rule: the first problem */
    c->failed = true;
    c->err_line = line;
    c->err_col = col;
    char what[600];
    vsnprintf(what, sizeof(what), fmt, ap);
    snprintf(c->msg, sizeof(c->msg), "%s:%u:%u: rule %s: %s%s%s", file ? file : c->file, line, col,
             c->label, path && path[0] ? path : "", path && path[0] ? ": " : "", what);
}

void corr_error_at(corr_ctx_t *c, const char *file, uint32_t line, uint32_t col, const char *path,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_at(c, file, line, col, path, fmt, ap);
    va_end(ap);
}

void corr_error(corr_ctx_t *c, const cfg_node_t *n, const char *fmt, ...)
{
    char path[256] = "";
    if (n) cfg_node_path(n, path, sizeof(path));
    va_list ap;
    va_start(ap, fmt);
    verror_at(c, n ? n->file : c->file, n ? n->line : 0, n ? n->col : 0, path, fmt, ap);
    va_end(ap);
}

void corr_error_key(corr_ctx_t *c, const cfg_node_t *member, const char *fmt, ...)
{
    char path[256] = "";
    cfg_node_path(member, path, sizeof(path));
    va_list ap;
    va_start(ap, fmt);
    verror_at(c, member->file, member->key_line, member->key_col, path, fmt, ap);
    va_end(ap);
}

corr_pos_t corr_pos(corr_ctx_t *c, const cfg_node_t *n, bool at_key)
{
    char path[256] = "";
    cfg_node_path(n, path, sizeof(path));
    const char *p = corr_strndup(c->arena, path, strlen(path));
    /* c->file, not n->file: the position outlives the YAML tree. */
    return (corr_pos_t){c->file, at_key ? n->key_line : n->line, at_key ? n->key_col : n->col,
                        p ? p : ""};
}

void corr_error_pos(corr_ctx_t *c, const corr_pos_t *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_at(c, pos->file, pos->line, pos->col, pos->path, fmt, ap);
    va_end(ap);
}

bool corr_scalar(corr_ctx_t *c, const cfg_node_t *n, const char *what)
{
    if (n->type != CFG_SCALAR) {
        corr_error(c, n, "expected %s, got a %s", what, cfg_type_name(n->type));
        return false;
    }
    if (cfg_node_is_null(n)) {
        corr_error(c, n, "expected %s, got nothing", what);
        return false;
    }
    if (strlen(n->str) != n->len) {
        corr_error(c, n, "expected %s without NUL bytes", what);
        return false;
    }
    return true;
}

bool corr_duration_usec(corr_ctx_t *c, const cfg_node_t *n, int64_t min_sec, int64_t *out)
{
    char want[96], tmp[64];
    snprintf(want, sizeof(want), "a duration like 30s, 5m, 1h, 1d (%llds..30d)",
             (long long)min_sec);
    if (!corr_scalar(c, n, want)) return false;
    const char *p = n->str;
    int64_t v = 0;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 10) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    int64_t mul = 0;
    if (digits && p[0] && !p[1]) {
        switch (*p) {
        case 's': mul = 1; break;
        case 'm': mul = 60; break;
        case 'h': mul = 3600; break;
        case 'd': mul = 86400; break;
        default: break;
        }
    }
    if (!mul || v * mul < min_sec || v * mul > CORR_MAX_TIMESPAN) {
        corr_error(c, n, "expected %s, got '%s'", want,
                   err_quote(n->str, n->len, tmp, sizeof(tmp)));
        return false;
    }
    *out = v * mul * 1000000;
    return true;
}

bool corr_bool(corr_ctx_t *c, const cfg_node_t *n, bool *out)
{
    char tmp[64];
    if (!corr_scalar(c, n, "true or false")) return false;
    if (strcasecmp(n->str, "true") == 0 || strcasecmp(n->str, "yes") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(n->str, "false") == 0 || strcasecmp(n->str, "no") == 0) {
        *out = false;
        return true;
    }
    corr_error(c, n, "expected true or false, got '%s'",
               err_quote(n->str, n->len, tmp, sizeof(tmp)));
    return false;
}

/* Edit distance of short strings, for "did you mean". */
static size_t distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[33];
    if (la > 32 || lb > 32) return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

bool corr_check_keys(corr_ctx_t *c, const cfg_node_t *map, const char *const known[])
{
    for (const cfg_node_t *m = map->child; m; m = m->next) {
        const char *best = NULL;
        size_t best_d = 3;
        bool found = false;
        for (size_t i = 0; known[i] && !found; i++) {
            found = strlen(known[i]) == m->key_len && memcmp(known[i], m->key, m->key_len) == 0;
            size_t d = distance(m->key, m->key_len, known[i]);
            if (d < best_d) best_d = d, best = known[i];
        }
        if (found) continue;
        char path[256] = "", tmp[64];
        cfg_node_path(map, path, sizeof(path));
        err_quote(m->key, m->key_len, tmp, sizeof(tmp));
        if (best)
            corr_error_at(c, m->file, m->key_line, m->key_col, path,
                          "unknown key '%s' (did you mean '%s'?)", tmp, best);
        else
            corr_error_at(c, m->file, m->key_line, m->key_col, path, "unknown key '%s'", tmp);
        return false;
    }
    return true;
}

bool corr_ident_ok(const char *s, size_t n)
{
    if (n == 0 || n > CORR_MAX_ID) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' || ch == ':';
        if (!ok) return false;
    }
    return true;
}
