/* room.h - the in-process channel of offline mode: members join channels,
 * and what one says is delivered to every other member of that channel as
 * an irc_event_t, just as an IRC server would. One thread (the demo loop).
 *
 * Like irc_conn_say, room_say accepts a line only for a channel the member
 * joined, and only one line (no CR/LF): a member cannot send anything but a
 * channel message. A listening member (room_listen) hears every channel and
 * cannot speak. Delivery is synchronous; members must not call room_say from
 * their handlers (personas only speak from persona_tick). */
#ifndef PURG_ROOM_H
#define PURG_ROOM_H

#include <stddef.h>
#include <stdint.h>

#include "irc.h"

#define ROOM_MAX_MEMBERS 64

/* A member's ear: pointers in ev live only during the call. */
typedef void (*room_handler_fn)(void *owner, const irc_event_t *ev);

typedef struct room room_t;

int room_create(room_t **out);
void room_free(room_t *r); /* NULL is fine */

/* A member named nick in 'channels' (copied). It gets IRC_EV_READY and one
 * IRC_EV_SELF_JOIN per channel, then one IRC_EV_NAMES for each member already
 * there (like a NAMES reply); members already there get IRC_EV_JOIN.
 * PURG_EINVAL for a nick in use or a bad channel, PURG_EFULL when full. */
int room_join(room_t *r, const char *nick, const char *const *channels, size_t nchannels,
              room_handler_fn fn, void *owner, int64_t t);

/* Flags member nick as a bot, as a server's bot mode does: every other
 * member hears IRC_EV_BOT, and the member's lines carry ev->bot from now on.
 * PURG_ENOTFOUND for an unknown nick. */
int room_flag_bot(room_t *r, const char *nick, int64_t t);
/* A member that hears every channel and says nothing (the listener). */
int room_listen(room_t *r, const char *nick, room_handler_fn fn, void *owner);

/* nick says text in channel: every other member of channel (and every
 * listener) hears IRC_EV_SAY. PURG_ENOTFOUND for an unknown nick,
 * PURG_EDENIED for a channel it is not in (or a listener), PURG_EINVAL for
 * CR, LF or NUL-less garbage, PURG_ETOOBIG over 510 bytes. */
int room_say(room_t *r, const char *nick, const char *channel, const char *text, int64_t t);

/* 'from' invites nick to channel: nick's handler gets IRC_EV_INVITE and
 * nothing else happens (joining is the member's host's business). */
int room_invite(room_t *r, const char *from, const char *nick, const char *channel, int64_t t);

/* True when nick is a member of channel. */
int room_in(const room_t *r, const char *nick, const char *channel);

/* Lines said in the room so far. */
unsigned long room_lines(const room_t *r);

#endif
