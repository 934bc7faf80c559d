/* persona.c - the persona state machine (net thread or the offline room's
 * loop) and a persona's model; see persona.h. The definition files are read
 * by persona_def.c. */
#include "persona.h"
#include "nick.h"

#include "purg.h"
#include "roster.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define P_PAUSE_MIN_NS (5 * NS_PER_S) /* quiet after a persona line's speech that ends an
                                         exchange (at least; think_max + 2 s if longer) */
#define P_WORD_NS (NS_PER_S * 3 / 10) /* a spoken word, about (espeak-ng at 140-185 words a
                                         minute, measured: 0.29-0.33 s a word) ... */
#define P_LINE_NS (NS_PER_S * 3 / 10) /* ... and a line's start */
#define P_FLOOR_MAX_NS (40 * NS_PER_S)/* the floor is never held longer than this ahead */
#define P_REPLY_TTL_NS (60 * NS_PER_S)/* a reply held back longer is dropped */
#define P_BUSY_RETRY_NS (NS_PER_S / 2) /* a reply to a person, the link busy: again after */
#define P_BACKOFF_MAX 16.0
#define P_GUARD_TRIES 6               /* lines generated before giving up */
#define P_MAX_PEERS 64
#define P_PROMPT_MAX 512
#define P_REPLY_LOG 64                /* replies remembered for replies_per_nick */
#define P_REPLY_WINDOW_NS (60 * NS_PER_S)
#define P_RECENT 8                    /* own lines a reply should not echo */
#define P_LEARN_SAVE_NS (60 * NS_PER_S) /* learned lines are saved this often (if any) */
#define P_REPLY_TRIES 24              /* candidates a scored reply weighs ... */
#define P_REPLY_BUDGET_NS (3 * 1000000) /* ... within this time (net thread: keep it short) */
#define P_GEN_BUDGET_NS (5 * 1000000) /* a reply on the net thread must not stall the loop */
#define P_IN 1u                       /* roster flag: in the channel */

static int nick_char(int c, int first)
{
    if (isalpha(c) || strchr("[]\\`_^{|}", c))
        return 1;
    return !first && (isdigit(c) || c == '-');
}

/* ---- model ---------------------------------------------------------------- */

typedef struct p_train {
    markov_t *m;
    size_t max, n;
} p_train_t;

static int p_train_line(void *ud, const char *line, size_t len)
{
    p_train_t *t = ud;
    if (t->max && t->n >= t->max)
        return PURG_EFULL; /* enough: stop reading */
    int rc = markov_add_line(t->m, line, len);
    if (rc == 0)
        t->n++;
    return rc == PURG_ENOMEM ? rc : 0;
}

int persona_model_open(const persona_def_t *d, markov_t **out, char *warn, size_t warnlen,
                       char *err, size_t errlen)
{
    struct stat st;
    *out = NULL;
    if (warn && warnlen)
        warn[0] = '\0';
    if (d->model[0] && stat(d->model, &st) == 0) {
        char why[256];
        int rc = markov_load(out, d->model, why, sizeof why);
        if (rc != 0)
            util_snprintf(err, errlen, "%s: model %s: %s", d->file, d->model, why);
        return rc;
    }
    if (!d->corpus[0]) {
        util_snprintf(err, errlen, "%s: model %s does not exist and no corpus is given to train it "
                      "(demo/run.sh prepares the bundled ones)", d->file, d->model);
        return PURG_ENOTFOUND;
    }
    markov_t *m;
    int rc = markov_new(&m, MARKOV_WORDS, d->order);
    if (rc != 0) {
        util_snprintf(err, errlen, "%s: %s", d->file, purg_strerror(rc));
        return rc;
    }
    p_train_t t = { .m = m, .max = d->corpus_max_lines };
    corpus_opts_t co = { .format = d->corpus_format };
    corpus_stats_t cs;
    memset(&cs, 0, sizeof cs);
    rc = corpus_read_file(d->corpus, &co, p_train_line, &t, &cs);
    if (rc == PURG_EFULL)
        rc = 0;
    if (rc == PURG_ENOTFOUND || rc == PURG_EIO) {
        util_snprintf(err, errlen, "%s: cannot read corpus %s: %s%s", d->file, d->corpus,
                      strerror(errno), d->model[0] ? " (and the model file does not exist; "
                      "demo/run.sh prepares the bundled ones)" : "");
        goto fail;
    }
    if (rc == 0)
        rc = markov_build(m);
    if (rc != 0) {
        util_snprintf(err, errlen, "%s: training from %s: %s", d->file, d->corpus,
                      rc == PURG_EEMPTY ? "no usable line in the corpus" : purg_strerror(rc));
        goto fail;
    }
    if (d->model[0]) {
        char why[256];
        if (markov_save(m, d->model, why, sizeof why) != 0)
            util_snprintf(warn, warnlen, "%s: could not save the model to %s (%s); "
                          "it will be trained again next time", d->file, d->model, why);
    }
    *out = m;
    return 0;
fail:
    markov_free(m);
    return rc;
}

