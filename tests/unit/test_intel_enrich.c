/* Unit tests for correlator/context/enrich.c and context.c: the "extra"
 * object written for real EVE lines of pcaps/city_mix.pcap
 * (tests/data/intel/city_mix-sample.eve) with the city's rules/assets.yml
 * and rules/intel/feeds.yml, and loading/reloading the context. Expected
 * JSON is written by hand from those two files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "context/enrich.h"
#include "context/priority.h"

#define OWNER_IT "Sở Thông tin và Truyền thông -- Trung tâm Công nghệ thông tin và Truyền thông"
#define USERS                                                                                      \
    "{\"name\":\"office-users\",\"level\":2,\"criticality\":\"low\",\"owner\":\"" OWNER_IT         \
    "\",\"tags\":[\"users\",\"internal\"]}"
#define DNS                                                                                        \
    "{\"name\":\"dns-resolvers\",\"level\":3,\"criticality\":\"high\",\"owner\":\"" OWNER_IT       \
    "\",\"tags\":[\"infrastructure\",\"dns\"]}"
#define PORTAL                                                                                          \
    "{\"name\":\"dichvucong\",\"level\":3,\"criticality\":\"high\",\"owner\":\"Văn phòng UBND "       \
    "thành phố Cần Thơ (Trung tâm Phục vụ hành chính công)\",\"tags\":[\"e-government\"," \
    "\"public-facing\",\"web\",\"citizen-data\"]}"

static char err[512];
static size_t nlines;

static void collect(void *arg, const char *line)
{
    (void)arg;
    (void)line;
    nlines++;
}

static ctx_diag_t diag = {collect, NULL, 1000, 0};

static corr_context_t *city(void)
{
    const char *src = getenv("SOC_SOURCE_DIR");
    char assets[1024], intel[1024];
    snprintf(assets, sizeof(assets), "%s/rules/assets.yml", src ? src : ".");
    snprintf(intel, sizeof(intel), "%s/rules/intel/feeds.yml", src ? src : ".");
    corr_context_paths_t p = {assets, intel};
    nlines = 0;
    corr_context_t *ctx = corr_context_load(&p, &diag, err, sizeof(err));
    if (!ctx) fail_msg("%s", err);
    assert_int_equal(nlines, 0);
    return ctx;
}

typedef struct line {
    char text[4096];
    size_t len;
    json_tok_t toks[1024];
    int ntoks;
    corr_event_t ev;
} line_t;

/* The n-th line (1-based) of the sample, parsed, with its timestamp. */
static void sample(int n, line_t *l)
{
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/data/intel/city_mix-sample.eve", src ? src : ".");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    for (int i = 0; i < n; i++)
        assert_non_null(fgets(l->text, sizeof(l->text), f));
    fclose(f);
    l->len = strcspn(l->text, "\n");
    l->ntoks = json_parse(l->text, l->len, l->toks, 1024, err, sizeof(err));
    if (l->ntoks < 0) fail_msg("%s", err);
    const json_tok_t *ts = json_get(l->text, l->toks, l->ntoks, "timestamp");
    size_t tl;
    const char *t = json_tok_raw(l->text, ts, &tl);
    assert_true(ctx_time_parse(t, tl, &l->ev.ts_usec));
    l->ev.eve = (corr_doc_t){l->text, l->len, l->toks, l->ntoks};
    l->ev.extra = (corr_doc_t){NULL, 0, NULL, 0};
    l->ev.id = "vm:31bc6db5ea05c44ae2607301180382dc:1";
}

static void expect_extra(const corr_context_t *ctx, int n, const char *want)
{
    static line_t l;
    sample(n, &l);
    jw_t w;
    jw_init(&w);
    corr_enrichment_t en;
    bool wrote = corr_enrich_event(ctx, &l.ev, &w, &en);
    if (!want) {
        assert_false(wrote);
        assert_int_equal(w.len, 0);
    } else {
        assert_true(wrote);
        assert_false(w.oom);
        if (w.len != strlen(want) || memcmp(w.buf, want, w.len) != 0)
            fail_msg("line %d:\n got  %.*s\n want %s", n, (int)w.len, w.buf, want);
        /* it is JSON the engine can read back */
        json_tok_t toks[256];
        assert_true(json_parse(w.buf, w.len, toks, 256, err, sizeof(err)) > 0);
    }
    jw_free(&w);
}

