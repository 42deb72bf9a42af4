/* corr_reply.h -- replies on the correlator's reading connection, built in
 * place in a reply buffer.
 *
 * An XREADGROUP reply brings thousands of entries, each an id and an array
 * of field/value strings. hiredis would copy the bytes into its own buffer,
 * allocate about ten objects per entry and copy every string again, and
 * the correlator free them all after. Here the reply's bytes are read from
 * the socket into the buffer given for it, checked whole (RESP2: every
 * length and count against the bytes that came, nesting at most
 * CORR_REPLY_DEPTH), and the reply is built there: the hiredis-shaped
 * redisReply nodes in the buffer's chunks, each string pointing at its
 * bytes in place, NUL-terminated over the "\r" that follows it. Entries
 * read from it point into it until they are evaluated; the whole reply
 * goes at once when the buffer is reset. A buffer keeps its memory for
 * the next reply (up to CORR_RBUF_KEEP bytes), so a steady stream of reads
 * allocates nothing.
 *
 * The commands are still written with hiredis (redisAppendCommandArgv,
 * redisBufferWrite); only their replies are read here, so hiredis must not
 * read on that connection once it is used with corr_reply_read. */
#ifndef SOC_CORR_REPLY_H
#define SOC_CORR_REPLY_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#define CORR_RBUF_CHUNK  (256u << 10) /* bytes of a node chunk, and the first read size */
#define CORR_RBUF_KEEP   (32u << 20)  /* memory kept over a reset */
#define CORR_REPLY_MAX   (1u << 30)   /* bytes of one reply */
#define CORR_REPLY_DEPTH 16           /* nested arrays of one reply */

typedef struct corr_rbuf corr_rbuf_t;

corr_rbuf_t *corr_rbuf_new(void);
void corr_rbuf_free(corr_rbuf_t *b);
/* Everything built in b is gone; its memory serves the next reply. */
void corr_rbuf_reset(corr_rbuf_t *b);
/* Bytes b holds from malloc. */
size_t corr_rbuf_bytes(const corr_rbuf_t *b);

/* Read the next reply from fd (a blocking socket) into b, which must be
 * empty (new or reset), and build it: 0 with *out, or -1 with one line in
 * err (read error, connection closed, protocol error, reply too large, out
 * of memory). */
int corr_reply_read(int fd, corr_rbuf_t *b, redisReply **out, char *err, size_t errlen);

/* Check and build a reply that is whole in buf[0..len) (the bytes are
 * modified: strings are NUL-terminated in place). 1 with *out and *used
 * (the reply's length), 0 when more bytes are needed, -1 with err on bad
 * bytes or out of memory. corr_reply_read in one step; for tests. */
int corr_reply_parse(corr_rbuf_t *b, char *buf, size_t len, redisReply **out, size_t *used,
                     char *err, size_t errlen);

#endif
