/* corr_value.c -- one `field|modifier: values` entry of a selection:
 * compiled once from the rule, then matched against an event's values.
 *
 * Sigma semantics: strings compare without case unless `|cased`; `*` and
 * `?` in plain, contains, startswith and endswith values are wildcards
 * (`\*`, `\?`, `\\` are the literal characters); a list matches when any
 * value does (`|all`: every value); numbers compare numerically; `null`
 * matches a missing or null field. Matching never allocates. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "context/ctx_ip.h"
#include "engine/corr_int.h"

#define RE_MATCH_LIMIT 100000 /* backtracking steps of one match */
#define RE_DEPTH_LIMIT 10000

/* ---- modifiers ---------------------------------------------------------- */

enum {
    MOD_CONTAINS = 1u << 0,
    MOD_STARTSWITH = 1u << 1,
    MOD_ENDSWITH = 1u << 2,
    MOD_RE = 1u << 3,
    MOD_CIDR = 1u << 4,
    MOD_GT = 1u << 5,
    MOD_GTE = 1u << 6,
    MOD_LT = 1u << 7,
    MOD_LTE = 1u << 8,
    MOD_EXISTS = 1u << 9,
    MOD_ALL = 1u << 10,
    MOD_CASED = 1u << 11,
    MOD_I = 1u << 12, /* re|i: without case */
    MOD_M = 1u << 13, /* re|m: multi-line */
    MOD_S = 1u << 14, /* re|s: dot matches newline */
};

#define MOD_KIND                                                                                   \
    (MOD_CONTAINS | MOD_STARTSWITH | MOD_ENDSWITH | MOD_RE | MOD_CIDR | MOD_GT | MOD_GTE |         \
     MOD_LT | MOD_LTE | MOD_EXISTS)
#define MOD_NUMERIC  (MOD_GT | MOD_GTE | MOD_LT | MOD_LTE)
#define MOD_RE_FLAGS (MOD_I | MOD_M | MOD_S)

static const struct {
    const char *name;
    unsigned bit;
} mods[] = {
    {"contains", MOD_CONTAINS},
    {"startswith", MOD_STARTSWITH},
    {"endswith", MOD_ENDSWITH},
    {"re", MOD_RE},
    {"cidr", MOD_CIDR},
    {"gt", MOD_GT},
    {"gte", MOD_GTE},
    {"lt", MOD_LT},
    {"lte", MOD_LTE},
    {"exists", MOD_EXISTS},
    {"all", MOD_ALL},
    {"cased", MOD_CASED},
    {"i", MOD_I},
    {"m", MOD_M},
    {"s", MOD_S},
};
#define N_MODS (sizeof(mods) / sizeof(mods[0]))

/* Sigma modifiers this engine does not implement (Windows log encodings). */
static const char *const unsupported_mods[] = {
    "base64",  "base64offset", "utf16le",  "utf16be", "utf16", "wide",
    "windash", "expand",       "fieldref", "neq",     NULL,
};

static const char *mod_name(unsigned bit)
{
    for (size_t i = 0; i < N_MODS; i++)
        if (mods[i].bit == bit) return mods[i].name;
    return "?";
}

static unsigned lowest_bit(unsigned x)
{
    return x & (~x + 1u);
}

