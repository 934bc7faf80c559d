/* test_ircv3.c - message tags taken off server lines and the CAP LS 302
 * negotiation (ircv3.c), with and without SASL beside it. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ircv3.h"

static unsigned strip(const char *in, const char *want)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s", in);
    ircv3_tags_t t;
    size_t n = ircv3_strip_tags(buf, strlen(buf), &t);
    CHECK_EQ(n, strlen(buf));
    CHECK_STREQ(buf, want);
    return t.flags;
}

static void test_tags(void)
{
    CHECK_EQ(strip(":a!b@c PRIVMSG #x :hi", ":a!b@c PRIVMSG #x :hi"), 0);
    CHECK_EQ(strip("@bot :j!u@h PRIVMSG #x :hi", ":j!u@h PRIVMSG #x :hi"), IRCV3_TAG_BOT);
    CHECK_EQ(strip("@msgid=1;draft/bot :j!u@h PRIVMSG #x :hi", ":j!u@h PRIVMSG #x :hi"), IRCV3_TAG_BOT);
    CHECK_EQ(strip("@inspircd.org/bot;bot :j PRIVMSG #x :hi", ":j PRIVMSG #x :hi"), IRCV3_TAG_BOT);
    CHECK_EQ(strip("@bot=yes :j PRIVMSG #x :hi", ":j PRIVMSG #x :hi"), IRCV3_TAG_BOT);
    /* lookalikes and client-only tags say nothing */
    CHECK_EQ(strip("@robot;bots;+bot;time=x :j PRIVMSG #x :hi", ":j PRIVMSG #x :hi"), 0);
    CHECK_EQ(strip("@msgid=bot :j PRIVMSG #x :bot", ":j PRIVMSG #x :bot"), 0);
    CHECK_EQ(strip("@bot", ""), IRCV3_TAG_BOT);
    CHECK_EQ(strip("@", ""), 0);
    CHECK_EQ(strip("@a   :x PING :y", ":x PING :y"), 0);
    CHECK_EQ(strip("", ""), 0);
    /* server-time and batch */
    char buf[200];
    ircv3_tags_t t;
    snprintf(buf, sizeof buf, "@batch=h1;time=2026-11-29T18:21:39.250Z :a PRIVMSG #x :old");
    ircv3_strip_tags(buf, strlen(buf), &t);
    CHECK_EQ(t.time_ms, 1795976499250LL);
    CHECK_STREQ(t.batch, "h1");
    snprintf(buf, sizeof buf, "@time=1970-01-01T00:00:01Z :a PRIVMSG #x :x");
    ircv3_strip_tags(buf, strlen(buf), &t);
    CHECK(t.time_ms == 1000 && t.batch[0] == '\0');
}

