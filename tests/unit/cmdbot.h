/* cmdbot.h - a model of what chat-ops bots react to, for tests of the command
 * guard. Written apart from guard.c on purpose (its own parsing, its own
 * lists), and broad: it counts every way a typical bot (karma bots, hubot,
 * limnoria, sopel, eval bots, sed bots, CTCP handlers) could be made to act. */
#ifndef PURG_TEST_CMDBOT_H
#define PURG_TEST_CMDBOT_H

#include <stddef.h>

/* Number of actions a bot named 'botnick' would take on the line
 * line[0..len) sent to a channel it sits in. 0 means it ignores the line. */
int cmdbot_count(const char *botnick, const char *line, size_t len);

#endif
