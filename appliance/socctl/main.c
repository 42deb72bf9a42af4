/* socctl -- the appliance's command line. Each subcommand lives in its own
 * file as `int NAME_main(int argc, char **argv)` (argv[0] is the subcommand
 * name) and returns the exit code: 0 success, 1 failure, 2 bad usage. To add
 * one, add a row to socctl_commands. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "socctl/forward.h"
#include "socctl/incidents.h"
#include "socctl/pki.h"
#include "socctl/rules.h"
#include "socctl/status.h"

typedef struct socctl_command {
    const char *name;
    const char *args; /* shown in the usage text */
    const char *help;
    int (*run)(int argc, char **argv);
} socctl_command_t;

static const socctl_command_t socctl_commands[] = {
    {"incidents", "list|show|ack|assign|status|...", "the incident queue: triage and workflow",
     incidents_main},
    {"forward", "status [--json]", "what soc-forwarder has still to send, per endpoint",
     forward_main},
    {"pki", "init|issue|revoke|crl|list ...", "the appliance CA and sensor certificates", pki_main},
    {"rules", "check [PATH...]", "validate correlation rules (file:line:col errors)", rules_main},
    {"status", "[--json]", "sensors, stored events and ingest counters (Redis)", status_main},
};

#define SOCCTL_NCOMMANDS (sizeof(socctl_commands) / sizeof(socctl_commands[0]))

static void socctl_usage(FILE *out)
{
    fprintf(out, "usage: socctl COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < SOCCTL_NCOMMANDS; i++)
        fprintf(out, "  %-10s %-34s %s\n", socctl_commands[i].name, socctl_commands[i].args,
                socctl_commands[i].help);
    fprintf(out, "\n`socctl COMMAND --help` (or `socctl help COMMAND`) describes a command.\n");
}

static const socctl_command_t *socctl_find(const char *name)
{
    for (size_t i = 0; i < SOCCTL_NCOMMANDS; i++)
        if (strcmp(socctl_commands[i].name, name) == 0) return &socctl_commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    log_init("socctl");
    if (argc < 2) {
        socctl_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    bool help = strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0;
    if (help && argc < 3) {
        socctl_usage(stdout);
        return 0;
    }
    const socctl_command_t *c = socctl_find(help ? argv[2] : name);
    if (!c) {
        fprintf(stderr, "socctl: unknown command '%s' (see socctl --help)\n",
                help ? argv[2] : name);
        return 2;
    }
    if (help) {
        char helpopt[] = "--help";
        char *hargv[] = {argv[2], helpopt, NULL};
        return c->run(2, hargv);
    }
    return c->run(argc - 1, argv + 1);
}
