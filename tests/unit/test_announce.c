/* test_announce.c - announce.c: the "X says" policy, spoken names and the
 * ignore list. */
#include "announce.h"
#include "check.h"
#include "purg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_says(void)
{
    announce_says_t p;
    int secs;
    CHECK(announce_parse_says("change", &p, &secs) == 0 && p == SAYS_CHANGE);
    CHECK(announce_parse_says("30", &p, &secs) == 0 && p == SAYS_SILENCE && secs == 30);
    CHECK(announce_parse_says("5s", &p, &secs) == 0 && secs == 5);
    CHECK_NE(announce_parse_says("0", &p, &secs), 0);
    CHECK_NE(announce_parse_says("sometimes", &p, &secs), 0);
    announce_t a;
    const int64_t s = NS_PER_S;
    announce_init(&a, SAYS_CHANGE, 0);
    CHECK_EQ(announce_before(&a, "alice", 0, 1 * s), 1);
    announce_after(&a, 2 * s);
    CHECK_EQ(announce_before(&a, "Alice", 0, 3 * s), 0); /* same nick, any case */
    CHECK_EQ(announce_before(&a, "bob", 1, 4 * s), 0);   /* actions are never announced */
    CHECK_EQ(announce_before(&a, "bob", 0, 5 * s), 0);   /* but were bob's turn */
    CHECK_EQ(announce_before(&a, "alice", 0, 6 * s), 1);
    announce_init(&a, SAYS_SILENCE, 10);
    CHECK_EQ(announce_before(&a, "alice", 0, 1 * s), 1);
    announce_after(&a, 2 * s);
    CHECK_EQ(announce_before(&a, "alice", 0, 5 * s), 0);
    announce_after(&a, 6 * s);
    CHECK_EQ(announce_before(&a, "alice", 0, 17 * s), 1); /* 11 s of silence */
    announce_init(&a, SAYS_NEVER, 0);
    CHECK_EQ(announce_before(&a, "x", 0, s), 0);
    announce_init(&a, SAYS_ALWAYS, 0);
    CHECK(announce_before(&a, "x", 0, s) == 1 && announce_before(&a, "x", 0, s) == 1);
}

static void test_names_ignore(void)
{
    announce_lists_t l = { 0 };
    char err[256], out[64];
    CHECK_EQ(announce_add_name(&l, "xX_r00t=root", err, sizeof err), 0);
    CHECK_EQ(announce_add_name(&l, "nonsense", err, sizeof err), PURG_EINVAL);
    CHECK_EQ(announce_add_name(&l, "=x", err, sizeof err), PURG_EINVAL);
    announce_spoken(&l, "XX_R00T", out, sizeof out);
    CHECK_STREQ(out, "root");
    announce_spoken(&l, "avi_", out, sizeof out);
    CHECK_STREQ(out, "avi");
    announce_spoken(&l, "bob|away", out, sizeof out);
    CHECK_STREQ(out, "bob away");
    announce_spoken(&l, "__", out, sizeof out);
    CHECK_STREQ(out, "__");
    CHECK_EQ(announce_add_ignore(&l, "*bot", err, sizeof err), 0);
    CHECK_EQ(announce_add_ignore(&l, "*!*@bots.example.org", err, sizeof err), 0);
    CHECK_EQ(announce_add_ignore(&l, "chanserv!*", err, sizeof err), 0);
    CHECK_EQ(announce_ignored(&l, "NewsBot", NULL), 1);
    CHECK_EQ(announce_ignored(&l, "alice", NULL), 0);
    CHECK_EQ(announce_ignored(&l, "alice", "alice!a@bots.example.org"), 1);
    CHECK_EQ(announce_ignored(&l, "alice", "alice!a@home.example.org"), 0);
    CHECK_EQ(announce_ignored(&l, "ChanServ", NULL), 1);
    announce_lists_free(&l);
}

static const check_case_t cases[] = {
    CHECK_CASE(says),
    CHECK_CASE(names_ignore),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
