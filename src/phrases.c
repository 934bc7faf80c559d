/* phrases.c - the words purgatory adds inside a user's line, per language;
 * pure, any thread.
 *
 * One row per language: the languages `--languages auto` allows (lang.c)
 * and a few more of lang.c's known ones. Each wording was checked with
 * espeak-ng's own voice for the language (`espeak-ng -v fr -x "..."`
 * prints the phonemes): every word is read as a word of that language, not
 * spelled out. Where a script needs it for espeak-ng the words carry their
 * vowel signs (Arabic harakat, Hebrew niqqud), and Japanese is in kana
 * (espeak-ng's Japanese voice reads no kanji). Chinese: espeak-ng's
 * Mandarin reads 点 as the letters of its pinyin, so the dot stays "dot"
 * (read by the English fallback, as Chinese speakers say it in addresses). */
#include "phrases.h"
#include "purg.h"
#include "util.h"

#include <string.h>

typedef struct phrase_row {
    const char *code;
    const char *w[PHRASE_COUNT]; /* says, link, link to, dot */
} phrase_row_t;

static const phrase_row_t rows[] = {
    {"en", {"says:", "link", "link to", "dot"}},
    {"de", {"sagt:", "Link", "Link zu", "Punkt"}},
    {"fr", {"dit :", "lien", "lien vers", "point"}},
    {"es", {"dice:", "enlace", "enlace a", "punto"}},
    {"it", {"dice:", "link", "link a", "punto"}},
    {"pt", {"diz:", "link", "link para", "ponto"}},
    {"nl", {"zegt:", "link", "link naar", "punt"}},
    {"pl", {"mówi:", "link", "link do", "kropka"}},
    {"cs", {"říká:", "odkaz", "odkaz na", "tečka"}},
    {"sk", {"hovorí:", "odkaz", "odkaz na", "bodka"}},
    {"sv", {"säger:", "länk", "länk till", "punkt"}},
    {"da", {"siger:", "link", "link til", "punktum"}},
    {"nb", {"sier:", "lenke", "lenke til", "punktum"}},
    {"fi", {"sanoo:", "linkki", "linkki osoitteeseen", "piste"}},
    {"ro", {"spune:", "link", "link către", "punct"}},
    {"ca", {"diu:", "enllaç", "enllaç a", "punt"}},
    {"hr", {"kaže:", "poveznica", "poveznica na", "točka"}},
    {"tr", {"diyor ki:", "bağlantı", "bağlantı", "nokta"}},
    {"ru", {"говорит:", "ссылка", "ссылка на", "точка"}},
    {"uk", {"каже:", "посилання", "посилання на", "крапка"}},
    {"bg", {"казва:", "връзка", "връзка към", "точка"}},
    {"el", {"λέει:", "σύνδεσμος", "σύνδεσμος προς", "τελεία"}},
    {"he", {"אוֹמֵר:", "קִישׁוּר", "קִישׁוּר אֶל", "נְקוּדָה"}},
    {"ar", {"يَقُولُ:", "رابِط", "رابِط إِلى", "نُقْطَة"}},
    {"hi", {"ने कहा:", "लिंक", "लिंक", "डॉट"}},
    {"ja", {"が いいました:", "リンク", "リンク", "ドット"}},
    {"ko", {"님의 말:", "링크", "링크", "닷"}},
    {"zh", {"说:", "网址", "网址", "dot"}},
};
#define NROWS (sizeof rows / sizeof rows[0])

static const phrase_row_t *row_of(const char *code)
{
    if (!code)
        return NULL;
    size_t n = strcspn(code, "-_");
    for (size_t i = 0; i < NROWS; i++)
        if (strlen(rows[i].code) == n && strncmp(rows[i].code, code, n) == 0)
            return &rows[i];
    return NULL;
}

const char *phrases_get(const char *code, phrase_t which)
{
    if ((unsigned)which >= PHRASE_COUNT)
        return "";
    const phrase_row_t *r = row_of(code);
    return (r ? r : &rows[0])->w[which];
}

void phrases_words(const char *code, phrase_words_t *out)
{
    for (int i = 0; i < PHRASE_COUNT; i++)
        out->w[i] = phrases_get(code, (phrase_t)i);
}

static const char *const keys[PHRASE_COUNT] = {"says", "link", "link_to", "dot"};

int phrases_key(const char *key)
{
    for (int i = 0; key && i < PHRASE_COUNT; i++)
        if (strcmp(key, keys[i]) == 0)
            return i;
    return -1;
}

const char *phrases_keys(void)
{
    return "says, link, link_to, dot";
}

int phrases_check(const char *value, char *why, size_t n)
{
    size_t len = strlen(value);
    if (len == 0 || len >= PHRASE_MAX) {
        util_snprintf(why, n, "a phrase of 1 to %d bytes", PHRASE_MAX - 1);
        return PURG_EINVAL;
    }
    if (!util_utf8_valid(value, len)) {
        util_snprintf(why, n, "not valid UTF-8");
        return PURG_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        /* C0, DEL, and C1 (U+0080..U+009F: 0xC2 0x80..0x9F in UTF-8) */
        if (c < 0x20 || c == 0x7F || (c == 0xC2 && i + 1 < len &&
                                      (unsigned char)value[i + 1] < 0xA0)) {
            util_snprintf(why, n, "a control character (byte %zu)", i + 1);
            return PURG_EINVAL;
        }
    }
    return 0;
}

int phrases_known(const char *code)
{
    return code && code[0] && row_of(code) != NULL;
}

const char *phrases_list(void)
{
    return "en,de,fr,es,it,pt,nl,pl,cs,sk,sv,da,nb,fi,ro,ca,hr,tr,ru,uk,bg,el,he,ar,hi,ja,ko,zh";
}
