/* test_dict.c - the pronunciation dictionary (src/dict.c): whole words, case,
 * regular expressions, languages, the output bound, bad files reported as
 * FILE:LINE, reloads that keep the old dictionary on error, the shipped file. */
#include "check.h"

#include "dict.h"
#include "purg.h"

#include <stdlib.h>
#include <unistd.h>

static dict_t *parse(const char *text)
{
    char err[512] = "";
    dict_t *d = NULL;
    int rc = dict_parse_string(&d, "t.dict", text, strlen(text), err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "parse: %s\n", err);
    CHECK_EQ(rc, 0);
    return d;
}

static const char *apply(const dict_t *d, const char *lang, const char *in)
{
    static char out[512];
    dict_apply(d, lang, in, out, sizeof out);
    return out;
}

static void test_words(void)
{
    dict_t *d = parse("; comment\n# comment\n[en]\nlol = laughing out loud\nIT = I T\n"
                      "k8s = kubernetes\nc++ = C plus plus\ntl;dr = too long\n");
    CHECK_EQ(dict_size(d), 5u);
    CHECK_STREQ(apply(d, "en", "lol"), "laughing out loud");
    CHECK_STREQ(apply(d, "en", "LOL, that was Lol!"), "laughing out loud, that was laughing out loud!");
    CHECK_STREQ(apply(d, "en", "lollipop and trololol"), "lollipop and trololol"); /* whole words */
    CHECK_STREQ(apply(d, "en", "ask IT about it"), "ask I T about it");           /* capital: exact */
    CHECK_STREQ(apply(d, "en", "run k8s, K8S and k8sfoo"), "run kubernetes, kubernetes and k8sfoo");
    CHECK_STREQ(apply(d, "en", "I like c++."), "I like C plus plus.");
    CHECK_STREQ(apply(d, "en", "tl;dr: no"), "too long: no");
    CHECK_STREQ(apply(d, "en", "é lol é"), "é laughing out loud é");
    CHECK_STREQ(apply(d, "en", "élol"), "élol");                                   /* a letter before */
    CHECK_STREQ(apply(d, "fr", "lol"), "lol");                                      /* another language */
    CHECK_STREQ(apply(d, NULL, "lol"), "lol");
    CHECK_STREQ(apply(NULL, "en", "lol"), "lol");
    dict_free(d);
}

static void test_sections(void)
{
    dict_t *d = parse("brb = be right back\n[fr]\nmdr = mort de rire\n[*]\nk8s = kubernetes\n"
                      "[DE]\nhdl = hab dich lieb\n");
    CHECK_STREQ(apply(d, "en", "brb mdr k8s hdl"), "be right back mdr kubernetes hdl");
    CHECK_STREQ(apply(d, "fr", "brb mdr k8s hdl"), "be right back mort de rire kubernetes hdl");
    CHECK_STREQ(apply(d, "de", "brb mdr k8s hdl"), "be right back mdr kubernetes hab dich lieb");
    dict_free(d);
}

static void test_regex(void)
{
    dict_t *d = parse("[en]\nregex = /v([0-9]+)\\.([0-9]+)/ version \\1 point \\2\n");
    CHECK_STREQ(apply(d, "en", "try v2.10 or v3.1"), "try version 2 point 10 or version 3 point 1");
    dict_free(d);
    d = parse("regex = /^ok+$/i okay\nregex = /=>/ gives\nregex = /(a)(b)/ \\2\\1\\9\\\\\n"
              "regex = /([0-9]+):([0-9]+)/ \\1 hours \\2\n");
    CHECK_STREQ(apply(d, "en", "OKKK"), "okay");
    CHECK_STREQ(apply(d, "en", "ok then"), "ok then");
    CHECK_STREQ(apply(d, "en", "a => b"), "a gives b");
    CHECK_STREQ(apply(d, "en", "ab"), "ba\\");
    CHECK_STREQ(apply(d, "en", "at 10:30"), "at 10 hours 30"); /* ':' and '=' in a regex */
    dict_free(d);
    d = parse("regex = /[+*]+ ([]a]+) \\+\\+/ ok\n"); /* quantifier characters as literals */
    CHECK_STREQ(apply(d, "en", "x +* a] ++"), "x ok");
    dict_free(d);
    d = parse("regex = /a*/ x\n"); /* matches the empty string everywhere: must end */
    CHECK_STREQ(apply(d, "en", "bab"), "xbxb");
    dict_free(d);
}

