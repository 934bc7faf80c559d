/* cli.h - the subcommands of `purgatory`. Each takes argv with argv[0] = its
 * own name, returns the process exit code (0 ok, 1 failure, 2 usage). Main thread. */
#ifndef PURG_CLI_H
#define PURG_CLI_H

int cli_listen(int argc, char **argv);
int cli_voices(int argc, char **argv);
int cli_train(int argc, char **argv);
int cli_babble(int argc, char **argv);
int cli_demo(int argc, char **argv);

#endif
