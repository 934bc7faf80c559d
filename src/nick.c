/* nick.c - the IRC case mapping of nicks, and IRC masks (see nick.h). */
#include "nick.h"

#include <stdatomic.h>
#include <string.h>

static atomic_int casemap = NICK_RFC1459; /* the one piece of shared state: see nick.h */

nick_casemap_t nick_set_casemapping(const char *name)
{
    nick_casemap_t m = NICK_ASCII;
    if (strcmp(name, "rfc1459") == 0)
        m = NICK_RFC1459;
    else if (strcmp(name, "strict-rfc1459") == 0)
        m = NICK_STRICT_RFC1459;
    atomic_store_explicit(&casemap, (int)m, memory_order_relaxed);
    return m;
}

nick_casemap_t nick_casemapping(void)
{
    return (nick_casemap_t)atomic_load_explicit(&casemap, memory_order_relaxed);
}

char nick_fold_char(char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c + 32);
    int m = atomic_load_explicit(&casemap, memory_order_relaxed);
    if (m == NICK_ASCII)
        return c;
    switch (c) {
    case '[': return '{';
    case ']': return '}';
    case '\\': return '|';
    case '~': return m == NICK_RFC1459 ? '^' : '~';
    default: return c;
    }
}

void nick_fold(const char *s, char *out, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return;
    for (; s[i] && i + 1 < n; i++)
        out[i] = nick_fold_char(s[i]);
    out[i] = '\0';
}

int nick_eq_n(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (nick_fold_char(a[i]) != nick_fold_char(b[i]))
            return 0;
    return 1;
}

int nick_eq(const char *a, const char *b)
{
    return nick_eq_n(a, strlen(a), b, strlen(b));
}

int nick_prefix(const char *s, const char *prefix, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (nick_fold_char(s[i]) != nick_fold_char(prefix[i]))
            return 0;
        if (!s[i])
            return 1; /* both ended together */
    }
    return 1;
}

int nick_match(const char *mask, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*mask == '*') {
            while (*mask == '*')
                mask++;
            star = mask;
            resume = s;
        } else if (*mask && (*mask == '?' || nick_fold_char(*mask) == nick_fold_char(*s))) {
            mask++;
            s++;
        } else if (star) {
            /* the last '*' takes one more character, and the rest tries again */
            mask = star;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*mask == '*')
        mask++;
    return *mask == '\0';
}

int nick_pattern_match(const char *pattern, const char *nick, const char *full)
{
    const char *sep = strpbrk(pattern, "!@");
    if (!sep)
        return nick && nick_match(pattern, nick);
    if (full && strchr(full, '!'))
        return nick_match(pattern, full);
    /* no user@host known: only a pattern that accepts any can match */
    const char *rest = sep + (*sep == '!');
    if (strcmp(rest, "*") != 0 && strcmp(rest, "*@*") != 0)
        return 0;
    char nickpart[128];
    size_t len = (size_t)(sep - pattern);
    if (!nick || len >= sizeof nickpart)
        return 0;
    memcpy(nickpart, pattern, len);
    nickpart[len] = '\0';
    return nick_match(nickpart, nick);
}
