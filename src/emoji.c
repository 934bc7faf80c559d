/* emoji.c - CLDR names for the emoji espeak-ng says nothing for (see
 * emoji.h). Thread: the owner's. The annotation files are XML of one shape,
 *   <annotation cp="🥲" type="tts">smiling face with tear</annotation>
 * so a scan for that shape reads them; no XML library is needed, and a line
 * of another shape is simply not a name. */
#include "emoji.h"
#include "purg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX (16u << 20)

static const uint32_t silent[] = {
#include "emoji_silent.inc"
};
#define NSILENT (sizeof silent / sizeof silent[0])

typedef struct emoji_lang {
    char code[16];
    char *name[NSILENT];   /* NULL = none */
} emoji_lang_t;

struct emoji {
    size_t n;
    emoji_lang_t *l[EMOJI_LANGS_MAX];
};

int emoji_create(emoji_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : PURG_ENOMEM;
}

void emoji_free(emoji_t *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++) {
        for (size_t k = 0; k < NSILENT; k++)
            free(e->l[i]->name[k]);
        free(e->l[i]);
    }
    free(e);
}

/* The first n-byte needle in [hay, end), or NULL. */
static const char *find(const char *hay, const char *end, const char *needle, size_t n)
{
    while (hay < end && (size_t)(end - hay) >= n) {
        const char *p = memchr(hay, needle[0], (size_t)(end - hay) - n + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, n) == 0)
            return p;
        hay = p + 1;
    }
    return NULL;
}

static int silent_index(uint32_t cp)
{
    size_t lo = 0, hi = NSILENT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (silent[mid] == cp)
            return (int)mid;
        if (silent[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int emoji_is_silent(uint32_t cp) { return silent_index(cp) >= 0; }
size_t emoji_silent_count(void) { return NSILENT; }
uint32_t emoji_silent_at(size_t i) { return i < NSILENT ? silent[i] : 0; }

static emoji_lang_t *lang_slot(const emoji_t *e, const char *code)
{
    for (size_t i = 0; e && code && i < e->n; i++)
        if (strcmp(e->l[i]->code, code) == 0)
            return e->l[i];
    return NULL;
}

/* The text between s and end with XML's entities decoded, control
 * characters dropped, into out; 0 when it is not a usable name. */
static int decode_name(const char *s, const char *end, char *out, size_t outlen)
{
    size_t o = 0;
    while (s < end) {
        char c = *s;
        if (c == '<')
            return 0; /* markup inside: not a plain name */
        if (c == '&') {
            static const struct { const char *ent; char ch; } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
            };
            size_t k;
            for (k = 0; k < 5; k++) {
                size_t el = strlen(ents[k].ent);
                if ((size_t)(end - s) >= el && memcmp(s, ents[k].ent, el) == 0) {
                    c = ents[k].ch;
                    s += el - 1;
                    break;
                }
            }
            if (k == 5)
                return 0;
        }
        if ((unsigned char)c < 0x20 || c == 0x7f)
            c = ' ';
        if (o + 2 > outlen)
            return 0;
        out[o++] = c;
        s++;
    }
    out[o] = '\0';
    while (o && out[o - 1] == ' ')
        out[--o] = '\0';
    return o > 0 && util_utf8_valid(out, o);
}

int emoji_parse_string(emoji_t *e, const char *lang, const char *xml, size_t len)
{
    if (!e || !lang || strlen(lang) >= sizeof e->l[0]->code || (!xml && len))
        return PURG_EINVAL;
    emoji_lang_t *l = lang_slot(e, lang);
    if (!l) {
        if (e->n == EMOJI_LANGS_MAX)
            return PURG_ETOOBIG;
        if (!(l = calloc(1, sizeof *l)))
            return PURG_ENOMEM;
        util_strlcpy(l->code, lang, sizeof l->code);
        e->l[e->n++] = l;
    }
    static const char open[] = "<annotation cp=\"";
    static const char tts[] = "\" type=\"tts\">";
    static const char close[] = "</annotation>";
    const char *p = xml, *end = xml + len;
    int taken = 0;
    while (p < end) {
        const char *a = find(p, end, open, sizeof open - 1);
        if (!a)
            break;
        const char *cp = a + sizeof open - 1;
        p = cp;
        size_t k = util_utf8_seq((const unsigned char *)cp, (size_t)(end - cp));
        if (k == 0 || (size_t)(end - cp - (ptrdiff_t)k) < sizeof tts - 1 ||
            memcmp(cp + k, tts, sizeof tts - 1) != 0)
            continue; /* a sequence, or not a tts name */
        int idx = silent_index(util_utf8_decode((const unsigned char *)cp, k));
        if (idx < 0)
            continue;
        const char *name = cp + k + sizeof tts - 1;
        const char *stop = find(name, end, close, sizeof close - 1);
        if (!stop)
            break;
        p = stop + sizeof close - 1;
        char buf[EMOJI_NAME_MAX];
        if (!decode_name(name, stop, buf, sizeof buf))
            continue;
        char *dup = strdup(buf);
        if (!dup)
            return PURG_ENOMEM;
        free(l->name[idx]);
        l->name[idx] = dup;
        taken++;
    }
    return taken;
}

int emoji_load_lang(emoji_t *e, const char *dir, const char *lang)
{
    char path[1024];
    for (const char *s = lang; *s; s++)
        if (*s == '/' || *s == '.')
            return PURG_EINVAL;
    if (util_snprintf(path, sizeof path, "%s/%s.xml", dir ? dir : EMOJI_DIR, lang) != 0)
        return PURG_ETOOBIG;
    FILE *f = fopen(path, "rb");
    if (!f)
        return PURG_ENOTFOUND;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size > FILE_MAX) {
        fclose(f);
        return PURG_ETOOBIG;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        return PURG_ENOMEM;
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    int rc = emoji_parse_string(e, lang, buf, got);
    free(buf);
    return rc < 0 ? rc : 0;
}

const char *emoji_name(const emoji_t *e, const char *lang, uint32_t cp)
{
    int idx = silent_index(cp);
    if (idx < 0)
        return NULL;
    const emoji_lang_t *l = lang_slot(e, lang);
    if (l && l->name[idx])
        return l->name[idx];
    l = lang_slot(e, "en");
    return l ? l->name[idx] : NULL;
}

size_t emoji_apply(const emoji_t *e, const char *lang, const char *in, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return 0;
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t n = strlen((const char *)s);
    for (size_t i = 0; i < n;) {
        size_t k = util_utf8_seq(s + i, n - i);
        if (k == 0)
            k = 1;
        const char *put = (const char *)s + i;
        size_t plen = k;
        if (k > 1 && emoji_is_silent(util_utf8_decode(s + i, k))) {
            put = emoji_name(e, lang, util_utf8_decode(s + i, k));
            plen = put ? strlen(put) : 0;
        }
        if (o + plen + 1 > outlen)
            break;
        if (plen)
            memcpy(out + o, put, plen);
        o += plen;
        i += k;
    }
    out[o] = '\0';
    return o;
}
