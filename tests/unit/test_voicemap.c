/* test_voicemap.c - voicemap: normalization, stable hash, distinctness, overrides, salt,
 * reload; rosters against the plain rule (random, and a 50,000-nick NAMES). */
#include "check.h"
#include "purg.h"
#include "voicemap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char src_dir[1024], tmp_dir[1024];

static const char *src_path(const char *rel, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", src_dir, rel);
    return buf;
}

static const char *write_tmp(const char *name, const char *text, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", tmp_dir, name);
    FILE *f = fopen(buf, "w");
    if (!f)
        return buf;
    fputs(text, f);
    fclose(f);
    return buf;
}

static void norm_is(const char *nick, const char *want)
{
    char out[VOICEMAP_NICK_MAX];
    voicemap_normalize(nick, out, sizeof out);
    CHECK_STREQ(out, want);
}

static void test_normalize(void)
{
    norm_is("avi", "avi");
    norm_is("Avi", "avi");
    norm_is("AVI", "avi");
    norm_is("avi_", "avi");
    norm_is("avi__", "avi");
    norm_is("avi|away", "avi");
    norm_is("avi\\away", "avi"); /* '\' is the upper case of '|' */
    norm_is("avi[m]", "avi");
    norm_is("Avi{m}", "avi");
    norm_is("avi2", "avi");
    norm_is("avi^", "avi");
    norm_is("avi`", "avi");
    norm_is("avi-", "avi");
    norm_is("avi_2[m]", "avi");
    norm_is("Avi[m]_", "avi");
    norm_is("avi~", "avi");
    norm_is("r2d2", "r2d");
    norm_is("_", "_");
    norm_is("42", "42");
    norm_is("[m]", "{m}");
    norm_is("|avi", "|avi");
    norm_is("[Avi]", "{avi}");
    norm_is("", "");
    /* variants end up with the same voice */
    voicemap_t *m = NULL;
    char err[256];
    CHECK_EQ(voicemap_load(&m, NULL, NULL, err, sizeof err), 0);
    voice_t a, b;
    const char *vars[] = { "Avi", "avi_", "avi|away", "avi[m]", "avi2", "AVI" };
    CHECK_EQ(voicemap_lookup(m, NULL, "avi", &a), 0);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        CHECK_EQ(voicemap_lookup(m, NULL, vars[i], &b), 0);
        CHECK_MEMEQ(&a, &b, sizeof a);
    }
    voicemap_free(m);
}

static void test_hash(void)
{
    /* FNV-1a 64 + fmix64 fixed values: a change here changes everybody's voice */
    CHECK_EQ(voicemap_hash("", "avi"), voicemap_hash(NULL, "avi"));
    CHECK_NE(voicemap_hash("", "avi"), voicemap_hash("x", "avi"));
    CHECK_NE(voicemap_hash("", "avi"), voicemap_hash("", "avj"));
    char buf[32];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)voicemap_hash("", ""));
    /* fmix64(FNV-1a over the single 0x00 separator byte) */
    CHECK_STREQ(buf, "b9034ad37056f5fb");
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)voicemap_hash("", "avi"));
    CHECK_STREQ(buf, "8f36a9d7064af9c1");
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)voicemap_hash("purg", "avi"));
    CHECK_STREQ(buf, "001dd2172a225728"); /* values from an independent Python model */
}

/* The same pool from the built-in copy and from voices/default.ini. */
static void test_builtin_matches_file(void)
{
    char path[1200], err[256];
    voicemap_t *a = NULL, *b = NULL;
    CHECK_EQ(voicemap_load(&a, NULL, NULL, err, sizeof err), 0);
    int rc = voicemap_load(&b, src_path("voices/default.ini", path, sizeof path), NULL, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err);
    CHECK_EQ(rc, 0);
    if (!a || !b)
        return;
    CHECK_GE(voicemap_size(a), 40);
    CHECK_EQ(voicemap_size(a), voicemap_size(b));
    for (size_t i = 0; i < voicemap_size(a) && i < voicemap_size(b); i++) {
        const char *ida, *idb;
        voice_t va, vb;
        voicemap_entry(a, i, &ida, &va, NULL);
        voicemap_entry(b, i, &idb, &vb, NULL);
        CHECK_STREQ(ida, idb);
        CHECK_MEMEQ(&va, &vb, sizeof va);
    }
    voicemap_free(a);
    voicemap_free(b);
}


/* 50 nicks checked in: normalized form, hash and first choice, computed by an
 * independent model of the documented hash. */
static void test_golden(void)
{
    char path[1200], err[256], line[512];
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, src_path("voices/default.ini", path, sizeof path), NULL, err, sizeof err), 0);
    FILE *f = fopen(src_path("tests/data/voicemap_golden.txt", path, sizeof path), "r");
    CHECK(f != NULL);
    if (!f || !m) {
        voicemap_free(m);
        return;
    }
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char nick[128], norm[128], hash[32], id[128], got[32];
        if (line[0] == '#' || sscanf(line, "%127s %127s %31s %127s", nick, norm, hash, id) != 4)
            continue;
        voicemap_info_t in;
        CHECK_EQ(voicemap_explain(m, NULL, nick, &in), 0);
        snprintf(got, sizeof got, "%016llx", (unsigned long long)in.hash);
        CHECK_STREQ(in.norm, norm);
        CHECK_STREQ(got, hash);
        CHECK_STREQ(in.id, id);
        n++;
    }
    fclose(f);
    CHECK_EQ(n, 50);
    voicemap_free(m);
}

static void make_nicks(char nicks[][16], size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(nicks[i], 16, "user%c%c", (char)('a' + i % 26), (char)('a' + i / 26));
}

