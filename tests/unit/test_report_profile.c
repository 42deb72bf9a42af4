/* Unit tests for appliance/report/report_profile.c and report_config.c: the
 * two shipped profiles read back value by value, defaults, conditions at
 * their edges, every error with its exact FILE:LINE:COL line, and the
 * `reports` section of soc.yaml with profile lookup by name or path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/report_config.h"
#include "report/report_profile.h"

#define HOUR 3600ull
#define DAY  86400ull

static report_profile_t prof; /* large: not on the stack */

static void load_shipped(const char *name)
{
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[4096], err[512] = "";
    snprintf(path, sizeof(path), "%s/rules/reporting/%s.yml", src ? src : ".", name);
    bool ok = report_profile_load(&prof, path, err, sizeof(err));
    if (!ok) fail_msg("%s", err);
}

static bool load(const char *yaml, char *err, size_t errlen)
{
    err[0] = '\0';
    return report_profile_load_buffer(&prof, "p.yml", yaml, strlen(yaml), err, errlen);
}

/* The fields both shipped profiles list, in order. */
static const report_field_t all_fields[] = {
    RF_OWNER,    RF_CONTACT,  RF_SYSTEM,   RF_LEVEL,    RF_INCIDENT, RF_DETECTED,
    RF_OCCURRED, RF_CATEGORY, RF_METHOD,   RF_SEVERITY, RF_ATTACK,   RF_STATUS,
    RF_CAUSE,    RF_SCOPE,    RF_MEASURES, RF_EVIDENCE, RF_NEXT};

static void assert_cond(const report_cond_t *c, int lo, int hi, int prio, uint32_t cats)
{
    assert_int_equal(c->min_level, lo);
    assert_int_equal(c->max_level, hi);
    assert_int_equal(c->max_priority, prio);
    assert_int_equal(c->categories, cats);
}

static void assert_fields_all(void)
{
    assert_int_equal(prof.n_fields, RF_COUNT);
    for (size_t i = 0; i < RF_COUNT; i++)
        assert_int_equal(prof.fields[i], all_fields[i]);
}

/* ---- the shipped profiles ------------------------------------------------------------- */

static void test_decree85(void **state)
{
    (void)state;
    load_shipped("decree85");
    assert_string_equal(prof.name, "decree85");
    assert_string_equal(prof.title, "Nghị định số 85/2016/NĐ-CP, Thông tư số 12/2022/TT-BTTTT và "
                                    "Thông tư số 20/2017/TT-BTTTT");
    assert_string_equal(prof.recipient,
                        "Cơ quan điều phối quốc gia về ứng cứu sự cố an toàn thông tin mạng");
    assert_int_equal(prof.n_legal, 3);
    assert_string_equal(prof.legal[0], "Nghị định số 85/2016/NĐ-CP ngày 01/7/2016 về bảo đảm an "
                                       "toàn hệ thống thông tin theo cấp độ");
    assert_string_equal(prof.legal[2], "Thông tư số 20/2017/TT-BTTTT ngày 12/9/2017 quy định về "
                                       "điều phối, ứng cứu sự cố an toàn thông tin mạng trên "
                                       "toàn quốc");
    assert_int_equal(prof.n_must, 2);
    assert_cond(&prof.must[0], 1, 5, 3, 0);
    assert_cond(&prof.must[1], 0, 5, 1, 0);
    assert_int_equal(prof.n_immediate, 0);
    assert_int_equal(prof.immediate_within, 0);
    const report_kind_rule_t *k = prof.kinds;
    assert_true(k[REPORT_INITIAL].has_within);
    assert_int_equal(k[REPORT_INITIAL].within, 5 * DAY);
    assert_string_equal(k[REPORT_INITIAL].name, "Báo cáo ban đầu");
    assert_string_equal(k[REPORT_INITIAL].title, "BÁO CÁO BAN ĐẦU SỰ CỐ AN TOÀN THÔNG TIN MẠNG");
    assert_false(k[REPORT_UPDATE].has_within);
    assert_string_equal(k[REPORT_UPDATE].name, "Báo cáo cập nhật");
    assert_true(k[REPORT_FINAL].has_within);
    assert_int_equal(k[REPORT_FINAL].within, 5 * DAY);
    assert_string_equal(k[REPORT_FINAL].title,
                        "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ AN TOÀN THÔNG TIN MẠNG");
    assert_int_equal(prof.due_soon, DAY);
    assert_fields_all();
}

