/* corr_arena.c -- the memory of one ruleset: chunks freed together.
 *
 * A ruleset is built once and read until it is freed, so its rules, values
 * and strings are carved from chunks rather than allocated one by one. What
 * goes in is bounded by the rule files (size limits of the YAML loader and
 * the per-rule limits in corr_int.h). */
#include "engine/corr_int.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64u << 10)

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
} arena_chunk_t;

struct corr_arena {
    arena_chunk_t *chunks;
};

corr_arena_t *corr_arena_new(void)
{
    return calloc(1, sizeof(corr_arena_t));
}

void corr_arena_free(corr_arena_t *a)
{
    if (!a) return;
    arena_chunk_t *c = a->chunks;
    while (c) {
        arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *corr_alloc(corr_arena_t *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n == 0) n = 1;
    if (n > SIZE_MAX / 2) return NULL;
    n = (n + align - 1) / align * align;
    arena_chunk_t *c = a->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        c = malloc(offsetof(arena_chunk_t, data) + cap);
        if (!c) return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *p = (unsigned char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *corr_strndup(corr_arena_t *a, const char *s, size_t n)
{
    char *p = corr_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
