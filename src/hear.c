/* hear.c - what the listener does with one heard event; the thread that
 * delivers the events (see hear.h). */
#include "hear.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void hear_init(hear_t *h, voicemap_t *voices, speechq_t *queue, present_t *pres,
               size_t max_chars)
{
    *h = (hear_t){ .voices = voices, .queue = queue, .pres = pres,
                   .clean = { .max_chars = max_chars } };
}

/* A channel line or action: clean it, give it its speaker's voice, queue it. */
static int hear_line(hear_t *h, const irc_event_t *ev)
{
    char text[4096];
    int n = textclean_clean(&h->clean, ev->text, strlen(ev->text), text, sizeof text);
    if (n <= 0)
        return 0;
    voice_t v;
    if (voicemap_lookup(h->voices, ev->channel, ev->nick, &v) != 0)
        return 0;
    utterance_t *u = utterance_new(ev->kind == IRC_EV_ACTION ? UTT_ACTION : UTT_SAY,
                                   ev->channel, ev->nick, &v, text);
    if (!u)
        return 0;
    u->t_recv = ev->t_recv;
    if (speechq_push(h->queue, u) < 0)
        return 0; /* closed: we are shutting down */
    h->queued++;
    return 1;
}

int hear_event(hear_t *h, const irc_event_t *ev, const char *me)
{
    if (h->pres && !present_hears(h->pres, ev, me))
        return 0; /* ignored or muted */
    switch (ev->kind) {
    case IRC_EV_SAY:
    case IRC_EV_ACTION:
        return hear_line(h, ev);
    case IRC_EV_JOIN:
        if (strcasecmp(ev->nick, me) != 0)
            voicemap_join(h->voices, ev->channel, ev->nick);
        break;
    case IRC_EV_PART:
        if (strcasecmp(ev->nick, me) == 0)
            voicemap_channel_clear(h->voices, ev->channel);
        else
            voicemap_part(h->voices, ev->channel, ev->nick);
        break;
    case IRC_EV_QUIT:
        voicemap_quit(h->voices, ev->nick);
        break;
    case IRC_EV_NICK:
        voicemap_rename(h->voices, ev->nick, ev->text);
        break;
    case IRC_EV_SELF_JOIN: {
        char ch[UTIL_VIS_MAX], nick[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory: joined %s as %s\n", util_visible(ch, sizeof ch, ev->channel),
                util_visible(nick, sizeof nick, me));
        break;
    }
    case IRC_EV_READY:
    case IRC_EV_BOT:    /* --skip-bots is decided by the listener */
    case IRC_EV_INVITE: /* the listener goes only where it was told */
        break;
    }
    return 0;
}
