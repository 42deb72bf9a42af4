/* test_rule_parser.c -- every keyword's accepted forms and every error path
 * of the rule parser, the fast pattern choice, and real ET Open rules
 * checked field by field against values read off the rule text by hand.
 *
 * Error lines are "FILE:LINE: sid N: message"; the tests use file "t",
 * line 1, and (unless the test is about the sid) sid 5. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/rule_set.h"

static rule_set_t *rs;

static void quiet(void *ud, const char *line)
{
    (void)ud, (void)line;
}

static int setup(void **state)
{
    (void)state;
    rs = rule_set_new(&(rule_set_opts_t){.pcre_jit = false});
    if (rs == NULL) return -1;
    rule_set_set_diag(rs, quiet, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rule_set_free(rs);
    return 0;
}

/* A whole rule that must load. */
static const rule_t *rule(const char *text)
{
    const rule_t *r = rule_set_add_rule(rs, text, "t", 1);
    if (r == NULL) fail_msg("refused: %s", rule_set_last_error(rs));
    return r;
}

/* Options of a tcp rule that must load (they carry their own sid). */
static const rule_t *opts(const char *o)
{
    char text[4096];
    snprintf(text, sizeof(text), "alert tcp any any -> any any (%s)", o);
    return rule(text);
}

/* A whole rule that must be skipped with exactly this line. */
static void refused(const char *text, const char *line)
{
    if (rule_set_add_rule(rs, text, "t", 1)) fail_msg("accepted: %s", text);
    assert_string_equal(rule_set_last_error(rs), line);
}

/* Options of a tcp rule (sid:5 appended) that must fail with "t:1: sid 5: MSG". */
static void bad(const char *o, const char *msg)
{
    char text[4096], line[1024];
    snprintf(text, sizeof(text), "alert tcp any any -> any any (%s sid:5;)", o);
    snprintf(line, sizeof(line), "t:1: sid 5: %s", msg);
    refused(text, line);
}

static void bad_http(const char *o, const char *msg)
{
    char text[4096], line[1024];
    snprintf(text, sizeof(text), "alert http any any -> any any (%s sid:5;)", o);
    snprintf(line, sizeof(line), "t:1: sid 5: %s", msg);
    refused(text, line);
}

static const rule_item_t *item(const rule_t *r, unsigned b, unsigned i)
{
    assert_true(b < r->n_bufs);
    assert_true(i < r->bufs[b].n_items);
    return &r->bufs[b].items[i];
}

static const rule_content_t *content(const rule_t *r, unsigned b, unsigned i)
{
    const rule_item_t *it = item(r, b, i);
    assert_int_equal(it->type, RULE_ITEM_CONTENT);
    return &it->u.content;
}

static void pat(const rule_content_t *c, const char *want, size_t len)
{
    assert_int_equal(c->len, len);
    assert_memory_equal(c->pat, want, len);
}

/* ---- header ---- */

static void test_header_actions_protocols(void **state)
{
    (void)state;
    static const struct {
        const char *action;
        rule_action_t want;
    } acts[] = {{"alert", RULE_ACTION_ALERT},      {"pass", RULE_ACTION_PASS},
                {"drop", RULE_ACTION_DROP},        {"reject", RULE_ACTION_REJECT},
                {"rejectsrc", RULE_ACTION_REJECT}, {"rejectdst", RULE_ACTION_REJECT},
                {"rejectboth", RULE_ACTION_REJECT}};
    char text[256];
    for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        snprintf(text, sizeof(text), "%s tcp any any -> any any (sid:%zu;)", acts[i].action,
                 10 + i);
        assert_int_equal(rule(text)->action, acts[i].want);
    }
    static const struct {
        const char *proto;
        uint8_t ipproto;
        app_proto_t app;
        uint8_t stream;
    } protos[] = {
        {"ip", RULE_IPPROTO_ALL, APP_UNKNOWN, RULE_STREAM_ANY},
        {"tcp", RULE_IPPROTO_TCP, APP_UNKNOWN, RULE_STREAM_ANY},
        {"udp", RULE_IPPROTO_UDP, APP_UNKNOWN, RULE_STREAM_ANY},
        {"icmp", RULE_IPPROTO_ICMP4 | RULE_IPPROTO_ICMP6, APP_UNKNOWN, RULE_STREAM_ANY},
        {"icmpv4", RULE_IPPROTO_ICMP4, APP_UNKNOWN, RULE_STREAM_ANY},
        {"icmpv6", RULE_IPPROTO_ICMP6, APP_UNKNOWN, RULE_STREAM_ANY},
        {"tcp-pkt", RULE_IPPROTO_TCP, APP_UNKNOWN, RULE_STREAM_PKT},
        {"tcp-stream", RULE_IPPROTO_TCP, APP_UNKNOWN, RULE_STREAM_ONLY},
        {"http", RULE_IPPROTO_TCP, APP_HTTP, RULE_STREAM_ANY},
        {"http2", RULE_IPPROTO_TCP, APP_HTTP2, RULE_STREAM_ANY},
        {"dns", RULE_IPPROTO_TCP | RULE_IPPROTO_UDP, APP_DNS, RULE_STREAM_ANY},
        {"tls", RULE_IPPROTO_TCP, APP_TLS, RULE_STREAM_ANY},
        {"ssh", RULE_IPPROTO_TCP, APP_SSH, RULE_STREAM_ANY},
        {"smtp", RULE_IPPROTO_TCP, APP_SMTP, RULE_STREAM_ANY},
        {"ftp", RULE_IPPROTO_TCP, APP_FTP, RULE_STREAM_ANY},
        {"ftp-data", RULE_IPPROTO_TCP, APP_FTP_DATA, RULE_STREAM_ANY},
        {"smb", RULE_IPPROTO_TCP, APP_SMB, RULE_STREAM_ANY},
        {"dcerpc", RULE_IPPROTO_TCP | RULE_IPPROTO_UDP, APP_DCERPC, RULE_STREAM_ANY},
        {"dhcp", RULE_IPPROTO_UDP, APP_DHCP, RULE_STREAM_ANY},
        {"ntp", RULE_IPPROTO_UDP, APP_NTP, RULE_STREAM_ANY},
        {"snmp", RULE_IPPROTO_UDP, APP_SNMP, RULE_STREAM_ANY},
        {"sip", RULE_IPPROTO_TCP | RULE_IPPROTO_UDP, APP_SIP, RULE_STREAM_ANY},
        {"rdp", RULE_IPPROTO_TCP, APP_RDP, RULE_STREAM_ANY},
        {"rfb", RULE_IPPROTO_TCP, APP_RFB, RULE_STREAM_ANY},
        {"mqtt", RULE_IPPROTO_TCP, APP_MQTT, RULE_STREAM_ANY},
        {"modbus", RULE_IPPROTO_TCP, APP_MODBUS, RULE_STREAM_ANY},
        {"dnp3", RULE_IPPROTO_TCP, APP_DNP3, RULE_STREAM_ANY},
        {"enip", RULE_IPPROTO_TCP | RULE_IPPROTO_UDP, APP_ENIP, RULE_STREAM_ANY},
        {"krb5", RULE_IPPROTO_TCP | RULE_IPPROTO_UDP, APP_KRB5, RULE_STREAM_ANY},
        {"nfs", RULE_IPPROTO_TCP | RULE_IPPROTO_UDP, APP_NFS, RULE_STREAM_ANY},
        {"tftp", RULE_IPPROTO_UDP, APP_TFTP, RULE_STREAM_ANY},
        {"ike", RULE_IPPROTO_UDP, APP_IKE, RULE_STREAM_ANY},
        {"ikev2", RULE_IPPROTO_UDP, APP_IKE, RULE_STREAM_ANY},
    };
    for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
        snprintf(text, sizeof(text), "alert %s any any -> any any (sid:%zu;)", protos[i].proto,
                 100 + i);
        const rule_t *r = rule(text);
        assert_int_equal(r->ipproto, protos[i].ipproto);
        assert_int_equal(r->app, protos[i].app);
        assert_int_equal(r->stream_mode, protos[i].stream);
        assert_false(r->bidirectional);
    }
    assert_true(rule("alert tcp any any <> any any (sid:200;)")->bidirectional);
    /* no space before the options */
    assert_int_equal(rule("alert tcp any any -> any 80(sid:201;)")->dport->r[0].lo, 80);
}

static void test_header_errors(void **state)
{
    (void)state;
    refused("alrt tcp any any -> any any (sid:5;)", "t:1: sid 5: header: unknown action 'alrt'");
    refused("alert foo any any -> any any (sid:5;)", "t:1: sid 5: protocol 'foo' unsupported");
    refused("alert tcp any any <- any any (sid:5;)", "t:1: sid 5: header: invalid direction '<-'");
    refused("alert tcp any any -> any (sid:5;)", "t:1: sid 5: header: missing destination port");
    refused("alert tcp", "t:1: sid ?: header: missing source address");
    refused("alert tcp any any -> any any sid:5;",
            "t:1: sid ?: header: expected '(' after the ports");
    refused("alert tcp any any -> any any x (sid:5;)",
            "t:1: sid 5: header: expected '(' after the ports");
    refused("alert tcp any any -> any any (sid:5;", "t:1: sid ?: options: missing ')' at the end "
                                                    "of the rule");
    refused("alert tcp any any -> any any (msg:\"x\" sid:5;)",
            "t:1: sid ?: msg: unterminated string");
}

/* ---- option syntax ---- */

