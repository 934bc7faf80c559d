/* test_hear.c - what the listener does with one heard event: events go in,
 * and the speech queue and the voice map are inspected (no synth thread).
 * With a presenter: ignored and muted nicks are not queued but still count
 * in the roster, and --announce-joins queues a notice with the spoken name. */
#include "audio.h"
#include "check.h"
#include "hear.h"
#include "present.h"
#include "purg.h"
#include "speechq.h"
#include "voicemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHAN "#room"
#define ME "ear"

/* The built-in voice map, loaded once by main(); each case starts by clearing CHAN. */
static voicemap_t *the_vm;

static int say(hear_t *h, irc_event_kind_t kind, const char *nick, const char *text)
{
    irc_event_t ev = { .kind = kind, .channel = CHAN, .nick = nick, .text = text,
                       .t_recv = 12345, .mask = nick };
    return hear_event(h, &ev, ME);
}

static void roster(hear_t *h, irc_event_kind_t kind, const char *channel, const char *nick,
                   const char *text)
{
    irc_event_t ev = { .kind = kind, .channel = channel, .nick = nick, .text = text,
                       .mask = nick };
    CHECK_EQ(hear_event(h, &ev, ME), 0); /* never a line */
}

/* The next queued utterance, or NULL when the queue is empty. */
static utterance_t *next(speechq_t *q)
{
    utterance_t *u = NULL;
    if (speechq_pop(q, 0, &u, NULL, 0) != 0)
        return NULL;
    return u;
}

static void test_lines(void)
{
    voicemap_t *vm = the_vm;
    voicemap_channel_clear(vm, CHAN); /* whatever an earlier case left */
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 16), 0);
    hear_t h;
    hear_init(&h, vm, q, NULL, 0);

    CHECK_EQ(say(&h, IRC_EV_SAY, "alice", "\x02hello\x02    \x03" "4world"), 1);
    utterance_t *u = next(q);
    CHECK(u != NULL);
    if (u) {
        voice_t v;
        CHECK_EQ(voicemap_lookup(vm, CHAN, "alice", &v), 0);
        CHECK_EQ(u->kind, UTT_SAY);
        CHECK_STREQ(u->text, "hello world");
        CHECK_STREQ(u->nick, "alice");
        CHECK_STREQ(u->channel, CHAN);
        CHECK_STREQ(u->voice.name, v.name);
        CHECK(u->voice.pitch == v.pitch && u->voice.rate == v.rate && u->voice.pan == v.pan);
        CHECK_EQ(u->t_recv, 12345);
        free(u);
    }
    CHECK_EQ(say(&h, IRC_EV_ACTION, "alice", "waves"), 1);
    u = next(q);
    CHECK(u && u->kind == UTT_ACTION && strcmp(u->text, "waves") == 0);
    free(u);
    /* nothing speakable left: dropped */
    CHECK_EQ(say(&h, IRC_EV_SAY, "alice", "\x02\x0f   \x1f"), 0);
    CHECK_EQ(speechq_backlog(q), 0);
    CHECK_EQ(h.queued, 2);

    /* rosters: others join and leave; our own join is not a participant */
    roster(&h, IRC_EV_JOIN, CHAN, "bob", NULL);
    roster(&h, IRC_EV_JOIN, CHAN, "EAR", NULL);
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 1);
    roster(&h, IRC_EV_NICK, NULL, "bob", "robert");
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 1);
    roster(&h, IRC_EV_QUIT, NULL, "robert", NULL);
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 0);
    roster(&h, IRC_EV_JOIN, CHAN, "carol", NULL);
    roster(&h, IRC_EV_JOIN, CHAN, "dave", NULL);
    roster(&h, IRC_EV_PART, CHAN, "carol", NULL);
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 1);
    roster(&h, IRC_EV_PART, CHAN, ME, NULL); /* we left: the channel is forgotten */
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 0);
    roster(&h, IRC_EV_INVITE, "#elsewhere", "mallory", NULL);
    CHECK_EQ(speechq_backlog(q), 0);

    /* the length cap */
    hear_init(&h, vm, q, NULL, 16);
    CHECK_EQ(say(&h, IRC_EV_SAY, "alice", "one two three four five six seven eight nine"), 1);
    u = next(q);
    CHECK(u && strlen(u->text) <= 16);
    free(u);

    /* a closed queue (shutting down) takes nothing */
    speechq_close(q, 1);
    CHECK_EQ(say(&h, IRC_EV_SAY, "alice", "too late"), 0);
    CHECK_EQ(h.queued, 1);
    speechq_free(q);
}