/* Parse "|a|b" after the field name into *bits. */
static bool parse_mods(corr_ctx_t *c, const cfg_node_t *member, const char *s, size_t n,
                       unsigned *bits)
{
    *bits = 0;
    size_t i = 0;
    if (n == 0) {
        corr_error_key(c, member, "empty modifier");
        return false;
    }
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        char tmp[64];
        err_quote(s + i, j - i, tmp, sizeof(tmp));
        unsigned bit = 0;
        for (size_t k = 0; k < N_MODS && !bit; k++)
            if (strlen(mods[k].name) == j - i && memcmp(mods[k].name, s + i, j - i) == 0)
                bit = mods[k].bit;
        if (!bit) {
            for (size_t k = 0; unsupported_mods[k]; k++) {
                if (strlen(unsupported_mods[k]) == j - i &&
                    memcmp(unsupported_mods[k], s + i, j - i) == 0) {
                    corr_error_key(c, member, "modifier '%s' is not supported", tmp);
                    return false;
                }
            }
            if (j == i)
                corr_error_key(c, member, "empty modifier");
            else
                corr_error_key(c, member, "unknown modifier '%s'", tmp);
            return false;
        }
        if (*bits & bit) {
            corr_error_key(c, member, "modifier '%s' given twice", tmp);
            return false;
        }
        *bits |= bit;
        i = j + 1;
        if (j + 1 == n) { /* trailing '|' */
            corr_error_key(c, member, "empty modifier");
            return false;
        }
    }
    unsigned kind = *bits & MOD_KIND;
    if (kind & (kind - 1)) {
        unsigned first = lowest_bit(kind);
        corr_error_key(c, member, "modifiers '%s' and '%s' cannot be combined", mod_name(first),
                       mod_name(lowest_bit(kind & ~first)));
        return false;
    }
    if ((*bits & MOD_RE_FLAGS) && !(*bits & MOD_RE)) {
        corr_error_key(c, member, "modifier '%s' needs 're'",
                       mod_name(lowest_bit(*bits & MOD_RE_FLAGS)));
        return false;
    }
    if ((*bits & MOD_CASED) && (kind & (MOD_RE | MOD_CIDR | MOD_NUMERIC | MOD_EXISTS))) {
        corr_error_key(c, member, "modifier 'cased' does not apply to '%s'", mod_name(kind));
        return false;
    }
    if ((*bits & MOD_ALL) && (kind & MOD_EXISTS)) {
        corr_error_key(c, member, "modifier 'all' does not apply to 'exists'");
        return false;
    }
    return true;
}

/* ---- value parsers --------------------------------------------------------- */

static unsigned char fold(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch + 32) : ch;
}

/* A decimal number: [-+]digits[.digits][e[-+]digits]. */
static bool parse_number(const char *s, size_t n, double *d, bool *is_int, int64_t *i)
{
    char buf[64];
    if (n == 0 || n >= sizeof(buf)) return false;
    size_t k = 0;
    if (s[k] == '-' || s[k] == '+') k++;
    size_t digits = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9')
        k++, digits++;
    bool integer = true;
    if (k < n && s[k] == '.') {
        integer = false;
        k++;
        while (k < n && s[k] >= '0' && s[k] <= '9')
            k++, digits++;
    }
    if (digits == 0) return false;
    if (k < n && (s[k] == 'e' || s[k] == 'E')) {
        integer = false;
        k++;
        if (k < n && (s[k] == '-' || s[k] == '+')) k++;
        size_t e = 0;
        while (k < n && s[k] >= '0' && s[k] <= '9')
            k++, e++;
        if (e == 0) return false;
    }
    if (k != n) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    char *end;
    *d = strtod(buf, &end);
    if (errno == ERANGE || *end) return false;
    *is_int = false;
    if (integer) {
        errno = 0;
        long long v = strtoll(buf, &end, 10);
        if (errno == 0 && !*end) {
            *is_int = true;
            *i = v;
        }
    }
    return true;
}

/* An IPv4 or IPv6 address into 16 bytes (IPv4 in the first 4); IPv4-mapped
 * IPv6 addresses count as IPv4. The context's parser: the same rules as
 * inet_pton, without a copy for the common dotted quad. */
static bool parse_ip(const char *s, size_t n, uint8_t *family, uint8_t addr[16])
{
    ctx_ip_t a;
    if (n == 0 || n >= 64 || !ctx_ip_parse(s, n, &a)) return false;
    ctx_ip_bytes(a, addr);
    if (ctx_ip_is_v4(a)) {
        memmove(addr, addr + 12, 4);
        memset(addr + 4, 0, 12);
        *family = 4;
    } else {
        *family = 6;
    }
    return true;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned bytes = bits / 8, rest = bits % 8;
    if (memcmp(a, b, bytes) != 0) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[bytes] & mask) == (b[bytes] & mask);
}

