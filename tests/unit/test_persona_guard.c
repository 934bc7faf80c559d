/* test_persona_guard.c - the story behind the command guard, made real:
 * three personas trained on a corpus where about a third of the lines are
 * chat-ops commands converse in the offline room for 100,000 lines (replies
 * to each other, mentions, unprompted lines), while a command bot sits in
 * the channel and counts every line it would act on (tests/unit/cmdbot.c,
 * written apart from the guard). The count must be 0. The bot also invites
 * every persona to its own channel: none may ever speak there.
 *
 * Nothing is configured: no [guard] nicks. Besides cmdbot (a bot by its
 * name), the room holds hubot (a well-known name), jarvis (a human-looking
 * nick the "server" flags as a bot, room_flag_bot) and dave (a human whose
 * nick the corpus uses as a first word), and the corpus is full of lines
 * addressed to them in every bot's syntax. Each bot counts what it would
 * act on with the model of bots present in a room (cmdbot_count_room):
 * 0 for each. dave now and then asks a persona something: the answers name
 * him at the end, never at the start. */
#include "check.h"
#include "util.h"
#include "cmdbot.h"
#include "markov.h"
#include "persona.h"
#include "purg.h"
#include "room.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S NS_PER_S
#define WANT_LINES 100000UL
#define NPERSONAS 3

static const char *const nicks[NPERSONAS] = { "alpha", "beta", "gamma" };

/* A corpus: 2 ordinary lines for every command line. */
static markov_t *command_heavy_model(unsigned seed)
{
    static const char *const subj[] = { "the server", "jarvis", "the printer", "alpha", "dave",
                                        "gamma", "the build", "cmdbot", "hubot", "bob" };
    static const char *const verb[] = { "is on fire", "needs a restart", "ate the backups",
                                        "deployed to production", "has karma", "wants help",
                                        "runs the tests", "quotes the manual", "is down again" };
    static const char *const cmds[] = {
        "!karma bob++", ".deploy production now", "cmdbot: restart the server", "bob++ for the fix",
        "s/server/printer/", "@cmdbot help", "~quote add the printer is down", "?help deploy",
        "/join #ops", "cmdbot, deploy the build", "!help", "karma-- for the network", "$eval 1+1",
        ">run the tests", "cmdbot status please", "alpha: !deploy", "beta, kick bob", "!op gamma",
        "the build--", ".reload", "gamma: exec rm -rf", "~~ cmdbot ~~", "++bob", "@bob deploy",
        "\001ACTION deploys\001", "!!", "(!karma bob)", "\"!deploy\" said the server",
        "hubot deploy the build", "@hubot: restart the printer", "jarvis status of the server",
        "Jarvis, what is the karma of bob", "the server is down again, jarvis",
        "dave the printer is on fire", "deploy production now; hubot", "jarvis> quote the manual",
        "[jarvis] the build", "ｊａｒｖｉｓ deploy", "dave, the network is down",
        "the build is broken hubot", "cmdbot the server needs a restart",
    };
    markov_t *m = NULL;
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, 1), 0);
    unsigned r = seed;
    char line[256];
    for (int i = 0; i < 3000; i++) {
        r = r * 1103515245u + 12345u;
        unsigned x = r >> 8;
        if (i % 3 == 2)
            snprintf(line, sizeof line, "%s", cmds[x % (sizeof cmds / sizeof cmds[0])]);
        else
            snprintf(line, sizeof line, "%s %s and %s %s", subj[x % 10], verb[(x / 10) % 9],
                     subj[(x / 90) % 10], verb[(x / 900) % 9]);
        CHECK_EQ(markov_add_line(m, line, strlen(line)), 0);
    }
    CHECK_EQ(markov_build(m), 0);
    return m;
}

typedef struct actor {
    persona_t *p;
    room_t *room;
    int64_t *now;
} actor_t;

typedef struct bot {
    unsigned long heard, actions, outside, named_dave;
    unsigned long asked, answered;  /* dave's questions; the asked persona's next lines */
    int waiting[NPERSONAS];         /* dave asked this persona and it has not spoken since */
} bot_t;

