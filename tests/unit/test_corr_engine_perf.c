/* test_corr_engine_perf.c -- how fast the correlation engine runs the rule
 * pack (rules/correlation/) over real EVE lines, and what a tracked key
 * costs in memory. Prints figures, asserts none (the machine varies).
 *
 * The lines come from the sensor on pcaps/city_mix.pcap with the city's
 * signatures (the soc-sensor of this build, beside the test binary); when
 * it is not there, from a few lines of the same run kept below. Each line
 * is made into VARIANTS copies with other outside and client addresses,
 * and the whole set is replayed ROUNDS times, 3 s of event time apart, so
 * the windows fill and the rules fire. Events are tokenized before the
 * clock starts: the figure is the engine (detection rules and windows). */
#include <inttypes.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "test_corr_engine.h"

#define VARIANTS 64
#define ROUNDS   50
#define ROUND    (3 * SEC)

static const char *const fallback[] = {
    "{\"timestamp\":\"2024-03-01T10:40:00.384000+0000\",\"event_type\":\"alert\",\"src_ip\":"
    "\"89.160.20.128\",\"src_port\":39001,\"dest_ip\":\"10.20.0.10\",\"dest_port\":80,\"proto\":"
    "\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":9100001,\"rev\":1,"
    "\"signature\":\"CANTHO SQL injection tool (sqlmap) against a public service\",\"category\":"
    "\"Web Application Attack\",\"severity\":1},\"app_proto\":\"http\",\"http\":{\"hostname\":"
    "\"dichvucong.cantho.gov.vn\",\"url\":\"/tracuu?maHoSo=1%27%20AND%201234%3D1234--%20-\","
    "\"http_user_agent\":\"sqlmap/1.7.2#stable (https://sqlmap.org)\",\"http_method\":\"GET\"},"
    "\"sensor\":{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":10}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.002000+0000\",\"event_type\":\"dns\",\"src_ip\":"
    "\"10.10.1.25\",\"src_port\":52000,\"dest_ip\":\"10.20.0.2\",\"dest_port\":53,\"proto\":"
    "\"UDP\",\"app_proto\":\"dns\",\"dns\":{\"type\":\"query\",\"id\":24064,\"rrname\":"
    "\"dichvucong.cantho.gov.vn\",\"rrtype\":\"A\"},\"sensor\":{\"name\":\"vm\",\"boot_id\":"
    "\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":1}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.044000+0000\",\"event_type\":\"flow\",\"src_ip\":"
    "\"10.10.1.25\",\"src_port\":51000,\"dest_ip\":\"10.20.0.10\",\"dest_port\":443,\"proto\":"
    "\"TCP\",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":10,\"pkts_toclient\":8,"
    "\"bytes_toserver\":1178,\"bytes_toclient\":4187,\"state\":\"closed\",\"reason\":"
    "\"shutdown\",\"alerted\":false},\"sensor\":{\"name\":\"vm\",\"boot_id\":"
    "\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":22}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.500000+0000\",\"event_type\":\"flow\",\"src_ip\":"
    "\"89.160.20.128\",\"src_port\":40022,\"dest_ip\":\"10.20.0.10\",\"dest_port\":22,\"proto\":"
    "\"TCP\",\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,\"state\":\"closed\"},\"sensor\":"
    "{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":30}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.600000+0000\",\"event_type\":\"flow\",\"src_ip\":"
    "\"10.20.0.10\",\"src_port\":40100,\"dest_ip\":\"203.0.113.50\",\"dest_port\":8443,\"proto\":"
    "\"TCP\",\"flow\":{\"pkts_toserver\":4,\"pkts_toclient\":4,\"state\":\"closed\"},\"sensor\":"
    "{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":31}}",
};

typedef struct pev {
    char *text;
    json_tok_t *toks;
    corr_event_t ev;
    char id[48];
} pev_t;

static const char SERVER_EXTRA[] = "{\"src_asset\":{\"name\":\"dvc\",\"level\":3},"
                                   "\"dest_asset\":{\"name\":\"dvc\",\"level\":3}}";
static json_tok_t extra_toks[32];
static int n_extra;

