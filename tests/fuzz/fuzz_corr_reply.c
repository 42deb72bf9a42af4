/* fuzz_corr_reply.c -- the correlator's own reader of Redis replies
 * (correlator/daemon/corr_reply.h) on any bytes.
 *
 * The input is scanned in two pieces (cut where its first byte says) and
 * whole: both must agree. An accepted reply must point only inside the
 * bytes it came in, every string NUL-terminated there, and hiredis's own
 * reader must read the same bytes as the same reply (what is accepted
 * here is a subset of what hiredis accepts, but for nesting deeper than
 * hiredis 0.14's 7 levels). */
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/corr_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inside buf[0..used), strings NUL-terminated; returns the depth. */
static unsigned check(const redisReply *r, const char *buf, size_t used)
{
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
        r->type == REDIS_REPLY_ERROR) {
        if (r->str < buf || r->str + r->len >= buf + used || r->str[r->len] != '\0') abort();
        return 0;
    }
    if (r->type != REDIS_REPLY_ARRAY) return 0;
    if (r->elements > used) abort();
    unsigned deepest = 0;
    for (size_t i = 0; i < r->elements; i++) {
        unsigned d = check(r->element[i], buf, used);
        if (d > deepest) deepest = d;
    }
    return deepest + 1;
}

static void same(const redisReply *a, const redisReply *h)
{
    if (a->type != h->type) abort();
    switch (a->type) {
    case REDIS_REPLY_INTEGER:
        if (a->integer != h->integer) abort();
        break;
    case REDIS_REPLY_ARRAY:
        if (a->elements != h->elements) abort();
        for (size_t i = 0; i < a->elements; i++)
            same(a->element[i], h->element[i]);
        break;
    case REDIS_REPLY_NIL: break;
    default:
        if (a->len != h->len || memcmp(a->str, h->str, a->len) != 0) abort();
    }
}

static int parse(corr_rbuf_t *b, const uint8_t *data, size_t size, size_t cut, char **buf,
                 redisReply **r, size_t *used)
{
    char err[256];
    corr_rbuf_reset(b);
    *buf = malloc(size ? size : 1);
    if (!*buf) return -2;
    if (size) memcpy(*buf, data, size);
    int rc = cut < size ? corr_reply_parse(b, *buf, cut, r, used, err, sizeof(err)) : 0;
    if (rc == 0) rc = corr_reply_parse(b, *buf, size, r, used, err, sizeof(err));
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static corr_rbuf_t *b1, *b2;
    if (!b1 && (!(b1 = corr_rbuf_new()) || !(b2 = corr_rbuf_new()))) return 0;
    char *whole, *pieces;
    redisReply *r1 = NULL, *r2 = NULL;
    size_t u1 = 0, u2 = 0;
    int rc1 = parse(b1, data, size, size, &whole, &r1, &u1);
    int rc2 = parse(b2, data, size, size ? data[0] % (size + 1) : 0, &pieces, &r2, &u2);
    if (rc1 == -2 || rc2 == -2) goto out;
    /* a cut inside the reply only waits; a cut after it ends the reply there */
    if (rc1 != rc2 && !(rc2 == 1 && u2 < u1)) abort();
    if (rc1 == 1 && rc2 == 1 && u1 == u2) same(r1, r2);
    if (rc1 == 1 && check(r1, whole, u1) <= 7) {
        redisReader *rd = redisReaderCreate();
        void *h = NULL;
        if (rd && redisReaderFeed(rd, (const char *)data, u1) == REDIS_OK &&
            redisReaderGetReply(rd, &h) == REDIS_OK) {
            if (!h) abort(); /* hiredis wants more of what was whole here */
            same(r1, h);
        } else if (rd) {
            abort(); /* refused by hiredis */
        }
        freeReplyObject(h);
        redisReaderFree(rd);
    }
out:
    free(whole);
    free(pieces);
    return 0;
}
