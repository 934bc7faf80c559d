/* present_net.c - the presenter on the net thread: which events are heard
 * (the one filter, announce.h) and what is announced (joins, parts, quits,
 * nick changes, with --announce-joins; a narrator's line on request). */
#include "present_int.h"
#include "nick.h"
#include "roster.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


static void notice(present_t *p, const char *chan, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Queues a narrator's line (the one narrator, announce_notice); one that
 * does not fit is left unsaid. */
static void notice(present_t *p, const char *chan, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text)
        return;
    utterance_t *u = announce_notice(chan, text);
    if (u)
        speechq_push(p->queue, u);
}

void present_say(present_t *p, const char *chan, const char *text)
{
    notice(p, chan, "%s", text);
}

int present_hears(present_t *p, const irc_event_t *ev, const char *me)
{
    if (ev->kind == IRC_EV_SELF_JOIN || ev->kind == IRC_EV_READY || ev->kind == IRC_EV_INVITE)
        return 1;
    if (!announce_filter_heard(&p->filter, ev->nick, ev->mask))
        return ev->kind != IRC_EV_SAY && ev->kind != IRC_EV_ACTION; /* rosters still count */
    if (!p->o.announce_joins || nick_eq(ev->nick, me))
        return 1;
    char who[ANNOUNCE_NAME_MAX], to[ANNOUNCE_NAME_MAX];
    announce_spoken(&p->filter.lists, ev->nick, who, sizeof who);
    switch (ev->kind) {
    case IRC_EV_JOIN: notice(p, ev->channel, "%s joined", who); break;
    case IRC_EV_PART: notice(p, ev->channel, "%s left", who); break;
    case IRC_EV_QUIT: notice(p, NULL, "%s quit", who); break;
    case IRC_EV_NICK:
        if (nick_eq(ev->text, me))
            break;
        announce_spoken(&p->filter.lists, ev->text, to, sizeof to);
        notice(p, NULL, "%s is now called %s", who, to);
        break;
    default: break;
    }
    return 1;
}