static void test_option_syntax(void **state)
{
    (void)state;
    refused("alert tcp any any -> any any (msg:\"a\"; sid:5)",
            "t:1: sid ?: sid: missing ';' after the value");
    refused("alert tcp any any -> any any (sid:5; nocase)",
            "t:1: sid 5: nocase: expected ':' or ';'");
    refused("alert tcp any any -> any any (sid:5; (x;)", "t:1: sid 5: options: unexpected '('");
    refused("alert tcp any any -> any any (msg:\"no sid\";)", "t:1: sid ?: sid: missing");
    /* spaces around names and values, empty option list tail */
    const rule_t *r = rule("alert tcp any any -> any any ( msg : \"spaced\" ; sid : 6 ;  )");
    assert_string_equal(r->msg, "spaced");
    assert_int_equal(r->sid, 6);
    /* keyword names ignore case, as in Suricata */
    r = opts("Content:\"x\"; NOCASE; HTTP.URI; content:\"y\"; Sid:7;");
    assert_int_equal(r->sid, 7);
    assert_int_equal(r->bufs[1].id, RULE_BUF_HTTP_URI);
    assert_int_equal(content(r, 0, 0)->flags, RULE_CT_NOCASE);
    bad("xbits:set,a,track ip_src;", "unsupported keyword 'xbits'");
    bad("tag:session,10,packets;", "unsupported keyword 'tag'");
    bad("tls.store;", "unsupported keyword 'tls.store'");
    bad("nocase:1;", "nocase: takes no value");
    bad("depth;", "depth: needs a value");
    bad("depth:;", "depth: needs a value");
    /* control bytes from the rule never reach the one-line message */
    bad("flow:est\tab\x01;", "flow: unknown option 'est?ab?'");
}

/* ---- identity and output ---- */

static void test_meta_keywords(void **state)
{
    (void)state;
    const rule_t *r = opts("msg:\"a\\\"b\\;c\\\\d\\:e\"; sid:7; rev:3; gid:2; "
                           "reference:url,example.com/x; target:dest_ip;");
    assert_string_equal(r->msg, "a\"b;c\\d:e");
    assert_int_equal(r->sid, 7);
    assert_int_equal(r->rev, 3);
    assert_int_equal(r->gid, 2);
    assert_int_equal(r->target, RULE_TARGET_DST);
    assert_int_equal(r->severity, 3); /* no classtype */
    assert_null(r->classtype);
    assert_null(r->category);
    assert_string_equal(r->file, "t");
    assert_int_equal(r->line, 1);
    assert_false(r->noalert);
    r = opts("sid:8;");
    assert_string_equal(r->msg, "");
    assert_int_equal(r->gid, 1);
    assert_int_equal(r->rev, 0);
    assert_int_equal(r->target, RULE_TARGET_NONE);
    assert_int_equal(opts("sid:9; target:src_ip; noalert;")->target, RULE_TARGET_SRC);
    assert_true(opts("sid:10; noalert;")->noalert);
    assert_int_equal(opts("sid:4294967295;")->sid, 4294967295u);

    refused("alert tcp any any -> any any (msg:\"abc;)", "t:1: sid ?: msg: unterminated string");
    bad("msg:\"abc;", "msg: unterminated string");
    bad("msg:\"abc\\\";", "msg: unterminated string");
    bad("msg:\"a\"; msg:\"b\";", "msg: given twice");
    refused("alert tcp any any -> any any (sid:0;)", "t:1: sid ?: sid: invalid value '0'");
    refused("alert tcp any any -> any any (sid:abc;)", "t:1: sid ?: sid: invalid value 'abc'");
    refused("alert tcp any any -> any any (sid:4294967296;)",
            "t:1: sid ?: sid: invalid value '4294967296'");
    refused("alert tcp any any -> any any (sid:6; sid:5;)", "t:1: sid 6: sid: given twice");
    bad("rev:1; rev:2;", "rev: given twice");
    bad("rev:-1;", "rev: invalid value '-1'");
    bad("gid:x;", "gid: invalid value 'x'");
    bad("reference:url;", "reference: expected 'type,value'");
    bad("reference:,x;", "reference: expected 'type,value'");
    bad("target:both;", "target: expected src_ip or dest_ip");
    bad("target:src_ip; target:src_ip;", "target: given twice");
    bad("priority:0;", "priority: must be 1..255, got '0'");
    bad("priority:256;", "priority: must be 1..255, got '256'");
}

static void test_classtype_priority(void **state)
{
    (void)state;
    const rule_t *r = opts("classtype:trojan-activity; sid:1;");
    assert_string_equal(r->classtype, "trojan-activity");
    assert_string_equal(r->category, "A Network Trojan was detected");
    assert_int_equal(r->severity, 1);
    /* priority wins over the classtype's, before or after it */
    assert_int_equal(opts("priority:3; classtype:trojan-activity; sid:2;")->severity, 3);
    assert_int_equal(opts("classtype:trojan-activity; priority:4; sid:3;")->severity, 4);
    assert_int_equal(opts("priority:2; sid:4;")->severity, 2);
    /* two classtypes: the higher priority (lower number) one stays */
    r = opts("classtype:misc-activity; classtype:attempted-admin; sid:5;");
    assert_string_equal(r->classtype, "attempted-admin");
    assert_int_equal(r->severity, 1);
    r = opts("classtype:attempted-admin; classtype:misc-activity; sid:6;");
    assert_string_equal(r->classtype, "attempted-admin");
    /* unknown: loads with the default severity and no category */
    uint32_t before = rule_set_stats(rs)->unknown_class;
    r = opts("classtype:no-such-class; sid:7;");
    assert_string_equal(r->classtype, "no-such-class");
    assert_null(r->category);
    assert_int_equal(r->severity, 3);
    assert_int_equal(rule_set_stats(rs)->unknown_class, before + 1);
    bad("classtype:a b;", "classtype: invalid name 'a b'");
    /* stock table: tcp-connection has priority 4 */
    assert_int_equal(opts("classtype:tcp-connection; sid:8;")->severity, 4);
}

static void test_metadata(void **state)
{
    (void)state;
    const rule_t *r = opts("metadata:created_at 2010_07_30, former_category INFO, lonely, "
                           "deployment Perimeter; metadata: tag  Two Words ; sid:1;");
    assert_int_equal(r->n_meta, 4);
    assert_string_equal(r->meta[0].key, "created_at");
    assert_string_equal(r->meta[0].value, "2010_07_30");
    assert_string_equal(r->meta[1].key, "former_category");
    assert_string_equal(r->meta[1].value, "INFO");
    assert_string_equal(r->meta[2].key, "deployment");
    assert_string_equal(r->meta[2].value, "Perimeter");
    assert_string_equal(r->meta[3].key, "tag");
    assert_string_equal(r->meta[3].value, "Two Words");
    /* interned: the same text shares storage across rules */
    const rule_t *r2 = opts("metadata:former_category INFO; sid:2;");
    assert_ptr_equal(r2->meta[0].value, r->meta[1].value);
}

/* ---- content and modifiers ---- */

static void test_content_forms(void **state)
{
    (void)state;
    const rule_t *r = opts("content:\"ab|0d 0A|c\"; content:\"|41 42|\"; "
                           "content:\"a\\;b\\\"c\\\\d\\:e\"; content:!\"neg\"; "
                           "content: ! \"spaced\"; content:\"|414243|\"; content:\"|41, 42|\"; "
                           "sid:1;");
    assert_int_equal(r->n_bufs, 1);
    assert_int_equal(r->bufs[0].id, RULE_BUF_PAYLOAD);
    assert_int_equal(r->bufs[0].n_items, 7);
    pat(content(r, 0, 0), "ab\r\nc", 5);
    pat(content(r, 0, 1), "AB", 2);
    pat(content(r, 0, 2), "a;b\"c\\d:e", 9);
    pat(content(r, 0, 3), "neg", 3);
    assert_int_equal(content(r, 0, 3)->flags, RULE_CT_NEGATED);
    pat(content(r, 0, 4), "spaced", 6);
    assert_int_equal(content(r, 0, 4)->flags, RULE_CT_NEGATED);
    pat(content(r, 0, 5), "ABC", 3);
    pat(content(r, 0, 6), "AB", 2);
    assert_int_equal(content(r, 0, 0)->flags, 0);
    r = opts("content:\"|00|\"; sid:2;");
    pat(content(r, 0, 0), "\0", 1);

    bad("content:\"abc;", "content: unterminated string");
    bad("content:abc;", "content: expected a quoted string");
    bad("content:\"\";", "content: empty pattern");
    bad("content:\"||\";", "content: empty pattern");
    bad("content:\"a\\x\";", "content: invalid escape '\\x'");
    bad("content:\"|4|\";", "content: odd number of hex digits");
    bad("content:\"|4g|\";", "content: invalid hex digit 'g'");
    bad("content:\"|41\";", "content: unterminated hex block (missing '|')");
    bad("content:\"a\"b\";", "content: unescaped '\"' inside the string");
    bad("content:\"a\\\";", "content: unterminated string");
}

