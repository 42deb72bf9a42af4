/* forward.c -- `socctl forward status [--json]`: what soc-forwarder has
 * still to send and how each endpoint is doing (correlator/forward/README.md).
 * Read-only, as the console user. */
#include "socctl/forward.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forward/fwd_queue.h"
#include "json_writer.h"
#include "socctl/redis_client.h"

/* Status fields shown, in this order; times are µs since the epoch. */
static const char *const FIELDS[] = {
    "delivered",       "failures",      "refused",    "consecutive_failures",
    "last_success_at", "last_error_at", "last_error", "retry_at",
    "alarm",           "alarms",        NULL};

typedef struct endpoint_status {
    const char *name, *desc;
    long long depth, dead;
    redisReply *fields; /* HMGET of FIELDS */
} endpoint_status_t;

static long long integer_of(redisContext *c, const char *cmd, const char *key)
{
    redisReply *r = redisCommand(c, "%s %s", cmd, key);
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    return v;
}

static void read_endpoint(redisContext *c, endpoint_status_t *e)
{
    char key[256];
    snprintf(key, sizeof(key), FWD_KEY_PREFIX "queue:%s", e->name);
    e->depth = integer_of(c, "LLEN", key);
    snprintf(key, sizeof(key), FWD_KEY_PREFIX "dead:%s", e->name);
    e->dead = integer_of(c, "LLEN", key);
    snprintf(key, sizeof(key), FWD_KEY_PREFIX "status:%s", e->name);
    const char *argv[16] = {"HMGET", key};
    int argc = 2;
    for (const char *const *f = FIELDS; *f; f++)
        argv[argc++] = *f;
    e->fields = redisCommandArgv(c, argc, argv, NULL);
}

static const char *field(const endpoint_status_t *e, size_t i)
{
    const redisReply *r = e->fields;
    if (!r || r->type != REDIS_REPLY_ARRAY || i >= r->elements) return NULL;
    return r->element[i]->type == REDIS_REPLY_STRING ? r->element[i]->str : NULL;
}

static bool is_time(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && (strcmp(name + n - 3, "_at") == 0);
}

/* µs since the epoch as "2026-03-01T08:30:15Z" ("-" for 0/absent). */
static const char *fmt_time(const char *v, char *out, size_t cap)
{
    long long us = v ? atoll(v) : 0;
    if (us <= 0) return "-";
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

static void print_text(const endpoint_status_t *v, size_t n, long long outbox, long long pending)
{
    char tbuf[32];
    printf("outbox: %lld version(s) waiting to be queued, %lld being queued\n", outbox, pending);
    for (size_t i = 0; i < n; i++) {
        printf("%s (%s)\n    %-21s %lld\n    %-21s %lld\n", v[i].name, v[i].desc, "queued",
               v[i].depth, "refused (kept)", v[i].dead);
        for (size_t f = 0; FIELDS[f]; f++) {
            const char *val = field(&v[i], f);
            if (is_time(FIELDS[f])) val = fmt_time(val, tbuf, sizeof(tbuf));
            printf("    %-21s %s\n", FIELDS[f], val && *val ? val : "-");
        }
    }
}

static void print_json(const endpoint_status_t *v, size_t n, long long outbox, long long pending)
{
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_kobject_open(&w, "outbox");
    jw_kint(&w, "length", outbox);
    jw_kint(&w, "pending", pending);
    jw_object_close(&w);
    jw_karray_open(&w, "endpoints");
    for (size_t i = 0; i < n; i++) {
        jw_object_open(&w);
        jw_kstr(&w, "name", v[i].name);
        jw_kstr(&w, "endpoint", v[i].desc);
        jw_kint(&w, "queued", v[i].depth);
        jw_kint(&w, "refused", v[i].dead);
        for (size_t f = 0; FIELDS[f]; f++) {
            const char *val = field(&v[i], f);
            if (!val || !*val)
                jw_knull(&w, FIELDS[f]);
            else if (strcmp(FIELDS[f], "last_error") == 0)
                jw_kstr(&w, FIELDS[f], val);
            else
                jw_kint(&w, FIELDS[f], atoll(val));
        }
        jw_object_close(&w);
    }
    jw_array_close(&w);
    jw_object_close(&w);
    printf("%.*s\n", (int)w.len, w.buf);
    jw_free(&w);
}

/* Entries delivered to the group but not yet queued (XPENDING summary). */
static long long pending_of(redisContext *c)
{
    redisReply *r = redisCommand(c, "XPENDING %s %s", FWD_OUTBOX_KEY, FWD_GROUP);
    long long v = r && r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
                          r->element[0]->type == REDIS_REPLY_INTEGER
                      ? r->element[0]->integer
                      : 0;
    freeReplyObject(r);
    return v;
}

static int show_status(redisContext *c, bool json)
{
    redisReply *eps = redisCommand(c, "HGETALL %s", FWD_ENDPOINTS);
    if (!eps || eps->type != REDIS_REPLY_ARRAY) {
        fprintf(stderr, "socctl forward status: redis: %s\n",
                eps && eps->type == REDIS_REPLY_ERROR ? eps->str : c->errstr);
        freeReplyObject(eps);
        return 1;
    }
    size_t n = eps->elements / 2;
    endpoint_status_t *v = calloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; v && i < n; i++) {
        v[i].name = eps->element[2 * i]->str;
        v[i].desc = eps->element[2 * i + 1]->str;
        read_endpoint(c, &v[i]);
    }
    if (v) {
        long long outbox = integer_of(c, "XLEN", FWD_OUTBOX_KEY), pending = pending_of(c);
        if (json)
            print_json(v, n, outbox, pending);
        else
            print_text(v, n, outbox, pending);
    }
    for (size_t i = 0; v && i < n; i++)
        freeReplyObject(v[i].fields);
    free(v);
    freeReplyObject(eps);
    return v ? 0 : 1;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: socctl forward status [--json] [--redis-socket PATH]\n"
                 "                             [--redis-user USER] [--redis-password-file FILE]\n"
                 "Per endpoint of soc-forwarder: versions queued and refused, deliveries,\n"
                 "failures, the last success and the last error, the queue alarm.\n");
}

int forward_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"redis-socket", required_argument, NULL, 's'},
        {"redis-user", required_argument, NULL, 'u'},
        {"redis-password-file", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || strcmp(argv[1], "status") != 0) {
        usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
        return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    socctl_redis_opts_t o = {0};
    bool json = false;
    int opt;
    optind = 2;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j': json = true; break;
        case 's': o.socket = optarg; break;
        case 'u': o.user = optarg; break;
        case 'p': o.password_file = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    char err[512];
    redisContext *c = socctl_redis_connect(&o, err, sizeof(err));
    if (!c) {
        fprintf(stderr, "socctl forward status: %s\n", err);
        return 1;
    }
    int rc = show_status(c, json);
    redisFree(c);
    return rc;
}
