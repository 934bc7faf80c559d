/* textclean.c - IRC message text -> speakable plain text for espeak-ng; pure, any thread (used on the net thread).
 *
 * The clean-up runs as one streaming pass, so it needs no heap and stops
 * reading as soon as the output is full:
 *
 *   bytes --decode--> code points --tokenize on spaces--> tokens
 *         --(URL | emoticon | emoji | flood collapse)--> words
 *         --builder (word-repeat collapse, length cap)--> out
 *
 * decode: mIRC formatting codes vanish (with their colour arguments), other
 *   control characters and Unicode spaces become a space, invisible format
 *   characters (zero-width, bidi controls, variation selectors, skin-tone
 *   modifiers, tags) vanish, and bytes that are not valid UTF-8 are dropped.
 * tokens: at most TC_TOKEN_MAX code points each; the rest of a longer token
 *   is dropped (no cap allows a word that long to be spoken usefully).
 * words: see the rules above each helper. The output is valid UTF-8 by
 *   construction: only whole, validated code points are ever encoded, and
 *   cuts happen at code point boundaries.
 */
#include "textclean.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "purg.h"
#include "util.h"

#define TC_TOKEN_MAX 512   /* code points kept per whitespace-separated token */
#define TC_REPEAT_MAX 3    /* longest run kept: characters, words */
#define TC_EMOJI_MAX 3     /* emoji (and emoticons) said per line */
#define TC_DIGIT_RUN_MAX 9 /* longest run of one digit kept whole ("1000000000") */
#define TC_ELLIPSIS " ..."
#define TC_ELLIPSIS_LEN 4
#define TC_ELLIPSIS_MIN 12 /* smallest cap that still gets " ..." */

/* ---- decoding -------------------------------------------------------------- */

typedef struct tc_dec {
    const unsigned char *p;
    size_t n, i;
} tc_dec_t;

static bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }

