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

typedef struct ircbridge_conf {
    const char *host;          /* server name (also for SNI and the certificate check) */
    unsigned short port;
    int tls;                   /* speak TLS to the server */
    const char *tls_ca;        /* CA file instead of the system store, or NULL */
    int tls_insecure;          /* do not verify the certificate at all */
    const char *sasl_user;     /* SASL PLAIN when both are set */
    const char *sasl_pass;
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

#endif
