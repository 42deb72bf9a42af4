/* Unit tests for appliance/report/report_deadline.c (and the words it is
 * built from, report_text_vi.c): incident categories from ATT&CK ids, which
 * incidents must be reported and at once under both shipped regimes, every
 * deadline at its edges with times computed by hand, which report may be
 * sent when, the facts read from an incident record, and the Vietnamese
 * times and deadline texts the reports print.
 *
 * Times: detection T0 = 2026-03-01T08:30:00Z = 1772353800 (2026-01-01 is
 * 1767225600, plus 59 days to 1 March, plus 8.5 hours). */
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

#include "report/report_build.h"
#include "report/report_deadline.h"
#include "report/report_profile.h"
#include "report/report_text_vi.h"

#define SEC  1000000LL
#define HOUR (3600 * SEC)
#define DAY  (86400 * SEC)
#define T0   (1772353800LL * SEC) /* 2026-03-01T08:30:00Z: detection */
/* 2026-03-03T10:00:00Z: end of response (1772323200 + 2 days + 10 hours) */
#define ENDED (1772532000LL * SEC)

static report_profile_t decree85, law116;

static void load(report_profile_t *p, const char *name)
{
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[4096], err[512];
    snprintf(path, sizeof(path), "%s/rules/reporting/%s.yml", src ? src : ".", name);
    if (!report_profile_load(p, path, err, sizeof(err))) fail_msg("%s", err);
}

static int setup(void **state)
{
    (void)state;
    load(&decree85, "decree85");
    load(&law116, "law116");
    return 0;
}

/* An open incident detected at T0. */
static report_facts_t facts(int level, int prio, report_category_t cat)
{
    report_facts_t f = {.asset_level = level,
                        .priority = prio,
                        .categories = REPORT_CAT_BIT(cat),
                        .detected = T0,
                        .open = true};
    return f;
}

static report_due_t due(const report_profile_t *p, const report_facts_t *f, int64_t now)
{
    report_due_t d;
    report_due_compute(p, f, now, &d);
    return d;
}

/* ---- categories ---------------------------------------------------------------------------- */

#define CATS(t, q) report_categories_of(t, sizeof(t) / sizeof(t[0]), q, sizeof(q) / sizeof(q[0]))
#define BIT(c)     REPORT_CAT_BIT(REPORT_CAT_##c)

static void test_categories(void **state)
{
    (void)state;
    const char *none[] = {NULL};
    const char *flood[] = {"T1498.001", "T1499"};
    const char *impact[] = {"impact"};
    assert_int_equal(CATS(impact, flood), BIT(DOS));
    assert_int_equal(report_categories_of(impact, 1, NULL, 0), BIT(OTHER)); /* impact alone */
    const char *scan_t[] = {"T1046"}, *disc[] = {"discovery", "exfiltration"};
    /* techniques win; the tactics are not looked at then */
    assert_int_equal(CATS(disc, scan_t), BIT(SCAN));
    assert_int_equal(report_categories_of(disc, 2, NULL, 0), BIT(SCAN) | BIT(DATA_LEAK));
    const char *brute[] = {"T1110.001", "T1078"};
    assert_int_equal(report_categories_of(NULL, 0, brute, 2), BIT(BRUTEFORCE) | BIT(INTRUSION));
    const char *webshell[] = {"T1505.003"}, *other_sub[] = {"T1505.001"},
               *persist[] = {"persistence"};
    assert_int_equal(report_categories_of(NULL, 0, webshell, 1), BIT(WEB));
    /* T1505.003 is a key of its own: its siblings do not match it */
    assert_int_equal(CATS(persist, other_sub), BIT(INTRUSION));
    const char *longer[] = {"T10460"}; /* not T1046 */
    assert_int_equal(report_categories_of(NULL, 0, longer, 1), BIT(OTHER));
    const char *ics[] = {"T0831"};
    assert_int_equal(report_categories_of(NULL, 0, ics, 1), BIT(IOT));
    const char *ids[] = {"TA0043"}, *ids2[] = {"TA0010", "TA0011"};
    assert_int_equal(report_categories_of(ids, 1, NULL, 0), BIT(SCAN));
    assert_int_equal(report_categories_of(ids2, 2, NULL, 0), BIT(DATA_LEAK) | BIT(MALWARE));
    const char *misc[] = {"T1566.001", "T1491.002", "T1486", "T1041"};
    assert_int_equal(report_categories_of(NULL, 0, misc, 4),
                     BIT(PHISHING) | BIT(DEFACEMENT) | BIT(RANSOMWARE) | BIT(DATA_LEAK));
    assert_int_equal(report_categories_of(none, 1, none, 1), BIT(OTHER));
    assert_int_equal(report_categories_of(NULL, 0, NULL, 0), BIT(OTHER));
}

