/* fuzz_decode.c -- libFuzzer target for the packet decoder.
 *
 * Input: a 4-byte little-endian DLT linktype, then the frame. The frame is
 * decoded whole, then as if a snaplen had cut it (wire length larger).
 *
 * If the linktype word's top byte is 0xff, its low 16 bits are the
 * linktype and the rest is a sequence of frames, each a 2-byte
 * little-endian length then the bytes, decoded one after another with the
 * same decoder, one second apart: that reaches fragment reassembly.
 *
 * Every frame is copied to a heap buffer of exactly its size so that ASan
 * reports any read past caplen. The decoder is made afresh per input, so a
 * crash reproduces from its input alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

#define MULTI_FLAG 0xff000000u

static void decode_one(decoder_t *d, int lt, const uint8_t *data, size_t len, uint32_t extra,
                       int64_t ts)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return;
    if (len) memcpy(copy, data, len);
    packet_t p;
    p.ts_usec = ts;
    p.frame = copy;
    p.caplen = (uint32_t)len;
    p.wirelen = (uint32_t)len + extra;
    p.linktype = lt;
    decode_result_t r = decode_packet(d, &p);
    /* Touch what the decoder hands out: it must lie inside the buffers. */
    volatile uint8_t sink = 0;
    if (p.l3 && p.l3_len) sink ^= p.l3[p.l3_len - 1];
    if (p.l4 && p.l4_len) sink ^= p.l4[p.l4_len - 1];
    if (p.payload && p.payload_len) sink ^= p.payload[p.payload_len - 1];
    (void)sink;
    if (r == DECODE_OK && p.ip_version == 0) abort(); /* OK means IP was decoded */
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    const uint32_t word = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                          (uint32_t)data[3] << 24;
    data += 4;
    size -= 4;

    decoder_t d;
    const defrag_config_t cfg = {64 * 1024, 32, 30};
    if (decoder_init(&d, &cfg) != 0) return 0;
    if ((word & MULTI_FLAG) == MULTI_FLAG) {
        const int lt = (int)(word & 0xffff);
        int64_t ts = 1000000;
        while (size >= 2) {
            size_t n = (size_t)data[0] | (size_t)data[1] << 8;
            data += 2;
            size -= 2;
            if (n > size) n = size;
            decode_one(&d, lt, data, n, 0, ts);
            data += n;
            size -= n;
            ts += 1000000;
        }
        decoder_expire(&d, ts + 3600 * 1000000LL);
    } else {
        decode_one(&d, (int)word, data, size, 0, 1000000);
        decode_one(&d, (int)word, data, size, 64, 2000000);
    }
    decoder_free(&d);
    return 0;
}
