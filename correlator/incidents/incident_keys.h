/* incident_keys.h -- where the incident store lives in Redis (KEYS.md has
 * every key, its type and who writes it).
 *
 * All keys carry the hash tag {inc}: in a Redis Cluster they sit in one
 * slot, so each operation stays one atomic Lua script even though the
 * script finds some keys (the open incident of a group, related incidents)
 * only while it runs. Incidents are few next to events; the event streams
 * are what is sharded. */
#ifndef SOC_INCIDENT_KEYS_H
#define SOC_INCIDENT_KEYS_H

#define INCIDENT_KEY_PREFIX   "soc:incident:{inc}:"   /* + ID, + ID:sub, dedup, all, seq ... */
#define INCIDENT_QUEUE_PREFIX "soc:queue:{inc}:"      /* open, assignee:U, asset:A, by_status */
#define INCIDENT_MATCH_PREFIX "soc:corr:{inc}:match:" /* + match id: applied matches */

#define INCIDENT_KEY_DEDUP    INCIDENT_KEY_PREFIX "dedup"
#define INCIDENT_KEY_ALL      INCIDENT_KEY_PREFIX "all"
#define INCIDENT_QUEUE_OPEN   INCIDENT_QUEUE_PREFIX "open"
#define INCIDENT_QUEUE_COUNTS INCIDENT_QUEUE_PREFIX "by_status"
#define INCIDENT_QUEUE_ASSIGN INCIDENT_QUEUE_PREFIX "assignee:"
#define INCIDENT_QUEUE_ASSET  INCIDENT_QUEUE_PREFIX "asset:"

/* Changes the forwarder must pass on (created, escalated, resolved, closed,
 * reopened), one stream entry per incident version; same slot as the
 * incidents so a script can add to it. */
#define INCIDENT_OUTBOX_KEY "soc:outbox:{inc}:changes"

#endif
