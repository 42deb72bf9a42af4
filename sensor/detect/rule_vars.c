/* rule_vars.c -- address and port variables ($HOME_NET, $HTTP_PORTS ...).
 *
 * Two tables, as suricata.yaml's address-groups and port-groups: a name is
 * looked up in the table of the context it is used in. The defaults are
 * those of Suricata's stock suricata.yaml, so public rule sets load without
 * a configuration. */
#include "rule_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const default_addr[][2] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"EXTERNAL_NET", "!$HOME_NET"},
    {"HTTP_SERVERS", "$HOME_NET"},
    {"SMTP_SERVERS", "$HOME_NET"},
    {"SQL_SERVERS", "$HOME_NET"},
    {"DNS_SERVERS", "$HOME_NET"},
    {"TELNET_SERVERS", "$HOME_NET"},
    {"AIM_SERVERS", "$EXTERNAL_NET"},
    {"DC_SERVERS", "$HOME_NET"},
    {"DNP3_SERVER", "$HOME_NET"},
    {"DNP3_CLIENT", "$HOME_NET"},
    {"MODBUS_CLIENT", "$HOME_NET"},
    {"MODBUS_SERVER", "$HOME_NET"},
    {"ENIP_CLIENT", "$HOME_NET"},
    {"ENIP_SERVER", "$HOME_NET"},
};

static const char *const default_port[][2] = {
    {"HTTP_PORTS", "80"},
    {"SHELLCODE_PORTS", "!80"},
    {"ORACLE_PORTS", "1521"},
    {"SSH_PORTS", "22"},
    {"DNP3_PORTS", "20000"},
    {"MODBUS_PORTS", "502"},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"FTP_PORTS", "21"},
    {"GENEVE_PORTS", "6081"},
    {"VXLAN_PORTS", "4789"},
    {"TEREDO_PORTS", "3544"},
};

void rule_vars_init(rule_vars_t *v)
{
    memset(v, 0, sizeof(*v));
}

bool rule_vars_defaults(rule_vars_t *v)
{
    for (size_t i = 0; i < sizeof(default_addr) / sizeof(default_addr[0]); i++)
        if (!rule_vars_set(&v->addr, default_addr[i][0], default_addr[i][1])) return false;
    for (size_t i = 0; i < sizeof(default_port) / sizeof(default_port[0]); i++)
        if (!rule_vars_set(&v->port, default_port[i][0], default_port[i][1])) return false;
    return true;
}

bool rule_vars_set(strmap_t *m, const char *name, const char *value)
{
    char *val = strdup(value);
    if (val == NULL) return false;
    strmap_slot_t *s = strmap_find(m, name, strlen(name));
    if (s) {
        free(s->val);
        s->val = val;
        return true;
    }
    char *key = strdup(name);
    if (key == NULL || !strmap_put(m, key, strlen(key), val)) {
        free(key);
        free(val);
        return false;
    }
    return true;
}

const char *rule_vars_get(const strmap_t *m, const char *name, size_t len)
{
    strmap_slot_t *s = strmap_find(m, name, len);
    return s ? s->val : NULL;
}

static void free_table(strmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key == NULL) continue;
        free((char *)m->slots[i].key);
        free(m->slots[i].val);
    }
    strmap_free(m);
}

void rule_vars_free(rule_vars_t *v)
{
    free_table(&v->addr);
    free_table(&v->port);
}
