/* test_config.c - the configuration file (config.c): precedence over the
 * command line, repeatable options, booleans, and errors with file and line
 * (through the inifile layer: control bytes, long lines, syntax). */
#include "check.h"
#include "config.h"
#include "purg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option opts[] = {
    { "server", required_argument, NULL, 's' },
    { "channel", required_argument, NULL, 'c' },
    { "nick", required_argument, NULL, 'n' },
    { "plain", no_argument, NULL, 256 },
    { "says", required_argument, NULL, 257 },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

static int merge(const char *path, int argc, char **argv, config_args_t *a, char *err)
{
    char *full[16];
    int n = 0;
    full[n++] = "listen";
    full[n++] = "--config";
    full[n++] = (char *)path;
    for (int i = 0; i < argc; i++)
        full[n++] = argv[i];
    full[n] = NULL;
    return config_merge("listen", opts, n, full, a, err, 512);
}

/* The file's path in the test's temp dir. */
static void ini_path(char *path, size_t n)
{
    snprintf(path, n, "%s/test_config.ini", check_tmp_dir());
}

/* The file's options come first, in order; the command line's replace them. */
static void test_precedence(void)
{
    char path[512], err[512];
    ini_path(path, sizeof path);
    check_write_file(path, "; a comment\n[voices]\nwhatever = 1\n[listen]\nserver = irc.example.org\n"
                           "channel = #one\nchannel = #two\nnick = filenick\nplain = yes\n");
    config_args_t a;
    /* nothing on the command line: everything from the file, in order */
    CHECK_EQ(merge(path, 0, NULL, &a, err), 0);
    CHECK(a.argc == 6 && a.nfile == 5);
    CHECK_STREQ(a.argv[1], "--server=irc.example.org");
    CHECK_STREQ(a.argv[2], "--channel=#one");
    CHECK_STREQ(a.argv[3], "--channel=#two");
    CHECK_STREQ(a.argv[5], "--plain");
    CHECK(a.lines[1] == 5 && a.lines[3] == 7);
    config_args_free(&a);
    /* the command line's -c replaces both channels; --nick wins; server stays */
    char *cli[] = { "-c", "#cli", "--nick=clinick" };
    CHECK_EQ(merge(path, 3, cli, &a, err), 0);
    int chans = 0, nicks = 0;
    for (int i = 1; i < a.argc; i++) {
        chans += strstr(a.argv[i], "#one") || strstr(a.argv[i], "#two");
        nicks += strstr(a.argv[i], "filenick") != NULL;
    }
    CHECK(chans == 0 && nicks == 0);
    CHECK_STREQ(a.argv[1], "--server=irc.example.org");
    CHECK_STREQ(a.argv[a.argc - 1], "--nick=clinick");
    CHECK(a.argv[a.argc] == NULL);
    config_args_free(&a);
    remove(path);
}

