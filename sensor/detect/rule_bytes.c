/* rule_bytes.c -- byte_test, byte_jump, isdataat, bsize and urilen.
 *
 *   byte_test:NBYTES,[!]OP,VALUE,OFFSET[,relative][,big|little]
 *             [,string][,hex|dec|oct][,bitmask MASK]
 *   byte_jump:NBYTES,OFFSET[,relative][,multiplier N][,big|little]
 *             [,string][,hex|dec|oct][,align][,from_beginning|from_end]
 *             [,post_offset N][,bitmask MASK]
 *   isdataat:[!]N[,relative][,rawbytes]
 *
 * "dce" (DCERPC byte order) is not supported: the rule is skipped. With
 * "string", NBYTES 0 means the rest of the buffer from OFFSET (as ET's
 * "byte_test:0,>,1000,0,string,dec" on http.content_len). */
#include "rule_int.h"

#include <stdio.h>
#include <string.h>

#define MAX_STRING_BYTES 20

/* Decimal, or hexadecimal with 0x. */
static bool parse_value(const char *s, size_t len, uint64_t *out)
{
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        uint64_t v = 0;
        if (len > 18) return false;
        for (size_t i = 2; i < len; i++) {
            char ch = s[i];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0) return false;
            v = v << 4 | (uint64_t)d;
        }
        *out = v;
        return true;
    }
    return rule_parse_u64(s, len, UINT64_MAX, out);
}

/* Options shared by byte_test and byte_jump. */
typedef struct byte_opts {
    uint8_t flags, base;
    uint64_t bitmask;
    uint32_t multiplier;
    int32_t post_offset;
    bool big, jump;
} byte_opts_t;

static bool unsupported_dce(rule_ctx_t *c)
{
    char reason[96];
    snprintf(reason, sizeof(reason), "unsupported keyword '%s' (dce)", c->kw);
    return rule_fail_reason(c, reason, "%s: option 'dce' is not supported", c->kw);
}

/* "word" or "word value". */
static bool split_word(const char *f, size_t n, const char **val, size_t *vlen, size_t *wlen)
{
    size_t k = 0;
    while (k < n && !rule_is_space(f[k]))
        k++;
    *wlen = k;
    *val = f + k;
    *vlen = n - k;
    rule_trim(val, vlen);
    return *vlen > 0;
}

static bool byte_option(rule_ctx_t *c, byte_opts_t *o, const char *f, size_t n)
{
    static const struct {
        const char *name;
        uint8_t flag, base;
        bool jump_only;
    } words[] = {
        {"relative", RULE_BYTE_RELATIVE, 0, false},
        {"little", RULE_BYTE_LITTLE, 0, false},
        {"big", 0, 0, false},
        {"string", RULE_BYTE_STRING, 0, false},
        {"hex", 0, 16, false},
        {"dec", 0, 10, false},
        {"oct", 0, 8, false},
        {"align", RULE_BYTE_ALIGN, 0, true},
        {"from_beginning", RULE_BYTE_FROM_BEGINNING, 0, true},
        {"from_end", RULE_BYTE_FROM_END, 0, true},
    };
    const char *val;
    size_t vlen, w;
    bool has_val = split_word(f, n, &val, &vlen, &w);
    int shown = (int)(n > 32 ? 32 : n);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]) && !has_val; i++) {
        if (!rule_eq(f, n, words[i].name) || (words[i].jump_only && !o->jump)) continue;
        if ((o->flags & words[i].flag) || (words[i].base && o->base) ||
            (rule_eq(f, n, "big") && o->big))
            return rule_fail(c, "'%.*s' given twice", shown, f);
        o->flags |= words[i].flag;
        if (words[i].base) o->base = words[i].base;
        if (rule_eq(f, n, "big")) o->big = true;
        return true;
    }
    if (rule_eq(f, n, "dce")) return unsupported_dce(c);
    int64_t x;
    if (has_val && rule_eq(f, w, "bitmask")) {
        if (!parse_value(val, vlen, &o->bitmask) || o->bitmask == 0 || o->bitmask > UINT32_MAX)
            return rule_fail(c, "invalid bitmask '%.*s'", shown, f);
        return true;
    }
    if (has_val && o->jump && rule_eq(f, w, "multiplier")) {
        if (!rule_parse_i64(val, vlen, 1, 65535, &x))
            return rule_fail(c, "invalid multiplier '%.*s'", shown, f);
        o->multiplier = (uint32_t)x;
        return true;
    }
    if (has_val && o->jump && rule_eq(f, w, "post_offset")) {
        if (!rule_parse_i64(val, vlen, -65535, 65535, &x))
            return rule_fail(c, "invalid post_offset '%.*s'", shown, f);
        o->post_offset = (int32_t)x;
        return true;
    }
    return rule_fail(c, "unknown option '%.*s'", shown, f);
}

