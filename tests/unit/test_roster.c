/* test_roster.c - the nick set (roster.c): case mapping, flags, renames, and
 * a randomized comparison with a plain array over thousands of operations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "purg.h"
#include "roster.h"

/* nick.h: the one case mapping the roster and every nick comparison use. */
static void test_nick(void)
{
    CHECK_EQ(nick_fold_char('A'), 'a');
    CHECK_EQ(nick_fold_char('['), '{');
    CHECK_EQ(nick_fold_char(']'), '}');
    CHECK_EQ(nick_fold_char('\\'), '|');
    CHECK_EQ(nick_fold_char('~'), '^');
    CHECK_EQ(nick_fold_char('{'), '{');
    CHECK_EQ(nick_fold_char('_'), '_');
    CHECK_EQ(nick_fold_char('\xc4'), '\xc4'); /* bytes above ASCII stay */
    char out[8];
    nick_fold("Foo[M]\\~", out, sizeof out);
    CHECK_STREQ(out, "foo{m}|");                /* cut to fit, NUL-terminated */
    nick_fold("AB", out, 1);
    CHECK_STREQ(out, "");
    CHECK(nick_eq("Foo[m]", "foo{M}"));
    CHECK(nick_eq("a\\b~", "A|B^"));
    CHECK(!nick_eq("foo[m]", "foo(m)"));
    CHECK(!nick_eq("foo", "foo_"));
    CHECK(nick_prefix("FOO{M}: hi", "foo[m]", 6));
    CHECK(!nick_prefix("foo", "foo[m]", 6));    /* s ends first */
    CHECK(nick_prefix("ab", "AB", 5));          /* both end together */
    CHECK(nick_prefix("", "x", 0));
}

/* nick_match: IRC masks as servers match them ('*', '?', the mapping; a
 * bracket is a nick character); nick_pattern_match: --ignore patterns. */
static void test_masks(void)
{
    CHECK(nick_match("*bot", "NewsBot"));
    CHECK(nick_match("*bot", "bot"));
    CHECK(!nick_match("*bot", "bots"));
    CHECK(nick_match("a?c", "ABC"));
    CHECK(!nick_match("a?c", "ac"));
    CHECK(nick_match("*", ""));
    CHECK(nick_match("", ""));
    CHECK(!nick_match("", "a"));
    CHECK(nick_match("**a**b*", "xxaYYbzz"));
    CHECK(nick_match("*a*b", "aaab"));
    CHECK(!nick_match("*a*b", "aaba"));
    CHECK(nick_match("[m]*", "{M}bob"));          /* rfc1459: [ is { */
    CHECK(nick_match("dj\\~*", "DJ|^x"));
    CHECK(!nick_match("[ab]", "a"));              /* not a set */
    CHECK(nick_match("*!*@*.example.org", "al!~a@bots.Example.ORG"));
    CHECK(!nick_match("*!*@*.example.org", "al!~a@example.org"));
    /* patterns: a nick mask, or a hostmask against nick!user@host */
    CHECK(nick_pattern_match("*bot", "NewsBot", NULL));
    CHECK(nick_pattern_match("*bot", "NewsBot", "NewsBot!n@h"));
    CHECK(!nick_pattern_match("*bot", "alice", "alice!bot@h"));
    CHECK(nick_pattern_match("*!*hidden@*", "vera", "vera!~hidden@127.0.0.1"));
    CHECK(!nick_pattern_match("*!*hidden@*", "vera", "vera!~vera@127.0.0.1"));
    /* user@host unknown (NULL, or only the nick): only "nick!*" style can match */
    CHECK(!nick_pattern_match("*!*hidden@*", "vera", NULL));
    CHECK(!nick_pattern_match("*!*hidden@*", "vera", "vera"));
    CHECK(nick_pattern_match("vera!*", "VERA", NULL));
    CHECK(nick_pattern_match("ver?!*@*", "vera", "vera"));
    CHECK(!nick_pattern_match("bob!*", "vera", NULL));
    CHECK(!nick_pattern_match("vera!*", NULL, NULL));
}

/* ISUPPORT CASEMAPPING: what the server says decides how nicks fold. */
static void test_casemapping(void)
{
    CHECK_EQ(nick_casemapping(), NICK_RFC1459); /* until a server says */
    CHECK_EQ(nick_set_casemapping("ascii"), NICK_ASCII);
    CHECK(nick_eq("DJ", "dj"));
    CHECK(!nick_eq("dj[m]", "dj{m}"));
    CHECK(nick_match("*[m]", "DJ[M]") && !nick_match("*[m]", "dj{m}"));
    CHECK_EQ(nick_set_casemapping("strict-rfc1459"), NICK_STRICT_RFC1459);
    CHECK(nick_eq("dj[m]\\", "DJ{M}|"));
    CHECK(!nick_eq("a~", "a^"));
    CHECK_EQ(nick_set_casemapping("rfc8265"), NICK_ASCII); /* beyond ASCII unknown here */
    CHECK_EQ(nick_casemapping(), NICK_ASCII);
    CHECK_EQ(nick_set_casemapping("rfc1459"), NICK_RFC1459);
    CHECK(nick_eq("a~[", "A^{"));
    CHECK_EQ(nick_casemapping(), NICK_RFC1459);
}