static void test_bound(void)
{
    dict_t *d = parse("a = \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\nregex = /b/ \xc3\xa9\xc3\xa9\xc3\xa9\n");
    char out[8];
    size_t n = dict_apply(d, "en", "a a a", out, sizeof out);
    CHECK_EQ(n, 6u); /* three whole é's of the first five: a cut between characters */
    CHECK_STREQ(out, "\xc3\xa9\xc3\xa9\xc3\xa9");
    n = dict_apply(d, "en", "bbbbbbbb", out, sizeof out);
    CHECK_EQ(strlen(out), n);
    CHECK_EQ(n % 2, 0u);
    CHECK_EQ(dict_apply(d, "en", "x", out, 0), 0u);
    dict_free(d);
}

/* Each bad file: the error names the file and the line, and says what. */
static void test_bad_input(void)
{
    static const struct { const char *text; const char *want; } bad[] = {
        { "lol laughing\n", "t.dict:1: syntax error" },
        { "ok = fine\n= nothing\n", "t.dict:2: the word before '=' is empty" },
        { "lol =\n", "t.dict:1: nothing to say after '='" },
        { "two words = x\n", "t.dict:1: a word entry is one word" },
        { "[en]\nregex = /(/ x\n", "t.dict:2: bad regular expression" },
        { "regex = /abc x\n", "t.dict:1: a regular expression starts with '/' and ends with '/'" },
        { "regex = abc x\n", "t.dict:1: expected regex = /REGEX/ SAID" },
        { "regex = /abc/x y\n", "t.dict:1: expected regex = /REGEX/ SAID" },
        { "regex = /abc/\n", "t.dict:1: expected regex = /REGEX/ SAID" },
        { "regex = /abc/i   \n", "t.dict:1: expected regex = /REGEX/ SAID" },
        { "regex = // y\n", "t.dict:1: a regular expression of 1 to" },
        { "regex = /a{1,1000}/ y\n", "t.dict:1: repeat counts over 50" },
        { "regex = /(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)/ y\n", "t.dict:1: at most 9 groups" },
        { "regex = /v++([0-9]+)/ y\n", "t.dict:1: repetition of a repetition" },
        { "regex = /(((a{50}){50}){50})/ y\n", "t.dict:1: repeat counts of a regular expression multiply past 1000" },
        { "regex = /a*{2}/ y\n", "t.dict:1: repetition of a repetition" },
        { "regex = /a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+/ y\n", "t.dict:1: more than 16 repetitions" },
        { "[klingon]\nx = y\n", "t.dict:2: section [klingon] is not [*] or a language code" },
        { "[en\n", "t.dict:1: syntax error" },
        { "ok = fi\x1bne\n", "t.dict:1: control character" },
        { "ok = \xff\xfe\n", "t.dict:1: not valid UTF-8" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512] = "";
        dict_t *d = NULL;
        int rc = dict_parse_string(&d, "t.dict", bad[i].text, strlen(bad[i].text), err, sizeof err);
        CHECK_LT(rc, 0);
        CHECK(d == NULL);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "case %zu: got '%s', want '%s'\n", i, err, bad[i].want);
        CHECK(strstr(err, bad[i].want) != NULL);
        CHECK(strchr(err, 0x1b) == NULL);
    }
    /* a NUL byte, a line too long */
    char err[512];
    dict_t *d = NULL;
    CHECK_LT(dict_parse_string(&d, "t.dict", "a = b\0c\n", 8, err, sizeof err), 0);
    CHECK(strstr(err, "t.dict:1:") != NULL);
    char *big = malloc(5000);
    memset(big, 'x', 4999);
    memcpy(big, "a = ", 4);
    big[4999] = '\0';
    CHECK_LT(dict_parse_string(&d, "t.dict", big, strlen(big), err, sizeof err), 0);
    CHECK(strstr(err, "t.dict:1: line too long") != NULL);
    free(big);
    /* an empty file, a byte-order mark, CRLF: fine */
    CHECK_EQ(dict_parse_string(&d, "t.dict", "", 0, err, sizeof err), 0);
    CHECK_EQ(dict_size(d), 0u);
    dict_free(d);
    d = parse("\xef\xbb\xbf[en]\r\nlol = ha\r\n");
    CHECK_STREQ(apply(d, "en", "lol"), "ha");
    dict_free(d);
    /* a file that is not there, a folder */
    CHECK_EQ(dict_load(&d, "/nonexistent/x.dict", err, sizeof err), PURG_ENOTFOUND);
    CHECK(strstr(err, "/nonexistent/x.dict: ") != NULL);
    CHECK_EQ(dict_load(&d, "/", err, sizeof err), PURG_EINVAL);
    CHECK(strstr(err, "/ is a directory, not a dictionary") != NULL);
}

