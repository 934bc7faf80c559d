/* langset.h - the multilingual test set of the language guess, made at test
 * time from Debian's fortune packages (fortunes, fortunes-de, -es, -it, -ru,
 * -pl, -cs, -br): eight languages, every line cut to 1, 2, 4 and 8 words.
 *
 * Each fortune (a record between "%" lines) gives at most one line of each
 * length: its first N words (attribution lines "-- Someone" dropped). Files
 * are chosen per language where the text is that language's own (the German
 * package's "translations", the Czech "klasik-sk" and "lkml" are not).
 * LANGSET_PER samples of each length and language are taken, spread evenly
 * over the records. Deterministic: same packages, same set. */
#ifndef PURG_LANGSET_H
#define PURG_LANGSET_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANGSET_LANGS 8
#define LANGSET_LENGTHS 4
#define LANGSET_PER 250
#define LANGSET_TEXT 200

static const int langset_len[LANGSET_LENGTHS] = { 1, 2, 4, 8 };

typedef struct langset_src {
    const char *code;
    const char *files[10];
} langset_src_t;

#define FD "/usr/share/games/fortunes/"
static const langset_src_t langset_src[LANGSET_LANGS] = {
    { "en", { FD "fortunes", FD "wisdom", FD "people", FD "literature", FD "humorists",
              FD "love", NULL } },
    { "de", { FD "de/zitate", FD "de/sprichworte", FD "de/sprueche", FD "de/anekdoten",
              FD "de/witze", FD "de/wusstensie", NULL } },
    { "es", { FD "es/proverbios.fortunes", FD "es/refranes.fortunes",
              FD "es/sabiduria.fortunes", FD "es/vida.fortunes", FD "es/filosofia.fortunes",
              FD "es/amistad.fortunes", NULL } },
    { "it", { FD "it/italia", FD "it/luttazzi", FD "it/definizioni", FD "it/leggi",
              FD "it/paolotedeschi", NULL } },
    { "pt", { FD "brasil", NULL } },
    { "ru", { FD "ru/citates", FD "ru/life", FD "ru/love", FD "ru/knowledge", FD "ru/truth",
              FD "ru/work", FD "ru/success", NULL } },
    { "pl", { FD "pl/dowcipy", FD "pl/bajki", FD "pl/seneka", FD "pl/milosc", FD "pl/sapkowski",
              FD "pl/puchatek", NULL } },
    { "cs", { FD "cs/citace", FD "cs/citat", FD "cs/prislovi", FD "cs/murphy", FD "cs/cimrman",
              FD "cs/hornicek", NULL } },
};
#undef FD

typedef struct langset_line {
    int lang;              /* index in langset_src */
    int words;             /* 1, 2, 4 or 8 */
    char text[LANGSET_TEXT];
} langset_line_t;

typedef struct langset {
    langset_line_t *l;
    size_t n;
    char missing[256];     /* files that could not be read, if any */
} langset_t;

/* The first `words` words of rec (whitespace-separated, attribution lines
 * dropped) into out; 0 when rec has fewer words or they do not fit. */
static int langset_cut(const char *rec, int words, char *out, size_t outlen)
{
    size_t o = 0;
    int w = 0;
    const char *p = rec;
    while (*p && w < words) {
        const char *eol = strchr(p, '\n');
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        const char *q = p;
        while (q < p + ll && (*q == ' ' || *q == '\t'))
            q++;
        int attribution = (q + 1 < p + ll && q[0] == '-' && q[1] == '-') ||
                          (q + 2 < p + ll && (unsigned char)q[0] == 0xE2 &&
                           (unsigned char)q[1] == 0x80 && (unsigned char)q[2] == 0x94);
        if (!attribution) {
            const char *s = q;
            while (s < p + ll && w < words) {
                while (s < p + ll && (*s == ' ' || *s == '\t'))
                    s++;
                const char *e = s;
                while (e < p + ll && *e != ' ' && *e != '\t')
                    e++;
                if (e > s) {
                    size_t k = (size_t)(e - s);
                    if (o + k + 2 >= outlen)
                        return 0;
                    if (o)
                        out[o++] = ' ';
                    memcpy(out + o, s, k);
                    o += k;
                    w++;
                }
                s = e;
            }
        }
        p += ll + (eol ? 1 : 0);
    }
    out[o] = '\0';
    return w == words;
}

/* Read every record of lang's files; then take LANGSET_PER lines of each
 * length, spread over the records. 0, or -1 (out of memory). */
static int langset_lang(langset_t *set, int lang)
{
    char **recs = NULL;
    size_t nrec = 0, cap = 0;
    for (int f = 0; langset_src[lang].files[f]; f++) {
        FILE *fp = fopen(langset_src[lang].files[f], "rb");
        if (!fp) {
            size_t m = strlen(set->missing);
            snprintf(set->missing + m, sizeof set->missing - m, "%s ", langset_src[lang].files[f]);
            continue;
        }
        char line[4096], rec[8192];
        size_t rl = 0;
        for (;;) {
            char *got = fgets(line, sizeof line, fp);
            if (!got || strcmp(line, "%\n") == 0) {
                if (rl > 0) {
                    if (nrec == cap) {
                        cap = cap ? cap * 2 : 1024;
                        char **nr = realloc(recs, cap * sizeof *recs);
                        if (!nr)
                            return -1;
                        recs = nr;
                    }
                    recs[nrec] = malloc(rl + 1);
                    if (!recs[nrec])
                        return -1;
                    memcpy(recs[nrec], rec, rl + 1);
                    nrec++;
                }
                rl = 0;
                if (!got)
                    break;
                continue;
            }
            size_t k = strlen(line);
            if (rl + k < sizeof rec) {
                memcpy(rec + rl, line, k + 1);
                rl += k;
            }
        }
        fclose(fp);
    }
    for (int li = 0; li < LANGSET_LENGTHS; li++) {
        int words = langset_len[li];
        size_t taken = 0;
        /* a stride over the records (twice as many as needed: some are too
         * short), visiting each at most once */
        size_t step = nrec / (2 * LANGSET_PER) > 1 ? nrec / (2 * LANGSET_PER) : 1;
        for (size_t r = (size_t)li; r < nrec && taken < LANGSET_PER; r += step) {
            langset_line_t *x = &set->l[set->n];
            if (!langset_cut(recs[r], words, x->text, sizeof x->text))
                continue;
            x->lang = lang;
            x->words = words;
            set->n++;
            taken++;
        }
    }
    for (size_t r = 0; r < nrec; r++)
        free(recs[r]);
    free(recs);
    return 0;
}

static int langset_load(langset_t *set)
{
    memset(set, 0, sizeof *set);
    set->l = calloc((size_t)LANGSET_LANGS * LANGSET_LENGTHS * LANGSET_PER, sizeof *set->l);
    if (!set->l)
        return -1;
    for (int lang = 0; lang < LANGSET_LANGS; lang++)
        if (langset_lang(set, lang) != 0)
            return -1;
    return 0;
}

static void langset_free(langset_t *set)
{
    free(set->l);
    set->l = NULL;
}

#endif
