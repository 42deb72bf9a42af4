/* test_dns.c -- DNS message parsing (real captures and malformed input),
 * DNS over TCP framing through the app layer, and the EVE dns object.
 *
 * The byte arrays are UDP/TCP payloads copied from the public captures named
 * above each one (tshark -x); the expected names, types, TTLs, rdata and
 * rcodes are tshark's dissection of the same frames, e.g.
 *   tshark -r zeek/wikipedia.pcap -Y frame.number==21 -O dns */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app_layer.h"
#include "app/dns.h"
#include "output/eve_app.h"

/* Captures under $SOC_SHARED_DIR/data/pcaps/. */
/* zeek/wikipedia.pcap frame 20: query A upload.wikimedia.org */
static const uint8_t wiki_q[38] = {
    0x65, 0xf0, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06,
    0x75, 0x70, 0x6c, 0x6f, 0x61, 0x64, 0x09, 0x77, 0x69, 0x6b, 0x69, 0x6d, 0x65,
    0x64, 0x69, 0x61, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01, 0x00, 0x01,
};
/* zeek/wikipedia.pcap frame 21: response, CNAME + A, 3 NS, 3 additional A */
static const uint8_t wiki_r[183] = {
    0x65, 0xf0, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x03, 0x06, 0x75, 0x70, 0x6c,
    0x6f, 0x61, 0x64, 0x09, 0x77, 0x69, 0x6b, 0x69, 0x6d, 0x65, 0x64, 0x69, 0x61, 0x03, 0x6f, 0x72,
    0x67, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x7c,
    0x00, 0x0f, 0x06, 0x75, 0x70, 0x6c, 0x6f, 0x61, 0x64, 0x05, 0x70, 0x6d, 0x74, 0x70, 0x61, 0xc0,
    0x13, 0xc0, 0x32, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x08, 0x6c, 0x00, 0x04, 0xd0, 0x50, 0x98,
    0x03, 0xc0, 0x13, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0xc0, 0x48, 0x00, 0x06, 0x03, 0x6e, 0x73,
    0x31, 0xc0, 0x13, 0xc0, 0x13, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0xc0, 0x48, 0x00, 0x06, 0x03,
    0x6e, 0x73, 0x32, 0xc0, 0x13, 0xc0, 0x13, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0xc0, 0x48, 0x00,
    0x06, 0x03, 0x6e, 0x73, 0x30, 0xc0, 0x13, 0xc0, 0x81, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x08,
    0x5d, 0x00, 0x04, 0xd0, 0x50, 0x98, 0x82, 0xc0, 0x5d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x08,
    0x5d, 0x00, 0x04, 0xd0, 0x50, 0x98, 0x8e, 0xc0, 0x6f, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x08,
    0x5d, 0x00, 0x04, 0x5b, 0xc6, 0xae, 0x04,
};
/* zeek/wikipedia.pcap frame 17: AAAA response, no answer, SOA authority */
static const uint8_t wiki_soa[89] = {
    0xa7, 0xf4, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x06, 0x75, 0x70,
    0x6c, 0x6f, 0x61, 0x64, 0x09, 0x77, 0x69, 0x6b, 0x69, 0x6d, 0x65, 0x64, 0x69, 0x61, 0x03,
    0x6f, 0x72, 0x67, 0x00, 0x00, 0x1c, 0x00, 0x01, 0xc0, 0x13, 0x00, 0x06, 0x00, 0x01, 0x00,
    0x00, 0x0d, 0xb7, 0x00, 0x27, 0x03, 0x6e, 0x73, 0x30, 0xc0, 0x13, 0x0a, 0x68, 0x6f, 0x73,
    0x74, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0xc0, 0x13, 0x77, 0xdd, 0xe9, 0x08, 0x00, 0x00,
    0xa8, 0xc0, 0x00, 0x00, 0x1c, 0x20, 0x00, 0x12, 0x75, 0x00, 0x00, 0x00, 0x02, 0x58,
};
/* zeek/wikipedia.pcap frame 19: NXDOMAIN with SOA authority */
static const uint8_t wiki_nx[99] = {
    0x67, 0x3c, 0x85, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x06, 0x75, 0x70,
    0x6c, 0x6f, 0x61, 0x64, 0x09, 0x77, 0x69, 0x6b, 0x69, 0x6d, 0x65, 0x64, 0x69, 0x61, 0x03,
    0x6f, 0x72, 0x67, 0x04, 0x6e, 0x63, 0x73, 0x61, 0x04, 0x75, 0x69, 0x75, 0x63, 0x03, 0x65,
    0x64, 0x75, 0x00, 0x00, 0x1c, 0x00, 0x01, 0xc0, 0x21, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00,
    0x03, 0x84, 0x00, 0x23, 0x03, 0x6e, 0x73, 0x30, 0xc0, 0x21, 0x06, 0x6e, 0x65, 0x74, 0x64,
    0x65, 0x76, 0xc0, 0x21, 0x00, 0x00, 0x63, 0xe3, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x03,
    0x84, 0x00, 0x09, 0x3a, 0x80, 0x00, 0x00, 0x03, 0x84,
};
/* zeek/wikipedia.pcap frame 2: mDNS response, SRV answer, 4 additional */
static const uint8_t mdns_srv[151] = {
    0x00, 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x06, 0x67, 0x65, 0x6d,
    0x69, 0x6e, 0x69, 0x09, 0x5f, 0x73, 0x66, 0x74, 0x70, 0x2d, 0x73, 0x73, 0x68, 0x04, 0x5f, 0x74,
    0x63, 0x70, 0x05, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x00, 0x00, 0x21, 0x80, 0x01, 0x00, 0x00, 0x00,
    0x78, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x06, 0x67, 0x65, 0x6d, 0x69, 0x6e, 0x69,
    0xc0, 0x22, 0xc0, 0x39, 0x00, 0x1c, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x10, 0xfe, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x17, 0xf2, 0xff, 0xfe, 0xd7, 0xcf, 0x65, 0xc0, 0x39,
    0x00, 0x01, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x04, 0x8d, 0x8e, 0xdc, 0x32, 0xc0, 0x0c,
    0x00, 0x2f, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x09, 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x00,
    0x80, 0x00, 0x40, 0xc0, 0x39, 0x00, 0x2f, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x08, 0xc0,
    0x39, 0x00, 0x04, 0x40, 0x00, 0x00, 0x08,
};
/* zeek/communityid/icmp6.pcap frame 35: AAAA answer over IPv6 */
static const uint8_t v6_aaaa[190] = {
    0x5c, 0x74, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x03, 0x73, 0x68, 0x31,
    0x06, 0x69, 0x69, 0x6a, 0x6c, 0x61, 0x62, 0x03, 0x6e, 0x65, 0x74, 0x00, 0x00, 0x1c, 0x00, 0x01,
    0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10, 0x3f, 0xfe, 0x05, 0x07,
    0x00, 0x00, 0x00, 0x01, 0x02, 0x60, 0x97, 0xff, 0xfe, 0x07, 0x69, 0xea, 0xc0, 0x10, 0x00, 0x02,
    0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10, 0x03, 0x73, 0x68, 0x31, 0x06, 0x69, 0x69, 0x6a,
    0x6c, 0x61, 0x62, 0x03, 0x6e, 0x65, 0x74, 0x00, 0xc0, 0x10, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00,
    0x0e, 0x10, 0x00, 0x10, 0x04, 0x64, 0x6e, 0x73, 0x30, 0x03, 0x69, 0x69, 0x6a, 0x02, 0x61, 0x64,
    0x02, 0x6a, 0x70, 0x00, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
    0xca, 0xe8, 0x0f, 0x62, 0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10,
    0x3f, 0xfe, 0x05, 0x07, 0x00, 0x00, 0x00, 0x01, 0x02, 0x60, 0x97, 0xff, 0xfe, 0x07, 0x69, 0xea,
    0x04, 0x64, 0x6e, 0x73, 0x30, 0x03, 0x69, 0x69, 0x6a, 0x02, 0x61, 0x64, 0x02, 0x6a, 0x70, 0x00,
    0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x30, 0x4f, 0x00, 0x04, 0xca, 0xe8, 0x02, 0x2c,
};
/* ndpi/bad-dns-traffic.pcap frame 3: MX answer */
static const uint8_t bad_mx[126] = {
    0xd2, 0x0d, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x38, 0x39, 0x35, 0x38,
    0x37, 0x30, 0x30, 0x61, 0x36, 0x32, 0x31, 0x63, 0x33, 0x36, 0x32, 0x30, 0x30, 0x30, 0x31, 0x36,
    0x33, 0x36, 0x66, 0x36, 0x65, 0x37, 0x33, 0x36, 0x66, 0x36, 0x63, 0x36, 0x35, 0x32, 0x30, 0x32,
    0x38, 0x37, 0x33, 0x36, 0x39, 0x37, 0x32, 0x37, 0x36, 0x36, 0x39, 0x36, 0x64, 0x36, 0x35, 0x37,
    0x33, 0x32, 0x39, 0x30, 0x30, 0x0c, 0x73, 0x6b, 0x75, 0x6c, 0x6c, 0x73, 0x65, 0x63, 0x6c, 0x61,
    0x62, 0x73, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x0f, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x0f, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x17, 0x00, 0x0a, 0x12, 0x36, 0x33, 0x34, 0x66, 0x30, 0x30,
    0x61, 0x36, 0x32, 0x31, 0x30, 0x31, 0x30, 0x61, 0x30, 0x30, 0x30, 0x30, 0xc0, 0x45,
};
/* ndpi/bad-dns-traffic.pcap frame 5: TXT answer */
static const uint8_t bad_txt[84] = {
    0x94, 0x7b, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x12, 0x37,
    0x63, 0x64, 0x35, 0x30, 0x31, 0x61, 0x36, 0x32, 0x31, 0x63, 0x33, 0x36, 0x32, 0x30,
    0x31, 0x30, 0x61, 0x0c, 0x73, 0x6b, 0x75, 0x6c, 0x6c, 0x73, 0x65, 0x63, 0x6c, 0x61,
    0x62, 0x73, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x0c, 0x00,
    0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x13, 0x12, 0x39, 0x36, 0x62, 0x32,
    0x30, 0x31, 0x61, 0x36, 0x32, 0x31, 0x30, 0x31, 0x30, 0x61, 0x63, 0x33, 0x36, 0x32,
};
/* zeek/dns/tkey.pcap frame 8: TCP payload (length prefix + TKEY response) */
static const uint8_t tkey_r[483] = {
    0x01, 0xe1, 0xcd, 0xa0, 0x80, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x31,
    0x30, 0x36, 0x38, 0x2d, 0x6d, 0x73, 0x2d, 0x37, 0x0b, 0x33, 0x30, 0x39, 0x2d, 0x32, 0x63, 0x36,
    0x65, 0x34, 0x34, 0x38, 0x24, 0x37, 0x61, 0x39, 0x34, 0x36, 0x33, 0x62, 0x38, 0x2d, 0x62, 0x31,
    0x30, 0x39, 0x2d, 0x31, 0x31, 0x65, 0x64, 0x2d, 0x32, 0x36, 0x61, 0x33, 0x2d, 0x30, 0x38, 0x30,
    0x30, 0x32, 0x37, 0x66, 0x32, 0x32, 0x30, 0x65, 0x35, 0x00, 0x00, 0xf9, 0x00, 0x01, 0x09, 0x31,
    0x30, 0x36, 0x38, 0x2d, 0x6d, 0x73, 0x2d, 0x37, 0x0b, 0x33, 0x30, 0x39, 0x2d, 0x32, 0x63, 0x36,
    0x65, 0x34, 0x34, 0x38, 0x24, 0x37, 0x61, 0x39, 0x34, 0x36, 0x33, 0x62, 0x38, 0x2d, 0x62, 0x31,
    0x30, 0x39, 0x2d, 0x31, 0x31, 0x65, 0x64, 0x2d, 0x32, 0x36, 0x61, 0x33, 0x2d, 0x30, 0x38, 0x30,
    0x30, 0x32, 0x37, 0x66, 0x32, 0x32, 0x30, 0x65, 0x35, 0x00, 0x00, 0xf9, 0x00, 0xff, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xd3, 0x08, 0x67, 0x73, 0x73, 0x2d, 0x74, 0x73, 0x69, 0x67, 0x00, 0x63, 0xf4,
    0x0b, 0x86, 0x63, 0xf5, 0x5d, 0x06, 0x00, 0x03, 0x00, 0x00, 0x00, 0xb9, 0xa1, 0x81, 0xb6, 0x30,
    0x81, 0xb3, 0xa0, 0x03, 0x0a, 0x01, 0x00, 0xa1, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7,
    0x12, 0x01, 0x02, 0x02, 0xa2, 0x81, 0x9e, 0x04, 0x81, 0x9b, 0x60, 0x81, 0x98, 0x06, 0x09, 0x2a,
    0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x02, 0x00, 0x6f, 0x81, 0x88, 0x30, 0x81, 0x85,
    0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x0f, 0xa2, 0x79, 0x30, 0x77, 0xa0, 0x03,
    0x02, 0x01, 0x12, 0xa2, 0x70, 0x04, 0x6e, 0xae, 0xf2, 0x5b, 0xa0, 0x4b, 0x79, 0xd7, 0xd0, 0xf5,
    0x39, 0x72, 0xd9, 0x61, 0xb8, 0xa4, 0x3f, 0xf3, 0xcb, 0x7d, 0x32, 0xbc, 0x1d, 0xcc, 0x9b, 0xb7,
    0xcf, 0xd1, 0xdd, 0x67, 0x51, 0x89, 0xd5, 0x12, 0x9a, 0x18, 0xef, 0x55, 0x15, 0x82, 0xbc, 0xc6,
    0xeb, 0x3c, 0x99, 0x3f, 0xce, 0x7b, 0xca, 0xa5, 0xb7, 0x4f, 0x68, 0x20, 0x48, 0xab, 0x6f, 0x63,
    0x44, 0xe0, 0xa4, 0x12, 0xbe, 0xde, 0xdd, 0x53, 0x03, 0x73, 0xab, 0x11, 0xed, 0x05, 0x85, 0xb9,
    0x9a, 0x06, 0x6a, 0x23, 0xa6, 0x0a, 0x3f, 0x99, 0x43, 0x6e, 0x58, 0x54, 0x00, 0xf7, 0x56, 0x43,
    0xfb, 0x58, 0x53, 0x2f, 0x28, 0x99, 0x25, 0x1d, 0xaf, 0xdd, 0x34, 0xb4, 0xb5, 0x1b, 0x23, 0x75,
    0x27, 0xbf, 0xa2, 0x08, 0x16, 0x00, 0x00, 0x09, 0x31, 0x30, 0x36, 0x38, 0x2d, 0x6d, 0x73, 0x2d,
    0x37, 0x0b, 0x33, 0x30, 0x39, 0x2d, 0x32, 0x63, 0x36, 0x65, 0x34, 0x34, 0x38, 0x24, 0x37, 0x61,
    0x39, 0x34, 0x36, 0x33, 0x62, 0x38, 0x2d, 0x62, 0x31, 0x30, 0x39, 0x2d, 0x31, 0x31, 0x65, 0x64,
    0x2d, 0x32, 0x36, 0x61, 0x33, 0x2d, 0x30, 0x38, 0x30, 0x30, 0x32, 0x37, 0x66, 0x32, 0x32, 0x30,
    0x65, 0x35, 0x00, 0x00, 0xfa, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x36, 0x08, 0x67, 0x73,
    0x73, 0x2d, 0x74, 0x73, 0x69, 0x67, 0x00, 0x00, 0x00, 0x63, 0xf4, 0x0b, 0x86, 0x8c, 0xa0, 0x00,
    0x1c, 0x04, 0x04, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x27, 0xcc, 0x0a,
    0x4a, 0xa6, 0x05, 0x8f, 0x5d, 0x1d, 0xf6, 0x73, 0xff, 0x06, 0xeb, 0x99, 0xf9, 0xcd, 0xa0, 0x00,
    0x00, 0x00, 0x00,
};

