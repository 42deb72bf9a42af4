/* rule_classification.c -- classtype -> category (description) and
 * priority, from "config classification: shortname,description,priority"
 * lines. The built-in table is Suricata's stock classification.config. */
#include "rule_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char stock[] =
    "config classification: not-suspicious,Not Suspicious Traffic,3\n"
    "config classification: unknown,Unknown Traffic,3\n"
    "config classification: bad-unknown,Potentially Bad Traffic, 2\n"
    "config classification: attempted-recon,Attempted Information Leak,2\n"
    "config classification: successful-recon-limited,Information Leak,2\n"
    "config classification: successful-recon-largescale,Large Scale Information Leak,2\n"
    "config classification: attempted-dos,Attempted Denial of Service,2\n"
    "config classification: successful-dos,Denial of Service,2\n"
    "config classification: attempted-user,Attempted User Privilege Gain,1\n"
    "config classification: unsuccessful-user,Unsuccessful User Privilege Gain,1\n"
    "config classification: successful-user,Successful User Privilege Gain,1\n"
    "config classification: attempted-admin,Attempted Administrator Privilege Gain,1\n"
    "config classification: successful-admin,Successful Administrator Privilege Gain,1\n"
    "config classification: rpc-portmap-decode,Decode of an RPC Query,2\n"
    "config classification: shellcode-detect,Executable code was detected,1\n"
    "config classification: string-detect,A suspicious string was detected,3\n"
    "config classification: suspicious-filename-detect,A suspicious filename was detected,2\n"
    "config classification: suspicious-login,An attempted login using a suspicious username was "
    "detected,2\n"
    "config classification: system-call-detect,A system call was detected,2\n"
    "config classification: tcp-connection,A TCP connection was detected,4\n"
    "config classification: trojan-activity,A Network Trojan was detected, 1\n"
    "config classification: unusual-client-port-connection,A client was using an unusual port,2\n"
    "config classification: network-scan,Detection of a Network Scan,3\n"
    "config classification: denial-of-service,Detection of a Denial of Service Attack,2\n"
    "config classification: non-standard-protocol,Detection of a non-standard protocol or event,2\n"
    "config classification: protocol-command-decode,Generic Protocol Command Decode,3\n"
    "config classification: web-application-activity,access to a potentially vulnerable web "
    "application,2\n"
    "config classification: web-application-attack,Web Application Attack,1\n"
    "config classification: misc-activity,Misc activity,3\n"
    "config classification: misc-attack,Misc Attack,2\n"
    "config classification: icmp-event,Generic ICMP event,3\n"
    "config classification: inappropriate-content,Inappropriate Content was Detected,1\n"
    "config classification: policy-violation,Potential Corporate Privacy Violation,1\n"
    "config classification: default-login-attempt,Attempt to login by a default username and "
    "password,2\n"
    "config classification: targeted-activity,Targeted Malicious Activity was Detected,1\n"
    "config classification: exploit-kit,Exploit Kit Activity Detected,1\n"
    "config classification: external-ip-check,Device Retrieving External IP Address Detected,2\n"
    "config classification: domain-c2,Domain Observed Used for C2 Detected,1\n"
    "config classification: pup-activity,Possibly Unwanted Program Detected,2\n"
    "config classification: credential-theft,Successful Credential Theft Detected,1\n"
    "config classification: social-engineering,Possible Social Engineering Attempted,2\n"
    "config classification: coin-mining,Crypto Currency Mining Activity Detected,2\n"
    "config classification: command-and-control,Malware Command and Control Activity Detected,1\n";

bool rule_class_add(rule_set_t *rs, const char *name, size_t nlen, const char *desc, size_t dlen,
                    uint8_t prio)
{
    rule_class_t *c = arena_alloc(&rs->shared, sizeof(*c));
    const char *key = arena_strndup(&rs->shared, name, nlen);
    if (!c || !key) return false;
    c->desc = rule_intern(rs, desc, dlen);
    c->prio = prio;
    return c->desc && strmap_put(&rs->classes, key, nlen, c);
}

bool rule_set_classtype(const rule_set_t *rs, const char *name, const char **desc,
                        uint8_t *priority)
{
    strmap_slot_t *s = strmap_find(&rs->classes, name, strlen(name));
    if (s == NULL) return false;
    const rule_class_t *c = s->val;
    if (desc) *desc = c->desc;
    if (priority) *priority = c->prio;
    return true;
}

static bool valid_name(const char *s, size_t len)
{
    if (len == 0 || len > 128) return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.'))
            return false;
    }
    return true;
}

/* One line; NULL when fine (or not a classification line), else why. */
static const char *class_line(rule_set_t *rs, const char *s, size_t len)
{
    static const char prefix[] = "config classification:";
    rule_trim(&s, &len);
    if (len == 0 || s[0] == '#') return NULL;
    if (len < sizeof(prefix) - 1 || memcmp(s, prefix, sizeof(prefix) - 1) != 0)
        return "expected 'config classification: shortname,description,priority'";
    const char *p = s + sizeof(prefix) - 1, *end = s + len;
    const char *f[3];
    size_t fl[3];
    for (int i = 0; i < 3; i++) {
        if (i < 2) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            if (comma == NULL) return "expected 'shortname,description,priority'";
            f[i] = p, fl[i] = (size_t)(comma - p);
            p = comma + 1;
        } else {
            f[i] = p, fl[i] = (size_t)(end - p);
        }
        rule_trim(&f[i], &fl[i]);
    }
    uint64_t prio;
    if (!valid_name(f[0], fl[0])) return "invalid shortname";
    if (fl[1] == 0 || fl[1] > 512) return "invalid description";
    if (!rule_parse_u64(f[2], fl[2], 255, &prio) || prio == 0) return "priority must be 1..255";
    if (!rule_class_add(rs, f[0], fl[0], f[1], fl[1], (uint8_t)prio)) return "out of memory";
    return NULL;
}

int rule_set_load_classification_buffer(rule_set_t *rs, const char *name, const char *buf,
                                        size_t len)
{
    int bad = 0;
    uint32_t line = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - (buf + i)) : len - i;
        line++;
        const char *why = class_line(rs, buf + i, l);
        if (why) {
            bad++;
            rule_diag(rs, "%s:%u: classification: %s", name, line, why);
        }
        i += l + 1;
    }
    return bad;
}

bool rule_class_defaults(rule_set_t *rs)
{
    return rule_set_load_classification_buffer(rs, "builtin", stock, sizeof(stock) - 1) == 0;
}

int rule_set_load_classification(rule_set_t *rs, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        rule_diag(rs, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int ret = -1;
    while (buf) {
        if (len == cap) {
            char *nb = cap < (4u << 20) ? realloc(buf, cap * 2) : NULL;
            if (nb == NULL) break;
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            ret = ferror(f) ? -1 : rule_set_load_classification_buffer(rs, path, buf, len);
            break;
        }
    }
    if (ret < 0) rule_diag(rs, "%s: cannot read (error or larger than 4 MiB)", path);
    free(buf);
    fclose(f);
    return ret;
}