/* ======================================================================== */
/* the state machine                                                        */

typedef struct p_chan {
    int64_t last_human;      /* last line from a human (or the start) */
    int64_t last_persona;    /* when the last persona line (ours included) is presumably
                                spoken to its end */
    int64_t floor_until;     /* a persona line is presumably being spoken until then:
                                nobody else of ours starts one (turn-taking) */
    int64_t next_unprompted; /* when it next may speak unprompted */
    int64_t own_last;        /* when it last spoke here (0: not yet) */
    int chain;               /* persona lines in the current exchange */
    int spent;               /* the exchange ran out (its back-off was applied) */
    double backoff;          /* multiplier of the unprompted gap */
} p_chan_t;

typedef struct p_pending {
    int active;
    int human;                      /* a human named the persona: not to be preempted */
    size_t chan;
    int64_t due, expires;
    char to[PERSONA_NICK_MAX + 1];  /* the human to name at the end; "" for nobody */
    char from[PERSONA_NICK_MAX + 1];/* whose line it answers (for replies_per_nick) */
    char prompt[P_PROMPT_MAX];
} p_pending_t;

typedef struct p_reply {
    char nick[PERSONA_NICK_MAX + 1];
    int64_t t;
} p_reply_t;

struct persona {
    const persona_def_t *def;
    const markov_t *model;
    markov_rng_t rng;
    markov_gen_opts_t gen;
    char nick[PERSONA_NICK_MAX + 1];
    char peers[P_MAX_PEERS][PERSONA_NICK_MAX + 1];
    size_t npeers;
    persona_say_fn say;
    void *say_ctx;
    const char *const *ignore;     /* never learned from (persona_set_ignore) */
    size_t nignore;
    p_chan_t ch[PERSONA_MAX_CHANNELS];
    roster_t *room[PERSONA_MAX_CHANNELS]; /* who else is in each channel */
    roster_t *bots;                /* nicks the server flags as bots */
    p_reply_t replied[P_REPLY_LOG];/* recent replies, a ring */
    size_t replied_next;
    p_pending_t pend;
    char recent[P_RECENT][PERSONA_LINE_MAX + 1]; /* what it said lately, a ring */
    size_t recent_next;
    markov_t *learn_model;         /* the model it learns into (persona_learn_start), or NULL */
    learn_t learned;               /* what it learned, for MODEL.learned */
    int64_t learn_saved;           /* when it last saved them (0: not yet) */
    double tokens;
    int64_t t_tokens;
    persona_stats_t st;
};

static double p_uniform(persona_t *p)
{
    return (double)(markov_rng_next(&p->rng) >> 11) * (1.0 / 9007199254740992.0);
}

static int64_t secs_ns(double s)
{
    return (int64_t)(s * (double)NS_PER_S);
}

/* An exponential gap with mean 'mean' seconds, at least one second. */
static int64_t p_gap(persona_t *p, double mean)
{
    double g = -log(1.0 - p_uniform(p)) * mean;
    if (g < 1.0)
        g = 1.0;
    if (g > 7 * 86400.0)
        g = 7 * 86400.0;
    return secs_ns(g);
}

static void p_schedule(persona_t *p, size_t i, int64_t now)
{
    double mean = p->def->chattiness;
    p->ch[i].next_unprompted = mean > 0 ? now + p_gap(p, mean * p->ch[i].backoff) : INT64_MAX;
}

int persona_create(persona_t **out, const persona_def_t *def, const markov_t *model,
                   uint64_t seed, int64_t now)
{
    persona_t *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return PURG_ENOMEM;
    p->def = def;
    p->model = model;
    markov_rng_seed(&p->rng, seed);
    markov_gen_opts_default(&p->gen);
    p->gen.max_tokens = (size_t)def->max_words;
    p->gen.min_tokens = 3;
    p->gen.tries = 20;
    p->gen.budget_ns = P_GEN_BUDGET_NS;
    util_strlcpy(p->nick, def->nick, sizeof p->nick);
    if (roster_create(&p->bots) != 0)
        goto fail;
    for (size_t i = 0; i < def->nchannels; i++)
        if (roster_create(&p->room[i]) != 0)
            goto fail;
    p->tokens = def->burst;
    p->t_tokens = now;
    for (size_t i = 0; i < def->nchannels; i++) {
        p->ch[i].last_human = now;
        p->ch[i].last_persona = INT64_MIN / 2;
        p->ch[i].backoff = 1.0;
        /* the first line comes sooner, so that a room comes alive quickly */
        double mean = def->chattiness;
        p->ch[i].next_unprompted = mean > 0 ? now + p_gap(p, mean / 4) : INT64_MAX;
    }
    *out = p;
    return 0;
fail:
    persona_free(p);
    return PURG_ENOMEM;
}

