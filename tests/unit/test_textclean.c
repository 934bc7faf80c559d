/* test_textclean.c - unit tests for the IRC text clean-up (textclean.c). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "purg.h"
#include "textclean.h"
#include "util.h"

static char buf[4096];

/* Cleans s (strlen) with cap 'cap' (0 = default) and returns the output. */
static const char *clean_cap(const char *s, size_t cap)
{
    textclean_opts_t o = {.max_chars = cap};
    int n = textclean_clean(&o, s, strlen(s), buf, sizeof buf);
    if (n < 0)
        return "(error)";
    if ((size_t)n != strlen(buf) || !util_utf8_valid(buf, (size_t)n))
        return "(bad output)";
    return buf;
}

static const char *clean(const char *s) { return clean_cap(s, 0); }

static void test_formatting(void)
{
    CHECK_STREQ(clean("\x02" "bold\x02 text"), "bold text");
    CHECK_STREQ(clean("\x03" "4red\x03 plain"), "red plain");
    CHECK_STREQ(clean("\x03" "04,12both\x0f done"), "both done");
    CHECK_STREQ(clean("\x03" "12,5x"), "x");
    CHECK_STREQ(clean("\x03" "123"), "3");              /* two digits at most */
    CHECK_STREQ(clean("\x03" "4,x"), ",x");             /* comma without digit is text */
    CHECK_STREQ(clean("\x03,5x"), ",5x");               /* no fg: the comma is text */
    CHECK_STREQ(clean("\x04" "FF00aa,00ff00hex"), "hex");
    CHECK_STREQ(clean("\x04" "FF00aahi"), "hi");
    CHECK_STREQ(clean("\x04" "FF00aa,zz"), ",zz");
    CHECK_STREQ(clean("\x04" "12345"), "12345");        /* not six hex digits */
    CHECK_STREQ(clean("a\x1d" "b\x1f" "c\x1e" "d\x11" "e\x16" "f"), "abcdef");
    CHECK_STREQ(clean("\x01" "ACTION waves\x01"), "ACTION waves");
    CHECK_STREQ(clean("tab\there"), "tab here");
    CHECK_STREQ(clean("del\x7fhere"), "del here");
    /* NUL inside inlen is a space, and nothing after inlen is read */
    const char nul[] = {'a', '\0', 'b', 'X'};
    int n = textclean_clean(NULL, nul, 3, buf, sizeof buf);
    CHECK_EQ(n, 3);
    CHECK_STREQ(buf, "a b");
    CHECK_STREQ(clean("zero\xe2\x80\x8bwidth"), "zerowidth");
    CHECK_STREQ(clean("no\xc2\xa0" "break"), "no break");
}

static void test_urls(void)
{
    CHECK_STREQ(clean("see https://www.example.com/path?q=1 now"),
                "see link to example dot com now");
    CHECK_STREQ(clean("http://Example.ORG"), "link to example dot org");
    CHECK_STREQ(clean("www.foo.co.uk/x"), "link to foo dot co dot uk");
    CHECK_STREQ(clean("ftp://user:pw@files.example.net:2121/a"),
                "link to files dot example dot net");
    CHECK_STREQ(clean("(https://example.com/a)."), "link to example dot com");
    CHECK_STREQ(clean("http://[::1]:80/"), "link");
    CHECK_STREQ(clean("http://"), "link");
    CHECK_STREQ(clean("HTTPS://a.b#frag"), "link to a dot b");
    CHECK_STREQ(clean("www."), "www.");   /* not a URL: nothing after www. */
    CHECK_STREQ(clean("awww.nice"), "awww.nice");
}

