/* Unit tests for correlator/incidents/incident_record.c and incident_json.c:
 * a GET script reply (built here by hand) read into a record, refusals of
 * malformed replies, and the exact JSON of `socctl incidents show --json`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hiredis/hiredis.h>

#include "incidents/incident_json.h"
#include "incidents/incident_record.h"

/* ---- building replies the way hiredis does (freeReplyObject frees them) ---- */

static redisReply *str(const char *s)
{
    redisReply *r = calloc(1, sizeof(*r));
    r->type = REDIS_REPLY_STRING;
    r->str = strdup(s);
    r->len = strlen(s);
    return r;
}

static redisReply *num(long long v)
{
    redisReply *r = calloc(1, sizeof(*r));
    r->type = REDIS_REPLY_INTEGER;
    r->integer = v;
    return r;
}

/* An array of the given replies, NULL-terminated. */
static redisReply *arr(redisReply *first, ...)
{
    redisReply *r = calloc(1, sizeof(*r));
    r->type = REDIS_REPLY_ARRAY;
    r->element = calloc(64, sizeof(*r->element));
    va_list ap;
    va_start(ap, first);
    for (redisReply *e = first; e; e = va_arg(ap, redisReply *))
        r->element[r->elements++] = e;
    va_end(ap);
    return r;
}

/* An array of strings, NULL-terminated. */
static redisReply *strs(const char *first, ...)
{
    redisReply *r = arr(NULL);
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        r->element[r->elements++] = str(s);
    va_end(ap);
    return r;
}

static redisReply *hash(const char *status, const char *first_seen)
{
    return strs("id", "INC-2026-000007", "title", "Port scan \"x\"", "rule_id", "scan.h",
                "rule_version", "3", "severity", "3", "priority", "2", "status", status, "assignee",
                "alice", "group_key", "src_ip=1.2.3.4", "first_seen", first_seen, "last_seen",
                "1772350160000000", "count", "8", "asset_name", "portal", "asset_level", "4",
                "created_at", "1772353800000000", "updated_at", "1772353900000000",
                "acknowledged_at", "1772354000000000", "sla_acknowledge_by", "1772357400000000",
                "sla_resolve_by", "1772440200000000", "evidence_total", "5", "unknown_field",
                "ignored", NULL);
}

static redisReply *timeline(void)
{
    return arr(arr(str("1-0"),
                   strs("ts", "1772353800000000", "actor", "correlator", "action", "created",
                        "field", "status", "old", "", "new", "new", "match", "m1", NULL),
                   NULL),
               arr(str("1-1"),
                   strs("ts", "1772354000000000", "actor", "alice", "action", "status", "field",
                        "status", "old", "new", "new", "acknowledged", NULL),
                   NULL),
               NULL);
}

static redisReply *full(const char *status, const char *first_seen, redisReply *tl)
{
    return arr(hash(status, first_seen), strs("9.9.9.9", "1.2.3.4", NULL),
               strs("10.0.0.2", "10.0.0.10", "10.0.0.1", NULL), strs("TA0043", NULL),
               strs("T1046", "T1018", NULL), strs("INC-2026-000009", "INC-2026-000008", NULL),
               strs(NULL), strs("s:b:1", "s:b:2", NULL), strs("s:b:9", NULL),
               strs("{\"event_type\":\"flow\",\"n\":1}\n", NULL), strs("not json", NULL),
               tl ? tl : arr(NULL), NULL);
}

