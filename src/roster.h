/* roster.h - a set of nicks with flags, keyed by the IRC (rfc1459) case
 * mapping: who is in a channel, who is a bot. Plain state of one thread
 * (the net thread, or the offline room's loop); no locking.
 *
 * Lookups and changes are O(1) on average (open addressing), so a channel
 * of 50,000 members costs no more per JOIN than one of five. */
#ifndef PURG_ROSTER_H
#define PURG_ROSTER_H

#include <stddef.h>

#include "nick.h" /* the case mapping */

#define ROSTER_NICK_MAX 64     /* bytes of a nick that count (longer ones are cut) */

typedef struct roster roster_t;

/* An empty roster. 0 or PURG_ENOMEM. */
int roster_create(roster_t **out);
/* Accepts NULL. */
void roster_free(roster_t *r);
void roster_clear(roster_t *r);
size_t roster_size(const roster_t *r);

/* The flags of nick[0..n) (any case), 0 when absent. Entries always have
 * non-zero flags. Accepts a NULL roster (nobody is in it). */
unsigned roster_get(const roster_t *r, const char *nick, size_t n);
/* The same for a NUL-terminated nick. */
unsigned roster_get_s(const roster_t *r, const char *nick);

/* Adds nick (or finds it) and ORs flags into its flags; flags must not be
 * 0. 0, PURG_EINVAL (empty nick or flags 0) or PURG_ENOMEM. */
int roster_add(roster_t *r, const char *nick, unsigned flags);
/* Clears flags on nick; an entry left with no flags is removed. */
void roster_clear_flags(roster_t *r, const char *nick, unsigned flags);
/* Removes nick (no-op when absent). */
void roster_del(roster_t *r, const char *nick);
/* Moves old's flags to newnick (old removed); no-op when old is absent.
 * 0 or PURG_ENOMEM. */
int roster_rename(roster_t *r, const char *oldnick, const char *newnick);

#endif
