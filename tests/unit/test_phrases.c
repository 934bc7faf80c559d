/* test_phrases.c - the words purgatory adds inside a user's line, per
 * language (src/phrases.c): English for any language the table does not
 * have, every language `--languages auto` allows has its own words, and
 * each word is read by the real espeak-ng, with the language's own voice,
 * as a word of that language: no letter spelled out ("_:" in espeak-ng's
 * phonemes) and no switch to another language ("(en)"). */
#include "check.h"
#include "lang.h"
#include "phrases.h"
#include "purg.h"
#include "util.h"

#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_table(void)
{
    /* English: the default, and the fallback of any other code */
    CHECK_STREQ(phrases_get(NULL, PHRASE_SAYS), "says:");
    CHECK_STREQ(phrases_get("", PHRASE_LINK_TO), "link to");
    CHECK_STREQ(phrases_get("en", PHRASE_DOT), "dot");
    CHECK_STREQ(phrases_get("xx", PHRASE_LINK), "link");
    CHECK_STREQ(phrases_get("e", PHRASE_SAYS), "says:");
    CHECK_STREQ(phrases_get("eng", PHRASE_SAYS), "says:");
    CHECK_STREQ(phrases_get("th", PHRASE_DOT), "dot");    /* a language without words */
    CHECK(!phrases_known("th") && !phrases_known("") && !phrases_known(NULL));
    /* French, with its space before the colon */
    CHECK_STREQ(phrases_get("fr", PHRASE_SAYS), "dit :");
    CHECK_STREQ(phrases_get("fr", PHRASE_LINK_TO), "lien vers");
    CHECK_STREQ(phrases_get("fr", PHRASE_DOT), "point");
    CHECK_STREQ(phrases_get("de", PHRASE_SAYS), "sagt:");
    CHECK_STREQ(phrases_get("de", PHRASE_LINK_TO), "Link zu");
    CHECK_STREQ(phrases_get("pt-br", PHRASE_SAYS), "diz:"); /* a voice's region */
    CHECK_STREQ(phrases_get("fr", PHRASE_COUNT), "");
    /* every language of auto has its own words; every row is whole */
    char list[256];
    util_strlcpy(list, lang_auto_list(), sizeof list);
    for (char *c = strtok(list, ","); c; c = strtok(NULL, ",")) {
        if (!phrases_known(c))
            fprintf(stderr, "no phrases for %s\n", c);
        CHECK(phrases_known(c));
    }
    util_strlcpy(list, phrases_list(), sizeof list);
    for (char *c = strtok(list, ","); c; c = strtok(NULL, ",")) {
        CHECK(lang_code_known(c));
        for (int w = 0; w < PHRASE_COUNT; w++) {
            const char *p = phrases_get(c, (phrase_t)w);
            CHECK(p[0] != '\0' && p[0] != ' ' && p[strlen(p) - 1] != ' ');
            CHECK(util_utf8_valid(p, strlen(p)));
        }
    }
}

/* What a voices file may give as a phrase. */
static void test_check(void)
{
    char why[128];
    CHECK_EQ(phrases_check("dit :", why, sizeof why), 0);
    CHECK_EQ(phrases_check("\xd0\xb3\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x80\xd0\xb8\xd1\x82:", why, sizeof why), 0);
    CHECK_EQ(phrases_check("", why, sizeof why), PURG_EINVAL);
    CHECK_STREQ(why, "a phrase of 1 to 63 bytes");
    char longer[PHRASE_MAX + 1];
    memset(longer, 'a', PHRASE_MAX);
    longer[PHRASE_MAX] = '\0';
    CHECK_EQ(phrases_check(longer, why, sizeof why), PURG_EINVAL);
    longer[PHRASE_MAX - 1] = '\0';
    CHECK_EQ(phrases_check(longer, why, sizeof why), 0);
    CHECK_EQ(phrases_check("a\xc3", why, sizeof why), PURG_EINVAL);
    CHECK_STREQ(why, "not valid UTF-8");
    CHECK_EQ(phrases_check("a\tb", why, sizeof why), PURG_EINVAL);
    CHECK_STREQ(why, "a control character (byte 2)");
    CHECK_EQ(phrases_check("ab\x7f", why, sizeof why), PURG_EINVAL);
    CHECK_EQ(phrases_check("a\xc2\x85", why, sizeof why), PURG_EINVAL);
    CHECK_EQ(phrases_check("a\xc2\xa0" "b", why, sizeof why), 0); /* no-break space: not a control */
    CHECK_EQ(phrases_key("says"), PHRASE_SAYS);
    CHECK_EQ(phrases_key("link_to"), PHRASE_LINK_TO);
    CHECK_EQ(phrases_key("Says"), -1);
    CHECK_EQ(phrases_key(NULL), -1);
}