void persona_free(persona_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < PERSONA_MAX_CHANNELS; i++)
        roster_free(p->room[i]);
    roster_free(p->bots);
    learn_clear(&p->learned);
    free(p);
}

void persona_set_repeatable(persona_t *p, int on)
{
    p->gen.budget_ns = on ? 0 : P_GEN_BUDGET_NS; /* 0: no time budget, here and in reply_to */
}

void persona_set_ignore(persona_t *p, const char *const *patterns, size_t n)
{
    p->ignore = patterns;
    p->nignore = n;
}

void persona_set_transport(persona_t *p, persona_say_fn fn, void *ctx)
{
    p->say = fn;
    p->say_ctx = ctx;
}

int persona_add_peer(persona_t *p, const char *nick)
{
    if (p->npeers == P_MAX_PEERS)
        return PURG_EFULL;
    if (util_strlcpy(p->peers[p->npeers], nick, sizeof p->peers[0]) != 0)
        return PURG_ETOOBIG;
    p->npeers++;
    return 0;
}

void persona_set_nick(persona_t *p, const char *nick)
{
    util_strlcpy(p->nick, nick, sizeof p->nick);
}

const char *persona_nick(const persona_t *p)
{
    return p->nick;
}

void persona_get_stats(const persona_t *p, persona_stats_t *st)
{
    *st = p->st;
}

/* Nicks compared under the IRC case mapping, ignoring the '_' a server
 * rename adds. */
static int same_nick(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 1 && a[la - 1] == '_')
        la--;
    while (lb > 1 && b[lb - 1] == '_')
        lb--;
    return nick_eq_n(a, la, b, lb);
}

static int is_peer(const persona_t *p, const char *nick)
{
    for (size_t i = 0; i < p->npeers; i++)
        if (same_nick(p->peers[i], nick))
            return 1;
    return 0;
}

/* True when text names nick as a word. */
static int names_me(const char *text, const char *nick)
{
    size_t n = strlen(nick);
    while (n > 1 && nick[n - 1] == '_')
        n--;
    for (const char *s = text; *s; s++) {
        if (!nick_prefix(s, nick, n))
            continue;
        int before = s == text || !nick_char((unsigned char)s[-1], 0);
        unsigned char after = (unsigned char)s[n];
        if (before && (after == '\0' || after == '_' || !nick_char(after, 0)))
            return 1;
    }
    return 0;
}

static int chan_of(const persona_t *p, const char *channel)
{
    if (!channel)
        return -1;
    for (size_t i = 0; i < p->def->nchannels; i++)
        if (nick_eq(p->def->channels[i], channel))
            return (int)i;
    return -1;
}

/* How long the room takes to hear text spoken, about. */
static int64_t speech_ns(const char *text)
{
    int64_t words = 0;
    for (const char *s = text; *s; s++) {
        if (*s != ' ' && (s == text || s[-1] == ' '))
            words++;
        if ((*s >= '0' && *s <= '9') || *s == '/')
            words++; /* numbers and paths are said longer than they look */
    }
    return P_LINE_NS + words * P_WORD_NS;
}

/* The quiet (after the last persona line is spoken) that ends an exchange.
 * A reply always comes sooner (think_max, and it is dropped rather than
 * said later: see heard_line), so replies alone can never start a new
 * exchange and the turn budget bounds every chain of replies. */
static int64_t pause_ns(const persona_t *p)
{
    int64_t w = secs_ns(p->def->think_max) + 2 * NS_PER_S;
    return w > P_PAUSE_MIN_NS ? w : P_PAUSE_MIN_NS;
}

/* A persona line was said in channel i (by us or a peer): it holds the
 * floor while it is spoken, and counts for the exchange. */
