/* test_guard_room.c - the command guard's room rules (guard_check_room) and
 * bot names (guard_is_bot_name): one row per way a real chat-ops bot is
 * triggered, for a bot that is merely present in the room (nobody told the
 * guard about it), and a property test against the command-bot model
 * (cmdbot_count_room in cmdbot.c, written apart from the guard). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "nick.h"
#include "cmdbot.h"
#include "guard.h"
#include "purg.h"

static char out[1024];
static const char *why;

/* ---- a room ------------------------------------------------------------------ */

typedef struct member {
    const char *nick;
    unsigned flags;
} member_t;

typedef struct room {
    const member_t *m;
    size_t n;
    long lookups;
} room_t;

static unsigned room_lookup(void *ctx, const char *s, size_t n)
{
    room_t *r = ctx;
    r->lookups++;
    for (size_t i = 0; i < r->n; i++) {
        const char *k = r->m[i].nick;
        if (nick_eq_n(k, strlen(k), s, n)) /* the IRC case mapping, as a server's */
            return r->m[i].flags;
    }
    return 0;
}

/* Bots nobody configured, one per bot family, all merely present; a human;
 * the speaker ("self") reports 0 like anyone absent. */
static const member_t members[] = {
    { "marvin", GUARD_PRESENT },   /* a Hubot under a name of its own */
    { "hubot", GUARD_PRESENT },
    { "jarvis", GUARD_PRESENT },   /* Limnoria, nick.atEnd on */
    { "limnoria", GUARD_PRESENT },
    { "hal", GUARD_PRESENT },      /* Sopel */
    { "sopel", GUARD_PRESENT },
    { "Err", GUARD_PRESENT },      /* Errbot's alternate prefix */
    { "errbot", GUARD_PRESENT },
    { "eggdrop", GUARD_PRESENT },
    { "irccat", GUARD_PRESENT },
    { "{jarvis}", GUARD_PRESENT },
    { "alice", GUARD_PRESENT },    /* a human */
    { "self", 0 },                 /* the speaker */
};

static room_t full = { members, sizeof members / sizeof members[0], 0 };
static room_t empty = { members, 0, 0 };

static int check_room(const guard_t *g, room_t *r, const char *line)
{
    guard_room_t room = { room_lookup, r };
    return guard_check_room(g, &room, line, out, sizeof out, &why);
}

/* ---- the table -------------------------------------------------------------- */

typedef struct row {
    const char *line;
    bool absent_ok;    /* passes when nobody is in the room (no other rule refuses it) */
    bool bot_acts;     /* the model: some bot in the room acts on it (false: the guard
                        * is stricter than any bot, e.g. brackets before the nick) */
} row_t;

