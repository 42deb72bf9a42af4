/* rules.c -- `socctl rules check [PATH...]`.
 *
 * Loads the correlation rules exactly as soc-correlator does and prints
 * every problem as one line "FILE:LINE:COL: rule ID: what", then the
 * summary "N rules loaded, M skipped". Exit 0 when every rule loaded, 1
 * when any was skipped, 2 on bad usage. Without PATH it checks the
 * installed rules (/etc/soc/rules/correlation), or ./rules/correlation in
 * a source tree. */
#include "socctl/rules.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/corr_rule.h"

#define DEFAULT_RULES "/etc/soc/rules/correlation"
#define SOURCE_RULES  "rules/correlation"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: socctl rules check [PATH...]\n"
            "\n"
            "Validate correlation rules (files, or directories of *.yml and *.yaml):\n"
            "each rule with an error is reported as FILE:LINE:COL: rule ID: what,\n"
            "then \"N rules loaded, M skipped\". Exit status 1 when any rule is skipped.\n"
            "Default PATH: %s, or %s when that does not exist.\n",
            DEFAULT_RULES, SOURCE_RULES);
}

static void print_line(void *ud, const char *line)
{
    fprintf(ud, "%s\n", line);
}

static int check(int npaths, char **paths)
{
    const char *def[1];
    const char *const *list = (const char *const *)paths;
    if (npaths == 0) {
        struct stat st;
        def[0] = stat(DEFAULT_RULES, &st) == 0 ? DEFAULT_RULES : SOURCE_RULES;
        list = def;
        npaths = 1;
    }
    corr_ruleset_t *rs = corr_ruleset_load(list, (size_t)npaths, print_line, stdout);
    if (!rs) {
        fprintf(stderr, "socctl rules check: out of memory\n");
        return 1;
    }
    size_t loaded = corr_ruleset_loaded(rs), skipped = corr_ruleset_skipped(rs);
    printf("%zu rules loaded, %zu skipped\n", loaded, skipped);
    corr_ruleset_free(rs);
    return skipped ? 1 : 0;
}

int rules_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "socctl rules: unknown command '%s' (see socctl rules --help)\n", argv[1]);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "socctl rules check: unknown option '%s' (see socctl rules --help)\n",
                    argv[i]);
            return 2;
        }
    }
    return check(argc - 2, argv + 2);
}
