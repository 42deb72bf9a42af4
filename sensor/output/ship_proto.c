/* ship_proto.c -- pure helpers of the shipper: the --ingest address, the
 * reconnect backoff and the HELLO fields. */
#include "ship.h"

#include <stdio.h>
#include <string.h>

int ship_parse_server(const char *s, char *host, size_t hostlen, uint16_t *port, char *err,
                      size_t errlen)
{
    const char *h = s, *hend, *p;
    if (!s || !*s) {
        snprintf(err, errlen, "empty address (expected HOST:PORT)");
        return -1;
    }
    if (s[0] == '[') { /* [v6]:port */
        h = s + 1;
        hend = strchr(h, ']');
        if (!hend || hend[1] != ':') {
            snprintf(err, errlen, "'%s': expected [ADDRESS]:PORT", s);
            return -1;
        }
        p = hend + 2;
    } else {
        hend = strrchr(s, ':');
        if (!hend) {
            snprintf(err, errlen, "'%s': no port (expected HOST:PORT)", s);
            return -1;
        }
        if (memchr(s, ':', (size_t)(hend - s))) {
            snprintf(err, errlen, "'%s': an IPv6 address needs brackets: [ADDRESS]:PORT", s);
            return -1;
        }
        p = hend + 1;
    }
    size_t hl = (size_t)(hend - h);
    if (hl == 0 || hl >= hostlen) {
        snprintf(err, errlen, "'%s': %s host", s, hl ? "too long a" : "empty");
        return -1;
    }
    unsigned long v = 0;
    const char *q = p;
    for (; *q >= '0' && *q <= '9' && v <= 65535; q++)
        v = v * 10 + (unsigned long)(*q - '0');
    if (q == p || *q || v == 0 || v > 65535) {
        snprintf(err, errlen, "'%s': port must be 1..65535", s);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (uint16_t)v;
    return 0;
}

uint32_t ship_backoff_ms(enum ship_backoff cls, unsigned attempt, uint32_t rnd)
{
    uint32_t base, cap;
    switch (cls) {
    case SHIP_BACKOFF_BUSY: base = 1000, cap = 60000; break;
    case SHIP_BACKOFF_LONG: base = 30000, cap = 300000; break;
    default: base = 100, cap = 10000; break;
    }
    uint64_t d = base;
    for (unsigned i = 0; i < attempt && d < cap; i++)
        d *= 2;
    if (d > cap) d = cap;
    uint64_t half = d / 2;
    return (uint32_t)(half + rnd % (d - half + 1));
}

static bool is_hex_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return false;
    return n == FRAME_ID_HEX_LEN;
}

/* Longest prefix of s (at most max bytes) that ends on a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

int ship_hello_init(struct frame_hello *h, const char *version, const char *interface,
                    const char *boot_id, const char *spool_id)
{
    memset(h, 0, sizeof(*h));
    if (!version || !*version || !interface || !*interface || !boot_id || !spool_id ||
        !is_hex_id(boot_id) || !is_hex_id(spool_id))
        return -1;
    size_t vl = utf8_cut(version, sizeof(h->version) - 1);
    memcpy(h->version, version, vl);
    const char *ifc = interface;
    if (strlen(ifc) >= sizeof(h->interface)) { /* a long capture path: its file name */
        const char *slash = strrchr(ifc, '/');
        if (slash && slash[1]) ifc = slash + 1;
    }
    size_t il = utf8_cut(ifc, sizeof(h->interface) - 1);
    if (vl == 0 || il == 0) return -1;
    memcpy(h->interface, ifc, il);
    memcpy(h->boot_id, boot_id, FRAME_ID_HEX_LEN);
    memcpy(h->spool_id, spool_id, FRAME_ID_HEX_LEN);
    return 0;
}
