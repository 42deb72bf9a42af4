/* Unit tests for correlator/forward/fwd_stix*.c: the output is parsed
 * back with json_reader and checked member by member. Ids were worked out
 * independently with Python's uuid.uuid5 from the names FORMATS.md gives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "forward/fwd_incdoc.h"
#include "forward/fwd_stix.h"
#include "json_reader.h"
#include "test_fwd_doc.h"

#define AMBER "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
#define WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define RED   "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
/* UUIDv5(project, "identity\0SOC appliance\0organization\0\0\0" AMBER) */
#define REPORTER "identity--e927147b-5eda-5752-8501-8fef4b0ac8ac"
#define PRODUCT  "identity--995a70dc-5adc-558a-a8bd-7357fa9df467"
#define EXT      "extension-definition--d626dfea-3f47-5ead-9560-66a32de29e3b"
#define INCIDENT "incident--e2c2e11f-f940-5415-a5fe-aceb68fe5517"
#define OBSERVED "observed-data--cdf4a843-6473-5751-9dc7-8e73584e93dc"
#define IND_PUB  "indicator--e5c8b79e-4987-5f82-ad23-ad0a7ffccfe2"
#define SIG_PUB  "sighting--38020bb2-b138-5856-b859-00eff51991fd"
#define REPORT   "report--8b471eb5-0e68-5a1b-95db-867ebd996d33"
/* SCOs: UUIDv5(SCO namespace, {"value":"..."}) */
#define SCO_10  "ipv4-addr--8c23013a-7c12-5257-95cf-3ae96bfd0199" /* 10.20.0.10 */
#define SCO_7   "ipv4-addr--b33b8f16-d084-5f74-80f7-888c1d19a921" /* 10.20.0.7 */
#define SCO_PUB "ipv4-addr--826fe3cb-56b0-5620-9d30-4c17ed7b24e3" /* 203.0.113.5 */
#define SCO_V6  "ipv6-addr--b7b5453e-3c50-5e2e-a8f9-538df72abf4a" /* 2001:db8::10 */

typedef struct out {
    jw_t w;
    json_tok_t *t;
    int n;
    int objs; /* the "objects" array */
} out_t;

static void stix(out_t *o, const char *doc, const fwd_stix_opts_t *opts)
{
    char err[256] = "";
    jw_init(&o->w);
    int rc = fwd_stix_write(&o->w, doc, strlen(doc), opts, err, sizeof(err));
    if (rc != 0) fail_msg("fwd_stix_write: %s", err);
    o->t = malloc((o->w.len + 1) * sizeof(*o->t));
    assert_non_null(o->t);
    o->n = json_parse(o->w.buf, o->w.len, o->t, (int)o->w.len + 1, err, sizeof(err));
    if (o->n < 1) fail_msg("output is not JSON: %s", err);
    o->objs = json_object_find(o->w.buf, o->t, o->n, 0, "objects", 7);
    assert_true(o->objs > 0);
    assert_int_equal(o->t[o->objs].type, JSON_ARRAY);
}

static void done(out_t *o)
{
    jw_free(&o->w);
    free(o->t);
}

static int nobjs(const out_t *o)
{
    return o->t[o->objs].size;
}

static int obj_at(const out_t *o, int k)
{
    int i = o->objs + 1;
    for (int m = 0; m < k; m++)
        i = o->t[i].next;
    return i;
}

/* Member at a dotted path from token obj (keys may not hold dots, but the
 * extension's key does: a path starting with "ext." means it). */
static const json_tok_t *get(const out_t *o, int obj, const char *path)
{
    int at = obj;
    if (strncmp(path, "ext.", 4) == 0) {
        at = json_object_find(o->w.buf, o->t, o->n, at, "extensions", 10);
        if (at >= 0) at = json_object_find(o->w.buf, o->t, o->n, at, EXT, strlen(EXT));
        path += 4;
    }
    while (at >= 0 && *path) {
        const char *dot = strchr(path, '.');
        size_t k = dot ? (size_t)(dot - path) : strlen(path);
        at =
            o->t[at].type == JSON_OBJECT ? json_object_find(o->w.buf, o->t, o->n, at, path, k) : -1;
        path += k + (dot != NULL);
    }
    return at >= 0 ? &o->t[at] : NULL;
}

