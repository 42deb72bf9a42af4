/* test_corr_perf.c -- how fast detection rules run: 30 rules of the kind
 * the city's rule pack holds (contains lists, regular expressions, cidr,
 * numbers, exists, filters) over real EVE lines from pcaps/city_mix.pcap
 * (soc-sensor output), with an enrichment document on half of them.
 * Prints ns per event per rule, all rules on every event and through the
 * category index; no timing is asserted (the machine varies). The goal:
 * ~30 rules per event at >= 100k events/s on 2 cores, i.e. under ~650 ns
 * per rule evaluation with every rule run on every event. It does check
 * that the rules match what they should on these events. */
#include <stdlib.h>
#include <time.h>

#include "test_corr_util.h"

static const char *const eve_lines[] = {
    "{\"timestamp\":\"2024-03-01T10:40:00.384000+0000\",\"flow_id\":6162255867543565,\"event_"
    "type\":\"alert\",\"src_ip\":\"89.160.20.128\",\"src_port\":39001,\"dest_ip\":\"10.20.0.1"
    "0\",\"dest_port\":80,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"sig"
    "nature_id\":9100001,\"rev\":1,\"signature\":\"CANTHO SQL injection tool (sqlmap) against"
    " a public service\",\"category\":\"Web Application Attack\",\"severity\":1,\"metadata\":"
    "{\"service\":[\"dichvucong\"],\"created_at\":[\"2026_11_21\"]}},\"app_proto\":\"http\","
    "\"http\":{\"hostname\":\"dichvucong.cantho.gov.vn\",\"url\":\"/tracuu?maHoSo=1%27%20AND%2"
    "01234%3D1234--%20-\",\"http_user_agent\":\"sqlmap/1.7.2#stable (https://sqlmap.org)\",\""
    "http_method\":\"GET\",\"protocol\":\"HTTP/"
    "1.1\",\"length\":0},\"sensor\":{\"name\":\"vm\",\"boot_id\":"
    "\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":10}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.392000+0000\",\"flow_id\":6162255867543565,\"event_"
    "type\":\"alert\",\"src_ip\":\"89.160.20.128\",\"src_port\":39001,\"dest_ip\":\"10.20.0.1"
    "0\",\"dest_port\":80,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"sig"
    "nature_id\":9100001,\"rev\":1,\"signature\":\"CANTHO SQL injection tool (sqlmap) against"
    " a public service\",\"category\":\"Web Application Attack\",\"severity\":1,\"metadata\":"
    "{\"service\":[\"dichvucong\"],\"created_at\":[\"2026_11_21\"]}},\"app_proto\":\"http\","
    "\"http\":{\"hostname\":\"dichvucong.cantho.gov.vn\",\"url\":\"/tracuu?maHoSo=1%27%20UNION"
    "%20ALL%20SELECT%20NULL%2CNULL--%20-\",\"http_user_agent\":\"sqlmap/1.7.2#stable (https:/"
    "/sqlmap.org)\",\"http_method\":\"GET\",\"protocol\":\"HTTP/"
    "1.1\",\"length\":0},\"sensor\":{\"name\":\"vm\",\"boot_id\":"
    "\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":12}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.002000+0000\",\"flow_id\":3827176637988865,\"event_"
    "type\":\"dns\",\"src_ip\":\"10.10.1.25\",\"src_port\":52000,\"dest_ip\":\"10.20.0.2\",\""
    "dest_port\":53,\"proto\":\"UDP\",\"app_proto\":\"dns\",\"dns\":{\"type\":\"query\",\"id\":"
    "24064,\"rrname\":\"dichvucong.cantho.gov.vn\",\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":"
    "0},\"sensor\":{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":"
    "1}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.004000+0000\",\"flow_id\":3827176637988865,\"event_"
    "type\":\"dns\",\"src_ip\":\"10.20.0.2\",\"src_port\":53,\"dest_ip\":\"10.10.1.25\",\"des"
    "t_port\":52000,\"proto\":\"UDP\",\"app_proto\":\"dns\",\"dns\":{\"version\":2,\"type\":"
    "\"answer\",\"id\":24064,\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\""
    ":0,\"rrname\":\"dichvucong.cantho.gov.vn\",\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answ"
    "ers\":[{\"rrname\":\"dichvucong.cantho.gov.vn\",\"rrtype\":\"A\",\"ttl\":300,\"rdata\":\"10."
    "20.0.10\"}]},\"sensor\":{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b14"
    "4b2\",\"seq\":2}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.128000+0000\",\"flow_id\":6679430059524102,\"event_"
    "type\":\"http\",\"src_ip\":\"10.20.0.30\",\"src_port\":45100,\"dest_ip\":\"10.20.0.40\","
    "\"dest_port\":8080,\"proto\":\"TCP\",\"app_proto\":\"http\",\"http\":{\"hostname\":\"lgs"
    "p.cantho.gov.vn\",\"http_port\":8080,\"url\":\"/lgsp/api/v1/hoso/submit\",\"http_user_ag"
    "ent\":\"LGSP-Client/3.2\",\"http_content_type\":\"application/json\",\"http_method\":\"P"
    "OST\",\"protocol\":\"HTTP/"
    "1.1\",\"status\":200,\"length\":23},\"sensor\":{\"name\":\"vm\",\"boot_id\":"
    "\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":8}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.136000+0000\",\"flow_id\":6679430059524102,\"event_"
    "type\":\"http\",\"src_ip\":\"10.20.0.30\",\"src_port\":45100,\"dest_ip\":\"10.20.0.40\","
    "\"dest_port\":8080,\"proto\":\"TCP\",\"app_proto\":\"http\",\"http\":{\"hostname\":\"lgs"
    "p.cantho.gov.vn\",\"http_port\":8080,\"url\":\"/lgsp/api/v1/danhmuc?ma=DVC\",\"http_user"
    "_agent\":\"LGSP-Client/3.2\",\"http_content_type\":\"application/json\",\"http_method\":"
    "\"GET\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":14},\"sensor\":{\"name\":\"v"
    "m\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":9}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.020000+0000\",\"flow_id\":8803531905564675,\"event_"
    "type\":\"tls\",\"src_ip\":\"10.10.1.25\",\"src_port\":51000,\"dest_ip\":\"10.20.0.10\",\"dest_"
    "port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"tls\":{\"sni\":\"dichvucong.c"
    "antho.gov.vn\",\"version\":\"TLS 1.3\",\"ja3\":{\"hash\":\"e5a177480afbfff910a9b41d878c9"
    "88a\",\"string\":\"771,4865-4866-4867-49195-49199-49196-49200,0-10-11-13-16-43-51,29-23-"
    "24,0\"},\"ja3s\":{\"hash\":\"f4febc55ea12b31ae17cfb7e614afda8\",\"string\":\"771,4865,43"
    "-51\"},\"client_alpns\":[\"h2\",\"http/"
    "1.1\"]},\"sensor\":{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":"
    "5}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.056000+0000\",\"flow_id\":8720896734789636,\"event_"
    "type\":\"tls\",\"src_ip\":\"10.10.1.26\",\"src_port\":51001,\"dest_ip\":\"10.20.0.10\",\"dest_"
    "port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"tls\":{\"sni\":\"dichvucong.c"
    "antho.gov.vn\",\"version\":\"TLS 1.3\",\"ja3\":{\"hash\":\"e5a177480afbfff910a9b41d878c9"
    "88a\",\"string\":\"771,4865-4866-4867-49195-49199-49196-49200,0-10-11-13-16-43-51,29-23-"
    "24,0\"},\"ja3s\":{\"hash\":\"f4febc55ea12b31ae17cfb7e614afda8\",\"string\":\"771,4865,43"
    "-51\"},\"client_alpns\":[\"h2\",\"http/"
    "1.1\"]},\"sensor\":{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":"
    "6}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.004000+0000\",\"flow_id\":3827176637988865,\"event_"
    "type\":\"flow\",\"src_ip\":\"10.10.1.25\",\"src_port\":52000,\"dest_ip\":\"10.20.0.2\",\"dest_"
    "port\":53,\"proto\":\"UDP\",\"app_proto\":\"dns\",\"flow\":{\"pkts_toserver\":1,\""
    "pkts_toclient\":1,\"bytes_toserver\":84,\"bytes_toclient\":124,\"start\":\"2024-03-01T10"
    ":40:00.002000+0000\",\"end\":\"2024-03-01T10:40:00.004000+0000\",\"age\":0,\"state\":\"e"
    "stablished\",\"reason\":\"shutdown\",\"alerted\":false},\"ndpi\":{\"protocol\":\"DNS\","
    "\"master_protocol\":\"Unknown\",\"app_protocol\":\"DNS\",\"category\":\"Network\"},\"sens"
    "or\":{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":20}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.008000+0000\",\"flow_id\":6702073127108610,\"event_"
    "type\":\"flow\",\"src_ip\":\"10.20.0.30\",\"src_port\":52001,\"dest_ip\":\"10.20.0.2\",\"dest_"
    "port\":53,\"proto\":\"UDP\",\"app_proto\":\"dns\",\"flow\":{\"pkts_toserver\":1,\""
    "pkts_toclient\":1,\"bytes_toserver\":78,\"bytes_toclient\":112,\"start\":\"2024-03-01T10"
    ":40:00.006000+0000\",\"end\":\"2024-03-01T10:40:00.008000+0000\",\"age\":0,\"state\":\"e"
    "stablished\",\"reason\":\"shutdown\",\"alerted\":false},\"ndpi\":{\"protocol\":\"DNS\","
    "\"master_protocol\":\"Unknown\",\"app_protocol\":\"DNS\",\"category\":\"Network\"},\"sens"
    "or\":{\"name\":\"vm\",\"boot_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":21}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.044000+0000\",\"flow_id\":8803531905564675,\"event_"
    "type\":\"flow\",\"src_ip\":\"10.10.1.25\",\"src_port\":51000,\"dest_ip\":\"10.20.0.10\","
    "\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":10"
    ",\"pkts_toclient\":8,\"bytes_toserver\":1178,\"bytes_toclient\":4187,\"start\":\"2024-03"
    "-01T10:40:00.010000+0000\",\"end\":\"2024-03-01T10:40:00.044000+0000\",\"age\":0,\"state"
    "\":\"closed\",\"reason\":\"shutdown\",\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_"
    "flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\",\"syn\":true,\"fin\":true,\"psh\":true,\""
    "ack\":true,\"state\":\"closed\"},\"ndpi\":{\"protocol\":\"TLS\",\"master_protocol\":\"Un"
    "known\",\"app_protocol\":\"TLS\",\"category\":\"Web\"},\"sensor\":{\"name\":\"vm\",\"boo"
    "t_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":22}}",
    "{\"timestamp\":\"2024-03-01T10:40:00.080000+0000\",\"flow_id\":8720896734789636,\"event_"
    "type\":\"flow\",\"src_ip\":\"10.10.1.26\",\"src_port\":51001,\"dest_ip\":\"10.20.0.10\","
    "\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":10"
    ",\"pkts_toclient\":8,\"bytes_toserver\":1178,\"bytes_toclient\":4187,\"start\":\"2024-03"
    "-01T10:40:00.046000+0000\",\"end\":\"2024-03-01T10:40:00.080000+0000\",\"age\":0,\"state"
    "\":\"closed\",\"reason\":\"shutdown\",\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_"
    "flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\",\"syn\":true,\"fin\":true,\"psh\":true,\""
    "ack\":true,\"state\":\"closed\"},\"ndpi\":{\"protocol\":\"TLS\",\"master_protocol\":\"Un"
    "known\",\"app_protocol\":\"TLS\",\"category\":\"Web\"},\"sensor\":{\"name\":\"vm\",\"boo"
    "t_id\":\"d501f748b6f14b7f4d9456a0a0b144b2\",\"seq\":23}}",
};
#define N_EVENTS (sizeof(eve_lines) / sizeof(eve_lines[0]))

