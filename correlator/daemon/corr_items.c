/* corr_items.c -- see corr_items.h. */
#include "daemon/corr_items.h"

#include <stdlib.h>
#include <string.h>

bool corr_items_init(corr_items_t *it, uint32_t nshards)
{
    memset(it, 0, sizeof(*it));
    it->nshards = nshards;
    it->holding = calloc(nshards ? nshards : 1, sizeof(*it->holding));
    return it->holding != NULL;
}

void corr_items_free(corr_items_t *it)
{
    corr_items_clear(it);
    for (size_t i = 0; i < it->nslots; i++)
        corr_rbuf_free(it->slots[i].buf);
    for (int i = 0; i < CORR_ITEMS_SPARE; i++)
        corr_rbuf_free(it->spare[i]);
    free(it->slots);
    free(it->v);
    free(it->ready);
    free(it->ord);
    free(it->holding);
    memset(it, 0, sizeof(*it));
}

/* A buffer nobody points into any more: to the pool, or freed. */
void corr_items_done_with(corr_items_t *it, uint32_t slot)
{
    corr_rbuf_t *b = it->slots[slot].buf;
    it->slots[slot] = (corr_items_slot_t){0};
    if (!b) return;
    for (int i = 0; i < CORR_ITEMS_SPARE; i++) {
        if (!it->spare[i]) {
            corr_rbuf_reset(b);
            it->spare[i] = b;
            return;
        }
    }
    corr_rbuf_free(b);
}

void corr_items_clear(corr_items_t *it)
{
    it->n = it->nready = 0;
    for (size_t i = 0; i < it->nslots; i++)
        if (it->slots[i].buf) corr_items_done_with(it, (uint32_t)i);
}

corr_rbuf_t *corr_items_buffer(corr_items_t *it, uint32_t *slot)
{
    size_t s = 0;
    while (s < it->nslots && it->slots[s].buf)
        s++;
    if (s == it->nslots) {
        if (s >= UINT32_MAX) return NULL;
        corr_items_slot_t *v = realloc(it->slots, (s + 1) * sizeof(*v));
        if (!v) return NULL;
        it->slots = v;
        it->slots[it->nslots++] = (corr_items_slot_t){0};
    }
    corr_rbuf_t *b = NULL;
    for (int i = 0; i < CORR_ITEMS_SPARE && !b; i++) {
        b = it->spare[i];
        it->spare[i] = NULL;
    }
    if (!b && !(b = corr_rbuf_new())) return NULL;
    it->slots[s] = (corr_items_slot_t){b, 0};
    *slot = (uint32_t)s;
    return b;
}

bool corr_items_add(corr_items_t *it, const corr_item_t *item)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 4096;
        corr_item_t *v = realloc(it->v, cap * sizeof(*v));
        if (!v) return false;
        it->v = v;
        it->cap = cap;
    }
    it->v[it->n++] = *item;
    it->slots[item->buf].live++;
    return true;
}

/* ---- ordering --------------------------------------------------------------------- */

struct corr_items_ord {
    int64_t ts;
    uint32_t i; /* arrival: breaks ties, keeps a shard's equal times in order */
};

static int by_time(const void *a, const void *b)
{
    const struct corr_items_ord *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static bool room(corr_items_t *it, size_t n)
{
    if (it->ready_cap >= n) return true;
    uint32_t *r = realloc(it->ready, n * sizeof(*r));
    if (r) it->ready = r;
    struct corr_items_ord *o = r ? realloc(it->ord, n * sizeof(*o)) : NULL;
    if (o) it->ord = o;
    if (!r || !o) return false;
    it->ready_cap = n;
    return true;
}

bool corr_items_ready(corr_items_t *it, int64_t safe)
{
    it->nready = 0;
    if (it->n == 0) return true;
    if (it->n > UINT32_MAX || !room(it, it->n)) return false;
    memset(it->holding, 0, it->nshards * sizeof(*it->holding));
    size_t k = 0;
    for (size_t i = 0; i < it->n; i++) { /* arrival order: a held entry holds its successors */
        corr_item_t *t = &it->v[i];
        bool *h = &it->holding[t->shard < it->nshards ? t->shard : 0];
        *h = *h || t->ts > safe;
        t->ready = !*h;
        if (t->ready) it->ord[k++] = (struct corr_items_ord){t->ts, (uint32_t)i};
    }
    qsort(it->ord, k, sizeof(*it->ord), by_time);
    for (size_t i = 0; i < k; i++)
        it->ready[i] = it->ord[i].i;
    it->nready = k;
    return true;
}

void corr_items_drop_ready(corr_items_t *it)
{
    size_t w = 0;
    for (size_t i = 0; i < it->n; i++) {
        corr_item_t *t = &it->v[i];
        if (!t->ready) {
            it->v[w++] = *t;
            continue;
        }
        if (--it->slots[t->buf].live == 0) corr_items_done_with(it, t->buf);
    }
    it->n = w;
    it->nready = 0;
}