/* 40 nicks in two orders: the same voices; nobody shares while the pool is larger. */
static void test_distinct(void)
{
    enum { N = 40 };
    char nicks[N][16], err[256];
    make_nicks(nicks, N);
    voicemap_t *a = NULL, *b = NULL;
    CHECK_EQ(voicemap_load(&a, NULL, NULL, err, sizeof err), 0);
    CHECK_EQ(voicemap_load(&b, NULL, NULL, err, sizeof err), 0);
    if (!a || !b)
        return;
    CHECK_GT(voicemap_size(a), N);
    for (size_t i = 0; i < N; i++)
        voicemap_join(a, "#room", nicks[i]);
    /* b: another order (a fixed shuffle, 17 is prime to 40), half via NAMES with prefixes */
    const char *names[N / 2];
    char pref[N / 2][20];
    for (size_t i = 0; i < N / 2; i++) {
        snprintf(pref[i], sizeof pref[i], "%s%s", i % 3 == 0 ? "@" : i % 3 == 1 ? "+" : "",
                 nicks[(i * 17 + 5) % N]);
        names[i] = pref[i];
    }
    voicemap_names(b, "#Room", names, N / 2);
    for (size_t i = N / 2; i < N; i++)
        voicemap_join(b, "#ROOM", nicks[(i * 17 + 5) % N]);
    CHECK_EQ(voicemap_roster_size(a, "#room"), N);
    CHECK_EQ(voicemap_roster_size(b, "#room"), N);
    int used[4096] = { 0 }, displaced = 0;
    for (size_t i = 0; i < N; i++) {
        voicemap_info_t x, y;
        CHECK_EQ(voicemap_explain(a, "#room", nicks[i], &x), 0);
        CHECK_EQ(voicemap_explain(b, "#room", nicks[i], &y), 0);
        CHECK_EQ(x.index, y.index);
        CHECK_MEMEQ(&x.v, &y.v, sizeof x.v);
        CHECK(x.index >= 0 && x.index < 4096);
        if (x.index >= 0 && x.index < 4096)
            used[x.index]++;
        CHECK(!(x.flags & VOICEMAP_SHARED));
        if (x.flags & VOICEMAP_DISPLACED) {
            displaced++;
            CHECK_NE(x.index, x.first);
            /* displaced only because someone present holds the first choice */
            int held = 0;
            for (size_t j = 0; j < N; j++) {
                voicemap_info_t z;
                voicemap_explain(a, "#room", nicks[j], &z);
                held |= j != i && z.index == x.first;
            }
            CHECK(held);
        } else {
            CHECK_EQ(x.index, x.first);
        }
    }
    for (size_t i = 0; i < 4096; i++)
        CHECK_LE(used[i], 1);
    /* 40 into 78 by hash: some first choices collide (birthday), all resolved */
    fprintf(stderr, "distinct: %d of %d displaced\n", displaced, N);
    /* leaving and coming back gives the same voice again */
    voicemap_info_t before, after;
    voicemap_explain(a, "#room", nicks[7], &before);
    voicemap_part(a, "#room", nicks[7]);
    CHECK_EQ(voicemap_roster_size(a, "#room"), N - 1);
    voicemap_join(a, "#room", nicks[7]);
    voicemap_explain(a, "#room", nicks[7], &after);
    CHECK_EQ(before.index, after.index);
    /* a lookup of a stranger does not change the roster */
    voice_t v;
    CHECK_EQ(voicemap_lookup(a, "#room", "stranger", &v), 0);
    CHECK_EQ(voicemap_roster_size(a, "#room"), N);
    voicemap_kick(a, "#room", nicks[0]);
    voicemap_quit(a, nicks[1]);
    CHECK_EQ(voicemap_roster_size(a, "#room"), N - 2);
    voicemap_channel_clear(a, "#room");
    CHECK_EQ(voicemap_roster_size(a, "#room"), 0);
    voicemap_free(a);
    voicemap_free(b);
}

/* A room bigger than the pool: the first come by the rule get distinct voices, the rest share. */
static void test_small_pool(void)
{
    char path[1200], err[256];
    const char *ini = "[voices]\na = en+m1 40\nb = en-us+f2 60\nc = en-gb-scotland+m3 50 50 150\n";
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, write_tmp("vm_small.ini", ini, path, sizeof path), NULL, err, sizeof err), 0);
    if (!m)
        return;
    const char *nicks[] = { "one", "two", "three", "four", "five" };
    for (size_t i = 0; i < 5; i++)
        voicemap_join(m, "#c", nicks[i]);
    int used[3] = { 0 }, shared = 0;
    for (size_t i = 0; i < 5; i++) {
        voicemap_info_t in;
        voicemap_explain(m, "#c", nicks[i], &in);
        if (in.flags & VOICEMAP_SHARED) {
            shared++;
            CHECK_EQ(in.index, in.first);
        } else {
            used[in.index]++;
        }
    }
    CHECK_EQ(shared, 2);
    CHECK(used[0] == 1 && used[1] == 1 && used[2] == 1);
    /* auto pans spread over -80..80 */
    voice_t v0, v1, v2;
    voicemap_entry(m, 0, NULL, &v0, NULL);
    voicemap_entry(m, 1, NULL, &v1, NULL);
    voicemap_entry(m, 2, NULL, &v2, NULL);
    CHECK_EQ(v0.pan, -80);
    CHECK(v1.pan != v0.pan && v2.pan != v1.pan && v2.pan != v0.pan);
    voicemap_free(m);
}

static void test_rename(void)
{
    char err[256];
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, NULL, NULL, err, sizeof err), 0);
    if (!m)
        return;
    voicemap_join(m, "#a", "avi");
    voicemap_join(m, "#b", "avi");
    voicemap_join(m, "#a", "someone");
    voice_t before, after, b2, fresh;
    voicemap_lookup(m, "#a", "avi", &before);
    voicemap_rename(m, "avi", "Zebra");
    CHECK_EQ(voicemap_lookup(m, "#a", "zebra", &after), 0);
    CHECK_MEMEQ(&before, &after, sizeof before);
    voicemap_lookup(m, "#b", "ZEBRA", &b2);
    CHECK_MEMEQ(&before, &b2, sizeof before);
    voicemap_lookup(m, NULL, "zebra", &b2); /* outside a channel too */
    CHECK_MEMEQ(&before, &b2, sizeof before);
    /* a new zebra who was never avi gets zebra's own voice */
    voicemap_quit(m, "zebra");
    CHECK(voicemap_roster_size(m, "#a") == 1 && voicemap_roster_size(m, "#b") == 0);
    voicemap_lookup(m, NULL, "zebra", &fresh);
    voicemap_info_t z, a;
    voicemap_explain(m, NULL, "zebra", &z);
    voicemap_explain(m, NULL, "avi", &a);
    CHECK(z.index != a.index || z.hash != a.hash);
    voicemap_free(m);
}