static void count_persona_line(persona_t *p, size_t i, const char *text, int64_t now)
{
    p_chan_t *c = &p->ch[i];
    int64_t start = c->floor_until > now ? c->floor_until : now;
    if (start - c->last_persona > pause_ns(p)) {
        c->chain = 0;
        c->spent = 0;
    }
    /* take_turns = no: no floor, a line ends when it is said */
    int64_t end = p->def->take_turns ? start + speech_ns(text) : now;
    if (end > now + P_FLOOR_MAX_NS)
        end = now + P_FLOOR_MAX_NS;
    c->chain++;
    c->last_persona = end;
    c->floor_until = end;
    if (c->chain >= p->def->max_turns && !c->spent) {
        c->spent = 1;
        c->backoff = fmin(c->backoff * 2, P_BACKOFF_MAX);
        p_schedule(p, i, now);
    }
}

/* A bot, as far as this persona can tell: the server flags it, its name
 * says so (the [guard] nicks, the built-in list), or it is a persona of
 * this process (or the listener). Bots are never answered or named. */
static int is_bot(const persona_t *p, const char *nick)
{
    return roster_get_s(p->bots, nick) || is_peer(p, nick) ||
           guard_is_bot_name(p->def->guard, nick);
}

/* Replies to nick in the last minute. */
static int replies_to(const persona_t *p, const char *nick, int64_t now)
{
    int k = 0;
    for (size_t i = 0; i < P_REPLY_LOG; i++)
        if (p->replied[i].nick[0] && now - p->replied[i].t < P_REPLY_WINDOW_NS &&
            same_nick(p->replied[i].nick, nick))
            k++;
    return k;
}

static void note_reply(persona_t *p, const char *nick, int64_t now)
{
    p_reply_t *r = &p->replied[p->replied_next];
    p->replied_next = (p->replied_next + 1) % P_REPLY_LOG;
    util_strlcpy(r->nick, nick, sizeof r->nick);
    r->t = now;
}

static void maybe_learn(persona_t *p, size_t i, const irc_event_t *ev);

/* Turns go round: the longer a persona has been quiet in channel i, the
 * sooner it takes the floor (a factor on its think time: 1 just after it
 * spoke, down to 0.25 after a minute of silence or before its first line). */
static double eagerness(const persona_t *p, size_t i, int64_t now)
{
    if (!p->def->take_turns)
        return 1.0;
    if (!p->ch[i].own_last)
        return 0.25;
    double quiet = (double)(now - p->ch[i].own_last) / (double)NS_PER_S;
    return quiet >= 60 ? 0.25 : 1.0 - 0.75 * quiet / 60.0;
}

static void heard_line(persona_t *p, size_t i, const irc_event_t *ev, int64_t now)
{
    p_chan_t *c = &p->ch[i];
    int peer = is_peer(p, ev->nick);
    roster_add(p->room[i], ev->nick, P_IN); /* it speaks here, so it is here */
    if (!peer && (ev->bot || is_bot(p, ev->nick))) {
        /* Never answered, whatever it says, and no human for the quiet
         * rule: a command bot that mentions a persona gets nothing back. */
        p->st.bot_lines++;
        return;
    }
    int mention = names_me(ev->text, p->nick);
    double prob;
    if (!peer) {
        maybe_learn(p, i, ev);
        c->last_human = now;
        c->chain = 0;
        c->spent = 0;
        if (c->backoff != 1.0) {
            c->backoff = 1.0;
            p_schedule(p, i, now);
        }
        prob = mention ? p->def->reply_mention : 0.0;
    } else {
        count_persona_line(p, i, ev->text, now);
        /* turn-taking: a reply still waiting for another persona's line gives
         * way to this newer one (which it may answer instead, below) */
        if (p->def->take_turns && p->pend.active && !p->pend.human)
            p->pend.active = 0;
        prob = mention ? p->def->reply_mention : p->def->reply_persona;
        if (c->chain >= p->def->max_turns)
            prob = 0.0; /* the exchange has run its course */
        else
            prob *= 1.0 - (double)c->chain / p->def->max_turns;
        /* turns go round: a persona quiet for long answers more readily (up to 2x) */
        prob = fmin(1.0, prob / sqrt(eagerness(p, i, now)));
    }
    /* Ping-pong is bounded with anyone, bot-like humans and personas alike. */
    if (prob > 0.0 && replies_to(p, ev->nick, now) >= p->def->replies_per_nick) {
        p->st.capped++;
        return;
    }
    /* A human who names the persona takes the slot from a pending reply to a persona. */
    int preempt = !peer && mention && p->pend.active && !p->pend.human;
    if (prob <= 0.0 || (p->pend.active && !preempt) || p_uniform(p) >= prob)
        return;
    p_pending_t *r = &p->pend;
    r->human = !peer && mention;
    r->active = 1;
    r->chan = i;
    double think = p->def->think_min + p_uniform(p) * (p->def->think_max - p->def->think_min) *
                                           (peer ? eagerness(p, i, now) : 1.0);
    if (r->human) {
        r->due = now + secs_ns(think);
        r->expires = r->due + P_REPLY_TTL_NS;
    } else {
        /* after the line is spoken; dropped rather than said after the
         * pause that ends the exchange (see pause_ns) */
        r->due = c->floor_until + secs_ns(think);
        r->expires = c->last_persona + pause_ns(p) - NS_PER_S;
    }
    util_strlcpy(r->to, r->human ? ev->nick : "", sizeof r->to);
    util_strlcpy(r->from, ev->nick, sizeof r->from);
    util_strlcpy(r->prompt, ev->text, sizeof r->prompt);
}