static void test_basics(void)
{
    roster_t *r;
    CHECK_EQ(roster_create(&r), 0);
    CHECK_EQ(roster_get_s(r, "alice"), 0);
    CHECK_EQ(roster_add(r, "Alice", 1), 0);
    CHECK_EQ(roster_get_s(r, "ALICE"), 1);
    CHECK_EQ(roster_get(r, "aliceXYZ", 5), 1);  /* a run of 5 bytes */
    CHECK_EQ(roster_add(r, "alice", 2), 0);
    CHECK_EQ(roster_get_s(r, "alice"), 3);
    CHECK_EQ(roster_size(r), 1);
    /* rfc1459: [ ] \ ~ are the upper case of { } | ^ */
    CHECK_EQ(roster_add(r, "[dan]\\~", 1), 0);
    CHECK_EQ(roster_get_s(r, "{DAN}|^"), 1);
    CHECK(nick_eq_n("A[b", 3, "a{B", 3));
    CHECK(!nick_eq_n("ab", 2, "abc", 3));
    roster_clear_flags(r, "alice", 2);
    CHECK_EQ(roster_get_s(r, "alice"), 1);
    roster_clear_flags(r, "alice", 1);
    CHECK_EQ(roster_get_s(r, "alice"), 0);
    CHECK_EQ(roster_size(r), 1);
    CHECK_EQ(roster_add(r, "bob", 4), 0);
    CHECK_EQ(roster_rename(r, "BOB", "robert"), 0);
    CHECK_EQ(roster_get_s(r, "bob"), 0);
    CHECK_EQ(roster_get_s(r, "Robert"), 4);
    CHECK_EQ(roster_add(r, "", 1), PURG_EINVAL);
    CHECK_EQ(roster_add(r, "x", 0), PURG_EINVAL);
    /* nicks longer than the limit are cut, consistently */
    char longnick[200];
    memset(longnick, 'q', sizeof longnick - 1);
    longnick[sizeof longnick - 1] = '\0';
    CHECK_EQ(roster_add(r, longnick, 1), 0);
    CHECK_EQ(roster_get(r, longnick, ROSTER_NICK_MAX + 10), 1);
    roster_clear(r);
    CHECK_EQ(roster_size(r), 0);
    CHECK_EQ(roster_get_s(r, "robert"), 0);
    CHECK_EQ(roster_get_s(NULL, "x"), 0);
    roster_free(r);
    roster_free(NULL);
}

#define NREF 3000

/* Reference: a plain array of lower-case nicks. */
static char ref[NREF][16];
static unsigned refl[NREF];

static void test_random(void)
{
    roster_t *r;
    CHECK_EQ(roster_create(&r), 0);
    unsigned seed = 12345;
    int mism = 0;
    for (int op = 0; op < 200000; op++) {
        seed = seed * 1103515245u + 12345u;
        unsigned k = (seed >> 8) % NREF;
        char nick[16];
        snprintf(nick, sizeof nick, "n%u", k);
        seed = seed * 1103515245u + 12345u;
        int what = (int)((seed >> 16) % 4);
        if (what <= 1) {
            unsigned f = 1u << ((seed >> 20) % 3);
            CHECK_EQ(roster_add(r, nick, f), 0);
            if (!refl[k])
                snprintf(ref[k], sizeof ref[k], "%s", nick);
            refl[k] |= f;
        } else if (what == 2) {
            roster_del(r, nick);
            refl[k] = 0;
        } else {
            unsigned f = 1u << ((seed >> 20) % 3);
            roster_clear_flags(r, nick, f);
            refl[k] &= ~f;
        }
        if (op % 997 == 0) {
            size_t n = 0;
            for (unsigned i = 0; i < NREF; i++) {
                char q[16];
                snprintf(q, sizeof q, "N%u", i);
                if (roster_get_s(r, q) != refl[i])
                    mism++;
                n += refl[i] != 0;
            }
            if (roster_size(r) != n)
                mism++;
        }
    }
    CHECK_EQ(mism, 0);
    roster_free(r);
}

/* 50,000 members: every one found, the size right, removal of all. */
static void test_large(void)
{
    roster_t *r;
    CHECK_EQ(roster_create(&r), 0);
    char nick[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(nick, sizeof nick, "user%d", i);
        if (roster_add(r, nick, 1) != 0)
            break;
    }
    CHECK_EQ(roster_size(r), 50000);
    int missing = 0;
    for (int i = 0; i < 50000; i++) {
        snprintf(nick, sizeof nick, "USER%d", i);
        missing += roster_get_s(r, nick) == 0;
    }
    CHECK_EQ(missing, 0);
    for (int i = 0; i < 50000; i += 2) {
        snprintf(nick, sizeof nick, "user%d", i);
        roster_del(r, nick);
    }
    CHECK_EQ(roster_size(r), 25000);
    int wrong = 0;
    for (int i = 0; i < 50000; i++) {
        snprintf(nick, sizeof nick, "user%d", i);
        wrong += (roster_get_s(r, nick) != 0) != (i % 2 == 1);
    }
    CHECK_EQ(wrong, 0);
    roster_free(r);
}

static const check_case_t cases[] = {
    CHECK_CASE(nick),
    CHECK_CASE(masks),
    CHECK_CASE(casemapping),
    CHECK_CASE(basics),
    CHECK_CASE(random),
    CHECK_CASE(large),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
