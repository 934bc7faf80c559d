/* cli.h - the subcommands of `purgatory`. Each takes argv with argv[0] = its
 * own name, returns the process exit code (0 ok, 1 failure, 2 usage). Main thread. */
#ifndef PURG_CLI_H
#define PURG_CLI_H

#include <stddef.h>

int cli_listen(int argc, char **argv);
int cli_voices(int argc, char **argv);
int cli_train(int argc, char **argv);
int cli_babble(int argc, char **argv);
int cli_demo(int argc, char **argv);

/* The directory of the bundled demo personas into dir (cli_bundle.c): the
 * data directory's demo/personas when their models or corpora are there,
 * else ~/.cache/purgatory/demo/personas, prepared by the data directory's
 * demo/prepare.sh. 0, or a PURG_E* code after saying why on stderr. */
int cli_bundle_personas(char *dir, size_t dirlen);

#endif
