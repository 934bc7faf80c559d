/* lang.c - the language of a chat line and the voice that follows it (see
 * lang.h). Thread: the owner of the lang_t only.
 *
 * How a line is weighed. The text is first reduced to its words of letters
 * (IRC formatting, URLs, e-mail addresses, channel names, numbers, emoji and
 * a leading "nick:" address dropped): what is left is what a language owns.
 * Then, for the allowed languages written in the line's script:
 *  - one candidate: decided by the script alone (Greek, Hebrew, Hangul ...);
 *  - else libexttextcat's out-of-place distance between the line's n-gram
 *    fingerprint and each language's: e[l] = -(d[l] - min d) / 400, about
 *    "how many more of the line's n-grams that language misses";
 *  - CLD2, when it calls its answer reliable and that answer is allowed,
 *    adds CLD2_BONUS to its language.
 * The per-nick estimate p[] is a log-weight per language, 0 for the nick's
 * current language and at most NICK_CAP below for the others. A line is
 * spoken in argmax(p + e); then p = DECAY * (p + e - max), cut at -NICK_CAP.
 * So a one-word line (e differs by ~1-2) rarely moves a nick, while two
 * clear lines, or one long one, do. A nick's first p comes from its
 * channel's running count of languages (its dominant one, else the first
 * language of the list). The constants were tuned on the multilingual set
 * of tests/unit/test_lang_accuracy.c (BENCHMARKS.md "Languages"). */
#include "lang.h"
#include "nick.h"
#include "cld2shim.h"
#include "dict.h"
#include "emoji.h"
#include "purg.h"
#include "util.h"
#include "voicemap.h"

#include <libexttextcat/fingerprint.h>
#include <libexttextcat/textcat.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LANG_DATA "/usr/share/libexttextcat"
#define PREP_MAX 1024          /* bytes of a line's letters that are weighed */
#define TC_NGRAMS 400          /* libexttextcat's own fingerprint size */
#define CLD2_BONUS 4.0
#define NICK_CAP 6.0
#define NICK_START 3.0         /* how far behind the channel's language the others start */
#define DECAY 0.75
/* Evidence below -FAR_BEHIND cannot win: the nick's weights span NICK_CAP
 * and CLD2 adds CLD2_BONUS at most, so it is counted as -FAR_BEHIND. */
#define FAR_BEHIND (NICK_CAP + CLD2_BONUS + 2.0)
#define NICK_SLOTS 1024
#define NICK_PROBE 8
#define CHAN_SLOTS 32
#define CHAN_DECAY 0.98

/* The set `auto` allows: the languages of Europe's and the world's larger
 * chat audiences that espeak-ng reads well, kept small because every extra
 * language written in the Latin script costs accuracy on short lines
 * (BENCHMARKS.md "Languages"); the non-Latin scripts cost nothing, the
 * script decides them. */
#define LANG_AUTO "en,de,fr,es,it,pt,nl,pl,cs,sv,tr,ru,uk,el,he,ar,hi,ja,ko,zh"

typedef enum script {
    SC_NONE, SC_LATIN, SC_CYRILLIC, SC_GREEK, SC_HEBREW, SC_ARABIC, SC_DEVANAGARI,
    SC_THAI, SC_HANGUL, SC_KANA, SC_HAN, SC_OTHER, SC_COUNT
} script_t;

typedef struct lang_info {
    const char *code;   /* ISO 639-1 (or the fingerprint's own name) */
    const char *lm;     /* libexttextcat fingerprint file, without .lm */
    const char *voice;  /* espeak-ng voice */
    script_t script;
} lang_info_t;

/* Voices: espeak-ng's own for each language; Portuguese is read as
 * Brazilian (pt-br: most speakers; `[languages] pt = pt` for Portugal),
 * French as France's (fr-fr, not fr-be), Chinese as Mandarin (cmn). */
