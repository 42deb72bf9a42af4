/* rule_keywords.c -- the keyword table, and the keywords that need no
 * buffer: identity and output (msg sid rev gid classtype priority reference
 * metadata target noalert), flow, flowbits, dsize, flags, itype, icode,
 * ip_proto, tls.version, threshold, detection_filter.
 *
 * A keyword missing from the table makes the rule skipped as "unsupported
 * keyword". */
#include "rule_int.h"

#include <stdio.h>
#include <string.h>

/* ---- identity and output ---- */

/* Quoted text with \" \; \\ \: escapes (any escaped byte is kept). */
/* Quoted (or bare) text; any escaped byte is kept as itself. */
static bool unquote(rule_ctx_t *c, const char *v, size_t len, const char **out, size_t *olen)
{
    if (len && v[0] == '"' && !rule_quoted(v, len, &v, &len))
        return rule_fail(c, "unterminated string");
    char *q = (char *)c->scratch;
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof(c->scratch) - 1; i++) {
        if (v[i] == '\\' && i + 1 < len) i++;
        q[n++] = v[i];
    }
    *out = q;
    *olen = n;
    return true;
}

static bool kw_msg(rule_ctx_t *c, const char *v, size_t len)
{
    const char *s = NULL;
    size_t n = 0;
    if (c->seen & SEEN_MSG) return rule_fail(c, "given twice");
    c->seen |= SEEN_MSG;
    if (!unquote(c, v, len, &s, &n)) return false;
    c->r->msg = arena_strndup(&c->rs->rules, s, n);
    return c->r->msg || rule_fail(c, "out of memory");
}

static bool u32_once(rule_ctx_t *c, const char *v, size_t len, uint32_t bit, uint64_t min,
                     uint32_t *out)
{
    uint64_t x;
    if (c->seen & bit) return rule_fail(c, "given twice");
    c->seen |= bit;
    if (!rule_parse_u64(v, len, UINT32_MAX, &x) || x < min)
        return rule_fail(c, "invalid value '%.*s'", (int)(len > 32 ? 32 : len), v);
    *out = (uint32_t)x;
    return true;
}

static bool kw_sid(rule_ctx_t *c, const char *v, size_t len)
{
    return u32_once(c, v, len, SEEN_SID, 1, &c->r->sid);
}

static bool kw_rev(rule_ctx_t *c, const char *v, size_t len)
{
    return u32_once(c, v, len, SEEN_REV, 0, &c->r->rev);
}

static bool kw_gid(rule_ctx_t *c, const char *v, size_t len)
{
    return u32_once(c, v, len, SEEN_GID, 0, &c->r->gid);
}

/* Unknown classtypes load with the default priority and no category, and
 * a second classtype wins when its priority is higher (Suricata). */
static bool kw_classtype(rule_ctx_t *c, const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (rule_is_space(v[i]) || v[i] == ',')
            return rule_fail(c, "invalid name '%.*s'", (int)(len > 32 ? 32 : len), v);
    rule_t *r = c->r;
    strmap_slot_t *s = strmap_find(&c->rs->classes, v, len);
    const rule_class_t *cl = s ? s->val : NULL;
    if (cl == NULL) {
        c->unknown_class = true;
        if (c->seen & SEEN_CLASSTYPE) return true;
        r->classtype = rule_intern(c->rs, v, len);
    } else if (!(c->seen & SEEN_CLASSTYPE) || r->category == NULL || cl->prio < r->severity) {
        r->classtype = rule_intern(c->rs, v, len);
        r->category = cl->desc;
        r->severity = cl->prio;
    }
    c->seen |= SEEN_CLASSTYPE;
    return r->classtype || rule_fail(c, "out of memory");
}

static bool kw_priority(rule_ctx_t *c, const char *v, size_t len)
{
    uint64_t x;
    if (!rule_parse_u64(v, len, 255, &x) || x == 0)
        return rule_fail(c, "must be 1..255, got '%.*s'", (int)(len > 32 ? 32 : len), v);
    c->priority = (int)x;
    return true;
}

