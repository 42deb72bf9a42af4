/* match_content.c -- the match items of one buffer, with Suricata's cursor
 * and backtracking (see match.h for the semantics, rule.h for the windows).
 *
 * The walk is a recursion over the items, like Suricata's
 * DetectEngineContentInspection: each content or pcre that matched calls the
 * walk for the rest; when the rest fails and a later relative item used the
 * cursor it set, it looks for its next occurrence and tries again. Three
 * results travel back: match, no match (an earlier item may retry), and
 * stop (no earlier choice can change the outcome, or the retry budget ran
 * out). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "detect/match.h"

struct match_scratch {
    pcre2_match_data *md;
    pcre2_match_context *limited;   /* Suricata's match limits */
    pcre2_match_context *unlimited; /* PCRE2 defaults, for the O flag */
    pcre2_jit_stack *jit;
    uint8_t *xbuf; /* transform output, MATCH_XFORM_MAX bytes */
    uint32_t budget;
    bool budget_hit;
    match_stats_t st;
};

enum { W_STOP = -1, W_NOMATCH = 0, W_MATCH = 1 };

typedef struct walk {
    const rule_item_t *items;
    uint32_t n;
    const uint8_t *buf;
    uint32_t len;
    match_scratch_t *s;
} walk_t;

/* ---- scratch ---- */

static pcre2_jit_stack *jit_stack_for(void *ud)
{
    return ud;
}

match_scratch_t *match_scratch_new(void)
{
    match_scratch_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->md = pcre2_match_data_create(1, NULL); /* only the whole match is read */
    s->limited = pcre2_match_context_create(NULL);
    s->unlimited = pcre2_match_context_create(NULL);
    s->jit = pcre2_jit_stack_create(32u << 10, MATCH_PCRE_JIT_STACK, NULL);
    s->xbuf = malloc(MATCH_XFORM_MAX);
    if (!s->md || !s->limited || !s->unlimited || !s->xbuf) {
        match_scratch_free(s);
        return NULL;
    }
    pcre2_set_match_limit(s->limited, MATCH_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(s->limited, MATCH_PCRE_DEPTH_LIMIT);
    if (s->jit) { /* without it JIT code runs on PCRE2's small default stack */
        pcre2_jit_stack_assign(s->limited, jit_stack_for, s->jit);
        pcre2_jit_stack_assign(s->unlimited, jit_stack_for, s->jit);
    }
    return s;
}

void match_scratch_free(match_scratch_t *s)
{
    if (!s) return;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->limited);
    pcre2_match_context_free(s->unlimited);
    pcre2_jit_stack_free(s->jit);
    free(s->xbuf);
    free(s);
}

const match_stats_t *match_scratch_stats(const match_scratch_t *s)
{
    return &s->st;
}

/* ---- search ---- */

