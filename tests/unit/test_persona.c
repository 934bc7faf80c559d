/* test_persona.c - persona definitions (good and bad files), and the state
 * machine with an injected clock: reply to a mention, an exchange between
 * personas that ends by itself, the rate limit, the quiet rule, INVITE, and
 * the room that carries it all offline. */
#include "check.h"
#include "nick.h"
#include "util.h"
#include "markov.h"
#include "persona.h"
#include "purg.h"
#include "room.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S NS_PER_S

static markov_t *small_model(void)
{
    static const char *const lines[] = {
        "the server room is on fire again today",
        "the coffee machine has a kernel panic",
        "nobody reads the manual before the server room floods",
        "my cat walked across the keyboard and deployed to production",
        "the printer speaks only in riddles today",
        "a cosmic ray flipped a bit in the coffee machine",
        "the backup tapes were eaten by the printer",
        "today the network is slow because of solar flares",
    };
    markov_t *m = NULL;
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, 1), 0);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK_EQ(markov_add_line(m, lines[i], strlen(lines[i])), 0);
    CHECK_EQ(markov_build(m), 0);
    return m;
}

/* The model of the cases that take one: small_model(), made once by main(). */
static markov_t *model;

static persona_def_t *def_from(const char *text)
{
    char err[512];
    persona_def_t *d = NULL;
    int rc = persona_def_parse(&d, "/x/test.ini", text, strlen(text), err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "unexpected: %s\n", err);
    CHECK_EQ(rc, 0);
    return d;
}

/* Expect a parse error of text[0..len) whose message contains want and is
 * safe to print (no control byte of the file echoed). */
static void bad_n(const char *text, size_t len, const char *want)
{
    char err[512] = "";
    persona_def_t *d = NULL;
    int rc = persona_def_parse(&d, "bad.ini", text, len, err, sizeof err);
    CHECK(rc != 0 && d == NULL);
    if (!strstr(err, want)) {
        fprintf(stderr, "error '%s' lacks '%s'\n", err, want);
        CHECK(strstr(err, want) != NULL);
    }
    for (const char *c = err; *c; c++)
        CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
}

static void bad(const char *text, const char *want) { bad_n(text, strlen(text), want); }