static bool kw_reference(rule_ctx_t *c, const char *v, size_t len)
{
    const char *comma = memchr(v, ',', len);
    if (comma == NULL || comma == v || comma == v + len - 1)
        return rule_fail(c, "expected 'type,value'");
    return true;
}

/* "key value, key value": pairs in order; an item without a value is
 * ignored, as Suricata does. */
static bool kw_metadata(rule_ctx_t *c, const char *v, size_t len)
{
    const char *p = v, *end = v + len, *f;
    size_t flen;
    while (rule_next_field(&p, end, &f, &flen)) {
        size_t k = 0;
        while (k < flen && !rule_is_space(f[k]))
            k++;
        const char *val = f + k;
        size_t vlen = flen - k;
        rule_trim(&val, &vlen);
        if (k == 0 || vlen == 0) continue;
        if (c->n_meta == RULE_MAX_META) return rule_fail(c, "more than %d entries", RULE_MAX_META);
        rule_meta_t *m = &c->meta[c->n_meta++];
        m->key = rule_intern(c->rs, f, k);
        m->value = rule_intern(c->rs, val, vlen);
        if (!m->key || !m->value) return rule_fail(c, "out of memory");
    }
    return true;
}

static bool kw_target(rule_ctx_t *c, const char *v, size_t len)
{
    if (c->seen & SEEN_TARGET) return rule_fail(c, "given twice");
    c->seen |= SEEN_TARGET;
    if (rule_eq(v, len, "src_ip"))
        c->r->target = RULE_TARGET_SRC;
    else if (rule_eq(v, len, "dest_ip"))
        c->r->target = RULE_TARGET_DST;
    else
        return rule_fail(c, "expected src_ip or dest_ip");
    return true;
}

static bool kw_noalert(rule_ctx_t *c, const char *v, size_t len)
{
    (void)v, (void)len;
    c->r->noalert = true;
    return true;
}

/* ---- flow ---- */

static const struct {
    const char *name;
    uint16_t bit;
} flow_opts[] = {
    {"established", RULE_FLOW_ESTABLISHED}, {"not_established", RULE_FLOW_NOT_ESTABLISHED},
    {"stateless", RULE_FLOW_STATELESS},     {"to_server", RULE_FLOW_TOSERVER},
    {"from_client", RULE_FLOW_TOSERVER},    {"to_client", RULE_FLOW_TOCLIENT},
    {"from_server", RULE_FLOW_TOCLIENT},    {"only_stream", RULE_FLOW_ONLY_STREAM},
    {"no_stream", RULE_FLOW_NO_STREAM},     {"only_frag", RULE_FLOW_ONLY_FRAG},
    {"no_frag", RULE_FLOW_NO_FRAG},
};

static bool two_of(uint16_t f, uint16_t set)
{
    f &= set;
    return (f & (f - 1)) != 0;
}

static bool kw_flow(rule_ctx_t *c, const char *v, size_t len)
{
    if (c->seen & SEEN_FLOW) return rule_fail(c, "given twice");
    c->seen |= SEEN_FLOW;
    const char *p = v, *end = v + len, *f;
    size_t flen;
    uint16_t flags = 0;
    while (rule_next_field(&p, end, &f, &flen)) {
        uint16_t bit = 0;
        for (size_t i = 0; i < sizeof(flow_opts) / sizeof(flow_opts[0]); i++)
            if (rule_eq(f, flen, flow_opts[i].name)) bit = flow_opts[i].bit;
        if (bit == 0) return rule_fail(c, "unknown option '%.*s'", (int)(flen > 32 ? 32 : flen), f);
        if (flags & bit) return rule_fail(c, "'%.*s' given twice", (int)flen, f);
        flags |= bit;
    }
    if (two_of(flags, RULE_FLOW_ESTABLISHED | RULE_FLOW_NOT_ESTABLISHED | RULE_FLOW_STATELESS))
        return rule_fail(c, "established, not_established and stateless exclude each other");
    if (two_of(flags, RULE_FLOW_TOSERVER | RULE_FLOW_TOCLIENT))
        return rule_fail(c, "to_server and to_client exclude each other");
    if (two_of(flags, RULE_FLOW_ONLY_STREAM | RULE_FLOW_NO_STREAM))
        return rule_fail(c, "only_stream and no_stream exclude each other");
    if (two_of(flags, RULE_FLOW_ONLY_FRAG | RULE_FLOW_NO_FRAG))
        return rule_fail(c, "only_frag and no_frag exclude each other");
    c->r->flow = flags;
    return true;
}