static void test_vocabulary(void **state)
{
    (void)state;
    static const char *const names[] = {"dos",        "scan",       "brute-force", "intrusion",
                                        "web-attack", "malware",    "data-leak",   "phishing",
                                        "defacement", "ransomware", "iot-control", "other"};
    for (int c = 0; c < REPORT_CAT_COUNT; c++) {
        report_category_t got;
        assert_string_equal(report_category_name((report_category_t)c), names[c]);
        assert_true(report_category_parse(names[c], &got));
        assert_int_equal(got, c);
    }
    report_category_t cat;
    assert_false(report_category_parse("DoS", &cat));
    assert_string_equal(report_category_vi(REPORT_CAT_DOS), "Tấn công từ chối dịch vụ");
    assert_string_equal(report_category_vi(REPORT_CAT_SCAN), "Dò quét");
    assert_string_equal(report_category_vi(REPORT_CAT_MALWARE), "Mã độc");
    assert_string_equal(report_category_vi(REPORT_CAT_WEB), "Tấn công ứng dụng web");
    assert_string_equal(report_category_vi(REPORT_CAT_DATA_LEAK), "Rò rỉ dữ liệu");
    assert_string_equal(report_category_name(REPORT_CAT_COUNT), "?");
    report_kind_t k;
    assert_true(report_kind_parse("final", &k));
    assert_int_equal(k, REPORT_FINAL);
    assert_false(report_kind_parse("Final", &k));
    assert_string_equal(report_kind_name(REPORT_UPDATE), "update");
    report_field_t f;
    assert_true(report_field_parse("next-report", &f));
    assert_int_equal(f, RF_NEXT);
    assert_string_equal(report_field_vi(RF_OWNER), "Đơn vị chủ quản hệ thống thông tin");
    assert_string_equal(report_severity_vi(4), "Nghiêm trọng");
    assert_string_equal(report_severity_vi(5), "Chưa xác định");
    assert_string_equal(report_status_vi("false_positive"),
                        "Đã xác minh: cảnh báo nhầm, không phải sự cố");
    assert_string_equal(report_status_vi("bogus"), "Chưa xác định");
}

/* ---- which incidents ------------------------------------------------------------------------- */

static void test_required(void **state)
{
    (void)state;
    static const struct {
        int level, prio;
        bool required;
    } t[] = {
        {0, 1, true}, {0, 2, false}, {1, 3, true}, {1, 4, false},
        {5, 3, true}, {3, 5, false}, {2, 1, true}, {0, 0, false}, /* priority 0 counts as 5 */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        report_facts_t f = facts(t[i].level, t[i].prio, REPORT_CAT_SCAN);
        /* the two regimes draw the line alike */
        assert_int_equal(due(&decree85, &f, T0).required, t[i].required);
        assert_int_equal(due(&law116, &f, T0).required, t[i].required);
        assert_false(due(&decree85, &f, T0).immediate);
    }
}

