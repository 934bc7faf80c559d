/* corpus.c - training-text readers (plain, irssi, weechat, ZNC); any thread. */
#include "corpus.h"
#include "nick.h"
#include "purg.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const format_names[] = { "plain", "irssi", "weechat", "znc" };

int corpus_format_parse(const char *name, corpus_format_t *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
        if (strcmp(name, format_names[i]) == 0) {
            *out = (corpus_format_t)i;
            return 0;
        }
    return PURG_EINVAL;
}

const char *corpus_format_name(corpus_format_t f)
{
    return (unsigned)f < sizeof format_names / sizeof *format_names ? format_names[f] : "?";
}

uint64_t corpus_skipped(const corpus_stats_t *st)
{
    return st->bad_utf8 + st->nul + st->too_long + st->events + st->other_nick + st->blank +
           st->unparsed;
}

/* One reading: the line being assembled and where it goes. */
typedef struct reader {
    const corpus_opts_t *o;
    corpus_line_fn fn;
    void *ud;
    corpus_stats_t *st;
    char *line;          /* max + 1 bytes */
    size_t len, max;
    bool overlong;       /* the current line passed max: drop it at its end */
    uint64_t total;      /* file size for progress, 0 if unknown */
    uint64_t next_progress;
} reader_t;

/* ---- nick and format parsing ------------------------------------------------- */

static bool nick_wanted(const corpus_opts_t *o, const char *nick, size_t len)
{
    if (!o->nicks || o->nnicks == 0)
        return true;
    for (size_t i = 0; i < o->nnicks; i++) {
        if (nick_eq_n(o->nicks[i], strlen(o->nicks[i]), nick, len)) /* rfc1459 */
            return true;
    }
    return false;
}

static bool is_mode_char(char c)
{
    return c == '@' || c == '+' || c == '%' || c == '&' || c == '~' || c == '!';
}

enum { L_MSG, L_EVENT, L_UNPARSED };

/* "<@nick> text" at s[0..len): nick and text. */
static int parse_angle(char *s, size_t len, char **nick, size_t *nl, char **text, size_t *tl)
{
    if (len < 3 || s[0] != '<')
        return L_UNPARSED;
    size_t i = 1;
    if ((s[i] == ' ' || is_mode_char(s[i])) && i + 1 < len && s[i + 1] != '>')
        i++;
    size_t a = i;
    while (i < len && s[i] != '>' && s[i] != ' ')
        i++;
    if (i >= len || s[i] != '>' || i == a)
        return L_UNPARSED;
    *nick = s + a;
    *nl = i - a;
    i++;
    if (i < len && s[i] == ' ')
        i++;
    *text = s + i;
    *tl = len - i;
    return L_MSG;
}

static bool starts(const char *s, size_t len, const char *p)
{
    size_t pl = strlen(p);
    return len >= pl && memcmp(s, p, pl) == 0;
}

static int parse_irssi(char *s, size_t len, char **nick, size_t *nl, char **text, size_t *tl)
{
    if (starts(s, len, "--- "))
        return L_EVENT; /* Log opened / closed, Day changed */
    size_t i = 0;
    if (i < len && s[i] >= '0' && s[i] <= '9') { /* timestamp, e.g. 12:34 or 12:34:56 */
        while (i < len && s[i] != ' ')
            i++;
        if (i < len)
            i++;
    } else if (i < len && s[i] == '[') { /* some themes bracket it */
        while (i < len && s[i] != ']')
            i++;
        i += (i + 1 < len && s[i + 1] == ' ') ? 2 : 1;
    }
    if (i >= len)
        return L_UNPARSED;
    s += i;
    len -= i;
    if (starts(s, len, "-!-") || starts(s, len, " * ") || starts(s, len, "* ") ||
        starts(s, len, "-") || starts(s, len, "!"))
        return L_EVENT; /* joins, modes ..., actions, notices */
    return parse_angle(s, len, nick, nl, text, tl);
}

static int parse_znc(char *s, size_t len, char **nick, size_t *nl, char **text, size_t *tl)
{
    if (len < 2 || s[0] != '[')
        return L_UNPARSED;
    char *e = memchr(s, ']', len);
    if (!e)
        return L_UNPARSED;
    size_t i = (size_t)(e - s) + 1;
    if (i < len && s[i] == ' ')
        i++;
    s += i;
    len -= i;
    if (starts(s, len, "*** ") || starts(s, len, "* ") || starts(s, len, "-"))
        return L_EVENT;
    return parse_angle(s, len, nick, nl, text, tl);
}

static int parse_weechat(char *s, size_t len, char **nick, size_t *nl, char **text, size_t *tl)
{
    char *t1 = memchr(s, '\t', len);
    if (!t1)
        return L_UNPARSED;
    char *p = t1 + 1;
    size_t rest = len - (size_t)(p - s);
    char *t2 = memchr(p, '\t', rest);
    if (!t2)
        return L_UNPARSED;
    size_t pl = (size_t)(t2 - p);
    /* prefixes of joins (-->), parts (<--), network messages (--), actions (*), errors (=!=) */
    if (pl == 0 || p[0] == '-' || p[0] == '<' || p[0] == '*' || p[0] == '=' || p[0] == ' ')
        return L_EVENT;
    while (pl > 1 && is_mode_char(p[0])) {
        p++;
        pl--;
    }
    if (memchr(p, ' ', pl))
        return L_EVENT;
    *nick = p;
    *nl = pl;
    *text = t2 + 1;
    *tl = len - (size_t)(t2 + 1 - s);
    return L_MSG;
}

/* Removes mIRC formatting (bold, colour with its digits, reset, reverse,
 * italic, underline, strike, monospace) in place; returns the new length. */