static void test_parse(void)
{
    persona_def_t *d = def_from(
        "; a persona\n[persona]\nnick = bofh\nmodel = ../models/bofh.model\ncorpus = /abs/c.txt\n"
        "order = 3\nchannels = #purgatory, #other\nchattiness = 12.5\nreply_mention = 1\n"
        "reply_persona = 0.25\nvoice = en-gb+m3 40 50 170 -30\nquiet_after = 5\nmax_turns = 4\n"
        "rate = 6\nburst = 3\n[guard]\nnicks = cmdbot\nrewrite = yes\n");
    if (d) {
        CHECK_STREQ(d->nick, "bofh");
        CHECK_STREQ(d->model, "/x/../models/bofh.model");
        CHECK_STREQ(d->corpus, "/abs/c.txt");
        CHECK_EQ(d->order, 3);
        CHECK_EQ(d->nchannels, 2);
        CHECK_STREQ(d->channels[1], "#other");
        CHECK(d->chattiness == 12.5 && d->reply_mention == 1 && d->reply_persona == 0.25);
        CHECK_STREQ(d->voice, "en-gb+m3 40 50 170 -30");
        CHECK(d->quiet_after == 5 && d->max_turns == 4 && d->rate == 6 && d->burst == 3);
        char out[100];
        CHECK_EQ(guard_check(d->guard, "ask cmdbot about it", out, sizeof out, NULL), PURG_EDENIED);
    }
    persona_def_free(d);

    bad("[persona]\nnick = a\nchannels = #c\n", "bad.ini: neither model nor corpus");
    bad("[persona]\nmodel = m\nchannels = #c\n", "bad.ini: no nick");
    bad("[persona]\nnick = a\nmodel = m\n", "bad.ini: no channels");
    bad("[persona]\nnick = a\nmodel = m\nchannels = #c\ncolour = red\n", "bad.ini:5: unknown key 'colour'");
    bad("[persona]\nnick = 9lives\n", "bad.ini:2: nick '9lives'");
    bad("[persona]\nnick = a b\n", "bad.ini:2: nick");
    bad("[persona]\nchannels = purgatory\n", "bad.ini:2: channels: 'purgatory' is not a channel");
    bad("[persona]\nchannels = #a #a\n", "given twice");
    bad("[persona]\nchattiness = -1\n", "bad.ini:2: bad value for chattiness");
    bad("[persona]\n\nreply_mention = 1.5\n", "bad.ini:3: bad value for reply_mention");
    bad("[persona]\norder = 2.5\n", "bad.ini:2: bad value for order (expected an integer 1..8)");
    bad("[persona]\nmax_turns = lots\n", "bad.ini:2: bad value for max_turns");
    bad("[persona]\nnick = a\n[voices]\nx = 1\n", "bad.ini:4: unknown section [voices]");
    bad("nick = a\n", "bad.ini:1: 'nick' outside a section");
    bad("[persona]\nthis is not ini\n", "bad.ini:2: syntax error");
    bad("[persona\n", "bad.ini:1:");
    bad("[guard]\nrewrite = perhaps\n", "bad.ini:2: bad value for rewrite in [guard]");
    bad("[guard]\nfoo = 1\n", "bad.ini:2: unknown key 'foo' in [guard]");
    bad("[persona]\nnick = a\nmodel = m\nchannels = #c\nthink_min = 5\nthink_max = 1\n", "think_max");
    bad("[persona]\nlearn = maybe\n", "bad.ini:2: learn is yes or no, not 'maybe'");
    bad("[persona]\ntake_turns = 2\n", "bad.ini:2: take_turns is yes or no, not '2'");
    bad("[persona]\nlearn_from = alice !\n", "bad.ini:2: learn_from: '!' is not a nick mask");
    bad("[persona]\nnick = a\ncorpus = c.txt\nchannels = #c\nlearn = yes\n",
        "learn = yes needs 'model = FILE'");
    {
        persona_def_t *ld = def_from("[persona]\nnick = a\nmodel = m\nchannels = #c\n");
        CHECK(ld && ld->learn == 0 && ld->learn_from[0] == '\0'); /* off by default */
        persona_def_free(ld);
        ld = def_from("[persona]\nnick = a\nmodel = m\nchannels = #c\nlearn = yes\n"
                     "learn_from = alice bob* !bobby\n");
        CHECK(ld && ld->learn == 1);
        CHECK_STREQ(ld ? ld->learn_from : NULL, "alice bob* !bobby");
        char path[PERSONA_PATH_MAX + 16];
        CHECK_EQ(persona_learned_path(ld, path, sizeof path), 0);
        CHECK_STREQ(path, "/x/m.learned");
        persona_def_free(ld);
    }
    char longline[2000];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "[persona]\nnick = ", 17);
    longline[sizeof longline - 1] = '\0';
    bad(longline, "bad.ini:2: line too long");

    /* control characters are errors, quoted file content is made visible */
    static const char nul[] = "[persona]\nnick = spe\0aker\nmodel = m\nchannels = #c\n";
    bad_n(nul, sizeof nul - 1, "bad.ini:2: control character ^@ (NUL) in the file");
    bad("[persona]\nmodel = m\x1b[31m\n", "bad.ini:2: control character ^[ (ESC) in the file");
    bad("[persona]\nmodel = m\n\n;\x07 ring\n", "bad.ini:4: control character ^G (BEL)");
    bad("[persona]\nnick = a\rb\n", "bad.ini:2: control character ^M (CR)");
    bad("[persona]\nnick = a\x7f\n", "bad.ini:2: control character ^? (DEL)");
    bad("[persona]\nnick = \xc2\x9b" "31m\n", "bad.ini:2: control character <U+009B> in the file");
    bad("[persona]\nnick = a\xe2\x80\xae" "b\n", "bad.ini:2: nick 'a<U+202E>b'");
    bad("[persona]\nnick = \xff\xfe\n", "bad.ini:2: nick '\\xFF\\xFE'");
    bad("[persona]\nchannels = a\xe2\x81\xa6\n", "bad.ini:2: channels: 'a<U+2066>' is not a channel name");
    persona_def_t *crlf = def_from("[persona]\r\nnick = a\r\nmodel = m\r\nchannels =\t#c\r\n");
    CHECK(crlf && strcmp(crlf->nick, "a") == 0);
    persona_def_free(crlf);

    char err[256];
    persona_def_t *none = NULL;
    CHECK_EQ(persona_def_load(&none, "/nonexistent/p.ini", err, sizeof err), PURG_ENOTFOUND);
    CHECK(strstr(err, "/nonexistent/p.ini") != NULL);
}

/* ---- a transport that records what was said ---- */

typedef struct said {
    int n;
    char last[512];
    char chan[64];
} said_t;

static int rec_say(void *ctx, const char *channel, const char *text)
{
    said_t *s = ctx;
    s->n++;
    snprintf(s->last, sizeof s->last, "%s", text);
    snprintf(s->chan, sizeof s->chan, "%s", channel);
    return 0;
}

static void hear(persona_t *p, const char *nick, const char *text, int64_t now)
{
    irc_event_t ev = { .kind = IRC_EV_SAY, .channel = "#c", .nick = nick, .text = text };
    persona_event(p, &ev, now);
}

/* Tick every 100 ms from *now to until. */
static void run_until(persona_t *p, int64_t *now, int64_t until)
{
    for (; *now < until; *now += S / 10)
        persona_tick(p, *now);
}

/* A reply names the human it answers at the end ("..., alice."), never at
 * the start where bots look for their name. */
