/* fwd_stix.h -- one incident version as a STIX 2.1 bundle (or the TAXII 2.1
 * envelope a collection's objects endpoint takes).
 *
 * What goes in (FORMATS.md has the mapping member by member):
 *   identity              the reporting organisation (options)
 *   marking-definition    the TLP level chosen, and TLP:WHITE for the two
 *                         public objects below
 *   identity, extension-definition
 *                         this product and its property extension, which
 *                         carries every member of our incident record
 *   incident              name, description, kill_chain_phases (ATT&CK
 *                         tactics), external_references (the incident id,
 *                         ATT&CK techniques), the extension
 *   ipv4-addr, ipv6-addr  sources and destinations
 *   observed-data         first/last seen, count, refs to the addresses
 *   indicator, sighting   one pair per source address (public ones only,
 *                         unless indicators_all)
 *   report                this version: published, refs to everything
 * Every object but the SCOs' own ids is a UUIDv5 of the project namespace
 * and a name built from the incident id (fwd_uuid.h), every time is one of
 * the incident's own: the same document always gives the same bytes. */
#ifndef SOC_FWD_STIX_H
#define SOC_FWD_STIX_H

#include <stdbool.h>
#include <stddef.h>

#include "json_writer.h"

#define FWD_STIX_MEDIA_TYPE  "application/stix+json;version=2.1"
#define FWD_TAXII_MEDIA_TYPE "application/taxii+json;version=2.1"
/* The extension's fixed id: UUIDv5(project namespace,
 * "extension-definition/soc-incident/1"). */
#define FWD_STIX_EXT_ID "extension-definition--d626dfea-3f47-5ead-9560-66a32de29e3b"
/* The product's identity (author of the extension):
 * UUIDv5(project namespace, "identity/soc-appliance"). */
#define FWD_STIX_PRODUCT_ID "identity--995a70dc-5adc-558a-a8bd-7357fa9df467"
/* Addresses taken from each of src_ips and dest_ips (the rest stay in the
 * extension's lists). */
#define FWD_STIX_MAX_ADDRS 2000

typedef struct fwd_stix_opts {
    const char *identity_name;  /* NULL: "SOC appliance" */
    const char *identity_class; /* identity-class-ov; NULL: "organization" */
    const char *sector;         /* industry-sector-ov ("government-local"); NULL: none */
    const char *contact;        /* contact_information; NULL: none */
    const char *tlp;            /* "white" ("clear"), "green", "amber", "red"; NULL: amber */
    bool indicators_all;        /* indicators for private source addresses too */
    bool taxii_envelope;        /* {"objects":[...]} instead of a bundle */
} fwd_stix_opts_t;

/* Check options (the config loader reports the message). 0 or -1. */
int fwd_stix_opts_check(const fwd_stix_opts_t *o, char *err, size_t errlen);

/* Append the bundle or envelope for the incident version doc[0..len) to
 * out (one JSON value). 0, or -1 with one line in err: bad document, bad
 * options, or output too large. o may be NULL (all defaults). */
int fwd_stix_write(jw_t *out, const char *doc, size_t len, const fwd_stix_opts_t *o, char *err,
                   size_t errlen);

#endif
