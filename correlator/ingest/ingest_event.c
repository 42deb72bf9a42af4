/* ingest_event.c -- see ingest_event.h. */
#include "ingest_event.h"

#include "civil_time.h"
#include "err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------------ */

/* "an object", "a string", "null" ... for messages. */
static const char *a_type(int type)
{
    switch (type) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_NUMBER: return "a number";
    default: return json_type_name(type);
    }
}

uint32_t ingest_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

uint32_t ingest_shard_of(const char *key, size_t len, uint32_t nshards)
{
    return nshards <= 1 ? 0 : ingest_hash(key, len) % nshards;
}

bool ingest_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > INGEST_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
    }
    return true;
}

void ingest_parser_free(ingest_parser_t *p)
{
    free(p->toks);
    p->toks = NULL;
    p->cap = 0;
}

void ingest_parser_trim(ingest_parser_t *p)
{
    if (p->cap > INGEST_TOKENS_START) ingest_parser_free(p);
}

static bool parser_reserve(ingest_parser_t *p, int want)
{
    if (p->cap >= want) return true;
    json_tok_t *t = realloc(p->toks, (size_t)want * sizeof(*t));
    if (!t) return false;
    p->toks = t;
    p->cap = want;
    return true;
}

/* Tokenize the line, growing the token space when the first try may have
 * run out of it. A JSON text of n bytes has at most (n + 1) / 2 + 1 values. */
static int tokenize(ingest_parser_t *p, const char *line, size_t len, char *err, size_t errlen)
{
    size_t bound = (len + 1) / 2 + 1;
    if (bound > INGEST_TOKENS_MAX) bound = INGEST_TOKENS_MAX;
    if (!parser_reserve(p, p->cap ? p->cap : INGEST_TOKENS_START)) return INGEST_E_NOMEM;
    int n = json_parse(line, len, p->toks, p->cap, err, errlen);
    if (n < 0 && (size_t)p->cap < bound) {
        if (!parser_reserve(p, (int)bound)) return INGEST_E_NOMEM;
        n = json_parse(line, len, p->toks, p->cap, err, errlen);
    }
    return n < 0 ? INGEST_E_MALFORMED : n;
}

/* ---- reading members ------------------------------------------------------------ */

/* The members this file reads, found in one pass over an object. */
typedef struct wanted {
    const char *key;
    int tok; /* value index, -1 if absent */
} wanted_t;

static void find_members(const char *s, const json_tok_t *t, int obj, wanted_t *w, size_t nw)
{
    for (size_t k = 0; k < nw; k++)
        w[k].tok = -1;
    for (int i = obj + 1, m = 0; m < t[obj].size; m++, i = t[i + 1].next) {
        for (size_t k = 0; k < nw; k++) {
            if (w[k].tok < 0 && json_tok_eq(s, &t[i], w[k].key)) {
                w[k].tok = i + 1;
                break;
            }
        }
    }
}

/* A string member: pointed to in the line when it has no escapes, else
 * unescaped into buf (max + 1 bytes). Absent: "". Not a string, longer than
 * max bytes, or holding \u0000: error. */
static int get_string(const char *s, const json_tok_t *t, int tok, const char *name, size_t max,
                      char *buf, ingest_str_t *out, char *err, size_t errlen)
{
    out->p = "";
    out->len = 0;
    if (tok < 0) return INGEST_OK;
    if (t[tok].type != JSON_STRING)
        return err_set(INGEST_E_MALFORMED, err, errlen, "%s is %s, expected a string", name,
                       a_type(t[tok].type));
    size_t n = t[tok].end - t[tok].start;
    if (!(t[tok].flags & JSON_TOK_ESCAPED)) {
        if (n > max)
            return err_set(INGEST_E_MALFORMED, err, errlen, "%s is longer than %zu bytes", name,
                           max);
        out->p = s + t[tok].start;
        out->len = (uint32_t)n;
        return INGEST_OK;
    }
    int r = json_tok_string(s, &t[tok], buf, max + 1, &n);
    if (r != JSON_OK || memchr(buf, '\0', n))
        return err_set(INGEST_E_MALFORMED, err, errlen,
                       "%s is longer than %zu bytes or holds \\u0000", name, max);
    out->p = buf;
    out->len = (uint32_t)n;
    return INGEST_OK;
}

/* Same, kept: an unescaped copy goes to the arena (n + 1 <= raw + 1 bytes). */
static int read_field(const char *s, const json_tok_t *t, int tok, const char *name,
                      ingest_arena_t *a, ingest_str_t *out, char *err, size_t errlen)
{
    char buf[INGEST_FIELD_MAX + 1];
    int r = get_string(s, t, tok, name, INGEST_FIELD_MAX, buf, out, err, errlen);
    if (r != INGEST_OK || out->p != buf) return r;
    if (a->cap - a->len < (size_t)out->len + 1) return INGEST_E_NOMEM; /* the caller sized it */
    memcpy(a->buf + a->len, buf, out->len);
    a->buf[a->len + out->len] = '\0';
    out->p = a->buf + a->len;
    a->len += out->len + 1;
    return INGEST_OK;
}

