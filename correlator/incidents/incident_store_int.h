/* incident_store_int.h -- what the store's own files share. */
#ifndef SOC_INCIDENT_STORE_INT_H
#define SOC_INCIDENT_STORE_INT_H

#include <hiredis/hiredis.h>

#include "incident_lua.h"
#include "incident_store.h"

struct incident_store {
    redisContext *c;
    bool own; /* close frees c */
    incident_config_t cfg;
    char sha[INCIDENT_SCRIPT_COUNT][41]; /* "" until SCRIPT LOAD */
};

/* Format one line into err (control bytes become '?'); INCIDENT_ERR. */
int incident_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void incident_one_line(char *s);

/* Run a script with KEYS[1] = key and args as ARGV. Returns the reply
 * (owned by the caller) or NULL with err set: INCIDENT_ERR or
 * INCIDENT_REFUSED in *rc. An error reply starting "REFUSED " becomes
 * INCIDENT_REFUSED with the rest of it in err. */
redisReply *incident_script_call(incident_store_t *s, incident_script_t which, const char *key,
                                 size_t nargs, const char *const *args, const size_t *lens, int *rc,
                                 char *err, size_t errlen);
/* Make sure the script is loaded (for pipelines of EVALSHA); sets s->sha. */
int incident_script_load(incident_store_t *s, incident_script_t which, char *err, size_t errlen);
/* Error text for a failed reply (NULL: the connection's error). */
int incident_reply_error(incident_store_t *s, const redisReply *r, const char *what, int *rc,
                         char *err, size_t errlen);

/* Printable ASCII or UTF-8, no control bytes; n bytes. */
bool incident_text_ok(const char *s, size_t n, bool allow_newlines);

#endif
