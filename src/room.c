/* room.c - the in-process channel of offline mode; one thread (see room.h). */
#include "room.h"
#include "nick.h"

#include "purg.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define ROOM_NICK_MAX 64
#define ROOM_CHAN_MAX 64
#define ROOM_MEMBER_CHANS 8
#define ROOM_LINE_MAX 510

typedef struct room_member {
    char nick[ROOM_NICK_MAX];
    char chans[ROOM_MEMBER_CHANS][ROOM_CHAN_MAX];
    size_t nchans;
    int listener;        /* hears every channel, says nothing */
    int bot;             /* flagged a bot (room_flag_bot) */
    room_handler_fn fn;
    void *owner;
} room_member_t;

struct room {
    room_member_t m[ROOM_MAX_MEMBERS];
    size_t n;
    unsigned long lines;
};

int room_create(room_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : PURG_ENOMEM;
}

void room_free(room_t *r)
{
    free(r);
}

static room_member_t *find(room_t *r, const char *nick)
{
    for (size_t i = 0; i < r->n; i++)
        if (nick_eq(r->m[i].nick, nick))
            return &r->m[i];
    return NULL;
}

static int member_in(const room_member_t *m, const char *channel)
{
    for (size_t i = 0; i < m->nchans; i++)
        if (nick_eq(m->chans[i], channel))
            return 1;
    return 0;
}

static void deliver(room_t *r, const room_member_t *from, const irc_event_t *ev)
{
    for (size_t i = 0; i < r->n; i++) {
        room_member_t *m = &r->m[i];
        if (m == from || !(m->listener || member_in(m, ev->channel)))
            continue;
        m->fn(m->owner, ev);
    }
}

static room_member_t *add(room_t *r, const char *nick, room_handler_fn fn, void *owner)
{
    if (r->n == ROOM_MAX_MEMBERS || !nick || !*nick || find(r, nick))
        return NULL;
    room_member_t *m = &r->m[r->n];
    memset(m, 0, sizeof *m);
    if (util_strlcpy(m->nick, nick, sizeof m->nick) != 0)
        return NULL;
    m->fn = fn;
    m->owner = owner;
    r->n++;
    return m;
}

int room_join(room_t *r, const char *nick, const char *const *channels, size_t nchannels,
              room_handler_fn fn, void *owner, int64_t t)
{
    if (nchannels > ROOM_MEMBER_CHANS)
        return PURG_EINVAL;
    for (size_t i = 0; i < nchannels; i++)
        if (!channels[i] || !strchr("#&+!", channels[i][0]) ||
            strlen(channels[i]) >= ROOM_CHAN_MAX || strpbrk(channels[i], " ,\r\n\a"))
            return PURG_EINVAL;
    if (r->n == ROOM_MAX_MEMBERS)
        return PURG_EFULL;
    room_member_t *m = add(r, nick, fn, owner);
    if (!m)
        return PURG_EINVAL;
    irc_event_t ev = { .kind = IRC_EV_READY, .nick = m->nick, .t_recv = t };
    m->fn(m->owner, &ev);
    for (size_t i = 0; i < nchannels; i++) {
        util_strlcpy(m->chans[m->nchans++], channels[i], ROOM_CHAN_MAX);
        ev = (irc_event_t){ .kind = IRC_EV_SELF_JOIN, .channel = channels[i], .nick = m->nick,
                            .t_recv = t };
        m->fn(m->owner, &ev);
        /* who is already there, as a server's NAMES reply would say */
        for (size_t k = 0; k < r->n; k++) {
            room_member_t *o = &r->m[k];
            if (o == m || !(o->listener || member_in(o, channels[i])))
                continue;
            irc_event_t names = { .kind = IRC_EV_NAMES, .channel = channels[i], .nick = o->nick,
                                  .t_recv = t, .bot = o->bot };
            m->fn(m->owner, &names);
        }
        ev.kind = IRC_EV_JOIN;
        ev.bot = m->bot;
        deliver(r, m, &ev);
    }
    return 0;
}

int room_flag_bot(room_t *r, const char *nick, int64_t t)
{
    room_member_t *m = find(r, nick);
    if (!m)
        return PURG_ENOTFOUND;
    m->bot = 1;
    irc_event_t ev = { .kind = IRC_EV_BOT, .nick = m->nick, .t_recv = t, .bot = 1 };
    for (size_t k = 0; k < r->n; k++)
        if (&r->m[k] != m)
            r->m[k].fn(r->m[k].owner, &ev);
    return 0;
}

int room_listen(room_t *r, const char *nick, room_handler_fn fn, void *owner)
{
    room_member_t *m = add(r, nick, fn, owner);
    if (!m)
        return r->n == ROOM_MAX_MEMBERS ? PURG_EFULL : PURG_EINVAL;
    m->listener = 1;
    return 0;
}

int room_say(room_t *r, const char *nick, const char *channel, const char *text, int64_t t)
{
    room_member_t *m = find(r, nick);
    if (!m)
        return PURG_ENOTFOUND;
    if (m->listener || !channel || !member_in(m, channel))
        return PURG_EDENIED;
    size_t len = strnlen(text, ROOM_LINE_MAX + 1);
    if (len > ROOM_LINE_MAX)
        return PURG_ETOOBIG;
    if (len == 0 || strpbrk(text, "\r\n"))
        return PURG_EINVAL;
    irc_event_t ev = { .kind = IRC_EV_SAY, .channel = channel, .nick = m->nick, .text = text,
                       .t_recv = t, .bot = m->bot };
    r->lines++;
    deliver(r, m, &ev);
    return 0;
}

int room_invite(room_t *r, const char *from, const char *nick, const char *channel, int64_t t)
{
    room_member_t *m = find(r, nick);
    if (!m)
        return PURG_ENOTFOUND;
    irc_event_t ev = { .kind = IRC_EV_INVITE, .channel = channel, .nick = from, .t_recv = t };
    m->fn(m->owner, &ev);
    return 0;
}

int room_in(const room_t *r, const char *nick, const char *channel)
{
    for (size_t i = 0; i < r->n; i++)
        if (nick_eq(r->m[i].nick, nick))
            return member_in(&r->m[i], channel);
    return 0;
}

unsigned long room_lines(const room_t *r)
{
    return r->lines;
}
