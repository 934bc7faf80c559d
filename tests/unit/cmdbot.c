/* cmdbot.c - a broad model of a chat-ops bot's triggers, for guard tests; any thread.
 *
 * The model, as a bot would parse a PRIVMSG:
 * 1. CR or LF splits the line: each part is a line of its own (and the
 *    split itself counts: it is IRC command injection).
 * 2. \x01 anywhere: a CTCP request.
 * 3. The bot first cleans the text the way bots do: mIRC formatting codes
 *    removed, tabs and other controls and Unicode spaces -> space,
 *    zero-width characters removed, fullwidth ASCII folded to ASCII.
 * 4. Then it acts on: a prefix command (first character one of its
 *    prefixes), an inline command (a word "!x", ".x", "?x", "~x", "@x",
 *    "$x", ">x", "/x" anywhere, x a letter), karma ("++" anywhere; "--"
 *    touching a non-space or at either end), a sed replacement "s/a/b",
 *    a nick-addressed command ("nick: cmd", "nick, cmd", "@nick cmd", cmd
 *    from its list or sigil-prefixed) and anything addressed to itself by
 *    name, even without punctuation ("cmdbot status").
 * 5. cmdbot_count_room adds the triggers of real bots, each parsed the way
 *    that bot does (see cb_room_one), for a bot present in the room under
 *    a name nobody configured.
 */
#include "cmdbot.h"
#include "nick.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define CB_MAX 2048

static const char cb_prefixes[] = "!.?~@$>%&`;,\\^=+-:/";
static const char cb_inline[] = "!.?~@$>/";
static const char *const cb_commands[] = {
    "deploy", "restart", "help", "kick", "ban", "op", "karma", "quote", "say",
    "do", "run", "exec", "rm", "shutdown", "reload", "quit", "join", "eval", NULL,
};

/* Removes formatting the way bots do; returns the cleaned length. */
static size_t cb_clean(const unsigned char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o < CB_MAX - 1;) {
        unsigned char c = in[i];
        if (c == 0x03) { /* colour: up to 2 digits, optional ,2 digits */
            i++;
            int d = 0;
            while (d < 2 && i < len && isdigit(in[i])) { i++; d++; }
            if (d && i + 1 < len && in[i] == ',' && isdigit(in[i + 1])) {
                i++;
                d = 0;
                while (d < 2 && i < len && isdigit(in[i])) { i++; d++; }
            }
            continue;
        }
        if (c == 0x04) { /* hex colour */
            i++;
            int d = 0;
            while (d < 6 && i < len && isxdigit(in[i])) { i++; d++; }
            continue;
        }
        if (c == 0x02 || c == 0x0F || c == 0x16 || c == 0x1D || c == 0x1F || c == 0x1E ||
            c == 0x11 || c == 0x7F) {
            i++;
            continue;
        }
        if (c < 0x20) {
            out[o++] = ' ';
            i++;
            continue;
        }
        /* a few multi-byte forms bots normalise */
        if (c == 0xC2 && i + 1 < len && in[i + 1] == 0xA0) { out[o++] = ' '; i += 2; continue; }
        if (c == 0xE2 && i + 2 < len && in[i + 1] == 0x80 && in[i + 2] >= 0x80 && in[i + 2] <= 0x8A) {
            out[o++] = ' '; i += 3; continue;             /* U+2000..200A spaces */
        }
        if (c == 0xE2 && i + 2 < len && in[i + 1] == 0x80 && in[i + 2] >= 0x8B && in[i + 2] <= 0x8D) {
            i += 3; continue;                            /* zero-width */
        }
        if (c == 0xE2 && i + 2 < len && in[i + 1] == 0x81 && in[i + 2] == 0xA0) { i += 3; continue; }
        if (c == 0xEF && i + 2 < len && in[i + 1] == 0xBB && in[i + 2] == 0xBF) { i += 3; continue; }
        if (c == 0xE3 && i + 2 < len && in[i + 1] == 0x80 && in[i + 2] == 0x80) { out[o++] = ' '; i += 3; continue; }
        if (c == 0xEF && i + 2 < len && (in[i + 1] == 0xBC || in[i + 1] == 0xBD)) {
            /* fullwidth U+FF01..U+FF5E -> ASCII */
            unsigned cp = 0xF000u | ((unsigned)(in[i + 1] & 0x3F) << 6) | (in[i + 2] & 0x3F);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                out[o++] = (char)(cp - 0xFEE0);
                i += 3;
                continue;
            }
        }
        out[o++] = (char)c;
        i++;
    }
    out[o] = '\0';
    return o;
}

