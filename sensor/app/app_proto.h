/* app_proto.h -- application protocol ids shared by nDPI glue, parsers and EVE.
 *
 * The names are Suricata's EVE app_proto strings, so events keep the values
 * that jq filters and SIEM parsers written for Suricata expect. */
#ifndef SOC_APP_PROTO_H
#define SOC_APP_PROTO_H

typedef enum app_proto {
    APP_UNKNOWN = 0,
    APP_HTTP,
    APP_TLS,
    APP_DNS,
    APP_SSH,
    APP_SMTP,
    APP_FTP,
    APP_FTP_DATA,
    APP_IMAP,
    APP_POP3,
    APP_SMB,
    APP_DCERPC,
    APP_NTP,
    APP_DHCP,
    APP_SNMP,
    APP_SIP,
    APP_RDP,
    APP_RFB,
    APP_MQTT,
    APP_RTSP,
    APP_MODBUS,
    APP_DNP3,
    APP_ENIP,
    APP_KRB5,
    APP_NFS,
    APP_TFTP,
    APP_IKE,
    APP_HTTP2,
    APP_QUIC,
    APP_LDAP,
    APP_TELNET,
    APP_IRC,
    APP_MYSQL,
    APP_PGSQL,
    APP_FAILED, /* detection gave up (EVE "failed") */
    APP_PROTO_COUNT
} app_proto_t;

/* Result of the byte-span parsers (http.c, dns.c, tls.c). */
typedef enum app_parse {
    APP_PARSE_DONE = 0,  /* a complete unit was parsed */
    APP_PARSE_MORE = 1,  /* input ends inside the unit; call again with more */
    APP_PARSE_ERROR = -1 /* malformed or over a bound; resync or stop */
} app_parse_t;

/* EVE name ("http", "ftp-data", ...); NULL for APP_UNKNOWN and out of range. */
const char *app_proto_name(app_proto_t p);

#endif
