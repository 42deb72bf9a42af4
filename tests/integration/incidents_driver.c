/* incidents_driver.c -- calls incident_apply() for incidents_test.py.
 *
 *   incidents_driver --socket S --user U --password-file F [--config soc.yaml]
 *
 * Reads one match per line on stdin as a JSON object (the members of
 * incident_match_t by name, times in microseconds, plus "now"; lists are
 * arrays of strings, samples too) and prints one line per match:
 * {"id":"INC-...","created":true} or {"rc":-2,"error":"..."}. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents/incident_store.h"
#include "json_reader.h"
#include "json_writer.h"

#define MAX_TOKS  100000
#define MAX_ITEMS 20000

typedef struct strings {
    char *v[MAX_ITEMS];
    size_t n;
} strings_t;

/* Unescaped copy of a string token (kept in all, freed per line). */
static char *str_of(const char *s, const json_tok_t *t, strings_t *all)
{
    if (!t || t->type != JSON_STRING || all->n == MAX_ITEMS) return NULL;
    size_t cap = t->end - t->start + 1;
    char *out = malloc(cap);
    if (!out || json_tok_string(s, t, out, cap, NULL) != JSON_OK) {
        free(out);
        return NULL;
    }
    all->v[all->n++] = out;
    return out;
}

static const char *member_str(const char *s, const json_tok_t *toks, int n, const char *k,
                              strings_t *all)
{
    const json_tok_t *t = json_get(s, toks, n, k);
    return t ? str_of(s, t, all) : NULL;
}

static int64_t member_int(const char *s, const json_tok_t *toks, int n, const char *k)
{
    int64_t v = 0;
    json_tok_int64(s, json_get(s, toks, n, k), &v);
    return v;
}

/* An array of strings into a fresh pointer array (in all as well). */
static const char *const *member_list(const char *s, const json_tok_t *toks, int n, const char *k,
                                      size_t *count, strings_t *all)
{
    *count = 0;
    const json_tok_t *a = json_get(s, toks, n, k);
    if (!a || a->type != JSON_ARRAY || all->n == MAX_ITEMS) return NULL;
    const char **v = calloc((size_t)a->size + 1, sizeof(*v));
    if (!v) return NULL;
    all->v[all->n++] = (char *)v;
    int i = (int)(a - toks) + 1;
    for (int m = 0; m < a->size; m++, i = toks[i].next)
        v[(*count)++] = str_of(s, &toks[i], all);
    return v;
}

static void apply_line(incident_store_t *st, const char *line, size_t len, json_tok_t *toks)
{
    strings_t *all = calloc(1, sizeof(*all));
    char err[512] = "", id[INCIDENT_ID_MAX] = "";
    int n = all ? json_parse(line, len, toks, MAX_TOKS, err, sizeof(err)) : -1;
    int rc = INCIDENT_REFUSED;
    bool created = false;
    if (n > 0) {
        incident_match_t m = {
            .match_id = member_str(line, toks, n, "match_id", all),
            .rule_id = member_str(line, toks, n, "rule_id", all),
            .rule_version = (uint32_t)member_int(line, toks, n, "rule_version"),
            .title = member_str(line, toks, n, "title", all),
            .severity = (int)member_int(line, toks, n, "severity"),
            .priority = (int)member_int(line, toks, n, "priority"),
            .group_key = member_str(line, toks, n, "group_key", all),
            .first_seen_usec = member_int(line, toks, n, "first_seen"),
            .last_seen_usec = member_int(line, toks, n, "last_seen"),
            .count = (uint64_t)member_int(line, toks, n, "count"),
            .asset_name = member_str(line, toks, n, "asset_name", all),
            .asset_level = (int)member_int(line, toks, n, "asset_level"),
        };
        m.src_ips = member_list(line, toks, n, "src_ips", &m.n_src, all);
        m.dest_ips = member_list(line, toks, n, "dest_ips", &m.n_dest, all);
        m.tactics = member_list(line, toks, n, "tactics", &m.n_tactics, all);
        m.techniques = member_list(line, toks, n, "techniques", &m.n_techniques, all);
        m.event_ids = member_list(line, toks, n, "event_ids", &m.n_event_ids, all);
        m.samples = member_list(line, toks, n, "samples", &m.n_samples, all);
        rc = incident_apply(st, &m, member_int(line, toks, n, "now"), id, sizeof(id), &created, err,
                            sizeof(err));
    }
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    if (rc == INCIDENT_OK) {
        jw_kstr(&w, "id", id);
        jw_kbool(&w, "created", created);
    } else {
        jw_kint(&w, "rc", rc);
        jw_kstr(&w, "error", err);
    }
    jw_object_close(&w);
    printf("%s\n", w.buf);
    fflush(stdout);
    jw_free(&w);
    for (size_t i = 0; all && i < all->n; i++)
        free(all->v[i]);
    free(all);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'},
        {"user", required_argument, NULL, 'u'},
        {"password-file", required_argument, NULL, 'p'},
        {"config", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *sock = NULL, *user = "correlator", *pass = NULL, *config = NULL;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 's': sock = optarg; break;
        case 'u': user = optarg; break;
        case 'p': pass = optarg; break;
        case 'c': config = optarg; break;
        default: return 2;
        }
    }
    if (!sock || !pass) {
        fprintf(stderr, "usage: incidents_driver --socket S --password-file F [--user U] "
                        "[--config FILE]\n");
        return 2;
    }
    char err[512];
    incident_config_t cfg;
    incident_config_defaults(&cfg);
    if (config && !incident_config_load(&cfg, config, err, sizeof(err))) {
        fprintf(stderr, "incidents_driver: %s\n", err);
        return 1;
    }
    incident_store_t *st = incident_store_connect(sock, user, pass, &cfg, err, sizeof(err));
    if (!st) {
        fprintf(stderr, "incidents_driver: %s\n", err);
        return 1;
    }
    json_tok_t *toks = malloc(MAX_TOKS * sizeof(*toks));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (toks && (len = getline(&line, &cap, stdin)) > 0)
        apply_line(st, line, (size_t)len, toks);
    free(line);
    free(toks);
    incident_store_close(st);
    return 0;
}
