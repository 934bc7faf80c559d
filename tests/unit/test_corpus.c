/* test_corpus.c - corpus readers: plain text, irssi, weechat and ZNC logs,
 * the nick filter, and bad input (UTF-8, NUL, huge lines, empty files). */
#include "check.h"
#include "corpus.h"
#include "purg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct got {
    char lines[32][256];
    int n;
} got_t;

static int collect(void *ud, const char *line, size_t len)
{
    got_t *g = ud;
    CHECK_EQ(strlen(line), len);
    if (g->n < 32)
        snprintf(g->lines[g->n++], sizeof g->lines[0], "%s", line);
    return 0;
}

static corpus_stats_t run(corpus_format_t f, const char *text, size_t len, const char *const *nicks,
                          size_t nn, got_t *g)
{
    corpus_opts_t o = { .format = f, .nicks = nicks, .nnicks = nn };
    corpus_stats_t st;
    memset(&st, 0, sizeof st);
    memset(g, 0, sizeof *g);
    CHECK_EQ(corpus_read_mem(text, len, &o, collect, g, &st), 0);
    return st;
}

static void test_plain(void)
{
    static const char text[] = "hello there\r\n\n  spaced out  \n\x02" "bold\x02 and \x03" "4,12red\x03\n"
                               "bad \xc3\x28 utf8\nnul\0here\nlast without newline";
    got_t g;
    corpus_stats_t st = run(CORPUS_PLAIN, text, sizeof text - 1, NULL, 0, &g);
    CHECK_EQ(g.n, 4);
    CHECK_STREQ(g.lines[0], "hello there");
    CHECK_STREQ(g.lines[1], "spaced out");
    CHECK_STREQ(g.lines[2], "bold and red");
    CHECK_STREQ(g.lines[3], "last without newline");
    CHECK_EQ(st.lines, 7);
    CHECK(st.blank == 1 && st.bad_utf8 == 1 && st.nul == 1);
    CHECK(st.used == 4 && corpus_skipped(&st) == 3);
}

static void test_irssi(void)
{
    static const char text[] =
        "--- Log opened Mon Jan 01 00:00:00 2024\n"
        "12:00 -!- alice [~a@host] has joined #purgatory\n"
        "12:01 <@alice> good morning everyone\n"
        "12:01 < Bob> morning alice\n"
        "12:02:33 <+carol> hi\n"
        "12:03  * alice waves\n"
        "12:04 -!- mode/#purgatory [+o Bob] by alice\n"
        "--- Day changed Tue Jan 02 2024\n"
        "12:05 <ALICE> shouting now\n"
        "garbage line\n";
    got_t g;
    corpus_stats_t st = run(CORPUS_IRSSI, text, sizeof text - 1, NULL, 0, &g);
    CHECK_EQ(g.n, 4);
    CHECK_STREQ(g.lines[0], "good morning everyone");
    CHECK_STREQ(g.lines[1], "morning alice");
    CHECK_STREQ(g.lines[2], "hi");
    CHECK(st.events == 5 && st.unparsed == 1);
    static const char *const alice[] = { "alice" };
    st = run(CORPUS_IRSSI, text, sizeof text - 1, alice, 1, &g);
    CHECK_EQ(g.n, 2);
    CHECK_STREQ(g.lines[0], "good morning everyone");
    CHECK_STREQ(g.lines[1], "shouting now"); /* nicks compare case-insensitively */
    CHECK_EQ(st.other_nick, 2);
    /* under the IRC case mapping: [ ] \ ~ are the upper case of { } | ^ */
    static const char brackets[] = "12:00 <foo{M}> one\n12:01 <Foo[m]> two\n12:02 <foo(m)> three\n";
    static const char *const foo[] = { "FOO[m]" };
    st = run(CORPUS_IRSSI, brackets, sizeof brackets - 1, foo, 1, &g);
    CHECK_EQ(g.n, 2);
    CHECK_EQ(st.other_nick, 1);
}

static void test_weechat(void)
{
    static const char text[] =
        "2024-01-01 12:00:00\t-->\talice (~a@host) has joined #purgatory\n"
        "2024-01-01 12:00:01\t@alice\tgood morning\n"
        "2024-01-01 12:00:02\tbob\tmorning\n"
        "2024-01-01 12:00:03\t *\talice waves\n"
        "2024-01-01 12:00:04\t<--\tbob (~b@host) has quit\n"
        "2024-01-01 12:00:05\t--\tMode #purgatory [+o alice] by ChanServ\n"
        "2024-01-01 12:00:06\t+Dave[m]\tbridged hello\n"
        "no tabs here\n";
    got_t g;
    corpus_stats_t st = run(CORPUS_WEECHAT, text, sizeof text - 1, NULL, 0, &g);
    CHECK_EQ(g.n, 3);
    CHECK_STREQ(g.lines[0], "good morning");
    CHECK_STREQ(g.lines[2], "bridged hello");
    CHECK(st.events == 4 && st.unparsed == 1);
    static const char *const who[] = { "bob", "dave{M}" };
    st = run(CORPUS_WEECHAT, text, sizeof text - 1, who, 2, &g);
    CHECK_EQ(g.n, 2);
    CHECK_STREQ(g.lines[0], "morning");
    CHECK_STREQ(g.lines[1], "bridged hello"); /* RFC 1459 case mapping */
}

