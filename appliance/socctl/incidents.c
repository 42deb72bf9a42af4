/* incidents.c -- `socctl incidents list|show|ack|assign|status|comment|merge`.
 *
 * Talks to Redis as the `console` user (redis_client.h) through the
 * incident store's C API (correlator/incidents/incident_ops.h): every change
 * is one Lua script that also writes the incident's timeline with the
 * actor, who is --actor, else $SOC_ACTOR, $SUDO_USER or $USER. SLA times and
 * caps come from the `correlator.incidents` section of soc.yaml (--config,
 * else $SOC_CONFIG, else /etc/soc/soc.yaml when it exists), used by merge. */
#include "socctl/incidents.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "incidents/incident_json.h"
#include "incidents/incident_ops.h"
#include "log.h"
#include "socctl/incidents_print.h"
#include "socctl/redis_client.h"
#include "socctl/report_cli.h"
#include "socctl/report_view.h"

#define DEFAULT_CONFIG "/etc/soc/soc.yaml"
#define DEFAULT_LIMIT  1000

typedef struct opts {
    socctl_redis_opts_t redis;
    const char *config, *actor;
    const char *profile, *since; /* --profile (reports), --since as given */
    bool json, filtered, status_given;
    size_t limit;
    incident_filter_t filter;
    const char *pos[3]; /* positional arguments after the action */
    int npos;
} opts_t;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: socctl incidents list [--status S] [--priority N] [--asset NAME]\n"
            "                             [--assignee USER] [--since TIME] [--overdue]\n"
            "                             [--limit N] [--json]\n"
            "       socctl incidents show ID [--json]\n"
            "       socctl incidents ack ID\n"
            "       socctl incidents assign ID USER       (USER '-' unassigns)\n"
            "       socctl incidents status ID STATUS\n"
            "       socctl incidents comment ID TEXT\n"
            "       socctl incidents merge ID OTHER       (OTHER is merged into ID)\n"
            "       socctl incidents report ID --kind initial|update|final --format pdf|json ...\n"
            "                                             (see socctl incidents report --help)\n"
            "options: --actor NAME (else $SOC_ACTOR, $SUDO_USER, $USER), --config FILE,\n"
            "         --redis-socket PATH, --redis-user USER, --redis-password-file FILE,\n"
            "         --now TIME (the current time, for tests), --profile NAME|PATH (the\n"
            "         reporting profile; default reports.profile in soc.yaml)\n"
            "list shows the open queue (new, acknowledged, investigating) by priority, then\n"
            "age; --status takes a status, 'open' or 'all'. TIME: 2026-03-01[T08:30[:00][Z]],\n"
            "@EPOCH, or 30m/2h/7d ago. Statuses: new -> acknowledged -> investigating ->\n"
            "resolved | false_positive -> closed; reopen: resolved/false_positive/closed ->\n"
            "investigating. With a reporting profile, list has a REPORT DUE column, --json\n"
            "a report member, and --overdue counts late reports too (on every incident,\n"
            "closed ones included, unless --status is given). Redis: $SOC_REDIS_SOCKET,\n"
            "default %s.\n",
            SOCCTL_REDIS_SOCKET);
}

static int64_t now_usec(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* A usage error: one line, exit status 2. */
static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "socctl incidents: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return 2;
}

/* A list-only option: note it, so other actions can refuse it. */
static int filter_opt(opts_t *o, int opt, const char *arg)
{
    char err[256];
    o->filtered = true;
    switch (opt) {
    case 'S':
        if (!incident_filter_set_status(&o->filter, arg, err, sizeof(err)))
            return bad("--status: %s", err);
        o->status_given = true;
        return 0;
    case 'P':
        return incident_parse_priority(arg, &o->filter.priority)
                   ? 0
                   : bad("--priority: expected 1..5 or P1..P5, got '%s'", arg);
    case 'A': o->filter.asset = arg; return 0;
    case 'U': o->filter.assignee = arg; return 0;
    case 'T':
        if (!incident_parse_time(arg, o->filter.now_usec, &o->filter.since_usec, err, sizeof(err)))
            return bad("--since: %s", err);
        o->since = arg;
        return 0;
    case 'O': o->filter.overdue = true; return 0;
    case 'L': {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(arg, &end, 10);
        if (errno || *end || arg[0] < '0' || arg[0] > '9' || v == 0 || v > 1000000)
            return bad("--limit: expected 1..1000000, got '%s'", arg);
        o->limit = (size_t)v;
        return 0;
    }
    }
    return 2;
}

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"actor", required_argument, NULL, 'a'},
        {"config", required_argument, NULL, 'c'},
        {"redis-socket", required_argument, NULL, 's'},
        {"redis-user", required_argument, NULL, 'u'},
        {"redis-password-file", required_argument, NULL, 'p'},
        {"status", required_argument, NULL, 'S'},
        {"priority", required_argument, NULL, 'P'},
        {"asset", required_argument, NULL, 'A'},
        {"assignee", required_argument, NULL, 'U'},
        {"since", required_argument, NULL, 'T'},
        {"overdue", no_argument, NULL, 'O'},
        {"limit", required_argument, NULL, 'L'},
        {"now", required_argument, NULL, 'N'},
        {"profile", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt, rc;
    const char *now = NULL;
    char err[256];
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j': o->json = true; break;
        case 'a': o->actor = optarg; break;
        case 'c': o->config = optarg; break;
        case 's': o->redis.socket = optarg; break;
        case 'u': o->redis.user = optarg; break;
        case 'p': o->redis.password_file = optarg; break;
        case 'N': now = optarg; break;
        case 'R': o->profile = optarg; break;
        case 'h': usage(stdout); return 1;
        case '?': usage(stderr); return 2;
        default:
            if ((rc = filter_opt(o, opt, optarg)) != 0) return rc;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos == 3) return bad("unexpected argument '%s'", argv[i]);
        o->pos[o->npos++] = argv[i];
    }
    /* --now: a fixed clock; --since counts back from it whatever the order */
    if (now && !incident_parse_time(now, o->filter.now_usec, &o->filter.now_usec, err, sizeof(err)))
        return bad("--now: %s", err);
    if (now && o->since &&
        !incident_parse_time(o->since, o->filter.now_usec, &o->filter.since_usec, err, sizeof(err)))
        return bad("--since: %s", err);
    return 0;
}