static bool compile_cidr(corr_ctx_t *c, const cfg_node_t *n, corr_value_t *v)
{
    char tmp[64];
    const char *s = n->str;
    const char *slash = memchr(s, '/', n->len);
    size_t alen = slash ? (size_t)(slash - s) : n->len;
    if (!parse_ip(s, alen, &v->family, v->addr) || (v->family == 6 && strchr(s, '.'))) {
        corr_error(c, n, "expected an IPv4 or IPv6 network like 10.0.0.0/8, got '%s'",
                   err_quote(s, n->len, tmp, sizeof(tmp)));
        return false;
    }
    unsigned max = v->family == 4 ? 32 : 128, bits = max;
    if (slash) {
        const char *p = slash + 1;
        size_t plen = n->len - alen - 1;
        bits = 0;
        bool ok = plen > 0 && plen <= 3;
        for (size_t i = 0; ok && i < plen; i++) {
            ok = p[i] >= '0' && p[i] <= '9';
            bits = bits * 10 + (unsigned)(p[i] - '0');
        }
        if (!ok || bits > max || (plen > 1 && p[0] == '0')) {
            corr_error(c, n, "bad prefix length in '%s' (0..%u)",
                       err_quote(s, n->len, tmp, sizeof(tmp)), max);
            return false;
        }
    }
    /* Host bits set are most likely a typo for another network. */
    uint8_t masked[16];
    memcpy(masked, v->addr, 16);
    for (unsigned b = bits; b < 128; b++)
        masked[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
    if (memcmp(masked, v->addr, 16) != 0) {
        corr_error(c, n, "'%s' has host bits set", err_quote(s, n->len, tmp, sizeof(tmp)));
        return false;
    }
    v->prefix = (uint8_t)bits;
    v->kind = CV_CIDR;
    return true;
}

/* ---- regular expressions --------------------------------------------------- */

struct corr_pcre_list {
    struct pcre_node {
        pcre2_code *code;
        struct pcre_node *next;
    } * head;
};

corr_pcre_list_t *corr_pcre_list_new(void)
{
    return calloc(1, sizeof(corr_pcre_list_t));
}

void corr_pcre_list_free(corr_pcre_list_t *l)
{
    if (!l) return;
    while (l->head) {
        struct pcre_node *next = l->head->next;
        pcre2_code_free(l->head->code);
        free(l->head);
        l->head = next;
    }
    free(l);
}

static bool compile_re(corr_ctx_t *c, const cfg_node_t *n, unsigned bits, corr_value_t *v)
{
    uint32_t opts = PCRE2_UTF;
    if (bits & MOD_I) opts |= PCRE2_CASELESS;
    if (bits & MOD_M) opts |= PCRE2_MULTILINE;
    if (bits & MOD_S) opts |= PCRE2_DOTALL;
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)n->str, n->len, opts, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        corr_error(c, n, "bad regular expression at offset %zu: %s", (size_t)off, (char *)msg);
        return false;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter runs it otherwise */
    struct pcre_node *node = malloc(sizeof(*node));
    corr_pcre_list_t *l = c->pcre_list;
    if (!node || !l) {
        free(node);
        pcre2_code_free(re);
        corr_error(c, n, "out of memory");
        return false;
    }
    node->code = re;
    node->next = l->head;
    l->head = node;
    v->re = re;
    v->kind = CV_RE;
    return true;
}

/* One match context with limits for the process; match data per thread. */
static pthread_once_t re_once = PTHREAD_ONCE_INIT;
static pcre2_match_context *re_mctx;
static _Thread_local pcre2_match_data *re_md;

static void re_init(void)
{
    re_mctx = pcre2_match_context_create(NULL);
    if (re_mctx) {
        pcre2_set_match_limit(re_mctx, RE_MATCH_LIMIT);
        pcre2_set_depth_limit(re_mctx, RE_DEPTH_LIMIT);
    }
}

void corr_thread_cleanup(void)
{
    pcre2_match_data_free(re_md);
    re_md = NULL;
}

static bool re_match(const corr_value_t *v, const char *s, size_t n)
{
    pthread_once(&re_once, re_init);
    if (!re_md && !(re_md = pcre2_match_data_create(1, NULL))) return false;
    return pcre2_match(v->re, (PCRE2_SPTR)s, n, 0, 0, re_md, re_mctx) >= 0;
}

