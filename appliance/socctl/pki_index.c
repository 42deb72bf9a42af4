/* pki_index.c -- the PKI index (index.txt), names, times, and `pki list`
 * output. Format in pki.h. */
#include "socctl/pki.h"
#include "socctl/pki_files.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_writer.h"

#define PKI_INDEX_FILE   "index.txt"
#define PKI_INDEX_HEADER "# socctl pki index: serial name not-after status revoked-at (tabs)\n"
#define PKI_INDEX_LINE   256 /* longer than any valid line */
#define PKI_LIST_ROW     "%-24s %-34s %-20s %s\n"

/* ---- names and times ---------------------------------------------------------- */

const char *pki_default_dir(void)
{
    const char *d = getenv("SOC_PKI_DIR");
    return d && *d ? d : PKI_DEFAULT_DIR;
}

static bool pki_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool pki_name_valid(const char *name)
{
    if (!name || !pki_alnum(name[0])) return false;
    size_t n = 0;
    for (; name[n]; n++)
        if (n >= PKI_NAME_MAX ||
            !(pki_alnum(name[n]) || name[n] == '.' || name[n] == '_' || name[n] == '-'))
            return false;
    return true;
}

bool pki_server_name_valid(const char *name)
{
    unsigned char addr[16];
    if (!name || !*name) return false;
    if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1) return true;
    size_t n = strlen(name), label = 0;
    if (n > 253) return false;
    for (size_t i = 0; i <= n; i++) {
        char c = name[i];
        if (c == '.' || c == '\0') {
            /* Labels are 1..63 bytes and neither start nor end with '-'. */
            if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-')
                return false;
            label = 0;
        } else if (pki_alnum(c) || c == '-') {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

int pki_parse_time(const char *s, time_t *out)
{
    if (!s || strlen(s) != 15 || s[14] != 'Z') return -1;
    int f[6];
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    const char *p = s;
    for (int i = 0; i < 6; i++) {
        f[i] = 0;
        for (int k = 0; k < width[i]; k++, p++) {
            if (*p < '0' || *p > '9') return -1;
            f[i] = f[i] * 10 + (*p - '0');
        }
    }
    struct tm tm = {.tm_year = f[0] - 1900,
                    .tm_mon = f[1] - 1,
                    .tm_mday = f[2],
                    .tm_hour = f[3],
                    .tm_min = f[4],
                    .tm_sec = f[5]};
    time_t t = timegm(&tm);
    /* timegm normalises (Feb 30 -> Mar 2); a real date survives the round trip. */
    struct tm back;
    if (f[0] < 1950 || !gmtime_r(&t, &back) || back.tm_year != f[0] - 1900 ||
        back.tm_mon != f[1] - 1 || back.tm_mday != f[2] || back.tm_hour != f[3] ||
        back.tm_min != f[4] || back.tm_sec != f[5])
        return -1;
    *out = t;
    return 0;
}

void pki_format_time(time_t t, char out[16])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 16, "%Y%m%d%H%M%SZ", &tm) != 15) out[0] = '\0';
}

void pki_format_iso(time_t t, char out[21])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20) out[0] = '\0';
}

/* ---- the index ---------------------------------------------------------------- */

void pki_index_free(pki_index_t *idx)
{
    free(idx->v);
    idx->v = NULL;
    idx->n = idx->cap = 0;
}

int pki_index_add(pki_index_t *idx, const pki_entry_t *e)
{
    if (idx->n >= PKI_MAX_ENTRIES) return -1;
    if (idx->n == idx->cap) {
        size_t cap = idx->cap ? idx->cap * 2 : 16;
        pki_entry_t *v = realloc(idx->v, cap * sizeof(*v));
        if (!v) return -1;
        idx->v = v;
        idx->cap = cap;
    }
    idx->v[idx->n++] = *e;
    return 0;
}

static bool pki_serial_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PKI_SERIAL_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) return false;
    return true;
}

/* One line, split at tabs in place. NULL on success, else what is wrong. */
static const char *pki_parse_line(char *line, pki_entry_t *e)
{
    char *f[5];
    size_t nf = 0;
    for (char *p = line; p; nf++) {
        if (nf == 5) return "expected 5 tab-separated fields";
        f[nf] = p;
        p = strchr(p, '\t');
        if (p) *p++ = '\0';
    }
    if (nf != 5) return "expected 5 tab-separated fields";
    memset(e, 0, sizeof(*e));
    if (!pki_serial_valid(f[0])) return "bad serial (upper-case hex, 1-40 digits)";
    memcpy(e->serial, f[0], strlen(f[0]) + 1);
    if (!pki_name_valid(f[1])) return "bad name";
    memcpy(e->name, f[1], strlen(f[1]) + 1);
    if (pki_parse_time(f[2], &e->not_after) != 0) return "bad not-after (YYYYMMDDHHMMSSZ)";
    if (strcmp(f[3], "valid") == 0) {
        if (strcmp(f[4], "-") != 0) return "revoked-at must be '-' for a valid certificate";
    } else if (strcmp(f[3], "revoked") == 0) {
        e->revoked = true;
        if (pki_parse_time(f[4], &e->revoked_at) != 0) return "bad revoked-at (YYYYMMDDHHMMSSZ)";
    } else {
        return "status must be 'valid' or 'revoked'";
    }
    return NULL;
}

