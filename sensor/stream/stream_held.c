/* stream_held.c -- the holding list of out-of-order segments.
 *
 * Per direction a sorted, non-overlapping singly linked list (at most
 * max_ooo_segs long, so a linear walk is bounded). A new segment is trimmed
 * where held segments already cover it (first wins); held segments it covers
 * completely are merged into it, so the list does not grow with overlaps. */
#include <stdlib.h>
#include <string.h>

#include "stream_int.h"

static int64_t seg_rel(const stream_seg_t *s, const stream_dir_t *sd)
{
    return seq_diff(s->seq, sd->next_seq);
}

static uint64_t seg_size(const stream_seg_t *s)
{
    return sizeof *s + (uint64_t)s->len;
}

void stream_seg_free(stream_ctx_t *c, stream_seg_t *s)
{
    stream_mem_give(c, seg_size(s));
    free(s);
}

stream_seg_t *stream_held_pop(tcp_stream_t *st, int dir)
{
    if (st->ext == NULL || st->ext->dir[dir].head == NULL) return NULL;
    stream_ext_dir_t *ed = &st->ext->dir[dir];
    stream_seg_t *s = ed->head;
    ed->head = s->next;
    ed->nsegs--;
    s->next = NULL;
    return s;
}

void stream_held_free(stream_ctx_t *c, tcp_stream_t *st, int dir)
{
    stream_seg_t *s;
    while ((s = stream_held_pop(st, dir)) != NULL)
        stream_seg_free(c, s);
}

static void compare(const uint8_t *a, const uint8_t *b, uint64_t n, bool *overlap, bool *diff)
{
    *overlap = true;
    if (memcmp(a, b, n) != 0) *diff = true;
}

/* The new bytes [s, e) (relative to next_seq, p at s) are cut where held
 * segments cover them. Returns the link before which the new segment goes
 * and sets *last to the first held segment after the absorbed ones. */
static stream_seg_t **place(const stream_dir_t *sd, stream_ext_dir_t *ed, int64_t *s, int64_t *e,
                            const uint8_t **p, stream_seg_t **last, uint64_t *freed,
                            uint32_t *absorbed, bool *overlap, bool *diff)
{
    stream_seg_t **link = &ed->head;
    while (*link && seg_rel(*link, sd) + (*link)->len <= *s)
        link = &(*link)->next;
    stream_seg_t *h = *link;
    if (h && seg_rel(h, sd) <= *s) { /* a held segment covers the start */
        int64_t hs = seg_rel(h, sd), he = hs + h->len;
        int64_t ov_end = *e < he ? *e : he;
        compare(h->data + (*s - hs), *p, (uint64_t)(ov_end - *s), overlap, diff);
        *p += he - *s;
        *s = he;
        link = &h->next;
    }
    stream_seg_t *q = *link;
    while (*e > *s && q && seg_rel(q, sd) < *e) {
        int64_t qs = seg_rel(q, sd);
        if (qs + q->len <= *e) { /* wholly inside: merged below */
            compare(*p + (qs - *s), q->data, q->len, overlap, diff);
            *freed += seg_size(q);
            (*absorbed)++;
            q = q->next;
            continue;
        }
        compare(*p + (qs - *s), q->data, (uint64_t)(*e - qs), overlap, diff);
        *e = qs; /* it covers our tail */
        break;
    }
    *last = q;
    return link;
}

held_result_t stream_held_insert(stream_ctx_t *c, tcp_stream_t *st, int dir, int64_t rel,
                                 const uint8_t *p, uint32_t n, bool *overlap, bool *diff)
{
    stream_ext_t *ext = stream_ext_get(c, st);
    if (ext == NULL) return HELD_NOMEM;
    stream_ext_dir_t *ed = &ext->dir[dir];
    const stream_dir_t *sd = &st->dir[dir];
    int64_t s = rel, e = rel + n;
    stream_seg_t *last;
    uint64_t freed = 0;
    uint32_t absorbed = 0;
    stream_seg_t **link = place(sd, ed, &s, &e, &p, &last, &freed, &absorbed, overlap, diff);
    if (e <= s) return HELD_DUP;

    uint64_t len = (uint64_t)(e - s), need = sizeof(stream_seg_t) + len;
    /* the merged segments' memory comes back once the new one is built */
    if (c->st.memuse + need > c->cfg.memcap + freed) {
        c->st.memcap_hits++;
        return HELD_NOMEM;
    }
    stream_seg_t *ns = malloc(need);
    if (ns == NULL) {
        c->st.memcap_hits++;
        return HELD_NOMEM;
    }
    ns->seq = sd->next_seq + (uint32_t)s;
    ns->len = (uint32_t)len;
    memcpy(ns->data, p, len);
    for (stream_seg_t *q = *link; q != last;) { /* held bytes win */
        stream_seg_t *next = q->next;
        memcpy(ns->data + (seg_rel(q, sd) - s), q->data, q->len);
        free(q);
        q = next;
    }
    stream_mem_give(c, freed);
    stream_mem_take(c, need); /* fits: checked above */
    ns->next = last;
    *link = ns;
    ed->nsegs = ed->nsegs + 1 - absorbed;
    return HELD_OK;
}
