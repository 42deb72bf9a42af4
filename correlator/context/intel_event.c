/* intel_event.c -- the indicators one EVE event touches (see intel.h). */
#include <stdio.h>
#include <string.h>

#include "intel_int.h"
#include "json_reader.h"

#define EV_MAX_ARRAY 64 /* dns queries/answers looked at per event */

typedef struct ev {
    const intel_set_t *set;
    const corr_doc_t *d;
    int64_t ts;
    intel_hit_t *hits;
    size_t n, max;
} ev_t;

/* Keep the k hits just written at hits[n..] that name an indicator not
 * already listed. */
static void keep_new(ev_t *e, size_t k)
{
    size_t end = e->n + k;
    for (size_t i = e->n; i < end; i++) {
        bool seen = false;
        for (size_t j = 0; j < e->n && !seen; j++)
            seen = e->hits[j].id == e->hits[i].id;
        if (!seen) e->hits[e->n++] = e->hits[i];
    }
}

/* Member `key` of the object at index obj (-1: none), or NULL. The event's
 * objects (dns, http, tls, fileinfo) are found once per event, not once
 * per field. */
static const json_tok_t *sub(const ev_t *e, int obj, const char *key)
{
    const corr_doc_t *d = e->d;
    int v = obj < 0    ? -1
            : obj == 0 ? corr_doc_member(d, key, strlen(key))
                       : json_object_find(d->s, d->toks, d->ntoks, obj, key, strlen(key));
    return v < 0 ? NULL : &d->toks[v];
}

/* Index of a top-level member, -1 when absent. */
static int top(const ev_t *e, const char *key)
{
    return corr_doc_member(e->d, key, strlen(key));
}

static bool str_of(const ev_t *e, const json_tok_t *t, char *buf, size_t cap, size_t *len)
{
    return t && t->type == JSON_STRING && json_tok_string(e->d->s, t, buf, cap, len) == JSON_OK;
}

static void match_ip(ev_t *e, const json_tok_t *t, const char *field)
{
    char buf[CTX_IP_STRLEN];
    size_t len;
    ctx_ip_t a;
    if (e->n >= e->max || !str_of(e, t, buf, sizeof(buf), &len) || !ctx_ip_parse(buf, len, &a))
        return;
    keep_new(e, intel_match_ip(e->set, a, e->ts, field, e->hits + e->n, e->max - e->n));
}

static void match_domain(ev_t *e, const json_tok_t *t, const char *field)
{
    char buf[INTEL_MAX_DOMAIN + 2];
    size_t len;
    if (e->n >= e->max || !str_of(e, t, buf, sizeof(buf), &len)) return;
    keep_new(e, intel_match_domain(e->set, buf, len, e->ts, field, e->hits + e->n, e->max - e->n));
}

static void match_hash(ev_t *e, intel_type_t type, const json_tok_t *t, const char *path)
{
    char buf[72];
    size_t len;
    if (e->n >= e->max || !str_of(e, t, buf, sizeof(buf), &len)) return;
    keep_new(e,
             intel_match_hash(e->set, type, buf, len, e->ts, path, e->hits + e->n, e->max - e->n));
}

/* Elements of an array (objects), each member `key` handed on. */
static void each(ev_t *e, const json_tok_t *arr, const char *key, const char *field,
                 void (*fn)(ev_t *, const json_tok_t *, const char *))
{
    if (!arr || arr->type != JSON_ARRAY) return;
    const json_tok_t *toks = e->d->toks;
    int a = (int)(arr - toks);
    for (int i = a + 1, m = 0; m < toks[a].size && m < EV_MAX_ARRAY; m++, i = toks[i].next) {
        if (toks[i].type != JSON_OBJECT) continue;
        int v = json_object_find(e->d->s, toks, e->d->ntoks, i, key, strlen(key));
        if (v >= 0) fn(e, &toks[v], field);
    }
}

