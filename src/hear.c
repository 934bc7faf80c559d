/* hear.c - what the listener does with one heard event; the thread that
 * delivers the events (see hear.h). */
#include "hear.h"
#include "nick.h"
#include "phrases.h"
#include "util.h"

#include "purg.h"
#include "roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SPEECHQ_SAYS_MAX >= PHRASE_MAX, "an utterance holds any phrase");

#define HIST_CHANS 8
#define HIST_IDLE_NS NS_PER_S   /* a replay is over after a second of quiet */

typedef struct hist_line {
    irc_event_kind_t kind;
    char nick[64];
    char text[512];
} hist_line_t;

typedef struct hist_chan {
    char name[64];                  /* "" = free slot */
    int done;                       /* its history was spoken (or passed): never again */
    size_t n, head;                 /* ring of the last history_keep lines */
    int64_t last;                   /* when the last replayed line came */
    hist_line_t l[HEAR_HISTORY_MAX];
} hist_chan_t;

struct hear_hist {
    hist_chan_t c[HIST_CHANS];
};

void hear_init(hear_t *h, voicemap_t *voices, speechq_t *queue, present_t *pres,
               size_t max_chars)
{
    *h = (hear_t){ .voices = voices, .queue = queue, .pres = pres,
                   .clean = { .max_chars = max_chars } };
}

int hear_set_history(hear_t *h, size_t keep)
{
    if (keep > HEAR_HISTORY_MAX)
        keep = HEAR_HISTORY_MAX;
    h->history_keep = keep;
    if (keep && !h->hist && !(h->hist = calloc(1, sizeof *h->hist)))
        return PURG_ENOMEM;
    return 0;
}

void hear_fini(hear_t *h)
{
    free(h->hist);
    h->hist = NULL;
}

static hist_chan_t *hist_chan(hear_t *h, const char *chan, int create)
{
    if (!h->hist || !chan)
        return NULL;
    hist_chan_t *free_slot = NULL;
    for (size_t i = 0; i < HIST_CHANS; i++) {
        hist_chan_t *c = &h->hist->c[i];
        if (!c->name[0])
            free_slot = free_slot ? free_slot : c;
        else if (nick_eq(c->name, chan))
            return c;
    }
    if (!create || !free_slot)
        return NULL;
    util_strlcpy(free_slot->name, chan, sizeof free_slot->name);
    return free_slot;
}

static int hear_line(hear_t *h, const irc_event_t *ev);

/* Speak what channel c kept of its replay: "earlier in #chan:", then the lines. */
static void hist_flush(hear_t *h, hist_chan_t *c)
{
    if (!c || c->done || c->n == 0)
        return;
    c->done = 1;
    char intro[128];
    char v[UTIL_VIS_MAX];
    if (h->pres && util_snprintf(intro, sizeof intro, "earlier in %s:",
                                 util_visible(v, sizeof v, c->name)) == 0)
        present_say(h->pres, c->name, intro);
    size_t start = (c->head + h->history_keep - c->n) % h->history_keep;
    for (size_t k = 0; k < c->n; k++) {
        const hist_line_t *l = &c->l[(start + k) % h->history_keep];
        irc_event_t ev = { .kind = l->kind, .channel = c->name, .nick = l->nick,
                           .text = l->text, .t_recv = util_now_ns() };
        hear_line(h, &ev);
    }
    c->n = 0;
}

void hear_tick(hear_t *h)
{
    if (!h->hist)
        return;
    int64_t now = util_now_ns();
    for (size_t i = 0; i < HIST_CHANS; i++) {
        hist_chan_t *c = &h->hist->c[i];
        if (c->name[0] && c->n && now - c->last >= HIST_IDLE_NS)
            hist_flush(h, c);
    }
}

/* A replayed line: kept (the last history_keep of them), never spoken now. */
static int hear_replayed(hear_t *h, const irc_event_t *ev)
{
    hist_chan_t *c = h->history_keep ? hist_chan(h, ev->channel, 1) : NULL;
    if (!c || c->done)
        return 0;
    hist_line_t *l = &c->l[c->head];
    l->kind = ev->kind;
    util_strlcpy(l->nick, ev->nick, sizeof l->nick);
    util_strlcpy(l->text, ev->text, sizeof l->text);
    c->head = (c->head + 1) % h->history_keep;
    if (c->n < h->history_keep)
        c->n++;
    c->last = util_now_ns();
    return 0;
}

