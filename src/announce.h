/* announce.h - what the audience is told besides the lines themselves: the
 * "X says" policy, the name a nick is spoken as, and which nicks are never
 * heard (the ignore list). Plain data and pure functions: the lists are
 * built on the main thread and read-only afterwards (any thread may read
 * them); an announce_t belongs to the synth thread. */
#ifndef PURG_ANNOUNCE_H
#define PURG_ANNOUNCE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "speechq.h"

#define ANNOUNCE_NAME_MAX 64
#define ANNOUNCE_LIST_MAX 256

typedef enum announce_says {
    SAYS_NEVER,   /* the voices alone tell people apart */
    SAYS_ALWAYS,  /* "alice says" before every line */
    SAYS_CHANGE,  /* when the speaker differs from the previous line's */
    SAYS_SILENCE  /* when the speaker changes, or after N seconds of silence */
} announce_says_t;

/* "never", "always", "change", or a number of seconds N (1..86400) for
 * SAYS_SILENCE. 0, or PURG_EINVAL. */
int announce_parse_says(const char *s, announce_says_t *policy, int *secs);

/* The synth thread's memory of who spoke last and when. */
typedef struct announce {
    announce_says_t policy;
    int64_t silence_ns;
    char last[ANNOUNCE_NAME_MAX];   /* folded nick of the previous line ("" none) */
    int64_t t_last;                 /* when the previous line ended */
} announce_t;

void announce_init(announce_t *a, announce_says_t policy, int secs);
/* A line of nick is about to be spoken at now_ns: 1 when it gets "X says".
 * Actions (is_action) never do, but count as the speaker's turn. */
int announce_before(announce_t *a, const char *nick, int is_action, int64_t now_ns);
/* The line ended at now_ns (silence is measured from here). */
void announce_after(announce_t *a, int64_t now_ns);

/* Spoken names and the ignore list. */
typedef struct announce_lists {
    char (*nick)[ANNOUNCE_NAME_MAX];   /* folded nicks of the spoken-name overrides */
    char (*spoken)[ANNOUNCE_NAME_MAX];
    size_t nnames;
    char (*ignore)[ANNOUNCE_NAME_MAX * 2]; /* masks (nick_pattern_match): nick or nick!user@host */
    size_t nignore;
} announce_lists_t;

/* Add "NICK=SPOKEN NAME" (spoken-name override). PURG_EINVAL with a sentence
 * in err when malformed; PURG_ETOOBIG past ANNOUNCE_LIST_MAX. */
int announce_add_name(announce_lists_t *l, const char *spec, char *err, size_t errlen);
/* Add an ignore pattern: a nick mask ("*bot") or a hostmask
 * ("*!*@bots.example.org"), matched as nick_pattern_match says (IRC masks,
 * rfc1459 case). */
int announce_add_ignore(announce_lists_t *l, const char *pattern, char *err, size_t errlen);
void announce_lists_free(announce_lists_t *l);

/* The name nick is spoken as: its override, else the nick with separators
 * (_ - | ` ^ [ ] { } \) turned into spaces and trimmed ("avi_" -> "avi"). */
void announce_spoken(const announce_lists_t *l, const char *nick, char *out, size_t n);
/* 1 when the line of nick (mask "nick!user@host", or NULL when unknown)
 * is ignored. A hostmask pattern never matches when the mask is unknown,
 * unless its user@host part is "*" or "*@*". */
int announce_ignored(const announce_lists_t *l, const char *nick, const char *mask);

/* The one filter on who is heard: the ignore list (read-only after setup)
 * and the mutes (changed by the controls at any time, under the filter's
 * own lock, held only to compare or copy a few names). The net thread asks
 * it when a line arrives, with the speaker's hostmask; the synth thread
 * asks it again, with the same hostmask carried in the utterance, just
 * before speaking (a mute may have come meanwhile). Nicks compare under
 * the rfc1459 case mapping (roster.h). */
#define ANNOUNCE_MUTE_MAX 64

typedef struct announce_filter {
    announce_lists_t lists;          /* read-only once threads run */
    pthread_mutex_t lock;            /* guards muted, nmuted */
    char muted[ANNOUNCE_MUTE_MAX][ANNOUNCE_NAME_MAX];
    size_t nmuted;
    int up;                          /* lock initialized */
} announce_filter_t;

/* 0 or PURG_ENOMEM. fini accepts a zeroed or half-built filter. */
int announce_filter_init(announce_filter_t *f);
void announce_filter_fini(announce_filter_t *f);
/* Mute (on = 1) or unmute nick. Returns 1 when that changed anything,
 * 0 when not (already so, or the list is full). Any thread. */
int announce_filter_mute(announce_filter_t *f, const char *nick, int on);
/* 1 when the line of nick (mask "nick!user@host", or NULL/"" when unknown)
 * may be heard: not ignored, not muted. Any thread. */
int announce_filter_heard(announce_filter_t *f, const char *nick, const char *mask);
/* 1 when nick is muted. Any thread. */
int announce_filter_muted(announce_filter_t *f, const char *nick);
/* The muted nicks as "bob, eve" into buf (cut to fit n). Any thread. */
void announce_filter_list(announce_filter_t *f, char *buf, size_t n);

/* The one way to make a line the listener says itself ("bob joined",
 * "skipped 3 lines from eve"), in the one narrator voice. chan: the channel
 * it concerns, or NULL/"" for none. NULL when out of memory. */
utterance_t *announce_notice(const char *chan, const char *text);

#endif
