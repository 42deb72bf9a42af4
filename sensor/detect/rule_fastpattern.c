/* rule_fastpattern.c -- which content the prefilter looks for.
 *
 * Suricata's choice: the content marked fast_pattern; otherwise look at the
 * app-layer buffers first and the payload only when they hold no content;
 * within that class prefer non-negated contents, then the longest, then the
 * highest "pattern strength" (distinct bytes weigh more, and rarer kinds of
 * byte more than letters), then the first in rule order. */
#include "rule_int.h"

#include <ctype.h>
#include <string.h>

static unsigned strength(const uint8_t *p, size_t n)
{
    bool seen[256] = {false};
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        if (seen[b]) {
            s += 1;
            continue;
        }
        seen[b] = true;
        if (isalpha(b))
            s += 3;
        else if (isprint(b) || b == 0x00 || b == 0x01 || b == 0xff)
            s += 4;
        else
            s += 6;
    }
    return s;
}

typedef struct pick {
    int buf, item;
    uint16_t len;
    unsigned strength;
} pick_t;

static const rule_content_t *content_at(const rule_t *r, int b, int i)
{
    const rule_item_t *it = &r->bufs[b].items[i];
    return it->type == RULE_ITEM_CONTENT ? &it->u.content : NULL;
}

/* Best content among the buffers of one class (payload or not). */
static pick_t best_in_class(const rule_t *r, bool payload)
{
    pick_t best = {-1, -1, 0, 0};
    bool positive = false;
    for (int pass = 0; pass < 2 && best.buf < 0; pass++) {
        for (int b = 0; b < r->n_bufs; b++) {
            if ((r->bufs[b].id == RULE_BUF_PAYLOAD) != payload) continue;
            for (int i = 0; i < r->bufs[b].n_items; i++) {
                const rule_content_t *ct = content_at(r, b, i);
                if (ct == NULL) continue;
                bool neg = ct->flags & RULE_CT_NEGATED;
                positive |= !neg;
                if (pass == 0 ? neg : positive) continue; /* negated only if nothing else */
                unsigned st = strength(ct->pat, ct->len);
                if (best.buf < 0 || ct->len > best.len ||
                    (ct->len == best.len && st > best.strength))
                    best = (pick_t){b, i, ct->len, st};
            }
        }
    }
    return best;
}

static pick_t explicit_pick(const rule_t *r)
{
    for (int b = 0; b < r->n_bufs; b++) {
        for (int i = 0; i < r->bufs[b].n_items; i++) {
            const rule_content_t *ct = content_at(r, b, i);
            if (ct && (ct->flags & RULE_CT_FAST)) return (pick_t){b, i, ct->len, 0};
        }
    }
    return (pick_t){-1, -1, 0, 0};
}

bool rule_choose_fast_pattern(rule_ctx_t *c)
{
    rule_t *r = c->r;
    memset(&r->fp, 0, sizeof(r->fp));
    pick_t p = explicit_pick(r);
    if (p.buf < 0) p = best_in_class(r, false);
    if (p.buf < 0) p = best_in_class(r, true);
    if (p.buf < 0) return true;
    const rule_content_t *ct = content_at(r, p.buf, p.item);
    rule_fp_t *fp = &r->fp;
    fp->present = true;
    fp->buf = (uint8_t)p.buf;
    fp->item = (uint16_t)p.item;
    fp->nocase = ct->flags & RULE_CT_NOCASE;
    fp->negated = ct->flags & RULE_CT_NEGATED;
    fp->only = ct->flags & RULE_CT_FAST_ONLY;
    fp->pat = ct->pat;
    fp->len = ct->len;
    if (ct->flags & RULE_CT_FAST_CHOP) {
        fp->pat = ct->pat + ct->fp_off;
        fp->len = ct->fp_len;
    }
    return true;
}
