/* cli_bundle.c - the bundled personas of `purgatory demo`: those of the data
 * directory (datadir.h) when their models or corpora are there, else copies
 * prepared in the user's cache by the data directory's demo/prepare.sh from
 * the installed Debian fortune packages (nothing is downloaded). Main thread. */
#include "cli.h"
#include "datadir.h"
#include "persona.h"
#include "purg.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static int exists(const char *path)
{
    struct stat st;
    return path[0] && stat(path, &st) == 0;
}

static int is_ini(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 4 && strcmp(e->d_name + len - 4, ".ini") == 0;
}

/* 1 when every persona of dir has its model or its corpus (or cannot be
 * read: the demo then says why), 0 when one would have nothing to train from. */
static int bundle_ready(const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, is_ini, alphasort), ready = n > 0;
    for (int i = 0; i < n; i++) {
        char path[PERSONA_PATH_MAX], err[512];
        persona_def_t *d = NULL;
        if (ready && util_snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) == 0 &&
            persona_def_load(&d, path, err, sizeof err) == 0)
            ready = exists(d->model) || exists(d->corpus);
        persona_def_free(d);
        free(names[i]);
    }
    free(names);
    return ready;
}

/* $XDG_CACHE_HOME/purgatory/demo, or ~/.cache/purgatory/demo. */
static int cache_dir(char *out, size_t outlen)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        return util_snprintf(out, outlen, "%s/purgatory/demo", xdg);
    if (home && home[0] == '/')
        return util_snprintf(out, outlen, "%s/.cache/purgatory/demo", home);
    return PURG_ENOTFOUND;
}

/* Runs `bash SCRIPT --bin EXE --out DIR --available`; 0 when it succeeded. */
static int run_prepare(const char *script, const char *exe, const char *out)
{
    char *argv[] = { "bash", (char *)script, "--bin", (char *)exe, "--out", (char *)out,
                     "--available", NULL };
    pid_t pid;
    int rc = posix_spawnp(&pid, "bash", NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "purgatory demo: cannot run bash %s: %s\n", script, strerror(rc));
        return PURG_EIO;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return PURG_EIO;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : PURG_EIO;
}

int cli_bundle_personas(char *dir, size_t dirlen)
{
    char data[PERSONA_PATH_MAX], why[PERSONA_PATH_MAX + 256] = "";
    if (datadir_find(data, sizeof data, why, sizeof why) != 0) {
        fprintf(stderr, "purgatory demo: %s; or give personas with --persona FILE\n",
                why[0] ? why : "the data directory's path is too long");
        return PURG_ENOTFOUND;
    }
    if (util_snprintf(dir, dirlen, "%s/demo/personas", data) != 0)
        return PURG_ETOOBIG;
    if (bundle_ready(dir))
        return 0;
    char cache[PERSONA_PATH_MAX], script[PERSONA_PATH_MAX + 32], exe[PERSONA_PATH_MAX];
    if (cache_dir(cache, sizeof cache) != 0) {
        fprintf(stderr, "purgatory demo: the bundled personas in %s have no models, and "
                "neither XDG_CACHE_HOME nor HOME says where to prepare them\n", dir);
        return PURG_ENOTFOUND;
    }
    if (util_snprintf(script, sizeof script, "%s/demo/prepare.sh", data) != 0 ||
        datadir_self_exe(exe, sizeof exe) != 0)
        return PURG_ETOOBIG;
    char mine[PERSONA_PATH_MAX + 16];
    if (util_snprintf(mine, sizeof mine, "%s/personas", cache) != 0)
        return PURG_ETOOBIG;
    /* prepare.sh runs every time (it keeps what is there, quietly, and
     * refreshes the persona files); only a first preparation is announced */
    if (!bundle_ready(mine))
        fprintf(stderr, "purgatory demo: the bundled personas have no models in %s; preparing "
                "them in %s from the Debian fortune packages\n", data, cache);
    if (run_prepare(script, exe, cache) != 0) {
        fprintf(stderr, "purgatory demo: %s failed (see above)\n", script);
        return PURG_EIO;
    }
    if (util_strlcpy(dir, mine, dirlen) != 0)
        return PURG_ETOOBIG;
    if (!bundle_ready(dir)) {
        fprintf(stderr, "purgatory demo: no bundled persona could be prepared: install "
                "fortunes-bofh-excuses, fortunes, bible-kjv or jargon-text, or give personas "
                "with --persona FILE\n");
        return PURG_ENOTFOUND;
    }
    return 0;
}
