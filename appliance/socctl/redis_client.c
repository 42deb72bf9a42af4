/* redis_client.c -- socctl's connection to the appliance's Redis. */
#include "socctl/redis_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *pick(const char *opt, const char *env, const char *def)
{
    if (opt) return opt;
    const char *e = getenv(env);
    return e && *e ? e : def;
}

/* First line of a password file, without its newline. */
static int read_password(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = '\0';
    if (!out[0]) {
        snprintf(err, errlen, "%s: empty password file", path);
        return -1;
    }
    return 0;
}

static int auth(redisContext *c, const char *user, const char *pass, const char *sock, char *err,
                size_t errlen)
{
    redisReply *r = redisCommand(c, "AUTH %s %s", user, pass);
    int rc = r && r->type != REDIS_REPLY_ERROR ? 0 : -1;
    if (rc < 0)
        snprintf(err, errlen, "%s: AUTH as %s refused: %s", sock, user, r ? r->str : c->errstr);
    freeReplyObject(r);
    return rc;
}

redisContext *socctl_redis_connect(const socctl_redis_opts_t *o, char *err, size_t errlen)
{
    const char *sock = pick(o->socket, "SOC_REDIS_SOCKET", SOCCTL_REDIS_SOCKET);
    const char *user = o->user ? o->user : SOCCTL_REDIS_USER;
    char deflt[4096], pass[512];
    const char *slash = strrchr(sock, '/');
    int dl = slash ? (int)(slash - sock) : 1;
    snprintf(deflt, sizeof(deflt), "%.*s/secrets/%s.pass", dl, slash ? sock : ".", user);
    const char *pfile = pick(o->password_file, "SOC_REDIS_PASSWORD_FILE", deflt);
    if (read_password(pfile, pass, sizeof(pass), err, errlen) < 0) return NULL;
    redisContext *c = redisConnectUnix(sock);
    if (!c || c->err) {
        snprintf(err, errlen, "%s: cannot connect to Redis: %s", sock,
                 c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    if (auth(c, user, pass, sock, err, errlen) < 0) {
        redisFree(c);
        return NULL;
    }
    return c;
}