static void expect_str(const out_t *o, int obj, const char *path, const char *want)
{
    const json_tok_t *t = get(o, obj, path);
    if (!t) fail_msg("%s: absent, want '%s'", path, want);
    char got[2048];
    assert_int_equal(json_tok_string(o->w.buf, t, got, sizeof(got), NULL), JSON_OK);
    if (strcmp(got, want) != 0) fail_msg("%s: got '%s', want '%s'", path, got, want);
}

static void expect_int(const out_t *o, int obj, const char *path, int64_t want)
{
    const json_tok_t *t = get(o, obj, path);
    if (!t) fail_msg("%s: absent", path);
    int64_t v;
    assert_int_equal(json_tok_int64(o->w.buf, t, &v), JSON_OK);
    assert_int_equal(v, want);
}

static void expect_absent(const out_t *o, int obj, const char *path)
{
    if (get(o, obj, path)) fail_msg("%s: present, want absent", path);
}

/* An array of strings, exactly. */
static void expect_strs(const out_t *o, int obj, const char *path, const char *const *want,
                        size_t n)
{
    const json_tok_t *t = get(o, obj, path);
    if (!t) fail_msg("%s: absent", path);
    assert_int_equal(t->type, JSON_ARRAY);
    assert_int_equal(t->size, (int)n);
    int i = (int)(t - o->t) + 1;
    for (size_t k = 0; k < n; k++, i = o->t[i].next)
        if (!json_tok_eq(o->w.buf, &o->t[i], want[k]))
            fail_msg("%s[%zu]: want '%s'", path, k, want[k]);
}

static void expect_types(const out_t *o, const char *const *types, size_t n)
{
    assert_int_equal(nobjs(o), (int)n);
    for (size_t k = 0; k < n; k++)
        expect_str(o, obj_at(o, (int)k), "type", types[k]);
}

static void test_bundle(void **state)
{
    (void)state;
    out_t o;
    stix(&o, FWD_FULL_DOC, NULL);
    expect_str(&o, 0, "type", "bundle");
    expect_str(&o, 0, "id", "bundle--c44dd469-54be-56ec-86dd-27e5f83eca4f");
    expect_absent(&o, 0, "spec_version"); /* STIX 2.1 bundles have none */
    static const char *const types[] = {"identity",
                                        "marking-definition",
                                        "marking-definition",
                                        "identity",
                                        "extension-definition",
                                        "incident",
                                        "ipv4-addr",
                                        "ipv4-addr",
                                        "ipv4-addr",
                                        "ipv6-addr",
                                        "observed-data",
                                        "indicator",
                                        "sighting",
                                        "report"};
    expect_types(&o, types, sizeof(types) / sizeof(types[0]));
    static const char *const ids[] = {REPORTER, AMBER,   WHITE,   PRODUCT, EXT,
                                      INCIDENT, SCO_10,  SCO_7,   SCO_PUB, SCO_V6,
                                      OBSERVED, IND_PUB, SIG_PUB, REPORT};
    for (int k = 0; k < nobjs(&o); k++) {
        int ob = obj_at(&o, k);
        expect_str(&o, ob, "id", ids[k]);
        expect_str(&o, ob, "spec_version", "2.1");
    }
    /* the reporting identity: defaults, no sector or contact */
    int id = obj_at(&o, 0);
    expect_str(&o, id, "name", "SOC appliance");
    expect_str(&o, id, "identity_class", "organization");
    expect_str(&o, id, "created", "2026-01-01T00:00:00.000Z");
    expect_absent(&o, id, "sectors");
    expect_absent(&o, id, "contact_information");
    /* the predefined TLP markings */
    int amber = obj_at(&o, 1);
    expect_str(&o, amber, "created", "2017-01-20T00:00:00.000Z");
    expect_str(&o, amber, "definition_type", "tlp");
    expect_str(&o, amber, "name", "TLP:AMBER");
    expect_str(&o, amber, "definition.tlp", "amber");
    expect_absent(&o, amber, "modified");
    expect_str(&o, obj_at(&o, 2), "definition.tlp", "white");
    /* the extension */
    int ext = obj_at(&o, 4);
    expect_str(&o, ext, "created_by_ref", PRODUCT);
    expect_str(&o, ext, "version", "1.0.0");
    static const char *const ext_types[] = {"property-extension"};
    expect_strs(&o, ext, "extension_types", ext_types, 1);
    assert_non_null(get(&o, ext, "schema"));
    assert_non_null(get(&o, ext, "name"));
    /* markings: the public objects WHITE, the rest the chosen level */
    static const char *const amber_refs[] = {AMBER}, *const white_refs[] = {WHITE};
    for (int k = 0; k < nobjs(&o); k++) {
        if (k == 1 || k == 2) continue;
        expect_strs(&o, obj_at(&o, k), "object_marking_refs",
                    k == 3 || k == 4 ? white_refs : amber_refs, 1);
    }
    done(&o);
}

