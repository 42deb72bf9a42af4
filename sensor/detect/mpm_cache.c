/* mpm_cache.c -- the compiled prefilter on disk: cache keys (SHA-256), the
 * file image (header + mpm body) and atomic file I/O. See mpm.h.
 *
 * A file is trusted only after every header field matches this build and
 * host and the checksum holds; the body is then bounds-checked again by
 * mpm_deserialize. Any mismatch is a one-line reason and the caller compiles
 * afresh. */
#include "mpm.h"
#include "byteorder.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>
#include <openssl/evp.h>

#define CACHE_MAGIC     "SOCMPMDB"
#define CACHE_VERSION   1u
#define CACHE_HDR_LEN   160u
#define CACHE_HSVER_LEN 48u

/* Header offsets (little-endian integers). */
enum {
    H_MAGIC = 0,     /* 8 bytes */
    H_VERSION = 8,   /* u32 */
    H_HDRLEN = 12,   /* u32 */
    H_KEY = 16,      /* 32 bytes */
    H_HSVER = 48,    /* hs_version(), NUL-padded */
    H_FEAT = 96,     /* u64 hs_platform_info.cpu_features */
    H_TUNE = 104,    /* u32 hs_platform_info.tune */
    H_RES1 = 108,    /* u32, 0 */
    H_BODYLEN = 112, /* u64 */
    H_SUM = 120,     /* SHA-256 of header (this field zero) and body */
    H_RES2 = 152,    /* u64, 0 */
};

/* --- keys ---------------------------------------------------------------- */

struct mpm_key_ctx {
    EVP_MD_CTX *md;
};

int mpm_key_of(const void *data, size_t len, uint8_t out[MPM_KEY_LEN])
{
    unsigned int n = 0;
    if ((!data && len) || !out) return -1;
    return EVP_Digest(data ? data : "", len, out, &n, EVP_sha256(), NULL) == 1 && n == MPM_KEY_LEN
               ? 0
               : -1;
}

mpm_key_ctx_t *mpm_key_begin(void)
{
    mpm_key_ctx_t *k = calloc(1, sizeof(*k));
    if (!k) return NULL;
    k->md = EVP_MD_CTX_new();
    if (!k->md || EVP_DigestInit_ex(k->md, EVP_sha256(), NULL) != 1) {
        mpm_key_abort(k);
        return NULL;
    }
    return k;
}

int mpm_key_update(mpm_key_ctx_t *k, const void *data, size_t len)
{
    if (!k || (!data && len)) return -1;
    if (len == 0) return 0;
    return EVP_DigestUpdate(k->md, data, len) == 1 ? 0 : -1;
}

int mpm_key_end(mpm_key_ctx_t *k, uint8_t out[MPM_KEY_LEN])
{
    if (!k) return -1;
    unsigned int n = 0;
    int ok = out && EVP_DigestFinal_ex(k->md, out, &n) == 1 && n == MPM_KEY_LEN;
    mpm_key_abort(k);
    return ok ? 0 : -1;
}

void mpm_key_abort(mpm_key_ctx_t *k)
{
    if (!k) return;
    EVP_MD_CTX_free(k->md);
    free(k);
}

void mpm_key_hex(const uint8_t key[MPM_KEY_LEN], char out[2 * MPM_KEY_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < MPM_KEY_LEN; i++) {
        out[2 * i] = hex[key[i] >> 4];
        out[2 * i + 1] = hex[key[i] & 15];
    }
    out[2 * MPM_KEY_LEN] = '\0';
}

/* --- file image ---------------------------------------------------------- */

/* This host's identity as the header records it. */
typedef struct host_id {
    uint8_t hsver[CACHE_HSVER_LEN];
    uint64_t feat;
    uint32_t tune;
} host_id_t;

static int host_id(host_id_t *h)
{
    hs_platform_info_t plat;
    if (hs_populate_platform(&plat) != HS_SUCCESS) return -1;
    memset(h->hsver, 0, sizeof(h->hsver));
    const char *v = hs_version();
    memcpy(h->hsver, v, strnlen(v, CACHE_HSVER_LEN - 1));
    h->feat = plat.cpu_features;
    h->tune = plat.tune;
    return 0;
}

