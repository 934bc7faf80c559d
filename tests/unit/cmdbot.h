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

/* cmdbot_count, plus what a bot called 'botnick' that sits in the room
 * acts on when nobody told the guard about it: Hubot's respond ("hubot
 * deploy", "@hubot: deploy", no word boundary after the name), Limnoria's
 * nick first or (nick.atEnd) last ("deploy prod, bot"), Sopel's "nick: cmd",
 * Errbot's alternate prefix ("Err; status") and Eggdrop's first-word
 * commands ("seen bob", whatever the bot's name). */
int cmdbot_count_room(const char *botnick, const char *line, size_t len);

#endif
