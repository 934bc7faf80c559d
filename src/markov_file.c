/* markov_file.c - the binary model file: atomic save, mmap load with full
 * validation; any thread (save reads the model, load makes a new one).
 *
 * Layout (little-endian, every section 8-byte aligned):
 *   header, 64 bytes:
 *     0  magic "PURGMKV\x1a"     8  u32 version      12 u32 0x01020304 (byte order)
 *     16 u32 mode               20 u32 order        24 u32 nvocab       28 u32 nseg
 *     32 u64 arena bytes        40 u64 file size    48 u64 payload checksum
 *     56 u64 header checksum (of bytes 0..55)
 *   u32 off[nvocab + 1], then the NUL-terminated strings (arena)
 *   per segment: f64 weight, u64 n, u64 lines, u64 flags; u32 tok[n]; u32 sa[n]
 * The token and suffix arrays are used in place from the mapping; only the
 * vocabulary (small) is copied to build its hash table. */
#include "markov_int.h"
#include "purg.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR_SIZE 64
static const char file_magic[8] = { 'P', 'U', 'R', 'G', 'M', 'K', 'V', 0x1a };

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    char tmp[UTIL_VIS_MAX];
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    /* truncation is acceptable for a message; the path in it may come from
     * a persona file, so the whole is made visible */
    util_visible(err, errlen, r < 0 ? "" : tmp);
}

/* A checksum over 8-byte words: each step is a bijection of the state, so
 * any single changed word changes the result. len must be a multiple of 8. */
static uint64_t sum_words(uint64_t h, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return h;
}

#define SUM_SEED 0x243F6A8885A308D3ull

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* ---- saving ------------------------------------------------------------------ */

typedef struct wr {
    int fd;
    unsigned char *buf;
    size_t len, cap;
    uint64_t sum, total;
    int err; /* errno of the first failure */
} wr_t;

static void wr_flush(wr_t *w)
{
    if (w->err || !w->len)
        return;
    w->sum = sum_words(w->sum, w->buf, w->len);
    size_t off = 0;
    while (off < w->len) {
        ssize_t r = write(w->fd, w->buf + off, w->len - off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            w->err = errno;
            return;
        }
        off += (size_t)r;
    }
    w->len = 0;
}

static void wr_put(wr_t *w, const void *data, size_t len)
{
    const unsigned char *p = data;
    w->total += len;
    while (len && !w->err) {
        size_t n = w->cap - w->len < len ? w->cap - w->len : len;
        memcpy(w->buf + w->len, p, n);
        w->len += n;
        p += n;
        len -= n;
        if (w->len == w->cap)
            wr_flush(w);
    }
}

static void wr_pad(wr_t *w)
{
    static const unsigned char zero[8];
    wr_put(w, zero, pad8(w->total) - w->total);
}

static void put_u32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static void write_payload(const markov_t *m, wr_t *w)
{
    wr_put(w, m->off, (m->nvocab + 1) * sizeof *m->off);
    wr_pad(w);
    wr_put(w, m->arena, m->arena_len);
    wr_pad(w);
    for (size_t i = 0; i < m->nseg; i++) {
        const mseg_t *s = &m->seg[i];
        unsigned char sh[32];
        memcpy(sh, &s->weight, 8);
        put_u64(sh + 8, s->n);
        put_u64(sh + 16, s->lines);
        put_u64(sh + 24, s->learned ? 1 : 0);
        wr_put(w, sh, sizeof sh);
        wr_put(w, s->tok, s->n * sizeof *s->tok);
        wr_pad(w);
        wr_put(w, s->sa, s->n * sizeof *s->sa);
        wr_pad(w);
    }
    wr_flush(w);
}

int markov_save(const markov_t *m, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < m->nseg; i++)
        if (!m->seg[i].sa) {
            set_err(err, errlen, "the model is not built (call markov_build first)");
            return PURG_EINVAL;
        }
    util_atomic_t a;
    int rc = util_atomic_begin(&a, path, 0644, err, errlen);
    if (rc != 0)
        return rc;
    wr_t w = { .fd = a.fd, .cap = 1 << 20, .sum = SUM_SEED };
    rc = PURG_EIO;
    w.buf = malloc(w.cap);
    if (!w.buf) {
        rc = PURG_ENOMEM;
        set_err(err, errlen, "out of memory");
        goto fail;
    }
    if (lseek(w.fd, HDR_SIZE, SEEK_SET) != HDR_SIZE) {
        w.err = errno;
        goto io_fail;
    }
    write_payload(m, &w);
    if (w.err)
        goto io_fail;
    unsigned char h[HDR_SIZE];
    memset(h, 0, sizeof h);
    memcpy(h, file_magic, 8);
    put_u32(h + 8, MARKOV_FILE_VERSION);
    put_u32(h + 12, 0x01020304u);
    put_u32(h + 16, (uint32_t)m->mode);
    put_u32(h + 20, (uint32_t)m->order);
    put_u32(h + 24, (uint32_t)m->nvocab);
    put_u32(h + 28, (uint32_t)m->nseg);
    put_u64(h + 32, m->arena_len);
    put_u64(h + 40, HDR_SIZE + w.total);
    put_u64(h + 48, w.sum ^ w.total);
    put_u64(h + 56, sum_words(SUM_SEED, h, 56));
    if (pwrite(w.fd, h, sizeof h, 0) != (ssize_t)sizeof h) {
        w.err = errno ? errno : EIO;
        goto io_fail;
    }
    free(w.buf);
    return util_atomic_commit(&a, err, errlen);