static int names_at_end(const char *line, const char *nick)
{
    size_t n = strlen(line), k = strlen(nick);
    if (n < k + 3 || nick_prefix(line, nick, k))
        return 0;
    char last = line[n - 1];
    return (last == '.' || last == '?' || last == '!') && strncmp(line + n - 1 - k, nick, k) == 0 &&
           strncmp(line + n - 3 - k, ", ", 2) == 0;
}

static void test_mention(void)
{
    markov_t *m = model;
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 0\n"
                                "reply_mention = 1\nreply_persona = 0\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 1000 * S;
    CHECK_EQ(persona_create(&p, d, m, 1, now), 0);
    persona_set_transport(p, rec_say, &s);
    run_until(p, &now, now + 60 * S);
    CHECK_EQ(s.n, 0); /* chattiness 0: only replies */
    hear(p, "alice", "what do you think about the printer", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 0); /* not named: no reply */
    hear(p, "alice", "hey BOFH, what about the coffee machine?", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 1);
    CHECK_STREQ(s.chan, "#c");
    CHECK(names_at_end(s.last, "alice"));
    /* a word that only contains the nick does not count */
    hear(p, "alice", "bofhs are everywhere", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 1);
    /* other channels are not its business */
    irc_event_t ev = { .kind = IRC_EV_SAY, .channel = "#elsewhere", .nick = "alice", .text = "bofh!" };
    persona_event(p, &ev, now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 1);
    /* INVITE: counted, nothing said, nowhere joined */
    ev = (irc_event_t){ .kind = IRC_EV_INVITE, .channel = "#ops", .nick = "cmdbot" };
    persona_event(p, &ev, now);
    run_until(p, &now, now + 10 * S);
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK(st.invites == 1 && st.replies == 1 && s.n == 1);
    persona_free(p);
    persona_def_free(d);
}

/* A link still busy with earlier lines (the transport says PURG_EFULL):
 * a person who named the persona is answered once it drains, and unprompted
 * lines wait behind that answer; another persona's line is not retried. */
typedef struct busy {
    said_t said;
    int64_t *now, until; /* PURG_EFULL while *now < until */
    int refused;
} busy_t;

static int busy_say(void *ctx, const char *channel, const char *text)
{
    busy_t *b = ctx;
    if (*b->now < b->until) {
        b->refused++;
        return PURG_EFULL;
    }
    return rec_say(&b->said, channel, text);
}

static void test_busy_link(void)
{
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 0\n"
                                "reply_mention = 1\nreply_persona = 0\n");
    persona_t *p = NULL;
    int64_t now = 1000 * S;
    busy_t b = { .now = &now, .until = now + 6 * S };
    CHECK_EQ(persona_create(&p, d, model, 1, now), 0);
    persona_set_transport(p, busy_say, &b);
    hear(p, "alice", "bofh, what about the coffee machine?", now);
    run_until(p, &now, now + 5 * S);
    CHECK_GE(b.refused, 2); /* due within think_max (3 s), tried again while busy */
    CHECK_EQ(b.said.n, 0);
    run_until(p, &now, now + 3 * S);
    CHECK_EQ(b.said.n, 1); /* answered when the link drained */
    CHECK(names_at_end(b.said.last, "alice"));
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK_EQ(st.replies, 1ul);
    CHECK_EQ(st.dropped, 0ul);
    persona_free(p);
    persona_def_free(d);
}

/* Nicks compare under the IRC case mapping (rfc1459): [ ] \ ~ are the upper
 * case of { } | ^, so "foo{m}" names the persona Foo[m], a peer renamed by
 * the server in the other case is still a peer, and a NICK change of
 * "FOO{M}" is its own. */
static void test_mention_rfc1459(void)
{
    markov_t *m = model;
    persona_def_t *d = def_from("[persona]\nnick = Foo[m]\nmodel = m\nchannels = #c\nchattiness = 0\n"
                                "reply_mention = 1\nreply_persona = 0\nrate = 60\nburst = 5\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 1000 * S;
    CHECK_EQ(persona_create(&p, d, m, 1, now), 0);
    persona_set_transport(p, rec_say, &s);
    hear(p, "alice", "hey foo{m}, what about the coffee machine?", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 1);
    CHECK(names_at_end(s.last, "alice"));
    /* a peer (another persona) is never answered: reply_persona = 0 */
    CHECK_EQ(persona_add_peer(p, "Bar\\x~"), 0);
    hear(p, "bar|X^_", "foo[M], what about the printer?", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 1);
    irc_event_t ev = { .kind = IRC_EV_NICK, .nick = "FOO{M}", .text = "Foo[away]" };
    persona_event(p, &ev, now);
    CHECK_STREQ(persona_nick(p), "Foo[away]");
    hear(p, "alice", "FOO{AWAY}: and the backups?", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 2);
    persona_free(p);
    persona_def_free(d);
}

/* The one reply slot: a bot the guard knows never gets it, and a human who
 * names the persona takes it from a pending reply to another persona. */
static void test_reply_slot(void)
{
    markov_t *m = model;
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 0\n"
                                "reply_mention = 1\nreply_persona = 1\nthink_min = 5\n"
                                "think_max = 5\n[guard]\nnicks = cmdbot\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 1000 * S;
    CHECK_EQ(persona_create(&p, d, m, 7, now), 0);
    persona_set_transport(p, rec_say, &s);
    persona_add_peer(p, "oracle");
    /* a known bot names it: no reply, and the slot stays free for alice */
    hear(p, "cmdbot", "bofh, karma please", now);
    hear(p, "alice", "bofh, what about the coffee machine?", now + S);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 1);
    CHECK(names_at_end(s.last, "alice"));
    /* a persona's line takes the slot first; alice naming it takes it over */
    hear(p, "oracle", "the printer is down again", now);
    hear(p, "alice", "bofh, and the backups?", now + S);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 2);
    CHECK(names_at_end(s.last, "alice"));
    /* ...but a second human does not take it from the first */
    hear(p, "alice", "bofh, one more thing", now);
    hear(p, "carol", "bofh, over here", now + S);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 3);
    CHECK(names_at_end(s.last, "alice"));
    persona_free(p);
    persona_def_free(d);
}