static void test_content_modifiers(void **state)
{
    (void)state;
    const rule_t *r = opts("content:\"abcd\"; nocase; offset:2; depth:10; "
                           "content:\"ef\"; distance:-3; within:8; "
                           "content:\"gh\"; startswith; content:\"ij\"; endswith; rawbytes; "
                           "content:\"kl\"; distance:0; sid:1;");
    const rule_content_t *c = content(r, 0, 0);
    assert_int_equal(c->flags, RULE_CT_NOCASE | RULE_CT_OFFSET | RULE_CT_DEPTH);
    assert_int_equal(c->offset, 2);
    assert_int_equal(c->depth, 10);
    c = content(r, 0, 1);
    assert_int_equal(c->flags, RULE_CT_DISTANCE | RULE_CT_WITHIN | RULE_CT_RELATIVE);
    assert_int_equal(c->distance, -3);
    assert_int_equal(c->within, 8);
    c = content(r, 0, 2);
    assert_int_equal(c->flags, RULE_CT_STARTSWITH | RULE_CT_DEPTH | RULE_CT_OFFSET);
    assert_int_equal(c->offset, 0);
    assert_int_equal(c->depth, 2);
    assert_int_equal(content(r, 0, 3)->flags, RULE_CT_ENDSWITH | RULE_CT_RAWBYTES);
    c = content(r, 0, 4);
    assert_int_equal(c->flags, RULE_CT_DISTANCE | RULE_CT_RELATIVE);
    assert_int_equal(c->distance, 0);
    /* a relative first content is relative to the buffer start (Suricata) */
    assert_int_equal(opts("content:\"a\"; within:4; sid:2;")->bufs[0].items[0].u.content.within, 4);

    bad("nocase;", "nocase: no preceding content");
    bad("content:\"a\"; nocase; nocase;", "nocase: given twice for the same content");
    bad("content:\"abcd\"; depth:3;", "depth: 3 is smaller than the content length 4");
    bad("content:\"a\"; depth:0;", "depth: invalid value '0' (1..65535)");
    bad("content:\"a\"; depth:x;", "depth: invalid value 'x' (1..65535)");
    bad("content:\"a\"; depth:2; depth:3;", "depth: given twice for the same content");
    bad("content:\"a\"; offset:-1;", "offset: invalid value '-1' (0..65535)");
    bad("content:\"a\"; offset:65536;", "offset: invalid value '65536' (0..65535)");
    bad("content:\"a\"; distance:0; depth:4;",
        "depth: cannot be used with distance or within on the same content");
    bad("content:\"a\"; offset:1; distance:0;",
        "distance: cannot be used with depth or offset on the same content");
    bad("content:\"a\"; depth:4; within:4;",
        "within: cannot be used with depth or offset on the same content");
    bad("content:\"abc\"; within:2;", "within: 2 is smaller than the content length 3");
    bad("content:\"a\"; within:-1;", "within: invalid value '-1' (1..65535)");
    bad("content:\"a\"; distance:70000;", "distance: invalid value '70000' (-65535..65535)");
    bad("content:\"a\"; startswith; depth:3;", "depth: cannot be used with startswith");
    bad("content:\"a\"; startswith; distance:0;", "distance: cannot be used with startswith");
    bad("content:\"a\"; offset:0; startswith;",
        "startswith: cannot be used with depth, offset, distance or within");
    bad("content:\"a\"; endswith; endswith;", "endswith: given twice for the same content");
    bad("http.uri; content:\"a\"; rawbytes;", "rawbytes: only applies to payload content");
}

static void test_fast_pattern_keyword(void **state)
{
    (void)state;
    const rule_t *r = opts("content:\"longest-one\"; content:\"short\"; fast_pattern; sid:1;");
    assert_true(r->fp.present);
    assert_int_equal(r->fp.item, 1);
    assert_int_equal(content(r, 0, 1)->flags, RULE_CT_FAST);
    assert_int_equal(r->fp.len, 5);
    assert_memory_equal(r->fp.pat, "short", 5);
    r = opts("content:\"abc\"; fast_pattern:only; sid:2;");
    assert_true(r->fp.only);
    assert_int_equal(content(r, 0, 0)->flags, RULE_CT_FAST | RULE_CT_FAST_ONLY);
    r = opts("content:\"abcdef\"; nocase; fast_pattern:1,3; sid:3;");
    assert_int_equal(r->fp.len, 3);
    assert_memory_equal(r->fp.pat, "bcd", 3);
    assert_true(r->fp.nocase);
    const rule_content_t *c = content(r, 0, 0);
    assert_int_equal(c->fp_off, 1);
    assert_int_equal(c->fp_len, 3);
    assert_int_equal(c->flags, RULE_CT_NOCASE | RULE_CT_FAST | RULE_CT_FAST_CHOP);
    /* explicit on a negated content: no gating */
    r = opts("content:!\"xy\"; fast_pattern; content:\"zzzz\"; sid:4;");
    assert_true(r->fp.negated);
    assert_int_equal(r->fp.item, 0);

    bad("fast_pattern;", "fast_pattern: no preceding content");
    bad("content:\"a\"; fast_pattern; content:\"b\"; fast_pattern;",
        "fast_pattern: only one content per rule can be the fast pattern");
    bad("content:\"abc\"; fast_pattern:2,2;", "fast_pattern: 2,2 goes past the content's 3 bytes");
    bad("content:\"abc\"; fast_pattern:x;", "fast_pattern: expected 'only' or 'offset,length'");
    bad("content:\"abc\"; fast_pattern:0,0;", "fast_pattern: invalid value '0' (1..65535)");
    bad("content:!\"abc\"; fast_pattern:only;",
        "fast_pattern: only cannot be used on a negated content");
    bad("content:\"abc\"; fast_pattern:only; depth:5;",
        "fast_pattern: only cannot be used with depth, offset, distance or within");
    bad("content:\"a\"; content:!\"abc\"; distance:0; fast_pattern;",
        "fast_pattern: not allowed on a negated relative content");
}

static void test_fast_pattern_choice(void **state)
{
    (void)state;
    /* longest wins */
    const rule_t *r = opts("content:\"abc\"; content:\"abcdef\"; content:\"abcd\"; sid:1;");
    assert_int_equal(r->fp.item, 1);
    /* non-negated before negated, even when shorter */
    r = opts("content:!\"abcdefgh\"; content:\"ab\"; sid:2;");
    assert_int_equal(r->fp.item, 1);
    assert_false(r->fp.negated);
    /* only negated: the longest negated one, flagged */
    r = opts("content:!\"ab\"; content:!\"abc\"; sid:3;");
    assert_int_equal(r->fp.item, 1);
    assert_true(r->fp.negated);
    /* an app-layer buffer before a longer payload content */
    r = rule("alert http any any -> any any (content:\"a-long-payload\"; http.uri; "
             "content:\"/x\"; sid:4;)");
    assert_int_equal(r->bufs[r->fp.buf].id, RULE_BUF_HTTP_URI);
    assert_int_equal(r->fp.len, 2);
    /* same length: the stronger pattern (4 distinct bytes beat "aaaa") */
    r = opts("content:\"aaaa\"; content:\"ab|00|c\"; sid:5;");
    assert_int_equal(r->fp.item, 1);
    /* same length and strength: the first */
    r = opts("content:\"abcd\"; content:\"efgh\"; sid:6;");
    assert_int_equal(r->fp.item, 0);
    /* no content */
    assert_false(opts("sid:7;")->fp.present);
    assert_false(opts("pcre:\"/x/\"; sid:8;")->fp.present);
}

/* ---- buffers ---- */

static void test_sticky_buffers(void **state)
{
    (void)state;
    static const struct {
        const char *kw;
        rule_buf_t id;
        app_proto_t app;
    } list[] = {
        {"http.uri", RULE_BUF_HTTP_URI, APP_HTTP},
        {"http.uri.raw", RULE_BUF_HTTP_URI_RAW, APP_HTTP},
        {"http.method", RULE_BUF_HTTP_METHOD, APP_HTTP},
        {"http.host", RULE_BUF_HTTP_HOST, APP_HTTP},
        {"http.host.raw", RULE_BUF_HTTP_HOST_RAW, APP_HTTP},
        {"http.user_agent", RULE_BUF_HTTP_USER_AGENT, APP_HTTP},
        {"http.header", RULE_BUF_HTTP_HEADER, APP_HTTP},
        {"http.header.raw", RULE_BUF_HTTP_HEADER_RAW, APP_HTTP},
        {"http.header_names", RULE_BUF_HTTP_HEADER_NAMES, APP_HTTP},
        {"http.cookie", RULE_BUF_HTTP_COOKIE, APP_HTTP},
        {"http.request_body", RULE_BUF_HTTP_REQUEST_BODY, APP_HTTP},
        {"http.stat_code", RULE_BUF_HTTP_STAT_CODE, APP_HTTP},
        {"http.stat_msg", RULE_BUF_HTTP_STAT_MSG, APP_HTTP},
        {"http.response_body", RULE_BUF_HTTP_RESPONSE_BODY, APP_HTTP},
        {"file.data", RULE_BUF_FILE_DATA, APP_UNKNOWN},
        {"file_data", RULE_BUF_FILE_DATA, APP_UNKNOWN},
        {"http.content_type", RULE_BUF_HTTP_CONTENT_TYPE, APP_HTTP},
        {"http_content_type", RULE_BUF_HTTP_CONTENT_TYPE, APP_HTTP},
        {"http.content_len", RULE_BUF_HTTP_CONTENT_LEN, APP_HTTP},
        {"http.request_line", RULE_BUF_HTTP_REQUEST_LINE, APP_HTTP},
        {"http.response_line", RULE_BUF_HTTP_RESPONSE_LINE, APP_HTTP},
        {"http.start", RULE_BUF_HTTP_START, APP_HTTP},
        {"http.protocol", RULE_BUF_HTTP_PROTOCOL, APP_HTTP},
        {"http.referer", RULE_BUF_HTTP_REFERER, APP_HTTP},
        {"http.location", RULE_BUF_HTTP_LOCATION, APP_HTTP},
        {"http.server", RULE_BUF_HTTP_SERVER, APP_HTTP},
        {"http.accept", RULE_BUF_HTTP_ACCEPT, APP_HTTP},
        {"http.accept_enc", RULE_BUF_HTTP_ACCEPT_ENC, APP_HTTP},
        {"http.accept_lang", RULE_BUF_HTTP_ACCEPT_LANG, APP_HTTP},
        {"http.connection", RULE_BUF_HTTP_CONNECTION, APP_HTTP},
        {"dns.query", RULE_BUF_DNS_QUERY, APP_DNS},
        {"dns_query", RULE_BUF_DNS_QUERY, APP_DNS},
        {"tls.sni", RULE_BUF_TLS_SNI, APP_TLS},
        {"tls_sni", RULE_BUF_TLS_SNI, APP_TLS},
        {"ja3.hash", RULE_BUF_JA3_HASH, APP_TLS},
        {"ja3_hash", RULE_BUF_JA3_HASH, APP_TLS},
        {"ja3.string", RULE_BUF_JA3_STRING, APP_TLS},
        {"ja3s.hash", RULE_BUF_JA3S_HASH, APP_TLS},
    };
    char o[256];
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        snprintf(o, sizeof(o), "%s; content:\"x\"; sid:%zu;", list[i].kw, 1 + i);
        const rule_t *r = opts(o);
        assert_int_equal(r->n_bufs, 1);
        assert_int_equal(r->bufs[0].id, list[i].id);
        assert_int_equal(r->bufs[0].transforms, 0);
        assert_int_equal(r->app, list[i].app);
        assert_int_equal(r->ipproto, RULE_IPPROTO_TCP);
        if (strchr(list[i].kw, '.')) /* dotted names are the canonical ones */
            assert_string_equal(rule_buf_info(list[i].id)->name, list[i].kw);
    }
    /* dns.query on an ip rule: TCP and UDP */
    const rule_t *r = rule("alert ip any any -> any any (dns.query; content:\"x\"; sid:100;)");
    assert_int_equal(r->ipproto, RULE_IPPROTO_TCP | RULE_IPPROTO_UDP);
    assert_int_equal(r->app, APP_DNS);
    /* buffers in order of first use, items appended to a buffer seen before,
     * payload first; pkt_data goes back to the payload */
    r = rule("alert http any any -> any any (http.uri; content:\"a\"; http.header; content:\"b\"; "
             "http.uri; content:\"c\"; pkt_data; content:\"d\"; sid:101;)");
    assert_int_equal(r->n_bufs, 3);
    assert_int_equal(r->bufs[0].id, RULE_BUF_PAYLOAD);
    assert_int_equal(r->bufs[1].id, RULE_BUF_HTTP_URI);
    assert_int_equal(r->bufs[1].n_items, 2);
    pat(content(r, 1, 1), "c", 1);
    assert_int_equal(r->bufs[2].id, RULE_BUF_HTTP_HEADER);
    /* http buffers are fine in http2 rules */
    assert_int_equal(
        rule("alert http2 any any -> any any (http.uri; content:\"a\"; sid:102;)")->app, APP_HTTP2);
    /* file.data on a tcp rule stays without app protocol */
    assert_int_equal(rule("alert tcp any any -> any any (file_data; content:\"a\"; sid:103;)")->app,
                     APP_UNKNOWN);

    refused("alert dns any any -> any any (http.uri; content:\"a\"; sid:5;)",
            "t:1: sid 5: http.uri: needs app protocol http, the rule is for dns");
    refused("alert udp any any -> any any (http.uri; content:\"a\"; sid:5;)",
            "t:1: sid 5: http.uri: app protocol http needs TCP");
    refused("alert smtp any any -> any any (file.data; content:\"a\"; sid:5;)",
            "t:1: sid 5: file.data: file data of smtp is not inspected");
    bad("http.uri; http.method; content:\"a\";",
        "http.uri: sticky buffer without a match after it");
    bad("content:\"a\"; http.uri;", "http.uri: sticky buffer without a match after it");
    bad("http.uri; pkt_data; content:\"a\";", "http.uri: sticky buffer without a match after it");
    bad("http.host; content:\"Example\";",
        "http.host: pattern has upper-case letters but the buffer is lower-case");
    assert_non_null(opts("http.host; content:\"Example\"; nocase; sid:104;"));
    assert_non_null(opts("http.host.raw; content:\"Example\"; sid:105;"));
}