/* ---- flowbits ---- */

static int64_t flowbit_intern(rule_set_t *rs, const char *name, size_t len)
{
    strmap_slot_t *s = strmap_find(&rs->flowbits, name, len);
    if (s) return (int64_t)(uintptr_t)s->val - 1;
    if (rs->fb_n == rs->fb_cap) {
        uint32_t cap = rs->fb_cap ? rs->fb_cap * 2 : 64;
        const char **names = arena_alloc(&rs->shared, cap * sizeof(*names));
        if (names == NULL) return -1;
        if (rs->fb_n) memcpy(names, rs->fb_names, rs->fb_n * sizeof(*names));
        rs->fb_names = names;
        rs->fb_cap = cap;
    }
    const char *key = arena_strndup(&rs->shared, name, len);
    if (key == NULL || !strmap_put(&rs->flowbits, key, len, (void *)(uintptr_t)(rs->fb_n + 1)))
        return -1;
    rs->fb_names[rs->fb_n] = key;
    return rs->fb_n++;
}

static bool flowbit_names(rule_ctx_t *c, rule_flowbit_t *fb, const char *s, size_t len)
{
    bool has_or = memchr(s, '|', len) != NULL, has_and = memchr(s, '&', len) != NULL;
    if (has_or && has_and) return rule_fail(c, "cannot mix '|' and '&'");
    if (has_or && fb->cmd != RULE_FB_ISSET && fb->cmd != RULE_FB_ISNOTSET)
        return rule_fail(c, "'|' only goes with isset and isnotset");
    fb->any = has_or;
    char sep = has_or ? '|' : '&';
    uint32_t ids[RULE_MAX_FLOWBIT_NAMES];
    uint16_t n = 0;
    const char *p = s, *end = s + len;
    while (p <= end) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        const char *stop = q ? q : end;
        const char *name = p;
        size_t nlen = (size_t)(stop - p);
        rule_trim(&name, &nlen);
        if (nlen == 0) return rule_fail(c, "empty name");
        for (size_t i = 0; i < nlen; i++)
            if (rule_is_space(name[i]) || name[i] == ',')
                return rule_fail(c, "invalid name '%.*s'", (int)(nlen > 40 ? 40 : nlen), name);
        if (n == RULE_MAX_FLOWBIT_NAMES)
            return rule_fail(c, "more than %d names", RULE_MAX_FLOWBIT_NAMES);
        int64_t id = flowbit_intern(c->rs, name, nlen);
        if (id < 0) return rule_fail(c, "out of memory");
        ids[n++] = (uint32_t)id;
        if (q == NULL) break;
        p = q + 1;
    }
    fb->ids = arena_dup(&c->rs->rules, ids, n * sizeof(ids[0]));
    fb->n = n;
    return fb->ids || rule_fail(c, "out of memory");
}

static bool kw_flowbits(rule_ctx_t *c, const char *v, size_t len)
{
    static const struct {
        const char *name;
        rule_flowbit_cmd_t cmd;
    } cmds[] = {{"set", RULE_FB_SET},
                {"unset", RULE_FB_UNSET},
                {"toggle", RULE_FB_TOGGLE},
                {"isset", RULE_FB_ISSET},
                {"isnotset", RULE_FB_ISNOTSET}};
    const char *comma = memchr(v, ',', len);
    const char *cmd = v;
    size_t clen = comma ? (size_t)(comma - v) : len;
    rule_trim(&cmd, &clen);
    if (rule_eq(cmd, clen, "noalert")) {
        if (comma) return rule_fail(c, "noalert takes no name");
        c->r->noalert = true;
        return true;
    }
    if (c->n_fb == RULE_MAX_FLOWBITS) return rule_fail(c, "more than %d", RULE_MAX_FLOWBITS);
    rule_flowbit_t *fb = &c->fb[c->n_fb];
    int found = -1;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (rule_eq(cmd, clen, cmds[i].name)) found = (int)i;
    if (found < 0) return rule_fail(c, "unknown command '%.*s'", (int)(clen > 32 ? 32 : clen), cmd);
    if (comma == NULL) return rule_fail(c, "%s needs a name", cmds[found].name);
    fb->cmd = (uint8_t)cmds[found].cmd;
    if (!flowbit_names(c, fb, comma + 1, len - (size_t)(comma + 1 - v))) return false;
    c->n_fb++;
    return true;
}

