/* datadir.c - finds purgatory's data directory at run time (see datadir.h);
 * any thread. */
#include "datadir.h"

#include "purg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PURG_BIN_TO_DATA
#define PURG_BIN_TO_DATA "../share/purgatory"
#endif

/* The file a build tree keeps next to the binary: the source tree's path. */
#define DATADIR_SOURCE_FILE "purgatory-source-dir"

int datadir_self_exe(char *out, size_t outlen)
{
    if (outlen < 2)
        return PURG_ETOOBIG;
    ssize_t n = readlink("/proc/self/exe", out, outlen);
    if (n <= 0)
        return PURG_ENOTFOUND;
    if ((size_t)n >= outlen)
        return PURG_ETOOBIG;
    out[n] = '\0';
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The first line of DIR/purgatory-source-dir into out, if it names a directory. */
static int source_dir(const char *bindir, char *out, size_t outlen)
{
    char path[4096];
    if (util_snprintf(path, sizeof path, "%s/%s", bindir, DATADIR_SOURCE_FILE) != 0)
        return PURG_ETOOBIG;
    FILE *f = fopen(path, "r");
    if (!f)
        return PURG_ENOTFOUND;
    char line[4096];
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok)
        return PURG_ENOTFOUND;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] != '/' || !is_dir(line))
        return PURG_ENOTFOUND;
    return util_strlcpy(out, line, outlen) == 0 ? 0 : PURG_ETOOBIG;
}

int datadir_find(char *out, size_t outlen, char *why, size_t whylen)
{
    const char *env = getenv("PURG_DATA_DIR");
    if (env && env[0])
        return util_strlcpy(out, env, outlen) == 0 ? 0 : PURG_ETOOBIG;
    char exe[4096];
    int rc = datadir_self_exe(exe, sizeof exe);
    if (rc != 0) {
        if (why)
            util_snprintf(why, whylen, "cannot tell where the binary is (/proc/self/exe); "
                          "set PURG_DATA_DIR");
        return rc;
    }
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char dir[4096], *real;
    if (util_snprintf(dir, sizeof dir, "%s/%s", exe, PURG_BIN_TO_DATA) == 0 && is_dir(dir)) {
        /* bin/../share/purgatory reads better as share/purgatory */
        if ((real = realpath(dir, NULL)) != NULL) {
            rc = util_strlcpy(out, real, outlen) == 0 ? 0 : PURG_ETOOBIG;
            free(real);
            return rc;
        }
        return util_strlcpy(out, dir, outlen) == 0 ? 0 : PURG_ETOOBIG;
    }
    if ((rc = source_dir(exe, out, outlen)) != PURG_ENOTFOUND)
        return rc;
    if (why)
        util_snprintf(why, whylen, "no data directory: %s does not exist and %s is no build "
                      "tree; set PURG_DATA_DIR", dir, exe);
    return PURG_ENOTFOUND;
}