static int is_self(const persona_t *p, const char *nick)
{
    return nick && nick_eq(nick, p->nick);
}

/* Roster events: who is in which channel. */
static void heard_roster(persona_t *p, const irc_event_t *ev)
{
    int i = chan_of(p, ev->channel);
    switch (ev->kind) {
    case IRC_EV_SELF_JOIN:
        if (i >= 0)
            roster_clear(p->room[i]); /* the server's NAMES follows */
        break;
    case IRC_EV_JOIN:
    case IRC_EV_NAMES:
        if (i >= 0 && !is_self(p, ev->nick))
            roster_add(p->room[i], ev->nick, P_IN);
        break;
    case IRC_EV_PART:
        if (i >= 0 && is_self(p, ev->nick))
            roster_clear(p->room[i]);
        else if (i >= 0)
            roster_del(p->room[i], ev->nick);
        break;
    case IRC_EV_QUIT:
        for (size_t k = 0; k < p->def->nchannels; k++)
            roster_del(p->room[k], ev->nick);
        break;
    case IRC_EV_NICK:
        if (!ev->text || !*ev->text)
            break;
        for (size_t k = 0; k < p->def->nchannels; k++)
            roster_rename(p->room[k], ev->nick, ev->text);
        if (roster_get_s(p->bots, ev->nick))
            roster_rename(p->bots, ev->nick, ev->text);
        break;
    case IRC_EV_BOT:
        roster_add(p->bots, ev->nick, 1);
        break;
    default:
        break;
    }
    if (ev->bot && ev->nick && *ev->nick)
        roster_add(p->bots, ev->nick, 1);
}

void persona_event(persona_t *p, const irc_event_t *ev, int64_t now)
{
    int i;
    switch (ev->kind) {
    case IRC_EV_SAY:
    case IRC_EV_ACTION:
        if (!ev->nick || !ev->text || same_nick(ev->nick, p->nick) || ev->history)
            return; /* replayed history is not a conversation to join */
        if ((i = chan_of(p, ev->channel)) < 0)
            return;
        if (ev->bot)
            roster_add(p->bots, ev->nick, 1);
        heard_line(p, (size_t)i, ev, now);
        break;
    case IRC_EV_INVITE:
        /* Never followed: a persona is where its definition puts it. */
        p->st.invites++;
        break;
    case IRC_EV_NICK:
        if (ev->nick && ev->text && nick_eq(ev->nick, p->nick))
            persona_set_nick(p, ev->text);
        else
            heard_roster(p, ev);
        break;
    default:
        if (ev->nick)
            heard_roster(p, ev);
        break;
    }
}

static void refill(persona_t *p, int64_t now)
{
    if (now > p->t_tokens) {
        p->tokens += (double)(now - p->t_tokens) / (double)NS_PER_S * p->def->rate / 60.0;
        if (p->tokens > p->def->burst)
            p->tokens = p->def->burst;
    }
    p->t_tokens = now;
}

/* When the next token is there. */
static int64_t token_time(const persona_t *p, int64_t now)
{
    if (p->tokens >= 1.0)
        return now;
    return now + secs_ns((1.0 - p->tokens) * 60.0 / p->def->rate) + 1;
}

/* What the guard asks of the room: channel `chan` of persona p. */
typedef struct p_look {
    const persona_t *p;
    size_t chan;
} p_look_t;

static unsigned p_lookup(void *ctx, const char *s, size_t n)
{
    const p_look_t *l = ctx;
    const persona_t *p = l->p;
    if (n == 0 || nick_eq_n(s, n, p->nick, strlen(p->nick)) ||
        nick_eq_n(s, n, p->def->nick, strlen(p->def->nick)))
        return 0; /* itself */
    char nick[ROSTER_NICK_MAX];
    if (n >= sizeof nick)
        n = sizeof nick - 1;
    memcpy(nick, s, n);
    nick[n] = '\0';
    int flagged = roster_get_s(p->bots, nick) || is_peer(p, nick);
    if (!flagged && !roster_get_s(p->room[l->chan], nick))
        return 0;
    /* a flagged bot or a persona counts as present anywhere: never named */
    return GUARD_PRESENT | (flagged || guard_is_bot_name(p->def->guard, nick) ? GUARD_BOT : 0);
}

