/* capture.c -- libpcap offline and live sources behind one interface. */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct capture {
    pcap_t *pcap;
    FILE *file; /* offline: our own handle, so we can report progress */
    uint64_t file_size;
    bool live;
    int fd; /* live: selectable descriptor, polled when no frame is ready */
    char errbuf[PCAP_ERRBUF_SIZE + 256];
};

static capture_t *open_offline(const capture_config_t *cfg, char *err, size_t errlen)
{
    capture_t *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "%s: out of memory", cfg->file);
        return NULL;
    }
    c->file = fopen(cfg->file, "rb");
    if (!c->file) {
        snprintf(err, errlen, "%s: cannot open: %s", cfg->file, strerror(errno));
        free(c);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(c->file), &st) == 0) c->file_size = (uint64_t)st.st_size;
    char pe[PCAP_ERRBUF_SIZE] = "";
    /* Microsecond timestamps whatever the file holds (pcapng may be ns). */
    c->pcap = pcap_fopen_offline_with_tstamp_precision(c->file, PCAP_TSTAMP_PRECISION_MICRO, pe);
    if (!c->pcap) {
        snprintf(err, errlen, "%s: not a readable pcap or pcapng file: %s", cfg->file, pe);
        fclose(c->file);
        free(c);
        return NULL;
    }
    return c;
}

#define CAPTURE_WAIT_MS 10

static int activate_live(capture_t *c, const capture_config_t *cfg, char *err, size_t errlen)
{
    pcap_t *p = c->pcap;
    pcap_set_snaplen(p, cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_DEFAULT_SNAPLEN);
    pcap_set_promisc(p, cfg->promisc ? 1 : 0);
    /* ms: how long the kernel may hold a block of packets (TPACKET_V3);
     * short, so an alert leaves the sensor within a few ms of its packet */
    pcap_set_timeout(p, CAPTURE_WAIT_MS);
    pcap_set_immediate_mode(p, 0);
    if (cfg->buffer_bytes > 0) pcap_set_buffer_size(p, cfg->buffer_bytes);
    int rc = pcap_activate(p);
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot capture: %s", cfg->iface, pcap_geterr(p));
        return -1;
    }
    /* Non-blocking plus our own poll(): with TPACKET_V3 a blocking read does
     * not return on its timeout while the link is quiet, and the timers
     * (flow expiry, stats, output flush) must run anyway. */
    char pe[PCAP_ERRBUF_SIZE] = "";
    c->fd = pcap_get_selectable_fd(p);
    if (c->fd < 0 || pcap_setnonblock(p, 1, pe) < 0) {
        snprintf(err, errlen, "%s: cannot poll the capture: %s", cfg->iface, pe);
        return -1;
    }
    return 0;
}

static int apply_filter(capture_t *c, const char *what, const char *bpf, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, errlen, "%s: bad capture filter '%s': %s", what, bpf, pcap_geterr(c->pcap));
        return -1;
    }
    int rc = pcap_setfilter(c->pcap, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot set filter: %s", what, pcap_geterr(c->pcap));
        return -1;
    }
    return 0;
}

capture_t *capture_open(const capture_config_t *cfg, char *err, size_t errlen)
{
    capture_t *c;
    const char *what = cfg->file ? cfg->file : cfg->iface;
    if (cfg->file) {
        c = open_offline(cfg, err, errlen);
        if (!c) return NULL;
    } else {
        char pe[PCAP_ERRBUF_SIZE] = "";
        c = calloc(1, sizeof(*c));
        if (!c) return NULL;
        c->live = true;
        c->pcap = pcap_create(cfg->iface, pe);
        if (!c->pcap) {
            snprintf(err, errlen, "%s: %s", cfg->iface, pe);
            free(c);
            return NULL;
        }
        if (activate_live(c, cfg, err, errlen) < 0) goto fail;
    }
    if (cfg->bpf && *cfg->bpf && apply_filter(c, what, cfg->bpf, err, errlen) < 0) goto fail;
    return c;
fail:
    capture_close(c);
    return NULL;
}

void capture_close(capture_t *c)
{
    if (!c) return;
    if (c->pcap) pcap_close(c->pcap); /* also closes c->file */
    free(c);
}

capture_result_t capture_next(capture_t *c, capture_frame_t *f)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(c->pcap, &h, &data);
    switch (rc) {
    case 1:
        f->ts_usec = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        f->data = data;
        f->caplen = h->caplen;
        f->wirelen = h->len;
        return CAPTURE_FRAME;
    case 0:
        if (c->live) {
            struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
            /* short, so the timers and the shipper's batches run on time
             * when the link is idle; EINTR on a signal is fine */
            poll(&pfd, 1, CAPTURE_WAIT_MS);
        }
        return CAPTURE_IDLE;
    case PCAP_ERROR_BREAK: return CAPTURE_EOF;
    default:
        snprintf(c->errbuf, sizeof(c->errbuf), "%s", pcap_geterr(c->pcap));
        return CAPTURE_ERROR;
    }
}

int capture_linktype(const capture_t *c)
{
    return pcap_datalink(c->pcap);
}
const char *capture_error(const capture_t *c)
{
    return c->errbuf;
}
bool capture_is_live(const capture_t *c)
{
    return c->live;
}
void capture_break(capture_t *c)
{
    pcap_breakloop(c->pcap);
}

void capture_get_stats(capture_t *c, capture_stats_t *st)
{
    struct pcap_stat ps;
    memset(st, 0, sizeof(*st));
    if (!c->live || pcap_stats(c->pcap, &ps) < 0) return;
    st->kernel_packets = ps.ps_recv;
    st->kernel_drops = ps.ps_drop;
    st->ifdrops = ps.ps_ifdrop;
    st->valid = true;
}

void capture_progress(const capture_t *c, uint64_t *pos, uint64_t *size)
{
    *size = c->file_size;
    *pos = 0;
    if (c->file) {
        long off = ftell(c->file);
        if (off > 0) *pos = (uint64_t)off;
    }
}
