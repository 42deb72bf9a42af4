/* rule_parser.c -- one rule: "action proto src sport dir dst dport (options)".
 *
 * The header is split into bracket-aware tokens; the options are split at
 * unescaped ';' (quotes do not protect a ';', as in Suricata) and handed to
 * the keyword handlers in rule order. Finalisation checks what needs the
 * whole rule, groups the match items per buffer and chooses the fast
 * pattern. */
#include "rule_int.h"

#include <stdio.h>
#include <string.h>

bool rule_fail(rule_ctx_t *c, const char *fmt, ...)
{
    char detail[RULE_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(c->msg, sizeof(c->msg), "%.40s: %.*s", c->kw, RULE_ERR_MAX - 48, detail);
    snprintf(c->reason, sizeof(c->reason), "invalid '%s'", c->kw);
    return false;
}

bool rule_fail_reason(rule_ctx_t *c, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
    va_end(ap);
    snprintf(c->reason, sizeof(c->reason), "%s", reason);
    return false;
}

/* ---- header ---- */

typedef struct proto_def {
    const char *name;
    uint8_t ipproto;
    app_proto_t app;
    uint8_t stream;
} proto_def_t;

#define P_TCP  RULE_IPPROTO_TCP
#define P_UDP  RULE_IPPROTO_UDP
#define P_TU   (RULE_IPPROTO_TCP | RULE_IPPROTO_UDP)
#define P_ICMP (RULE_IPPROTO_ICMP4 | RULE_IPPROTO_ICMP6)

static const proto_def_t protos[] = {
    {"ip", RULE_IPPROTO_ALL, APP_UNKNOWN, RULE_STREAM_ANY},
    {"tcp", P_TCP, APP_UNKNOWN, RULE_STREAM_ANY},
    {"udp", P_UDP, APP_UNKNOWN, RULE_STREAM_ANY},
    {"icmp", P_ICMP, APP_UNKNOWN, RULE_STREAM_ANY},
    {"icmpv4", RULE_IPPROTO_ICMP4, APP_UNKNOWN, RULE_STREAM_ANY},
    {"icmpv6", RULE_IPPROTO_ICMP6, APP_UNKNOWN, RULE_STREAM_ANY},
    {"sctp", RULE_IPPROTO_SCTP, APP_UNKNOWN, RULE_STREAM_ANY},
    {"tcp-pkt", P_TCP, APP_UNKNOWN, RULE_STREAM_PKT},
    {"tcp-stream", P_TCP, APP_UNKNOWN, RULE_STREAM_ONLY},
    {"http", P_TCP, APP_HTTP, RULE_STREAM_ANY},
    {"http1", P_TCP, APP_HTTP, RULE_STREAM_ANY},
    {"http2", P_TCP, APP_HTTP2, RULE_STREAM_ANY},
    {"dns", P_TU, APP_DNS, RULE_STREAM_ANY},
    {"tls", P_TCP, APP_TLS, RULE_STREAM_ANY},
    {"ssh", P_TCP, APP_SSH, RULE_STREAM_ANY},
    {"smtp", P_TCP, APP_SMTP, RULE_STREAM_ANY},
    {"ftp", P_TCP, APP_FTP, RULE_STREAM_ANY},
    {"ftp-data", P_TCP, APP_FTP_DATA, RULE_STREAM_ANY},
    {"imap", P_TCP, APP_IMAP, RULE_STREAM_ANY},
    {"pop3", P_TCP, APP_POP3, RULE_STREAM_ANY},
    {"smb", P_TCP, APP_SMB, RULE_STREAM_ANY},
    {"dcerpc", P_TU, APP_DCERPC, RULE_STREAM_ANY},
    {"dhcp", P_UDP, APP_DHCP, RULE_STREAM_ANY},
    {"ntp", P_UDP, APP_NTP, RULE_STREAM_ANY},
    {"snmp", P_UDP, APP_SNMP, RULE_STREAM_ANY},
    {"sip", P_TU, APP_SIP, RULE_STREAM_ANY},
    {"rdp", P_TCP, APP_RDP, RULE_STREAM_ANY},
    {"rfb", P_TCP, APP_RFB, RULE_STREAM_ANY},
    {"mqtt", P_TCP, APP_MQTT, RULE_STREAM_ANY},
    {"rtsp", P_TCP, APP_RTSP, RULE_STREAM_ANY},
    {"modbus", P_TCP, APP_MODBUS, RULE_STREAM_ANY},
    {"dnp3", P_TCP, APP_DNP3, RULE_STREAM_ANY},
    {"enip", P_TU, APP_ENIP, RULE_STREAM_ANY},
    {"krb5", P_TU, APP_KRB5, RULE_STREAM_ANY},
    {"nfs", P_TU, APP_NFS, RULE_STREAM_ANY},
    {"tftp", P_UDP, APP_TFTP, RULE_STREAM_ANY},
    {"ike", P_UDP, APP_IKE, RULE_STREAM_ANY},
    {"ikev2", P_UDP, APP_IKE, RULE_STREAM_ANY},
    {"quic", P_UDP, APP_QUIC, RULE_STREAM_ANY},
    {"ldap", P_TU, APP_LDAP, RULE_STREAM_ANY},
    {"telnet", P_TCP, APP_TELNET, RULE_STREAM_ANY},
    {"irc", P_TCP, APP_IRC, RULE_STREAM_ANY},
    {"mysql", P_TCP, APP_MYSQL, RULE_STREAM_ANY},
    {"pgsql", P_TCP, APP_PGSQL, RULE_STREAM_ANY},
};

static const struct {
    const char *name;
    rule_action_t action;
} actions[] = {
    {"alert", RULE_ACTION_ALERT},       {"pass", RULE_ACTION_PASS},
    {"drop", RULE_ACTION_DROP},         {"reject", RULE_ACTION_REJECT},
    {"rejectsrc", RULE_ACTION_REJECT},  {"rejectdst", RULE_ACTION_REJECT},
    {"rejectboth", RULE_ACTION_REJECT},
};

typedef struct token {
    const char *s;
    size_t len;
} token_t;

/* Next whitespace-separated token; brackets may contain spaces; '(' at
 * bracket depth 0 ends a token. */
static bool next_token(const char **p, const char *end, token_t *t)
{
    const char *s = *p;
    while (s < end && rule_is_space(*s))
        s++;
    const char *start = s;
    int depth = 0;
    while (s < end) {
        if (*s == '[') depth++;
        if (*s == ']') depth--;
        if (depth <= 0 && (rule_is_space(*s) || *s == '(')) break;
        s++;
    }
    t->s = start;
    t->len = (size_t)(s - start);
    *p = s;
    return t->len > 0;
}

static const char *tok_names[] = {"action",          "protocol",  "source address",
                                  "source port",     "direction", "destination address",
                                  "destination port"};

static bool header_proto(rule_ctx_t *c, token_t t)
{
    for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
        if (rule_eq(t.s, t.len, protos[i].name)) {
            c->r->ipproto = protos[i].ipproto;
            c->r->app = protos[i].app;
            c->r->stream_mode = protos[i].stream;
            return true;
        }
    }
    return rule_fail_reason(c, "unsupported protocol", "protocol '%.*s' unsupported",
                            (int)(t.len > 32 ? 32 : t.len), t.s);
}