/* The phonemes espeak-ng gives for text in the current voice, into out. */
static void phonemes(const char *text, char *out, size_t n)
{
    out[0] = '\0';
    const void *p = text;
    while (p) {
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, 0);
        if (!ph)
            break;
        size_t len = strlen(out);
        util_snprintf(out + len, n - len, "%s%s", len ? " " : "", ph);
    }
}

/* The voice by its name, else by its language (as `espeak-ng -v` does:
 * espeak-ng 1.51 knows "fr-fr" as a language, not as a name). */
static espeak_ERROR set_voice(const char *voice)
{
    if (espeak_SetVoiceByName(voice) == EE_OK)
        return EE_OK;
    espeak_VOICE sel;
    memset(&sel, 0, sizeof sel);
    sel.languages = voice;
    return espeak_SetVoiceByProperties(&sel);
}

static void test_spoken_by_espeak(void)
{
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, NULL, espeakINITIALIZE_DONT_EXIT);
    CHECK_GT(rate, 0);
    if (rate <= 0)
        return;
    char err[512] = "";
    lang_t *l = NULL;
    CHECK_EQ(lang_create(&l, phrases_list(), NULL, err, sizeof err), 0);
    if (!l) {
        fprintf(stderr, "lang_create: %s\n", err);
        return;
    }
    /* the check can fail: English words in the Russian voice are read
     * in English, a Latin word in the Hebrew voice is spelled out */
    char ph[1024];
    CHECK_EQ(espeak_SetVoiceByName("ru"), EE_OK);
    phonemes("link to", ph, sizeof ph);
    CHECK(strchr(ph, '(') != NULL);
    CHECK_EQ(espeak_SetVoiceByName("he"), EE_OK);
    phonemes("dot", ph, sizeof ph);
    CHECK(strstr(ph, "_:") != NULL || strchr(ph, '(') != NULL);
    char list[256];
    util_strlcpy(list, phrases_list(), sizeof list);
    char *save = NULL; /* espeak-ng uses strtok itself */
    for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        const char *voice = lang_voice_of(l, c);
        CHECK(voice != NULL);
        if (!voice || set_voice(voice) != EE_OK) {
            fprintf(stderr, "%s: espeak-ng has no voice %s\n", c, voice ? voice : "(none)");
            CHECK(0);
            continue;
        }
        for (int w = 0; w < PHRASE_COUNT; w++) {
            const char *p = phrases_get(c, (phrase_t)w);
            phonemes(p, ph, sizeof ph);
            /* Chinese: espeak-ng's Mandarin reads 点 as its pinyin's
             * letters, so the dot is said "dot", in English on purpose */
            int english_on_purpose = strcmp(c, "zh") == 0 && w == PHRASE_DOT;
            int bad = ph[strspn(ph, " ")] == '\0' || strstr(ph, "_:") != NULL ||
                      (!english_on_purpose && strchr(ph, '(') != NULL);
            if (bad)
                fprintf(stderr, "%s (%s): '%s' is read '%s'\n", c, voice, p, ph);
            CHECK(!bad);
        }
    }
    lang_free(l);
    espeak_Terminate();
}

static const check_case_t cases[] = {
    CHECK_CASE(table),
    CHECK_CASE(check),
    CHECK_CASE(spoken_by_espeak),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