static void test_law116(void **state)
{
    (void)state;
    load_shipped("law116");
    assert_string_equal(prof.name, "law116");
    assert_string_equal(prof.title, "Luật An ninh mạng số 116/2025/QH15");
    assert_string_equal(prof.recipient, "Lực lượng chuyên trách bảo vệ an ninh mạng, Bộ Công an");
    assert_int_equal(prof.n_legal, 2);
    assert_string_equal(prof.legal[0], "Luật An ninh mạng số 116/2025/QH15 ngày 10/12/2025");
    assert_int_equal(prof.n_must, 2);
    assert_cond(&prof.must[0], 1, 5, 3, 0);
    assert_cond(&prof.must[1], 0, 5, 1, 0);
    assert_int_equal(prof.n_immediate, 2);
    assert_cond(&prof.immediate[0], 4, 5, 2, 0);
    assert_cond(&prof.immediate[1], 3, 5, 1,
                REPORT_CAT_BIT(REPORT_CAT_DOS) | REPORT_CAT_BIT(REPORT_CAT_RANSOMWARE) |
                    REPORT_CAT_BIT(REPORT_CAT_DEFACEMENT) | REPORT_CAT_BIT(REPORT_CAT_DATA_LEAK));
    assert_int_equal(prof.immediate_within, HOUR);
    const report_kind_rule_t *k = prof.kinds;
    assert_int_equal(k[REPORT_INITIAL].within, 24 * HOUR);
    assert_string_equal(k[REPORT_INITIAL].name, "Thông báo ban đầu");
    assert_string_equal(k[REPORT_INITIAL].title, "THÔNG BÁO BAN ĐẦU SỰ CỐ AN NINH MẠNG");
    assert_true(k[REPORT_UPDATE].has_within);
    assert_int_equal(k[REPORT_UPDATE].within, 72 * HOUR);
    assert_string_equal(k[REPORT_UPDATE].name, "Báo cáo chi tiết");
    assert_string_equal(k[REPORT_UPDATE].title, "BÁO CÁO CHI TIẾT SỰ CỐ AN NINH MẠNG");
    assert_int_equal(k[REPORT_FINAL].within, 5 * DAY);
    assert_string_equal(k[REPORT_FINAL].name, "Báo cáo kết thúc");
    assert_int_equal(prof.due_soon, 6 * HOUR);
    assert_fields_all();
}

/* ---- defaults of a minimal profile ----------------------------------------------------- */

#define MINIMAL                                                                                    \
    "name: t-1_x\n"                                                                                \
    "title: T\n"                                                                                   \
    "recipient: R\n"                                                                               \
    "must-report: [{}]\n"                                                                          \
    "reports: {initial: {within: 0}}\n"                                                            \
    "fields: [next-report, owner]\n"

static void test_minimal(void **state)
{
    (void)state;
    char err[512];
    assert_true(load(MINIMAL, err, sizeof(err)));
    assert_string_equal(prof.name, "t-1_x");
    assert_int_equal(prof.n_legal, 0);
    assert_int_equal(prof.n_must, 1);
    assert_cond(&prof.must[0], 0, 5, 5, 0); /* an empty condition holds for everything */
    assert_true(prof.kinds[REPORT_INITIAL].has_within);
    assert_int_equal(prof.kinds[REPORT_INITIAL].within, 0);
    assert_false(prof.kinds[REPORT_UPDATE].has_within);
    assert_false(prof.kinds[REPORT_FINAL].has_within);
    /* names and titles default to report_text_vi's */
    assert_string_equal(prof.kinds[REPORT_INITIAL].name, "Báo cáo ban đầu");
    assert_string_equal(prof.kinds[REPORT_UPDATE].title,
                        "BÁO CÁO CẬP NHẬT SỰ CỐ AN TOÀN THÔNG TIN MẠNG");
    assert_string_equal(prof.kinds[REPORT_FINAL].name, "Báo cáo kết thúc");
    assert_int_equal(prof.due_soon, 6 * HOUR);
    assert_int_equal(prof.n_fields, 2);
    assert_int_equal(prof.fields[0], RF_NEXT);
    assert_int_equal(prof.fields[1], RF_OWNER);
}

