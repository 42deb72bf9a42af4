/* rule_pcre.c -- pcre:[!]"/regex/flags", compiled with PCRE2 at load.
 *
 * Flags: i s m x A E G (PCRE options), R (relative), O (match limits are
 * the rule's business), B (rawbytes, no effect) and Suricata's buffer flags
 * U I P Q H D M C S Y V W Z, which put the pcre into an HTTP buffer like the
 * matching http_* content modifier. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rule_int.h"

#include <string.h>

static const struct {
    char flag;
    rule_buf_t buf;
} buf_flags[] = {
    {'U', RULE_BUF_HTTP_URI},          {'I', RULE_BUF_HTTP_URI_RAW},
    {'P', RULE_BUF_HTTP_REQUEST_BODY}, {'Q', RULE_BUF_HTTP_RESPONSE_BODY},
    {'H', RULE_BUF_HTTP_HEADER},       {'D', RULE_BUF_HTTP_HEADER_RAW},
    {'M', RULE_BUF_HTTP_METHOD},       {'C', RULE_BUF_HTTP_COOKIE},
    {'S', RULE_BUF_HTTP_STAT_CODE},    {'Y', RULE_BUF_HTTP_STAT_MSG},
    {'V', RULE_BUF_HTTP_USER_AGENT},   {'W', RULE_BUF_HTTP_HOST},
    {'Z', RULE_BUF_HTTP_HOST_RAW},
};

typedef struct pcre_flags {
    uint32_t options; /* PCRE2_* */
    uint8_t flags;    /* RULE_PCRE_* */
    int buf;          /* rule_buf_t, -1 none */
} pcre_flags_t;

static bool parse_flags(rule_ctx_t *c, const char *f, size_t n, pcre_flags_t *out)
{
    out->options = 0;
    out->flags = 0;
    out->buf = -1;
    for (size_t i = 0; i < n; i++) {
        switch (f[i]) {
        case 'i': out->options |= PCRE2_CASELESS; continue;
        case 's': out->options |= PCRE2_DOTALL; continue;
        case 'm': out->options |= PCRE2_MULTILINE; continue;
        case 'x': out->options |= PCRE2_EXTENDED; continue;
        case 'A': out->options |= PCRE2_ANCHORED; continue;
        case 'E': out->options |= PCRE2_DOLLAR_ENDONLY; continue;
        case 'G': out->options |= PCRE2_UNGREEDY; continue;
        case 'R': out->flags |= RULE_PCRE_RELATIVE; continue;
        case 'O': out->flags |= RULE_PCRE_MATCHLIMIT; continue;
        case 'B': out->flags |= RULE_PCRE_RAWBYTES; continue;
        default: break;
        }
        int b = -1;
        for (size_t k = 0; k < sizeof(buf_flags) / sizeof(buf_flags[0]); k++)
            if (buf_flags[k].flag == f[i]) b = (int)buf_flags[k].buf;
        if (b < 0) return rule_fail(c, "unknown flag '%c'", f[i]);
        if (out->buf >= 0 && out->buf != b) return rule_fail(c, "more than one buffer flag");
        out->buf = b;
    }
    return true;
}

/* Where the pcre goes: a buffer flag, the sticky buffer, or like other
 * items; a relative pcre in the payload needs something before it. */
static int pcre_slot(rule_ctx_t *c, const pcre_flags_t *pf, char flag)
{
    bool rel = pf->flags & RULE_PCRE_RELATIVE;
    /* a flag naming the active sticky buffer is redundant; Q (response
     * body) also fits file.data, both being the HTTP response body here */
    if (pf->buf >= 0 && (pf->buf == c->sticky || (pf->buf == RULE_BUF_HTTP_RESPONSE_BODY &&
                                                  c->sticky == RULE_BUF_FILE_DATA)))
        return rule_item_slot(c, rel);
    if (pf->buf >= 0) {
        if (c->sticky >= 0) {
            rule_fail(c, "flag '%c' cannot be used inside sticky buffer %s", flag, c->sticky_kw);
            return -2;
        }
        if (!rule_need_app(c, rule_buf_info((rule_buf_t)pf->buf)->app)) return -2;
        return rule_slot(c, (uint8_t)pf->buf, 0);
    }
    if (rel && c->sticky < 0 && c->last_anchor < 0) {
        rule_fail(c, "relative (R) needs a preceding content or pcre");
        return -2;
    }
    return rule_item_slot(c, rel);
}

static char buffer_flag(const char *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof(buf_flags) / sizeof(buf_flags[0]); k++)
            if (buf_flags[k].flag == f[i]) return f[i];
    return '?';
}

static pcre2_code *compile(rule_ctx_t *c, const char *re, size_t len, uint32_t options)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *pc = pcre2_compile((PCRE2_SPTR)re, len, options, &code, &at, NULL);
    if (pc == NULL) {
        PCRE2_UCHAR msg[160];
        if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0) msg[0] = '\0';
        rule_fail(c, "compile error at offset %zu: %s", (size_t)at, (const char *)msg);
        return NULL;
    }
    if (c->rs->opts.pcre_jit)
        (void)pcre2_jit_compile(pc, PCRE2_JIT_COMPLETE); /* else interpreted */
    return pc;
}

bool kw_pcre(rule_ctx_t *c, const char *v, size_t len)
{
    const char *text = v;
    size_t tlen = len;
    bool neg = v[0] == '!';
    if (neg) {
        v++, len--;
        rule_trim(&v, &len);
    }
    const char *in;
    size_t ilen;
    if (len == 0 || v[0] != '"') return rule_fail(c, "expected a quoted string");
    if (!rule_quoted(v, len, &in, &ilen)) return rule_fail(c, "unterminated string");
    if (ilen < 2 || in[0] != '/') return rule_fail(c, "expected \"/regex/flags\"");
    size_t last = ilen - 1;
    while (last > 0 && in[last] != '/')
        last--;
    if (last == 0) return rule_fail(c, "missing closing '/'");
    pcre_flags_t pf;
    const char *flags = in + last + 1;
    size_t nflags = ilen - last - 1;
    if (!parse_flags(c, flags, nflags, &pf)) return false;
    int slot = pcre_slot(c, &pf, buffer_flag(flags, nflags));
    if (slot == -2) return false;
    if (c->n_pcres == RULE_MAX_ITEMS) return rule_fail(c, "too many");
    pcre2_code *pc = compile(c, in + 1, last - 1, pf.options);
    if (pc == NULL) return false;
    c->pcres[c->n_pcres++] = pc; /* freed with the rule, or now if it fails */
    rule_pitem_t *p = rule_add_item(c, slot, RULE_ITEM_PCRE);
    if (p == NULL) return false;
    rule_pcre_t *rp = &p->it.u.pcre;
    rp->code = pc;
    rp->flags = pf.flags | (neg ? RULE_PCRE_NEGATED : 0);
    rp->text = arena_strndup(&c->rs->rules, text, tlen);
    return rp->text || rule_fail(c, "out of memory");
}