/* Options after the fixed fields, then the checks that span them. */
static bool byte_options(rule_ctx_t *c, byte_opts_t *o, const char *p, const char *end,
                         uint64_t nbytes)
{
    const char *f;
    size_t n;
    while (p && rule_next_field(&p, end, &f, &n))
        if (!byte_option(c, o, f, n)) return false;
    if (o->big && (o->flags & RULE_BYTE_LITTLE)) return rule_fail(c, "both big and little");
    if ((o->flags & RULE_BYTE_FROM_BEGINNING) && (o->flags & RULE_BYTE_FROM_END))
        return rule_fail(c, "both from_beginning and from_end");
    if (o->base && !(o->flags & RULE_BYTE_STRING))
        return rule_fail(c, "hex, dec and oct need 'string'");
    if (o->flags & RULE_BYTE_STRING) {
        if (o->base == 0) o->base = 10;
        if (nbytes > MAX_STRING_BYTES)
            return rule_fail(c, "at most %d bytes with 'string'", MAX_STRING_BYTES);
    } else if (nbytes < 1 || nbytes > 8) {
        return rule_fail(c, "number of bytes must be 1..8");
    }
    return true;
}

static bool nbytes_field(rule_ctx_t *c, const char **p, const char *end, uint64_t *nb)
{
    const char *f;
    size_t n;
    if (!rule_next_field(p, end, &f, &n) || !rule_parse_u64(f, n, 255, nb))
        return rule_fail(c, "invalid number of bytes");
    return true;
}

static bool offset_field(rule_ctx_t *c, const char **p, const char *end, int32_t *off)
{
    const char *f;
    size_t n;
    int64_t x;
    if (!rule_next_field(p, end, &f, &n) || !rule_parse_i64(f, n, -65535, 65535, &x))
        return rule_fail(c, "invalid offset");
    *off = (int32_t)x;
    return true;
}

