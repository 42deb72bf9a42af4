/* report_text_vi.c -- see report_text_vi.h. */
#include "report/report_text_vi.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- kinds --------------------------------------------------------------------------- */

static const struct {
    const char *name, *vi, *title;
} kinds[REPORT_KIND_COUNT] = {
    [REPORT_INITIAL] = {"initial", "Báo cáo ban đầu",
                        "BÁO CÁO BAN ĐẦU SỰ CỐ AN TOÀN THÔNG TIN MẠNG"},
    [REPORT_UPDATE] = {"update", "Báo cáo cập nhật",
                       "BÁO CÁO CẬP NHẬT SỰ CỐ AN TOÀN THÔNG TIN MẠNG"},
    [REPORT_FINAL] = {"final", "Báo cáo kết thúc",
                      "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ AN TOÀN THÔNG TIN MẠNG"},
};

const char *report_kind_name(report_kind_t k)
{
    return (unsigned)k < REPORT_KIND_COUNT ? kinds[k].name : "?";
}

bool report_kind_parse(const char *s, report_kind_t *out)
{
    for (int k = 0; k < REPORT_KIND_COUNT; k++)
        if (strcmp(s, kinds[k].name) == 0) {
            *out = (report_kind_t)k;
            return true;
        }
    return false;
}

const char *report_kind_vi(report_kind_t k)
{
    return (unsigned)k < REPORT_KIND_COUNT ? kinds[k].vi : "?";
}

const char *report_kind_title_vi(report_kind_t k)
{
    return (unsigned)k < REPORT_KIND_COUNT ? kinds[k].title : "?";
}

/* ---- categories ------------------------------------------------------------------------ */

/* Names follow the incident types of the national incident report forms
 * (DoS, scanning, malware, intrusion, defacement, ...), split where the
 * city's rule pack tells them apart (brute force, web attacks, IoT). */
static const struct {
    const char *name, *vi;
} cats[REPORT_CAT_COUNT] = {
    [REPORT_CAT_DOS] = {"dos", "Tấn công từ chối dịch vụ"},
    [REPORT_CAT_SCAN] = {"scan", "Dò quét"},
    [REPORT_CAT_BRUTEFORCE] = {"brute-force", "Tấn công dò mật khẩu"},
    [REPORT_CAT_INTRUSION] = {"intrusion", "Truy cập trái phép, chiếm quyền điều khiển"},
    [REPORT_CAT_WEB] = {"web-attack", "Tấn công ứng dụng web"},
    [REPORT_CAT_MALWARE] = {"malware", "Mã độc"},
    [REPORT_CAT_DATA_LEAK] = {"data-leak", "Rò rỉ dữ liệu"},
    [REPORT_CAT_PHISHING] = {"phishing", "Tấn công giả mạo, lừa đảo"},
    [REPORT_CAT_DEFACEMENT] = {"defacement", "Thay đổi giao diện"},
    [REPORT_CAT_RANSOMWARE] = {"ransomware", "Mã hóa dữ liệu tống tiền"},
    [REPORT_CAT_IOT] = {"iot-control", "Tấn công hệ thống điều khiển, thiết bị IoT"},
    [REPORT_CAT_OTHER] = {"other", "Hình thức tấn công khác"},
};

const char *report_category_name(report_category_t c)
{
    return (unsigned)c < REPORT_CAT_COUNT ? cats[c].name : "?";
}

const char *report_category_vi(report_category_t c)
{
    return (unsigned)c < REPORT_CAT_COUNT ? cats[c].vi : "?";
}

bool report_category_parse(const char *s, report_category_t *out)
{
    for (int c = 0; c < REPORT_CAT_COUNT; c++)
        if (strcmp(s, cats[c].name) == 0) {
            *out = (report_category_t)c;
            return true;
        }
    return false;
}

typedef struct cat_map {
    const char *key;
    report_category_t cat;
} cat_map_t;