/* ---- text values ----------------------------------------------------------- */

/* Sigma's escapes and wildcards: returns false when the value has no
 * wildcard (s then holds the unescaped text and wild is unused). */
static bool unescape_glob(const char *in, size_t n, char *s, uint8_t *wild, size_t *len)
{
    size_t o = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        if (ch == '\\' && i + 1 < n &&
            (in[i + 1] == '*' || in[i + 1] == '?' || in[i + 1] == '\\')) {
            s[o] = in[++i];
            wild[o++] = 0;
        } else if (ch == '*' || ch == '?') {
            s[o] = ch;
            wild[o++] = (uint8_t)ch;
            any = true;
        } else {
            s[o] = ch;
            wild[o++] = 0;
        }
    }
    *len = o;
    return any;
}

static bool compile_text(corr_ctx_t *c, const cfg_node_t *n, unsigned bits, corr_value_t *v)
{
    size_t pre = (bits & (MOD_CONTAINS | MOD_ENDSWITH)) ? 1 : 0;
    size_t post = (bits & (MOD_CONTAINS | MOD_STARTSWITH)) ? 1 : 0;
    char *s = corr_alloc(c->arena, n->len + 3);
    uint8_t *wild = corr_alloc(c->arena, n->len + 3);
    if (!s || !wild) {
        corr_error(c, n, "out of memory");
        return false;
    }
    size_t len;
    bool glob = unescape_glob(n->str, n->len, s + pre, wild + pre, &len);
    v->cased = (bits & MOD_CASED) != 0;
    if (!v->cased)
        for (size_t i = 0; i < len; i++)
            s[pre + i] = (char)fold((unsigned char)s[pre + i]);
    if (glob) {
        if (pre) s[0] = '*', wild[0] = '*';
        if (post) s[pre + len] = '*', wild[pre + len] = '*';
        v->kind = CV_GLOB;
        v->s = s;
        v->wild = wild;
        v->len = (uint32_t)(pre + len + post);
        return true;
    }
    v->s = s + pre;
    v->len = (uint32_t)len;
    if (bits & MOD_CONTAINS)
        v->kind = CV_CONTAINS;
    else if (bits & MOD_STARTSWITH)
        v->kind = CV_PREFIX;
    else if (bits & MOD_ENDSWITH)
        v->kind = CV_SUFFIX;
    else {
        v->kind = CV_EQ;
        v->is_num = parse_number(n->str, n->len, &v->num, &v->is_int, &v->inum);
    }
    return true;
}

static bool compile_value(corr_ctx_t *c, const cfg_node_t *n, unsigned bits, corr_value_t *v)
{
    char tmp[64];
    if (n->type != CFG_SCALAR) {
        corr_error(c, n, "expected a value, got a %s", cfg_type_name(n->type));
        return false;
    }
    unsigned kind = bits & MOD_KIND;
    if (cfg_node_is_null(n)) {
        if (kind) {
            corr_error(c, n, "null cannot be used with modifier '%s'", mod_name(kind));
            return false;
        }
        v->kind = CV_NULL;
        return true;
    }
    if (kind & MOD_NUMERIC) {
        if (!parse_number(n->str, n->len, &v->num, &v->is_int, &v->inum)) {
            corr_error(c, n, "expected a number, got '%s'",
                       err_quote(n->str, n->len, tmp, sizeof(tmp)));
            return false;
        }
        v->kind = CV_NUM;
        v->op = kind == MOD_GT    ? CORR_OP_GT
                : kind == MOD_GTE ? CORR_OP_GTE
                : kind == MOD_LT  ? CORR_OP_LT
                                  : CORR_OP_LTE;
        return true;
    }
    if (kind & MOD_CIDR) return compile_cidr(c, n, v);
    if (kind & MOD_RE) return compile_re(c, n, bits, v);
    return compile_text(c, n, bits, v);
}