static void actor_hear(void *owner, const irc_event_t *ev)
{
    actor_t *a = owner;
    persona_event(a->p, ev, *a->now);
}

static int actor_say(void *ctx, const char *channel, const char *text)
{
    actor_t *a = ctx;
    return room_say(a->room, persona_nick(a->p), channel, text, *a->now);
}

/* Every nick present that a line could trigger: the bots, and dave too (a
 * persona must not address a human at the start either). */
#define NWATCH 4
static const char *const watched[NWATCH] = { "cmdbot", "hubot", "jarvis", "dave" };

static void bot_hear(void *owner, const irc_event_t *ev)
{
    bot_t *b = owner;
    if (ev->kind != IRC_EV_SAY && ev->kind != IRC_EV_ACTION)
        return;
    b->heard++;
    if (strcmp(ev->channel, "#ops") == 0)
        b->outside++;
    for (int k = 0; k < NWATCH; k++) {
        int n = cmdbot_count(watched[k], ev->text, strlen(ev->text)) +
                cmdbot_count_room(watched[k], ev->text, strlen(ev->text));
        if (n > 0) {
            if (b->actions < 10)
                fprintf(stderr, "%s would act on <%s> %s\n", watched[k], ev->nick, ev->text);
            b->actions += (unsigned long)n;
        }
    }
    int named = strstr(ev->text, ", dave") != NULL;
    if (named && strcmp(ev->nick, "dave") != 0)
        b->named_dave++;
    for (int i = 0; i < NPERSONAS; i++) {
        if (b->waiting[i] && strcmp(ev->nick, nicks[i]) == 0) {
            b->waiting[i] = 0;
            b->answered += named;
            if (!named && b->asked - b->answered < 5)
                fprintf(stderr, "dave asked %s; it said instead: %s\n", nicks[i], ev->text);
        }
    }
}

static void ignore_event(void *owner, const irc_event_t *ev)
{
    (void)owner;
    (void)ev;
}

