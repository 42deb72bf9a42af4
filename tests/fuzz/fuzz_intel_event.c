/* fuzz_intel_event.c -- matching and enriching an EVE event from the wire.
 *
 * The input is parsed as JSON; any event, however odd its fields, must be
 * matched and enriched without crashing, with at most the caller's number
 * of hits and valid JSON out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context/enrich.h"
#include "json_reader.h"

static corr_context_t *ctx;

static corr_context_t *context(void)
{
    char dir[] = "/tmp/fuzz_intel_eventXXXXXX", a[128], f[128], l[128];
    if (!mkdtemp(dir)) abort();
    snprintf(a, sizeof(a), "%s/assets.yml", dir);
    snprintf(f, sizeof(f), "%s/feeds.yml", dir);
    snprintf(l, sizeof(l), "%s/list.csv", dir);
    FILE *fp = fopen(a, "w");
    fputs("assets:\n"
          "  - {name: net, level: 3, criticality: high, cidrs: [10.0.0.0/8, \"fd00::/8\"]}\n"
          "  - {name: host, level: 5, criticality: low, cidrs: [10.1.2.3], tags: [a, b]}\n",
          fp);
    fclose(fp);
    fp = fopen(f, "w");
    fputs("feeds:\n  - {name: l, file: list.csv, format: csv}\n", fp);
    fclose(fp);
    fp = fopen(l, "w");
    fputs("type,value,source,confidence,expires,description\n"
          "ip,10.1.2.3,a,10,,\ncidr,10.0.0.0/8,b,20,,\ndomain,evil.example,c,30,,\n"
          "url,http://evil.example/x,d,40,,\nja3,e5a177480afbfff910a9b41d878c988a,e,50,,\n"
          "sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,f,60,,\n"
          "ip,fd00::1,g,70,2025-01-01,\n",
          fp);
    fclose(fp);
    corr_context_paths_t p = {a, f};
    char err[512];
    corr_context_t *c = corr_context_load(&p, NULL, err, sizeof(err));
    unlink(a);
    unlink(f);
    unlink(l);
    rmdir(dir);
    if (!c) abort();
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_tok_t toks[4096];
    if (!ctx) ctx = context();
    int n = json_parse((const char *)data, size, toks, 4096, NULL, 0);
    if (n < 0) return 0;
    corr_event_t ev = {{(const char *)data, size, toks, n},
                       {NULL, 0, NULL, 0},
                       (int64_t)size * 1000000000,
                       "f:1:1"};
    jw_t w;
    jw_init(&w);
    corr_enrichment_t en;
    if (corr_enrich_event(ctx, &ev, &w, &en)) {
        static json_tok_t out[4096];
        if (!w.oom && json_parse(w.buf, w.len, out, 4096, NULL, 0) < 0) abort();
    } else if (w.len != 0) {
        abort();
    }
    if (en.nhits > CORR_ENRICH_MAX_HITS) abort();
    jw_free(&w);
    return 0;
}
