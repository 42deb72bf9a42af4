/* fuzz_rule_parser.c -- rule files, address/port variables and
 * classification lines from arbitrary bytes.
 *
 * The input's first line (up to 256 bytes) becomes the value of $HOME_NET
 * and of $HTTP_PORTS (either may be refused); the rest is loaded as a rule
 * file and as a classification file. Every loaded rule must be consistent:
 * items inside their buffers, the fast pattern inside its content, address
 * and port ranges sorted and disjoint. No leaks (the set is freed). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rule_set.h"

static void quiet(void *ud, const char *line)
{
    (void)ud;
    if (strchr(line, '\n')) abort(); /* messages are one line */
}

static void check_groups(const rule_t *r)
{
    const rule_addr_t *a[2] = {r->src, r->dst};
    for (int k = 0; k < 2; k++) {
        for (uint32_t i = 0; i < a[k]->n4; i++) {
            if (a[k]->v4[i].lo > a[k]->v4[i].hi) abort();
            if (i && a[k]->v4[i].lo <= a[k]->v4[i - 1].hi) abort();
        }
        for (uint32_t i = 0; i < a[k]->n6; i++) {
            if (memcmp(a[k]->v6[i].lo, a[k]->v6[i].hi, 16) > 0) abort();
            if (i && memcmp(a[k]->v6[i].lo, a[k]->v6[i - 1].hi, 16) <= 0) abort();
        }
        if (a[k]->n4 + a[k]->n6 == 0) abort();
    }
    const rule_ports_t *p[2] = {r->sport, r->dport};
    for (int k = 0; k < 2; k++) {
        if (p[k]->n == 0) abort();
        for (uint32_t i = 0; i < p[k]->n; i++) {
            if (p[k]->r[i].lo > p[k]->r[i].hi) abort();
            if (i && p[k]->r[i].lo <= p[k]->r[i - 1].hi) abort();
        }
    }
}

static void check_rule(const rule_t *r)
{
    if (r->sid == 0 || r->msg == NULL || r->n_bufs > RULE_BUF_COUNT * 2) abort();
    check_groups(r);
    for (uint8_t b = 0; b < r->n_bufs; b++) {
        if (r->bufs[b].id >= RULE_BUF_COUNT || r->bufs[b].n_items == 0) abort();
        for (uint16_t i = 0; i < r->bufs[b].n_items; i++) {
            const rule_item_t *it = &r->bufs[b].items[i];
            if (it->type == RULE_ITEM_CONTENT &&
                (it->u.content.len == 0 || it->u.content.pat == NULL))
                abort();
            if (it->type == RULE_ITEM_PCRE && it->u.pcre.code == NULL) abort();
        }
    }
    if (r->fp.present) {
        if (r->fp.buf >= r->n_bufs || r->fp.item >= r->bufs[r->fp.buf].n_items) abort();
        const rule_item_t *it = &r->bufs[r->fp.buf].items[r->fp.item];
        if (it->type != RULE_ITEM_CONTENT) abort();
        const rule_content_t *ct = &it->u.content;
        if (r->fp.pat < ct->pat || r->fp.pat + r->fp.len > ct->pat + ct->len || r->fp.len == 0)
            abort();
    }
    for (uint16_t f = 0; f < r->n_flowbits; f++)
        if (r->flowbits[f].n == 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rule_set_opts_t opts = {.pcre_jit = false}; /* JIT is slow to build, not to parse */
    rule_set_t *rs = rule_set_new(&opts);
    if (rs == NULL) return 0;
    rule_set_set_diag(rs, quiet, NULL);
    const char *nl = memchr(data, '\n', size < 256 ? size : 256);
    if (nl) {
        char var[257], err[256];
        size_t n = (size_t)(nl - (const char *)data);
        memcpy(var, data, n);
        var[n] = '\0';
        rule_set_var_address(rs, "HOME_NET", var, err, sizeof(err));
        rule_set_var_port(rs, "HTTP_PORTS", var, err, sizeof(err));
        data += n + 1;
        size -= n + 1;
    }
    rule_set_load_classification_buffer(rs, "fuzz.config", (const char *)data, size);
    rule_set_load_buffer(rs, "fuzz.rules", (const char *)data, size);
    for (size_t i = 0; i < rule_set_count(rs); i++)
        check_rule(rule_set_rule(rs, i));
    const rule_set_stats_t *st = rule_set_stats(rs);
    if (st->loaded != rule_set_count(rs)) abort();
    rule_set_free(rs);
    return 0;
}
