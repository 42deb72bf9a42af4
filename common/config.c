/* config.c -- YAML loader and typed getters (see config.h).
 *
 * libyaml's event parser drives a small builder: each event creates a node
 * in an arena owned by the cfg_t and attaches it to the innermost open
 * mapping or sequence. Everything the input can make us allocate is capped:
 * the file size, the node count (alias copies included), the nesting depth,
 * the number of anchors and documents. */
#include "config.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define CFG_MAX_ANCHORS 256 /* aliases are resolved by linear search */
#define CFG_CHUNK_SIZE  (64u << 10)
#define CFG_SHOW_MAX    48 /* value bytes quoted back in a message */

/* ---- arena: all nodes and strings of one cfg_t ------------------------- */

typedef struct cfg_chunk {
    struct cfg_chunk *next;
    size_t used, cap;
    max_align_t data[]; /* aligned for any node */
} cfg_chunk_t;

struct cfg {
    cfg_chunk_t *chunks;
    const char *name;
    cfg_node_t **docs;
    size_t ndocs;
};

static void *arena_alloc(cfg_t *cfg, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    cfg_chunk_t *c = cfg->chunks;
    if (!c || c->cap - c->used < n) {
        /* Small files need little: start at 4 KiB, double up to 64 KiB. */
        size_t cap = c ? c->cap * 2 : 4096;
        if (cap > CFG_CHUNK_SIZE) cap = CFG_CHUNK_SIZE;
        if (cap < n) cap = n;
        c = malloc(offsetof(cfg_chunk_t, data) + cap);
        if (!c) return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = cfg->chunks;
        cfg->chunks = c;
    }
    void *p = (unsigned char *)c->data + c->used;
    c->used += n;
    return p;
}