/* Lines from this build's sensor, or the fallback. */
static size_t read_lines(char ***out)
{
    char exe[PATH_MAX], cmd[3 * PATH_MAX + 256];
    const char *src = getenv("SOC_SOURCE_DIR");
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    size_t count = 0, cap = 64;
    char **lines = calloc(cap, sizeof(char *));
    assert_non_null(lines);
    if (src && n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        snprintf(cmd, sizeof(cmd),
                 "'%s/../sensor/soc-sensor' -r '%s/pcaps/city_mix.pcap' -S "
                 "'%s/rules/signatures/city-attacks.rules' -S "
                 "'%s/rules/signatures/city-network.rules' --eve - 2>/dev/null",
                 exe, src, src, src);
        FILE *p = popen(cmd, "r");
        char buf[65536];
        while (p && fgets(buf, sizeof(buf), p)) {
            if (count == cap) lines = realloc(lines, (cap *= 2) * sizeof(char *));
            assert_non_null(lines);
            buf[strcspn(buf, "\n")] = '\0';
            lines[count++] = strdup(buf);
        }
        if (p) pclose(p);
    }
    if (count == 0) {
        printf("# soc-sensor not found beside the test: %zu built-in lines\n",
               sizeof(fallback) / sizeof(fallback[0]));
        for (size_t i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++)
            lines[count++] = strdup(fallback[i]);
    }
    *out = lines;
    return count;
}

/* Copy line with the addresses outside 10.20.0.0/16 (the city's servers)
 * moved to variant v: another third octet. */
static char *rewrite(const char *line, int v)
{
    size_t len = strlen(line);
    char *out = malloc(len + 64), *o = out;
    assert_non_null(out);
    const char *p = line;
    while (*p) {
        const char *k = NULL;
        if (strncmp(p, "\"src_ip\":\"", 10) == 0) k = p + 10;
        if (strncmp(p, "\"dest_ip\":\"", 11) == 0) k = p + 11;
        if (!k) {
            *o++ = *p++;
            continue;
        }
        memcpy(o, p, (size_t)(k - p));
        o += k - p;
        const char *end = strchr(k, '"');
        int a, b, c, d;
        if (end && strncmp(k, "10.20.", 6) != 0 && sscanf(k, "%d.%d.%d.%d", &a, &b, &c, &d) == 4)
            o += sprintf(o, "%d.%d.%d.%d", a, b, (c + v) % 256, d);
        else if (end) {
            memcpy(o, k, (size_t)(end - k));
            o += end - k;
        }
        p = end ? end : k;
    }
    *o = '\0';
    return out;
}

static bool has_server(const char *text)
{
    return strstr(text, "\"10.20.") != NULL;
}

static size_t build_pool(pev_t **out)
{
    char **lines;
    size_t nl = read_lines(&lines), n = 0;
    n_extra = json_parse(SERVER_EXTRA, strlen(SERVER_EXTRA), extra_toks, 32, NULL, 0);
    assert_true(n_extra > 0);
    pev_t *pool = calloc(nl * VARIANTS, sizeof(*pool));
    assert_non_null(pool);
    static json_tok_t toks[4096];
    for (int v = 0; v < VARIANTS; v++) {
        for (size_t i = 0; i < nl; i++) {
            pev_t *e = &pool[n];
            e->text = rewrite(lines[i], v);
            int nt = json_parse(e->text, strlen(e->text), toks, 4096, NULL, 0);
            if (nt <= 0) {
                free(e->text);
                continue;
            }
            e->toks = malloc((size_t)nt * sizeof(json_tok_t));
            assert_non_null(e->toks);
            memcpy(e->toks, toks, (size_t)nt * sizeof(json_tok_t));
            e->ev.eve = (corr_doc_t){e->text, strlen(e->text), e->toks, nt};
            if (has_server(e->text))
                e->ev.extra = (corr_doc_t){SERVER_EXTRA, strlen(SERVER_EXTRA), extra_toks, n_extra};
            snprintf(e->id, sizeof(e->id), "vm:d501f748b6f14b7f:%zu", n);
            e->ev.id = e->id;
            n++;
        }
    }
    for (size_t i = 0; i < nl; i++)
        free(lines[i]);
    free(lines);
    *out = pool;
    return n;
}

static void free_pool(pev_t *pool, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(pool[i].text);
        free(pool[i].toks);
    }
    free(pool);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void count_match(void *ud, const corr_match_t *m)
{
    (*(uint64_t *)ud)++;
    (void)m;
}