static void test_presenter(void)
{
    voicemap_t *vm = the_vm;
    voicemap_channel_clear(vm, CHAN); /* whatever an earlier case left */
    speechq_t *q = NULL;
    audio_t *audio = NULL;
    present_t *p = NULL;
    char err[512] = "";
    CHECK_EQ(speechq_create(&q, 16), 0);
    CHECK_EQ(audio_open(&audio, AUDIO_NULL, NULL, err, sizeof err), 0);
    present_opts_t o = { .cmd = "test", .plain = 1 };
    CHECK_EQ(present_opt(&o, PRESENT_OPT_IGNORE, "*bot"), 0);
    CHECK_EQ(present_opt(&o, PRESENT_OPT_IGNORE, "*!*@bots.example.org"), 0);
    CHECK_EQ(present_opt(&o, PRESENT_OPT_MUTE, "Carol"), 0);
    CHECK_EQ(present_opt(&o, PRESENT_OPT_ANNOUNCE, NULL), 0);
    CHECK_EQ(present_opt(&o, PRESENT_OPT_PRONOUNCE, "xXr00tXx=root"), 0);
    CHECK_EQ(present_create(&p, &o, audio, q, err, sizeof err), 0);
    if (!p) {
        fprintf(stderr, "present_create: %s\n", err);
        goto out;
    }
    hear_t h;
    hear_init(&h, vm, q, p, 0);

    /* ignored and muted: not heard, but they are in the room */
    CHECK_EQ(say(&h, IRC_EV_SAY, "helpbot", "!karma++"), 0);
    CHECK_EQ(say(&h, IRC_EV_SAY, "carol", "psst"), 0);
    CHECK_EQ(speechq_backlog(q), 0);
    CHECK_EQ(h.queued, 0);
    roster(&h, IRC_EV_JOIN, CHAN, "helpbot", NULL); /* ignored: no announcement */
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 1);
    CHECK_EQ(speechq_backlog(q), 0);

    /* a join is announced in the narrator's words, with the spoken name */
    roster(&h, IRC_EV_JOIN, CHAN, "xXr00tXx", NULL);
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 2);
    utterance_t *u = next(q);
    CHECK(u && u->kind == UTT_NOTICE);
    if (u)
        CHECK_STREQ(u->text, "root joined");
    free(u);
    /* our own join is not */
    roster(&h, IRC_EV_JOIN, CHAN, ME, NULL);
    CHECK_EQ(speechq_backlog(q), 0);

    /* anyone else is heard */
    CHECK_EQ(say(&h, IRC_EV_SAY, "xXr00tXx", "hello"), 1);
    u = next(q);
    CHECK(u && u->kind == UTT_SAY && strcmp(u->nick, "xXr00tXx") == 0);
    free(u);

    /* a hostmask ignore; the line heard carries its hostmask to the synth
     * thread, where the same filter is asked again */
    irc_event_t ev = { .kind = IRC_EV_SAY, .channel = CHAN, .nick = "eve", .text = "hi",
                       .mask = "eve!e@bots.example.org" };
    CHECK_EQ(hear_event(&h, &ev, ME), 0);
    ev.mask = "eve!e@home.example.org";
    CHECK_EQ(hear_event(&h, &ev, ME), 1);
    u = next(q);
    CHECK(u && strcmp(u->mask, "eve!e@home.example.org") == 0);
    free(u);
    CHECK(announce_filter_heard(present_filter(p), "eve", "eve!e@home.example.org"));
    CHECK(!announce_filter_heard(present_filter(p), "eve", "eve!e@bots.example.org"));
    CHECK(!announce_filter_heard(present_filter(p), "CAROL", NULL)); /* muted, any case */

    /* NAMES: who was there when we came is in the roster, never announced;
     * a JOIN right after ours is a join (no time window guesses) */
    voicemap_channel_clear(vm, CHAN);
    roster(&h, IRC_EV_SELF_JOIN, CHAN, ME, NULL);
    roster(&h, IRC_EV_NAMES, CHAN, "fred", NULL);
    roster(&h, IRC_EV_NAMES, CHAN, "gina", NULL);
    CHECK_EQ(voicemap_roster_size(vm, CHAN), 2);
    CHECK_EQ(speechq_backlog(q), 0);
    roster(&h, IRC_EV_JOIN, CHAN, "hank", NULL);
    u = next(q);
    CHECK(u && u->kind == UTT_NOTICE);
    if (u)
        CHECK_STREQ(u->text, "hank joined");
    free(u);