static void test_nfc(void **state)
{
    (void)state;
    char err[512];
    /* "Việt" written decomposed: e + U+0302 (circumflex) + U+0323 (dot below) */
    assert_true(load("name: n\ntitle: \"Vie\xcc\x82\xcc\xa3t\"\nrecipient: R\n"
                     "must-report: [{}]\nreports: {initial: {within: 1d}}\nfields: [owner]\n",
                     err, sizeof(err)));
    assert_string_equal(prof.title, "Vi\xe1\xbb\x87t"); /* U+1EC7 */
}

static void test_failed_load_keeps_profile(void **state)
{
    (void)state;
    char err[512];
    assert_true(load(MINIMAL, err, sizeof(err)));
    assert_false(load("name: other\n", err, sizeof(err)));
    assert_string_equal(prof.name, "t-1_x");
}

/* ---- conditions ---------------------------------------------------------------------------- */

static void test_cond_match(void **state)
{
    (void)state;
    report_cond_t c = {.min_level = 2, .max_level = 4, .max_priority = 3, .categories = 0};
    assert_false(report_cond_match(&c, 1, 1, 1));
    assert_true(report_cond_match(&c, 2, 1, 1));
    assert_true(report_cond_match(&c, 4, 3, 1));
    assert_false(report_cond_match(&c, 5, 1, 1));
    assert_false(report_cond_match(&c, 3, 4, 1));
    /* a priority outside 1..5 counts as 5 */
    assert_false(report_cond_match(&c, 3, 0, 1));
    assert_false(report_cond_match(&c, 3, 9, 1));
    c.max_priority = 5;
    assert_true(report_cond_match(&c, 3, 0, 1));
    c.categories = REPORT_CAT_BIT(REPORT_CAT_DOS) | REPORT_CAT_BIT(REPORT_CAT_MALWARE);
    assert_true(report_cond_match(&c, 3, 1, REPORT_CAT_BIT(REPORT_CAT_MALWARE)));
    assert_true(report_cond_match(
        &c, 3, 1, REPORT_CAT_BIT(REPORT_CAT_SCAN) | REPORT_CAT_BIT(REPORT_CAT_DOS)));
    assert_false(report_cond_match(&c, 3, 1, REPORT_CAT_BIT(REPORT_CAT_SCAN)));
}

/* ---- errors ---------------------------------------------------------------------------------- */

#define HEAD "name: n\ntitle: T\nrecipient: R\n" /* lines 1-3 */
#define TAIL "reports: {initial: {within: 1d}}\nfields: [owner]\n"