static const lang_info_t known[] = {
    {"en", "en", "en", SC_LATIN},       {"de", "de", "de", SC_LATIN},
    {"fr", "fr", "fr-fr", SC_LATIN},    {"es", "es", "es", SC_LATIN},
    {"it", "it", "it", SC_LATIN},       {"pt", "pt", "pt-br", SC_LATIN},
    {"nl", "nl", "nl", SC_LATIN},       {"pl", "pl", "pl", SC_LATIN},
    {"cs", "cs", "cs", SC_LATIN},       {"sk", "sk", "sk", SC_LATIN},
    {"sv", "sv", "sv", SC_LATIN},       {"da", "da", "da", SC_LATIN},
    {"nb", "nb", "nb", SC_LATIN},       {"fi", "fi", "fi", SC_LATIN},
    {"hu", "hu", "hu", SC_LATIN},       {"ro", "ro", "ro", SC_LATIN},
    {"tr", "tr", "tr", SC_LATIN},       {"hr", "hr", "hr", SC_LATIN},
    {"sl", "sl", "sl", SC_LATIN},       {"ca", "ca", "ca", SC_LATIN},
    {"eu", "eu", "eu", SC_LATIN},       {"et", "et", "et", SC_LATIN},
    {"lv", "lv", "lv", SC_LATIN},       {"lt", "lt", "lt", SC_LATIN},
    {"is", "is", "is", SC_LATIN},       {"ga", "ga", "ga", SC_LATIN},
    {"cy", "cy", "cy", SC_LATIN},       {"eo", "eo", "eo", SC_LATIN},
    {"la", "la", "la", SC_LATIN},       {"id", "id", "id", SC_LATIN},
    {"ms", "ms", "ms", SC_LATIN},       {"vi", "vi", "vi", SC_LATIN},
    {"af", "af", "af", SC_LATIN},       {"sq", "sq", "sq", SC_LATIN},
    {"sw", "sw", "sw", SC_LATIN},       {"ru", "ru", "ru", SC_CYRILLIC},
    {"uk", "uk", "uk", SC_CYRILLIC},    {"bg", "bg", "bg", SC_CYRILLIC},
    {"mk", "mk", "mk", SC_CYRILLIC},    {"sr", "sr-Cyrl", "sr", SC_CYRILLIC},
    {"el", "el", "el", SC_GREEK},       {"he", "he", "he", SC_HEBREW},
    {"ar", "ar", "ar", SC_ARABIC},      {"fa", "fa", "fa", SC_ARABIC},
    {"ur", "ur", "ur", SC_ARABIC},      {"hi", "hi", "hi", SC_DEVANAGARI},
    {"mr", "mr", "mr", SC_DEVANAGARI},  {"ne", "ne", "ne", SC_DEVANAGARI},
    {"th", "th", "th", SC_THAI},        {"ko", "ko", "ko", SC_HANGUL},
    {"ja", "ja", "ja", SC_KANA},        {"zh", "zh-Hans", "cmn", SC_HAN},
};
#define NKNOWN (sizeof known / sizeof known[0])

typedef struct nick_st {
    uint64_t key;          /* 0 = free */
    uint32_t stamp;        /* last use, for eviction */
    float p[LANG_MAX];
} nick_st_t;

typedef struct chan_st {
    uint64_t key;
    uint32_t stamp;
    float c[LANG_MAX];
} chan_st_t;

struct lang {
    size_t n;                               /* allowed languages */
    const lang_info_t *info[LANG_MAX];
    void *fp[LANG_MAX];                     /* libexttextcat fingerprints */
    char voice[LANG_MAX][VOICE_NAME_MAX];   /* overrides ("" = built-in) */
    uint32_t clock;
    nick_st_t nick[NICK_SLOTS];
    chan_st_t chan[CHAN_SLOTS];
};

