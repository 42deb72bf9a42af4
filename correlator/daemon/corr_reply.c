/* corr_reply.c -- see corr_reply.h.
 *
 * Two passes over a reply's bytes: a scan that only checks the grammar and
 * finds where the reply ends (resumable, so bytes may come in any number
 * of reads), then, once it is whole, a build of the nodes. Every count and
 * length the build trusts was checked against the bytes present by the
 * scan, so an array of N elements is only allocated once N elements came. */
#include "daemon/corr_reply.h"

#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

#define ALIGN    16         /* redisReply holds pointers and a long long */
#define LINE_MAX (64 << 10) /* bytes of a status or error line */
#define NUM_MAX  20         /* bytes of a number ("-" and 19 digits) */

typedef struct chunk {
    struct chunk *next;
    size_t cap, used;
    alignas(ALIGN) unsigned char data[];
} chunk_t;

struct corr_rbuf {
    chunk_t *head, *cur; /* nodes; cur: the chunk being filled, those after it are empty */
    size_t bytes;        /* of the chunks */
    char *raw;           /* the reply's bytes */
    size_t rlen, rcap;
    size_t spos;                    /* the scan: where it goes on */
    unsigned depth;                 /* open arrays */
    int64_t left[CORR_REPLY_DEPTH]; /* elements each still waits for */
};

/* ---- memory ------------------------------------------------------------------------- */

corr_rbuf_t *corr_rbuf_new(void)
{
    return calloc(1, sizeof(corr_rbuf_t));
}

static void free_chunks(chunk_t *c)
{
    while (c) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
}

void corr_rbuf_free(corr_rbuf_t *b)
{
    if (!b) return;
    free_chunks(b->head);
    free(b->raw);
    free(b);
}

void corr_rbuf_reset(corr_rbuf_t *b)
{
    if (b->bytes > CORR_RBUF_KEEP && b->head) { /* an unusually large reply: give it back */
        free_chunks(b->head->next);
        b->head->next = NULL;
        b->bytes = sizeof(chunk_t) + b->head->cap;
    }
    if (b->rcap > CORR_RBUF_KEEP) {
        free(b->raw);
        b->raw = NULL;
        b->rcap = 0;
    }
    for (chunk_t *c = b->head; c; c = c->next)
        c->used = 0;
    b->cur = b->head;
    b->rlen = b->spos = 0;
    b->depth = 0;
}

size_t corr_rbuf_bytes(const corr_rbuf_t *b)
{
    return b->bytes + b->rcap;
}

