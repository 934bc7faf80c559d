/* guard.c - the command guard on persona lines; configured on main, then read-only from any thread.
 *
 * A line is first normalised to one byte per code point (ASCII stays,
 * fullwidth ASCII folds to ASCII, every other allowed code point becomes
 * GUARD_OTHER, which counts as a letter), refusing on the way everything
 * that has no business in a chat line (controls, invisibles, bad UTF-8).
 * The rules then run on that byte string, so no rule has to think about
 * encodings, and a lookalike cannot slip past a rule that checks ASCII.
 */
#include "guard.h"
#include "nick.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "purg.h"
#include "util.h"

#define GUARD_OTHER 0x80      /* placeholder for any other code point */
#define GUARD_DEFAULT_LEN 400

/* Leading sigils: ASCII punctuation except opening quotes/brackets, closing
 * brackets and '_'. Word sigils: the classic command prefixes. */
static const char guard_lead_default[] = "!#$%&*+,-./:;=>?@\\^`|~";
static const char guard_word_default[] = "!?./@~$>";

/* Words that make "nick: word" a command. Strict on purpose: ordinary
 * lines that happen to match are simply not said. */
static const char *const guard_words_default[] = {
    "deploy", "restart", "help", "kick", "ban", "unban", "op", "deop", "voice",
    "devoice", "karma", "quote", "say", "do", "run", "exec", "eval", "rm",
    "shutdown", "reload", "reboot", "quit", "die", "join", "part", "invite",
    "topic", "mode", "nick", "msg", "tell", "echo", "sh", "bash", "sudo", "kill",
    "stop", "start", "update", "upgrade", "rollback", "release", "merge",
    "build", "status", "ping", "rank", "top", "give", "set", "unset", "add",
    "del", "delete", "remove", "forget", "learn", "remember", "seen", "ignore",
    "unignore", "mute", "unmute", "approve", "reset", "config", "act", "me",
    "action", "load", "unload", "raw", "cmd", "admin",
};

static const char R_OK[] = "ok";
static const char R_ARGS[] = "invalid arguments";
static const char R_LONG[] = "line too long";
static const char R_BUF[] = "output buffer too small";
static const char R_EMPTY[] = "empty line";
static const char R_UTF8[] = "invalid UTF-8";
static const char R_CTCP[] = "CTCP";
static const char R_EOL[] = "line break";
static const char R_CTRL[] = "control character";
static const char R_INVIS[] = "invisible or unusual space character";
static const char R_LEAD[] = "leading command sigil";
static const char R_WORD[] = "sigil-prefixed word";
static const char R_SED[] = "sed-style substitution";
static const char R_KARMA[] = "karma";
static const char R_ADDR[] = "addressed command";
static const char R_BOT[] = "mentions a bot";
static const char R_FIRST[] = "first word is a command";
static const char R_PRESENT[] = "addresses someone present";
static const char R_PRESENT_END[] = "names someone present at the end";
static const char R_ROOM_BOT[] = "names a bot present";
static const char R_REWRITE[] = "rewritten (karma or sigil removed)";

/* Nicks that are bots by name alone (guard_is_bot_name), compared after
 * rfc1459 case folding and suffix stripping. Deliberately broad: a human
 * called "travis", or "talbot" (any nick ending in "bot" counts, see
 * bot_name), is taken for a bot, and personas simply never address or name
 * them. Missing a real bot costs commands; taking a human for one costs a
 * line. */
static const char *const guard_bot_names[] = {
    "irccat", "hubot", "limnoria", "supybot", "sopel", "willie", "phenny", "jenni",
    "errbot", "eggdrop", "lambdabot", "gitbot", "github", "gitlab", "jenkins", "travis",
    "zuul", "buildbot", "chanserv", "nickserv", "memoserv", "operserv", "hostserv",
    "botserv", "global",
};

typedef char guard_word_t[GUARD_WORD_MAX];

typedef struct guard_list {
    guard_word_t *v;
    size_t n, cap;
    bool irc;             /* nicks: kept and compared under the IRC case mapping */
} guard_list_t;

