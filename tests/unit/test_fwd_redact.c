/* Unit tests for correlator/forward/fwd_redact.c: path checks and the
 * rewritten documents, written out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "forward/fwd_redact.h"
#include "forward/fwd_stix.h"
#include "json_reader.h"
#include "test_fwd_doc.h"

static void expect_bad(const char *path, const char *want)
{
    fwd_redact_t r;
    fwd_redact_init(&r);
    char err[256] = "";
    assert_int_equal(fwd_redact_add(&r, path, err, sizeof(err)), -1);
    if (strcmp(err, want) != 0) fail_msg("'%s': got '%s', want '%s'", path, err, want);
    assert_int_equal(r.n, 0);
}

static void test_paths(void **state)
{
    (void)state;
    fwd_redact_t r;
    fwd_redact_init(&r);
    char err[256];
    const char *good[] = {
        "incident.assignee",   "incident.samples",        "incident.src_ips",
        "incident.asset.name", "incident.sla.resolve_by", "incident.samples.http.http_user_agent",
        "incident.rule"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (fwd_redact_add(&r, good[i], err, sizeof(err)) != 0) fail_msg("%s", err);
    assert_int_equal(r.n, 7);
    assert_int_equal(r.paths[5].nseg, 4);
    /* again (a global list and an endpoint's may overlap): kept once */
    assert_int_equal(fwd_redact_add(&r, "incident.assignee", err, sizeof(err)), 0);
    assert_int_equal(r.n, 7);

    expect_bad("", "redact: empty path");
    expect_bad("assignee", "redact path 'assignee': must name a member of the incident, like "
                           "incident.assignee");
    expect_bad("incident", "redact path 'incident': must name a member of the incident, like "
                           "incident.assignee");
    expect_bad("version", "redact path 'version': must name a member of the incident, like "
                          "incident.assignee");
    expect_bad("incident.id", "redact path 'incident.id': the incident id cannot be redacted");
    expect_bad("incident.src_ip", "redact path 'incident.src_ip': the incident has no member "
                                  "'src_ip' (members: see 'socctl incidents show ID --json')");
    expect_bad("incident.timeline", "redact path 'incident.timeline': the incident has no member "
                                    "'timeline' (members: see 'socctl incidents show ID --json')");
    expect_bad("incident.asset.owner",
               "redact path 'incident.asset.owner': asset has no member 'owner'");
    expect_bad("incident.asset.name.first",
               "redact path 'incident.asset.name.first': asset.name has no members");
    expect_bad("incident.count.x", "redact path 'incident.count.x': count has no members");
    expect_bad("incident..assignee", "redact path 'incident..assignee': empty member name");
    expect_bad("incident.assignee.", "redact path 'incident.assignee.': empty member name");
    expect_bad("incident.assignee ", "redact path 'incident.assignee ': byte 18: member names "
                                     "are letters, digits, '_' and '-', joined by '.'");
    expect_bad("incident.samples.a.b.c.d.e.f.g",
               "redact path 'incident.samples.a.b.c.d.e.f.g': more than 8 members deep");
    char longp[300];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    fwd_redact_init(&r);
    assert_int_equal(fwd_redact_add(&r, longp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "longer than 255 bytes"));
    assert_int_equal(fwd_redact_add(&r, NULL, err, sizeof(err)), -1);
    /* at most 64 */
    char p[64];
    for (int i = 0; i < FWD_REDACT_MAX_PATHS; i++) {
        snprintf(p, sizeof(p), "incident.samples.x%d", i);
        assert_int_equal(fwd_redact_add(&r, p, err, sizeof(err)), 0);
    }
    assert_int_equal(fwd_redact_add(&r, "incident.assignee", err, sizeof(err)), -1);
    assert_string_equal(err, "redact path 'incident.assignee': more than 64 paths");
    assert_int_equal(fwd_redact_add(&r, "incident.samples.x0", err, sizeof(err)), 0);
}

static char *apply(const fwd_redact_t *r, const char *doc)
{
    char *out = NULL, err[256] = "";
    size_t n = 0;
    if (fwd_redact_apply(r, doc, strlen(doc), &out, &n, err, sizeof(err)) != 0) fail_msg("%s", err);
    assert_int_equal(strlen(out), n);
    return out;
}

static void add(fwd_redact_t *r, const char *path)
{
    char err[256];
    if (fwd_redact_add(r, path, err, sizeof(err)) != 0) fail_msg("%s", err);
}

#define SPACED_DOC                                                                                 \
    "{\"version\": 2, \"reason\": \"created\", \"incident\": {\"id\": \"INC-2026-000010\", "       \
    "\"rule\": {\"id\": \"r1\", \"version\": 1}, \"assign\\u0065e\": \"lan\", \"asset\": "         \
    "{\"name\": \"portal\", \"level\": 3}, \"samples\": [{\"event_type\": \"http\", \"http\": "    \
    "{\"hostname\": \"a\", \"http_user_agent\": \"curl\"}}, \"raw\", {\"http\": 5}, [{\"http\": "  \
    "{\"http_user_agent\": \"x\"}}]], \"count\": 7}}"