static char *arena_strdup(cfg_t *cfg, const char *s, size_t n)
{
    char *p = arena_alloc(cfg, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void cfg_free(cfg_t *cfg)
{
    if (!cfg) return;
    cfg_chunk_t *c = cfg->chunks;
    while (c) {
        cfg_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(cfg->docs);
    free(cfg);
}

/* ---- messages ---------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Printable, bounded copy of s for quoting back in a message. */
const char *cfg_type_name(cfg_type_t type)
{
    switch (type) {
    case CFG_MAP: return "mapping";
    case CFG_SEQ: return "sequence";
    default: return "scalar";
    }
}

size_t cfg_node_path(const cfg_node_t *node, char *out, size_t outlen)
{
    /* Collect ancestors (bounded by the depth limit plus alias copies,
     * which are depth-checked too), then print from the root down. */
    const cfg_node_t *chain[CFG_MAX_DEPTH + 2];
    size_t n = 0;
    for (const cfg_node_t *p = node; p && p->parent && n < CFG_MAX_DEPTH + 2; p = p->parent)
        chain[n++] = p;
    size_t len = 0;
    if (outlen) out[0] = '\0';
    while (n-- > 0) {
        const cfg_node_t *p = chain[n];
        char seg[CFG_SHOW_MAX + 32], tmp[CFG_SHOW_MAX + 4];
        if (p->key)
            snprintf(seg, sizeof(seg), "%s%s", len ? "." : "",
                     err_quote(p->key, p->key_len, tmp, sizeof(tmp)));
        else
            snprintf(seg, sizeof(seg), "[%zu]", p->index);
        size_t sl = strlen(seg);
        if (outlen && len + 1 < outlen) {
            size_t room = outlen - len - 1;
            memcpy(out + len, seg, sl < room ? sl : room);
            out[len + (sl < room ? sl : room)] = '\0';
        }
        len += sl;
    }
    return len;
}

static void node_verror(const cfg_node_t *node, uint32_t line, uint32_t col, char *err,
                        size_t errlen, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void node_verror(const cfg_node_t *node, uint32_t line, uint32_t col, char *err,
                        size_t errlen, const char *fmt, va_list ap)
{
    if (!err || errlen == 0) return;
    char msg[512], path[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (!node) {
        set_err(err, errlen, "%s", msg);
        return;
    }
    cfg_node_path(node, path, sizeof(path));
    set_err(err, errlen, "%s:%u:%u: %s%s%s", node->file, line, col, path, path[0] ? ": " : "", msg);
}

void cfg_node_error(const cfg_node_t *node, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    node_verror(node, node ? node->line : 0, node ? node->col : 0, err, errlen, fmt, ap);
    va_end(ap);
}

static void key_error(const cfg_node_t *map, const cfg_node_t *member, char *err, size_t errlen,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Like cfg_node_error, but at a member's key and naming the map. */
static void key_error(const cfg_node_t *map, const cfg_node_t *member, char *err, size_t errlen,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    node_verror(map, member->key_line, member->key_col, err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- builder ----------------------------------------------------------- */

typedef struct frame {
    cfg_node_t *node, *last; /* open container and its last child */
    cfg_node_t *key;         /* map: key scalar waiting for its value */
    int anchor;              /* anchor naming this container, or -1 */
} frame_t;

typedef struct anchor {
    const char *name;
    cfg_node_t *node;
    bool done; /* an alias to an unfinished container would be a cycle */
} anchor_t;

typedef struct builder {
    cfg_t *cfg;
    const char *buf;
    size_t len;
    char *err;
    size_t errlen;
    bool failed;
    size_t nodes, alias_nodes;
    frame_t stack[CFG_MAX_DEPTH];
    int depth;
    cfg_node_t *root; /* of the current document */
    anchor_t anchors[CFG_MAX_ANCHORS];
    int nanchors;
    /* Open-addressing set of map members, to find duplicate keys in O(1). */
    cfg_node_t **members;
    size_t members_cap, members_used;
} builder_t;

static void b_error(builder_t *b, yaml_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void b_error(builder_t *b, yaml_mark_t mark, const char *fmt, ...)
{
    if (b->failed) return;
    b->failed = true;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    set_err(b->err, b->errlen, "%s:%zu:%zu: %s", b->cfg->name, mark.line + 1, mark.column + 1, msg);
}

static void b_oom(builder_t *b)
{
    if (b->failed) return;
    b->failed = true;
    set_err(b->err, b->errlen, "%s: out of memory", b->cfg->name);
}

static uint32_t clamp32(size_t v)
{
    return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v + 1;
}

static cfg_node_t *b_node(builder_t *b, cfg_type_t type, yaml_mark_t mark)
{
    if (b->nodes >= CFG_MAX_NODES) {
        b_error(b, mark, "too many nodes (limit %d)", CFG_MAX_NODES);
        return NULL;
    }
    cfg_node_t *n = arena_alloc(b->cfg, sizeof(*n));
    if (!n) {
        b_oom(b);
        return NULL;
    }
    memset(n, 0, sizeof(*n));
    b->nodes++;
    n->type = type;
    n->line = clamp32(mark.line);
    n->col = clamp32(mark.column);
    n->file = b->cfg->name;
    return n;
}

static uint64_t member_hash(const cfg_node_t *map, const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)map;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static cfg_node_t *member_find(builder_t *b, const cfg_node_t *map, const char *key, size_t len)
{
    if (!b->members) return NULL;
    size_t mask = b->members_cap - 1;
    for (size_t i = member_hash(map, key, len) & mask;; i = (i + 1) & mask) {
        cfg_node_t *m = b->members[i];
        if (!m) return NULL;
        if (m->parent == map && m->key_len == len && memcmp(m->key, key, len) == 0) return m;
    }
}

static bool member_add(builder_t *b, cfg_node_t *m)
{
    if (2 * (b->members_used + 1) > b->members_cap) { /* keep load under 1/2 */
        size_t cap = b->members_cap ? b->members_cap * 2 : 256;
        cfg_node_t **t = calloc(cap, sizeof(*t));
        if (!t) return false;
        for (size_t i = 0; i < b->members_cap; i++) {
            cfg_node_t *o = b->members[i];
            if (!o) continue;
            size_t j = member_hash(o->parent, o->key, o->key_len) & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = o;
        }
        free(b->members);
        b->members = t;
        b->members_cap = cap;
    }
    size_t mask = b->members_cap - 1;
    size_t i = member_hash(m->parent, m->key, m->key_len) & mask;
    while (b->members[i])
        i = (i + 1) & mask;
    b->members[i] = m;
    b->members_used++;
    return true;
}

/* Put a finished (or just opened) node where it belongs: document root,
 * next sequence item, map key, or the value of the pending map key. */
static void b_attach(builder_t *b, cfg_node_t *n, yaml_mark_t mark)
{
    if (b->depth == 0) {
        b->root = n;
        return;
    }
    frame_t *f = &b->stack[b->depth - 1];
    if (f->node->type == CFG_MAP) {
        if (!f->key) {
            if (n->type != CFG_SCALAR) {
                b_error(b, mark, "mapping keys must be scalars");
                return;
            }
            const cfg_node_t *dup = member_find(b, f->node, n->str, n->len);
            if (dup) {
                char tmp[CFG_SHOW_MAX + 4];
                b_error(b, mark, "duplicate key '%s' (first at line %u)",
                        err_quote(n->str, n->len, tmp, sizeof(tmp)), dup->key_line);
                return;
            }
            f->key = n;
            return;
        }
        n->key = f->key->str;
        n->key_len = f->key->len;
        n->key_line = f->key->line;
        n->key_col = f->key->col;
        f->key = NULL;
    }
    n->parent = f->node;
    n->index = f->node->count++;
    if (f->last)
        f->last->next = n;
    else
        f->node->child = n;
    f->last = n;
    if (n->key && !member_add(b, n)) b_oom(b);
}

static int b_anchor(builder_t *b, const yaml_char_t *name, cfg_node_t *n, bool done,
                    yaml_mark_t mark)
{
    if (!name) return -1;
    if (b->nanchors >= CFG_MAX_ANCHORS) {
        b_error(b, mark, "too many anchors (limit %d)", CFG_MAX_ANCHORS);
        return -1;
    }
    const char *s = arena_strdup(b->cfg, (const char *)name, strlen((const char *)name));
    if (!s) {
        b_oom(b);
        return -1;
    }
    b->anchors[b->nanchors] = (anchor_t){.name = s, .node = n, .done = done};
    return b->nanchors++;
}

/* Deep copy of an anchored subtree for an alias. Copies are capped by
 * CFG_MAX_ALIAS_NODES, so nested aliases (billion laughs) fail fast; depth is
 * checked so the copy cannot nest deeper than CFG_MAX_DEPTH where it lands. */
static cfg_node_t *b_copy(builder_t *b, const cfg_node_t *src, int level, yaml_mark_t mark)
{
    if (src->type != CFG_SCALAR && level > CFG_MAX_DEPTH) {
        b_error(b, mark, "nesting deeper than %d (through an alias)", CFG_MAX_DEPTH);
        return NULL;
    }
    if (++b->alias_nodes > CFG_MAX_ALIAS_NODES) {
        b_error(b, mark, "aliases expand to more than %d nodes", CFG_MAX_ALIAS_NODES);
        return NULL;
    }
    cfg_node_t *n = b_node(b, src->type, mark);
    if (!n) return NULL;
    *n = *src;
    n->parent = n->child = n->next = NULL;
    n->count = 0;
    n->key = NULL;
    n->key_len = 0;
    n->key_line = n->key_col = 0;
    n->index = 0;
    cfg_node_t *last = NULL;
    for (const cfg_node_t *c = src->child; c; c = c->next) {
        cfg_node_t *k = b_copy(b, c, level + 1, mark);
        if (!k) return NULL;
        k->key = c->key;
        k->key_len = c->key_len;
        k->key_line = c->key_line;
        k->key_col = c->key_col;
        k->parent = n;
        k->index = n->count++;
        if (last)
            last->next = k;
        else
            n->child = k;
        last = k;
    }
    return n;
}

static void b_alias(builder_t *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    for (int i = b->nanchors - 1; i >= 0; i--) { /* latest definition wins */
        anchor_t *a = &b->anchors[i];
        if (strcmp(a->name, name) != 0) continue;
        if (!a->done) {
            b_error(b, ev->start_mark, "alias '%s' refers to its own enclosing node", name);
            return;
        }
        /* A container copy opens nesting level depth+1 where it lands. */
        cfg_node_t *n = b_copy(b, a->node, b->depth + 1, ev->start_mark);
        if (n) b_attach(b, n, ev->start_mark);
        return;
    }
    char tmp[CFG_SHOW_MAX + 4];
    b_error(b, ev->start_mark, "undefined alias '%s'",
            err_quote(name, strlen(name), tmp, sizeof(tmp)));
}

static void b_scalar(builder_t *b, const yaml_event_t *ev)
{
    cfg_node_t *n = b_node(b, CFG_SCALAR, ev->start_mark);
    if (!n) return;
    n->len = ev->data.scalar.length;
    n->str = arena_strdup(b->cfg, (const char *)ev->data.scalar.value, n->len);
    if (!n->str) {
        b_oom(b);
        return;
    }
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    b_anchor(b, ev->data.scalar.anchor, n, true, ev->start_mark);
    b_attach(b, n, ev->start_mark);
}

static void b_open(builder_t *b, const yaml_event_t *ev, cfg_type_t type)
{
    const yaml_char_t *anchor =
        type == CFG_MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    if (b->depth >= CFG_MAX_DEPTH) {
        b_error(b, ev->start_mark, "nesting deeper than %d", CFG_MAX_DEPTH);
        return;
    }
    cfg_node_t *n = b_node(b, type, ev->start_mark);
    if (!n) return;
    b_attach(b, n, ev->start_mark);
    if (b->failed) return;
    int a = b_anchor(b, anchor, n, false, ev->start_mark);
    b->stack[b->depth++] = (frame_t){.node = n, .anchor = a};
}

static void b_close(builder_t *b)
{
    if (b->depth == 0) return; /* libyaml keeps starts and ends balanced */
    frame_t *f = &b->stack[--b->depth];
    if (f->anchor >= 0) b->anchors[f->anchor].done = true;
}

static void b_document_end(builder_t *b, yaml_mark_t mark)
{
    cfg_t *cfg = b->cfg;
    if (cfg->ndocs >= CFG_MAX_DOCS) {
        b_error(b, mark, "too many documents (limit %d)", CFG_MAX_DOCS);
        return;
    }
    if ((cfg->ndocs & (cfg->ndocs - 1)) == 0) { /* grow at powers of two */
        size_t cap = cfg->ndocs ? cfg->ndocs * 2 : 1;
        cfg_node_t **d = realloc(cfg->docs, cap * sizeof(*d));
        if (!d) {
            b_oom(b);
            return;
        }
        cfg->docs = d;
    }
    cfg->docs[cfg->ndocs++] = b->root;
    b->root = NULL;
    b->nanchors = 0; /* anchors do not cross documents */
}

/* libyaml's reader reports a byte offset rather than a mark. */
static yaml_mark_t offset_mark(const builder_t *b, size_t off)
{
    yaml_mark_t m = {0, 0, 0};
    if (off > b->len) off = b->len;
    for (size_t i = 0; i < off; i++) {
        if (b->buf[i] == '\n') {
            m.line++;
            m.column = 0;
        } else {
            m.column++;
        }
    }
    return m;
}

static void b_parser_error(builder_t *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "invalid YAML";
    switch (p->error) {
    case YAML_MEMORY_ERROR: b_oom(b); break;
    case YAML_READER_ERROR:
        if (p->problem_value >= 0)
            b_error(b, offset_mark(b, p->problem_offset), "%s (byte 0x%02x)", problem,
                    (unsigned)p->problem_value & 0xff);
        else
            b_error(b, offset_mark(b, p->problem_offset), "%s", problem);
        break;
    default:
        if (p->context)
            b_error(b, p->problem_mark, "%s (%s at %zu:%zu)", problem, p->context,
                    p->context_mark.line + 1, p->context_mark.column + 1);
        else
            b_error(b, p->problem_mark, "%s", problem);
    }
}

static void b_event(builder_t *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT: b->root = NULL; break;
    case YAML_DOCUMENT_END_EVENT: b_document_end(b, ev->start_mark); break;
    case YAML_SCALAR_EVENT: b_scalar(b, ev); break;
    case YAML_ALIAS_EVENT: b_alias(b, ev); break;
    case YAML_SEQUENCE_START_EVENT: b_open(b, ev, CFG_SEQ); break;
    case YAML_MAPPING_START_EVENT: b_open(b, ev, CFG_MAP); break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: b_close(b); break;
    default: break;
    }
}

cfg_t *cfg_load_buffer(const char *name, const char *buf, size_t len, char *err, size_t errlen)
{
    if (!name) name = "<config>";
    if (!buf) len = 0;
    if (len > CFG_MAX_FILE_SIZE) {
        set_err(err, errlen, "%s: file too large (%zu bytes, limit %u)", name, len,
                CFG_MAX_FILE_SIZE);
        return NULL;
    }
    cfg_t *cfg = calloc(1, sizeof(*cfg));
    builder_t *b = calloc(1, sizeof(*b)); /* a few KiB: keep it off the stack */
    if (!cfg || !b || !(cfg->name = arena_strdup(cfg, name, strlen(name)))) {
        set_err(err, errlen, "%s: out of memory", name);
        free(b);
        cfg_free(cfg);
        return NULL;
    }
    *b = (builder_t){.cfg = cfg, .buf = buf, .len = len, .err = err, .errlen = errlen};

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        b_oom(b);
    } else {
        yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), len);
        bool done = false;
        while (!done && !b->failed) {
            yaml_event_t ev;
            if (!yaml_parser_parse(&parser, &ev)) {
                b_parser_error(b, &parser);
                break;
            }
            b_event(b, &ev);
            done = ev.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&ev);
        }
        yaml_parser_delete(&parser);
    }
    bool failed = b->failed;
    free(b->members);
    free(b);
    if (failed) {
        cfg_free(cfg);
        return NULL;
    }
    return cfg;
}

cfg_t *cfg_load_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        set_err(err, errlen, "%s: is a directory", path);
        close(fd);
        return NULL;
    }
    /* Read at most one byte past the limit: enough to know it is too big,
     * and safe for pipes whose size fstat does not know. */
    size_t cap = CFG_MAX_FILE_SIZE + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        set_err(err, errlen, "%s: out of memory", path);
        close(fd);
        return NULL;
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0 || (len += (size_t)r) == cap) break;
    }
    close(fd);
    cfg_t *cfg = NULL;
    if (len > CFG_MAX_FILE_SIZE)
        set_err(err, errlen, "%s: file too large (more than %u bytes)", path, CFG_MAX_FILE_SIZE);
    else
        cfg = cfg_load_buffer(path, buf, len, err, errlen);
    free(buf);
    return cfg;
}