static void test_incident(void **state)
{
    (void)state;
    out_t o;
    stix(&o, FWD_FULL_DOC, NULL);
    int inc = obj_at(&o, 5);
    expect_str(&o, inc, "created_by_ref", REPORTER);
    expect_str(&o, inc, "created", "2026-03-01T08:31:00.123Z");  /* created_at, to the ms */
    expect_str(&o, inc, "modified", "2026-03-01T08:50:30.500Z"); /* updated_at */
    expect_str(&o, inc, "name", "SSH brute force | success");
    expect_str(&o, inc, "description",
               "Incident INC-2026-000123, version 3 (escalated): severity high, priority P1, "
               "status acknowledged, 42 events, asset portal (level 3).");
    const json_tok_t *kc = get(&o, inc, "kill_chain_phases");
    assert_non_null(kc);
    assert_int_equal(kc->size, 2);
    int p = (int)(kc - o.t) + 1;
    expect_str(&o, p, "kill_chain_name", "mitre-attack");
    expect_str(&o, p, "phase_name", "credential-access");
    p = o.t[p].next;
    expect_str(&o, p, "kill_chain_name", "mitre-ics-attack");
    expect_str(&o, p, "phase_name", "inhibit-response-function");
    const json_tok_t *er = get(&o, inc, "external_references");
    assert_non_null(er);
    assert_int_equal(er->size, 4);
    int r = (int)(er - o.t) + 1;
    expect_str(&o, r, "source_name", "soc-appliance");
    expect_str(&o, r, "external_id", "INC-2026-000123");
    r = o.t[r].next;
    expect_str(&o, r, "source_name", "mitre-attack");
    expect_str(&o, r, "external_id", "T1110");
    expect_str(&o, r, "url", "https://attack.mitre.org/techniques/T1110/");
    r = o.t[r].next;
    expect_str(&o, r, "external_id", "T1110.001");
    expect_str(&o, r, "url", "https://attack.mitre.org/techniques/T1110/001/");
    r = o.t[r].next;
    expect_str(&o, r, "source_name", "mitre-ics-attack");
    expect_str(&o, r, "external_id", "T0814");
    /* the extension: our record */
    expect_str(&o, inc, "ext.extension_type", "property-extension");
    expect_str(&o, inc, "ext.incident_id", "INC-2026-000123");
    expect_int(&o, inc, "ext.version", 3);
    expect_str(&o, inc, "ext.reason", "escalated");
    expect_str(&o, inc, "ext.rule_id", "city-ssh-bruteforce");
    expect_int(&o, inc, "ext.rule_version", 2);
    expect_int(&o, inc, "ext.severity", 3);
    expect_int(&o, inc, "ext.priority", 1);
    expect_str(&o, inc, "ext.status", "acknowledged");
    expect_str(&o, inc, "ext.assignee", "lan");
    expect_str(&o, inc, "ext.group_key", "src_ip=203.0.113.5");
    expect_str(&o, inc, "ext.first_seen", "2026-03-01T08:30:15.250000Z");
    expect_str(&o, inc, "ext.last_seen", "2026-03-01T08:45:00.999999Z");
    expect_int(&o, inc, "ext.count", 42);
    static const char *const src[] = {"10.20.0.7", "203.0.113.5"};
    expect_strs(&o, inc, "ext.src_ips", src, 2);
    expect_str(&o, inc, "ext.asset_name", "portal");
    expect_int(&o, inc, "ext.asset_level", 3);
    static const char *const tech[] = {"T1110", "T1110.001", "T0814"};
    expect_strs(&o, inc, "ext.techniques", tech, 3);
    expect_int(&o, inc, "ext.evidence_total", 2);
    const json_tok_t *s = get(&o, inc, "ext.samples");
    assert_non_null(s);
    assert_int_equal(s->size, 2);
    /* samples travel as their JSON text (STIX rules do not fit EVE) */
    int s0 = (int)(s - o.t) + 1;
    assert_true(json_tok_eq(o.w.buf, &o.t[s0],
                            "{\"event_type\":\"alert\",\"src_ip\":\"203.0.113.5\",\"http\":"
                            "{\"http_user_agent\":\"curl\",\"hostname\":\"portal\"}}"));
    assert_true(json_tok_eq(o.w.buf, &o.t[o.t[s0].next], "not json"));
    expect_str(&o, inc, "ext.acknowledge_by", "2026-03-01T09:00:00.000000Z");
    assert_int_equal(get(&o, inc, "ext.acknowledge_overdue")->type, JSON_FALSE);
    expect_str(&o, inc, "ext.created_at", "2026-03-01T08:31:00.123456Z");
    expect_int(&o, inc, "ext.time_to_acknowledge", 540);
    static const char *const links[] = {"INC-2026-000120"};
    expect_strs(&o, inc, "ext.links", links, 1);
    /* null in the input, or an empty list: left out (STIX has neither) */
    expect_absent(&o, inc, "ext.resolved_at");
    expect_absent(&o, inc, "ext.closed_at");
    expect_absent(&o, inc, "ext.time_to_resolve");
    expect_absent(&o, inc, "ext.merged_into");
    expect_absent(&o, inc, "ext.merged_from");
    done(&o);
}

