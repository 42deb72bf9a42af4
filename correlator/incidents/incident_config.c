/* incident_config.c -- see incident_config.h. */
#include "incident_config.h"

#include <stdio.h>

/* Defaults: P1 15m/4h, P2 1h/1d, P3 4h/3d, P4 1d/7d, P5 3d/30d. */
static const uint64_t default_ack[INCIDENT_PRIORITIES] = {15 * 60, 3600, 4 * 3600, 86400,
                                                          3 * 86400};
static const uint64_t default_resolve[INCIDENT_PRIORITIES] = {4 * 3600, 86400, 3 * 86400, 7 * 86400,
                                                              30 * 86400};

void incident_config_defaults(incident_config_t *c)
{
    c->evidence_max = 1000;
    c->samples_max = 10;
    c->ips_max = 1000;
    c->timeline_max = 10000;
    c->link_window_sec = 3600;
    c->match_ttl_sec = 7 * 86400;
    for (int i = 0; i < INCIDENT_PRIORITIES; i++) {
        c->sla_ack_sec[i] = default_ack[i];
        c->sla_resolve_sec[i] = default_resolve[i];
    }
}

static bool get_u32(const cfg_node_t *s, const char *key, uint32_t *v, uint64_t min, uint64_t max,
                    char *err, size_t errlen)
{
    uint64_t x;
    if (!cfg_get_u64(s, key, *v, min, max, 0, &x, err, errlen)) return false;
    *v = (uint32_t)x;
    return true;
}

static bool apply_sla(const cfg_node_t *s, incident_config_t *c, char *err, size_t errlen)
{
    static const char *const prios[] = {"p1", "p2", "p3", "p4", "p5", NULL};
    static const char *const keys[] = {"acknowledge", "resolve", NULL};
    const cfg_node_t *sla;
    if (!cfg_get_map(s, "sla", &sla, err, errlen) || !cfg_check_keys(sla, prios, err, errlen))
        return false;
    for (int i = 0; sla && i < INCIDENT_PRIORITIES; i++) {
        const cfg_node_t *p;
        if (!cfg_get_map(sla, prios[i], &p, err, errlen) || !cfg_check_keys(p, keys, err, errlen) ||
            !cfg_get_duration_sec(p, "acknowledge", c->sla_ack_sec[i], INCIDENT_SLA_MIN_SEC,
                                  INCIDENT_SLA_MAX_SEC, &c->sla_ack_sec[i], err, errlen) ||
            !cfg_get_duration_sec(p, "resolve", c->sla_resolve_sec[i], INCIDENT_SLA_MIN_SEC,
                                  INCIDENT_SLA_MAX_SEC, &c->sla_resolve_sec[i], err, errlen))
            return false;
        if (c->sla_resolve_sec[i] < c->sla_ack_sec[i]) {
            /* a deadline to resolve before the one to acknowledge is a typo */
            cfg_node_error(p, err, errlen, "resolve (%llus) is shorter than acknowledge (%llus)",
                           (unsigned long long)c->sla_resolve_sec[i],
                           (unsigned long long)c->sla_ack_sec[i]);
            return false;
        }
    }
    return true;
}

bool incident_config_apply_node(incident_config_t *c, const cfg_node_t *s, char *err, size_t errlen)
{
    static const char *const keys[] = {"evidence-max", "samples-max",  "ips-max", "link-window",
                                       "match-ttl",    "timeline-max", "sla",     NULL};
    if (!s) return true;
    /* work on a copy: a file with an error changes nothing */
    incident_config_t t = *c;
    bool ok =
        cfg_check_keys(s, keys, err, errlen) &&
        get_u32(s, "evidence-max", &t.evidence_max, 1, INCIDENT_EVIDENCE_MAX_MAX, err, errlen) &&
        get_u32(s, "samples-max", &t.samples_max, 0, INCIDENT_SAMPLES_MAX_MAX, err, errlen) &&
        get_u32(s, "ips-max", &t.ips_max, 1, INCIDENT_IPS_MAX_MAX, err, errlen) &&
        get_u32(s, "timeline-max", &t.timeline_max, INCIDENT_TIMELINE_MIN, INCIDENT_TIMELINE_MAX,
                err, errlen) &&
        cfg_get_duration_sec(s, "link-window", t.link_window_sec, 0, INCIDENT_WINDOW_MAX_SEC,
                             &t.link_window_sec, err, errlen) &&
        cfg_get_duration_sec(s, "match-ttl", t.match_ttl_sec, INCIDENT_TTL_MIN_SEC,
                             INCIDENT_TTL_MAX_SEC, &t.match_ttl_sec, err, errlen) &&
        apply_sla(s, &t, err, errlen);
    if (ok) *c = t;
    return ok;
}

bool incident_config_apply(incident_config_t *c, const cfg_t *cfg, char *err, size_t errlen)
{
    const cfg_node_t *corr, *s;
    if (!cfg_get_map(cfg_root(cfg), "correlator", &corr, err, errlen) ||
        !cfg_get_map(corr, "incidents", &s, err, errlen))
        return false;
    return incident_config_apply_node(c, s, err, errlen);
}

bool incident_config_load(incident_config_t *c, const char *path, char *err, size_t errlen)
{
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return false;
    bool ok = incident_config_apply(c, cfg, err, errlen);
    cfg_free(cfg);
    return ok;
}