/* ---- packet checks ---- */

static bool cmp_once(rule_ctx_t *c, const char *v, size_t len, uint8_t bit, uint64_t max,
                     rule_cmp_t *out)
{
    const char *why;
    if (c->r->checks & bit) return rule_fail(c, "given twice");
    if (!rule_parse_cmp(v, len, max, out, &why))
        return rule_fail(c, "%s in '%.*s'", why, (int)(len > 32 ? 32 : len), v);
    c->r->checks |= bit;
    return true;
}

static bool kw_dsize(rule_ctx_t *c, const char *v, size_t len)
{
    return cmp_once(c, v, len, RULE_CHECK_DSIZE, 65535, &c->r->dsize);
}

static bool kw_itype(rule_ctx_t *c, const char *v, size_t len)
{
    return cmp_once(c, v, len, RULE_CHECK_ITYPE, 255, &c->r->itype);
}

static bool kw_icode(rule_ctx_t *c, const char *v, size_t len)
{
    return cmp_once(c, v, len, RULE_CHECK_ICODE, 255, &c->r->icode);
}

static bool kw_ip_proto(rule_ctx_t *c, const char *v, size_t len)
{
    static const struct {
        const char *name;
        uint8_t num;
    } names[] = {{"ip", 0},         {"icmp", 1},    {"igmp", 2},  {"ipip", 4},  {"tcp", 6},
                 {"udp", 17},       {"ipv6", 41},   {"gre", 47},  {"esp", 50},  {"ah", 51},
                 {"ipv6-icmp", 58}, {"icmpv6", 58}, {"pim", 103}, {"sctp", 132}};
    const char *s = v;
    size_t n = len;
    bool neg = n && s[0] == '!';
    if (neg) s++, n--;
    rule_trim(&s, &n);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (rule_eq(s, n, names[i].name)) {
            if (c->r->checks & RULE_CHECK_IP_PROTO) return rule_fail(c, "given twice");
            c->r->checks |= RULE_CHECK_IP_PROTO;
            c->r->ip_proto = (rule_cmp_t){neg ? RULE_CMP_NE : RULE_CMP_EQ, names[i].num, 0};
            return true;
        }
    }
    return cmp_once(c, v, len, RULE_CHECK_IP_PROTO, 255, &c->r->ip_proto);
}

static int flag_bit(char ch)
{
    switch (ch) {
    case 'F': return 0x01;
    case 'S': return 0x02;
    case 'R': return 0x04;
    case 'P': return 0x08;
    case 'A': return 0x10;
    case 'U': return 0x20;
    case 'E':
    case '2': return 0x40;
    case 'C':
    case '1': return 0x80;
    default: return -1;
    }
}

