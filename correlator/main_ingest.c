/* soc-ingest: receives sensor event batches over mutual TLS 1.3 and stores
 * them in the Redis streams soc:events:{N} (correlator/ingest/PROTOCOL.md).
 *
 *   soc-ingest [-c soc.yaml] [--listen ADDR] [--cert F --key F --ca F --crl F]
 *              [--redis-socket P] [--redis-user U] [--redis-password-file F]
 *              [--shards N] [--pid-file F] [-v]
 *
 * The Redis password is the first line of redis.password-file (default
 * $CREDENTIALS_DIRECTORY/redis.pass under systemd, else
 * /var/lib/soc/redis/secrets/ingest.pass).
 *
 * SIGTERM/SIGINT: stop (each connection finishes the batch it is storing);
 * SIGHUP: reload the CRL. Exit 0 after a clean stop, 1 on a start-up error,
 * 2 on bad usage. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest_config.h"
#include "ingest/ingest_server.h"
#include "ingest/ingest_store.h"
#include "log.h"

#define FLUSH_SEC     2  /* counters to soc:ingest:stats */
#define STOP_WAIT_SEC 30 /* for connections finishing a batch */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: soc-ingest [-c soc.yaml] [--listen ADDR:PORT] [--cert F --key F --ca F --crl F]\n"
        "                  [--redis-socket P] [--redis-user U] [--redis-password-file F]\n"
        "                  [--shards N] [--pid-file F] [-v]\n"
        "Receives sensor events over mutual TLS and stores them in Redis.\n"
        "Options given here override the ingest: section of the configuration.\n");
}

enum {
    OPT_LISTEN = 256,
    OPT_CERT,
    OPT_KEY,
    OPT_CA,
    OPT_CRL,
    OPT_RSOCK,
    OPT_RUSER,
    OPT_RPASS,
    OPT_SHARDS,
    OPT_PIDFILE,
};

typedef struct cli {
    const char *config;
    const char *pid_file;
    const char *val[OPT_PIDFILE - OPT_LISTEN + 1]; /* by option, NULL = not given */
    bool verbose;
} cli_t;

static int parse_cli(int argc, char **argv, cli_t *cli)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"ca", required_argument, NULL, OPT_CA},
        {"crl", required_argument, NULL, OPT_CRL},
        {"redis-socket", required_argument, NULL, OPT_RSOCK},
        {"redis-user", required_argument, NULL, OPT_RUSER},
        {"redis-password-file", required_argument, NULL, OPT_RPASS},
        {"shards", required_argument, NULL, OPT_SHARDS},
        {"pid-file", required_argument, NULL, OPT_PIDFILE},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
        if (o == 'c') {
            cli->config = optarg;
        } else if (o == 'v') {
            cli->verbose = true;
        } else if (o == 'h') {
            usage(stdout);
            return 0;
        } else if (o >= OPT_LISTEN && o <= OPT_PIDFILE) {
            cli->val[o - OPT_LISTEN] = optarg;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "soc-ingest: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    cli->pid_file = cli->val[OPT_PIDFILE - OPT_LISTEN];
    return -1;
}