static dns_msg_t msg; /* 40 KiB: keep it off the stack */

static void assert_str(dns_str_t s, const char *want)
{
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(dns_str(&msg, s), want, s.len);
}

static void assert_rr(const dns_rr_t *rr, const char *name, unsigned type, uint32_t ttl)
{
    assert_str(rr->name, name);
    assert_int_equal(rr->type, type);
    assert_int_equal(rr->ttl, ttl);
}

static void test_query(void **state)
{
    (void)state;
    assert_int_equal(dns_parse(wiki_q, sizeof(wiki_q), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.id, 0x65f0);
    assert_int_equal(msg.flags, 0x0100);
    assert_false(dns_is_response(&msg));
    assert_int_equal(dns_opcode(&msg), 0);
    assert_int_equal(msg.nqueries, 1);
    assert_str(msg.queries[0].name, "upload.wikimedia.org");
    assert_int_equal(msg.queries[0].type, 1);
    assert_int_equal(msg.queries[0].klass, 1);
    assert_int_equal(msg.nanswers, 0);
}

static void test_response_cname_a_ns(void **state)
{
    (void)state;
    assert_int_equal(dns_parse(wiki_r, sizeof(wiki_r), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.id, 0x65f0);
    assert_int_equal(msg.flags, 0x8180);
    assert_true(dns_is_response(&msg));
    assert_int_equal(msg.flags & 0xf, 0);
    assert_int_equal(msg.ancount, 2);
    assert_int_equal(msg.nscount, 3);
    assert_int_equal(msg.arcount, 3);
    assert_int_equal(msg.nanswers, 2);
    assert_rr(&msg.answers[0], "upload.wikimedia.org", 5, 124);
    assert_int_equal(msg.answers[0].kind, DNS_RDATA_NAME);
    assert_str(msg.answers[0].text, "upload.pmtpa.wikimedia.org");
    assert_rr(&msg.answers[1], "upload.pmtpa.wikimedia.org", 1, 2156);
    assert_int_equal(msg.answers[1].kind, DNS_RDATA_ADDR);
    assert_int_equal(msg.answers[1].addr_len, 4);
    const uint8_t a[4] = {208, 80, 152, 3};
    assert_memory_equal(msg.answers[1].addr, a, 4);
    assert_int_equal(msg.nauth, 3);
    const char *ns[3] = {"ns1.wikimedia.org", "ns2.wikimedia.org", "ns0.wikimedia.org"};
    for (int i = 0; i < 3; i++) {
        assert_rr(&msg.auth[i], "wikimedia.org", 2, 49224);
        assert_str(msg.auth[i].text, ns[i]);
    }
    assert_false(msg.records_dropped);
}

static void test_soa(void **state)
{
    (void)state;
    assert_int_equal(dns_parse(wiki_soa, sizeof(wiki_soa), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.flags, 0x8180);
    assert_str(msg.queries[0].name, "upload.wikimedia.org");
    assert_int_equal(msg.queries[0].type, 28);
    assert_int_equal(msg.nanswers, 0);
    assert_int_equal(msg.nauth, 1);
    const dns_rr_t *rr = &msg.auth[0];
    assert_rr(rr, "wikimedia.org", 6, 3511);
    assert_int_equal(rr->kind, DNS_RDATA_SOA);
    assert_str(rr->text, "ns0.wikimedia.org");
    assert_str(rr->rname, "hostmaster.wikimedia.org");
    const uint32_t soa[5] = {2011031816, 43200, 7200, 1209600, 600};
    assert_memory_equal(rr->soa, soa, sizeof(soa));
}

static void test_nxdomain(void **state)
{
    (void)state;
    assert_int_equal(dns_parse(wiki_nx, sizeof(wiki_nx), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.id, 0x673c);
    assert_int_equal(msg.flags, 0x8583);
    assert_string_equal(dns_rcode_name(msg.flags & 0xf), "NXDOMAIN");
    assert_str(msg.queries[0].name, "upload.wikimedia.org.ncsa.uiuc.edu");
    assert_rr(&msg.auth[0], "ncsa.uiuc.edu", 6, 900);
    assert_str(msg.auth[0].text, "ns0.ncsa.uiuc.edu");
    assert_str(msg.auth[0].rname, "netdev.ncsa.uiuc.edu");
    assert_int_equal(msg.auth[0].soa[0], 25571);
}

static void test_aaaa(void **state)
{
    (void)state;
    assert_int_equal(dns_parse(v6_aaaa, sizeof(v6_aaaa), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.id, 0x5c74);
    assert_int_equal(msg.flags, 0x8580);
    assert_int_equal(msg.nanswers, 1);
    assert_rr(&msg.answers[0], "sh1.iijlab.net", 28, 3600);
    /* 3ffe:507:0:1:260:97ff:fe07:69ea */
    const uint8_t a6[16] = {0x3f, 0xfe, 0x05, 0x07, 0,    0,    0,    1,
                            0x02, 0x60, 0x97, 0xff, 0xfe, 0x07, 0x69, 0xea};
    assert_int_equal(msg.answers[0].addr_len, 16);
    assert_memory_equal(msg.answers[0].addr, a6, 16);
    char text[40];
    eve_app_dns_addr(a6, 16, text);
    assert_string_equal(text, "3ffe:0507:0000:0001:0260:97ff:fe07:69ea");
    assert_int_equal(msg.nauth, 2);
    assert_str(msg.auth[0].text, "sh1.iijlab.net");
    assert_str(msg.auth[1].text, "dns0.iij.ad.jp");
}

static void test_mx_txt_srv(void **state)
{
    (void)state;
    assert_int_equal(dns_parse(bad_mx, sizeof(bad_mx), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.id, 0xd20d);
    assert_rr(&msg.answers[0],
              "958700a621c3620001636f6e736f6c65202873697276696d65732900.skullseclabs.org", 15, 60);
    assert_int_equal(msg.answers[0].kind, DNS_RDATA_NAME);
    assert_str(msg.answers[0].text, "634f00a621010a0000.skullseclabs.org");

    assert_int_equal(dns_parse(bad_txt, sizeof(bad_txt), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.id, 0x947b);
    assert_rr(&msg.answers[0], "7cd501a621c362010a.skullseclabs.org", 16, 60);
    assert_int_equal(msg.answers[0].kind, DNS_RDATA_TEXT);
    assert_str(msg.answers[0].text, "96b201a621010ac362");

    /* mDNS: no question, SRV answer with the cache-flush bit in the class. */
    assert_int_equal(dns_parse(mdns_srv, sizeof(mdns_srv), &msg), APP_PARSE_DONE);
    assert_int_equal(msg.qdcount, 0);
    assert_int_equal(msg.flags, 0x8400);
    const dns_rr_t *rr = &msg.answers[0];
    assert_rr(rr, "gemini._sftp-ssh._tcp.local", 33, 120);
    assert_int_equal(rr->klass, 0x8001);
    assert_int_equal(rr->kind, DNS_RDATA_SRV);
    assert_int_equal(rr->srv_priority, 0);
    assert_int_equal(rr->srv_weight, 0);
    assert_int_equal(rr->srv_port, 22);
    assert_str(rr->text, "gemini.local");
    assert_int_equal(msg.arcount, 4);

    /* TKEY over TCP (after the 2-byte length 0x01e1 = 481). */
    assert_int_equal((tkey_r[0] << 8) | tkey_r[1], sizeof(tkey_r) - 2);
    assert_int_equal(dns_parse(tkey_r + 2, sizeof(tkey_r) - 2, &msg), APP_PARSE_DONE);
    assert_int_equal(msg.id, 0xcda0);
    assert_int_equal(msg.flags, 0x8000);
    assert_rr(&msg.answers[0], "1068-ms-7.309-2c6e448.7a9463b8-b109-11ed-26a3-080027f220e5", 249,
              0);
    assert_int_equal(msg.answers[0].klass, 0x00ff);
    assert_int_equal(msg.answers[0].kind, DNS_RDATA_NONE);
    assert_string_equal(dns_rrtype_name(249), "TKEY");
}

/* Every strict prefix of a real message is malformed (the counts promise
 * more), and the parser must say so without reading past the prefix. */
static void test_truncated_every_length(void **state)
{
    (void)state;
    const struct {
        const uint8_t *p;
        size_t n;
    } samples[] = {
        {wiki_q, sizeof(wiki_q)},   {wiki_r, sizeof(wiki_r)},     {wiki_soa, sizeof(wiki_soa)},
        {wiki_nx, sizeof(wiki_nx)}, {v6_aaaa, sizeof(v6_aaaa)},   {bad_mx, sizeof(bad_mx)},
        {bad_txt, sizeof(bad_txt)}, {mdns_srv, sizeof(mdns_srv)}, {tkey_r + 2, sizeof(tkey_r) - 2},
    };
    for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
        for (size_t i = 0; i < samples[k].n; i++) {
            uint8_t *part = malloc(i ? i : 1);
            memcpy(part, samples[k].p, i);
            assert_int_equal(dns_parse(part, i, &msg), APP_PARSE_ERROR);
            free(part);
        }
        assert_int_equal(dns_parse(samples[k].p, samples[k].n, &msg), APP_PARSE_DONE);
    }
}

/* A query header (id 0x1234, RD, one question) followed by `name`, type A,
 * class IN. */
static size_t make_query(uint8_t *out, const uint8_t *name, size_t n)
{
    const uint8_t hdr[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(out, hdr, 12);
    memcpy(out + 12, name, n);
    memcpy(out + 12 + n, "\x00\x01\x00\x01", 4);
    return 12 + n + 4;
}

static void test_malformed_names(void **state)
{
    (void)state;
    uint8_t buf[600];
    size_t n;
    /* Pointer to itself (offset 12). */
    n = make_query(buf, (const uint8_t *)"\xc0\x0c", 2);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);
    /* Two pointers pointing at each other: label "a", then pointer back. */
    n = make_query(buf,
                   (const uint8_t *)"\x01"
                                    "a\xc0\x0c",
                   4);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);
    n = make_query(buf, (const uint8_t *)"\xc0\x0e\xc0\x0c", 4);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);
    /* Pointer past the end of the message. */
    n = make_query(buf, (const uint8_t *)"\xc1\x00", 2);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);
    /* Label types 0x40 and 0x80 (length 64+). */
    n = make_query(buf, (const uint8_t *)"\x40", 1);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);
    n = make_query(buf, (const uint8_t *)"\x80", 1);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);

    /* 255 wire octets (3 x 63 + 61-byte labels + root) is the largest name. */
    uint8_t name[300];
    size_t k = 0;
    for (int i = 0; i < 4; i++) {
        size_t len = i < 3 ? 63 : 61;
        name[k++] = (uint8_t)len;
        memset(name + k, 'a' + i, len);
        k += len;
    }
    name[k++] = 0;
    assert_int_equal(k, 255);
    n = make_query(buf, name, k);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_DONE);
    assert_int_equal(msg.queries[0].name.len, 63 * 3 + 61 + 3);
    /* One more octet is too long. */
    name[k - 1 - 62] = 62; /* last label 62 bytes: shift the root by one */
    name[k - 1] = 'd';
    name[k] = 0;
    n = make_query(buf, name, k + 1);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);

    /* Forward pointer to a valid name later in the message works. */
    const uint8_t fwd[] = {0x12, 0x34, 0x01, 0x00, 0,    1,    0,    0,    0,   0,   0,
                           0,    0xc0, 0x12, 0x00, 0x01, 0x00, 0x01, 0x01, 'x', 0x00};
    assert_int_equal(dns_parse(fwd, sizeof(fwd), &msg), APP_PARSE_DONE);
    assert_str(msg.queries[0].name, "x");
    /* Root name is the empty string; raw bytes in labels are kept. */
    n = make_query(buf, (const uint8_t *)"\x00", 1);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_DONE);
    assert_int_equal(msg.queries[0].name.len, 0);
    n = make_query(buf, (const uint8_t *)"\x03\x01.\xff\x00", 5);
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_DONE);
    assert_int_equal(msg.queries[0].name.len, 3);
    assert_memory_equal(dns_str(&msg, msg.queries[0].name), "\x01.\xff", 3);
    /* Short header. */
    assert_int_equal(dns_parse(buf, 11, &msg), APP_PARSE_ERROR);
}

