/* config.h -- the one YAML configuration loader every program shares.
 *
 * A file is parsed (libyaml) into a read-only tree of nodes: mappings,
 * sequences and scalars, each remembering its line and column. Programs
 * read it through dotted paths ("sensor.flow.max-flows") and typed getters
 * that apply defaults and ranges, and report problems as one line:
 *
 *     FILE:LINE:COL: sensor.flow.max-flows: expected an integer 1..100000000, got 'abc'
 *
 * Loading is bounded (file size, nesting depth, node count) and safe on any
 * input: aliases are expanded by copying, and the copies have their own
 * small limit, so an alias bomb ends in an error at once rather than
 * exhausting memory or time. Merge keys ("<<") get no special meaning.
 *
 * Every getter takes a base node and a path relative to it; base may be NULL
 * (no config file, or a section that is absent), and then the default is
 * used. An empty path means the base node itself (useful when iterating a
 * sequence). A missing key, or a scalar that is YAML null ("", "~", "null"),
 * yields the default. Getters return false only for a value that is present
 * but wrong, with the message in err. */
#ifndef SOC_CONFIG_H
#define SOC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_FILE_SIZE   (4u << 20) /* bytes */
#define CFG_MAX_DEPTH       64         /* nested mappings/sequences */
#define CFG_MAX_NODES       200000     /* including alias copies */
#define CFG_MAX_ALIAS_NODES 10000      /* nodes created by expanding aliases */
#define CFG_MAX_DOCS        1024       /* "---" separated documents */

typedef enum cfg_type {
    CFG_SCALAR,
    CFG_MAP,
    CFG_SEQ,
} cfg_type_t;

/* A node of the tree. Read-only for users; children are iterated with
 *     for (const cfg_node_t *c = node->child; c; c = c->next)
 * Map members carry their key; sequence items have key == NULL. */
typedef struct cfg_node {
    cfg_type_t type;
    bool quoted;                /* scalar was quoted or a block scalar: never null */
    uint32_t line, col;         /* 1-based position of the value */
    uint32_t key_line, key_col; /* 1-based position of the key (map members) */
    const char *key;            /* map member: key (NUL-terminated); else NULL */
    size_t key_len;             /* bytes in key (a quoted key may contain NUL) */
    const char *str;            /* scalar: value (NUL-terminated); else NULL */
    size_t len;                 /* scalar: bytes in str */
    size_t index;               /* position among the parent's children */
    size_t count;               /* map/seq: number of children */
    const char *file;           /* file name, for messages */
    struct cfg_node *parent, *child, *next;
} cfg_node_t;

typedef struct cfg cfg_t;

/* Load a file (at most CFG_MAX_FILE_SIZE bytes). NULL on error, with a
 * one-line message in err ("FILE:LINE:COL: ..." or "FILE: ..."). */
cfg_t *cfg_load_file(const char *path, char *err, size_t errlen);
/* Same for a buffer; name stands for the file name in messages. */
cfg_t *cfg_load_buffer(const char *name, const char *buf, size_t len, char *err, size_t errlen);
void cfg_free(cfg_t *cfg);

/* Root of the first document; NULL for an empty file. */
const cfg_node_t *cfg_root(const cfg_t *cfg);
/* Number of documents and the i-th root (multi-document files, e.g. rule
 * files separated by "---"). An empty document has a NULL root. */
size_t cfg_doc_count(const cfg_t *cfg);
const cfg_node_t *cfg_doc(const cfg_t *cfg, size_t i);
const char *cfg_file(const cfg_t *cfg);

/* Node at a dotted path from the first document's root, or NULL. A numeric
 * segment indexes a sequence ("rules.0.name"). */
const cfg_node_t *cfg_get(const cfg_t *cfg, const char *path);
/* Same, relative to a node (NULL base gives NULL). */
const cfg_node_t *cfg_node_get(const cfg_node_t *base, const char *path);
/* Direct member of a map by exact key (keys may contain dots). */
const cfg_node_t *cfg_node_child(const cfg_node_t *map, const char *key);
/* Scalar that YAML reads as null: plain "", "~", "null". */
bool cfg_node_is_null(const cfg_node_t *node);
/* "sensor.flow.max-flows", "rules[2].name"; returns strlen (may be cut). */
size_t cfg_node_path(const cfg_node_t *node, char *out, size_t outlen);
/* "mapping", "sequence", "scalar". */
const char *cfg_type_name(cfg_type_t type);

/* Write "FILE:LINE:COL: PATH: message" about node into err, for callers
 * that validate values themselves. A NULL node writes just the message. */
void cfg_node_error(const cfg_node_t *node, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- typed getters (see the top of this file) ---- */

/* Any scalar; *out points into the tree (or is def). */
bool cfg_get_str(const cfg_node_t *base, const char *path, const char *def, const char **out,
                 char *err, size_t errlen);
/* A string copied into a fixed buffer dst of cap bytes (absent: dst keeps
 * its default); too long is an error at the value. */
bool cfg_get_strbuf(const cfg_node_t *base, const char *path, char *dst, size_t cap, char *err,
                    size_t errlen);

#define CFG_U64_SIZE 0x1u /* accept k/kb/kib, m/mb/mib, g/gb/gib (x1024) */
/* Decimal integer in min..max. */
bool cfg_get_u64(const cfg_node_t *base, const char *path, uint64_t def, uint64_t min, uint64_t max,
                 unsigned flags, uint64_t *out, char *err, size_t errlen);
/* Decimal integer with optional sign, in min..max. */
bool cfg_get_i64(const cfg_node_t *base, const char *path, int64_t def, int64_t min, int64_t max,
                 int64_t *out, char *err, size_t errlen);
/* Decimal number in min..max. */
bool cfg_get_double(const cfg_node_t *base, const char *path, double def, double min, double max,
                    double *out, char *err, size_t errlen);
/* yes/no, true/false, on/off (any case). */
bool cfg_get_bool(const cfg_node_t *base, const char *path, bool def, bool *out, char *err,
                  size_t errlen);
/* Seconds: "30", "30s", "5m", "1h", "2d"; result in min..max seconds. */
bool cfg_get_duration_sec(const cfg_node_t *base, const char *path, uint64_t def, uint64_t min,
                          uint64_t max, uint64_t *out, char *err, size_t errlen);
/* Milliseconds: "200ms", "2s", "1m", "1h" (whole numbers; a plain number
 * is seconds); at most max_ms. Absent: *v keeps its default. */
bool cfg_get_duration_ms(const cfg_node_t *base, const char *path, uint64_t *v, uint64_t max_ms,
                         char *err, size_t errlen);
/* A mapping or sequence; *out is NULL when absent (or null). */
bool cfg_get_map(const cfg_node_t *base, const char *path, const cfg_node_t **out, char *err,
                 size_t errlen);
bool cfg_get_seq(const cfg_node_t *base, const char *path, const cfg_node_t **out, char *err,
                 size_t errlen);

/* Strict sections: every key of map must be in known (NULL-terminated).
 * NULL map is fine; a non-map is an error. The first unknown key is
 * reported at its position, with a suggestion when one is close. */
bool cfg_check_keys(const cfg_node_t *map, const char *const known[], char *err, size_t errlen);

#endif