/* ---- lookups ----------------------------------------------------------- */

const cfg_node_t *cfg_root(const cfg_t *cfg)
{
    return cfg_doc(cfg, 0);
}
size_t cfg_doc_count(const cfg_t *cfg)
{
    return cfg ? cfg->ndocs : 0;
}
const char *cfg_file(const cfg_t *cfg)
{
    return cfg ? cfg->name : NULL;
}

const cfg_node_t *cfg_doc(const cfg_t *cfg, size_t i)
{
    return (cfg && i < cfg->ndocs) ? cfg->docs[i] : NULL;
}

bool cfg_node_is_null(const cfg_node_t *n)
{
    if (!n || n->type != CFG_SCALAR || n->quoted) return false;
    return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
           strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

static const cfg_node_t *child_n(const cfg_node_t *map, const char *key, size_t len)
{
    for (const cfg_node_t *c = map->child; c; c = c->next)
        if (c->key_len == len && memcmp(c->key, key, len) == 0) return c;
    return NULL;
}

const cfg_node_t *cfg_node_child(const cfg_node_t *map, const char *key)
{
    if (!map || map->type != CFG_MAP || !key) return NULL;
    return child_n(map, key, strlen(key));
}

static bool seg_index(const char *s, size_t n, size_t *out)
{
    if (n == 0 || n > 9) return false;
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Walk path from base. Returns the node, or NULL with *stuck set to the last
 * node reached when a segment could not be applied to it (e.g. a scalar
 * where a mapping was needed), or NULL with *stuck NULL when simply absent. */
static const cfg_node_t *walk(const cfg_node_t *base, const char *path, const cfg_node_t **stuck)
{
    *stuck = NULL;
    const cfg_node_t *n = base;
    const char *p = path ? path : "";
    while (n && *p) {
        const char *dot = strchr(p, '.');
        size_t sl = dot ? (size_t)(dot - p) : strlen(p);
        size_t idx;
        if (n->type == CFG_MAP) {
            n = child_n(n, p, sl);
        } else if (n->type == CFG_SEQ && seg_index(p, sl, &idx)) {
            const cfg_node_t *c = n->child;
            while (c && idx--)
                c = c->next;
            n = c;
        } else {
            if (!cfg_node_is_null(n)) *stuck = n;
            return NULL;
        }
        p += sl + (dot ? 1 : 0);
    }
    return n;
}

const cfg_node_t *cfg_node_get(const cfg_node_t *base, const char *path)
{
    const cfg_node_t *stuck;
    return walk(base, path, &stuck);
}

const cfg_node_t *cfg_get(const cfg_t *cfg, const char *path)
{
    return cfg_node_get(cfg_root(cfg), path);
}

/* Common start of every getter: 1 = value found in *out, 0 = use the
 * default, -1 = error written. want is the wanted type. */
static int lookup(const cfg_node_t *base, const char *path, cfg_type_t want, const char *what,
                  const cfg_node_t **out, char *err, size_t errlen)
{
    const cfg_node_t *stuck;
    const cfg_node_t *n = walk(base, path, &stuck);
    if (stuck) {
        cfg_node_error(stuck, err, errlen, "expected a mapping, got a %s",
                       cfg_type_name(stuck->type));
        return -1;
    }
    if (!n || cfg_node_is_null(n)) return 0;
    if (n->type != want) {
        cfg_node_error(n, err, errlen, "expected %s, got a %s", what, cfg_type_name(n->type));
        return -1;
    }
    *out = n;
    return 1;
}

bool cfg_get_str(const cfg_node_t *base, const char *path, const char *def, const char **out,
                 char *err, size_t errlen)
{
    const cfg_node_t *n;
    int r = lookup(base, path, CFG_SCALAR, "a string", &n, err, errlen);
    if (r < 0) return false;
    if (r && strlen(n->str) != n->len) {
        cfg_node_error(n, err, errlen, "expected a string without NUL bytes");
        return false;
    }
    *out = r ? n->str : def;
    return true;
}

bool cfg_get_strbuf(const cfg_node_t *base, const char *path, char *dst, size_t cap, char *err,
                    size_t errlen)
{
    const char *v;
    if (!cfg_get_str(base, path, NULL, &v, err, errlen)) return false;
    if (!v) return true;
    size_t n = strlen(v);
    if (n >= cap) {
        cfg_node_error(cfg_node_get(base, path), err, errlen,
                       "expected a string of at most %zu bytes", cap - 1);
        return false;
    }
    memcpy(dst, v, n + 1);
    return true;
}

/* Milliseconds from "200ms", "2s", "1m", "1h" (whole numbers); a plain
 * number is seconds, like every other duration in soc.yaml. */
bool cfg_get_duration_ms(const cfg_node_t *base, const char *path, uint64_t *v, uint64_t max_ms,
                         char *err, size_t errlen)
{
    const char *s = NULL;
    if (!cfg_get_str(base, path, NULL, &s, err, errlen)) return false;
    if (!s) return true;
    char *end;
    unsigned long long n = (s[0] >= '0' && s[0] <= '9') ? strtoull(s, &end, 10) : 0;
    unsigned long long mult = 0;
    if (s[0] >= '0' && s[0] <= '9') {
        if (strcmp(end, "ms") == 0)
            mult = 1;
        else if (strcmp(end, "s") == 0 || *end == '\0')
            mult = 1000;
        else if (strcmp(end, "m") == 0)
            mult = 60000;
        else if (strcmp(end, "h") == 0)
            mult = 3600000;
    }
    if (!mult || n > max_ms / mult) {
        cfg_node_error(cfg_node_get(base, path), err, errlen,
                       "expected a duration up to %llu ms (e.g. 200ms, 30s, 5m), got '%s'",
                       (unsigned long long)max_ms, s);
        return false;
    }
    *v = n * mult;
    return true;
}

bool cfg_get_map(const cfg_node_t *base, const char *path, const cfg_node_t **out, char *err,
                 size_t errlen)
{
    const cfg_node_t *n;
    int r = lookup(base, path, CFG_MAP, "a mapping", &n, err, errlen);
    if (r < 0) return false;
    *out = r ? n : NULL;
    return true;
}

bool cfg_get_seq(const cfg_node_t *base, const char *path, const cfg_node_t **out, char *err,
                 size_t errlen)
{
    const cfg_node_t *n;
    int r = lookup(base, path, CFG_SEQ, "a sequence", &n, err, errlen);
    if (r < 0) return false;
    *out = r ? n : NULL;
    return true;
}

/* Decimal digits at *s into *v; false on none or overflow. */
static bool parse_digits(const char **s, uint64_t *v)
{
    const char *p = *s;
    uint64_t x = 0;
    if (*p < '0' || *p > '9') return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10) return false;
        x = x * 10 + d;
    }
    *s = p;
    *v = x;
    return true;
}