static bool header_groups(rule_ctx_t *c, const token_t *t)
{
    char err[160];
    rule_t *r = c->r;
    const token_t *bad = NULL;
    int which = 0;
    if (!(r->src = rule_addr_get(c->rs, t[2].s, t[2].len, err, sizeof(err))))
        bad = &t[2], which = 2;
    else if (!(r->sport = rule_ports_get(c->rs, t[3].s, t[3].len, err, sizeof(err))))
        bad = &t[3], which = 3;
    else if (!(r->dst = rule_addr_get(c->rs, t[5].s, t[5].len, err, sizeof(err))))
        bad = &t[5], which = 5;
    else if (!(r->dport = rule_ports_get(c->rs, t[6].s, t[6].len, err, sizeof(err))))
        bad = &t[6], which = 6;
    if (bad == NULL) return true;
    return rule_fail_reason(c, "invalid header", "%s '%.*s': %s", tok_names[which],
                            (int)(bad->len > 64 ? 64 : bad->len), bad->s, err);
}

/* Parse the header; *opts points at the '(' on success. */
static bool parse_header(rule_ctx_t *c, const char *s, const char *end, const char **opts)
{
    token_t t[7];
    const char *p = s;
    for (int i = 0; i < 7; i++) {
        if (!next_token(&p, end, &t[i]))
            return rule_fail_reason(c, "invalid header", "header: missing %s", tok_names[i]);
    }
    bool ok = false;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (rule_eq(t[0].s, t[0].len, actions[i].name)) {
            c->r->action = (uint8_t)actions[i].action;
            ok = true;
        }
    }
    if (!ok)
        return rule_fail_reason(c, "invalid header", "header: unknown action '%.*s'",
                                (int)(t[0].len > 32 ? 32 : t[0].len), t[0].s);
    if (!header_proto(c, t[1])) return false;
    if (rule_eq(t[4].s, t[4].len, "<>"))
        c->r->bidirectional = true;
    else if (!rule_eq(t[4].s, t[4].len, "->"))
        return rule_fail_reason(c, "invalid header", "header: invalid direction '%.*s'",
                                (int)(t[4].len > 8 ? 8 : t[4].len), t[4].s);
    if (!header_groups(c, t)) return false;
    while (p < end && rule_is_space(*p))
        p++;
    if (p == end || *p != '(')
        return rule_fail_reason(c, "invalid header", "header: expected '(' after the ports");
    *opts = p;
    return true;
}