static void test_city_mix(void **state)
{
    (void)state;
    corr_context_t *ctx = city();
    /* 1: a citizen's resolver query for the portal */
    expect_extra(ctx, 1, "{\"src_asset\":" USERS ",\"dest_asset\":" DNS "}");
    /* 2: sqlmap alert from a watch-listed scanner against the portal */
    expect_extra(ctx, 2,
                 "{\"dest_asset\":" PORTAL ",\"intel\":[{\"type\":\"ip\",\"value\":"
                 "\"89.160.20.128\",\"source\":\"cantho-soc\",\"confidence\":80,\"field\":"
                 "\"src_ip\"}]}");
    /* 3: SSH sweep alert, the sweeper's /28 on the watch list */
    expect_extra(ctx, 3,
                 "{\"dest_asset\":{\"name\":\"datacenter-servers\",\"level\":3,\"criticality\":"
                 "\"medium\",\"owner\":\"" OWNER_IT "\",\"tags\":[\"infrastructure\","
                 "\"server-zone\"]},\"intel\":[{\"type\":\"cidr\",\"value\":\"81.2.69.160/28\","
                 "\"source\":\"cantho-soc\",\"confidence\":60,\"field\":\"src_ip\"}]}");
    /* 4: a lookup of a domain on the ET-derived list */
    expect_extra(ctx, 4,
                 "{\"src_asset\":" USERS ",\"dest_asset\":" DNS ",\"intel\":[{\"type\":"
                 "\"domain\",\"value\":\"ab3520430c23.com\",\"source\":\"et-derived-domains\","
                 "\"confidence\":70,\"field\":\"dns.rrname\"}]}");
    /* 5: the clerk's office mailing through the mail server */
    expect_extra(ctx, 5,
                 "{\"src_asset\":{\"name\":\"qlvb\",\"level\":3,\"criticality\":\"high\","
                 "\"owner\":\"Văn phòng UBND thành phố Cần Thơ\",\"tags\":[\"e-government\","
                 "\"documents\",\"internal\"]},\"dest_asset\":{\"name\":\"mail\",\"level\":3,"
                 "\"criticality\":\"high\",\"owner\":\"" OWNER_IT "\",\"tags\":[\"e-government\","
                 "\"mail\"]}}");
    /* 6: stats: no address, no indicator, no extra */
    expect_extra(ctx, 6, NULL);
    corr_context_free(ctx);
}

/* Expiry is judged at the event's time; priority uses the looked-up assets. */
static void test_event_time_and_priority(void **state)
{
    (void)state;
    corr_context_t *ctx = city();
    static line_t l;
    sample(2, &l);
    corr_enrichment_t en;
    corr_enrich_lookup(ctx, &l.ev.eve, l.ev.ts_usec, &en);
    assert_null(en.src);
    assert_non_null(en.dest);
    assert_string_equal(en.dest->name, "dichvucong");
    assert_int_equal(en.nhits, 1);
    /* severity high (3) on a level-3 high-criticality asset: 12+2+2 = 16, P2 */
    assert_int_equal(corr_priority_assets(3, en.src, en.dest), 2);
    /* the watch list entry expires 2026-12-31T23:59:59+07:00 = 1798736399 (date -u -d
     * 2026-12-31T16:59:59Z +%s) */
    corr_enrich_lookup(ctx, &l.ev.eve, 1798736399000000LL - 1, &en);
    assert_int_equal(en.nhits, 1);
    corr_enrich_lookup(ctx, &l.ev.eve, 1798736399000000LL, &en);
    assert_int_equal(en.nhits, 0);
    jw_t w;
    jw_init(&w);
    assert_true(corr_enrich_write(&en, &w));
    assert_int_equal(w.len, strlen("{\"dest_asset\":" PORTAL "}"));
    assert_memory_equal(w.buf, "{\"dest_asset\":" PORTAL "}", w.len);
    jw_free(&w);
    corr_context_free(ctx);
    /* no context: nothing */
    corr_enrich_lookup(NULL, &l.ev.eve, 0, &en);
    assert_null(en.dest);
    assert_int_equal(en.nhits, 0);
}