static void test_legacy_modifiers(void **state)
{
    (void)state;
    static const struct {
        const char *kw;
        rule_buf_t id;
    } list[] = {
        {"http_uri", RULE_BUF_HTTP_URI},
        {"http_raw_uri", RULE_BUF_HTTP_URI_RAW},
        {"http_method", RULE_BUF_HTTP_METHOD},
        {"http_header", RULE_BUF_HTTP_HEADER},
        {"http_raw_header", RULE_BUF_HTTP_HEADER_RAW},
        {"http_cookie", RULE_BUF_HTTP_COOKIE},
        {"http_user_agent", RULE_BUF_HTTP_USER_AGENT},
        {"http_host", RULE_BUF_HTTP_HOST},
        {"http_raw_host", RULE_BUF_HTTP_HOST_RAW},
        {"http_client_body", RULE_BUF_HTTP_REQUEST_BODY},
        {"http_server_body", RULE_BUF_HTTP_RESPONSE_BODY},
        {"http_stat_code", RULE_BUF_HTTP_STAT_CODE},
        {"http_stat_msg", RULE_BUF_HTTP_STAT_MSG},
    };
    char o[256];
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        snprintf(o, sizeof(o), "content:\"p\"; content:\"x\"; %s; sid:%zu;", list[i].kw, 1 + i);
        const rule_t *r = opts(o);
        assert_int_equal(r->n_bufs, 2);
        assert_int_equal(r->bufs[0].id, RULE_BUF_PAYLOAD);
        pat(content(r, 0, 0), "p", 1);
        assert_int_equal(r->bufs[1].id, list[i].id);
        pat(content(r, 1, 0), "x", 1);
        assert_int_equal(r->app, APP_HTTP);
    }
    /* modifiers after the buffer modifier still apply; a relative pcre
     * follows its content into the buffer; a fully moved payload vanishes */
    const rule_t *r = opts("content:\"/a\"; http_uri; nocase; content:\"b\"; http_uri; "
                           "distance:0; pcre:\"/c/R\"; sid:50;");
    assert_int_equal(r->n_bufs, 1);
    assert_int_equal(r->bufs[0].id, RULE_BUF_HTTP_URI);
    assert_int_equal(r->bufs[0].n_items, 3);
    assert_int_equal(content(r, 0, 0)->flags, RULE_CT_NOCASE);
    assert_int_equal(content(r, 0, 1)->flags, RULE_CT_DISTANCE | RULE_CT_RELATIVE);
    assert_int_equal(item(r, 0, 2)->type, RULE_ITEM_PCRE);

    bad("http_uri;", "http_uri: no preceding content");
    bad("content:\"a\"; pcre:\"/b/\"; http_uri;", "http_uri: no preceding content");
    bad("http.uri; content:\"a\"; http_uri;", "http_uri: cannot be used after sticky buffer "
                                              "http.uri");
    bad("content:\"a\"; http_uri; http_header;", "http_header: no preceding content");
    bad("content:\"a\"; rawbytes; http_uri;", "http_uri: cannot be used with rawbytes");
    refused("alert dns any any -> any any (content:\"a\"; http_uri; sid:5;)",
            "t:1: sid 5: http_uri: needs app protocol http, the rule is for dns");
}

static void test_dotprefix(void **state)
{
    (void)state;
    const rule_t *r = rule("alert dns any any -> any any (dns.query; dotprefix; "
                           "content:\".evil.com\"; endswith; sid:1;)");
    assert_int_equal(r->bufs[0].id, RULE_BUF_DNS_QUERY);
    assert_int_equal(r->bufs[0].transforms, RULE_XFORM_DOTPREFIX);
    /* after items: a second, transformed instance of the buffer */
    r = rule("alert dns any any -> any any (dns.query; content:\"rs-\"; startswith; dotprefix; "
             "content:\".x.com\"; endswith; sid:2;)");
    assert_int_equal(r->n_bufs, 2);
    assert_int_equal(r->bufs[0].transforms, 0);
    assert_int_equal(r->bufs[1].id, RULE_BUF_DNS_QUERY);
    assert_int_equal(r->bufs[1].transforms, RULE_XFORM_DOTPREFIX);
    pat(content(r, 1, 0), ".x.com", 6);
    bad("dotprefix; content:\"a\";", "dotprefix: needs a sticky buffer before it");
    bad("dns.query; dotprefix; dotprefix; content:\"a\";", "dotprefix: given twice");
    bad("dns.query; content:\"a\"; dotprefix;",
        "dns.query: sticky buffer without a match after it");
}

/* ---- pcre ---- */

static uint32_t pcre_options(const rule_item_t *it)
{
    uint32_t o = 0;
    assert_int_equal(it->type, RULE_ITEM_PCRE);
    assert_int_equal(pcre2_pattern_info((pcre2_code *)it->u.pcre.code, PCRE2_INFO_ARGOPTIONS, &o),
                     0);
    return o;
}

