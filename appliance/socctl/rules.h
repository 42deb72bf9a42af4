/* rules.h -- `socctl rules check [PATH...]`: validate correlation rule
 * files (rules/correlation/NAME.yml) the way soc-correlator loads them. */
#ifndef SOC_SOCCTL_RULES_H
#define SOC_SOCCTL_RULES_H

int rules_main(int argc, char **argv);

#endif