typedef struct bad_case {
    const char *yaml;
    const char *err;
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"name: n\ntitel: T\n", "p.yml:2:1: unknown key 'titel' (did you mean 'title'?)"},
    {"title: T\n", "p.yml:1:1: missing 'name'"},
    {"name: Law 116\n", "p.yml:1:7: name: expected 1..32 of a-z, 0-9, _ and -"},
    {"name: abcdefghijabcdefghijabcdefghijabc\n",
     "p.yml:1:7: name: expected 1..32 of a-z, 0-9, _ and -"},
    {"name: [a]\n", "p.yml:1:7: name: expected 1..32 of a-z, 0-9, _ and -"},
    {"name: n\ntitle: \"\"\n", "p.yml:2:8: title: expected a non-empty string without NUL bytes"},
    {"name: n\ntitle: \"a\\tb\"\n",
     "p.yml:2:8: title: expected one line of text, without control characters"},
    {"name: n\ntitle: {a: 1}\n", "p.yml:2:8: title: expected a string, got a mapping"},
    {"name: n\ntitle: T\n", "p.yml:1:1: missing 'recipient'"},
    {HEAD "legal-basis: [a, b, c, d, e, f, g, h, i]\n",
     "p.yml:4:14: legal-basis: at most 8 entries"},
    {HEAD "legal-basis: [a, \"\"]\n",
     "p.yml:4:18: legal-basis[1]: expected a non-empty string without NUL bytes"},
    {HEAD TAIL, "p.yml:1:1: missing 'must-report'"},
    {HEAD "must-report: []\n" TAIL, "p.yml:4:14: must-report: expected at least one entry"},
    {HEAD "must-report: {a: 1}\n" TAIL,
     "p.yml:4:14: must-report: expected a sequence, got a mapping"},
    {HEAD "must-report:\n  - 3\n" TAIL,
     "p.yml:5:5: must-report[0]: expected a mapping (min-level, max-level, max-priority, "
     "categories), got a scalar"},
    {HEAD "must-report:\n  - {min-level: 6}\n" TAIL,
     "p.yml:5:17: must-report[0].min-level: expected an integer 0..5, got '6'"},
    {HEAD "must-report:\n  - {max-level: -1}\n" TAIL,
     "p.yml:5:17: must-report[0].max-level: expected an integer 0..5, got '-1'"},
    {HEAD "must-report:\n  - {min-level: 3, max-level: 2}\n" TAIL,
     "p.yml:5:31: must-report[0].max-level: max-level 2 is below min-level 3"},
    {HEAD "must-report:\n  - {max-priority: 0}\n" TAIL,
     "p.yml:5:20: must-report[0].max-priority: expected an integer 1..5, got '0'"},
    {HEAD "must-report:\n  - {max-priority: 6}\n" TAIL,
     "p.yml:5:20: must-report[0].max-priority: expected an integer 1..5, got '6'"},
    {HEAD "must-report:\n  - {min-levl: 1}\n" TAIL,
     "p.yml:5:6: must-report[0]: unknown key 'min-levl' (did you mean 'min-level'?)"},
    {HEAD "must-report:\n  - {categories: []}\n" TAIL,
     "p.yml:5:18: must-report[0].categories: expected at least one category (or leave the key "
     "out)"},
    {HEAD "must-report:\n  - {categories: [dos, ddos]}\n" TAIL,
     "p.yml:5:24: must-report[0].categories[1]: unknown category (one of: dos, scan, "
     "brute-force, intrusion, web-attack, malware, data-leak, phishing, defacement, ransomware, "
     "iot-control, other)"},
    {HEAD
     "must-report: [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}]\n" TAIL,
     "p.yml:4:14: must-report: at most 16 entries"},
    {HEAD "must-report: [{}]\nfields: [owner]\n", "p.yml:1:1: missing 'reports'"},
    {HEAD "must-report: [{}]\nreports: {update: {within: 1d}}\nfields: [owner]\n",
     "p.yml:5:10: reports: missing 'initial'"},
    {HEAD "must-report: [{}]\nreports: {initial: {name: X}}\nfields: [owner]\n",
     "p.yml:5:20: reports.initial: missing 'within'"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 2y}}\nfields: [owner]\n",
     "p.yml:5:29: reports.initial.within: expected a duration 0..31536000 seconds (like 30s, 5m, "
     "1h, 1d), got '2y'"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 366d}}\nfields: [owner]\n",
     "p.yml:5:29: reports.initial.within: expected a duration 0..31536000 seconds (like 30s, 5m, "
     "1h, 1d), got '366d'"},
    {HEAD
     "must-report: [{}]\nreports: {initial: {within: 1d}, final: {within: 1d, immediate: 1h}}\n"
     "fields: [owner]\n",
     "p.yml:5:54: reports.final: unknown key 'immediate'"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1d}, later: {}}\nfields: [owner]\n",
     "p.yml:5:34: reports: unknown key 'later'"},
    {HEAD "must-report: [{}]\nimmediate: [{min-level: 4}]\nreports: {initial: {within: 1h, "
          "immediate: 2h}}\nfields: [owner]\n",
     "p.yml:6:44: reports.initial.immediate: the immediate deadline (7200s) is later than "
     "within (3600s)"},
    {HEAD "must-report: [{}]\nimmediate: [{min-level: 4}]\nreports: {initial: {within: 1h}}\n"
          "fields: [owner]\n",
     "p.yml:5:12: immediate: immediate conditions need reports.initial.immediate (their "
     "deadline)"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1h, immediate: 0s}}\nfields: [owner]\n",
     "p.yml:5:44: reports.initial.immediate: an immediate deadline needs the top-level "
     "'immediate' conditions"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1h, title: \"\"}}\nfields: [owner]\n",
     "p.yml:5:40: reports.initial.title: expected a non-empty string without NUL bytes"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1d}}\n", "p.yml:1:1: missing 'fields'"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1d}}\nfields: []\n",
     "p.yml:6:9: fields: expected at least one entry"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1d}}\nfields: [owner, color]\n",
     "p.yml:6:17: fields[1]: unknown field (one of: owner, contact, system, level, incident, "
     "detected, occurred, category, method, severity, attack, status, cause, scope, measures, "
     "evidence, next-report)"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1d}}\nfields: [owner, scope, owner]\n",
     "p.yml:6:24: fields[2]: field 'owner' listed twice"},
    {HEAD "must-report: [{}]\nreports: {initial: {within: 1d}}\nfields: [owner]\ndue-soon: 31d\n",
     "p.yml:7:11: due-soon: expected a duration 0..2592000 seconds (like 30s, 5m, 1h, 1d), got "
     "'31d'"},
    {"- name: n\n", "p.yml:1:1: expected a mapping (a reporting profile), got a sequence"},
    {"", "p.yml: empty profile"},
    {"# only a comment\n", "p.yml: empty profile"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        char err[1024];
        bool ok = load(bad_cases[i].yaml, err, sizeof(err));
        if (ok || strcmp(err, bad_cases[i].err) != 0)
            fail_msg("case %zu: %s\n  got:  %s\n  want: %s", i, ok ? "loaded" : "wrong error", err,
                     bad_cases[i].err);
    }
}