static void test_pcre(void **state)
{
    (void)state;
    const rule_t *r = opts("content:\"x\"; pcre:\"/a\\;b\\\"c/ismxAEG\"; pcre:!\"/d/R\"; "
                           "pcre:\"/e/BO\"; sid:1;");
    assert_int_equal(pcre_options(item(r, 0, 1)), PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_MULTILINE |
                                                      PCRE2_EXTENDED | PCRE2_ANCHORED |
                                                      PCRE2_DOLLAR_ENDONLY | PCRE2_UNGREEDY);
    assert_int_equal(item(r, 0, 1)->u.pcre.flags, 0);
    assert_string_equal(item(r, 0, 1)->u.pcre.text, "\"/a\\;b\\\"c/ismxAEG\"");
    assert_int_equal(pcre_options(item(r, 0, 2)), 0);
    assert_int_equal(item(r, 0, 2)->u.pcre.flags, RULE_PCRE_NEGATED | RULE_PCRE_RELATIVE);
    assert_int_equal(item(r, 0, 3)->u.pcre.flags, RULE_PCRE_RAWBYTES | RULE_PCRE_MATCHLIMIT);
    /* the compiled code really matches what the text says */
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    const rule_pcre_t *p = &item(r, 0, 1)->u.pcre;
    int rc = pcre2_match((pcre2_code *)p->code, (PCRE2_SPTR) "A;B\"C", 5, 0, 0, md, NULL);
    assert_int_equal(rc, 1);
    pcre2_match_data_free(md);

    static const struct {
        char flag;
        rule_buf_t id;
    } flags[] = {
        {'U', RULE_BUF_HTTP_URI},          {'I', RULE_BUF_HTTP_URI_RAW},
        {'P', RULE_BUF_HTTP_REQUEST_BODY}, {'Q', RULE_BUF_HTTP_RESPONSE_BODY},
        {'H', RULE_BUF_HTTP_HEADER},       {'D', RULE_BUF_HTTP_HEADER_RAW},
        {'M', RULE_BUF_HTTP_METHOD},       {'C', RULE_BUF_HTTP_COOKIE},
        {'S', RULE_BUF_HTTP_STAT_CODE},    {'Y', RULE_BUF_HTTP_STAT_MSG},
        {'V', RULE_BUF_HTTP_USER_AGENT},   {'W', RULE_BUF_HTTP_HOST},
        {'Z', RULE_BUF_HTTP_HOST_RAW},
    };
    char o[128];
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        snprintf(o, sizeof(o), "pcre:\"/a/%ci\"; sid:%zu;", flags[i].flag, 10 + i);
        r = opts(o);
        assert_int_equal(r->n_bufs, 1);
        assert_int_equal(r->bufs[0].id, flags[i].id);
        assert_int_equal(r->app, APP_HTTP);
        assert_int_equal(pcre_options(item(r, 0, 0)), PCRE2_CASELESS);
    }
    /* a flag naming the sticky buffer is redundant; Q fits file.data */
    r = rule("alert http any any -> any any (http.uri; content:\"a\"; pcre:\"/b/UR\"; sid:30;)");
    assert_int_equal(r->bufs[0].n_items, 2);
    r = rule("alert http any any -> any any (file.data; content:\"a\"; pcre:\"/b/QR\"; sid:31;)");
    assert_int_equal(r->bufs[0].id, RULE_BUF_FILE_DATA);
    /* relative pcre in a sticky buffer needs nothing before it */
    assert_non_null(opts("http.uri; pcre:\"/x/R\"; sid:32;"));

    bad("pcre:/a/;", "pcre: expected a quoted string");
    bad("pcre:\"/a/;", "pcre: unterminated string");
    bad("pcre:\"a\";", "pcre: expected \"/regex/flags\"");
    bad("pcre:\"/a\";", "pcre: missing closing '/'");
    bad("pcre:\"/a/q\";", "pcre: unknown flag 'q'");
    bad("pcre:\"/a/UH\";", "pcre: more than one buffer flag");
    bad("pcre:\"/(/\";", "pcre: compile error at offset 1: missing closing parenthesis");
    bad("pcre:\"/a/R\";", "pcre: relative (R) needs a preceding content or pcre");
    bad("http.uri; content:\"a\"; pcre:\"/b/H\";",
        "pcre: flag 'H' cannot be used inside sticky buffer http.uri");
    refused("alert dns any any -> any any (pcre:\"/a/U\"; sid:5;)",
            "t:1: sid 5: pcre: needs app protocol http, the rule is for dns");
}

/* ---- byte_test, byte_jump, isdataat, bsize, urilen ---- */

static void test_byte_test(void **state)
{
    (void)state;
    const rule_t *r = opts("content:\"x\"; byte_test:1,!&,128,6,relative; "
                           "byte_test:4,>,1024,0,little; byte_test:2,<,0x21,0,relative,string,hex; "
                           "byte_test:0,>=,82642,0,string,dec; byte_test:2,=,7,-16,relative,big,"
                           "bitmask 0x3ff0; byte_test:1,!,5,0; byte_test:3,<=,1,0,string; "
                           "byte_test:1,^,1,0,string,oct; sid:1;");
    const rule_byte_test_t *t = &item(r, 0, 1)->u.byte_test;
    assert_int_equal(t->nbytes, 1);
    assert_int_equal(t->op, RULE_BT_AND);
    assert_int_equal(t->flags, RULE_BYTE_NEGATE | RULE_BYTE_RELATIVE);
    assert_int_equal(t->value, 128);
    assert_int_equal(t->offset, 6);
    t = &item(r, 0, 2)->u.byte_test;
    assert_int_equal(t->nbytes, 4);
    assert_int_equal(t->op, RULE_BT_GT);
    assert_int_equal(t->flags, RULE_BYTE_LITTLE);
    assert_int_equal(t->value, 1024);
    t = &item(r, 0, 3)->u.byte_test;
    assert_int_equal(t->op, RULE_BT_LT);
    assert_int_equal(t->value, 0x21);
    assert_int_equal(t->flags, RULE_BYTE_RELATIVE | RULE_BYTE_STRING);
    assert_int_equal(t->base, 16);
    t = &item(r, 0, 4)->u.byte_test;
    assert_int_equal(t->nbytes, 0); /* the rest of the buffer */
    assert_int_equal(t->op, RULE_BT_GE);
    assert_int_equal(t->base, 10);
    t = &item(r, 0, 5)->u.byte_test;
    assert_int_equal(t->op, RULE_BT_EQ);
    assert_int_equal(t->offset, -16);
    assert_int_equal(t->bitmask, 0x3ff0);
    assert_int_equal(t->flags, RULE_BYTE_RELATIVE);
    t = &item(r, 0, 6)->u.byte_test;
    assert_int_equal(t->op, RULE_BT_EQ);
    assert_int_equal(t->flags, RULE_BYTE_NEGATE);
    t = &item(r, 0, 7)->u.byte_test;
    assert_int_equal(t->op, RULE_BT_LE);
    assert_int_equal(t->base, 10); /* string defaults to decimal */
    t = &item(r, 0, 8)->u.byte_test;
    assert_int_equal(t->op, RULE_BT_XOR);
    assert_int_equal(t->base, 8);

    bad("byte_test:9,=,1,0;", "byte_test: number of bytes must be 1..8");
    bad("byte_test:0,=,1,0;", "byte_test: number of bytes must be 1..8");
    bad("byte_test:21,=,1,0,string;", "byte_test: at most 20 bytes with 'string'");
    bad("byte_test:x,=,1,0;", "byte_test: invalid number of bytes");
    bad("byte_test:1,=>,1,0;", "byte_test: invalid operator '=>'");
    bad("byte_test:1,=,z,0;", "byte_test: invalid value");
    bad("byte_test:1,=,1;", "byte_test: invalid offset");
    bad("byte_test:1,=,1,0,hex;", "byte_test: hex, dec and oct need 'string'");
    bad("byte_test:1,=,1,0,big,little;", "byte_test: both big and little");
    bad("byte_test:1,=,1,0,relative,relative;", "byte_test: 'relative' given twice");
    bad("byte_test:1,=,1,0,align;", "byte_test: unknown option 'align'");
    bad("byte_test:1,=,1,0,bitmask 0;", "byte_test: invalid bitmask 'bitmask 0'");
    bad("byte_test:1,=,1,0,dce;", "byte_test: option 'dce' is not supported");
}

static void test_byte_jump(void **state)
{
    (void)state;
    const rule_t *r = opts("content:\"x\"; byte_jump:2,-17,relative,from_beginning,little; "
                           "byte_jump:4,4,relative,align; byte_jump:4,0,relative,little,"
                           "post_offset -1; byte_jump:1,3,from_end,multiplier 2,post_offset 2; "
                           "byte_jump:3,0,string,dec,bitmask 0xff; sid:1;");
    const rule_byte_jump_t *j = &item(r, 0, 1)->u.byte_jump;
    assert_int_equal(j->nbytes, 2);
    assert_int_equal(j->offset, -17);
    assert_int_equal(j->flags, RULE_BYTE_RELATIVE | RULE_BYTE_FROM_BEGINNING | RULE_BYTE_LITTLE);
    assert_int_equal(j->multiplier, 1);
    assert_int_equal(j->post_offset, 0);
    j = &item(r, 0, 2)->u.byte_jump;
    assert_int_equal(j->flags, RULE_BYTE_RELATIVE | RULE_BYTE_ALIGN);
    j = &item(r, 0, 3)->u.byte_jump;
    assert_int_equal(j->post_offset, -1);
    j = &item(r, 0, 4)->u.byte_jump;
    assert_int_equal(j->flags, RULE_BYTE_FROM_END);
    assert_int_equal(j->multiplier, 2);
    assert_int_equal(j->post_offset, 2);
    j = &item(r, 0, 5)->u.byte_jump;
    assert_int_equal(j->flags, RULE_BYTE_STRING);
    assert_int_equal(j->base, 10);
    assert_int_equal(j->bitmask, 0xff);

    bad("byte_jump:4;", "byte_jump: invalid offset");
    bad("byte_jump:4,0,from_beginning,from_end;", "byte_jump: both from_beginning and from_end");
    bad("byte_jump:4,0,multiplier 0;", "byte_jump: invalid multiplier 'multiplier 0'");
    bad("byte_jump:4,0,post_offset x;", "byte_jump: invalid post_offset 'post_offset x'");
    bad("byte_jump:4,0,dce;", "byte_jump: option 'dce' is not supported");
    bad("byte_jump:4,0,multiplier;", "byte_jump: unknown option 'multiplier'");
}