/* Two personas wired back to back through the room: one human line starts
 * an exchange that must end by itself. */
typedef struct member {
    persona_t *p;
    room_t *room;
    int64_t *now;
    unsigned long heard;
} member_t;

static void member_hear(void *owner, const irc_event_t *ev)
{
    member_t *mb = owner;
    if (ev->kind == IRC_EV_SAY)
        mb->heard++;
    if (mb->p)
        persona_event(mb->p, ev, *mb->now);
}

static int member_say(void *ctx, const char *channel, const char *text)
{
    member_t *mb = ctx;
    return room_say(mb->room, persona_nick(mb->p), channel, text, *mb->now);
}

static void test_exchange(void)
{
    markov_t *m = model;
#define EXCHANGE_INI(nick) \
        "[persona]\nnick = " nick "\nmodel = m\nchannels = #c\nchattiness = 0\nreply_mention = 1\n" \
        "reply_persona = 1\nmax_turns = 6\nrate = 60\nburst = 5\n"
    persona_def_t *da = def_from(EXCHANGE_INI("alpha")), *db = def_from(EXCHANGE_INI("beta"));
    room_t *room = NULL;
    CHECK_EQ(room_create(&room), 0);
    int64_t now = 5 * S;
    member_t ma = { .room = room, .now = &now }, mb = { .room = room, .now = &now };
    member_t ear = { .room = room, .now = &now };
    CHECK_EQ(persona_create(&ma.p, da, m, 11, now), 0);
    CHECK_EQ(persona_create(&mb.p, db, m, 22, now), 0);
    persona_add_peer(ma.p, "beta");
    persona_add_peer(mb.p, "alpha");
    persona_set_transport(ma.p, member_say, &ma);
    persona_set_transport(mb.p, member_say, &mb);
    const char *chans[] = { "#c" };
    CHECK_EQ(room_join(room, "alpha", chans, 1, member_hear, &ma, now), 0);
    CHECK_EQ(room_join(room, "beta", chans, 1, member_hear, &mb, now), 0);
    CHECK_EQ(room_join(room, "human", chans, 1, member_hear, &ear, now), 0);
    CHECK_EQ(room_join(room, "alpha", chans, 1, member_hear, &ear, now), PURG_EINVAL);
    CHECK_EQ(room_say(room, "human", "#c", "alpha, what about the server room?", now), 0);
    for (int i = 0; i < 6000; i++, now += S / 10) { /* ten minutes */
        persona_tick(ma.p, now);
        persona_tick(mb.p, now);
    }
    unsigned long persona_lines = room_lines(room) - 1;
    fprintf(stderr, "exchange: %lu persona lines\n", persona_lines);
    CHECK_GE(persona_lines, 1);  /* alpha answered */
    CHECK_LE(persona_lines, 6);  /* the turn budget */
    CHECK_EQ(ear.heard, persona_lines);
    /* a persona cannot speak where it is not */
    CHECK_EQ(room_say(room, "alpha", "#ops", "hello", now), PURG_EDENIED);
    CHECK_EQ(room_say(room, "alpha", "#c", "two\nlines", now), PURG_EINVAL);
    CHECK_EQ(room_invite(room, "human", "alpha", "#ops", now), 0);
    CHECK(!room_in(room, "alpha", "#ops"));
    persona_stats_t st;
    persona_get_stats(ma.p, &st);
    CHECK_EQ(st.invites, 1);
    /* a human line starts a new exchange */
    unsigned long before = room_lines(room);
    CHECK_EQ(room_say(room, "human", "#c", "beta: tell me about the printer", now), 0);
    for (int i = 0; i < 600; i++, now += S / 10) {
        persona_tick(ma.p, now);
        persona_tick(mb.p, now);
    }
    CHECK_GT(room_lines(room), before + 1);
    CHECK_LE(room_lines(room), before + 1 + 6);
    persona_free(ma.p);
    persona_free(mb.p);
    room_free(room);
    persona_def_free(da);
    persona_def_free(db);
}

