/*
 * The one way boxtop includes curses (as htop's ProvideCurses.h): the wide
 * character ncursesw API, whatever the feature macros of the file that
 * includes it. Only tui/ includes this.
 */
#ifndef BOXTOP_TUI_CURSES_H
#define BOXTOP_TUI_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#endif