static __attribute__((noinline)) void *rb_alloc_slow(corr_rbuf_t *b, size_t n)
{
    while (b->cur && b->cur->cap - b->cur->used < n && b->cur->next)
        b->cur = b->cur->next; /* emptied by a reset: reused in order */
    chunk_t *c = b->cur;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CORR_RBUF_CHUNK ? n : CORR_RBUF_CHUNK;
        if (cap > SIZE_MAX - sizeof(chunk_t) || !(c = malloc(sizeof(chunk_t) + cap))) return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = NULL;
        if (b->cur)
            b->cur->next = c;
        else
            b->head = c;
        b->cur = c;
        b->bytes += sizeof(chunk_t) + cap;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* n bytes, ALIGN-aligned; the usual case (room in the current chunk) inline. */
static inline void *rb_alloc(corr_rbuf_t *b, size_t n)
{
    if (n > SIZE_MAX - ALIGN) return NULL;
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    chunk_t *c = b->cur;
    if (!c || c->cap - c->used < n) return rb_alloc_slow(b, n);
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* ---- the scan ----------------------------------------------------------------------- */

/* The number line at s[p] (the type byte, then digits): a RESP integer as
 * Redis writes it (its string2ll: "0", or an optional '-' and 1..19
 * digits without a leading zero) ended by "\r\n". 1 with *n and *next
 * (just past the line), 0 when more bytes are needed, -1 when bad. Read
 * byte by byte: the lines are short, most of them a string's length. */
static inline __attribute__((always_inline)) int number_line(const char *s, size_t len, size_t p,
                                                             int64_t *n, size_t *next)
{
    size_t i = p + 1, end = len - p > NUM_MAX + 3 ? p + NUM_MAX + 3 : len;
    bool neg = i < end && s[i] == '-';
    i += neg;
    size_t first = i;
    uint64_t v = 0;
    for (; i < end; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) break;
        v = v * 10 + d;
    }
    size_t digits = i - first;
    if (i == end) return end == len && digits <= 19 ? 0 : -1;
    if (s[i] != '\r' || digits == 0 || digits > 19 || v > (uint64_t)INT64_MAX) return -1;
    if (s[first] == '0' && (digits > 1 || neg)) return -1;
    if (i + 1 == len) return 0;
    if (s[i + 1] != '\n') return -1;
    *n = neg ? -(int64_t)v : (int64_t)v;
    *next = i + 2;
    return 1;
}

static int bad(char *err, size_t errlen, size_t at, const char *what)
{
    return err_set(-1, err, errlen, "redis reply: byte %zu: %s", at, what);
}

/* The end of the status or error line at s[p] in *next. 1, 0 more bytes
 * needed, -1 bad. */
static int text_line(const char *s, size_t len, size_t p, size_t *next, char *err, size_t errlen)
{
    size_t avail = len - p - 1, look = avail < LINE_MAX + 1 ? avail : LINE_MAX + 1;
    const char *r = memchr(s + p + 1, '\r', look);
    if (!r) return avail > LINE_MAX ? bad(err, errlen, p, "line too long") : 0;
    size_t cr = (size_t)(r - s);
    if (cr + 1 >= len) return 0;
    if (r[1] != '\n') return bad(err, errlen, cr, "'\\r' not followed by '\\n'");
    *next = cr + 2;
    return 1;
}

/* An element is complete: close the arrays it completes. True when the
 * reply is. */
static bool complete(corr_rbuf_t *b)
{
    while (b->depth > 0 && --b->left[b->depth - 1] == 0)
        b->depth--;
    return b->depth == 0;
}

/* Go on checking s[0..len) from b->spos: 1 the reply ends at b->spos, 0
 * more bytes needed, -1 bad. */
static int scan(corr_rbuf_t *b, const char *s, size_t len, char *err, size_t errlen)
{
    size_t p = b->spos;
    while (p < len) {
        char type = s[p];
        size_t next = 0;
        int64_t n = 0;
        int rc;
        switch (type) {
        case '+':
        case '-': rc = text_line(s, len, p, &next, err, errlen); break;
        case ':':
        case '$':
        case '*':
            rc = number_line(s, len, p, &n, &next);
            if (rc < 0) return bad(err, errlen, p + 1, "not a number");
            if (type != ':' && n < -1) return bad(err, errlen, p + 1, "negative length");
            break;
        default: return bad(err, errlen, p, "unknown reply type");
        }
        if (rc <= 0) return rc;
        if (type == '$' && n >= 0) {
            if (n > CORR_REPLY_MAX) return bad(err, errlen, p, "string too long");
            if (next + (size_t)n + 2 > len) return 0;
            if (s[next + n] != '\r' || s[next + n + 1] != '\n')
                return bad(err, errlen, next + (size_t)n, "string not ended by \"\\r\\n\"");
            next += (size_t)n + 2;
        } else if (type == '*' && n > 0) {
            if (b->depth == CORR_REPLY_DEPTH) return bad(err, errlen, p, "arrays nested too deep");
            b->left[b->depth++] = n;
            b->spos = p = next;
            continue;
        }
        b->spos = p = next;
        if (complete(b)) return 1;
    }
    return 0;
}

/* ---- the build ---------------------------------------------------------------------- */

/* The number of a line the scan found good, and *p past it. */
static inline int64_t trusted_number(const char *s, size_t *p)
{
    size_t i = *p + 1;
    bool neg = s[i] == '-';
    uint64_t v = 0;
    for (i += neg; s[i] != '\r'; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    *p = i + 2;
    return neg ? -(int64_t)v : (int64_t)v;
}

/* The element at *p of a scanned reply, its strings NUL-terminated in s. */
static redisReply *build(corr_rbuf_t *b, char *s, size_t len, size_t *p, unsigned depth)
{
    redisReply *r = depth <= CORR_REPLY_DEPTH ? rb_alloc(b, sizeof(*r)) : NULL;
    if (!r) return NULL;
    memset(r, 0, sizeof(*r));
    char type = s[*p];
    if (type == '+' || type == '-') {
        size_t next = 0;
        (void)text_line(s, len, *p, &next, NULL, 0); /* checked by the scan */
        r->type = type == '+' ? REDIS_REPLY_STATUS : REDIS_REPLY_ERROR;
        r->str = s + *p + 1;
        r->len = next - *p - 3;
        r->str[r->len] = '\0';
        *p = next;
        return r;
    }
    int64_t n = trusted_number(s, p);
    size_t next = *p;
    if (type == ':') {
        r->type = REDIS_REPLY_INTEGER;
        r->integer = n;
    } else if (n < 0) {
        r->type = REDIS_REPLY_NIL;
    } else if (type == '$') {
        r->type = REDIS_REPLY_STRING;
        r->str = s + next;
        r->len = (size_t)n;
        r->str[n] = '\0';
        *p += (size_t)n + 2;
    } else {
        r->type = REDIS_REPLY_ARRAY;
        r->elements = (size_t)n;
        if (n == 0) return r;
        if (!(r->element = rb_alloc(b, (size_t)n * sizeof(*r->element)))) return NULL;
        for (size_t i = 0; i < r->elements; i++)
            if (!(r->element[i] = build(b, s, len, p, depth + 1))) return NULL;
    }
    return r;
}

int corr_reply_parse(corr_rbuf_t *b, char *buf, size_t len, redisReply **out, size_t *used,
                     char *err, size_t errlen)
{
    *out = NULL;
    int rc = scan(b, buf, len, err, errlen);
    if (rc <= 0) return rc;
    size_t p = 0;
    *used = b->spos;
    *out = build(b, buf, b->spos, &p, 0);
    return *out ? 1 : err_set(-1, err, errlen, "redis reply: out of memory");
}

/* Room for more bytes of the reply. */
static int grow(corr_rbuf_t *b, char *err, size_t errlen)
{
    if (b->rcap >= CORR_REPLY_MAX)
        return err_set(-1, err, errlen, "redis reply: longer than %u bytes", CORR_REPLY_MAX);
    size_t cap = b->rcap ? b->rcap * 2 : CORR_RBUF_CHUNK;
    char *raw = realloc(b->raw, cap);
    if (!raw) return err_set(-1, err, errlen, "redis reply: out of memory");
    b->raw = raw;
    b->rcap = cap;
    return 0;
}

int corr_reply_read(int fd, corr_rbuf_t *b, redisReply **out, char *err, size_t errlen)
{
    *out = NULL;
    for (;;) {
        int rc = scan(b, b->raw, b->rlen, err, errlen);
        if (rc < 0) return -1;
        if (rc > 0) break;
        if (b->rlen == b->rcap && grow(b, err, errlen) != 0) return -1;
        ssize_t n = read(fd, b->raw + b->rlen, b->rcap - b->rlen);
        if (n < 0 && errno == EINTR) continue; /* a signal: the loop above looks at it later */
        if (n < 0) return err_set(-1, err, errlen, "redis: read: %s", strerror(errno));
        if (n == 0) return err_set(-1, err, errlen, "redis: connection closed");
        b->rlen += (size_t)n;
    }
    if (b->spos != b->rlen) /* one command at a time on this connection */
        return bad(err, errlen, b->spos, "bytes after the reply");
    size_t p = 0;
    *out = build(b, b->raw, b->rlen, &p, 0);
    return *out ? 0 : err_set(-1, err, errlen, "redis reply: out of memory");
}