static void test_addresses(void **state)
{
    (void)state;
    out_t o;
    stix(&o, FWD_FULL_DOC, NULL);
    expect_str(&o, obj_at(&o, 6), "value", "10.20.0.10");
    expect_str(&o, obj_at(&o, 7), "value", "10.20.0.7");
    expect_str(&o, obj_at(&o, 8), "value", "203.0.113.5");
    expect_str(&o, obj_at(&o, 9), "value", "2001:db8::10");
    expect_absent(&o, obj_at(&o, 8), "created"); /* SCOs have no times */
    int od = obj_at(&o, 10);
    expect_str(&o, od, "first_observed", "2026-03-01T08:30:15.250Z");
    expect_str(&o, od, "last_observed", "2026-03-01T08:45:00.999Z");
    expect_int(&o, od, "number_observed", 42);
    static const char *const scos[] = {SCO_10, SCO_7, SCO_PUB, SCO_V6};
    expect_strs(&o, od, "object_refs", scos, 4);
    /* the one public source gets an indicator and a sighting */
    int ind = obj_at(&o, 11);
    expect_str(&o, ind, "pattern", "[ipv4-addr:value = '203.0.113.5']");
    expect_str(&o, ind, "pattern_type", "stix");
    expect_str(&o, ind, "pattern_version", "2.1");
    expect_str(&o, ind, "valid_from", "2026-03-01T08:30:15.250Z");
    expect_str(&o, ind, "name", "203.0.113.5: source of INC-2026-000123");
    assert_int_equal(get(&o, ind, "kill_chain_phases")->size, 2);
    int sig = obj_at(&o, 12);
    expect_str(&o, sig, "sighting_of_ref", IND_PUB);
    static const char *const od_refs[] = {OBSERVED}, *const where[] = {REPORTER};
    expect_strs(&o, sig, "observed_data_refs", od_refs, 1);
    expect_strs(&o, sig, "where_sighted_refs", where, 1);
    expect_int(&o, sig, "count", 42);
    expect_str(&o, sig, "first_seen", "2026-03-01T08:30:15.250Z");
    expect_str(&o, sig, "last_seen", "2026-03-01T08:45:00.999Z");
    /* the report: this version, everything before it */
    int rep = obj_at(&o, 13);
    expect_str(&o, rep, "name", "INC-2026-000123 version 3 (escalated): SSH brute force | success");
    expect_str(&o, rep, "created", "2026-03-01T08:50:30.500Z");
    expect_str(&o, rep, "published", "2026-03-01T08:50:30.500Z");
    static const char *const rtypes[] = {"incident"};
    expect_strs(&o, rep, "report_types", rtypes, 1);
    static const char *const refs[] = {REPORTER, AMBER,   WHITE,  PRODUCT, EXT,
                                       INCIDENT, SCO_10,  SCO_7,  SCO_PUB, SCO_V6,
                                       OBSERVED, IND_PUB, SIG_PUB};
    expect_strs(&o, rep, "object_refs", refs, 13);
    done(&o);

    /* every source address: 10.20.0.7 as well
     * (UUIDv5(project, "indicator/INC-2026-000123/10.20.0.7")) */
    fwd_stix_opts_t all = {.indicators_all = true};
    stix(&o, FWD_FULL_DOC, &all);
    assert_int_equal(nobjs(&o), 16);
    expect_str(&o, obj_at(&o, 11), "pattern", "[ipv4-addr:value = '10.20.0.7']");
    expect_str(&o, obj_at(&o, 11), "id", "indicator--16a387c0-3f81-5924-801c-cd8082e2ba47");
    expect_str(&o, obj_at(&o, 12), "sighting_of_ref",
               "indicator--16a387c0-3f81-5924-801c-cd8082e2ba47");
    expect_str(&o, obj_at(&o, 13), "pattern", "[ipv4-addr:value = '203.0.113.5']");
    done(&o);
}