static void test_overrides_and_salt(void)
{
    char path[1200], err[256];
    voicemap_t *plain = NULL, *m = NULL;
    CHECK_EQ(voicemap_load(&plain, NULL, NULL, err, sizeof err), 0);
    voicemap_info_t avi, bob;
    voicemap_explain(plain, NULL, "avi", &avi);
    /* pin bob to avi's first choice: avi is displaced when both are present */
    char text[8192];
    snprintf(text, sizeof text,
             "[voices]\nx1 = en+m1 40\nx2 = en-us+f2 60\nx3 = en-029+m3\nx4 = en-gb-x-rp+f4 55 50 190 33\n"
             "[overrides]\nBob|away = x4\nCarol = en-gb-scotland+f1 70 60 160 -90\n");
    CHECK_EQ(voicemap_load(&m, write_tmp("vm_pins.ini", text, path, sizeof path), NULL, err, sizeof err), 0);
    if (!m || !plain)
        return;
    voicemap_explain(m, "#c", "bob", &bob);
    CHECK(bob.flags & VOICEMAP_PINNED);
    CHECK_STREQ(bob.id, "x4");
    CHECK(bob.v.pan == 33 && bob.v.rate == 190);
    voicemap_info_t carol;
    voicemap_explain(m, NULL, "carol_", &carol);
    CHECK(carol.flags & VOICEMAP_PINNED);
    CHECK_EQ(carol.index, -1);
    CHECK_STREQ(carol.v.name, "en-gb-scotland+f1");
    CHECK(carol.v.pitch == 70 && carol.v.pan == -90);
    /* a nick whose first choice is x4 is displaced by bob's pin */
    const char *who = NULL;
    char buf[32];
    for (int i = 0; i < 200 && !who; i++) {
        voicemap_info_t in;
        snprintf(buf, sizeof buf, "n%c%c", 'a' + i % 26, 'a' + i / 26);
        voicemap_explain(m, NULL, buf, &in);
        if (in.first == 3)
            who = buf;
    }
    CHECK(who != NULL);
    if (who) {
        voicemap_info_t in;
        voicemap_join(m, "#c", who);
        voicemap_explain(m, "#c", who, &in);
        CHECK(!(in.flags & VOICEMAP_DISPLACED) && in.index == 3);
        voicemap_join(m, "#c", "bob");
        voicemap_explain(m, "#c", who, &in);
        CHECK((in.flags & VOICEMAP_DISPLACED) && in.index != 3);
    }
    voicemap_free(m);

    /* salt: same salt, same mapping; another salt reshuffles; --salt beats the file's */
    voicemap_t *s1 = NULL, *s2 = NULL, *s3 = NULL;
    CHECK_EQ(voicemap_load(&s1, NULL, "talk-2024", err, sizeof err), 0);
    CHECK_EQ(voicemap_load(&s2, NULL, "talk-2024", err, sizeof err), 0);
    CHECK_EQ(voicemap_load(&s3, write_tmp("vm_salt.ini", "[pool]\nsalt = talk-2024\n[voices]\na = en\nb = en-us\nc = en-029\n",
                                       path, sizeof path), "other", err, sizeof err), 0);
    if (s3)
        CHECK_STREQ(voicemap_salt(s3), "other");
    int differ = 0;
    for (int i = 0; i < 50 && s1 && s2; i++) {
        voicemap_info_t x, y, z;
        snprintf(buf, sizeof buf, "nick%d_", i);
        voicemap_explain(s1, NULL, buf, &x);
        voicemap_explain(s2, NULL, buf, &y);
        voicemap_explain(plain, NULL, buf, &z);
        CHECK(x.index == y.index && x.hash == y.hash);
        differ += x.index != z.index;
    }
    CHECK_GT(differ, 35); /* 50 nicks into 78 voices: a reshuffle moves nearly all */
    voicemap_free(s1);
    voicemap_free(s2);
    voicemap_free(s3);
    voicemap_free(plain);
}

static void test_pan(void)
{
    char err[256];
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, NULL, NULL, err, sizeof err), 0);
    if (!m)
        return;
    int lo = 0, hi = 0, left = 0, right = 0;
    for (size_t i = 0; i < voicemap_size(m); i++) {
        voice_t v;
        voicemap_entry(m, i, NULL, &v, NULL);
        CHECK(v.pan >= -80 && v.pan <= 80);
        lo = v.pan < lo ? v.pan : lo;
        hi = v.pan > hi ? v.pan : hi;
    }
    CHECK(lo <= -75 && hi >= 75);
    /* ten people in a room: spread over both sides, no two at the same place */
    char nicks[10][16];
    make_nicks(nicks, 10);
    int pans[10];
    for (int i = 0; i < 10; i++)
        voicemap_join(m, "#talk", nicks[i]);
    for (int i = 0; i < 10; i++) {
        voice_t v;
        voicemap_lookup(m, "#talk", nicks[i], &v);
        pans[i] = v.pan;
        left += v.pan < -20;
        right += v.pan > 20;
    }
    CHECK(left >= 2 && right >= 2);
    int same = 0;
    for (int i = 0; i < 10; i++)
        for (int j = i + 1; j < 10; j++)
            same += pans[i] == pans[j];
    CHECK_LE(same, 1); /* distinct voices; the golden-ratio spread rarely repeats a place */
    voicemap_free(m);
}

/* Bad files: a clear error with file, line and problem. */
static void bad_file(const char *name, const char *text, int want_rc, const char *want_in)
{
    char path[1200], err[512];
    voicemap_t *m = NULL;
    int rc = voicemap_load(&m, write_tmp(name, text, path, sizeof path), NULL, err, sizeof err);
    CHECK_EQ(rc, want_rc);
    CHECK(m == NULL);
    CHECK(strstr(err, path) == err);
    if (!strstr(err, want_in)) {
        fprintf(stderr, "error '%s' lacks '%s'\n", err, want_in);
        CHECK(0);
    }
    voicemap_free(m);
}