/* Multiplier for a size suffix (case-insensitive), 0 if unknown. */
static uint64_t size_unit(const char *s)
{
    static const struct {
        const char *name;
        uint64_t mul;
    } units[] = {{"", 1},           {"b", 1},         {"k", 1u << 10},  {"kb", 1u << 10},
                 {"kib", 1u << 10}, {"m", 1u << 20},  {"mb", 1u << 20}, {"mib", 1u << 20},
                 {"g", 1u << 30},   {"gb", 1u << 30}, {"gib", 1u << 30}};
    while (*s == ' ')
        s++;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(s, units[i].name) == 0) return units[i].mul;
    return 0;
}

static bool parse_u64(const cfg_node_t *n, unsigned flags, uint64_t *out)
{
    const char *p = n->str;
    uint64_t v, mul = 1;
    if (strlen(p) != n->len || !parse_digits(&p, &v)) return false;
    if (flags & CFG_U64_SIZE)
        mul = size_unit(p);
    else if (*p)
        mul = 0;
    if (mul == 0 || v > UINT64_MAX / mul) return false;
    *out = v * mul;
    return true;
}

bool cfg_get_u64(const cfg_node_t *base, const char *path, uint64_t def, uint64_t min, uint64_t max,
                 unsigned flags, uint64_t *out, char *err, size_t errlen)
{
    const char *what = (flags & CFG_U64_SIZE) ? "a size" : "an integer";
    const cfg_node_t *n;
    char tmp[CFG_SHOW_MAX + 4];
    char want[96];
    snprintf(want, sizeof(want), "%s %llu..%llu%s", what, (unsigned long long)min,
             (unsigned long long)max, (flags & CFG_U64_SIZE) ? " (bytes, or with kb/mb/gb)" : "");
    int r = lookup(base, path, CFG_SCALAR, want, &n, err, errlen);
    if (r < 0) return false;
    if (r == 0) {
        *out = def;
        return true;
    }
    uint64_t v;
    if (!parse_u64(n, flags, &v) || v < min || v > max) {
        cfg_node_error(n, err, errlen, "expected %s, got '%s'", want,
                       err_quote(n->str, n->len, tmp, sizeof(tmp)));
        return false;
    }
    *out = v;
    return true;
}