static bool load_config(const opts_t *o, incident_config_t *cfg)
{
    char err[512];
    incident_config_defaults(cfg);
    const char *path = o->config ? o->config : getenv("SOC_CONFIG");
    if (path && *path) {
        if (incident_config_load(cfg, path, err, sizeof(err))) return true;
        fprintf(stderr, "socctl incidents: %s\n", err);
        return false;
    }
    FILE *f = fopen(DEFAULT_CONFIG, "r");
    if (!f) {
        if (errno != ENOENT)
            log_warn("%s: %s; using the built-in incident settings", DEFAULT_CONFIG,
                     strerror(errno));
        return true;
    }
    fclose(f);
    if (incident_config_load(cfg, DEFAULT_CONFIG, err, sizeof(err))) return true;
    fprintf(stderr, "socctl incidents: %s\n", err);
    return false;
}

static const char *pick_actor(const opts_t *o)
{
    const char *cands[] = {o->actor, getenv("SOC_ACTOR"), getenv("SUDO_USER"), getenv("USER")};
    for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
        if (cands[i] && *cands[i]) return cands[i];
    return NULL;
}

/* ---- the actions ------------------------------------------------------------------- */

static void print_json(const jw_t *w)
{
    if (w->oom)
        fprintf(stderr, "socctl incidents: out of memory writing JSON\n");
    else
        printf("%s\n", w->buf);
}

static int do_list(incident_store_t *st, const opts_t *o, const report_view_t *rv)
{
    incident_list_t l;
    report_due_t *dues = NULL;
    char err[512];
    int rc = rv ? report_view_list(rv, st, &o->filter, o->status_given, o->limit, &l, &dues, err,
                                   sizeof(err))
                : incident_list(st, &o->filter, o->limit, &l, err, sizeof(err));
    if (rc != INCIDENT_OK) {
        fprintf(stderr, "socctl incidents: %s\n", err);
        return 1;
    }
    if (o->json) {
        jw_t w;
        jw_init(&w);
        jw_array_open(&w);
        for (size_t i = 0; i < l.n; i++) {
            incident_json(&w, &l.v[i], o->filter.now_usec);
            if (rv) report_view_json(rv, &w, &l.v[i], &dues[i]);
        }
        jw_array_close(&w);
        print_json(&w);
        rc = w.oom;
        jw_free(&w);
    } else if (rv) {
        rc = report_view_table(stdout, &l, o->filter.now_usec, dues);
    } else {
        incidents_print_table(stdout, &l, o->filter.now_usec);
    }
    free(dues);
    incident_list_free(&l);
    return rc ? 1 : 0;
}

static int do_show(incident_store_t *st, const opts_t *o, const report_view_t *rv)
{
    incident_t inc;
    char err[512];
    if (incident_get(st, o->pos[0], true, &inc, err, sizeof(err)) != INCIDENT_OK) {
        fprintf(stderr, "socctl incidents: %s\n", err);
        return 1;
    }
    int rc = 0;
    report_due_t d;
    if (rv) report_view_due(rv, st, &inc, o->filter.now_usec, &d);
    if (o->json) {
        jw_t w;
        jw_init(&w);
        incident_json(&w, &inc, o->filter.now_usec);
        if (rv) report_view_json(rv, &w, &inc, &d);
        print_json(&w);
        rc = w.oom;
        jw_free(&w);
    } else {
        incidents_print_show(stdout, &inc, o->filter.now_usec);
        if (rv) report_view_print(rv, stdout, &inc, &d);
    }
    incident_free(&inc);
    return rc;
}

