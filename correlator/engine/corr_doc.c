/* corr_doc.c -- the index of one document's top-level members (see
 * corr_event.h). */
#include <string.h>

#include "engine/corr_event.h"

#define SLOTS 64 /* a power of two, over CORR_DOC_INDEX_MAX: probes stay short */

static _Thread_local struct {
    bool on;
    const corr_doc_t *doc; /* what it covers, checked on every lookup */
    const char *s;
    const json_tok_t *toks;
    int ntoks;
    int32_t slot[SLOTS]; /* key token index; 0 empty (token 0 is the object) */
} ix;

uint32_t corr_doc_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h;
}

static bool covers(const corr_doc_t *d)
{
    return ix.on && ix.doc == d && ix.s == d->s && ix.toks == d->toks && ix.ntoks == d->ntoks;
}

static bool key_is(const char *s, const json_tok_t *k, const char *key, size_t len)
{
    return k->end - k->start == len && memcmp(s + k->start, key, len) == 0;
}

/* Every member of object 0 into the slots, the first of equal names
 * winning as in a scan; false when the object cannot be indexed whole
 * (too many members, an escaped name, tokens not of our parser). */
static bool fill(const corr_doc_t *d)
{
    const json_tok_t *t = d->toks;
    if (!d->s || !t || d->ntoks <= 0 || t[0].type != JSON_OBJECT || t[0].size > CORR_DOC_INDEX_MAX)
        return false;
    memset(ix.slot, 0, sizeof(ix.slot));
    int i = 1;
    for (int m = 0; m < t[0].size; m++) {
        if (i + 1 >= d->ntoks || t[i].type != JSON_STRING || (t[i].flags & JSON_TOK_ESCAPED))
            return false;
        size_t len = t[i].end - t[i].start;
        uint32_t h = corr_doc_hash(d->s + t[i].start, len) & (SLOTS - 1);
        while (ix.slot[h] && !key_is(d->s, &t[ix.slot[h]], d->s + t[i].start, len))
            h = (h + 1) & (SLOTS - 1);
        if (!ix.slot[h]) ix.slot[h] = i;
        int next = t[i + 1].next;
        if (next <= i + 1) return false;
        i = next;
    }
    return true;
}

bool corr_doc_index(const corr_doc_t *d)
{
    if (covers(d)) return false;
    ix.on = fill(d);
    ix.doc = d;
    ix.s = d->s;
    ix.toks = d->toks;
    ix.ntoks = d->ntoks;
    return true;
}

void corr_doc_unindex(void)
{
    ix.on = false;
    ix.doc = NULL;
}

int corr_doc_member_h(const corr_doc_t *d, const char *key, size_t len, uint32_t hash)
{
    if (!covers(d)) return json_object_find(d->s, d->toks, d->ntoks, 0, key, len);
    for (uint32_t h = hash & (SLOTS - 1); ix.slot[h]; h = (h + 1) & (SLOTS - 1))
        if (key_is(d->s, &d->toks[ix.slot[h]], key, len)) return ix.slot[h] + 1;
    return -1;
}

int corr_doc_member(const corr_doc_t *d, const char *key, size_t len)
{
    return corr_doc_member_h(d, key, len, covers(d) ? corr_doc_hash(key, len) : 0);
}

const json_tok_t *corr_doc_get(const corr_doc_t *d, const char *path)
{
    if (!d || !d->s || !d->toks || !path || d->ntoks <= 0) return NULL;
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    int v = corr_doc_member(d, path, n);
    if (v < 0) return NULL;
    while (dot) {
        path = dot + 1;
        dot = strchr(path, '.');
        n = dot ? (size_t)(dot - path) : strlen(path);
        if ((v = json_object_find(d->s, d->toks, d->ntoks, v, path, n)) < 0) return NULL;
    }
    return &d->toks[v];
}
