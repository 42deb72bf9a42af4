/* report_config.h -- the `reports` section of soc.yaml: which reporting
 * regime applies and who reports.
 *
 *   reports:
 *     profile: decree85          # a name (PROFILES-DIR/NAME.yml) or a path; "" = none
 *     profiles-dir: /etc/soc/rules/reporting
 *     owner: Ủy ban nhân dân thành phố Cần Thơ       # owner of systems whose asset names none
 *     unit: Trung tâm Giám sát an toàn thông tin (SOC)  # who writes the reports
 *     place: Cần Thơ              # the place in the document's date line
 *     contact:                   # the reports' contact person
 *       name: Nguyễn Văn An
 *       phone: "0292 3 820 000"
 *       email: soc@cantho.gov.vn
 *
 * Every key is optional. Without a profile no deadlines are tracked
 * (`socctl incidents list` shows no report column) and `socctl incidents
 * report` needs --profile. The systems' owners come from the assets file the
 * correlator uses (`correlator.assets`, default /etc/soc/rules/assets.yml).
 * Unknown keys and bad values are errors "FILE:LINE:COL: reports.KEY: ...". */
#ifndef SOC_REPORT_CONFIG_H
#define SOC_REPORT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "report/report_profile.h"

#define REPORT_PATH_MAX 4096

#define REPORT_DEFAULT_PROFILES_DIR "/etc/soc/rules/reporting"
#define REPORT_DEFAULT_ASSETS       "/etc/soc/rules/assets.yml"

typedef struct report_settings {
    char profile[REPORT_PATH_MAX];
    char profiles_dir[REPORT_PATH_MAX];
    char assets[REPORT_PATH_MAX]; /* correlator.assets; "" none */
    char owner[REPORT_TEXT_MAX];
    char unit[REPORT_TEXT_MAX];
    char place[REPORT_TEXT_MAX];
    char contact_name[REPORT_TEXT_MAX];
    char contact_phone[128];
    char contact_email[REPORT_TEXT_MAX];
} report_settings_t;

void report_settings_defaults(report_settings_t *s);
/* Apply a loaded file (its `reports` section and correlator.assets); s is
 * changed only on success. */
bool report_settings_apply(report_settings_t *s, const cfg_t *cfg, char *err, size_t errlen);
bool report_settings_load(report_settings_t *s, const char *path, char *err, size_t errlen);

/* Where the profile `which` (a name or a path; NULL: the configured one)
 * lives: a value with a '/' or ending in .yml/.yaml is a path, anything
 * else a name looked up as PROFILES-DIR/NAME.yml. false with one line in
 * err for a bad name; out is "" when no profile is configured. */
bool report_profile_path(const report_settings_t *s, const char *which, char *out, size_t cap,
                         char *err, size_t errlen);

#endif
