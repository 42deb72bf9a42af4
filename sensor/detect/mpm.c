/* mpm.c -- building, scanning and (de)serializing the Hyperscan literal
 * matcher. See mpm.h. */
#include "mpm.h"
#include "byteorder.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

/* One entry as added; the literal lives in the builder's arena. */
typedef struct mpm_entry {
    size_t off;
    uint32_t len;
    uint32_t id;
    uint8_t nocase;
} mpm_entry_t;

struct mpm_builder {
    uint8_t *arena;
    size_t arena_len, arena_cap;
    mpm_entry_t *ents;
    uint32_t n, cap;
};

/* The tables live in one block: first[npat + 1], list[nlist], ids[nids]. */
struct mpm {
    hs_database_t *db; /* NULL without patterns */
    uint32_t npat, nlist, nids;
    uint32_t *tab;
    const uint32_t *first, *list, *ids;
    size_t db_bytes;
};

/* seen[slot] == gen marks a rule id already reported in the current scan, so
 * a new scan is one increment, not a clear. */
struct mpm_scratch {
    hs_scratch_t *hs;
    uint32_t *seen;
    uint32_t seen_len;
    uint32_t gen;
};

void mpm_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* --- builder ------------------------------------------------------------- */

mpm_builder_t *mpm_builder_new(void)
{
    return calloc(1, sizeof(mpm_builder_t));
}

void mpm_builder_free(mpm_builder_t *b)
{
    if (!b) return;
    free(b->arena);
    free(b->ents);
    free(b);
}

uint32_t mpm_builder_count(const mpm_builder_t *b)
{
    return b ? b->n : 0;
}

static int grow_arena(mpm_builder_t *b, size_t need)
{
    if (need > MPM_ARENA_MAX - b->arena_len) {
        errno = E2BIG;
        return -1;
    }
    if (b->arena_len + need <= b->arena_cap) return 0;
    size_t cap = b->arena_cap ? b->arena_cap : 4096;
    while (cap < b->arena_len + need)
        cap *= 2;
    if (cap > MPM_ARENA_MAX) cap = MPM_ARENA_MAX;
    uint8_t *p = realloc(b->arena, cap);
    if (!p) return -1; /* errno ENOMEM from realloc */
    b->arena = p;
    b->arena_cap = cap;
    return 0;
}

static int grow_entries(mpm_builder_t *b)
{
    if (b->n < b->cap) return 0;
    if (b->n >= MPM_MAX_ENTRIES) {
        errno = E2BIG;
        return -1;
    }
    uint32_t cap = b->cap ? b->cap * 2 : 256;
    if (cap > MPM_MAX_ENTRIES) cap = MPM_MAX_ENTRIES;
    mpm_entry_t *e = realloc(b->ents, (size_t)cap * sizeof(*e));
    if (!e) return -1;
    b->ents = e;
    b->cap = cap;
    return 0;
}

