/* fwd_send_driver.c -- sends payloads through the forwarder's transports
 * (correlator/forward/fwd_https.c, fwd_syslog_tls.c) for
 * forward_transport_test.py.
 *
 *   fwd_send_driver https|syslog --host H --port P --ca FILE
 *       [--cert FILE --key FILE] [--server-name NAME] [--path PATH]
 *       [--content-type TYPE] [--bearer TOKEN | --basic USER:PASSWORD]
 *       [--timeout-ms N] [--idle-max-ms N] [--confirm-ms N] [--frame] [--step]
 *       PAYLOAD...
 *
 * A PAYLOAD is literal text, or @FILE for a file's bytes. --frame wraps
 * each syslog payload as one RFC 5425 frame ("LEN SP MSG"). All payloads go
 * through one transport handle, so its connection is kept between them;
 * with --step the driver reads a line on stdin before each payload but the
 * first (the test restarts a receiver in between).
 *
 * One JSON line per payload on stdout: {"n":1,"status":"delivered",
 * "http_status":202,"retry_after":0,"connects":1,"sent":true,"reason":"..."}.
 * Exit 0 when all were delivered, 1 otherwise, 2 on bad usage or a
 * configuration the transport refused (its one-line error on stderr). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_https.h"
#include "forward/fwd_syslog_tls.h"
#include "json_writer.h"

#define PAYLOAD_MAX (16u << 20)

struct opts {
    bool https, frame, step;
    fwd_https_cfg_t h;
    const char *path, *ctype;
    long confirm_ms;
    char *basic; /* USER:PASSWORD, split in place */
};

static void usage(void)
{
    fputs("usage: fwd_send_driver https|syslog --host H --port P --ca FILE [--cert FILE --key "
          "FILE]\n  [--server-name NAME] [--path PATH] [--content-type TYPE] [--bearer TOKEN | "
          "--basic USER:PASS]\n  [--timeout-ms N] [--idle-max-ms N] [--confirm-ms N] [--frame] "
          "[--step] PAYLOAD...\n",
          stderr);
    exit(2);
}

static uint32_t num(const char *s, const char *what)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > 0xffffffffUL) {
        fprintf(stderr, "fwd_send_driver: %s: not a number: %s\n", what, s);
        exit(2);
    }
    return (uint32_t)v;
}

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {{"host", 1, 0, 'H'},       {"port", 1, 0, 'P'},
                                       {"ca", 1, 0, 'a'},         {"cert", 1, 0, 'c'},
                                       {"key", 1, 0, 'k'},        {"server-name", 1, 0, 'n'},
                                       {"path", 1, 0, 'p'},       {"content-type", 1, 0, 't'},
                                       {"bearer", 1, 0, 'b'},     {"basic", 1, 0, 'B'},
                                       {"timeout-ms", 1, 0, 'T'}, {"idle-max-ms", 1, 0, 'I'},
                                       {"confirm-ms", 1, 0, 'C'}, {"frame", 0, 0, 'f'},
                                       {"step", 0, 0, 's'},       {0, 0, 0, 0}};
    if (argc < 2) usage();
    o->https = strcmp(argv[1], "https") == 0;
    if (!o->https && strcmp(argv[1], "syslog") != 0) usage();
    o->path = "/";
    o->ctype = "application/stix+json;version=2.1";
    o->confirm_ms = -1;
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'H': o->h.tls.host = optarg; break;
        case 'P': o->h.tls.port = (uint16_t)num(optarg, "--port"); break;
        case 'a': o->h.tls.ca_file = optarg; break;
        case 'c': o->h.tls.cert_file = optarg; break;
        case 'k': o->h.tls.key_file = optarg; break;
        case 'n': o->h.tls.server_name = optarg; break;
        case 'p': o->path = optarg; break;
        case 't': o->ctype = optarg; break;
        case 'b': o->h.bearer_token = optarg; break;
        case 'B': o->basic = optarg; break;
        case 'T':
            o->h.tls.connect_timeout_ms = o->h.tls.io_timeout_ms = num(optarg, "--timeout-ms");
            break;
        case 'I': o->h.tls.idle_max_ms = num(optarg, "--idle-max-ms"); break;
        case 'C': o->confirm_ms = num(optarg, "--confirm-ms"); break;
        case 'f': o->frame = true; break;
        case 's': o->step = true; break;
        default: usage();
        }
    }
    if (o->basic) {
        char *colon = strchr(o->basic, ':');
        if (!colon) usage();
        *colon = '\0';
        o->h.basic_user = o->basic;
        o->h.basic_password = colon + 1;
    }
    if (optind >= argc) usage();
}

/* The payload's bytes (malloc'd, with room for a frame header), or NULL. */
static char *load(const char *arg, size_t *len)
{
    if (arg[0] != '@') {
        *len = strlen(arg);
        char *p = malloc(*len + 1);
        if (p) memcpy(p, arg, *len + 1);
        return p;
    }
    FILE *f = fopen(arg + 1, "rb");
    if (!f) return NULL;
    char *p = malloc(PAYLOAD_MAX);
    *len = p ? fread(p, 1, PAYLOAD_MAX, f) : 0;
    fclose(f);
    return p;
}

static char *framed(char *p, size_t *len)
{
    char head[24];
    int n = snprintf(head, sizeof(head), "%zu ", *len);
    char *out = malloc((size_t)n + *len);
    if (out) {
        memcpy(out, head, (size_t)n);
        memcpy(out + n, p, *len);
        *len += (size_t)n;
    }
    free(p);
    return out;
}

static void print_result(jw_t *w, int n, const fwd_result_t *res)
{
    jw_reset(w);
    jw_object_open(w);
    jw_kint(w, "n", n);
    jw_kstr(w, "status", fwd_status_name(res->status));
    jw_kint(w, "http_status", res->http_status);
    jw_kuint(w, "retry_after", res->retry_after);
    jw_kuint(w, "connects", res->connects);
    jw_kbool(w, "sent", res->sent);
    jw_kstr(w, "reason", res->reason);
    jw_object_close(w);
    printf("%.*s\n", (int)w->len, w->buf);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    parse(argc, argv, &o);
    char err[512];
    fwd_https_t *h = NULL;
    fwd_syslog_tls_t *s = NULL;
    if (o.https)
        h = fwd_https_new(&o.h, err, sizeof(err));
    else
        s = fwd_syslog_tls_new(&o.h.tls, err, sizeof(err));
    if (!h && !s) {
        fprintf(stderr, "fwd_send_driver: %s\n", err);
        return 2;
    }
    if (s && o.confirm_ms >= 0) fwd_syslog_tls_set_confirm_ms(s, (uint32_t)o.confirm_ms);
    jw_t w;
    jw_init(&w);
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        char line[64];
        if (o.step && i > optind && !fgets(line, sizeof(line), stdin)) break;
        size_t len = 0;
        char *p = load(argv[i], &len);
        if (p && o.frame) p = framed(p, &len);
        if (!p) {
            fprintf(stderr, "fwd_send_driver: cannot read payload %s\n", argv[i]);
            rc = 2;
            break;
        }
        fwd_result_t res;
        if (h)
            fwd_https_post(h, o.path, o.ctype, p, len, &res);
        else
            fwd_syslog_tls_send(s, p, len, &res);
        free(p);
        print_result(&w, i - optind + 1, &res);
        if (res.status != FWD_DELIVERED && rc == 0) rc = 1;
    }
    jw_free(&w);
    fwd_https_free(h);
    fwd_syslog_tls_free(s);
    return rc;
}