static size_t strip_codes(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x03) {
            for (int k = 0; k < 2 && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9'; k++)
                i++;
            if (i + 2 < len && s[i + 1] == ',' && s[i + 2] >= '0' && s[i + 2] <= '9') {
                i += 2;
                if (i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')
                    i++;
            }
            continue;
        }
        if (c == 0x02 || c == 0x0f || c == 0x16 || c == 0x1d || c == 0x1f || c == 0x1e ||
            c == 0x11)
            continue;
        if (c < 0x20 && c != '\t')
            c = ' ';
        s[o++] = (char)c;
    }
    return o;
}

/* ---- lines ----------------------------------------------------------------------- */

static int take_line(reader_t *r, char *s, size_t len)
{
    corpus_stats_t *st = r->st;
    st->lines++;
    if (r->overlong) {
        st->too_long++;
        return 0;
    }
    if (len && s[len - 1] == '\r')
        len--;
    if (memchr(s, '\0', len)) {
        st->nul++;
        return 0;
    }
    if (!util_utf8_valid(s, len)) {
        st->bad_utf8++;
        return 0;
    }
    char *nick = NULL, *text = s;
    size_t nl = 0, tl = len;
    int kind = L_MSG;
    switch (r->o->format) {
    case CORPUS_IRSSI: kind = parse_irssi(s, len, &nick, &nl, &text, &tl); break;
    case CORPUS_WEECHAT: kind = parse_weechat(s, len, &nick, &nl, &text, &tl); break;
    case CORPUS_ZNC: kind = parse_znc(s, len, &nick, &nl, &text, &tl); break;
    default: break;
    }
    if (kind == L_EVENT) {
        st->events++;
        return 0;
    }
    if (kind == L_UNPARSED) {
        st->unparsed++;
        return 0;
    }
    if (nick && !nick_wanted(r->o, nick, nl)) {
        st->other_nick++;
        return 0;
    }
    tl = strip_codes(text, tl);
    while (tl && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        tl--;
    }
    while (tl && (text[tl - 1] == ' ' || text[tl - 1] == '\t'))
        tl--;
    if (tl == 0) {
        st->blank++;
        return 0;
    }
    text[tl] = '\0';
    st->used++;
    return r->fn(r->ud, text, tl);
}

/* Feeds bytes; complete lines go to take_line. */
static int feed(reader_t *r, const char *buf, size_t n)
{
    r->st->bytes += n;
    while (n) {
        const char *nl = memchr(buf, '\n', n);
        size_t part = nl ? (size_t)(nl - buf) : n;
        if (!r->overlong) {
            if (r->len + part > r->max) {
                r->overlong = true;
            } else {
                memcpy(r->line + r->len, buf, part);
                r->len += part;
            }
        }
        if (!nl)
            break;
        int rc = take_line(r, r->line, r->len);
        r->len = 0;
        r->overlong = false;
        if (rc)
            return rc;
        buf += part + 1;
        n -= part + 1;
    }
    if (r->o->progress && r->st->bytes >= r->next_progress) {
        r->o->progress(r->ud, r->st->bytes, r->total);
        r->next_progress = r->st->bytes + (4u << 20);
    }
    return 0;
}

static int finish(reader_t *r)
{
    if (r->len == 0 && !r->overlong)
        return 0;
    int rc = take_line(r, r->line, r->len); /* a last line without newline */
    r->len = 0;
    r->overlong = false;
    return rc;
}

static int reader_init(reader_t *r, const corpus_opts_t *o, corpus_line_fn fn, void *ud,
                       corpus_stats_t *st)
{
    memset(r, 0, sizeof *r);
    if (o->nnicks > CORPUS_MAX_NICKS || (unsigned)o->format > CORPUS_ZNC)
        return PURG_EINVAL;
    r->o = o;
    r->fn = fn;
    r->ud = ud;
    r->st = st;
    r->max = o->max_line ? o->max_line : CORPUS_MAX_LINE_DEFAULT;
    if (r->max > (64u << 20))
        return PURG_EINVAL;
    r->line = malloc(r->max + 1);
    return r->line ? 0 : PURG_ENOMEM;
}

int corpus_read_mem(const char *buf, size_t len, const corpus_opts_t *o, corpus_line_fn fn,
                    void *ud, corpus_stats_t *st)
{
    reader_t r;
    int rc = reader_init(&r, o, fn, ud, st);
    if (rc)
        return rc;
    r.total = len;
    rc = feed(&r, buf, len);
    if (!rc)
        rc = finish(&r);
    free(r.line);
    return rc;
}

int corpus_read_file(const char *path, const corpus_opts_t *o, corpus_line_fn fn, void *ud,
                     corpus_stats_t *st)
{
    /* O_NONBLOCK: a FIFO opens at once and is refused below instead of
     * blocking; no effect on a regular file */
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? PURG_ENOTFOUND : PURG_EIO;
    struct stat sb;
    if (fd != STDIN_FILENO && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        errno = EINVAL;
        return PURG_EINVAL; /* a FIFO, a device or a directory: not a corpus file */
    }
    reader_t r;
    int rc = reader_init(&r, o, fn, ud, st);
    char *buf = rc ? NULL : malloc(1 << 16);
    if (!rc && !buf)
        rc = PURG_ENOMEM;
    if (!rc && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        r.total = (uint64_t)sb.st_size;
    while (!rc) {
        ssize_t n = read(fd, buf, 1 << 16);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = PURG_EIO;
            break;
        }
        if (n == 0) {
            rc = finish(&r);
            break;
        }
        rc = feed(&r, buf, (size_t)n);
    }
    int saved = errno;
    free(buf);
    free(r.line);
    if (fd != STDIN_FILENO)
        close(fd);
    errno = saved;
    return rc;
}