struct guard {
    bool lead[128];       /* sigils refused at the start of the line */
    bool word[128];       /* sigils refused at the start of any word */
    guard_list_t words;   /* command words, lower case */
    guard_list_t nicks;   /* known bots, IRC lower case (nick.h) */
    bool rewrite;
    size_t max_len;
};

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 2812 nick characters (letters, digits, special) */
static bool is_nick_char(unsigned char c)
{
    return is_alnum(c) || c == '_' || c == '-' || c == '[' || c == ']' ||
           c == '\\' || c == '`' || c == '^' || c == '{' || c == '}' || c == '|';
}

static bool is_opener(unsigned char c)
{
    return c == '"' || c == '\'' || c == '(' || c == '[' || c == '{' || c == '<';
}

/* An opening quote or bracket is skipped before a sigil, unless it was
 * made a sigil itself. */
static bool skip_opener(const bool *sigils, unsigned char c)
{
    return is_opener(c) && !sigils[c];
}

static bool is_punct(unsigned char c)
{
    return c > 0x20 && c < 0x7F && !is_alnum(c);
}

/* c in the list's lower case: ASCII, or the IRC case mapping for nicks. */
static unsigned char list_fold(const guard_list_t *l, unsigned char c)
{
    return l->irc ? (unsigned char)nick_fold_char((char)c) : lower(c);
}

static bool list_has(const guard_list_t *l, const unsigned char *w, size_t n)
{
    if (n == 0 || n >= GUARD_WORD_MAX)
        return false;
    for (size_t i = 0; i < l->n; i++) {
        const char *e = l->v[i];
        size_t k = 0;
        while (k < n && e[k] && (unsigned char)e[k] == list_fold(l, w[k]))
            k++;
        if (k == n && e[k] == '\0')
            return true;
    }
    return false;
}

/* Adds w (validated by 'ok_char', 1..GUARD_WORD_MAX-1 bytes) in lower case. */
static int list_add(guard_list_t *l, const char *w, size_t n, bool (*ok_char)(unsigned char))
{
    if (n == 0 || n >= GUARD_WORD_MAX)
        return PURG_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!ok_char((unsigned char)w[i]))
            return PURG_EINVAL;
    if (list_has(l, (const unsigned char *)w, n))
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        guard_word_t *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return PURG_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        l->v[l->n][i] = (char)list_fold(l, (unsigned char)w[i]);
    l->v[l->n][n] = '\0';
    l->n++;
    return 0;
}

static bool is_word_char(unsigned char c)
{
    return is_alnum(c) || c == '_' || c == '-';
}

int guard_create(guard_t **out)
{
    if (!out)
        return PURG_EINVAL;
    *out = NULL;
    guard_t *g = calloc(1, sizeof *g);
    if (!g)
        return PURG_ENOMEM;
    g->max_len = GUARD_DEFAULT_LEN;
    g->nicks.irc = true;
    for (const char *p = guard_lead_default; *p; p++)
        g->lead[(unsigned char)*p] = true;
    for (const char *p = guard_word_default; *p; p++)
        g->word[(unsigned char)*p] = true;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof guard_words_default / sizeof guard_words_default[0]; i++)
        rc = guard_add_command_word(g, guard_words_default[i]);
    if (rc != 0)
        goto fail;
    *out = g;
    return 0;
fail:
    guard_free(g);
    return rc;
}

void guard_free(guard_t *g)
{
    if (!g)
        return;
    free(g->words.v);
    free(g->nicks.v);
    free(g);
}

int guard_add_sigils(guard_t *g, const char *chars)
{
    if (!g || !chars)
        return PURG_EINVAL;
    for (const char *p = chars; *p; p++)
        if (!is_punct((unsigned char)*p))
            return PURG_EINVAL;
    for (const char *p = chars; *p; p++) {
        g->lead[(unsigned char)*p] = true;
        g->word[(unsigned char)*p] = true;
    }
    return 0;
}

int guard_add_command_word(guard_t *g, const char *w)
{
    if (!g || !w)
        return PURG_EINVAL;
    return list_add(&g->words, w, strlen(w), is_word_char);
}

int guard_add_nick(guard_t *g, const char *nick)
{
    if (!g || !nick)
        return PURG_EINVAL;
    return list_add(&g->nicks, nick, strlen(nick), is_nick_char);
}

void guard_set_rewrite(guard_t *g, bool on)
{
    if (g)
        g->rewrite = on;
}

