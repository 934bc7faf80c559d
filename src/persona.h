/* persona.h - a Markov persona: its definition (an INI file), its model, and
 * the state machine that decides when it speaks. Net thread (or the offline
 * room's loop); definitions are loaded on the main thread before that.
 *
 * DESIGN
 * A persona never touches a socket. It is fed irc_event_t values (from its
 * own IRC connection, or from the offline room) and a clock (`now`, in ns,
 * any monotonic origin), and it speaks through a transport: one function
 * "say this line to this channel". So the same logic runs over IRC, in the
 * room, and in unit tests with a fake clock.
 *
 * When it speaks:
 * - unprompted, about every `chattiness` seconds (exponential gaps from a
 *   seeded RNG), but not once `quiet_after` minutes passed without a human
 *   line in the channel (a forgotten demo stops by itself);
 * - in reply to a line naming it (probability reply_mention), or to another
 *   persona's line (reply_persona), after a short think time;
 * - turns: a persona line holds the floor while the room presumably hears it
 *   spoken (0.3 s a word); no persona of ours starts a line over it. A reply
 *   to a persona comes think_min..think_max after that line's end, and a
 *   newer persona line takes the place of an older one still waiting for its
 *   answer; an unprompted line waits for the silence after the replies
 *   would have come (so the room is rarely quiet, never talked over); turns
 *   go round: the longer a persona has been quiet, the shorter its think
 *   time (down to a quarter) and the likelier its reply (up to twice);
 *   take_turns = no turns all this off (a persona that talks at the pace
 *   of its rate limit, for tests of the link's pacing);
 * - a conversation between personas is bounded: each persona counts the
 *   persona lines since the last human line (or since a pause of
 *   max(5 s, think_max + 2 s) after a line's end), replies to personas less
 *   often as the count grows, not at all once it reaches max_turns; a reply
 *   that could not be said before that pause is dropped, so replies alone
 *   never start a new exchange; every exchange that runs out doubles its
 *   next unprompted gap (back-off, up to 16x) until a human speaks;
 * - a token bucket (rate lines a minute, burst) caps what it says.
 * Every line passes the command guard (guard.h) first; a refused line is
 * regenerated a few times, then dropped. INVITE is ignored: a persona is in
 * the channels of its definition and nowhere else. */
#ifndef PURG_PERSONA_H
#define PURG_PERSONA_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "guard.h"
#include "irc.h"
#include "learn.h"
#include "markov.h"
#include "voicemap.h"

#define PERSONA_NICK_MAX 31      /* bytes of a nick, without the NUL */
#define PERSONA_CHAN_MAX 64      /* bytes of a channel name incl. NUL */
#define PERSONA_MAX_CHANNELS 8
#define PERSONA_PATH_MAX 1024
#define PERSONA_LINE_MAX 400     /* bytes a persona says in one line */

typedef struct persona_def {
    char file[PERSONA_PATH_MAX];    /* the INI file (for messages) */
    char nick[PERSONA_NICK_MAX + 1];
    char model[PERSONA_PATH_MAX];   /* model file ("" = none); relative to the INI's directory */
    char corpus[PERSONA_PATH_MAX];  /* corpus to train from when the model is missing */
    corpus_format_t corpus_format;
    size_t corpus_max_lines;        /* 0 = every line */
    int order;                      /* 1..MARKOV_MAX_ORDER (default 2) */
    char channels[PERSONA_MAX_CHANNELS][PERSONA_CHAN_MAX];
    size_t nchannels;
    double chattiness;     /* mean seconds between unprompted lines; 0 = only replies */
    double reply_mention;  /* probability of answering a line that names it */
    double reply_persona;  /* probability of answering another persona's line */
    char voice[128];       /* pinned voice (pool id or spec), "" = hashed like anyone */
    double quiet_after;    /* minutes without a human line before it stops talking
                              unprompted; 0 = never */
    int max_turns;         /* persona lines in one exchange before it ends (default 6) */
    double rate;           /* lines a minute (default 10) */
    int burst;             /* lines it may say back to back (default 2) */
    double think_min, think_max; /* seconds before a reply (default 1..3) */
    int max_words;         /* words in a generated line (default 30) */
    int bot_mode;          /* IRC_BOT_MODE_*: set user mode +B (default auto) */
    int max_kicks;         /* kicked this often in a row: stays out until restart (default 2) */
    int replies_per_nick;  /* replies a minute to any one nick, at most (default 3) */
    int take_turns;        /* take_turns = no: talk without waiting for the floor (default yes) */
    int learn;             /* learn = yes: learn from the humans of its channels (default no) */
    char learn_from[512];  /* learn_from: nick masks, "!MASK" excludes ("" = every human) */
    guard_t *guard;        /* the default rules plus the [guard] section; owned */
} persona_def_t;

/* Reads an INI file:
 *   [persona]  nick, model, corpus, corpus_format, corpus_max_lines, order,
 *              channels (space or comma separated), chattiness, reply_mention,
 *              reply_persona, voice, quiet_after, max_turns, rate, burst,
 *              think_min, think_max, max_words, bot_mode (auto|on|off),
 *              max_kicks, replies_per_nick, take_turns (yes|no), learn (yes|no),
 *              learn_from (nick masks)
 *   [guard]    any key of guard_set (sigils, command_words, nicks, rewrite, max_len)
 * On error returns a negative code and "FILE:LINE: problem" in err. */