static void test_rule_pack(void **state)
{
    (void)state;
    const char *src = getenv("SOC_SOURCE_DIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/rules/correlation", src ? src : ".");
    const char *paths[1] = {dir};
    corr_ruleset_t *rs = corr_ruleset_load(paths, 1, diag_capture, NULL);
    assert_non_null(rs);
    pev_t *pool;
    size_t np = build_pool(&pool);
    const int64_t base = 1709289600 * SEC;
    const int64_t step = ROUND / (int64_t)np;

    /* detection rules alone, for comparison */
    double t0 = now_ns();
    uint64_t hits = 0;
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < np; i++) {
            const corr_rule_t *const *list;
            size_t n = corr_ruleset_detections(rs, corr_event_category(&pool[i].ev), &list);
            for (size_t k = 0; k < n; k++)
                hits += corr_rule_match(list[k], &pool[i].ev);
        }
    double t_detect = now_ns() - t0;

    uint64_t matches = 0;
    corr_engine_t *e = corr_engine_new(rs, NULL, count_match, &matches);
    assert_non_null(e);
    t0 = now_ns();
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < np; i++) {
            pool[i].ev.ts_usec = base + r * ROUND + (int64_t)i * step;
            corr_engine_event(e, &pool[i].ev);
        }
    double t_engine = now_ns() - t0;
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    double nev = (double)ROUNDS * (double)np;
    printf("# rule pack: %zu rules; %zu distinct events (%d address variants) x %d rounds = %.0f "
           "events\n",
           corr_ruleset_loaded(rs), np, VARIANTS, ROUNDS, nev);
    printf("# detection only: %.0f ns/event (%" PRIu64 " rule hits)\n", t_detect / nev, hits);
    printf("# engine: %.0f ns/event = %.0f events/s on one core; %" PRIu64 " matches, %" PRIu64
           " suppressed, %" PRIu64 " keys, %" PRIu64 " bytes (%.0f per key)\n",
           t_engine / nev, nev / (t_engine / 1e9), matches, st.suppressed, st.keys, st.bytes,
           st.keys ? (double)st.bytes / (double)st.keys : 0.0);
    corr_engine_free(e);
    free_pool(pool, np);
    corr_ruleset_free(rs);
}

/* Memory per key: many keys with few events each, the shape of a scan. */
static void test_memory_per_key(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text(
        "m.yml",
        "title: f\nid: flow_tcp\nlevel: low\nlogsource: {category: flow}\n"
        "detection: {s: {proto: TCP}, condition: s}\n"
        "---\ntitle: c\nid: cnt\nlevel: high\nsuppress: 30m\n"
        "correlation: {type: event_count, rules: [flow_tcp], group-by: [src_ip, dest_ip],\n"
        "  timespan: 10m, condition: {gte: 30}}\n"
        "---\ntitle: v\nid: vc\nlevel: high\nsuppress: 30m\n"
        "correlation: {type: value_count, rules: [flow_tcp], group-by: [src_ip],\n"
        "  timespan: 10m, condition: {gte: 1000, field: dest_port}}\n");
    corr_engine_t *e = corr_engine_new(rs, NULL, NULL, NULL);
    assert_non_null(e);
    corr_engine_stats_t st0, st;
    corr_engine_stats(e, &st0);
    const int keys = 20000, per_key = 5;
    double t0 = now_ns();
    for (int k = 0; k < per_key; k++)
        for (int i = 0; i < keys; i++) {
            char src[32], id[32];
            snprintf(src, sizeof(src), "100.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
            snprintf(id, sizeof(id), "vm:d501f748b6f14b7f:%d", k * keys + i);
            feed_ev(e, "flow", src, "10.20.0.10", 1000 + k, (int64_t)(k * keys + i) * 1000, id);
        }
    double t = now_ns() - t0;
    corr_engine_stats(e, &st);
    printf("# %d keys x 2 rules, %d events each (event ids, addresses, times, values kept): "
           "%.0f bytes per tracked key; %.0f ns/event including JSON parsing\n",
           keys, per_key, (double)(st.bytes - st0.bytes) / (double)st.keys, t / (keys * per_key));
    assert_int_equal(st.keys, 2 * keys);
    corr_engine_free(e);
    corr_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_pack),
        cmocka_unit_test(test_memory_per_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