/* Expect text[0..len) (len 0: strlen) to fail with want_in in a printable message. */
static void bad_text(const char *text, size_t len, const char *want_in)
{
    char err[512] = "";
    int rc = voicemap_parse_string("v.ini", text, len ? len : strlen(text), 0, err, sizeof err);
    CHECK_EQ(rc, PURG_EFORMAT);
    if (!strstr(err, want_in)) {
        fprintf(stderr, "error '%s' lacks '%s'\n", err, want_in);
        CHECK(0);
    }
    for (const char *c = err; *c; c++)
        CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
}

static void test_bad_files(void)
{
    char err[512];
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, "/nonexistent/voices.ini", NULL, err, sizeof err), PURG_ENOTFOUND);
    CHECK(strstr(err, "/nonexistent/voices.ini") != NULL);
    CHECK(m == NULL);
    bad_file("vm_bad1.ini", "[voices]\na = en\nb = xx-nope+m1\n", PURG_EFORMAT, ":3: voice 'b': espeak-ng has no voice 'xx-nope'");
    bad_file("vm_bad2.ini", "[voices]\na = en+m1\n\nb = en+zz9\n", PURG_EFORMAT, ":4: voice 'b': espeak-ng has no variant '+zz9'");
    bad_file("vm_bad3.ini", "[voices]\na = en 50 50 900\n", PURG_EFORMAT, ":2: voice 'a': bad rate '900'");
    bad_file("vm_bad4.ini", "[voices]\na = en fifty\n", PURG_EFORMAT, ":2: voice 'a': bad pitch 'fifty'");
    bad_file("vm_bad5.ini", "; c\n[voices]\na = en\na = en-us\n", PURG_EFORMAT, ":4: duplicate voice 'a'");
    bad_file("vm_bad6.ini", "[voices]\na = en\n[overrides]\navi = a\nAvi_ = a\n", PURG_EFORMAT,
             ":5: duplicate override for 'Avi_'");
    bad_file("vm_bad7.ini", "[voices]\na = en\n[colours]\nx = 1\n", PURG_EFORMAT, ":4: unknown section [colours]");
    bad_file("vm_bad8.ini", "[voices]\na = en\nthis line has no equals sign\n", PURG_EFORMAT, ":3: syntax error");
    bad_file("vm_bad9.ini", "[pool]\nsalt = x\n", PURG_EFORMAT, "no voices");
    bad_file("vm_bad10.ini", "[voices]\na = en\n[overrides]\nbob = nosuchid\n", PURG_EFORMAT,
             ":4: override for 'bob': espeak-ng has no voice 'nosuchid'");
    bad_file("vm_bad11.ini", "[voices]\na = en 50 50 175 0 9\n", PURG_EFORMAT, ":2: voice 'a': too many fields");
    bad_file("vm_bad12.ini", "[pool]\npan_width = -3\n[voices]\na = en\n", PURG_EFORMAT, ":2: bad pan_width");
    bad_file("vm_bad13.ini", "[voices]\na = en us\n", PURG_EFORMAT, ":2: voice 'a': bad pitch 'us'");
    bad_file("vm_bad14.ini", "[voices]\na = en+m1+m2\n", PURG_EFORMAT, ":2: voice 'a': bad voice name");
    /* control characters are errors; file content is quoted visibly */
    static const char nul[] = "[voices]\na = en\n\0b = en\n";
    bad_text(nul, sizeof nul - 1, "v.ini:3: control character ^@ (NUL) in the file");
    bad_text("[voices]\na = en\x1b[2J\n", 0, "v.ini:2: control character ^[ (ESC) in the file");
    bad_text("[voices]\na = en\n; \x07\n", 0, "v.ini:3: control character ^G (BEL)");
    bad_text("[voices]\na = en\xc2\x85\n", 0, "v.ini:2: control character <U+0085>");
    bad_text("[voices]\na\xe2\x80\xae = en 1x\n", 0, "v.ini:2: voice 'a<U+202E>': bad pitch '1x'");
    bad_text("[voices]\na = en \xff\n", 0, "v.ini:2: voice 'a': bad pitch '\\xFF'");
    bad_text("[voices]\na = en\n[\xe2\x81\xa7x]\nk = v\n", 0, "v.ini:4: unknown section [<U+2067>x]");
    static const char crlf[] = "[voices]\r\na = en\t50\r\n"; /* CRLF and TAB are fine */
    CHECK_EQ(voicemap_parse_string("v.ini", crlf, sizeof crlf - 1, 0, err, sizeof err), 0);
}

static void test_reload(void)
{
    char path[1200], err[512];
    voicemap_t *m = NULL;
    write_tmp("vm_reload.ini", "[voices]\na = en+m1 40\nb = en-us+f2 60\nc = en-029+m3\n", path, sizeof path);
    CHECK_EQ(voicemap_load(&m, path, NULL, err, sizeof err), 0);
    if (!m)
        return;
    CHECK_EQ(voicemap_file_changed(m), 0);
    voicemap_join(m, "#c", "avi");
    voicemap_join(m, "#c", "bob");
    voicemap_info_t a1, a2, a3;
    voicemap_explain(m, "#c", "avi", &a1);
    /* same file again: same mapping */
    CHECK_EQ(voicemap_reload(m, err, sizeof err), 0);
    voicemap_explain(m, "#c", "avi", &a2);
    CHECK(a1.index == a2.index && memcmp(&a1.v, &a2.v, sizeof a1.v) == 0);
    /* pin avi mid-talk */
    write_tmp("vm_reload.ini", "[voices]\na = en+m1 40\nb = en-us+f2 60\nc = en-029+m3\n"
              "[overrides]\navi = en-gb-scotland+f5 66\n", path, sizeof path);
    CHECK_EQ(voicemap_file_changed(m), 1);
    CHECK_EQ(voicemap_reload(m, err, sizeof err), 0);
    CHECK_EQ(voicemap_file_changed(m), 0);
    CHECK_EQ(voicemap_roster_size(m, "#c"), 2);
    voicemap_explain(m, "#c", "avi", &a3);
    CHECK(a3.flags & VOICEMAP_PINNED);
    CHECK_STREQ(a3.v.name, "en-gb-scotland+f5");
    /* a broken file: error with the line, the old mapping stays */
    write_tmp("vm_reload.ini", "[voices]\na = en+m1 40\nb = en-us+f2 six\n", path, sizeof path);
    CHECK_EQ(voicemap_reload(m, err, sizeof err), PURG_EFORMAT);
    CHECK(strstr(err, "vm_reload.ini:3: voice 'b': bad pitch 'six'") != NULL);
    voicemap_explain(m, "#c", "avi", &a2);
    CHECK_MEMEQ(&a3.v, &a2.v, sizeof a3.v);
    CHECK_EQ(voicemap_roster_size(m, "#c"), 2);
    voicemap_free(m);
}