int guard_set_max_len(guard_t *g, size_t n)
{
    if (!g || n == 0 || n > GUARD_MAX_LINE)
        return PURG_EINVAL;
    g->max_len = n;
    return 0;
}

/* Adds each word of a space- or comma-separated list. */
static int set_list(guard_t *g, const char *v, int (*add)(guard_t *, const char *))
{
    while (*v) {
        while (*v == ' ' || *v == ',' || *v == '\t')
            v++;
        size_t n = strcspn(v, " ,\t");
        if (n == 0)
            break;
        char w[GUARD_WORD_MAX];
        if (n >= sizeof w)
            return PURG_EINVAL;
        memcpy(w, v, n);
        w[n] = '\0';
        int rc = add(g, w);
        if (rc != 0)
            return rc;
        v += n;
    }
    return 0;
}

int guard_set(guard_t *g, const char *key, const char *value)
{
    if (!g || !key || !value)
        return PURG_EINVAL;
    if (strcmp(key, "sigils") == 0)
        return guard_add_sigils(g, value);
    if (strcmp(key, "command_words") == 0)
        return set_list(g, value, guard_add_command_word);
    if (strcmp(key, "nicks") == 0)
        return set_list(g, value, guard_add_nick);
    if (strcmp(key, "rewrite") == 0) {
        if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))
            g->rewrite = true;
        else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
            g->rewrite = false;
        else
            return PURG_EINVAL;
        return 0;
    }
    if (strcmp(key, "max_len") == 0) {
        char *end;
        unsigned long n = strtoul(value, &end, 10);
        if (end == value || *end != '\0' || value[0] == '-')
            return PURG_EINVAL;
        return guard_set_max_len(g, (size_t)n);
    }
    return PURG_ENOTFOUND;
}

/* ---- normalisation ---------------------------------------------------------- */

/* Characters that hide or disguise what a bot would parse. */
static bool is_invisible(uint32_t c)
{
    return c == 0xA0 || c == 0xAD || c == 0x034F || c == 0x061C || c == 0x115F ||
           c == 0x1160 || c == 0x1680 || c == 0x17B4 || c == 0x17B5 || c == 0x180E ||
           (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
           (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0x3164 ||
           (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 ||
           (c >= 0xFFF0 && c <= 0xFFFB) || (c >= 0x1D173 && c <= 0x1D17A) ||
           (c >= 0xE0000 && c <= 0xE0FFF);
}

/* Line -> norm[0..*ncp), one byte per code point; off[i] is the byte offset
 * of code point i in line (off[*ncp] = len). Returns a reason or NULL. */
static const char *normalise(const unsigned char *line, size_t len, unsigned char *norm,
                             uint16_t *off, size_t *ncp)
{
    size_t i = 0, k = 0;
    while (i < len) {
        size_t n = util_utf8_seq(line + i, len - i);
        if (n == 0)
            return R_UTF8;
        uint32_t c = util_utf8_decode(line + i, n);
        if (c == 0x01)
            return R_CTCP;
        if (c == '\r' || c == '\n')
            return R_EOL;
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            return R_CTRL;
        if (is_invisible(c))
            return R_INVIS;
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0; /* fullwidth '！' reads as '!' */
        norm[k] = c < 0x80 ? (unsigned char)c : GUARD_OTHER;
        off[k++] = (uint16_t)i;
        i += n;
    }
    off[k] = (uint16_t)i;
    *ncp = k;
    return NULL;
}

/* ---- rules --------------------------------------------------------------------- */

static const char *rule_lead(const guard_t *g, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    if (i == n)
        return R_EMPTY;
    while (i < n && (s[i] == ' ' || skip_opener(g->lead, s[i])))
        i++;
    return (i < n && s[i] < 0x80 && g->lead[s[i]]) ? R_LEAD : NULL;
}

/* Sigil-prefixed words and sed-style substitutions, anywhere. */
static const char *rule_words(const guard_t *g, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        size_t e = i;
        while (e < n && s[e] != ' ')
            e++;
        size_t w = i;
        while (w < e && skip_opener(g->word, s[w]))
            w++;
        if (w < e && s[w] < 0x80 && g->word[s[w]]) {
            for (size_t k = w + 1; k < e; k++)
                if (is_alnum(s[k]) || s[k] == GUARD_OTHER)
                    return R_WORD;
        }
        if (e - w >= 3 && (s[w] == 's' || s[w] == 'S') && s[w + 1] == '/' &&
            memchr(s + w + 2, '/', e - w - 2))
            return R_SED;
        i = e;
    }
    return NULL;
}

/* "++" anywhere; "--" unless a lone dash between two words. */
static const char *rule_karma(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '+' && s[i + 1] == '+')
            return R_KARMA;
        if (s[i] == '-' && s[i + 1] == '-') {
            bool lone = i >= 2 && s[i - 1] == ' ' && s[i - 2] != ' ' &&
                        i + 3 < n && s[i + 2] == ' ' && s[i + 3] != ' ';
            if (!lone)
                return R_KARMA;
        }
    }
    return NULL;
}

