/* corr_field.c -- field names of rules and their values in an event.
 *
 * A field is a dotted path ("http.hostname", "dest_asset.level") looked up
 * in the EVE event, then in the enrichment the correlator added. Arrays on
 * the way fan out: "dns.answers.rdata" visits the rdata of every answer, and
 * a field whose value is an array visits its elements, so a rule value
 * matches a list when any element does. A few names are built-in aliases
 * that stand for the same notion in several event types (the table below,
 * documented in rules/correlation/README.md). */
#include <stdio.h>
#include <string.h>

#include "engine/corr_int.h"

/* Built-in aliases: the first path present in an event is the value. */
static const struct {
    const char *name;
    const char *paths[CORR_FIELD_PATHS];
} builtin_alias[] = {
    {"hostname", {"http.hostname", "tls.sni", "dns.rrname", "dns.queries.rrname"}},
    {"query", {"dns.rrname", "dns.queries.rrname"}},
    {"answer", {"dns.answers.rdata"}},
    {"url", {"http.url"}},
    {"user_agent", {"http.http_user_agent"}},
    {"http_method", {"http.http_method"}},
    {"http_status", {"http.status"}},
    {"sid", {"alert.signature_id"}},
    {"signature", {"alert.signature"}},
    {"classtype", {"alert.category"}},
    {"ja3", {"tls.ja3.hash"}},
    {"ja3s", {"tls.ja3s.hash"}},
};

#define N_BUILTIN (sizeof(builtin_alias) / sizeof(builtin_alias[0]))

/* Bytes a field name may not hold: they delimit modifiers, wildcards and
 * group keys, or are not printable. */
static bool field_byte_ok(unsigned char ch)
{
    return ch > 0x20 && ch != 0x7f && !strchr("|*?\\\"'=,", ch);
}

static bool path_split(corr_arena_t *a, const char *s, size_t n, corr_path_t *p, char *why,
                       size_t whylen)
{
    const char *copy = corr_strndup(a, s, n);
    if (!copy) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    p->nseg = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && copy[i] != '.') continue;
        if (i == start) {
            snprintf(why, whylen, "empty segment in field name");
            return false;
        }
        if (p->nseg == CORR_SEG_MAX) {
            snprintf(why, whylen, "field name has more than %d segments", CORR_SEG_MAX);
            return false;
        }
        p->seg[p->nseg++] = (corr_seg_t){copy + start, (uint32_t)(i - start),
                                         corr_doc_hash(copy + start, i - start)};
        start = i + 1;
    }
    return true;
}

bool corr_field_compile(corr_arena_t *a, const char *name, size_t len, corr_field_t *out, char *why,
                        size_t whylen)
{
    memset(out, 0, sizeof(*out));
    if (len == 0) {
        snprintf(why, whylen, "empty field name");
        return false;
    }
    if (len > CORR_FIELD_NAME_MAX) {
        snprintf(why, whylen, "field name longer than %d bytes", CORR_FIELD_NAME_MAX);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!field_byte_ok((unsigned char)name[i])) {
            char tmp[8];
            unsigned char ch = (unsigned char)name[i];
            if (ch > 0x20 && ch != 0x7f)
                snprintf(tmp, sizeof(tmp), "'%c'", ch);
            else
                snprintf(tmp, sizeof(tmp), "0x%02x", ch);
            snprintf(why, whylen, "field name may not contain %s", tmp);
            return false;
        }
    }
    out->name = corr_strndup(a, name, len);
    if (!out->name) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    for (size_t i = 0; i < N_BUILTIN; i++) {
        if (strlen(builtin_alias[i].name) != len || memcmp(builtin_alias[i].name, name, len) != 0)
            continue;
        for (size_t k = 0; k < CORR_FIELD_PATHS && builtin_alias[i].paths[k]; k++) {
            const char *p = builtin_alias[i].paths[k];
            if (!path_split(a, p, strlen(p), &out->path[out->npaths++], why, whylen)) return false;
        }
        return true;
    }
    out->npaths = 1;
    return path_split(a, name, len, &out->path[0], why, whylen);
}

/* ---- walking an event ---------------------------------------------------- */

typedef struct walk {
    const corr_doc_t *doc;
    corr_visit_fn fn;
    void *arg;
    size_t count;
    bool stopped;
} walk_t;

/* A value at the end of a path: arrays are flattened. */
static void walk_value(walk_t *w, int ti)
{
    const json_tok_t *toks = w->doc->toks;
    if (ti < 0 || ti >= w->doc->ntoks) return;
    if (toks[ti].type == JSON_ARRAY) {
        int i = ti + 1;
        for (int m = 0; m < toks[ti].size && !w->stopped && i < w->doc->ntoks; m++) {
            walk_value(w, i);
            i = toks[i].next;
        }
        return;
    }
    w->count++;
    if (w->fn(w->doc, &toks[ti], w->arg)) w->stopped = true;
}

