/* corr_engine_keys.c -- the keys of each rule: pool, hash table, LRU list
 * and eviction at the cap; the heap of due times over all keys. */
#include <stdlib.h>
#include <string.h>

#include "engine/corr_engine_int.h"

/* ---- rules ---------------------------------------------------------------- */

static uint8_t kind_of(const corr_rule_t *r, uint64_t *need)
{
    const corr_spec_t *s = &r->corr;
    bool sliding = s->op == CORR_OP_GT || s->op == CORR_OP_GTE;
    *need = 0;
    if (sliding) {
        *need = s->op == CORR_OP_GTE ? s->threshold : s->threshold + 1;
        if (*need == 0) *need = 1; /* gte 0: every event */
    }
    switch (s->type) {
    case CORR_TYPE_NONE: return r->standalone && r->suppress_usec > 0 ? CW_DETECT : CW_STATELESS;
    case CORR_TYPE_EVENT_COUNT:
        if (!sliding) return CW_TUMBLE_COUNT;
        return *need > CW_EXACT_MAX ? CW_WHEEL_COUNT : CW_SLIDE_COUNT;
    case CORR_TYPE_VALUE_COUNT: return sliding ? CW_SLIDE_VALUES : CW_TUMBLE_VALUES;
    case CORR_TYPE_TEMPORAL: return s->ordered ? CW_ORDERED : CW_TEMPORAL;
    case CORR_TYPE_TEMPORAL_ORDERED: return CW_ORDERED;
    }
    return CW_STATELESS;
}

/* depth = 1 + the deepest referenced rule, walked with an explicit stack
 * (chains may be long; references form no cycle once loaded). */
static bool compute_depths(corr_engine_t *e)
{
    size_t n = e->nrules;
    uint32_t *stack = calloc(n ? n : 1, sizeof(*stack));
    uint8_t *state = calloc(n ? n : 1, 1); /* 0 new, 1 on stack, 2 done */
    if (!stack || !state) {
        free(stack);
        free(state);
        return false;
    }
    for (size_t root = 0; root < n; root++) {
        if (state[root]) continue;
        size_t top = 0;
        stack[top++] = (uint32_t)root;
        state[root] = 1;
        while (top) {
            cw_rule_t *r = &e->rules[stack[top - 1]];
            bool pushed = false;
            uint32_t d = 0;
            for (size_t i = 0; i < r->rule->corr.nrules; i++) {
                size_t c = r->rule->corr.rules[i]->index;
                if (state[c] == 0 && top < n) {
                    state[c] = 1;
                    stack[top++] = (uint32_t)c;
                    pushed = true;
                    break;
                }
                if (state[c] == 2 && e->rules[c].depth + 1 > d) d = e->rules[c].depth + 1;
            }
            if (pushed) continue;
            r->depth = d;
            state[stack[--top]] = 2;
        }
    }
    free(stack);
    free(state);
    return true;
}

bool cw_rules_init(corr_engine_t *e)
{
    e->nrules = corr_ruleset_count(e->rs);
    e->rules = cw_alloc(&e->mem, (e->nrules ? e->nrules : 1) * sizeof(*e->rules));
    if (!e->rules) return false;
    for (size_t i = 0; i < e->nrules; i++) {
        cw_rule_t *r = &e->rules[i];
        r->rule = corr_ruleset_rule(e->rs, i);
        r->kind = kind_of(r->rule, &r->need);
        r->keep_evidence = r->rule->standalone;
        r->span = r->rule->corr.timespan_usec > 0 ? r->rule->corr.timespan_usec : 1;
        r->slot = (r->span + CW_WHEEL_SLOTS - 1) / CW_WHEEL_SLOTS;
        r->wslots = r->span / r->slot;
        r->lru_head = r->lru_tail = r->free_head = CW_NIL;
    }
    return compute_depths(e);
}

void cw_rules_free(corr_engine_t *e)
{
    for (size_t i = 0; e->rules && i < e->nrules; i++) {
        cw_rule_t *r = &e->rules[i];
        while (r->lru_head != CW_NIL)
            cw_key_drop(e, r, r->lru_head);
        cw_release(&e->mem, r->keys, (size_t)r->kcap * sizeof(*r->keys));
        cw_release(&e->mem, r->tab, (size_t)r->tcap * sizeof(*r->tab));
    }
    cw_release(&e->mem, e->rules, (e->nrules ? e->nrules : 1) * sizeof(*e->rules));
    e->rules = NULL;
}

