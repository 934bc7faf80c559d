/* test_room.c - the in-process channel of offline mode (room.c): what each
 * member hears when others join, speak, are flagged as bots or invite it,
 * and what room_say refuses. Every member records what it hears as text. */
#include "check.h"
#include "purg.h"
#include "room.h"

#include <stdio.h>
#include <string.h>

typedef struct ear {
    char log[2048]; /* "KIND nick channel [text] [bot];" per event */
    int n;
} ear_t;

static const char *kind_name(irc_event_kind_t k)
{
    switch (k) {
    case IRC_EV_READY: return "READY";
    case IRC_EV_SELF_JOIN: return "SELFJOIN";
    case IRC_EV_JOIN: return "JOIN";
    case IRC_EV_NAMES: return "NAMES";
    case IRC_EV_SAY: return "SAY";
    case IRC_EV_BOT: return "BOT";
    case IRC_EV_INVITE: return "INVITE";
    default: return "OTHER";
    }
}

static void hear(void *owner, const irc_event_t *ev)
{
    ear_t *e = owner;
    size_t used = strlen(e->log);
    snprintf(e->log + used, sizeof e->log - used, "%s %s %s%s%s%s;", kind_name(ev->kind),
             ev->nick ? ev->nick : "-", ev->channel ? ev->channel : "-", ev->text ? " " : "",
             ev->text ? ev->text : "", ev->bot ? " bot" : "");
    e->n++;
}

static void clear(ear_t *e, size_t n)
{
    memset(e, 0, n * sizeof *e);
}

static void test_join(void)
{
    room_t *r = NULL;
    ear_t e[3];
    clear(e, 3);
    CHECK_EQ(room_create(&r), 0);
    const char *ab[] = { "#a", "#b" }, *b[] = { "#b" };
    CHECK_EQ(room_join(r, "alice", ab, 2, hear, &e[0], 1), 0);
    CHECK_STREQ(e[0].log, "READY alice -;SELFJOIN alice #a;SELFJOIN alice #b;");
    /* bob joins #b: he hears alice there (NAMES, as a server's reply says); she hears him join */
    clear(e, 1);
    CHECK_EQ(room_join(r, "bob", b, 1, hear, &e[1], 2), 0);
    CHECK_STREQ(e[1].log, "READY bob -;SELFJOIN bob #b;NAMES alice #b;");
    CHECK_STREQ(e[0].log, "JOIN bob #b;");
    /* the listener hears every channel without joining; a later member sees it in its channels */
    CHECK_EQ(room_listen(r, "ear", hear, &e[2]), 0);
    clear(e, 2);
    const char *c[] = { "#c" };
    ear_t carol;
    clear(&carol, 1);
    CHECK_EQ(room_join(r, "carol", c, 1, hear, &carol, 3), 0);
    CHECK_STREQ(carol.log, "READY carol -;SELFJOIN carol #c;NAMES ear #c;");
    CHECK_STREQ(e[2].log, "JOIN carol #c;");
    CHECK_EQ(e[0].n + e[1].n, 0); /* #c is nobody else's */
    CHECK(room_in(r, "ALICE", "#A") && room_in(r, "bob", "#b") && !room_in(r, "bob", "#a"));
    CHECK(!room_in(r, "nobody", "#a"));
    /* refused: a nick in use (case-insensitively), bad channels, too many channels */
    const char *bad1[] = { "nochan" }, *bad2[] = { "#a b" }, *bad3[] = { "#a,#b" }, *bad4[] = { NULL };
    CHECK_EQ(room_join(r, "Alice", ab, 2, hear, &carol, 4), PURG_EINVAL);
    CHECK_EQ(room_join(r, "dave", bad1, 1, hear, &carol, 4), PURG_EINVAL);
    CHECK_EQ(room_join(r, "dave", bad2, 1, hear, &carol, 4), PURG_EINVAL);
    CHECK_EQ(room_join(r, "dave", bad3, 1, hear, &carol, 4), PURG_EINVAL);
    CHECK_EQ(room_join(r, "dave", bad4, 1, hear, &carol, 4), PURG_EINVAL);
    CHECK_EQ(room_join(r, "", c, 1, hear, &carol, 4), PURG_EINVAL);
    CHECK_EQ(room_listen(r, "EAR", hear, &carol), PURG_EINVAL);
    room_free(r);
    room_free(NULL);
}

/* Nicks and channels are the same under the IRC case mapping (rfc1459):
 * [ ] \ ~ are the upper case of { } | ^. */
static void test_rfc1459(void)
{
    room_t *r = NULL;
    ear_t e[2];
    clear(e, 2);
    CHECK_EQ(room_create(&r), 0);
    const char *a[] = { "#a[1]" };
    CHECK_EQ(room_join(r, "Foo[m]", a, 1, hear, &e[0], 1), 0);
    CHECK(room_in(r, "foo{m}", "#A{1}"));
    CHECK(!room_in(r, "foo(m)", "#a[1]"));
    CHECK_EQ(room_join(r, "FOO{M}", a, 1, hear, &e[1], 2), PURG_EINVAL); /* in use */
    CHECK_EQ(room_join(r, "x\\y~", a, 1, hear, &e[1], 2), 0);
    CHECK(room_in(r, "X|Y^", "#a[1]"));
    room_free(r);
}

