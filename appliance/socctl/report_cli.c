/* report_cli.c -- see report_cli.h.
 *
 * Order of work: read everything (config, profile, incident, assets), check
 * the report may be sent now, build it, write it (to a temporary file when
 * it goes to a file), record it in Redis (one script: refused if another
 * analyst recorded the same report meanwhile), and only then publish it
 * (rename, or print). A report that could not be recorded is not left
 * behind; one recorded is always there. */
#include "socctl/report_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "context/asset.h"
#include "incidents/incident_report.h"
#include "log.h"
#include "report/report_build.h"
#include "report/report_pdf.h"
#include "socctl/redis_client.h"
#include "socctl/report_view.h"

typedef struct ropts {
    socctl_redis_opts_t redis;
    const char *config, *actor, *id, *kind_s, *format, *out, *profile, *now_s;
    const char *text[3]; /* cause, scope, measures as given */
    char *nfc[3];        /* the same in NFC (owned) */
    report_kind_t kind;
    bool pdf;
    int64_t now;
} ropts_t;

static const char *const text_names[3] = {"cause", "scope", "measures"};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: socctl incidents report ID --kind initial|update|final --format pdf|json\n"
            "           [--out FILE] [--profile NAME|PATH] [--cause TEXT] [--scope TEXT]\n"
            "           [--measures TEXT] [--now TIME] [--actor NAME] [--config FILE]\n"
            "           [--redis-socket PATH] [--redis-user USER] [--redis-password-file FILE]\n"
            "Writes the report ID owes under the reporting profile (reports.profile in\n"
            "soc.yaml, or --profile) in Vietnamese, and records it on the incident's\n"
            "timeline. json goes to stdout unless --out FILE; pdf goes to --out FILE, else\n"
            "ID-KIND.pdf. --cause, --scope and --measures are kept on the incident for the\n"
            "next report (up to 4096 bytes each). --now (else $SOC_NOW) fixes the time:\n"
            "2026-03-01T08:30:00Z or @EPOCH. The actor is --actor, else $SOC_ACTOR,\n"
            "$SUDO_USER or $USER.\n");
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "socctl incidents report: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return 2;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "socctl incidents report: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return 1;
}

/* ---- options -------------------------------------------------------------------------- */