static void test_ipv6_source(void **state)
{
    (void)state;
    /* a non-canonical IPv6 source, given twice and as a destination: one
     * SCO, canonical value, one indicator */
    const char *doc = "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":"
                      "\"INC-2026-000009\",\"src_ips\":[\"2001:DB8:0::10\",\"2001:db8::10\"],"
                      "\"dest_ips\":[\"2001:db8::10\"]}}";
    out_t o;
    stix(&o, doc, NULL);
    static const char *const types[] = {
        "identity", "marking-definition", "marking-definition", "identity",  "extension-definition",
        "incident", "ipv6-addr",          "observed-data",      "indicator", "sighting",
        "report"};
    expect_types(&o, types, sizeof(types) / sizeof(types[0]));
    expect_str(&o, obj_at(&o, 6), "id", SCO_V6);
    expect_str(&o, obj_at(&o, 6), "value", "2001:db8::10");
    expect_str(&o, obj_at(&o, 8), "pattern", "[ipv6-addr:value = '2001:db8::10']");
    /* no count: observed once, and the sighting has no count */
    expect_int(&o, obj_at(&o, 7), "number_observed", 1);
    expect_absent(&o, obj_at(&o, 9), "count");
    done(&o);
}

static void test_options(void **state)
{
    (void)state;
    fwd_stix_opts_t opts = {.identity_name = "Can Tho DIST SOC",
                            .identity_class = "organization",
                            .sector = "government-local",
                            .contact = "soc@cantho.gov.vn",
                            .tlp = "RED"};
    out_t o;
    stix(&o, FWD_MIN_DOC, &opts);
    int id = obj_at(&o, 0);
    expect_str(&o, id, "name", "Can Tho DIST SOC");
    static const char *const sectors[] = {"government-local"};
    expect_strs(&o, id, "sectors", sectors, 1);
    expect_str(&o, id, "contact_information", "soc@cantho.gov.vn");
    expect_str(&o, obj_at(&o, 1), "id", RED);
    expect_str(&o, obj_at(&o, 1), "name", "TLP:RED");
    static const char *const red[] = {RED};
    expect_strs(&o, obj_at(&o, 5), "object_marking_refs", red, 1);
    done(&o);

    /* white (or its TLP 2.0 name, clear): one marking-definition */
    opts = (fwd_stix_opts_t){.tlp = "clear"};
    stix(&o, FWD_MIN_DOC, &opts);
    static const char *const types[] = {
        "identity", "marking-definition", "identity", "extension-definition", "incident", "report"};
    expect_types(&o, types, sizeof(types) / sizeof(types[0]));
    expect_str(&o, obj_at(&o, 1), "id", WHITE);
    done(&o);

    char err[256];
    fwd_stix_opts_t bad = {.tlp = "purple"};
    assert_int_equal(fwd_stix_opts_check(&bad, err, sizeof(err)), -1);
    assert_string_equal(err, "tlp: expected white, clear, green, amber or red, got 'purple'");
    bad = (fwd_stix_opts_t){.identity_class = "Org Unit"};
    assert_int_equal(fwd_stix_opts_check(&bad, err, sizeof(err)), -1);
    assert_string_equal(err, "identity class 'Org Unit': expected a word like organization "
                             "(a-z, 0-9, '-')");
    bad = (fwd_stix_opts_t){.sector = "gov local"};
    assert_int_equal(fwd_stix_opts_check(&bad, err, sizeof(err)), -1);
    assert_string_equal(err, "sector 'gov local': expected a word like government-local (a-z, "
                             "0-9, '-')");
    jw_t w;
    jw_init(&w);
    assert_int_equal(fwd_stix_write(&w, FWD_MIN_DOC, strlen(FWD_MIN_DOC), &bad, err, sizeof(err)),
                     -1);
    jw_free(&w);
}

