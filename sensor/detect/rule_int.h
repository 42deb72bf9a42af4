/* rule_int.h -- internals shared by the rule parser files (not for users).
 *
 *   rule_util.c            arena, string map, small parsing helpers
 *   rule_vars.c            address and port variables
 *   rule_address.c         address and port groups
 *   rule_classification.c  classification.config
 *   rule_parser.c          one rule: header, option split, finalisation
 *   rule_keywords.c        keyword table; meta, flow, flowbits, checks
 *   rule_content.c         content and its modifiers, sticky buffers
 *   rule_pcre.c            pcre
 *   rule_bytes.c           byte_test, byte_jump, isdataat, bsize, urilen
 *   rule_fastpattern.c     choosing the fast pattern
 *   rule_set.c             files, the set, totals */
#ifndef SOC_RULE_INT_H
#define SOC_RULE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rule.h"
#include "rule_set.h"

/* ---- arena: bump allocation in chunks, with rollback ---- */

typedef struct arena_chunk arena_chunk_t;

typedef struct arena {
    arena_chunk_t *head; /* newest chunk */
    size_t bytes;        /* total chunk bytes, for limits and reports */
} arena_t;

typedef struct arena_mark {
    arena_chunk_t *chunk;
    size_t used;
} arena_mark_t;

/* Zeroed, 8-byte aligned; NULL when out of memory. */
void *arena_alloc(arena_t *a, size_t n);
void *arena_dup(arena_t *a, const void *p, size_t n);
char *arena_strndup(arena_t *a, const char *s, size_t n); /* NUL-terminated */
arena_mark_t arena_mark(const arena_t *a);
void arena_rollback(arena_t *a, arena_mark_t m); /* frees everything after m */
void arena_free(arena_t *a);

/* ---- string map: open addressing; keys are not copied ---- */

typedef struct strmap_slot {
    const char *key; /* NULL: empty */
    uint32_t len, hash;
    void *val;
} strmap_slot_t;

typedef struct strmap {
    strmap_slot_t *slots;
    size_t cap, n;
} strmap_t;

/* Slot of key, or NULL. */
strmap_slot_t *strmap_find(const strmap_t *m, const char *key, size_t len);
/* Insert or replace; key must outlive the map. False when out of memory. */
bool strmap_put(strmap_t *m, const char *key, size_t len, void *val);
void strmap_clear(strmap_t *m); /* forget every key, keep the table */
void strmap_free(strmap_t *m);

/* ---- small helpers ---- */

bool rule_is_space(char c);
/* Trim spaces at both ends of [*s, *s + *len). */
void rule_trim(const char **s, size_t *len);
/* Decimal integers (optional sign for i64) spanning the whole text. */
bool rule_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
bool rule_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);
/* Equal to a NUL-terminated literal. */
bool rule_eq(const char *s, size_t len, const char *lit);
bool rule_eq_nocase(const char *s, size_t len, const char *lit); /* ASCII case */
/* Next comma-separated field of [*s, end): trimmed; false at the end. */
bool rule_next_field(const char **s, const char *end, const char **f, size_t *flen);
/* Inside of a quoted value: [v, v + len) must be '"' ... '"' with the last
 * quote not escaped. False when it is not. */
bool rule_quoted(const char *v, size_t len, const char **in, size_t *ilen);
/* "N", "!N", "<N", "<=N", ">N", ">=N", "N<>M", "N-M" into a comparison. */
bool rule_parse_cmp(const char *s, size_t len, uint64_t max, rule_cmp_t *out, const char **why);

/* ---- the set ---- */

typedef struct rule_vars {
    strmap_t addr, port; /* name -> malloc'd value; keys malloc'd too */
} rule_vars_t;

void rule_vars_init(rule_vars_t *v);     /* empty */
bool rule_vars_defaults(rule_vars_t *v); /* Suricata's stock values */
bool rule_vars_set(strmap_t *m, const char *name, const char *value);
const char *rule_vars_get(const strmap_t *m, const char *name, size_t len);
void rule_vars_free(rule_vars_t *v);