/* Refused with the room above. */
static const row_t refused[] = {
    /* Hubot respond: ^\s*[@]?name[:,]?\s*pattern */
    { "marvin ship it", true, true },
    { "marvin: ship it to prod", true, true },
    { "Marvin, ship it", true, true },
    { "MARVIN ship it", true, true },
    { "@marvin ship it", false, true },
    { "@marvin: ship it", false, true },
    { "@@marvin ship it", false, true },
    { "  marvin ship it", true, true },
    { "marvinship it", true, true },             /* no word boundary in Hubot's regex */
    { "marvins are the best", true, true },
    { "\xef\xbd\x8d\xef\xbd\x81\xef\xbd\x92\xef\xbd\x96\xef\xbd\x89\xef\xbd\x8e: ship it", true, true },
    { "(marvin ship it)", true, false },
    { "\"marvin, ship it\"", true, false },
    { "<marvin> ship it", true, false },
    { "hubot ship it", true, true },
    { "Hubot: ship it", true, true },
    { "\xef\xbd\x88\xef\xbd\x95\xef\xbd\x82\xef\xbd\x8f\xef\xbd\x94: deploy", false, true },
    { "hubot deploy", true, true },
    /* Limnoria: nick first (punctuation stripped), nick.atEnd, [nested], s/x/y/ */
    { "jarvis uptime", true, true },
    { "jarvis: uptime", true, true },
    { "jarvis, uptime", true, true },
    { "jarvis> uptime", true, true },
    { "JARVIS uptime please", true, true },
    { "[jarvis uptime]", true, false },
    { "jarvis: echo [uptime]", false, true },
    { "jarvis: s/x/y/", false, true },
    { "s/x/y/", false, true },
    { "ship it to prod, jarvis", true, true },
    { "ship it to prod; jarvis", true, true },
    { "ship it to prod jarvis", true, true },
    { "ship it to prod: jarvis", true, true },
    { "ship it to prod, JARVIS  ", true, false },
    { "ship it to prod, \xef\xbd\x8a\xef\xbd\x81\xef\xbd\x92\xef\xbd\x96\xef\xbd\x89\xef\xbd\x93", true, true },
    { "ship it to prod, {jarvis}", true, true },
    { "ship it to prod, [JARVIS]", true, true },
    { "jarvis", true, true },
    { "limnoria: uptime", true, true },
    { "uptime, limnoria", true, true },
    /* Sopel: .cmd, nick: cmd, nick, cmd, nick cmd, /me cmd */
    { ".weather paris", false, true },
    { "hal: weather paris", true, true },
    { "hal, weather paris", true, true },
    { "hal weather paris", true, true },
    { "Hal weather paris", true, true },
    { "sopel: weather paris", true, true },
    { "\x01" "ACTION weather paris\x01", false, true },
    /* Errbot: !cmd, alternate prefixes with : , ; */
    { "!status", false, true },
    { "Err; status", true, true },
    { "Err: uptime", true, true },
    { "err, uptime", true, true },
    { "Err uptime", true, true },
    { "Errstatus", true, true },
    { "errbot uptime", true, true },
    { "\xef\xbd\x85\xef\xbd\x92\xef\xbd\x92; uptime", true, true },
    /* Eggdrop: the first word is the command, whoever the bot is */
    { "seen bob", false, true },
    { "Seen bob?", false, true },
    { "help me", false, true },
    { "deploy the build", false, true },
    { "(op alice)", false, false },
    { "\xef\xbc\xb3\xef\xbc\xa5\xef\xbc\xa5\xef\xbc\xae bob", false, true },
    { "!seen bob", false, true },
    { "eggdrop seen bob", true, true },
    { "uptime please, eggdrop", true, true },
    /* irccat: ?cmd, and its name */
    { "?uptime", false, true },
    { "irccat: ?uptime", false, true },
    { "irccat hello", true, true },
    /* a bot by name, present, anywhere in the line */
    { "ask the hubot about it", true, false },
    { "ask [hubot] about it", true, false },
    { "I asked sopel yesterday", true, false },
    /* a present human addressed or named at the end */
    { "alice: nice one", true, true },
    { "@alice nice one", false, true },
    { "nice one, alice", true, true },
    { "alice's idea was good", true, true },
};

/* Pass with the room above. */
static const char *const passed[] = {
    "I agree with alice about that",
    "that went well, alice.",
    "what do you think, alice?",
    "I asked marvin about that yesterday",   /* a present non-bot, mid-line */
    "self: that is my own nick",
    "self ship it",
    "well done, self",
    "bob: ship it",                            /* bob is not here */
    "ship it to prod, bob",
    "ship it to prod.jarvis",                  /* no separator before the nick */
    "the deploy went fine",
};