static const lang_info_t *info_of(const char *code)
{
    for (size_t i = 0; i < NKNOWN; i++)
        if (strcmp(known[i].code, code) == 0)
            return &known[i];
    return NULL;
}

const char *lang_auto_list(void)
{
    return LANG_AUTO;
}

int lang_code_known(const char *code)
{
    return code && info_of(code) != NULL;
}

static int index_of(const lang_t *l, const char *code)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->info[i]->code, code) == 0)
            return (int)i;
    return -1;
}

static void known_list(char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NKNOWN && off + 8 < n; i++)
        off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "," : "", known[i].code);
}

/* Split spec into known codes: 0, or PURG_EINVAL with a sentence. */
static int spec_parse(const char *spec, const lang_info_t **out, size_t *nout, char *err,
                      size_t errlen)
{
    if (!spec || strcmp(spec, "auto") == 0)
        spec = LANG_AUTO;
    size_t n = 0;
    const char *p = spec;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        char code[LANG_CODE_MAX + 1];
        size_t k = 0;
        while (*p && *p != ',' && *p != ' ') {
            if (k < sizeof code - 1)
                code[k++] = (char)tolower((unsigned char)*p);
            p++;
        }
        code[k] = '\0';
        const lang_info_t *li = info_of(code);
        if (!li) {
            char v[UTIL_VIS_MAX], all[512];
            known_list(all, sizeof all);
            util_snprintf(err, errlen, "unknown language '%s' (use auto, off, or codes from: %s)",
                          util_visible(v, sizeof v, code), all);
            return PURG_EINVAL;
        }
        int dup = 0;
        for (size_t i = 0; i < n; i++)
            dup |= out[i] == li;
        if (dup)
            continue;
        if (n == LANG_MAX) {
            util_snprintf(err, errlen, "too many languages (at most %d)", LANG_MAX);
            return PURG_EINVAL;
        }
        out[n++] = li;
    }
    if (n == 0) {
        util_snprintf(err, errlen, "no language given (use auto, off, or a list like en,fr,de)");
        return PURG_EINVAL;
    }
    *nout = n;
    return 0;
}

int lang_spec_check(const char *spec, char *err, size_t errlen)
{
    if (spec && strcmp(spec, "off") == 0)
        return 0;
    const lang_info_t *li[LANG_MAX];
    size_t n;
    return spec_parse(spec, li, &n, err, errlen);
}

int lang_create(lang_t **out, const char *spec, const char *data, char *err, size_t errlen)
{
    *out = NULL;
    if (spec && strcmp(spec, "off") == 0)
        return 0;
    lang_t *l = calloc(1, sizeof *l);
    if (!l) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    int rc = spec_parse(spec, l->info, &l->n, err, errlen);
    if (rc != 0)
        goto fail;
    if (!data)
        data = LANG_DATA;
    for (size_t i = 0; i < l->n; i++) {
        char path[512];
        if (util_snprintf(path, sizeof path, "%s/%s.lm", data, l->info[i]->lm) != 0) {
            util_snprintf(err, errlen, "fingerprint folder name too long");
            rc = PURG_ETOOBIG;
            goto fail;
        }
        FILE *probe = fopen(path, "rb"); /* libexttextcat would say it on stderr */
        if (!probe) {
            util_snprintf(err, errlen, "cannot read the language fingerprint %s (is the "
                          "libexttextcat-data package installed?)", path);
            rc = PURG_ENOTFOUND;
            goto fail;
        }
        fclose(probe);
        void *fp = fp_Init(l->info[i]->code);
        if (!fp) {
            util_snprintf(err, errlen, "out of memory");
            rc = PURG_ENOMEM;
            goto fail;
        }
        fp_SetProperty(fp, TCPROP_UTF8AWARE, TC_TRUE);
        if (fp_Read(fp, path, TC_NGRAMS) == 0) {
            fp_Done(fp);
            util_snprintf(err, errlen, "cannot read the language fingerprint %s (is the "
                          "libexttextcat-data package installed?)", path);
            rc = PURG_ENOTFOUND;
            goto fail;
        }
        l->fp[i] = fp;
    }
    *out = l;
    return 0;
fail:
    lang_free(l);
    return rc;
}