static void test_bounds(void **state)
{
    (void)state;
    /* 70 A answers, all named by a pointer to the question: 64 are kept. */
    static uint8_t buf[2048];
    const uint8_t hdr[] = {0xab, 0xcd, 0x81, 0x80, 0,    1,    0,    70,   0,   0,
                           0,    0,    0x01, 'q',  0x00, 0x00, 0x01, 0x00, 0x01};
    memcpy(buf, hdr, sizeof(hdr));
    size_t n = sizeof(hdr);
    for (int i = 0; i < 70; i++) {
        const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, (uint8_t)i};
        memcpy(buf + n, rr, sizeof(rr));
        n += sizeof(rr);
    }
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_DONE);
    assert_int_equal(msg.nanswers, DNS_MAX_ANSWERS);
    assert_true(msg.records_dropped);
    assert_int_equal(msg.answers[63].addr[3], 63);
    /* rdlength past the end. */
    buf[n - 5] = 5;
    assert_int_equal(dns_parse(buf, n, &msg), APP_PARSE_ERROR);
}

static void test_names_and_probe(void **state)
{
    (void)state;
    assert_string_equal(dns_rcode_name(0), "NOERROR");
    assert_string_equal(dns_rcode_name(1), "FORMERR");
    assert_string_equal(dns_rcode_name(2), "SERVFAIL");
    assert_string_equal(dns_rcode_name(4), "NOTIMP");
    assert_string_equal(dns_rcode_name(5), "REFUSED");
    assert_null(dns_rcode_name(12));
    const struct {
        unsigned t;
        const char *n;
    } types[] = {{1, "A"},     {2, "NS"},     {5, "CNAME"}, {6, "SOA"},     {12, "PTR"},
                 {15, "MX"},   {16, "TXT"},   {28, "AAAA"}, {33, "SRV"},    {35, "NAPTR"},
                 {43, "DS"},   {46, "RRSIG"}, {47, "NSEC"}, {48, "DNSKEY"}, {50, "NSEC3"},
                 {64, "SVCB"}, {65, "HTTPS"}, {255, "ANY"}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        assert_string_equal(dns_rrtype_name(types[i].t), types[i].n);
    assert_null(dns_rrtype_name(31));
    assert_null(dns_rrtype_name(65280));
    assert_true(dns_probe(wiki_q, sizeof(wiki_q)));
    assert_true(dns_probe(wiki_r, sizeof(wiki_r)));
    assert_false(dns_probe(wiki_q, 11));
    const uint8_t noq[12] = {0, 1, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_false(dns_probe(noq, 12)); /* a query that asks nothing */
    const uint8_t http[12] = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1'};
    assert_false(dns_probe(http, 12));
}

/* ---- DNS over TCP through the app layer ---- */

typedef struct seen {
    int n;
    uint16_t ids[8];
    int dirs[8];
    uint64_t tx_ids[8];
} seen_t;

static void on_dns(void *ud, flow_t *f, const dns_msg_t *m, int dir)
{
    (void)f;
    seen_t *s = ud;
    if (s->n < 8) {
        s->ids[s->n] = m->id;
        s->dirs[s->n] = dir;
        s->tx_ids[s->n] = m->tx_id;
    }
    s->n++;
}

static void init_flow(flow_t *f, uint8_t proto)
{
    memset(f, 0, sizeof(*f));
    f->key.proto = proto;
    f->key.port[0] = 50138;
    f->key.port[1] = 53;
}

static void feed_tcp(app_layer_t *al, flow_t *f, int dir, uint32_t seq, const uint8_t *p, size_t n)
{
    packet_t pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.ip_proto = 6;
    pkt.tcp_seq = seq;
    pkt.tcp_flags = TH_ACK;
    pkt.payload = p;
    pkt.payload_len = (uint32_t)n;
    app_layer_packet(al, f, dir, &pkt);
}

/* Two queries in one segment, then the same stream split at every offset. */
static void test_tcp_framing(void **state)
{
    (void)state;
    uint8_t stream[2 * (2 + sizeof(wiki_q)) + 2 + sizeof(wiki_soa)];
    size_t n = 0;
    const uint8_t *msgs[3] = {wiki_q, wiki_q, wiki_soa};
    size_t lens[3] = {sizeof(wiki_q), sizeof(wiki_q), sizeof(wiki_soa)};
    for (int i = 0; i < 3; i++) {
        stream[n++] = (uint8_t)(lens[i] >> 8);
        stream[n++] = (uint8_t)lens[i];
        memcpy(stream + n, msgs[i], lens[i]);
        n += lens[i];
    }
    for (size_t cut = 1; cut < n; cut++) {
        seen_t seen;
        memset(&seen, 0, sizeof(seen));
        app_event_sink_t sink = {.dns = on_dns, .ud = &seen};
        app_layer_t *al = app_layer_new(1 << 20, &sink);
        flow_t f;
        init_flow(&f, 6);
        feed_tcp(al, &f, DIR_TOSERVER, 1000, stream, cut);
        feed_tcp(al, &f, DIR_TOSERVER, 1000 + (uint32_t)cut, stream + cut, n - cut);
        assert_int_equal(f.app_proto, APP_DNS);
        assert_int_equal(seen.n, 3);
        assert_int_equal(seen.ids[0], 0x65f0);
        assert_int_equal(seen.ids[2], 0xa7f4);
        assert_int_equal(seen.tx_ids[0], 0);
        assert_int_equal(seen.tx_ids[1], 1);
        app_layer_flow_end(al, &f);
        assert_null(f.app);
        assert_int_equal(app_layer_get_stats(al)->mem_used, 0);
        app_layer_free(al);
    }
}

/* The real TKEY response (one segment), and a length prefix larger than any
 * buffer: the message is skipped by its length and the next one parsed. */
static void test_tcp_real_and_oversized(void **state)
{
    (void)state;
    seen_t seen;
    memset(&seen, 0, sizeof(seen));
    app_event_sink_t sink = {.dns = on_dns, .ud = &seen};
    app_layer_t *al = app_layer_new(1 << 20, &sink);
    flow_t f;
    init_flow(&f, 6);
    feed_tcp(al, &f, DIR_TOCLIENT, 1, tkey_r, sizeof(tkey_r));
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.ids[0], 0xcda0);
    assert_int_equal(seen.dirs[0], DIR_TOCLIENT);

    static uint8_t big[2 + 40000 + 2 + sizeof(wiki_q)];
    memset(big, 0, sizeof(big));
    big[0] = 40000 >> 8;
    big[1] = 40000 & 0xff;
    big[2 + 40000] = 0;
    big[2 + 40000 + 1] = sizeof(wiki_q);
    memcpy(big + 2 + 40000 + 2, wiki_q, sizeof(wiki_q));
    uint32_t seq = 1 + sizeof(tkey_r);
    for (size_t off = 0; off < sizeof(big); off += 1460) {
        size_t k = sizeof(big) - off < 1460 ? sizeof(big) - off : 1460;
        feed_tcp(al, &f, DIR_TOCLIENT, seq + (uint32_t)off, big + off, k);
    }
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.ids[1], 0x65f0);
    assert_int_equal(app_layer_get_stats(al)->errors[APP_DNS], 1);
    app_layer_flow_end(al, &f);
    app_layer_free(al);
}