/* ---- learning (learn = yes) ---------------------------------------------- */

/* Whether nick is one to learn from: learn_from's nick masks (nick_match:
 * '*' and '?', the IRC case mapping; "" = anyone), the last that matches decides
 * ("!MASK" excludes). */
static int learn_from_ok(const persona_def_t *d, const char *nick)
{
    if (!d->learn_from[0])
        return 1;
    char buf[sizeof d->learn_from];
    util_strlcpy(buf, d->learn_from, sizeof buf);
    int ok = 0, any_include = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
        int exclude = t[0] == '!';
        any_include |= !exclude;
        if (nick_match(exclude ? t + 1 : t, nick))
            ok = !exclude;
    }
    /* only exclusions: everyone else is in */
    if (!any_include && !ok) {
        util_strlcpy(buf, d->learn_from, sizeof buf);
        ok = 1;
        for (char *t = strtok_r(buf, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save))
            if (nick_match(t + 1, nick))
                ok = 0;
    }
    return ok;
}

/* One the listener does not speak (--ignore: a nick or a hostmask). */
static int ignored(const persona_t *p, const irc_event_t *ev)
{
    for (size_t k = 0; k < p->nignore; k++)
        if (nick_pattern_match(p->ignore[k], ev->nick, ev->mask))
            return 1;
    return 0;
}

static int has_url(const char *t)
{
    if (strstr(t, "://"))
        return 1;
    for (; *t; t++)
        if (strncasecmp(t, "www.", 4) == 0)
            return 1;
    return 0;
}

/* A human line in channel i: learned when learning is on and the line is
 * one to learn from (heard_line has already turned away bots and personas:
 * this is never reached for them). */
static void maybe_learn(persona_t *p, size_t i, const irc_event_t *ev)
{
    if (!p->learn_model || ev->kind != IRC_EV_SAY || !ev->text)
        return;
    char out[GUARD_MAX_LINE + 1];
    const char *why = NULL;
    p_look_t look = { p, i };
    guard_room_t room = { p_lookup, &look };
    if (!learn_from_ok(p->def, ev->nick) || ignored(p, ev) || !learn_text_ok(ev->text) ||
        has_url(ev->text) ||
        names_me(ev->text, p->nick) || /* said to it, not about the world */
        guard_check_room(p->def->guard, &room, ev->text, out, sizeof out, &why) != 0 ||
        strcmp(out, ev->text) != 0) {
        p->st.not_learned++; /* the guard would refuse it (or change it): not ours to say */
        return;
    }
    if (markov_learn(p->learn_model, ev->text, strlen(ev->text)) != 0 ||
        learn_add(&p->learned, ev->nick, (int64_t)time(NULL), ev->text) != 0) {
        p->st.not_learned++;
        return;
    }
    p->st.learned++;
}

int persona_learned_path(const persona_def_t *d, char *out, size_t outlen)
{
    if (!d->model[0]) {
        if (outlen)
            out[0] = '\0';
        return PURG_ENOTFOUND;
    }
    return util_snprintf(out, outlen, "%s.learned", d->model);
}

int persona_learn_start(persona_t *p, markov_t *model, size_t *bad, char *err, size_t errlen)
{
    char path[PERSONA_PATH_MAX + 16];
    *bad = 0;
    if (persona_learned_path(p->def, path, sizeof path) != 0) {
        util_snprintf(err, errlen, "%s: learn = yes needs a model path", p->def->file);
        return PURG_EINVAL;
    }
    learn_clear(&p->learned);
    char why[600];
    int rc = learn_load(&p->learned, path, why, sizeof why);
    if (rc == PURG_ENOTFOUND) {
        rc = 0; /* nothing learned yet */
    } else if (rc != 0) {
        util_snprintf(err, errlen, "%s: %s (move it away to start learning afresh)", p->def->file, why);
        return rc;
    }
    *bad = p->learned.bad;
    for (size_t k = 0; k < p->learned.n; k++) {
        const learn_entry_t *e = learn_get(&p->learned, k);
        if ((rc = markov_learn(model, e->text, strlen(e->text))) != 0 && rc != PURG_EINVAL) {
            util_snprintf(err, errlen, "%s: learning again from %s: %s", p->def->file, path,
                          purg_strerror(rc));
            return rc;
        }
    }
    p->learn_model = model;
    p->model = model;
    return 0;
}