/* ATT&CK techniques; a key matches itself and its sub-techniques. */
static const cat_map_t technique_map[] = {
    {"T1498", REPORT_CAT_DOS},        {"T1499", REPORT_CAT_DOS},
    {"T1046", REPORT_CAT_SCAN},       {"T1595", REPORT_CAT_SCAN},
    {"T1590", REPORT_CAT_SCAN},       {"T1018", REPORT_CAT_SCAN},
    {"T1135", REPORT_CAT_SCAN},       {"T1110", REPORT_CAT_BRUTEFORCE},
    {"T1078", REPORT_CAT_INTRUSION},  {"T1133", REPORT_CAT_INTRUSION},
    {"T1021", REPORT_CAT_INTRUSION},  {"T1210", REPORT_CAT_INTRUSION},
    {"T1068", REPORT_CAT_INTRUSION},  {"T1190", REPORT_CAT_WEB},
    {"T1505.003", REPORT_CAT_WEB},    {"T1071", REPORT_CAT_MALWARE},
    {"T1573", REPORT_CAT_MALWARE},    {"T1568", REPORT_CAT_MALWARE},
    {"T1105", REPORT_CAT_MALWARE},    {"T1059", REPORT_CAT_MALWARE},
    {"T1095", REPORT_CAT_MALWARE},    {"T1571", REPORT_CAT_MALWARE},
    {"T1572", REPORT_CAT_MALWARE},    {"T1041", REPORT_CAT_DATA_LEAK},
    {"T1048", REPORT_CAT_DATA_LEAK},  {"T1567", REPORT_CAT_DATA_LEAK},
    {"T1020", REPORT_CAT_DATA_LEAK},  {"T1030", REPORT_CAT_DATA_LEAK},
    {"T1040", REPORT_CAT_DATA_LEAK},  {"T1566", REPORT_CAT_PHISHING},
    {"T1491", REPORT_CAT_DEFACEMENT}, {"T1486", REPORT_CAT_RANSOMWARE},
    {"T0", REPORT_CAT_IOT}, /* ATT&CK for ICS: T0800 .. T0890 */
};

/* ATT&CK tactics by name and by id. impact is left out on purpose: it
 * covers floods, defacement, ransomware and wiping alike, and the
 * techniques tell those apart. */
static const cat_map_t tactic_map[] = {
    {"reconnaissance", REPORT_CAT_SCAN},
    {"TA0043", REPORT_CAT_SCAN},
    {"discovery", REPORT_CAT_SCAN},
    {"TA0007", REPORT_CAT_SCAN},
    {"credential-access", REPORT_CAT_INTRUSION},
    {"TA0006", REPORT_CAT_INTRUSION},
    {"initial-access", REPORT_CAT_INTRUSION},
    {"TA0001", REPORT_CAT_INTRUSION},
    {"lateral-movement", REPORT_CAT_INTRUSION},
    {"TA0008", REPORT_CAT_INTRUSION},
    {"privilege-escalation", REPORT_CAT_INTRUSION},
    {"TA0004", REPORT_CAT_INTRUSION},
    {"persistence", REPORT_CAT_INTRUSION},
    {"TA0003", REPORT_CAT_INTRUSION},
    {"defense-evasion", REPORT_CAT_INTRUSION},
    {"TA0005", REPORT_CAT_INTRUSION},
    {"execution", REPORT_CAT_MALWARE},
    {"TA0002", REPORT_CAT_MALWARE},
    {"command-and-control", REPORT_CAT_MALWARE},
    {"TA0011", REPORT_CAT_MALWARE},
    {"exfiltration", REPORT_CAT_DATA_LEAK},
    {"TA0010", REPORT_CAT_DATA_LEAK},
    {"collection", REPORT_CAT_DATA_LEAK},
    {"TA0009", REPORT_CAT_DATA_LEAK},
    {"inhibit-response-function", REPORT_CAT_IOT},
    {"TA0107", REPORT_CAT_IOT},
    {"impair-process-control", REPORT_CAT_IOT},
    {"TA0106", REPORT_CAT_IOT},
};