/* Command-line values over the configuration; 2 on a bad value. */
static int apply_cli(const cli_t *cli, ingest_config_t *c)
{
    struct {
        int opt;
        char *dst;
        size_t cap;
    } paths[] = {
        {OPT_CERT, c->cert, sizeof(c->cert)},
        {OPT_KEY, c->key, sizeof(c->key)},
        {OPT_CA, c->ca, sizeof(c->ca)},
        {OPT_CRL, c->crl, sizeof(c->crl)},
        {OPT_RSOCK, c->redis_socket, sizeof(c->redis_socket)},
        {OPT_RUSER, c->redis_user, sizeof(c->redis_user)},
        {OPT_RPASS, c->redis_password_file, sizeof(c->redis_password_file)},
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        const char *v = cli->val[paths[i].opt - OPT_LISTEN];
        if (v && !ingest_copy_path(paths[i].dst, paths[i].cap, v)) {
            fprintf(stderr, "soc-ingest: %s: empty or longer than %zu bytes\n", v,
                    paths[i].cap - 1);
            return 2;
        }
    }
    const char *listen = cli->val[OPT_LISTEN - OPT_LISTEN];
    char err[256];
    if (listen) {
        if (strlen(listen) >= sizeof(c->listen) ||
            !ingest_parse_listen(listen, &c->listen_addr, &c->listen_addr_len, err, sizeof(err))) {
            fprintf(stderr, "soc-ingest: --listen: %s\n", err);
            return 2;
        }
        snprintf(c->listen, sizeof(c->listen), "%s", listen);
    }
    const char *shards = cli->val[OPT_SHARDS - OPT_LISTEN];
    if (shards) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(shards, &end, 10);
        if (errno || *end || end == shards || shards[0] == '-' || v < 1 || v > INGEST_SHARDS_MAX) {
            fprintf(stderr, "soc-ingest: --shards: expected 1..%d, got '%s'\n", INGEST_SHARDS_MAX,
                    shards);
            return 2;
        }
        c->shards = (uint32_t)v;
    }
    return 0;
}

static int write_pid_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
        log_error("%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Signals are taken synchronously here; every other thread has them blocked. */
static void run(ingest_server_t *srv)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    for (;;) {
        struct timespec t = {FLUSH_SEC, 0};
        int sig = sigtimedwait(&set, NULL, &t);
        if (sig == SIGTERM || sig == SIGINT) {
            log_info("stopping (signal %d)", sig);
            break;
        }
        if (sig == SIGHUP) ingest_server_reload_crl(srv);
        ingest_server_flush_counters(srv);
    }
    ingest_server_stop(srv, STOP_WAIT_SEC);
    ingest_server_flush_counters(srv);
}

int main(int argc, char **argv)
{
    log_init("soc-ingest");
    cli_t cli = {0};
    int rc = parse_cli(argc, argv, &cli);
    if (rc >= 0) return rc;
    if (cli.verbose) log_set_level(SOC_LOG_DEBUG);
    static ingest_config_t cfg; /* large (paths): not on the stack */
    ingest_config_defaults(&cfg);
    /* Under systemd (soc-ingest.service, LoadCredential=redis.pass) the
     * password comes from the credentials directory unless configured. */
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    if (creds && *creds)
        snprintf(cfg.redis_password_file, sizeof(cfg.redis_password_file), "%s/redis.pass", creds);
    char err[1024];
    if (cli.config && !ingest_config_load(&cfg, cli.config, err, sizeof(err))) {
        log_error("%s", err);
        return 1;
    }
    if ((rc = apply_cli(&cli, &cfg)) != 0) return rc;
    char password[INGEST_PASSWORD_MAX];
    if (ingest_read_password(cfg.redis_password_file, password, sizeof(password), err,
                             sizeof(err)) != 0) {
        log_error("redis password: %s", err);
        return 1;
    }
    /* block before any thread exists, so all inherit the mask */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    ingest_server_t *srv = ingest_server_new(&cfg, password, err, sizeof(err));
    explicit_bzero(password, sizeof(password));
    if (!srv) {
        log_error("%s", err);
        return 1;
    }
    if (cli.pid_file && write_pid_file(cli.pid_file) != 0) {
        ingest_server_free(srv);
        return 1;
    }
    if (ingest_server_start(srv, err, sizeof(err)) != 0) {
        log_error("%s", err);
        ingest_server_free(srv);
        return 1;
    }
    log_info("listening on %s: %u shards, max payload %u, max %u connections, redis %s as %s",
             cfg.listen, cfg.shards, cfg.max_payload, cfg.max_connections, cfg.redis_socket,
             cfg.redis_user);
    run(srv);
    ingest_server_free(srv);
    if (cli.pid_file) unlink(cli.pid_file);
    log_info("stopped");
    return 0;
}
