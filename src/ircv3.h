/* ircv3.h - the IRCv3 parts the bridge speaks for libircclient (which knows
 * none of them): capability negotiation (CAP LS 302 / REQ / END) and message
 * tags. Pure functions and a small state machine; no I/O. Net thread.
 *
 * Negotiated when the server offers them: message-tags (so the server marks
 * bots' messages with the `bot` tag, IRCv3 bot mode), multi-prefix (every
 * member prefix in NAMES), server-time and batch (so lines a server replays
 * from before we joined can be told from live ones). libircclient cannot parse tags, so the bridge
 * takes them off every line (ircv3_strip_tags) before it passes the line on.
 * A server without CAP ignores "CAP LS" (or answers 421) and registers us on
 * NICK/USER as before. SASL (sasl.c) runs beside this and sends its own CAP
 * REQ; CAP END is sent once, by whichever finishes last. */
#ifndef PURG_IRCV3_H
#define PURG_IRCV3_H

#include <stddef.h>
#include <stdint.h>

#define IRCV3_TAG_BOT 1u   /* the line carried a bot tag: bot, draft/bot, inspircd.org/bot */

/* What the tags of one line said. */
typedef struct ircv3_tags {
    unsigned flags;        /* IRCV3_TAG_* */
    int64_t time_ms;       /* server-time (ms since the epoch, UTC); 0: none or unreadable */
    char batch[24];        /* the batch the line belongs to; "" for none */
} ircv3_tags_t;

/* Takes the "@tags " prefix off line[0..len) in place (NUL-terminated
 * after); returns the new length and fills *t. A line of tags and nothing
 * else comes back empty (0). */
size_t ircv3_strip_tags(char *line, size_t len, ircv3_tags_t *t);

/* "YYYY-MM-DDThh:mm:ss[.fff]Z" -> ms since the epoch; 0 when malformed. */
int64_t ircv3_parse_time(const char *s, size_t n);

typedef enum { CAP_IDLE, CAP_LS, CAP_REQ, CAP_DONE } ircv3_state_t;

#define IRCV3_MESSAGE_TAGS 1u
#define IRCV3_MULTI_PREFIX 2u
#define IRCV3_SERVER_TIME 4u   /* when a line was said: replayed history shows */
#define IRCV3_BATCH 8u         /* history comes in a chathistory batch */

typedef struct ircv3_cap {
    ircv3_state_t state;   /* CAP_LS once "CAP LS 302" is on its way */
    unsigned offered;      /* IRCV3_* seen in the LS reply */
    unsigned acked;        /* IRCV3_* the server acknowledged */
    int end_sent;          /* CAP END went out (ours or SASL's) */
} ircv3_cap_t;

#define IRCV3_REPLY_MAX 128

/* One server line (tags already stripped, without CR LF). Writes what to send
 * back (CR LF included) into reply (IRCV3_REPLY_MAX bytes), its length into
 * *replylen (0: nothing). sasl_busy: SASL is still negotiating (then CAP
 * END is left to it). */
void ircv3_cap_step(ircv3_cap_t *c, const char *line, int sasl_busy, char *reply,
                    size_t *replylen);

/* The command of a server line, past an optional ":prefix " (and any more
 * spaces); NULL when the line is a prefix alone. */
const char *ircv3_command(const char *line);

/* Is cap one of the space-separated capabilities after the " :" of a CAP
 * line (or its last word when there is no colon)? "sasl=PLAIN" counts. */
int ircv3_cap_lists(const char *line, const char *cap);

/* What starts the negotiation: "CAP LS 302\r\n" (length in *len). */
const char *ircv3_cap_start(ircv3_cap_t *c, size_t *len);

#endif