static void test_emoji(void)
{
    /* emoji stay, as words of their own, for espeak-ng to name in the
     * voice's language; skin tones and variation selectors vanish */
    CHECK_STREQ(clean("hi \xf0\x9f\x99\x82"), "hi \xf0\x9f\x99\x82");         /* 🙂 */
    CHECK_STREQ(clean("love \xe2\x9d\xa4\xef\xb8\x8f"), "love \xe2\x9d\xa4"); /* ❤️ */
    CHECK_STREQ(clean("ok\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd!"), "ok \xf0\x9f\x91\x8d !"); /* 👍🏽 */
    /* a run of the same emoji is said once, spaces between or not */
    CHECK_STREQ(clean("\xf0\x9f\x98\x82\xf0\x9f\x98\x82\xf0\x9f\x98\x82 lol"), "\xf0\x9f\x98\x82 lol");
    CHECK_STREQ(clean("\xf0\x9f\x98\x82 \xf0\x9f\x98\x82"), "\xf0\x9f\x98\x82");
    /* a word between: said again */
    CHECK_STREQ(clean("\xf0\x9f\x98\x82 lol \xf0\x9f\x98\x82"), "\xf0\x9f\x98\x82 lol \xf0\x9f\x98\x82");
    /* any pictograph, old or new, named or not by the table that was */
    CHECK_STREQ(clean("\xf0\x9f\xa6\x9c parrot"), "\xf0\x9f\xa6\x9c parrot");  /* 🦜 */
    CHECK_STREQ(clean("\xf0\x9f\xa5\xb2"), "\xf0\x9f\xa5\xb2");                /* 🥲 */
    /* at most three emoji a line: a wall of them costs no minute of speech */
    CHECK_STREQ(clean("\xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82\xf0\x9f\x98\x83\xf0\x9f\x98\x84 end"),
                "\xf0\x9f\x98\x80 \xf0\x9f\x98\x81 \xf0\x9f\x98\x82 end");
    CHECK_STREQ(clean("a \xf0\x9f\x98\x80 b \xf0\x9f\x98\x81 c \xf0\x9f\x98\x82 d \xf0\x9f\x98\x83 e :)"),
                "a \xf0\x9f\x98\x80 b \xf0\x9f\x98\x81 c \xf0\x9f\x98\x82 d e");
    /* text emoticons become the emoji they stand for */
    CHECK_STREQ(clean(":)"), "\xf0\x9f\x99\x82");
    CHECK_STREQ(clean("well :( ok"), "well \xf0\x9f\x99\x81 ok");
    CHECK_STREQ(clean(":D :DDDD"), "\xf0\x9f\x98\x80");          /* one run */
    CHECK_STREQ(clean(";) ;-)"), "\xf0\x9f\x98\x89");
    CHECK_STREQ(clean(":)))))"), "\xf0\x9f\x99\x82");
    CHECK_STREQ(clean("f:)"), "f:)");  /* only standalone emoticons */
    CHECK_STREQ(clean("<3"), "\xe2\x9d\xa4");
    CHECK_STREQ(clean("\\o/"), "\xf0\x9f\x99\x8c");
}