out:
    present_free(p);
    audio_close(audio);
    speechq_free(q);
}

/* With --languages, the words the clean-up adds to a line ("link to ...
 * dot ...") are in the line's language, guessed from the line as heard,
 * and the utterance carries that language for the speaker's "X says:";
 * with languages off, English and no language, as before. */
static void test_languages(void)
{
    voicemap_t *vm = the_vm;
    voicemap_channel_clear(vm, CHAN);
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 16), 0);
    hear_t h;
    hear_init(&h, vm, q, NULL, 0);
    char err[256] = "";
    lang_t *l = NULL;
    CHECK_EQ(lang_create(&l, "en,fr", NULL, err, sizeof err), 0);
    h.lang = l;
    const char *fr = "regardez https://www.exemple.fr/page c'est vraiment très joli aujourd'hui";
    const char *en = "look at https://www.example.com/page it is really nice today";
    CHECK_EQ(say(&h, IRC_EV_SAY, "marie", fr), 1);
    utterance_t *u = next(q);
    CHECK(u != NULL);
    if (u) {
        CHECK_STREQ(u->text, "regardez lien vers exemple point fr c'est vraiment très joli aujourd'hui");
        CHECK_STREQ(u->says, "dit :");
        CHECK(strncmp(u->voice.name, "fr", 2) == 0);
    }
    free(u);
    CHECK_EQ(say(&h, IRC_EV_SAY, "bob", en), 1);
    u = next(q);
    CHECK(u != NULL);
    if (u) {
        CHECK_STREQ(u->text, "look at link to example dot com it is really nice today");
        CHECK_STREQ(u->says, "says:");
    }
    free(u);
    /* languages off */
    h.lang = NULL;
    CHECK_EQ(say(&h, IRC_EV_SAY, "marie", fr), 1);
    u = next(q);
    CHECK(u != NULL);
    if (u) {
        CHECK_STREQ(u->text, "regardez link to exemple dot fr c'est vraiment très joli aujourd'hui");
        CHECK_STREQ(u->says, "says:");
    }
    free(u);
    /* the voices file's [phrases.CODE] words win over the built-in ones */
    const char *dir = getenv("PURG_TEST_TMP");
    char path[1024];
    snprintf(path, sizeof path, "%s/test_hear_phrases.ini", dir ? dir : "/tmp");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    voicemap_t *vm2 = NULL;
    if (f) {
        fputs("[voices]\na = en+m1\n[phrases.fr]\nlink_to = le site\nsays = raconte :\n", f);
        fclose(f);
        CHECK_EQ(voicemap_load(&vm2, path, NULL, err, sizeof err), 0);
        remove(path);
    }
    if (vm2) {
        h.voices = vm2;
        h.lang = l;
        CHECK_EQ(say(&h, IRC_EV_SAY, "marie", fr), 1);
        u = next(q);
        CHECK(u != NULL);
        if (u) {
            CHECK_STREQ(u->text, "regardez le site exemple point fr c'est vraiment très joli aujourd'hui");
            CHECK_STREQ(u->says, "raconte :");
        }
        free(u);
        voicemap_free(vm2);
    }
    lang_free(l);
    speechq_free(q);
}

static const check_case_t cases[] = {
    CHECK_CASE(languages),
    CHECK_CASE(lines),
    CHECK_CASE(presenter),
};

int main(int argc, char **argv)
{
    char err[512] = "";
    if (voicemap_load(&the_vm, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "voicemap_load: %s\n", err);
        return 1;
    }
    int rc = check_run(argc, argv, cases, CHECK_NCASES(cases));
    voicemap_free(the_vm);
    return rc;
}