static const char extra[] =
    "{\"src_asset\":{\"name\":\"lgsp\",\"level\":4,\"criticality\":\"high\","
    "\"tags\":[\"egov\",\"integration\"]},\"dest_asset\":{\"name\":"
    "\"dichvucong\",\"level\":3,\"criticality\":\"high\",\"tags\":["
    "\"public\"]},\"intel\":[]}";

#define R(id, cat, det)                                                                            \
    "title: " id "\nid: " id "\nlevel: medium\nlogsource: {category: " cat "}\ndetection:\n" det   \
    "---\n"

static const char rules[] =
    /* http */
    R("h1", "http",
      "  s: {http.http_user_agent|contains: [sqlmap, havij, nikto, nmap, masscan]}\n"
      "  condition: s\n") R("h2", "http",
                            "  s: {url|re|i: '(union(\\s|%20|\\+)+select|%27(\\s|%20)*or)'}\n"
                            "  condition: s\n")
        R("h3", "http",
          "  s: {url|contains: [/etc/passwd, '../', '%2e%2e', cmd.exe, /bin/sh]}\n"
          "  condition: s\n")
            R("h4", "http",
              "  s: {http.hostname|endswith: .cantho.gov.vn}\n"
              "  ext: {src_ip|cidr: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}\n"
              "  adm: {url|startswith: [/admin, /wp-admin, /manager, /phpmyadmin]}\n"
              "  condition: s and adm and not ext\n")
                R("h5", "http",
                  "  s: {http.status|gte: 500, dest_asset.level|gte: 3}\n  condition: s\n")
                    R("h6", "http",
                      "  s: {http.http_method: [PUT, DELETE, TRACE, CONNECT]}\n  condition: s\n")
                        R("h7", "http", "  s: {http.length|gt: 10000000}\n  condition: s\n")
                            R("h8", "http",
                              "  s: {http.http_user_agent|exists: false}\n  condition: s\n")
    /* alert */
    R("a1", "alert", "  s: {alert.severity|lte: 2}\n  condition: s\n")
        R("a2", "alert",
          "  s: {classtype: [Web Application Attack, Attempted Administrator Privilege "
          "Gain]}\n  condition: s\n")
            R("a3", "alert", "  s: {sid: [9100001, 9100002, 2000001]}\n  condition: s\n")
                R("a4", "alert",
                  "  s: {signature|contains: [sql injection, xss, traversal]}\n"
                  "  f: {src_ip|cidr: 10.99.0.0/16}\n  condition: s and not f\n")
                    R("a5", "alert", "  s: {alert.action: blocked}\n  condition: s\n")
    /* flow */
    R("f1", "flow", "  s: {dest_port: [22, 23, 3389, 5900], proto: TCP}\n  condition: s\n")
        R("f2", "flow", "  s: {flow.bytes_toserver|gt: 100000000}\n  condition: s\n")
            R("f3", "flow",
              "  s: {src_asset.level|gte: 4}\n  o: {dest_ip|cidr: [10.0.0.0/8, "
              "192.168.0.0/16]}\n  condition: s and not o\n")
                R("f4", "flow", "  s: {flow.state: new, flow.reason: timeout}\n  condition: s\n")
                    R("f5", "flow",
                      "  s: {ndpi.app_protocol: [Tor, BitTorrent, AnyDesk, TeamViewer]}\n"
                      "  condition: s\n")
                        R("f6", "flow",
                          "  s: {dest_port|gte: 6660, dest_port|lte: 6669}\n  condition: s\n")
                            R("f7", "flow",
                              "  s: {app_proto: dns, proto: TCP, flow.bytes_toclient|gt: 1000000}\n"
                              "  condition: s\n")
    /* dns */
    R("d1", "dns", "  s: {query|endswith: [.top, .xyz, .tk, .onion]}\n  condition: s\n")
        R("d2", "dns", "  s: {query|re: '^[a-z0-9]{30,}\\.'}\n  condition: s\n")
            R("d3", "dns", "  s: {dns.rcode: NXDOMAIN}\n  condition: s\n")
                R("d4", "dns", "  s: {dns.rrtype: [TXT, NULL, ANY]}\n  condition: s\n")
                    R("d5", "dns", "  s: {answer|cidr: [127.0.0.0/8, 0.0.0.0/8]}\n  condition: s\n")
    /* tls */
    R("t1", "tls",
      "  s: {ja3: [e7d705a3286e19ea42f587b344ee6865, 6734f37431670b3ab4292b8f60f29984]}\n"
      "  condition: s\n") R("t2", "tls", "  s: {tls.version: [SSLv3, TLS 1.0]}\n  condition: s\n")
        R("t3", "tls", "  s: {hostname|contains: [ngrok, duckdns, no-ip]}\n  condition: s\n")
            R("t4", "tls", "  s: {tls.sni|exists: false}\n  condition: s\n")
                R("t5", "tls",
                  "  s: {tls.client_alpns|all: [h2, http/1.1]}\n  g: {hostname: '*.gov.vn'}\n"
                  "  condition: s and not g\n");