static void test_immediate(void **state)
{
    (void)state;
    static const struct {
        int level, prio;
        report_category_t cat;
        bool immediate;
    } t[] = {
        {4, 2, REPORT_CAT_SCAN, true},       {4, 3, REPORT_CAT_SCAN, false},
        {5, 1, REPORT_CAT_OTHER, true},      {3, 1, REPORT_CAT_DOS, true},
        {3, 1, REPORT_CAT_RANSOMWARE, true}, {3, 1, REPORT_CAT_DEFACEMENT, true},
        {3, 1, REPORT_CAT_DATA_LEAK, true},  {3, 1, REPORT_CAT_SCAN, false},
        {3, 2, REPORT_CAT_DOS, false},       {2, 1, REPORT_CAT_DOS, false},
        {0, 1, REPORT_CAT_DATA_LEAK, false},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        report_facts_t f = facts(t[i].level, t[i].prio, t[i].cat);
        report_due_t d = due(&law116, &f, T0);
        if (d.immediate != t[i].immediate) fail_msg("case %zu", i);
        /* immediate: initial due one hour after detection, else 24 hours */
        assert_int_equal(d.due[REPORT_INITIAL], T0 + (t[i].immediate ? HOUR : 24 * HOUR));
    }
    /* an incident that need not be reported is never immediate */
    report_facts_t f = facts(4, 4, REPORT_CAT_DOS);
    assert_false(due(&law116, &f, T0).required);
    assert_false(due(&law116, &f, T0).immediate);
}

/* ---- deadlines under decree85 ------------------------------------------------------------ */

static void test_decree85_deadlines(void **state)
{
    (void)state;
    report_facts_t f = facts(3, 2, REPORT_CAT_SCAN);
    /* initial: T0 + 5 days = 2026-03-06T08:30:00Z */
    const int64_t initial = 1772785800LL * SEC;
    report_due_t d = due(&decree85, &f, T0);
    assert_true(d.required && d.tracked);
    assert_int_equal(d.due[REPORT_INITIAL], initial);
    assert_true(d.pending[REPORT_INITIAL]);
    assert_false(d.pending[REPORT_UPDATE]); /* no update deadline in this regime */
    assert_int_equal(d.due[REPORT_UPDATE], 0);
    assert_true(d.pending[REPORT_FINAL]);
    assert_int_equal(d.due[REPORT_FINAL], 0); /* open: not known yet */
    assert_true(d.has_next);
    assert_int_equal(d.next, REPORT_INITIAL);
    assert_int_equal(d.next_due, initial);
    /* due soon from one day before (due-soon: 1d), overdue after the deadline */
    d = due(&decree85, &f, initial - DAY - 1);
    assert_false(d.due_soon || d.overdue);
    d = due(&decree85, &f, initial - DAY);
    assert_true(d.due_soon && !d.overdue);
    d = due(&decree85, &f, initial);
    assert_true(d.due_soon && !d.overdue); /* equal is on time */
    d = due(&decree85, &f, initial + 1);
    assert_true(d.overdue && !d.due_soon);

    /* initial sent a day late: the final report is next, due when the response ends */
    report_facts_after(&f, REPORT_INITIAL, initial + DAY);
    d = due(&decree85, &f, initial + 2 * DAY);
    assert_false(d.pending[REPORT_INITIAL]);
    assert_true(d.has_next);
    assert_int_equal(d.next, REPORT_FINAL);
    assert_int_equal(d.next_due, 0);
    assert_false(d.overdue || d.due_soon);

    /* resolved 2026-03-03T10:00Z: final due 5 days later, 2026-03-08T10:00:00Z */
    const int64_t final = 1772964000LL * SEC;
    f.open = false;
    f.ended = ENDED;
    d = due(&decree85, &f, final);
    assert_int_equal(d.due[REPORT_FINAL], final);
    assert_int_equal(d.next, REPORT_FINAL);
    assert_int_equal(d.next_due, final);
    assert_false(d.overdue);
    assert_true(due(&decree85, &f, final + 1).overdue);

    /* an update changes nothing here; the final report ends it */
    report_facts_after(&f, REPORT_UPDATE, final - DAY);
    assert_int_equal(f.update_count, 1);
    assert_int_equal(due(&decree85, &f, final).next_due, final);
    report_facts_after(&f, REPORT_FINAL, final + 1);
    d = due(&decree85, &f, final + 10 * DAY);
    assert_false(d.has_next || d.overdue || d.due_soon);
    assert_true(d.tracked);
}

