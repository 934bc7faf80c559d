/* test_netopts.c - the listener's connection options: which option codes
 * netopts_opt takes (the option-handler convention of purg.h), and where
 * netopts_finish finds the secrets (variable or first line of a file) and
 * what it refuses. Its messages go to stderr. */
#include "check.h"
#include "netopts.h"
#include "present.h"
#include "purg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[512];

/* A file in dir holding text; returns its path (static buffer per slot). */
static const char *file_with(int slot, const char *text)
{
    static char paths[4][600];
    snprintf(paths[slot], sizeof paths[slot], "%s/secret%d", dir, slot);
    check_write_file(paths[slot], text);
    return paths[slot];
}

static void test_opt_codes(void)
{
    netopts_t o;
    memset(&o, 0, sizeof o);
    for (int ch = NETOPT_BASE; ch < NETOPT_END; ch++)
        CHECK_EQ(netopts_opt(&o, ch, "x"), PURG_OPT_GO);
    CHECK_EQ(o.tls, 1);
    CHECK_EQ(o.tls_insecure, 1);
    CHECK_STREQ(o.tls_ca, "x");
    CHECK_STREQ(o.sasl_user, "x");
    /* --tls-ca alone turns TLS on */
    memset(&o, 0, sizeof o);
    CHECK_EQ(netopts_opt(&o, NETOPT_TLS_CA, "ca.pem"), PURG_OPT_GO);
    CHECK(o.tls == 1 && o.tls_insecure == 0);
    /* anything else is another handler's */
    static const int others[] = { 0, 's', 'h', NETOPT_BASE - 1, NETOPT_END, PRESENT_OPT_BASE, -1 };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        CHECK_EQ(netopts_opt(&o, others[i], "x"), PURG_OPT_NOT_MINE);
}

static void test_secrets(void)
{
    netopts_t o;
    irc_conf_t ic;
    /* nothing given: no password, no SASL, no NickServ */
    memset(&o, 0, sizeof o);
    memset(&ic, 0, sizeof ic);
    CHECK_EQ(netopts_finish(&o, &ic), 0);
    CHECK(ic.password == NULL && ic.sasl_user == NULL && ic.sasl_password == NULL &&
          ic.nickserv_password == NULL && ic.tls == 0);

    /* from a variable and from the first line of a file (CRLF cut) */
    setenv("PURG_TEST_PASS", "hunter2", 1);
    memset(&o, 0, sizeof o);
    memset(&ic, 0, sizeof ic);
    netopts_opt(&o, NETOPT_PASSWORD_ENV, "PURG_TEST_PASS");
    netopts_opt(&o, NETOPT_SASL_USER, "alice");
    netopts_opt(&o, NETOPT_SASL_FILE, file_with(0, "s3cret\r\nsecond line\n"));
    netopts_opt(&o, NETOPT_NICKSERV_FILE, file_with(1, "ns-pw"));
    netopts_opt(&o, NETOPT_TLS, NULL);
    CHECK_EQ(netopts_finish(&o, &ic), 0);
    CHECK(ic.password && strcmp(ic.password, "hunter2") == 0);
    CHECK(ic.sasl_user && strcmp(ic.sasl_user, "alice") == 0);
    CHECK(ic.sasl_password && strcmp(ic.sasl_password, "s3cret") == 0);
    CHECK(ic.nickserv_password && strcmp(ic.nickserv_password, "ns-pw") == 0);
    CHECK_EQ(ic.tls, 1);
    netopts_clear(&o);
    CHECK_STREQ(o.password, "");
    CHECK_STREQ(o.sasl_password, "");

    /* --password on the command line works (with a warning) */
    memset(&o, 0, sizeof o);
    memset(&ic, 0, sizeof ic);
    netopts_opt(&o, NETOPT_PASSWORD, "pw");
    CHECK_EQ(netopts_finish(&o, &ic), 0);
    CHECK(ic.password && strcmp(ic.password, "pw") == 0);

    /* refused, each with a message */
    static const struct { int ch1; const char *a1; int ch2; const char *a2; } bad[] = {
        { NETOPT_PASSWORD, "pw", NETOPT_PASSWORD_ENV, "PURG_TEST_PASS" }, /* two ways */
        { NETOPT_PASSWORD_ENV, "PURG_TEST_UNSET_VAR", 0, NULL },           /* unset */
        { NETOPT_PASSWORD_ENV, "PURG_TEST_EMPTY", 0, NULL },               /* empty */
        { NETOPT_SASL_ENV, "PURG_TEST_PASS", NETOPT_SASL_FILE, "x" },      /* env and file */
        { NETOPT_SASL_USER, "alice", 0, NULL },                             /* no password */
        { NETOPT_SASL_ENV, "PURG_TEST_PASS", 0, NULL },                     /* no user */
        { NETOPT_NICKSERV_FILE, "/nonexistent/secret", 0, NULL },           /* no file */
    };
    setenv("PURG_TEST_EMPTY", "", 1);
    unsetenv("PURG_TEST_UNSET_VAR");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&o, 0, sizeof o);
        memset(&ic, 0, sizeof ic);
        netopts_opt(&o, bad[i].ch1, bad[i].a1);
        if (bad[i].ch2)
            netopts_opt(&o, bad[i].ch2, bad[i].a2);
        CHECK_EQ(netopts_finish(&o, &ic), PURG_EINVAL);
    }
    /* a file that is empty, or whose first line does not fit */
    char big[NETOPT_SECRET_MAX + 10];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *files[] = { file_with(2, ""), file_with(3, big) };
    for (size_t i = 0; i < 2; i++) {
        memset(&o, 0, sizeof o);
        memset(&ic, 0, sizeof ic);
        netopts_opt(&o, NETOPT_NICKSERV_FILE, files[i]);
        CHECK_EQ(netopts_finish(&o, &ic), PURG_EINVAL);
    }
    /* a variable holding a line break */
    setenv("PURG_TEST_PASS", "a\nb", 1);
    memset(&o, 0, sizeof o);
    memset(&ic, 0, sizeof ic);
    netopts_opt(&o, NETOPT_PASSWORD_ENV, "PURG_TEST_PASS");
    CHECK_EQ(netopts_finish(&o, &ic), PURG_EINVAL);
    for (int i = 0; i < 4; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/secret%d", dir, i);
        unlink(p);
    }
}

static const check_case_t cases[] = {
    CHECK_CASE(opt_codes),
    CHECK_CASE(secrets),
};

int main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "%s/test_netopts.%ld", check_tmp_dir(), (long)getpid());
    if (mkdir(dir, 0700) != 0) {
        perror(dir);
        return 1;
    }
    int rc = check_run(argc, argv, cases, CHECK_NCASES(cases));
    rmdir(dir);
    return rc;
}
