/* test_lang.c - the line's language (src/lang.c): the --languages value,
 * the line's own guess, the per-nick estimate, the voice that follows. */
#include "check.h"

#include "dict.h"
#include "lang.h"
#include "purg.h"
#include "voicemap.h"

#include <stdlib.h>

static lang_t *make(const char *spec)
{
    char err[512] = "";
    lang_t *l = NULL;
    int rc = lang_create(&l, spec, NULL, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "lang_create(%s): %s\n", spec, err);
    CHECK_EQ(rc, 0);
    return l;
}

static const char *guess(lang_t *l, const char *text)
{
    static lang_result_t r;
    lang_guess(l, text, strlen(text), &r);
    return r.code;
}

static const char *said(lang_t *l, const char *nick, const char *text)
{
    static lang_result_t r;
    lang_line(l, "#room", nick, text, strlen(text), &r);
    return r.code;
}

static void test_spec(void)
{
    char err[512], list[256];
    lang_t *l = NULL;
    CHECK_EQ(lang_create(&l, "off", NULL, err, sizeof err), 0);
    CHECK(l == NULL);
    l = make("auto");
    lang_list(l, list, sizeof list);
    CHECK(strstr(list, "en,de,fr") == list);
    lang_free(l);
    l = make(" FR, de,fr ,en");
    lang_list(l, list, sizeof list);
    CHECK_STREQ(list, "fr,de,en"); /* case folded, duplicates dropped, order kept */
    lang_free(l);
    CHECK_EQ(lang_create(&l, "en,xx", NULL, err, sizeof err), PURG_EINVAL);
    CHECK(strstr(err, "unknown language 'xx'") != NULL);
    CHECK(strstr(err, "auto, off") != NULL);
    CHECK_EQ(lang_create(&l, ",,", NULL, err, sizeof err), PURG_EINVAL);
    CHECK(strstr(err, "no language given") != NULL);
    CHECK_EQ(lang_create(&l, "en\x1b[2J", NULL, err, sizeof err), PURG_EINVAL);
    CHECK(strchr(err, 0x1b) == NULL); /* the bad value is shown made visible */
    CHECK_EQ(lang_create(&l, "en,fr", "/nonexistent", err, sizeof err), PURG_ENOTFOUND);
    CHECK(strstr(err, "libexttextcat-data") != NULL);
    CHECK_EQ(lang_spec_check("de,fr", err, sizeof err), 0);
    CHECK_EQ(lang_spec_check("off", err, sizeof err), 0);
    CHECK_EQ(lang_spec_check("klingon", err, sizeof err), PURG_EINVAL);
    CHECK(lang_code_known("pt"));
    CHECK(!lang_code_known("pt-br"));
    lang_free(NULL);
}

static void test_line_guess(void)
{
    lang_t *l = make("auto");
    CHECK_STREQ(guess(l, "the weather is really nice today, isn't it"), "en");
    CHECK_STREQ(guess(l, "je ne sais pas ce que tu veux dire par là"), "fr");
    CHECK_STREQ(guess(l, "ich weiß nicht, was du damit meinst"), "de");
    CHECK_STREQ(guess(l, "no sé lo que quieres decir con eso, amigo"), "es");
    CHECK_STREQ(guess(l, "non so cosa vuoi dire con questo"), "it");
    CHECK_STREQ(guess(l, "я не знаю, что ты имеешь в виду"), "ru");
    CHECK_STREQ(guess(l, "δεν ξέρω τι εννοείς"), "el");   /* the script decides */
    CHECK_STREQ(guess(l, "何を言っているのかわかりません"), "ja");
    CHECK_STREQ(guess(l, "我不知道你在说什么"), "zh");
    CHECK_STREQ(guess(l, "무슨 말인지 모르겠어요"), "ko");
    /* nothing of a language: no guess */
    CHECK_STREQ(guess(l, "12:30 :) 👍 https://example.com/"), "");
    CHECK_STREQ(guess(l, ""), "");
    /* a leading address, URLs, channels and formatting are not weighed */
    lang_result_t r;
    const char *t = "alice: \x02regarde\x02 https://example.com/the/english/words ça dans #thechannel, c'est très bien";
    lang_guess(l, t, strlen(t), &r);
    CHECK_STREQ(r.code, "fr");
    CHECK_EQ(r.words, 6);
    CHECK_GT(r.conf, 0.5);
    lang_free(l);
}

