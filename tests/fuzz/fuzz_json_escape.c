/* fuzz_json_escape.c -- escaping arbitrary bytes must give valid JSON.
 *
 * The input is written as a string value inside an object; the output is
 * checked by a small strict JSON-string validator (RFC 8259 + RFC 3629), and
 * then decoded back: because the writer only ever emits \u00XX for the
 * single byte XX, decoding must give back exactly the input bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Length of a valid UTF-8 sequence at s (strict), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80) return 1;
    unsigned lo = 0x80, hi = 0xbf;
    size_t len;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        if (s[0] == 0xe0) lo = 0xa0; /* overlong */
        if (s[0] == 0xed) hi = 0x9f; /* surrogates */
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        if (s[0] == 0xf0) lo = 0x90; /* overlong */
        if (s[0] == 0xf4) hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

/* Validate the JSON string at s[0..n) (with quotes) and decode it into out
 * (bytes as described above). Returns decoded length, or -1 if invalid. */
static long check_and_decode(const unsigned char *s, size_t n, unsigned char *out)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"') return -1;
    size_t i = 1, k = 0;
    while (i < n - 1) {
        unsigned char c = s[i];
        if (c < 0x20 || c == '"') return -1;
        if (c == '\\') {
            if (i + 1 >= n - 1) return -1;
            unsigned char e = s[i + 1];
            const char *simple = "\"\\/bfnrt", *map = "\"\\/\b\f\n\r\t";
            const char *p = e ? strchr(simple, e) : NULL;
            if (p) {
                out[k++] = (unsigned char)map[p - simple];
                i += 2;
                continue;
            }
            if (e != 'u' || i + 6 > n - 1) return -1;
            int h[4];
            for (int j = 0; j < 4; j++)
                if ((h[j] = hexval(s[i + 2 + j])) < 0) return -1;
            if (h[0] || h[1]) return -1; /* the writer only escapes single bytes */
            out[k++] = (unsigned char)(h[2] << 4 | h[3]);
            i += 6;
            continue;
        }
        size_t l = utf8_len(s + i, n - 1 - i);
        if (!l) return -1;
        memcpy(out + k, s + i, l);
        k += l;
        i += l;
    }
    return (long)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_kstrn(&w, "v", data, size);
    jw_object_close(&w);
    if (w.oom) abort();
    /* {"v":"..."} */
    if (w.len < 8 || memcmp(w.buf, "{\"v\":", 5) != 0 || w.buf[w.len - 1] != '}') abort();
    if (w.buf[w.len] != '\0') abort();
    unsigned char *out = malloc(size + 1);
    if (!out) abort();
    long k = check_and_decode((const unsigned char *)w.buf + 5, w.len - 6, out);
    if (k < 0 || (size_t)k != size || memcmp(out, data, size) != 0) abort();
    free(out);
    jw_free(&w);
    return 0;
}
