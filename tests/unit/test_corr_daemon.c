/* test_corr_daemon.c -- the parts of soc-correlator's stream reading that
 * need no Redis: stream ids as numbers (corr_sid.h), replies read and
 * built in place (corr_reply.h, canned protocol bytes over a socket pair), the merge of read
 * entries (corr_items.h) and the index of an event's top-level members (corr_event.h), checked
 * against a plain json_object_find. Expected values are worked out by hand from the bytes in each
 * test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/corr_items.h"
#include "daemon/corr_reply.h"
#include "daemon/corr_sid.h"
#include "engine/corr_event.h"
#include "json_reader.h"

/* ---- stream ids ----------------------------------------------------------------------------- */

static corr_sid_t sid(const char *s, bool *ok)
{
    corr_sid_t id = {99, 99};
    *ok = corr_sid_parse(s, strlen(s), &id);
    return id;
}

static void test_sid_parse(void **state)
{
    (void)state;
    bool ok;
    corr_sid_t id = sid("1526919030474-55", &ok);
    assert_true(ok);
    assert_int_equal(id.ms, 1526919030474ull);
    assert_int_equal(id.seq, 55);
    id = sid("0-0", &ok);
    assert_true(ok && id.ms == 0 && id.seq == 0);
    id = sid("12", &ok); /* a bare millisecond: sequence 0 */
    assert_true(ok && id.ms == 12 && id.seq == 0);
    id = sid("18446744073709551615-18446744073709551615", &ok);
    assert_true(ok && id.ms == UINT64_MAX && id.seq == UINT64_MAX);
    static const char *const bad[] = {"",
                                      "-",
                                      "-1",
                                      "1-",
                                      "1--2",
                                      "a-1",
                                      "1-2x",
                                      " 1-2",
                                      "1-2 ",
                                      "18446744073709551616-0",
                                      "0-18446744073709551616"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sid(bad[i], &ok);
        if (ok) fail_msg("'%s' parsed", bad[i]);
    }
    corr_sid_t out;
    assert_false(corr_sid_parse("1\0-2", 4, &out)); /* a NUL inside */
    assert_false(corr_sid_parse(NULL, 0, &out));
    assert_true(corr_sid_parse("7-8 tail", 3, &out)); /* n bytes only */
    assert_true(out.ms == 7 && out.seq == 8);
}

static void test_sid_format_and_order(void **state)
{
    (void)state;
    char buf[CORR_SID_LEN];
    assert_int_equal(corr_sid_format((corr_sid_t){1526919030474ull, 55}, buf), 16);
    assert_string_equal(buf, "1526919030474-55");
    assert_int_equal(corr_sid_format((corr_sid_t){0, 0}, buf), 3);
    assert_string_equal(buf, "0-0");
    assert_int_equal(corr_sid_format((corr_sid_t){UINT64_MAX, UINT64_MAX}, buf), 41);
    assert_string_equal(buf, "18446744073709551615-18446744073709551615");
    /* numbers, not text: "9-0" < "10-0", "5-9" < "5-10" */
    assert_true(corr_sid_cmp((corr_sid_t){9, 0}, (corr_sid_t){10, 0}) < 0);
    assert_true(corr_sid_cmp((corr_sid_t){5, 9}, (corr_sid_t){5, 10}) < 0);
    assert_true(corr_sid_cmp((corr_sid_t){5, 10}, (corr_sid_t){5, 9}) > 0);
    assert_int_equal(corr_sid_cmp((corr_sid_t){5, 9}, (corr_sid_t){5, 9}), 0);
}

/* ---- replies built in place ----------------------------------------------------------------- */

typedef struct pair {
    int fd, peer;
} pair_t;