int persona_def_load(persona_def_t **out, const char *path, char *err, size_t errlen);
/* The same from memory; name is the file name used in messages and to
 * resolve relative paths. */
int persona_def_parse(persona_def_t **out, const char *name, const char *text, size_t len,
                      char *err, size_t errlen);
void persona_def_free(persona_def_t *d);

/* The persona's model: the model file if it exists, else trained from the
 * corpus (capped at corpus_max_lines) and, when a model path is given,
 * saved there (a failed save is only a warning, written to 'warn'). */
int persona_model_open(const persona_def_t *d, markov_t **out, char *warn, size_t warnlen,
                       char *err, size_t errlen);

/* Everything a host (listen or demo) does to seat one persona from a file:
 * load the definition, refuse a nick one of taken[0..ntaken) already has,
 * open (or train) the model, pin the persona's voice in voices (if it names
 * one). Warnings go to stderr as "purgatory CMD: ..." (cmd: "listen" or
 * "demo"). On success *def and *model are the caller's; on error err names
 * the file and the problem, and *def may be set (the caller frees it with
 * the rest of its members). */
int persona_seat(const char *cmd, const char *file, const persona_def_t *const *taken,
                 size_t ntaken, voicemap_t *voices, persona_def_t **def, markov_t **model,
                 char *err, size_t errlen);

/* ---- the state machine ---------------------------------------------------- */

/* Say one line (already guarded) to channel. Returns 0 or a PURG_E* code. */
typedef int (*persona_say_fn)(void *ctx, const char *channel, const char *text);

typedef struct persona_stats {
    unsigned long said;        /* lines handed to the transport */
    unsigned long unprompted;
    unsigned long replies;
    unsigned long guarded;     /* generated lines the guard refused */
    unsigned long dropped;     /* lines given up (guard, no text, transport error) */
    unsigned long rate_limited;/* lines held back or skipped by the rate limit */
    unsigned long invites;     /* INVITEs ignored */
    unsigned long quiet_skips; /* unprompted lines skipped by the quiet rule */
    unsigned long bot_lines;   /* lines from bots, never answered */
    unsigned long capped;      /* replies not made: replies_per_nick reached */
    unsigned long learned;     /* human lines learned (learn = yes) */
    unsigned long not_learned; /* human lines heard but not learned (learn_from, URL, guard, ...) */
    unsigned long save_errors; /* failed saves of the learned lines */
} persona_stats_t;

typedef struct persona persona_t;

/* def and model are borrowed and must outlive the persona. now: the clock. */
int persona_create(persona_t **out, const persona_def_t *def, const markov_t *model,
                   uint64_t seed, int64_t now);
void persona_free(persona_t *p);

void persona_set_transport(persona_t *p, persona_say_fn fn, void *ctx);
/* A nick that is not human (another persona, the listener): its lines do
 * not count for the quiet rule, and persona lines are turn-counted. */
int persona_add_peer(persona_t *p, const char *nick);
/* The nick the network knows it by (after a "nick in use" rename). */
void persona_set_nick(persona_t *p, const char *nick);
const char *persona_nick(const persona_t *p);

/* Learning (def->learn): from now on the persona learns into 'model' (its
 * own, which it then changes: nobody else may use it) and keeps what it
 * learns in MODEL.learned (learn.h). The lines already there are learned
 * again first. Returns 0, or an error in err (a file that is not a
 * learned-lines file, a read error); *bad receives the lines skipped. */
int persona_learn_start(persona_t *p, markov_t *model, size_t *bad, char *err, size_t errlen);
/* Saves the learned lines if something changed (hosts call it at exit; the
 * persona also saves every P_LEARN_SAVE seconds from persona_tick). */
int persona_learn_save(persona_t *p, char *err, size_t errlen);
/* Where the learned lines are kept: def->model + ".learned" ("" if no model). */
int persona_learned_path(const persona_def_t *d, char *out, size_t outlen);

/* Same seed, same lines, on any machine and under any load: a reply weighs
 * all its candidates instead of stopping at its time budget (the offline
 * demo with --seed; a live persona keeps the budget: the net thread must
 * not stall). */
void persona_set_repeatable(persona_t *p, int on);

/* Nicks and hostmasks it never learns from (the listener's --ignore
 * patterns, nick_pattern_match; borrowed: they must outlive the persona). */
void persona_set_ignore(persona_t *p, const char *const *patterns, size_t n);

/* What the persona hears. Never speaks from here (only persona_tick does),
 * so a transport may deliver synchronously. */
void persona_event(persona_t *p, const irc_event_t *ev, int64_t now);

/* Asks the guard again, with the room as it is now, about a line the
 * persona said earlier that is only now about to leave (a transport that
 * queues). 0 when it may still go, PURG_EDENIED when not. */
int persona_recheck(persona_t *p, const char *channel, const char *text);

/* Does what is due at 'now'; returns when it next wants to be ticked. */
int64_t persona_tick(persona_t *p, int64_t now);

void persona_get_stats(const persona_t *p, persona_stats_t *st);

#endif