/* "[+*!]FLAGS[,MASK]"; '0' means no flags. */
static bool kw_flags(rule_ctx_t *c, const char *v, size_t len)
{
    rule_tcpflags_t tf = {RULE_TCPF_EXACT, 0, 0};
    const char *comma = memchr(v, ',', len);
    size_t flen = comma ? (size_t)(comma - v) : len;
    bool zero = false, mode_set = false, any = false;
    if (c->r->checks & RULE_CHECK_TCPFLAGS) return rule_fail(c, "given twice");
    for (size_t i = 0; i < flen; i++) {
        char ch = v[i];
        uint8_t mode = ch == '+' ? RULE_TCPF_PLUS : ch == '*' ? RULE_TCPF_ANY : RULE_TCPF_NOT;
        if (ch == '+' || ch == '*' || ch == '!') {
            if (mode_set) return rule_fail(c, "more than one of + * !");
            tf.mode = mode;
            mode_set = true;
        } else if (ch == '0') {
            zero = true;
        } else if (flag_bit(ch) > 0) {
            tf.flags |= (uint8_t)flag_bit(ch);
            any = true;
        } else if (!rule_is_space(ch)) {
            return rule_fail(c, "unknown flag '%c'", ch);
        }
    }
    if (zero == any) return rule_fail(c, "expected flags (FSRPAUCE12) or 0");
    for (size_t i = flen + 1; comma && i < len; i++) {
        if (rule_is_space(v[i])) continue;
        if (flag_bit(v[i]) < 0) return rule_fail(c, "unknown flag '%c' in the mask", v[i]);
        tf.ignore |= (uint8_t)flag_bit(v[i]);
    }
    c->r->tcpflags = tf;
    c->r->checks |= RULE_CHECK_TCPFLAGS;
    return true;
}

static bool kw_tls_version(rule_ctx_t *c, const char *v, size_t len)
{
    static const struct {
        const char *name;
        uint16_t ver;
    } vers[] = {
        {"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304}, {"ssl3", 0x0300}};
    bool neg = v[0] == '!';
    const char *s = v + neg;
    size_t n = len - neg;
    rule_trim(&s, &n);
    uint16_t ver = 0;
    for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++)
        if (rule_eq(s, n, vers[i].name)) ver = vers[i].ver;
    if (ver == 0 && n == 6 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        unsigned x = 0;
        for (size_t i = 2; i < 6; i++) {
            char ch = s[i];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0) return rule_fail(c, "invalid version '%.*s'", (int)n, s);
            x = x * 16 + (unsigned)d;
        }
        ver = (uint16_t)x;
    }
    if (ver == 0) return rule_fail(c, "invalid version '%.*s'", (int)(n > 16 ? 16 : n), s);
    if (c->r->checks & RULE_CHECK_TLS_VERSION) return rule_fail(c, "given twice");
    if (!rule_need_app(c, APP_TLS)) return false;
    c->r->checks |= RULE_CHECK_TLS_VERSION;
    c->r->tls_version = ver;
    c->r->tls_version_neg = neg;
    return true;
}

/* ---- threshold, detection_filter ---- */

static bool thr_field(rule_ctx_t *c, rule_threshold_t *t, const char *f, size_t flen,
                      unsigned *have)
{
    size_t k = 0;
    while (k < flen && !rule_is_space(f[k]))
        k++;
    const char *val = f + k;
    size_t vlen = flen - k;
    rule_trim(&val, &vlen);
    uint64_t x;
    int shown = (int)(flen > 40 ? 40 : flen);
    unsigned bit = rule_eq(f, k, "type")      ? 1
                   : rule_eq(f, k, "track")   ? 2
                   : rule_eq(f, k, "count")   ? 4
                   : rule_eq(f, k, "seconds") ? 8
                                              : 0;
    if (bit == 0) return rule_fail(c, "unknown field '%.*s'", shown, f);
    if (*have & bit) return rule_fail(c, "'%.*s' given twice", (int)k, f);
    *have |= bit;
    if (bit == 1) {
        t->type = rule_eq(val, vlen, "limit")       ? RULE_THR_LIMIT
                  : rule_eq(val, vlen, "threshold") ? RULE_THR_THRESHOLD
                  : rule_eq(val, vlen, "both")      ? RULE_THR_BOTH
                                                    : RULE_THR_NONE;
        if (t->type == RULE_THR_NONE) return rule_fail(c, "unsupported type '%.*s'", shown, f);
    } else if (bit == 2) {
        int tr = rule_eq(val, vlen, "by_src")    ? RULE_TRACK_SRC
                 : rule_eq(val, vlen, "by_dst")  ? RULE_TRACK_DST
                 : rule_eq(val, vlen, "by_rule") ? RULE_TRACK_RULE
                 : rule_eq(val, vlen, "by_both") ? RULE_TRACK_BOTH
                                                 : -1;
        if (tr < 0) return rule_fail(c, "unsupported track '%.*s'", shown, f);
        t->track = (uint8_t)tr;
    } else {
        if (!rule_parse_u64(val, vlen, UINT32_MAX, &x) || x == 0)
            return rule_fail(c, "invalid '%.*s'", shown, f);
        if (bit == 4)
            t->count = (uint32_t)x;
        else
            t->seconds = (uint32_t)x;
    }
    return true;
}