static bool op_field(rule_ctx_t *c, const char *f, size_t n, uint8_t *op, bool *neg)
{
    static const struct {
        const char *s;
        rule_byte_op_t op;
    } ops[] = {{"<", RULE_BT_LT},  {">", RULE_BT_GT},  {"=", RULE_BT_EQ}, {"<=", RULE_BT_LE},
               {">=", RULE_BT_GE}, {"&", RULE_BT_AND}, {"^", RULE_BT_XOR}};
    *neg = n && f[0] == '!';
    if (*neg) {
        f++, n--;
        rule_trim(&f, &n);
        if (n == 0) { /* "!" alone is "not equal" */
            *op = RULE_BT_EQ;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (rule_eq(f, n, ops[i].s)) {
            *op = (uint8_t)ops[i].op;
            return true;
        }
    }
    return rule_fail(c, "invalid operator '%.*s'", (int)(n > 8 ? 8 : n), f);
}

/* Slot of a byte/isdataat item and whether it may be placed. */
static int byte_slot(rule_ctx_t *c, bool relative)
{
    return rule_item_slot(c, relative);
}

bool kw_byte_test(rule_ctx_t *c, const char *v, size_t len)
{
    const char *p = v, *end = v + len, *f;
    size_t n;
    uint64_t nb, value;
    uint8_t op = 0;
    bool neg;
    int32_t off = 0;
    if (!nbytes_field(c, &p, end, &nb)) return false;
    if (!rule_next_field(&p, end, &f, &n) || !op_field(c, f, n, &op, &neg)) return false;
    if (!rule_next_field(&p, end, &f, &n) || !parse_value(f, n, &value))
        return rule_fail(c, "invalid value");
    if (!offset_field(c, &p, end, &off)) return false;
    byte_opts_t o = {0};
    if (!byte_options(c, &o, p, end, nb)) return false;
    rule_pitem_t *it =
        rule_add_item(c, byte_slot(c, o.flags & RULE_BYTE_RELATIVE), RULE_ITEM_BYTE_TEST);
    if (it == NULL) return false;
    rule_byte_test_t *t = &it->it.u.byte_test;
    t->nbytes = (uint8_t)nb;
    t->op = op;
    t->flags = o.flags | (neg ? RULE_BYTE_NEGATE : 0);
    t->base = o.base;
    t->offset = off;
    t->value = value;
    t->bitmask = o.bitmask;
    return true;
}

bool kw_byte_jump(rule_ctx_t *c, const char *v, size_t len)
{
    const char *p = v, *end = v + len;
    uint64_t nb;
    int32_t off = 0;
    if (!nbytes_field(c, &p, end, &nb) || !offset_field(c, &p, end, &off)) return false;
    byte_opts_t o = {.jump = true, .multiplier = 1};
    if (!byte_options(c, &o, p, end, nb)) return false;
    rule_pitem_t *it =
        rule_add_item(c, byte_slot(c, o.flags & RULE_BYTE_RELATIVE), RULE_ITEM_BYTE_JUMP);
    if (it == NULL) return false;
    rule_byte_jump_t *j = &it->it.u.byte_jump;
    j->nbytes = (uint8_t)nb;
    j->flags = o.flags;
    j->base = o.base;
    j->offset = off;
    j->multiplier = o.multiplier;
    j->post_offset = o.post_offset;
    j->bitmask = o.bitmask;
    return true;
}

bool kw_isdataat(rule_ctx_t *c, const char *v, size_t len)
{
    const char *p = v, *end = v + len, *f;
    size_t n;
    uint64_t x;
    uint8_t flags = 0;
    rule_next_field(&p, end, &f, &n);
    if (n && f[0] == '!') {
        flags |= RULE_ISDATAAT_NEGATED;
        f++, n--;
    }
    if (!rule_parse_u64(f, n, 65535, &x)) return rule_fail(c, "invalid value");
    while (p && rule_next_field(&p, end, &f, &n)) {
        if (rule_eq(f, n, "relative"))
            flags |= RULE_ISDATAAT_RELATIVE;
        else if (!rule_eq(f, n, "rawbytes"))
            return rule_fail(c, "unknown option '%.*s'", (int)(n > 32 ? 32 : n), f);
    }
    rule_pitem_t *it =
        rule_add_item(c, byte_slot(c, flags & RULE_ISDATAAT_RELATIVE), RULE_ITEM_ISDATAAT);
    if (it == NULL) return false;
    it->it.u.isdataat.n = (uint16_t)x;
    it->it.u.isdataat.flags = flags;
    return true;
}

bool kw_bsize(rule_ctx_t *c, const char *v, size_t len)
{
    rule_cmp_t cmp;
    const char *why;
    if (c->sticky < 0) return rule_fail(c, "needs a sticky buffer before it");
    if (!rule_parse_cmp(v, len, UINT32_MAX, &cmp, &why))
        return rule_fail(c, "%s in '%.*s'", why, (int)(len > 32 ? 32 : len), v);
    rule_pitem_t *it = rule_add_item(c, rule_item_slot(c, false), RULE_ITEM_BSIZE);
    if (it == NULL) return false;
    it->it.u.bsize = cmp;
    return true;
}

/* urilen:CMP[,norm|raw]: the length of the (normalised or raw) URI. */
bool kw_urilen(rule_ctx_t *c, const char *v, size_t len)
{
    const char *comma = memchr(v, ',', len);
    size_t n = comma ? (size_t)(comma - v) : len;
    rule_buf_t id = RULE_BUF_HTTP_URI;
    if (comma) {
        const char *m = comma + 1;
        size_t mlen = len - n - 1;
        rule_trim(&m, &mlen);
        if (rule_eq(m, mlen, "raw"))
            id = RULE_BUF_HTTP_URI_RAW;
        else if (!rule_eq(m, mlen, "norm"))
            return rule_fail(c, "expected norm or raw after the comma");
    }
    rule_cmp_t cmp;
    const char *why;
    if (!rule_parse_cmp(v, n, 65535, &cmp, &why))
        return rule_fail(c, "%s in '%.*s'", why, (int)(n > 32 ? 32 : n), v);
    if (!rule_need_app(c, APP_HTTP)) return false;
    rule_pitem_t *it = rule_add_item(c, rule_slot(c, (uint8_t)id, 0), RULE_ITEM_BSIZE);
    if (it == NULL) return false;
    it->it.u.bsize = cmp;
    return true;
}