int persona_learn_save(persona_t *p, char *err, size_t errlen)
{
    char path[PERSONA_PATH_MAX + 16];
    if (!p->learn_model || !p->learned.dirty)
        return 0;
    if (persona_learned_path(p->def, path, sizeof path) != 0)
        return PURG_EINVAL;
    int rc = learn_save(&p->learned, path, err, errlen);
    if (rc != 0)
        p->st.save_errors++;
    return rc;
}

/* text with the human it answers named at the end, "..., alice." (never at
 * the start, where bots look for their name; the full stop keeps it from
 * reading as an address at the end). */
static int name_at_end(const char *text, const char *to, char *out, size_t outlen)
{
    size_t n = strlen(text);
    char punct = '.';
    while (n > 0 && strchr(" .,;:!?", text[n - 1])) {
        if (text[n - 1] == '?' || text[n - 1] == '!')
            punct = text[n - 1];
        n--;
    }
    if (n == 0)
        return PURG_EINVAL;
    return util_snprintf(out, outlen, "%.*s, %s%c", (int)n, text, to, punct);
}

/* What a candidate line must pass to be said: the name at the end (when
 * 'to' is set) and the guard, in the room of channel chan. The markov
 * search calls accept_line on each candidate it would pick (its accept
 * hook), so that the best line the guard lets through wins, not the best
 * line: with a command-heavy corpus most lines would be refused. */
typedef struct p_accept {
    persona_t *p;
    guard_room_t *room;
    const char *to;    /* named at the end, or NULL */
    char *out;         /* the line as it is to be said */
    size_t outlen;
} p_accept_t;

static int accept_line(void *ctx, const char *text)
{
    p_accept_t *a = ctx;
    char line[GUARD_MAX_LINE + 1];
    int rc = a->to ? name_at_end(text, a->to, line, sizeof line) : util_strlcpy(line, text, sizeof line);
    if (rc != 0)
        return 0;
    const char *why = NULL;
    if (guard_check_room(a->p->def->guard, a->room, line, a->out, a->outlen, &why) != 0) {
        a->p->st.guarded++;
        return 0;
    }
    return 1;
}

/* A reply to prompt through its keywords (markov_reply_ex, the scored
 * method, the best of 'tries' candidates that o's accept hook takes),
 * steered away from what the persona said lately. */
static int reply_to(persona_t *p, const markov_gen_opts_t *go, const char *prompt, int tries,
                    char **text)
{
    const char *recent[P_RECENT];
    size_t n = 0;
    for (size_t i = 0; i < P_RECENT; i++)
        if (p->recent[i][0])
            recent[n++] = p->recent[i];
    markov_gen_opts_t o = *go;
    o.tries = tries;
    o.budget_ns = go->budget_ns ? P_REPLY_BUDGET_NS : 0; /* 0: persona_set_repeatable */
    markov_reply_opts_t ro;
    markov_reply_opts_default(&ro);
    ro.recent = recent;
    ro.nrecent = n;
    return markov_reply_ex(p->model, &p->rng, &o, &ro, prompt, NULL, text);
}

/* One guarded line into out for channel chan: a reply to prompt (NULL:
 * anything), naming 'to' at the end when not empty. The generator only
 * returns lines the guard passes (accept_line); P_GUARD_TRIES rounds with
 * the name, then two without it should the name itself be what the guard
 * refuses. 0, or PURG_EDENIED when nothing passed. */
static int compose(persona_t *p, size_t chan, const char *prompt, const char *to, char *out,
                   size_t outlen)
{
    p_look_t look = { p, chan };
    guard_room_t room = { p_lookup, &look };
    int named = to && *to, tries = P_GUARD_TRIES + (named ? 2 : 0);
    for (int t = 0; t < tries; t++) {
        p_accept_t acc = { p, &room, named && t < P_GUARD_TRIES ? to : NULL, out, outlen };
        markov_gen_opts_t go = p->gen;
        go.accept = accept_line;
        go.accept_ctx = &acc;
        char *text = NULL;
        int rc = PURG_ENOTFOUND;
        if (prompt && t < P_GUARD_TRIES / 2)
            /* the best of P_REPLY_TRIES first; should nothing pass, a
             * cheaper search (a line like it would likely be refused too) */
            rc = reply_to(p, &go, prompt, t == 0 ? P_REPLY_TRIES : P_REPLY_TRIES / 3, &text);
        if (rc != 0)
            rc = markov_generate(p->model, &p->rng, &go, &text);
        /* once more for the line returned, which leaves it in out (the
         * hook was also called on candidates that lost to it) */
        int ok = rc == 0 && accept_line(&acc, text);
        free(text);
        if (ok)
            return 0;
    }
    return PURG_EDENIED;
}