static void test_rate_limit(void)
{
    markov_t *m = model;
    /* every human line names it; it may say 6 a minute, 2 back to back */
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 0\n"
                                "reply_mention = 1\nrate = 6\nburst = 2\nthink_min = 0\nthink_max = 0\n"
                                "replies_per_nick = 60\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 0;
    CHECK_EQ(persona_create(&p, d, m, 3, now), 0);
    persona_set_transport(p, rec_say, &s);
    for (int i = 0; i < 600; i++, now += S / 10) { /* one minute, a mention every 100 ms */
        hear(p, "alice", "bofh: the printer?", now);
        persona_tick(p, now);
    }
    fprintf(stderr, "rate limit: %d lines in a minute\n", s.n);
    CHECK(s.n >= 6 && s.n <= 8); /* burst 2 + 6 a minute */
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK_GT(st.rate_limited, 0);
    persona_free(p);
    persona_def_free(d);
}

static void test_quiet_rule(void)
{
    markov_t *m = model;
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 10\n"
                                "quiet_after = 2\nrate = 60\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 0;
    CHECK_EQ(persona_create(&p, d, m, 5, now), 0);
    persona_set_transport(p, rec_say, &s);
    run_until(p, &now, 2 * 60 * S);
    int in_first = s.n;
    CHECK_GE(in_first, 4); /* ~12 expected in two minutes */
    run_until(p, &now, 30 * 60 * S);
    CHECK_EQ(s.n, in_first); /* quiet: nobody human spoke for two minutes */
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK_GT(st.quiet_skips, 0);
    /* a peer's line does not wake it; a human's does */
    persona_add_peer(p, "other");
    hear(p, "other", "the coffee machine", now);
    run_until(p, &now, now + 60 * S);
    CHECK_EQ(s.n, in_first);
    hear(p, "alice", "anyone here?", now);
    run_until(p, &now, now + 60 * S);
    CHECK_GT(s.n, in_first);
    persona_free(p);
    persona_def_free(d);
}

