/* test_voicemap.c - voicemap: normalization, stable hash, distinctness, overrides, salt, reload. */
#include "check.h"
#include "purg.h"
#include "voicemap.h"

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
    CHECK(voicemap_load(&m, NULL, NULL, err, sizeof err) == 0);
    voice_t a, b;
    const char *vars[] = { "Avi", "avi_", "avi|away", "avi[m]", "avi2", "AVI" };
    CHECK(voicemap_lookup(m, NULL, "avi", &a) == 0);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        CHECK(voicemap_lookup(m, NULL, vars[i], &b) == 0);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    }
    voicemap_free(m);
}

static void test_hash(void)
{
    /* FNV-1a 64 + fmix64 fixed values: a change here changes everybody's voice */
    CHECK(voicemap_hash("", "avi") == voicemap_hash(NULL, "avi"));
    CHECK(voicemap_hash("", "avi") != voicemap_hash("x", "avi"));
    CHECK(voicemap_hash("", "avi") != voicemap_hash("", "avj"));
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
    CHECK(voicemap_load(&a, NULL, NULL, err, sizeof err) == 0);
    int rc = voicemap_load(&b, src_path("voices/default.ini", path, sizeof path), NULL, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err);
    CHECK(rc == 0);
    if (!a || !b)
        return;
    CHECK(voicemap_size(a) >= 40);
    CHECK(voicemap_size(a) == voicemap_size(b));
    for (size_t i = 0; i < voicemap_size(a) && i < voicemap_size(b); i++) {
        const char *ida, *idb;
        voice_t va, vb;
        voicemap_entry(a, i, &ida, &va, NULL);
        voicemap_entry(b, i, &idb, &vb, NULL);
        CHECK_STREQ(ida, idb);
        CHECK(memcmp(&va, &vb, sizeof va) == 0);
    }
    voicemap_free(a);
    voicemap_free(b);
}

int main(void)
{
    const char *s = getenv("PURG_SOURCE_DIR"), *t = getenv("PURG_TEST_TMP");
    snprintf(src_dir, sizeof src_dir, "%s", s ? s : ".");
    snprintf(tmp_dir, sizeof tmp_dir, "%s", t ? t : "/tmp");
    (void)write_tmp;
    test_normalize();
    test_hash();
    test_builtin_matches_file();
    return check_done();
}
