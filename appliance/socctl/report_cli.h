/* report_cli.h -- `socctl incidents report ID --kind initial|update|final
 * --format pdf|json`: the report an incident owes the authorities under the
 * reporting profile (appliance/report), recorded on the incident's timeline
 * once it is written. */
#ifndef SOC_SOCCTL_REPORT_CLI_H
#define SOC_SOCCTL_REPORT_CLI_H

/* argv[0] is "report". Exit status: 0 done, 1 failed or refused, 2 usage. */
int report_cli_main(int argc, char **argv);

#endif