static void test_isdataat_bsize_urilen(void **state)
{
    (void)state;
    const rule_t *r = opts("content:\"x\"; isdataat:!1,relative; isdataat:2049; "
                           "isdataat:4,relative,rawbytes; sid:1;");
    const rule_isdataat_t *d = &item(r, 0, 1)->u.isdataat;
    assert_int_equal(d->n, 1);
    assert_int_equal(d->flags, RULE_ISDATAAT_NEGATED | RULE_ISDATAAT_RELATIVE);
    d = &item(r, 0, 2)->u.isdataat;
    assert_int_equal(d->n, 2049);
    assert_int_equal(d->flags, 0);
    assert_int_equal(item(r, 0, 3)->u.isdataat.flags, RULE_ISDATAAT_RELATIVE);
    bad("isdataat:x;", "isdataat: invalid value");
    bad("isdataat:1,foo;", "isdataat: unknown option 'foo'");
    bad("isdataat:65536;", "isdataat: invalid value");

    r = rule("alert http any any -> any any (http.uri; content:\"/a\"; bsize:15; sid:2;)");
    const rule_item_t *b = item(r, 0, 1);
    assert_int_equal(b->type, RULE_ITEM_BSIZE);
    assert_int_equal(b->u.bsize.op, RULE_CMP_EQ);
    assert_int_equal(b->u.bsize.lo, 15);
    r = rule("alert http any any -> any any (http.uri; bsize:10<>20; sid:3;)");
    assert_int_equal(item(r, 0, 0)->u.bsize.op, RULE_CMP_RANGE);
    assert_int_equal(item(r, 0, 0)->u.bsize.hi, 20);
    bad("bsize:5;", "bsize: needs a sticky buffer before it");
    bad("http.uri; content:\"abcdef\"; bsize:5;", "bsize: content of 6 bytes cannot fit");
    bad("http.uri; content:\"abcdef\"; bsize:<6;", "bsize: content of 6 bytes cannot fit");
    assert_non_null(opts("http.uri; content:!\"abcdef\"; bsize:<6; sid:4;"));
    bad("http.uri; content:\"a\"; bsize:x;", "bsize: invalid number in 'x'");

    r = opts("urilen:12; sid:5;");
    assert_int_equal(r->app, APP_HTTP);
    assert_int_equal(r->bufs[0].id, RULE_BUF_HTTP_URI);
    assert_int_equal(item(r, 0, 0)->u.bsize.lo, 12);
    r = opts("urilen:<100,raw; sid:6;");
    assert_int_equal(r->bufs[0].id, RULE_BUF_HTTP_URI_RAW);
    assert_int_equal(item(r, 0, 0)->u.bsize.op, RULE_CMP_LT);
    assert_int_equal(opts("urilen:>9, norm; sid:7;")->bufs[0].id, RULE_BUF_HTTP_URI);
    bad("urilen:5,both;", "urilen: expected norm or raw after the comma");
    bad("urilen:abc;", "urilen: invalid number in 'abc'");
}

/* ---- checks without a buffer ---- */

static void test_flow(void **state)
{
    (void)state;
    assert_int_equal(opts("flow:established,to_server; sid:1;")->flow,
                     RULE_FLOW_ESTABLISHED | RULE_FLOW_TOSERVER);
    assert_int_equal(opts("flow: from_server , established; sid:2;")->flow,
                     RULE_FLOW_ESTABLISHED | RULE_FLOW_TOCLIENT);
    assert_int_equal(opts("flow:not_established,from_client; sid:3;")->flow,
                     RULE_FLOW_NOT_ESTABLISHED | RULE_FLOW_TOSERVER);
    assert_int_equal(opts("flow:stateless,to_client,only_frag; sid:4;")->flow,
                     RULE_FLOW_STATELESS | RULE_FLOW_TOCLIENT | RULE_FLOW_ONLY_FRAG);
    const rule_t *r = opts("flow:established,only_stream,no_frag; sid:5;");
    assert_int_equal(r->flow, RULE_FLOW_ESTABLISHED | RULE_FLOW_ONLY_STREAM | RULE_FLOW_NO_FRAG);
    assert_int_equal(r->stream_mode, RULE_STREAM_ONLY);
    assert_int_equal(opts("flow:to_server,no_stream; sid:6;")->stream_mode, RULE_STREAM_PKT);

    bad("flow:established,not_established;",
        "flow: established, not_established and stateless exclude each other");
    bad("flow:to_server,from_server;", "flow: to_server and to_client exclude each other");
    bad("flow:only_stream,no_stream;", "flow: only_stream and no_stream exclude each other");
    bad("flow:only_frag,no_frag;", "flow: only_frag and no_frag exclude each other");
    bad("flow:established,established;", "flow: 'established' given twice");
    bad("flow:sideways;", "flow: unknown option 'sideways'");
    bad("flow:established; flow:to_server;", "flow: given twice");
    refused("alert tcp-pkt any any -> any any (flow:only_stream; sid:5;)",
            "t:1: sid 5: flow: only_stream on a tcp-pkt rule");
    refused("alert tcp-stream any any -> any any (flow:no_stream; sid:5;)",
            "t:1: sid 5: flow: no_stream on a tcp-stream rule");
    /* one-way buffers must agree with the flow direction */
    bad_http("flow:to_server; http.stat_code; content:\"200\";",
             "flow: to_server conflicts with buffer http.stat_code (to_client only)");
    bad_http("flow:to_client; http.uri; content:\"/\";",
             "flow: to_client conflicts with buffer http.uri (to_server only)");
    assert_non_null(rule("alert http any any -> any any (flow:to_client; http.header; "
                         "content:\"x\"; sid:7;)"));
}

static void test_flowbits(void **state)
{
    (void)state;
    const rule_t *r = opts("flowbits:set,ET.a; flowbits:isset, ET.b; flowbits:isnotset,ET.a|c; "
                           "flowbits:unset,d&e; flowbits:toggle,f; flowbits:noalert; sid:1;");
    assert_true(r->noalert);
    assert_int_equal(r->n_flowbits, 5);
    const rule_flowbit_t *f = r->flowbits;
    assert_int_equal(f[0].cmd, RULE_FB_SET);
    assert_int_equal(f[0].n, 1);
    assert_string_equal(rule_set_flowbit_name(rs, f[0].ids[0]), "ET.a");
    assert_int_equal(f[1].cmd, RULE_FB_ISSET);
    assert_string_equal(rule_set_flowbit_name(rs, f[1].ids[0]), "ET.b");
    assert_int_equal(f[2].cmd, RULE_FB_ISNOTSET);
    assert_true(f[2].any);
    assert_int_equal(f[2].n, 2);
    assert_int_equal(f[2].ids[0], f[0].ids[0]); /* interned */
    assert_string_equal(rule_set_flowbit_name(rs, f[2].ids[1]), "c");
    assert_int_equal(f[3].cmd, RULE_FB_UNSET);
    assert_false(f[3].any);
    assert_int_equal(f[3].n, 2);
    assert_int_equal(f[4].cmd, RULE_FB_TOGGLE);
    assert_int_equal(rule_set_flowbit_count(rs), 6);
    assert_int_equal(rule_set_flowbit_id(rs, "ET.a"), 0);
    assert_int_equal(rule_set_flowbit_id(rs, "f"), 5);
    assert_int_equal(rule_set_flowbit_id(rs, "nope"), -1);
    assert_null(rule_set_flowbit_name(rs, 6));
    r = opts("flowbits:isset,a&b; sid:2;");
    assert_false(r->flowbits[0].any);
    assert_int_equal(r->flowbits[0].n, 2);

    bad("flowbits:set;", "flowbits: set needs a name");
    bad("flowbits:sett,a;", "flowbits: unknown command 'sett'");
    bad("flowbits:set,a|b;", "flowbits: '|' only goes with isset and isnotset");
    bad("flowbits:isset,a|b&c;", "flowbits: cannot mix '|' and '&'");
    bad("flowbits:isset,a||b;", "flowbits: empty name");
    bad("flowbits:set,a b;", "flowbits: invalid name 'a b'");
    bad("flowbits:set,a,b;", "flowbits: invalid name 'a,b'");
    bad("flowbits:noalert,a;", "flowbits: noalert takes no name");
}

static void test_packet_checks(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint8_t op;
        uint64_t lo, hi;
    } forms[] = {{"10", RULE_CMP_EQ, 10, 0},  {"<30", RULE_CMP_LT, 30, 0},
                 {">11", RULE_CMP_GT, 11, 0}, {"9<>18", RULE_CMP_RANGE, 9, 18},
                 {"!4", RULE_CMP_NE, 4, 0},   {"<=5", RULE_CMP_LE, 5, 0},
                 {">= 6", RULE_CMP_GE, 6, 0}, {"1-3", RULE_CMP_RANGE, 1, 3},
                 {" 7 ", RULE_CMP_EQ, 7, 0},  {"=8", RULE_CMP_EQ, 8, 0}};
    char o[128];
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        snprintf(o, sizeof(o), "dsize:%s; sid:%zu;", forms[i].text, 1 + i);
        const rule_t *r = opts(o);
        assert_int_equal(r->checks, RULE_CHECK_DSIZE);
        assert_int_equal(r->dsize.op, forms[i].op);
        assert_int_equal(r->dsize.lo, forms[i].lo);
        assert_int_equal(r->dsize.hi, forms[i].hi);
    }
    bad("dsize:5<>2;", "dsize: range must have the low value first in '5<>2'");
    bad("dsize:70000;", "dsize: invalid number in '70000'");
    bad("dsize:<0;", "dsize: '<0' matches nothing in '<0'");
    bad("dsize:1; dsize:2;", "dsize: given twice");

    const rule_t *r = rule("alert icmp any any -> any any (itype:8; icode:>0; sid:20;)");
    assert_int_equal(r->checks, RULE_CHECK_ITYPE | RULE_CHECK_ICODE);
    assert_int_equal(r->itype.lo, 8);
    assert_int_equal(r->icode.op, RULE_CMP_GT);
    bad("itype:256;", "itype: invalid number in '256'");
    bad("icode:a;", "icode: invalid number in 'a'");

    r = opts("ip_proto:41; sid:21;");
    assert_int_equal(r->checks, RULE_CHECK_IP_PROTO);
    assert_int_equal(r->ip_proto.op, RULE_CMP_EQ);
    assert_int_equal(r->ip_proto.lo, 41);
    r = opts("ip_proto:!tcp; sid:22;");
    assert_int_equal(r->ip_proto.op, RULE_CMP_NE);
    assert_int_equal(r->ip_proto.lo, 6);
    assert_int_equal(opts("ip_proto:<10; sid:23;")->ip_proto.op, RULE_CMP_LT);
    assert_int_equal(opts("ip_proto:ipv6-icmp; sid:24;")->ip_proto.lo, 58);
    bad("ip_proto:foo;", "ip_proto: invalid number in 'foo'");

    r = opts("flags:S,12; sid:30;");
    assert_int_equal(r->checks, RULE_CHECK_TCPFLAGS);
    assert_int_equal(r->tcpflags.mode, RULE_TCPF_EXACT);
    assert_int_equal(r->tcpflags.flags, 0x02);
    assert_int_equal(r->tcpflags.ignore, 0xc0);
    r = opts("flags:SA+; sid:31;");
    assert_int_equal(r->tcpflags.mode, RULE_TCPF_PLUS);
    assert_int_equal(r->tcpflags.flags, 0x12);
    r = opts("flags:*FRPU; sid:32;");
    assert_int_equal(r->tcpflags.mode, RULE_TCPF_ANY);
    assert_int_equal(r->tcpflags.flags, 0x2d);
    r = opts("flags:!CE; sid:33;");
    assert_int_equal(r->tcpflags.mode, RULE_TCPF_NOT);
    assert_int_equal(r->tcpflags.flags, 0xc0);
    r = opts("flags:0; sid:34;");
    assert_int_equal(r->tcpflags.mode, RULE_TCPF_EXACT);
    assert_int_equal(r->tcpflags.flags, 0);
    assert_int_equal(opts("flags: PA, CE; sid:35;")->tcpflags.ignore, 0xc0);
    bad("flags:X;", "flags: unknown flag 'X'");
    bad("flags:+*S;", "flags: more than one of + * !");
    bad("flags:S0;", "flags: expected flags (FSRPAUCE12) or 0");
    bad("flags:S,Q;", "flags: unknown flag 'Q' in the mask");
    bad("flags:S; flags:A;", "flags: given twice");

    r = rule("alert tls any any -> any any (tls.version:1.2; sid:40;)");
    assert_int_equal(r->checks, RULE_CHECK_TLS_VERSION);
    assert_int_equal(r->tls_version, 0x0303);
    assert_false(r->tls_version_neg);
    r = opts("tls.version:!0x0301; sid:41;");
    assert_int_equal(r->tls_version, 0x0301);
    assert_true(r->tls_version_neg);
    assert_int_equal(r->app, APP_TLS);
    assert_int_equal(opts("tls.version:1.3; sid:42;")->tls_version, 0x0304);
    bad("tls.version:2.0;", "tls.version: invalid version '2.0'");
    refused("alert dns any any -> any any (tls.version:1.0; sid:5;)",
            "t:1: sid 5: tls.version: needs app protocol tls, the rule is for dns");
}