static bool technique_matches(const char *key, const char *t)
{
    size_t n = strlen(key);
    if (strncmp(t, key, n) != 0) return false;
    /* "T0" is a family prefix; other keys take only ".sub" after them */
    return t[n] == '\0' || t[n] == '.' || strcmp(key, "T0") == 0;
}

uint32_t report_categories_of(const char *const *tactics, size_t ntactics,
                              const char *const *techniques, size_t ntechniques)
{
    uint32_t bits = 0, by_tactic = 0;
    for (size_t i = 0; i < ntechniques; i++)
        for (size_t m = 0; techniques[i] && m < COUNT(technique_map); m++)
            if (technique_matches(technique_map[m].key, techniques[i]))
                bits |= REPORT_CAT_BIT(technique_map[m].cat);
    for (size_t i = 0; i < ntactics; i++)
        for (size_t m = 0; tactics[i] && m < COUNT(tactic_map); m++)
            if (strcmp(tactic_map[m].key, tactics[i]) == 0)
                by_tactic |= REPORT_CAT_BIT(tactic_map[m].cat);
    bits = bits ? bits : by_tactic;
    return bits ? bits : REPORT_CAT_BIT(REPORT_CAT_OTHER);
}

/* ---- fields --------------------------------------------------------------------------- */

static const struct {
    const char *name, *vi;
} fields[RF_COUNT] = {
    [RF_OWNER] = {"owner", "Đơn vị chủ quản hệ thống thông tin"},
    [RF_CONTACT] = {"contact", "Đầu mối liên hệ"},
    [RF_SYSTEM] = {"system", "Tên hệ thống thông tin"},
    [RF_LEVEL] = {"level", "Cấp độ an toàn hệ thống thông tin"},
    [RF_INCIDENT] = {"incident", "Mã sự cố"},
    [RF_DETECTED] = {"detected", "Thời điểm phát hiện"},
    [RF_OCCURRED] = {"occurred", "Thời điểm xảy ra"},
    [RF_CATEGORY] = {"category", "Loại sự cố"},
    [RF_METHOD] = {"method", "Phương thức phát hiện"},
    [RF_SEVERITY] = {"severity", "Mức độ nghiêm trọng"},
    [RF_ATTACK] = {"attack", "Kỹ thuật tấn công (MITRE ATT&CK)"},
    [RF_STATUS] = {"status", "Tình trạng xử lý"},
    [RF_CAUSE] = {"cause", "Nguyên nhân"},
    [RF_SCOPE] = {"scope", "Phạm vi, mức độ ảnh hưởng"},
    [RF_MEASURES] = {"measures", "Biện pháp đã thực hiện"},
    [RF_EVIDENCE] = {"evidence", "Bằng chứng"},
    [RF_NEXT] = {"next-report", "Thời hạn báo cáo tiếp theo"},
};

const char *report_field_name(report_field_t f)
{
    return (unsigned)f < RF_COUNT ? fields[f].name : "?";
}

const char *report_field_vi(report_field_t f)
{
    return (unsigned)f < RF_COUNT ? fields[f].vi : "?";
}

bool report_field_parse(const char *s, report_field_t *out)
{
    for (int f = 0; f < RF_COUNT; f++)
        if (strcmp(s, fields[f].name) == 0) {
            *out = (report_field_t)f;
            return true;
        }
    return false;
}

/* ---- values ---------------------------------------------------------------------------- */

#define UNKNOWN_VI "Chưa xác định"

const char *report_severity_vi(int severity)
{
    static const char *const names[] = {"Thông tin", "Thấp", "Trung bình", "Cao", "Nghiêm trọng"};
    return severity >= 0 && severity <= 4 ? names[severity] : UNKNOWN_VI;
}

