/* corr_sid.h -- Redis stream entry ids ("MS-SEQ") as two numbers.
 *
 * Ids are parsed once when an entry is read and compared as numbers
 * after that; they are written back as text only for XACK and in the
 * checkpoint. */
#ifndef SOC_CORR_SID_H
#define SOC_CORR_SID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CORR_SID_LEN 48 /* "MS-SEQ" of two 64-bit numbers, NUL included, fits */

typedef struct corr_sid {
    uint64_t ms, seq;
} corr_sid_t;

/* "MS-SEQ" or "MS" (sequence 0), n bytes, digits only, each part within
 * 64 bits. false for anything else. */
bool corr_sid_parse(const char *s, size_t n, corr_sid_t *out);
/* "MS-SEQ" NUL-terminated into out (CORR_SID_LEN bytes); returns its length. */
size_t corr_sid_format(corr_sid_t id, char *out);
/* The decimal digits of v at out (at most 20, no NUL); how many. */
size_t corr_sid_dec(char *out, uint64_t v);

static inline int corr_sid_cmp(corr_sid_t a, corr_sid_t b)
{
    if (a.ms != b.ms) return a.ms < b.ms ? -1 : 1;
    return a.seq < b.seq ? -1 : a.seq > b.seq;
}

#endif