static void test_taxii_envelope(void **state)
{
    (void)state;
    fwd_stix_opts_t opts = {.taxii_envelope = true};
    out_t o;
    stix(&o, FWD_FULL_DOC, &opts);
    assert_int_equal(o.t[0].size, 1); /* {"objects": [...]} and nothing else */
    assert_int_equal(nobjs(&o), 14);
    expect_str(&o, obj_at(&o, 13), "id", REPORT);
    done(&o);
    assert_string_equal(FWD_TAXII_MEDIA_TYPE, "application/taxii+json;version=2.1");
}

static void test_deterministic(void **state)
{
    (void)state;
    const char *docs[] = {FWD_FULL_DOC, FWD_MIN_DOC, FWD_ODD_DOC};
    for (size_t i = 0; i < 3; i++) {
        jw_t a, b;
        jw_init(&a);
        jw_init(&b);
        assert_int_equal(fwd_stix_write(&a, docs[i], strlen(docs[i]), NULL, NULL, 0), 0);
        assert_int_equal(fwd_stix_write(&b, docs[i], strlen(docs[i]), NULL, NULL, 0), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.buf, b.buf, a.len);
        jw_free(&a);
        jw_free(&b);
    }
}

/* A later version: the same incident object with a later modified (a STIX
 * version of it), a report of its own. */
static void test_next_version(void **state)
{
    (void)state;
    char doc[4096];
    snprintf(doc, sizeof(doc), "%s", FWD_FULL_DOC);
    char *v = strstr(doc, "\"version\":3");
    v[10] = '4';
    char *u = strstr(doc, "\"updated_at\":\"2026-03-01T08:50:30.500000+0000\"");
    memcpy(u + 25, "09:10", 5);
    out_t o;
    stix(&o, doc, NULL);
    expect_str(&o, obj_at(&o, 5), "id", INCIDENT);
    expect_str(&o, obj_at(&o, 5), "created", "2026-03-01T08:31:00.123Z");
    expect_str(&o, obj_at(&o, 5), "modified", "2026-03-01T09:10:30.500Z");
    /* UUIDv5(project, "report/INC-2026-000123/4") */
    expect_str(&o, obj_at(&o, 13), "id", "report--ff6d3a2a-f9a1-569e-93f2-78248f9a0843");
    done(&o);
}