static void test_znc(void)
{
    static const char text[] =
        "[12:00:00] *** Joins: alice (~a@host)\n"
        "[12:00:01] <alice> hello from znc\n"
        "[12:00:02] * alice dances\n"
        "[12:00:03] -NickServ- notice text\n"
        "[12:00:04] *** bob is now known as rob\n"
        "[12:00:05] <rob> renamed\n"
        "12:00:06 <x> no brackets\n";
    got_t g;
    corpus_stats_t st = run(CORPUS_ZNC, text, sizeof text - 1, NULL, 0, &g);
    CHECK_EQ(g.n, 2);
    CHECK_STREQ(g.lines[0], "hello from znc");
    CHECK_STREQ(g.lines[1], "renamed");
    CHECK(st.events == 4 && st.unparsed == 1);
}

static int stop_at_two(void *ud, const char *line, size_t len)
{
    (void)line;
    (void)len;
    return ++*(int *)ud == 2 ? PURG_EFULL : 0;
}

static void test_files_and_limits(void)
{
    const char *tmp = getenv("PURG_TEST_TMP");
    char path[1024];
    snprintf(path, sizeof path, "%s/test_corpus.txt", tmp ? tmp : "/tmp");
    /* an enormous line between two ordinary ones */
    FILE *f = fopen(path, "wb");
    fputs("first line\n", f);
    for (int i = 0; i < 3 * 1024; i++) {
        char chunk[1024];
        memset(chunk, 'x', sizeof chunk);
        fwrite(chunk, 1, sizeof chunk, f);
    }
    fputs("\nlast line\n", f);
    fclose(f);
    corpus_opts_t o = { .format = CORPUS_PLAIN };
    corpus_stats_t st;
    memset(&st, 0, sizeof st);
    got_t g;
    memset(&g, 0, sizeof g);
    CHECK_EQ(corpus_read_file(path, &o, collect, &g, &st), 0);
    CHECK(g.n == 2 && st.too_long == 1 && st.lines == 3);
    CHECK_STREQ(g.lines[1], "last line");
    /* the callback can stop the reading */
    int calls = 0;
    memset(&st, 0, sizeof st);
    f = fopen(path, "wb");
    fputs("a\nb\nc\n", f);
    fclose(f);
    CHECK_EQ(corpus_read_file(path, &o, stop_at_two, &calls, &st), PURG_EFULL);
    CHECK_EQ(calls, 2);
    /* an empty file is no error, just no lines */
    f = fopen(path, "wb");
    fclose(f);
    memset(&st, 0, sizeof st);
    CHECK_EQ(corpus_read_file(path, &o, collect, &g, &st), 0);
    CHECK(st.lines == 0 && st.used == 0);
    unlink(path);
    CHECK_EQ(corpus_read_file("/nonexistent/corpus.txt", &o, collect, &g, &st), PURG_ENOTFOUND);
    /* a FIFO, a device or a directory is refused at once (a FIFO blocked) */
    snprintf(path, sizeof path, "%s/test_corpus.fifo", tmp ? tmp : "/tmp");
    unlink(path);
    CHECK_EQ(mkfifo(path, 0600), 0);
    CHECK_EQ(corpus_read_file(path, &o, collect, &g, &st), PURG_EINVAL);
    unlink(path);
    CHECK_EQ(corpus_read_file("/dev/null", &o, collect, &g, &st), PURG_EINVAL);
    CHECK_EQ(corpus_read_file(tmp ? tmp : "/tmp", &o, collect, &g, &st), PURG_EINVAL);
    /* options */
    corpus_format_t fm;
    CHECK(corpus_format_parse("weechat", &fm) == 0 && fm == CORPUS_WEECHAT);
    CHECK_EQ(corpus_format_parse("mirc", &fm), PURG_EINVAL);
    CHECK_STREQ(corpus_format_name(CORPUS_ZNC), "znc");
    corpus_opts_t badopt = { .format = (corpus_format_t)9 };
    CHECK_EQ(corpus_read_mem("x\n", 2, &badopt, collect, &g, &st), PURG_EINVAL);
}

static const check_case_t cases[] = {
    CHECK_CASE(plain),
    CHECK_CASE(irssi),
    CHECK_CASE(weechat),
    CHECK_CASE(znc),
    CHECK_CASE(files_and_limits),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
