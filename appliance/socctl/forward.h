/* forward.h -- `socctl forward status`: soc-forwarder's queues and
 * endpoints, from Redis. */
#ifndef SOC_SOCCTL_FORWARD_H
#define SOC_SOCCTL_FORWARD_H

int forward_main(int argc, char **argv);

#endif
