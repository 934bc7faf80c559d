/* inibuf.c - in-memory line source for inih; any thread. */
#include "inibuf.h"

#include <string.h>

void inibuf_init(inibuf_t *b, const char *text, size_t len)
{
    memset(b, 0, sizeof *b);
    b->text = text;
    b->len = len;
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
    b->truncated = take < linelen;
    b->pos += linelen;
    b->line++;
    return str;
}