int mpm_add(mpm_builder_t *b, const uint8_t *pat, size_t len, bool nocase, uint32_t id)
{
    if (!b || !pat || len == 0 || len > MPM_PATTERN_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (grow_entries(b) != 0 || grow_arena(b, len) != 0) return -1;
    uint8_t *dst = b->arena + b->arena_len;
    memcpy(dst, pat, len);
    /* Hyperscan folds ASCII only; folding here too makes "ABC" and "abc"
     * nocase one pattern. */
    if (nocase)
        for (size_t i = 0; i < len; i++)
            if (dst[i] >= 'A' && dst[i] <= 'Z') dst[i] = (uint8_t)(dst[i] + ('a' - 'A'));
    b->ents[b->n] = (mpm_entry_t){
        .off = b->arena_len, .len = (uint32_t)len, .id = id, .nocase = nocase ? 1 : 0};
    b->n++;
    b->arena_len += len;
    return 0;
}

/* --- build --------------------------------------------------------------- */

/* An entry ready for sorting: pointers are taken once the arena is final. */
typedef struct sort_rec {
    const uint8_t *p;
    uint32_t len, id, idx;
    uint8_t nocase;
} sort_rec_t;

static int cmp_literal(const sort_rec_t *a, const sort_rec_t *b)
{
    if (a->nocase != b->nocase) return a->nocase < b->nocase ? -1 : 1;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return memcmp(a->p, b->p, a->len);
}

/* By literal, then rule id, then order added: groups and their ids come out
 * sorted, and duplicates of one (literal, id) sit together. */
static int cmp_rec(const void *va, const void *vb)
{
    const sort_rec_t *a = va, *b = vb;
    int c = cmp_literal(a, b);
    if (c) return c;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static int cmp_u32(const void *va, const void *vb)
{
    uint32_t a = *(const uint32_t *)va, b = *(const uint32_t *)vb;
    return a < b ? -1 : (a > b);
}

static uint32_t slot_of(const uint32_t *ids, uint32_t nids, uint32_t id)
{
    const uint32_t *p = bsearch(&id, ids, nids, sizeof(*ids), cmp_u32);
    return (uint32_t)(p - ids); /* always found: ids holds every id */
}

static mpm_t *mpm_alloc(uint32_t npat, uint32_t nlist, uint32_t nids)
{
    mpm_t *m = calloc(1, sizeof(*m));
    if (!m) return NULL;
    size_t words = (size_t)npat + 1 + nlist + nids;
    m->tab = calloc(words, sizeof(uint32_t));
    if (!m->tab) {
        free(m);
        return NULL;
    }
    m->npat = npat;
    m->nlist = nlist;
    m->nids = nids;
    m->first = m->tab;
    m->list = m->tab + npat + 1;
    m->ids = m->list + nlist;
    return m;
}

/* Distinct rule ids, sorted, into ids (room for n); returns how many. */
static uint32_t unique_ids(const mpm_builder_t *b, uint32_t *ids)
{
    for (uint32_t i = 0; i < b->n; i++)
        ids[i] = b->ents[i].id;
    qsort(ids, b->n, sizeof(*ids), cmp_u32);
    uint32_t k = 0;
    for (uint32_t i = 0; i < b->n; i++)
        if (k == 0 || ids[k - 1] != ids[i]) ids[k++] = ids[i];
    return k;
}

/* Counts patterns and distinct (literal, id) pairs of the sorted records. */
static void count_groups(const sort_rec_t *r, uint32_t n, uint32_t *npat, uint32_t *nlist)
{
    *npat = *nlist = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool new_pat = i == 0 || cmp_literal(&r[i - 1], &r[i]) != 0;
        if (new_pat) (*npat)++;
        if (new_pat || r[i - 1].id != r[i].id) (*nlist)++;
    }
}

/* Hyperscan's inputs: one entry per pattern, its hs id being its index. */
typedef struct hs_input {
    const char **expr;
    size_t *lens;
    unsigned *flags, *hsids;
    uint32_t *first_idx; /* earliest added entry of the pattern, for errors */
} hs_input_t;

static void hs_input_free(hs_input_t *in)
{
    free(in->expr);
    free(in->lens);
    free(in->flags);
    free(in->hsids);
    free(in->first_idx);
}

static int hs_input_alloc(hs_input_t *in, uint32_t npat)
{
    in->expr = calloc(npat, sizeof(*in->expr));
    in->lens = calloc(npat, sizeof(*in->lens));
    in->flags = calloc(npat, sizeof(*in->flags));
    in->hsids = calloc(npat, sizeof(*in->hsids));
    in->first_idx = calloc(npat, sizeof(*in->first_idx));
    return in->expr && in->lens && in->flags && in->hsids && in->first_idx ? 0 : -1;
}

/* Fills m's tables and Hyperscan's inputs from the sorted records. */
static void fill_tables(mpm_t *m, const sort_rec_t *r, uint32_t n, hs_input_t *in)
{
    uint32_t *first = m->tab, *list = m->tab + m->npat + 1;
    uint32_t p = 0, k = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool new_pat = i == 0 || cmp_literal(&r[i - 1], &r[i]) != 0;
        if (new_pat) {
            first[p] = k;
            in->expr[p] = (const char *)r[i].p;
            in->lens[p] = r[i].len;
            /* One report per pattern per scan is all the prefilter needs. */
            in->flags[p] = HS_FLAG_SINGLEMATCH | (r[i].nocase ? HS_FLAG_CASELESS : 0);
            in->hsids[p] = p;
            in->first_idx[p] = r[i].idx;
            p++;
        } else if (r[i].idx < in->first_idx[p - 1]) {
            in->first_idx[p - 1] = r[i].idx;
        }
        if (new_pat || r[i - 1].id != r[i].id) list[k++] = slot_of(m->ids, m->nids, r[i].id);
    }
    first[p] = k;
}