void lang_free(lang_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        if (l->fp[i])
            fp_Done(l->fp[i]);
    free(l);
}

void lang_list(const lang_t *l, char *buf, size_t n)
{
    size_t off = 0;
    if (n)
        buf[0] = '\0';
    for (size_t i = 0; l && i < l->n && off + LANG_CODE_MAX + 1 < n; i++)
        off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "," : "", l->info[i]->code);
}

/* ---- the line's letters ------------------------------------------------ */

static script_t script_of(uint32_t c)
{
    if (c < 0x80)
        return isalpha((int)c) ? SC_LATIN : SC_NONE;
    if ((c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x1E00 && c <= 0x1EFF))
        return SC_LATIN;
    if (c >= 0x370 && c <= 0x3FF && c != 0x37E && c != 0x387)
        return SC_GREEK;
    if (c >= 0x1F00 && c <= 0x1FFF)
        return SC_GREEK;
    if (c >= 0x400 && c <= 0x52F)
        return SC_CYRILLIC;
    if (c >= 0x5D0 && c <= 0x5F2)
        return SC_HEBREW;
    if ((c >= 0x620 && c <= 0x64A) || (c >= 0x66E && c <= 0x6D3) || (c >= 0x750 && c <= 0x77F) ||
        (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFC))
        return SC_ARABIC;
    if (c >= 0x900 && c <= 0x97F && !(c >= 0x964 && c <= 0x970))
        return SC_DEVANAGARI;
    if (c >= 0xE01 && c <= 0xE5B)
        return SC_THAI;
    if ((c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F))
        return SC_HANGUL;
    if ((c >= 0x3041 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF && c != 0x30FB))
        return SC_KANA;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF))
        return SC_HAN;
    if (c >= 0x300 && c <= 0x36F)
        return SC_NONE; /* combining marks: part of the letter before */
    if (c < 0x2000 || (c >= 0xA000 && c < 0xD800))
        return SC_OTHER; /* letters of scripts not listed (Armenian, Georgian, ...) */
    return SC_NONE;      /* punctuation, symbols, emoji */
}

typedef struct prep {
    char text[PREP_MAX];
    size_t len;
    int words;
    int count[SC_COUNT];  /* letters per script */
} prep_t;

/* Is the token s[0..n) something no language owns (a URL, an address, a
 * channel)? */
static int token_skipped(const char *s, size_t n)
{
    if (n >= 4 && strncasecmp(s, "www.", 4) == 0)
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '@' && i > 0)
            return 1;
        if (s[i] == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
            return 1;
    }
    return n > 1 && (s[0] == '#' || s[0] == '&');
}

/* Append the letters of token s[0..n) to p, words separated by spaces. */
static void prep_token(prep_t *p, const unsigned char *s, size_t n)
{
    int in_word = 0;
    size_t i = 0;
    while (i < n) {
        size_t k = util_utf8_seq(s + i, n - i);
        if (k == 0) {
            i++;
            in_word = 0;
            continue;
        }
        uint32_t c = util_utf8_decode(s + i, k);
        script_t sc = script_of(c);
        int letter = sc != SC_NONE || (c >= 0x300 && c <= 0x36F && in_word) ||
                     ((c == '\'' || c == 0x2019) && in_word && i + k < n);
        if (letter) {
            if (!in_word) {
                if (p->len + 1 >= PREP_MAX)
                    return;
                if (p->len)
                    p->text[p->len++] = ' ';
                p->words++;
                in_word = 1;
            }
            if (p->len + k >= PREP_MAX)
                return;
            memcpy(p->text + p->len, s + i, k);
            p->len += k;
            p->count[sc]++;
        } else {
            in_word = 0;
        }
        i += k;
    }
}

