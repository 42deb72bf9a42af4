/* decode.c -- decoder life cycle and the per-frame entry point. */
#include "decode.h"

#include <string.h>

#include "decode_int.h"
#include "defrag.h"

int decoder_init(decoder_t *d, const defrag_config_t *cfg)
{
    static const defrag_config_t defaults = {DEFRAG_DEFAULT_MEMCAP, DEFRAG_DEFAULT_TRACKERS,
                                             DEFRAG_DEFAULT_TIMEOUT};
    memset(d, 0, sizeof(*d));
    if (!cfg) cfg = &defaults;
    /* No trackers or no memory: reassembly is off, fragments stay HELD. */
    if (cfg->max_trackers == 0 || cfg->memcap_bytes == 0) return 0;
    d->defrag = defrag_new(cfg);
    return d->defrag ? 0 : -1;
}

void decoder_free(decoder_t *d)
{
    defrag_free(d->defrag);
    d->defrag = NULL;
}

decode_result_t decode_packet(decoder_t *d, packet_t *p)
{
    /* Keep the capture fields, clear everything derived. */
    const int64_t ts = p->ts_usec;
    const uint8_t *frame = p->frame;
    const uint32_t caplen = p->caplen, wirelen = p->wirelen;
    const int linktype = p->linktype;
    memset(p, 0, sizeof(*p));
    p->ts_usec = ts;
    p->frame = frame;
    p->caplen = frame ? caplen : 0;
    p->wirelen = wirelen;
    p->linktype = linktype;
    p->frames = 1;
    p->frames_bytes = wirelen;

    d->stats.pkts++;
    d->stats.bytes += wirelen;

    dctx_t c = {.d = d,
                .p = p,
                .base = p->frame,
                .base_off = 0,
                .wire_extra = wirelen > p->caplen ? wirelen - p->caplen : 0,
                .rebuilt = false};
    decode_result_t r = decode_link(&c);
    if (r == DECODE_NOT_IP) d->stats.not_ip++;
    /* Anything odd on a packet that otherwise decoded (an overlapping
     * fragment, a bad TCP option) still makes it an ANOMALY result. */
    if (r == DECODE_OK && p->anomaly_count) r = DECODE_ANOMALY;
    return r;
}

void decoder_expire(decoder_t *d, int64_t now_usec)
{
    if (d->defrag) defrag_expire(d->defrag, now_usec, &d->stats.anomalies[ANOM_FRAG_TIMEOUT]);
}

decode_result_t decode_fragment(dctx_t *c, const frag_desc_t *fd,
                                decode_result_t (*redecode)(dctx_t *, const uint8_t *, uint32_t))
{
    const uint8_t *out;
    uint32_t out_len;
    switch (defrag_add(c->d->defrag, &c->d->stats, c->p, fd, &out, &out_len)) {
    case DEFRAG_HELD: return DECODE_HELD;
    case DEFRAG_DROPPED: return DECODE_ANOMALY;
    case DEFRAG_COMPLETE: break;
    }
    c->d->stats.reassembled++;
    c->p->reassembled = true;
    c->base = out;
    c->base_off = fd->frame_off;
    c->wire_extra = 0;
    c->rebuilt = true;
    return redecode(c, out, out_len);
}