int persona_recheck(persona_t *p, const char *channel, const char *text)
{
    int i = chan_of(p, channel);
    if (i < 0)
        return PURG_EDENIED;
    p_look_t look = { p, (size_t)i };
    guard_room_t room = { p_lookup, &look };
    char out[GUARD_MAX_LINE + 1];
    const char *why = NULL;
    if (guard_check_room(p->def->guard, &room, text, out, sizeof out, &why) == 0 &&
        strcmp(out, text) == 0)
        return 0;
    p->st.guarded++;
    return PURG_EDENIED;
}

/* Say a line in channel i. Returns 0 when it was said. */
static int speak(persona_t *p, size_t i, const char *prompt, const char *to, int64_t now)
{
    char line[PERSONA_LINE_MAX + 1];
    if (!p->say || compose(p, i, prompt, to, line, sizeof line) != 0) {
        p->st.dropped++;
        return PURG_EDENIED;
    }
    int rc = p->say(p->say_ctx, p->def->channels[i], line);
    if (rc != 0) {
        if (rc != PURG_EFULL)
            p->st.dropped++; /* a busy link: the caller decides (persona_tick) */
        return rc;
    }
    p->tokens -= 1.0;
    p->st.said++;
    count_persona_line(p, i, line, now);
    p->ch[i].own_last = now;
    util_strlcpy(p->recent[p->recent_next], line, sizeof p->recent[0]);
    p->recent_next = (p->recent_next + 1) % P_RECENT;
    return 0;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

int64_t persona_tick(persona_t *p, int64_t now)
{
    int64_t next = INT64_MAX;
    refill(p, now);
    if (p->learn_model) {
        if (!p->learn_saved)
            p->learn_saved = now;
        if (p->learned.dirty && now - p->learn_saved >= P_LEARN_SAVE_NS) {
            char err[600];
            persona_learn_save(p, err, sizeof err); /* a failure is counted; it tries again */
            p->learn_saved = now;
        }
        next = p->learn_saved + P_LEARN_SAVE_NS;
    }
    p_pending_t *r = &p->pend;
    if (r->active && now >= r->due) {
        if (now > r->expires) {
            r->active = 0;
            p->st.dropped++;
        } else if (!r->human && now < p->ch[r->chan].floor_until) {
            r->due = p->ch[r->chan].floor_until + secs_ns(p->def->think_min); /* someone spoke first */
        } else if (p->tokens < 1.0) {
            p->st.rate_limited++;
            r->due = token_time(p, now);
        } else {
            r->active = 0;
            int rc = speak(p, r->chan, r->prompt, r->to, now);
            if (rc == 0) {
                p->st.replies++;
                note_reply(p, r->from, now);
            } else if (rc == PURG_EFULL && r->human && now + P_BUSY_RETRY_NS < r->expires) {
                /* the link still holds earlier lines (the chatter between
                 * personas): a person who asked is answered when it drains */
                r->active = 1;
                r->due = now + P_BUSY_RETRY_NS;
            } else if (rc == PURG_EFULL) {
                p->st.dropped++;
            }
        }
    }
    if (r->active)
        next = min64(next, r->due);
    for (size_t i = 0; i < p->def->nchannels; i++) {
        p_chan_t *c = &p->ch[i];
        int64_t replies_by = c->last_persona + secs_ns(p->def->think_max) + NS_PER_S / 2;
        if (p->def->take_turns && now >= c->next_unprompted && now < replies_by &&
            c->chain < p->def->max_turns) {
            /* not over another persona's line, nor in the way of a reply to
             * it: in the silence after, when no reply came */
            c->next_unprompted = replies_by + secs_ns(p_uniform(p) * 1.5 * eagerness(p, i, now));
        } else if (now >= c->next_unprompted) {
            p_schedule(p, i, now);
            if (p->def->quiet_after > 0 && now - c->last_human > secs_ns(p->def->quiet_after * 60)) {
                p->st.quiet_skips++;
            } else if (c->chain >= p->def->max_turns && now - c->last_persona <= pause_ns(p)) {
                /* the exchange ran out: let it rest */
            } else if (p->pend.active && p->pend.human) {
                /* a person waits for an answer: it goes first */
            } else if (p->tokens < 1.0) {
                p->st.rate_limited++;
            } else {
                int rc = speak(p, i, NULL, NULL, now);
                if (rc == 0)
                    p->st.unprompted++;
                else if (rc == PURG_EFULL)
                    p->st.dropped++;
            }
        }
        next = min64(next, c->next_unprompted);
    }
    return next;
}