static void prepare(prep_t *p, const char *text, size_t len)
{
    memset(p, 0, sizeof *p);
    size_t i = 0;
    int first = 1;
    while (i < len && p->len + 1 < PREP_MAX) {
        while (i < len && ((unsigned char)text[i] <= ' ' || text[i] == 0x7f))
            i++;
        size_t start = i;
        while (i < len && (unsigned char)text[i] > ' ' && text[i] != 0x7f)
            i++;
        size_t n = i - start;
        if (n == 0)
            break;
        const char *t = text + start;
        /* "nick:" or "nick," addressing someone, when more follows */
        int address = first && n > 1 && (t[n - 1] == ':' || t[n - 1] == ',') && i < len;
        first = 0;
        if (address || token_skipped(t, n))
            continue;
        prep_token(p, (const unsigned char *)t, n);
    }
    p->text[p->len] = '\0';
}

static script_t main_script(const prep_t *p)
{
    /* Japanese mixes kana with Han: any kana makes it Japanese */
    if (p->count[SC_KANA] > 0)
        return SC_KANA;
    script_t best = SC_NONE;
    for (int s = SC_LATIN; s < SC_COUNT; s++)
        if (p->count[s] > (best == SC_NONE ? 0 : p->count[best]))
            best = (script_t)s;
    return best;
}

/* ---- the line's evidence ------------------------------------------------ */

/* e[i] for each allowed language (-INFINITY: not a candidate). Returns the
 * number of candidates; fills r's line-only fields. */
static int line_evidence(lang_t *l, const prep_t *p, double *e, lang_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->how = "none";
    util_strlcpy(r->cld2, "un", sizeof r->cld2);
    r->words = p->words;
    for (size_t i = 0; i < l->n; i++)
        e[i] = -INFINITY;
    script_t sc = main_script(p);
    if (sc == SC_NONE || p->len == 0)
        return 0;
    int cand = 0, last = -1;
    for (size_t i = 0; i < l->n; i++)
        if (l->info[i]->script == sc) {
            e[i] = 0;
            cand++;
            last = (int)i;
        }
    if (cand == 0)
        return 0;
    if (cand == 1) {
        r->how = "script";
        util_strlcpy(r->line, l->info[last]->code, sizeof r->line);
        r->line_conf = 1.0;
        return 1;
    }
    /* libexttextcat: distance of the line's fingerprint to each candidate's */
    void *unk = fp_Init(NULL);
    if (!unk)
        return 0;
    fp_SetProperty(unk, TCPROP_UTF8AWARE, TC_TRUE);
    fp_SetProperty(unk, TCPROP_MINIMUM_DOCUMENT_SIZE, 1);
    if (fp_Create(unk, p->text, (uint4)p->len, TC_NGRAMS) == 0) {
        fp_Done(unk);
        return 0;
    }
    double dmin = INFINITY;
    double d[LANG_MAX] = {0};
    for (size_t i = 0; i < l->n; i++) {
        if (e[i] == -INFINITY)
            continue;
        /* a language FAR_BEHIND n-grams behind the best so far can never
         * win (see the constants): libexttextcat may stop counting there */
        int cutoff = dmin == INFINITY ? INT_MAX : (int)(dmin + FAR_BEHIND * 400.0);
        d[i] = fp_Compare(l->fp[i], unk, cutoff);
        if (d[i] < dmin)
            dmin = d[i];
    }
    fp_Done(unk);
    for (size_t i = 0; i < l->n; i++)
        if (e[i] != -INFINITY)
            e[i] = d[i] - dmin > FAR_BEHIND * 400.0 ? -FAR_BEHIND : -(d[i] - dmin) / 400.0;
    r->how = "textcat";
    /* CLD2 only where it says it is sure */
    int pct = 0, rel = 0;
    if (cld2shim_detect(p->text, p->len, r->cld2, sizeof r->cld2, &pct, &rel) == 0 && rel) {
        r->cld2_reliable = 1;
        char base[LANG_CODE_MAX];
        util_strlcpy(base, r->cld2, sizeof base);
        char *dash = strchr(base, '-');
        if (dash)
            *dash = '\0';
        int k = index_of(l, base);
        if (k >= 0 && e[k] != -INFINITY) {
            e[k] += CLD2_BONUS;
            r->how = "cld2+textcat";
        }
    }
    return cand;
}

