/* persona_host.h - personas hosted by `purgatory listen`: each persona is its
 * own IRC connection (its own nick) in the listener's select() loop, so the
 * channel sees it as a participant and the listener hears it like anyone.
 * phost_create runs on the main thread before the net thread starts;
 * phost_tick on the net thread; phost_free after the net thread ended and
 * after irc_net_free (the connections belong to the irc_net_t). */
#ifndef PURG_PERSONA_HOST_H
#define PURG_PERSONA_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "irc.h"
#include "persona.h"
#include "voicemap.h"

#define PHOST_MAX 16

typedef struct phost phost_t;

typedef struct phost_conf {
    const char *const *files;   /* persona INI files */
    size_t nfiles;              /* at most PHOST_MAX */
    /* The listener's connection: server, port, TLS (and its CA or
     * --tls-insecure) and server password are reused. Its SASL login and
     * NickServ password are not: those name one account, the listener's,
     * and a persona logging in as the listener would take its identity. */
    const irc_conf_t *link;
    const char *listener_nick;  /* not human, for the quiet rule */
    uint64_t seed;
    const char *const *ignore;  /* the listener's --ignore patterns (nicks or hostmasks):
                                   never learned from; must outlive the host */
    size_t nignore;
} phost_conf_t;

/* Loads each persona (training its model if needed), pins its voice in
 * voices (borrowed; net thread owns it afterwards), and adds its connection
 * to net. On error: a negative code and "FILE[:LINE]: problem" in err. */
int phost_create(phost_t **out, irc_net_t *net, voicemap_t *voices, const phost_conf_t *conf,
                 char *err, size_t errlen);

/* True when nick is one of the hosted personas (net thread). Accepts NULL. */
int phost_is_persona(const phost_t *h, const char *nick);

/* The hosted personas, in the order of conf->files (net thread, or any
 * thread before it starts; tests look at them this way): how many, and the
 * i-th one's definition as hosted (rate and burst clamped to what a link
 * may send), state machine and connection. NULL when i is out of range. */
size_t phost_count(const phost_t *h);
const persona_def_t *phost_def(const phost_t *h, size_t i);
persona_t *phost_persona(const phost_t *h, size_t i);
irc_conn_t *phost_conn(const phost_t *h, size_t i);

/* Net thread: run every persona's schedule. */
void phost_tick(phost_t *h);

/* Accepts NULL. Prints each persona's counts to stderr. */
void phost_free(phost_t *h);

#endif