/* dns.answers[]: rdata is an address for A/AAAA, a name for CNAME. */
static void match_answers(ev_t *e, const json_tok_t *arr)
{
    if (!arr || arr->type != JSON_ARRAY) return;
    const json_tok_t *toks = e->d->toks;
    const char *s = e->d->s;
    int a = (int)(arr - toks);
    for (int i = a + 1, m = 0; m < toks[a].size && m < EV_MAX_ARRAY; m++, i = toks[i].next) {
        if (toks[i].type != JSON_OBJECT) continue;
        int t = json_object_find(s, toks, e->d->ntoks, i, "rrtype", 6);
        int r = json_object_find(s, toks, e->d->ntoks, i, "rdata", 5);
        if (t < 0 || r < 0) continue;
        if (json_tok_eq(s, &toks[t], "A") || json_tok_eq(s, &toks[t], "AAAA"))
            match_ip(e, &toks[r], "dns.answers[].rdata");
        else if (json_tok_eq(s, &toks[t], "CNAME"))
            match_domain(e, &toks[r], "dns.answers[].rdata");
    }
}

static bool port_of(const ev_t *e, const json_tok_t *t, int64_t *port)
{
    return t && json_tok_int64(e->d->s, t, port) == JSON_OK && *port > 0 && *port <= 65535;
}

/* http.url is a path ("/x?y") for ordinary requests and absolute for
 * proxy requests; the former is completed from the Host header and the
 * port the request went to. */
static void match_http_url(ev_t *e, int http)
{
    char path[INTEL_MAX_URL + 1], host[INTEL_MAX_DOMAIN + 2], url[INTEL_MAX_URL + 1];
    size_t plen, hlen;
    if (e->n >= e->max || e->set->exact[INTEL_URL].count == 0 ||
        !str_of(e, sub(e, http, "url"), path, sizeof(path), &plen) || plen == 0)
        return;
    if (path[0] != '/') {
        keep_new(e, intel_match_url(e->set, path, plen, e->ts, "http.url", e->hits + e->n,
                                    e->max - e->n));
        return;
    }
    if (!str_of(e, sub(e, http, "hostname"), host, sizeof(host), &hlen) || hlen == 0) return;
    int64_t port = 80;
    if (!port_of(e, sub(e, http, "http_port"), &port)) port_of(e, sub(e, 0, "dest_port"), &port);
    bool v6 = memchr(host, ':', hlen) && host[0] != '[';
    int k = snprintf(url, sizeof(url), "http://%s%s%s:%d%s", v6 ? "[" : "", host, v6 ? "]" : "",
                     (int)port, path);
    if (k < 0 || (size_t)k >= sizeof(url)) return;
    keep_new(e, intel_match_url(e->set, url, (size_t)k, e->ts, "http.url", e->hits + e->n,
                                e->max - e->n));
}

size_t intel_match_event(const intel_set_t *set, const corr_doc_t *eve, int64_t ts_usec,
                         intel_hit_t *hits, size_t max)
{
    if (!set || !set->finished || set->n == 0 || !eve || !eve->s || !eve->toks || eve->ntoks < 1 ||
        eve->toks[0].type != JSON_OBJECT || max == 0)
        return 0;
    ev_t e = {set, eve, ts_usec, hits, 0, max};
    int dns = top(&e, "dns"), http = top(&e, "http"), tls = top(&e, "tls");
    const json_tok_t *ja3 = sub(&e, tls, "ja3");
    match_ip(&e, sub(&e, 0, "src_ip"), "src_ip");
    match_ip(&e, sub(&e, 0, "dest_ip"), "dest_ip");
    match_domain(&e, sub(&e, dns, "rrname"), "dns.rrname");
    each(&e, sub(&e, dns, "query"), "rrname", "dns.query[].rrname", match_domain);
    each(&e, sub(&e, dns, "queries"), "rrname", "dns.queries[].rrname", match_domain);
    match_answers(&e, sub(&e, dns, "answers"));
    match_domain(&e, sub(&e, http, "hostname"), "http.hostname");
    match_domain(&e, sub(&e, tls, "sni"), "tls.sni");
    match_http_url(&e, http);
    match_hash(&e, INTEL_JA3, sub(&e, ja3 ? (int)(ja3 - eve->toks) : -1, "hash"), "tls.ja3.hash");
    match_hash(&e, INTEL_SHA256, sub(&e, top(&e, "fileinfo"), "sha256"), "fileinfo.sha256");
    return e.n;
}