static void test_command_bot(void)
{
    static const char ini[] =
        "[persona]\nnick = %s\nmodel = unused\nchannels = #purgatory\nchattiness = 3\n"
        "reply_mention = 1\nreply_persona = 0.9\nquiet_after = 0\nmax_turns = 8\nrate = 600\n"
        "burst = 5\nthink_min = 0.2\nthink_max = 1\nmax_words = 20\n";
    persona_def_t *defs[NPERSONAS] = { 0 };
    markov_t *models[NPERSONAS] = { 0 };
    actor_t actors[NPERSONAS];
    bot_t bot = { 0 };
    room_t *room = NULL;
    int64_t now = 0;
    char text[1024], err[512];
    CHECK_EQ(room_create(&room), 0);
    for (int i = 0; i < NPERSONAS; i++) {
        snprintf(text, sizeof text, ini, nicks[i]);
        CHECK_EQ(persona_def_parse(&defs[i], "guard.ini", text, strlen(text), err, sizeof err), 0);
        models[i] = command_heavy_model(7u + (unsigned)i);
        actors[i] = (actor_t){ .room = room, .now = &now };
        CHECK_EQ(persona_create(&actors[i].p, defs[i], models[i], 100u + (unsigned)i, now), 0);
        persona_set_transport(actors[i].p, actor_say, &actors[i]);
        for (int j = 0; j < NPERSONAS; j++)
            if (j != i)
                persona_add_peer(actors[i].p, nicks[j]);
    }
    const char *chans[] = { "#purgatory" };
    const char *botchans[] = { "#purgatory", "#ops" };
    CHECK_EQ(room_join(room, "cmdbot", botchans, 2, bot_hear, &bot, now), 0);
    CHECK_EQ(room_join(room, "hubot", chans, 1, ignore_event, NULL, now), 0);
    CHECK_EQ(room_join(room, "jarvis", chans, 1, ignore_event, NULL, now), 0);
    CHECK_EQ(room_join(room, "dave", chans, 1, ignore_event, NULL, now), 0);
    CHECK_EQ(room_flag_bot(room, "jarvis", now), 0);
    for (int i = 0; i < NPERSONAS; i++)
        CHECK_EQ(room_join(room, nicks[i], chans, 1, actor_hear, &actors[i], now), 0);

    unsigned long lines = 0, invites = 0;
    while (room_lines(room) < WANT_LINES) {
        int64_t next = INT64_MAX;
        for (int i = 0; i < NPERSONAS; i++) {
            int64_t t = persona_tick(actors[i].p, now);
            if (t < next)
                next = t;
        }
        if (room_lines(room) / 1000 != lines / 1000) {
            /* now and then the bot speaks up, names a persona, and invites it */
            const char *who = nicks[(room_lines(room) / 1000) % NPERSONAS];
            snprintf(text, sizeof text, "%s: !karma cmdbot++ and come to #ops", who);
            CHECK_EQ(room_say(room, "cmdbot", "#purgatory", text, now), 0);
            snprintf(text, sizeof text, "what do you think about the server, %s?", who);
            CHECK_EQ(room_say(room, "jarvis", "#purgatory", text, now), 0);
            CHECK_EQ(room_say(room, "hubot", "#purgatory", text, now), 0);
            snprintf(text, sizeof text, "%s, is the printer on fire?", who);
            CHECK_EQ(room_say(room, "dave", "#purgatory", text, now), 0);
            bot.asked++;
            for (int i = 0; i < NPERSONAS; i++)
                if (strcmp(nicks[i], who) == 0)
                    bot.waiting[i] = 1;
            CHECK_EQ(room_invite(room, "cmdbot", who, "#ops", now), 0);
            invites++;
            next = now; /* tick again soon: the lines above set new timers */
        }
        lines = room_lines(room);
        CHECK_NE(next, INT64_MAX);
        if (next == INT64_MAX)
            break;
        now = next > now ? next : now + 1;
    }
    unsigned long guarded = 0, said = 0, inv = 0, bot_lines = 0;
    for (int i = 0; i < NPERSONAS; i++) {
        persona_stats_t st;
        persona_get_stats(actors[i].p, &st);
        guarded += st.guarded;
        said += st.said;
        inv += st.invites;
        bot_lines += st.bot_lines;
        CHECK(!room_in(room, nicks[i], "#ops"));
        CHECK_EQ(room_say(room, nicks[i], "#ops", "hello", now), PURG_EDENIED);
    }
    fprintf(stderr, "%lu lines heard by the command bot over %.0f simulated hours; personas said "
            "%lu, the guard refused %lu generated lines; %lu invites ignored; %lu bot lines "
            "ignored; %lu replies named dave at the end; dave asked %lu times and the persona "
            "he asked named him in its next line %lu times; bot actions %lu\n",
            bot.heard, (double)now / S / 3600, said, guarded, inv, bot_lines, bot.named_dave,
            bot.asked, bot.answered, bot.actions);
    CHECK_GE(said, WANT_LINES - 4 * invites);
    /* dave got answers, named at the end: every time (the last question may
     * still wait for its think time when the run stops). Before the guard
     * took part in choosing the line, 4 in 10 answers here lost his name. */
    CHECK_GE(bot.answered + 1, bot.asked);
    CHECK_GE(bot.asked, 90);
    CHECK_GT(bot_lines, 0);
    CHECK_GT(guarded, said / 20);   /* the corpus really was command-heavy */
    CHECK_EQ(bot.actions, 0);      /* ... and not one command got through */
    CHECK_EQ(bot.outside, 0);
    CHECK_EQ(inv, invites);
    for (int i = 0; i < NPERSONAS; i++) {
        persona_free(actors[i].p);
        markov_free(models[i]);
        persona_def_free(defs[i]);
    }
    room_free(room);
}

static const check_case_t cases[] = {
    CHECK_CASE(command_bot),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