/* ---- deadlines under law116 -------------------------------------------------------------- */

static void test_law116_deadlines(void **state)
{
    (void)state;
    const int64_t initial = 1772440200LL * SEC; /* T0 + 24 h: 2026-03-02T08:30:00Z */
    const int64_t update = 1772613000LL * SEC;  /* T0 + 72 h: 2026-03-04T08:30:00Z */
    report_facts_t f = facts(3, 2, REPORT_CAT_SCAN);
    report_due_t d = due(&law116, &f, T0);
    assert_false(d.immediate);
    assert_int_equal(d.due[REPORT_INITIAL], initial);
    assert_int_equal(d.due[REPORT_UPDATE], update);
    assert_true(d.pending[REPORT_UPDATE]);
    assert_int_equal(d.next, REPORT_INITIAL);
    assert_int_equal(d.next_due, initial);
    /* due-soon 6 h */
    assert_false(due(&law116, &f, initial - 6 * HOUR - 1).due_soon);
    assert_true(due(&law116, &f, initial - 6 * HOUR).due_soon);
    assert_true(due(&law116, &f, initial + 1).overdue);

    /* initial on time: the detailed report is next */
    report_facts_after(&f, REPORT_INITIAL, T0 + 2 * HOUR);
    d = due(&law116, &f, T0 + 3 * HOUR);
    assert_int_equal(d.next, REPORT_UPDATE);
    assert_int_equal(d.next_due, update);
    assert_false(d.overdue || d.due_soon);
    assert_true(due(&law116, &f, update + 1).overdue);

    /* then the final report, not known until the response ends */
    report_facts_after(&f, REPORT_UPDATE, T0 + 50 * HOUR);
    d = due(&law116, &f, T0 + 51 * HOUR);
    assert_false(d.pending[REPORT_UPDATE]);
    assert_int_equal(d.next, REPORT_FINAL);
    assert_int_equal(d.next_due, 0);
    f.open = false;
    f.ended = ENDED;
    d = due(&law116, &f, T0 + 51 * HOUR);
    assert_int_equal(d.next_due, ENDED + 5 * DAY);
}

static void test_law116_order(void **state)
{
    (void)state;
    /* immediate: due one hour after detection, 2026-03-01T09:30:00Z */
    report_facts_t f = facts(4, 1, REPORT_CAT_DOS);
    report_due_t d = due(&law116, &f, T0);
    assert_true(d.immediate);
    assert_int_equal(d.next_due, 1772357400LL * SEC);
    assert_true(d.due_soon); /* within 6 hours from the start */
    assert_true(due(&law116, &f, T0 + HOUR + 1).overdue);

    /* resolved before anything was sent: the initial report is still first */
    f = facts(3, 2, REPORT_CAT_SCAN);
    f.open = false;
    f.ended = T0 + 2 * HOUR;
    d = due(&law116, &f, T0 + 3 * HOUR);
    assert_int_equal(d.next, REPORT_INITIAL);
    assert_int_equal(d.due[REPORT_FINAL], T0 + 2 * HOUR + 5 * DAY);
    /* after it, the update (T0 + 72 h) comes before the final (T0 + 2 h + 5 d) */
    report_facts_after(&f, REPORT_INITIAL, T0 + 4 * HOUR);
    d = due(&law116, &f, T0 + 5 * HOUR);
    assert_int_equal(d.next, REPORT_UPDATE);
    /* a final report sent first covers the update */
    report_facts_after(&f, REPORT_FINAL, T0 + 6 * HOUR);
    d = due(&law116, &f, T0 + 100 * HOUR);
    assert_false(d.pending[REPORT_UPDATE]);
    assert_false(d.has_next || d.overdue);

    /* a final deadline earlier than the update's: the final one is next */
    f = facts(3, 2, REPORT_CAT_SCAN);
    law116.kinds[REPORT_FINAL].within = 3600;
    f.open = false;
    f.ended = T0 + HOUR;
    report_facts_after(&f, REPORT_INITIAL, T0 + 2 * HOUR);
    d = due(&law116, &f, T0 + 3 * HOUR);
    assert_int_equal(d.next, REPORT_FINAL);
    assert_int_equal(d.next_due, T0 + 2 * HOUR);
    assert_true(d.overdue);
    law116.kinds[REPORT_FINAL].within = 5 * 86400;
}