static void test_distance(void)
{
    voice_t a = { "en+m1", 50, 50, 175, 0 }, b = a;
    CHECK_EQ(voicemap_distance(&a, &b), 0);
    snprintf(b.name, sizeof b.name, "en-us+m1");
    CHECK_EQ(voicemap_distance(&a, &b), 2);
    snprintf(b.name, sizeof b.name, "en+f1");
    CHECK_EQ(voicemap_distance(&a, &b), 3);
    snprintf(b.name, sizeof b.name, "en+m2");
    b.pitch = 65;
    CHECK_EQ(voicemap_distance(&a, &b), 3);
    b = a;
    b.pan = 100; /* pan is not counted */
    CHECK_LT(voicemap_distance(&a, &b), VOICEMAP_ALIKE);
    /* the default pool has no two voices too alike */
    char err[256];
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, NULL, NULL, err, sizeof err), 0);
    for (size_t i = 0; m && i < voicemap_size(m); i++)
        for (size_t j = i + 1; j < voicemap_size(m); j++) {
            voice_t x, y;
            voicemap_entry(m, i, NULL, &x, NULL);
            voicemap_entry(m, j, NULL, &y, NULL);
            CHECK_GE(voicemap_distance(&x, &y), VOICEMAP_ALIKE);
        }
    voicemap_free(m);
}

/* ---- the plain rule, kept as a reference ---------------------------------
 * A straightforward model of rosters and of the documented rule (the
 * O(n^2) code voicemap.c had before rosters became tables): the channels in
 * the order they were first joined, each an array of (nick, identity); the
 * rounds walk everybody in hash order. The tests below drive voicemap and
 * this model with the same random joins, NAMES, parts, quits, renames,
 * clears, pins and reloads, and compare every voice. */

typedef struct ref_member {
    char nick[VOICEMAP_NICK_MAX];
    char key[VOICEMAP_NICK_MAX];
    uint64_t h;
    int first, index;
    unsigned flags;
} ref_member_t;

typedef struct ref_chan {
    char name[VOICEMAP_CHAN_MAX];
    ref_member_t *m;
    size_t n, cap;
} ref_chan_t;

typedef struct ref_pin {
    char key[VOICEMAP_NICK_MAX];
    char id[VOICE_NAME_MAX]; /* a pool id, or "" */
    voice_t v;               /* the voice when not a pool id */
} ref_pin_t;

typedef struct ref {
    ref_chan_t ch[8];
    size_t nch;
    ref_pin_t pins[16];
    size_t npins;
} ref_t;

static ref_chan_t *ref_find_chan(ref_t *r, const char *channel)
{
    char name[VOICEMAP_CHAN_MAX];
    voicemap_fold(channel, name, sizeof name);
    for (size_t i = 0; i < r->nch; i++)
        if (strcmp(r->ch[i].name, name) == 0)
            return &r->ch[i];
    return NULL;
}

static ref_member_t *ref_find(ref_chan_t *c, const char *folded)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->m[i].nick, folded) == 0)
            return &c->m[i];
    return NULL;
}

static void ref_identity(ref_t *r, const char *folded, const char *nick, char *key)
{
    for (size_t i = 0; i < r->nch; i++) {
        ref_member_t *x = ref_find(&r->ch[i], folded);
        if (x) {
            snprintf(key, VOICEMAP_NICK_MAX, "%s", x->key);
            return;
        }
    }
    voicemap_normalize(nick, key, VOICEMAP_NICK_MAX);
}

static void ref_append(ref_chan_t *c, const char *folded, const char *key)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->m = realloc(c->m, c->cap * sizeof *c->m);
    }
    ref_member_t *x = &c->m[c->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->nick, sizeof x->nick, "%s", folded);
    snprintf(x->key, sizeof x->key, "%s", key);
}

static void ref_add(ref_chan_t *c, const char *folded, const char *key)
{
    if (!ref_find(c, folded))
        ref_append(c, folded, key);
}

static void ref_remove(ref_chan_t *c, const char *folded)
{
    ref_member_t *x = ref_find(c, folded);
    if (x)
        *x = c->m[--c->n];
}

static void ref_join(ref_t *r, const char *channel, const char *nick)
{
    char folded[VOICEMAP_NICK_MAX], key[VOICEMAP_NICK_MAX];
    if (!*nick)
        return;
    ref_chan_t *c = ref_find_chan(r, channel);
    if (!c) {
        c = &r->ch[r->nch++];
        memset(c, 0, sizeof *c);
        voicemap_fold(channel, c->name, sizeof c->name);
    }
    voicemap_fold(nick, folded, sizeof folded);
    if (ref_find(c, folded))
        return;
    ref_identity(r, folded, nick, key);
    ref_add(c, folded, key);
}

static void ref_rename(ref_t *r, const char *oldnick, const char *newnick)
{
    char from[VOICEMAP_NICK_MAX], to[VOICEMAP_NICK_MAX];
    voicemap_fold(oldnick, from, sizeof from);
    voicemap_fold(newnick, to, sizeof to);
    if (!*newnick || strcmp(from, to) == 0)
        return;
    for (size_t i = 0; i < r->nch; i++) {
        ref_chan_t *c = &r->ch[i];
        if (!ref_find(c, from))
            continue;
        ref_remove(c, to);
        snprintf(ref_find(c, from)->nick, VOICEMAP_NICK_MAX, "%s", to);
    }
}

