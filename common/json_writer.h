/* json_writer.h -- append-only JSON writer into a growable buffer.
 *
 * The writer keeps the comma/nesting bookkeeping so callers just name keys
 * and values. Strings are escaped per RFC 8259: quote, backslash and control
 * bytes are escaped; bytes that are not valid UTF-8 are written as \u00XX of
 * the byte (Suricata does the same), so any byte off the wire yields valid
 * JSON. The buffer is reused across events: jw_reset() keeps its memory. */
#ifndef SOC_JSON_WRITER_H
#define SOC_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

typedef struct jw {
    char *buf;
    size_t len, cap;
    int depth;
    bool first[JW_MAX_DEPTH + 1]; /* no member written yet at this depth */
    bool oom;                     /* an allocation failed; output is invalid */
} jw_t;

void jw_init(jw_t *w);
void jw_free(jw_t *w);
void jw_reset(jw_t *w);

void jw_object_open(jw_t *w); /* as a value (top level or in an array) */
void jw_object_close(jw_t *w);
void jw_array_open(jw_t *w);
void jw_array_close(jw_t *w);

/* Members of an object: key then value. */
void jw_key(jw_t *w, const char *key);
void jw_kobject_open(jw_t *w, const char *key);
void jw_karray_open(jw_t *w, const char *key);
void jw_kstr(jw_t *w, const char *key, const char *s);
void jw_kstrn(jw_t *w, const char *key, const void *s, size_t n);
void jw_kuint(jw_t *w, const char *key, uint64_t v);
void jw_kint(jw_t *w, const char *key, int64_t v);
void jw_kdouble(jw_t *w, const char *key, double v);
void jw_kbool(jw_t *w, const char *key, bool v);
void jw_knull(jw_t *w, const char *key);
void jw_kraw(jw_t *w, const char *key, const char *json); /* pre-encoded */

/* Values in an array (or after jw_key). */
void jw_str(jw_t *w, const char *s);
void jw_strn(jw_t *w, const void *s, size_t n);
void jw_uint(jw_t *w, uint64_t v);
void jw_int(jw_t *w, int64_t v);
void jw_double(jw_t *w, double v);
void jw_bool(jw_t *w, bool v);
void jw_null(jw_t *w);

/* Suricata's timestamp form: 2016-11-08T19:13:22.103474+0000 (UTC). */
void jw_ktimestamp(jw_t *w, const char *key, int64_t usec);
/* Format usec as above into out (at least 32 bytes); returns length. */
size_t jw_format_timestamp(char *out, int64_t usec);

/* Escape n bytes of s as a JSON string body (no quotes) into w. */
void jw_escape(jw_t *w, const void *s, size_t n);

#endif
