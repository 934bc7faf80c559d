/* dict.c - the pronunciation dictionary (see dict.h). Thread: the owner's.
 * Whole-word entries are compared at every word start of a line (a line is
 * at most a few hundred bytes and a dictionary a few hundred entries: a
 * plain scan costs microseconds); regular expressions are libc's POSIX ERE. */
#include "dict.h"
#include "inifile.h"
#include "lang.h"
#include "purg.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define DICT_FILE_MAX ((size_t)4 << 20) /* bytes of a dictionary file (whole MiB) */
#define RE_SRC_MAX 256            /* bytes of one regular expression */
#define RE_REPEAT_MAX 50          /* {n,m} bounds: regcomp's memory grows with them */
#define RE_REPEAT_MAX_S "50"
#define RE_QUANT_MAX 16           /* repetition operators in one expression */
#define RE_PRODUCT_MAX 1000       /* the product of an expression's {n,m} bounds */
#define RE_PRODUCT_MAX_S "1000"
#define RE_QUANT_MAX_S "16"

typedef struct entry {
    char lang[LANG_CODE_MAX];  /* "*" = any language */
    char *key;                 /* the word (NULL for a regex) */
    size_t klen;
    int fold;                  /* key has no capital: match any ASCII case */
    int is_re;
    regex_t re;
    char *say;
    int line;
} entry_t;

struct dict {
    entry_t *e;
    size_t n, cap;
    char path[1024];           /* "" = parsed from memory */
    struct stat st;            /* of the file at the last (re)load */
};

static void entries_free(entry_t *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].key);
        free(e[i].say);
        if (e[i].is_re)
            regfree(&e[i].re);
    }
    free(e);
}

void dict_free(dict_t *d)
{
    if (!d)
        return;
    entries_free(d->e, d->n);
    free(d);
}

/* Whether re stays cheap for glibc's regcomp, whose memory grows with each
 * repetition: {n,m} bounds at most RE_REPEAT_MAX, at most RE_QUANT_MAX
 * repetition operators, and none stacked on another ("a++", "a*{2}"), which
 * means nothing more and multiplies the compiled tree. Bracket expressions
 * hold literals. Returns NULL, or what is wrong. */
static const char *re_unsafe(const char *re)
{
    int quants = 0, after_quant = 0;
    long product = 1; /* of the {n,m} bounds: nested ones multiply the tree */
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            after_quant = 0;
            continue;
        }
        if (*p == '[') { /* to the closing ']' ("[]a]" and "[^]a]" hold a ']') */
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p && *p != ']')
                p++;
            if (!*p)
                return NULL; /* regcomp says what is wrong */
            after_quant = 0;
            continue;
        }
        if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
            if (after_quant)
                return "repetition of a repetition (a++, a*{2}) in a regular expression";
            if (++quants > RE_QUANT_MAX)
                return "more than " RE_QUANT_MAX_S " repetitions in a regular expression";
            if (*p == '{') {
                long top = 1;
                for (p++; *p && *p != '}'; p++)
                    if (isdigit((unsigned char)*p)) {
                        long v = strtol(p, NULL, 10);
                        if (v > RE_REPEAT_MAX)
                            return "repeat counts over " RE_REPEAT_MAX_S " in a regular expression";
                        if (v > top)
                            top = v;
                        while (isdigit((unsigned char)p[1]))
                            p++;
                    }
                if (!*p)
                    return NULL;
                product *= top;
                if (product > RE_PRODUCT_MAX)
                    return "repeat counts of a regular expression multiply past " RE_PRODUCT_MAX_S;
            }
            after_quant = 1;
            continue;
        }
        after_quant = 0;
    }
    return NULL;
}

typedef struct pstate {
    entry_t *e;
    size_t n, cap;
} pstate_t;

