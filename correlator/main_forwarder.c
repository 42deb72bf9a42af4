/* soc-forwarder: passes incident versions on to the national monitoring
 * centre and other endpoints (correlator/forward/README.md).
 *
 *   soc-forwarder [-c soc.yaml] [--redis-socket P] [--redis-user U]
 *                 [--redis-password-file F] [--consumer NAME] [--check] [-v]
 *
 * --check validates the forwarder section (and the rules it reads tags
 * from) and exits. SIGTERM/SIGINT: finish the current sends and stop.
 * Exit 0 after a clean stop, 1 on a start-up error, 2 on bad usage. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_config.h"
#include "forward/fwd_daemon.h"
#include "forward/fwd_render.h"
#include "ingest/ingest_config.h"
#include "log.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: soc-forwarder [-c soc.yaml] [--redis-socket P] [--redis-user U]\n"
                 "                     [--redis-password-file F] [--consumer NAME] [--check] [-v]\n"
                 "Sends incident versions from the outbox to the configured endpoints\n"
                 "(STIX 2.1 over HTTPS, CEF over syslog-TLS), with mutual TLS.\n");
}

enum { OPT_RSOCK = 256, OPT_RUSER, OPT_RPASS, OPT_CONSUMER, OPT_CHECK };

static bool set(char *dst, size_t cap, const char *v, const char *what)
{
    if (ingest_copy_path(dst, cap, v)) return true;
    fprintf(stderr, "soc-forwarder: %s: empty or longer than %zu bytes\n", what, cap - 1);
    return false;
}

static bool parse_cli(int argc, char **argv, fwd_config_t *c, bool *check)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"redis-socket", required_argument, NULL, OPT_RSOCK},
        {"redis-user", required_argument, NULL, OPT_RUSER},
        {"redis-password-file", required_argument, NULL, OPT_RPASS},
        {"consumer", required_argument, NULL, OPT_CONSUMER},
        {"check", no_argument, NULL, OPT_CHECK},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int i = 1; i + 1 < argc; i++) { /* the file first: the command line wins */
        if (strcmp(argv[i], "-c") != 0 && strcmp(argv[i], "--config") != 0) continue;
        char err[512];
        if (!fwd_config_load(c, argv[i + 1], err, sizeof(err))) {
            fprintf(stderr, "soc-forwarder: %s\n", err);
            return false;
        }
    }
    int o;
    bool ok = true;
    while (ok && (o = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
        switch (o) {
        case 'c': break;
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
        case OPT_CHECK: *check = true; break;
        case 'v': log_set_level(SOC_LOG_DEBUG); break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    if (ok && optind != argc) {
        fprintf(stderr, "soc-forwarder: unexpected arguments\n");
        ok = false;
    }
    return ok;
}

int main(int argc, char **argv)
{
    log_init("soc-forwarder");
    fwd_config_t cfg;
    fwd_config_defaults(&cfg);
    bool check = false;
    if (!parse_cli(argc, argv, &cfg, &check)) {
        usage(stderr);
        return 2;
    }
    if (check) {
        char err[512];
        if (!fwd_render_check(&cfg, err, sizeof(err))) {
            fprintf(stderr, "soc-forwarder: %s\n", err);
            return 1;
        }
        printf("forwarder: %zu endpoint(s) OK\n", cfg.nendpoints);
        return 0;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return fwd_daemon_run(&cfg, &stop_requested);
}
