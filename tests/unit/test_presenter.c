/* test_presenter.c - the presenter's parts: the "X says" policy, spoken
 * names, the ignore list (announce.c), the control command parser and key
 * decoder (control.c), and the view (view.c). The configuration file is
 * test_config.c. */
#include "announce.h"
#include "check.h"
#include "util.h"
#include "control.h"
#include "purg.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_says(void)
{
    announce_says_t p;
    int secs;
    CHECK(announce_parse_says("change", &p, &secs) == 0 && p == SAYS_CHANGE);
    CHECK(announce_parse_says("30", &p, &secs) == 0 && p == SAYS_SILENCE && secs == 30);
    CHECK(announce_parse_says("5s", &p, &secs) == 0 && secs == 5);
    CHECK_NE(announce_parse_says("0", &p, &secs), 0);
    CHECK_NE(announce_parse_says("sometimes", &p, &secs), 0);
    announce_t a;
    const int64_t s = NS_PER_S;
    announce_init(&a, SAYS_CHANGE, 0);
    CHECK_EQ(announce_before(&a, "alice", 0, 1 * s), 1);
    announce_after(&a, 2 * s);
    CHECK_EQ(announce_before(&a, "Alice", 0, 3 * s), 0); /* same nick, any case */
    CHECK_EQ(announce_before(&a, "bob", 1, 4 * s), 0);   /* actions are never announced */
    CHECK_EQ(announce_before(&a, "bob", 0, 5 * s), 0);   /* but were bob's turn */
    CHECK_EQ(announce_before(&a, "alice", 0, 6 * s), 1);
    announce_init(&a, SAYS_SILENCE, 10);
    CHECK_EQ(announce_before(&a, "alice", 0, 1 * s), 1);
    announce_after(&a, 2 * s);
    CHECK_EQ(announce_before(&a, "alice", 0, 5 * s), 0);
    announce_after(&a, 6 * s);
    CHECK_EQ(announce_before(&a, "alice", 0, 17 * s), 1); /* 11 s of silence */
    announce_init(&a, SAYS_NEVER, 0);
    CHECK_EQ(announce_before(&a, "x", 0, s), 0);
    announce_init(&a, SAYS_ALWAYS, 0);
    CHECK(announce_before(&a, "x", 0, s) == 1 && announce_before(&a, "x", 0, s) == 1);
}

static void test_names_ignore(void)
{
    announce_lists_t l = { 0 };
    char err[256], out[64];
    CHECK_EQ(announce_add_name(&l, "xX_r00t=root", err, sizeof err), 0);
    CHECK_EQ(announce_add_name(&l, "nonsense", err, sizeof err), PURG_EINVAL);
    CHECK_EQ(announce_add_name(&l, "=x", err, sizeof err), PURG_EINVAL);
    announce_spoken(&l, "XX_R00T", out, sizeof out);
    CHECK_STREQ(out, "root");
    announce_spoken(&l, "avi_", out, sizeof out);
    CHECK_STREQ(out, "avi");
    announce_spoken(&l, "bob|away", out, sizeof out);
    CHECK_STREQ(out, "bob away");
    announce_spoken(&l, "__", out, sizeof out);
    CHECK_STREQ(out, "__");
    CHECK_EQ(announce_add_ignore(&l, "*bot", err, sizeof err), 0);
    CHECK_EQ(announce_add_ignore(&l, "*!*@bots.example.org", err, sizeof err), 0);
    CHECK_EQ(announce_add_ignore(&l, "chanserv!*", err, sizeof err), 0);
    CHECK_EQ(announce_ignored(&l, "NewsBot", NULL), 1);
    CHECK_EQ(announce_ignored(&l, "alice", NULL), 0);
    CHECK_EQ(announce_ignored(&l, "alice", "alice!a@bots.example.org"), 1);
    CHECK_EQ(announce_ignored(&l, "alice", "alice!a@home.example.org"), 0);
    CHECK_EQ(announce_ignored(&l, "ChanServ", NULL), 1);
    announce_lists_free(&l);
}

typedef struct seen {
    control_cmd_t cmds[32];
    int n;
    char prompt[128];
} seen_t;

static void on_cmd(void *ctx, const control_cmd_t *c)
{
    seen_t *s = ctx;
    if (s->n < 32)
        s->cmds[s->n++] = *c;
}

static void on_prompt(void *ctx, const char *p)
{
    seen_t *s = ctx;
    snprintf(s->prompt, sizeof s->prompt, "%s", p);
}