static void test_apply(void **state)
{
    (void)state;
    fwd_redact_t r;
    fwd_redact_init(&r);
    /* no paths: the very same bytes */
    char *out = apply(&r, SPACED_DOC);
    assert_string_equal(out, SPACED_DOC);
    free(out);
    /* objects on a path are rewritten compactly, the rest copied as they
     * are (the rule keeps its spaces); an escaped key matches; the samples
     * path applies to every element, nested arrays too, and leaves
     * elements that are not objects, or hold a scalar there, alone */
    add(&r, "incident.assignee");
    add(&r, "incident.asset.name");
    add(&r, "incident.samples.http.http_user_agent");
    add(&r, "incident.links"); /* absent: fine */
    out = apply(&r, SPACED_DOC);
    assert_string_equal(out, "{\"version\":2,\"reason\":\"created\",\"incident\":{\"id\":"
                             "\"INC-2026-000010\",\"rule\":{\"id\": \"r1\", \"version\": 1},"
                             "\"asset\":{\"level\":3},\"samples\":[{\"event_type\":\"http\","
                             "\"http\":{\"hostname\":\"a\"}},\"raw\",{\"http\":5},[{\"http\":{}}]],"
                             "\"count\":7}}");
    free(out);
}

static void test_apply_positions(void **state)
{
    (void)state;
    const char *doc = "{\"version\":1,\"reason\":\"created\",\"incident\":{\"title\":\"t\","
                      "\"id\":\"INC-2026-000011\",\"count\":1,\"asset\":{\"name\":\"n\"},"
                      "\"status\":\"new\"}}";
    /* first, middle, last member, and an object's only member */
    fwd_redact_t r;
    fwd_redact_init(&r);
    add(&r, "incident.title");
    add(&r, "incident.count");
    add(&r, "incident.status");
    add(&r, "incident.asset.name");
    char *out = apply(&r, doc);
    assert_string_equal(out, "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":"
                             "\"INC-2026-000011\",\"asset\":{}}}");
    free(out);
    /* the whole subtree */
    fwd_redact_init(&r);
    add(&r, "incident.asset");
    out = apply(&r, doc);
    assert_string_equal(out, "{\"version\":1,\"reason\":\"created\",\"incident\":{\"title\":\"t\","
                             "\"id\":\"INC-2026-000011\",\"count\":1,\"status\":\"new\"}}");
    free(out);
}

/* Redacted, then formatted: the members are gone from the STIX too. */
static void test_then_stix(void **state)
{
    (void)state;
    fwd_redact_t r;
    fwd_redact_init(&r);
    add(&r, "incident.assignee");
    add(&r, "incident.samples");
    add(&r, "incident.src_ips");
    char *red = apply(&r, FWD_FULL_DOC);
    assert_null(strstr(red, "\"assignee\""));
    assert_null(strstr(red, "curl"));
    assert_null(strstr(red, "10.20.0.7"));
    jw_t w;
    jw_init(&w);
    char err[256];
    assert_int_equal(fwd_stix_write(&w, red, strlen(red), NULL, err, sizeof(err)), 0);
    assert_null(strstr(w.buf, "\"assignee\""));
    assert_null(strstr(w.buf, "\"samples\""));
    assert_null(strstr(w.buf, "10.20.0.7"));
    assert_null(strstr(w.buf, "\"indicator\""));                /* no source, no indicator */
    assert_non_null(strstr(w.buf, "\"value\":\"10.20.0.10\"")); /* destinations stay */
    jw_free(&w);
    free(red);
}

static void test_bad_documents(void **state)
{
    (void)state;
    fwd_redact_t r;
    fwd_redact_init(&r);
    add(&r, "incident.assignee");
    char *out = (char *)1, err[256];
    size_t n = 1;
    assert_int_equal(fwd_redact_apply(&r, "[]", 2, &out, &n, err, sizeof(err)), -1);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_string_equal(err, "incident version: expected an object, found array");
    const char *doc = FWD_FULL_DOC;
    size_t len = strlen(doc);
    for (size_t k = 0; k < len; k++) {
        char *cut = malloc(k ? k : 1);
        memcpy(cut, doc, k);
        assert_int_equal(fwd_redact_apply(&r, cut, k, &out, &n, err, sizeof(err)), -1);
        free(cut);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),           cmocka_unit_test(test_apply),
        cmocka_unit_test(test_apply_positions), cmocka_unit_test(test_then_stix),
        cmocka_unit_test(test_bad_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
