/* report_config.c -- see report_config.h. */
#include "report/report_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void report_settings_defaults(report_settings_t *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->profiles_dir, sizeof(s->profiles_dir), "%s", REPORT_DEFAULT_PROFILES_DIR);
    snprintf(s->assets, sizeof(s->assets), "%s", REPORT_DEFAULT_ASSETS);
}

/* A path: any string without control characters ("" allowed). */
static bool path_key(const cfg_node_t *map, const char *key, char *dst, size_t cap, char *err,
                     size_t errlen)
{
    char tmp[REPORT_PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", dst);
    if (!cfg_get_strbuf(map, key, tmp, cap < sizeof(tmp) ? cap : sizeof(tmp), err, errlen))
        return false;
    for (const char *p = tmp; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            cfg_node_error(cfg_node_get(map, key), err, errlen,
                           "expected a path without control characters");
            return false;
        }
    snprintf(dst, cap, "%s", tmp);
    return true;
}

static bool apply_contact(const cfg_node_t *reports, report_settings_t *s, char *err, size_t errlen)
{
    static const char *const keys[] = {"name", "phone", "email", NULL};
    const cfg_node_t *c;
    return cfg_get_map(reports, "contact", &c, err, errlen) &&
           cfg_check_keys(c, keys, err, errlen) &&
           report_cfg_text(c, "name", false, s->contact_name, sizeof(s->contact_name), err,
                           errlen) &&
           report_cfg_text(c, "phone", false, s->contact_phone, sizeof(s->contact_phone), err,
                           errlen) &&
           report_cfg_text(c, "email", false, s->contact_email, sizeof(s->contact_email), err,
                           errlen);
}

bool report_settings_apply(report_settings_t *out, const cfg_t *cfg, char *err, size_t errlen)
{
    static const char *const keys[] = {"profile", "profiles-dir", "owner", "unit",
                                       "place",   "contact",      NULL};
    const cfg_node_t *root = cfg_root(cfg), *reports, *corr;
    report_settings_t *s = malloc(sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    *s = *out;
    bool ok =
        cfg_get_map(root, "reports", &reports, err, errlen) &&
        cfg_check_keys(reports, keys, err, errlen) &&
        path_key(reports, "profile", s->profile, sizeof(s->profile), err, errlen) &&
        path_key(reports, "profiles-dir", s->profiles_dir, sizeof(s->profiles_dir), err, errlen) &&
        report_cfg_text(reports, "owner", false, s->owner, sizeof(s->owner), err, errlen) &&
        report_cfg_text(reports, "unit", false, s->unit, sizeof(s->unit), err, errlen) &&
        report_cfg_text(reports, "place", false, s->place, sizeof(s->place), err, errlen) &&
        apply_contact(reports, s, err, errlen) &&
        cfg_get_map(root, "correlator", &corr, err, errlen) &&
        path_key(corr, "assets", s->assets, sizeof(s->assets), err, errlen);
    if (ok) *out = *s;
    free(s);
    return ok;
}

bool report_settings_load(report_settings_t *s, const char *path, char *err, size_t errlen)
{
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return false;
    bool ok = report_settings_apply(s, cfg, err, errlen);
    cfg_free(cfg);
    return ok;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool report_profile_path(const report_settings_t *s, const char *which, char *out, size_t cap,
                         char *err, size_t errlen)
{
    const char *v = which ? which : s->profile;
    out[0] = '\0';
    if (!v[0]) return true;
    int n;
    if (strchr(v, '/') || ends_with(v, ".yml") || ends_with(v, ".yaml")) {
        n = snprintf(out, cap, "%s", v);
    } else {
        for (const char *p = v; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
                snprintf(err, errlen,
                         "profile '%.64s': a name is a-z, 0-9, _ and - (or give a path)", v);
                return false;
            }
        n = snprintf(out, cap, "%s/%s.yml", s->profiles_dir, v);
    }
    if (n < 0 || (size_t)n >= cap) {
        snprintf(err, errlen, "profile '%.64s...': path too long", v);
        out[0] = '\0';
        return false;
    }
    return true;
}
