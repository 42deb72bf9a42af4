/* eve.h -- EVE JSON event writer (Suricata's eve.json format).
 *
 * An event is built in one reusable jw_t: eve_begin() writes the common part
 * (timestamp, flow_id, event_type, the 5-tuple), the caller adds its object,
 * eve_end() appends sensor{name,boot_id,seq} and queues the line. Lines are
 * written to the file in large blocks. */
#ifndef SOC_EVE_H
#define SOC_EVE_H

#include <stdbool.h>
#include <stdint.h>

#include "json_writer.h"
#include "../flow/flow.h"

struct geoip;

typedef struct eve eve_t;

/* path "-" is stdout, NULL no file (events go only to the sink). geoip may
 * be NULL (then no geoip objects). */
eve_t *eve_open(const char *path, const char *sensor_name, struct geoip *geoip, char *err,
                size_t errlen);
/* Flushes and closes; returns -1 if any write failed (message in err). */
int eve_close(eve_t *e, char *err, size_t errlen);
int eve_flush(eve_t *e);

/* Event about a flow. src is the client unless swap is set (then the server,
 * for events about a server-to-client packet). */
jw_t *eve_begin_flow(eve_t *e, const char *event_type, int64_t ts_usec, const flow_t *f, bool swap);
/* Event about a packet (anomaly); f may be NULL. */
jw_t *eve_begin_packet(eve_t *e, const char *event_type, const packet_t *p, const flow_t *f);
/* Event without a tuple (stats). */
jw_t *eve_begin(eve_t *e, const char *event_type, int64_t ts_usec);
void eve_end(eve_t *e);

/* A second destination for every event (the shipper): line() gets each
 * numbered event without its '\n', right after eve_end; stats() may add an
 * object to the stats event. Must not write events from inside line(). */
typedef struct eve_sink {
    void (*line)(void *ud, const char *line, size_t len);
    void (*stats)(void *ud, jw_t *w);
    void *ud;
} eve_sink_t;
void eve_set_sink(eve_t *e, const eve_sink_t *sink);
/* For eve_stats.c: lets the sink add its part of the stats event. */
void eve_sink_stats(eve_t *e, jw_t *w);

uint64_t eve_events_written(const eve_t *e);
uint64_t eve_events_dropped(const eve_t *e);
const char *eve_boot_id(const eve_t *e);

/* Text form of an address (INET6_ADDRSTRLEN bytes suffice); returns length. */
size_t eve_format_addr(char *out, int ip_version, const soc_addr_t *a);
/* Suricata's protocol name: "TCP", "UDP", "ICMP", "IPv6-ICMP" ..., or the number. */
const char *eve_proto_name(uint8_t proto, char buf[4]);

#endif
