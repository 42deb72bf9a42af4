/* incidents.h -- `socctl incidents ...`: the analysts' incident queue
 * (correlator/incidents/ holds the store; this is its command line). */
#ifndef SOC_SOCCTL_INCIDENTS_H
#define SOC_SOCCTL_INCIDENTS_H

int incidents_main(int argc, char **argv);

#endif