static bool rate(rule_ctx_t *c, const char *v, size_t len, bool filter)
{
    if (c->seen & SEEN_THRESHOLD)
        return rule_fail(c, "only one threshold or detection_filter per rule");
    c->seen |= SEEN_THRESHOLD;
    rule_threshold_t t = {0};
    unsigned have = filter ? 1 : 0;
    const char *p = v, *end = v + len, *f;
    size_t flen;
    if (filter) t.type = RULE_THR_DETECTION_FILTER;
    while (rule_next_field(&p, end, &f, &flen)) {
        if (filter && flen >= 4 && memcmp(f, "type", 4) == 0) return rule_fail(c, "takes no type");
        if (!thr_field(c, &t, f, flen, &have)) return false;
    }
    if (have != 15)
        return rule_fail(c, "needs %s",
                         filter ? "track, count and seconds" : "type, track, count and seconds");
    c->r->threshold = t;
    return true;
}

static bool kw_threshold(rule_ctx_t *c, const char *v, size_t len)
{
    return rate(c, v, len, false);
}

static bool kw_detection_filter(rule_ctx_t *c, const char *v, size_t len)
{
    return rate(c, v, len, true);
}

/* ---- the table ---- */

#define REQ  KW_VALUE_REQUIRED
#define NONE KW_VALUE_NONE
#define OPT  KW_VALUE_OPTIONAL

static const rule_keyword_t keywords[] = {
    {"msg", kw_msg, REQ},
    {"sid", kw_sid, REQ},
    {"rev", kw_rev, REQ},
    {"gid", kw_gid, REQ},
    {"classtype", kw_classtype, REQ},
    {"priority", kw_priority, REQ},
    {"reference", kw_reference, REQ},
    {"metadata", kw_metadata, REQ},
    {"target", kw_target, REQ},
    {"noalert", kw_noalert, NONE},
    {"content", kw_content, REQ},
    {"nocase", kw_nocase, NONE},
    {"rawbytes", kw_rawbytes, NONE},
    {"depth", kw_depth, REQ},
    {"offset", kw_offset, REQ},
    {"distance", kw_distance, REQ},
    {"within", kw_within, REQ},
    {"startswith", kw_startswith, NONE},
    {"endswith", kw_endswith, NONE},
    {"fast_pattern", kw_fast_pattern, OPT},
    {"pcre", kw_pcre, REQ},
    {"isdataat", kw_isdataat, REQ},
    {"byte_test", kw_byte_test, REQ},
    {"byte_jump", kw_byte_jump, REQ},
    {"bsize", kw_bsize, REQ},
    {"urilen", kw_urilen, REQ},
    {"dotprefix", kw_dotprefix, NONE},
    {"pkt_data", kw_pkt_data, NONE},
    {"flow", kw_flow, REQ},
    {"flowbits", kw_flowbits, REQ},
    {"dsize", kw_dsize, REQ},
    {"flags", kw_flags, REQ},
    {"itype", kw_itype, REQ},
    {"icode", kw_icode, REQ},
    {"ip_proto", kw_ip_proto, REQ},
    {"tls.version", kw_tls_version, REQ},
    {"threshold", kw_threshold, REQ},
    {"detection_filter", kw_detection_filter, REQ},
};

const rule_keyword_t *rule_keyword_find(const char *name, size_t len)
{
    /* names are case-insensitive, as in Suricata */
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        const char *k = keywords[i].name;
        if ((k[0] | 0x20) == (name[0] | 0x20) && rule_eq_nocase(name, len, k)) return &keywords[i];
    }
    return rule_buffer_keyword(name, len);
}
