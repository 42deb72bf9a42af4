/* fwd_uuid.c -- see fwd_uuid.h. */
#include "fwd_uuid.h"

#include <openssl/evp.h>

const uint8_t fwd_uuid_ns_dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                     0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
const uint8_t fwd_uuid_ns_stix_sco[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                          0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};
const uint8_t fwd_uuid_ns_soc[16] = {0x11, 0x81, 0x69, 0xb5, 0x63, 0x36, 0x41, 0x96,
                                     0x94, 0x9c, 0x58, 0x19, 0xfa, 0xb7, 0x38, 0x15};

void fwd_uuid_format(const uint8_t b[16], char out[FWD_UUID_STR])
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
        out[k++] = hex[b[i] >> 4];
        out[k++] = hex[b[i] & 0x0f];
    }
    out[k] = '\0';
}

bool fwd_uuid_v5(const uint8_t ns[16], const void *name, size_t n, char out[FWD_UUID_STR])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    out[0] = '\0';
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
              EVP_DigestUpdate(ctx, ns, 16) == 1 && EVP_DigestUpdate(ctx, name, n) == 1 &&
              EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 16;
    EVP_MD_CTX_free(ctx);
    if (!ok) return false;
    md[6] = (uint8_t)((md[6] & 0x0f) | 0x50); /* version 5 */
    md[8] = (uint8_t)((md[8] & 0x3f) | 0x80); /* variant 10xx (RFC 9562) */
    fwd_uuid_format(md, out);
    return true;
}