static bool cb_is_command(const char *w, size_t n)
{
    char low[32];
    if (n == 0 || n >= sizeof low)
        return false;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)w[i]);
    low[n] = '\0';
    for (int i = 0; cb_commands[i]; i++)
        if (strcmp(low, cb_commands[i]) == 0)
            return true;
    return false;
}

static int cb_one(const char *botnick, const unsigned char *raw, size_t rawlen)
{
    char s[CB_MAX];
    int count = 0;
    if (memchr(raw, 0x01, rawlen))
        count++;
    size_t n = cb_clean(raw, rawlen, s);
    size_t b = 0;
    while (b < n && s[b] == ' ')
        b++;
    while (n > b && s[n - 1] == ' ')
        n--;
    if (b == n)
        return count;

    if (strchr(cb_prefixes, s[b]))
        count++;

    /* words */
    for (size_t i = b; i < n;) {
        size_t e = i;
        while (e < n && s[e] != ' ')
            e++;
        if (e - i >= 2 && strchr(cb_inline, s[i]) && isalpha((unsigned char)s[i + 1]))
            count++;
        if (e - i >= 4 && s[i] == 's' && s[i + 1] == '/' && memchr(s + i + 2, '/', e - i - 2))
            count++;
        i = e;
        while (i < n && s[i] == ' ')
            i++;
    }

    /* karma */
    for (size_t i = b; i + 1 < n; i++) {
        if (s[i] == '+' && s[i + 1] == '+')
            count++;
        if (s[i] == '-' && s[i + 1] == '-') {
            bool before = i > b && s[i - 1] != ' ';
            bool after = i + 2 < n && s[i + 2] != ' ';
            if (before || after || i == b || i + 2 == n)
                count++;
        }
    }

    /* addressing: "@nick cmd", "nick: cmd", "nick, cmd", or my name first */
    size_t i = b;
    bool at = s[i] == '@';
    if (at)
        i++;
    size_t ns = i;
    while (i < n && (isalnum((unsigned char)s[i]) || strchr("_-[]\\`^{}|", s[i])))
        i++;
    size_t nl = i - ns;
    bool punct = i < n && (s[i] == ':' || s[i] == ',');
    if (nl > 0 && (at || punct || i == n || s[i] == ' ')) {
        bool mine = nick_eq_n(s + ns, nl, botnick, strlen(botnick));
        if (punct)
            i++;
        while (i < n && s[i] == ' ')
            i++;
        size_t ws = i;
        while (i < n && isalnum((unsigned char)s[i]))
            i++;
        bool cmd = (ws < n && strchr(cb_inline, s[ws])) || cb_is_command(s + ws, i - ws);
        if (mine || ((at || punct) && cmd))
            count++;
    }
    return count;
}

int cmdbot_count(const char *botnick, const char *line, size_t len)
{
    const unsigned char *p = (const unsigned char *)line;
    int count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || p[i] == '\r' || p[i] == '\n') {
            if (i < len)
                count++; /* the break itself: a second IRC command */
            if (i > start)
                count += cb_one(botnick, p + start, i - start);
            start = i + 1;
        }
    }
    return count;
}

/* ---- a bot in the room ------------------------------------------------------ */

/* Eggdrop "bind pub" words: the first word of a line, no prefix needed. */
static const char *const cb_eggdrop[] = {
    "seen", "help", "op", "voice", "kick", "ban", "topic", "quote", "karma",
    "deploy", "status", "say", "top", "rank", NULL,
};

/* s[0..n) starts with nick, ignoring case */
static bool cb_starts(const char *s, size_t n, const char *nick)
{
    size_t k = strlen(nick);
    if (k == 0 || k > n)
        return false;
    for (size_t i = 0; i < k; i++)
        if (nick_fold_char(s[i]) != nick_fold_char(nick[i])) /* rfc1459, as ircutils.toLower */
            return false;
    return true;
}

