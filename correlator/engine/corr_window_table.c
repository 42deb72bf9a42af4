/* corr_window_table.c -- the containers of window state: distinct-value
 * tables (open addressing, linear probing, backward-shift deletion, so no
 * tombstones pile up), sorted event times and tumbling buckets. */
#include <string.h>

#include "engine/corr_window.h"

/* ---- distinct values ------------------------------------------------------ */

cw_val_t *cw_vtab_find(const cw_vtab_t *t, uint64_t h)
{
    if (!t->cap) return NULL;
    uint32_t mask = t->cap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        if (t->s[i].h == h) return &t->s[i];
        if (t->s[i].h == 0) return NULL;
    }
}

static cw_val_t *place(cw_vtab_t *t, uint64_t h)
{
    uint32_t mask = t->cap - 1, i = (uint32_t)h & mask;
    while (t->s[i].h)
        i = (i + 1) & mask;
    t->s[i].h = h;
    t->n++;
    return &t->s[i];
}

cw_val_t *cw_vtab_insert(cw_mem_t *m, cw_vtab_t *t, uint64_t h)
{
    if ((t->n + 1) * 2 > t->cap) { /* keep the load at most one half */
        uint32_t ncap = t->cap ? t->cap * 2 : 8;
        cw_val_t *old = t->s;
        uint32_t ocap = t->cap;
        cw_val_t *s = cw_alloc(m, (size_t)ncap * sizeof(*s));
        if (!s) return NULL;
        t->s = s;
        t->cap = ncap;
        t->n = 0;
        for (uint32_t i = 0; i < ocap; i++)
            if (old[i].h) place(t, old[i].h)->t = old[i].t;
        cw_release(m, old, (size_t)ocap * sizeof(*old));
    }
    cw_val_t *v = place(t, h);
    v->t = CW_UNSET;
    return v;
}

/* Empty slot i, moving later entries of its cluster back into it. */
static void delete_at(cw_vtab_t *t, uint32_t i)
{
    uint32_t mask = t->cap - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (t->s[j].h == 0) break;
        uint32_t k = (uint32_t)t->s[j].h & mask; /* home slot of entry j */
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        t->s[i] = t->s[j];
        i = j;
    }
    t->s[i] = (cw_val_t){0};
    t->n--;
}

uint32_t cw_vtab_remove(cw_vtab_t *t, int64_t upto, bool exact)
{
    uint32_t removed = 0;
    for (uint32_t i = 0; i < t->cap && t->n;) {
        const cw_val_t *v = &t->s[i];
        if (v->h && (exact ? v->t == upto : v->t <= upto)) {
            delete_at(t, i); /* an entry may have moved into i: look again */
            removed++;
        } else {
            i++;
        }
    }
    return removed;
}

uint32_t cw_vtab_count_after(const cw_vtab_t *t, int64_t after, int64_t *min_t)
{
    uint32_t n = 0;
    int64_t lo = CW_NEVER;
    for (uint32_t i = 0; i < t->cap; i++) {
        if (!t->s[i].h || t->s[i].t <= after) continue;
        n++;
        if (t->s[i].t < lo) lo = t->s[i].t;
    }
    if (min_t) *min_t = lo;
    return n;
}

void cw_vtab_clear(cw_vtab_t *t)
{
    if (t->cap) memset(t->s, 0, (size_t)t->cap * sizeof(*t->s));
    t->n = 0;
}

void cw_vtab_free(cw_mem_t *m, cw_vtab_t *t)
{
    cw_release(m, t->s, (size_t)t->cap * sizeof(*t->s));
    *t = (cw_vtab_t){0};
}

/* ---- sorted times ---------------------------------------------------------- */

uint32_t cw_times_after(const cw_times_t *q, int64_t x)
{
    uint32_t lo = 0, hi = q->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cw_times_at(q, mid) <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

long cw_times_insert(cw_mem_t *m, cw_times_t *q, int64_t ts)
{
    if (q->head + q->n == q->cap) {
        if (q->head > q->n) { /* reuse the room freed at the front */
            memmove(q->t, q->t + q->head, (size_t)q->n * sizeof(*q->t));
            q->head = 0;
        } else {
            uint32_t ncap = q->cap ? q->cap * 2 : 4;
            if (ncap < q->cap) return -1;
            int64_t *nt = cw_resize(m, q->t, q->cap, ncap, sizeof(*nt));
            if (!nt) return -1;
            q->t = nt;
            q->cap = ncap;
        }
    }
    uint32_t p = q->n && cw_times_at(q, q->n - 1) <= ts ? q->n : cw_times_after(q, ts);
    int64_t *base = q->t + q->head;
    memmove(base + p + 1, base + p, (size_t)(q->n - p) * sizeof(*base));
    base[p] = ts;
    q->n++;
    return (long)p;
}

void cw_times_drop_front(cw_times_t *q, uint32_t k)
{
    if (k >= q->n) {
        q->head = q->n = 0;
        return;
    }
    q->head += k;
    q->n -= k;
}

void cw_times_free(cw_mem_t *m, cw_times_t *q)
{
    cw_release(m, q->t, (size_t)q->cap * sizeof(*q->t));
    *q = (cw_times_t){0};
}

/* ---- tumbling buckets -------------------------------------------------------- */

cw_bucket_t *cw_buckets_get(cw_mem_t *m, cw_buckets_t *bs, int64_t start)
{
    uint32_t i = 0;
    while (i < bs->n && bs->b[i].start < start)
        i++;
    if (i < bs->n && bs->b[i].start == start) return &bs->b[i];
    if (bs->n == bs->cap) {
        uint32_t ncap = bs->cap ? bs->cap * 2 : 2;
        cw_bucket_t *nb = cw_resize(m, bs->b, bs->cap, ncap, sizeof(*nb));
        if (!nb) return NULL;
        bs->b = nb;
        bs->cap = ncap;
    }
    memmove(bs->b + i + 1, bs->b + i, (size_t)(bs->n - i) * sizeof(*bs->b));
    bs->b[i] = (cw_bucket_t){.start = start, .first = CW_NEVER, .last = CW_UNSET};
    bs->n++;
    return &bs->b[i];
}

void cw_buckets_remove_first(cw_mem_t *m, cw_buckets_t *bs)
{
    if (!bs->n) return;
    cw_str_free(m, &bs->b[0].last_id);
    memmove(bs->b, bs->b + 1, (size_t)(bs->n - 1) * sizeof(*bs->b));
    bs->n--;
}

void cw_buckets_free(cw_mem_t *m, cw_buckets_t *bs)
{
    for (uint32_t i = 0; i < bs->n; i++)
        cw_str_free(m, &bs->b[i].last_id);
    cw_release(m, bs->b, (size_t)bs->cap * sizeof(*bs->b));
    *bs = (cw_buckets_t){0};
}
