/* fuzz_config.c -- the YAML loader and every getter on arbitrary bytes.
 *
 * Loading must never crash, hang or leak; on failure the message must be one
 * NUL-terminated line. On success every node is visited and every getter is
 * applied to it, so value parsers see fuzzed text too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const known[] = {"sensor", "flow", "max-flows", "timeout", "name", NULL};

static void check_msg(const char *err)
{
    if (!memchr(err, '\0', 512) || strchr(err, '\n')) abort();
}

static void visit(const cfg_node_t *n, int depth)
{
    char err[512] = "";
    char path[128];
    uint64_t u;
    int64_t i;
    double d;
    bool b;
    const char *s;
    const cfg_node_t *m;

    if (depth > CFG_MAX_DEPTH + 1) abort(); /* the loader must have refused this */
    cfg_node_path(n, path, sizeof(path));
    if (n->type == CFG_SCALAR) {
        if (!n->str || n->str[n->len] != '\0') abort();
        cfg_get_u64(n, NULL, 0, 1, 1000000, 0, &u, err, sizeof(err));
        cfg_get_u64(n, NULL, 0, 0, UINT64_MAX, CFG_U64_SIZE, &u, err, sizeof(err));
        cfg_get_i64(n, NULL, 0, INT64_MIN, INT64_MAX, &i, err, sizeof(err));
        cfg_get_double(n, NULL, 0, -1e9, 1e9, &d, err, sizeof(err));
        cfg_get_bool(n, NULL, false, &b, err, sizeof(err));
        cfg_get_duration_sec(n, NULL, 0, 0, UINT64_MAX, &u, err, sizeof(err));
        cfg_get_str(n, NULL, NULL, &s, err, sizeof(err));
        check_msg(err);
        return;
    }
    size_t count = 0;
    for (const cfg_node_t *c = n->child; c; c = c->next) {
        if (c->parent != n || c->index != count) abort();
        count++;
        visit(c, depth + 1);
    }
    if (count != n->count) abort();
    if (n->type == CFG_MAP) {
        cfg_check_keys(n, known, err, sizeof(err));
        cfg_get_map(n, "flow", &m, err, sizeof(err));
        cfg_get_u64(n, "flow.max-flows", 1, 1, 10, 0, &u, err, sizeof(err));
        check_msg(err);
    } else {
        cfg_get_seq(n, "0", &m, err, sizeof(err));
        cfg_get_str(n, "1.name", NULL, &s, err, sizeof(err));
        check_msg(err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    memset(err, 'X', sizeof(err));
    err[sizeof(err) - 1] = '\0';
    cfg_t *cfg = cfg_load_buffer("fuzz.yaml", (const char *)data, size, err, sizeof(err));
    if (!cfg) {
        check_msg(err);
        if (strncmp(err, "fuzz.yaml", 9) != 0) abort(); /* every message names the file */
        return 0;
    }
    for (size_t i = 0; i < cfg_doc_count(cfg); i++) {
        const cfg_node_t *root = cfg_doc(cfg, i);
        if (root) visit(root, 0);
    }
    (void)cfg_get(cfg, "sensor.flow.max-flows");
    cfg_free(cfg);
    return 0;
}