/* Is the word at s[i..n) a command word? Both "help" in "help2" and the
 * whole "deploy-prod" are looked up. */
static bool command_at(const guard_t *g, const unsigned char *s, size_t n, size_t i)
{
    size_t w = i, a = i;
    while (a < n && ((s[a] >= 'a' && s[a] <= 'z') || (s[a] >= 'A' && s[a] <= 'Z')))
        a++;
    while (i < n && is_word_char(s[i]))
        i++;
    return list_has(&g->words, s + w, a - w) || list_has(&g->words, s + w, i - w);
}

/* "nick: word", "nick, word", "nick> word" with a command word or a sigil. */
static const char *rule_addressed(const guard_t *g, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    size_t nick = i;
    while (i < n && is_nick_char(s[i]))
        i++;
    if (i == nick)
        return NULL;
    while (i < n && s[i] == ' ')
        i++;
    if (i == n || (s[i] != ':' && s[i] != ',' && s[i] != '>'))
        return NULL;
    i++;
    while (i < n && s[i] == ' ')
        i++;
    if (i == n)
        return NULL;
    if (s[i] < 0x80 && g->lead[s[i]])
        return R_ADDR;
    return command_at(g, s, n, i) ? R_ADDR : NULL;
}

/* Eggdrop binds commands to the first word of a line, with or without a
 * prefix ("seen bob"), and Sopel reads a /me action the same way. */
static const char *rule_first(const guard_t *g, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || is_opener(s[i])))
        i++;
    return command_at(g, s, n, i) ? R_FIRST : NULL;
}

/* Brackets and the like around a nick ("[bot]", "{bot}", "bot|"): special
 * nick characters that a run may carry on either side of the nick proper. */
static bool is_nick_wrap(unsigned char c)
{
    return c == '[' || c == ']' || c == '{' || c == '}' || c == '\\' || c == '|' ||
           c == '`' || c == '^';
}

/* The run s[*b..*e) without the wrapping characters; false when that
 * leaves it unchanged or empty. */
static bool nick_core(const unsigned char *s, size_t *b, size_t *e)
{
    size_t b0 = *b, e0 = *e;
    while (*b < *e && is_nick_wrap(s[*b]))
        (*b)++;
    while (*e > *b && is_nick_wrap(s[*e - 1]))
        (*e)--;
    return *b < *e && (*b != b0 || *e != e0);
}

/* Does test() hold for any run of nick characters in s, or for such a run
 * without its wrapping ("[cmdbot]")? */
static bool any_nick_run(const unsigned char *s, size_t n,
                         bool (*test)(const void *ctx, const unsigned char *w, size_t len),
                         const void *ctx)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && !is_nick_char(s[i]))
            i++;
        size_t w = i;
        while (i < n && is_nick_char(s[i]))
            i++;
        if (test(ctx, s + w, i - w))
            return true;
        size_t b = w, e = i;
        if (nick_core(s, &b, &e) && test(ctx, s + b, e - b))
            return true;
    }
    return false;
}

static bool configured_bot(const void *ctx, const unsigned char *w, size_t len)
{
    const guard_t *g = ctx;
    return list_has(&g->nicks, w, len);
}

/* A registered bot nick, anywhere. */
static const char *rule_bots(const guard_t *g, const unsigned char *s, size_t n)
{
    return g->nicks.n > 0 && any_nick_run(s, n, configured_bot, g) ? R_BOT : NULL;
}

