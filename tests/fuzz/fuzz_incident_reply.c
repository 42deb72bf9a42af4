/* fuzz_incident_reply.c -- what socctl does with whatever Redis holds.
 *
 * The input after its first byte is read as RESP by hiredis's own reader,
 * like a reply of the GET script (correlator/incidents/incident_lua.c), and
 * given to incident_from_reply(); an accepted record is written as JSON
 * (which must then parse strictly, whatever bytes the strings held) and run
 * through the list filters. The first byte picks the filter's status and
 * the time of the check. The input is also tried as a --since time, an
 * incident id and a comment (the analyst's side). */
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents/incident_filter.h"
#include "incidents/incident_id.h"
#include "incidents/incident_json.h"
#include "incidents/incident_record.h"
#include "json_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_json(const jw_t *w)
{
    if (w->oom) return;
    int max = (int)w->len + 1;
    json_tok_t *toks = malloc((size_t)max * sizeof(*toks));
    char err[256];
    if (toks && json_parse(w->buf, w->len, toks, max, err, sizeof(err)) < 1) {
        fprintf(stderr, "invalid JSON written: %s\n%s\n", err, w->buf);
        abort();
    }
    free(toks);
}

/* hiredis 0.14's reader allocates whatever an array header announces (a
 * real Redis sends what it holds): skip inputs announcing huge ones. */
static bool sizes_small(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '*' && d[i] != '$') continue;
        unsigned long v = 0;
        for (size_t k = i + 1; k < n && d[k] >= '0' && d[k] <= '9'; k++)
            if ((v = v * 10 + (d[k] - '0')) > 4096) return false;
    }
    return true;
}

static void try_reply(uint8_t mode, const uint8_t *data, size_t size)
{
    if (!sizes_small(data, size)) return;
    redisReader *rd = redisReaderCreate();
    if (!rd) return;
    void *reply = NULL;
    if (redisReaderFeed(rd, (const char *)data, size) == REDIS_OK &&
        redisReaderGetReply(rd, &reply) == REDIS_OK && reply) {
        incident_t inc;
        char err[256];
        if (incident_from_reply(reply, &inc, err, sizeof(err)) == 0) {
            inc.has_timeline = mode & 1;
            jw_t w;
            jw_init(&w);
            incident_json(&w, &inc, (int64_t)(mode >> 1) * 86400LL * 1000000 * 365);
            check_json(&w);
            jw_free(&w);
            incident_filter_t f;
            incident_filter_init(&f, 1772353800LL * 1000000);
            f.select = (incident_select_t)(mode % 3);
            f.status = (incident_status_t)(mode % INCIDENT_STATUS_COUNT);
            f.overdue = mode & 8;
            f.asset = mode & 16 ? "portal" : NULL;
            incident_filter_match(&f, &inc);
            incident_free(&inc);
        } else if (strchr(err, '\n')) {
            abort(); /* one line */
        }
    }
    redisReaderFree(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    try_reply(data[0], data + 1, size - 1);
    char s[512];
    size_t n = size - 1 < sizeof(s) - 1 ? size - 1 : sizeof(s) - 1;
    memcpy(s, data + 1, n);
    s[n] = '\0';
    int64_t t;
    char err[256];
    incident_parse_time(s, 1772353800LL * 1000000, &t, err, sizeof(err));
    incident_id_valid(s);
    int p;
    incident_parse_priority(s, &p);
    return 0;
}