uint64_t cw_key_hash(const corr_engine_t *e, const char *text, size_t len)
{
    return cw_siphash(e->seed, text, len);
}

/* ---- table ------------------------------------------------------------------ */

uint32_t cw_key_find(corr_engine_t *e, cw_rule_t *r, const char *text, size_t len, uint64_t h)
{
    (void)e;
    if (!r->tcap) return CW_NIL;
    uint32_t mask = r->tcap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint32_t s = r->tab[i];
        if (!s) return CW_NIL;
        const cw_key_t *k = &r->keys[s - 1];
        if (k->hash == h && k->tlen == len && memcmp(k->text, text, len) == 0) return s - 1;
    }
}

static void tab_place(cw_rule_t *r, uint32_t k)
{
    uint32_t mask = r->tcap - 1, i = (uint32_t)r->keys[k].hash & mask;
    while (r->tab[i])
        i = (i + 1) & mask;
    r->tab[i] = k + 1;
}

static bool tab_grow(corr_engine_t *e, cw_rule_t *r)
{
    uint32_t ncap = r->tcap ? r->tcap * 2 : 16;
    uint32_t *old = r->tab, ocap = r->tcap;
    uint32_t *nt = cw_alloc(&e->mem, (size_t)ncap * sizeof(*nt));
    if (!nt) return false;
    r->tab = nt;
    r->tcap = ncap;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i]) tab_place(r, old[i] - 1);
    cw_release(&e->mem, old, (size_t)ocap * sizeof(*old));
    return true;
}

static void tab_delete(cw_rule_t *r, uint32_t k)
{
    uint32_t mask = r->tcap - 1, i = (uint32_t)r->keys[k].hash & mask;
    while (r->tab[i] != k + 1)
        i = (i + 1) & mask;
    for (uint32_t j = i;;) { /* backward shift */
        j = (j + 1) & mask;
        if (!r->tab[j]) break;
        uint32_t home = (uint32_t)r->keys[r->tab[j] - 1].hash & mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        r->tab[i] = r->tab[j];
        i = j;
    }
    r->tab[i] = 0;
}

/* ---- LRU ---------------------------------------------------------------------- */

static void lru_unlink(cw_rule_t *r, uint32_t k)
{
    cw_key_t *key = &r->keys[k];
    if (key->prev != CW_NIL)
        r->keys[key->prev].next = key->next;
    else
        r->lru_head = key->next;
    if (key->next != CW_NIL)
        r->keys[key->next].prev = key->prev;
    else
        r->lru_tail = key->prev;
}

static void lru_push_head(cw_rule_t *r, uint32_t k)
{
    cw_key_t *key = &r->keys[k];
    key->prev = CW_NIL;
    key->next = r->lru_head;
    if (r->lru_head != CW_NIL) r->keys[r->lru_head].prev = k;
    r->lru_head = k;
    if (r->lru_tail == CW_NIL) r->lru_tail = k;
}

void cw_key_touch(cw_rule_t *r, uint32_t k)
{
    if (r->lru_head == k) return;
    lru_unlink(r, k);
    lru_push_head(r, k);
}

/* ---- heap ----------------------------------------------------------------------- */

static inline bool hless(const cw_hent_t *a, const cw_hent_t *b)
{
    return a->due < b->due || (a->due == b->due && a->serial < b->serial);
}

static void hset(corr_engine_t *e, uint32_t i, cw_hent_t h)
{
    e->heap[i] = h;
    e->rules[h.rule].keys[h.key].heap_pos = i;
}

static void sift_up(corr_engine_t *e, uint32_t i)
{
    cw_hent_t h = e->heap[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!hless(&h, &e->heap[p])) break;
        hset(e, i, e->heap[p]);
        i = p;
    }
    hset(e, i, h);
}

static void sift_down(corr_engine_t *e, uint32_t i)
{
    cw_hent_t h = e->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= e->hn) break;
        if (c + 1 < e->hn && hless(&e->heap[c + 1], &e->heap[c])) c++;
        if (!hless(&e->heap[c], &h)) break;
        hset(e, i, e->heap[c]);
        i = c;
    }
    hset(e, i, h);
}

static bool heap_push(corr_engine_t *e, uint32_t rule, uint32_t k)
{
    if (e->hn == e->hcap) {
        uint32_t ncap = e->hcap ? e->hcap * 2 : 64;
        cw_hent_t *nh = cw_resize(&e->mem, e->heap, e->hcap, ncap, sizeof(*nh));
        if (!nh) return false;
        e->heap = nh;
        e->hcap = ncap;
    }
    const cw_key_t *key = &e->rules[rule].keys[k];
    e->heap[e->hn] = (cw_hent_t){key->due, key->serial, rule, k};
    sift_up(e, e->hn++);
    return true;
}

