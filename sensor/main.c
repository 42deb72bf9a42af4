/* main.c -- soc-sensor: command line, capture loop, signals, progress. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "enrich/geoip.h"
#include "log.h"
#include "output/eve.h"
#include "output/ship.h"
#include "pipeline/pipeline.h"
#include "pipeline/sensor_config.h"
#include "pipeline/sensor_detect.h"

#define SOC_VERSION "0.1.0"

static volatile sig_atomic_t stop_requested; /* signals received */
static capture_t *live_capture;              /* for the signal handler */

static void on_signal(int sig)
{
    (void)sig;
    /* The first stops the capture; a second cuts the drain to the ingest short. */
    if (stop_requested < 100) stop_requested++;
    /* libpcap retries poll() after EINTR unless told to break. */
    if (live_capture) capture_break(live_capture);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: soc-sensor (-r FILE | -i IFACE) [options]\n"
            "  -r, --read FILE         read a pcap or pcapng file, then exit\n"
            "  -i, --interface IFACE   capture live on IFACE\n"
            "  -f, --filter BPF        capture filter (tcpdump syntax)\n"
            "  -s, --snaplen N         live: bytes kept per packet (default 65535)\n"
            "      --no-promisc        live: do not put the interface in promiscuous mode\n"
            "  -c, --config FILE       soc.yaml (sensor section); built-in defaults otherwise\n"
            "  -S, --rules FILE        Suricata-syntax signature file (repeatable)\n"
            "      --classification F  classification.config (default: beside the first -S file)\n"
            "      --test-rules FILE.. parse rule files, print loaded/skipped totals, exit\n"
            "      --rules-cache DIR   keep compiled prefilter databases in DIR\n"
            "      --eve OUT           EVE JSON lines to OUT ('-' = stdout; default eve.json)\n"
            "      --geoip-city DB     GeoIP2/GeoLite2 City or Country database\n"
            "      --geoip-asn DB      GeoLite2 ASN database\n"
            "      --sensor-name NAME  name in every event's sensor object\n"
            "      --stats-interval S  seconds between stats events (0 = final only)\n"
            "      --max-flows N       hard cap of tracked flows\n"
            "      --ingest HOST:PORT  ship events to soc-ingest (mutual TLS; --eve is then\n"
            "                          written only when given)\n"
            "      --cert F, --key F   this sensor's client certificate and key (its CN is\n"
            "                          the sensor name)\n"
            "      --ca F              CA that issued the ingest's certificate\n"
            "      --spool DIR         disk queue for --ingest (default /var/lib/soc/spool)\n"
            "      --user NAME         drop root to NAME after opening capture and files\n"
            "  -v, --verbose           more logging (repeat for debug)\n"
            "  -V, --version           print version\n"
            "  -h, --help              this text\n");
}

enum {
    OPT_EVE = 256,
    OPT_GEO_CITY,
    OPT_GEO_ASN,
    OPT_NAME,
    OPT_STATS,
    OPT_MAXFLOWS,
    OPT_NOPROMISC,
    OPT_CLASSIFICATION,
    OPT_TEST_RULES,
    OPT_RULES_CACHE,
    OPT_INGEST,
    OPT_CERT,
    OPT_KEY,
    OPT_CA,
    OPT_SPOOL,
    OPT_USER
};