static void test_time(void)
{
    const char *bad[] = { "", "2026-11-29", "2026-11-29T18:21:39", "2026-13-29T18:21:39Z",
                          "2026-11-29T25:21:39Z", "2026-11-29 18:21:39Z", "2026-11-29T18:21:39.5",
                          "x026-11-29T18:21:39Z", "2026-11-29T18:21:39Zjunk", "1969-12-31T23:59:59Z" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(ircv3_parse_time(bad[i], strlen(bad[i])), 0);
    CHECK_EQ(ircv3_parse_time("2000-02-29T00:00:00Z", 20), 951782400000LL);
    CHECK_EQ(ircv3_parse_time("2026-11-29T18:21:39.5Z", 22), 1795976499500LL);
    CHECK_EQ(ircv3_parse_time("2026-11-29T18:21:39.123456Z", 27), 1795976499123LL);
}

/* Feeds line, returns the reply ("" for none). */
static const char *step(ircv3_cap_t *c, const char *line, int sasl_busy)
{
    static char reply[IRCV3_REPLY_MAX + 1];
    size_t n;
    ircv3_cap_step(c, line, sasl_busy, reply, &n);
    CHECK_LT(n, sizeof reply);
    reply[n] = '\0';
    return reply;
}

static void test_cap(void)
{
    size_t n;
    ircv3_cap_t c = { 0 };
    CHECK_STREQ(ircv3_cap_start(&c, &n), "CAP LS 302\r\n");
    CHECK_EQ(n, 12);
    /* a multi-line LS: the request waits for the last line */
    CHECK_STREQ(step(&c, ":srv CAP * LS * :account-notify message-tags", 0), "");
    CHECK_STREQ(step(&c, ":srv CAP * LS :multi-prefix=x sasl=PLAIN server-time", 0),
                "CAP REQ :message-tags multi-prefix server-time\r\n");
    CHECK_STREQ(step(&c, ":srv NOTICE * :hello", 0), "");
    CHECK_STREQ(step(&c, ":srv CAP * ACK :message-tags multi-prefix server-time", 0), "CAP END\r\n");
    CHECK_EQ(c.acked, (IRCV3_MESSAGE_TAGS | IRCV3_MULTI_PREFIX | IRCV3_SERVER_TIME));
    CHECK_STREQ(step(&c, ":srv CAP * ACK :message-tags", 0), ""); /* done: nothing twice */

    /* nothing we want: CAP END at once */
    c = (ircv3_cap_t){ 0 };
    ircv3_cap_start(&c, &n);
    CHECK_STREQ(step(&c, ":srv CAP * LS :sasl away-notify", 0), "CAP END\r\n");
    CHECK_EQ(c.acked, 0);

    /* NAK: still CAP END; an ACK for SASL's request is not ours */
    c = (ircv3_cap_t){ 0 };
    ircv3_cap_start(&c, &n);
    CHECK_STREQ(step(&c, ":srv CAP * LS :message-tags", 0), "CAP REQ :message-tags\r\n");
    CHECK_STREQ(step(&c, ":srv CAP * ACK :sasl", 0), "");
    CHECK_STREQ(step(&c, ":srv CAP * NAK :message-tags", 0), "CAP END\r\n");
    CHECK_EQ(c.acked, 0);

    /* SASL still busy: CAP END is its to send (after 903) */
    c = (ircv3_cap_t){ 0 };
    ircv3_cap_start(&c, &n);
    CHECK_STREQ(step(&c, ":srv CAP * LS :multi-prefix sasl", 1), "CAP REQ :multi-prefix\r\n");
    CHECK_STREQ(step(&c, ":srv CAP * ACK :multi-prefix", 1), "");
    CHECK(c.state == CAP_DONE && !c.end_sent);
    CHECK_STREQ(step(&c, ":srv 903 me :SASL authentication successful", 0), "");
    CHECK(c.end_sent);

    /* SASL done before our ACK: no second CAP END */
    c = (ircv3_cap_t){ 0 };
    ircv3_cap_start(&c, &n);
    CHECK_STREQ(step(&c, ":srv CAP * LS :message-tags sasl", 1), "CAP REQ :message-tags\r\n");
    CHECK_STREQ(step(&c, ":srv 903 me :ok", 0), "");
    CHECK_STREQ(step(&c, ":srv CAP * ACK :message-tags", 0), "");

    /* a server without CAP: 421, then 001 ends it quietly */
    c = (ircv3_cap_t){ 0 };
    ircv3_cap_start(&c, &n);
    CHECK_STREQ(step(&c, ":srv 421 * CAP :Unknown command", 0), "");
    CHECK_STREQ(step(&c, ":srv 001 me :Welcome", 0), "");
    CHECK(c.state == CAP_DONE && c.end_sent);

    /* garbage never gets an answer */
    c = (ircv3_cap_t){ 0 };
    ircv3_cap_start(&c, &n);
    CHECK_STREQ(step(&c, "CAP", 0), "");
    CHECK_STREQ(step(&c, ":srv CAP", 0), "");
    CHECK_STREQ(step(&c, ":srv", 0), "");
    CHECK_STREQ(step(&c, "CAP * LSX :message-tags", 0), "");
}

static const check_case_t cases[] = {
    CHECK_CASE(tags),
    CHECK_CASE(time),
    CHECK_CASE(cap),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