static void pair_open(pair_t *p)
{
    int fd[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    p->fd = fd[0];
    p->peer = fd[1];
}

static void pair_send(pair_t *p, const char *bytes)
{
    assert_int_equal(write(p->peer, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
}

static void pair_close(pair_t *p)
{
    if (p->peer >= 0) close(p->peer);
    close(p->fd);
}

/* One XREADGROUP reply: stream soc:events:{0} with entry 1-0 (id, event)
 * and entry 1-1 deleted while pending (nil fields). */
#define XREAD_REPLY                                                                                \
    "*1\r\n*2\r\n$14\r\nsoc:events:{0}\r\n*2\r\n"                                                  \
    "*2\r\n$3\r\n1-0\r\n*4\r\n$2\r\nid\r\n$5\r\na:b:1\r\n$5\r\nevent\r\n$7\r\n{\"x\":1}\r\n"       \
    "*2\r\n$3\r\n1-1\r\n*-1\r\n"

static void check_xread(const redisReply *r)
{
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 1);
    const redisReply *st = r->element[0];
    assert_int_equal(st->elements, 2);
    assert_string_equal(st->element[0]->str, "soc:events:{0}");
    assert_int_equal(st->element[0]->len, 14);
    const redisReply *list = st->element[1];
    assert_int_equal(list->elements, 2);
    const redisReply *e0 = list->element[0];
    assert_string_equal(e0->element[0]->str, "1-0");
    assert_int_equal(e0->element[1]->elements, 4);
    assert_string_equal(e0->element[1]->element[1]->str, "a:b:1");
    assert_string_equal(e0->element[1]->element[3]->str, "{\"x\":1}");
    assert_int_equal(e0->element[1]->element[3]->len, 7);
    const redisReply *e1 = list->element[1];
    assert_string_equal(e1->element[0]->str, "1-1");
    assert_int_equal(e1->element[1]->type, REDIS_REPLY_NIL);
}

static void test_reply_xread(void **state)
{
    (void)state;
    pair_t p;
    pair_open(&p);
    corr_rbuf_t *b = corr_rbuf_new();
    assert_non_null(b);
    pair_send(&p, XREAD_REPLY);
    redisReply *r;
    char err[256];
    assert_int_equal(corr_reply_read(p.fd, b, &r, err, sizeof(err)), 0);
    check_xread(r);
    size_t held = corr_rbuf_bytes(b);
    assert_true(held >= 2 * CORR_RBUF_CHUNK); /* the bytes read, and a chunk of nodes */
    /* the buffer serves the next reply once reset, with no new memory */
    static const char *const one[] = {"-ERR boom\r\n", ":-42\r\n", "+OK\r\n",
                                      "$-1\r\n",       "*0\r\n",   "$0\r\n\r\n"};
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
        corr_rbuf_reset(b);
        pair_send(&p, one[i]);
        assert_int_equal(corr_reply_read(p.fd, b, &r, err, sizeof(err)), 0);
        switch (i) {
        case 0: assert_true(r->type == REDIS_REPLY_ERROR && strcmp(r->str, "ERR boom") == 0); break;
        case 1: assert_true(r->type == REDIS_REPLY_INTEGER && r->integer == -42); break;
        case 2: assert_true(r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0); break;
        case 3: assert_int_equal(r->type, REDIS_REPLY_NIL); break;
        case 4: assert_true(r->type == REDIS_REPLY_ARRAY && r->elements == 0 && !r->element); break;
        default: assert_true(r->type == REDIS_REPLY_STRING && r->len == 0 && r->str[0] == '\0');
        }
    }
    assert_int_equal(corr_rbuf_bytes(b), held);
    /* two replies where one was asked for: the connection is out of step */
    corr_rbuf_reset(b);
    pair_send(&p, "+OK\r\n+OK\r\n");
    assert_int_equal(corr_reply_read(p.fd, b, &r, err, sizeof(err)), -1);
    assert_string_equal(err, "redis reply: byte 5: bytes after the reply");
    corr_rbuf_free(b);
    pair_close(&p);
}

/* The scan goes on where it stopped: every cut of the bytes waits for
 * more, the whole is the same reply. */
static void test_reply_in_pieces(void **state)
{
    (void)state;
    corr_rbuf_t *b = corr_rbuf_new();
    char buf[sizeof(XREAD_REPLY)];
    size_t len = strlen(XREAD_REPLY), used = 0;
    memcpy(buf, XREAD_REPLY, len + 1);
    redisReply *r;
    char err[128];
    for (size_t k = 0; k < len; k++)
        if (corr_reply_parse(b, buf, k, &r, &used, err, sizeof(err)) != 0)
            fail_msg("cut at %zu: not waiting (%s)", k, err);
    assert_int_equal(corr_reply_parse(b, buf, len, &r, &used, err, sizeof(err)), 1);
    assert_int_equal(used, len);
    check_xread(r);
    /* a reply followed by another: used says where the first ends */
    corr_rbuf_reset(b);
    char two[] = ":1\r\n$2\r\nab\r\n";
    assert_int_equal(corr_reply_parse(b, two, strlen(two), &r, &used, err, sizeof(err)), 1);
    assert_int_equal(used, 4);
    assert_int_equal(r->integer, 1);
    corr_rbuf_free(b);
}

static void expect_bad(const char *bytes, size_t len, const char *want)
{
    corr_rbuf_t *b = corr_rbuf_new();
    char *buf = malloc(len + 1), err[256] = "";
    memcpy(buf, bytes, len);
    redisReply *r = (redisReply *)1;
    size_t used = 0;
    int rc = corr_reply_parse(b, buf, len, &r, &used, err, sizeof(err));
    if (rc != -1) fail_msg("'%.40s': %d, not refused", bytes, rc);
    assert_null(r);
    assert_string_equal(err, want);
    free(buf);
    corr_rbuf_free(b);
}

static void test_reply_refused(void **state)
{
    (void)state;
    expect_bad("?what\r\n", 7, "redis reply: byte 0: unknown reply type");
    expect_bad("*1\r\n\0", 5, "redis reply: byte 4: unknown reply type");
    expect_bad(":12a\r\n", 6, "redis reply: byte 1: not a number");
    expect_bad(":\r\n", 3, "redis reply: byte 1: not a number");
    expect_bad(":12345678901234567890\r\n", 23, "redis reply: byte 1: not a number");
    expect_bad("*-0\r\n", 5, "redis reply: byte 1: not a number");      /* as Redis: no "-0", */
    expect_bad("$01\r\nx\r\n", 8, "redis reply: byte 1: not a number"); /* no leading 0 */
    expect_bad(":+1\r\n", 5, "redis reply: byte 1: not a number");
    expect_bad("$-2\r\n", 5, "redis reply: byte 1: negative length");
    expect_bad("*-3\r\n", 5, "redis reply: byte 1: negative length");
    expect_bad("$3\r\nabcd\r\n", 11, "redis reply: byte 7: string not ended by \"\\r\\n\"");
    expect_bad("+OK\rX", 5, "redis reply: byte 3: '\\r' not followed by '\\n'");
    expect_bad("$2000000000\r\n", 14, "redis reply: byte 0: string too long");
    char deep[17 * 4 + 8];
    size_t o = 0;
    for (int i = 0; i < 17; i++) /* 17 nested arrays of one element */
        o += (size_t)snprintf(deep + o, sizeof(deep) - o, "*1\r\n");
    expect_bad(deep, o, "redis reply: byte 64: arrays nested too deep");
    size_t n = (64 << 10) + 2; /* a status line longer than 64 KiB, no end in sight */
    char *line = malloc(n);
    memset(line, 'x', n);
    line[0] = '+';
    expect_bad(line, n, "redis reply: byte 0: line too long");
    free(line);
}

/* A string longer than the first read grows the buffer; a reset after an
 * unusually large reply gives the memory back. */
static void test_reply_large(void **state)
{
    (void)state;
    pair_t p;
    pair_open(&p);
    corr_rbuf_t *b = corr_rbuf_new();
    size_t n = CORR_RBUF_KEEP + 1000; /* more than is kept over a reset */
    char *msg = malloc(n + 32);
    assert_non_null(msg);
    int k = snprintf(msg, 32, "$%zu\r\n", n);
    memset(msg + k, 'x', n);
    memcpy(msg + k + n, "\r\n", 2);
    pid_t pid = fork(); /* the writer: the socket holds less than this */
    assert_true(pid >= 0);
    if (pid == 0) {
        ssize_t w = write(p.peer, msg, (size_t)k + n + 2);
        _exit(w == (ssize_t)((size_t)k + n + 2) ? 0 : 1);
    }
    redisReply *r;
    char err[128];
    assert_int_equal(corr_reply_read(p.fd, b, &r, err, sizeof(err)), 0);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_int_equal(r->len, n);
    assert_true(r->str[0] == 'x' && r->str[n - 1] == 'x' && r->str[n] == '\0');
    assert_true(corr_rbuf_bytes(b) > CORR_RBUF_KEEP);
    corr_rbuf_reset(b);
    assert_true(corr_rbuf_bytes(b) <= CORR_RBUF_CHUNK + 64);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(msg);
    corr_rbuf_free(b);
    pair_close(&p);
}

/* The peer goes away in the middle of a reply. */
static void test_reply_cut(void **state)
{
    (void)state;
    pair_t p;
    pair_open(&p);
    corr_rbuf_t *b = corr_rbuf_new();
    pair_send(&p, "*2\r\n$5\r\nab");
    close(p.peer);
    p.peer = -1;
    redisReply *r = (redisReply *)1;
    char err[128];
    assert_int_equal(corr_reply_read(p.fd, b, &r, err, sizeof(err)), -1);
    assert_null(r);
    assert_string_equal(err, "redis: connection closed");
    corr_rbuf_free(b);
    pair_close(&p);
}

/* ---- entries, merged by event time ------------------------------------------------------------
 */

static void add(corr_items_t *it, uint32_t slot, uint32_t shard, uint64_t seq, int64_t ts)
{
    corr_item_t t = {
        .shard = shard, .buf = slot, .id = {1, seq}, .eid = "e", .ev = "{}", .evlen = 2, .ts = ts};
    assert_true(corr_items_add(it, &t));
}

static void expect_ready(const corr_items_t *it, const uint64_t *seqs, size_t n)
{
    assert_int_equal(it->nready, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(it->v[it->ready[i]].id.seq, seqs[i]);
}

static void test_items_merge(void **state)
{
    (void)state;
    corr_items_t it;
    assert_true(corr_items_init(&it, 2));
    uint32_t a;
    corr_rbuf_t *ba = corr_items_buffer(&it, &a);
    assert_non_null(ba);
    /* arrival: shard 0 times 5, 1, 9, 2; shard 1 times 3, 7, 3 */
    add(&it, a, 0, 10, 5);
    add(&it, a, 1, 20, 3);
    add(&it, a, 0, 11, 1);
    add(&it, a, 1, 21, 7);
    add(&it, a, 0, 12, 9);
    add(&it, a, 0, 13, 2);
    add(&it, a, 1, 22, 3);
    assert_int_equal(it.slots[a].live, 7);
    /* safe 6: shard 0 holds from 9 on (so 2 waits too), shard 1 from 7 on
     * (so its second 3 waits); ready by time, ties by arrival: 1 3 5 */
    assert_true(corr_items_ready(&it, 6));
    const uint64_t first[] = {11, 20, 10};
    expect_ready(&it, first, 3);
    corr_items_drop_ready(&it);
    assert_int_equal(it.n, 4); /* the held ones, in arrival order */
    const uint64_t held[] = {21, 12, 13, 22};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(it.v[i].id.seq, held[i]);
    assert_int_equal(it.slots[a].live, 4);
    /* a second read (time 4), then everything: 2 3 4 7 9 */
    uint32_t b;
    corr_rbuf_t *bb = corr_items_buffer(&it, &b);
    assert_non_null(bb);
    assert_true(b != a);
    add(&it, b, 1, 23, 4);
    assert_true(corr_items_ready(&it, INT64_MAX));
    const uint64_t all[] = {13, 22, 23, 21, 12};
    assert_int_equal(it.nready, 5);
    expect_ready(&it, all, 5);
    corr_items_drop_ready(&it);
    assert_int_equal(it.n, 0);
    /* both buffers are free again and come back from the pool */
    assert_null(it.slots[a].buf);
    assert_null(it.slots[b].buf);
    uint32_t c;
    corr_rbuf_t *bc = corr_items_buffer(&it, &c);
    assert_true(bc == ba || bc == bb);
    corr_items_done_with(&it, c);
    corr_items_free(&it);
}

/* Equal times keep arrival order; entries without an event (ts 0) first. */
static void test_items_ties(void **state)
{
    (void)state;
    corr_items_t it;
    assert_true(corr_items_init(&it, 3));
    uint32_t s;
    assert_non_null(corr_items_buffer(&it, &s));
    add(&it, s, 2, 1, 50);
    add(&it, s, 0, 2, 50);
    add(&it, s, 1, 3, 0);
    add(&it, s, 0, 4, 50);
    assert_true(corr_items_ready(&it, 50)); /* at the safe time: not held */
    const uint64_t want[] = {3, 1, 2, 4};
    expect_ready(&it, want, 4);
    corr_items_clear(&it);
    assert_int_equal(it.n, 0);
    assert_null(it.slots[s].buf);
    corr_items_free(&it);
}

/* ---- top-level member index --------------------------------------------------------------------
 */

typedef struct doc {
    json_tok_t toks[512];
    corr_doc_t d;
} doc_t;

static void parse_doc(doc_t *x, const char *json)
{
    char err[128];
    int n = json_parse(json, strlen(json), x->toks, 512, err, sizeof(err));
    if (n < 1) fail_msg("bad test json: %s", err);
    x->d = (corr_doc_t){json, strlen(json), x->toks, n};
}

/* Every lookup through the index equals a scan. */
static void same_as_scan(const corr_doc_t *d, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int want = json_object_find(d->s, d->toks, d->ntoks, 0, keys[i], strlen(keys[i]));
        int got = corr_doc_member(d, keys[i], strlen(keys[i]));
        if (got != want) fail_msg("'%s': index %d, scan %d", keys[i], got, want);
    }
}

static void test_doc_index(void **state)
{
    (void)state;
    static const char *const keys[] = {"timestamp", "event_type", "src_ip",  "dest_ip",
                                       "",          "dns",        "http",    "sensor",
                                       "missing",   "src_i",      "src_ipx", "a.b"};
    const size_t nk = sizeof(keys) / sizeof(keys[0]);
    doc_t x;
    parse_doc(&x, "{\"timestamp\":\"t\",\"event_type\":\"dns\",\"src_ip\":\"1.2.3.4\","
                  "\"dest_ip\":\"5.6.7.8\",\"\":0,\"dns\":{\"rrname\":\"a.vn\"},\"a.b\":1,"
                  "\"sensor\":{\"name\":\"s\",\"seq\":3}}");
    same_as_scan(&x.d, keys, nk); /* not indexed: scans */
    assert_true(corr_doc_index(&x.d));
    assert_false(corr_doc_index(&x.d)); /* already: the first caller drops it */
    same_as_scan(&x.d, keys, nk);
    /* token 1 is "timestamp", its value 2; "dns" is member 6 (key 11) */
    assert_int_equal(corr_doc_member(&x.d, "timestamp", 9), 2);
    assert_int_equal(corr_doc_member(&x.d, "dns", 3), 12);
    const json_tok_t *t = corr_doc_get(&x.d, "dns.rrname");
    assert_non_null(t);
    assert_true(json_tok_eq(x.d.s, t, "a.vn"));
    assert_ptr_equal(corr_doc_get(&x.d, "sensor.seq"),
                     json_get(x.d.s, x.d.toks, x.d.ntoks, "sensor.seq"));
    assert_null(corr_doc_get(&x.d, "src_ip.x")); /* a string has no members */
    assert_null(corr_doc_get(&x.d, "a.b"));      /* the path splits at the dot */
    assert_null(corr_doc_get(NULL, "dns"));
    /* another document is scanned, not looked up in this index */
    doc_t y;
    parse_doc(&y, "{\"dns\":1,\"timestamp\":2}");
    assert_int_equal(corr_doc_member(&y.d, "dns", 3), 2);
    assert_int_equal(corr_doc_member(&y.d, "timestamp", 9), 4);
    corr_doc_unindex();
    same_as_scan(&x.d, keys, nk);
}

/* Objects the index leaves to a scan: escaped member names, too many
 * members, not an object. Lookups still equal a scan. */
static void test_doc_index_fallback(void **state)
{
    (void)state;
    static const char *const keys[] = {"ab", "a", "k0", "k49", "k50", "x"};
    doc_t x;
    parse_doc(&x, "{\"a\\u0062\":1,\"a\":2}");
    assert_true(corr_doc_index(&x.d));
    same_as_scan(&x.d, keys, 6);
    assert_int_equal(corr_doc_member(&x.d, "ab", 2), 2);
    corr_doc_unindex();
    char big[1024];
    size_t o = 0;
    big[o++] = '{';
    for (int i = 0; i <= CORR_DOC_INDEX_MAX; i++) /* one member more than is indexed */
        o += (size_t)snprintf(big + o, sizeof(big) - o, "%s\"k%d\":%d", i ? "," : "", i, i);
    big[o++] = '}';
    big[o] = '\0';
    parse_doc(&x, big);
    assert_true(corr_doc_index(&x.d));
    same_as_scan(&x.d, keys, 6);
    assert_int_equal(corr_doc_member(&x.d, "k48", 3), 2 * 48 + 2);
    corr_doc_unindex();
    parse_doc(&x, "[1,2]");
    assert_true(corr_doc_index(&x.d));
    assert_int_equal(corr_doc_member(&x.d, "a", 1), -1);
    corr_doc_unindex();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sid_parse),          cmocka_unit_test(test_sid_format_and_order),
        cmocka_unit_test(test_reply_xread),        cmocka_unit_test(test_reply_in_pieces),
        cmocka_unit_test(test_reply_refused),      cmocka_unit_test(test_reply_large),
        cmocka_unit_test(test_reply_cut),          cmocka_unit_test(test_items_merge),
        cmocka_unit_test(test_items_ties),         cmocka_unit_test(test_doc_index),
        cmocka_unit_test(test_doc_index_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
