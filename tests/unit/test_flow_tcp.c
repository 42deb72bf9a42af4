/* test_flow_tcp.c -- TCP states of a flow, EVE states, port reuse and the
 * TCP timeouts (suricata.yaml: new 60 s, established 600 s, closed 60 s).
 * Each step's expected state follows from the flags by hand. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "flow/flow.h"

#define SEC       1000000LL
#define MAX_ENDED 16

#define F TH_FIN
#define S TH_SYN
#define R TH_RST
#define P TH_PSH
#define A TH_ACK

typedef struct ended {
    int n;
    uint64_t id[MAX_ENDED];
    flow_end_reason_t reason[MAX_ENDED];
    uint8_t tcp_state[MAX_ENDED];
} ended_t;

static void record_end(flow_t *f, flow_end_reason_t reason, void *ud)
{
    ended_t *e = ud;
    if (e->n < MAX_ENDED) {
        e->id[e->n] = f->flow_id;
        e->reason[e->n] = reason;
        e->tcp_state[e->n] = f->tcp_state;
    }
    e->n++;
}

typedef struct ctx {
    ended_t ended;
    flow_table_t *ft;
    int64_t now;
} ctx_t;

static int setup(void **state)
{
    ctx_t *c = test_calloc(1, sizeof *c);
    flow_config_t cfg;
    flow_config_defaults(&cfg);
    cfg.max_flows = 16;
    c->ft = flow_table_new(&cfg, record_end, &c->ended);
    c->now = 1000 * SEC;
    *state = c;
    return c->ft ? 0 : -1;
}

static int teardown(void **state)
{
    ctx_t *c = *state;
    flow_table_free(c->ft);
    test_free(c);
    return 0;
}

/* Client 10.0.0.1:40000, server 10.0.0.2:80. from_client picks the side;
 * each packet is one millisecond after the previous one. */
static flow_t *tcp(ctx_t *c, int from_client, uint8_t flags, int want_dir)
{
    packet_t p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    p.ip_proto = 6;
    inet_pton(AF_INET, from_client ? "10.0.0.1" : "10.0.0.2", p.src.b);
    inet_pton(AF_INET, from_client ? "10.0.0.2" : "10.0.0.1", p.dst.b);
    p.sport = from_client ? 40000 : 80;
    p.dport = from_client ? 80 : 40000;
    p.tcp_flags = flags;
    p.wirelen = 66;
    p.ts_usec = c->now += 1000;
    int dir = -1;
    flow_t *f = flow_table_packet(c->ft, &p, &dir);
    assert_non_null(f);
    assert_int_equal(dir, want_dir);
    return f;
}

#define CLI 1
#define SRV 0

static void expect(const flow_t *f, flow_tcp_state_t ts, flow_state_t es)
{
    assert_string_equal(flow_tcp_state_name(f->tcp_state), flow_tcp_state_name(ts));
    assert_string_equal(flow_state_name(flow_eve_state(f)), flow_state_name(es));
}

static void test_handshake_and_teardown(void **state)
{
    ctx_t *c = *state;
    flow_t *f = tcp(c, CLI, S, DIR_TOSERVER);
    expect(f, FLOW_TCP_SYN_SENT, FLOW_STATE_NEW);
    assert_false(f->flags & FLOW_F_MIDSTREAM);
    assert_ptr_equal(tcp(c, CLI, S, DIR_TOSERVER), f); /* retransmitted SYN */
    expect(f, FLOW_TCP_SYN_SENT, FLOW_STATE_NEW);
    tcp(c, SRV, S | A, DIR_TOCLIENT);
    expect(f, FLOW_TCP_SYN_RECV, FLOW_STATE_NEW);
    tcp(c, SRV, S | A, DIR_TOCLIENT); /* retransmitted SYN-ACK */
    expect(f, FLOW_TCP_SYN_RECV, FLOW_STATE_NEW);
    tcp(c, SRV, A, DIR_TOCLIENT); /* an ACK from the server does not finish it */
    expect(f, FLOW_TCP_SYN_RECV, FLOW_STATE_NEW);
    tcp(c, CLI, A, DIR_TOSERVER);
    expect(f, FLOW_TCP_ESTABLISHED, FLOW_STATE_ESTABLISHED);
    tcp(c, CLI, P | A, DIR_TOSERVER);
    tcp(c, SRV, P | A, DIR_TOCLIENT);
    expect(f, FLOW_TCP_ESTABLISHED, FLOW_STATE_ESTABLISHED);
    tcp(c, CLI, F | A, DIR_TOSERVER);
    expect(f, FLOW_TCP_FIN_WAIT, FLOW_STATE_ESTABLISHED);
    tcp(c, SRV, A, DIR_TOCLIENT);
    expect(f, FLOW_TCP_FIN_WAIT, FLOW_STATE_ESTABLISHED);
    tcp(c, SRV, F | A, DIR_TOCLIENT);
    expect(f, FLOW_TCP_CLOSING, FLOW_STATE_CLOSED);
    tcp(c, CLI, A, DIR_TOSERVER);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
    tcp(c, CLI, A, DIR_TOSERVER); /* late packets keep it closed */
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);

    assert_int_equal(f->tcp_flags[DIR_TOSERVER], 0x1b); /* SYN ACK PSH FIN */
    assert_int_equal(f->tcp_flags[DIR_TOSERVER], S | A | P | F);
    assert_int_equal(f->tcp_flags[DIR_TOCLIENT], S | A | P | F);
    assert_int_equal(f->pkts[DIR_TOSERVER], 7);
    assert_int_equal(f->pkts[DIR_TOCLIENT], 6);
    assert_int_equal(f->bytes[DIR_TOSERVER], 7 * 66);
    assert_int_equal(flow_table_stats(c->ft)->created, 1);
    assert_int_equal(flow_table_stats(c->ft)->tcp, 1);
}