static void test_floods(void)
{
    CHECK_STREQ(clean("noooooooo"), "nooo");
    CHECK_STREQ(clean("nooo"), "nooo");
    CHECK_STREQ(clean("!!!!!!!"), "!!!");
    CHECK_STREQ(clean("spam spam spam spam spam"), "spam spam spam");
    CHECK_STREQ(clean("spam Spam SPAM spam eggs spam"), "spam Spam SPAM eggs spam");
    CHECK_STREQ(clean("a a a b a a a a"), "a a a b a a a");
    CHECK_STREQ(clean("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), "\xc3\xa9\xc3\xa9\xc3\xa9");
    /* a number is not a flood: its zeros stay, up to a billion */
    CHECK_STREQ(clean("we raised 100000 today"), "we raised 100000 today");
    CHECK_STREQ(clean("1000000000 and 7777"), "1000000000 and 7777");
    CHECK_STREQ(clean("10000000000"), "1000");
    CHECK_STREQ(clean("0000000000000000000000000000"), "000");
}

static void test_whitespace_and_empty(void)
{
    CHECK_STREQ(clean("   lots    of \t spaces   "), "lots of spaces");
    CHECK_EQ(textclean_clean(NULL, "", 0, buf, sizeof buf), 0);
    CHECK_STREQ(buf, "");
    CHECK_EQ(textclean_clean(NULL, NULL, 0, buf, sizeof buf), 0);
    const char *fmt = "\x02\x03" "4,5\x0f  \x1f\x16 ";
    CHECK_EQ(textclean_clean(NULL, fmt, strlen(fmt), buf, sizeof buf), 0);
    CHECK_STREQ(buf, "");
    CHECK_EQ(textclean_clean(NULL, "x", 1, NULL, 10), PURG_EINVAL);
    CHECK_EQ(textclean_clean(NULL, "x", 1, buf, 0), PURG_EINVAL);
    CHECK_EQ(textclean_clean(NULL, NULL, 3, buf, sizeof buf), PURG_EINVAL);
}

static void test_invalid_utf8(void)
{
    CHECK_STREQ(clean("caf\xe9 ok"), "caf ok");
    CHECK_STREQ(clean("\xff\xfe\xfd"), "");
    CHECK_STREQ(clean("a\xc0\xafz"), "az");          /* overlong '/' */
    CHECK_STREQ(clean("x\xed\xa0\x80y"), "xy");      /* surrogate */
    CHECK_STREQ(clean("\xf4\x90\x80\x80q"), "q");    /* above U+10FFFF */
    /* a sequence cut short by inlen is dropped, not read past */
    const char cut[] = "ab\xe2\x82\xac";
    int n = textclean_clean(NULL, cut, 4, buf, sizeof buf);
    CHECK_EQ(n, 2);
    CHECK_STREQ(buf, "ab");
}

static void test_cap(void)
{
    /* fits exactly: no ellipsis */
    CHECK_STREQ(clean_cap("aaa bbb ccc", 11), "aaa bbb ccc");
    /* cut at a word boundary, " ..." inside the cap */
    CHECK_STREQ(clean_cap("one two three four five six", 20), "one two three ...");
    CHECK_LE(strlen(clean_cap("one two three four five six", 20)), 20);
    /* a single long word: cut mid-word */
    CHECK_STREQ(clean_cap("abcdefghijklmnopqrstuvwxyz", 12), "abcdefgh ...");
    /* never in the middle of a UTF-8 sequence */
    const char *e = clean_cap("\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0\xc3\xa2\xc3\xb4", 13);
    CHECK_LE(strlen(e), 13);
    CHECK_STREQ(e, "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab ...");
    /* tiny caps: no ellipsis */
    CHECK_STREQ(clean_cap("hello world", 5), "hello");
    CHECK_STREQ(clean_cap("hello world", 7), "hello");
    CHECK_STREQ(clean_cap("hello", 3), "hel");
    CHECK_STREQ(clean_cap("\xe2\x82\xac\xe2\x82\xac", 4), "\xe2\x82\xac");

    /* default cap: 300 bytes, ending " ..." */
    char big[2000];
    size_t k = 0;
    for (int i = 0; i < 150; i++) {
        memcpy(big + k, "word", 4);
        big[k + 4] = (char)('a' + i % 26);
        big[k + 5] = ' ';
        k += 6;
    }
    big[k] = '\0';
    const char *r = clean(big);
    CHECK_LE(strlen(r), 300);
    CHECK_GT(strlen(r), 250);
    CHECK_STREQ(r + strlen(r) - 4, " ...");

    /* 512-byte IRC line of one repeated character */
    memset(big, 'z', 512);
    big[512] = '\0';
    CHECK_STREQ(clean(big), "zzz");

    /* tiny outlen: the output always fits and is terminated */
    char small[4];
    int n = textclean_clean(NULL, "hello world", 11, small, sizeof small);
    CHECK_EQ(n, 3);
    CHECK_STREQ(small, "hel");
    n = textclean_clean(NULL, "hello", 5, small, 1);
    CHECK(n == 0 && small[0] == '\0');
    n = textclean_clean(NULL, "\xc3\xa9\xc3\xa9", 4, small, 2);
    CHECK(n == 0 && small[0] == '\0');
}

/* The URL words in the language of the line (opts.lang, phrases.h). */
static const char *clean_lang(const char *s, const char *lang)
{
    textclean_opts_t o = {.lang = lang};
    int n = textclean_clean(&o, s, strlen(s), buf, sizeof buf);
    return n < 0 ? "(error)" : buf;
}

static void test_url_language(void)
{
    CHECK_STREQ(clean_lang("voir https://www.exemple.fr/page", "fr"), "voir lien vers exemple point fr");
    CHECK_STREQ(clean_lang("http://[::1]:80/", "fr"), "lien");
    CHECK_STREQ(clean_lang("siehe www.beispiel.de", "de"), "siehe Link zu beispiel Punkt de");
    CHECK_STREQ(clean_lang("http://пример.рф", "ru"), "ссылка на пример точка рф");
    CHECK_STREQ(clean_lang("http://a.b.c", "pt-br"), "link para a ponto b ponto c");
    /* English: no language, "", "en", and any language without words of its own */
    const char *langs[] = {NULL, "", "en", "th", "xx-yy"};
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        CHECK_STREQ(clean_lang("see https://www.example.com/x", langs[i]), "see link to example dot com");
    /* each word of a phrase counts for the repeat rule, as in English */
    CHECK_STREQ(clean_lang("lien lien lien http://a.b", "fr"), "lien lien lien vers a point b");
    CHECK_STREQ(clean_lang("link link link http://a.b", NULL), "link link link to a dot b");
    /* and for the cap: a phrase may be cut like any words */
    textclean_opts_t o = {.max_chars = 20, .lang = "fr"};
    int n = textclean_clean(&o, "http://exemple.example.fr", 25, buf, sizeof buf);
    CHECK_EQ(n, (int)strlen(buf));
    CHECK_STREQ(buf, "lien vers ...");
}

static const check_case_t cases[] = {
    CHECK_CASE(url_language),
    CHECK_CASE(formatting),
    CHECK_CASE(urls),
    CHECK_CASE(emoji),
    CHECK_CASE(floods),
    CHECK_CASE(whitespace_and_empty),
    CHECK_CASE(invalid_utf8),
    CHECK_CASE(cap),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
