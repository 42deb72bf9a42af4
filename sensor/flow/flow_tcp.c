/* flow_tcp.c -- a small TCP state machine over the flags of each packet.
 *
 * It only follows what an observer needs for flow states and timeouts: the
 * handshake, the two FINs and RST. Sequence numbers are not checked (that is
 * the stream layer's job). */
#include "flow_tcp.h"

#define SYNACK (TH_SYN | TH_ACK)

/* Once established, the FINs seen so far (OR-ed per direction) decide. */
static uint8_t fin_state(const flow_t *f)
{
    int fins = !!(f->tcp_flags[DIR_TOSERVER] & TH_FIN) + !!(f->tcp_flags[DIR_TOCLIENT] & TH_FIN);
    return fins == 2 ? FLOW_TCP_CLOSING : fins == 1 ? FLOW_TCP_FIN_WAIT : FLOW_TCP_ESTABLISHED;
}

void flow_tcp_update(flow_t *f, int dir, uint8_t flags, bool first)
{
    if (flags & TH_RST) {
        f->tcp_state = FLOW_TCP_CLOSED;
        if (first) f->flags |= FLOW_F_MIDSTREAM;
        return;
    }
    switch (f->tcp_state) {
    case FLOW_TCP_NONE:
        if (first && (flags & TH_SYN)) {
            f->tcp_state = (flags & TH_ACK) ? FLOW_TCP_SYN_RECV : FLOW_TCP_SYN_SENT;
            return;
        }
        if (first) f->flags |= FLOW_F_MIDSTREAM;
        /* mid-stream: an answer proves the connection is up */
        if (!f->pkts[DIR_TOSERVER] || !f->pkts[DIR_TOCLIENT]) return;
        break;
    case FLOW_TCP_SYN_SENT:
        if (dir == DIR_TOCLIENT && (flags & SYNACK) == SYNACK) f->tcp_state = FLOW_TCP_SYN_RECV;
        return;
    case FLOW_TCP_SYN_RECV:
        if (dir != DIR_TOSERVER || (flags & SYNACK) != TH_ACK) return;
        break;
    case FLOW_TCP_ESTABLISHED:
    case FLOW_TCP_FIN_WAIT: break;
    case FLOW_TCP_CLOSING:
        /* the ACK of the second FIN; a packet still carrying FIN is not it */
        if ((flags & (TH_FIN | TH_ACK)) == TH_ACK) f->tcp_state = FLOW_TCP_CLOSED;
        return;
    default: return;
    }
    f->tcp_state = fin_state(f);
}

flow_state_t flow_eve_state(const flow_t *f)
{
    if (f->key.proto == 6) {
        switch (f->tcp_state) {
        case FLOW_TCP_ESTABLISHED:
        case FLOW_TCP_FIN_WAIT: return FLOW_STATE_ESTABLISHED;
        case FLOW_TCP_CLOSING:
        case FLOW_TCP_CLOSED: return FLOW_STATE_CLOSED;
        default: return FLOW_STATE_NEW;
        }
    }
    return f->pkts[DIR_TOSERVER] && f->pkts[DIR_TOCLIENT] ? FLOW_STATE_ESTABLISHED : FLOW_STATE_NEW;
}

const char *flow_state_name(flow_state_t s)
{
    static const char *const names[] = {"new", "established", "closed"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

const char *flow_tcp_state_name(flow_tcp_state_t s)
{
    static const char *const names[FLOW_TCP_STATE_COUNT] = {
        "none", "syn_sent", "syn_recv", "established", "fin_wait", "closing", "closed"};
    return (unsigned)s < FLOW_TCP_STATE_COUNT ? names[s] : "unknown";
}