/* FIN+ACK from both sides with no bare ACK between, then a retransmitted
 * FIN, then the last ACK. */
static void test_fin_fin_ack(void **state)
{
    ctx_t *c = *state;
    tcp(c, CLI, S, 0);
    tcp(c, SRV, S | A, 1);
    flow_t *f = tcp(c, CLI, A, 0);
    tcp(c, SRV, F | A, 1); /* the server closes first */
    expect(f, FLOW_TCP_FIN_WAIT, FLOW_STATE_ESTABLISHED);
    tcp(c, CLI, F | A, 0);
    expect(f, FLOW_TCP_CLOSING, FLOW_STATE_CLOSED);
    tcp(c, CLI, F | A, 0);
    expect(f, FLOW_TCP_CLOSING, FLOW_STATE_CLOSED);
    tcp(c, SRV, A, 1);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
}

static void test_synack_first(void **state)
{
    ctx_t *c = *state;
    flow_t *f = tcp(c, SRV, S | A, DIR_TOCLIENT);
    /* the receiver of the SYN-ACK is the client */
    assert_int_equal(f->key.port[0], 40000);
    assert_int_equal(f->key.port[1], 80);
    assert_int_equal(f->key.addr[0].b[3], 1);
    assert_int_equal(f->key.addr[1].b[3], 2);
    assert_int_equal(f->pkts[DIR_TOSERVER], 0);
    assert_int_equal(f->pkts[DIR_TOCLIENT], 1);
    assert_int_equal(f->tcp_flags[DIR_TOCLIENT], S | A);
    assert_false(f->flags & FLOW_F_MIDSTREAM);
    expect(f, FLOW_TCP_SYN_RECV, FLOW_STATE_NEW);
    assert_ptr_equal(tcp(c, CLI, A, DIR_TOSERVER), f);
    expect(f, FLOW_TCP_ESTABLISHED, FLOW_STATE_ESTABLISHED);
}

static void test_midstream(void **state)
{
    ctx_t *c = *state;
    flow_t *f = tcp(c, CLI, P | A, DIR_TOSERVER);
    assert_true(f->flags & FLOW_F_MIDSTREAM);
    expect(f, FLOW_TCP_NONE, FLOW_STATE_NEW);
    tcp(c, CLI, P | A, DIR_TOSERVER);
    expect(f, FLOW_TCP_NONE, FLOW_STATE_NEW);
    tcp(c, SRV, A, DIR_TOCLIENT);
    expect(f, FLOW_TCP_ESTABLISHED, FLOW_STATE_ESTABLISHED);
    tcp(c, SRV, F | A, DIR_TOCLIENT);
    expect(f, FLOW_TCP_FIN_WAIT, FLOW_STATE_ESTABLISHED);
    assert_true(f->flags & FLOW_F_MIDSTREAM);
}

/* Picked up mid-stream from the server's side: the first sender is the client. */
static void test_midstream_from_server(void **state)
{
    ctx_t *c = *state;
    flow_t *f = tcp(c, SRV, P | A, DIR_TOSERVER);
    assert_int_equal(f->key.port[0], 80);
    assert_int_equal(f->key.port[1], 40000);
    tcp(c, CLI, A, DIR_TOCLIENT);
    expect(f, FLOW_TCP_ESTABLISHED, FLOW_STATE_ESTABLISHED);
}

/* Caught during teardown: FINs seen before both sides were seen still count. */
static void test_midstream_fin(void **state)
{
    ctx_t *c = *state;
    flow_t *f = tcp(c, CLI, F | A, 0);
    expect(f, FLOW_TCP_NONE, FLOW_STATE_NEW);
    tcp(c, SRV, F | A, 1);
    expect(f, FLOW_TCP_CLOSING, FLOW_STATE_CLOSED);
    tcp(c, CLI, A, 0);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
}