static void test_say(void)
{
    room_t *r = NULL;
    ear_t e[4];
    clear(e, 4);
    CHECK_EQ(room_create(&r), 0);
    const char *ab[] = { "#a", "#b" }, *a[] = { "#a" }, *b[] = { "#b" };
    CHECK_EQ(room_join(r, "alice", ab, 2, hear, &e[0], 0), 0);
    CHECK_EQ(room_join(r, "bob", a, 1, hear, &e[1], 0), 0);
    CHECK_EQ(room_join(r, "carol", b, 1, hear, &e[2], 0), 0);
    CHECK_EQ(room_listen(r, "ear", hear, &e[3]), 0);
    clear(e, 4);
    /* a line reaches the channel's other members and the listener, not the speaker */
    CHECK_EQ(room_say(r, "alice", "#a", "hello a", 5), 0);
    CHECK_STREQ(e[1].log, "SAY alice #a hello a;");
    CHECK_STREQ(e[3].log, "SAY alice #a hello a;");
    CHECK_EQ(e[0].n + e[2].n, 0);
    CHECK_EQ(room_lines(r), 1ul);
    /* refused, and heard by nobody */
    clear(e, 4);
    char big[600]; /* over the 510 bytes of an IRC line */
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_EQ(room_say(r, "bob", "#b", "not my channel", 6), PURG_EDENIED);
    CHECK_EQ(room_say(r, "ear", "#a", "listeners do not speak", 6), PURG_EDENIED);
    CHECK_EQ(room_say(r, "nobody", "#a", "who?", 6), PURG_ENOTFOUND);
    CHECK_EQ(room_say(r, "bob", NULL, "where?", 6), PURG_EDENIED);
    CHECK_EQ(room_say(r, "bob", "#a", "two\r\nPRIVMSG #b :lines", 6), PURG_EINVAL);
    CHECK_EQ(room_say(r, "bob", "#a", "", 6), PURG_EINVAL);
    CHECK_EQ(room_say(r, "bob", "#a", big, 6), PURG_ETOOBIG);
    CHECK_EQ(e[0].n + e[1].n + e[2].n + e[3].n, 0);
    CHECK_EQ(room_lines(r), 1ul);
    /* a bot flag reaches everyone else, and marks the bot's lines from then on */
    CHECK_EQ(room_flag_bot(r, "bob", 7), 0);
    CHECK_STREQ(e[0].log, "BOT bob - bot;");
    CHECK_STREQ(e[2].log, "BOT bob - bot;");
    CHECK_EQ(e[1].n, 0);
    CHECK_EQ(room_flag_bot(r, "nobody", 7), PURG_ENOTFOUND);
    clear(e, 4);
    CHECK_EQ(room_say(r, "bob", "#A", "beep", 8), 0); /* channel names fold case */
    CHECK_STREQ(e[0].log, "SAY bob #A beep bot;");
    /* an invitation reaches only the invited */
    clear(e, 4);
    CHECK_EQ(room_invite(r, "alice", "carol", "#a", 9), 0);
    CHECK_STREQ(e[2].log, "INVITE alice #a;");
    CHECK_EQ(e[0].n + e[1].n + e[3].n, 0);
    CHECK_EQ(room_invite(r, "alice", "nobody", "#a", 9), PURG_ENOTFOUND);
    room_free(r);
}

/* ROOM_MAX_MEMBERS members fit; one more is PURG_EFULL. */
static void test_full(void)
{
    room_t *r = NULL;
    static ear_t e[ROOM_MAX_MEMBERS + 1];
    clear(e, ROOM_MAX_MEMBERS + 1);
    CHECK_EQ(room_create(&r), 0);
    const char *a[] = { "#a" };
    int ok = 0;
    for (int i = 0; i < ROOM_MAX_MEMBERS; i++) {
        char nick[16];
        snprintf(nick, sizeof nick, "m%d", i);
        ok += room_join(r, nick, a, 1, hear, &e[i], 0) == 0;
    }
    CHECK_EQ(ok, ROOM_MAX_MEMBERS);
    CHECK_EQ(room_join(r, "late", a, 1, hear, &e[ROOM_MAX_MEMBERS], 0), PURG_EFULL);
    CHECK_EQ(room_listen(r, "ear", hear, &e[ROOM_MAX_MEMBERS]), PURG_EFULL);
    CHECK_EQ(e[ROOM_MAX_MEMBERS].n, 0);
    /* the last to join heard everyone before it */
    CHECK_EQ(e[ROOM_MAX_MEMBERS - 1].n, 2 + ROOM_MAX_MEMBERS - 1);
    room_free(r);
}

static const check_case_t cases[] = {
    CHECK_CASE(join),
    CHECK_CASE(rfc1459),
    CHECK_CASE(say),
    CHECK_CASE(full),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
