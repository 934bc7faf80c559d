/* test_sasl.c - SASL PLAIN negotiation against scripted server lines: the
 * usual exchange, refusals, and lines out of order or malformed. */
#include "check.h"
#include "purg.h"
#include "sasl.h"

#include <string.h>

static char reply[SASL_REPLY_MAX + 1], err[512];

/* Feed one line; the reply as a string ("" for none); *rc the result. */
static const char *feed(sasl_t *s, const char *line, int *rc)
{
    size_t n = 99;
    err[0] = '\0';
    *rc = sasl_step(s, "irc.example", line, reply, &n, err, sizeof err);
    CHECK_LE(n, SASL_REPLY_MAX);
    reply[n] = '\0';
    return reply;
}

static void test_exchange(void)
{
    sasl_t s = { SASL_REQ, "jilles", "sesame" };
    int rc;
    CHECK_STREQ(feed(&s, ":irc.example NOTICE * :*** Looking up your hostname", &rc), "");
    CHECK_STREQ(feed(&s, ":irc.example CAP * LS :multi-prefix sasl", &rc), ""); /* not an ACK */
    CHECK_STREQ(feed(&s, ":irc.example CAP * ACK :sasl", &rc), "AUTHENTICATE PLAIN\r\n");
    CHECK(rc == 0 && s.state == SASL_AUTH);
    /* base64("jilles\0jilles\0sesame"): authzid, authcid, password (RFC 4616) */
    CHECK_STREQ(feed(&s, "AUTHENTICATE +", &rc), "AUTHENTICATE amlsbGVzAGppbGxlcwBzZXNhbWU=\r\n");
    CHECK(rc == 0 && s.state == SASL_SENT);
    CHECK_STREQ(feed(&s, ":irc.example 900 ear ear!u@h jilles :You are now logged in as jilles", &rc), "");
    CHECK_STREQ(feed(&s, ":irc.example 903 ear :SASL authentication successful", &rc), "CAP END\r\n");
    CHECK(rc == 0 && s.state == SASL_DONE);
    /* done: nothing more is answered, a late failure numeric included */
    CHECK_STREQ(feed(&s, ":irc.example 904 ear :late", &rc), "");
    CHECK_EQ(rc, 0);
}

static void test_refusals(void)
{
    sasl_t s = { SASL_REQ, "me", "wrong" };
    int rc;
    CHECK_STREQ(feed(&s, ":irc.example CAP ear NAK :sasl", &rc), "");
    CHECK(rc == PURG_EDENIED && strstr(err, "does not offer SASL") && strstr(err, "irc.example"));

    s = (sasl_t){ SASL_REQ, "me", "wrong" };
    feed(&s, ":irc.example CAP * ACK :sasl", &rc);
    feed(&s, "AUTHENTICATE +", &rc);
    CHECK_STREQ(feed(&s, ":irc.example 904 ear :SASL authentication failed", &rc), "");
    CHECK_EQ(rc, PURG_EDENIED);
    CHECK(strstr(err, "SASL login as me refused by irc.example: SASL authentication failed") != NULL);
    CHECK(strstr(err, "wrong") == NULL); /* never the password */
    /* not even when the server echoes it */
    s = (sasl_t){ SASL_REQ, "me", "hunter2" };
    feed(&s, ":irc.example 904 ear :bad password hunter2hunter2 for me", &rc);
    CHECK(rc == PURG_EDENIED && strstr(err, "hunter2") == NULL && strstr(err, "bad password ***"));

    /* the server's words reach a terminal: no escape sequences */
    s = (sasl_t){ SASL_REQ, "me", "pw" };
    feed(&s, ":irc.example 904 ear :\x1b]0;owned\x07 failed", &rc);
    CHECK(rc == PURG_EDENIED && strchr(err, '\x1b') == NULL && strchr(err, '\x07') == NULL);
    CHECK(strstr(err, "^[]0;owned^G failed") != NULL); /* shown, as util_visible shows it */
    /* a password with a control byte, echoed: masked in its visible form too */
    s = (sasl_t){ SASL_REQ, "me", "pa\x01ss" };
    feed(&s, ":irc.example 904 ear :no pa\x01ss here", &rc);
    CHECK(rc == PURG_EDENIED && strstr(err, "pa^Ass") == NULL && strstr(err, "no ****** here"));

    /* credentials beyond what one AUTHENTICATE line carries */
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    s = (sasl_t){ SASL_REQ, "me", big };
    feed(&s, ":irc.example CAP * ACK :sasl", &rc);
    CHECK_STREQ(feed(&s, "AUTHENTICATE +", &rc), "");
    CHECK(rc == PURG_ETOOBIG && strstr(err, "too long") && !strstr(err, big));
}

static void test_bad_input(void)
{
    sasl_t s = { SASL_REQ, "me", "pw" };
    int rc;
    const char *ignored[] = {
        "", ":", ":prefix-only", "CAP", "CAP ", "CAP *", "CAP * ACK", "CAP * ACKsasl",
        ":x CAP * ACK :multi-prefix", ":x CAP * ACK :sasl-extra", ":x CAP * LIST :sasl",
        "AUTHENTICATE +", /* before the ACK */ "903 ear :too early", "AUTHENTICATE", "9", "90",
    };
    for (size_t i = 0; i < sizeof ignored / sizeof *ignored; i++) {
        CHECK_STREQ(feed(&s, ignored[i], &rc), "");
        CHECK(rc == 0 && s.state == SASL_REQ);
    }
    /* "sasl=PLAIN,EXTERNAL" (CAP 302 values) is sasl; other words around it too */
    CHECK_STREQ(feed(&s, ":x CAP ear ACK :multi-prefix sasl=PLAIN,EXTERNAL", &rc), "AUTHENTICATE PLAIN\r\n");
    CHECK_STREQ(feed(&s, "AUTHENTICATE :+", &rc), "AUTHENTICATE bWUAbWUAcHc=\r\n");
    CHECK_STREQ(feed(&s, "AUTHENTICATE +", &rc), ""); /* asked twice: answered once */
    CHECK(rc == 0 && s.state == SASL_SENT);

    sasl_t off = { SASL_OFF, NULL, NULL };
    CHECK_STREQ(feed(&off, ":x CAP * ACK :sasl", &rc), "");
    CHECK(rc == 0 && off.state == SASL_OFF);
}

static const check_case_t cases[] = {
    CHECK_CASE(exchange),
    CHECK_CASE(refusals),
    CHECK_CASE(bad_input),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