/* ---- options ---- */

static bool is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '-';
}

/* Split "(name:value; name; ...)" into c->opts. */
static bool split_options(rule_ctx_t *c, const char *s, const char *end)
{
    c->n_opts = 0;
    while (end > s && rule_is_space(end[-1]))
        end--;
    if (end - s < 2 || end[-1] != ')')
        return rule_fail_reason(c, "syntax", "options: missing ')' at the end of the rule");
    const char *p = s + 1;
    end--;
    for (;;) {
        while (p < end && rule_is_space(*p))
            p++;
        if (p == end) break;
        const char *name = p;
        while (p < end && is_name_char(*p))
            p++;
        size_t nlen = (size_t)(p - name);
        int shown = (int)(nlen > 40 ? 40 : nlen);
        if (nlen == 0) return rule_fail_reason(c, "syntax", "options: unexpected '%c'", *p);
        while (p < end && rule_is_space(*p))
            p++;
        rule_opt_t o = {name, NULL, (uint32_t)nlen, 0};
        if (p < end && *p == ':') {
            const char *v = ++p;
            while (p < end && *p != ';')
                p += (*p == '\\' && p + 1 < end) ? 2 : 1;
            if (p >= end)
                return rule_fail_reason(c, "syntax", "%.*s: missing ';' after the value", shown,
                                        name);
            size_t vlen = (size_t)(p - v);
            rule_trim(&v, &vlen);
            o.val = v;
            o.vlen = (uint32_t)vlen;
        } else if (p == end || *p != ';') {
            return rule_fail_reason(c, "syntax", "%.*s: expected ':' or ';'", shown, name);
        }
        p++; /* the ';' */
        if (c->n_opts == RULE_MAX_OPTIONS)
            return rule_fail_reason(c, "syntax", "options: more than %d", RULE_MAX_OPTIONS);
        c->opts[c->n_opts++] = o;
    }
    return true;
}

/* Sid for messages, before the rule is understood; 0 when unreadable. */
static uint32_t prescan_sid(const rule_ctx_t *c)
{
    for (uint32_t i = 0; i < c->n_opts; i++) {
        const rule_opt_t *o = &c->opts[i];
        uint64_t v;
        if (rule_eq_nocase(o->name, o->nlen, "sid") && o->val &&
            rule_parse_u64(o->val, o->vlen, UINT32_MAX, &v))
            return (uint32_t)v;
    }
    return 0;
}