static void heap_remove(corr_engine_t *e, uint32_t pos)
{
    cw_hent_t last = e->heap[--e->hn];
    if (pos == e->hn) return;
    hset(e, pos, last);
    sift_up(e, pos);
    sift_down(e, e->rules[last.rule].keys[last.key].heap_pos);
}

void cw_heap_update(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t due)
{
    cw_key_t *key = &r->keys[k];
    if (due == key->due) return;
    bool earlier = due < key->due;
    key->due = due;
    e->heap[key->heap_pos].due = due;
    if (earlier)
        sift_up(e, key->heap_pos);
    else
        sift_down(e, key->heap_pos);
}

void cw_heap_lower(corr_engine_t *e, cw_rule_t *r, uint32_t k, int64_t due)
{
    if (due < r->keys[k].due) cw_heap_update(e, r, k, due);
}

void cw_run_due(corr_engine_t *e)
{
    while (e->hn && e->heap[0].due <= e->wm) {
        cw_hent_t top = e->heap[0];
        cw_window_due(e, &e->rules[top.rule], top.key);
    }
}

/* ---- keys ------------------------------------------------------------------------ */

static bool pool_grow(corr_engine_t *e, cw_rule_t *r)
{
    uint32_t ncap = r->kcap ? r->kcap * 2 : 8;
    if (ncap > e->cfg.max_keys_per_rule) ncap = e->cfg.max_keys_per_rule;
    if (ncap <= r->kcap) return false;
    cw_key_t *nk = cw_resize(&e->mem, r->keys, r->kcap, ncap, sizeof(*nk));
    if (!nk) return false;
    r->keys = nk;
    for (uint32_t i = ncap; i > r->kcap; i--) { /* new slots onto the free list, lowest first */
        nk[i - 1].next = r->free_head;
        r->free_head = i - 1;
    }
    r->kcap = ncap;
    return true;
}

uint32_t cw_key_create(corr_engine_t *e, cw_rule_t *r, const char *text, size_t len, uint64_t h,
                       uint64_t serial, int64_t due)
{
    if (len >= CORR_KEY_MAX) return CW_NIL;
    if (r->nkeys >= e->cfg.max_keys_per_rule && r->lru_tail != CW_NIL) {
        uint32_t victim = r->lru_tail;
        if (r->keys[victim].supp_count) cw_flush(e, r, victim);
        cw_key_drop(e, r, victim);
        r->st.evictions++;
        e->st.evictions++;
    }
    if ((r->nkeys + 1) * 2 > r->tcap && !tab_grow(e, r)) return CW_NIL;
    if (r->free_head == CW_NIL && !pool_grow(e, r)) return CW_NIL;
    char *t = cw_alloc(&e->mem, len + 1);
    if (!t) return CW_NIL;
    uint32_t k = r->free_head;
    cw_key_t *key = &r->keys[k];
    r->free_head = key->next;
    memset(key, 0, sizeof(*key));
    memcpy(t, text, len);
    key->text = t;
    key->tlen = (uint32_t)len;
    key->hash = h;
    key->serial = serial;
    key->due = due;
    key->supp_until = CW_UNSET;
    key->newest = CW_UNSET;
    cw_evid_init(&key->evid);
    if (!heap_push(e, (uint32_t)(r - e->rules), k)) {
        cw_release(&e->mem, t, len + 1);
        key->text = NULL;
        key->next = r->free_head;
        r->free_head = k;
        return CW_NIL;
    }
    tab_place(r, k);
    lru_push_head(r, k);
    r->nkeys++;
    r->st.keys++;
    e->st.keys++;
    return k;
}

void cw_key_drop(corr_engine_t *e, cw_rule_t *r, uint32_t k)
{
    cw_key_t *key = &r->keys[k];
    tab_delete(r, k);
    lru_unlink(r, k);
    heap_remove(e, key->heap_pos);
    cw_window_free(e, r, key);
    cw_evid_free(&e->mem, &key->evid);
    cw_ips_free(&e->mem, &key->src);
    cw_ips_free(&e->mem, &key->dst);
    cw_str_free(&e->mem, &key->supp_id);
    cw_release(&e->mem, key->text, (size_t)key->tlen + 1);
    key->text = NULL;
    key->next = r->free_head;
    r->free_head = k;
    r->nkeys--;
    r->st.keys--;
    e->st.keys--;
}