io_fail:
    set_err(err, errlen, "cannot write %s: %s", path, strerror(w.err));
fail:
    util_atomic_abort(&a);
    free(w.buf);
    return rc;
}

/* ---- loading ------------------------------------------------------------------ */

static uint32_t get_u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get_u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Validates the header; *payload gets the payload length. */
static int check_header(const unsigned char *d, size_t len, unsigned flags, char *err, size_t errlen)
{
    if (len < HDR_SIZE) {
        set_err(err, errlen, "truncated: %zu bytes, shorter than the %d-byte header", len, HDR_SIZE);
        return PURG_EFORMAT;
    }
    if (memcmp(d, file_magic, 8) != 0) {
        set_err(err, errlen, "not a purgatory model file (bad magic); make one with 'purgatory train'");
        return PURG_EFORMAT;
    }
    if (get_u32(d + 12) != 0x01020304u) {
        set_err(err, errlen, "written on a machine of another byte order; retrain it here");
        return PURG_EFORMAT;
    }
    uint32_t ver = get_u32(d + 8);
    if (ver != MARKOV_FILE_VERSION) {
        set_err(err, errlen, "model file version %u, but this purgatory reads version %d; "
                "retrain it with 'purgatory train'", ver, MARKOV_FILE_VERSION);
        return PURG_EFORMAT;
    }
    if (!(flags & MARKOV_LOAD_NO_CHECKSUM) && sum_words(SUM_SEED, d, 56) != get_u64(d + 56)) {
        set_err(err, errlen, "header checksum mismatch: the file is corrupted");
        return PURG_EFORMAT;
    }
    uint64_t fsize = get_u64(d + 40);
    if (fsize != len) {
        set_err(err, errlen, fsize > len ? "truncated: %zu of %llu bytes" : "%zu bytes, expected %llu: trailing garbage",
                len, (unsigned long long)fsize);
        return PURG_EFORMAT;
    }
    if ((len - HDR_SIZE) % 8 != 0) {
        set_err(err, errlen, "payload is not 8-byte aligned: the file is corrupted");
        return PURG_EFORMAT;
    }
    if (!(flags & MARKOV_LOAD_NO_CHECKSUM) &&
        (sum_words(SUM_SEED, d + HDR_SIZE, len - HDR_SIZE) ^ (len - HDR_SIZE)) != get_u64(d + 48)) {
        set_err(err, errlen, "checksum mismatch: the file is corrupted");
        return PURG_EFORMAT;
    }
    return 0;
}

/* Copies and checks the vocabulary at d[*pos..]. */
static int load_vocab(markov_t *m, const unsigned char *d, size_t len, size_t *pos, uint32_t nvocab,
                      uint64_t alen, char *err, size_t errlen)
{
    size_t offbytes = ((size_t)nvocab + 1) * 4;
    if (nvocab == 0 || nvocab > (len - *pos) / 4 || offbytes > len - *pos ||
        alen > len - *pos - pad8(offbytes) || alen > UINT32_MAX) {
        set_err(err, errlen, "vocabulary of %u words does not fit the file", nvocab);
        return PURG_EFORMAT;
    }
    m->off = malloc(offbytes);
    m->normh = malloc((size_t)nvocab * sizeof *m->normh);
    m->arena = malloc(alen ? alen : 1);
    if (!m->off || !m->normh || !m->arena)
        return PURG_ENOMEM;
    memcpy(m->off, d + *pos, offbytes);
    *pos += pad8(offbytes);
    memcpy(m->arena, d + *pos, alen);
    *pos += pad8(alen);
    m->vcap = nvocab;
    m->arena_cap = alen ? alen : 1;
    m->arena_len = alen;
    if (m->off[0] != 0 || m->off[nvocab] != alen || alen < 1 || m->off[1] != 1) {
        set_err(err, errlen, "vocabulary table is corrupted");
        return PURG_EFORMAT;
    }
    for (uint32_t i = 0; i < nvocab; i++) {
        uint32_t a = m->off[i], b = m->off[i + 1];
        if (b <= a || b > alen || m->arena[b - 1] != '\0' ||
            memchr(m->arena + a, '\0', b - a - 1) || !util_utf8_valid(m->arena + a, b - a - 1) ||
            (i > 0 && b - a < 2)) {
            set_err(err, errlen, "vocabulary entry %u is corrupted", i);
            return PURG_EFORMAT;
        }
        m->normh[i] = i ? markov__normh(m->arena + a, b - a - 1) : 0;
    }
    m->nvocab = nvocab;
    size_t hcap = 4096;
    while (hcap < (size_t)nvocab * 2)
        hcap *= 2;
    return markov__rehash(m, hcap); /* duplicates (a crafted file) are harmless */
}