static void test_table(void)
{
    guard_t *g = NULL;
    CHECK_EQ(guard_create(&g), 0);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const row_t *r = &refused[i];
        int rc = check_room(g, &full, r->line);
        if (rc != PURG_EDENIED)
            fprintf(stderr, "room: passed \"%s\"\n", r->line);
        CHECK_EQ(rc, PURG_EDENIED);
        CHECK(out[0] == '\0');
        rc = check_room(g, &empty, r->line);
        if ((rc == 0) != r->absent_ok)
            fprintf(stderr, "empty room: \"%s\" -> %s\n", r->line, why);
        CHECK((rc == 0) == r->absent_ok);
        /* the model agrees that some bot in the room would act on it */
        int acts = 0;
        for (size_t k = 0; k < full.n; k++)
            if (full.m[k].flags)
                acts += cmdbot_count_room(full.m[k].nick, r->line, strlen(r->line));
        if ((acts > 0) != r->bot_acts)
            fprintf(stderr, "model: %d actions on \"%s\"\n", acts, r->line);
        CHECK_EQ((acts > 0), r->bot_acts);
    }
    for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++) {
        int rc = check_room(g, &full, passed[i]);
        if (rc != 0)
            fprintf(stderr, "room: refused \"%s\": %s\n", passed[i], why);
        CHECK_EQ(rc, 0);
        CHECK_STREQ(out, passed[i]);
    }
    /* reasons name the rule */
    check_room(g, &full, "marvin ship it");
    CHECK_STREQ(why, "addresses someone present");
    check_room(g, &full, "ship it to prod; jarvis");
    CHECK_STREQ(why, "names someone present at the end");
    check_room(g, &full, "ask the hubot about it");
    CHECK_STREQ(why, "names a bot present");
    check_room(g, &full, "seen bob");
    CHECK_STREQ(why, "first word is a command");
    check_room(g, &full, "that went well, alice.");
    CHECK_STREQ(why, "ok");
    /* without a room: guard_check exactly; a room needs its lookup */
    CHECK_EQ(guard_check_room(g, NULL, "marvin ship it", out, sizeof out, &why), 0);
    CHECK_EQ(guard_check_room(g, NULL, "seen bob", out, sizeof out, &why), PURG_EDENIED);
    guard_room_t bad = { NULL, NULL };
    CHECK_EQ(guard_check_room(g, &bad, "hello", out, sizeof out, &why), PURG_EINVAL);
    /* a flag from the room counts as well as a name */
    const member_t flagged[] = { { "deployer", GUARD_PRESENT | GUARD_BOT } };
    room_t fr = { flagged, 1, 0 };
    CHECK_EQ(check_room(g, &fr, "ask deployer about it"), PURG_EDENIED);
    CHECK_STREQ(why, "names a bot present");
    CHECK_EQ(check_room(g, &fr, "ask {deployer} about it"), PURG_EDENIED);
    /* a rewritten line meets the room rules too */
    guard_set_rewrite(g, true);
    CHECK_EQ(check_room(g, &empty, "!marvin ship it"), 0);
    CHECK_STREQ(out, "marvin ship it");
    CHECK_EQ(check_room(g, &full, "!marvin ship it"), PURG_EDENIED);
    CHECK_STREQ(why, "addresses someone present");
    guard_free(g);
}

static void test_bot_names(void)
{
    static const char *const bots[] = {
        "irccat", "Hubot", "Hubot_", "hubot2", "hubot|afk", "hubot`", "HUBOT^", "limnoria",
        "Supybot", "sopel", "willie", "phenny", "jenni", "errbot", "eggdrop", "lambdabot",
        "gitbot", "github", "GitLab", "jenkins", "travis", "zuul", "buildbot", "ChanServ",
        "NickServ", "memoserv", "OperServ", "hostserv", "botserv", "Global", "cmdbot",
        "karmabot", "my-bot", "Bot", "BOT_", "talbot", "bot-alice", "bot_x", "foo[bot]",
        "foo{BOT}", "[Bot]x", "myserv", "frobnicator", "Frobnicator_", "frobnicator|away",
    };
    static const char *const humans[] = {
        "alice", "bob", "botany", "robotics", "server", "globalist", "hubots", "sopelx",
        "bo", "", "_", "123", "|afk", "travisx",
    };
    guard_t *g = NULL;
    CHECK_EQ(guard_create(&g), 0);
    CHECK_EQ(guard_add_nick(g, "frobnicator"), 0);
    for (size_t i = 0; i < sizeof bots / sizeof bots[0]; i++) {
        if (!guard_is_bot_name(g, bots[i]))
            fprintf(stderr, "not a bot by name: \"%s\"\n", bots[i]);
        CHECK(guard_is_bot_name(g, bots[i]));
    }
    for (size_t i = 0; i < sizeof humans / sizeof humans[0]; i++) {
        if (guard_is_bot_name(g, humans[i]))
            fprintf(stderr, "a bot by name: \"%s\"\n", humans[i]);
        CHECK(!guard_is_bot_name(g, humans[i]));
    }
    CHECK(!guard_is_bot_name(g, NULL));
    CHECK(!guard_is_bot_name(NULL, "hubot"));
    guard_free(g);
}

