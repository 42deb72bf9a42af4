/* fuzz_json_reader.c -- the strict JSON tokenizer and its readers on
 * arbitrary bytes.
 *
 * On failure the message must be one line naming a byte offset. On success
 * the token array must be consistent (ranges inside the input, subtrees
 * nested and skippable through `next`, keys are strings), and every reader
 * is applied to every token:
 *   - a string decodes into at most its raw length, to valid UTF-8, and
 *     json_tok_eqn agrees with the decoded bytes;
 *   - json_object_find finds each member of an object by its decoded name
 *     (names are unique, so the first match is that member);
 *   - no strict prefix of an accepted object, array or string is accepted
 *     (unterminated input is always refused; the first and last 64 are
 *     tried). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"

#define MAX_TOKS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned lo = 0x80, hi = 0xbf;
    size_t len;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (s[0] == 0xe0) lo = 0xa0;
    if (s[0] == 0xed) hi = 0x9f;
    if (s[0] == 0xf0) lo = 0x90;
    if (s[0] == 0xf4) hi = 0x8f;
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

static void check_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len((const unsigned char *)s + i, n - i);
        if (!l) abort();
        i += l;
    }
}

static void check_err(const char *err, size_t cap)
{
    if (!memchr(err, '\0', cap) || strchr(err, '\n')) abort();
    if (strncmp(err, "json: byte ", 11) != 0) abort();
}

/* Children of toks[i] must tile exactly [i + 1, next). */
static void check_subtree(const json_tok_t *t, int n, int i, size_t size)
{
    const json_tok_t *x = &t[i];
    if (x->start > x->end || x->end > size) abort();
    if (x->next <= i || x->next > n) abort();
    if (x->type != JSON_OBJECT && x->type != JSON_ARRAY) {
        if (x->next != i + 1 || x->size != 0) abort();
        return;
    }
    int per = x->type == JSON_OBJECT ? 2 : 1, j = i + 1;
    for (int m = 0; m < x->size; m++) {
        if (per == 2) {
            if (j >= n || t[j].type != JSON_STRING || t[j].next != j + 1) abort();
            j++;
        }
        if (j >= n || t[j].start < x->start || t[j].end > x->end) abort();
        j = t[j].next;
    }
    if (j != x->next) abort();
}

static void check_readers(const char *s, const json_tok_t *t, int n, int i, char *buf)
{
    const json_tok_t *x = &t[i];
    int64_t i64;
    uint64_t u64;
    double d;
    bool b;
    json_tok_int64(s, x, &i64);
    json_tok_uint64(s, x, &u64);
    json_tok_double(s, x, &d);
    json_tok_bool(x, &b);
    if (x->type == JSON_STRING) {
        size_t raw = x->end - x->start, len = 0;
        if (json_tok_string(s, x, buf, raw + 1, &len) != JSON_OK) abort();
        if (len > raw || buf[len] != '\0') abort();
        check_utf8(buf, len);
        if (!json_tok_eqn(s, x, buf, len)) abort();
        if (len > 0 && json_tok_eqn(s, x, buf, len - 1)) abort();
    }
    if (x->type == JSON_OBJECT) {
        for (int m = 0, k = i + 1; m < x->size; m++, k = t[k + 1].next) {
            size_t len = 0;
            if (json_tok_string(s, &t[k], buf, t[k].end - t[k].start + 1, &len) != JSON_OK) abort();
            if (json_object_find(s, t, n, i, buf, len) != k + 1) abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_tok_t toks[MAX_TOKS];
    char err[256] = "";
    const char *s = (const char *)data;
    int n = json_parse(s, size, toks, MAX_TOKS, err, sizeof err);
    if (n < 0) {
        check_err(err, sizeof err);
        return 0;
    }
    if (n == 0 || n > MAX_TOKS || err[0]) abort();
    char *buf = malloc(size + 1);
    if (!buf) abort();
    for (int i = 0; i < n; i++) {
        check_subtree(toks, n, i, size);
        check_readers(s, toks, n, i, buf);
    }
    if (toks[0].next != n) abort();
    static const char *const paths[] = {"a", "a.b", "sensor.seq", "sensor.name", "", "."};
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const json_tok_t *t = json_get(s, toks, n, paths[p]);
        if (t && (t < toks || t >= toks + n)) abort();
    }
    /* unterminated prefixes of containers and strings are refused */
    if (toks[0].type == JSON_OBJECT || toks[0].type == JSON_ARRAY || toks[0].type == JSON_STRING) {
        static json_tok_t tmp[MAX_TOKS];
        size_t end = toks[0].end;
        for (size_t k = 0; k < end; k = k < 64 || k + 64 >= end ? k + 1 : end - 64)
            if (json_parse(s, k, tmp, MAX_TOKS, NULL, 0) >= 0) abort();
    }
    free(buf);
    return 0;
}