/* argmax of x over the candidates, and its softmax share. */
static int best_of(const lang_t *l, const double *x, double *conf)
{
    int b = -1;
    for (size_t i = 0; i < l->n; i++)
        if (x[i] != -INFINITY && (b < 0 || x[i] > x[b]))
            b = (int)i;
    if (b < 0) {
        *conf = 0;
        return -1;
    }
    double sum = 0;
    for (size_t i = 0; i < l->n; i++)
        if (x[i] != -INFINITY)
            sum += exp(x[i] - x[b]);
    *conf = 1.0 / sum;
    return b;
}

/* The line alone: its evidence into e, its own guess into r->line and
 * r->line_conf. Returns how many languages are candidates. */
static int line_alone(lang_t *l, const char *text, size_t len, double *e, lang_result_t *r)
{
    prep_t p;
    prepare(&p, text ? text : "", text ? len : 0);
    int cand = line_evidence(l, &p, e, r);
    if (cand > 1) {
        int b = best_of(l, e, &r->line_conf);
        if (b >= 0)
            util_strlcpy(r->line, l->info[b]->code, sizeof r->line);
    }
    return cand;
}

void lang_guess(lang_t *l, const char *text, size_t len, lang_result_t *r)
{
    double e[LANG_MAX];
    line_alone(l, text, len, e, r);
    util_strlcpy(r->code, r->line, sizeof r->code);
    r->conf = r->line_conf;
}

/* ---- per-nick and per-channel estimates --------------------------------- */

static uint64_t key_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ? h : 1;
}

static chan_st_t *chan_find(lang_t *l, const char *channel, int create)
{
    char fold[VOICEMAP_CHAN_MAX];
    nick_fold(channel ? channel : "", fold, sizeof fold);
    uint64_t k = key_of(fold);
    chan_st_t *old = NULL;
    for (size_t i = 0; i < CHAN_SLOTS; i++) {
        chan_st_t *c = &l->chan[i];
        if (c->key == k)
            return c;
        if (!old || c->stamp < old->stamp)
            old = c;
    }
    if (!create)
        return NULL;
    memset(old, 0, sizeof *old);
    old->key = k;
    return old;
}

static nick_st_t *nick_find(lang_t *l, const char *nick, int *fresh)
{
    char norm[VOICEMAP_NICK_MAX];
    voicemap_normalize(nick ? nick : "", norm, sizeof norm);
    uint64_t k = key_of(norm);
    nick_st_t *free_s = NULL, *old = NULL;
    for (size_t j = 0; j < NICK_PROBE; j++) {
        nick_st_t *s = &l->nick[(k + j) % NICK_SLOTS];
        if (s->key == k) {
            *fresh = 0;
            return s;
        }
        if (!s->key) {
            if (!free_s)
                free_s = s;
        } else if (!old || s->stamp < old->stamp) {
            old = s; /* the least recently heard of the probed: evicted if need be */
        }
    }
    if (free_s)
        old = free_s;
    memset(old, 0, sizeof *old);
    old->key = k;
    *fresh = 1;
    return old;
}