static corr_ruleset_t *rs;
static tevent_t *tev; /* one per event */

static int setup(void **state)
{
    (void)state;
    rs = load_text("perf.yml", rules);
    for (int i = 0; i < n_diag; i++)
        print_message("%s\n", diag_line[i]);
    tev = calloc(N_EVENTS, sizeof(*tev));
    if (!tev || corr_ruleset_loaded(rs) != 30) return -1;
    for (size_t i = 0; i < N_EVENTS; i++)
        make_event(&tev[i], eve_lines[i], i % 2 ? extra : NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    corr_ruleset_free(rs);
    free(tev);
    corr_thread_cleanup();
    return 0;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void test_expected_matches(void **state)
{
    (void)state;
    /* Which rules fire on which of the 12 events, worked out from the
     * lines: 0-1 are the sqlmap alert (sid 9100001, severity 1, "Web
     * Application Attack") and fire a1-a4 (a5 wants action blocked); the
     * DNS, HTTP, TLS and flow events are the city's normal traffic and
     * fire nothing (h4 needs an admin URL, t5 exempts *.gov.vn, f3 exempts
     * internal destinations, d1-d5 see no odd name, rcode or answer). */
    char fired[512] = "";
    size_t n = corr_ruleset_count(rs);
    for (size_t e = 0; e < N_EVENTS; e++) {
        for (size_t i = 0; i < n; i++) {
            const corr_rule_t *r = corr_ruleset_rule(rs, i);
            if (corr_event_category(&tev[e].ev) == r->category && corr_rule_match(r, &tev[e].ev))
                snprintf(fired + strlen(fired), sizeof(fired) - strlen(fired), "%zu:%s ", e, r->id);
        }
    }
    assert_string_equal(fired, "0:a1 0:a2 0:a3 0:a4 1:a1 1:a2 1:a3 1:a4 ");
}

static void bench(const char *what, bool indexed)
{
    size_t n = corr_ruleset_count(rs), evals = 0, hits = 0, rounds = 0;
    double start = now_ns(), end;
    do {
        for (size_t e = 0; e < N_EVENTS; e++) {
            const corr_event_t *ev = &tev[e].ev;
            if (indexed) {
                const corr_rule_t *const *list;
                size_t k = corr_ruleset_detections(rs, corr_event_category(ev), &list);
                for (size_t i = 0; i < k; i++)
                    hits += corr_rule_match(list[i], ev);
                evals += k;
            } else {
                for (size_t i = 0; i < n; i++)
                    hits += corr_rule_match(corr_ruleset_rule(rs, i), ev);
                evals += n;
            }
        }
        rounds++;
        end = now_ns();
    } while (end - start < 3e8);
    double events = (double)(rounds * N_EVENTS);
    print_message("%s: %.0f ns per event per rule, %.0f ns per event (%.1f rules per event), "
                  "%.0f events/s on one core (%zu matches)\n",
                  what, (end - start) / (double)evals, (end - start) / events,
                  (double)evals / events, events * 1e9 / (end - start), hits);
}

static void test_speed(void **state)
{
    (void)state;
    bench("all 30 rules on every event", false);
    bench("rules of the event's category", true);
    /* The parse the engine does once per event, for scale. */
    json_tok_t toks[2048];
    size_t rounds = 0;
    double start = now_ns(), end;
    do {
        for (size_t e = 0; e < N_EVENTS; e++)
            json_parse(eve_lines[e], strlen(eve_lines[e]), toks, 2048, NULL, 0);
        rounds++;
        end = now_ns();
    } while (end - start < 1e8);
    print_message("json_parse: %.0f ns per event\n", (end - start) / (double)(rounds * N_EVENTS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_matches),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