static void test_nick_keeps_language(void)
{
    lang_t *l = make("en,fr,de");
    /* three French lines, then short ones that alone would be anything */
    CHECK_STREQ(said(l, "marie", "bonjour tout le monde, comment allez-vous ce matin"), "fr");
    CHECK_STREQ(said(l, "marie", "je pense que nous devrions commencer la réunion"), "fr");
    CHECK_STREQ(said(l, "marie", "ok"), "fr");
    CHECK_STREQ(said(l, "marie", "lol"), "fr");
    CHECK_STREQ(said(l, "marie", "merci!"), "fr");
    lang_result_t r;
    lang_line(l, "#room", "marie", "super", 5, &r);
    CHECK_STREQ(r.code, "fr");
    /* a clear switch is followed */
    CHECK_STREQ(said(l, "marie", "sorry, I will switch to English for our guests from abroad"), "en");
    CHECK_STREQ(said(l, "marie", "yes"), "en");
    /* the nick is the identity, not its variant with a trailing _ */
    CHECK_STREQ(said(l, "marie_", "ok"), "en");
    /* a nick change keeps the estimate */
    lang_rename(l, "marie", "mariette");
    CHECK_STREQ(said(l, "mariette", "ok"), "en");
    lang_rename(l, "nobody", "someone"); /* unknown: nothing happens */
    lang_rename(NULL, "a", "b");
    /* another nick is not moved by marie */
    CHECK_STREQ(said(l, "hans", "guten Morgen zusammen, wie geht es euch heute"), "de");
    CHECK_STREQ(said(l, "hans", "ja"), "de");
    lang_free(l);
}

static void test_channel_start(void)
{
    lang_t *l = make("en,de,fr");
    /* a German room */
    for (int i = 0; i < 5; i++) {
        char nick[16];
        snprintf(nick, sizeof nick, "n%d", i);
        CHECK_STREQ(said(l, nick, "das ist eine sehr gute Frage, finde ich auch"), "de");
    }
    /* a newcomer's first short line starts from the room's language */
    CHECK_STREQ(said(l, "newbie", "ok"), "de");
    /* a room nobody spoke in starts from the first language of the list */
    lang_result_t r;
    lang_line(l, "#empty", "other", "ok", 2, &r);
    CHECK_STREQ(r.code, "en");
    lang_free(l);
}

static void test_peek_changes_nothing(void)
{
    lang_t *l = make("en,fr");
    CHECK_STREQ(said(l, "paul", "the first thing we should do is agree on the plan"), "en");
    lang_result_t r;
    for (int i = 0; i < 5; i++)
        lang_peek(l, "#room", "paul", "c'est vraiment une très bonne idée, je suis d'accord", 52, &r);
    CHECK_STREQ(r.code, "fr");
    CHECK_STREQ(said(l, "paul", "ok"), "en");
    lang_free(l);
}

static void test_voice(void)
{
    char code[LANG_CODE_MAX];
    lang_of_voice("en-gb-scotland+m3", code, sizeof code);
    CHECK_STREQ(code, "en");
    lang_of_voice("cmn", code, sizeof code);
    CHECK_STREQ(code, "zh");
    lang_of_voice("pt-br+f1", code, sizeof code);
    CHECK_STREQ(code, "pt");
    lang_of_voice("FR-fr", code, sizeof code);
    CHECK_STREQ(code, "fr");

    lang_t *l = make("en,fr,de,pt,zh");
    voice_t v = { "en-gb-scotland+m3", 38, 55, 170, -40 };
    voice_t w = v;
    lang_apply(l, "fr", &w);
    CHECK_STREQ(w.name, "fr-fr+m3");
    CHECK_EQ(w.pitch, 38);
    CHECK_EQ(w.range, 55);
    CHECK_EQ(w.rate, 170);
    CHECK_EQ(w.pan, -40);
    w = v;
    lang_apply(l, "en", &w);  /* its own language: the accent stays */
    CHECK_STREQ(w.name, "en-gb-scotland+m3");
    w = v;
    lang_apply(l, "", &w);
    CHECK_STREQ(w.name, "en-gb-scotland+m3");
    w = v;
    lang_apply(l, "ru", &w);  /* not allowed: no voice for it here */
    CHECK_STREQ(w.name, "en-gb-scotland+m3");
    w = (voice_t){ "de", 50, 50, 175, 0 };
    lang_apply(l, "pt", &w);
    CHECK_STREQ(w.name, "pt-br");
    lang_apply(l, "zh", &w);
    CHECK_STREQ(w.name, "cmn");
    /* overrides */
    CHECK_EQ(lang_set_voice(l, "fr", "fr-be"), 0);
    CHECK_STREQ(lang_voice_of(l, "fr"), "fr-be");
    w = v;
    lang_apply(l, "fr", &w);
    CHECK_STREQ(w.name, "fr-be+m3");
    CHECK_EQ(lang_set_voice(l, "fr", "fr+m1"), PURG_EINVAL);   /* the variant is the nick's */
    CHECK_EQ(lang_set_voice(l, "xx", "fr"), PURG_EINVAL);
    CHECK_EQ(lang_set_voice(l, "fr", ""), PURG_EINVAL);
    CHECK_EQ(lang_set_voice(l, "fr", "a b"), PURG_EINVAL);
    CHECK_STREQ(lang_voice_of(l, "fr"), "fr-be");
    CHECK(lang_voice_of(l, "ru") == NULL);
    lang_free(l);
}