/* ---- property: what the guard lets through, no bot in the room acts on ------- */

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static const char *const pieces[] = {
    /* present nicks, in many spellings; the speaker; someone absent */
    "marvin", "MARVIN", "Marvin", "marvins", "\xef\xbd\x8d\xef\xbd\x81\xef\xbd\x92\xef\xbd\x96\xef\xbd\x89\xef\xbd\x8e",
    "hubot", "HuBot", "jarvis", "JARVIS", "{jarvis}", "[JARVIS]", "hal", "Hal", "Err", "err",
    "\xef\xbd\x85\xef\xbd\x92\xef\xbd\x92", "alice", "Alice", "sopel", "eggdrop", "irccat",
    "self", "bob",
    /* separators and openers */
    ":", ",", ";", ">", "@", ".", "?", "'", "\"", "(", ")", "[", "]", "<", "{", "}", "|",
    "_", "-", "\xef\xbc\x9a", "\xef\xbc\xa0",
    /* words */
    "I", "agree", "with", "about", "that", "went", "well", "the", "build", "is", "green",
    "ship", "it", "uptime", "prod", "weather", "paris",
    /* command words and commands */
    "deploy", "seen", "Seen", "help", "status", "op", "top", "do", "me", "say",
    "\xef\xbd\x93\xef\xbd\x85\xef\xbd\x85\xef\xbd\x8e", "s/a/b/", "!", "++", "--",
    " ", " ", " ", "  ",
};

static void test_property(void)
{
    guard_t *g = NULL;
    CHECK_EQ(guard_create(&g), 0);
    guard_room_t room = { room_lookup, &full };
    const size_t np = sizeof pieces / sizeof pieces[0];
    long accepted = 0, acts = 0, leaks = 0;
    char line[512];
    for (int t = 0; t < 200000; t++) {
        size_t len = 0;
        int words = 1 + (int)(rng() % 7);
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
        int any = 0;
        for (size_t k = 0; k < full.n; k++)
            if (full.m[k].flags)
                any += cmdbot_count_room(full.m[k].nick, line, len);
        acts += any > 0;
        if (guard_check_room(g, &room, line, out, sizeof out, &why) != 0)
            continue;
        accepted++;
        for (size_t k = 0; k < full.n; k++) {
            if (full.m[k].flags && cmdbot_count_room(full.m[k].nick, out, strlen(out)) != 0) {
                if (leaks++ < 10)
                    fprintf(stderr, "room guard passed a command for %s: \"%s\"\n",
                            full.m[k].nick, out);
            }
        }
    }
    fprintf(stderr, "room property: 200000 lines, a bot in the room acts on %ld, the guard "
            "passes %ld (%ld lookups)\n", acts, accepted, full.lookups);
    CHECK_EQ(leaks, 0);
    CHECK_GT(accepted, 10000);    /* not vacuous: many lines pass ... */
    CHECK_GT(acts, 50000);        /* ... and many would trigger a bot */
    guard_free(g);
}

static const check_case_t cases[] = {
    CHECK_CASE(table),
    CHECK_CASE(bot_names),
    CHECK_CASE(property),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
