/* test_guard.c - unit and property tests for the command guard (guard.c),
 * checked against an independent model of a command bot (cmdbot.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmdbot.h"
#include "guard.h"
#include "purg.h"

static char out[1024];
static const char *why;

static int check(const guard_t *g, const char *line)
{
    return guard_check(g, line, out, sizeof out, &why);
}

/* Lines that must pass unchanged with the default rules. */
static const char *const good[] = {
    "I think so.",
    "what?",
    "what? really?",
    "hello there, how are you",
    "it costs 5 dollars",
    "wait -- what",
    "well... maybe",
    "e.g. this one",
    "U.S. and U.K.",
    "3.5 percent",
    "\"quoted\" text",
    "(an aside)",
    "caf\xc3\xa9 au lait",
    "smile :)",
    "<3 you",
    "bob: nice one",
    "bob, how are you",
    "the deploy went fine",
    "I said help me please",
    "a-b c-d",
    "100%",
    "see http://example.com for more",
    "heart \xe2\x9d\xa4",
};

/* Lines that must be refused with the default rules. */
static const char *const bad[] = {
    "!karma bob",
    " !help",
    "\x02!op",
    "bob++",
    "irccat: deploy prod",
    "@bot help",
    "\x01PING\x01",
    "line\r\nQUIT",
    "line\nQUIT :bye",
    "? help",
    ".quote add x",
    "/msg nickserv identify",
    "~weather paris",
    "$eval 1",
    "> 1+1",
    "%calc",
    "hey !karma bob",
    "\"!help\"",
    "(!help)",
    "[[ <-x",
    "++bob",
    "--bob",
    "bob--",
    "(some thing)++",
    "C++ is nice",
    "a -- ",
    "-- a",
    "rock ---- on",
    "bob: help",
    "bob, restart",
    "bob > deploy",
    "bob:deploy",
    "Bob: KARMA",
    "bob: !karma",
    "bob: help2",
    "s/foo/bar/",
    "yes s/a/b",
    "tab\there",
    "del\x7fhere",
    "c1 \xc2\x85 here",
    "nbsp\xc2\xa0!help",
    "\xe2\x80\x8b!help",
    "\xef\xbc\x81help",            /* fullwidth ! */
    "bob\xef\xbc\x8b\xef\xbc\x8b", /* fullwidth ++ */
    "bad \xff utf8",
    "\xc0\xaf",
    "",
    "   ",
    "rtl \xe2\x80\xae text",
};

static void test_fixed(void)
{
    guard_t *g = NULL;
    CHECK_EQ(guard_create(&g), 0);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int rc = check(g, good[i]);
        if (rc != 0)
            fprintf(stderr, "refused good line \"%s\": %s\n", good[i], why);
        CHECK_EQ(rc, 0);
        CHECK_STREQ(out, good[i]);
        CHECK_EQ(cmdbot_count("cmdbot", good[i], strlen(good[i])), 0);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = check(g, bad[i]);
        if (rc != PURG_EDENIED)
            fprintf(stderr, "passed bad line \"%s\"\n", bad[i]);
        CHECK_EQ(rc, PURG_EDENIED);
        CHECK(why != NULL && strlen(why) > 0);
        CHECK(out[0] == '\0');
    }
    /* reasons name the rule */
    check(g, "!karma bob");
    CHECK_STREQ(why, "leading command sigil");
    check(g, "bob++");
    CHECK_STREQ(why, "karma");
    check(g, "\x01PING\x01");
    CHECK_STREQ(why, "CTCP");
    check(g, "line\r\nQUIT");
    CHECK_STREQ(why, "line break");
    check(g, "irccat: deploy prod");
    CHECK_STREQ(why, "addressed command");
    check(g, "I think so.");
    CHECK_STREQ(why, "ok");
    guard_free(g);
}