static void test_speak(void)
{
    lang_t *l = make("en,fr");
    dict_t *d = NULL;
    char err[256];
    const char *src = "[en]\nbrb = be right back\n[fr]\nmdr = mort de rire\n";
    CHECK_EQ(dict_parse_string(&d, "test", src, strlen(src), err, sizeof err), 0);
    voice_t v = { "en-us+f2", 60, 50, 180, 30 };
    char text[256] = "brb, the long meeting is starting now for everyone";
    lang_speak(l, d, NULL, "#c", "zoe", text, &v, text, sizeof text);
    CHECK_STREQ(text, "be right back, the long meeting is starting now for everyone");
    CHECK_STREQ(v.name, "en-us+f2");
    char t2[256] = "mdr brb c'est vraiment très drôle, je ne peux plus";
    lang_speak(l, d, NULL, "#c", "zoe", t2, &v, t2, sizeof t2);
    CHECK_STREQ(v.name, "fr-fr+f2");
    CHECK_STREQ(t2, "mort de rire brb c'est vraiment très drôle, je ne peux plus");
    /* languages off: the voice as it is, the dictionary of its language */
    voice_t u = { "en+m1", 50, 50, 175, 0 };
    char t3[256] = "mdr brb";
    lang_speak(NULL, d, NULL, "#c", "zoe", t3, &u, t3, sizeof t3);
    CHECK_STREQ(u.name, "en+m1");
    CHECK_STREQ(t3, "mdr be right back");
    dict_free(d);
    lang_free(l);
}

static void test_many_nicks(void)
{
    /* more nicks than the table holds: the least recent are forgotten, no
     * crash, the newest still have their language (nicks of letters only:
     * trailing digits are a nick's variant, "user1" is "user") */
    lang_t *l = make("en,de");
    char nick[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(nick, sizeof nick, "u%c%c%c", 'a' + i % 26, 'a' + i / 26 % 26, 'a' + i / 676);
        said(l, nick, i % 2 ? "guten Morgen zusammen, wie geht es euch" : "good morning everyone, how are you");
    }
    /* 4999 = 7*676 + 10*26 + 7, 4998 = ... + 6 */
    CHECK_STREQ(said(l, "uhkh", "ja"), "de");
    CHECK_STREQ(said(l, "ugkh", "yes"), "en");
    lang_free(l);
}

/* every language's voice is one espeak-ng has (its data, read from files) */
static void test_voices_exist(void)
{
    lang_t *l = make("en,de,fr,es,it,pt,nl,pl,cs,sk,sv,da,nb,fi,hu,ro,tr,hr,sl,ca,eu,et,lv,lt,is,ga,cy,eo,la,id,ms,vi,af,sq,sw,ru,uk,bg,mk,sr");
    char list[512];
    lang_list(l, list, sizeof list);
    for (char *c = strtok(list, ","); c; c = strtok(NULL, ",")) {
        char why[256] = "";
        int rc = voicemap_voice_status(lang_voice_of(l, c), why, sizeof why);
        if (rc != 0)
            fprintf(stderr, "%s: %s\n", c, why);
        CHECK_EQ(rc, 0);
    }
    lang_free(l);
    l = make("el,he,ar,fa,ur,hi,mr,ne,th,ko,ja,zh");
    lang_list(l, list, sizeof list);
    for (char *c = strtok(list, ","); c; c = strtok(NULL, ",")) {
        char why[256] = "";
        int rc = voicemap_voice_status(lang_voice_of(l, c), why, sizeof why);
        if (rc != 0)
            fprintf(stderr, "%s: %s\n", c, why);
        CHECK_EQ(rc, 0);
    }
    lang_free(l);
}

