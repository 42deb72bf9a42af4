/* fwd_stix_addr.c -- the incident's addresses: an ipv4-addr/ipv6-addr SCO
 * each, one observed-data over all of them, and per source address an
 * indicator and a sighting of it. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_stix_int.h"
#include "fwd_uuid.h"

#define STX_MAX_OBSERVED 999999999 /* STIX: number_observed and count top out here */

/* The canonical text of an address string element, or false. */
static bool canonical(const fwd_incdoc_t *d, int i, stx_addr_t *a)
{
    char b[STX_IP_MAX];
    unsigned char bin[16];
    if (d->toks[i].type != JSON_STRING ||
        json_tok_string(d->s, &d->toks[i], b, sizeof(b), NULL) != JSON_OK)
        return false;
    a->v6 = inet_pton(AF_INET, b, bin) != 1;
    if (a->v6 && inet_pton(AF_INET6, b, bin) != 1) return false;
    return inet_ntop(a->v6 ? AF_INET6 : AF_INET, bin, a->ip, sizeof(a->ip)) != NULL;
}

static size_t capped_size(const fwd_incdoc_t *d, int a)
{
    if (a < 0) return 0;
    return d->toks[a].size < FWD_STIX_MAX_ADDRS ? (size_t)d->toks[a].size : FWD_STIX_MAX_ADDRS;
}

static void add_list(stx_t *x, int a, bool src)
{
    const fwd_incdoc_t *d = x->d;
    size_t n = capped_size(d, a);
    for (int i = a + 1, k = 0; (size_t)k < n; k++, i = d->toks[i].next) {
        stx_addr_t *e = &x->addrs[x->naddrs];
        memset(e, 0, sizeof(*e));
        if (!canonical(d, i, e)) continue; /* not an address: stays in the extension only */
        e->src = src;
        e->dst = !src;
        x->naddrs++;
    }
}

static int addr_cmp(const void *pa, const void *pb)
{
    const stx_addr_t *a = pa, *b = pb;
    if (a->v6 != b->v6) return a->v6 ? 1 : -1;
    return strcmp(a->ip, b->ip);
}

/* SCO ids per STIX 2.1 section 2.9: UUIDv5 in the SCO namespace of the
 * JCS-canonical object of the ID contributing properties, {"value":...}. */
static bool sco_id(stx_addr_t *a)
{
    char name[STX_IP_MAX + 16], uuid[FWD_UUID_STR];
    int n = snprintf(name, sizeof(name), "{\"value\":\"%s\"}", a->ip);
    if (n < 0 || (size_t)n >= sizeof(name) ||
        !fwd_uuid_v5(fwd_uuid_ns_stix_sco, name, (size_t)n, uuid))
        return false;
    snprintf(a->sco, sizeof(a->sco), "%s--%s", a->v6 ? "ipv6-addr" : "ipv4-addr", uuid);
    return true;
}

bool stx_addrs_collect(stx_t *x)
{
    const fwd_incdoc_t *d = x->d;
    int src = fwd_incdoc_array(d, "src_ips"), dst = fwd_incdoc_array(d, "dest_ips");
    size_t cap = capped_size(d, src) + capped_size(d, dst);
    if (cap == 0) return true;
    x->addrs = calloc(cap, sizeof(*x->addrs));
    if (!x->addrs) return false;
    add_list(x, src, true);
    add_list(x, dst, false);
    qsort(x->addrs, x->naddrs, sizeof(*x->addrs), addr_cmp);
    size_t out = 0; /* merge an address seen as source and destination */
    for (size_t i = 0; i < x->naddrs; i++) {
        if (out && addr_cmp(&x->addrs[out - 1], &x->addrs[i]) == 0) {
            x->addrs[out - 1].src |= x->addrs[i].src;
            x->addrs[out - 1].dst |= x->addrs[i].dst;
            continue;
        }
        x->addrs[out++] = x->addrs[i];
    }
    x->naddrs = out;
    for (size_t i = 0; i < x->naddrs; i++)
        if (!sco_id(&x->addrs[i])) return false;
    return true;
}