static bool boot_id_ok(const char *p, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f || p[i] == ':') return false;
    return true;
}

/* sensor{name,boot_id,seq}: name must be cn; id := "cn:boot_id:seq" in the
 * arena (at most strlen(cn) + boot_id + 23 <= raw boot_id + 87 bytes). */
static int read_identity(const char *s, const json_tok_t *t, int sensor, const char *cn,
                         ingest_arena_t *a, ingest_event_t *ev, char *err, size_t errlen)
{
    if (sensor < 0) return err_set(INGEST_E_MALFORMED, err, errlen, "sensor is missing");
    if (t[sensor].type != JSON_OBJECT)
        return err_set(INGEST_E_MALFORMED, err, errlen, "sensor is %s, expected an object",
                       a_type(t[sensor].type));
    wanted_t w[] = {{"name", -1}, {"boot_id", -1}, {"seq", -1}};
    find_members(s, t, sensor, w, 3);
    if (w[0].tok < 0) return err_set(INGEST_E_MALFORMED, err, errlen, "sensor.name is missing");
    const json_tok_t *name = &t[w[0].tok];
    if (name->type != JSON_STRING)
        return err_set(INGEST_E_MALFORMED, err, errlen, "sensor.name is %s, expected a string",
                       a_type(name->type));
    if (!json_tok_eq(s, name, cn)) {
        size_t n;
        const char *raw = json_tok_raw(s, name, &n);
        return err_set(INGEST_E_FOREIGN, err, errlen, "event for sensor %.*s on connection of %s",
                       n > INGEST_NAME_MAX ? INGEST_NAME_MAX : (int)n, raw, cn);
    }
    uint64_t seq;
    if (w[2].tok < 0) return err_set(INGEST_E_MALFORMED, err, errlen, "sensor.seq is missing");
    if (json_tok_uint64(s, &t[w[2].tok], &seq) != JSON_OK)
        return err_set(INGEST_E_MALFORMED, err, errlen, "sensor.seq is not an unsigned integer");
    if (w[1].tok < 0) return err_set(INGEST_E_MALFORMED, err, errlen, "sensor.boot_id is missing");
    char buf[INGEST_BOOT_ID_MAX + 1];
    ingest_str_t boot;
    int r =
        get_string(s, t, w[1].tok, "sensor.boot_id", INGEST_BOOT_ID_MAX, buf, &boot, err, errlen);
    if (r != INGEST_OK) return r;
    if (!boot_id_ok(boot.p, boot.len))
        return err_set(INGEST_E_MALFORMED, err, errlen,
                       "sensor.boot_id must be 1..%d printable bytes without ':'",
                       INGEST_BOOT_ID_MAX);
    size_t cnlen = strlen(cn), room = a->cap - a->len;
    if (room < cnlen + boot.len + 23) return INGEST_E_NOMEM; /* the caller sized it */
    char *id = a->buf + a->len;
    memcpy(id, cn, cnlen);
    id[cnlen] = ':';
    memcpy(id + cnlen + 1, boot.p, boot.len);
    size_t off = cnlen + 1 + boot.len;
    int k = snprintf(id + off, room - off, ":%" PRIu64, seq);
    ev->id.p = id;
    ev->id.len = (uint32_t)(off + (size_t)k);
    a->len += ev->id.len + 1;
    return INGEST_OK;
}

/* ---- stats events ------------------------------------------------------------- */

static uint64_t get_u64(const char *s, const json_tok_t *t, int n, const char *path)
{
    uint64_t v = 0;
    const json_tok_t *tok = json_get(s, t, n, path);
    if (!tok || json_tok_uint64(s, tok, &v) != JSON_OK) return 0;
    return v;
}

static void read_stats(const char *s, const json_tok_t *t, int n, const ingest_event_t *ev,
                       ingest_stats_sample_t *st)
{
    memset(st, 0, sizeof(*st));
    st->valid = true;
    st->packets = get_u64(s, t, n, "stats.decoder.pkts");
    st->drops = get_u64(s, t, n, "stats.capture.kernel_drops") +
                get_u64(s, t, n, "stats.capture.kernel_ifdrops");
    st->events_dropped =
        get_u64(s, t, n, "stats.eve.dropped") + get_u64(s, t, n, "stats.ingest.events_dropped");
    memcpy(st->ts, ev->ts.p, ev->ts.len);
    st->ts[ev->ts.len] = '\0';
    if (!ingest_parse_time(ev->ts.p, ev->ts.len, &st->time_us)) st->time_us = INT64_MIN;
    /* boot_id: the part of the id between the two colons */
    const char *b = memchr(ev->id.p, ':', ev->id.len);
    const char *e = b ? memchr(b + 1, ':', ev->id.len - (size_t)(b + 1 - ev->id.p)) : NULL;
    if (b && e && (size_t)(e - b - 1) <= INGEST_BOOT_ID_MAX) {
        memcpy(st->boot_id, b + 1, (size_t)(e - b - 1));
        st->boot_id[e - b - 1] = '\0';
    }
}