/* "regex = /REGEX/[i] SAID" into e. */
static int parse_regex(inifile_t *ini, const char *value, entry_t *e)
{
    if (value[0] != '/')
        return inifile_fail(ini, PURG_EFORMAT, "expected regex = /REGEX/ SAID or /REGEX/i SAID");
    const char *end = NULL;
    for (const char *p = value + 1; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '/') {
            end = p;
            break;
        }
    }
    if (!end)
        return inifile_fail(ini, PURG_EFORMAT, "a regular expression starts with '/' and ends with '/'");
    size_t srclen = (size_t)(end - value - 1);
    if (srclen == 0 || srclen > RE_SRC_MAX)
        return inifile_fail(ini, PURG_EFORMAT, "a regular expression of 1 to %d bytes", RE_SRC_MAX);
    char src[RE_SRC_MAX + 1];
    memcpy(src, value + 1, srclen);
    src[srclen] = '\0';
    const char *after = end + 1;
    int icase = 0;
    if (*after == 'i') {
        icase = 1;
        after++;
    }
    if (*after != ' ' && *after != '\t')
        return inifile_fail(ini, PURG_EFORMAT, "expected regex = /REGEX/ SAID or /REGEX/i SAID");
    while (*after == ' ' || *after == '\t')
        after++;
    if (!*after)
        return inifile_fail(ini, PURG_EFORMAT, "nothing to say after the regular expression");
    const char *unsafe = re_unsafe(src);
    if (unsafe)
        return inifile_fail(ini, PURG_EFORMAT, "%s", unsafe);
    int rc = regcomp(&e->re, src, REG_EXTENDED | (icase ? REG_ICASE : 0));
    if (rc != 0) {
        char msg[128];
        regerror(rc, &e->re, msg, sizeof msg);
        return inifile_fail(ini, PURG_EFORMAT, "bad regular expression: %s", msg);
    }
    if (e->re.re_nsub > 9) {
        regfree(&e->re);
        return inifile_fail(ini, PURG_EFORMAT, "at most 9 groups in a regular expression");
    }
    if (!(e->say = strdup(after))) {
        regfree(&e->re);
        return inifile_fail(ini, PURG_ENOMEM, "out of memory");
    }
    e->is_re = 1;
    return 0;
}

/* "WORD = SAID" into e. */
static int parse_word(inifile_t *ini, const char *name, const char *value, entry_t *e)
{
    if (!*name)
        return inifile_fail(ini, PURG_EFORMAT, "the word before '=' is empty");
    if (strpbrk(name, " \t"))
        return inifile_fail(ini, PURG_EFORMAT, "a word entry is one word (use regex = /REGEX/ SAID for more)");
    if (!*value)
        return inifile_fail(ini, PURG_EFORMAT, "nothing to say after '='");
    e->key = strdup(name);
    e->say = strdup(value);
    if (!e->key || !e->say) {
        free(e->key);
        free(e->say);
        return inifile_fail(ini, PURG_ENOMEM, "out of memory");
    }
    e->klen = strlen(name);
    e->fold = 1;
    for (const char *p = name; *p; p++)
        if (isupper((unsigned char)*p))
            e->fold = 0;
    return 0;
}

static int on_key(inifile_t *ini, void *user, const char *section, const char *name,
                  const char *value)
{
    pstate_t *st = user;
    char lang[LANG_CODE_MAX];
    size_t k = 0;
    for (; section[k] && k + 1 < sizeof lang; k++)
        lang[k] = (char)tolower((unsigned char)section[k]);
    lang[k] = '\0';
    if (!section[0])
        util_strlcpy(lang, "*", sizeof lang);
    else if (section[k] || (strcmp(lang, "*") != 0 && !lang_code_known(lang)))
        return inifile_fail(ini, PURG_EFORMAT, "section [%s] is not [*] or a language code "
                            "(en, fr, de, ...)", section);
    if (!util_utf8_valid(name, strlen(name)) || !util_utf8_valid(value, strlen(value)))
        return inifile_fail(ini, PURG_EFORMAT, "not valid UTF-8");
    if (st->n == DICT_ENTRIES_MAX)
        return inifile_fail(ini, PURG_ETOOBIG, "more than %d entries", DICT_ENTRIES_MAX);
    if (st->n == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 64;
        entry_t *ne = realloc(st->e, nc * sizeof *ne);
        if (!ne)
            return inifile_fail(ini, PURG_ENOMEM, "out of memory");
        st->e = ne;
        st->cap = nc;
    }
    entry_t *e = &st->e[st->n];
    memset(e, 0, sizeof *e);
    util_strlcpy(e->lang, lang, sizeof e->lang);
    e->line = ini->line;
    int rc = strcmp(name, "regex") == 0 ? parse_regex(ini, value, e) : parse_word(ini, name, value, e);
    if (rc == 0)
        st->n++;
    return rc;
}