/* The voices file's [languages] and [dictionary] sections. */
static void test_voices_file(void)
{
    char err[512];
    const char *good = "[voices]\na = en+m1\n[languages]\nuse = en,fr\nFR = fr-be\npt = pt\n"
                       "[dictionary]\nfile = words.dict\n";
    CHECK_EQ(voicemap_parse_string("v.ini", good, strlen(good), 1, err, sizeof err), 0);
    static const struct { const char *text; const char *want; } bad[] = {
        { "[voices]\na = en+m1\n[languages]\nuse = en,xx\n", "v.ini:4: [languages] use: unknown language 'xx'" },
        { "[voices]\na = en+m1\n[languages]\nxx = fr\n", "v.ini:4: unknown key 'xx' in [languages]" },
        { "[voices]\na = en+m1\n[languages]\nfr = fr+m1\n", "v.ini:4: [languages] fr: 'fr+m1' is not" },
        { "[voices]\na = en+m1\n[languages]\nfr = nosuch\n", "v.ini:4: [languages] fr: espeak-ng has no voice" },
        { "[voices]\na = en+m1\n[dictionary]\npath = x\n", "v.ini:4: unknown key 'path' in [dictionary]" },
        { "[voices]\na = en+m1\n[words]\nx = y\n", "v.ini:4: unknown section [words]" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_LT(voicemap_parse_string("v.ini", bad[i].text, strlen(bad[i].text), 1, err, sizeof err), 0);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "got '%s', want '%s'\n", err, bad[i].want);
        CHECK(strstr(err, bad[i].want) != NULL);
    }
    /* loaded: the values, the dictionary next to the voices file */
    const char *dir = getenv("PURG_TEST_TMP");
    char path[1024];
    snprintf(path, sizeof path, "%s/test_lang_voices.ini", dir ? dir : "/tmp");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(good, f);
    fclose(f);
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, path, NULL, err, sizeof err), 0);
    if (!m)
        return;
    CHECK_STREQ(voicemap_languages(m), "en,fr");
    CHECK_EQ(voicemap_lang_voices(m), 2u);
    const char *code, *voice;
    voicemap_lang_voice(m, 0, &code, &voice);
    CHECK_STREQ(code, "fr");
    CHECK_STREQ(voice, "fr-be");
    char dpath[1100], want[1100];
    CHECK_EQ(voicemap_dictionary(m, dpath, sizeof dpath), 0);
    snprintf(want, sizeof want, "%s/words.dict", dir ? dir : "/tmp");
    CHECK_STREQ(dpath, want);
    voicemap_free(m);
    remove(path);
}

/* The voices file's [phrases.CODE]: the words purgatory adds inside a line
 * in language CODE; a key not given keeps the built-in words; bad sections,
 * keys and values are FILE:LINE errors; a reload takes the new words. */