static void test_model_open(void)
{
    char dir[512], path[600], err[512], warn[512];
    const char *tmp = getenv("PURG_TEST_TMP");
    snprintf(dir, sizeof dir, "%s", tmp ? tmp : "/tmp");
    snprintf(path, sizeof path, "%s/test_persona_corpus.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < 50; i++)
        fprintf(f, "line number %d says the server is down again\n", i);
    fclose(f);
    char ini[2048];
    snprintf(ini, sizeof ini, "[persona]\nnick = t\nchannels = #c\ncorpus = %s\n"
             "model = test_persona.model\ncorpus_max_lines = 10\n", path);
    char name[700];
    snprintf(name, sizeof name, "%s/p.ini", dir);
    persona_def_t *d = NULL;
    CHECK_EQ(persona_def_parse(&d, name, ini, strlen(ini), err, sizeof err), 0);
    if (!d)
        return;
    remove(d->model);
    markov_t *m = NULL;
    CHECK_EQ(persona_model_open(d, &m, warn, sizeof warn, err, sizeof err), 0);
    markov_stats_t st;
    if (m) {
        markov_stats(m, &st);
        CHECK_EQ(st.lines, 10);
    }
    markov_free(m);
    m = NULL;
    /* second time: the saved model is loaded */
    CHECK_EQ(persona_model_open(d, &m, warn, sizeof warn, err, sizeof err), 0);
    markov_free(m);
    remove(d->model);
    snprintf(d->corpus, sizeof d->corpus, "%s/nonexistent.txt", dir);
    CHECK_EQ(persona_model_open(d, &m, warn, sizeof warn, err, sizeof err), PURG_ENOTFOUND);
    CHECK(strstr(err, "nonexistent.txt") != NULL);
    persona_def_free(d);
}

/* Bots are never answered: by name (a built-in pattern), by the server's
 * flag on the line, or by an earlier IRC_EV_BOT; their lines do not count as
 * human. A human still gets an answer. */
static void test_bots_ignored(void)
{
    markov_t *m = model;
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 0\n"
                                "reply_mention = 1\nreply_persona = 1\nrate = 60\nburst = 5\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 1000 * S;
    CHECK_EQ(persona_create(&p, d, m, 5, now), 0);
    persona_set_transport(p, rec_say, &s);
    hear(p, "hubot", "bofh: what do you think about the printer", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 0);
    irc_event_t ev = { .kind = IRC_EV_SAY, .channel = "#c", .nick = "jarvis",
                       .text = "bofh, tell me about the coffee machine", .bot = 1 };
    persona_event(p, &ev, now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 0);
    ev = (irc_event_t){ .kind = IRC_EV_BOT, .nick = "friday" };
    persona_event(p, &ev, now);
    hear(p, "Friday", "what about the server room, bofh?", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 0);
    hear(p, "alice", "bofh, what about the backups?", now);
    run_until(p, &now, now + 10 * S);
    CHECK_EQ(s.n, 1);
    CHECK(names_at_end(s.last, "alice"));
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK_EQ(st.bot_lines, 3);
    persona_free(p);
    persona_def_free(d);
}

/* replies_per_nick: one nick mentioning it over and over gets at most that
 * many replies a minute; another nick still gets its answer. */
static void test_replies_per_nick(void)
{
    markov_t *m = model;
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 0\n"
                                "reply_mention = 1\nrate = 600\nburst = 50\nthink_min = 0\n"
                                "think_max = 0\nreplies_per_nick = 3\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 0;
    CHECK_EQ(persona_create(&p, d, m, 9, now), 0);
    persona_set_transport(p, rec_say, &s);
    for (int i = 0; i < 300; i++, now += S / 10) { /* 30 s, a mention every 2 s */
        if (i % 20 == 0)
            hear(p, "pingpong", "bofh: and the printer?", now);
        persona_tick(p, now);
    }
    CHECK_EQ(s.n, 3);
    hear(p, "carol", "bofh, and you?", now);
    run_until(p, &now, now + 2 * S);
    CHECK_EQ(s.n, 4);
    CHECK(names_at_end(s.last, "carol"));
    for (int i = 0; i < 600; i++, now += S / 10) { /* a minute later it may answer again */
        if (i % 20 == 0)
            hear(p, "pingpong", "bofh: and the printer?", now);
        persona_tick(p, now);
    }
    CHECK(s.n >= 5 && s.n <= 4 + 4);
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK_GT(st.capped, 0);
    persona_free(p);
    persona_def_free(d);
}

/* The guard knows the room: a persona whose corpus starts lines with a
 * word that is the nick of someone present never says such a line while
 * that someone is in the channel, and does once they left. */
static void test_room_guard(void)
{
    static const char *const lines[] = {
        "karl the server room is on fire again",
        "karl the coffee machine is on fire",
        "the printer is on fire again today",
        "the coffee machine speaks in riddles today",
        "karl the printer speaks in riddles",
        "the server room speaks in riddles again",
        "karl and the printer are on fire today",
    };
    markov_t *m = NULL;
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, 1), 0);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK_EQ(markov_add_line(m, lines[i], strlen(lines[i])), 0);
    CHECK_EQ(markov_build(m), 0);
    persona_def_t *d = def_from("[persona]\nnick = bofh\nmodel = m\nchannels = #c\nchattiness = 2\n"
                                "quiet_after = 0\nrate = 600\nburst = 50\nmax_turns = 1000\n");
    persona_t *p = NULL;
    said_t s = { 0 };
    int64_t now = 0;
    CHECK_EQ(persona_create(&p, d, m, 13, now), 0);
    persona_set_transport(p, rec_say, &s);
    irc_event_t ev = { .kind = IRC_EV_SELF_JOIN, .channel = "#c", .nick = "bofh" };
    persona_event(p, &ev, now);
    ev = (irc_event_t){ .kind = IRC_EV_JOIN, .channel = "#c", .nick = "Karl" };
    persona_event(p, &ev, now);
    int karl_lines = 0, n0;
    for (int i = 0; i < 6000; i++, now += S / 10) {
        n0 = s.n;
        persona_tick(p, now);
        if (s.n > n0 && strncmp(s.last, "karl", 4) == 0)
            karl_lines++;
    }
    int present_lines = s.n;
    { persona_stats_t st; persona_get_stats(p, &st); fprintf(stderr, "room guard: %d lines, %lu guarded, %lu dropped, %lu rl, %lu quiet\n", s.n, st.guarded, st.dropped, st.rate_limited, st.quiet_skips); }
    CHECK_GT(present_lines, 20);
    CHECK_EQ(karl_lines, 0);
    ev = (irc_event_t){ .kind = IRC_EV_QUIT, .nick = "karl" };
    persona_event(p, &ev, now);
    for (int i = 0; i < 6000; i++, now += S / 10) {
        n0 = s.n;
        persona_tick(p, now);
        if (s.n > n0 && strncmp(s.last, "karl", 4) == 0)
            karl_lines++;
    }
    CHECK_GT(karl_lines, 0); /* gone: the roster, not the word, decided */
    persona_free(p);
    persona_def_free(d);
    markov_free(m);
}

/* learn = yes: what a persona learns, and from whom; saved and learned again
 * by the next persona made from the same definition. */
