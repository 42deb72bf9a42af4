/* incident_filter.c -- see incident_filter.h. */
#include "incident_filter.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "incident_sla.h"

void incident_filter_init(incident_filter_t *f, int64_t now_usec)
{
    memset(f, 0, sizeof(*f));
    f->select = INCIDENT_SELECT_OPEN;
    f->now_usec = now_usec;
}

bool incident_filter_set_status(incident_filter_t *f, const char *s, char *err, size_t errlen)
{
    if (strcmp(s, "open") == 0) {
        f->select = INCIDENT_SELECT_OPEN;
    } else if (strcmp(s, "all") == 0) {
        f->select = INCIDENT_SELECT_ALL;
    } else if (incident_status_parse(s, &f->status)) {
        f->select = INCIDENT_SELECT_STATUS;
    } else {
        snprintf(err, errlen,
                 "unknown status '%.64s' (open, all, new, acknowledged, investigating, resolved, "
                 "false_positive, closed)",
                 s);
        return false;
    }
    return true;
}

bool incident_filter_match(const incident_filter_t *f, const incident_t *inc)
{
    if (f->select == INCIDENT_SELECT_OPEN && !incident_status_open(inc->status)) return false;
    if (f->select == INCIDENT_SELECT_STATUS && inc->status != f->status) return false;
    if (f->priority && inc->priority != f->priority) return false;
    if (f->asset && strcmp(inc->asset_name, f->asset) != 0) return false;
    if (f->assignee && strcmp(inc->assignee, f->assignee) != 0) return false;
    if (f->since_usec && inc->last_seen < f->since_usec) return false;
    if (f->overdue) {
        incident_sla_state_t st = incident_sla_check(inc->status, inc->sla_acknowledge_by,
                                                     inc->sla_resolve_by, f->now_usec);
        if (!st.acknowledge_overdue && !st.resolve_overdue) return false;
    }
    return true;
}

bool incident_parse_priority(const char *s, int *out)
{
    if (s[0] == 'P' || s[0] == 'p') s++;
    if (s[0] < '1' || s[0] > '5' || s[1]) return false;
    *out = s[0] - '0';
    return true;
}

/* Exactly n digits at *p, advancing it. */
static bool digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9') return false;
        *v = *v * 10 + (**p - '0');
    }
    return true;
}

static bool parse_relative(const char *s, int64_t now_usec, int64_t *out)
{
    int64_t n = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (*p - '0');
        if (n > 100000000) return false;
    }
    if (p == s || !*p || p[1]) return false;
    int64_t unit = *p == 's'   ? 1
                   : *p == 'm' ? 60
                   : *p == 'h' ? 3600
                   : *p == 'd' ? 86400
                   : *p == 'w' ? 7 * 86400
                               : 0;
    if (!unit) return false;
    *out = now_usec - n * unit * 1000000;
    return true;
}

static bool parse_epoch(const char *s, int64_t *out)
{
    int64_t n = 0;
    const char *p = s + 1;
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (*p - '0');
        if (n > 253402300799LL) return false; /* 9999-12-31 */
    }
    if (p == s + 1 || *p) return false;
    *out = n * 1000000;
    return true;
}

/* "Z", "+07:00", "+0700" or nothing (UTC); seconds east of UTC. */
static bool parse_zone(const char *p, int64_t *off)
{
    *off = 0;
    if (!*p || (p[0] == 'Z' && !p[1])) return true;
    if (*p != '+' && *p != '-') return false;
    int sign = *p++ == '-' ? -1 : 1, h, m;
    if (!digits(&p, 2, &h)) return false;
    if (*p == ':') p++;
    if (!digits(&p, 2, &m) || *p || h > 23 || m > 59) return false;
    *off = sign * (h * 3600 + m * 60);
    return true;
}

static bool parse_date(const char *s, int64_t *out)
{
    const char *p = s;
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi)) return false;
        if (*p == ':' && (p++, !digits(&p, 2, &sec))) return false;
    }
    int64_t off;
    if (!parse_zone(p, &off)) return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (tm.tm_mday != d) return false; /* 2026-02-30 rolled over into March */
    *out = ((int64_t)t - off) * 1000000;
    return true;
}

bool incident_parse_time(const char *s, int64_t now_usec, int64_t *out, char *err, size_t errlen)
{
    bool ok = s[0] == '@'                              ? parse_epoch(s, out)
              : s[0] && strlen(s) >= 10 && s[4] == '-' ? parse_date(s, out)
                                                       : parse_relative(s, now_usec, out);
    if (!ok)
        snprintf(err, errlen,
                 "bad time '%.64s' (2026-03-01, 2026-03-01T08:30:00Z, @EPOCH, or 30m/2h/7d ago)",
                 s);
    return ok;
}
