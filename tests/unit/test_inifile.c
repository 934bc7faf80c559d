/* test_inifile.c - the one INI layer: its error helper (first problem by
 * line, FILE:LINE, messages made visible), and the checks every reader gets
 * (control bytes, NUL, long lines, syntax errors). */
#include "check.h"
#include "inifile.h"
#include "purg.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A handler that records the keys it sees as "section.name=value;" and
 * refuses the key "bad" (with its value in the message). */
typedef struct seen {
    char keys[1024];
    int calls;
} seen_t;

static int keep(inifile_t *ini, void *user, const char *section, const char *name,
                const char *value)
{
    seen_t *s = user;
    s->calls++;
    size_t used = strlen(s->keys);
    snprintf(s->keys + used, sizeof s->keys - used, "%s.%s=%s;", section, name, value);
    if (strcmp(name, "bad") == 0)
        return inifile_fail(ini, PURG_ENOTFOUND, "bad key with value '%s'", value);
    if (strcmp(name, "silent") == 0)
        return PURG_EINVAL; /* refuses without saying why */
    return 0;
}

/* Parses text (len 0: strlen) and returns the code; err gets FILE:LINE: message. */
static int parse(const char *text, size_t len, seen_t *s, char *err, size_t errlen)
{
    inifile_t ini;
    memset(s, 0, sizeof *s);
    int rc = inifile_parse(&ini, "t.ini", text, len ? len : strlen(text), keep, s);
    err[0] = '\0';
    if (rc != 0)
        CHECK_EQ(inifile_error(&ini, err, errlen), rc);
    return rc;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* No byte of s is a C0 control or DEL. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static void test_keys(void)
{
    seen_t s;
    char err[INIFILE_ERR_MAX + 64];
    CHECK_EQ(parse("; comment\n[a]\nx = 1\r\ny =\tz\n\n[b]\nx=2", 0, &s, err, sizeof err), 0);
    CHECK_STREQ(s.keys, "a.x=1;a.y=z;b.x=2;");
    CHECK_STREQ(err, "");
    /* an empty file is fine: what it must hold is the reader's business */
    CHECK_EQ(parse("", 0, &s, err, sizeof err), 0);
    CHECK_EQ(s.calls, 0);
}

/* The helper: FILE:LINE, the code, the text of the file made visible. */
static void test_fail_helper(void)
{
    seen_t s;
    char err[INIFILE_ERR_MAX + 64];
    CHECK_EQ(parse("[a]\nx = 1\nbad = e\xe2\x80\xaev\xff\n", 0, &s, err, sizeof err), PURG_ENOTFOUND);
    CHECK_STREQ(err, "t.ini:3: bad key with value 'e<U+202E>v\\xFF'");
    /* a handler that refuses without a word gets a generic one */
    CHECK_EQ(parse("[a]\nsilent = 1\n", 0, &s, err, sizeof err), PURG_EINVAL);
    CHECK_STREQ(err, "t.ini:2: bad line");
    /* the first problem stops the handler: later keys are not seen */
    CHECK_EQ(parse("[a]\nbad = 1\nbad = 2\nx = 3\n", 0, &s, err, sizeof err), PURG_ENOTFOUND);
    CHECK_EQ(s.calls, 1);
    CHECK_STREQ(err, "t.ini:2: bad key with value '1'");

    /* earliest line wins; line 0 (the whole file) only when there is no other */
    inifile_t ini;
    CHECK_EQ(inifile_parse(&ini, "f\x1b.ini", "[a]\nx = 1\n", 10, keep, &s), 0);
    CHECK_EQ(inifile_fail_at(&ini, 0, PURG_EFORMAT, "whole %s", "file"), PURG_EFORMAT);
    CHECK_EQ(ini.err_line, 0);
    CHECK_EQ(inifile_fail_at(&ini, 0, PURG_EIO, "whole again"), PURG_EIO);
    CHECK_STREQ(ini.err, "whole file");
    CHECK_EQ(inifile_fail_at(&ini, 7, PURG_EINVAL, "line %d", 7), PURG_EINVAL);
    CHECK_EQ(ini.err_line, 7); /* a line's problem replaces the whole file's */
    CHECK_STREQ(ini.err, "line 7");
    CHECK_EQ(inifile_parse(&ini, "f\x1b.ini", "[a]\nx = 1\n", 10, keep, &s), 0);
    CHECK_EQ(inifile_fail_at(&ini, 7, PURG_EINVAL, "line %d", 7), PURG_EINVAL);
    CHECK_EQ(inifile_fail_at(&ini, 9, PURG_EIO, "line %d", 9), PURG_EIO);
    CHECK_EQ(inifile_fail_at(&ini, 7, PURG_EIO, "again %d", 7), PURG_EIO);
    CHECK_EQ(inifile_fail_at(&ini, 0, PURG_EIO, "whole"), PURG_EIO);
    CHECK_EQ(ini.err_line, 7);
    CHECK_EQ(ini.rc, PURG_EINVAL);
    CHECK_STREQ(ini.err, "line 7");
    CHECK_EQ(inifile_fail_at(&ini, 3, PURG_ETOOBIG, "line %d: %s", 3, "\a\x7f"), PURG_ETOOBIG);
    CHECK_EQ(ini.err_line, 3);
    CHECK_EQ(ini.rc, PURG_ETOOBIG);
    CHECK_EQ(inifile_error(&ini, err, sizeof err), PURG_ETOOBIG);
    CHECK_STREQ(err, "f^[.ini:3: line 3: ^G^?"); /* the file name is made visible too */
    /* a code that is not an error is taken as PURG_EINVAL */
    CHECK_EQ(inifile_parse(&ini, "g.ini", "", 0, keep, &s), 0);
    CHECK_EQ(inifile_fail_at(&ini, 1, 0, "zero"), PURG_EINVAL);
    CHECK_EQ(ini.rc, PURG_EINVAL);
    /* a message longer than the buffer is cut, still printable */
    char big[INIFILE_ERR_MAX * 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_EQ(inifile_parse(&ini, "h.ini", "", 0, keep, &s), 0);
    inifile_fail_at(&ini, 2, PURG_EINVAL, "%s", big);
    CHECK_LT(strlen(ini.err), (size_t)INIFILE_ERR_MAX);
    CHECK(printable(ini.err));
}

/* What every reader gets: control bytes, NUL, long lines, syntax errors. */
static void test_line_checks(void)
{
    static const struct {
        const char *text;
        size_t len;
        int rc;
        const char *want;
    } rows[] = {
        { "[a]\nx = a\0b\n", 12, PURG_EINVAL, "t.ini:2: control character ^@ (NUL) in the file" },
        { "[a]\n\0\n", 6, PURG_EINVAL, "t.ini:2: control character ^@ (NUL) in the file" },
        { "[a]\nx = \x1b[2J\n", 0, PURG_EINVAL, "t.ini:2: control character ^[ (ESC) in the file" },
        { "[a]\n; \x07\n", 0, PURG_EINVAL, "t.ini:2: control character ^G (BEL) in the file" },
        { "[a]\nx = a\rb\n", 0, PURG_EINVAL, "t.ini:2: control character ^M (CR) in the file" },
        { "[a]\nx = a\x7f\n", 0, PURG_EINVAL, "t.ini:2: control character ^? (DEL) in the file" },
        { "[a]\nx = \xc2\x85\n", 0, PURG_EINVAL, "t.ini:2: control character <U+0085> in the file" },
        { "[a]\nx\n", 0, PURG_EINVAL,
          "t.ini:2: syntax error (expected '[section]', 'key = value' or a ; comment)" },
        { "[a\n", 0, PURG_EINVAL, "t.ini:1: syntax error" },
        /* the earliest line wins, whoever found it */
        { "[a]\nx\ny = \x01\n", 0, PURG_EINVAL, "t.ini:2: syntax error" },
        { "[a]\ny = \x01\nx\n", 0, PURG_EINVAL, "t.ini:2: control character ^A (SOH)" },
        { "[a]\nbad = 1\nx\n", 0, PURG_ENOTFOUND, "t.ini:2: bad key" },
        { "[a]\nx\nbad = 1\n", 0, PURG_EINVAL, "t.ini:2: syntax error" },
        /* CRLF, TAB and a last line without its end are fine */
        { "[a]\r\nx =\t1\r\ny = 2", 0, 0, "" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        seen_t s;
        char err[INIFILE_ERR_MAX + 64];
        int rc = parse(rows[i].text, rows[i].len, &s, err, sizeof err);
        if (rc != rows[i].rc || !starts(err, rows[i].want))
            fprintf(stderr, "row %zu: rc %d, '%s'\n", i, rc, err);
        CHECK_EQ(rc, rows[i].rc);
        CHECK(starts(err, rows[i].want));
        CHECK(printable(err));
        if (rc != 0)
            CHECK(strstr(s.keys, "\x01") == NULL); /* a refused line reaches no handler */
    }
    /* a line longer than inih's buffer is refused, not split into two */
    char text[600];
    memset(text, 'v', sizeof text);
    memcpy(text, "[a]\nx = ", 8);
    text[sizeof text - 2] = '\n';
    text[sizeof text - 1] = '\0';
    seen_t s;
    char err[INIFILE_ERR_MAX + 64];
    CHECK_EQ(parse(text, 0, &s, err, sizeof err), PURG_ETOOBIG);
    CHECK(starts(err, "t.ini:2: line too long (max "));
    CHECK_EQ(s.calls, 0);
    /* the same line with a control character: one problem per line, the first found */
    text[20] = '\x1b';
    CHECK_EQ(parse(text, 0, &s, err, sizeof err), PURG_EINVAL);
    CHECK(starts(err, "t.ini:2: control character ^[ (ESC)"));
    /* the text need not end in a NUL: exactly len bytes are read */
    const char exact[] = "[a]\nx = 1\nbad = 2";
    CHECK_EQ(parse(exact, 10, &s, err, sizeof err), 0);
    CHECK_STREQ(s.keys, "a.x=1;");
}

/* inifile_read: a regular file whole; missing, not regular, too big refused
 * with PATH in the message (a FIFO at once, without waiting for a writer). */
static void test_read(void)
{
    char dir[512], path[600], err[1024];
    snprintf(dir, sizeof dir, "%s/test_inifile.%ld", check_tmp_dir(), (long)getpid());
    CHECK_EQ(mkdir(dir, 0700), 0);
    char *text = NULL;
    size_t len = 99;
    struct stat st;

    static const char data[] = "[a]\r\nx = 1\0y\n"; /* bytes as they are, NUL included */
    snprintf(path, sizeof path, "%s/ok.ini", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, sizeof data - 1, f);
        fclose(f);
    }
    CHECK_EQ(inifile_read(path, "test file", 0, &text, &len, &st, err, sizeof err), 0);
    CHECK_EQ(len, sizeof data - 1);
    CHECK(text != NULL && memcmp(text, data, sizeof data - 1) == 0 && text[len] == '\0');
    CHECK_EQ(st.st_size, (long long)(sizeof data - 1));
    free(text);

    snprintf(path, sizeof path, "%s/empty.ini", dir);
    check_write_file(path, "");
    CHECK_EQ(inifile_read(path, "test file", 0, &text, &len, NULL, err, sizeof err), 0);
    CHECK(len == 0 && text && text[0] == '\0');
    free(text);

    snprintf(path, sizeof path, "%s/missing.ini", dir);
    CHECK_EQ(inifile_read(path, "test file", 0, &text, &len, NULL, err, sizeof err), PURG_ENOTFOUND);
    CHECK(text == NULL && strstr(err, "missing.ini: cannot open: ") != NULL);

    CHECK_EQ(inifile_read(dir, "test file", 0, &text, &len, NULL, err, sizeof err), PURG_EINVAL);
    CHECK(strstr(err, " is a directory, not a test file") != NULL);

    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK_EQ(mkfifo(path, 0600), 0);
    CHECK_EQ(inifile_read(path, "test file", 0, &text, &len, NULL, err, sizeof err), PURG_EINVAL);
    CHECK(strstr(err, "fifo is a FIFO, not a test file") != NULL);
    unlink(path);

    CHECK_EQ(inifile_read("/dev/null", "test file", 0, &text, &len, NULL, err, sizeof err), PURG_EINVAL);
    CHECK_STREQ(err, "/dev/null is a character device, not a test file");

    snprintf(path, sizeof path, "%s/big\x1b.ini", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && ftruncate(fd, INIFILE_MAX_BYTES + 1) == 0);
    if (fd >= 0)
        close(fd);
    CHECK_EQ(inifile_read(path, "test file", 0, &text, &len, NULL, err, sizeof err), PURG_ETOOBIG);
    CHECK(strstr(err, "big^[.ini: larger than 1 MiB; is it a test file?") != NULL);
    /* a caller may allow more (the pronunciation dictionary does) */
    CHECK_EQ(inifile_read(path, "test file", (size_t)2 << 20, &text, &len, NULL, err, sizeof err), 0);
    CHECK_EQ(len, (size_t)INIFILE_MAX_BYTES + 1);
    free(text);
    CHECK_EQ(inifile_read(path, "test file", (size_t)1 << 20, &text, &len, NULL, err, sizeof err),
             PURG_ETOOBIG);
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600); /* exactly the limit is fine */
    CHECK(fd >= 0 && ftruncate(fd, INIFILE_MAX_BYTES) == 0);
    if (fd >= 0)
        close(fd);
    CHECK_EQ(inifile_read(path, "test file", 0, &text, &len, NULL, err, sizeof err), 0);
    CHECK_EQ(len, (size_t)INIFILE_MAX_BYTES);
    free(text);
    unlink(path);

    snprintf(path, sizeof path, "%s/ok.ini", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/empty.ini", dir);
    unlink(path);
    CHECK_EQ(rmdir(dir), 0);
}

static const check_case_t cases[] = {
    CHECK_CASE(keys),
    CHECK_CASE(fail_helper),
    CHECK_CASE(line_checks),
    CHECK_CASE(read),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
