/* intel_feeds.c -- the feeds file (rules/intel/feeds.yml, see intel.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "intel_int.h"
#include "log.h"

#define FEEDS_MAX      256
#define FEEDS_PATH_MAX 4096

static const char *const feed_keys[] = {"name",    "file",      "format",   "type", "confidence",
                                        "expires", "min-count", "optional", NULL};

typedef struct feed_entry {
    intel_feed_t feed;
    char path[FEEDS_PATH_MAX];
    bool optional;
} feed_entry_t;

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > INTEL_MAX_SOURCE) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':'))
            return false;
    }
    return true;
}

/* A required scalar member. */
static bool required(const cfg_node_t *e, const char *key, const char **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    if (!cfg_get_str(e, key, NULL, out, err, errlen)) return false;
    if (*out) return true;
    cfg_node_error(e, err, errlen, "missing '%s'", key);
    return false;
}

static bool get_format(const cfg_node_t *e, feed_entry_t *f, char *err, size_t errlen)
{
    const char *s;
    char tmp[CTX_SHOW_MAX];
    if (!required(e, "format", &s, err, errlen)) return false;
    int fmt = intel_format_parse(s, strlen(s));
    if (fmt < 0) {
        cfg_node_error(cfg_node_child(e, "format"), err, errlen,
                       "expected plain, csv, adblock, ipsum or stix, got '%s'",
                       ctx_show(s, strlen(s), tmp));
        return false;
    }
    f->feed.format = (intel_format_t)fmt;
    if (!cfg_get_str(e, "type", NULL, &s, err, errlen)) return false;
    if (!s) return true;
    int type = intel_type_parse(s, strlen(s));
    if (type < 0) {
        cfg_node_error(cfg_node_child(e, "type"), err, errlen,
                       "expected ip, cidr, domain, url, ja3, sha256 or auto, got '%s'",
                       ctx_show(s, strlen(s), tmp));
        return false;
    }
    if (fmt != INTEL_FMT_PLAIN && fmt != INTEL_FMT_CSV) {
        cfg_node_error(cfg_node_child(e, "type"), err, errlen,
                       "type applies to plain and csv feeds only");
        return false;
    }
    f->feed.type = (intel_type_t)type;
    return true;
}

static bool get_defaults(const cfg_node_t *e, feed_entry_t *f, char *err, size_t errlen)
{
    int64_t conf;
    uint64_t minc;
    const char *s;
    if (!cfg_get_i64(e, "confidence", -1, 0, 100, &conf, err, errlen)) return false;
    /* cfg_get_i64 returns the default -1 only when the key is absent */
    f->feed.confidence = (int)conf;
    if (!cfg_get_u64(e, "min-count", 1, 1, 1000000, 0, &minc, err, errlen)) return false;
    if (cfg_node_child(e, "min-count") && f->feed.format != INTEL_FMT_IPSUM) {
        cfg_node_error(cfg_node_child(e, "min-count"), err, errlen,
                       "min-count applies to ipsum feeds only");
        return false;
    }
    f->feed.min_count = (unsigned)minc;
    if (!cfg_get_bool(e, "optional", false, &f->optional, err, errlen)) return false;
    if (!cfg_get_str(e, "expires", NULL, &s, err, errlen)) return false;
    if (!s || strcmp(s, "never") == 0) return true;
    if (!ctx_time_parse(s, strlen(s), &f->feed.expires_usec)) {
        char tmp[CTX_SHOW_MAX];
        cfg_node_error(cfg_node_child(e, "expires"), err, errlen,
                       "expected an RFC 3339 time (2026-01-31T00:00:00Z) or 'never', got '%s'",
                       ctx_show(s, strlen(s), tmp));
        return false;
    }
    return true;
}

static bool parse_feed(const cfg_node_t *e, const char *dir, feed_entry_t *f, char *err,
                       size_t errlen)
{
    const char *name, *file;
    if (e->type != CFG_MAP) {
        cfg_node_error(e, err, errlen, "expected a mapping, got a %s", cfg_type_name(e->type));
        return false;
    }
    intel_feed_defaults(&f->feed, NULL, INTEL_FMT_PLAIN);
    if (!cfg_check_keys(e, feed_keys, err, errlen) || !required(e, "name", &name, err, errlen))
        return false;
    if (!name_ok(name)) {
        char tmp[CTX_SHOW_MAX];
        cfg_node_error(cfg_node_child(e, "name"), err, errlen,
                       "expected letters, digits, '.', '_', '-' or ':' (at most %d), got '%s'",
                       INTEL_MAX_SOURCE, ctx_show(name, strlen(name), tmp));
        return false;
    }
    f->feed.name = name;
    if (!required(e, "file", &file, err, errlen)) return false;
    int k = file[0] == '/' ? snprintf(f->path, sizeof(f->path), "%s", file)
                           : snprintf(f->path, sizeof(f->path), "%s/%s", dir, file);
    if (k < 0 || (size_t)k >= sizeof(f->path) || !file[0]) {
        cfg_node_error(cfg_node_child(e, "file"), err, errlen, "path empty or too long");
        return false;
    }
    return get_format(e, f, err, errlen) && get_defaults(e, f, err, errlen);
}

