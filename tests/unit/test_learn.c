/* test_learn.c - the learned-lines file: round trip, the cap, forgetting one
 * person, and bad files (no header, bad lines, control characters, NULs,
 * overlong lines) refused or skipped without harm. */
#include "check.h"
#include "learn.h"
#include "purg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_round_trip(void)
{
    learn_t l;
    learn_init(&l);
    CHECK_EQ(learn_add(&l, "alice", 1700000000, "the zanzibarite glows at night"), 0);
    CHECK_EQ(learn_add(&l, "Bob", 1700000001, "coffee is ready"), 0);
    CHECK_EQ(learn_add(&l, "alice", 1700000002, "ça va, naïve café"), 0);
    CHECK_EQ(l.n, 3);
    CHECK(l.dirty);
    const char *tmp = getenv("PURG_TEST_TMP");
    char path[512];
    snprintf(path, sizeof path, "%s/learn-%d.learned", tmp ? tmp : "/tmp", (int)getpid());
    char err[256] = "";
    CHECK_EQ(learn_save(&l, path, err, sizeof err), 0);
    CHECK(!l.dirty);
    learn_t r;
    learn_init(&r);
    CHECK_EQ(learn_load(&r, path, err, sizeof err), 0);
    CHECK_EQ(r.n, 3);
    CHECK_EQ(r.bad, 0);
    CHECK_STREQ(learn_get(&r, 0)->nick, "alice");
    CHECK_EQ(learn_get(&r, 1)->t, 1700000001);
    CHECK_STREQ(learn_get(&r, 2)->text, "ça va, naïve café");
    /* forgetting one person, whatever the case of the nick */
    CHECK_EQ(learn_forget(&r, "ALICE"), 2);
    CHECK_EQ(r.n, 1);
    CHECK_STREQ(learn_get(&r, 0)->nick, "Bob");
    CHECK_EQ(learn_forget(&r, "nobody"), 0);
    CHECK_EQ(learn_save(&r, path, err, sizeof err), 0);
    learn_clear(&r);
    CHECK_EQ(learn_load(&r, path, err, sizeof err), 0);
    CHECK_EQ(r.n, 1);
    unlink(path);
    learn_clear(&r);
    learn_init(&r);
    CHECK_EQ(learn_load(&r, path, err, sizeof err), PURG_ENOTFOUND);
    CHECK_EQ(r.n, 0);
    learn_clear(&l);
}

static void test_cap(void)
{
    learn_t l;
    learn_init(&l);
    char text[64];
    for (int i = 0; i < LEARN_MAX_LINES + 500; i++) {
        snprintf(text, sizeof text, "line number %d", i);
        CHECK_EQ(learn_add(&l, "alice", i, text), 0);
    }
    CHECK_EQ(l.n, LEARN_MAX_LINES);
    CHECK_STREQ(learn_get(&l, 0)->text, "line number 500"); /* the oldest went first */
    snprintf(text, sizeof text, "line number %d", LEARN_MAX_LINES + 499);
    CHECK_STREQ(learn_get(&l, LEARN_MAX_LINES - 1)->text, text);
    CHECK_EQ(learn_forget(&l, "alice"), LEARN_MAX_LINES);
    CHECK_EQ(l.n, 0);
    CHECK_EQ(learn_add(&l, "bob", 1, "again"), 0);
    CHECK_EQ(l.n, 1);
    learn_clear(&l);
}

static void test_bad_input(void)
{
    learn_t l;
    learn_init(&l);
    /* not a learned-lines file */
    CHECK_EQ(learn_parse(&l, "", 0), PURG_EFORMAT);
    CHECK_EQ(learn_parse(&l, "alice\t1\thello\n", 15), PURG_EFORMAT);
    CHECK_EQ(learn_parse(&l, LEARN_MAGIC "x\n", strlen(LEARN_MAGIC) + 2), PURG_EFORMAT);
    /* bad lines are skipped and counted, good ones kept */
    static const char f[] = LEARN_MAGIC "\r\n"
        "alice\t12\tgood line\n"
        "# a comment\n"
        "\n"
        "9nick\t1\tnick starts with a digit\n"
        "bob\tx1\ttime is not a number\n"
        "bob\t-1\tnegative\n"
        "bob\t1\n"
        "bob 1 no tabs\n"
        "bob\t1\tbell \a inside\n"
        "bob\t1\tbad utf-8 \xff\n"
        "bob\t1\t\n"
        "bob\t1234567890123\ttoo many digits\n"
        "carol\t3\tanother good one\r\n"
        "dave\t4\tno newline at the end";
    CHECK_EQ(learn_parse(&l, f, sizeof f - 1), 0);
    CHECK_EQ(l.n, 3);
    CHECK_EQ(l.bad, 9);
    CHECK_STREQ(learn_get(&l, 1)->text, "another good one");
    CHECK_STREQ(learn_get(&l, 2)->nick, "dave");
    learn_clear(&l);
    /* a NUL inside a line, and a line longer than any learned line */
    static const char nul[] = LEARN_MAGIC "\nal\0ice\t1\tx\n";
    CHECK_EQ(learn_parse(&l, nul, sizeof nul - 1), 0);
    CHECK_EQ(l.n, 0);
    CHECK_EQ(l.bad, 1);
    char big[2048];
    memset(big, 'a', sizeof big);
    memcpy(big, LEARN_MAGIC "\nbob\t1\t", strlen(LEARN_MAGIC) + 7);
    CHECK_EQ(learn_parse(&l, big, sizeof big), 0);
    CHECK_EQ(l.n, 0);
    CHECK_EQ(l.bad, 1);
    /* what learn_add refuses */
    CHECK_EQ(learn_add(&l, "bad nick", 1, "x"), PURG_EINVAL);
    CHECK_EQ(learn_add(&l, "alice", 1, "two\nlines"), PURG_EINVAL);
    CHECK_EQ(learn_add(&l, "alice", 1, ""), PURG_EINVAL);
    CHECK_EQ(l.n, 0);
    /* a file that is a directory, or missing */
    char err[256];
    CHECK_EQ(learn_load(&l, "/", err, sizeof err), PURG_EIO);
    CHECK(strstr(err, "cannot read") != NULL);
    learn_clear(&l);
}

static const check_case_t cases[] = {
    CHECK_CASE(round_trip),
    CHECK_CASE(cap),
    CHECK_CASE(bad_input),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
