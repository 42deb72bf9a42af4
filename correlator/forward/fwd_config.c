/* fwd_config.c -- see fwd_config.h. */
#include "forward/fwd_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

void fwd_config_defaults(fwd_config_t *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->redis_socket, sizeof(c->redis_socket), "/var/lib/soc/redis/redis.sock");
    snprintf(c->redis_user, sizeof(c->redis_user), "forwarder");
    snprintf(c->redis_password_file, sizeof(c->redis_password_file),
             "/var/lib/soc/redis/secrets/forwarder.pass");
    snprintf(c->rules, sizeof(c->rules), "/etc/soc/rules/correlation");
    if (gethostname(c->hostname, sizeof(c->hostname) - 1) != 0 || !c->hostname[0])
        snprintf(c->hostname, sizeof(c->hostname), "soc");
    snprintf(c->consumer, sizeof(c->consumer), "%.*s", FWD_NAME_MAX - 1, c->hostname);
    snprintf(c->identity_name, sizeof(c->identity_name), "Can Tho city SOC");
    snprintf(c->identity_class, sizeof(c->identity_class), "organization");
    snprintf(c->identity_sector, sizeof(c->identity_sector), "government-local");
    c->retry_initial_ms = 1000;
    c->retry_max_ms = 300000;
    c->queue_alarm = 10000;
}

const char *fwd_type_name(fwd_type_t t)
{
    return t == FWD_SYSLOG_TLS ? "syslog-tls" : "stix-https";
}