/* k-th choice, written out as the README says. */
static int ref_probe(uint64_t h, size_t k, size_t n)
{
    if (n == 1)
        return 0;
    size_t step = 1 + (size_t)((h >> 32) % (n - 1)), a, b;
    for (;; step++) {
        for (a = step, b = n; b;) {
            size_t t = a % b;
            a = b;
            b = t;
        }
        if (a == 1)
            break;
    }
    return (int)(((size_t)(h % n) + k * step) % n);
}

static const ref_pin_t *ref_pin_of(const ref_t *r, const char *key)
{
    for (size_t i = 0; i < r->npins; i++)
        if (strcmp(r->pins[i].key, key) == 0)
            return &r->pins[i];
    return NULL;
}

/* Pool index of a pin, -1 outside the pool. */
static int ref_pin_index(voicemap_t *m, const ref_pin_t *p)
{
    for (size_t j = 0; p->id[0] && j < voicemap_size(m); j++) {
        const char *id;
        voicemap_entry(m, j, &id, NULL, NULL);
        if (strcmp(id, p->id) == 0)
            return (int)j;
    }
    return -1;
}

static int ref_cmp(const void *a, const void *b)
{
    const ref_member_t *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    int r = strcmp(x->key, y->key);
    return r ? r : strcmp(x->nick, y->nick);
}

/* The rule over c, straight from the README. */
static void ref_assign(voicemap_t *m, ref_t *r, ref_chan_t *c)
{
    size_t n = voicemap_size(m), left = 0, free_n = 0;
    unsigned char *taken = calloc(n, 1);
    for (size_t i = 0; i < c->n; i++)
        c->m[i].h = voicemap_hash(voicemap_salt(m), c->m[i].key);
    qsort(c->m, c->n, sizeof *c->m, ref_cmp);
    for (size_t i = 0; i < c->n; i++) {
        ref_member_t *x = &c->m[i];
        x->first = ref_probe(x->h, 0, n);
        x->index = -2;
        x->flags = 0;
        if (i > 0 && strcmp(c->m[i - 1].key, x->key) == 0)
            continue; /* the same person: copied below */
        const ref_pin_t *pin = ref_pin_of(r, x->key);
        if (pin) {
            x->index = ref_pin_index(m, pin);
            x->flags = VOICEMAP_PINNED;
            if (x->index >= 0)
                taken[x->index] = 1;
        } else {
            left++;
        }
    }
    for (size_t j = 0; j < n; j++)
        free_n += !taken[j];
    for (size_t k = 0; k < n && left > 0 && free_n > 0; k++)
        for (size_t i = 0; i < c->n && free_n > 0; i++) {
            ref_member_t *x = &c->m[i];
            if (x->index != -2 || (i > 0 && strcmp(c->m[i - 1].key, x->key) == 0))
                continue;
            int v = ref_probe(x->h, k, n);
            if (taken[v])
                continue;
            taken[v] = 1;
            free_n--;
            left--;
            x->index = v;
            x->flags = k > 0 ? VOICEMAP_DISPLACED : 0;
        }
    for (size_t i = 0; i < c->n; i++) {
        ref_member_t *x = &c->m[i];
        if (i > 0 && strcmp(c->m[i - 1].key, x->key) == 0) {
            x->index = c->m[i - 1].index;
            x->flags = c->m[i - 1].flags;
        } else if (x->index == -2) {
            x->index = x->first;
            x->flags = VOICEMAP_SHARED;
        }
    }
    free(taken);
}

static void ref_free(ref_t *r)
{
    for (size_t i = 0; i < r->nch; i++)
        free(r->ch[i].m);
    memset(r, 0, sizeof *r);
}

static int same_as_ref(voicemap_t *m, ref_t *r, const char *channel, const ref_member_t *x,
                       const char *nick)
{
    voicemap_info_t in;
    voice_t want;
    if (voicemap_explain(m, channel, nick, &in) != 0)
        return 0;
    if (strcmp(in.norm, x->key) != 0 || in.hash != x->h || in.first != x->first ||
        in.index != x->index || in.flags != x->flags) {
        if (getenv("VM_DEBUG"))
            fprintf(stderr, "%s %s: got %s first %d index %d flags %u, rule: %s first %d index %d flags %u\n",
                    channel, nick, in.norm, in.first, in.index, in.flags, x->key, x->first, x->index, x->flags);
        return 0;
    }
    const ref_pin_t *pin = ref_pin_of(r, x->key);
    if (x->index >= 0)
        voicemap_entry(m, (size_t)x->index, NULL, &want, NULL);
    else
        want = pin->v;
    if (memcmp(&in.v, &want, sizeof want) != 0) {
        if (getenv("VM_DEBUG"))
            fprintf(stderr, "%s %s: voice %s %d %d %d %d, rule %s %d %d %d %d\n", channel, nick,
                    in.v.name, in.v.pitch, in.v.range, in.v.rate, in.v.pan, want.name, want.pitch,
                    want.range, want.rate, want.pan);
        return 0;
    }
    return 1;
}

/* Every member of every channel, one stranger per channel, and NULL. */
static int compare_all(voicemap_t *m, ref_t *r, unsigned *seed)
{
    int bad = 0;
    for (size_t i = 0; i < r->nch; i++) {
        ref_chan_t *c = &r->ch[i];
        ref_assign(m, r, c);
        if (voicemap_roster_size(m, c->name) != c->n) {
            fprintf(stderr, "roster %s: %zu, rule %zu\n", c->name, voicemap_roster_size(m, c->name), c->n);
            bad++;
        }
        for (size_t j = 0; j < c->n; j++)
            bad += !same_as_ref(m, r, c->name, &c->m[j], c->m[j].nick);
        /* a stranger is placed as if it had joined */
        char nick[32], folded[VOICEMAP_NICK_MAX], key[VOICEMAP_NICK_MAX];
        snprintf(nick, sizeof nick, "zz%u", (unsigned)(rand_r(seed) % 50));
        voicemap_fold(nick, folded, sizeof folded);
        if (ref_find(c, folded))
            continue;
        ref_identity(r, folded, nick, key);
        ref_add(c, folded, key);
        ref_assign(m, r, c);
        bad += !same_as_ref(m, r, c->name, ref_find(c, folded), nick);
        ref_remove(c, folded);
        if (voicemap_roster_size(m, c->name) != c->n)
            bad++;
    }
    return bad;
}

