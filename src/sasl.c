/* sasl.c - SASL PLAIN negotiation (see sasl.h); any one thread per sasl_t. */
#include "sasl.h"
#include "ircv3.h"
#include "purg.h"
#include "util.h"

#include <string.h>

/* "CAP <target> <sub>": is the subcommand `sub`? */
static int cap_sub(const char *p, const char *sub)
{
    const char *t = p + 4; /* past "CAP " */
    t += strcspn(t, " ");  /* past the target */
    if (*t != ' ')
        return 0;
    t++;
    size_t n = strlen(sub);
    return strncmp(t, sub, n) == 0 && (t[n] == ' ' || t[n] == '\0');
}

/* The server's words for the terminal, which may be on a projector:
 * control bytes made visible (util_visible: an escape sequence shows as
 * text), the password, should the server echo it, as '*'s; cut to fit. */
static void printable(const char *in, const char *pass, char *out, size_t n)
{
    char vpass[UTIL_VIS_MAX];
    util_visible(out, n, in);
    util_visible(vpass, sizeof vpass, pass); /* as it would show */
    size_t pl = *pass ? strlen(vpass) : 0;
    for (char *p = pl ? strstr(out, vpass) : NULL; p; p = strstr(p + pl, vpass))
        memset(p, '*', pl);
}

static size_t plain_response(const sasl_t *s, char *reply)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char raw[SASL_CRED_MAX];
    size_t ul = strlen(s->user), pl = strlen(s->pass), n = 0;
    /* base64("user\0user\0pass"): authorization and authentication identity alike */
    memcpy(raw, s->user, ul); n += ul; raw[n++] = 0;
    memcpy(raw + n, s->user, ul); n += ul; raw[n++] = 0;
    memcpy(raw + n, s->pass, pl); n += pl;
    size_t o = 13;
    memcpy(reply, "AUTHENTICATE ", o);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (i + 1 < n ? (unsigned)raw[i + 1] << 8 : 0) |
                     (i + 2 < n ? raw[i + 2] : 0);
        reply[o++] = tab[v >> 18 & 63];
        reply[o++] = tab[v >> 12 & 63];
        reply[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        reply[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    reply[o++] = '\r';
    reply[o++] = '\n';
    explicit_bzero(raw, sizeof raw);
    return o;
}

int sasl_step(sasl_t *s, const char *host, const char *line, char *reply, size_t *replylen,
              char *err, size_t errlen)
{
    *replylen = 0;
    const char *p = ircv3_command(line);
    if (!p || !sasl_pending(s))
        return 0;
    if (strncmp(p, "CAP ", 4) == 0 && s->state == SASL_REQ) {
        if (cap_sub(p, "ACK") && ircv3_cap_lists(p, "sasl")) {
            memcpy(reply, "AUTHENTICATE PLAIN\r\n", 20);
            *replylen = 20;
            s->state = SASL_AUTH;
        } else if (cap_sub(p, "NAK") && ircv3_cap_lists(p, "sasl")) {
            util_snprintf(err, errlen, "the server %s does not offer SASL (drop --sasl-user, "
                          "or use a server password or NickServ instead)", host);
            return PURG_EDENIED;
        }
    } else if ((strcmp(p, "AUTHENTICATE +") == 0 || strcmp(p, "AUTHENTICATE :+") == 0) &&
               s->state == SASL_AUTH) {
        if (2 * strlen(s->user) + strlen(s->pass) + 2 > SASL_CRED_MAX) {
            util_snprintf(err, errlen, "SASL user name and password are too long (at most "
                          "%d bytes together)", SASL_CRED_MAX - 2);
            return PURG_ETOOBIG;
        }
        *replylen = plain_response(s, reply);
        s->state = SASL_SENT;
    } else if (strncmp(p, "903 ", 4) == 0 && s->state == SASL_SENT) {
        memcpy(reply, "CAP END\r\n", 9);
        *replylen = 9;
        s->state = SASL_DONE;
    } else if (strncmp(p, "902 ", 4) == 0 || strncmp(p, "904 ", 4) == 0 ||
               strncmp(p, "905 ", 4) == 0 || strncmp(p, "906 ", 4) == 0 ||
               strncmp(p, "908 ", 4) == 0) {
        const char *why = strstr(p, " :");
        char safe[200];
        printable(why ? why + 2 : p, s->pass, safe, sizeof safe);
        util_snprintf(err, errlen, "SASL login as %s refused by %s: %s (check the account "
                      "name and the password)", s->user, host, safe);
        return PURG_EDENIED;
    }
    return 0;
}