bool cfg_get_i64(const cfg_node_t *base, const char *path, int64_t def, int64_t min, int64_t max,
                 int64_t *out, char *err, size_t errlen)
{
    const cfg_node_t *n;
    char tmp[CFG_SHOW_MAX + 4];
    char want[96];
    snprintf(want, sizeof(want), "an integer %lld..%lld", (long long)min, (long long)max);
    int r = lookup(base, path, CFG_SCALAR, want, &n, err, errlen);
    if (r < 0) return false;
    if (r == 0) {
        *out = def;
        return true;
    }
    const char *p = n->str;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    uint64_t mag;
    bool ok = strlen(n->str) == n->len && parse_digits(&p, &mag) && *p == '\0' &&
              mag <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX);
    int64_t v = 0;
    if (ok) v = neg ? (int64_t)(0 - mag) : (int64_t)mag; /* two's complement, as C23 defines */
    if (!ok || v < min || v > max) {
        cfg_node_error(n, err, errlen, "expected %s, got '%s'", want,
                       err_quote(n->str, n->len, tmp, sizeof(tmp)));
        return false;
    }
    *out = v;
    return true;
}

bool cfg_get_double(const cfg_node_t *base, const char *path, double def, double min, double max,
                    double *out, char *err, size_t errlen)
{
    const cfg_node_t *n;
    char tmp[CFG_SHOW_MAX + 4];
    char want[96];
    snprintf(want, sizeof(want), "a number %g..%g", min, max);
    int r = lookup(base, path, CFG_SCALAR, want, &n, err, errlen);
    if (r < 0) return false;
    if (r == 0) {
        *out = def;
        return true;
    }
    /* Plain decimal notation only: strtod alone would take "inf", "0x1p3". */
    bool ok = n->len > 0 && strlen(n->str) == n->len && strspn(n->str, "0123456789+-.eE") == n->len;
    char *end = NULL;
    double v = ok ? strtod(n->str, &end) : 0;
    if (!ok || !end || *end != '\0' || !(v >= min && v <= max)) {
        cfg_node_error(n, err, errlen, "expected %s, got '%s'", want,
                       err_quote(n->str, n->len, tmp, sizeof(tmp)));
        return false;
    }
    *out = v;
    return true;
}