typedef struct rule_class {
    const char *desc;
    uint8_t prio;
} rule_class_t;

#define RULE_MAX_REASONS 512

typedef struct rule_reason {
    const char *text;
    uint32_t count;
} rule_reason_t;

struct rule_set {
    rule_set_opts_t opts;
    arena_t rules;  /* rule bodies; rolled back when a rule is skipped */
    arena_t shared; /* interned strings, groups, classes: never rolled back */
    rule_t **v;     /* loaded rules, in load order */
    size_t n, cap;

    rule_vars_t vars;
    strmap_t addr_cache, port_cache; /* group text -> resolved group */
    strmap_t classes;                /* shortname -> rule_class_t */
    strmap_t intern;                 /* string -> itself */
    strmap_t flowbits;               /* name -> id + 1 */
    const char **fb_names;
    uint32_t fb_n, fb_cap;

    uint64_t *sid_keys; /* open addressing: (gid << 32 | sid) + 1, 0 = empty */
    uint32_t *sid_rule; /* index into v */
    size_t sid_cap;

    rule_reason_t reasons[RULE_MAX_REASONS];
    size_t n_reasons;
    rule_set_stats_t stats;

    rule_diag_fn diag;
    void *diag_ud;
    char last_error[1024];
    struct rule_ctx *ctx; /* scratch for one rule, reused */
};