/* SHA-256 of the header with its checksum field zeroed, then the body. */
static int image_sum(const uint8_t *hdr, const uint8_t *body, size_t body_len, uint8_t out[32])
{
    uint8_t h[CACHE_HDR_LEN];
    memcpy(h, hdr, sizeof(h));
    memset(h + H_SUM, 0, 32);
    mpm_key_ctx_t *k = mpm_key_begin();
    if (!k) return -1;
    if (mpm_key_update(k, h, sizeof(h)) != 0 || mpm_key_update(k, body, body_len) != 0) {
        mpm_key_abort(k);
        return -1;
    }
    return mpm_key_end(k, out);
}

int mpm_cache_encode(const mpm_t *m, const uint8_t key[MPM_KEY_LEN], uint8_t **out, size_t *outlen)
{
    host_id_t host;
    uint8_t *body = NULL;
    size_t body_len = 0;
    if (!m || !key || !out || !outlen || host_id(&host) != 0) return -1;
    if (mpm_serialize(m, &body, &body_len) != 0) return -1;
    uint8_t *img =
        body_len <= MPM_CACHE_FILE_MAX - CACHE_HDR_LEN ? calloc(1, CACHE_HDR_LEN + body_len) : NULL;
    if (!img) {
        free(body);
        return -1;
    }
    memcpy(img + H_MAGIC, CACHE_MAGIC, 8);
    put_u32(img + H_VERSION, CACHE_VERSION);
    put_u32(img + H_HDRLEN, CACHE_HDR_LEN);
    memcpy(img + H_KEY, key, MPM_KEY_LEN);
    memcpy(img + H_HSVER, host.hsver, CACHE_HSVER_LEN);
    put_u64(img + H_FEAT, host.feat);
    put_u32(img + H_TUNE, host.tune);
    put_u64(img + H_BODYLEN, body_len);
    memcpy(img + CACHE_HDR_LEN, body, body_len);
    free(body);
    uint8_t sum[32];
    if (image_sum(img, img + CACHE_HDR_LEN, body_len, sum) != 0) {
        free(img);
        return -1;
    }
    memcpy(img + H_SUM, sum, 32);
    *out = img;
    *outlen = CACHE_HDR_LEN + body_len;
    return 0;
}

/* The recorded Hyperscan version, printable and NUL-terminated. */
static void hsver_text(const uint8_t *f, char out[CACHE_HSVER_LEN])
{
    size_t i = 0;
    for (; i < CACHE_HSVER_LEN - 1 && f[i]; i++)
        out[i] = f[i] >= 0x20 && f[i] < 0x7f ? (char)f[i] : '?';
    out[i] = '\0';
}

/* Header checks in the order that gives the most telling reason. */
static const char *check_header(const uint8_t *p, size_t len, const uint8_t *key, char *why,
                                size_t whylen)
{
    host_id_t host;
    if (len < CACHE_HDR_LEN) return "truncated header";
    if (memcmp(p + H_MAGIC, CACHE_MAGIC, 8) != 0) return "bad magic (not an mpm cache)";
    if (get_u32(p + H_VERSION) != CACHE_VERSION) {
        snprintf(why, whylen, "format version %u, expected %u", get_u32(p + H_VERSION),
                 CACHE_VERSION);
        return why;
    }
    if (get_u32(p + H_HDRLEN) != CACHE_HDR_LEN) return "bad header length";
    if (memcmp(p + H_KEY, key, MPM_KEY_LEN) != 0) return "written for another key";
    if (host_id(&host) != 0) return "hyperscan cannot describe this host";
    if (memcmp(p + H_HSVER, host.hsver, CACHE_HSVER_LEN) != 0) {
        char was[CACHE_HSVER_LEN], now[CACHE_HSVER_LEN];
        hsver_text(p + H_HSVER, was);
        hsver_text(host.hsver, now);
        snprintf(why, whylen, "built by hyperscan '%s', running '%s'", was, now);
        return why;
    }
    if (get_u64(p + H_FEAT) != host.feat || get_u32(p + H_TUNE) != host.tune) {
        snprintf(why, whylen, "built for CPU features %#llx tune %u, host has %#llx tune %u",
                 (unsigned long long)get_u64(p + H_FEAT), get_u32(p + H_TUNE),
                 (unsigned long long)host.feat, host.tune);
        return why;
    }
    if (get_u32(p + H_RES1) != 0 || get_u64(p + H_RES2) != 0) return "reserved field set";
    uint64_t body_len = get_u64(p + H_BODYLEN);
    if (body_len != len - CACHE_HDR_LEN) {
        snprintf(why, whylen, "body of %llu bytes, file has %zu", (unsigned long long)body_len,
                 len - CACHE_HDR_LEN);
        return why;
    }
    uint8_t sum[32];
    if (image_sum(p, p + CACHE_HDR_LEN, len - CACHE_HDR_LEN, sum) != 0) return "cannot hash";
    if (memcmp(sum, p + H_SUM, 32) != 0) return "checksum mismatch";
    return NULL;
}

