/* json_reader.c -- strict, bounded, non-allocating JSON tokenizer (see
 * json_reader.h).
 *
 * The parser is one loop over three states (expecting a value, expecting an
 * object key, just after a value) with an explicit stack of open containers,
 * so deep input cannot exhaust the C stack. The ingest runs it on every
 * event, so the hot paths are plain-byte runs inside strings (one table
 * lookup per byte) and token stores; everything unusual (escapes, UTF-8,
 * errors) is out of line.
 *
 * Decoded strings (for key comparison, hashing and json_tok_string) go
 * through one cursor that yields the unescaped UTF-8 bytes one at a time, so
 * no comparison needs a buffer. It trusts the grammar checks the parser made
 * but never reads outside the token. */
#include "json_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 for bytes that stand for themselves inside a string: not '"', not
 * '\\', not a control character, not the start of a multi-byte sequence. */
static const unsigned char jr_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 20: '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 50: '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* a0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* b0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* c0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* d0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* e0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* f0 */
};

#define JR_SMALL_MAX  64 /* objects up to this size check duplicates with a filter */
#define JR_HASH_SLOTS (2 * JSON_MAX_MEMBERS)
#define JR_DOUBLE_MAX 127 /* longest number json_tok_double accepts */

/* ---- small helpers ------------------------------------------------------- */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The four hex digits at p as a code unit, or -1. */
static long hex4(const unsigned char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        v = v << 4 | h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if
 * invalid (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned lo = 0x80, hi = 0xbf;
    size_t len;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        if (s[0] == 0xe0) lo = 0xa0;
        if (s[0] == 0xed) hi = 0x9f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        if (s[0] == 0xf0) lo = 0x90;
        if (s[0] == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

static int utf8_put(unsigned char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xc0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xe0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

const char *json_type_name(int type)
{
    switch (type) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_NUMBER: return "number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    default: return "none";
    }
}

/* ---- decoded-string cursor ----------------------------------------------- */

typedef struct jr_cur {
    const unsigned char *p, *end;
    unsigned char pend[4]; /* rest of a multi-byte character from an escape */
    int npend, ipend;
} jr_cur_t;

static void cur_init(jr_cur_t *c, const char *s, const json_tok_t *t)
{
    c->p = (const unsigned char *)s + t->start;
    c->end = (const unsigned char *)s + t->end;
    c->npend = c->ipend = 0;
}

/* Decode the escape at c->p (a backslash); returns its first byte. */
static int cur_escape(jr_cur_t *c)
{
    static const char simple[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
    if (c->end - c->p < 2) { /* cannot happen after json_parse */
        c->p = c->end;
        return -1;
    }
    unsigned char e = c->p[1];
    const char *k = e ? strchr(simple, e) : NULL;
    if (k) {
        c->p += 2;
        return (unsigned char)value[k - simple];
    }
    long cp = c->end - c->p >= 6 ? hex4(c->p + 2) : -1;
    if (e != 'u' || cp < 0) {
        c->p = c->end;
        return -1;
    }
    c->p += 6;
    if (cp >= 0xd800 && cp <= 0xdbff && c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u') {
        long lo = hex4(c->p + 2);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            c->p += 6;
        }
    }
    c->npend = utf8_put(c->pend, (unsigned long)cp);
    c->ipend = 1;
    return c->pend[0];
}

/* Next decoded byte, or -1 at the end of the string. */
static inline int cur_next(jr_cur_t *c)
{
    if (c->ipend < c->npend) return c->pend[c->ipend++];
    if (c->p >= c->end) return -1;
    if (*c->p != '\\') return *c->p++;
    return cur_escape(c);
}

/* ---- the parser -------------------------------------------------------------- */

typedef struct jr_parser {
    const unsigned char *s;
    size_t len, pos;
    json_tok_t *toks;
    int ntoks, max_toks;
    char *err;
    size_t errlen;
} jr_parser_t;

__attribute__((format(printf, 3, 4))) static int fail(jr_parser_t *p, size_t at, const char *fmt,
                                                      ...)
{
    if (p->err && p->errlen) {
        int n = snprintf(p->err, p->errlen, "json: byte %zu: ", at);
        if (n >= 0 && (size_t)n < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

/* The byte at pos for messages: 'x', or 0xNN, or "end of input". */
static const char *found(const jr_parser_t *p, size_t pos, char buf[16])
{
    if (pos >= p->len) return "end of input";
    unsigned char c = p->s[pos];
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static inline void skip_ws(jr_parser_t *p)
{
    if (p->pos < p->len && p->s[p->pos] > ' ') return; /* the usual case: none */
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
        p->pos++;
    }
}

static inline json_tok_t *new_tok(jr_parser_t *p, json_type_t type, size_t start)
{
    if (p->ntoks >= p->max_toks) {
        fail(p, start, "more than %d tokens", p->max_toks);
        return NULL;
    }
    json_tok_t *t = &p->toks[p->ntoks++];
    t->type = (uint8_t)type;
    t->flags = 0;
    t->start = (uint32_t)start;
    t->end = (uint32_t)start;
    t->size = 0;
    t->next = p->ntoks;
    return t;
}

/* Check the escape at s[i] (a backslash); returns its length or -1. */
static int check_escape(jr_parser_t *p, size_t i)
{
    const unsigned char *s = p->s;
    if (i + 1 >= p->len) return fail(p, i, "unterminated escape at end of input");
    unsigned char e = s[i + 1];
    if (e && strchr("\"\\/bfnrt", e)) return 2;
    if (e != 'u') {
        char b[16];
        return fail(p, i, "invalid escape (backslash before %s)", found(p, i + 1, b));
    }
    long cp = i + 6 <= p->len ? hex4(s + i + 2) : -1;
    if (cp < 0) return fail(p, i, "\\u must be followed by four hex digits");
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return fail(p, i, "lone low surrogate \\u%04lX (no preceding high surrogate)", cp);
    if (cp < 0xd800 || cp > 0xdbff) return 6;
    long lo = i + 12 <= p->len && s[i + 6] == '\\' && s[i + 7] == 'u' ? hex4(s + i + 8) : -1;
    if (lo < 0xdc00 || lo > 0xdfff)
        return fail(p, i, "lone high surrogate \\u%04lX (not followed by a low surrogate)", cp);
    return 12;
}

/* Index of the first byte at or after i that does not stand for itself
 * in a string (or len). Eight bytes at a time where they are all there:
 * a byte gets its top bit flagged when it is 0x80 or above (x), below
 * 0x20 (x - 0x20 borrows), or '"' or '\\' (zero after the XOR, so - 1
 * borrows; a byte the XOR leaves at 0x81 or above was flagged by x
 * already). A borrow may flag bytes above a flagged one, never below, so
 * the lowest flag is exact. */
static inline size_t plain_run(const unsigned char *s, size_t i, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    while (i + 8 <= len) {
        uint64_t x, q, b;
        memcpy(&x, s + i, 8);
        q = x ^ (ones * '"');
        b = x ^ (ones * '\\');
        uint64_t flags = (x | (x - ones * 0x20) | (q - ones) | (b - ones)) & high;
        if (flags) return i + (size_t)(__builtin_ctzll(flags) >> 3);
        i += 8;
    }
#endif
    while (i < len && jr_plain[s[i]])
        i++;
    return i;
}

/* A string starting at the quote at p->pos. */
static inline __attribute__((always_inline)) int parse_string(jr_parser_t *p, json_tok_t *t)
{
    const unsigned char *s = p->s;
    size_t len = p->len, i = p->pos + 1;
    for (;;) {
        i = plain_run(s, i, len);
        if (i >= len) return fail(p, p->pos, "unterminated string");
        unsigned char c = s[i];
        if (c == '"') break;
        if (c == '\\') {
            int n = check_escape(p, i);
            if (n < 0) return -1;
            t->flags |= JSON_TOK_ESCAPED;
            i += (size_t)n;
        } else if (c < 0x20) {
            return fail(p, i, "control character 0x%02x in a string (must be escaped)", c);
        } else {
            size_t n = utf8_len(s + i, len - i);
            if (!n) return fail(p, i, "invalid UTF-8 in a string");
            i += n;
        }
    }
    t->start = (uint32_t)(p->pos + 1);
    t->end = (uint32_t)i;
    p->pos = i + 1;
    return 0;
}

static inline int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at p->pos. */
static int parse_number(jr_parser_t *p, json_tok_t *t)
{
    const unsigned char *s = p->s;
    size_t len = p->len, i = p->pos;
    char b[16];
    t->flags = JSON_TOK_INTEGER;
    if (s[i] == '-') i++;
    if (i >= len || !is_digit(s[i]))
        return fail(p, i, "expected a digit after '-', found %s", found(p, i, b));
    if (s[i] == '0') {
        i++;
        if (i < len && is_digit(s[i])) return fail(p, p->pos, "leading zero in a number");
    } else {
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i < len && s[i] == '.') {
        t->flags = 0;
        if (++i >= len || !is_digit(s[i]))
            return fail(p, i, "expected a digit after '.', found %s", found(p, i, b));
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        t->flags = 0;
        if (++i < len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= len || !is_digit(s[i]))
            return fail(p, i, "expected a digit in the exponent, found %s", found(p, i, b));
        while (i < len && is_digit(s[i]))
            i++;
    }
    t->end = (uint32_t)i;
    p->pos = i;
    return 0;
}

static int parse_literal(jr_parser_t *p, json_tok_t *t)
{
    static const char *const words[] = {"true", "false", "null"};
    static const json_type_t types[] = {JSON_TRUE, JSON_FALSE, JSON_NULL};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(words[k]);
        if (p->len - p->pos >= n && memcmp(p->s + p->pos, words[k], n) == 0) {
            t->type = (uint8_t)types[k];
            p->pos += n;
            t->end = (uint32_t)p->pos;
            return 0;
        }
    }
    char b[16];
    return fail(p, p->pos, "expected a value, found %s", found(p, p->pos, b));
}

/* ---- duplicate member names ------------------------------------------------- */

static bool keys_equal(const char *s, const json_tok_t *a, const json_tok_t *b)
{
    if (!((a->flags | b->flags) & JSON_TOK_ESCAPED))
        return a->end - a->start == b->end - b->start &&
               memcmp(s + a->start, s + b->start, a->end - a->start) == 0;
    jr_cur_t ca, cb;
    cur_init(&ca, s, a);
    cur_init(&cb, s, b);
    for (;;) {
        int x = cur_next(&ca), y = cur_next(&cb);
        if (x != y) return false;
        if (x < 0) return true;
    }
}

static int duplicate(jr_parser_t *p, int key)
{
    json_tok_t *t = &p->toks[key];
    size_t n = t->end - t->start;
    if (n > 64) { /* shorten, without splitting a UTF-8 sequence */
        n = 64;
        while (n > 0 && (p->s[t->start + n] & 0xc0) == 0x80)
            n--;
    }
    return fail(p, t->start - 1, "duplicate member name \"%.*s\" in an object", (int)n,
                (const char *)p->s + t->start);
}

/* The decoded value's length and first, second and last byte. */
static __attribute__((noinline)) uint64_t escaped_print(const char *s, const json_tok_t *t)
{
    uint64_t n = 0, first = 0, second = 0, last = 0;
    jr_cur_t c;
    cur_init(&c, s, t);
    for (int b; (b = cur_next(&c)) >= 0; n++) {
        if (n == 0) first = second = (uint64_t)b;
        if (n == 1) second = (uint64_t)b;
        last = (uint64_t)b;
    }
    return (n + 1) | first << 32 | last << 40 | second << 48;
}

/* Length and first, second and last byte of a key's value (decoded when
 * it has escapes): keys whose prints differ are different keys, so only
 * keys with equal prints are compared byte by byte. */
static inline uint64_t key_print(const char *s, const json_tok_t *t)
{
    if (t->flags & JSON_TOK_ESCAPED) return escaped_print(s, t);
    const unsigned char *k = (const unsigned char *)s + t->start;
    uint64_t n = t->end - t->start;
    uint64_t first = n ? k[0] : 0, second = n > 1 ? k[1] : first, last = n ? k[n - 1] : 0;
    return (n + 1) | first << 32 | last << 40 | second << 48;
}

/* Objects of usual size: a 256-bit filter of the prints seen; only a key
 * whose bit is taken is compared with the earlier keys' prints. */
static int unique_small(jr_parser_t *p, int obj)
{
    const char *s = (const char *)p->s;
    int keys[JR_SMALL_MAX], n = p->toks[obj].size;
    uint64_t print[JR_SMALL_MAX], seen[4] = {0, 0, 0, 0};
    for (int m = 0, i = obj + 1; m < n; m++, i = p->toks[i + 1].next) {
        keys[m] = i;
        print[m] = key_print(s, &p->toks[i]);
        unsigned b = (unsigned)((print[m] * 0x9e3779b97f4a7c15ull) >> 56);
        uint64_t bit = 1ull << (b & 63);
        if (seen[b >> 6] & bit) {
            for (int j = 0; j < m; j++)
                if (print[j] == print[m] && keys_equal(s, &p->toks[keys[j]], &p->toks[i]))
                    return duplicate(p, i);
        }
        seen[b >> 6] |= bit;
    }
    return 0;
}

/* Large objects: open-addressing hash set of key token indices by print,
 * sized to the object so the cost stays linear. */
static int unique_hashed(jr_parser_t *p, int obj)
{
    const char *s = (const char *)p->s;
    int32_t slots[JR_HASH_SLOTS];
    int n = p->toks[obj].size, bits = 4;
    while ((1u << bits) < 2u * (uint32_t)n)
        bits++;
    uint32_t mask = (1u << bits) - 1;
    memset(slots, 0xff, (mask + 1) * sizeof slots[0]);
    for (int m = 0, i = obj + 1; m < n; m++, i = p->toks[i + 1].next) {
        uint64_t f = key_print(s, &p->toks[i]);
        uint32_t h = (uint32_t)((f * 0x9e3779b97f4a7c15ull) >> (64 - bits));
        for (; slots[h] >= 0; h = (h + 1) & mask)
            if (key_print(s, &p->toks[slots[h]]) == f &&
                keys_equal(s, &p->toks[slots[h]], &p->toks[i]))
                return duplicate(p, i);
        slots[h] = i;
    }
    return 0;
}

static int check_unique(jr_parser_t *p, int obj)
{
    int n = p->toks[obj].size;
    if (n < 2) return 0;
    return n <= JR_SMALL_MAX ? unique_small(p, obj) : unique_hashed(p, obj);
}

/* ---- the state machine -------------------------------------------------------- */

enum jr_state { ST_VALUE, ST_KEY, ST_AFTER };

typedef struct jr_stack {
    int tok[JSON_MAX_DEPTH];
    int depth;
} jr_stack_t;

/* Open a container at p->pos; moves to its first child or closes it at once. */
static enum jr_state open_container(jr_parser_t *p, jr_stack_t *st, json_type_t type, int *bad)
{
    if (st->depth == JSON_MAX_DEPTH) {
        *bad = fail(p, p->pos, "nesting deeper than %d", JSON_MAX_DEPTH);
        return ST_AFTER;
    }
    json_tok_t *t = new_tok(p, type, p->pos);
    if (!t) {
        *bad = -1;
        return ST_AFTER;
    }
    st->tok[st->depth++] = p->ntoks - 1;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == (type == JSON_OBJECT ? '}' : ']')) {
        p->pos++;
        t->end = (uint32_t)p->pos;
        st->depth--;
        return ST_AFTER;
    }
    return type == JSON_OBJECT ? ST_KEY : ST_VALUE;
}

/* One value at p->pos (after whitespace). Returns the next state, or sets
 * *bad on error. */
static enum jr_state parse_value(jr_parser_t *p, jr_stack_t *st, int *bad)
{
    char b[16];
    skip_ws(p);
    if (p->pos >= p->len) {
        *bad = fail(p, p->pos,
                    p->ntoks ? "unexpected end of input, expected a value"
                             : "empty input, expected a JSON value");
        return ST_AFTER;
    }
    unsigned char c = p->s[p->pos];
    if (c == '{') return open_container(p, st, JSON_OBJECT, bad);
    if (c == '[') return open_container(p, st, JSON_ARRAY, bad);
    json_type_t type;
    if (c == '"') {
        type = JSON_STRING;
    } else if (c == '-' || is_digit(c)) {
        type = JSON_NUMBER;
    } else if (c == 't' || c == 'f' || c == 'n') {
        type = JSON_NULL; /* parse_literal sets the real type */
    } else {
        *bad = fail(p, p->pos, "expected a value, found %s", found(p, p->pos, b));
        return ST_AFTER;
    }
    json_tok_t *t = new_tok(p, type, p->pos);
    if (!t)
        *bad = -1;
    else if (type == JSON_STRING)
        *bad = parse_string(p, t);
    else if (type == JSON_NUMBER)
        *bad = parse_number(p, t);
    else
        *bad = parse_literal(p, t);
    return ST_AFTER;
}

/* A member name and its colon; the value follows. */
static enum jr_state parse_key(jr_parser_t *p, int *bad)
{
    char b[16];
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '"') {
        *bad = fail(p, p->pos, "expected a string member name, found %s", found(p, p->pos, b));
        return ST_AFTER;
    }
    json_tok_t *t = new_tok(p, JSON_STRING, p->pos);
    if (!t || parse_string(p, t) < 0) {
        *bad = -1;
        return ST_AFTER;
    }
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != ':') {
        *bad = fail(p, p->pos, "expected ':' after a member name, found %s", found(p, p->pos, b));
        return ST_AFTER;
    }
    p->pos++;
    return ST_VALUE;
}

/* A value just ended: a comma, the end of its container, or the end of
 * input. Sets *done when the top-level value is complete. */
static enum jr_state after_value(jr_parser_t *p, jr_stack_t *st, int *bad, bool *done)
{
    char b[16];
    skip_ws(p);
    if (st->depth == 0) {
        if (p->pos < p->len)
            *bad = fail(p, p->pos, "unexpected %s after the JSON value", found(p, p->pos, b));
        *done = true;
        return ST_AFTER;
    }
    json_tok_t *parent = &p->toks[st->tok[st->depth - 1]];
    bool obj = parent->type == JSON_OBJECT;
    if (++parent->size > JSON_MAX_MEMBERS && obj) {
        *bad = fail(p, parent->start, "object with more than %d members", JSON_MAX_MEMBERS);
        return ST_AFTER;
    }
    unsigned char c = p->pos < p->len ? p->s[p->pos] : 0;
    if (p->pos < p->len && c == ',') {
        p->pos++;
        return obj ? ST_KEY : ST_VALUE;
    }
    if (p->pos < p->len && c == (obj ? '}' : ']')) {
        p->pos++;
        parent->end = (uint32_t)p->pos;
        parent->next = p->ntoks;
        st->depth--;
        if (obj && check_unique(p, st->tok[st->depth]) < 0) *bad = -1;
        return ST_AFTER;
    }
    *bad = fail(p, p->pos, "expected ',' or '%c' after %s, found %s", obj ? '}' : ']',
                obj ? "an object member" : "an array element", found(p, p->pos, b));
    return ST_AFTER;
}

int json_parse(const char *s, size_t len, json_tok_t *toks, int max_toks, char *err, size_t errlen)
{
    jr_parser_t p = {(const unsigned char *)s, len, 0, toks, 0, max_toks, err, errlen};
    if (err && errlen) err[0] = '\0';
    if (!s || !toks || max_toks <= 0) return fail(&p, 0, "no input or no token space");
    if (len > JSON_MAX_LEN) return fail(&p, 0, "input of %zu bytes is too long", len);
    jr_stack_t st = {.depth = 0};
    enum jr_state state = ST_VALUE;
    int bad = 0;
    bool done = false;
    while (!done && bad == 0) {
        switch (state) {
        case ST_VALUE: state = parse_value(&p, &st, &bad); break;
        case ST_KEY: state = parse_key(&p, &bad); break;
        case ST_AFTER: state = after_value(&p, &st, &bad, &done); break;
        }
    }
    return bad < 0 ? -1 : p.ntoks;
}

/* ---- lookups ------------------------------------------------------------------ */

bool json_tok_eqn(const char *s, const json_tok_t *t, const char *str, size_t n)
{
    if (!t || t->type != JSON_STRING) return false;
    if (!(t->flags & JSON_TOK_ESCAPED))
        return t->end - t->start == n && memcmp(s + t->start, str, n) == 0;
    jr_cur_t c;
    cur_init(&c, s, t);
    for (size_t i = 0; i < n; i++)
        if (cur_next(&c) != (unsigned char)str[i]) return false;
    return cur_next(&c) < 0;
}

bool json_tok_eq(const char *s, const json_tok_t *t, const char *str)
{
    return json_tok_eqn(s, t, str, strlen(str));
}

int json_object_find(const char *s, const json_tok_t *toks, int ntoks, int obj, const char *key,
                     size_t keylen)
{
    if (obj < 0 || obj >= ntoks || toks[obj].type != JSON_OBJECT) return -1;
    int i = obj + 1;
    for (int m = 0; m < toks[obj].size; m++) {
        if (i + 1 >= ntoks) return -1;
        const json_tok_t *k = &toks[i];
        /* most members differ in length or first byte: no call for them */
        if (k->flags & JSON_TOK_ESCAPED) {
            if (json_tok_eqn(s, k, key, keylen)) return i + 1;
        } else if (k->end - k->start == keylen && k->type == JSON_STRING &&
                   (keylen == 0 || (s[k->start] == key[0] &&
                                    memcmp(s + k->start + 1, key + 1, keylen - 1) == 0))) {
            return i + 1;
        }
        int next = toks[i + 1].next;
        if (next <= i + 1) return -1; /* not our parser's tokens */
        i = next;
    }
    return -1;
}

const json_tok_t *json_get(const char *s, const json_tok_t *toks, int ntoks, const char *path)
{
    if (!s || !toks || !path || ntoks <= 0) return NULL;
    int cur = 0;
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        cur = json_object_find(s, toks, ntoks, cur, path, n);
        if (cur < 0) return NULL;
        if (!dot) return &toks[cur];
        path = dot + 1;
    }
}

/* ---- value readers ------------------------------------------------------------ */

int json_tok_string(const char *s, const json_tok_t *t, char *out, size_t outcap, size_t *outlen)
{
    if (!t) return JSON_E_MISSING;
    if (t->type != JSON_STRING) return JSON_E_TYPE;
    if (outlen) *outlen = 0;
    size_t n = 0;
    bool nul = false;
    if (!(t->flags & JSON_TOK_ESCAPED)) {
        n = t->end - t->start;
        if (n >= outcap) {
            if (outcap) out[0] = '\0';
            return JSON_E_RANGE;
        }
        memcpy(out, s + t->start, n);
    } else {
        jr_cur_t c;
        cur_init(&c, s, t);
        for (int b; (b = cur_next(&c)) >= 0; n++) {
            if (n + 1 >= outcap) {
                if (outcap) out[0] = '\0'; /* no half string */
                return JSON_E_RANGE;
            }
            out[n] = (char)b;
            nul |= b == 0;
        }
        if (outcap == 0) return JSON_E_RANGE;
    }
    out[n] = '\0';
    if (nul && !outlen) return JSON_E_FORMAT;
    if (outlen) *outlen = n;
    return JSON_OK;
}

/* Magnitude of an integer token's digits (after any '-'). */
static int int_magnitude(const char *s, const json_tok_t *t, bool *neg, uint64_t *mag)
{
    if (!t) return JSON_E_MISSING;
    if (t->type != JSON_NUMBER) return JSON_E_TYPE;
    if (!(t->flags & JSON_TOK_INTEGER)) return JSON_E_FORMAT;
    const char *p = s + t->start, *end = s + t->end;
    *neg = p < end && *p == '-';
    if (*neg) p++;
    if (p >= end) return JSON_E_FORMAT;
    uint64_t v = 0;
    for (; p < end; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > 9) return JSON_E_FORMAT;
        if (v > (UINT64_MAX - d) / 10) return JSON_E_RANGE;
        v = v * 10 + d;
    }
    *mag = v;
    return JSON_OK;
}

