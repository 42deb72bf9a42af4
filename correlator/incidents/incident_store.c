/* incident_store.c -- the store's connection and its script runner. */
#include "incident_store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int incident_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        incident_one_line(err);
    }
    return INCIDENT_ERR;
}

void incident_one_line(char *s)
{
    /* whatever bytes the values quoted in a message hold */
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

/* First line of a password file, without its newline. */
static int read_password(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) return incident_fail(err, errlen, "%s: %s", path, strerror(errno));
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = '\0';
    if (!out[0]) return incident_fail(err, errlen, "%s: empty password file", path);
    return 0;
}

static incident_store_t *store_new(redisContext *c, bool own, const incident_config_t *cfg)
{
    incident_store_t *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->c = c;
    s->own = own;
    if (cfg)
        s->cfg = *cfg;
    else
        incident_config_defaults(&s->cfg);
    return s;
}

incident_store_t *incident_store_connect(const char *socket_path, const char *user,
                                         const char *password_file, const incident_config_t *cfg,
                                         char *err, size_t errlen)
{
    char pass[512];
    if (read_password(password_file, pass, sizeof(pass), err, errlen) < 0) return NULL;
    redisContext *c = redisConnectUnix(socket_path);
    if (!c || c->err) {
        incident_fail(err, errlen, "%s: cannot connect to Redis: %s", socket_path,
                      c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    redisReply *r = redisCommand(c, "AUTH %s %s", user, pass);
    explicit_bzero(pass, sizeof(pass));
    if (!r || r->type == REDIS_REPLY_ERROR) {
        incident_fail(err, errlen, "%s: AUTH as %s refused: %s", socket_path, user,
                      r ? r->str : c->errstr);
        freeReplyObject(r);
        redisFree(c);
        return NULL;
    }
    freeReplyObject(r);
    incident_store_t *s = store_new(c, true, cfg);
    if (!s) {
        redisFree(c);
        incident_fail(err, errlen, "out of memory");
    }
    return s;
}

incident_store_t *incident_store_attach(redisContext *c, const incident_config_t *cfg)
{
    return store_new(c, false, cfg);
}

void incident_store_close(incident_store_t *s)
{
    if (!s) return;
    if (s->own) redisFree(s->c);
    free(s);
}

bool incident_store_ok(const incident_store_t *s)
{
    return s && s->c && !s->c->err;
}

redisContext *incident_store_redis(incident_store_t *s)
{
    return s->c;
}

int incident_reply_error(incident_store_t *s, const redisReply *r, const char *what, int *rc,
                         char *err, size_t errlen)
{
    *rc = INCIDENT_ERR;
    if (!r)
        return incident_fail(err, errlen, "redis: %s: %s", what,
                             s->c->errstr[0] ? s->c->errstr : "no reply");
    if (r->type != REDIS_REPLY_ERROR)
        return incident_fail(err, errlen, "redis: %s: unexpected reply type %d", what, r->type);
    size_t plen = strlen(INCIDENT_REFUSED_PREFIX);
    if (strncmp(r->str, INCIDENT_REFUSED_PREFIX, plen) == 0) {
        *rc = INCIDENT_REFUSED;
        incident_fail(err, errlen, "%s", r->str + plen);
        return INCIDENT_REFUSED;
    }
    return incident_fail(err, errlen, "redis: %s: %.300s", what, r->str);
}

static const char *const script_names[INCIDENT_SCRIPT_COUNT] = {
    "apply", "status", "assign", "comment", "merge", "get",
};

int incident_script_load(incident_store_t *s, incident_script_t which, char *err, size_t errlen)
{
    if (s->sha[which][0]) return INCIDENT_OK;
    redisReply *r = redisCommand(s->c, "SCRIPT LOAD %s", incident_script_source[which]);
    int rc = INCIDENT_OK;
    if (!r || r->type != REDIS_REPLY_STRING || r->len != 40)
        incident_reply_error(s, r, script_names[which], &rc, err, errlen);
    else
        memcpy(s->sha[which], r->str, 41);
    freeReplyObject(r);
    return rc;
}

static bool is_noscript(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0;
}

/* argv: EVALSHA[_RO] sha 1 key args... */
#define FIXED_ARGS 4

redisReply *incident_script_call(incident_store_t *s, incident_script_t which, const char *key,
                                 size_t nargs, const char *const *args, const size_t *lens, int *rc,
                                 char *err, size_t errlen)
{
    const char **argv = malloc((nargs + FIXED_ARGS) * sizeof(*argv));
    size_t *argvlen = malloc((nargs + FIXED_ARGS) * sizeof(*argvlen));
    redisReply *r = NULL;
    *rc = INCIDENT_ERR;
    if (!argv || !argvlen) {
        incident_fail(err, errlen, "out of memory");
        goto out;
    }
    argv[0] = which == INCIDENT_SCRIPT_GET ? "EVALSHA_RO" : "EVALSHA";
    argv[2] = "1";
    argv[3] = key;
    for (size_t i = 0; i < nargs; i++) {
        argv[FIXED_ARGS + i] = args[i];
        argvlen[FIXED_ARGS + i] = lens ? lens[i] : strlen(args[i]);
    }
    argvlen[0] = strlen(argv[0]);
    argvlen[2] = 1;
    argvlen[3] = strlen(key);
    /* twice at most: after a Redis restart (or SCRIPT FLUSH) the script is
     * loaded again */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (incident_script_load(s, which, err, errlen) < 0) goto out;
        argv[1] = s->sha[which];
        argvlen[1] = 40;
        r = redisCommandArgv(s->c, (int)(nargs + FIXED_ARGS), argv, argvlen);
        if (!is_noscript(r)) break;
        freeReplyObject(r);
        r = NULL;
        s->sha[which][0] = '\0';
    }
    if (!r || r->type == REDIS_REPLY_ERROR) {
        incident_reply_error(s, r, script_names[which], rc, err, errlen);
        freeReplyObject(r);
        r = NULL;
    } else {
        *rc = INCIDENT_OK;
    }
out:
    free(argv);
    free(argvlen);
    return r;
}

/* Length of the UTF-8 sequence at s (0 if invalid); RFC 3629. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n = c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    if (n == 0 || n > avail) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && s[1] < 0xa0) return 0; /* overlong */
    if (c == 0xed && s[1] > 0x9f) return 0; /* surrogates */
    if (c == 0xf0 && s[1] < 0x90) return 0; /* overlong */
    if (c == 0xf4 && s[1] > 0x8f) return 0; /* above U+10FFFF */
    return n;
}

bool incident_text_ok(const char *s, size_t n, bool allow_newlines)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (u[i] >= 0x80) {
            size_t l = utf8_len(u + i, n - i);
            if (!l) return false;
            i += l;
            continue;
        }
        if ((u[i] < 0x20 && !(allow_newlines && (u[i] == '\n' || u[i] == '\t'))) || u[i] == 0x7f)
            return false;
        i++;
    }
    return true;
}