static void test_udp_datagrams(void **state)
{
    (void)state;
    seen_t seen;
    memset(&seen, 0, sizeof(seen));
    app_event_sink_t sink = {.dns = on_dns, .ud = &seen};
    app_layer_t *al = app_layer_new(1 << 20, &sink);
    flow_t f;
    init_flow(&f, 17);
    packet_t p;
    memset(&p, 0, sizeof(p));
    p.ip_proto = 17;
    p.payload = wiki_q;
    p.payload_len = sizeof(wiki_q);
    app_layer_packet(al, &f, DIR_TOSERVER, &p);
    p.payload = wiki_r;
    p.payload_len = 40; /* truncated datagram: a parse error, no event */
    app_layer_packet(al, &f, DIR_TOCLIENT, &p);
    p.payload_len = sizeof(wiki_r);
    app_layer_packet(al, &f, DIR_TOCLIENT, &p);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.dirs[1], DIR_TOCLIENT);
    assert_int_equal(app_layer_get_stats(al)->tx[APP_DNS], 2);
    assert_int_equal(app_layer_get_stats(al)->errors[APP_DNS], 1);
    app_layer_flow_end(al, &f);
    app_layer_free(al);
}

/* ---- EVE ---- */

static const char *eve(jw_t *w)
{
    jw_reset(w);
    jw_object_open(w);
    eve_app_dns(w, &msg);
    jw_object_close(w);
    return w->buf;
}

