/* netopts.c - connection options and their secrets; main thread. */
#include "netopts.h"
#include "purg.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int netopts_opt(netopts_t *o, int ch, const char *arg)
{
    switch (ch) {
    case NETOPT_TLS: o->tls = 1; break;
    case NETOPT_TLS_CA: o->tls_ca = arg; o->tls = 1; break;
    case NETOPT_TLS_INSECURE: o->tls_insecure = 1; o->tls = 1; break;
    case NETOPT_PASSWORD: o->password_arg = arg; break;
    case NETOPT_PASSWORD_ENV: o->password_env = arg; break;
    case NETOPT_PASSWORD_FILE: o->password_file = arg; break;
    case NETOPT_SASL_USER: o->sasl_user = arg; break;
    case NETOPT_SASL_ENV: o->sasl_env = arg; break;
    case NETOPT_SASL_FILE: o->sasl_file = arg; break;
    case NETOPT_NICKSERV_ENV: o->nickserv_env = arg; break;
    case NETOPT_NICKSERV_FILE: o->nickserv_file = arg; break;
    default: return PURG_OPT_NOT_MINE;
    }
    return PURG_OPT_GO;
}

/* A secret from $env or the first line of file (at most one of them). 1 when
 * found, 0 when neither was given, -1 after a message. */
static int secret(const char *what, const char *env, const char *file, char *out, size_t outlen)
{
    if (env && file) {
        fprintf(stderr, "purgatory listen: give the %s either from a variable or from a file, not both\n", what);
        return -1;
    }
    if (env) {
        const char *v = getenv(env);
        if (!v || !*v) {
            fprintf(stderr, "purgatory listen: the environment variable %s (%s) is not set or empty\n", env, what);
            return -1;
        }
        if (util_strlcpy(out, v, outlen) != 0 || strpbrk(v, "\r\n")) {
            fprintf(stderr, "purgatory listen: the %s in %s is too long or has a line break\n", what, env);
            return -1;
        }
        return 1;
    }
    if (!file)
        return 0;
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "purgatory listen: cannot read the %s file %s\n", what, file);
        return -1;
    }
    char *ok = fgets(out, (int)outlen, f);
    fclose(f);
    size_t len = ok ? strcspn(out, "\r\n") : 0;
    if (!ok || len == 0 || (out[len] == '\0' && len == outlen - 1)) {
        fprintf(stderr, "purgatory listen: the %s file %s is empty or its first line is too long\n", what, file);
        return -1;
    }
    out[len] = '\0';
    return 1;
}

int netopts_finish(netopts_t *o, irc_conf_t *ic)
{
    int n = (o->password_arg != NULL) + (o->password_env != NULL) + (o->password_file != NULL);
    if (n > 1) {
        fprintf(stderr, "purgatory listen: give the server password one way only "
                        "(--password-env, --password-file or --password)\n");
        return PURG_EINVAL;
    }
    int r = secret("server password", o->password_env, o->password_file, o->password, sizeof o->password);
    if (r < 0)
        return PURG_EINVAL;
    if (o->password_arg) {
        fprintf(stderr, "purgatory listen: warning: --password is visible to every user of this machine "
                        "(ps); prefer --password-env VAR or --password-file FILE\n");
        if (util_strlcpy(o->password, o->password_arg, sizeof o->password) != 0) {
            fprintf(stderr, "purgatory listen: --password is too long\n");
            return PURG_EINVAL;
        }
        r = 1;
    }
    ic->password = r > 0 ? o->password : NULL;
    r = secret("SASL password", o->sasl_env, o->sasl_file, o->sasl_password, sizeof o->sasl_password);
    if (r < 0)
        return PURG_EINVAL;
    if ((r > 0) != (o->sasl_user != NULL)) {
        fprintf(stderr, "purgatory listen: SASL needs both --sasl-user and "
                        "--sasl-password-env or --sasl-password-file\n");
        return PURG_EINVAL;
    }
    ic->sasl_user = o->sasl_user;
    ic->sasl_password = r > 0 ? o->sasl_password : NULL;
    r = secret("NickServ password", o->nickserv_env, o->nickserv_file, o->nickserv_password,
               sizeof o->nickserv_password);
    if (r < 0)
        return PURG_EINVAL;
    ic->nickserv_password = r > 0 ? o->nickserv_password : NULL;
    ic->tls = o->tls;
    ic->tls_ca = o->tls_ca;
    ic->tls_insecure = o->tls_insecure;
    if (o->tls_insecure)
        fprintf(stderr, "purgatory listen: WARNING: --tls-insecure: the server's certificate is NOT "
                        "checked; anyone on the path can read and change this connection\n");
    if (ic->password && !o->tls)
        fprintf(stderr, "purgatory listen: note: the server password travels unencrypted without --tls\n");
    return 0;
}

void netopts_clear(netopts_t *o)
{
    explicit_bzero(o->password, sizeof o->password);
    explicit_bzero(o->sasl_password, sizeof o->sasl_password);
    explicit_bzero(o->nickserv_password, sizeof o->nickserv_password);
}

void netopts_usage(FILE *f)
{
    fprintf(f,
"connection:\n"
"      --tls              TLS to the server (certificate checked against the\n"
"                         system store and the host name; use --port 6697)\n"
"      --tls-ca FILE      trust this CA (PEM) instead of the system store\n"
"      --tls-insecure     do NOT check the certificate (testing only)\n"
"      --password-env VAR, --password-file FILE\n"
"                         server password (PASS) from a variable or a file\n"
"      --password PW      the same on the command line (visible in ps)\n"
"      --sasl-user NAME   SASL PLAIN login, with --sasl-password-env VAR or\n"
"                         --sasl-password-file FILE\n"
"      --nickserv-password-env VAR, --nickserv-password-file FILE\n"
"                         IDENTIFY to NickServ after connecting\n");
}