/* Errors name the file and the line; file content in them is made visible. */
static void test_errors(void)
{
    char path[512], err[512];
    config_args_t a;
    ini_path(path, sizeof path);
    check_write_file(path, "[listen]\nserver = x\n\ncolour = red\n");
    CHECK_EQ(merge(path, 0, NULL, &a, err), PURG_ENOTFOUND);
    CHECK(strstr(err, "test_config.ini:4: unknown key 'colour' (see purgatory listen --help)") != NULL);
    check_write_file(path, "[listen]\nplain = maybe\n");
    CHECK(merge(path, 0, NULL, &a, err) != 0 && strstr(err, ".ini:2: 'plain' is true or false"));
    check_write_file(path, "server = x\n");
    CHECK(merge(path, 0, NULL, &a, err) != 0 && strstr(err, ".ini:1: 'server' is outside"));
    check_write_file(path, "[listen]\nserver\n");
    CHECK(merge(path, 0, NULL, &a, err) != 0 && strstr(err, ".ini:2: syntax error"));
    check_write_file(path, "[listen]\nconfig = other.ini\n");
    CHECK(merge(path, 0, NULL, &a, err) != 0 && strstr(err, "cannot be set"));
    check_write_file(path, "[listen]\nchannel =\n");
    CHECK(merge(path, 0, NULL, &a, err) != 0 && strstr(err, ".ini:2: 'channel' needs a value"));
    char longline[600];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "[listen]\nserver = ", 18);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = '\0';
    check_write_file(path, longline);
    CHECK(merge(path, 0, NULL, &a, err) == PURG_ETOOBIG && strstr(err, ".ini:2: line too long"));
    /* a control character is an error; quoted file content is made visible */
    static const struct { const char *text; size_t len; const char *want; } ctl[] = {
        { "[listen]\nnick = spe\0aker\n", 25, "c.ini:2: control character ^@ (NUL) in the file" },
        { "[listen]\nserver = x\x1b]0;t\x07\n", 0, "c.ini:2: control character ^[ (ESC) in the file" },
        { "[listen]\n\xc2\x9b\n", 0, "c.ini:2: control character <U+009B> in the file" },
        { "[listen]\ncol\xe2\x80\xaeour = red\n", 0, "c.ini:2: unknown key 'col<U+202E>our'" },
        { "[listen]\n\xff = 1\n", 0, "c.ini:2: unknown key '\\xFF'" },
    };
    for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) {
        char *out[8];
        int lines[8], nout = 0;
        size_t len = ctl[i].len ? ctl[i].len : strlen(ctl[i].text);
        err[0] = '\0';
        CHECK_NE(config_parse_string("c.ini", ctl[i].text, len, "listen", opts, out, lines, 8, &nout,
                                  err, sizeof err), 0);
        if (!strstr(err, ctl[i].want))
            fprintf(stderr, "error '%s' lacks '%s'\n", err, ctl[i].want);
        CHECK(strstr(err, ctl[i].want) != NULL);
        for (const char *c = err; *c; c++)
            CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
    }
    check_write_file(path, "[listen]\r\nserver =\tirc.example.org\r\n");  /* CRLF and TAB are fine */
    CHECK_EQ(merge(path, 0, NULL, &a, err), 0);
    config_args_free(&a);
    remove(path);
}

/* A value starting with "~/" (or "~" alone) is under $HOME, as the shell
 * would have it on the command line; "~user" and a "~" later on are kept. */
static void test_home(void)
{
    char *out[8];
    int lines[8], nout = 0;
    char err[512];
    const char *old = getenv("HOME");
    char *saved = old ? strdup(old) : NULL;
    setenv("HOME", "/home/tester", 1);
    const char *text = "[listen]\nserver = ~/srv\nchannel = ~\nnick = ~bob\nsays = a~/b\n";
    CHECK_EQ(config_parse_string("c.ini", text, strlen(text), "listen", opts, out, lines, 8, &nout,
                                 err, sizeof err), 0);
    CHECK_EQ(nout, 4);
    if (nout == 4) {
        CHECK_STREQ(out[0], "--server=/home/tester/srv");
        CHECK_STREQ(out[1], "--channel=/home/tester");
        CHECK_STREQ(out[2], "--nick=~bob");
        CHECK_STREQ(out[3], "--says=a~/b");
    }
    for (int i = 0; i < nout; i++)
        free(out[i]);
    unsetenv("HOME");
    text = "[listen]\nserver = ~/srv\n";
    CHECK_NE(config_parse_string("c.ini", text, strlen(text), "listen", opts, out, lines, 8, &nout,
                                 err, sizeof err), 0);
    CHECK(strstr(err, "c.ini:2:") && strstr(err, "HOME is not set"));
    if (saved)
        setenv("HOME", saved, 1);
    free(saved);
}

/* A missing explicit file is an error; --no-config reads nothing. */
static void test_which_file(void)
{
    char err[512];
    config_args_t a;
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no-such-dir/none.ini", check_tmp_dir());
    CHECK(merge(missing, 0, NULL, &a, err) == PURG_ENOTFOUND && strstr(err, "none.ini"));
    char *none[] = { "listen", "--no-config", "-s", "host", NULL };
    CHECK_EQ(config_merge("listen", opts, 4, none, &a, err, sizeof err), 0);
    CHECK(a.argc == 3 && a.nfile == 0);
    CHECK_STREQ(a.argv[1], "-s");
    config_args_free(&a);
}

static const check_case_t cases[] = {
    CHECK_CASE(precedence),
    CHECK_CASE(errors),
    CHECK_CASE(which_file),
    CHECK_CASE(home),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