static int compile_db(mpm_t *m, const hs_input_t *in, const mpm_builder_t *b, char *err,
                      size_t errlen)
{
    hs_compile_error_t *ce = NULL;
    hs_error_t rc = hs_compile_lit_multi(in->expr, in->flags, in->hsids, in->lens, m->npat,
                                         HS_MODE_BLOCK, NULL, &m->db, &ce);
    if (rc == HS_SUCCESS) {
        if (hs_database_size(m->db, &m->db_bytes) != HS_SUCCESS) m->db_bytes = 0;
        return 0;
    }
    const char *msg = ce && ce->message ? ce->message : "compile failed";
    if (ce && ce->expression >= 0 && (uint32_t)ce->expression < m->npat) {
        uint32_t idx = in->first_idx[ce->expression];
        mpm_set_err(err, errlen, "mpm pattern #%u (rule id %u, %u bytes): %s", idx, b->ents[idx].id,
                    b->ents[idx].len, msg);
    } else {
        mpm_set_err(err, errlen, "mpm: hyperscan: %s", msg);
    }
    hs_free_compile_error(ce);
    m->db = NULL;
    return -1;
}

mpm_t *mpm_build(const mpm_builder_t *b, char *err, size_t errlen)
{
    if (!b) {
        mpm_set_err(err, errlen, "mpm: no builder");
        return NULL;
    }
    if (b->n == 0) {
        mpm_t *m = mpm_alloc(0, 0, 0);
        if (!m) mpm_set_err(err, errlen, "mpm: out of memory");
        return m;
    }
    sort_rec_t *r = calloc(b->n, sizeof(*r));
    uint32_t *ids = calloc(b->n, sizeof(*ids));
    hs_input_t in = {0};
    mpm_t *m = NULL;
    if (!r || !ids) goto oom;
    for (uint32_t i = 0; i < b->n; i++)
        r[i] = (sort_rec_t){.p = b->arena + b->ents[i].off,
                            .len = b->ents[i].len,
                            .id = b->ents[i].id,
                            .idx = i,
                            .nocase = b->ents[i].nocase};
    qsort(r, b->n, sizeof(*r), cmp_rec);
    uint32_t nids = unique_ids(b, ids), npat, nlist;
    count_groups(r, b->n, &npat, &nlist);
    m = mpm_alloc(npat, nlist, nids);
    if (!m || hs_input_alloc(&in, npat) != 0) goto oom;
    memcpy(m->tab + npat + 1 + nlist, ids, (size_t)nids * sizeof(*ids));
    fill_tables(m, r, b->n, &in);
    if (compile_db(m, &in, b, err, errlen) != 0) {
        mpm_free(m);
        m = NULL;
    }
    goto out;
oom:
    mpm_set_err(err, errlen, "mpm: out of memory");
    mpm_free(m);
    m = NULL;
out:
    hs_input_free(&in);
    free(ids);
    free(r);
    return m;
}

void mpm_free(mpm_t *m)
{
    if (!m) return;
    hs_free_database(m->db);
    free(m->tab);
    free(m);
}

void mpm_get_stats(const mpm_t *m, mpm_stats_t *st)
{
    *st = (mpm_stats_t){0};
    if (!m) return;
    st->entries = m->nlist;
    st->patterns = m->npat;
    st->rule_ids = m->nids;
    st->db_bytes = m->db_bytes;
}

uint32_t mpm_pattern_count(const mpm_t *m)
{
    return m ? m->npat : 0;
}

size_t mpm_db_size(const mpm_t *m)
{
    return m ? m->db_bytes : 0;
}

/* --- scratch ------------------------------------------------------------- */

