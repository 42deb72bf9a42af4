/* fwd_stix_int.h -- shared by the fwd_stix*.c files: the state of one
 * bundle being written. */
#ifndef SOC_FWD_STIX_INT_H
#define SOC_FWD_STIX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd_incdoc.h"
#include "fwd_stix.h"
#include "json_writer.h"

#define STX_ID_MAX   64 /* "extension-definition--" + 36 + NUL fits */
#define STX_TIME_MAX 32
#define STX_IP_MAX   48 /* INET6_ADDRSTRLEN and then some */

typedef struct stx_addr {
    char ip[STX_IP_MAX]; /* canonical text (inet_ntop) */
    bool v6, src, dst;
    char sco[STX_ID_MAX]; /* ipv4-addr--... / ipv6-addr--... */
} stx_addr_t;

typedef struct stx {
    jw_t *w;
    const fwd_incdoc_t *d;
    const fwd_stix_opts_t *o;
    const char *tlp_id; /* the chosen TLP marking-definition */
    char identity[STX_ID_MAX];
    char created[STX_TIME_MAX], modified[STX_TIME_MAX]; /* of this version's objects */
    char first[STX_TIME_MAX], last[STX_TIME_MAX];       /* observation window */
    uint64_t count;                                     /* events; 0 when unknown */
    stx_addr_t *addrs;                                  /* sorted, unique */
    size_t naddrs;
    char observed[STX_ID_MAX]; /* observed-data id, "" when there is none */
    char (*refs)[STX_ID_MAX];  /* every object written, for the report */
    size_t nrefs, caprefs;
    bool failed; /* out of memory outside the writer */
} stx_t;

#define STX_TLP_WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"

/* "type--UUIDv5(project namespace, name)". */
bool stx_make_id(char out[STX_ID_MAX], const char *type, const char *name, size_t n);
/* Same, with the name printf-formatted (bounded: ids and addresses). */
bool stx_make_idf(char out[STX_ID_MAX], const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Remember an object id for the report's object_refs. */
void stx_ref(stx_t *x, const char *id);
/* Open an SDO/SRO: type, spec_version, id, created_by_ref, created, modified
 * (this version's times), and note its id. */
void stx_sdo_open(stx_t *x, const char *type, const char *id);
/* object_marking_refs [marking] and close the object. */
void stx_close_marked(stx_t *x, const char *marking);

/* fwd_stix_incident.c: the incident SDO. */
void stx_incident(stx_t *x);
/* kill_chain_phases from attack.tactics (nothing when there are none). */
void stx_kill_chain(stx_t *x);

/* fwd_stix_addr.c: addresses, SCOs, observed-data, indicators, sightings. */
bool stx_addrs_collect(stx_t *x);
void stx_addr_objects(stx_t *x);

#endif
