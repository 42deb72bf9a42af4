/* fuzz_pipeline.c -- frames through the whole sensor path: decode, flow
 * table, nDPI, app-layer parsers and EVE output (to /dev/null).
 *
 * Input: one byte picking the link type, then records of
 *   [u16 little-endian frame length][u8 time step in 100 ms][frame bytes]
 * so one input is a small capture: flows form, time out and get evicted
 * (the table holds only 64 flows). After each input every flow is flushed,
 * as at the end of a capture. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "log.h"
#include "output/eve.h"
#include "pipeline/pipeline.h"
#include "pipeline/sensor_config.h"

static const int linktypes[] = {1, 0, 12, 101, 108, 113, 276, 228, 229};
#define NLINK (sizeof(linktypes) / sizeof(linktypes[0]))

static pipeline_t *pipes[NLINK];
static eve_t *eve;

static pipeline_t *get_pipeline(unsigned idx)
{
    if (pipes[idx]) return pipes[idx];
    char err[256];
    sensor_config_t cfg;
    sensor_config_defaults(&cfg);
    cfg.flow.max_flows = 64;
    cfg.dpi.max_detecting = 64;
    cfg.defrag.max_trackers = 16;
    cfg.defrag.memcap_bytes = 1u << 20;
    cfg.app_memcap = 1u << 20;
    cfg.stats_interval = 5;
    if (!eve) eve = eve_open("/dev/null", "fuzz", NULL, err, sizeof(err));
    if (!eve) abort();
    pipes[idx] = pipeline_new(&cfg, eve, linktypes[idx], err, sizeof(err));
    if (!pipes[idx]) abort();
    return pipes[idx];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        log_set_level(SOC_LOG_ERROR);
        quiet = 1;
    }
    if (size < 1) return 0;
    pipeline_t *pl = get_pipeline(data[0] % NLINK);
    size_t off = 1;
    int64_t ts = 1700000000LL * 1000000;
    while (off + 3 <= size) {
        uint32_t len = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8;
        ts += (int64_t)data[off + 2] * 100000;
        off += 3;
        if (len > size - off) len = (uint32_t)(size - off);
        capture_frame_t f = {.ts_usec = ts, .data = data + off, .caplen = len, .wirelen = len};
        pipeline_packet(pl, &f);
        off += len;
    }
    pipeline_finish(pl);
    return 0;
}
