/* sasl.h - SASL PLAIN negotiation: the server lines it answers; no I/O.
 *
 * The bridge (ircbridge.c) sends "CAP REQ :sasl" before registration and
 * feeds every server line to sasl_step until the state is SASL_DONE. The
 * server's text is outside data: anything it sends, in any order, gets an
 * answer, nothing, or a sentence in err, never more. */
#ifndef PURG_SASL_H
#define PURG_SASL_H

#include <stddef.h>

typedef enum { SASL_OFF, SASL_REQ, SASL_AUTH, SASL_SENT, SASL_DONE } sasl_state_t;

typedef struct sasl {
    sasl_state_t state;   /* SASL_REQ once "CAP REQ :sasl" is on its way */
    const char *user;     /* borrowed */
    const char *pass;     /* borrowed; never copied into err */
} sasl_t;

/* Still negotiating: server lines go to sasl_step. */
static inline int sasl_pending(const sasl_t *s)
{
    return s->state != SASL_OFF && s->state != SASL_DONE;
}

#define SASL_REPLY_MAX 512 /* an IRC line, CR LF included */
#define SASL_CRED_MAX 300  /* user + user + password + 2 NULs, before base64 */

/* One server line (without CR LF). Writes what to send back, CR LF
 * included, into reply (SASL_REPLY_MAX bytes) and its length into
 * *replylen (0: nothing to send). Returns 0; PURG_EDENIED when the server
 * refuses the login or has no SASL; PURG_ETOOBIG when the credentials are
 * too long: then with a sentence in err. */
int sasl_step(sasl_t *s, const char *host, const char *line, char *reply, size_t *replylen,
              char *err, size_t errlen);

#endif
