/* app_proto.c -- EVE names of the application protocol ids. */
#include "app_proto.h"

#include <stddef.h>

static const char *const names[APP_PROTO_COUNT] = {
    [APP_UNKNOWN] = NULL,    [APP_HTTP] = "http",         [APP_TLS] = "tls",
    [APP_DNS] = "dns",       [APP_SSH] = "ssh",           [APP_SMTP] = "smtp",
    [APP_FTP] = "ftp",       [APP_FTP_DATA] = "ftp-data", [APP_IMAP] = "imap",
    [APP_POP3] = "pop3",     [APP_SMB] = "smb",           [APP_DCERPC] = "dcerpc",
    [APP_NTP] = "ntp",       [APP_DHCP] = "dhcp",         [APP_SNMP] = "snmp",
    [APP_SIP] = "sip",       [APP_RDP] = "rdp",           [APP_RFB] = "rfb",
    [APP_MQTT] = "mqtt",     [APP_RTSP] = "rtsp",         [APP_MODBUS] = "modbus",
    [APP_DNP3] = "dnp3",     [APP_ENIP] = "enip",         [APP_KRB5] = "krb5",
    [APP_NFS] = "nfs",       [APP_TFTP] = "tftp",         [APP_IKE] = "ike",
    [APP_HTTP2] = "http2",   [APP_QUIC] = "quic",         [APP_LDAP] = "ldap",
    [APP_TELNET] = "telnet", [APP_IRC] = "irc",           [APP_MYSQL] = "mysql",
    [APP_PGSQL] = "pgsql",   [APP_FAILED] = "failed",
};

const char *app_proto_name(app_proto_t p)
{
    if ((unsigned)p >= APP_PROTO_COUNT) return NULL;
    return names[p];
}