/* A nick from a small crowd, with variants that share an identity. */
static void random_nick(unsigned *seed, int people, char *out, size_t n)
{
    static const char *const tails[] = { "", "", "", "_", "2", "|away", "[m]", "^", "__" };
    int who = (int)(rand_r(seed) % (unsigned)people);
    const char *tail = tails[rand_r(seed) % (sizeof tails / sizeof tails[0])];
    snprintf(out, n, "%s%c%d%s", rand_r(seed) % 5 == 0 ? "P" : "p", 'a' + who % 26, who / 26, tail);
}

static const char *write_pool(unsigned voices, const char *salt, char *path, size_t n)
{
    static const char *const names[] = { "en+m1", "en-us+f2", "en-gb-scotland+m3", "en-029+f4" };
    char text[8192];
    size_t len = (size_t)snprintf(text, sizeof text, "[pool]\nsalt = %s\n[voices]\n", salt);
    for (unsigned i = 0; i < voices && len < sizeof text; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "v%u = %s %u\n", i, names[i % 4],
                                (i * 37) % 101);
    return write_tmp("vm_random.ini", text, path, n);
}

static int random_op(voicemap_t *m, ref_t *r, unsigned *seed, int people)
{
    static const char *const chans[] = { "#a", "#B", "#c" };
    const char *ch = chans[rand_r(seed) % 3];
    char nick[40], other[40];
    random_nick(seed, people, nick, sizeof nick);
    unsigned op = rand_r(seed) % 100;
    if (op < 45) {
        voicemap_join(m, ch, nick);
        ref_join(r, ch, nick);
    } else if (op < 50) {
        const char *list[8];
        char buf[8][48];
        size_t k = 1 + rand_r(seed) % 8;
        for (size_t i = 0; i < k; i++) {
            random_nick(seed, people, other, sizeof other);
            snprintf(buf[i], sizeof buf[i], "%s%s", i % 3 ? "" : "@", other);
            list[i] = buf[i];
            ref_join(r, ch, other);
        }
        voicemap_names(m, ch, list, k);
    } else if (op < 75) {
        voicemap_part(m, ch, nick);
        ref_chan_t *c = ref_find_chan(r, ch);
        voicemap_fold(nick, other, sizeof other);
        if (c)
            ref_remove(c, other);
    } else if (op < 82) {
        voicemap_quit(m, nick);
        voicemap_fold(nick, other, sizeof other);
        for (size_t i = 0; i < r->nch; i++)
            ref_remove(&r->ch[i], other);
    } else if (op < 96) {
        random_nick(seed, people, other, sizeof other);
        voicemap_rename(m, nick, other);
        ref_rename(r, nick, other);
    } else if (op < 97) {
        voicemap_channel_clear(m, ch);
        ref_chan_t *c = ref_find_chan(r, ch);
        if (c)
            c->n = 0;
    } else if (r->npins < 16) {
        /* a run-time pin: a pool id (v0, v1 exist from then on: reloads keep 2
         * voices or more) or a voice of its own */
        char spec[64], err[256];
        ref_pin_t pin;
        memset(&pin, 0, sizeof pin);
        voicemap_normalize(nick, pin.key, sizeof pin.key);
        if (voicemap_size(m) >= 2 && rand_r(seed) % 2) {
            snprintf(pin.id, sizeof pin.id, "v%u", rand_r(seed) % 2);
            snprintf(spec, sizeof spec, "%s", pin.id);
        } else {
            snprintf(spec, sizeof spec, "en-us+m7 %u 50 175 0", rand_r(seed) % 100);
            snprintf(pin.v.name, sizeof pin.v.name, "en-us+m7");
            sscanf(spec, "%*s %d", &pin.v.pitch);
            pin.v.range = 50;
            pin.v.rate = 175;
        }
        if (voicemap_pin(m, nick, spec, err, sizeof err) != 0) {
            fprintf(stderr, "pin %s %s: %s\n", nick, spec, err);
            return 1;
        }
        size_t i = 0;
        while (i < r->npins && strcmp(r->pins[i].key, pin.key) != 0)
            i++;
        r->pins[i] = pin;
        r->npins += i == r->npins;
    }
    return 0;
}

/* Random rosters against the plain rule: pools of 1..90 voices, crowds of
 * 3..300 people, checks after runs of 1..24 changes (so that several
 * changes pile up between lookups), now and then a reload with a new salt
 * and pool size. */
