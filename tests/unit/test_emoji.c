/* test_emoji.c - names for the emoji espeak-ng says nothing for (src/emoji.c):
 * the annotations reader on good and bad input, the real CLDR files of
 * unicode-cldr-core, and the silent list checked against the real espeak-ng. */
#include "check.h"

#include "emoji.h"
#include "purg.h"

#include <espeak-ng/speak_lib.h>
#include <stdlib.h>

#define SMILING_TEAR 0x1F972 /* 🥲, Emoji 13: espeak-ng 1.51 says nothing */

static void test_parse(void)
{
    emoji_t *e = NULL;
    CHECK_EQ(emoji_create(&e), 0);
    const char *xml =
        "<ldml><annotations>\n"
        "<annotation cp=\"\xf0\x9f\xa5\xb2\">smile | tear</annotation>\n"          /* not tts */
        "<annotation cp=\"\xf0\x9f\xa5\xb2\" type=\"tts\">smiling face with tear</annotation>\n"
        "<annotation cp=\"\xf0\x9f\x98\x82\" type=\"tts\">face with tears of joy</annotation>\n" /* espeak says it */
        "<annotation cp=\"\xf0\x9f\xa4\x8c\" type=\"tts\">pinched &amp; &lt;fingers&gt;</annotation>\n"
        "<annotation cp=\"\xf0\x9f\xab\xb6\xf0\x9f\x8f\xbb\" type=\"tts\">a sequence</annotation>\n"
        "<annotation cp=\"\xf0\x9f\xab\xa0\" type=\"tts\">bad &bogus; entity</annotation>\n"
        "<annotation cp=\"\xf0\x9f\xab\xa0\" type=\"tts\"><b>markup</b></annotation>\n"
        "<annotation cp=\"\xf0\x9f\xab\xa0\" type=\"tts\">line\nbreak\x01</annotation>\n";
    CHECK_EQ(emoji_parse_string(e, "en", xml, strlen(xml)), 3);
    CHECK_STREQ(emoji_name(e, "en", SMILING_TEAR), "smiling face with tear");
    CHECK_STREQ(emoji_name(e, "en", 0x1F90C), "pinched & <fingers>");
    CHECK_STREQ(emoji_name(e, "en", 0x1FAE0), "line break");
    CHECK(emoji_name(e, "en", 0x1F602) == NULL);  /* espeak-ng's own */
    CHECK_STREQ(emoji_name(e, "fr", SMILING_TEAR), "smiling face with tear"); /* English fallback */
    /* a cut file, an empty one, garbage: nothing taken, nothing broken */
    CHECK_EQ(emoji_parse_string(e, "de", xml, 40), 0);
    CHECK_EQ(emoji_parse_string(e, "de", "", 0), 0);
    CHECK_EQ(emoji_parse_string(e, "de", "<annotation cp=\"\xff\" type=\"tts\">x</annotation>", 44), 0);
    CHECK_EQ(emoji_parse_string(e, "de", "<annotation cp=\"\xf0\x9f\xa5\xb2\" type=\"tts\">no end", 47), 0);
    CHECK_EQ(emoji_parse_string(e, NULL, "", 0), PURG_EINVAL);
    CHECK_EQ(emoji_parse_string(e, "a-language-code-too-long", "", 0), PURG_EINVAL);
    emoji_free(e);
    emoji_free(NULL);
}

static void test_apply(void)
{
    emoji_t *e = NULL;
    CHECK_EQ(emoji_create(&e), 0);
    CHECK_EQ(emoji_load_lang(e, NULL, "en"), 0);
    CHECK_EQ(emoji_load_lang(e, NULL, "fr"), 0);
    CHECK_EQ(emoji_load_lang(e, NULL, "xx"), PURG_ENOTFOUND);
    CHECK_EQ(emoji_load_lang(e, NULL, "../en"), PURG_EINVAL);
    char out[256];
    emoji_apply(e, "en", "ok \xf0\x9f\xa5\xb2 and \xf0\x9f\x98\x82", out, sizeof out);
    CHECK_STREQ(out, "ok smiling face with tear and \xf0\x9f\x98\x82"); /* 😂: espeak-ng's */
    emoji_apply(e, "fr", "\xf0\x9f\xa5\xb2", out, sizeof out);
    CHECK_STREQ(out, "visage souriant avec une larme");
    emoji_apply(e, "de", "\xf0\x9f\xa5\xb2", out, sizeof out);   /* not loaded: English */
    CHECK_STREQ(out, "smiling face with tear");
    emoji_apply(NULL, "en", "a \xf0\x9f\xa5\xb2 b", out, sizeof out); /* no names: dropped */
    CHECK_STREQ(out, "a  b");
    emoji_apply(e, "en", "\xf0\x9f\xa5\xb2", out, 10);             /* does not fit: left out */
    CHECK_STREQ(out, "");
    /* every silent emoji has an English name in CLDR */
    for (size_t i = 0; i < emoji_silent_count(); i++)
        CHECK(emoji_name(e, "en", emoji_silent_at(i)) != NULL);
    emoji_free(e);
}

/* The list is right for the espeak-ng we link: each listed emoji gives no
 * phonemes, and some older ones do. */
static void test_silent_list_matches_espeak(void)
{
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, NULL, espeakINITIALIZE_DONT_EXIT);
    CHECK_GT(rate, 0);
    if (rate <= 0)
        return;
    CHECK_EQ(espeak_SetVoiceByName("en"), EE_OK);
    size_t wrong = 0;
    for (size_t i = 0; i < emoji_silent_count(); i++) {
        char s[8] = "";
        uint32_t c = emoji_silent_at(i);
        if (c < 0x10000)
            snprintf(s, sizeof s, "%c%c%c", 0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
        else
            snprintf(s, sizeof s, "%c%c%c%c", 0xF0 | (c >> 18), 0x80 | ((c >> 12) & 0x3F),
                     0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
        const void *p = s;
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, 0);
        if (ph && ph[strspn(ph, " ")]) {
            fprintf(stderr, "U+%X: espeak-ng says '%s' (regenerate src/emoji_silent.inc with "
                    "tests/tools/emoji_silent.py)\n", c, ph);
            wrong++;
        }
    }
    CHECK_EQ(wrong, 0u);
    const char *named[] = { "\xf0\x9f\x98\x82", "\xf0\x9f\x91\x8d", "\xe2\x9d\xa4" };
    for (size_t i = 0; i < 3; i++) {
        const void *p = named[i];
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, 0);
        CHECK(ph && ph[strspn(ph, " ")]);
        CHECK(!emoji_is_silent(0x1F602));
    }
}

static const check_case_t cases[] = {
    CHECK_CASE(parse), CHECK_CASE(apply), CHECK_CASE(silent_list_matches_espeak),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