void lang_rename(lang_t *l, const char *oldnick, const char *newnick)
{
    if (!l || !oldnick || !newnick)
        return;
    char norm[VOICEMAP_NICK_MAX];
    voicemap_normalize(oldnick, norm, sizeof norm);
    uint64_t k = key_of(norm);
    const nick_st_t *from = NULL;
    for (size_t j = 0; j < NICK_PROBE && !from; j++)
        if (l->nick[(k + j) % NICK_SLOTS].key == k)
            from = &l->nick[(k + j) % NICK_SLOTS];
    if (!from)
        return;
    float p[LANG_MAX];
    memcpy(p, from->p, sizeof p); /* nick_find may take from's slot */
    int fresh;
    nick_st_t *to = nick_find(l, newnick, &fresh);
    memcpy(to->p, p, sizeof p);
    to->stamp = ++l->clock;
}

/* A new nick's weights: its channel's dominant language first. */
static void nick_start(const lang_t *l, const chan_st_t *c, float *p)
{
    int dom = 0;
    if (c)
        for (size_t i = 1; i < l->n; i++)
            if (c->c[i] > c->c[dom])
                dom = (int)i;
    for (size_t i = 0; i < l->n; i++)
        p[i] = (int)i == dom ? 0.0f : (float)-NICK_START;
}

/* Decide with weights p (updated in place when update). */
static void decide(lang_t *l, float *p, const double *e, int cand, lang_result_t *r, int update)
{
    double x[LANG_MAX] = {0};
    for (size_t i = 0; i < l->n; i++)
        x[i] = p[i];
    if (cand > 0)
        for (size_t i = 0; i < l->n; i++)
            x[i] = e[i] == -INFINITY ? -INFINITY : p[i] + e[i];
    int b = best_of(l, x, &r->conf);
    if (b < 0) { /* the line's script has no allowed language: the nick's own */
        for (size_t i = 0; i < l->n; i++)
            x[i] = p[i];
        b = best_of(l, x, &r->conf);
        cand = 0;
    }
    util_strlcpy(r->code, l->info[b]->code, sizeof r->code);
    r->kept = r->line[0] && strcmp(r->line, r->code) != 0;
    if (!update || cand == 0)
        return;
    /* a line in another script says nothing of the nick's other languages */
    double top = x[b];
    for (size_t i = 0; i < l->n; i++) {
        double v = x[i] == -INFINITY ? p[i] - top : DECAY * (x[i] - top);
        if (v < -NICK_CAP)
            v = -NICK_CAP;
        if (v > 0)
            v = 0;
        p[i] = (float)v;
    }
}

static void line_run(lang_t *l, const char *channel, const char *nick, const char *text,
                     size_t len, lang_result_t *r, int update)
{
    double e[LANG_MAX];
    int cand = line_alone(l, text, len, e, r);
    l->clock++;
    chan_st_t *c = chan_find(l, channel, update);
    int fresh;
    float tmp[LANG_MAX];
    nick_st_t *s = NULL;
    float *w = tmp;
    if (update) {
        s = nick_find(l, nick, &fresh);
        s->stamp = l->clock;
        w = s->p;
        if (fresh)
            nick_start(l, c, w);
    } else {
        /* a peek: the same search, on copies */
        char norm[VOICEMAP_NICK_MAX];
        voicemap_normalize(nick ? nick : "", norm, sizeof norm);
        uint64_t k = key_of(norm);
        for (size_t j = 0; j < NICK_PROBE && !s; j++)
            if (l->nick[(k + j) % NICK_SLOTS].key == k)
                s = &l->nick[(k + j) % NICK_SLOTS];
        if (s)
            memcpy(tmp, s->p, sizeof tmp);
        else
            nick_start(l, c, tmp);
    }
    decide(l, w, e, cand, r, update);
    if (update && c) {
        c->stamp = l->clock;
        int k = index_of(l, r->code);
        for (size_t i = 0; i < l->n; i++)
            c->c[i] = (float)(c->c[i] * CHAN_DECAY + ((int)i == k ? 1.0 : 0.0));
    }
}