static bool compile_exists(corr_ctx_t *c, const cfg_node_t *val, corr_fmatch_t *m)
{
    bool yes = val->type == CFG_SCALAR && strcasecmp(val->str, "true") == 0;
    bool no = val->type == CFG_SCALAR && strcasecmp(val->str, "false") == 0;
    if (!yes && !no) {
        corr_error(c, val, "'exists' takes true or false");
        return false;
    }
    m->exists = true;
    m->want_exists = yes;
    return true;
}

bool corr_fmatch_compile(corr_ctx_t *c, const cfg_node_t *member, corr_fmatch_t *m)
{
    const char *key = member->key;
    size_t klen = member->key_len;
    const char *bar = memchr(key, '|', klen);
    size_t flen = bar ? (size_t)(bar - key) : klen;
    unsigned bits = 0;
    char why[128];
    if (!corr_field_compile(c->arena, key, flen, &m->field, why, sizeof(why))) {
        corr_error_key(c, member, "%s", why);
        return false;
    }
    if (bar && !parse_mods(c, member, bar + 1, klen - flen - 1, &bits)) return false;
    m->all = (bits & MOD_ALL) != 0;
    if (bits & MOD_EXISTS) return compile_exists(c, member, m);

    const cfg_node_t *one = member;
    size_t count = 1;
    if (member->type == CFG_SEQ) {
        count = member->count;
        one = member->child;
        if (count == 0) {
            corr_error(c, member, "empty list of values");
            return false;
        }
        if (count > CORR_MAX_VALUES) {
            corr_error(c, member, "more than %d values", CORR_MAX_VALUES);
            return false;
        }
    } else if (member->type == CFG_MAP) {
        corr_error(c, member, "expected a value or a list of values, got a mapping");
        return false;
    }
    corr_value_t *vals = corr_alloc(c->arena, count * sizeof(*vals));
    if (!vals) {
        corr_error(c, member, "out of memory");
        return false;
    }
    for (size_t i = 0; i < count; i++, one = one->next) {
        if (!compile_value(c, one, bits, &vals[i])) return false;
        if (vals[i].kind == CV_NULL) m->has_null = true;
    }
    m->values = vals;
    m->nvalues = (uint16_t)count;
    return true;
}

/* ---- matching -------------------------------------------------------------- */

/* One event value, with what the matchers derive from it computed once. */
typedef struct tview {
    const corr_doc_t *doc;
    const json_tok_t *t;
    int text_state; /* 0 not yet, 1 s/n valid, -1 none */
    const char *s;
    size_t n;
    int ip_state;
    uint8_t family;
    uint8_t addr[16];
} tview_t;

static bool tv_text(tview_t *tv)
{
    if (tv->text_state == 0)
        tv->text_state = corr_tok_text(tv->doc, tv->t, &tv->s, &tv->n) ? 1 : -1;
    return tv->text_state > 0;
}

static bool tv_ip(tview_t *tv)
{
    if (tv->ip_state == 0) {
        tv->ip_state = -1;
        if (tv->t->type == JSON_STRING && tv_text(tv) &&
            parse_ip(tv->s, tv->n, &tv->family, tv->addr))
            tv->ip_state = 1;
    }
    return tv->ip_state > 0;
}

static bool bytes_equal(const char *s, const char *v, size_t n, bool cased)
{
    if (cased) return memcmp(s, v, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)s[i]) != (unsigned char)v[i]) return false;
    return true;
}

static bool text_contains(const char *s, size_t n, const char *v, size_t m, bool cased)
{
    if (m == 0) return true;
    if (n < m) return false;
    unsigned char first = (unsigned char)v[0];
    for (size_t i = 0; i + m <= n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((cased ? ch : fold(ch)) == first && bytes_equal(s + i + 1, v + 1, m - 1, cased))
            return true;
    }
    return false;
}

static size_t utf8_step(const char *s, size_t n)
{
    unsigned char ch = (unsigned char)s[0];
    size_t k = ch < 0xc0 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
    return k < n ? k : n;
}