int pki_index_load(const char *dir, pki_index_t *idx, char *err, size_t errlen)
{
    memset(idx, 0, sizeof(*idx));
    char path[PKI_PATH_MAX];
    if (pki_path(path, sizeof(path), dir, PKI_INDEX_FILE, err, errlen) != 0) return -1;
    if (access(dir, F_OK) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s%s", dir, strerror(e),
                 e == ENOENT ? " (run socctl pki init)" : "");
        return -1;
    }
    if (access(path, F_OK) != 0 && errno == ENOENT) return 0; /* nothing issued yet */
    char *buf;
    size_t len;
    size_t max = (size_t)PKI_MAX_ENTRIES * PKI_INDEX_LINE;
    if (pki_read_file(path, max, &buf, &len, err, errlen) != 0) return -1;
    if (memchr(buf, '\0', len)) {
        snprintf(err, errlen, "%s: contains a NUL byte", path);
        free(buf);
        return -1;
    }
    size_t lineno = 0;
    int rc = 0;
    for (char *line = buf; line && *line && rc == 0;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        lineno++;
        pki_entry_t e;
        const char *why = NULL;
        if (strlen(line) >= PKI_INDEX_LINE)
            why = "line too long";
        else if (line[0] != '\0' && line[0] != '#')
            why = pki_parse_line(line, &e);
        else
            e.name[0] = '\0';
        if (why) {
            snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
            rc = -1;
        } else if (e.name[0] && pki_index_add(idx, &e) != 0) {
            snprintf(err, errlen, "%s:%zu: more than %d certificates", path, lineno,
                     PKI_MAX_ENTRIES);
            rc = -1;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    if (rc != 0) pki_index_free(idx);
    return rc;
}

int pki_index_save(const char *dir, const pki_index_t *idx, char *err, size_t errlen)
{
    char path[PKI_PATH_MAX];
    if (pki_path(path, sizeof(path), dir, PKI_INDEX_FILE, err, errlen) != 0) return -1;
    size_t cap = sizeof(PKI_INDEX_HEADER) + idx->n * PKI_INDEX_LINE;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t len = (size_t)snprintf(buf, cap, "%s", PKI_INDEX_HEADER);
    for (size_t i = 0; i < idx->n; i++) {
        const pki_entry_t *e = &idx->v[i];
        char na[16], ra[16] = "-";
        pki_format_time(e->not_after, na);
        if (e->revoked) pki_format_time(e->revoked_at, ra);
        /* Each field is bounded (40 + 64 + 15 + 7 + 15), so a line fits. */
        len += (size_t)snprintf(buf + len, cap - len, "%s\t%s\t%s\t%s\t%s\n", e->serial, e->name,
                                na, e->revoked ? "revoked" : "valid", ra);
    }
    int rc = pki_write_atomic(path, buf, len, 0644, err, errlen);
    free(buf);
    return rc;
}

pki_status_t pki_entry_status(const pki_entry_t *e, time_t now)
{
    if (e->revoked) return PKI_STATUS_REVOKED;
    return now >= e->not_after ? PKI_STATUS_EXPIRED : PKI_STATUS_VALID;
}

const char *pki_status_name(pki_status_t s)
{
    switch (s) {
    case PKI_STATUS_VALID: return "valid";
    case PKI_STATUS_EXPIRED: return "expired";
    case PKI_STATUS_REVOKED: return "revoked";
    }
    return "?";
}

/* ---- `socctl pki list` -------------------------------------------------------- */

static int pki_list_json(FILE *out, const pki_index_t *idx, time_t now)
{
    jw_t w;
    jw_init(&w);
    jw_array_open(&w);
    for (size_t i = 0; i < idx->n; i++) {
        const pki_entry_t *e = &idx->v[i];
        char na[21], ra[21];
        pki_format_iso(e->not_after, na);
        jw_object_open(&w);
        jw_kstr(&w, "name", e->name);
        jw_kstr(&w, "serial", e->serial);
        jw_kstr(&w, "not_after", na);
        jw_kstr(&w, "status", pki_status_name(pki_entry_status(e, now)));
        if (e->revoked) {
            pki_format_iso(e->revoked_at, ra);
            jw_kstr(&w, "revoked_at", ra);
        } else {
            jw_knull(&w, "revoked_at");
        }
        jw_object_close(&w);
    }
    jw_array_close(&w);
    int rc = w.oom ? -1 : 0;
    if (rc == 0 && (fwrite(w.buf, 1, w.len, out) != w.len || fputc('\n', out) == EOF)) rc = -1;
    jw_free(&w);
    return rc;
}

int pki_list_write(FILE *out, const pki_index_t *idx, bool json, time_t now)
{
    if (json) return pki_list_json(out, idx, now);
    if (fprintf(out, PKI_LIST_ROW, "NAME", "SERIAL", "NOT-AFTER", "STATUS") < 0) return -1;
    for (size_t i = 0; i < idx->n; i++) {
        const pki_entry_t *e = &idx->v[i];
        char na[21];
        pki_format_iso(e->not_after, na);
        if (fprintf(out, PKI_LIST_ROW, e->name, e->serial, na,
                    pki_status_name(pki_entry_status(e, now))) < 0)
            return -1;
    }
    return 0;
}