static bool run_options(rule_ctx_t *c)
{
    for (uint32_t i = 0; i < c->n_opts; i++) {
        const rule_opt_t *o = &c->opts[i];
        const rule_keyword_t *k = rule_keyword_find(o->name, o->nlen);
        if (k == NULL) {
            int n = (int)(o->nlen > 40 ? 40 : o->nlen);
            char reason[96];
            snprintf(reason, sizeof(reason), "unsupported keyword '%.*s'", n, o->name);
            return rule_fail_reason(c, reason, "%s", reason);
        }
        c->kw = k->name;
        if (k->value == KW_VALUE_NONE && o->val) return rule_fail(c, "takes no value");
        if (k->value == KW_VALUE_REQUIRED && (o->val == NULL || o->vlen == 0))
            return rule_fail(c, "needs a value");
        if (!k->fn(c, o->val, o->vlen)) return false;
    }
    return true;
}

/* ---- finalisation ---- */

static bool build_buffers(rule_ctx_t *c)
{
    rule_t *r = c->r;
    arena_t *a = &c->rs->rules;
    uint32_t order[RULE_MAX_BUFS * 2], used[RULE_MAX_BUFS * 2] = {0}, n = 0;
    for (uint32_t i = 0; i < c->n_items; i++)
        used[c->items[i].slot]++;
    for (uint32_t s = 0; s < c->n_slots; s++) /* payload first; skip emptied slots */
        if (c->slots[s].id == RULE_BUF_PAYLOAD && used[s]) order[n++] = s;
    for (uint32_t s = 0; s < c->n_slots; s++)
        if (c->slots[s].id != RULE_BUF_PAYLOAD && used[s]) order[n++] = s;
    rule_buffer_t *bufs = arena_alloc(a, (n + 1) * sizeof(*bufs));
    rule_item_t *items = arena_alloc(a, (c->n_items + 1) * sizeof(*items));
    if (!bufs || !items) return rule_fail_reason(c, "out of memory", "out of memory");
    uint32_t k = 0;
    for (uint32_t b = 0; b < n; b++) {
        bufs[b].id = c->slots[order[b]].id;
        bufs[b].transforms = c->slots[order[b]].xform;
        bufs[b].items = &items[k];
        for (uint32_t i = 0; i < c->n_items; i++)
            if (c->items[i].slot == order[b]) items[k++] = c->items[i].it;
        bufs[b].n_items = (uint16_t)(&items[k] - bufs[b].items);
    }
    r->bufs = bufs;
    r->n_bufs = (uint8_t)n;
    return true;
}

/* Buffers that exist in one direction only must agree with flow. */
static bool check_directions(rule_ctx_t *c)
{
    uint16_t f = c->r->flow;
    uint8_t want = (f & RULE_FLOW_TOSERVER)   ? RULE_DIR_TOSERVER
                   : (f & RULE_FLOW_TOCLIENT) ? RULE_DIR_TOCLIENT
                                              : 0;
    if (want == 0) return true;
    for (uint32_t s = 0; s < c->n_slots; s++) {
        const rule_buf_info_t *bi = rule_buf_info((rule_buf_t)c->slots[s].id);
        if ((bi->dir & want) == 0) {
            c->kw = "flow";
            return rule_fail(c, "%s conflicts with buffer %s (%s only)",
                             want == RULE_DIR_TOSERVER ? "to_server" : "to_client", bi->name,
                             want == RULE_DIR_TOSERVER ? "to_client" : "to_server");
        }
    }
    return true;
}

/* Suricata refuses a bsize that no content of the buffer can fit in. */
static bool check_bsize(rule_ctx_t *c)
{
    for (uint32_t i = 0; i < c->n_items; i++) {
        const rule_item_t *b = &c->items[i].it;
        if (b->type != RULE_ITEM_BSIZE) continue;
        uint64_t max = UINT64_MAX;
        const rule_cmp_t *z = &b->u.bsize;
        if (z->op == RULE_CMP_EQ || z->op == RULE_CMP_LE) max = z->lo;
        if (z->op == RULE_CMP_LT) max = z->lo - 1;
        if (z->op == RULE_CMP_RANGE) max = z->hi - 1;
        for (uint32_t j = 0; j < c->n_items; j++) {
            const rule_item_t *it = &c->items[j].it;
            if (c->items[j].slot != c->items[i].slot || it->type != RULE_ITEM_CONTENT ||
                (it->u.content.flags & RULE_CT_NEGATED) || it->u.content.len <= max)
                continue;
            c->kw = "bsize";
            return rule_fail(c, "content of %u bytes cannot fit", it->u.content.len);
        }
    }
    return true;
}

