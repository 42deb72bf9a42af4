/* json_reader.h -- strict, bounded, non-allocating JSON tokenizer.
 *
 * In the style of jsmn: json_parse() fills a caller-provided token array in
 * one pass over the text and nothing is copied or allocated; values are read
 * later, on demand, from the original text. Unlike jsmn it is strict (RFC
 * 8259): one value and only whitespace around it, no trailing commas, no
 * leading zeros, no bad escapes, no raw control characters or invalid UTF-8
 * in strings. Beyond RFC 8259 it also rejects what other parsers disagree
 * on, so every reader of an accepted text sees the same values:
 *   - duplicate member names in an object (RFC 7493, I-JSON): which one
 *     wins differs between parsers (first here, last in jq), so a sender
 *     could show the ingest one "sensor.name" and a SIEM another;
 *   - \u escapes of lone UTF-16 surrogates (they have no UTF-8 form).
 * Limits: nesting depth JSON_MAX_DEPTH, JSON_MAX_MEMBERS members per object,
 * JSON_MAX_LEN bytes of input, and the caller's token count.
 *
 * Tokens are laid out in document order. A container is followed by its
 * children; an object's children are key, value, key, value ... where each
 * value may be a container with its own subtree. Every token stores `next`,
 * the index just past its subtree, so lookups skip whole subtrees:
 *
 *     for (int i = obj + 1, m = 0; m < toks[obj].size; m++, i = toks[i + 1].next)
 *         key is toks[i], value is toks[i + 1]
 *     for (int i = arr + 1, m = 0; m < toks[arr].size; m++, i = toks[i].next)
 *         element is toks[i]
 *
 * Thread-safe: no global state. */
#ifndef SOC_JSON_READER_H
#define SOC_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH   64          /* nested objects/arrays */
#define JSON_MAX_MEMBERS 4096        /* members of one object */
#define JSON_MAX_LEN     0xfffffffeu /* token offsets are 32-bit */

typedef enum json_type {
    JSON_NONE = 0,
    JSON_OBJECT,
    JSON_ARRAY,
    JSON_STRING,
    JSON_NUMBER,
    JSON_TRUE,
    JSON_FALSE,
    JSON_NULL,
} json_type_t;

/* json_tok_t.flags */
#define JSON_TOK_ESCAPED 0x01 /* string: contains backslash escapes */
#define JSON_TOK_INTEGER 0x02 /* number: no fraction and no exponent */

typedef struct json_tok {
    uint8_t type;   /* json_type_t */
    uint8_t flags;  /* JSON_TOK_* */
    uint32_t start; /* offset of the first byte; strings: just after the opening quote */
    uint32_t end;   /* offset just past the last byte; strings: of the closing quote */
    int32_t size;   /* object: members (key/value pairs); array: elements; else 0 */
    int32_t next;   /* index of the first token after this value and its subtree */
} json_tok_t;

/* Results of the json_tok_* readers. */
enum {
    JSON_OK = 0,
    JSON_E_MISSING = -1, /* token is NULL (e.g. json_get found nothing) */
    JSON_E_TYPE = -2,    /* token has another type */
    JSON_E_RANGE = -3,   /* does not fit: buffer too small, integer overflow */
    JSON_E_FORMAT = -4,  /* number is not an integer; string holds NUL (see below) */
};

/* Tokenize s[0..len) (need not be NUL-terminated). Returns the number of
 * tokens (>= 1; toks[0] is the top-level value), or -1 with one line in err
 * naming the byte offset: "json: byte 17: expected ',' or '}' after an
 * object member, found 'x'". err may be NULL. */
int json_parse(const char *s, size_t len, json_tok_t *toks, int max_toks, char *err, size_t errlen);

/* The value at a dotted path of object keys from the top-level value
 * ("sensor.seq", "alert.signature_id"), or NULL if a key is missing or a
 * step is not an object. Keys are compared after unescaping. */
const json_tok_t *json_get(const char *s, const json_tok_t *toks, int ntoks, const char *path);
/* Index of the value of member `key` (keylen bytes, may contain '.') of the
 * object at index obj, or -1. */
int json_object_find(const char *s, const json_tok_t *toks, int ntoks, int obj, const char *key,
                     size_t keylen);

/* Unescape a string token into out (UTF-8, NUL-terminated; needs the
 * decoded length + 1 bytes, else JSON_E_RANGE). The decoded length goes to
 * *outlen. A "\u0000" escape decodes to a NUL byte; when outlen is NULL the
 * caller is treating out as a C string, so such a string is refused with
 * JSON_E_FORMAT rather than silently cut short (a Host header "a\0.gov"
 * must not read as "a"). On JSON_E_RANGE out is left empty (outcap > 0). */
int json_tok_string(const char *s, const json_tok_t *t, char *out, size_t outcap, size_t *outlen);
/* Integers: the token must be a number without fraction or exponent
 * (JSON_E_FORMAT otherwise) within range (JSON_E_RANGE). */
int json_tok_int64(const char *s, const json_tok_t *t, int64_t *v);
int json_tok_uint64(const char *s, const json_tok_t *t, uint64_t *v); /* no '-' at all */
/* Any number; JSON_E_RANGE if it overflows a double or is longer than 127
 * bytes. Uses strtod: the program must keep the "C" numeric locale (the
 * daemons never call setlocale). */
int json_tok_double(const char *s, const json_tok_t *t, double *v);
int json_tok_bool(const json_tok_t *t, bool *v);
/* Whether a string token equals str (n bytes / NUL-terminated) after
 * unescaping; a plain memcmp when the token has no escapes. */
bool json_tok_eqn(const char *s, const json_tok_t *t, const char *str, size_t n);
bool json_tok_eq(const char *s, const json_tok_t *t, const char *str);

/* "object", "array", "string", "number", "true", "false", "null". */
const char *json_type_name(int type);

/* Raw bytes of a token (strings: without quotes, still escaped). */
static inline const char *json_tok_raw(const char *s, const json_tok_t *t, size_t *len)
{
    *len = t->end - t->start;
    return s + t->start;
}

#endif
