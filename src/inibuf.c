/* inibuf.c - in-memory line source for inih; any thread. */
#include "inibuf.h"

#include "util.h"

#include <string.h>

void inibuf_init(inibuf_t *b, const char *text, size_t len)
{
    memset(b, 0, sizeof *b);
    b->text = text;
    b->len = len;
    b->ctl = -1;
}

/* The first control character of the line s[0..n) (with its '\n'), or -1.
 * TAB is text; a CR is allowed only as the end of a CRLF (or of the file). */
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

char *inibuf_read(inibuf_t *b, char *str, int num)
{
    if (b->pos >= b->len || num < 2)
        return NULL;
    const char *s = b->text + b->pos;
    size_t rest = b->len - b->pos;
    const char *nl = memchr(s, '\n', rest);
    size_t linelen = nl ? (size_t)(nl - s) + 1 : rest;
    size_t take = linelen < (size_t)num - 1 ? linelen : (size_t)num - 1;
    b->had_nul = 0;
    for (size_t i = 0; i < take; i++) {
        str[i] = s[i] ? s[i] : ' ';
        if (!s[i])
            b->had_nul = 1;
    }
    str[take] = '\0';
    if (!b->had_nul && take < linelen && memchr(s + take, '\0', linelen - take))
        b->had_nul = 1;
    b->ctl = line_ctl((const unsigned char *)s, linelen);
    b->truncated = take < linelen;
    b->pos += linelen;
    b->line++;
    return str;
}

void inibuf_ctl_describe(const inibuf_t *b, char *buf, size_t n)
{
    static const char names[33][4] = {
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF",
        "VT", "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
        "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US", "DEL",
    };
    int c = b->ctl;
    char one[2] = { (char)c, 0 }, vis[16];
    size_t len = 1;
    if (c >= 0x80) { /* a C1 code point: its UTF-8 form */
        one[0] = (char)0xC2;
        one[1] = (char)c;
        len = 2;
    }
    util_visible_n(vis, sizeof vis, one, len);
    if (c < 0x20 || c == 0x7F)
        util_snprintf(buf, n, "control character %s (%s) in the file", vis, names[c < 0x20 ? c : 32]);
    else
        util_snprintf(buf, n, "control character %s in the file", vis);
}
