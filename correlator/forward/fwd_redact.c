/* fwd_redact.c -- see fwd_redact.h. */
#include "fwd_redact.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fwd_incdoc.h"

/* Members of `socctl incidents show --json` but "timeline" (KEYS.md), and
 * the members of those that are objects. "samples" is open below. */
static const char *const members[] = {
    "title",           "rule",       "severity",
    "priority",        "status",     "assignee",
    "group_key",       "first_seen", "last_seen",
    "count",           "src_ips",    "dest_ips",
    "asset",           "attack",     "evidence",
    "evidence_total",  "samples",    "sla",
    "created_at",      "updated_at", "acknowledged_at",
    "resolved_at",     "closed_at",  "time_to_acknowledge",
    "time_to_resolve", "links",      "merged_into",
    "merged_from",     NULL,
};

static const struct sub {
    const char *parent;
    const char *const names[5];
} subs[] = {
    {"rule", {"id", "version", NULL}},
    {"asset", {"name", "level", NULL}},
    {"attack", {"tactics", "techniques", NULL}},
    {"sla", {"acknowledge_by", "resolve_by", "acknowledge_overdue", "resolve_overdue", NULL}},
};

static bool listed(const char *const *names, const char *s, size_t n)
{
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) return true;
    return false;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Split into segments; the syntax errors. */
static int split(fwd_redact_path_t *p, const char *path, const char *q, char *err, size_t errlen)
{
    size_t n = strlen(path);
    if (n == 0) return err_set(-1, err, errlen, "redact: empty path");
    if (n >= FWD_REDACT_PATH_MAX)
        return err_set(-1, err, errlen, "redact path '%s': longer than %d bytes", q,
                       FWD_REDACT_PATH_MAX - 1);
    memcpy(p->text, path, n + 1);
    p->nseg = 0;
    for (size_t i = 0, start = 0; i <= n; i++) {
        if (i < n && path[i] != '.') {
            if (!name_char(path[i]))
                return err_set(-1, err, errlen,
                               "redact path '%s': byte %zu: member names are letters, digits, "
                               "'_' and '-', joined by '.'",
                               q, i + 1);
            continue;
        }
        if (i == start) return err_set(-1, err, errlen, "redact path '%s': empty member name", q);
        if (p->nseg == FWD_REDACT_MAX_SEGS)
            return err_set(-1, err, errlen, "redact path '%s': more than %d members deep", q,
                           FWD_REDACT_MAX_SEGS);
        p->off[p->nseg] = (uint16_t)start;
        p->len[p->nseg++] = (uint16_t)(i - start);
        start = i + 1;
    }
    return 0;
}

/* The names: under "incident", a known member, a known sub-member. */
static int check_names(const fwd_redact_path_t *p, const char *q, char *err, size_t errlen)
{
    const char *t = p->text;
    if (p->nseg < 2 || p->len[0] != 8 || memcmp(t, "incident", 8) != 0)
        return err_set(-1, err, errlen,
                       "redact path '%s': must name a member of the incident, like "
                       "incident.assignee",
                       q);
    const char *m = t + p->off[1];
    size_t ml = p->len[1];
    if (ml == 2 && memcmp(m, "id", 2) == 0)
        return err_set(-1, err, errlen, "redact path '%s': the incident id cannot be redacted", q);
    if (!listed(members, m, ml))
        return err_set(-1, err, errlen,
                       "redact path '%s': the incident has no member '%.*s' (members: see "
                       "'socctl incidents show ID --json')",
                       q, (int)ml, m);
    if (p->nseg == 2 || (ml == 7 && memcmp(m, "samples", 7) == 0)) return 0;
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strlen(subs[i].parent) != ml || memcmp(subs[i].parent, m, ml) != 0) continue;
        if (!listed(subs[i].names, t + p->off[2], p->len[2]))
            return err_set(-1, err, errlen, "redact path '%s': %s has no member '%.*s'", q,
                           subs[i].parent, (int)p->len[2], t + p->off[2]);
        if (p->nseg == 3) return 0;
        return err_set(-1, err, errlen, "redact path '%s': %s.%.*s has no members", q,
                       subs[i].parent, (int)p->len[2], t + p->off[2]);
    }
    return err_set(-1, err, errlen, "redact path '%s': %.*s has no members", q, (int)ml, m);
}