/* ---- bots by name ----------------------------------------------------------- */

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static bool has_infix(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, w, k) == 0)
            return true;
    return false;
}

/* guard_is_bot_name on nick[0..n). */
static bool bot_name(const guard_t *g, const unsigned char *nick, size_t n)
{
    char f[GUARD_MAX_LINE + 1];
    if (n == 0 || n > GUARD_MAX_LINE)
        return false;
    if (list_has(&g->nicks, nick, n))
        return true;
    for (size_t i = 0; i < n; i++)
        f[i] = nick_fold_char((char)nick[i]); /* rfc1459 (nick.h) */
    if (has_infix(f, n, "{bot}") || (n > 4 && (!memcmp(f, "bot-", 4) || !memcmp(f, "bot_", 4))))
        return true;
    /* the nick proper: "hubot|afk", "hubot_", "hubot2", "hubot`" are hubot */
    size_t b = n;
    const char *bar = memchr(f, '|', n);
    if (bar && bar > f)
        b = (size_t)(bar - f);
    while (b > 0 && ((f[b - 1] >= '0' && f[b - 1] <= '9') || f[b - 1] == '_' ||
                     f[b - 1] == '-' || f[b - 1] == '`' || f[b - 1] == '^'))
        b--;
    if (b == 0)
        return false;
    if (list_has(&g->nicks, nick, b) || has_suffix(f, b, "bot") || has_suffix(f, b, "serv"))
        return true;
    for (size_t i = 0; i < sizeof guard_bot_names / sizeof guard_bot_names[0]; i++)
        if (strlen(guard_bot_names[i]) == b && memcmp(f, guard_bot_names[i], b) == 0)
            return true;
    return false;
}

bool guard_is_bot_name(const guard_t *g, const char *nick)
{
    if (!g || !nick)
        return false;
    return bot_name(g, (const unsigned char *)nick, strlen(nick));
}

/* ---- room rules --------------------------------------------------------------- */

/* The room's flags for s[0..n), GUARD_BOT added for a present nick that is
 * a bot by name alone. */
static unsigned room_flags(const guard_t *g, const guard_room_t *room,
                           const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned f = room->lookup(room->ctx, (const char *)s, n);
    if (f != 0 && !(f & GUARD_BOT) && bot_name(g, s, n))
        f |= GUARD_BOT;
    return f;
}

/* The line starts with a present nick, after spaces, '@' and openers. Every
 * start in that lead-in is tried ('[' and '{' are nick characters too), and
 * every prefix of the run: Hubot ("^\s*@?name[:,]?\s*pattern") and Errbot's
 * alternate prefixes match the name with no word boundary after it, so
 * "hubots" is "hubot" followed by "s". */
static const char *rule_present_start(const guard_t *g, const guard_room_t *room,
                                      const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (is_nick_char(s[i])) {
            size_t e = i;
            while (e < n && is_nick_char(s[e]))
                e++;
            for (size_t k = e; k > i; k--)
                if (room_flags(g, room, s + i, k - i))
                    return R_PRESENT;
        }
        if (s[i] != ' ' && s[i] != '@' && !is_opener(s[i]))
            break;
    }
    return NULL;
}

/* The line ends with a present nick that follows a separator (Limnoria's
 * nick.atEnd: "deploy prod, bot", "deploy prod; bot", "deploy prod bot").
 * "well done, alice." ends with a full stop, not a nick, and passes. */
static const char *rule_present_end(const guard_t *g, const guard_room_t *room,
                                    const unsigned char *s, size_t n)
{
    size_t e = n;
    while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    size_t b = e;
    while (b > 0 && is_nick_char(s[b - 1]))
        b--;
    if (b == e || !room_flags(g, room, s + b, e - b))
        return NULL;
    if (b == 0)
        return R_PRESENT_END;
    for (size_t k = b; k > 0 && !is_nick_char(s[k - 1]); k--)
        if (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == ',' || s[k - 1] == ';' ||
            s[k - 1] == ':')
            return R_PRESENT_END;
    return NULL;
}

typedef struct room_ctx {
    const guard_t *g;
    const guard_room_t *room;
} room_ctx_t;