static void test_learning(void)
{
    const char *tmp = getenv("PURG_TEST_TMP");
    char ini[1024], path[PERSONA_PATH_MAX + 16];
    snprintf(ini, sizeof ini, "[persona]\nnick = sage\nmodel = %s/learn-%d.model\nchannels = #c\n"
             "chattiness = 0\nreply_mention = 1\nthink_min = 0\nthink_max = 0\nlearn = yes\n"
             "learn_from = * !mallory\n[guard]\nnicks = karmabot\n", tmp ? tmp : "/tmp", (int)getpid());
    persona_def_t *d = def_from(ini);
    CHECK_EQ(persona_learned_path(d, path, sizeof path), 0);
    unlink(path);
    markov_t *m = small_model();
    persona_t *p = NULL;
    CHECK_EQ(persona_create(&p, d, m, 5, 0), 0);
    persona_add_peer(p, "other");
    size_t bad = 9;
    char err[512] = "";
    CHECK_EQ(persona_learn_start(p, m, &bad, err, sizeof err), 0); /* no file yet: nothing learned */
    CHECK_EQ(bad, 0);
    hear(p, "alice", "the zanzibarite glows in the server room", 1 * S);
    hear(p, "other", "the blorptrain is late", 2 * S);               /* another persona */
    hear(p, "karmabot", "the quuxolite is in the box", 3 * S);       /* a bot by [guard] nicks */
    hear(p, "cmdbot", "the frobnitz is in the box", 4 * S);          /* a bot by its name */
    hear(p, "mallory", "the plingstone is near", 5 * S);             /* excluded */
    hear(p, "alice", "!karma wobble++", 6 * S);                      /* the guard refuses it */
    hear(p, "alice", "see https://example.org/x for the gizmite", 7 * S);
    hear(p, "alice", "sage, the snorklet is here", 8 * S);           /* names the persona */
    hear(p, "alice", "the \x02bold\x02 trompite", 9 * S);             /* formatting codes */
    irc_event_t act = { .kind = IRC_EV_ACTION, .channel = "#c", .nick = "alice", .text = "waves a flumpet" };
    persona_event(p, &act, 10 * S);
    irc_event_t flagged = { .kind = IRC_EV_SAY, .channel = "#c", .nick = "robo", .text = "the jarvisite",
                            .bot = 1 };
    persona_event(p, &flagged, 11 * S);
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK_EQ(st.learned, 1);
    CHECK_GE(st.not_learned, 5);
    CHECK_EQ(persona_learn_save(p, err, sizeof err), 0);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    char buf[4096] = "";
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    CHECK(strstr(buf, "alice\t") && strstr(buf, "zanzibarite"));
    static const char *const never[] = { "blorptrain", "quuxolite", "frobnitz", "plingstone", "wobble",
                                         "gizmite", "snorklet", "trompite", "flumpet", "jarvisite" };
    for (size_t i = 0; i < sizeof never / sizeof *never; i++)
        if (strstr(buf, never[i])) {
            fprintf(stderr, "learned '%s' though it must not\n", never[i]);
            CHECK(strstr(buf, never[i]) == NULL);
        }
    persona_free(p);
    markov_free(m);
    /* the next start learns it again: the word is known, and replies use it */
    m = small_model();
    char *s = NULL;
    markov_rng_t r;
    markov_rng_seed(&r, 1);
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    o.overlap_test = false;
    CHECK_EQ(markov_generate_with(m, &r, &o, "zanzibarite", &s), PURG_ENOTFOUND);
    CHECK_EQ(persona_create(&p, d, m, 6, 0), 0);
    CHECK_EQ(persona_learn_start(p, m, &bad, err, sizeof err), 0);
    CHECK_EQ(markov_generate_with(m, &r, &o, "zanzibarite", &s), 0);
    free(s);
    said_t said = { 0 };
    persona_set_transport(p, rec_say, &said);
    hear(p, "alice", "sage: what about the zanzibarite?", 20 * S);
    run_until(p, &(int64_t){ 20 * S }, 25 * S);
    CHECK_EQ(said.n, 1);
    CHECK(strstr(said.last, "zanzibarite") != NULL);
    persona_free(p);
    markov_free(m);
    /* a file that is not a learned-lines file is an error, not ignored */
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("alice\t1\tno header\n", f);
        fclose(f);
    }
    m = small_model();
    CHECK_EQ(persona_create(&p, d, m, 7, 0), 0);
    CHECK_EQ(persona_learn_start(p, m, &bad, err, sizeof err), PURG_EFORMAT);
    CHECK(strstr(err, "not a learned-lines file") != NULL);
    persona_free(p);
    markov_free(m);
    unlink(path);
    persona_def_free(d);
}

/* An ear that notes when each persona line came and how long it is. */
typedef struct ear {
    int64_t *now;
    int n;
    int64_t t[256];
    int words[256];
    char nick[256][16];
} ear_t;

static void ear_hear(void *owner, const irc_event_t *ev)
{
    ear_t *e = owner;
    if (ev->kind != IRC_EV_SAY || e->n == 256)
        return;
    int w = 0;
    for (const char *c = ev->text; *c; c++)
        w += *c != ' ' && (c == ev->text || c[-1] == ' ');
    e->t[e->n] = *e->now;
    e->words[e->n] = w;
    snprintf(e->nick[e->n], sizeof e->nick[0], "%s", ev->nick);
    e->n++;
}