mpm_t *mpm_cache_decode(const uint8_t *p, size_t len, const uint8_t key[MPM_KEY_LEN], char *err,
                        size_t errlen)
{
    char why[160];
    if (!p || !key) {
        mpm_set_err(err, errlen, "no image");
        return NULL;
    }
    const char *bad = check_header(p, len, key, why, sizeof(why));
    if (bad) {
        mpm_set_err(err, errlen, "%s", bad);
        return NULL;
    }
    return mpm_deserialize(p + CACHE_HDR_LEN, len - CACHE_HDR_LEN, err, errlen);
}

/* --- files --------------------------------------------------------------- */

static int cache_path(char *out, size_t outlen, const char *dir, const uint8_t *key)
{
    char hex[2 * MPM_KEY_LEN + 1];
    mpm_key_hex(key, hex);
    int n = snprintf(out, outlen, "%s/%s.mpm", dir, hex);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* Whole regular file into a malloc'd buffer; NULL with errno on failure. */
static uint8_t *read_file(int fd, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return NULL;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL; /* reported as "not a regular file" */
        return NULL;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > MPM_CACHE_FILE_MAX) {
        errno = EFBIG;
        return NULL;
    }
    size_t want = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf) return NULL;
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break; /* shrank under us: the checks reject the rest */
        got += (size_t)r;
    }
    *len = got;
    return buf;
}

mpm_cache_result_t mpm_cache_load(const char *dir, const uint8_t key[MPM_KEY_LEN], mpm_t **out,
                                  char *err, size_t errlen)
{
    char path[PATH_MAX];
    if (!out) return MPM_CACHE_REJECTED;
    *out = NULL;
    if (!dir || !key || cache_path(path, sizeof(path), dir, key) != 0) {
        mpm_set_err(err, errlen, "mpm cache: bad directory");
        return MPM_CACHE_REJECTED;
    }
    /* No symlinks; O_NONBLOCK so a FIFO planted there cannot hang us. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        int saved = errno;
        mpm_set_err(err, errlen, "mpm cache %s: %s", path, strerror(saved));
        return saved == ENOENT ? MPM_CACHE_MISS : MPM_CACHE_REJECTED;
    }
    size_t len = 0;
    uint8_t *buf = read_file(fd, &len);
    int saved = errno;
    close(fd);
    if (!buf) {
        mpm_set_err(err, errlen, "mpm cache %s: %s", path,
                    saved == EINVAL ? "not a regular file" : strerror(saved));
        return MPM_CACHE_REJECTED;
    }
    char why[256];
    mpm_t *m = mpm_cache_decode(buf, len, key, why, sizeof(why));
    free(buf);
    if (!m) {
        mpm_set_err(err, errlen, "mpm cache %s: %s", path, why);
        return MPM_CACHE_REJECTED;
    }
    *out = m;
    return MPM_CACHE_HIT;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes img to a fresh temporary file beside path, then renames it over
 * path, so a reader sees the old file or the whole new one. */
static int write_atomic(const char *dir, const char *path, const uint8_t *img, size_t len)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) return -1;
    int ok = write_all(fd, img, len) == 0 && fsync(fd) == 0;
    int saved = errno;
    /* close() releases fd even when it fails: never close it twice. */
    if (close(fd) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (!ok || rename(tmp, path) != 0) {
        if (ok) saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { /* make the rename durable; best effort */
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}

int mpm_cache_store(const char *dir, const uint8_t key[MPM_KEY_LEN], const mpm_t *m, char *err,
                    size_t errlen)
{
    char path[PATH_MAX];
    if (!dir || !key || !m || cache_path(path, sizeof(path), dir, key) != 0) {
        mpm_set_err(err, errlen, "mpm cache: bad arguments");
        return -1;
    }
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        mpm_set_err(err, errlen, "mpm cache %s: %s", dir, strerror(errno));
        return -1;
    }
    uint8_t *img = NULL;
    size_t len = 0;
    if (mpm_cache_encode(m, key, &img, &len) != 0) {
        mpm_set_err(err, errlen, "mpm cache %s: cannot serialize", path);
        return -1;
    }
    int rc = write_atomic(dir, path, img, len);
    if (rc != 0) mpm_set_err(err, errlen, "mpm cache %s: %s", path, strerror(errno));
    free(img);
    return rc;
}