static void test_eve_dns(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    assert_int_equal(dns_parse(wiki_q, sizeof(wiki_q), &msg), APP_PARSE_DONE);
    msg.tx_id = 0;
    assert_string_equal(eve(&w), "{\"dns\":{\"type\":\"query\",\"id\":26096,"
                                 "\"rrname\":\"upload.wikimedia.org\",\"rrtype\":\"A\","
                                 "\"tx_id\":0,\"opcode\":0}}");
    assert_int_equal(dns_parse(wiki_r, sizeof(wiki_r), &msg), APP_PARSE_DONE);
    assert_string_equal(
        eve(&w), "{\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":26096,\"flags\":\"8180\","
                 "\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,"
                 "\"rrname\":\"upload.wikimedia.org\",\"rrtype\":\"A\",\"rcode\":\"NOERROR\","
                 "\"answers\":[{\"rrname\":\"upload.wikimedia.org\",\"rrtype\":\"CNAME\","
                 "\"ttl\":124,\"rdata\":\"upload.pmtpa.wikimedia.org\"},"
                 "{\"rrname\":\"upload.pmtpa.wikimedia.org\",\"rrtype\":\"A\",\"ttl\":2156,"
                 "\"rdata\":\"208.80.152.3\"}],"
                 "\"authorities\":[{\"rrname\":\"wikimedia.org\",\"rrtype\":\"NS\",\"ttl\":49224,"
                 "\"rdata\":\"ns1.wikimedia.org\"},{\"rrname\":\"wikimedia.org\",\"rrtype\":"
                 "\"NS\",\"ttl\":49224,\"rdata\":\"ns2.wikimedia.org\"},{\"rrname\":"
                 "\"wikimedia.org\",\"rrtype\":\"NS\",\"ttl\":49224,\"rdata\":"
                 "\"ns0.wikimedia.org\"}]}}");
    assert_int_equal(dns_parse(wiki_nx, sizeof(wiki_nx), &msg), APP_PARSE_DONE);
    assert_string_equal(
        eve(&w), "{\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":26428,\"flags\":\"8583\","
                 "\"qr\":true,\"aa\":true,\"rd\":true,\"ra\":true,\"opcode\":0,"
                 "\"rrname\":\"upload.wikimedia.org.ncsa.uiuc.edu\",\"rrtype\":\"AAAA\","
                 "\"rcode\":\"NXDOMAIN\",\"authorities\":[{\"rrname\":\"ncsa.uiuc.edu\","
                 "\"rrtype\":\"SOA\",\"ttl\":900,\"soa\":{\"mname\":\"ns0.ncsa.uiuc.edu\","
                 "\"rname\":\"netdev.ncsa.uiuc.edu\",\"serial\":25571,\"refresh\":3600,"
                 "\"retry\":900,\"expire\":604800,\"minimum\":900}}]}}");
    assert_int_equal(dns_parse(v6_aaaa, sizeof(v6_aaaa), &msg), APP_PARSE_DONE);
    const char *j = eve(&w);
    assert_non_null(strstr(j,
                           "\"answers\":[{\"rrname\":\"sh1.iijlab.net\",\"rrtype\":\"AAAA\","
                           "\"ttl\":3600,\"rdata\":\"3ffe:0507:0000:0001:0260:97ff:fe07:69ea\"}]"));
    assert_int_equal(dns_parse(mdns_srv, sizeof(mdns_srv), &msg), APP_PARSE_DONE);
    assert_string_equal(eve(&w), "{\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":0,"
                                 "\"flags\":\"8400\",\"qr\":true,\"aa\":true,\"opcode\":0,"
                                 "\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":"
                                 "\"gemini._sftp-ssh._tcp.local\",\"rrtype\":\"SRV\",\"ttl\":120,"
                                 "\"srv\":{\"priority\":0,\"weight\":0,\"port\":22,"
                                 "\"name\":\"gemini.local\"}}]}}");
    /* Unknown type and rcode print as numbers in strings, like Suricata. */
    uint8_t q[64];
    size_t n = make_query(q, (const uint8_t *)"\x01x\x00", 3);
    q[2] = 0x81;
    q[3] = 0x8c; /* response, rcode 12 */
    q[n - 4] = 0xff;
    q[n - 3] = 0x00; /* type 65280 */
    assert_int_equal(dns_parse(q, n, &msg), APP_PARSE_DONE);
    assert_string_equal(eve(&w),
                        "{\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":4660,"
                        "\"flags\":\"818c\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,"
                        "\"rrname\":\"x\",\"rrtype\":\"65280\",\"rcode\":\"12\"}}");
    jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_response_cname_a_ns),
        cmocka_unit_test(test_soa),
        cmocka_unit_test(test_nxdomain),
        cmocka_unit_test(test_aaaa),
        cmocka_unit_test(test_mx_txt_srv),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_malformed_names),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_names_and_probe),
        cmocka_unit_test(test_tcp_framing),
        cmocka_unit_test(test_tcp_real_and_oversized),
        cmocka_unit_test(test_udp_datagrams),
        cmocka_unit_test(test_eve_dns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