static bool is_hex(unsigned c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Skip up to 'max' bytes accepted by 'pred' at d->i. */
static size_t skip_run(tc_dec_t *d, bool (*pred)(unsigned), size_t max)
{
    size_t k = 0;
    while (k < max && d->i < d->n && pred(d->p[d->i])) {
        d->i++;
        k++;
    }
    return k;
}

/* \x03[fg[,bg]]: up to two digits each; a comma not followed by a digit is text. */
static void skip_colour(tc_dec_t *d)
{
    if (skip_run(d, is_digit, 2) == 0)
        return;
    if (d->i + 1 < d->n && d->p[d->i] == ',' && is_digit(d->p[d->i + 1])) {
        d->i++;
        skip_run(d, is_digit, 2);
    }
}

/* Six hex digits exactly, else nothing is consumed. */
static bool skip_hex6(tc_dec_t *d)
{
    if (d->n - d->i < 6)
        return false;
    for (size_t k = 0; k < 6; k++)
        if (!is_hex(d->p[d->i + k]))
            return false;
    d->i += 6;
    return true;
}

/* \x04[RRGGBB[,RRGGBB]] */
static void skip_hexcolour(tc_dec_t *d)
{
    if (!skip_hex6(d))
        return;
    if (d->i < d->n && d->p[d->i] == ',') {
        d->i++;
        if (!skip_hex6(d))
            d->i--; /* the comma was text after all */
    }
}

/* Characters espeak-ng should never see and that carry no sound: removed. */
static bool is_invisible(uint32_t c)
{
    return c == 0xAD ||                      /* soft hyphen */
           (c >= 0x200B && c <= 0x200F) ||   /* zero-width, ZWJ, LRM/RLM */
           (c >= 0x202A && c <= 0x202E) ||   /* bidi embedding controls */
           (c >= 0x2060 && c <= 0x206F) ||   /* word joiner, bidi isolates */
           c == 0x20E3 ||                    /* combining keycap */
           (c >= 0xFE00 && c <= 0xFE0F) ||   /* variation selectors */
           c == 0xFEFF ||                    /* BOM / zero-width no-break */
           (c >= 0xFFF0 && c <= 0xFFFF) ||   /* specials, incl. U+FFFD */
           (c >= 0x1F3FB && c <= 0x1F3FF) || /* emoji skin-tone modifiers */
           (c >= 0xE0000 && c <= 0xE0FFF);   /* tags, variation selectors supplement */
}

static bool is_unicode_space(uint32_t c)
{
    return (c >= 0x80 && c <= 0xA0) || /* C1 controls and no-break space */
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Next code point, ' ' for anything space-like; returns false at the end. */
static bool dec_next(tc_dec_t *d, uint32_t *cp)
{
    while (d->i < d->n) {
        unsigned char b = d->p[d->i];
        if (b < 0x80) {
            d->i++;
            switch (b) {
            case 0x02: case 0x0F: case 0x11: case 0x16:
            case 0x1D: case 0x1E: case 0x1F:
                continue;
            case 0x03: skip_colour(d); continue;
            case 0x04: skip_hexcolour(d); continue;
            default: break;
            }
            *cp = (b < 0x20 || b == 0x7F) ? ' ' : b;
            return true;
        }
        size_t len = util_utf8_seq(d->p + d->i, d->n - d->i);
        if (len == 0) { /* not UTF-8: drop the byte, resynchronise */
            d->i++;
            continue;
        }
        uint32_t c = util_utf8_decode(d->p + d->i, len);
        d->i += len;
        if (is_invisible(c))
            continue;
        *cp = is_unicode_space(c) ? ' ' : c;
        return true;
    }
    return false;
}

/* ---- output builder ------------------------------------------------------------ */

/* Appends words separated by single spaces into out[0..cap). Once a word
 * does not fit, 'full' is set: the prefix that fits is kept (for a mid-word
 * cut) and everything after is ignored. */
typedef struct tc_out {
    char *buf;
    size_t cap, len;
    bool full, partial;
    size_t prev_off, prev_len; /* the last whole word, for repeat collapse */
    int run;
} tc_out_t;

static bool same_word(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* Largest k <= n such that s[0..k) ends on a UTF-8 code point boundary. */
static size_t utf8_floor(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Word-repeat rule: a word equal (ASCII case-insensitively) to the previous
 * one is dropped once it has been said TC_REPEAT_MAX times in a row. */
static void out_word(tc_out_t *o, const char *w, size_t n)
{
    if (o->full || n == 0)
        return;
    if (o->prev_len == n && o->len > 0 && same_word(o->buf + o->prev_off, w, n)) {
        if (++o->run > TC_REPEAT_MAX)
            return;
    } else {
        o->run = 1;
    }
    size_t sep = o->len > 0 ? 1 : 0;
    if (o->len + sep + n <= o->cap) {
        if (sep)
            o->buf[o->len++] = ' ';
        memcpy(o->buf + o->len, w, n);
        o->prev_off = o->len;
        o->prev_len = n;
        o->len += n;
        return;
    }
    o->full = true;
    if (o->len + sep < o->cap) {
        size_t room = o->cap - o->len - sep;
        /* w is valid UTF-8, and w[room] exists because room < n. */
        size_t k = utf8_floor(w, room);
        if (k > 0) {
            if (sep)
                o->buf[o->len++] = ' ';
            memcpy(o->buf + o->len, w, k);
            o->len += k;
            o->partial = true;
        }
    }
}

/* A phrase of ours (phrases.h), one word at a time, so that each counts
 * for the repeat rule and the cap as the words of the line do. */
static void out_phrase(tc_out_t *o, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, " ");
        out_word(o, s, n);
        s += n;
        while (*s == ' ')
            s++;
    }
}

/* Length cap: when something was left out, the text is cut at the last
 * space in its second half that leaves room for " ...", else mid-word at a
 * code point boundary, and " ..." is appended. Caps below TC_ELLIPSIS_MIN
 * get no ellipsis (it would crowd out the words). */
static size_t out_finish(tc_out_t *o)
{
    if (!o->full)
        return o->len;
    bool ell = o->cap >= TC_ELLIPSIS_MIN;
    size_t limit = ell ? o->cap - TC_ELLIPSIS_LEN : o->cap;
    size_t cut = o->len;
    if (o->partial || cut > limit) {
        if (cut > limit)
            cut = limit;
        /* last space at or before the cut; one at 'cut' itself means the
         * word before it is whole. buf[0] is never a space. */
        size_t sp = cut;
        while (sp > 0 && (sp >= o->len || o->buf[sp] != ' '))
            sp--;
        if (sp > 0 && sp >= limit / 2)
            cut = sp;
        else if (cut < o->len)
            cut = utf8_floor(o->buf, cut);
    }
    while (cut > 0 && o->buf[cut - 1] == ' ')
        cut--;
    o->len = cut;
    if (ell && cut > 0) {
        memcpy(o->buf + cut, TC_ELLIPSIS, TC_ELLIPSIS_LEN);
        o->len += TC_ELLIPSIS_LEN;
    }
    return o->len;
}

/* ---- words ------------------------------------------------------------------------ */

static size_t utf8_encode(uint32_t c, char *s)
{
    if (c < 0x80) { s[0] = (char)c; return 1; }
    if (c < 0x800) {
        s[0] = (char)(0xC0 | (c >> 6));
        s[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        s[0] = (char)(0xE0 | (c >> 12));
        s[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        s[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    s[0] = (char)(0xF0 | (c >> 18));
    s[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    s[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    s[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Pictographic code points: passed to espeak-ng one by one as words of
 * their own, to be named in the voice's language (espeak-ng names them from
 * CLDR; the few it cannot are named later from CLDR too, see emoji.h). */
static bool is_pictograph(uint32_t c)
{
    return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
           c == 0x231A || c == 0x231B || c == 0x2328 || c == 0x23CF ||
           (c >= 0x23E9 && c <= 0x23FA) || c == 0x2934 || c == 0x2935 ||
           (c >= 0x2B05 && c <= 0x2B07) || c == 0x2B1B || c == 0x2B1C ||
           c == 0x2B50 || c == 0x2B55 || c == 0x3030 || c == 0x303D ||
           c == 0x3297 || c == 0x3299;
}

/* Text emoticons, matched against a whole segment; the last character may
 * repeat (":)))" is a smiley too). Each becomes the emoji it stands for, so
 * that it is named in the line's language like any emoji. */
static const struct { const char *face; uint32_t cp; } tc_faces[] = {
    {":)", 0x1F642},  {":-)", 0x1F642}, {"(:", 0x1F642},  {"=)", 0x1F642},
    {":]", 0x1F642},  {"^^", 0x1F60A},  {"^_^", 0x1F60A},
    {":(", 0x1F641},  {":-(", 0x1F641}, {"):", 0x1F641},  {":'(", 0x1F622},
    {":D", 0x1F600},  {":-D", 0x1F600}, {"xD", 0x1F606},  {"XD", 0x1F606},
    {";)", 0x1F609},  {";-)", 0x1F609}, {":P", 0x1F61B},  {":p", 0x1F61B},
    {":-P", 0x1F61B}, {":O", 0x1F62E},  {":o", 0x1F62E},  {"<3", 0x2764},
    {"o/", 0x1F44B},  {"\\o", 0x1F44B}, {"\\o/", 0x1F64C},
};

static uint32_t face_emoji(const uint32_t *t, size_t n)
{
    for (size_t f = 0; f < sizeof tc_faces / sizeof tc_faces[0]; f++) {
        const char *s = tc_faces[f].face;
        size_t fl = strlen(s), k;
        if (n < fl)
            continue;
        for (k = 0; k < fl && t[k] == (unsigned char)s[k]; k++)
            ;
        if (k < fl)
            continue;
        for (; k < n && t[k] == (unsigned char)s[fl - 1]; k++)
            ;
        if (k == n)
            return tc_faces[f].cp;
    }
    return 0;
}

typedef struct tc_state {
    tc_out_t out;
    phrase_words_t words;   /* the words the URL rule adds (phrases.h) */
    uint32_t last_emoji;    /* a run of the same emoji is said once (0: none) */
    int emoji;              /* emoji said so far: at most TC_EMOJI_MAX a line */
} tc_state_t;

static size_t utf8_encode(uint32_t c, char *s);

/* An emoji (or an emoticon's): said as itself, once per run, and only the
 * first TC_EMOJI_MAX of a line (a wall of emoji is not worth a minute). */
static void emit_emoji(tc_state_t *st, uint32_t c)
{
    if (c == st->last_emoji || st->emoji >= TC_EMOJI_MAX)
        return;
    char w[4];
    out_word(&st->out, w, utf8_encode(c, w));
    st->last_emoji = c;
    st->emoji++;
}

/* Flood rule: a run of more than TC_REPEAT_MAX identical code points keeps
 * TC_REPEAT_MAX ("noooooo" -> "nooo", "!!!!!!" -> "!!!"). A run of one digit
 * is part of a number ("100000") up to TC_DIGIT_RUN_MAX long, a flood
 * beyond. */
static void emit_text(tc_state_t *st, const uint32_t *t, size_t n)
{
    char w[TC_TOKEN_MAX * 4];
    size_t len = 0, run = 0;
    uint32_t face = face_emoji(t, n);
    if (face) {
        emit_emoji(st, face);
        return;
    }
    for (size_t i = 0; i < n; i += run) {
        for (run = 1; i + run < n && t[i + run] == t[i]; run++)
            ;
        size_t keep = run;
        if (run > TC_REPEAT_MAX && !(is_digit(t[i]) && run <= TC_DIGIT_RUN_MAX))
            keep = TC_REPEAT_MAX;
        for (size_t k = 0; k < keep; k++)
            len += utf8_encode(t[i], w + len);
    }
    out_word(&st->out, w, len);
    st->last_emoji = 0;
}

static uint32_t ascii_lower(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static bool has_prefix(const uint32_t *t, size_t n, const char *p)
{
    size_t k = 0;
    for (; p[k]; k++)
        if (k >= n || ascii_lower(t[k]) != (unsigned char)p[k])
            return false;
    return true;
}

/* Length of the URL scheme at t (including "//"), "www." counts as a scheme
 * of length 0 that is also part of the host. Returns -1 when not a URL. */
static int url_scheme(const uint32_t *t, size_t n)
{
    static const char *schemes[] = {"http://", "https://", "ftp://"};
    for (size_t s = 0; s < 3; s++) {
        size_t l = strlen(schemes[s]);
        if (has_prefix(t, n, schemes[s]))
            return (int)l;
    }
    if (n > 4 && has_prefix(t, n, "www."))
        return 0;
    return -1;
}

static bool is_host_char(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           c == '-' || c == '.' || c == '_' || (c >= 0xA0 && !is_pictograph(c));
}

/* URL rule: "link to" + host, host labels joined by " dot ", "www." and
 * any user, port, path, query and fragment dropped; hosts in brackets
 * (IPv6) and empty hosts give just "link". The words are the line's
 * language's (phrases.h: "lien vers exemple point fr"). */
static void emit_url(tc_state_t *st, const uint32_t *t, size_t n, size_t skip)
{
    size_t end = skip;
    while (end < n && t[end] != '/' && t[end] != '?' && t[end] != '#')
        end++;
    size_t h = skip;
    for (size_t k = skip; k < end; k++)
        if (t[k] == '@')
            h = k + 1;
    if (n - h >= 4 && has_prefix(t + h, n - h, "www."))
        h += 4;
    size_t e = h;
    while (e < end && is_host_char(t[e]))
        e++;
    st->last_emoji = 0;
    if (e == h || t[h] == '[') {
        out_phrase(&st->out, st->words.w[PHRASE_LINK]);
        return;
    }
    out_phrase(&st->out, st->words.w[PHRASE_LINK_TO]);
    bool first = true;
    size_t k = h;
    while (k < e) {
        size_t l = k;
        while (l < e && t[l] != '.')
            l++;
        if (l > k) {
            char w[TC_TOKEN_MAX * 4];
            size_t len = 0;
            for (size_t i = k; i < l; i++)
                len += utf8_encode(ascii_lower(t[i]), w + len);
            if (!first)
                out_phrase(&st->out, st->words.w[PHRASE_DOT]);
            out_word(&st->out, w, len);
            first = false;
        }
        k = l + 1;
    }
}

static void emit_token(tc_state_t *st, const uint32_t *t, size_t n)
{
    size_t lead = 0;
    while (lead < n && (t[lead] == '(' || t[lead] == '<' || t[lead] == '[' ||
                        t[lead] == '"' || t[lead] == '\''))
        lead++;
    int sch = url_scheme(t + lead, n - lead);
    if (sch >= 0) {
        emit_url(st, t + lead, n - lead, (size_t)sch);
        return;
    }
    size_t i = 0;
    while (i < n) {
        if (is_pictograph(t[i])) {
            emit_emoji(st, t[i]);
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !is_pictograph(t[j]))
            j++;
        emit_text(st, t + i, j - i);
        i = j;
    }
}

int textclean_clean(const textclean_opts_t *o, const char *in, size_t inlen,
                    char *out, size_t outlen)
{
    if (!out || outlen == 0 || (!in && inlen > 0))
        return PURG_EINVAL;
    size_t cap = (o && o->max_chars) ? o->max_chars : TEXTCLEAN_CAP_DEFAULT;
    if (cap > outlen - 1)
        cap = outlen - 1;
    if (cap > INT_MAX)
        cap = INT_MAX;

    tc_state_t st = {.out = {.buf = out, .cap = cap}};
    phrases_words(o ? o->lang : NULL, &st.words);
    for (int i = 0; o && o->words && i < PHRASE_COUNT; i++)
        if (o->words->w[i] && o->words->w[i][0])
            st.words.w[i] = o->words->w[i];
    tc_dec_t d = {.p = (const unsigned char *)in, .n = in ? inlen : 0};
    uint32_t tok[TC_TOKEN_MAX];
    size_t tn = 0;
    uint32_t c;
    bool more;
    do {
        more = dec_next(&d, &c);
        if (more && c != ' ') {
            if (tn < TC_TOKEN_MAX)
                tok[tn++] = c;
            continue;
        }
        if (tn > 0)
            emit_token(&st, tok, tn);
        tn = 0;
    } while (more && !st.out.full);

    size_t len = out_finish(&st.out);
    out[len] = '\0';
    return (int)len;
}