/* ---- incidents that owe nothing ------------------------------------------------------------ */

static void test_not_tracked(void **state)
{
    (void)state;
    /* not required, nothing sent */
    report_facts_t f = facts(2, 4, REPORT_CAT_SCAN);
    report_due_t d = due(&decree85, &f, T0 + 100 * DAY);
    assert_false(d.required || d.tracked || d.has_next || d.overdue);
    /* a voluntary initial report still wants its final one */
    report_facts_after(&f, REPORT_INITIAL, T0);
    d = due(&decree85, &f, T0);
    assert_true(d.tracked && !d.required);
    assert_int_equal(d.next, REPORT_FINAL);

    /* a false positive with nothing sent owes nothing */
    f = facts(3, 1, REPORT_CAT_DOS);
    f.open = false;
    f.false_positive = true;
    f.ended = ENDED;
    d = due(&law116, &f, T0 + 100 * DAY);
    assert_true(d.required);
    assert_false(d.tracked || d.has_next || d.overdue);
    /* ... but once reported, its final report is due when it was closed as such */
    report_facts_after(&f, REPORT_INITIAL, T0 + HOUR);
    d = due(&law116, &f, ENDED);
    assert_true(d.tracked);
    assert_int_equal(d.next, REPORT_UPDATE); /* T0 + 72 h < ENDED + 5 d */
    report_facts_after(&f, REPORT_UPDATE, T0 + 2 * HOUR);
    d = due(&law116, &f, ENDED);
    assert_int_equal(d.next, REPORT_FINAL);
    assert_int_equal(d.next_due, ENDED + 5 * DAY);

    /* merged into another incident: that one carries the duty */
    f = facts(5, 1, REPORT_CAT_DOS);
    f.merged = true;
    f.open = false;
    f.ended = ENDED;
    assert_false(due(&law116, &f, T0 + 100 * DAY).tracked);
}

static void test_kind_allowed(void **state)
{
    (void)state;
    char err[256];
    report_facts_t f = facts(3, 2, REPORT_CAT_SCAN);
    const char *id = "INC-2026-000001";
    assert_true(report_kind_allowed(&f, REPORT_INITIAL, id, err, sizeof(err)));
    assert_false(report_kind_allowed(&f, REPORT_UPDATE, id, err, sizeof(err)));
    assert_string_equal(err, "INC-2026-000001: record the initial report first");
    assert_false(report_kind_allowed(&f, REPORT_FINAL, id, err, sizeof(err)));
    assert_string_equal(err, "INC-2026-000001: record the initial report first");
    report_facts_after(&f, REPORT_INITIAL, T0);
    assert_false(report_kind_allowed(&f, REPORT_INITIAL, id, err, sizeof(err)));
    assert_string_equal(err,
                        "INC-2026-000001: the initial report was already recorded; send an update");
    assert_true(report_kind_allowed(&f, REPORT_UPDATE, id, err, sizeof(err)));
    assert_false(report_kind_allowed(&f, REPORT_FINAL, id, err, sizeof(err)));
    assert_string_equal(err, "INC-2026-000001: a final report needs the response to be over (the "
                             "incident is still open; resolve it first)");
    f.open = false;
    assert_true(report_kind_allowed(&f, REPORT_FINAL, id, err, sizeof(err)));
    report_facts_after(&f, REPORT_FINAL, T0);
    for (int k = 0; k < REPORT_KIND_COUNT; k++) {
        assert_false(report_kind_allowed(&f, (report_kind_t)k, id, err, sizeof(err)));
        assert_string_equal(
            err, "INC-2026-000001: the final report was already recorded; no report follows it");
    }
}

/* ---- facts of a stored incident ------------------------------------------------------------- */

