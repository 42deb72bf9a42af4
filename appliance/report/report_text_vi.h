/* report_text_vi.h -- the words of incident reports: report kinds, incident
 * categories, report fields, and their Vietnamese labels; times and
 * durations written the way Vietnamese official documents write them.
 *
 * Every identifier has an English name (used in profiles, JSON and on the
 * command line) and a Vietnamese text (used in the report). All Vietnamese
 * text here is UTF-8 in Unicode normalisation form C (precomposed letters),
 * so what pdftotext extracts compares equal byte for byte. */
#ifndef SOC_REPORT_TEXT_VI_H
#define SOC_REPORT_TEXT_VI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- report kinds ---------------------------------------------------------------- */

typedef enum report_kind {
    REPORT_INITIAL = 0, /* first notice after detection */
    REPORT_UPDATE,      /* later, more detailed report(s) */
    REPORT_FINAL,       /* once the response is over */
    REPORT_KIND_COUNT
} report_kind_t;

/* "initial", "update", "final"; "?" otherwise. */
const char *report_kind_name(report_kind_t k);
bool report_kind_parse(const char *s, report_kind_t *out);
/* Default Vietnamese name and document title of a kind (a profile may
 * give its own): "Báo cáo ban đầu", "BÁO CÁO BAN ĐẦU SỰ CỐ AN TOÀN THÔNG TIN MẠNG". */
const char *report_kind_vi(report_kind_t k);
const char *report_kind_title_vi(report_kind_t k);

/* ---- incident categories ------------------------------------------------------------ */

typedef enum report_category {
    REPORT_CAT_DOS = 0,    /* dos */
    REPORT_CAT_SCAN,       /* scan */
    REPORT_CAT_BRUTEFORCE, /* brute-force */
    REPORT_CAT_INTRUSION,  /* intrusion */
    REPORT_CAT_WEB,        /* web-attack */
    REPORT_CAT_MALWARE,    /* malware */
    REPORT_CAT_DATA_LEAK,  /* data-leak */
    REPORT_CAT_PHISHING,   /* phishing */
    REPORT_CAT_DEFACEMENT, /* defacement */
    REPORT_CAT_RANSOMWARE, /* ransomware */
    REPORT_CAT_IOT,        /* iot-control */
    REPORT_CAT_OTHER,      /* other: nothing else applies */
    REPORT_CAT_COUNT
} report_category_t;

#define REPORT_CAT_BIT(c) (1u << (c))

const char *report_category_name(report_category_t c); /* "dos"; "?" */
const char *report_category_vi(report_category_t c);   /* "Tấn công từ chối dịch vụ" */
bool report_category_parse(const char *s, report_category_t *out);

/* The categories (REPORT_CAT_BIT set) of an incident from its ATT&CK
 * techniques ("T1498.001": a sub-technique counts as its parent) and, only
 * when no technique maps, its tactics (names as the correlator stores them,
 * "credential-access", or ids, "TA0006"). Never 0: REPORT_CAT_OTHER when
 * nothing maps. */
uint32_t report_categories_of(const char *const *tactics, size_t ntactics,
                              const char *const *techniques, size_t ntechniques);

/* ---- report fields ----------------------------------------------------------------- */

typedef enum report_field {
    RF_OWNER = 0, /* owner: the agency owning the system */
    RF_CONTACT,   /* contact: who to call about this report */
    RF_SYSTEM,    /* system: the information system (asset) */
    RF_LEVEL,     /* level: its security level 1..5 */
    RF_INCIDENT,  /* incident: id and title */
    RF_DETECTED,  /* detected: when the SOC detected it (created_at) */
    RF_OCCURRED,  /* occurred: when it began (first_seen, event time) */
    RF_CATEGORY,  /* category */
    RF_METHOD,    /* method: how it was detected */
    RF_SEVERITY,  /* severity and priority */
    RF_ATTACK,    /* attack: ATT&CK tactics and techniques */
    RF_STATUS,    /* status of the response */
    RF_CAUSE,     /* cause */
    RF_SCOPE,     /* scope: what and who is affected */
    RF_MEASURES,  /* measures taken */
    RF_EVIDENCE,  /* evidence: event ids, addresses */
    RF_NEXT,      /* next-report: what report is due next, by when */
    RF_COUNT
} report_field_t;

const char *report_field_name(report_field_t f); /* "owner", "next-report"; "?" */
const char *report_field_vi(report_field_t f); /* "Đơn vị chủ quản hệ thống thông tin" */
bool report_field_parse(const char *s, report_field_t *out);

/* ---- values ------------------------------------------------------------------------ */

/* 0..4: "Thông tin", "Thấp", "Trung bình", "Cao", "Nghiêm trọng"; else "Chưa xác định". */
const char *report_severity_vi(int severity);
/* Incident status names of incident_status.h ("new" ...) in Vietnamese. */
const char *report_status_vi(const char *status);

#define REPORT_TIME_MAX 64

/* Vietnam time (UTC+7 all year, no daylight saving):
 * "15:30:00 ngày 01/03/2026 (UTC+7)"; "Chưa xác định" for usec <= 0. */
const char *report_time_vi(int64_t usec, char out[REPORT_TIME_MAX]);
/* The place-and-date line of a document, "Cần Thơ, ngày 02 tháng 3 năm 2026"
 * (days below 10 and the months 1 and 2 get a leading zero, as official
 * documents write them); place may be "". Returns out. */
const char *report_date_line_vi(const char *place, int64_t usec, char *out, size_t cap);
/* "24 giờ", "5 ngày", "30 phút", "ngay" (0). */
const char *report_duration_vi(uint64_t sec, char out[REPORT_TIME_MAX]);

/* A copy of UTF-8 text in normalisation form C (malloc'd), or NULL when s
 * is not valid UTF-8 (or out of memory). */
char *report_nfc(const char *s);
/* n bytes of any text made fit for a report (malloc'd): invalid UTF-8
 * becomes U+FFFD, control characters but newline and tab become '?', then
 * NFC. NULL only when out of memory. */
char *report_clean_text(const char *s, size_t n);

#endif
