/* test_corr_util.h -- helpers of the correlation rule tests: load rules
 * from text with every error line captured, and build events from JSON. */
#ifndef SOC_TEST_CORR_UTIL_H
#define SOC_TEST_CORR_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/corr_rule.h"
#include "json_reader.h"

#define DIAG_MAX 64

static char diag_line[DIAG_MAX][1024] __attribute__((unused));
static int n_diag __attribute__((unused));

static inline void diag_capture(void *ud, const char *line)
{
    (void)ud;
    if (n_diag < DIAG_MAX) snprintf(diag_line[n_diag++], sizeof(diag_line[0]), "%s", line);
}

static inline corr_ruleset_t *load_text(const char *name, const char *text)
{
    n_diag = 0;
    corr_ruleset_t *rs = corr_ruleset_load_buffer(name, text, strlen(text), diag_capture, NULL);
    assert_non_null(rs);
    return rs;
}

/* An event: the EVE text and the enrichment (NULL for none), tokenized. */
typedef struct tevent {
    json_tok_t toks[2048];
    json_tok_t xtoks[512];
    corr_event_t ev;
} tevent_t;

static inline const corr_event_t *make_event(tevent_t *t, const char *eve, const char *extra)
{
    char err[256];
    memset(&t->ev, 0, sizeof(t->ev));
    int n = json_parse(eve, strlen(eve), t->toks, 2048, err, sizeof(err));
    if (n < 0) fail_msg("bad test event: %s", err);
    t->ev.eve = (corr_doc_t){eve, strlen(eve), t->toks, n};
    if (extra) {
        n = json_parse(extra, strlen(extra), t->xtoks, 512, err, sizeof(err));
        if (n < 0) fail_msg("bad test enrichment: %s", err);
        t->ev.extra = (corr_doc_t){extra, strlen(extra), t->xtoks, n};
    }
    t->ev.id = "test:0:1";
    return &t->ev;
}

#endif