static void walk_path(walk_t *w, const corr_path_t *p, unsigned seg, int ti)
{
    const corr_doc_t *d = w->doc;
    if (ti < 0 || ti >= d->ntoks || w->stopped) return;
    if (seg == p->nseg) {
        walk_value(w, ti);
        return;
    }
    const json_tok_t *t = &d->toks[ti];
    if (t->type == JSON_OBJECT) {
        const corr_seg_t *sg = &p->seg[seg];
        uint32_t h = sg->hash ? sg->hash : corr_doc_hash(sg->s, sg->len);
        int v = ti == 0 ? corr_doc_member_h(d, sg->s, sg->len, h)
                        : json_object_find(d->s, d->toks, d->ntoks, ti, sg->s, sg->len);
        if (v >= 0) walk_path(w, p, seg + 1, v);
    } else if (t->type == JSON_ARRAY && seg > 0) {
        /* "dns.answers.rdata": the path goes on in every element. */
        int i = ti + 1;
        for (int m = 0; m < t->size && !w->stopped && i < d->ntoks; m++) {
            walk_path(w, p, seg, i);
            i = d->toks[i].next;
        }
    }
}

static bool doc_usable(const corr_doc_t *d)
{
    return d->s && d->len > 0 && d->toks && d->ntoks > 0 && d->toks[0].type == JSON_OBJECT;
}

size_t corr_field_visit(const corr_field_t *f, const corr_event_t *ev, corr_visit_fn fn, void *arg,
                        bool *stopped)
{
    *stopped = false;
    for (unsigned k = 0; k < f->npaths; k++) {
        const corr_doc_t *docs[2] = {&ev->eve, &ev->extra};
        for (int d = 0; d < 2; d++) {
            if (!doc_usable(docs[d])) continue;
            walk_t w = {.doc = docs[d], .fn = fn, .arg = arg};
            walk_path(&w, &f->path[k], 0, 0);
            if (w.count > 0) {
                *stopped = w.stopped;
                return w.count;
            }
        }
    }
    return 0;
}

/* ---- values as text -------------------------------------------------------- */

/* Escaped strings are decoded here: one per thread, no allocation. Longer
 * decoded strings are compared in their escaped form (documented). */
static _Thread_local char scratch[64 << 10];

bool corr_tok_text(const corr_doc_t *doc, const json_tok_t *t, const char **s, size_t *len)
{
    switch (t->type) {
    case JSON_STRING:
        if (t->flags & JSON_TOK_ESCAPED) {
            size_t n = 0;
            if (json_tok_string(doc->s, t, scratch, sizeof(scratch), &n) == JSON_OK) {
                *s = scratch;
                *len = n;
                return true;
            }
        }
        /* plain strings and over-long escaped ones as written */
        *s = json_tok_raw(doc->s, t, len);
        return true;
    case JSON_NUMBER:
    case JSON_TRUE:
    case JSON_FALSE: *s = json_tok_raw(doc->s, t, len); return true;
    default: return false;
    }
}

/* ---- rendering for group keys --------------------------------------------- */

static size_t esc_unit(unsigned char ch, char unit[5])
{
    if (ch == '\\' || ch == '|') {
        unit[0] = '\\';
        unit[1] = (char)ch;
        return 2;
    }
    if (ch < 0x20 || ch == 0x7f) {
        snprintf(unit, 5, "\\x%02x", ch);
        return 4;
    }
    unit[0] = (char)ch;
    return 1;
}

/* Escape s into out, at most limit bytes; returns bytes written and the
 * source bytes consumed in *used. */
static size_t esc_copy(const char *s, size_t n, char *out, size_t limit, size_t *used)
{
    size_t o = 0, i = 0;
    for (; i < n; i++) {
        char unit[5];
        size_t ul = esc_unit((unsigned char)s[i], unit);
        if (o + ul > limit) break;
        memcpy(out + o, unit, ul);
        o += ul;
    }
    *used = i;
    return o;
}

/* Writes the rendered value (at most CORR_KEY_VALUE_MAX bytes, no NUL). */
static size_t render_value(const char *s, size_t n, char *out)
{
    size_t used;
    size_t o = esc_copy(s, n, out, CORR_KEY_VALUE_MAX, &used);
    if (used == n) return o;
    /* Too long: a prefix, then '#' and a hash of the whole value, so long
     * values that differ only at the end still make different keys. */
    const size_t tail = 17;
    o = esc_copy(s, n, out, CORR_KEY_VALUE_MAX - tail, &used);
    while (used > 0 && used < n && ((unsigned char)s[used] & 0xc0) == 0x80) {
        used--; /* bytes >= 0x80 are copied as they are: one byte each */
        o--;
    }
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    char hex[18];
    snprintf(hex, sizeof(hex), "#%016llx", (unsigned long long)h);
    memcpy(out + o, hex, tail);
    return o + tail;
}

typedef struct render {
    char *out;
    size_t cap, len;
    bool found;
} render_t;

static bool render_visit(const corr_doc_t *doc, const json_tok_t *t, void *arg)
{
    render_t *r = arg;
    const char *s;
    size_t n;
    if (!corr_tok_text(doc, t, &s, &n)) return false; /* null: try the next value */
    char buf[CORR_KEY_VALUE_MAX];
    size_t k = render_value(s, n, buf);
    if (k + 1 > r->cap) return true; /* no room: len stays 0 */
    memcpy(r->out, buf, k);
    r->out[k] = '\0';
    r->len = k;
    r->found = true;
    return true;
}

bool corr_field_render(const corr_field_t *f, const corr_event_t *ev, char *out, size_t cap,
                       size_t *len)
{
    render_t r = {.out = out, .cap = cap};
    bool stopped;
    corr_field_visit(f, ev, render_visit, &r, &stopped);
    *len = r.len;
    return r.found;
}