static void test_control(void)
{
    control_cmd_t c;
    CHECK(control_parse("skip", &c) == 0 && c.kind == CTL_SKIP);
    CHECK(control_parse("  volume +15 \n", &c) == 0 && c.kind == CTL_VOLUME && c.delta == 15 && c.set == -1);
    CHECK(control_parse("volume 40", &c) == 0 && c.set == 40);
    CHECK(control_parse("mute bob", &c) == 0 && c.kind == CTL_MUTE && strcmp(c.nick, "bob") == 0);
    CHECK(control_parse("toggle-pause", &c) == 0 && c.kind == CTL_TOGGLE);
    CHECK_NE(control_parse("mute", &c), 0);
    CHECK_NE(control_parse("skip now", &c), 0);
    CHECK_NE(control_parse("volume loud", &c), 0);
    CHECK_NE(control_parse("rm -rf /", &c), 0);
    CHECK_NE(control_parse("", &c), 0);

    seen_t s = { 0 };
    control_t *ctl = NULL;
    char err[256];
    CHECK_EQ(control_start(&ctl, NULL, 0, on_cmd, on_prompt, &s, err, sizeof err), 0);
    if (!ctl)
        return;
    const char *keys = " s\x1b[C\x1b[6~c+-q";
    control_keys(ctl, keys, strlen(keys));
    CHECK_EQ(s.n, 8);
    CHECK(s.cmds[0].kind == CTL_TOGGLE && s.cmds[1].kind == CTL_SKIP);
    CHECK(s.cmds[2].kind == CTL_SKIP && s.cmds[3].kind == CTL_SKIP);
    CHECK(s.cmds[4].kind == CTL_CLEAR && s.cmds[5].delta == 10 && s.cmds[6].delta == -10);
    CHECK_EQ(s.cmds[7].kind, CTL_QUIT);
    s.n = 0;
    control_keys(ctl, "mbox\x7f" "b", 6);
    CHECK_STREQ(s.prompt, "mute nick: bob");
    CHECK_EQ(s.n, 0); /* keys go to the prompt, not to commands */
    control_keys(ctl, "\r", 1);
    CHECK(s.n == 1 && s.cmds[0].kind == CTL_MUTE && strcmp(s.cmds[0].nick, "bob") == 0);
    CHECK_STREQ(s.prompt, "");
    control_keys(ctl, "ueve\x1b", 5); /* Esc cancels */
    CHECK_EQ(s.n, 1);
    control_stop(ctl);
}

static void test_view(void)
{
    view_state_t st;
    memset(&st, 0, sizeof st);
    snprintf(st.title, sizeof st.title, "#purg");
    st.speaking = 1;
    st.now.kind = UTT_SAY;
    snprintf(st.now.nick, sizeof st.now.nick, "alice");
    snprintf(st.now.voice, sizeof st.now.voice, "en-us+m3");
    snprintf(st.now.text, sizeof st.now.text, "hello \x1b[2J there");
    for (int i = 0; i < VIEW_HISTORY; i++)
        st.history[i].kind = -1;
    st.nqueued = 3;
    st.nqueue_shown = 1;
    snprintf(st.queue[0].nick, sizeof st.queue[0].nick, "bob");
    snprintf(st.queue[0].text, sizeof st.queue[0].text, "next line");
    st.paused = 1;
    st.volume = 80;
    st.keys = control_key_help;
    char buf[16384];
    view_render(&st, 80, 24, 0, buf, sizeof buf);
    CHECK(strstr(buf, "NOW <alice> [en-us+m3] hello ^[[2J there") != NULL); /* escapes defused */
    CHECK(strstr(buf, "PAUSED") && strstr(buf, "volume 80%") && strstr(buf, "<bob> next line"));
    CHECK(strstr(buf, "and 2 more") && strstr(buf, "keys: "));
    CHECK(strstr(buf, "\x1b[1;3") == NULL); /* no colour asked */
    CHECK(strstr(buf, "\x1b[2J") == NULL); /* the view's own escapes only */
    snprintf(st.queue[0].nick, sizeof st.queue[0].nick, "b\xc2\x9b" "1m\xe2\x80\xae\x07");
    view_render(&st, 80, 24, 0, buf, sizeof buf);
    CHECK(strstr(buf, "<b<U+009B>1m<U+202E>^G> next line") != NULL); /* C1, bidi, BEL made visible */
    CHECK(strchr(buf, 0x07) == NULL && strstr(buf, "\xc2\x9b") == NULL);
    snprintf(st.queue[0].nick, sizeof st.queue[0].nick, "bob");
    view_render(&st, 80, 24, 1, buf, sizeof buf);
    char want[16];
    snprintf(want, sizeof want, "\x1b[1;%dm<alice>", view_nick_color("alice"));
    CHECK(strstr(buf, want) != NULL);
    /* a narrow terminal cuts lines, a tiny buffer stays terminated */
    view_render(&st, 20, 24, 0, buf, sizeof buf);
    CHECK(strstr(buf, "there") == NULL);
    view_render(&st, 80, 24, 0, buf, 50);
    CHECK_LT(strlen(buf), 50);
}

static const check_case_t cases[] = {
    CHECK_CASE(says),
    CHECK_CASE(names_ignore),
    CHECK_CASE(control),
    CHECK_CASE(view),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