static void test_read(void **state)
{
    (void)state;
    incident_t inc;
    char err[256] = "";
    assert_int_equal(incident_from_reply(full("acknowledged", "1772350000000000", timeline()), &inc,
                                         err, sizeof(err)),
                     0);
    assert_string_equal(inc.id, "INC-2026-000007");
    assert_string_equal(inc.title, "Port scan \"x\"");
    assert_string_equal(inc.rule_id, "scan.h");
    assert_int_equal(inc.rule_version, 3);
    assert_int_equal(inc.severity, 3);
    assert_int_equal(inc.priority, 2);
    assert_int_equal(inc.status, INCIDENT_ACKNOWLEDGED);
    assert_string_equal(inc.assignee, "alice");
    assert_int_equal(inc.first_seen, 1772350000000000LL);
    assert_int_equal(inc.count, 8);
    assert_int_equal(inc.asset_level, 4);
    assert_int_equal(inc.resolved_at, 0); /* absent */
    assert_string_equal(inc.merged_into, "");
    /* sets sorted by bytes, lists in order */
    assert_int_equal(inc.src_ips.n, 2);
    assert_string_equal(inc.src_ips.v[0], "1.2.3.4");
    assert_string_equal(inc.src_ips.v[1], "9.9.9.9");
    assert_string_equal(inc.dest_ips.v[0], "10.0.0.1");
    assert_string_equal(inc.dest_ips.v[1], "10.0.0.10");
    assert_string_equal(inc.dest_ips.v[2], "10.0.0.2");
    assert_int_equal(inc.evidence.n, 3);
    assert_string_equal(inc.evidence.v[2], "s:b:9");
    assert_int_equal(inc.samples.n, 2);
    assert_int_equal(inc.n_timeline, 2);
    assert_string_equal(inc.timeline[0].stream_id, "1-0");
    assert_int_equal(inc.timeline[0].ts_usec, 1772353800000000LL);
    assert_string_equal(inc.timeline[0].action, "created");
    assert_int_equal(inc.timeline[0].n_extra, 1);
    assert_string_equal(inc.timeline[0].extra[0], "match");
    assert_string_equal(inc.timeline[0].extra[1], "m1");
    assert_string_equal(inc.timeline[1].old_value, "new");
    assert_string_equal(inc.timeline[1].new_value, "acknowledged");
    incident_free(&inc);
    incident_free(&inc); /* twice is harmless */
}

