/* util.c - clocks, checked copies, UTF-8 validation, the terminal rule; any thread. */
#include "util.h"
#include "purg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

void util_thread_name(const char *name)
{
#ifdef __linux__
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); /* a name too long is cut at 15 */
#else
    (void)name;
#endif
}

void util_thread_name_get(char *buf, size_t n)
{
    char name[16] = "";
#ifdef __linux__
    prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0);
#endif
    util_strlcpy(buf, name, n);
}

int util_has_terminal(void)
{
    if (!isatty(STDIN_FILENO) && !isatty(STDOUT_FILENO))
        return 0;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* a terminal, but not ours (setsid): nothing hangs up on us */
    close(fd);
    return 1;
}

int64_t util_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

const char *util_file_kind(unsigned m)
{
    if (S_ISREG(m))
        return "a regular file";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISDIR(m))
        return "a directory";
    return "not a regular file";
}

int util_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (len < n) {
        memcpy(dst, src, len + 1);
        return 0;
    }
    memcpy(dst, src, n - 1);
    dst[n - 1] = '\0';
    return PURG_ETOOBIG;
}

int util_snprintf(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(dst, n, fmt, ap);
    va_end(ap);
    if (r < 0)
        return PURG_EINVAL;
    return (size_t)r >= n ? PURG_ETOOBIG : 0;
}

size_t util_utf8_seq(const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
    else return 0;
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

uint32_t util_utf8_decode(const unsigned char *s, size_t n)
{
    if (n == 1)
        return s[0];
    if (n == 2)
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    if (n == 3)
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
           ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

bool util_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    while (len > 0) {
        size_t n = util_utf8_seq(p, len);
        if (n == 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

/* Formatting characters that a terminal or an editor renders as nothing or
 * uses to reorder the text around them (Trojan Source): shown by number. */
static bool vis_invisible(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0xFEFF || cp == 0x061C;
}

/* The printable form of the character at s[0..len) (len > 0) into piece
 * (at least 9 bytes, not terminated); sets *adv to the bytes of s it stands
 * for and returns its length. */
static size_t vis_piece(const unsigned char *s, size_t len, char *piece, size_t *adv)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = util_utf8_seq(s, len);
    *adv = n ? n : 1;
    if (n == 0) {
        piece[0] = '\\';
        piece[1] = 'x';
        piece[2] = hex[s[0] >> 4];
        piece[3] = hex[s[0] & 0xF];
        return 4;
    }
    uint32_t cp = util_utf8_decode(s, n);
    if (cp < 0x20 || cp == 0x7F) {
        piece[0] = '^';
        piece[1] = cp == 0x7F ? '?' : (char)(cp + 0x40);
        return 2;
    }
    if (vis_invisible(cp)) {
        memcpy(piece, "<U+", 3);
        for (int i = 0; i < 4; i++)
            piece[3 + i] = hex[(cp >> (12 - 4 * i)) & 0xF];
        piece[7] = '>';
        return 8;
    }
    memcpy(piece, s, n);
    return n;
}

const char *util_visible_n(char *out, size_t outlen, const char *s, size_t len)
{
    static const char cut[] = "...";
    const unsigned char *p = (const unsigned char *)s;
    char piece[9];
    size_t adv, total = 0;
    for (size_t i = 0; i < len && total < outlen; i += adv)
        total += vis_piece(p + i, len - i, piece, &adv);
    /* Everything fits: total < outlen. Else keep whole pieces while "..."
     * and the NUL still fit after them. */
    size_t room = total < outlen ? outlen - 1 : (outlen > sizeof cut ? outlen - sizeof cut : 0);
    size_t o = 0;
    for (size_t i = 0; i < len; i += adv) {
        size_t pn = vis_piece(p + i, len - i, piece, &adv);
        if (o + pn > room)
            break;
        memcpy(out + o, piece, pn);
        o += pn;
    }
    if (total >= outlen)
        for (size_t k = 0; k < sizeof cut - 1 && o + 1 < outlen; k++)
            out[o++] = '.';
    out[o] = '\0';
    return out;
}

const char *util_visible(char *out, size_t outlen, const char *s)
{
    if (!s)
        s = "(null)";
    return util_visible_n(out, outlen, s, strlen(s));
}

/* err for the atomic writes: the path made visible (it may come from a
 * persona file), and NULL/0 allowed. */
static void atomic_err(char *err, size_t errlen, const char *before, const char *path,
                       const char *after, int e)
{
    if (!err || !errlen)
        return;
    char vp[UTIL_VIS_MAX];
    util_visible(vp, sizeof vp, path);
    util_snprintf(err, errlen, "%s%s%s%s", before, vp, after, e ? strerror(e) : "");
}

int util_atomic_begin(util_atomic_t *a, const char *path, unsigned mode, char *err, size_t errlen)
{
    a->fd = -1;
    a->renamed = 0;
    a->path = path;
    if (util_snprintf(a->tmp, sizeof a->tmp, "%s.tmp.XXXXXX", path)) {
        atomic_err(err, errlen, "path too long: ", path, "", 0);
        return PURG_ETOOBIG;
    }
    a->fd = mkstemp(a->tmp);
    if (a->fd < 0) {
        atomic_err(err, errlen, "cannot create a temporary file beside ", path, ": ", errno);
        return PURG_EIO;
    }
    if (fchmod(a->fd, (mode_t)mode) != 0) {
        atomic_err(err, errlen, "cannot set the mode of ", a->tmp, ": ", errno);
        util_atomic_abort(a);
        return PURG_EIO;
    }
    return 0;
}

int util_atomic_commit(util_atomic_t *a, char *err, size_t errlen)
{
    int e = 0;
    if (fsync(a->fd) != 0)
        e = errno ? errno : EIO;
    if (close(a->fd) != 0 && !e)
        e = errno ? errno : EIO;
    a->fd = -1;
    if (!e && rename(a->tmp, a->path) != 0)
        e = errno ? errno : EIO;
    if (e) {
        unlink(a->tmp);
        atomic_err(err, errlen, "cannot write ", a->path, ": ", e);
        return PURG_EIO;
    }
    a->renamed = 1;
    if (util_fsync_dir(a->path) != 0) {
        atomic_err(err, errlen, "saved ", a->path, ", but could not sync its directory", 0);
        return PURG_EIO;
    }
    return 0;
}

void util_atomic_abort(util_atomic_t *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    unlink(a->tmp);
}

int util_fsync_dir(const char *path)
{
    char dir[4096];
    if (util_strlcpy(dir, path, sizeof dir))
        return PURG_ETOOBIG;
    char *slash = strrchr(dir, '/');
    if (!slash)
        util_strlcpy(dir, ".", sizeof dir);
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return PURG_EIO;
    int r = fsync(fd);
    close(fd);
    return r ? PURG_EIO : 0;
}