static void test_too_long(void **state)
{
    (void)state;
    /* 511 bytes is the most a title holds */
    char yaml[2048], err[512];
    char t[513];
    memset(t, 'x', 511);
    t[511] = '\0';
    snprintf(yaml, sizeof(yaml),
             "name: n\ntitle: %s\nrecipient: R\n"
             "must-report: [{}]\n" TAIL,
             t);
    assert_true(load(yaml, err, sizeof(err)));
    assert_int_equal(strlen(prof.title), 511);
    t[511] = 'x';
    t[512] = '\0';
    snprintf(yaml, sizeof(yaml),
             "name: n\ntitle: %s\nrecipient: R\n"
             "must-report: [{}]\n" TAIL,
             t);
    assert_false(load(yaml, err, sizeof(err)));
    assert_string_equal(err, "p.yml:2:8: title: expected a string of at most 511 bytes");
}

static void test_syntax_error(void **state)
{
    (void)state;
    char err[512];
    assert_false(load("name: [unclosed\n", err, sizeof(err)));
    assert_int_equal(strncmp(err, "p.yml:", 6), 0);
    assert_false(report_profile_load(&prof, "/nonexistent/p.yml", err, sizeof(err)));
    assert_int_equal(strncmp(err, "/nonexistent/p.yml", 18), 0);
}

/* ---- soc.yaml: the reports section ---------------------------------------------------------- */

static bool settings(report_settings_t *s, const char *yaml, char *err, size_t errlen)
{
    report_settings_defaults(s);
    err[0] = '\0';
    cfg_t *cfg = cfg_load_buffer("soc.yaml", yaml, strlen(yaml), err, errlen);
    if (!cfg) return false;
    bool ok = report_settings_apply(s, cfg, err, errlen);
    cfg_free(cfg);
    return ok;
}

static report_settings_t st;

static void test_settings(void **state)
{
    (void)state;
    char err[512];
    report_settings_defaults(&st);
    assert_string_equal(st.profile, "");
    assert_string_equal(st.profiles_dir, "/etc/soc/rules/reporting");
    assert_string_equal(st.assets, "/etc/soc/rules/assets.yml");
    assert_true(settings(&st,
                         "correlator:\n  assets: /srv/assets.yml\n  rules: x\n"
                         "reports:\n  profile: law116\n  profiles-dir: /srv/rep\n"
                         "  owner: Ủy ban nhân dân thành phố Cần Thơ\n  unit: SOC\n"
                         "  place: Cần Thơ\n  contact:\n    name: Nguyễn Văn An\n"
                         "    phone: \"0292 3 820 000\"\n    email: soc@cantho.gov.vn\n",
                         err, sizeof(err)));
    assert_string_equal(st.profile, "law116");
    assert_string_equal(st.profiles_dir, "/srv/rep");
    assert_string_equal(st.assets, "/srv/assets.yml");
    assert_string_equal(st.owner, "Ủy ban nhân dân thành phố Cần Thơ");
    assert_string_equal(st.unit, "SOC");
    assert_string_equal(st.place, "Cần Thơ");
    assert_string_equal(st.contact_name, "Nguyễn Văn An");
    assert_string_equal(st.contact_phone, "0292 3 820 000");
    assert_string_equal(st.contact_email, "soc@cantho.gov.vn");
    /* no section: defaults */
    assert_true(settings(&st, "sensor: {}\n", err, sizeof(err)));
    assert_string_equal(st.profile, "");
    /* "" turns the assets file off */
    assert_true(settings(&st, "correlator: {assets: \"\"}\n", err, sizeof(err)));
    assert_string_equal(st.assets, "");
}

