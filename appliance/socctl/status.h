/* status.h -- `socctl status`: the sensors the centre knows and the events
 * it holds, from Redis (the registry soc-ingest keeps). */
#ifndef SOC_SOCCTL_STATUS_H
#define SOC_SOCCTL_STATUS_H

int status_main(int argc, char **argv);

#endif