/* Interned copy of a string (shared arena); NULL when out of memory. */
const char *rule_intern(rule_set_t *rs, const char *s, size_t len);
/* Report a line through the diagnostic callback. */
void rule_diag(rule_set_t *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

bool rule_class_add(rule_set_t *rs, const char *name, size_t nlen, const char *desc, size_t dlen,
                    uint8_t prio);
bool rule_class_defaults(rule_set_t *rs);

/* Resolved groups, cached per text; NULL with a message in err. */
const rule_addr_t *rule_addr_get(rule_set_t *rs, const char *s, size_t len, char *err,
                                 size_t errlen);
const rule_ports_t *rule_ports_get(rule_set_t *rs, const char *s, size_t len, char *err,
                                   size_t errlen);

/* ---- one rule being parsed ---- */

#define RULE_MAX_OPTIONS  512
#define RULE_MAX_ITEMS    256
#define RULE_MAX_BUFS     RULE_BUF_COUNT
#define RULE_MAX_META     128
#define RULE_MAX_FLOWBITS 32
#define RULE_ERR_MAX      384

/* What rule_ctx.seen records, to refuse a keyword given twice. */
#define SEEN_SID       0x0001
#define SEEN_REV       0x0002
#define SEEN_GID       0x0004
#define SEEN_MSG       0x0008
#define SEEN_CLASSTYPE 0x0010
#define SEEN_PRIORITY  0x0020
#define SEEN_FLOW      0x0040
#define SEEN_THRESHOLD 0x0080
#define SEEN_FAST      0x0100
#define SEEN_TARGET    0x0200

typedef struct rule_pitem {
    rule_item_t it;
    uint8_t slot; /* index into rule_ctx.slots */
} rule_pitem_t;

typedef struct rule_slot {
    uint8_t id, xform;
} rule_slot_t;

typedef struct rule_opt {
    const char *name, *val; /* val NULL: no value */
    uint32_t nlen, vlen;
} rule_opt_t;

typedef struct rule_ctx {
    rule_set_t *rs;
    rule_t *r;
    rule_opt_t opts[RULE_MAX_OPTIONS];
    uint32_t n_opts;
    const char *kw; /* keyword being handled, for messages */
    char msg[RULE_ERR_MAX];
    char reason[128];

    rule_pitem_t items[RULE_MAX_ITEMS];
    uint32_t n_items;
    rule_slot_t slots[RULE_MAX_BUFS * 2];
    uint32_t n_slots;
    int sticky;            /* rule_buf_t of the active sticky buffer, -1 none */
    uint8_t sticky_xform;  /* its transforms */
    const char *sticky_kw; /* keyword that selected it */
    bool sticky_used;      /* an item went into it */
    int last_content;      /* item index, -1 none */
    int last_anchor;       /* last content/pcre/byte item, -1 none */

    rule_meta_t meta[RULE_MAX_META];
    uint32_t n_meta;
    rule_flowbit_t fb[RULE_MAX_FLOWBITS];
    uint32_t n_fb;
    struct pcre2_real_code_8 *pcres[RULE_MAX_ITEMS];
    uint32_t n_pcres;

    uint32_t seen; /* SEEN_* */
    int priority;  /* -1 unset */
    bool unknown_class;
    uint8_t scratch[RULE_MAX_LEN];
} rule_ctx_t;

/* Fail the rule: "KW: detail", counted as "invalid 'KW'". Returns false. */
bool rule_fail(rule_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail with a custom reason key (message is the whole detail). */
bool rule_fail_reason(rule_ctx_t *c, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keywords: handler gets the trimmed value (NULL when the option had none). */
typedef bool (*rule_kw_fn)(rule_ctx_t *c, const char *v, size_t len);

typedef struct rule_keyword {
    const char *name;
    rule_kw_fn fn;
    uint8_t value; /* KW_VALUE_* */
} rule_keyword_t;

#define KW_VALUE_NONE     0 /* "nocase;" */
#define KW_VALUE_REQUIRED 1 /* "depth:4;" */
#define KW_VALUE_OPTIONAL 2 /* "fast_pattern;" or "fast_pattern:only;" */

const rule_keyword_t *rule_keyword_find(const char *name, size_t len);
/* Sticky-buffer keywords and http_* content modifiers (rule_content.c). */
const rule_keyword_t *rule_buffer_keyword(const char *name, size_t len);

/* Keyword handlers in the per-family files. */
bool kw_content(rule_ctx_t *c, const char *v, size_t len);
bool kw_nocase(rule_ctx_t *c, const char *v, size_t len);
bool kw_rawbytes(rule_ctx_t *c, const char *v, size_t len);
bool kw_depth(rule_ctx_t *c, const char *v, size_t len);
bool kw_offset(rule_ctx_t *c, const char *v, size_t len);
bool kw_distance(rule_ctx_t *c, const char *v, size_t len);
bool kw_within(rule_ctx_t *c, const char *v, size_t len);
bool kw_startswith(rule_ctx_t *c, const char *v, size_t len);
bool kw_endswith(rule_ctx_t *c, const char *v, size_t len);
bool kw_fast_pattern(rule_ctx_t *c, const char *v, size_t len);
bool kw_sticky(rule_ctx_t *c, const char *v, size_t len);
bool kw_pkt_data(rule_ctx_t *c, const char *v, size_t len);
bool kw_modifier(rule_ctx_t *c, const char *v, size_t len);
bool kw_dotprefix(rule_ctx_t *c, const char *v, size_t len);
bool kw_pcre(rule_ctx_t *c, const char *v, size_t len);
bool kw_byte_test(rule_ctx_t *c, const char *v, size_t len);
bool kw_byte_jump(rule_ctx_t *c, const char *v, size_t len);
bool kw_isdataat(rule_ctx_t *c, const char *v, size_t len);
bool kw_bsize(rule_ctx_t *c, const char *v, size_t len);
bool kw_urilen(rule_ctx_t *c, const char *v, size_t len);

/* The rule inspects app protocol `app` (from a buffer or keyword): adopt it
 * or fail when the header says otherwise. */
bool rule_need_app(rule_ctx_t *c, app_proto_t app);
/* Slot for (buffer, transforms), created on first use; -1 when full. */
int rule_slot(rule_ctx_t *c, uint8_t id, uint8_t xform);
/* Append an item to a slot; NULL (rule failed) when the rule is full. */
rule_pitem_t *rule_add_item(rule_ctx_t *c, int slot, uint8_t type);
/* Slot for a new content/pcre/byte item: the sticky buffer, else for a
 * relative item the slot of the last anchor, else the payload. */
int rule_item_slot(rule_ctx_t *c, bool relative);

/* Finalisation steps. */
bool rule_check_contents(rule_ctx_t *c);
bool rule_choose_fast_pattern(rule_ctx_t *c);

#endif