static void test_threshold(void **state)
{
    (void)state;
    const rule_t *r = opts("threshold:type both, count 1, seconds 600, track by_src; sid:1;");
    assert_int_equal(r->threshold.type, RULE_THR_BOTH);
    assert_int_equal(r->threshold.track, RULE_TRACK_SRC);
    assert_int_equal(r->threshold.count, 1);
    assert_int_equal(r->threshold.seconds, 600);
    r = opts("threshold: type limit,track by_dst,count 2,seconds 300; sid:2;");
    assert_int_equal(r->threshold.type, RULE_THR_LIMIT);
    assert_int_equal(r->threshold.track, RULE_TRACK_DST);
    r = opts("threshold:type threshold, track by_rule, count 10, seconds 60; sid:3;");
    assert_int_equal(r->threshold.type, RULE_THR_THRESHOLD);
    assert_int_equal(r->threshold.track, RULE_TRACK_RULE);
    r = opts("detection_filter:track by_both, count 15, seconds 2; sid:4;");
    assert_int_equal(r->threshold.type, RULE_THR_DETECTION_FILTER);
    assert_int_equal(r->threshold.track, RULE_TRACK_BOTH);
    assert_int_equal(r->threshold.count, 15);
    assert_int_equal(r->threshold.seconds, 2);
    assert_int_equal(opts("sid:6;")->threshold.type, RULE_THR_NONE);

    bad("threshold:type limit, count 1, seconds 60;",
        "threshold: needs type, track, count and seconds");
    bad("threshold:type backoff, track by_src, count 1, seconds 1;",
        "threshold: unsupported type 'type backoff'");
    bad("threshold:type limit, track by_flow, count 1, seconds 1;",
        "threshold: unsupported track 'track by_flow'");
    bad("threshold:type limit, track by_src, count 0, seconds 1;", "threshold: invalid 'count 0'");
    bad("threshold:type limit, track by_src, count 1, seconds x;",
        "threshold: invalid 'seconds x'");
    bad("threshold:type limit, type both, track by_src, count 1, seconds 1;",
        "threshold: 'type' given twice");
    bad("threshold:type limit, track by_src, count 1, seconds 1, extra 2;",
        "threshold: unknown field 'extra 2'");
    bad("detection_filter:type limit, track by_src, count 1, seconds 1;",
        "detection_filter: takes no type");
    bad("detection_filter:track by_src, count 1;",
        "detection_filter: needs track, count and seconds");
    bad("threshold:type limit, track by_src, count 1, seconds 1; "
        "detection_filter:track by_src, count 1, seconds 1;",
        "detection_filter: only one threshold or detection_filter per rule");
}

/* ---- limits ---- */

static void test_limits(void **state)
{
    (void)state;
    /* 257 contents: one more than the bound */
    size_t cap = 257 * 16 + 64;
    char *o = malloc(cap), *p = o;
    for (int i = 0; i < 257; i++)
        p += sprintf(p, "content:\"%d\"; ", i);
    strcpy(p, "sid:5;");
    char *text = malloc(cap + 64);
    snprintf(text, cap + 64, "alert tcp any any -> any any (%s)", o);
    refused(text, "t:1: sid 5: content: more than 256 match items in the rule");
    /* a 65535-byte content is fine; one more is not */
    size_t n = 65536 + 128;
    char *big = malloc(n);
    for (int extra = 0; extra < 2; extra++) {
        char *q = big + sprintf(big, "alert tcp any any -> any any (content:\"");
        memset(q, 'A', 65535 + (size_t)extra);
        strcpy(q + 65535 + extra, "\"; sid:6;)");
        const rule_t *r = rule_set_add_rule(rs, big, "t", 1);
        if (extra == 0) {
            assert_non_null(r);
            assert_int_equal(r->bufs[0].items[0].u.content.len, 65535);
        } else {
            assert_null(r);
            assert_string_equal(rule_set_last_error(rs),
                                "t:1: sid 6: content: pattern longer than 65535 bytes");
        }
    }
    free(big);
    free(text);
    free(o);
}

/* ---- real ET Open rules, every field checked by hand ---- */

static void test_et_http_rule(void **state)
{
    (void)state;
    const rule_t *r = rule(
        "alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\"ET ADWARE_PUP Win32/Spy.Agent.QCL "
        "Variant Activity (POST) M2\"; flow:established,to_server; http.method; "
        "content:\"POST\"; http.uri; content:\"/wiki/Hello_orld_(film)\"; bsize:23; fast_pattern; "
        "http.content_len; byte_test:0,=,0,0,string,dec; http.header_names; "
        "content:!\"Referer\"; reference:md5,8fe3b7be548ab6bba549ddbfdabc90ed; "
        "classtype:pup-activity; sid:2033131; rev:1; metadata:attack_target Client_Endpoint, "
        "created_at 2021_06_09, deployment Perimeter, deployment SSLDecrypt, former_category "
        "ADWARE_PUP, performance_impact Low, signature_severity Minor, updated_at 2021_06_09;)");
    assert_int_equal(r->sid, 2033131);
    assert_int_equal(r->rev, 1);
    assert_int_equal(r->gid, 1);
    assert_int_equal(r->action, RULE_ACTION_ALERT);
    assert_string_equal(r->msg, "ET ADWARE_PUP Win32/Spy.Agent.QCL Variant Activity (POST) M2");
    assert_string_equal(r->classtype, "pup-activity");
    assert_string_equal(r->category, "Possibly Unwanted Program Detected");
    assert_int_equal(r->severity, 2);
    assert_int_equal(r->app, APP_HTTP);
    assert_int_equal(r->ipproto, RULE_IPPROTO_TCP);
    assert_int_equal(r->src->n4, 3); /* HOME_NET */
    assert_int_equal(r->dst->n4, 4); /* EXTERNAL_NET: IPv4 minus RFC 1918 */
    assert_int_equal(r->dst->n6, 1); /* ... and all of IPv6 */
    assert_true(r->sport->any && r->dport->any);
    assert_int_equal(r->flow, RULE_FLOW_ESTABLISHED | RULE_FLOW_TOSERVER);
    assert_int_equal(r->checks, 0);
    assert_int_equal(r->n_bufs, 4);
    assert_int_equal(r->bufs[0].id, RULE_BUF_HTTP_METHOD);
    pat(content(r, 0, 0), "POST", 4);
    assert_int_equal(r->bufs[1].id, RULE_BUF_HTTP_URI);
    assert_int_equal(r->bufs[1].n_items, 2);
    pat(content(r, 1, 0), "/wiki/Hello_orld_(film)", 23);
    assert_int_equal(content(r, 1, 0)->flags, RULE_CT_FAST);
    assert_int_equal(item(r, 1, 1)->type, RULE_ITEM_BSIZE);
    assert_int_equal(item(r, 1, 1)->u.bsize.lo, 23);
    assert_int_equal(r->bufs[2].id, RULE_BUF_HTTP_CONTENT_LEN);
    const rule_byte_test_t *t = &item(r, 2, 0)->u.byte_test;
    assert_int_equal(t->nbytes, 0);
    assert_int_equal(t->op, RULE_BT_EQ);
    assert_int_equal(t->value, 0);
    assert_int_equal(t->flags, RULE_BYTE_STRING);
    assert_int_equal(t->base, 10);
    assert_int_equal(r->bufs[3].id, RULE_BUF_HTTP_HEADER_NAMES);
    pat(content(r, 3, 0), "Referer", 7);
    assert_int_equal(content(r, 3, 0)->flags, RULE_CT_NEGATED);
    assert_true(r->fp.present);
    assert_int_equal(r->fp.buf, 1);
    assert_int_equal(r->fp.item, 0);
    assert_int_equal(r->n_meta, 8);
    assert_string_equal(r->meta[2].key, "deployment");
    assert_string_equal(r->meta[2].value, "Perimeter");
    assert_string_equal(r->meta[3].key, "deployment");
    assert_string_equal(r->meta[3].value, "SSLDecrypt");
    assert_string_equal(r->meta[7].key, "updated_at");
    assert_string_equal(r->meta[7].value, "2021_06_09");
    assert_int_equal(r->threshold.type, RULE_THR_NONE);
}