static void expect_bad(redisReply *r, const char *want)
{
    incident_t inc;
    char err[256] = "";
    assert_int_equal(incident_from_reply(r, &inc, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    assert_null(inc.reply_); /* freed */
}

static void test_malformed(void **state)
{
    (void)state;
    expect_bad(NULL, "incident: unexpected reply shape");
    expect_bad(str("x"), "incident: unexpected reply shape");
    expect_bad(arr(strs(NULL), NULL), "incident: unexpected reply shape");
    expect_bad(full("new", "abc", NULL),
               "INC-2026-000007: field first_seen: unexpected value 'abc'");
    expect_bad(full("new", "12x", NULL),
               "INC-2026-000007: field first_seen: unexpected value '12x'");
    expect_bad(full("open", "1", NULL), "INC-2026-000007: field status: unexpected value 'open'");
    redisReply *r = full("new", "1", NULL);
    freeReplyObject(r->element[0]);
    r->element[0] = strs("id", "INC-2026-000001", "severity", "9", NULL);
    expect_bad(r, "INC-2026-000001: field severity: unexpected value '9'");
    r = full("new", "1", NULL);
    freeReplyObject(r->element[0]);
    r->element[0] = strs("id", "INC-2026-000001", "count", "-1", NULL);
    expect_bad(r, "INC-2026-000001: field count: unexpected value '-1'");
    r = full("new", "1", NULL);
    freeReplyObject(r->element[0]);
    r->element[0] = strs("id", "INC-2026-000001", "count", NULL); /* odd */
    expect_bad(r, "incident: malformed hash in the reply");
    r = full("new", "1", NULL);
    freeReplyObject(r->element[1]);
    r->element[1] = arr(num(5), NULL); /* a number in a set */
    expect_bad(r, "INC-2026-000007: malformed sets, lists or timeline in the reply");
    /* a timeline entry with an odd field list, then one with a bad ts */
    r = full("new", "1", arr(arr(str("1-0"), strs("ts", NULL), NULL), NULL));
    expect_bad(r, "INC-2026-000007: malformed sets, lists or timeline in the reply");
    redisReply *tl = timeline();
    freeReplyObject(tl->element[1]);
    tl->element[1] = arr(str("1-1"), strs("ts", "x", NULL), NULL);
    r = full("new", "1", tl);
    expect_bad(r, "INC-2026-000007: malformed sets, lists or timeline in the reply");
}

static void test_json(void **state)
{
    (void)state;
    incident_t inc;
    char err[256] = "";
    assert_int_equal(incident_from_reply(full("acknowledged", "1772350000000000", timeline()), &inc,
                                         err, sizeof(err)),
                     0);
    inc.has_timeline = true;
    jw_t w;
    jw_init(&w);
    /* 08:30:00 + 1 day: past the acknowledge deadline (already acknowledged,
     * so not overdue) and past the resolve deadline (still open: overdue) */
    incident_json(&w, &inc, 1772440201000000LL);
    const char *want =
        "{\"id\":\"INC-2026-000007\",\"title\":\"Port scan \\\"x\\\"\","
        "\"rule\":{\"id\":\"scan.h\",\"version\":3},\"severity\":3,\"priority\":2,"
        "\"status\":\"acknowledged\",\"assignee\":\"alice\",\"group_key\":\"src_ip=1.2.3.4\","
        "\"first_seen\":\"2026-03-01T07:26:40.000000+0000\","
        "\"last_seen\":\"2026-03-01T07:29:20.000000+0000\",\"count\":8,"
        "\"src_ips\":[\"1.2.3.4\",\"9.9.9.9\"],"
        "\"dest_ips\":[\"10.0.0.1\",\"10.0.0.10\",\"10.0.0.2\"],"
        "\"asset\":{\"name\":\"portal\",\"level\":4},"
        "\"attack\":{\"tactics\":[\"TA0043\"],\"techniques\":[\"T1018\",\"T1046\"]},"
        "\"evidence\":[\"s:b:1\",\"s:b:2\",\"s:b:9\"],\"evidence_total\":5,"
        "\"samples\":[{\"event_type\":\"flow\",\"n\":1}\n,\"not json\"],"
        "\"sla\":{\"acknowledge_by\":\"2026-03-01T09:30:00.000000+0000\","
        "\"resolve_by\":\"2026-03-02T08:30:00.000000+0000\",\"acknowledge_overdue\":false,"
        "\"resolve_overdue\":true},"
        "\"created_at\":\"2026-03-01T08:30:00.000000+0000\","
        "\"updated_at\":\"2026-03-01T08:31:40.000000+0000\","
        "\"acknowledged_at\":\"2026-03-01T08:33:20.000000+0000\",\"resolved_at\":null,"
        "\"closed_at\":null,\"time_to_acknowledge\":200,\"time_to_resolve\":null,"
        "\"links\":[\"INC-2026-000008\",\"INC-2026-000009\"],\"merged_into\":null,"
        "\"merged_from\":[],"
        "\"timeline\":[{\"time\":\"2026-03-01T08:30:00.000000+0000\",\"actor\":\"correlator\","
        "\"action\":\"created\",\"field\":\"status\",\"old\":\"\",\"new\":\"new\","
        "\"match\":\"m1\"},"
        "{\"time\":\"2026-03-01T08:33:20.000000+0000\",\"actor\":\"alice\","
        "\"action\":\"status\",\"field\":\"status\",\"old\":\"new\",\"new\":\"acknowledged\"}]}";
    assert_false(w.oom);
    assert_string_equal(w.buf, want);
    /* without the timeline, and an incident with no asset or assignee */
    jw_reset(&w);
    inc.has_timeline = false;
    inc.asset_name = "";
    inc.assignee = "";
    incident_json(&w, &inc, 1772353800000000LL);
    assert_non_null(strstr(w.buf, "\"assignee\":null,"));
    assert_non_null(strstr(w.buf, "\"asset\":null,"));
    assert_null(strstr(w.buf, "timeline"));
    assert_string_equal(w.buf + w.len - 17, "\"merged_from\":[]}");
    jw_free(&w);
    incident_free(&inc);
}

static void test_severity_names(void **state)
{
    (void)state;
    assert_string_equal(incident_severity_name(0), "informational");
    assert_string_equal(incident_severity_name(1), "low");
    assert_string_equal(incident_severity_name(2), "medium");
    assert_string_equal(incident_severity_name(3), "high");
    assert_string_equal(incident_severity_name(4), "critical");
    assert_string_equal(incident_severity_name(5), "?");
    assert_string_equal(incident_severity_name(-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_severity_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