/* Written inside an open array (as the engine may batch): a value there. */
static void test_write_position(void **state)
{
    (void)state;
    corr_context_t *ctx = city();
    static line_t l;
    sample(1, &l);
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_karray_open(&w, "x");
    assert_true(corr_enrich_event(ctx, &l.ev, &w, NULL));
    assert_true(corr_enrich_event(ctx, &l.ev, &w, NULL));
    jw_array_close(&w);
    jw_object_close(&w);
    const char *want = "{\"x\":[{\"src_asset\":" USERS ",\"dest_asset\":" DNS "},"
                       "{\"src_asset\":" USERS ",\"dest_asset\":" DNS "}]}";
    assert_int_equal(w.len, strlen(want));
    assert_memory_equal(w.buf, want, w.len);
    jw_free(&w);
    corr_context_free(ctx);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_reload(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_intel_enrichXXXXXX", a[256], f[256], l[256];
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof(a), "%s/assets.yml", dir);
    snprintf(f, sizeof(f), "%s/feeds.yml", dir);
    snprintf(l, sizeof(l), "%s/list.txt", dir);
    write_file(a, "assets:\n  - {name: one, level: 2, criticality: low, cidrs: [10.0.0.0/8]}\n");
    write_file(f, "feeds:\n  - {name: lst, file: list.txt, format: plain}\n");
    write_file(l, "evil.example\n");
    corr_context_paths_t p = {a, f};
    nlines = 0;
    corr_context_t *ctx = corr_context_load(&p, &diag, err, sizeof(err));
    if (!ctx) fail_msg("%s", err);
    const corr_context_t *first = ctx;
    assert_string_equal(asset_lookup_str(corr_context_assets(ctx), "10.1.1.1", 8)->name, "one");
    assert_int_equal(corr_context_stats(ctx)->intel.entries.loaded, 1);

    /* broken assets file: the reload fails, the old context stays */
    write_file(a, "assets: [\n");
    assert_false(corr_context_reload(&ctx, &p, &diag, err, sizeof(err)));
    assert_true(strncmp(err, a, strlen(a)) == 0);
    assert_ptr_equal(ctx, first);
    assert_string_equal(asset_lookup_str(corr_context_assets(ctx), "10.1.1.1", 8)->name, "one");
    /* broken feeds file: the same */
    write_file(a, "assets:\n  - {name: two, level: 4, criticality: high, cidrs: [10.0.0.0/8]}\n");
    write_file(f, "feeds: {name: x}\n");
    assert_false(corr_context_reload(&ctx, &p, &diag, err, sizeof(err)));
    char want[512];
    snprintf(want, sizeof(want), "%s:1:8: feeds: expected a sequence, got a mapping", f);
    assert_string_equal(err, want);
    assert_ptr_equal(ctx, first);
    /* both good again: swapped */
    write_file(f, "feeds:\n  - {name: lst, file: list.txt, format: plain}\n");
    write_file(l, "evil.example\nbad.example\n");
    assert_true(corr_context_reload(&ctx, &p, &diag, err, sizeof(err)));
    assert_string_equal(asset_lookup_str(corr_context_assets(ctx), "10.1.1.1", 8)->name, "two");
    assert_int_equal(corr_context_stats(ctx)->intel.entries.loaded, 2);
    /* a missing feed file is reported, the context still loads */
    unlink(l);
    nlines = 0;
    assert_true(corr_context_reload(&ctx, &p, &diag, err, sizeof(err)));
    assert_int_equal(nlines, 1);
    assert_int_equal(corr_context_stats(ctx)->intel.feeds_failed, 1);
    corr_context_free(ctx);

    /* no files at all: an empty context */
    corr_context_paths_t none = {NULL, NULL};
    ctx = corr_context_load(&none, &diag, err, sizeof(err));
    assert_non_null(ctx);
    assert_int_equal(asset_count(corr_context_assets(ctx)), 0);
    assert_int_equal(intel_count(corr_context_intel(ctx), INTEL_TYPE_COUNT), 0);
    corr_context_free(ctx);
    unlink(a);
    unlink(f);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_city_mix),
        cmocka_unit_test(test_event_time_and_priority),
        cmocka_unit_test(test_write_position),
        cmocka_unit_test(test_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