/* A fake GET reply whose hash holds the given field/value pairs. */
typedef struct fake {
    redisReply kv[16], hash, top;
    redisReply *kvp[16], *topp[1];
} fake_t;

static void fake_reply(fake_t *fk, const char *const *pairs, size_t n)
{
    memset(fk, 0, sizeof(*fk));
    for (size_t i = 0; i < n; i++) {
        fk->kv[i].type = REDIS_REPLY_STRING;
        fk->kv[i].str = (char *)pairs[i];
        fk->kv[i].len = strlen(pairs[i]);
        fk->kvp[i] = &fk->kv[i];
    }
    fk->hash.type = REDIS_REPLY_ARRAY;
    fk->hash.elements = n;
    fk->hash.element = fk->kvp;
    fk->topp[0] = &fk->hash;
    fk->top.type = REDIS_REPLY_ARRAY;
    fk->top.elements = 1;
    fk->top.element = fk->topp;
}

static void test_facts_of(void **state)
{
    (void)state;
    static const char *const pairs[] = {
        "id",
        "INC-2026-000007",
        "report_initial_at",
        "1772360000000000",
        "report_update_count",
        "2",
        "report_update_at",
        "1772400000000000",
        "report_cause",
        "x",
        "report_final_at",
        "garbage",
    };
    fake_t fk;
    fake_reply(&fk, pairs, 12);
    const char *tactics[] = {"credential-access"}, *techniques[] = {"T1110.001"};
    incident_t inc = {.id = "INC-2026-000007",
                      .merged_into = "",
                      .asset_level = 4,
                      .priority = 2,
                      .status = INCIDENT_RESOLVED,
                      .created_at = T0,
                      .resolved_at = ENDED,
                      .closed_at = ENDED + DAY,
                      .tactics = {tactics, 1},
                      .techniques = {techniques, 1},
                      .reply_ = &fk.top};
    report_facts_t f;
    report_facts_of(&inc, &f);
    assert_int_equal(f.asset_level, 4);
    assert_int_equal(f.priority, 2);
    assert_int_equal(f.categories, BIT(BRUTEFORCE));
    assert_int_equal(f.detected, T0);
    assert_false(f.open);
    assert_int_equal(f.ended, ENDED); /* resolved_at before closed_at */
    assert_false(f.false_positive || f.merged);
    assert_int_equal(f.sent[REPORT_INITIAL], 1772360000000000LL);
    assert_int_equal(f.sent[REPORT_UPDATE], 1772400000000000LL);
    assert_int_equal(f.sent[REPORT_FINAL], 0); /* unreadable: as absent */
    assert_int_equal(f.update_count, 2);

    /* closed without resolution (a merge): closed_at ends it; open: nothing ends it */
    inc.resolved_at = 0;
    inc.status = INCIDENT_CLOSED;
    inc.merged_into = "INC-2026-000001";
    report_facts_of(&inc, &f);
    assert_int_equal(f.ended, ENDED + DAY);
    assert_true(f.merged);
    inc.status = INCIDENT_INVESTIGATING;
    inc.merged_into = "";
    report_facts_of(&inc, &f);
    assert_true(f.open);
    assert_int_equal(f.ended, 0);

    /* closed from false_positive, as the timeline tells */
    incident_tl_t tl[2] = {
        {.action = "status",
         .field = "status",
         .old_value = "investigating",
         .new_value = "false_positive"},
        {.action = "status",
         .field = "status",
         .old_value = "false_positive",
         .new_value = "closed"},
    };
    inc.status = INCIDENT_CLOSED;
    inc.timeline = tl;
    inc.n_timeline = 2;
    inc.has_timeline = true;
    report_facts_of(&inc, &f);
    assert_true(f.false_positive);
    tl[1].old_value = "resolved";
    report_facts_of(&inc, &f);
    assert_false(f.false_positive);
    /* no record reply at all: nothing sent */
    inc.reply_ = NULL;
    report_facts_of(&inc, &f);
    assert_int_equal(f.sent[REPORT_INITIAL] + f.sent[REPORT_UPDATE] + f.sent[REPORT_FINAL], 0);
    report_facts_closed_from(&f, "false_positive");
    assert_true(f.false_positive);
}

