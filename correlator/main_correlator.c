/* soc-correlator: reads the sensors' events from the Redis streams as a
 * consumer group, applies the correlation rules and keeps the incidents
 * (correlator/daemon/corr_stream.h says how nothing is lost or doubled).
 *
 *   soc-correlator [-c soc.yaml] [--rules PATH] [--assets F] [--intel F]
 *                  [--redis-socket P] [--redis-user U] [--redis-password-file F]
 *                  [--consumer NAME] [--shards N] [-v]
 *   soc-correlator --replay FILE... [same options]   EVE files into Redis, then exit
 *
 * SIGTERM/SIGINT: checkpoint and stop; SIGHUP: reload rules, assets and
 * threat intel (a failed reload keeps what is in use). Exit 0 after a
 * clean stop or a replay, 1 on a start-up error, 2 on bad usage. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/corr_config.h"
#include "daemon/corr_pipeline.h"
#include "daemon/corr_stream.h"
#include "ingest/ingest_config.h"
#include "log.h"

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reload_requested = 1;
    else
        stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: soc-correlator [-c soc.yaml] [--rules PATH] [--assets F] [--intel F]\n"
            "                      [--redis-socket P] [--redis-user U] [--redis-password-file F]\n"
            "                      [--consumer NAME] [--shards N] [--replay FILE...] [-v]\n"
            "Correlates the sensors' events from Redis into incidents; with --replay, the\n"
            "events of EVE files (back-testing rules on stored events).\n");
}

enum {
    OPT_RULES = 256,
    OPT_ASSETS,
    OPT_INTEL,
    OPT_RSOCK,
    OPT_RUSER,
    OPT_RPASS,
    OPT_CONSUMER,
    OPT_SHARDS,
    OPT_REPLAY
};

static bool set(char *dst, size_t cap, const char *v, const char *what)
{
    if (ingest_copy_path(dst, cap, v)) return true;
    fprintf(stderr, "soc-correlator: %s: empty or longer than %zu bytes\n", what, cap - 1);
    return false;
}

/* Options over the configuration; -1 on bad usage, else the index of the
 * first replay file (argc when none). */
static int parse_cli(int argc, char **argv, corr_config_t *c, bool *replay)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"rules", required_argument, NULL, OPT_RULES},
        {"assets", required_argument, NULL, OPT_ASSETS},
        {"intel", required_argument, NULL, OPT_INTEL},
        {"redis-socket", required_argument, NULL, OPT_RSOCK},
        {"redis-user", required_argument, NULL, OPT_RUSER},
        {"redis-password-file", required_argument, NULL, OPT_RPASS},
        {"consumer", required_argument, NULL, OPT_CONSUMER},
        {"shards", required_argument, NULL, OPT_SHARDS},
        {"replay", no_argument, NULL, OPT_REPLAY},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* the file first, so the command line wins whatever the order */
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-c") != 0 && strcmp(argv[i], "--config") != 0) continue;
        char err[512];
        if (!corr_config_load(c, argv[i + 1], err, sizeof(err))) {
            fprintf(stderr, "soc-correlator: %s\n", err);
            return -1;
        }
    }
    int o;
    bool ok = true;
    while (ok && (o = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
        switch (o) {
        case 'c': break;
        case OPT_RULES: ok = set(c->rules, sizeof(c->rules), optarg, "--rules"); break;
        case OPT_ASSETS: ok = set(c->assets, sizeof(c->assets), optarg, "--assets"); break;
        case OPT_INTEL: ok = set(c->intel, sizeof(c->intel), optarg, "--intel"); break;
        case OPT_RSOCK:
            ok = set(c->redis_socket, sizeof(c->redis_socket), optarg, "--redis-socket");
            break;
        case OPT_RUSER:
            ok = set(c->redis_user, sizeof(c->redis_user), optarg, "--redis-user");
            break;
        case OPT_RPASS:
            ok = set(c->redis_password_file, sizeof(c->redis_password_file), optarg,
                     "--redis-password-file");
            break;
        case OPT_CONSUMER: ok = set(c->consumer, sizeof(c->consumer), optarg, "--consumer"); break;
        case OPT_SHARDS:
            c->shards = (uint32_t)strtoul(optarg, NULL, 10);
            ok = c->shards >= 1 && c->shards <= CORR_SHARDS_MAX;
            if (!ok) fprintf(stderr, "soc-correlator: --shards: 1..%d\n", CORR_SHARDS_MAX);
            break;
        case OPT_REPLAY: *replay = true; break;
        case 'v': log_set_level(SOC_LOG_DEBUG); break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    if (!ok) return -1;
    if (*replay == (optind == argc)) {
        fprintf(stderr, "soc-correlator: %s\n",
                *replay ? "--replay needs EVE files" : "unexpected arguments");
        return -1;
    }
    return optind;
}

/* Every line of an EVE file through the pipeline; events keep their ids. */
static int replay_file(corr_pipeline_t *p, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        log_error("%s: cannot open: %m", path);
        return -1;
    }
    char *line = NULL, err[512];
    size_t cap = 0, no = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && !stop_requested && (n = getline(&line, &cap, f)) > 0) {
        no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0'; /* the pipeline keeps the line NUL-terminated as a sample */
        if (n == 0) continue;
        if (corr_pipeline_event(p, line, (size_t)n, NULL, err, sizeof(err)) != 0) {
            log_error("%s:%zu: %s", path, no, err);
            rc = -1;
        } else if (err[0]) {
            log_warn("%s:%zu: %s", path, no, err);
        }
    }
    free(line);
    fclose(f);
    return rc;
}

static int replay(const corr_config_t *cfg, corr_pipeline_t *p, char **files, int n)
{
    char err[512];
    incident_store_t *st =
        incident_store_connect(cfg->redis_socket, cfg->redis_user, cfg->redis_password_file,
                               &cfg->incidents, err, sizeof(err));
    if (!st) {
        log_error("%s", err);
        return 1;
    }
    corr_pipeline_set_store(p, st);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = replay_file(p, files[i]) == 0 ? 0 : 1;
    corr_pipeline_stats_t s;
    corr_pipeline_stats(p, &s);
    log_info("replay: %llu events (%llu bad), %llu matches: %llu incidents created, %llu updated",
             (unsigned long long)s.events, (unsigned long long)s.bad_events,
             (unsigned long long)s.matches, (unsigned long long)s.incidents_created,
             (unsigned long long)s.incidents_updated);
    corr_pipeline_set_store(p, NULL);
    incident_store_close(st);
    return rc;
}

int main(int argc, char **argv)
{
    log_init("soc-correlator");
    corr_config_t cfg;
    corr_config_defaults(&cfg);
    bool is_replay = false;
    int first = parse_cli(argc, argv, &cfg, &is_replay);
    if (first < 0) {
        usage(stderr);
        return 2;
    }
    char err[512];
    corr_pipeline_t *p = corr_pipeline_new(&cfg, err, sizeof(err));
    if (!p) {
        log_error("%s", err);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int rc = is_replay ? replay(&cfg, p, argv + first, argc - first)
                       : corr_stream_run(&cfg, p, &stop_requested, &reload_requested);
    corr_pipeline_free(p);
    return rc;
}
