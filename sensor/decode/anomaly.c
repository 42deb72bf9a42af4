/* anomaly.c -- names of anomaly kinds and recording them on a packet. */
#include "anomaly.h"

#include "decode_int.h"

#define SOC_ANOMALY_LAYER(name, layer, event) layer,
#define SOC_ANOMALY_EVENT(name, layer, event) event,
static const char *const layer_names[ANOM_COUNT] = {SOC_ANOMALY_LIST(SOC_ANOMALY_LAYER)};
static const char *const event_names[ANOM_COUNT] = {SOC_ANOMALY_LIST(SOC_ANOMALY_EVENT)};
#undef SOC_ANOMALY_LAYER
#undef SOC_ANOMALY_EVENT

const char *anomaly_layer(anomaly_kind_t kind)
{
    return (unsigned)kind < ANOM_COUNT ? layer_names[kind] : "unknown";
}

const char *anomaly_event(anomaly_kind_t kind)
{
    return (unsigned)kind < ANOM_COUNT ? event_names[kind] : "unknown";
}

void anomaly_add(packet_t *p, decode_stats_t *st, anomaly_kind_t kind, uint32_t offset)
{
    st->anomalies[kind]++;
    if (p->anomaly_count < PKT_MAX_ANOMALIES) {
        anomaly_t *a = &p->anomalies[p->anomaly_count++];
        a->kind = (uint16_t)kind;
        a->offset = (uint16_t)(offset > UINT16_MAX ? UINT16_MAX : offset);
    }
}