mpm_scratch_t *mpm_scratch_new(void)
{
    mpm_scratch_t *s = calloc(1, sizeof(*s));
    if (s) s->gen = 1;
    return s;
}

int mpm_scratch_reserve(mpm_scratch_t *s, const mpm_t *m)
{
    if (!s || !m) return -1;
    if (m->db && hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS) return -1;
    if (m->nids > s->seen_len) {
        uint32_t *p = realloc(s->seen, (size_t)m->nids * sizeof(*p));
        if (!p) return -1;
        /* 0 is never a live generation, so new slots read as unseen. */
        memset(p + s->seen_len, 0, (size_t)(m->nids - s->seen_len) * sizeof(*p));
        s->seen = p;
        s->seen_len = m->nids;
    }
    return 0;
}

mpm_scratch_t *mpm_scratch_clone(const mpm_scratch_t *s)
{
    if (!s) return NULL;
    mpm_scratch_t *c = mpm_scratch_new();
    if (!c) return NULL;
    if (s->hs && hs_clone_scratch(s->hs, &c->hs) != HS_SUCCESS) goto fail;
    if (s->seen_len) {
        c->seen = calloc(s->seen_len, sizeof(*c->seen));
        if (!c->seen) goto fail;
        c->seen_len = s->seen_len;
    }
    return c;
fail:
    mpm_scratch_free(c);
    return NULL;
}

void mpm_scratch_free(mpm_scratch_t *s)
{
    if (!s) return;
    hs_free_scratch(s->hs);
    free(s->seen);
    free(s);
}

/* --- scan ---------------------------------------------------------------- */

typedef struct scan_ctx {
    const mpm_t *m;
    mpm_scratch_t *s;
    mpm_match_fn cb;
    void *ud;
    int reported;
} scan_ctx_t;

static int on_hs_match(unsigned int hsid, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *vctx)
{
    (void)from;
    (void)flags;
    scan_ctx_t *c = vctx;
    const mpm_t *m = c->m;
    if (hsid >= m->npat) return 0; /* not ours: a foreign database */
    for (uint32_t i = m->first[hsid]; i < m->first[hsid + 1]; i++) {
        uint32_t slot = m->list[i];
        if (c->s->seen[slot] == c->s->gen) continue;
        c->s->seen[slot] = c->s->gen;
        c->reported++;
        if (c->cb(m->ids[slot], to, c->ud)) return 1;
    }
    return 0;
}

int mpm_scan(const mpm_t *m, mpm_scratch_t *s, const uint8_t *data, size_t len, mpm_match_fn cb,
             void *ctx)
{
    if (!m || !s || !cb || (!data && len) || len > UINT_MAX) return -1;
    if (!m->db || len == 0) return 0; /* no literal is empty */
    if (!s->hs || m->nids > s->seen_len) return -1;
    if (++s->gen == 0) { /* wrapped: old marks could alias, clear them */
        memset(s->seen, 0, (size_t)s->seen_len * sizeof(*s->seen));
        s->gen = 1;
    }
    scan_ctx_t c = {.m = m, .s = s, .cb = cb, .ud = ctx};
    hs_error_t rc =
        hs_scan(m->db, (const char *)data, (unsigned int)len, 0, s->hs, on_hs_match, &c);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) return -1;
    return c.reported;
}

/* --- serialization ------------------------------------------------------- */

#define BODY_HEAD_LEN 24u

int mpm_serialize(const mpm_t *m, uint8_t **out, size_t *outlen)
{
    if (!m || !out || !outlen) return -1;
    char *db = NULL;
    size_t db_len = 0;
    if (m->db && hs_serialize_database(m->db, &db, &db_len) != HS_SUCCESS) return -1;
    size_t words = (size_t)m->npat + 1 + m->nlist + m->nids;
    size_t len = BODY_HEAD_LEN + words * 4 + db_len;
    uint8_t *buf = malloc(len);
    if (!buf) {
        free(db); /* hs allocates with the default allocator, malloc */
        return -1;
    }
    put_u32(buf, m->npat);
    put_u32(buf + 4, m->nlist);
    put_u32(buf + 8, m->nids);
    put_u32(buf + 12, 0); /* reserved */
    put_u64(buf + 16, db_len);
    for (size_t i = 0; i < words; i++)
        put_u32(buf + BODY_HEAD_LEN + 4 * i, m->tab[i]);
    if (db_len) memcpy(buf + BODY_HEAD_LEN + words * 4, db, db_len);
    free(db);
    *out = buf;
    *outlen = len;
    return 0;
}

