/* inifile.c - the one INI layer: inih over an in-memory text, one error helper;
 * any thread. See inifile.h. */
#include "inifile.h"

#include "purg.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first control character of the line s[0..n) (with its '\n'), or -1:
 * a C0 byte other than TAB, DEL, or a C1 code point (returned as 0x80..0x9F).
 * A CR is allowed only as the end of a CRLF (or of the file). */
static int line_ctl(const unsigned char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\n')
        n--;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F)
            return s[i];
        if (s[i] == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
            return s[i + 1]; /* U+0080..U+009F */
    }
    return -1;
}

/* Records "control character ^@ (NUL) in the file" for control character c. */
static void fail_ctl(inifile_t *ini, int c)
{
    static const char names[33][4] = {
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF",
        "VT", "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
        "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US", "DEL",
    };
    char one[3] = { (char)c, 0, 0 };
    if (c >= 0x80) { /* a C1 code point: its UTF-8 form */
        one[0] = (char)0xC2;
        one[1] = (char)c;
    }
    /* one[] goes through the message's util_visible: ^[, <U+0085> ...; a NUL
     * cannot, so it is written as util_visible would write it */
    if (c < 0x20 || c == 0x7F)
        inifile_fail(ini, PURG_EINVAL, "control character %s (%s) in the file", c ? one : "^@",
                     names[c < 0x20 ? c : 32]);
    else
        inifile_fail(ini, PURG_EINVAL, "control character %s in the file", one);
}

/* inih's line source, the way fgets would hand lines out: copies the next
 * line (with its '\n') into str (num bytes). NUL bytes become spaces so inih
 * never sees a line end early (the line is refused anyway). Problems of the
 * line itself are recorded here, before inih or a handler sees it. */
static char *reader(char *str, int num, void *stream)
{
    inifile_t *ini = stream;
    if (ini->pos >= ini->len || num < 2)
        return NULL;
    const char *s = ini->text + ini->pos;
    size_t rest = ini->len - ini->pos;
    const char *nl = memchr(s, '\n', rest);
    size_t linelen = nl ? (size_t)(nl - s) + 1 : rest;
    size_t take = linelen < (size_t)num - 1 ? linelen : (size_t)num - 1;
    for (size_t i = 0; i < take; i++)
        str[i] = s[i] ? s[i] : ' ';
    str[take] = '\0';
    ini->pos += linelen; /* the rest of a long line is dropped, not read as a line */
    ini->line++;
    int c = line_ctl((const unsigned char *)s, linelen);
    if (c >= 0)
        fail_ctl(ini, c);
    if (take < linelen)
        inifile_fail(ini, PURG_ETOOBIG, "line too long (max %d bytes)", num - 2);
    return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    inifile_t *ini = user;
    if (!ini->rc && ini->fn(ini, ini->user, section, name, value) < 0)
        inifile_fail(ini, PURG_EINVAL, "bad line"); /* a handler that did not say why */
    return 1; /* go on: a syntax error on a later line is not reported anyway */
}

int inifile_parse(inifile_t *ini, const char *name, const char *text, size_t len, inifile_key_fn fn,
                   void *user)
{
    memset(ini, 0, sizeof *ini);
    ini->name = name;
    ini->text = text;
    ini->len = len;
    ini->fn = fn;
    ini->user = user;
    int bad = ini_parse_stream(reader, ini, on_pair, ini);
    if (bad == -2)
        inifile_fail_at(ini, 0, PURG_ENOMEM, "out of memory while parsing");
    else if (bad > 0) /* on_pair never fails: inih's own complaint, a syntax error */
        inifile_fail_at(ini, bad, PURG_EINVAL,
                        "syntax error (expected '[section]', 'key = value' or a ; comment)");
    return ini->rc;
}

int inifile_fail_at(inifile_t *ini, int line, int rc, const char *fmt, ...)
{
    if (rc >= 0)
        rc = PURG_EINVAL;
    if (ini->rc && !(line > 0 && (ini->err_line == 0 || line < ini->err_line)))
        return rc; /* the problem of an earlier (or the same) line stands */
    char raw[INIFILE_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    if (n < 0)
        util_strlcpy(raw, "bad line", sizeof raw);
    util_visible(ini->err, sizeof ini->err, raw);
    ini->rc = rc;
    ini->err_line = line > 0 ? line : 0;
    return rc;
}

int inifile_error(const inifile_t *ini, char *buf, size_t n)
{
    char vn[UTIL_VIS_MAX];
    util_visible(vn, sizeof vn, ini->name); /* a name from a directory listing, say */
    if (ini->err_line > 0)
        util_snprintf(buf, n, "%s:%d: %s", vn, ini->err_line, ini->err);
    else
        util_snprintf(buf, n, "%s: %s", vn, ini->err);
    return ini->rc;
}

int inifile_read(const char *path, const char *what, size_t max, char **text, size_t *len,
                 struct stat *st, char *err, size_t errlen)
{
    if (max == 0)
        max = INIFILE_MAX_BYTES;
    char vp[UTIL_VIS_MAX];
    struct stat sb;
    util_visible(vp, sizeof vp, path);
    *text = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO does not wait for a writer, so fstat can refuse it */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        util_snprintf(err, errlen, "%s: cannot open: %s", vp, strerror(e));
        return e == ENOENT ? PURG_ENOTFOUND : PURG_EIO;
    }
    if (fstat(fd, &sb) != 0) {
        util_snprintf(err, errlen, "%s: cannot read: %s", vp, strerror(errno));
        close(fd);
        return PURG_EIO;
    }
    if (!S_ISREG(sb.st_mode)) {
        util_snprintf(err, errlen, "%s is %s, not a %s", vp, util_file_kind(sb.st_mode), what);
        close(fd);
        return PURG_EINVAL;
    }
    if ((unsigned long long)sb.st_size > max) {
        util_snprintf(err, errlen, "%s: larger than %zu MiB; is it a %s?", vp, max >> 20, what);
        close(fd);
        return PURG_ETOOBIG;
    }
    size_t size = (size_t)sb.st_size, n = 0;
    char *buf = malloc(size + 1);
    if (!buf) {
        util_snprintf(err, errlen, "%s: out of memory", vp);
        close(fd);
        return PURG_ENOMEM;
    }
    while (n < size) { /* a file that shrinks meanwhile ends early; one that grows is cut */
        ssize_t got = read(fd, buf + n, size - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            util_snprintf(err, errlen, "%s: read error: %s", vp, strerror(errno));
            free(buf);
            close(fd);
            return PURG_EIO;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    if (st)
        *st = sb;
    return 0;
}