void lang_line(lang_t *l, const char *channel, const char *nick, const char *text, size_t len,
               lang_result_t *r)
{
    line_run(l, channel, nick, text, len, r, 1);
}

void lang_peek(lang_t *l, const char *channel, const char *nick, const char *text, size_t len,
               lang_result_t *r)
{
    line_run(l, channel, nick, text, len, r, 0);
}

/* ---- voices --------------------------------------------------------------- */

int lang_set_voice(lang_t *l, const char *code, const char *voice)
{
    int i = index_of(l, code);
    if (i < 0 || !voice || !voice[0] || strlen(voice) >= VOICE_NAME_MAX)
        return PURG_EINVAL;
    for (const char *s = voice; *s; s++)
        if (*s == '+' || (unsigned char)*s <= ' ' || *s == 0x7f)
            return PURG_EINVAL;
    util_strlcpy(l->voice[i], voice, sizeof l->voice[i]);
    return 0;
}

void lang_clear_voices(lang_t *l)
{
    if (l)
        memset(l->voice, 0, sizeof l->voice);
}

const char *lang_voice_of(const lang_t *l, const char *code)
{
    int i = index_of(l, code);
    if (i < 0)
        return NULL;
    return l->voice[i][0] ? l->voice[i] : l->info[i]->voice;
}

void lang_of_voice(const char *voice, char *out, size_t n)
{
    char base[VOICE_NAME_MAX];
    size_t k = 0;
    for (; voice[k] && voice[k] != '+' && voice[k] != '-' && k + 1 < sizeof base; k++)
        base[k] = (char)tolower((unsigned char)voice[k]);
    base[k] = '\0';
    if (strcmp(base, "cmn") == 0 || strcmp(base, "yue") == 0 || strcmp(base, "hak") == 0)
        util_strlcpy(base, "zh", sizeof base);
    else if (strcmp(base, "no") == 0 || strcmp(base, "nn") == 0)
        util_strlcpy(base, "nb", sizeof base);
    util_strlcpy(out, base, n);
}

void lang_apply(const lang_t *l, const char *code, voice_t *v)
{
    if (!l || !code || !code[0])
        return;
    char home[LANG_CODE_MAX];
    lang_of_voice(v->name, home, sizeof home);
    if (strcmp(home, code) == 0)
        return;
    const char *to = lang_voice_of(l, code);
    if (!to)
        return;
    const char *variant = strchr(v->name, '+');
    char name[VOICE_NAME_MAX];
    if (util_snprintf(name, sizeof name, "%s%s", to, variant ? variant : "") != 0)
        return;
    util_strlcpy(v->name, name, sizeof v->name);
}

void lang_pick(lang_t *l, const char *channel, const char *nick, const char *raw, voice_t *v,
               char *code, size_t n)
{
    if (l && raw) {
        lang_result_t r;
        lang_line(l, channel, nick, raw, strlen(raw), &r);
        lang_apply(l, r.code, v);
        if (r.code[0]) {
            util_strlcpy(code, r.code, n);
            return;
        }
    }
    lang_of_voice(v->name, code, n); /* nothing guessed, or languages off */
}

void lang_words(const dict_t *d, const emoji_t *e, const char *code, char *text, size_t textlen)
{
    if (!text || textlen == 0)
        return;
    char said[4096];
    size_t room = sizeof said < textlen ? sizeof said : textlen;
    size_t n = emoji_apply(e, code, text, said, room);
    memcpy(text, said, n + 1);
    if (!d || dict_size(d) == 0)
        return;
    n = dict_apply(d, code, text, said, room);
    memcpy(text, said, n + 1);
}

void lang_speak(lang_t *l, const dict_t *d, const emoji_t *e, const char *channel,
                const char *nick, const char *raw, voice_t *v, char *text, size_t textlen)
{
    char code[LANG_CODE_MAX];
    lang_pick(l, channel, nick, raw, v, code, sizeof code);
    lang_words(d, e, code, text, textlen);
}