static const struct option long_opts[] = {
    {"read", required_argument, 0, 'r'},
    {"interface", required_argument, 0, 'i'},
    {"filter", required_argument, 0, 'f'},
    {"snaplen", required_argument, 0, 's'},
    {"config", required_argument, 0, 'c'},
    {"eve", required_argument, 0, OPT_EVE},
    {"geoip-city", required_argument, 0, OPT_GEO_CITY},
    {"geoip-asn", required_argument, 0, OPT_GEO_ASN},
    {"sensor-name", required_argument, 0, OPT_NAME},
    {"stats-interval", required_argument, 0, OPT_STATS},
    {"max-flows", required_argument, 0, OPT_MAXFLOWS},
    {"no-promisc", no_argument, 0, OPT_NOPROMISC},
    {"rules", required_argument, 0, 'S'},
    {"classification", required_argument, 0, OPT_CLASSIFICATION},
    {"test-rules", no_argument, 0, OPT_TEST_RULES},
    {"rules-cache", required_argument, 0, OPT_RULES_CACHE},
    {"ingest", required_argument, 0, OPT_INGEST},
    {"cert", required_argument, 0, OPT_CERT},
    {"key", required_argument, 0, OPT_KEY},
    {"ca", required_argument, 0, OPT_CA},
    {"spool", required_argument, 0, OPT_SPOOL},
    {"user", required_argument, 0, OPT_USER},
    {"verbose", no_argument, 0, 'v'},
    {"version", no_argument, 0, 'V'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0}};

static int parse_uint(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || v > max || s[0] == '-') {
        log_error("%s: expected a number 0..%llu, got '%s'", opt, (unsigned long long)max, s);
        return -1;
    }
    *out = v;
    return 0;
}

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* Command-line values, applied after the config file so they win. */
typedef struct cli {
    const char *config, *eve, *city, *asn, *name, *file, *iface, *bpf;
    int64_t snaplen, stats, maxflows;
    int nopromisc, verbose, test_rules;
    const char *classification, *rules_cache;
    const char *ingest, *cert, *key, *ca, *spool, *user;
    char *rules[SENSOR_MAX_RULE_FILES];
    int nrules;
} cli_t;

