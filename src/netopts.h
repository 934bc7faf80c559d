/* netopts.h - the listener's connection options (TLS, server password,
 * SASL, NickServ) and where their secrets come from; main thread.
 *
 * Secrets never have to be on the command line (where `ps` shows them): each
 * comes from an environment variable or a file (first line), and --password
 * on the command line works but warns. */
#ifndef PURG_NETOPTS_H
#define PURG_NETOPTS_H

#include <getopt.h>
#include <stdio.h>
#include "irc.h"

#define NETOPT_BASE 0x300
enum {
    NETOPT_TLS = NETOPT_BASE,
    NETOPT_TLS_CA,
    NETOPT_TLS_INSECURE,
    NETOPT_PASSWORD,
    NETOPT_PASSWORD_ENV,
    NETOPT_PASSWORD_FILE,
    NETOPT_SASL_USER,
    NETOPT_SASL_ENV,
    NETOPT_SASL_FILE,
    NETOPT_NICKSERV_ENV,
    NETOPT_NICKSERV_FILE,
    NETOPT_END
};

#define NETOPT_LONGOPTS \
    { "tls", no_argument, NULL, NETOPT_TLS }, \
    { "tls-ca", required_argument, NULL, NETOPT_TLS_CA }, \
    { "tls-insecure", no_argument, NULL, NETOPT_TLS_INSECURE }, \
    { "password", required_argument, NULL, NETOPT_PASSWORD }, \
    { "password-env", required_argument, NULL, NETOPT_PASSWORD_ENV }, \
    { "password-file", required_argument, NULL, NETOPT_PASSWORD_FILE }, \
    { "sasl-user", required_argument, NULL, NETOPT_SASL_USER }, \
    { "sasl-password-env", required_argument, NULL, NETOPT_SASL_ENV }, \
    { "sasl-password-file", required_argument, NULL, NETOPT_SASL_FILE }, \
    { "nickserv-password-env", required_argument, NULL, NETOPT_NICKSERV_ENV }, \
    { "nickserv-password-file", required_argument, NULL, NETOPT_NICKSERV_FILE }

#define NETOPT_SECRET_MAX 256

typedef struct netopts {
    int tls, tls_insecure;
    const char *tls_ca;
    const char *password_arg, *password_env, *password_file;
    const char *sasl_user, *sasl_env, *sasl_file;
    const char *nickserv_env, *nickserv_file;
    char password[NETOPT_SECRET_MAX];
    char sasl_password[NETOPT_SECRET_MAX];
    char nickserv_password[NETOPT_SECRET_MAX];
} netopts_t;

/* One option: PURG_OPT_GO when ch is one of NETOPT_BASE..NETOPT_END (these
 * take any value), else PURG_OPT_NOT_MINE (purg.h). */
int netopts_opt(netopts_t *o, int ch, const char *arg);

/* Read the secrets and fill the TLS/password/SASL/NickServ fields of ic
 * (pointing into o). 0, or PURG_EINVAL after a message on stderr. */
int netopts_finish(netopts_t *o, irc_conf_t *ic);

/* Wipe the secrets. */
void netopts_clear(netopts_t *o);

void netopts_usage(FILE *f);

#endif
