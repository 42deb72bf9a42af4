/* incident_status.c -- see incident_status.h. */
#include "incident_status.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[INCIDENT_STATUS_COUNT] = {
    "new", "acknowledged", "investigating", "resolved", "false_positive", "closed",
};

/* allowed[from][to] */
static const bool allowed[INCIDENT_STATUS_COUNT][INCIDENT_STATUS_COUNT] = {
    [INCIDENT_NEW] = {[INCIDENT_ACKNOWLEDGED] = true},
    [INCIDENT_ACKNOWLEDGED] = {[INCIDENT_INVESTIGATING] = true},
    [INCIDENT_INVESTIGATING] = {[INCIDENT_RESOLVED] = true, [INCIDENT_FALSE_POSITIVE] = true},
    [INCIDENT_RESOLVED] = {[INCIDENT_CLOSED] = true, [INCIDENT_INVESTIGATING] = true},
    [INCIDENT_FALSE_POSITIVE] = {[INCIDENT_CLOSED] = true, [INCIDENT_INVESTIGATING] = true},
    [INCIDENT_CLOSED] = {[INCIDENT_INVESTIGATING] = true},
};

static bool valid(incident_status_t s)
{
    return (unsigned)s < INCIDENT_STATUS_COUNT;
}

const char *incident_status_name(incident_status_t s)
{
    return valid(s) ? status_names[s] : "?";
}

bool incident_status_parse(const char *name, incident_status_t *out)
{
    for (int i = 0; name && i < INCIDENT_STATUS_COUNT; i++)
        if (strcmp(name, status_names[i]) == 0) {
            *out = (incident_status_t)i;
            return true;
        }
    return false;
}

bool incident_status_open(incident_status_t s)
{
    return s == INCIDENT_NEW || s == INCIDENT_ACKNOWLEDGED || s == INCIDENT_INVESTIGATING;
}

bool incident_transition_allowed(incident_status_t from, incident_status_t to)
{
    return valid(from) && valid(to) && allowed[from][to];
}

/* Targets of `from` joined by sep; returns strlen. */
static size_t join_targets(incident_status_t from, const char *sep, char *out, size_t outcap)
{
    size_t n = 0;
    if (outcap) out[0] = '\0';
    for (int to = 0; valid(from) && to < INCIDENT_STATUS_COUNT; to++) {
        if (!allowed[from][to]) continue;
        int w =
            snprintf(out + n, outcap > n ? outcap - n : 0, "%s%s", n ? sep : "", status_names[to]);
        if (w > 0) n += (size_t)w;
    }
    return n < outcap ? n : (outcap ? outcap - 1 : 0);
}

size_t incident_transitions_from(incident_status_t from, char *out, size_t outcap)
{
    size_t n = join_targets(from, ", ", out, outcap);
    if (n == 0 && outcap) return (size_t)snprintf(out, outcap, "none");
    return n;
}

const char *incident_transition_table(void)
{
    /* A literal rather than built at run time (no shared mutable state); the
     * unit test checks it says exactly what `allowed` says. */
    return "new:acknowledged|acknowledged:investigating|investigating:resolved,false_positive|"
           "resolved:investigating,closed|false_positive:investigating,closed|"
           "closed:investigating";
}