void fwd_redact_init(fwd_redact_t *r)
{
    r->n = 0;
}

int fwd_redact_add(fwd_redact_t *r, const char *path, char *err, size_t errlen)
{
    char q[96];
    if (!path) return err_set(-1, err, errlen, "redact: no path");
    for (size_t i = 0; i < r->n; i++) /* a global list and an endpoint's may overlap */
        if (strcmp(r->paths[i].text, path) == 0) return 0;
    err_quote(path, strlen(path), q, sizeof(q));
    if (r->n == FWD_REDACT_MAX_PATHS)
        return err_set(-1, err, errlen, "redact path '%s': more than %d paths", q,
                       FWD_REDACT_MAX_PATHS);
    fwd_redact_path_t *p = &r->paths[r->n];
    if (split(p, path, q, err, errlen) < 0 || check_names(p, q, err, errlen) < 0) return -1;
    r->n++;
    return 0;
}

/* ---- rewriting -------------------------------------------------------------------- */

typedef struct rw {
    const fwd_redact_t *r;
    const char *s;
    const json_tok_t *t;
    char *out;
    size_t n;
} rw_t;

static void put(rw_t *w, const char *s, size_t n)
{
    memcpy(w->out + w->n, s, n); /* never longer than the input: see fwd_redact_apply */
    w->n += n;
}

/* A token's whole text, strings with their quotes. */
static void copy_tok(rw_t *w, int i)
{
    size_t q = w->t[i].type == JSON_STRING;
    put(w, w->s + w->t[i].start - q, w->t[i].end - w->t[i].start + 2 * q);
}

static void emit(rw_t *w, int i, uint64_t active, size_t depth);

/* A member: dropped when a path ends at it; otherwise the paths that go on
 * through it are active in its value. */
static void emit_object(rw_t *w, int obj, uint64_t active, size_t depth)
{
    put(w, "{", 1);
    bool first = true;
    for (int i = obj + 1, m = 0; m < w->t[obj].size; m++, i = w->t[i + 1].next) {
        uint64_t next = 0;
        bool drop = false;
        for (size_t p = 0; p < w->r->n; p++) {
            const fwd_redact_path_t *rp = &w->r->paths[p];
            if (!(active >> p & 1) ||
                !json_tok_eqn(w->s, &w->t[i], rp->text + rp->off[depth], rp->len[depth]))
                continue;
            if (depth + 1 == rp->nseg)
                drop = true;
            else
                next |= (uint64_t)1 << p;
        }
        if (drop) continue;
        if (!first) put(w, ",", 1);
        first = false;
        copy_tok(w, i);
        put(w, ":", 1);
        emit(w, i + 1, next, depth + 1);
    }
    put(w, "}", 1);
}

static void emit(rw_t *w, int i, uint64_t active, size_t depth)
{
    if (!active || (w->t[i].type != JSON_OBJECT && w->t[i].type != JSON_ARRAY)) {
        copy_tok(w, i);
        return;
    }
    if (w->t[i].type == JSON_OBJECT) {
        emit_object(w, i, active, depth);
        return;
    }
    put(w, "[", 1); /* the same paths apply to every element */
    for (int e = i + 1, k = 0; k < w->t[i].size; k++, e = w->t[e].next) {
        if (k) put(w, ",", 1);
        emit(w, e, active, depth);
    }
    put(w, "]", 1);
}

int fwd_redact_apply(const fwd_redact_t *r, const char *doc, size_t len, char **out, size_t *outlen,
                     char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    fwd_incdoc_t d;
    if (fwd_incdoc_parse(&d, doc, len, err, errlen) < 0) return -1;
    /* Output <= input: spans are copied, and a rewritten container writes
     * only the brackets, commas and colons the input had too. */
    rw_t w = {.r = r, .s = doc, .t = d.toks, .out = malloc(len + 1)};
    if (!w.out) {
        fwd_incdoc_free(&d);
        return err_set(-1, err, errlen, "redact: out of memory");
    }
    uint64_t all = r->n >= 64 ? UINT64_MAX : ((uint64_t)1 << r->n) - 1;
    emit(&w, 0, all, 0);
    w.out[w.n] = '\0';
    fwd_incdoc_free(&d);
    *out = w.out;
    *outlen = w.n;
    return 0;
}