void ingest_stats_rates(const ingest_stats_sample_t *prev, ingest_stats_sample_t *cur)
{
    cur->has_rates = false;
    if (!prev || !prev->valid || !cur->valid) return;
    if (strcmp(prev->boot_id, cur->boot_id) != 0) return;
    if (prev->time_us == INT64_MIN || cur->time_us == INT64_MIN || cur->time_us <= prev->time_us)
        return;
    if (cur->packets < prev->packets || cur->drops < prev->drops) return;
    double dt = (double)(cur->time_us - prev->time_us) / 1e6;
    cur->packets_per_sec = (double)(cur->packets - prev->packets) / dt;
    cur->drops_per_sec = (double)(cur->drops - prev->drops) / dt;
    cur->has_rates = true;
}

/* ---- time ----------------------------------------------------------------------- */

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool ingest_parse_time(const char *s, size_t len, int64_t *us)
{
    int y, mo, d, h, mi, sec;
    if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
        return false;
    size_t i = 19;
    int64_t frac = 0;
    if (s[i] == '.') {
        size_t nd = 0;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++) {
            if (nd >= 9) return false;
            if (nd < 6) frac = frac * 10 + (s[i] - '0');
        }
        if (nd == 0) return false;
        for (; nd < 6; nd++)
            frac *= 10;
    }
    int64_t off = 0;
    if (i < len && s[i] == 'Z') {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        int sign = s[i] == '-' ? -1 : 1;
        i++;
        if (len - i == 5 && s[i + 2] == ':') {
            if (!digits(s + i, 2, &oh) || !digits(s + i + 3, 2, &om)) return false;
        } else if (len - i == 4) {
            if (!digits(s + i, 2, &oh) || !digits(s + i + 2, 2, &om)) return false;
        } else {
            return false;
        }
        if (oh > 23 || om > 59) return false;
        off = sign * (int64_t)(oh * 3600 + om * 60);
        i = len;
    } else {
        return false;
    }
    if (i != len) return false;
    int64_t t = civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    *us = t * 1000000 + frac;
    return true;
}

/* ---- one event ------------------------------------------------------------------- */

int ingest_event_parse(ingest_parser_t *p, const char *line, size_t len, const char *cn,
                       uint32_t nshards, ingest_arena_t *arena, ingest_event_t *ev,
                       ingest_stats_sample_t *stats, char *err, size_t errlen)
{
    if (stats) stats->valid = false;
    int n = tokenize(p, line, len, err, errlen);
    if (n < 0) return n;
    const json_tok_t *t = p->toks;
    if (t[0].type != JSON_OBJECT)
        return err_set(INGEST_E_MALFORMED, err, errlen, "event is %s, expected an object",
                       a_type(t[0].type));
    wanted_t w[] = {{"sensor", -1}, {"event_type", -1}, {"timestamp", -1}, {"src_ip", -1}};
    find_members(line, t, 0, w, 4);
    ev->line = line;
    ev->len = (uint32_t)len;
    int r = read_identity(line, t, w[0].tok, cn, arena, ev, err, errlen);
    if (r == INGEST_OK)
        r = read_field(line, t, w[1].tok, "event_type", arena, &ev->type, err, errlen);
    if (r == INGEST_OK) r = read_field(line, t, w[2].tok, "timestamp", arena, &ev->ts, err, errlen);
    if (r != INGEST_OK) return r;
    /* shard: by source address, or by sensor name when the event has none */
    const json_tok_t *src = w[3].tok >= 0 ? &t[w[3].tok] : NULL;
    char ip[64];
    size_t iplen;
    if (src && src->type == JSON_STRING && !(src->flags & JSON_TOK_ESCAPED)) {
        ev->shard = ingest_shard_of(line + src->start, src->end - src->start, nshards);
    } else if (src && src->type == JSON_STRING &&
               json_tok_string(line, src, ip, sizeof(ip), &iplen) == JSON_OK) {
        ev->shard = ingest_shard_of(ip, iplen, nshards);
    } else {
        ev->shard = ingest_shard_of(cn, strlen(cn), nshards);
    }
    if (stats && ev->type.len == 5 && memcmp(ev->type.p, "stats", 5) == 0)
        read_stats(line, t, n, ev, stats);
    return INGEST_OK;
}
