/* fuzz_corr_rules.c -- the correlation rule loader on arbitrary text, then
 * every loaded rule on a few events.
 *
 * Loading must never crash, hang or leak; every skipped rule gives exactly
 * one line, which names the file and holds no newline. Loaded rules are
 * evaluated against fixed events, and their group keys and value_count
 * values rendered, so compiled values, conditions and aliases from fuzzed
 * text all run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/corr_rule.h"

typedef struct lines {
    size_t n;
} lines_t;

static void check_line(void *ud, const char *line)
{
    lines_t *l = ud;
    l->n++;
    if (strchr(line, '\n') || strncmp(line, "fuzz.yml", 8) != 0) abort();
}

static const char *const events[] = {
    "{\"event_type\":\"http\",\"src_ip\":\"89.160.20.128\",\"src_port\":39001,\"dest_ip\":"
    "\"10.20.0.10\",\"dest_port\":80,\"proto\":\"TCP\",\"http\":{\"hostname\":\"a.gov.vn\","
    "\"url\":\"/x?q=1%27\\\"\",\"http_user_agent\":\"sqlmap\",\"status\":200,\"length\":-1}}",
    "{\"event_type\":\"dns\",\"src_ip\":\"2001:db8::1\",\"dest_ip\":\"::ffff:10.0.0.1\","
    "\"dns\":{\"rrname\":\"x.top\",\"answers\":[{\"rdata\":\"10.0.0.2\"},{\"rdata\":null},[1]]}}",
    "{\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\",\"dest_port\":9007199254740993,"
    "\"flow\":{\"bytes_toserver\":1.5e308,\"alerted\":false},\"tags\":[\"a\",{\"b\":[]}]}",
};
static const char extra[] = "{\"src_asset\":{\"level\":4},\"intel\":[{\"type\":\"ip\"}]}";

#define N_EVENTS (sizeof(events) / sizeof(events[0]))
#define MAX_TOKS 256

static json_tok_t toks[N_EVENTS][MAX_TOKS], xtoks[MAX_TOKS];
static corr_event_t evs[N_EVENTS];

static void init_events(void)
{
    if (evs[0].eve.s) return;
    int xn = json_parse(extra, strlen(extra), xtoks, MAX_TOKS, NULL, 0);
    for (size_t i = 0; i < N_EVENTS; i++) {
        int n = json_parse(events[i], strlen(events[i]), toks[i], MAX_TOKS, NULL, 0);
        if (n < 0 || xn < 0) abort();
        evs[i].eve = (corr_doc_t){events[i], strlen(events[i]), toks[i], n};
        if (i % 2) evs[i].extra = (corr_doc_t){extra, strlen(extra), xtoks, xn};
    }
}

static void run_rule(const corr_ruleset_t *rs, const corr_rule_t *r)
{
    static char key[CORR_KEY_MAX];
    if (corr_ruleset_rule(rs, r->index) != r) abort();
    for (size_t e = 0; e < N_EVENTS; e++) {
        (void)corr_rule_match(r, &evs[e]);
        size_t n = corr_group_key(r, &evs[e], key, sizeof(key));
        if (n != strlen(key)) abort();
        for (size_t k = 0; k < r->corr.nrules; k++) {
            const corr_rule_t *t = r->corr.rules[k];
            if (corr_ruleset_rule(rs, t->index) != t) abort();
            n = corr_group_key_for(r, t, &evs[e], key, sizeof(key));
            if (n != strlen(key)) abort();
            n = corr_count_value(r, t, &evs[e], key, sizeof(key));
            if (n != strlen(key)) abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_events();
    lines_t lines = {0};
    corr_ruleset_t *rs =
        corr_ruleset_load_buffer("fuzz.yml", (const char *)data, size, check_line, &lines);
    if (!rs) return 0;                                /* out of memory only */
    if (lines.n != corr_ruleset_skipped(rs)) abort(); /* one line per skipped rule */
    for (size_t i = 0; i < corr_ruleset_count(rs); i++)
        run_rule(rs, corr_ruleset_rule(rs, i));
    corr_ruleset_free(rs);
    return 0;
}