static void test_phrases_file(void)
{
    char err[512];
    static const struct { const char *text; const char *want; } bad[] = {
        { "[voices]\na = en+m1\n[phrases.xx]\nsays = dit\n", "v.ini:4: unknown language in [phrases.xx]" },
        { "[voices]\na = en+m1\n[phrases.]\nsays = dit\n", "v.ini:4: unknown language in [phrases.]" },
        { "[voices]\na = en+m1\n[phrases.frenchfrenchfrench]\nsays = dit\n", "v.ini:4: unknown language in [phrases.frenchfrench" },
        { "[voices]\na = en+m1\n[phrases]\nsays = dit\n", "v.ini:4: unknown section [phrases]" },
        { "[voices]\na = en+m1\n[phrases.fr]\nsay = dit\n", "v.ini:4: unknown key 'say' in [phrases.fr] (known: says, link, link_to, dot)" },
        { "[voices]\na = en+m1\n[phrases.fr]\nsays =\n", "v.ini:4: [phrases.fr] says: a phrase of 1 to 63 bytes" },
        { "[voices]\na = en+m1\n[phrases.fr]\ndot = 0123456789012345678901234567890123456789012345678901234567890123\n",
          "v.ini:4: [phrases.fr] dot: a phrase of 1 to 63 bytes" },
        { "[voices]\na = en+m1\n[phrases.fr]\nlink = li\xc3\n", "v.ini:4: [phrases.fr] link: not valid UTF-8" },
        /* control characters: the INI layer refuses them first */
        { "[voices]\na = en+m1\n[phrases.fr]\nlink = li\x1b[2Jen\n", "v.ini:4: control character ^[ (ESC)" },
        { "[voices]\na = en+m1\n[phrases.fr]\nlink = li\xc2\x85n\n", "v.ini:4: control character <U+0085>" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_LT(voicemap_parse_string("v.ini", bad[i].text, strlen(bad[i].text), 0, err, sizeof err), 0);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "got '%s', want '%s'\n", err, bad[i].want);
        CHECK(strstr(err, bad[i].want) != NULL);
    }
    /* without a file: the built-in words; "" (languages off) is English */
    CHECK_STREQ(voicemap_phrase(NULL, "fr", PHRASE_SAYS), "dit :");
    CHECK_STREQ(voicemap_phrase(NULL, "", PHRASE_SAYS), "says:");
    CHECK_STREQ(voicemap_phrase(NULL, NULL, PHRASE_DOT), "dot");
    char path[1024];
    snprintf(path, sizeof path, "%s/test_lang_phrases.ini", check_tmp_dir());
    const char *text = "[voices]\na = en+m1\n[phrases.fr]\nsays = a dit :\ndot = pt\n"
                       "[phrases.TH]\nsays = \xe0\xb8\x9e\xe0\xb8\xb9\xe0\xb8\x94\n"
                       "[phrases.en]\nlink_to = a link to\n";
    check_write_file(path, text);
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, path, NULL, err, sizeof err), 0);
    if (!m)
        return;
    CHECK_STREQ(voicemap_phrase(m, "fr", PHRASE_SAYS), "a dit :");
    CHECK_STREQ(voicemap_phrase(m, "fr", PHRASE_DOT), "pt");
    CHECK_STREQ(voicemap_phrase(m, "fr", PHRASE_LINK_TO), "lien vers"); /* not given: built in */
    CHECK_STREQ(voicemap_phrase(m, "th", PHRASE_SAYS), "\xe0\xb8\x9e\xe0\xb8\xb9\xe0\xb8\x94"); /* extends */
    CHECK_STREQ(voicemap_phrase(m, "th", PHRASE_DOT), "dot");
    CHECK_STREQ(voicemap_phrase(m, "", PHRASE_LINK_TO), "a link to");   /* languages off: [phrases.en] */
    CHECK_STREQ(voicemap_phrase(m, "xx", PHRASE_LINK_TO), "a link to");
    CHECK_STREQ(voicemap_phrase(m, "de", PHRASE_SAYS), "sagt:");
    /* reloaded with the voices file */
    check_write_file(path, "[voices]\na = en+m1\n[phrases.fr]\nsays = raconte :\n");
    CHECK_EQ(voicemap_reload(m, err, sizeof err), 0);
    CHECK_STREQ(voicemap_phrase(m, "fr", PHRASE_SAYS), "raconte :");
    CHECK_STREQ(voicemap_phrase(m, "fr", PHRASE_DOT), "point");
    CHECK_STREQ(voicemap_phrase(m, "", PHRASE_LINK_TO), "link to");
    voicemap_free(m);
    remove(path);
}

static const check_case_t cases[] = {
    CHECK_CASE(phrases_file),
    CHECK_CASE(voices_file),
    CHECK_CASE(voices_exist),
    CHECK_CASE(spec),           CHECK_CASE(line_guess), CHECK_CASE(nick_keeps_language),
    CHECK_CASE(channel_start),  CHECK_CASE(peek_changes_nothing),
    CHECK_CASE(voice),          CHECK_CASE(speak),      CHECK_CASE(many_nicks),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
