/* incident_lua.h -- the Lua scripts behind every change to an incident.
 *
 * One operation is one script call: atomic, and Redis checks each command
 * in it against the caller's ACL (correlator for APPLY, console for the
 * rest). Arguments are documented at the top of each script's body in
 * incident_lua.c. Refusals (no such incident, a transition not allowed ...)
 * come back as error replies starting "REFUSED ". */
#ifndef SOC_INCIDENT_LUA_H
#define SOC_INCIDENT_LUA_H

typedef enum incident_script {
    INCIDENT_SCRIPT_APPLY = 0,
    INCIDENT_SCRIPT_STATUS,
    INCIDENT_SCRIPT_ASSIGN,
    INCIDENT_SCRIPT_COMMENT,
    INCIDENT_SCRIPT_MERGE,
    INCIDENT_SCRIPT_GET, /* read-only: run with EVALSHA_RO */
    INCIDENT_SCRIPT_COUNT
} incident_script_t;

extern const char *const incident_script_source[INCIDENT_SCRIPT_COUNT];

#define INCIDENT_REFUSED_PREFIX "REFUSED "

#endif
