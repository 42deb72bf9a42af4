/* eve_app.h -- the inner objects of http, dns and tls events, laid out as
 * Suricata 7 writes them in eve.json ("http": {...}, "dns": {...} in the
 * version 2 format, "tls": {...}). The caller has opened the event object
 * and written the common fields; each function adds one member. */
#ifndef SOC_EVE_APP_H
#define SOC_EVE_APP_H

#include "json_writer.h"
#include "../app/app_layer.h"
#include "../app/dns.h"

/* "http": {hostname, http_port, url, http_user_agent, http_content_type,
 * http_refer, http_method, protocol, status, redirect, length}; absent
 * fields are omitted, length is always there. */
void eve_app_http(jw_t *w, const http_tx_t *tx);

/* "dns": a query {type, id, rrname, rrtype, tx_id, opcode} (first question)
 * or an answer {version, type, id, flags, qr, aa, tc, rd, ra, z, opcode,
 * rrname, rrtype, rcode, answers[], authorities[]}. */
void eve_app_dns(jw_t *w, const dns_msg_t *m);

/* "tls": {subject, issuerdn, serial, fingerprint, sni, version, notbefore,
 * notafter, ja3{hash,string}, ja3s{hash,string}, client_alpns[],
 * server_alpns[]}; the certificate fields (the leaf's, Suricata's forms)
 * only with one. */
void eve_app_tls(jw_t *w, const tls_info_t *t);

/* Suricata's AAAA rdata form: eight zero-padded groups
 * ("2001:0db8:0000:...") -- out needs 40 bytes. A is dotted quad. */
void eve_app_dns_addr(const uint8_t *addr, unsigned len, char out[40]);

#endif