static void test_config(void)
{
    guard_t *g = NULL;
    CHECK_EQ(guard_create(&g), 0);
    /* sigils */
    CHECK_EQ(check(g, "'quoted"), 0);
    CHECK_EQ(guard_add_sigils(g, "a"), PURG_EINVAL);
    CHECK_EQ(guard_add_sigils(g, " "), PURG_EINVAL);
    CHECK_EQ(guard_add_sigils(g, "'"), 0);
    CHECK_EQ(check(g, "'quoted"), PURG_EDENIED);
    CHECK_EQ(check(g, "say 'cmd now"), PURG_EDENIED);
    /* command words */
    CHECK_EQ(check(g, "bob: frobnicate"), 0);
    CHECK_EQ(guard_add_command_word(g, "Frobnicate"), 0);
    CHECK_EQ(check(g, "bob: frobnicate"), PURG_EDENIED);
    CHECK_EQ(check(g, "bob: FROBNICATE now"), PURG_EDENIED);
    CHECK_EQ(guard_add_command_word(g, "deploy-prod"), 0);
    CHECK_EQ(check(g, "bob: deploy-prod"), PURG_EDENIED);
    CHECK_EQ(guard_add_command_word(g, ""), PURG_EINVAL);
    CHECK_EQ(guard_add_command_word(g, "two words"), PURG_EINVAL);
    CHECK_EQ(guard_add_command_word(g, "0123456789012345678901234567890123"), PURG_EINVAL);
    /* known bots */
    CHECK_EQ(check(g, "irccat is a bot"), 0);
    CHECK_EQ(guard_add_nick(g, "IRCcat"), 0);
    CHECK_EQ(check(g, "irccat is a bot"), PURG_EDENIED);
    CHECK_STREQ(why, "mentions a bot");
    CHECK_EQ(check(g, "ask IRCCAT's owner"), PURG_EDENIED);
    CHECK_EQ(check(g, "irccats are not bots"), 0);
    CHECK_EQ(guard_add_nick(g, "bad nick"), PURG_EINVAL);
    /* under the IRC case mapping: [ ] \ are the upper case of { } | */
    CHECK_EQ(check(g, "ask relay{x} about it"), 0);
    CHECK_EQ(guard_add_nick(g, "Relay[X]"), 0);
    CHECK_EQ(check(g, "ask relay{x} about it"), PURG_EDENIED);
    CHECK_EQ(check(g, "ask RELAY[x] about it"), PURG_EDENIED);
    CHECK_EQ(check(g, "ask relay(x) about it"), 0);
    CHECK_EQ(guard_add_nick(g, "a\\b"), 0);
    CHECK_EQ(check(g, "A|B said so"), PURG_EDENIED);
    /* max_len */
    char line[600];
    memset(line, 'a', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    CHECK_EQ(check(g, line), PURG_EDENIED);
    CHECK_STREQ(why, "line too long");
    line[400] = '\0';
    CHECK_EQ(check(g, line), 0);
    CHECK_EQ(guard_set_max_len(g, 10), 0);
    CHECK_EQ(check(g, line), PURG_EDENIED);
    CHECK_EQ(guard_set_max_len(g, 0), PURG_EINVAL);
    CHECK_EQ(guard_set_max_len(g, GUARD_MAX_LINE + 1), PURG_EINVAL);
    /* small out buffer */
    char small[4];
    CHECK_EQ(guard_check(g, "hello", small, sizeof small, &why), PURG_ETOOBIG);
    CHECK_EQ(guard_check(g, "hey", small, sizeof small, &why), 0);
    CHECK_EQ(guard_check(NULL, "hey", small, sizeof small, &why), PURG_EINVAL);
    CHECK_EQ(guard_check(g, NULL, small, sizeof small, NULL), PURG_EINVAL);
    /* INI form */
    CHECK_EQ(guard_set(g, "max_len", "400"), 0);
    CHECK_EQ(guard_set(g, "command_words", "zap, zorch blast"), 0);
    CHECK_EQ(check(g, "bob: zorch"), PURG_EDENIED);
    CHECK_EQ(check(g, "bob: blast"), PURG_EDENIED);
    CHECK_EQ(guard_set(g, "nicks", "botty,other"), 0);
    CHECK_EQ(check(g, "hi Other"), PURG_EDENIED);
    CHECK_EQ(guard_set(g, "sigils", "*"), 0);
    CHECK_EQ(guard_set(g, "rewrite", "maybe"), PURG_EINVAL);
    CHECK_EQ(guard_set(g, "rewrite", "yes"), 0);
    CHECK_EQ(guard_set(g, "max_len", "x"), PURG_EINVAL);
    CHECK_EQ(guard_set(g, "max_len", "-5"), PURG_EINVAL);
    CHECK_EQ(guard_set(g, "colour", "blue"), PURG_ENOTFOUND);
    guard_free(g);
    guard_free(NULL);
}

static void test_rewrite(void)
{
    guard_t *g = NULL;
    CHECK_EQ(guard_create(&g), 0);
    guard_set_rewrite(g, true);
    CHECK_EQ(check(g, "bob++ is great"), 0);
    CHECK_STREQ(out, "bob is great");
    CHECK_EQ(check(g, "C++ and --x"), 0);
    CHECK_STREQ(out, "C and x");
    CHECK_EQ(check(g, "!hello there"), 0);
    CHECK_STREQ(out, "hello there");
    /* the rewrite is checked again: "help me" is a first-word command */
    CHECK_EQ(check(g, "!help me"), PURG_EDENIED);
    CHECK_STREQ(why, "first word is a command");
    CHECK_EQ(check(g, "well !!karma (!op) yes"), 0);
    CHECK_STREQ(out, "well karma (op) yes");
    CHECK_EQ(check(g, "I think so."), 0);
    CHECK_STREQ(why, "ok");
    /* rewritten into an addressed command: refused */
    CHECK_EQ(check(g, "!bob: deploy"), PURG_EDENIED);
    CHECK_EQ(check(g, "!bob, ++help"), PURG_EDENIED);
    /* nothing left */
    CHECK_EQ(check(g, "++ --"), PURG_EDENIED);
    /* never rewritten: controls, CTCP, addressed commands */
    CHECK_EQ(check(g, "\x01PING\x01"), PURG_EDENIED);
    CHECK_EQ(check(g, "\x02!op"), PURG_EDENIED);
    CHECK_EQ(check(g, "irccat: deploy"), PURG_EDENIED);
    guard_free(g);
}

/* xorshift64*: a seeded RNG, so a failure is reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static const char *const pieces[] = {
    "hello", "the", "I", "think", "so", "what", "deploy", "help", "karma", "op",
    "restart", "say", "do", "run", "quote", "bob", "irccat", "cmdbot", "CmdBot",
    "prod", "is", "nice", "s/a/b/", "s/", "C", "x", "42",
    "!", "?", ".", "/", "@", "~", "$", ">", "%", "&", "`", ",", ";", ":", "\\",
    "^", "=", "|", "#", "*", "(", ")", "\"", "'", "<", "[",
    "+", "-", "++", "--", "---", "+-",
    " ", " ", " ", "  ",
    "\x01", "\x02", "\x03" "04", "\x03" "4,12", "\x0f", "\x16", "\x1d", "\x1f",
    "\r", "\n", "\t", "\x7f", "\x04" "ff00ff",
    "\xc2\xa0", "\xe2\x80\x8b", "\xe2\x80\xae", "\xef\xbb\xbf", "\xe3\x80\x80",
    "\xef\xbc\x81", "\xef\xbc\x8b", "\xef\xbc\x8d", "\xef\xbc\x8e", "\xef\xbc\xa0",
    "\xc3\xa9", "\xf0\x9f\x99\x82", "\xff", "\xc2\x85", "\xe2\x80\x83",
};

static void test_property(void)
{
    guard_t *strict = NULL, *rw = NULL;
    CHECK_EQ(guard_create(&strict), 0);
    CHECK_EQ(guard_create(&rw), 0);
    CHECK_EQ(guard_add_nick(strict, "cmdbot"), 0);
    CHECK_EQ(guard_add_nick(rw, "cmdbot"), 0);
    guard_set_rewrite(rw, true);
    const size_t np = sizeof pieces / sizeof pieces[0];
    long accepted = 0, rewritten = 0, leaks = 0, bot_acts = 0;
    char line[512];
    for (int t = 0; t < 200000; t++) {
        size_t len = 0;
        int words = 1 + (int)(rng() % 8);
        for (int w = 0; w < words; w++) {
            const char *p = pieces[rng() % np];
            size_t pl = strlen(p);
            if (len + pl + 1 >= sizeof line)
                break;
            memcpy(line + len, p, pl);
            len += pl;
            if (rng() % 2)
                line[len++] = ' ';
        }
        line[len] = '\0';
        if (cmdbot_count("cmdbot", line, len) > 0)
            bot_acts++;
        const char *r;
        if (guard_check(strict, line, out, sizeof out, &r) == 0) {
            accepted++;
            if (cmdbot_count("cmdbot", out, strlen(out)) != 0) {
                if (leaks++ < 10)
                    fprintf(stderr, "strict guard passed a command: \"%s\"\n", out);
            }
        }
        if (guard_check(rw, line, out, sizeof out, &r) == 0) {
            rewritten++;
            if (cmdbot_count("cmdbot", out, strlen(out)) != 0) {
                if (leaks++ < 10)
                    fprintf(stderr, "rewriting guard passed a command: \"%s\" from \"%s\"\n",
                            out, line);
            }
        }
    }
    fprintf(stderr, "property: 200000 lines, bot acts on %ld, strict passes %ld, rewrite passes %ld\n",
            bot_acts, accepted, rewritten);
    CHECK_EQ(leaks, 0);
    /* the test is not vacuous: many lines pass, many would trigger the bot */
    CHECK_GT(accepted, 10000);
    CHECK_GT(rewritten, accepted);
    CHECK_GT(bot_acts, 50000);
    guard_free(strict);
    guard_free(rw);
}

static const check_case_t cases[] = {
    CHECK_CASE(fixed),
    CHECK_CASE(config),
    CHECK_CASE(rewrite),
    CHECK_CASE(property),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