/* ---- Vietnamese times and deadline texts ---------------------------------------------------- */

static void test_time_vi(void **state)
{
    (void)state;
    char t[REPORT_TIME_MAX], line[256];
    assert_string_equal(report_time_vi(T0, t), "15:30:00 ngày 01/03/2026 (UTC+7)");
    assert_string_equal(report_time_vi(0, t), "Chưa xác định");
    /* 17:00Z is midnight of the next day in Vietnam */
    assert_string_equal(report_time_vi(1772384400LL * SEC, t), "00:00:00 ngày 02/03/2026 (UTC+7)");
    /* leading zeros: days below 10, months 1 and 2 */
    assert_string_equal(report_date_line_vi("Cần Thơ", T0, line, sizeof(line)),
                        "Cần Thơ, ngày 01 tháng 3 năm 2026");
    assert_string_equal(report_date_line_vi("", 1770249600LL * SEC, line, sizeof(line)),
                        "ngày 05 tháng 02 năm 2026"); /* 2026-02-05 */
    assert_string_equal(report_date_line_vi("Hà Nội", 1798156800LL * SEC, line, sizeof(line)),
                        "Hà Nội, ngày 25 tháng 12 năm 2026"); /* 2026-12-25 */
    assert_string_equal(report_duration_vi(0, t), "ngay");
    assert_string_equal(report_duration_vi(3600, t), "1 giờ");
    assert_string_equal(report_duration_vi(86400, t), "24 giờ");
    assert_string_equal(report_duration_vi(259200, t), "72 giờ");
    assert_string_equal(report_duration_vi(262800, t), "73 giờ");
    assert_string_equal(report_duration_vi(432000, t), "5 ngày");
    assert_string_equal(report_duration_vi(1800, t), "30 phút");
    assert_string_equal(report_duration_vi(90, t), "90 giây");
}

static void test_next_text(void **state)
{
    (void)state;
    char out[512];
    report_facts_t f = facts(3, 2, REPORT_CAT_SCAN);
    report_facts_after(&f, REPORT_INITIAL, T0 + HOUR);
    report_due_t d = due(&law116, &f, T0 + HOUR);
    report_next_text(&law116, &d, out, sizeof(out));
    assert_string_equal(out, "Báo cáo chi tiết trước 15:30:00 ngày 04/03/2026 (UTC+7)");
    d = due(&decree85, &f, T0 + HOUR);
    report_next_text(&decree85, &d, out, sizeof(out));
    assert_string_equal(out, "Báo cáo kết thúc trong vòng 5 ngày kể từ khi kết thúc ứng phó sự cố");
    f.open = false;
    f.ended = ENDED;
    report_facts_after(&f, REPORT_FINAL, ENDED);
    d = due(&decree85, &f, ENDED);
    report_next_text(&decree85, &d, out, sizeof(out));
    assert_string_equal(out, "Không có");
}

static void test_clean_text(void **state)
{
    (void)state;
    /* invalid UTF-8 becomes U+FFFD, control bytes '?', newline stays, NFD becomes NFC */
    char *s = report_clean_text("a\xff"
                                "b\x01\nc\x65\xcc\x82",
                                9);
    assert_non_null(s);
    assert_string_equal(s, "a\xef\xbf\xbd"
                           "b?\nc\xc3\xaa");
    free(s);
    s = report_nfc("\xc3\x28");
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_categories),
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_immediate),
        cmocka_unit_test(test_decree85_deadlines),
        cmocka_unit_test(test_law116_deadlines),
        cmocka_unit_test(test_law116_order),
        cmocka_unit_test(test_not_tracked),
        cmocka_unit_test(test_kind_allowed),
        cmocka_unit_test(test_facts_of),
        cmocka_unit_test(test_time_vi),
        cmocka_unit_test(test_next_text),
        cmocka_unit_test(test_clean_text),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