static void test_minimal(void **state)
{
    (void)state;
    out_t o;
    stix(&o, FWD_MIN_DOC, NULL);
    static const char *const types[] = {"identity", "marking-definition",   "marking-definition",
                                        "identity", "extension-definition", "incident",
                                        "report"};
    expect_types(&o, types, sizeof(types) / sizeof(types[0]));
    int inc = obj_at(&o, 5);
    expect_str(&o, inc, "name", "INC-2026-000001");
    expect_str(&o, inc, "description", "Incident INC-2026-000001, version 1 (created).");
    /* no times at all: the fixed time */
    expect_str(&o, inc, "created", "2026-01-01T00:00:00.000Z");
    expect_str(&o, inc, "modified", "2026-01-01T00:00:00.000Z");
    expect_absent(&o, inc, "kill_chain_phases");
    assert_int_equal(get(&o, inc, "external_references")->size, 1);
    expect_str(&o, inc, "ext.incident_id", "INC-2026-000001");
    assert_int_equal(get(&o, inc, "ext.")->size,
                     4); /* extension_type, incident_id, version, reason */
    expect_str(&o, obj_at(&o, 6), "name", "INC-2026-000001 version 1 (created)");
    assert_int_equal(get(&o, obj_at(&o, 6), "object_refs")->size, 6);
    done(&o);
}

static void test_odd_members(void **state)
{
    (void)state;
    out_t o;
    stix(&o, FWD_ODD_DOC, NULL);
    /* no valid address, tactic or technique: no SCO, indicator, phase */
    static const char *const types[] = {"identity", "marking-definition",   "marking-definition",
                                        "identity", "extension-definition", "incident",
                                        "report"};
    expect_types(&o, types, sizeof(types) / sizeof(types[0]));
    int inc = obj_at(&o, 5);
    expect_str(&o, inc, "name", "INC-2026-000002");
    expect_absent(&o, inc, "kill_chain_phases");
    expect_absent(&o, inc, "ext.title");
    expect_absent(&o, inc, "ext.rule_id");
    expect_absent(&o, inc, "ext.severity");
    expect_absent(&o, inc, "ext.priority");
    expect_absent(&o, inc, "ext.status");
    expect_absent(&o, inc, "ext.group_key");
    expect_absent(&o, inc, "ext.first_seen"); /* "yesterday" */
    expect_absent(&o, inc, "ext.last_seen");  /* February 30th */
    expect_absent(&o, inc, "ext.dest_ips");   /* a string, not a list */
    expect_absent(&o, inc, "ext.src_ips");    /* holds a number and a null */
    expect_absent(&o, inc, "ext.samples");    /* an object, not a list */
    expect_absent(&o, inc, "ext.created_at"); /* a number */
    expect_absent(&o, inc, "ext.links");      /* empty */
    static const char *const tactics[] = {"Bad Tactic"};
    (void)tactics; /* holds a number too: left out */
    expect_absent(&o, inc, "ext.tactics");
    static const char *const tech[] = {"T11", "X1110"};
    expect_strs(&o, inc, "ext.techniques", tech, 2); /* strings: kept as they are */
    expect_str(&o, inc, "created", "2026-01-01T00:00:00.000Z");
    done(&o);
}

static void expect_error(const char *doc, const char *want)
{
    char err[256] = "";
    jw_t w;
    jw_init(&w);
    assert_int_equal(fwd_stix_write(&w, doc, strlen(doc), NULL, err, sizeof(err)), -1);
    if (strncmp(err, want, strlen(want)) != 0) fail_msg("got '%s', want '%s'", err, want);
    jw_free(&w);
}