const char *report_status_vi(const char *status)
{
    static const struct {
        const char *name, *vi;
    } t[] = {
        {"new", "Mới phát hiện, chưa tiếp nhận"},
        {"acknowledged", "Đã tiếp nhận"},
        {"investigating", "Đang điều tra, xử lý"},
        {"resolved", "Đã xử lý xong"},
        {"false_positive", "Đã xác minh: cảnh báo nhầm, không phải sự cố"},
        {"closed", "Đã đóng"},
    };
    for (size_t i = 0; status && i < COUNT(t); i++)
        if (strcmp(status, t[i].name) == 0) return t[i].vi;
    return UNKNOWN_VI;
}

#define VN_OFFSET_SEC (7 * 3600)

/* Broken-down Vietnam time of usec; false when it cannot be shown. */
static bool vn_tm(int64_t usec, struct tm *tm)
{
    if (usec <= 0) return false;
    time_t t = (time_t)(usec / 1000000 + VN_OFFSET_SEC);
    return gmtime_r(&t, tm) != NULL && tm->tm_year + 1900 <= 9999;
}

const char *report_time_vi(int64_t usec, char out[REPORT_TIME_MAX])
{
    struct tm tm;
    if (!vn_tm(usec, &tm)) return strcpy(out, UNKNOWN_VI);
    snprintf(out, REPORT_TIME_MAX, "%02d:%02d:%02d ngày %02d/%02d/%04d (UTC+7)", tm.tm_hour,
             tm.tm_min, tm.tm_sec, tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
    return out;
}

const char *report_date_line_vi(const char *place, int64_t usec, char *out, size_t cap)
{
    struct tm tm;
    if (!cap) return out;
    if (!vn_tm(usec, &tm)) {
        snprintf(out, cap, "%s", place ? place : "");
        return out;
    }
    int mon = tm.tm_mon + 1;
    snprintf(out, cap, "%s%sngày %02d tháng %0*d năm %04d", place ? place : "",
             place && place[0] ? ", " : "", tm.tm_mday, mon <= 2 ? 2 : 1, mon, tm.tm_year + 1900);
    return out;
}

const char *report_duration_vi(uint64_t sec, char out[REPORT_TIME_MAX])
{
    /* hours up to 72 as the rules count them ("24 giờ", "72 giờ"), days beyond */
    if (sec == 0)
        snprintf(out, REPORT_TIME_MAX, "ngay");
    else if (sec % 3600 == 0 && sec <= 72 * 3600)
        snprintf(out, REPORT_TIME_MAX, "%llu giờ", (unsigned long long)(sec / 3600));
    else if (sec % 86400 == 0)
        snprintf(out, REPORT_TIME_MAX, "%llu ngày", (unsigned long long)(sec / 86400));
    else if (sec % 3600 == 0)
        snprintf(out, REPORT_TIME_MAX, "%llu giờ", (unsigned long long)(sec / 3600));
    else if (sec % 60 == 0)
        snprintf(out, REPORT_TIME_MAX, "%llu phút", (unsigned long long)(sec / 60));
    else
        snprintf(out, REPORT_TIME_MAX, "%llu giây", (unsigned long long)sec);
    return out;
}

char *report_nfc(const char *s)
{
    if (!s || !g_utf8_validate(s, -1, NULL)) return NULL;
    gchar *n = g_utf8_normalize(s, -1, G_NORMALIZE_NFC);
    if (!n) return NULL;
    /* g_free and free may differ in principle: hand back plain malloc memory */
    char *out = strdup(n);
    g_free(n);
    return out;
}

char *report_clean_text(const char *s, size_t n)
{
    gchar *valid = g_utf8_make_valid(s, (gssize)n);
    if (!valid) return NULL;
    for (gchar *p = valid; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) *p = '?';
    gchar *nfc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFC);
    g_free(valid);
    char *out = nfc ? strdup(nfc) : NULL;
    g_free(nfc);
    return out;
}
