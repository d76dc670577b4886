#ifndef POSESTUDIO_CNCURSES_SHIM_H
#define POSESTUDIO_CNCURSES_SHIM_H
/* ncursesw for the NcursesBackend target (its only importer). SwiftPM drops pkg-config -D flags,
   so the wide-char API is switched on here. Mutable C globals and function-like macros that
   Swift cannot import become ps_* functions; never copy their values by hand. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <curses.h>

static inline WINDOW *ps_stdscr(void) { return stdscr; }
static inline int ps_lines(void) { return LINES; }
static inline int ps_cols(void) { return COLS; }
static inline int ps_colors(void) { return COLORS; }
static inline int ps_color_pairs(void) { return COLOR_PAIRS; }
static inline int ps_key_f(int n) { return KEY_F(n); }

static inline attr_t ps_a_normal(void) { return A_NORMAL; }
static inline attr_t ps_a_bold(void) { return A_BOLD; }
static inline attr_t ps_a_reverse(void) { return A_REVERSE; }
static inline attr_t ps_a_underline(void) { return A_UNDERLINE; }
static inline attr_t ps_a_dim(void) { return A_DIM; }

/* One wide char with an extended (int) colour pair: ncurses >= 6.1 takes the int pair through
   setcchar's `opts` pointer. */
static inline int ps_mvadd_wch_pair(WINDOW *w, int y, int x, wchar_t ch, attr_t attrs, int pair) {
    cchar_t cc;
    wchar_t s[2] = { ch, 0 };
    setcchar(&cc, s, attrs, (short)(pair > 0x7fff ? 0 : pair), &pair);
    return mvwadd_wch(w, y, x, &cc);
}
#endif