static void test_bad_documents(void **state)
{
    (void)state;
    expect_error("", "incident version: json: ");
    expect_error("{\"version\":1,", "incident version: json: ");
    expect_error("[1]", "incident version: expected an object, found array");
    expect_error("{\"reason\":\"created\",\"incident\":{\"id\":\"INC-2026-000001\"}}",
                 "incident version: \"version\" must be an integer >= 1");
    expect_error("{\"version\":0,\"reason\":\"created\",\"incident\":{\"id\":\"INC-2026-000001\"}}",
                 "incident version: \"version\" must be an integer >= 1");
    expect_error(
        "{\"version\":1.5,\"reason\":\"created\",\"incident\":{\"id\":\"INC-2026-000001\"}}",
        "incident version: \"version\" must be an integer >= 1");
    expect_error(
        "{\"version\":1,\"reason\":\"opened\",\"incident\":{\"id\":\"INC-2026-000001\"}}",
        "incident version: \"reason\" must be created, escalated, resolved, closed or reopened");
    expect_error("{\"version\":1,\"reason\":\"created\"}",
                 "incident version: \"incident\" must be an object");
    expect_error("{\"version\":1,\"reason\":\"created\",\"incident\":[]}",
                 "incident version: \"incident\" must be an object");
    expect_error("{\"version\":1,\"reason\":\"created\",\"incident\":{}}",
                 "incident version: \"incident.id\" must be an id like INC-2026-000123, found ''");
    expect_error("{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":\"inc-1\\n\"}}",
                 "incident version: \"incident.id\" must be an id like INC-2026-000123, found "
                 "'inc-1\\n'");
    expect_error("{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":null}}",
                 "incident version: \"incident.id\" must be an id like INC-2026-000123, found "
                 "'null'");
}

/* Every cut of a valid document is invalid JSON: an error, never a crash
 * or a read past the cut (ASan). */
static void test_truncated(void **state)
{
    (void)state;
    const char *doc = FWD_FULL_DOC;
    size_t len = strlen(doc);
    jw_t w;
    jw_init(&w);
    for (size_t n = 0; n < len; n++) {
        char *cut = malloc(n ? n : 1); /* exactly n bytes, so ASan sees an overread */
        memcpy(cut, doc, n);
        char err[256];
        jw_reset(&w);
        assert_int_equal(fwd_stix_write(&w, cut, n, NULL, err, sizeof(err)), -1);
        free(cut);
    }
    jw_free(&w);
}

/* Address lists are taken up to FWD_STIX_MAX_ADDRS each; counts beyond
 * STIX's 999999999 are cut to it. */
static void test_limits(void **state)
{
    (void)state;
    size_t cap = 200000;
    char *doc = malloc(cap);
    size_t k = (size_t)snprintf(doc, cap,
                                "{\"version\":1,\"reason\":\"created\",\"incident\":"
                                "{\"id\":\"INC-2026-000008\",\"count\":5000000000,"
                                "\"src_ips\":[");
    for (int i = 0; i < 2500; i++) /* 198.18.0.0/15 counts as public here */
        k += (size_t)snprintf(doc + k, cap - k, "%s\"198.18.%d.%d\"", i ? "," : "", i / 250,
                              i % 250);
    snprintf(doc + k, cap - k, "]}}");
    out_t o;
    stix(&o, doc, NULL);
    /* 5 fixed, the incident, 2000 SCOs, observed-data, 2000 indicators and
     * sightings, the report */
    assert_int_equal(nobjs(&o), 5 + 1 + 2000 + 1 + 4000 + 1);
    int od = obj_at(&o, 2006);
    expect_str(&o, od, "type", "observed-data");
    expect_int(&o, od, "number_observed", 999999999);
    expect_int(&o, obj_at(&o, 2008), "count", 999999999);
    expect_int(&o, obj_at(&o, 5), "ext.count", 5000000000); /* ours: as it is */
    done(&o);
    free(doc);

    char err[256];
    jw_t w;
    jw_init(&w);
    /* the length is checked before anything is read */
    assert_int_equal(fwd_stix_write(&w, "{}", FWD_DOC_MAX + 1, NULL, err, sizeof(err)), -1);
    assert_string_equal(err, "incident version: 16777217 bytes, more than 16777216");
    assert_int_equal(fwd_stix_write(&w, NULL, 0, NULL, err, sizeof(err)), -1);
    assert_string_equal(err, "incident version: no document");
    jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle),        cmocka_unit_test(test_incident),
        cmocka_unit_test(test_addresses),     cmocka_unit_test(test_ipv6_source),
        cmocka_unit_test(test_options),       cmocka_unit_test(test_taxii_envelope),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_next_version),
        cmocka_unit_test(test_minimal),       cmocka_unit_test(test_odd_members),
        cmocka_unit_test(test_bad_documents), cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