static void sco(stx_t *x, const stx_addr_t *a)
{
    jw_object_open(x->w);
    jw_kstr(x->w, "type", a->v6 ? "ipv6-addr" : "ipv4-addr");
    jw_kstr(x->w, "spec_version", "2.1");
    jw_kstr(x->w, "id", a->sco);
    jw_kstr(x->w, "value", a->ip);
    stx_ref(x, a->sco);
    stx_close_marked(x, x->tlp_id);
}

static void observed_data(stx_t *x)
{
    if (!stx_make_idf(x->observed, "observed-data", "observed-data/%s", x->d->id)) {
        x->failed = true;
        x->observed[0] = '\0';
        return;
    }
    stx_sdo_open(x, "observed-data", x->observed);
    jw_kstr(x->w, "first_observed", x->first);
    jw_kstr(x->w, "last_observed", x->last);
    uint64_t n = x->count ? x->count : 1;
    jw_kuint(x->w, "number_observed", n > STX_MAX_OBSERVED ? STX_MAX_OBSERVED : n);
    jw_karray_open(x->w, "object_refs");
    for (size_t i = 0; i < x->naddrs; i++)
        jw_str(x->w, x->addrs[i].sco);
    jw_array_close(x->w);
    stx_close_marked(x, x->tlp_id);
}

static void indicator(stx_t *x, const stx_addr_t *a, const char *id)
{
    char text[STX_IP_MAX + 64];
    stx_sdo_open(x, "indicator", id);
    snprintf(text, sizeof(text), "%s: source of %s", a->ip, x->d->id);
    jw_kstr(x->w, "name", text);
    jw_karray_open(x->w, "indicator_types");
    jw_str(x->w, "malicious-activity");
    jw_array_close(x->w);
    /* canonical addresses hold no quote or backslash to escape */
    snprintf(text, sizeof(text), "[%s:value = '%s']", a->v6 ? "ipv6-addr" : "ipv4-addr", a->ip);
    jw_kstr(x->w, "pattern", text);
    jw_kstr(x->w, "pattern_type", "stix");
    jw_kstr(x->w, "pattern_version", "2.1");
    jw_kstr(x->w, "valid_from", x->first);
    stx_kill_chain(x);
    stx_close_marked(x, x->tlp_id);
}

static void sighting(stx_t *x, const char *id, const char *indicator_id)
{
    stx_sdo_open(x, "sighting", id);
    jw_kstr(x->w, "first_seen", x->first);
    jw_kstr(x->w, "last_seen", x->last);
    if (x->count)
        jw_kuint(x->w, "count", x->count > STX_MAX_OBSERVED ? STX_MAX_OBSERVED : x->count);
    jw_kstr(x->w, "sighting_of_ref", indicator_id);
    jw_karray_open(x->w, "observed_data_refs");
    jw_str(x->w, x->observed);
    jw_array_close(x->w);
    jw_karray_open(x->w, "where_sighted_refs");
    jw_str(x->w, x->identity);
    jw_array_close(x->w);
    stx_close_marked(x, x->tlp_id);
}

void stx_addr_objects(stx_t *x)
{
    if (x->naddrs == 0) return;
    for (size_t i = 0; i < x->naddrs; i++)
        sco(x, &x->addrs[i]);
    observed_data(x);
    if (!x->observed[0]) return;
    char ind[STX_ID_MAX], sig[STX_ID_MAX];
    for (size_t i = 0; i < x->naddrs; i++) {
        const stx_addr_t *a = &x->addrs[i];
        if (!a->src || (!x->o->indicators_all && fwd_ip_internal(a->ip))) continue;
        if (!stx_make_idf(ind, "indicator", "indicator/%s/%s", x->d->id, a->ip) ||
            !stx_make_idf(sig, "sighting", "sighting/%s/%s", x->d->id, a->ip)) {
            x->failed = true;
            return;
        }
        indicator(x, a, ind);
        sighting(x, sig, ind);
    }
}
