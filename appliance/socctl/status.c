/* status.c -- `socctl status [--json]`.
 *
 * Reads what soc-ingest keeps in Redis: the sensor registry (soc:sensors and
 * the hash soc:sensor:NAME of each, printed field by field as ingest wrote
 * them: version, interface, last seen, events, packet and drop rates ...),
 * the length of every event stream shard soc:events:{N}, and ingest's own
 * counters (soc:ingest:stats). Read-only, as the console user. */
#include "socctl/status.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "socctl/redis_client.h"

#define STREAM_PATTERN "soc:events:*"

#define MAX_SENSORS 4096
#define MAX_STREAMS 1024

/* What status shows, as Redis replied (each reply owned here). */
typedef struct status {
    redisReply *sensor[MAX_SENSORS]; /* HGETALL of each registered sensor */
    size_t n_sensors;
    char *stream[MAX_STREAMS];
    unsigned long long stream_len[MAX_STREAMS], total;
    size_t n_streams;
    redisReply *ingest; /* HGETALL soc:ingest:stats */
} status_t;

static redisReply *cmd(redisContext *c, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        snprintf(err, errlen, "redis: %s", r ? r->str : c->errstr);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

static int read_sensors(redisContext *c, status_t *st, char *err, size_t errlen)
{
    redisReply *names = cmd(c, err, errlen, "SMEMBERS soc:sensors");
    if (!names) return -1;
    int rc = 0;
    for (size_t i = 0; i < names->elements && st->n_sensors < MAX_SENSORS; i++) {
        redisReply *h = cmd(c, err, errlen, "HGETALL soc:sensor:%s", names->element[i]->str);
        if (!h) {
            rc = -1;
            break;
        }
        st->sensor[st->n_sensors++] = h;
    }
    freeReplyObject(names);
    return rc;
}

static int add_stream(redisContext *c, status_t *st, const char *key, char *err, size_t errlen)
{
    if (st->n_streams == MAX_STREAMS) return 0;
    redisReply *n = cmd(c, err, errlen, "XLEN %s", key);
    if (!n) return -1;
    st->stream[st->n_streams] = strdup(key);
    st->stream_len[st->n_streams] = (unsigned long long)n->integer;
    st->total += (unsigned long long)n->integer;
    st->n_streams += st->stream[st->n_streams] != NULL;
    freeReplyObject(n);
    return 0;
}

/* Every event stream shard, found with SCAN (the shard count is ingest's
 * configuration, not socctl's). */
static int read_streams(redisContext *c, status_t *st, char *err, size_t errlen)
{
    char cursor[32] = "0";
    do {
        redisReply *r =
            cmd(c, err, errlen, "SCAN %s MATCH %s TYPE stream COUNT 1000", cursor, STREAM_PATTERN);
        if (!r) return -1;
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        const redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++)
            if (add_stream(c, st, keys->element[i]->str, err, errlen) < 0) {
                freeReplyObject(r);
                return -1;
            }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return 0;
}

static void status_free(status_t *st)
{
    for (size_t i = 0; i < st->n_sensors; i++)
        freeReplyObject(st->sensor[i]);
    for (size_t i = 0; i < st->n_streams; i++)
        free(st->stream[i]);
    freeReplyObject(st->ingest);
}

/* A field/value array reply (HGETALL) as a JSON object. */
static void hash_object(jw_t *w, const redisReply *h)
{
    jw_object_open(w);
    for (size_t i = 0; h && i + 1 < h->elements; i += 2)
        jw_kstrn(w, h->element[i]->str, h->element[i + 1]->str, h->element[i + 1]->len);
    jw_object_close(w);
}

static void print_json(const status_t *st, FILE *out)
{
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_karray_open(&w, "sensors");
    for (size_t i = 0; i < st->n_sensors; i++)
        hash_object(&w, st->sensor[i]);
    jw_array_close(&w);
    jw_kobject_open(&w, "streams");
    for (size_t i = 0; i < st->n_streams; i++)
        jw_kuint(&w, st->stream[i], st->stream_len[i]);
    jw_object_close(&w);
    jw_kuint(&w, "events_stored", st->total);
    jw_key(&w, "ingest");
    hash_object(&w, st->ingest);
    jw_object_close(&w);
    fprintf(out, "%.*s\n", (int)w.len, w.buf);
    jw_free(&w);
}

static void print_hash(const redisReply *h, FILE *out)
{
    for (size_t i = 0; h && i + 1 < h->elements; i += 2)
        fprintf(out, "    %-16s %s\n", h->element[i]->str, h->element[i + 1]->str);
}

static void print_text(const status_t *st, FILE *out)
{
    fprintf(out, "sensors: %zu\n", st->n_sensors);
    for (size_t i = 0; i < st->n_sensors; i++) {
        fprintf(out, "  -\n");
        print_hash(st->sensor[i], out);
    }
    fprintf(out, "events stored: %llu\n", st->total);
    for (size_t i = 0; i < st->n_streams; i++)
        fprintf(out, "    %-16s %llu\n", st->stream[i], st->stream_len[i]);
    fprintf(out, "ingest:\n");
    print_hash(st->ingest, out);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: socctl status [--json] [--redis-socket PATH] [--redis-user USER]\n"
            "                     [--redis-password-file FILE]\n"
            "Sensors known to the centre, events stored per stream shard, ingest counters.\n"
            "Redis: $SOC_REDIS_SOCKET / $SOC_REDIS_PASSWORD_FILE, default %s.\n",
            SOCCTL_REDIS_SOCKET);
}

int status_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"redis-socket", required_argument, NULL, 's'},
        {"redis-user", required_argument, NULL, 'u'},
        {"redis-password-file", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    socctl_redis_opts_t o = {0};
    int json = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j': json = 1; break;
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
        fprintf(stderr, "socctl status: %s\n", err);
        return 1;
    }
    status_t *st = calloc(1, sizeof(*st));
    int rc = 1;
    if (!st)
        snprintf(err, sizeof(err), "out of memory");
    else if (read_sensors(c, st, err, sizeof(err)) == 0 &&
             read_streams(c, st, err, sizeof(err)) == 0 &&
             (st->ingest = cmd(c, err, sizeof(err), "HGETALL soc:ingest:stats")) != NULL)
        rc = 0;
    redisFree(c);
    if (rc)
        fprintf(stderr, "socctl status: %s\n", err);
    else if (json)
        print_json(st, stdout);
    else
        print_text(st, stdout);
    if (st) status_free(st);
    free(st);
    return rc;
}