/* A channel line or action: clean it, give it its speaker's voice, queue it. */
static int hear_line(hear_t *h, const irc_event_t *ev)
{
    char text[TEXTCLEAN_OUT_MAX];
    int n = textclean_clean(&h->clean, ev->text, strlen(ev->text), text, sizeof text);
    if (n <= 0)
        return 0;
    voice_t v;
    if (voicemap_lookup(h->voices, ev->channel, ev->nick, &v) != 0)
        return 0;
    /* the line's language (from the line as heard): the voice's language
     * part; the words the clean-up added ("link to ... dot ...") said again
     * in it (phrases.h, or the voices file's [phrases.CODE]; English, as
     * cleaned above, with languages off and no [phrases.en]); the speaker's
     * "X says:" word; then emoji names and the dictionary */
    char code[LANG_CODE_MAX];
    lang_pick(h->lang, ev->channel, ev->nick, ev->text, &v, code, sizeof code);
    phrase_words_t w;
    for (int i = 0; i < PHRASE_COUNT; i++) /* languages off: "" (English, or [phrases.en]) */
        w.w[i] = voicemap_phrase(h->voices, h->lang ? code : "", (phrase_t)i);
    if (strcmp(w.w[PHRASE_LINK], phrases_get(NULL, PHRASE_LINK)) != 0 ||
        strcmp(w.w[PHRASE_LINK_TO], phrases_get(NULL, PHRASE_LINK_TO)) != 0 ||
        strcmp(w.w[PHRASE_DOT], phrases_get(NULL, PHRASE_DOT)) != 0) {
        textclean_opts_t o = h->clean;
        o.words = &w;
        if (textclean_clean(&o, ev->text, strlen(ev->text), text, sizeof text) <= 0)
            return 0; /* not reached: the words do not decide whether a line is empty */
    }
    lang_words(h->dict, h->emoji, code, text, sizeof text);
    utterance_t *u = utterance_new(ev->kind == IRC_EV_ACTION ? UTT_ACTION : UTT_SAY,
                                   ev->channel, ev->nick, &v, text);
    if (!u)
        return 0;
    util_strlcpy(u->says, w.w[PHRASE_SAYS], sizeof u->says);
    u->t_recv = ev->t_recv;
    if (ev->mask) /* the filter asks again before speaking, with the hostmask */
        util_strlcpy(u->mask, ev->mask, sizeof u->mask);
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
        if (ev->history)
            return hear_replayed(h, ev);
        hist_flush(h, hist_chan(h, ev->channel, 0)); /* earlier lines come first */
        return hear_line(h, ev);
    case IRC_EV_JOIN:
    case IRC_EV_NAMES:
        if (!nick_eq(ev->nick, me))
            voicemap_join(h->voices, ev->channel, ev->nick);
        break;
    case IRC_EV_PART:
        if (nick_eq(ev->nick, me))
            voicemap_channel_clear(h->voices, ev->channel);
        else
            voicemap_part(h->voices, ev->channel, ev->nick);
        break;
    case IRC_EV_QUIT:
        voicemap_quit(h->voices, ev->nick);
        break;
    case IRC_EV_NICK:
        voicemap_rename(h->voices, ev->nick, ev->text);
        lang_rename(h->lang, ev->nick, ev->text);
        break;
    case IRC_EV_SELF_JOIN: {
        char ch[UTIL_VIS_MAX], nick[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory listen: joined %s as %s\n",
                util_visible(ch, sizeof ch, ev->channel), util_visible(nick, sizeof nick, me));
        break;
    }
    case IRC_EV_READY:
    case IRC_EV_BOT:    /* --skip-bots is decided by the listener */
    case IRC_EV_INVITE: /* the listener goes only where it was told */
        break;
    }
    return 0;
}