static bool present_bot(const void *ctx, const unsigned char *w, size_t len)
{
    const room_ctx_t *r = ctx;
    return (room_flags(r->g, r->room, w, len) & GUARD_BOT) != 0;
}

/* A present bot named anywhere. */
static const char *rule_room_bots(const guard_t *g, const guard_room_t *room,
                                  const unsigned char *s, size_t n)
{
    room_ctx_t r = { g, room };
    return any_nick_run(s, n, present_bot, &r) ? R_ROOM_BOT : NULL;
}

static const char *scan(const guard_t *g, const guard_room_t *room, const unsigned char *s,
                        size_t n)
{
    const char *r;
    if ((r = rule_lead(g, s, n)) || (r = rule_karma(s, n)) || (r = rule_words(g, s, n)) ||
        (r = rule_addressed(g, s, n)) || (r = rule_bots(g, s, n)) || (r = rule_first(g, s, n)))
        return r;
    if (room && ((r = rule_present_start(g, room, s, n)) || (r = rule_present_end(g, room, s, n)) ||
                 (r = rule_room_bots(g, room, s, n))))
        return r;
    return NULL;
}

/* Line (len bytes) -> reason to refuse, or NULL. */
static const char *check_line(const guard_t *g, const guard_room_t *room, const char *line,
                              size_t len)
{
    unsigned char norm[GUARD_MAX_LINE + 1];
    uint16_t off[GUARD_MAX_LINE + 2];
    size_t n;
    const char *r = normalise((const unsigned char *)line, len, norm, off, &n);
    return r ? r : scan(g, room, norm, n);
}

/* Rewrite: drop runs of 2+ '+' or '-' and the sigils that start words;
 * collapse the spaces left behind. Writes at most len bytes + NUL to out. */
static void rewrite(const guard_t *g, const char *line, size_t len, char *out)
{
    unsigned char norm[GUARD_MAX_LINE + 1];
    uint16_t off[GUARD_MAX_LINE + 2];
    bool drop[GUARD_MAX_LINE + 1];
    size_t n, o = 0;
    out[0] = '\0';
    if (normalise((const unsigned char *)line, len, norm, off, &n))
        return;
    memset(drop, 0, n);
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && norm[e] == norm[i])
            e++;
        if ((norm[i] == '+' || norm[i] == '-') && e - i >= 2)
            memset(drop + i, 1, e - i);
        i = e;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && norm[i - 1] != ' ')
            continue;
        size_t k = i;
        while (k < n && skip_opener(g->word, norm[k]) && skip_opener(g->lead, norm[k]))
            k++;
        while (k < n && norm[k] < 0x80 && (g->lead[norm[k]] || g->word[norm[k]]))
            drop[k++] = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (drop[i])
            continue;
        if (norm[i] == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        size_t b = off[i + 1] - off[i];
        memcpy(out + o, line + off[i], b);
        o += b;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

static bool rewritable(const char *r)
{
    return r == R_KARMA || r == R_LEAD || r == R_WORD;
}

int guard_check(const guard_t *g, const char *line, char *out, size_t outlen,
                const char **reason)
{
    return guard_check_room(g, NULL, line, out, outlen, reason);
}

int guard_check_room(const guard_t *g, const guard_room_t *room, const char *line,
                     char *out, size_t outlen, const char **reason)
{
    const char *dummy;
    if (!reason)
        reason = &dummy;
    *reason = R_ARGS;
    if (!g || !line || !out || outlen == 0 || (room && !room->lookup))
        return PURG_EINVAL;
    out[0] = '\0';
    size_t len = strnlen(line, g->max_len + 1);
    if (len > g->max_len) {
        *reason = R_LONG;
        return PURG_EDENIED;
    }
    if (len >= outlen) {
        *reason = R_BUF;
        return PURG_ETOOBIG;
    }
    const char *r = check_line(g, room, line, len);
    if (!r) {
        memcpy(out, line, len + 1);
        *reason = R_OK;
        return 0;
    }
    if (g->rewrite && rewritable(r)) {
        rewrite(g, line, len, out);
        const char *r2 = check_line(g, room, out, strlen(out));
        if (!r2) {
            *reason = R_REWRITE;
            return 0;
        }
        out[0] = '\0';
        r = r2;
    }
    *reason = r;
    return PURG_EDENIED;
}
