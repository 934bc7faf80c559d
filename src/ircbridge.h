/* ircbridge.h - the byte bridge between libircclient and the IRC server; net
 * thread only.
 *
 * libircclient (Debian's is built without SSL) connects to a one-shot
 * loopback listener; the bridge connects to the real server, with TLS when
 * asked, and shuttles bytes between the two in the net loop's select().
 * On the way in, every server line is made safe for libircclient's parser
 * (see ircbridge_clean_line); on the way out it can run SASL PLAIN before
 * libircclient's registration completes. */
#ifndef PURG_IRCBRIDGE_H
#define PURG_IRCBRIDGE_H

#include <stddef.h>
#include <sys/select.h>

#include "ircv3.h"

typedef struct ircbridge_conf {
    const char *host;          /* server name (also for SNI and the certificate check) */
    unsigned short port;
    int tls;                   /* speak TLS to the server */
    const char *tls_ca;        /* CA file instead of the system store, or NULL */
    int tls_insecure;          /* do not verify the certificate at all */
    const char *sasl_user;     /* SASL PLAIN when both are set */
    const char *sasl_pass;
    int pace_ms;               /* ms a line once the burst is spent; 0 = IRCBRIDGE_PACE_MS */
} ircbridge_conf_t;

typedef struct ircbridge ircbridge_t;

/* Resolve the server, start a non-blocking connect, and open the loopback
 * listener; *local_port is where libircclient must connect. On error err
 * holds a sentence for the user. */
int ircbridge_open(ircbridge_t **out, const ircbridge_conf_t *conf, unsigned short *local_port,
                   char *err, size_t errlen);
void ircbridge_free(ircbridge_t *b);

/* Add the bridge's sockets to the loop's sets. */
void ircbridge_fds(ircbridge_t *b, fd_set *rd, fd_set *wr, int *maxfd);

/* Move what can move. Returns 0, or PURG_ENET when the link is over (err
 * says why: closed, TLS verification failed, SASL refused ...). */
int ircbridge_process(ircbridge_t *b, const fd_set *rd, const fd_set *wr, char *err, size_t errlen);

/* The pacing budget of one link, every command counted (PING, PONG, JOIN,
 * WHO and registration as much as PRIVMSG): IRCBRIDGE_BURST lines at once,
 * then one every IRCBRIDGE_PACE_MS (0.8 a second; tests may shorten it
 * through PURG_IRC_TIMING pace=MS). Below the strictest defaults in use:
 * InspIRCd's shipped connect class (threshold 10, commandrate 1000: more
 * than one command a second sustained is an "Excess Flood" kill), ngircd's
 * penalties (about 3 lines a second) and the fake lag with which the
 * charybdis/Solanum family slows clients that send in bursts. */
#define IRCBRIDGE_BURST 5.0
#define IRCBRIDGE_PACE_MS 1250

/* Lines the link may still send now: whole tokens less the lines already
 * waiting for theirs (may be negative). The IRC loop hands libircclient a
 * line only while this is at least 1, so lines wait in irc.c's own bounded
 * queue, never in libircclient's 1 KB buffer or here. */
int ircbridge_credit(ircbridge_t *b);

/* ms until the next waiting line may go (0: now), or -1 when none waits. */
int ircbridge_next_ms(const ircbridge_t *b);
/* ms until the link's credit reaches 1 again (0: it is). */
int ircbridge_credit_ms(ircbridge_t *b);

/* While the link is still being set up: a sentence about what is awaited
 * (for a timeout message); NULL once the bridge is just passing lines. */
const char *ircbridge_waiting(const ircbridge_t *b);

/* Make one server line (without CR/LF) safe for libircclient, in place:
 * NULs and stray CRs removed, cut to 510 bytes, and lines its parser would
 * crash or read past the end on (a prefix without a command, a bare numeric,
 * the numeric 000, a line with neither prefix nor parameters,
 * NICK without a prefix, PRIVMSG/NOTICE without text, a lone CTCP marker)
 * rejected. Returns the new length, or 0 to drop the line. */
size_t ircbridge_clean_line(char *line, size_t len);

/* What the bridge does with every server line (without CR/LF), in place:
 * its IRCv3 tags taken off into *tags (ircv3_strip_tags), then
 * ircbridge_clean_line. Returns the new length, or 0 to drop the line. */
size_t ircbridge_take_line(char *line, size_t len, ircv3_tags_t *tags);

#endif
