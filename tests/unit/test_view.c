/* test_view.c - view.c: the presenter's terminal view, rendered into a
 * buffer (escapes defused, colours, narrow terminals, small buffers). */
#include "check.h"
#include "control.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    CHECK_CASE(view),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