/* Folder of the feeds file, for relative feed paths. */
static void dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

static void load_feed(intel_set_t *set, const feed_entry_t *f, ctx_diag_t *diag,
                      intel_feeds_stats_t *st)
{
    char err[CTX_DIAG_LINE_MAX];
    struct stat sb;
    if (f->optional && stat(f->path, &sb) != 0 && errno == ENOENT) {
        log_info("intel feed %s: %s absent (optional)", f->feed.name, f->path);
        return;
    }
    if (intel_load_file(set, &f->feed, f->path, diag, &st->entries, err, sizeof(err))) {
        st->feeds++;
        return;
    }
    ctx_diag_msg(diag, "%s", err);
    st->feeds_failed++;
}

static bool feeds_cfg(intel_set_t *set, const cfg_t *cfg, const char *path, ctx_diag_t *diag,
                      intel_feeds_stats_t *st, char *err, size_t errlen)
{
    static const char *const top[] = {"feeds", NULL};
    const cfg_node_t *root = cfg_root(cfg), *seq = NULL;
    if (root && root->type != CFG_MAP && !cfg_node_is_null(root)) {
        cfg_node_error(root, err, errlen, "expected a mapping with 'feeds', got a %s",
                       cfg_type_name(root->type));
        return false;
    }
    if (!cfg_check_keys(root, top, err, errlen) || !cfg_get_seq(root, "feeds", &seq, err, errlen))
        return false;
    char dir[FEEDS_PATH_MAX];
    dir_of(path, dir, sizeof(dir));
    ctx_diag_file_t df;
    ctx_diag_file_init(&df, diag, path);
    feed_entry_t *f = malloc(sizeof(*f));
    ctx_hset_t names;
    ctx_hset_init(&names);
    bool ok = f != NULL;
    for (const cfg_node_t *e = seq ? seq->child : NULL; ok && e; e = e->next) {
        char msg[CTX_DIAG_LINE_MAX];
        if (e->index >= FEEDS_MAX) {
            cfg_node_error(e, msg, sizeof(msg), "more than %d feeds", FEEDS_MAX);
            ctx_diag_line(&df, "%s", msg);
            st->feeds_failed += seq->count - e->index;
            break;
        }
        if (parse_feed(e, dir, f, msg, sizeof(msg))) {
            int r = ctx_hset_put(&names, f->feed.name, strlen(f->feed.name), 0, NULL);
            if (r == 1) {
                load_feed(set, f, diag, st);
                continue;
            }
            ok = r == 0;
            cfg_node_error(cfg_node_child(e, "name"), msg, sizeof(msg),
                           "feed '%s' is already defined", f->feed.name);
        }
        ctx_diag_line(&df, "%s", msg);
        st->feeds_failed++;
    }
    ctx_diag_file_done(&df);
    ctx_hset_free(&names);
    free(f);
    if (!ok) snprintf(err, errlen, "%s: out of memory", path);
    return ok;
}

intel_set_t *intel_load_feeds(const char *path, ctx_diag_t *diag, intel_feeds_stats_t *stats,
                              char *err, size_t errlen)
{
    intel_feeds_stats_t local;
    intel_feeds_stats_t *st = stats ? stats : &local;
    memset(st, 0, sizeof(*st));
    cfg_t *cfg = cfg_load_file(path, err, errlen);
    if (!cfg) return NULL;
    intel_set_t *set = intel_new();
    if (!set) {
        snprintf(err, errlen, "%s: out of memory", path);
        cfg_free(cfg);
        return NULL;
    }
    bool ok = feeds_cfg(set, cfg, path, diag, st, err, errlen) && intel_finish(set, err, errlen);
    cfg_free(cfg);
    if (!ok) {
        intel_free(set);
        return NULL;
    }
    return set;
}