/* "host:port" or "[v6]:port" into host/port. */
static bool split_host_port(const cfg_node_t *n, const char *s, size_t slen, char *host,
                            size_t hostcap, uint16_t *port, char *err, size_t errlen)
{
    const char *colon, *h = s;
    size_t hlen;
    if (slen && s[0] == '[') {
        const char *close = memchr(s, ']', slen);
        if (!close || close + 1 >= s + slen || close[1] != ':') goto bad;
        h = s + 1, hlen = (size_t)(close - h), colon = close + 1;
    } else {
        colon = memrchr(s, ':', slen);
        if (!colon) goto bad;
        hlen = (size_t)(colon - s);
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (hlen == 0 || hlen >= hostcap || end != s + slen || end == colon + 1 || p < 1 || p > 65535)
        goto bad;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    return true;
bad:
    cfg_node_error(n, err, errlen, "expected HOST:PORT (port 1..65535), got '%.*s'", (int)slen, s);
    return false;
}

static bool parse_url(const cfg_node_t *n, fwd_endpoint_t *e, char *err, size_t errlen)
{
    static const char scheme[] = "https://";
    const char *u = e->url;
    if (strncmp(u, scheme, sizeof(scheme) - 1) != 0) {
        cfg_node_error(n, err, errlen, "expected an https:// URL, got '%s'", u);
        return false;
    }
    u += sizeof(scheme) - 1;
    size_t authlen = strcspn(u, "/");
    const char *path = u + authlen;
    if (!memchr(u, ':', authlen) || (u[0] == '[' && !strstr(u, "]:"))) {
        /* no port: 443 */
        if (authlen == 0 || authlen >= sizeof(e->host)) goto bad;
        size_t off = u[0] == '[' ? 1 : 0, hlen = authlen - 2 * off;
        memcpy(e->host, u + off, hlen);
        e->host[hlen] = '\0';
        e->port = 443;
    } else if (!split_host_port(n, u, authlen, e->host, sizeof(e->host), &e->port, err, errlen)) {
        return false;
    }
    snprintf(e->path, sizeof(e->path), "%s", *path ? path : "/");
    return true;
bad:
    cfg_node_error(n, err, errlen, "no host in URL '%s'", e->url);
    return false;
}

/* A list of short strings (redaction paths, tags). */
static bool get_names(const cfg_node_t *base, const char *path, char (*out)[FWD_NAME_MAX],
                      size_t max, size_t *n, char *err, size_t errlen)
{
    const cfg_node_t *seq;
    if (!cfg_get_seq(base, path, &seq, err, errlen)) return false;
    if (!seq) return true;
    for (const cfg_node_t *c = seq->child; c; c = c->next) {
        if (*n == max) {
            cfg_node_error(c, err, errlen, "at most %zu items", max);
            return false;
        }
        if (!cfg_get_strbuf(c, "", out[*n], FWD_NAME_MAX, err, errlen)) return false;
        if (!out[*n][0]) {
            cfg_node_error(c, err, errlen, "empty item");
            return false;
        }
        (*n)++;
    }
    return true;
}

static bool get_filter(const cfg_node_t *e, fwd_filter_t *f, char *err, size_t errlen)
{
    static const char *const keys[] = {"min-priority", "asset-levels", "tags", NULL};
    const cfg_node_t *m, *levels;
    uint64_t prio = 5;
    f->levels = 0x3f;
    if (!cfg_get_map(e, "filter", &m, err, errlen) || !cfg_check_keys(m, keys, err, errlen) ||
        !cfg_get_u64(m, "min-priority", prio, 1, 5, 0, &prio, err, errlen) ||
        !cfg_get_seq(m, "asset-levels", &levels, err, errlen) ||
        !get_names(m, "tags", f->tags, FWD_TAGS_MAX, &f->ntags, err, errlen))
        return false;
    f->min_priority = (int)prio;
    if (levels) {
        f->levels = 0;
        for (const cfg_node_t *c = levels->child; c; c = c->next) {
            uint64_t l;
            if (!cfg_get_u64(c, "", 0, 0, 5, 0, &l, err, errlen)) return false;
            f->levels |= (uint8_t)(1u << l);
        }
    }
    return true;
}

static bool get_tls(const cfg_node_t *n, fwd_endpoint_t *e, char *err, size_t errlen)
{
    bool ok =
        cfg_get_strbuf(n, "ca", e->ca, sizeof(e->ca), err, errlen) &&
        cfg_get_strbuf(n, "cert", e->cert, sizeof(e->cert), err, errlen) &&
        cfg_get_strbuf(n, "key", e->key, sizeof(e->key), err, errlen) &&
        cfg_get_strbuf(n, "server-name", e->server_name, sizeof(e->server_name), err, errlen) &&
        cfg_get_duration_ms(n, "timeout", &e->timeout_ms, 600000, err, errlen);
    if (ok && (!e->ca[0] || !e->cert[0] || !e->key[0])) {
        cfg_node_error(n, err, errlen, "ca, cert and key are required (mutual TLS)");
        return false;
    }
    return ok;
}

static bool get_target(const cfg_node_t *n, fwd_endpoint_t *e, char *err, size_t errlen)
{
    const char *type, *addr;
    if (!cfg_get_str(n, "type", "stix-https", &type, err, errlen)) return false;
    if (strcmp(type, "stix-https") == 0) {
        static const char *const tlps[] = {"white", "clear", "green", "amber", "red", NULL};
        e->type = FWD_STIX_HTTPS;
        bool ok = cfg_get_strbuf(n, "url", e->url, sizeof(e->url), err, errlen) &&
                  cfg_get_bool(n, "taxii", false, &e->taxii, err, errlen) &&
                  cfg_get_strbuf(n, "tlp", e->tlp, sizeof(e->tlp), err, errlen) &&
                  cfg_get_strbuf(n, "auth-file", e->auth_file, sizeof(e->auth_file), err, errlen);
        if (!ok) return false;
        size_t i = 0;
        while (tlps[i] && strcmp(tlps[i], e->tlp) != 0)
            i++;
        if (!tlps[i]) {
            cfg_node_error(cfg_node_child(n, "tlp"), err, errlen,
                           "expected white, clear, green, amber or red, got '%s'", e->tlp);
            return false;
        }
        if (!e->url[0]) {
            cfg_node_error(n, err, errlen, "url is required for type stix-https");
            return false;
        }
        return parse_url(cfg_node_child(n, "url"), e, err, errlen);
    }
    if (strcmp(type, "syslog-tls") == 0) {
        uint64_t fac = 10;
        e->type = FWD_SYSLOG_TLS;
        if (!cfg_get_str(n, "address", "", &addr, err, errlen) ||
            !cfg_get_u64(n, "facility", fac, 0, 23, 0, &fac, err, errlen))
            return false;
        e->facility = (int)fac;
        return split_host_port(cfg_node_child(n, "address") ? cfg_node_child(n, "address") : n,
                               addr, strlen(addr), e->host, sizeof(e->host), &e->port, err, errlen);
    }
    cfg_node_error(cfg_node_child(n, "type"), err, errlen,
                   "expected stix-https or syslog-tls, got '%s'", type);
    return false;
}

static bool get_endpoint(const cfg_node_t *n, fwd_config_t *c, fwd_endpoint_t *e, char *err,
                         size_t errlen)
{
    static const char *const keys[] = {
        "name",    "type",     "url",     "taxii",       "tlp",       "ca",     "cert",   "key",
        "address", "facility", "timeout", "server-name", "auth-file", "filter", "redact", NULL};
    snprintf(e->tlp, sizeof(e->tlp), "amber");
    e->timeout_ms = 10000;
    if (!cfg_check_keys(n, keys, err, errlen) ||
        !cfg_get_strbuf(n, "name", e->name, sizeof(e->name), err, errlen))
        return false;
    bool name_ok = e->name[0] != '\0';
    for (const char *p = e->name; *p; p++)
        name_ok = name_ok && (strchr("-_.", *p) || (*p >= 'a' && *p <= 'z') ||
                              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'));
    if (!name_ok) {
        cfg_node_error(n, err, errlen, "name is required: letters, digits, '-', '_', '.'");
        return false;
    }
    for (fwd_endpoint_t *o = c->endpoints; o < e; o++) {
        if (strcmp(o->name, e->name) == 0) {
            cfg_node_error(cfg_node_child(n, "name"), err, errlen, "endpoint '%s' twice", e->name);
            return false;
        }
    }
    if (!get_target(n, e, err, errlen) || !get_tls(n, e, err, errlen) ||
        !get_filter(n, &e->filter, err, errlen) ||
        !get_names(n, "redact", e->redact, FWD_REDACT_MAX, &e->nredact, err, errlen))
        return false;
    if (!e->server_name[0]) memcpy(e->server_name, e->host, sizeof(e->host));
    return true;
}

static bool get_section(const cfg_node_t *s, fwd_config_t *c, char *err, size_t errlen)
{
    static const char *const keys[] = {"redis", "rules",       "consumer",  "identity", "redact",
                                       "retry", "queue-alarm", "endpoints", "hostname", NULL};
    static const char *const rkeys[] = {"socket", "user", "password-file", NULL};
    static const char *const ikeys[] = {"name", "class", "sector", "contact", NULL};
    static const char *const tkeys[] = {"initial", "max", NULL};
    const cfg_node_t *r, *id, *retry, *eps;
    bool ok =
        cfg_check_keys(s, keys, err, errlen) && cfg_get_map(s, "redis", &r, err, errlen) &&
        cfg_check_keys(r, rkeys, err, errlen) &&
        cfg_get_strbuf(r, "socket", c->redis_socket, sizeof(c->redis_socket), err, errlen) &&
        cfg_get_strbuf(r, "user", c->redis_user, sizeof(c->redis_user), err, errlen) &&
        cfg_get_strbuf(r, "password-file", c->redis_password_file, sizeof(c->redis_password_file),
                       err, errlen) &&
        cfg_get_strbuf(s, "rules", c->rules, sizeof(c->rules), err, errlen) &&
        cfg_get_strbuf(s, "consumer", c->consumer, sizeof(c->consumer), err, errlen) &&
        cfg_get_strbuf(s, "hostname", c->hostname, sizeof(c->hostname), err, errlen) &&
        cfg_get_map(s, "identity", &id, err, errlen) && cfg_check_keys(id, ikeys, err, errlen) &&
        cfg_get_strbuf(id, "name", c->identity_name, sizeof(c->identity_name), err, errlen) &&
        cfg_get_strbuf(id, "class", c->identity_class, sizeof(c->identity_class), err, errlen) &&
        cfg_get_strbuf(id, "sector", c->identity_sector, sizeof(c->identity_sector), err, errlen) &&
        cfg_get_strbuf(id, "contact", c->identity_contact, sizeof(c->identity_contact), err,
                       errlen) &&
        get_names(s, "redact", c->redact, FWD_REDACT_MAX, &c->nredact, err, errlen) &&
        cfg_get_map(s, "retry", &retry, err, errlen) && cfg_check_keys(retry, tkeys, err, errlen) &&
        cfg_get_duration_ms(retry, "initial", &c->retry_initial_ms, 3600000, err, errlen) &&
        cfg_get_duration_ms(retry, "max", &c->retry_max_ms, 86400000, err, errlen) &&
        cfg_get_u64(s, "queue-alarm", c->queue_alarm, 1, UINT32_MAX, 0, &c->queue_alarm, err,
                    errlen) &&
        cfg_get_seq(s, "endpoints", &eps, err, errlen);
    if (!ok) return false;
    if (c->retry_initial_ms == 0) c->retry_initial_ms = 1;
    if (c->retry_max_ms < c->retry_initial_ms) c->retry_max_ms = c->retry_initial_ms;
    for (const cfg_node_t *e = eps ? eps->child : NULL; e; e = e->next) {
        if (c->nendpoints == FWD_ENDPOINTS_MAX) {
            cfg_node_error(e, err, errlen, "at most %d endpoints", FWD_ENDPOINTS_MAX);
            return false;
        }
        if (e->type != CFG_MAP) {
            cfg_node_error(e, err, errlen, "expected a mapping (an endpoint)");
            return false;
        }
        if (!get_endpoint(e, c, &c->endpoints[c->nendpoints], err, errlen)) return false;
        c->nendpoints++;
    }
    return true;
}

bool fwd_config_load(fwd_config_t *c, const char *path, char *err, size_t errlen)
{
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return false;
    const cfg_node_t *s = NULL;
    bool ok = cfg_get_map(cfg_root(cfg), "forwarder", &s, err, errlen);
    if (ok && s) ok = get_section(s, c, err, errlen);
    cfg_free(cfg);
    return ok;
}