static int parse(int argc, char **argv, ropts_t *o)
{
    static const struct option longopts[] = {
        {"kind", required_argument, NULL, 'k'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},
        {"profile", required_argument, NULL, 'P'},
        {"cause", required_argument, NULL, 'C'},
        {"scope", required_argument, NULL, 'S'},
        {"measures", required_argument, NULL, 'M'},
        {"now", required_argument, NULL, 'n'},
        {"actor", required_argument, NULL, 'a'},
        {"config", required_argument, NULL, 'c'},
        {"redis-socket", required_argument, NULL, 's'},
        {"redis-user", required_argument, NULL, 'u'},
        {"redis-password-file", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k': o->kind_s = optarg; break;
        case 'f': o->format = optarg; break;
        case 'o': o->out = optarg; break;
        case 'P': o->profile = optarg; break;
        case 'C': o->text[0] = optarg; break;
        case 'S': o->text[1] = optarg; break;
        case 'M': o->text[2] = optarg; break;
        case 'n': o->now_s = optarg; break;
        case 'a': o->actor = optarg; break;
        case 'c': o->config = optarg; break;
        case 's': o->redis.socket = optarg; break;
        case 'u': o->redis.user = optarg; break;
        case 'p': o->redis.password_file = optarg; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc) return bad("expected one incident id (see --help)");
    o->id = argv[optind];
    return 0;
}

static int64_t wall_usec(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static const char *pick_actor(const ropts_t *o)
{
    const char *cands[] = {o->actor, getenv("SOC_ACTOR"), getenv("SUDO_USER"), getenv("USER")};
    for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
        if (cands[i] && *cands[i]) return cands[i];
    return NULL;
}

/* Everything that needs no Redis: 0, or the exit status. */
static int check_opts(ropts_t *o)
{
    char err[256];
    if (!incident_id_valid(o->id))
        return bad("'%.64s' is not an incident id (INC-YYYY-NNNNNN)", o->id);
    if (!o->kind_s || !report_kind_parse(o->kind_s, &o->kind))
        return bad("--kind: expected initial, update or final");
    if (!o->format || (strcmp(o->format, "pdf") && strcmp(o->format, "json")))
        return bad("--format: expected pdf or json");
    o->pdf = strcmp(o->format, "pdf") == 0;
    if (o->out && !o->out[0]) return bad("--out: empty file name");
    if (o->out && strlen(o->out) > 4000) return bad("--out: path longer than 4000 bytes");
    if (o->pdf && o->out && strcmp(o->out, "-") == 0)
        return bad("--out: a PDF goes to a file, not to stdout");
    const char *now_s = o->now_s ? o->now_s : getenv("SOC_NOW");
    o->now = wall_usec();
    if (now_s && *now_s && !incident_parse_time(now_s, o->now, &o->now, err, sizeof(err)))
        return bad("--now: %s", err);
    for (int i = 0; i < 3; i++) {
        if (!o->text[i]) continue;
        size_t n = strnlen(o->text[i], INCIDENT_REPORT_TEXT_MAX + 1);
        o->nfc[i] = report_nfc(o->text[i]);
        if (!o->nfc[i] || n == 0 || strlen(o->nfc[i]) > INCIDENT_REPORT_TEXT_MAX)
            return bad("--%s: expected UTF-8 text of 1..%d bytes", text_names[i],
                       INCIDENT_REPORT_TEXT_MAX);
        for (const char *p = o->nfc[i]; *p; p++)
            if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                return bad("--%s: control characters are not allowed (but newline and tab)",
                           text_names[i]);
    }
    const char *actor = pick_actor(o);
    if (!actor) return bad("no actor: give --actor NAME (or set $SOC_ACTOR)");
    if (!incident_name_ok(actor))
        return bad("actor '%.64s' must be 1..64 letters, digits or . _ @ -", actor);
    o->actor = actor;
    return 0;
}

/* ---- the work ----------------------------------------------------------------------------- */

typedef struct ctx {
    report_view_t *view;
    incident_config_t icfg;
    asset_set_t *assets;
    redisContext *c;
    incident_store_t *st;
    incident_t inc;
    bool have_inc;
} ctx_t;

static int load_setup(const ropts_t *o, ctx_t *x)
{
    char err[1024];
    const char *cfg = report_config_path(o->config);
    incident_config_defaults(&x->icfg);
    if (cfg && !incident_config_load(&x->icfg, cfg, err, sizeof(err))) return fail("%s", err);
    x->view = report_view_open(cfg, o->profile, err, sizeof(err));
    if (!x->view && err[0]) return fail("%s", err);
    if (!x->view)
        return fail("no reporting profile: set reports.profile in %s or give --profile",
                    cfg ? cfg : "soc.yaml");
    const char *assets = x->view->settings.assets;
    if (assets[0] && (access(assets, F_OK) == 0 || strcmp(assets, REPORT_DEFAULT_ASSETS) != 0)) {
        x->assets = asset_load_file(assets, NULL, NULL, err, sizeof(err));
        if (!x->assets) log_warn("%s; owners of systems come from reports.owner", err);
    }
    return 0;
}

static int load_incident(const ropts_t *o, ctx_t *x)
{
    char err[512];
    x->c = socctl_redis_connect(&o->redis, err, sizeof(err));
    if (!x->c) return fail("%s", err);
    x->st = incident_store_attach(x->c, &x->icfg);
    if (!x->st) return fail("out of memory");
    if (incident_get(x->st, o->id, true, &x->inc, err, sizeof(err)) != INCIDENT_OK)
        return fail("%s", err);
    x->have_inc = true;
    report_facts_t f;
    report_facts_of(&x->inc, &f);
    if (!report_kind_allowed(&f, o->kind, o->id, err, sizeof(err))) return fail("%s", err);
    return 0;
}

static void system_of(const ctx_t *x, report_system_t *sys)
{
    const asset_t *a =
        x->assets && x->inc.asset_name[0] ? asset_find(x->assets, x->inc.asset_name) : NULL;
    sys->owner = a ? a->owner : "";
    sys->description = a ? a->description : "";
    sys->contact = a ? a->contact : "";
}

/* The report written where it goes first: a temporary file beside the
 * target, or memory for stdout. */
typedef struct output {
    char path[4096], tmp[4200];
    char *json; /* for stdout */
    int pages;
} output_t;

static int write_json(const report_t *r, output_t *out)
{
    jw_t w;
    jw_init(&w);
    report_json(&w, r);
    if (w.oom) {
        jw_free(&w);
        return fail("out of memory writing JSON");
    }
    if (!out->path[0]) {
        out->json = strdup(w.buf);
        jw_free(&w);
        return out->json ? 0 : fail("out of memory");
    }
    FILE *f = fopen(out->tmp, "w");
    bool ok = f && fputs(w.buf, f) >= 0 && fputc('\n', f) != EOF;
    ok = (f && fclose(f) == 0) && ok;
    jw_free(&w);
    return ok ? 0 : fail("%s: %s", out->tmp, strerror(errno));
}

static int write_report(const report_t *r, const ropts_t *o, output_t *out)
{
    char err[512];
    if (o->out && strcmp(o->out, "-") != 0)
        snprintf(out->path, sizeof(out->path), "%s", o->out);
    else if (o->pdf)
        snprintf(out->path, sizeof(out->path), "%s-%s.pdf", o->id, report_kind_name(o->kind));
    if (out->path[0]) snprintf(out->tmp, sizeof(out->tmp), "%s.tmp.%ld", out->path, (long)getpid());
    if (!o->pdf) return write_json(r, out);
    int rc = report_pdf_write(r, out->tmp, &out->pages, err, sizeof(err));
    report_pdf_release();
    if (rc < 0) {
        unlink(out->tmp);
        return fail("%s", err);
    }
    return 0;
}

static int record(const report_t *r, const ropts_t *o, ctx_t *x)
{
    char err[512];
    incident_report_rec_t rec = {
        .id = o->id,
        .kind = report_kind_name(o->kind),
        .actor = o->actor,
        .profile = x->view->profile.name,
        .now_usec = o->now,
        .due_usec = r->before.due[o->kind],
        .next_kind = r->after.has_next ? report_kind_name(r->after.next) : "",
        .next_due = r->after.has_next ? r->after.next_due : 0,
        .cause = o->nfc[0],
        .scope = o->nfc[1],
        .measures = o->nfc[2],
    };
    if (incident_report_record(x->st, &rec, err, sizeof(err)) != INCIDENT_OK)
        return fail("%s", err);
    return 0;
}

static int publish(const report_t *r, const ropts_t *o, output_t *out)
{
    char next[REPORT_TEXT_MAX + 128];
    report_next_text(r->profile, &r->after, next, sizeof(next));
    if (!out->path[0]) {
        printf("%s\n", out->json);
        fflush(stdout);
    } else if (rename(out->tmp, out->path) != 0) {
        return fail("%s: recorded, but cannot be put in place: %s (the report is in %s)", out->path,
                    strerror(errno), out->tmp);
    }
    /* stdout carries the JSON when there is no file: the note goes to stderr then */
    FILE *note = out->path[0] ? stdout : stderr;
    fprintf(note, "%s: %s recorded (%s) by %s%s%s; next: %s\n", o->id,
            r->profile->kinds[o->kind].name, r->profile->name, o->actor,
            out->path[0] ? ", written to " : "", out->path, next);
    return 0;
}

static int run(ropts_t *o)
{
    ctx_t x = {0};
    output_t out = {.pages = 0};
    report_t r = {0};
    bool built = false;
    int rc = load_setup(o, &x);
    if (!rc) rc = load_incident(o, &x);
    if (!rc) {
        char err[512];
        report_input_t in = {.inc = &x.inc,
                             .profile = &x.view->profile,
                             .settings = &x.view->settings,
                             .kind = o->kind,
                             .reporter = o->actor,
                             .now_usec = o->now,
                             .cause = o->nfc[0],
                             .scope = o->nfc[1],
                             .measures = o->nfc[2]};
        system_of(&x, &in.system);
        rc = report_build(&in, &r, err, sizeof(err)) == 0 ? 0 : fail("%s", err);
        built = rc == 0;
    }
    if (!rc) rc = write_report(&r, o, &out);
    if (!rc) {
        rc = record(&r, o, &x);
        if (rc && out.tmp[0]) unlink(out.tmp);
    }
    if (!rc) rc = publish(&r, o, &out);
    if (built) report_free(&r);
    free(out.json);
    if (x.have_inc) incident_free(&x.inc);
    incident_store_close(x.st);
    if (x.c) redisFree(x.c);
    asset_set_free(x.assets);
    report_view_close(x.view);
    return rc;
}

int report_cli_main(int argc, char **argv)
{
    ropts_t o = {.kind = REPORT_INITIAL};
    int rc = parse(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : rc;
    rc = check_opts(&o);
    if (!rc) rc = run(&o);
    for (int i = 0; i < 3; i++)
        free(o.nfc[i]);
    return rc;
}