static void test_reload(void)
{
    const char *dir = getenv("PURG_TEST_TMP");
    char path[1024];
    snprintf(path, sizeof path, "%s/test_dict_%d.dict", dir ? dir : "/tmp", (int)getpid());
    check_write_file(path, "[en]\nlol = laughing\n");
    char err[512];
    dict_t *d = NULL;
    CHECK_EQ(dict_load(&d, path, err, sizeof err), 0);
    CHECK_STREQ(dict_path(d), path);
    CHECK_EQ(dict_file_changed(d), 0);
    CHECK_STREQ(apply(d, "en", "lol"), "laughing");
    check_write_file(path, "[en]\nlol = ha ha\nbrb = back soon\n");
    CHECK_EQ(dict_file_changed(d), 1);
    CHECK_EQ(dict_reload(d, err, sizeof err), 0);
    CHECK_EQ(dict_file_changed(d), 0);
    CHECK_STREQ(apply(d, "en", "lol brb"), "ha ha back soon");
    /* a bad edit: the previous dictionary stays */
    check_write_file(path, "[en]\nlol = ha ha\nbroken line\n");
    CHECK_LT(dict_reload(d, err, sizeof err), 0);
    CHECK(strstr(err, ":3: syntax error") != NULL);
    CHECK_STREQ(apply(d, "en", "lol brb"), "ha ha back soon");
    unlink(path);
    CHECK_LT(dict_reload(d, err, sizeof err), 0);
    CHECK_STREQ(apply(d, "en", "lol brb"), "ha ha back soon");
    dict_free(d);
}

/* The dictionary that ships (voices/pronounce.dict) loads, and says the
 * chat words it promises. */
static void test_shipped(void)
{
    const char *src = getenv("PURG_SOURCE_DIR");
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/voices/pronounce.dict", src ? src : ".");
    dict_t *d = NULL;
    CHECK_EQ(dict_load(&d, path, err, sizeof err), 0);
    if (!d) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_STREQ(apply(d, "en", "brb, afaik imo k8s wtf"),
                "be right back, as far as I know in my opinion kubernetes what the heck");
    CHECK_STREQ(apply(d, "fr", "k8s brb"), "kubernetes brb");
    /* versions with a v: what espeak-ng reads digit by digit */
    CHECK_STREQ(apply(d, "en", "v2.10 is out, see (v3.1)"), "version 2 point 10 is out, see (version 3 point 1)");
    CHECK_STREQ(apply(d, "en", "dev2.10 and 2.10"), "dev2.10 and 2.10");
    dict_free(d);
}

static const check_case_t cases[] = {
    CHECK_CASE(words),     CHECK_CASE(sections), CHECK_CASE(regex),   CHECK_CASE(bound),
    CHECK_CASE(bad_input), CHECK_CASE(reload),   CHECK_CASE(shipped),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