bool cfg_get_bool(const cfg_node_t *base, const char *path, bool def, bool *out, char *err,
                  size_t errlen)
{
    static const char *const yes[] = {"yes", "true", "on"};
    static const char *const no[] = {"no", "false", "off"};
    const char *want = "a boolean (yes/no, true/false, on/off)";
    const cfg_node_t *n;
    char tmp[CFG_SHOW_MAX + 4];
    int r = lookup(base, path, CFG_SCALAR, want, &n, err, errlen);
    if (r < 0) return false;
    if (r == 0) {
        *out = def;
        return true;
    }
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(n->str, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(n->str, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    cfg_node_error(n, err, errlen, "expected %s, got '%s'", want,
                   err_quote(n->str, n->len, tmp, sizeof(tmp)));
    return false;
}

bool cfg_get_duration_sec(const cfg_node_t *base, const char *path, uint64_t def, uint64_t min,
                          uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    const cfg_node_t *n;
    char tmp[CFG_SHOW_MAX + 4];
    char want[128];
    snprintf(want, sizeof(want), "a duration %llu..%llu seconds (like 30s, 5m, 1h, 1d)",
             (unsigned long long)min, (unsigned long long)max);
    int r = lookup(base, path, CFG_SCALAR, want, &n, err, errlen);
    if (r < 0) return false;
    if (r == 0) {
        *out = def;
        return true;
    }
    const char *p = n->str;
    uint64_t v, mul = 0;
    bool ok = strlen(p) == n->len && parse_digits(&p, &v);
    if (ok) {
        switch (*p) {
        case '\0':
        case 's': mul = 1; break;
        case 'm': mul = 60; break;
        case 'h': mul = 3600; break;
        case 'd': mul = 86400; break;
        default: break;
        }
        ok = mul != 0 && (*p == '\0' || p[1] == '\0') && v <= UINT64_MAX / mul;
    }
    if (!ok || v * mul < min || v * mul > max) {
        cfg_node_error(n, err, errlen, "expected %s, got '%s'", want,
                       err_quote(n->str, n->len, tmp, sizeof(tmp)));
        return false;
    }
    *out = v * mul;
    return true;
}

/* ---- strict keys --------------------------------------------------------- */

/* Edit distance, capped: only short keys are compared. */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b);
    size_t row[65];
    if (la > 64 || lb > 64) return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

bool cfg_check_keys(const cfg_node_t *map, const char *const known[], char *err, size_t errlen)
{
    if (!map || cfg_node_is_null(map)) return true;
    if (map->type != CFG_MAP) {
        cfg_node_error(map, err, errlen, "expected a mapping, got a %s", cfg_type_name(map->type));
        return false;
    }
    for (const cfg_node_t *c = map->child; c; c = c->next) {
        const char *best = NULL;
        size_t best_d = 3; /* suggest only close matches */
        bool found = false;
        for (size_t i = 0; known && known[i]; i++) {
            if (strlen(known[i]) == c->key_len && memcmp(known[i], c->key, c->key_len) == 0) {
                found = true;
                break;
            }
            size_t d = edit_distance(c->key, c->key_len, known[i]);
            if (d < best_d) {
                best_d = d;
                best = known[i];
            }
        }
        if (found) continue;
        char tmp[CFG_SHOW_MAX + 4];
        if (best)
            key_error(map, c, err, errlen, "unknown key '%s' (did you mean '%s'?)",
                      err_quote(c->key, c->key_len, tmp, sizeof(tmp)), best);
        else
            key_error(map, c, err, errlen, "unknown key '%s'",
                      err_quote(c->key, c->key_len, tmp, sizeof(tmp)));
        return false;
    }
    return true;
}