/* ack, assign, status, comment, merge */
static int do_change(incident_store_t *st, const char *action, const opts_t *o, const char *actor)
{
    char err[512];
    const char *id = o->pos[0], *arg = o->pos[1];
    int64_t now = o->filter.now_usec;
    int rc;
    if (strcmp(action, "ack") == 0) {
        rc = incident_ack(st, id, actor, now, err, sizeof(err));
    } else if (strcmp(action, "assign") == 0) {
        rc =
            incident_assign(st, id, strcmp(arg, "-") == 0 ? "" : arg, actor, now, err, sizeof(err));
    } else if (strcmp(action, "status") == 0) {
        incident_status_t to;
        if (!incident_status_parse(arg, &to))
            return bad("unknown status '%s' (new, acknowledged, investigating, resolved, "
                       "false_positive, closed)",
                       arg);
        rc = incident_set_status(st, id, to, actor, now, err, sizeof(err));
    } else if (strcmp(action, "comment") == 0) {
        rc = incident_comment(st, id, arg, actor, now, err, sizeof(err));
    } else {
        rc = incident_merge(st, id, arg, actor, now, err, sizeof(err));
    }
    if (rc != INCIDENT_OK) {
        fprintf(stderr, "socctl incidents: %s\n", err);
        return 1;
    }
    if (strcmp(action, "ack") == 0)
        printf("%s acknowledged by %s\n", id, actor);
    else if (strcmp(action, "assign") == 0 && strcmp(arg, "-") == 0)
        printf("%s unassigned by %s\n", id, actor);
    else if (strcmp(action, "assign") == 0)
        printf("%s assigned to %s by %s\n", id, arg, actor);
    else if (strcmp(action, "status") == 0)
        printf("%s is now %s (by %s)\n", id, arg, actor);
    else if (strcmp(action, "comment") == 0)
        printf("%s: comment added by %s\n", id, actor);
    else
        printf("%s merged into %s by %s\n", arg, id, actor);
    return 0;
}

/* Positional arguments each action takes. */
static int nargs_of(const char *action)
{
    static const struct {
        const char *name;
        int n;
    } t[] = {{"list", 0},   {"show", 1},    {"ack", 1},  {"assign", 2},
             {"status", 2}, {"comment", 2}, {"merge", 2}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(action, t[i].name) == 0) return t[i].n;
    return -1;
}

static int run(const char *action, opts_t *o)
{
    bool change = strcmp(action, "list") != 0 && strcmp(action, "show") != 0;
    const char *actor = pick_actor(o);
    if (change && !actor) return bad("no actor: give --actor NAME (or set $SOC_ACTOR)");
    if (change && !incident_name_ok(actor))
        return bad("actor '%s' must be 1..64 letters, digits or . _ @ -", actor);
    incident_config_t cfg;
    if (!load_config(o, &cfg)) return 1;
    char err[1024];
    report_view_t *rv = NULL;
    if (!change) {
        rv = report_view_open(report_config_path(o->config), o->profile, err, sizeof(err));
        if (!rv && err[0]) {
            fprintf(stderr, "socctl incidents: %s\n", err);
            return 1;
        }
    }
    redisContext *c = socctl_redis_connect(&o->redis, err, sizeof(err));
    if (!c) {
        fprintf(stderr, "socctl incidents: %s\n", err);
        report_view_close(rv);
        return 1;
    }
    incident_store_t *st = incident_store_attach(c, &cfg);
    int rc = 1;
    if (!st)
        fprintf(stderr, "socctl incidents: out of memory\n");
    else if (strcmp(action, "list") == 0)
        rc = do_list(st, o, rv);
    else if (strcmp(action, "show") == 0)
        rc = do_show(st, o, rv);
    else
        rc = do_change(st, action, o, actor);
    incident_store_close(st);
    redisFree(c);
    report_view_close(rv);
    return rc;
}

int incidents_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *action = argv[1];
    if (strcmp(action, "report") == 0) return report_cli_main(argc - 1, argv + 1);
    int want = nargs_of(action);
    if (want < 0) {
        fprintf(stderr, "socctl incidents: unknown action '%s'\n", action);
        usage(stderr);
        return 2;
    }
    opts_t o = {.limit = DEFAULT_LIMIT};
    incident_filter_init(&o.filter, now_usec());
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc) return rc == 1 ? 0 : rc;
    if (o.npos != want)
        return bad("%s: wrong number of arguments (see socctl incidents --help)", action);
    if (o.filtered && strcmp(action, "list") != 0)
        return bad("%s: --status, --priority, --asset, --assignee, --since, --overdue and "
                   "--limit are for list",
                   action);
    if ((o.json || o.profile) && strcmp(action, "list") != 0 && strcmp(action, "show") != 0)
        return bad("%s: --json and --profile are for list and show", action);
    return run(action, &o);
}