static void test_random_vs_rule(void)
{
    char path[1200], err[256];
    int bad = 0, scenarios = 0, checks = 0;
    for (unsigned s = 1; s <= 120; s++) {
        unsigned seed = s * 2654435761u;
        static const unsigned pools[] = { 1, 2, 3, 4, 6, 12, 30, 78, 90 };
        unsigned voices = pools[rand_r(&seed) % 9];
        int people = 3 + (int)(rand_r(&seed) % 300);
        char salt[16];
        snprintf(salt, sizeof salt, "s%u", s);
        voicemap_t *m = NULL;
        if (voicemap_load_opts(&m, write_pool(voices, salt, path, sizeof path), NULL, 0, err,
                               sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            CHECK(0);
            return;
        }
        ref_t r;
        memset(&r, 0, sizeof r);
        for (int step = 0; step < 40; step++) {
            int ops = 1 + (int)(rand_r(&seed) % 24);
            for (int i = 0; i < ops; i++)
                bad += random_op(m, &r, &seed, people);
            if (rand_r(&seed) % 25 == 0) {
                voices = 2 + rand_r(&seed) % 80;
                snprintf(salt, sizeof salt, "t%u", rand_r(&seed) % 1000);
                write_pool(voices, salt, path, sizeof path);
                if (voicemap_reload(m, err, sizeof err) != 0) {
                    fprintf(stderr, "reload: %s\n", err);
                    bad++;
                }
            }
            bad += compare_all(m, &r, &seed);
            checks++;
        }
        ref_free(&r);
        voicemap_free(m);
        scenarios++;
    }
    fprintf(stderr, "random rosters: %d scenarios, %d checks against the rule, %d differences\n",
            scenarios, checks, bad);
    CHECK_EQ(bad, 0);
}

/* The same people arriving in different orders (joins, NAMES, stray parts
 * of others between) get the same voices. */
static void test_order_independence(void)
{
    enum { N = 400 };
    char err[256];
    static char nicks[N][24];
    for (int i = 0; i < N; i++)
        snprintf(nicks[i], sizeof nicks[i], "%s%d%s", i % 7 ? "nick" : "Nick", i / 2,
                 i % 2 ? "_" : "");
    voicemap_t *a = NULL, *b = NULL;
    CHECK_EQ(voicemap_load(&a, NULL, NULL, err, sizeof err), 0);
    if (!a)
        return;
    for (int i = 0; i < N; i++)
        voicemap_join(a, "#o", nicks[i]);
    int bad = 0;
    for (unsigned s = 1; s <= 20; s++) {
        unsigned seed = s;
        int order[N];
        for (int i = 0; i < N; i++)
            order[i] = i;
        for (int i = N - 1; i > 0; i--) {
            int j = (int)(rand_r(&seed) % (unsigned)(i + 1)), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        CHECK_EQ(voicemap_load(&b, NULL, NULL, err, sizeof err), 0);
        if (!b)
            break;
        for (int i = 0; i < N; i++) {
            voicemap_join(b, "#O", nicks[order[i]]);
            if (rand_r(&seed) % 4 == 0) { /* someone else passes through */
                voicemap_join(b, "#o", "passer");
                voice_t v;
                voicemap_lookup(b, "#o", nicks[order[i / 2]], &v);
                voicemap_part(b, "#o", "passer");
            }
        }
        for (int i = 0; i < N; i++) {
            voicemap_info_t x, y;
            voicemap_explain(a, "#o", nicks[i], &x);
            voicemap_explain(b, "#o", nicks[i], &y);
            bad += x.index != y.index || x.flags != y.flags;
        }
        voicemap_free(b);
        b = NULL;
    }
    CHECK_EQ(bad, 0);
    voicemap_free(a);
}

/* 50,000 nicks through NAMES, the way a big channel greets the listener:
 * every one answers with the voice the plain rule gives (not timed here;
 * tests/bench/bench_roster.c times it). */
static void test_big_roster(void)
{
    enum { N = 50000 };
    char err[256];
    voicemap_t *m = NULL;
    CHECK_EQ(voicemap_load(&m, NULL, NULL, err, sizeof err), 0);
    if (!m)
        return;
    char (*buf)[24] = calloc(N, sizeof *buf);
    const char **names = calloc(N, sizeof *names);
    ref_t r;
    memset(&r, 0, sizeof r);
    r.nch = 1;
    snprintf(r.ch[0].name, sizeof r.ch[0].name, "#big");
    for (int i = 0; i < N; i++) {
        /* distinct people: a trailing digit would be cut by normalization */
        snprintf(buf[i], sizeof buf[i], "%sguest%dx", i % 10 == 0 ? "@" : "", i);
        names[i] = buf[i];
        char key[VOICEMAP_NICK_MAX];
        voicemap_normalize(buf[i] + (i % 10 == 0), key, sizeof key);
        ref_append(&r.ch[0], key, key); /* all new, all lower case: no search needed */
    }
    voicemap_names(m, "#big", names, N);
    CHECK_EQ(voicemap_roster_size(m, "#big"), N);
    ref_chan_t *c = &r.ch[0];
    ref_assign(m, &r, c);
    int bad = 0, holders = 0;
    unsigned char held[4096] = { 0 };
    for (size_t j = 0; j < c->n; j++) {
        bad += !same_as_ref(m, &r, "#big", &c->m[j], c->m[j].nick);
        if (!(c->m[j].flags & VOICEMAP_SHARED)) {
            holders++;
            bad += held[c->m[j].index]++ != 0;
        }
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(holders, (int)voicemap_size(m)); /* every voice taken, each by one person */
    /* churn: holders leave, newcomers come, and everyone still matches */
    unsigned seed = 7;
    for (int i = 0; i < 2000; i++) {
        char nick[32];
        snprintf(nick, sizeof nick, "guest%ux", rand_r(&seed) % (N + 500));
        if (rand_r(&seed) % 2) {
            voicemap_part(m, "#big", nick);
            ref_remove(c, nick);
        } else {
            voicemap_join(m, "#big", nick);
            ref_join(&r, "#big", nick);
        }
        if (i % 400 == 399) {
            ref_assign(m, &r, c);
            for (size_t j = 0; j < c->n; j++)
                bad += !same_as_ref(m, &r, "#big", &c->m[j], c->m[j].nick);
        }
    }
    CHECK_EQ(bad, 0);
    ref_free(&r);
    free(buf);
    free(names);
    voicemap_free(m);
}

static const check_case_t cases[] = {
    CHECK_CASE(normalize),
    CHECK_CASE(hash),
    CHECK_CASE(builtin_matches_file),
    CHECK_CASE(golden),
    CHECK_CASE(distinct),
    CHECK_CASE(small_pool),
    CHECK_CASE(rename),
    CHECK_CASE(overrides_and_salt),
    CHECK_CASE(pan),
    CHECK_CASE(bad_files),
    CHECK_CASE(reload),
    CHECK_CASE(distance),
    CHECK_CASE(random_vs_rule),
    CHECK_CASE(order_independence),
    CHECK_CASE(big_roster),
};

int main(int argc, char **argv)
{
    const char *s = getenv("PURG_SOURCE_DIR"), *t = getenv("PURG_TEST_TMP");
    snprintf(src_dir, sizeof src_dir, "%s", s ? s : ".");
    snprintf(tmp_dir, sizeof tmp_dir, "%s", t ? t : "/tmp");
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