/* Limnoria's ircutils.isNick(strictRfc=True) */
static bool cb_is_nick(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || strchr("[]\\`_^{|}", s[0])))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || (s[i] && strchr("[]\\`_^{|}-", s[i]))))
            return false;
    return true;
}

/* Limnoria, whenAddressedBy.nick: the first word, less trailing punctuation
 * until it is a nick, is the bot's nick, and more follows. */
static bool cb_limnoria_first(const char *nick, const char *s, size_t n)
{
    if (!cb_starts(s, n, nick))
        return false;
    size_t e = 0;
    while (e < n && s[e] != ' ')
        e++;
    size_t r = e;
    while (r < n && s[r] == ' ')
        r++;
    if (r == n)
        return false;                       /* split(None, 1) found one word */
    while (e > 0 && !cb_is_nick(s, e)) {
        if (isalnum((unsigned char)s[e - 1]))
            return false;
        e--;
    }
    return e == strlen(nick) && cb_starts(s, e, nick);
}

/* Limnoria, nick.atEnd: ends with the nick, and stripping " \t,;" off what
 * comes before it changes something. */
static bool cb_limnoria_end(const char *nick, const char *s, size_t n)
{
    size_t k = strlen(nick);
    if (k == 0 || k >= n || !cb_starts(s + n - k, k, nick))
        return false;
    char c = s[n - k - 1];
    return c == ' ' || c == '\t' || c == ',' || c == ';';
}

/* Sopel: ^nick[:,]?\s+command */
static bool cb_sopel(const char *nick, const char *s, size_t n)
{
    if (!cb_starts(s, n, nick))
        return false;
    size_t i = strlen(nick);
    if (i < n && (s[i] == ':' || s[i] == ','))
        i++;
    size_t sp = i;
    while (i < n && s[i] == ' ')
        i++;
    return i > sp && i < n;
}

/* Hubot respond: ^\s*[@]?name[:,]?\s*pattern, and a pattern may match
 * anything, even nothing. */
static bool cb_hubot(const char *nick, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    if (i < n && s[i] == '@')
        i++;
    return cb_starts(s + i, n - i, nick);
}

/* Errbot with the bot's name among BOT_ALT_PREFIXES (case-insensitive):
 * the prefix, one optional separator, then the command. */
static bool cb_errbot(const char *nick, const char *s, size_t n)
{
    if (!cb_starts(s, n, nick))
        return false;
    size_t i = strlen(nick);
    if (i < n && (s[i] == ':' || s[i] == ',' || s[i] == ';'))
        i++;
    while (i < n && s[i] == ' ')
        i++;
    return i < n;
}

/* Eggdrop: the first word, whatever the bot is called. */
static bool cb_eggdrop_first(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    size_t e = i;
    while (e < n && s[e] != ' ')
        e++;
    while (e > i && strchr("?!.,:;", s[e - 1]))
        e--;
    char low[32];
    if (e == i || e - i >= sizeof low)
        return false;
    for (size_t k = i; k < e; k++)
        low[k - i] = (char)tolower((unsigned char)s[k]);
    low[e - i] = '\0';
    for (int k = 0; cb_eggdrop[k]; k++)
        if (strcmp(low, cb_eggdrop[k]) == 0)
            return true;
    return false;
}

static int cb_room_one(const char *botnick, const unsigned char *raw, size_t rawlen)
{
    char s[CB_MAX];
    size_t n = cb_clean(raw, rawlen, s);
    return cb_hubot(botnick, s, n) + cb_limnoria_first(botnick, s, n) +
           cb_limnoria_end(botnick, s, n) + cb_sopel(botnick, s, n) + cb_errbot(botnick, s, n) +
           cb_eggdrop_first(s, n);
}

int cmdbot_count_room(const char *botnick, const char *line, size_t len)
{
    const unsigned char *p = (const unsigned char *)line;
    int count = cmdbot_count(botnick, line, len);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || p[i] == '\r' || p[i] == '\n') {
            if (i > start)
                count += cb_room_one(botnick, p + start, i - start);
            start = i + 1;
        }
    }
    return count;
}
