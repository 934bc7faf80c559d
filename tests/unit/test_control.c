/* test_control.c - control.c: the control command parser and the key
 * decoder (its thread started without a FIFO). */
#include "check.h"
#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const check_case_t cases[] = {
    CHECK_CASE(control),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