/* Taking turns: four chatty personas in a room. With turns (the default)
 * no line starts while the previous one is presumably still spoken (0.3 s
 * a word + 0.3 s), every persona gets the floor, and the room is rarely
 * silent; with take_turns = no lines come over each other. */
static int run_room(int take_turns, ear_t *ear)
{
    static const char *const nicks[] = { "ann", "bea", "cid", "dee" };
    persona_def_t *d[4];
    member_t mb[4];
    room_t *room = NULL;
    CHECK_EQ(room_create(&room), 0);
    int64_t now = 1 * S;
    ear->now = &now;
    ear->n = 0;
    const char *chans[] = { "#c" };
    CHECK_EQ(room_join(room, "ear", chans, 1, ear_hear, ear, now), 0);
    for (int k = 0; k < 4; k++) {
        char ini[512];
        snprintf(ini, sizeof ini, "[persona]\nnick = %s\nmodel = m\nchannels = #c\nchattiness = 6\n"
                 "reply_persona = 0.6\nmax_turns = 12\nquiet_after = 0\nrate = 30\nburst = 4\n"
                 "think_min = 0.3\nthink_max = 1.2\ntake_turns = %s\n", nicks[k], take_turns ? "yes" : "no");
        d[k] = def_from(ini);
        mb[k] = (member_t){ .room = room, .now = &now };
        CHECK_EQ(persona_create(&mb[k].p, d[k], model, 100 + (uint64_t)k, now), 0);
        persona_set_transport(mb[k].p, member_say, &mb[k]);
        for (int j = 0; j < 4; j++)
            if (j != k)
                persona_add_peer(mb[k].p, nicks[j]);
        persona_add_peer(mb[k].p, "ear");
    }
    for (int k = 0; k < 4; k++)
        CHECK_EQ(room_join(room, nicks[k], chans, 1, member_hear, &mb[k], now), 0);
    int64_t end = now + 120 * S;
    for (; now < end; now += S / 20)
        for (int k = 0; k < 4; k++)
            persona_tick(mb[k].p, now);
    int overlaps = 0;
    for (int k = 1; k < ear->n; k++)
        if (ear->t[k] < ear->t[k - 1] + (3 * ear->words[k - 1] + 3) * S / 10)
            overlaps++;
    for (int k = 0; k < 4; k++) {
        persona_free(mb[k].p);
        persona_def_free(d[k]);
    }
    room_free(room);
    return overlaps;
}

static void test_turns(void)
{
    static ear_t ear;
    int overlaps = run_room(1, &ear);
    fprintf(stderr, "turns: %d lines in 120 s, %d over another\n", ear.n, overlaps);
    CHECK_EQ(overlaps, 0);
    CHECK_GE(ear.n, 12);
    /* every persona spoke, and the longest silence (from the end of a line
     * to the next) is short compared with the 45 s of the old rule */
    static const char *const nicks[] = { "ann", "bea", "cid", "dee" };
    for (int k = 0; k < 4; k++) {
        int said = 0;
        for (int j = 0; j < ear.n; j++)
            said += strcmp(ear.nick[j], nicks[k]) == 0;
        CHECK_GE(said, 1);
    }
    int64_t speech = 0, longest = 0;
    for (int j = 0; j < ear.n; j++) {
        int64_t len = (3 * ear.words[j] + 3) * S / 10;
        speech += len;
        if (j + 1 < ear.n && ear.t[j + 1] - (ear.t[j] + len) > longest)
            longest = ear.t[j + 1] - (ear.t[j] + len);
    }
    fprintf(stderr, "turns: %.0f%% of 120 s spoken (estimated), longest silence %.1f s\n",
            100.0 * (double)speech / (120.0 * S), (double)longest / S);
    CHECK_LE(longest, 30 * S);
    CHECK_GE(speech, 60 * S); /* half the time at least */
    static ear_t ear2;
    overlaps = run_room(0, &ear2);
    fprintf(stderr, "take_turns = no: %d lines, %d over another\n", ear2.n, overlaps);
    CHECK_GT(overlaps, 0);
}

static const check_case_t cases[] = {
    CHECK_CASE(parse),
    CHECK_CASE(mention),
    CHECK_CASE(mention_rfc1459),
    CHECK_CASE(reply_slot),
    CHECK_CASE(exchange),
    CHECK_CASE(rate_limit),
    CHECK_CASE(quiet_rule),
    CHECK_CASE(bots_ignored),
    CHECK_CASE(replies_per_nick),
    CHECK_CASE(room_guard),
    CHECK_CASE(model_open),
    CHECK_CASE(learning),
    CHECK_CASE(turns),
    CHECK_CASE(busy_link),
};

int main(int argc, char **argv)
{
    model = small_model();
    if (!model)
        return check_done();
    int rc = check_run(argc, argv, cases, CHECK_NCASES(cases));
    markov_free(model);
    return rc;
}