int json_tok_int64(const char *s, const json_tok_t *t, int64_t *v)
{
    bool neg;
    uint64_t mag;
    int r = int_magnitude(s, t, &neg, &mag);
    if (r != JSON_OK) return r;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1) return JSON_E_RANGE;
        *v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX) return JSON_E_RANGE;
        *v = (int64_t)mag;
    }
    return JSON_OK;
}

int json_tok_uint64(const char *s, const json_tok_t *t, uint64_t *v)
{
    bool neg;
    uint64_t mag;
    int r = int_magnitude(s, t, &neg, &mag);
    if (r != JSON_OK) return r;
    if (neg) return JSON_E_RANGE;
    *v = mag;
    return JSON_OK;
}

int json_tok_double(const char *s, const json_tok_t *t, double *v)
{
    if (!t) return JSON_E_MISSING;
    if (t->type != JSON_NUMBER) return JSON_E_TYPE;
    size_t n = t->end - t->start;
    if (n == 0) return JSON_E_FORMAT;
    if (n > JR_DOUBLE_MAX) return JSON_E_RANGE;
    char buf[JR_DOUBLE_MAX + 1], *end;
    memcpy(buf, s + t->start, n); /* strtod needs a terminator */
    buf[n] = '\0';
    errno = 0;
    double d = strtod(buf, &end);
    if (end != buf + n) return JSON_E_FORMAT;
    if (errno == ERANGE && (d > 1.0 || d < -1.0)) return JSON_E_RANGE; /* underflow is fine */
    *v = d;
    return JSON_OK;
}

int json_tok_bool(const json_tok_t *t, bool *v)
{
    if (!t) return JSON_E_MISSING;
    if (t->type != JSON_TRUE && t->type != JSON_FALSE) return JSON_E_TYPE;
    *v = t->type == JSON_TRUE;
    return JSON_OK;
}