static uint8_t ascii_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool eq_nocase(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

static bool eq_bytes(const uint8_t *a, const uint8_t *b, uint32_t n, bool nocase)
{
    return nocase ? eq_nocase(a, b, n) : memcmp(a, b, n) == 0;
}

int64_t match_find(const uint8_t *hay, uint32_t hay_len, const uint8_t *pat, uint32_t pat_len,
                   bool nocase)
{
    if (pat_len == 0 || pat_len > hay_len || !hay || !pat) return -1;
    if (!nocase) {
        const uint8_t *p = memmem(hay, hay_len, pat, pat_len);
        return p ? (int64_t)(p - hay) : -1;
    }
    /* Scan for the first byte in either case, then compare the rest. */
    const uint8_t lo = ascii_lower(pat[0]);
    const uint8_t up = (lo >= 'a' && lo <= 'z') ? (uint8_t)(lo - 32) : lo;
    const uint32_t last = hay_len - pat_len;
    for (uint32_t i = 0; i <= last; i++) {
        if (lo == up) { /* not a letter: memchr finds the candidates */
            const uint8_t *q = memchr(hay + i, lo, last - i + 1);
            if (!q) return -1;
            i = (uint32_t)(q - hay);
        } else if (hay[i] != lo && hay[i] != up) {
            continue;
        }
        if (eq_nocase(hay + i + 1, pat + 1, pat_len - 1)) return i;
    }
    return -1;
}

/* ---- walk helpers ---- */

static bool item_relative(const rule_item_t *it)
{
    switch (it->type) {
    case RULE_ITEM_CONTENT:
        return it->u.content.flags & (RULE_CT_RELATIVE | RULE_CT_DISTANCE | RULE_CT_WITHIN);
    case RULE_ITEM_PCRE: return it->u.pcre.flags & RULE_PCRE_RELATIVE;
    case RULE_ITEM_BYTE_TEST: return it->u.byte_test.flags & RULE_BYTE_RELATIVE;
    case RULE_ITEM_BYTE_JUMP: return it->u.byte_jump.flags & RULE_BYTE_RELATIVE;
    case RULE_ITEM_ISDATAAT: return it->u.isdataat.flags & RULE_ISDATAAT_RELATIVE;
    default: return false;
    }
}

static bool item_sets_cursor(const rule_item_t *it)
{
    switch (it->type) {
    case RULE_ITEM_CONTENT: return !(it->u.content.flags & RULE_CT_NEGATED);
    case RULE_ITEM_PCRE: return !(it->u.pcre.flags & RULE_PCRE_NEGATED);
    case RULE_ITEM_BYTE_JUMP: return true;
    default: return false;
    }
}

/* Does a later item read the cursor item i leaves? Only then can another
 * occurrence of item i change the outcome (Suricata's *_NEXT flags). */
static bool cursor_used_after(const walk_t *w, uint32_t i)
{
    for (uint32_t k = i + 1; k < w->n; k++) {
        if (item_relative(&w->items[k])) return true;
        if (item_sets_cursor(&w->items[k])) return false;
    }
    return false;
}

/* One retry spent; false (and counted once) when none is left. */
static bool spend_retry(match_scratch_t *s)
{
    if (s->budget == 0) {
        if (!s->budget_hit) s->st.budget_exhausted++;
        s->budget_hit = true;
        return false;
    }
    s->budget--;
    return true;
}

/* A failed item: an earlier choice can only help when it was relative. */
static int fail(bool relative)
{
    return relative ? W_NOMATCH : W_STOP;
}

static int walk(walk_t *w, uint32_t i, uint32_t c);

/* ---- content ---- */

/* Window of a content for cursor c: a match [s, s + len) needs s >= *lo and
 * s + len <= *end. */
static void content_window(const rule_content_t *ct, uint32_t c, uint32_t n, int64_t *lo,
                           int64_t *end)
{
    if (ct->flags & (RULE_CT_RELATIVE | RULE_CT_DISTANCE | RULE_CT_WITHIN)) {
        int64_t dist = (ct->flags & RULE_CT_DISTANCE) ? ct->distance : 0;
        *lo = (int64_t)c + dist;
        if (*lo < 0) *lo = 0; /* a negative distance stops at the buffer start */
        *end = n;
        /* within counts from c + distance, the distance not clamped */
        if ((ct->flags & RULE_CT_WITHIN) && (int64_t)c + dist + ct->within < *end)
            *end = (int64_t)c + dist + ct->within;
        return;
    }
    *lo = (ct->flags & RULE_CT_OFFSET) ? ct->offset : 0;
    *end = n;
    if ((ct->flags & RULE_CT_DEPTH) && *lo + ct->depth < *end) *end = *lo + ct->depth;
}

/* First match start >= from inside [lo, end), or -1. */
static int64_t content_find(const walk_t *w, const rule_content_t *ct, int64_t from, int64_t end)
{
    const bool nocase = ct->flags & RULE_CT_NOCASE;
    if (from < 0 || end > w->len || from + ct->len > end) return -1;
    if (ct->flags & RULE_CT_ENDSWITH) {
        /* the one candidate: the pattern ending at the buffer end */
        int64_t s = (int64_t)w->len - ct->len;
        if (end != w->len || s < from) return -1;
        return eq_bytes(w->buf + s, ct->pat, ct->len, nocase) ? s : -1;
    }
    int64_t r = match_find(w->buf + from, (uint32_t)(end - from), ct->pat, ct->len, nocase);
    return r < 0 ? -1 : from + r;
}

static int walk_content(walk_t *w, uint32_t i, uint32_t c)
{
    const rule_content_t *ct = &w->items[i].u.content;
    const bool rel = item_relative(&w->items[i]);
    if (!ct->pat || ct->len == 0) return W_STOP;
    int64_t lo, end;
    content_window(ct, c, w->len, &lo, &end);

    if (ct->flags & RULE_CT_NEGATED) {
        if (content_find(w, ct, lo, end) >= 0) return fail(rel);
        return walk(w, i + 1, c);
    }
    const bool retry = cursor_used_after(w, i);
    for (int64_t from = lo;;) {
        int64_t s = content_find(w, ct, from, end);
        if (s < 0) return fail(rel); /* absolute: every occurrence was tried */
        int r = walk(w, i + 1, (uint32_t)(s + ct->len));
        if (r != W_NOMATCH) return r;
        if (!retry) return W_STOP; /* the failure did not depend on this item */
        if (!spend_retry(w->s)) return W_STOP;
        from = s + 1;
    }
}

/* ---- pcre ---- */

static int walk_pcre(walk_t *w, uint32_t i, uint32_t c)
{
    const rule_pcre_t *pc = &w->items[i].u.pcre;
    const bool rel = pc->flags & RULE_PCRE_RELATIVE;
    const bool neg = pc->flags & RULE_PCRE_NEGATED;
    if (!pc->code) return W_STOP;
    const uint32_t base = rel ? c : 0; /* a relative subject starts at the cursor */
    const uint8_t *subj = w->buf + base;
    const size_t slen = w->len - base;
    pcre2_match_context *mctx =
        (pc->flags & RULE_PCRE_MATCHLIMIT) ? w->s->unlimited : w->s->limited;
    const bool retry = !neg && cursor_used_after(w, i);

    for (size_t start = 0;;) {
        int rc = pcre2_match((const pcre2_code *)pc->code, subj, slen, start, 0, w->s->md, mctx);
        if (rc == PCRE2_ERROR_NOMATCH) return neg ? walk(w, i + 1, c) : fail(rel);
        if (rc < 0) { /* match limit, JIT stack, bad UTF: Suricata says no match */
            w->s->st.pcre_errors++;
            return fail(rel);
        }
        if (neg) return fail(rel);
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(w->s->md);
        size_t me = ov[1] > slen ? slen : ov[1];
        size_t ms = ov[0] > me ? me : ov[0];
        int r = walk(w, i + 1, base + (uint32_t)me);
        if (r != W_NOMATCH) return r;
        if (!retry) return W_STOP;
        if (!spend_retry(w->s)) return W_STOP;
        /* next match starts after this one's start, as Suricata */
        start = (ms > start ? ms : start) + 1;
        if (start > slen) return fail(rel);
    }
}

/* ---- byte_test / byte_jump ---- */

static bool is_space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit_value(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

/* strtoull over p[0..n) as Suricata's ByteExtractString reads it: spaces,
 * sign, "0x" for base 16, digits up to the first other byte. *used is the
 * bytes consumed. False without a digit or on overflow. */
static bool parse_string_number(const uint8_t *p, uint32_t n, unsigned base, uint64_t *out,
                                uint32_t *used)
{
    uint32_t k = 0;
    while (k < n && is_space(p[k]))
        k++;
    bool minus = false;
    if (k < n && (p[k] == '+' || p[k] == '-')) minus = p[k++] == '-';
    if (base == 16 && k + 2 < n && p[k] == '0' && (p[k + 1] | 0x20) == 'x' &&
        digit_value(p[k + 2]) < 16)
        k += 2;
    uint64_t v = 0;
    uint32_t digits = 0;
    for (; k < n; k++, digits++) {
        int d = digit_value(p[k]);
        if (d >= (int)base) break;
        if (v > (UINT64_MAX - (uint64_t)d) / base) return false; /* ERANGE */
        v = v * base + (uint64_t)d;
    }
    if (digits == 0) return false;
    *out = minus ? (uint64_t)0 - v : v;
    *used = k;
    return true;
}

/* Read the number a byte_test/byte_jump looks at: nbytes at (cursor if
 * relative) + offset, all inside the buffer. *at is where it starts, *used
 * the bytes it took (string numbers may stop early). */
static bool read_number(const walk_t *w, uint32_t c, uint8_t flags, uint8_t nbytes, uint8_t base,
                        int32_t offset, uint64_t bitmask, uint64_t *val, int64_t *at,
                        uint32_t *used)
{
    int64_t start = (int64_t)((flags & RULE_BYTE_RELATIVE) ? c : 0) + offset;
    if (start < 0 || start >= (int64_t)w->len) return false;
    /* string with nbytes 0 (the parser's reading of ET's "byte_test:0,..."):
     * the number runs to the end of the buffer at most */
    uint32_t nb = nbytes;
    if (nb == 0 && (flags & RULE_BYTE_STRING)) nb = w->len - (uint32_t)start;
    if (nb == 0 || start + nb > (int64_t)w->len) return false;
    const uint8_t *p = w->buf + start;
    uint64_t v = 0;
    if (flags & RULE_BYTE_STRING) {
        unsigned b = (base == 8 || base == 16) ? base : 10;
        if ((nbytes > 23) || !parse_string_number(p, nb, b, &v, used)) return false;
    } else {
        if (nbytes > 8) return false;
        for (uint32_t k = 0; k < nbytes; k++) {
            uint32_t idx = (flags & RULE_BYTE_LITTLE) ? nbytes - 1 - k : k;
            v = (v << 8) | p[idx];
        }
        *used = nbytes;
    }
    if (bitmask) {
        v &= bitmask;
        if (v) v >>= __builtin_ctzll(bitmask);
    }
    *val = v;
    *at = start;
    return true;
}

static bool byte_test_holds(const walk_t *w, const rule_byte_test_t *bt, uint32_t c)
{
    uint64_t v;
    int64_t at;
    uint32_t used;
    if (!read_number(w, c, bt->flags, bt->nbytes, bt->base, bt->offset, bt->bitmask, &v, &at,
                     &used))
        return false;
    bool m;
    switch (bt->op) {
    case RULE_BT_LT: m = v < bt->value; break;
    case RULE_BT_GT: m = v > bt->value; break;
    case RULE_BT_EQ: m = v == bt->value; break;
    case RULE_BT_LE: m = v <= bt->value; break;
    case RULE_BT_GE: m = v >= bt->value; break;
    case RULE_BT_AND: m = (v & bt->value) != 0; break;
    case RULE_BT_XOR: m = (v ^ bt->value) != 0; break;
    default: return false;
    }
    return (bt->flags & RULE_BYTE_NEGATE) ? !m : m;
}

/* The new cursor of a byte_jump, or false. */
static bool byte_jump_target(const walk_t *w, const rule_byte_jump_t *bj, uint32_t c,
                             uint32_t *target)
{
    uint64_t v;
    int64_t at;
    uint32_t used;
    if (!read_number(w, c, bj->flags, bj->nbytes, bj->base, bj->offset, bj->bitmask, &v, &at,
                     &used))
        return false;
    /* unsigned 64-bit arithmetic read back as signed, as Suricata does */
    v *= bj->multiplier;
    if ((bj->flags & RULE_BYTE_ALIGN) && (v % 4) != 0) v += 4 - (v % 4);
    v += (uint64_t)(int64_t)bj->post_offset;
    int64_t jump = (int64_t)v;
    int64_t from = (bj->flags & RULE_BYTE_FROM_BEGINNING) ? 0
                   : (bj->flags & RULE_BYTE_FROM_END)     ? (int64_t)w->len
                                                          : at + used;
    int64_t t;
    if (__builtin_add_overflow(from, jump, &t) || t > (int64_t)w->len) return false;
    *target = t < 0 ? 0 : (uint32_t)t; /* before the start: clamped (Suricata 7) */
    return true;
}

/* ---- the walk ---- */

static int walk_isdataat(walk_t *w, uint32_t i, uint32_t c)
{
    const rule_isdataat_t *id = &w->items[i].u.isdataat;
    const bool neg = id->flags & RULE_ISDATAAT_NEGATED;
    bool holds;
    if (id->flags & RULE_ISDATAAT_RELATIVE) {
        holds = (uint64_t)c + id->n <= w->len;
        /* Suricata: a relative "not enough data" ends the evaluation, a
         * negated one that finds data lets an earlier item retry */
        if (holds == neg) return neg ? W_NOMATCH : W_STOP;
    } else {
        holds = id->n < w->len;
        if (holds == neg) return W_STOP;
    }
    return walk(w, i + 1, c);
}

static int walk(walk_t *w, uint32_t i, uint32_t c)
{
    if (i >= w->n) return W_MATCH;
    const rule_item_t *it = &w->items[i];
    uint32_t t;
    switch (it->type) {
    case RULE_ITEM_CONTENT: return walk_content(w, i, c);
    case RULE_ITEM_PCRE: return walk_pcre(w, i, c);
    case RULE_ITEM_BYTE_TEST:
        if (!byte_test_holds(w, &it->u.byte_test, c)) return fail(item_relative(it));
        return walk(w, i + 1, c);
    case RULE_ITEM_BYTE_JUMP:
        if (!byte_jump_target(w, &it->u.byte_jump, c, &t)) return fail(item_relative(it));
        return walk(w, i + 1, t);
    case RULE_ITEM_ISDATAAT: return walk_isdataat(w, i, c);
    case RULE_ITEM_BSIZE:
        if (!rule_cmp_match(&it->u.bsize, w->len)) return W_STOP;
        return walk(w, i + 1, c);
    default: return W_STOP; /* unknown item: never matches */
    }
}

/* The items of b on one buffer (an element of a multi-buffer). */
static bool match_one(const rule_buffer_t *b, const uint8_t *data, uint32_t len, match_scratch_t *s)
{
    if ((b->transforms & RULE_XFORM_DOTPREFIX) && len > 0) {
        if (len >= MATCH_XFORM_MAX) {
            s->st.xform_too_long++;
            return false;
        }
        s->xbuf[0] = '.';
        memcpy(s->xbuf + 1, data, len);
        data = s->xbuf;
        len++;
    }
    walk_t w = {.items = b->items, .n = b->n_items, .buf = data, .len = len, .s = s};
    s->budget = MATCH_RETRY_BUDGET;
    s->budget_hit = false;
    return walk(&w, 0, 0) == W_MATCH;
}

bool match_buffer(const rule_buffer_t *b, const uint8_t *data, uint32_t len, match_scratch_t *s)
{
    if (!b || !s) return false;
    s->st.buffers++;
    if (!data) return false;
    if (b->n_items > MATCH_MAX_ITEMS || (b->n_items && !b->items)) {
        s->st.too_many_items++;
        return false;
    }
    if (!rule_buf_multi((rule_buf_t)b->id)) return match_one(b, data, len, s);
    /* A multi-buffer: (3-byte length, element)*; any one element must
     * hold every item. A broken length ends the list. */
    uint32_t off = 0;
    while (len - off >= 3) {
        uint32_t n = (uint32_t)data[off] << 16 | (uint32_t)data[off + 1] << 8 | data[off + 2];
        if (n > len - off - 3) return false;
        if (match_one(b, data + off + 3, n, s)) return true;
        off += 3 + n;
    }
    return false;
}