static int parse_args(int argc, char **argv, cli_t *cli)
{
    uint64_t v;
    int c;
    memset(cli, 0, sizeof(*cli));
    cli->snaplen = cli->stats = cli->maxflows = -1;
    while ((c = getopt_long(argc, argv, "r:i:f:s:c:S:vVh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'r': cli->file = optarg; break;
        case 'i': cli->iface = optarg; break;
        case 'f': cli->bpf = optarg; break;
        case 'c': cli->config = optarg; break;
        case 'S':
            if (cli->nrules == SENSOR_MAX_RULE_FILES) {
                log_error("-S: at most %d rule files", SENSOR_MAX_RULE_FILES);
                return -1;
            }
            cli->rules[cli->nrules++] = optarg;
            break;
        case OPT_CLASSIFICATION: cli->classification = optarg; break;
        case OPT_TEST_RULES: cli->test_rules = 1; break;
        case OPT_RULES_CACHE: cli->rules_cache = optarg; break;
        case OPT_INGEST: cli->ingest = optarg; break;
        case OPT_CERT: cli->cert = optarg; break;
        case OPT_KEY: cli->key = optarg; break;
        case OPT_CA: cli->ca = optarg; break;
        case OPT_SPOOL: cli->spool = optarg; break;
        case OPT_USER: cli->user = optarg; break;
        case OPT_EVE: cli->eve = optarg; break;
        case OPT_GEO_CITY: cli->city = optarg; break;
        case OPT_GEO_ASN: cli->asn = optarg; break;
        case OPT_NAME: cli->name = optarg; break;
        case OPT_NOPROMISC: cli->nopromisc = 1; break;
        case 'v': cli->verbose++; break;
        case 's':
            if (parse_uint("--snaplen", optarg, 262144, &v) < 0) return -1;
            cli->snaplen = (int64_t)v;
            break;
        case OPT_STATS:
            if (parse_uint("--stats-interval", optarg, 86400, &v) < 0) return -1;
            cli->stats = (int64_t)v;
            break;
        case OPT_MAXFLOWS:
            if (parse_uint("--max-flows", optarg, 100000000, &v) < 0 || v == 0) return -1;
            cli->maxflows = (int64_t)v;
            break;
        case 'V': printf("soc-sensor %s\n", SOC_VERSION); exit(0);
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    /* --test-rules takes the remaining arguments as rule files too */
    while (cli->test_rules && optind < argc && cli->nrules < SENSOR_MAX_RULE_FILES)
        cli->rules[cli->nrules++] = argv[optind++];
    if (optind < argc) {
        log_error("unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (cli->file && cli->iface) {
        log_error("give either -r FILE or -i IFACE, not both");
        return -1;
    }
    return 0;
}

/* Like Suricata's layout: classification.config beside the rule files. */
static void default_classification(sensor_config_t *cfg)
{
    const char *first = cfg->rule_files[0];
    const char *slash = strrchr(first, '/');
    int dirlen = slash ? (int)(slash - first) : 1;
    snprintf(cfg->classification, sizeof(cfg->classification), "%.*s/classification.config", dirlen,
             slash ? first : ".");
    if (access(cfg->classification, R_OK) != 0) cfg->classification[0] = '\0';
}

static void apply_cli(sensor_config_t *cfg, const cli_t *cli)
{
    if (cli->eve) COPY(cfg->eve_path, cli->eve);
    if (cli->eve) cfg->eve_set = true;
    if (cli->name) cfg->name_set = true;
    if (cli->ingest) COPY(cfg->ingest.server, cli->ingest);
    if (cli->cert) COPY(cfg->ingest.cert, cli->cert);
    if (cli->key) COPY(cfg->ingest.key, cli->key);
    if (cli->ca) COPY(cfg->ingest.ca, cli->ca);
    if (cli->spool) COPY(cfg->ingest.spool_dir, cli->spool);
    if (cli->user) COPY(cfg->user, cli->user);
    if (cli->city) COPY(cfg->geoip_city, cli->city);
    if (cli->asn) COPY(cfg->geoip_asn, cli->asn);
    if (cli->name) COPY(cfg->name, cli->name);
    if (cli->file) {
        COPY(cfg->file, cli->file);
        cfg->iface[0] = '\0'; /* -r overrides the configured interface */
    }
    if (cli->iface) COPY(cfg->iface, cli->iface);
    if (cli->bpf) COPY(cfg->bpf, cli->bpf);
    if (cli->snaplen >= 0) cfg->capture.snaplen = (int)cli->snaplen;
    if (cli->stats >= 0) cfg->stats_interval = (uint32_t)cli->stats;
    if (cli->maxflows > 0) cfg->flow.max_flows = (uint32_t)cli->maxflows;
    if (cli->nopromisc) cfg->capture.promisc = false;
    for (int i = 0; i < cli->nrules; i++)
        cfg->rule_files[cfg->n_rule_files++] = cli->rules[i];
    if (cli->rules_cache) COPY(cfg->rules_cache, cli->rules_cache);
    if (cli->classification)
        COPY(cfg->classification, cli->classification);
    else if (!cfg->classification[0] && cfg->n_rule_files)
        default_classification(cfg);
    cfg->capture.file = cfg->file[0] ? cfg->file : NULL;
    cfg->capture.iface = cfg->iface[0] ? cfg->iface : NULL;
    cfg->capture.bpf = cfg->bpf[0] ? cfg->bpf : NULL;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "\r  1234567 pkts  812345 pkt/s  42%" on a terminal, at most twice a second. */
static void progress(capture_t *cap, uint64_t pkts, double start, double *last, bool final)
{
    double now = wall_now();
    if (!final && now - *last < 0.5) return;
    *last = now;
    uint64_t pos, size;
    capture_progress(cap, &pos, &size);
    double rate = now > start ? (double)pkts / (now - start) : 0;
    fprintf(stderr, "\r%12llu pkts %10.0f pkt/s %5.1f%%%s", (unsigned long long)pkts, rate,
            size ? 100.0 * (double)pos / (double)size : 0.0, final ? "\n" : "");
}

/* The shipper's timers: every SHIP_POLL_EVERY packets a coarse clock read
 * (vDSO, no syscall), so the flush interval holds without a clock read per
 * packet. Event time for its anomaly events is the packet time. */
#define SHIP_POLL_EVERY 64

static void poll_ship(ship_t *ship, pipeline_t *pl)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    ship_poll(ship, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, pipeline_last_ts(pl));
}

static int run(capture_t *cap, pipeline_t *pl, ship_t *ship, const char *what)
{
    capture_frame_t frame;
    bool show = !capture_is_live(cap) && isatty(STDERR_FILENO);
    double start = wall_now(), last = start;
    int rc = 0;
    while (!stop_requested) {
        capture_result_t r = capture_next(cap, &frame);
        if (r == CAPTURE_FRAME) {
            pipeline_packet(pl, &frame);
            uint64_t n = pipeline_packets(pl);
            if (show && (n & 0xffff) == 0) progress(cap, n, start, &last, false);
            if (ship && n % SHIP_POLL_EVERY == 0) poll_ship(ship, pl);
        } else if (r == CAPTURE_IDLE) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            pipeline_tick(pl, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
            if (ship) poll_ship(ship, pl);
        } else {
            if (r == CAPTURE_ERROR) {
                log_error("%s: read error after %llu packets: %s", what,
                          (unsigned long long)pipeline_packets(pl), capture_error(cap));
                rc = 1;
            }
            break;
        }
    }
    if (show) progress(cap, pipeline_packets(pl), start, &last, true);
    return rc;
}

/* --user: look the account up before anything is opened (a typo fails at
 * once), switch to it after capture, spool and EVE file are open. */
static int lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
    errno = 0;
    struct passwd *pw = getpwnam(name);
    if (!pw) {
        log_error("--user %s: %s", name, errno ? strerror(errno) : "no such user");
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

static int drop_privileges(const char *name, uid_t uid, gid_t gid)
{
    if (geteuid() != 0) {
        log_warn("--user %s: not running as root; staying uid %u", name, (unsigned)geteuid());
        return 0;
    }
    /* Groups first: after setuid there is no right left to change them. */
    if (initgroups(name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        log_error("--user %s: cannot switch to uid %u gid %u: %s", name, (unsigned)uid,
                  (unsigned)gid, strerror(errno));
        return -1;
    }
    if (uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
        log_error("--user %s: root privileges could be regained; refusing to run", name);
        return -1;
    }
    log_info("running as %s (uid %u, gid %u)", name, (unsigned)uid, (unsigned)gid);
    return 0;
}

/* With --ingest the events carry the certificate's CN as sensor.name (the
 * ingest refuses any other); a different configured name is an error. */
static int ship_name(sensor_config_t *cfg, const ship_t *ship)
{
    const char *cn = ship_cert_name(ship);
    if (!cfg->name_set) {
        COPY(cfg->name, cn);
        return 0;
    }
    if (strcmp(cfg->name, cn) == 0) return 0;
    log_error("sensor name '%s' differs from the name in %s ('%s'); soc-ingest accepts only the "
              "certificate's name: drop --sensor-name/sensor.name or issue a certificate for it",
              cfg->name, cfg->ingest.cert, cn);
    return -1;
}

int main(int argc, char **argv)
{
    char err[1024];
    cli_t cli;
    sensor_config_t cfg;
    log_init("soc-sensor");
    if (parse_args(argc, argv, &cli) < 0) return 2;
    if (cli.verbose) log_set_level(cli.verbose > 1 ? SOC_LOG_DEBUG : SOC_LOG_INFO);
    sensor_config_defaults(&cfg);
    if (cli.config && sensor_config_load(&cfg, cli.config, err, sizeof(err)) < 0) {
        log_error("%s", err);
        return 2;
    }
    apply_cli(&cfg, &cli);
    if (cli.test_rules) {
        if (cfg.n_rule_files == 0) {
            log_error("--test-rules: no rule files given");
            return 2;
        }
        return sensor_detect_test_rules(&cfg);
    }
    if (!cfg.capture.file && !cfg.capture.iface) {
        log_error("nothing to read: give -r FILE or -i IFACE (or sensor.capture.interface)");
        return 2;
    }
    bool shipping = cfg.ingest.server[0] != '\0';
    if (!shipping && (cli.cert || cli.key || cli.ca || cli.spool)) {
        log_error("--cert, --key, --ca and --spool need --ingest HOST:PORT");
        return 2;
    }
    uid_t uid = 0;
    gid_t gid = 0;
    if (cfg.user[0] && lookup_user(cfg.user, &uid, &gid) != 0) return 1;

    geoip_t *geo = NULL;
    if (cfg.geoip_city[0] || cfg.geoip_asn[0]) {
        geo = geoip_open(cfg.geoip_city[0] ? cfg.geoip_city : NULL,
                         cfg.geoip_asn[0] ? cfg.geoip_asn : NULL, err, sizeof(err));
        if (!geo) log_warn("%s; events will carry no geoip fields", err);
    } else {
        log_warn("no GeoIP database configured; events will carry no geoip fields");
    }
    const char *what = cfg.capture.file ? cfg.capture.file : cfg.capture.iface;
    capture_t *cap = capture_open(&cfg.capture, err, sizeof(err));
    if (!cap) {
        log_error("%s", err);
        geoip_close(geo);
        return 1;
    }
    int linktype = capture_linktype(cap);
    if (!decode_linktype_supported(linktype))
        log_warn("%s: link type %d is not decoded; frames will count as anomalies", what, linktype);
    ship_t *ship = NULL;
    if (shipping) {
        ship = ship_open(&cfg.ingest, SOC_VERSION, what, err, sizeof(err));
        if (!ship) log_error("%s", err);
        if (!ship || ship_name(&cfg, ship) != 0) {
            ship_close(ship);
            capture_close(cap);
            geoip_close(geo);
            return 1;
        }
    }
    /* Shipping: the file only when asked for (tests compare both). */
    const char *eve_path = shipping && !cfg.eve_set ? NULL : cfg.eve_path;
    eve_t *eve = eve_open(eve_path, cfg.name, geo, err, sizeof(err));
    pipeline_t *pl = eve ? pipeline_new(&cfg, eve, linktype, err, sizeof(err)) : NULL;
    int rc = pl ? 0 : 1;
    if (rc) log_error("%s", err);
    if (!rc && ship) ship_attach(ship, eve);
    if (!rc && ship && cfg.user[0] && geteuid() == 0 &&
        ship_spool_chown(ship, uid, gid, err, sizeof(err)) != 0) {
        log_error("%s", err);
        rc = 1;
    }
    if (!rc && cfg.user[0] && drop_privileges(cfg.user, uid, gid) != 0) rc = 1;
    /* The spool creates segment files for as long as the sensor runs. */
    if (!rc && ship && access(cfg.ingest.spool_dir, W_OK | X_OK) != 0) {
        log_error("spool %s: not writable%s%s: %s", cfg.ingest.spool_dir,
                  cfg.user[0] ? " by user " : "", cfg.user, strerror(errno));
        rc = 1;
    }
    if (!rc && ship && ship_start(ship, err, sizeof(err)) != 0) {
        log_error("%s", err);
        rc = 1;
    }
    if (rc) {
        pipeline_free(pl);
        ship_close(ship);
        eve_close(eve, err, sizeof(err));
        capture_close(cap);
        geoip_close(geo);
        return 1;
    }
    live_capture = cap;
    pipeline_attach_capture(pl, cap);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    rc = run(cap, pl, ship, what);
    pipeline_finish(pl);
    if (ship) ship_finish(ship, pipeline_last_ts(pl), &stop_requested);
    log_info("%s: %llu packets, %llu events", what, (unsigned long long)pipeline_packets(pl),
             (unsigned long long)eve_events_written(eve));
    live_capture = NULL;
    pipeline_free(pl);
    ship_close(ship); /* before eve_close: it detaches from the writer */
    if (eve_close(eve, err, sizeof(err)) < 0) {
        log_error("%s: %s", eve_path ? eve_path : "eve", err);
        rc = 1;
    }
    capture_close(cap);
    geoip_close(geo);
    return rc;
}
