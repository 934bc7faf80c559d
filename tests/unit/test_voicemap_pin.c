/* test_voicemap_pin.c - run-time pins (voicemap_pin): pool ids, specs, bad
 * specs, precedence over [overrides], survival across voicemap_reload. */
#include "check.h"
#include "purg.h"
#include "voicemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_pins(void)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/test_voicemap_pin.ini", check_tmp_dir());
    check_write_file(path, "[voices]\nA = en-us+m3 40 50 170 -50\nB = en-gb-scotland+f2 64 50 150 50\n"
                           "C = en+m1 30 40 160 0\n[overrides]\nalice = A\n");
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, path, NULL, err, sizeof err), 0);
    if (!m)
        return;
    voice_t v;

    /* a pool id */
    CHECK_EQ(voicemap_pin(m, "bofh", "B", err, sizeof err), 0);
    CHECK_EQ(voicemap_lookup(m, "#c", "bofh", &v), 0);
    CHECK_STREQ(v.name, "en-gb-scotland+f2");
    CHECK_EQ(v.pitch, 64);
    /* normalized: a nick variant gets the same pin */
    CHECK_EQ(voicemap_lookup(m, "#c", "BOFH_", &v), 0);
    CHECK_STREQ(v.name, "en-gb-scotland+f2");

    /* a spec outside the pool */
    CHECK_EQ(voicemap_pin(m, "prophet", "en-us+m7 20 30 140 -80", err, sizeof err), 0);
    CHECK_EQ(voicemap_lookup(m, "#c", "prophet", &v), 0);
    CHECK_STREQ(v.name, "en-us+m7");
    CHECK(v.pitch == 20 && v.range == 30 && v.rate == 140 && v.pan == -80);

    /* the run-time pin wins over [overrides]; pinning again replaces */
    CHECK_EQ(voicemap_lookup(m, "#c", "alice", &v), 0);
    CHECK_STREQ(v.name, "en-us+m3");
    CHECK_EQ(voicemap_pin(m, "alice", "C", err, sizeof err), 0);
    CHECK_EQ(voicemap_lookup(m, "#c", "alice", &v), 0);
    CHECK_STREQ(v.name, "en+m1");
    CHECK_EQ(voicemap_pin(m, "alice", "B", err, sizeof err), 0);
    CHECK_EQ(voicemap_lookup(m, "#c", "alice", &v), 0);
    CHECK_STREQ(v.name, "en-gb-scotland+f2");

    /* bad specs: a sentence, nothing changes */
    err[0] = '\0';
    CHECK_EQ(voicemap_pin(m, "carol", "en-us 500", err, sizeof err), PURG_EINVAL);
    CHECK(strstr(err, "carol") != NULL && strstr(err, "pitch") != NULL);
    CHECK_EQ(voicemap_pin(m, "carol", "", err, sizeof err), PURG_EINVAL);
    CHECK_EQ(voicemap_pin(m, "", "A", err, sizeof err), PURG_EINVAL);
    CHECK_EQ(voicemap_pin(m, "carol", "no-such-voice-xyz", err, sizeof err), PURG_ENOTFOUND);

    /* reload: pins survive; an id pin follows the new definition */
    check_write_file(path, "[voices]\nA = en-us+m3 40 50 170 -50\nB = en-gb-scotland+f2 70 50 150 50\n");
    CHECK_EQ(voicemap_reload(m, err, sizeof err), 0);
    CHECK_EQ(voicemap_lookup(m, "#c", "bofh", &v), 0);
    CHECK_STREQ(v.name, "en-gb-scotland+f2");
    CHECK_EQ(v.pitch, 70);
    CHECK_EQ(voicemap_lookup(m, "#c", "prophet", &v), 0);
    CHECK_STREQ(v.name, "en-us+m7");

    /* a pinned pool voice is taken: another nick in the roster gets another one */
    voicemap_join(m, "#r", "bofh");
    voicemap_join(m, "#r", "zed");
    voicemap_join(m, "#r", "quux");
    voice_t a, b, c;
    CHECK_EQ(voicemap_lookup(m, "#r", "bofh", &a), 0);
    CHECK_EQ(voicemap_lookup(m, "#r", "zed", &b), 0);
    CHECK_EQ(voicemap_lookup(m, "#r", "quux", &c), 0);
    CHECK_STREQ(a.name, "en-gb-scotland+f2");
    voicemap_free(m);
    remove(path);
}

static const check_case_t cases[] = {
    CHECK_CASE(pins),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