static bool finish_meta(rule_ctx_t *c)
{
    rule_t *r = c->r;
    arena_t *a = &c->rs->rules;
    if (c->n_meta) {
        r->meta = arena_dup(a, c->meta, c->n_meta * sizeof(rule_meta_t));
        r->n_meta = (uint16_t)c->n_meta;
    }
    if (c->n_fb) {
        r->flowbits = arena_dup(a, c->fb, c->n_fb * sizeof(rule_flowbit_t));
        r->n_flowbits = (uint16_t)c->n_fb;
    }
    if ((c->n_meta && !r->meta) || (c->n_fb && !r->flowbits))
        return rule_fail_reason(c, "out of memory", "out of memory");
    if (c->priority > 0) r->severity = (uint8_t)c->priority;
    if (r->msg == NULL) r->msg = "";
    return true;
}

static bool finish(rule_ctx_t *c)
{
    rule_t *r = c->r;
    if (c->sticky >= 0 && !c->sticky_used) {
        c->kw = c->sticky_kw;
        return rule_fail(c, "sticky buffer without a match after it");
    }
    if (!(c->seen & SEEN_SID)) return rule_fail_reason(c, "missing sid", "sid: missing");
    if (r->flow & RULE_FLOW_ONLY_STREAM) {
        if (r->stream_mode == RULE_STREAM_PKT)
            return rule_fail_reason(c, "invalid 'flow'", "flow: only_stream on a tcp-pkt rule");
        r->stream_mode = RULE_STREAM_ONLY;
    }
    if (r->flow & RULE_FLOW_NO_STREAM) {
        if (r->stream_mode == RULE_STREAM_ONLY)
            return rule_fail_reason(c, "invalid 'flow'", "flow: no_stream on a tcp-stream rule");
        r->stream_mode = RULE_STREAM_PKT;
    }
    return rule_check_contents(c) && check_directions(c) && check_bsize(c) && build_buffers(c) &&
           rule_choose_fast_pattern(c) && finish_meta(c);
}

static void ctx_reset(rule_ctx_t *c, rule_set_t *rs, rule_t *r)
{
    c->rs = rs;
    c->r = r;
    c->kw = "rule";
    c->msg[0] = c->reason[0] = '\0';
    c->n_opts = c->n_items = c->n_slots = c->n_meta = c->n_fb = c->n_pcres = 0;
    c->sticky = -1;
    c->sticky_xform = 0;
    c->sticky_kw = NULL;
    c->sticky_used = false;
    c->last_content = c->last_anchor = -1;
    c->seen = 0;
    c->priority = -1;
    c->unknown_class = false;
}

/* Parse one rule into the rules arena. On failure c->msg/c->reason say why
 * and *sid_out has the sid for the message (0 if unknown). */
rule_t *rule_parse(rule_set_t *rs, const char *text, size_t len, const char *file, uint32_t line,
                   uint32_t *sid_out);

rule_t *rule_parse(rule_set_t *rs, const char *text, size_t len, const char *file, uint32_t line,
                   uint32_t *sid_out)
{
    rule_ctx_t *c = rs->ctx;
    rule_t *r = arena_alloc(&rs->rules, sizeof(*r));
    ctx_reset(c, rs, r);
    *sid_out = 0;
    if (r == NULL) {
        rule_fail_reason(c, "out of memory", "out of memory");
        return NULL;
    }
    r->gid = 1;
    r->severity = 3;
    r->file = file;
    r->line = line;
    const char *end = text + len, *opts = NULL;
    /* Options first, so that a header error can still name the sid. */
    const char *paren = memchr(text, '(', len);
    bool split_ok = paren && split_options(c, paren, end);
    *sid_out = prescan_sid(c); /* the options before a syntax error count */
    if (!parse_header(c, text, end, &opts)) return NULL;
    if (!split_ok && !split_options(c, opts, end)) return NULL;
    if (!run_options(c) || !finish(c)) return NULL;
    return r;
}