static void test_settings_errors(void **state)
{
    (void)state;
    char err[512];
    assert_false(settings(&st, "reports:\n  contakt: {}\n", err, sizeof(err)));
    assert_string_equal(err, "soc.yaml:2:3: reports: unknown key 'contakt' (did you mean "
                             "'contact'?)");
    assert_false(settings(&st, "reports:\n  contact: {name: \"a\\nb\"}\n", err, sizeof(err)));
    assert_string_equal(err, "soc.yaml:2:19: reports.contact.name: expected one line of text, "
                             "without control characters");
    assert_false(settings(&st, "reports:\n  contact: {fax: 1}\n", err, sizeof(err)));
    assert_string_equal(err, "soc.yaml:2:13: reports.contact: unknown key 'fax'");
    assert_false(settings(&st, "reports: [a]\n", err, sizeof(err)));
    assert_string_equal(err, "soc.yaml:1:10: reports: expected a mapping, got a sequence");
    assert_false(settings(&st, "reports:\n  profile: \"a\\tb\"\n", err, sizeof(err)));
    assert_string_equal(
        err, "soc.yaml:2:12: reports.profile: expected a path without control characters");
    /* a failed apply changes nothing */
    report_settings_defaults(&st);
    snprintf(st.owner, sizeof(st.owner), "kept");
    const char *y = "reports: {owner: new, fax: 1}\n";
    cfg_t *cfg = cfg_load_buffer("soc.yaml", y, strlen(y), err, sizeof(err));
    assert_non_null(cfg);
    assert_false(report_settings_apply(&st, cfg, err, sizeof(err)));
    cfg_free(cfg);
    assert_string_equal(st.owner, "kept");
}

static void test_profile_path(void **state)
{
    (void)state;
    char out[256], err[256];
    report_settings_defaults(&st);
    assert_true(report_profile_path(&st, NULL, out, sizeof(out), err, sizeof(err)));
    assert_string_equal(out, ""); /* nothing configured */
    snprintf(st.profile, sizeof(st.profile), "decree85");
    assert_true(report_profile_path(&st, NULL, out, sizeof(out), err, sizeof(err)));
    assert_string_equal(out, "/etc/soc/rules/reporting/decree85.yml");
    assert_true(report_profile_path(&st, "law116", out, sizeof(out), err, sizeof(err)));
    assert_string_equal(out, "/etc/soc/rules/reporting/law116.yml");
    assert_true(report_profile_path(&st, "./mine.yml", out, sizeof(out), err, sizeof(err)));
    assert_string_equal(out, "./mine.yml");
    assert_true(report_profile_path(&st, "mine.yaml", out, sizeof(out), err, sizeof(err)));
    assert_string_equal(out, "mine.yaml");
    assert_false(report_profile_path(&st, "Law 116", out, sizeof(out), err, sizeof(err)));
    assert_string_equal(err, "profile 'Law 116': a name is a-z, 0-9, _ and - (or give a path)");
    assert_false(report_profile_path(&st, "decree85", out, 20, err, sizeof(err)));
    assert_string_equal(err, "profile 'decree85...': path too long");
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decree85),
        cmocka_unit_test(test_law116),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_nfc),
        cmocka_unit_test(test_failed_load_keeps_profile),
        cmocka_unit_test(test_cond_match),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_settings_errors),
        cmocka_unit_test(test_profile_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