static void test_et_tcp_rule(void **state)
{
    (void)state;
    const rule_t *r = rule(
        "alert tcp $EXTERNAL_NET 8074 -> $HOME_NET any (msg:\"ET CHAT GaduGadu Chat Server Login "
        "OK Packet\"; flowbits:isset,ET.gadu.loginsent; flow:established,from_server; "
        "content:\"|03 00 00 00|\"; depth:4; byte_jump:4,0,relative,little,post_offset -1; "
        "isdataat:!2,relative; flowbits:set,ET.gadu.loggedin; "
        "reference:url,piotr.trzcionkowski.pl/default.asp?load=/programy/pppgg_protokol.html; "
        "classtype:policy-violation; sid:2008299; rev:4; metadata:created_at 2010_07_30, "
        "updated_at 2019_07_26;)");
    assert_int_equal(r->sid, 2008299);
    assert_int_equal(r->rev, 4);
    assert_string_equal(r->category, "Potential Corporate Privacy Violation");
    assert_int_equal(r->severity, 1);
    assert_int_equal(r->app, APP_UNKNOWN);
    assert_int_equal(r->ipproto, RULE_IPPROTO_TCP);
    assert_int_equal(r->sport->n, 1);
    assert_int_equal(r->sport->r[0].lo, 8074);
    assert_int_equal(r->sport->r[0].hi, 8074);
    assert_int_equal(r->flow, RULE_FLOW_ESTABLISHED | RULE_FLOW_TOCLIENT);
    assert_int_equal(r->n_flowbits, 2);
    assert_int_equal(r->flowbits[0].cmd, RULE_FB_ISSET);
    assert_string_equal(rule_set_flowbit_name(rs, r->flowbits[0].ids[0]), "ET.gadu.loginsent");
    assert_int_equal(r->flowbits[1].cmd, RULE_FB_SET);
    assert_string_equal(rule_set_flowbit_name(rs, r->flowbits[1].ids[0]), "ET.gadu.loggedin");
    assert_int_equal(r->n_bufs, 1);
    assert_int_equal(r->bufs[0].id, RULE_BUF_PAYLOAD);
    assert_int_equal(r->bufs[0].n_items, 3);
    pat(content(r, 0, 0), "\x03\0\0\0", 4);
    assert_int_equal(content(r, 0, 0)->flags, RULE_CT_DEPTH);
    assert_int_equal(content(r, 0, 0)->depth, 4);
    const rule_byte_jump_t *j = &item(r, 0, 1)->u.byte_jump;
    assert_int_equal(j->nbytes, 4);
    assert_int_equal(j->offset, 0);
    assert_int_equal(j->flags, RULE_BYTE_RELATIVE | RULE_BYTE_LITTLE);
    assert_int_equal(j->post_offset, -1);
    assert_int_equal(j->multiplier, 1);
    const rule_isdataat_t *d = &item(r, 0, 2)->u.isdataat;
    assert_int_equal(d->n, 2);
    assert_int_equal(d->flags, RULE_ISDATAAT_NEGATED | RULE_ISDATAAT_RELATIVE);
    assert_true(r->fp.present);
    assert_int_equal(r->fp.len, 4);
    assert_int_equal(r->n_meta, 2);
}

static void test_et_dns_and_tls_rules(void **state)
{
    (void)state;
    const rule_t *r = rule(
        "alert dns $HOME_NET any -> any any (msg:\"ET ADWARE_PUP Observed DNS Query to DriverPack "
        "Domain ( .drp .su)\"; dns.query; dotprefix; content:\".drp.su\"; nocase; endswith; "
        "reference:md5,63181b2e347fbe0faf02e26085513a05; classtype:pup-activity; sid:2037895; "
        "rev:1; metadata:affected_product Windows_XP_Vista_7_8_10_Server_32_64_Bit, "
        "attack_target Client_Endpoint, created_at 2022_08_02, deployment Perimeter, "
        "malware_family PUP, performance_impact Low, signature_severity Informational, "
        "updated_at 2022_08_02;)");
    assert_string_equal(r->msg,
                        "ET ADWARE_PUP Observed DNS Query to DriverPack Domain ( .drp .su)");
    assert_int_equal(r->app, APP_DNS);
    assert_int_equal(r->ipproto, RULE_IPPROTO_TCP | RULE_IPPROTO_UDP);
    assert_true(r->dst->any);
    assert_int_equal(r->n_bufs, 1);
    assert_int_equal(r->bufs[0].id, RULE_BUF_DNS_QUERY);
    assert_int_equal(r->bufs[0].transforms, RULE_XFORM_DOTPREFIX);
    pat(content(r, 0, 0), ".drp.su", 7);
    assert_int_equal(content(r, 0, 0)->flags, RULE_CT_NOCASE | RULE_CT_ENDSWITH);
    assert_true(r->fp.nocase);
    assert_int_equal(r->fp.len, 7);
    assert_int_equal(r->n_meta, 8);

    r = rule(
        "alert tls $HOME_NET any -> $EXTERNAL_NET any (msg:\"ET JA3 Hash - Metasploit http "
        "scanner (tested: 4.11.5 Kali)\"; ja3_hash; content:\"16f17c896273d1d098314a02e87dd4cb\"; "
        "reference:url,github.com/trisulnsm/trisul-scripts/blob/master/lua/frontend_scripts/"
        "reassembly/ja3/prints/ja3fingerprint.json; classtype:unknown; sid:2028301; rev:2; "
        "metadata:created_at 2019_09_10, former_category JA3, confidence Low, updated_at "
        "2019_10_29;)");
    assert_string_equal(r->msg, "ET JA3 Hash - Metasploit http scanner (tested: 4.11.5 Kali)");
    assert_int_equal(r->app, APP_TLS);
    assert_string_equal(r->category, "Unknown Traffic");
    assert_int_equal(r->severity, 3);
    assert_int_equal(r->bufs[0].id, RULE_BUF_JA3_HASH);
    pat(content(r, 0, 0), "16f17c896273d1d098314a02e87dd4cb", 32);
    assert_int_equal(r->fp.len, 32);

    r = rule(
        "alert http $EXTERNAL_NET any -> $HOME_NET any (msg:\"ET SCAN Acunetix scan in "
        "progress acunetix_wvs_security_test in http_uri\"; flow:established,to_server; "
        "threshold: type limit, count 1, seconds 60, track by_src; http.uri; "
        "content:\"acunetix_wvs_security_test\"; fast_pattern; reference:url,www.acunetix.com/; "
        "classtype:web-application-attack; sid:2023687; rev:7;)");
    assert_int_equal(r->threshold.type, RULE_THR_LIMIT);
    assert_int_equal(r->threshold.track, RULE_TRACK_SRC);
    assert_int_equal(r->threshold.count, 1);
    assert_int_equal(r->threshold.seconds, 60);
    assert_string_equal(r->category, "Web Application Attack");
    assert_int_equal(r->severity, 1);
}

static void test_et_legacy_rule(void **state)
{
    (void)state;
    /* old-style modifiers, a relative within on the moved content, and a
     * pcre with the U flag */
    const rule_t *r = rule(
        "alert tcp $EXTERNAL_NET any -> $HTTP_SERVERS $HTTP_PORTS (msg:\"ET WEB_SERVER legacy\"; "
        "flow:established,to_server; content:\"GET \"; depth:4; content:\"/cgi-bin/\"; http_uri; "
        "nocase; content:\".pl?\"; http_uri; within:40; pcre:\"/\\.pl\\?[^&]*(%27|')/Ui\"; "
        "classtype:web-application-attack; sid:2000001; rev:2;)");
    assert_int_equal(r->app, APP_HTTP);
    assert_int_equal(r->dport->n, 1);
    assert_int_equal(r->dport->r[0].lo, 80);
    assert_int_equal(r->n_bufs, 2);
    assert_int_equal(r->bufs[0].id, RULE_BUF_PAYLOAD);
    pat(content(r, 0, 0), "GET ", 4);
    assert_int_equal(content(r, 0, 0)->depth, 4);
    assert_int_equal(r->bufs[1].id, RULE_BUF_HTTP_URI);
    assert_int_equal(r->bufs[1].n_items, 3);
    pat(content(r, 1, 0), "/cgi-bin/", 9);
    assert_int_equal(content(r, 1, 0)->flags, RULE_CT_NOCASE);
    pat(content(r, 1, 1), ".pl?", 4);
    assert_int_equal(content(r, 1, 1)->flags, RULE_CT_WITHIN | RULE_CT_RELATIVE);
    assert_int_equal(content(r, 1, 1)->within, 40);
    assert_int_equal(item(r, 1, 2)->type, RULE_ITEM_PCRE);
    /* the longest app-layer content is the fast pattern */
    assert_int_equal(r->fp.buf, 1);
    assert_int_equal(r->fp.item, 0);
    assert_true(r->fp.nocase);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_header_actions_protocols),
        T(test_header_errors),
        T(test_option_syntax),
        T(test_meta_keywords),
        T(test_classtype_priority),
        T(test_metadata),
        T(test_content_forms),
        T(test_content_modifiers),
        T(test_fast_pattern_keyword),
        T(test_fast_pattern_choice),
        T(test_sticky_buffers),
        T(test_legacy_modifiers),
        T(test_dotprefix),
        T(test_pcre),
        T(test_byte_test),
        T(test_byte_jump),
        T(test_isdataat_bsize_urilen),
        T(test_flow),
        T(test_flowbits),
        T(test_packet_checks),
        T(test_threshold),
        T(test_limits),
        T(test_et_http_rule),
        T(test_et_tcp_rule),
        T(test_et_dns_and_tls_rules),
        T(test_et_legacy_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