/* Wildcard match with one backtrack point per '*': O(n * m) at worst. */
static bool glob_match(const corr_value_t *v, const char *s, size_t n)
{
    size_t p = 0, t = 0, star = SIZE_MAX, mark = 0;
    const size_t m = v->len;
    while (t < n) {
        if (p < m && v->wild[p] == '?') {
            p++;
            t += utf8_step(s + t, n - t);
        } else if (p < m && v->wild[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < m && bytes_equal(s + t, v->s + p, 1, v->cased)) {
            p++;
            t++;
        } else if (star != SIZE_MAX) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < m && v->wild[p] == '*')
        p++;
    return p == m;
}

/* count OP value, comparing integers exactly when both are integers. */
static int num_cmp(const tview_t *tv, const corr_value_t *v, bool *ok)
{
    int64_t ti;
    double td;
    *ok = true;
    if (v->is_int && (tv->t->flags & JSON_TOK_INTEGER) &&
        json_tok_int64(tv->doc->s, tv->t, &ti) == JSON_OK)
        return (ti > v->inum) - (ti < v->inum);
    if (json_tok_double(tv->doc->s, tv->t, &td) != JSON_OK) {
        *ok = false;
        return 0;
    }
    return (td > v->num) - (td < v->num);
}

static bool value_match(const corr_value_t *v, tview_t *tv)
{
    bool ok;
    int cmp;
    if (tv->t->type == JSON_NULL) return v->kind == CV_NULL;
    switch (v->kind) {
    case CV_NULL: return false;
    case CV_NUM:
        if (tv->t->type != JSON_NUMBER) return false;
        cmp = num_cmp(tv, v, &ok);
        if (!ok) return false;
        switch (v->op) {
        case CORR_OP_GT: return cmp > 0;
        case CORR_OP_GTE: return cmp >= 0;
        case CORR_OP_LT: return cmp < 0;
        default: return cmp <= 0;
        }
    case CV_CIDR:
        return tv_ip(tv) && tv->family == v->family && prefix_equal(tv->addr, v->addr, v->prefix);
    case CV_EQ:
        if (v->is_num && tv->t->type == JSON_NUMBER) {
            cmp = num_cmp(tv, v, &ok);
            return ok && cmp == 0;
        }
        return tv_text(tv) && tv->n == v->len && bytes_equal(tv->s, v->s, v->len, v->cased);
    default: break;
    }
    if (!tv_text(tv)) return false;
    switch (v->kind) {
    case CV_PREFIX: return tv->n >= v->len && bytes_equal(tv->s, v->s, v->len, v->cased);
    case CV_SUFFIX:
        return tv->n >= v->len && bytes_equal(tv->s + tv->n - v->len, v->s, v->len, v->cased);
    case CV_CONTAINS: return text_contains(tv->s, tv->n, v->s, v->len, v->cased);
    case CV_GLOB: return glob_match(v, tv->s, tv->n);
    case CV_RE: return re_match(v, tv->s, tv->n);
    default: return false;
    }
}

static bool visit_any(const corr_doc_t *doc, const json_tok_t *t, void *arg)
{
    const corr_fmatch_t *m = arg;
    tview_t tv = {.doc = doc, .t = t};
    for (unsigned i = 0; i < m->nvalues; i++)
        if (value_match(&m->values[i], &tv)) return true;
    return false;
}

static bool visit_one(const corr_doc_t *doc, const json_tok_t *t, void *arg)
{
    tview_t tv = {.doc = doc, .t = t};
    return value_match(arg, &tv);
}

static bool visit_present(const corr_doc_t *doc, const json_tok_t *t, void *arg)
{
    (void)doc;
    (void)arg;
    return t->type != JSON_NULL;
}

bool corr_fmatch_eval(const corr_fmatch_t *m, const corr_event_t *ev)
{
    bool stopped;
    if (m->exists) {
        corr_field_visit(&m->field, ev, visit_present, NULL, &stopped);
        return stopped == m->want_exists;
    }
    if (!m->all) {
        size_t n = corr_field_visit(&m->field, ev, visit_any, (void *)m, &stopped);
        return stopped || (n == 0 && m->has_null);
    }
    for (unsigned i = 0; i < m->nvalues; i++) {
        const corr_value_t *v = &m->values[i];
        size_t n = corr_field_visit(&m->field, ev, visit_one, (void *)v, &stopped);
        if (!stopped && !(n == 0 && v->kind == CV_NULL)) return false;
    }
    return true;
}