static int load_segments(markov_t *m, const unsigned char *d, size_t len, size_t pos, uint32_t nseg,
                         char *err, size_t errlen)
{
    if (nseg == 0 || nseg > MARKOV_MAX_SEGS) {
        set_err(err, errlen, "%u segments (1..%d allowed): the file is corrupted", nseg, MARKOV_MAX_SEGS);
        return PURG_EFORMAT;
    }
    for (uint32_t i = 0; i < nseg; i++) {
        if (len - pos < 32) {
            set_err(err, errlen, "segment %u header is cut off", i);
            return PURG_EFORMAT;
        }
        double wgt;
        memcpy(&wgt, d + pos, 8);
        uint64_t n = get_u64(d + pos + 8), lines = get_u64(d + pos + 16), fl = get_u64(d + pos + 24);
        pos += 32;
        size_t room = len - pos;
        if (!isfinite(wgt) || !(wgt > 0) || wgt > 1e12 || n > ((uint64_t)1 << 31) ||
            pad8(n * 4) > room || pad8(n * 4) > room - pad8(n * 4) || lines > n || fl > 1) {
            set_err(err, errlen, "segment %u is corrupted (weight, size or line count)", i);
            return PURG_EFORMAT;
        }
        mseg_t *s = &m->seg[m->nseg++];
        memset(s, 0, sizeof *s);
        s->weight = wgt;
        s->n = s->cap = n;
        s->lines = lines;
        s->learned = fl == 1;
        s->mapped = true;
        s->tok = (uint32_t *)(void *)(d + pos);
        pos += pad8(n * 4);
        s->sa = (uint32_t *)(void *)(d + pos);
        pos += pad8(n * 4);
        for (size_t j = 0; j < n; j++)
            if (s->tok[j] >= m->nvocab || s->sa[j] >= n) {
                set_err(err, errlen, "segment %u: token or index %zu out of range", i, j);
                return PURG_EFORMAT;
            }
        int rc = markov__index(m, s);
        if (rc)
            return rc;
    }
    if (pos != len) {
        set_err(err, errlen, "%zu bytes after the last segment: the file is corrupted", len - pos);
        return PURG_EFORMAT;
    }
    return 0;
}

/* Builds a model over the mapping d (which it then owns). */
static int parse(markov_t **out, void *map, size_t len, unsigned flags, char *err, size_t errlen)
{
    const unsigned char *d = map;
    int rc = check_header(d, len, flags, err, errlen);
    if (rc) {
        munmap(map, len);
        return rc;
    }
    uint32_t mode = get_u32(d + 16), order = get_u32(d + 20);
    if (mode > MARKOV_CHARS || order < 1 || order > MARKOV_MAX_ORDER) {
        munmap(map, len);
        set_err(err, errlen, "bad mode %u or order %u: the file is corrupted", mode, order);
        return PURG_EFORMAT;
    }
    markov_t *m = calloc(1, sizeof *m);
    if (!m) {
        munmap(map, len);
        return PURG_ENOMEM;
    }
    m->map = map;
    m->maplen = len;
    m->mode = (markov_mode_t)mode;
    m->order = (int)order;
    size_t pos = HDR_SIZE;
    rc = load_vocab(m, d, len, &pos, get_u32(d + 24), get_u64(d + 32), err, errlen);
    if (rc)
        goto fail;
    rc = load_segments(m, d, len, pos, get_u32(d + 28), err, errlen);
    if (rc)
        goto fail;
    *out = m;
    return 0;
fail:
    if (rc == PURG_ENOMEM)
        set_err(err, errlen, "out of memory");
    markov_free(m);
    return rc;
}

int markov_load(markov_t **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    /* O_NONBLOCK: a FIFO opens at once (and fails the S_ISREG test) instead
     * of blocking until a writer comes; no effect on a regular file */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? PURG_ENOTFOUND : PURG_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        set_err(err, errlen, "%s is not a regular file", path);
        return PURG_EIO;
    }
    if ((uint64_t)st.st_size < HDR_SIZE) {
        close(fd);
        set_err(err, errlen, "truncated: %lld bytes, shorter than the %d-byte header",
                (long long)st.st_size, HDR_SIZE);
        return PURG_EFORMAT;
    }
    size_t len = (size_t)st.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        set_err(err, errlen, "cannot map %s: %s", path, strerror(errno));
        return PURG_EIO;
    }
    return parse(out, map, len, 0, err, errlen);
}

int markov_load_mem(markov_t **out, const void *data, size_t len, unsigned flags, char *err, size_t errlen)
{
    *out = NULL;
    if (len < HDR_SIZE) {
        set_err(err, errlen, "truncated: %zu bytes, shorter than the %d-byte header", len, HDR_SIZE);
        return PURG_EFORMAT;
    }
    /* an anonymous mapping: aligned, and freed like a file mapping */
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        set_err(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    memcpy(map, data, len);
    return parse(out, map, len, flags, err, errlen);
}