static void test_rst_everywhere(void **state)
{
    ctx_t *c = *state;
    /* refused: SYN, RST-ACK */
    flow_t *f = tcp(c, CLI, S, 0);
    tcp(c, SRV, R | A, 1);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
    flow_table_flush(c->ft, FLOW_END_SHUTDOWN);

    /* reset in SYN_RECV */
    f = tcp(c, CLI, S, 0);
    tcp(c, SRV, S | A, 1);
    tcp(c, CLI, R, 0);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
    flow_table_flush(c->ft, FLOW_END_SHUTDOWN);

    /* reset while established */
    f = tcp(c, CLI, S, 0);
    tcp(c, SRV, S | A, 1);
    tcp(c, CLI, A, 0);
    tcp(c, SRV, R | A, 1);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
    flow_table_flush(c->ft, FLOW_END_SHUTDOWN);

    /* reset after one FIN */
    f = tcp(c, CLI, S, 0);
    tcp(c, SRV, S | A, 1);
    tcp(c, CLI, A, 0);
    tcp(c, CLI, F | A, 0);
    tcp(c, SRV, R, 1);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
    flow_table_flush(c->ft, FLOW_END_SHUTDOWN);

    /* a lone RST is a mid-stream flow that is already closed */
    f = tcp(c, SRV, R, 0);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
    assert_true(f->flags & FLOW_F_MIDSTREAM);
    flow_table_flush(c->ft, FLOW_END_SHUTDOWN);
    assert_int_equal(c->ended.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(c->ended.tcp_state[i], FLOW_TCP_CLOSED);
}

static void test_port_reuse(void **state)
{
    ctx_t *c = *state;
    const flow_stats_t *st = flow_table_stats(c->ft);
    flow_t *f = tcp(c, CLI, S, 0);
    tcp(c, SRV, S | A, 1);
    tcp(c, CLI, A, 0);
    tcp(c, CLI, S, 0); /* a SYN on an open connection is no reuse */
    tcp(c, CLI, F | A, 0);
    tcp(c, CLI, S, 0); /* nor while one FIN is out */
    expect(f, FLOW_TCP_FIN_WAIT, FLOW_STATE_ESTABLISHED);
    tcp(c, SRV, F | A, 1);
    tcp(c, CLI, A, 0);
    expect(f, FLOW_TCP_CLOSED, FLOW_STATE_CLOSED);
    tcp(c, SRV, S | A, 1); /* a SYN-ACK on a closed flow is no reuse */
    assert_int_equal(st->reused, 0);
    uint64_t old_id = f->flow_id;
    uint64_t old_pkts = f->pkts[0] + f->pkts[1];
    assert_int_equal(old_pkts, 9);

    flow_t *g = tcp(c, CLI, S, DIR_TOSERVER);
    assert_int_equal(c->ended.n, 1);
    assert_int_equal(c->ended.id[0], old_id);
    assert_int_equal(c->ended.reason[0], FLOW_END_REUSED);
    assert_int_equal(c->ended.tcp_state[0], FLOW_TCP_CLOSED);
    assert_int_not_equal(g->flow_id, old_id);
    assert_int_equal(g->pkts[0], 1);
    assert_int_equal(g->pkts[1], 0);
    assert_int_equal(g->tcp_flags[0], S);
    expect(g, FLOW_TCP_SYN_SENT, FLOW_STATE_NEW);
    assert_int_equal(st->reused, 1);
    assert_int_equal(st->created, 2);
    assert_int_equal(st->ended, 1);
    assert_int_equal(st->active, 1);
    tcp(c, SRV, S | A, DIR_TOCLIENT);
    tcp(c, CLI, A, DIR_TOSERVER);
    expect(g, FLOW_TCP_ESTABLISHED, FLOW_STATE_ESTABLISHED);

    /* after a reset the former server may open the next connection */
    tcp(c, SRV, R, DIR_TOCLIENT);
    flow_t *h = tcp(c, SRV, S, DIR_TOSERVER);
    assert_int_equal(h->key.port[0], 80);
    assert_int_equal(st->reused, 2);
}

/* The packet that closes a flow may be seen after 59 s, the flow still ends
 * on the closed timeout counted from its last packet. */
static void test_tcp_timeouts(void **state)
{
    ctx_t *c = *state;
    ended_t *e = &c->ended;
    flow_table_t *ft = c->ft;

    /* new: SYN only */
    flow_t *f = tcp(c, CLI, S, 0);
    uint64_t id = f->flow_id;
    int64_t last = f->last_usec;
    flow_table_expire(ft, last + 60 * SEC);
    assert_int_equal(e->n, 0);
    flow_table_expire(ft, last + 60 * SEC + 1);
    assert_int_equal(e->n, 1);
    assert_int_equal(e->id[0], id);
    assert_int_equal(e->reason[0], FLOW_END_TIMEOUT);
    c->now = last + 61 * SEC;

    /* SYN_RECV is still new */
    f = tcp(c, CLI, S, 0);
    f = tcp(c, SRV, S | A, 1);
    last = f->last_usec;
    flow_table_expire(ft, last + 60 * SEC);
    assert_int_equal(e->n, 1);
    flow_table_expire(ft, last + 60 * SEC + 1);
    assert_int_equal(e->n, 2);
    c->now = last + 61 * SEC;

    /* established: 600 s, also with one FIN out */
    f = tcp(c, CLI, S, 0);
    tcp(c, SRV, S | A, 1);
    tcp(c, CLI, A, 0);
    tcp(c, CLI, F | A, 0);
    last = f->last_usec;
    flow_table_expire(ft, last + 600 * SEC);
    assert_int_equal(e->n, 2);
    /* closing: both FINs, 60 s */
    c->now = last + 599 * SEC;
    tcp(c, SRV, F | A, 1);
    expect(f, FLOW_TCP_CLOSING, FLOW_STATE_CLOSED);
    last = f->last_usec;
    flow_table_expire(ft, last + 60 * SEC);
    assert_int_equal(e->n, 2);
    flow_table_expire(ft, last + 60 * SEC + 1);
    assert_int_equal(e->n, 3);
    assert_int_equal(e->tcp_state[2], FLOW_TCP_CLOSING);
    c->now = last + 61 * SEC;

    /* established flow times out after 600 s */
    f = tcp(c, CLI, S, 0);
    tcp(c, SRV, S | A, 1);
    tcp(c, CLI, A, 0);
    last = f->last_usec;
    flow_table_expire(ft, last + 600 * SEC);
    assert_int_equal(e->n, 3);
    flow_table_expire(ft, last + 600 * SEC + 1);
    assert_int_equal(e->n, 4);
    assert_int_equal(e->tcp_state[3], FLOW_TCP_ESTABLISHED);
    assert_int_equal(flow_table_stats(ft)->timed_out, 4);
}

/* A closed timeout of 0 ends the flow at the next expiry pass. */
static void test_closed_timeout_zero(void **state)
{
    (void)state;
    ctx_t c = {0};
    flow_config_t cfg;
    flow_config_defaults(&cfg);
    cfg.max_flows = 4;
    cfg.timeouts[FLOW_PROTO_TCP].closed_ms = 0;
    c.ft = flow_table_new(&cfg, record_end, &c.ended);
    assert_non_null(c.ft);
    c.now = 50 * SEC;
    flow_t *f = tcp(&c, CLI, S, 0);
    tcp(&c, SRV, R | A, 1);
    flow_table_expire(c.ft, f->last_usec);
    assert_int_equal(c.ended.n, 1);
    assert_int_equal(c.ended.reason[0], FLOW_END_TIMEOUT);
    flow_table_free(c.ft);
}

/* TCP flags in a non-TCP packet are not looked at. */
static void test_udp_ignores_flags(void **state)
{
    ctx_t *c = *state;
    packet_t p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    p.ip_proto = 17;
    p.src.b[0] = 10, p.dst.b[0] = 11;
    p.tcp_flags = S | R;
    int dir;
    flow_t *f = flow_table_packet(c->ft, &p, &dir);
    assert_non_null(f);
    assert_int_equal(f->tcp_flags[0], 0);
    assert_int_equal(f->tcp_state, FLOW_TCP_NONE);
    assert_int_equal(f->flags, 0);
    assert_int_equal(flow_eve_state(f), FLOW_STATE_NEW);
}

static void test_names(void **state)
{
    (void)state;
    const char *want[] = {"none",     "syn_sent", "syn_recv", "established",
                          "fin_wait", "closing",  "closed"};
    for (int i = 0; i < FLOW_TCP_STATE_COUNT; i++)
        assert_string_equal(flow_tcp_state_name((flow_tcp_state_t)i), want[i]);
    assert_string_equal(flow_tcp_state_name(FLOW_TCP_STATE_COUNT), "unknown");
    assert_string_equal(flow_state_name(FLOW_STATE_NEW), "new");
    assert_string_equal(flow_state_name(FLOW_STATE_ESTABLISHED), "established");
    assert_string_equal(flow_state_name(FLOW_STATE_CLOSED), "closed");
    assert_string_equal(flow_state_name((flow_state_t)9), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_handshake_and_teardown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fin_fin_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synack_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_midstream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_midstream_from_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_midstream_fin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rst_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_timeouts, setup, teardown),
        cmocka_unit_test(test_closed_timeout_zero),
        cmocka_unit_test_setup_teardown(test_udp_ignores_flags, setup, teardown),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