/* Checks the tables' shape so a scan can never index outside them. */
static const char *check_tables(const mpm_t *m)
{
    if (m->first[0] != 0 || m->first[m->npat] != m->nlist) return "pattern table ends wrong";
    for (uint32_t p = 0; p < m->npat; p++)
        if (m->first[p] >= m->first[p + 1]) return "pattern with no rule id";
    for (uint32_t i = 0; i < m->nlist; i++)
        if (m->list[i] >= m->nids) return "rule slot out of range";
    for (uint32_t i = 1; i < m->nids; i++)
        if (m->ids[i - 1] >= m->ids[i]) return "rule ids not strictly increasing";
    return NULL;
}

static const char *load_db(mpm_t *m, const uint8_t *db, size_t db_len)
{
    if (m->npat == 0) return db_len ? "database without patterns" : NULL;
    if (db_len == 0) return "patterns without database";
    char *info = NULL;
    if (hs_serialized_database_info((const char *)db, db_len, &info) != HS_SUCCESS)
        return "not a hyperscan database";
    bool block = strstr(info, "Mode: BLOCK") != NULL;
    free(info);
    if (!block) return "hyperscan database not in block mode";
    switch (hs_deserialize_database((const char *)db, db_len, &m->db)) {
    case HS_SUCCESS: break;
    case HS_DB_VERSION_ERROR: return "hyperscan database of another version";
    case HS_DB_PLATFORM_ERROR: return "hyperscan database for another platform";
    default: return "hyperscan database rejected";
    }
    if (hs_database_size(m->db, &m->db_bytes) != HS_SUCCESS) m->db_bytes = 0;
    return NULL;
}

mpm_t *mpm_deserialize(const uint8_t *p, size_t len, char *err, size_t errlen)
{
    if (!p || len < BODY_HEAD_LEN) {
        mpm_set_err(err, errlen, "mpm body truncated (%zu bytes)", p ? len : 0);
        return NULL;
    }
    uint32_t npat = get_u32(p), nlist = get_u32(p + 4), nids = get_u32(p + 8);
    uint64_t db_len = get_u64(p + 16);
    if (get_u32(p + 12) != 0) {
        mpm_set_err(err, errlen, "mpm body: reserved field set");
        return NULL;
    }
    /* Bound every count by the bytes present before allocating. */
    size_t avail = (len - BODY_HEAD_LEN) / 4;
    if (npat > MPM_MAX_ENTRIES || nlist > MPM_MAX_ENTRIES || nids > MPM_MAX_ENTRIES ||
        (size_t)npat + 1 + nlist + nids > avail) {
        mpm_set_err(err, errlen, "mpm tables larger than the body");
        return NULL;
    }
    size_t words = (size_t)npat + 1 + nlist + nids;
    size_t rest = len - BODY_HEAD_LEN - words * 4;
    if (db_len != rest) {
        mpm_set_err(err, errlen, "mpm database length %llu, %zu bytes left",
                    (unsigned long long)db_len, rest);
        return NULL;
    }
    if (nlist < npat || nids > nlist) {
        mpm_set_err(err, errlen, "mpm table counts inconsistent");
        return NULL;
    }
    mpm_t *m = mpm_alloc(npat, nlist, nids);
    if (!m) {
        mpm_set_err(err, errlen, "mpm: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < words; i++)
        m->tab[i] = get_u32(p + BODY_HEAD_LEN + 4 * i);
    const char *why = check_tables(m);
    if (!why) why = load_db(m, p + BODY_HEAD_LEN + words * 4, rest);
    if (why) {
        mpm_set_err(err, errlen, "mpm body: %s", why);
        mpm_free(m);
        return NULL;
    }
    return m;
}