static int parse(entry_t **out, size_t *nout, const char *name, const char *text, size_t len,
                 char *err, size_t errlen)
{
    /* a byte-order mark is not part of the first line */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    pstate_t st = { 0 };
    inifile_t ini;
    int rc = inifile_parse(&ini, name, text, len, on_key, &st);
    if (rc != 0) {
        inifile_error(&ini, err, errlen);
        entries_free(st.e, st.n);
        return rc;
    }
    *out = st.e;
    *nout = st.n;
    return 0;
}

int dict_parse_string(dict_t **out, const char *name, const char *text, size_t len, char *err,
                      size_t errlen)
{
    *out = NULL;
    dict_t *d = calloc(1, sizeof *d);
    if (!d) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    int rc = parse(&d->e, &d->n, name, text ? text : "", text ? len : 0, err, errlen);
    if (rc != 0) {
        free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int dict_load(dict_t **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    char *text;
    size_t len;
    struct stat st;
    int rc = inifile_read(path, "dictionary", DICT_FILE_MAX, &text, &len, &st, err, errlen);
    if (rc != 0)
        return rc;
    rc = dict_parse_string(out, path, text, len, err, errlen);
    free(text);
    if (rc != 0)
        return rc;
    if (util_strlcpy((*out)->path, path, sizeof (*out)->path) != 0) {
        dict_free(*out);
        *out = NULL;
        util_snprintf(err, errlen, "dictionary path too long");
        return PURG_ETOOBIG;
    }
    (*out)->st = st;
    return 0;
}

int dict_reload(dict_t *d, char *err, size_t errlen)
{
    if (!d || !d->path[0])
        return 0;
    char *text;
    size_t len;
    struct stat st;
    int rc = inifile_read(d->path, "dictionary", DICT_FILE_MAX, &text, &len, &st, err,
                          errlen);
    if (rc != 0)
        return rc;
    entry_t *e;
    size_t n;
    rc = parse(&e, &n, d->path, text, len, err, errlen);
    free(text);
    if (rc != 0)
        return rc;
    entries_free(d->e, d->n);
    d->e = e;
    d->n = n;
    d->st = st;
    return 0;
}

int dict_file_changed(const dict_t *d)
{
    struct stat st;
    if (!d || !d->path[0] || stat(d->path, &st) != 0)
        return 0;
    return st.st_ino != d->st.st_ino || st.st_size != d->st.st_size ||
           st.st_mtim.tv_sec != d->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != d->st.st_mtim.tv_nsec;
}

const char *dict_path(const dict_t *d) { return d ? d->path : ""; }
size_t dict_size(const dict_t *d) { return d ? d->n : 0; }

/* ---- applying ---------------------------------------------------------- */

typedef struct outbuf {
    char *s;
    size_t n, cap;  /* cap includes the NUL */
    int full;
} outbuf_t;

static void put(outbuf_t *o, const char *s, size_t k)
{
    if (o->full)
        return;
    if (o->n + k + 1 > o->cap) {
        k = o->cap - 1 - o->n;
        /* cut at a character boundary */
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        o->full = 1;
    }
    memcpy(o->s + o->n, s, k);
    o->n += k;
    o->s[o->n] = '\0';
}

static int wordch(unsigned char c) { return isalnum(c) || c >= 0x80; }

static int applies(const entry_t *e, const char *lang)
{
    return e->lang[0] == '*' || (lang && strcmp(e->lang, lang) == 0);
}

static int word_at(const entry_t *e, const char *s)
{
    if (e->fold ? strncasecmp(s, e->key, e->klen) != 0 : strncmp(s, e->key, e->klen) != 0)
        return 0;
    /* the key's own edge decides: "c++" ends in a non-word byte */
    unsigned char next = (unsigned char)s[e->klen];
    unsigned char last = (unsigned char)e->key[e->klen - 1];
    return !(wordch(last) && wordch(next));
}

static void words(const dict_t *d, const char *lang, const char *in, outbuf_t *o)
{
    size_t i = 0;
    while (in[i] && !o->full) {
        int matched = 0;
        if (i == 0 || !wordch((unsigned char)in[i - 1]) || !wordch((unsigned char)in[i])) {
            for (size_t k = 0; k < d->n && !matched; k++) {
                const entry_t *e = &d->e[k];
                if (e->is_re || !applies(e, lang) || !word_at(e, in + i))
                    continue;
                /* a key starting with a letter must start a word */
                if (i > 0 && wordch((unsigned char)e->key[0]) && wordch((unsigned char)in[i - 1]))
                    continue;
                put(o, e->say, strlen(e->say));
                i += e->klen;
                matched = 1;
            }
        }
        if (!matched) {
            size_t k = 1;
            while (((unsigned char)in[i + k] & 0xC0) == 0x80)
                k++;
            put(o, in + i, k);
            i += k;
        }
    }
}

/* SAID with \1..\9 from the match m of src; literal runs go out whole, so
 * that a cut falls between characters. */
static void put_said(outbuf_t *o, const char *said, const char *src, const regmatch_t *m, size_t nsub)
{
    const char *lit = said;
    for (const char *p = said; *p; p++) {
        if (p[0] != '\\' || !((p[1] >= '1' && p[1] <= '9') || p[1] == '\\'))
            continue;
        put(o, lit, (size_t)(p - lit));
        if (p[1] == '\\') {
            put(o, "\\", 1);
        } else {
            size_t g = (size_t)(p[1] - '0');
            if (g <= nsub && m[g].rm_so >= 0)
                put(o, src + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        }
        p++;
        lit = p + 1;
    }
    put(o, lit, strlen(lit));
}

static void one_re(const entry_t *e, const char *in, outbuf_t *o)
{
    const char *p = in;
    int flags = 0, after_match = 0;
    regmatch_t m[10];
    while (*p && !o->full) {
        if (regexec(&e->re, p, 10, m, flags) != 0)
            break;
        if (after_match && m[0].rm_so == 0 && m[0].rm_eo == 0) {
            /* no empty match right where a match ended (as sed): step on */
            size_t k = 1;
            while (((unsigned char)p[k] & 0xC0) == 0x80)
                k++;
            put(o, p, k);
            p += k;
            after_match = 0;
            flags = REG_NOTBOL;
            continue;
        }
        after_match = m[0].rm_eo > m[0].rm_so;
        put(o, p, (size_t)m[0].rm_so);
        put_said(o, e->say, p, m, e->re.re_nsub);
        size_t adv = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) { /* an empty match: keep one character, go on */
            size_t k = p[adv] ? 1 : 0;
            while (k && ((unsigned char)p[adv + k] & 0xC0) == 0x80)
                k++;
            put(o, p + adv, k);
            adv += k;
            if (!k)
                break;
        }
        p += adv;
        flags = REG_NOTBOL;
    }
    put(o, p, strlen(p));
}

size_t dict_apply(const dict_t *d, const char *lang, const char *in, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return 0;
    outbuf_t o = { out, 0, outlen, 0 };
    out[0] = '\0';
    if (!in)
        return 0;
    if (!d || d->n == 0) {
        put(&o, in, strlen(in));
        return o.n;
    }
    words(d, lang, in, &o);
    char *tmp = NULL;
    for (size_t k = 0; k < d->n; k++) {
        const entry_t *e = &d->e[k];
        if (!e->is_re || !applies(e, lang))
            continue;
        if (!tmp && !(tmp = malloc(outlen)))
            break; /* out of memory: the word entries stay applied */
        memcpy(tmp, out, o.n + 1);
        o = (outbuf_t){ out, 0, outlen, 0 };
        out[0] = '\0';
        one_re(e, tmp, &o);
    }
    free(tmp);
    return o.n;
}
