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
#include <term.h>

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
static inline attr_t ps_a_italic(void) { return A_ITALIC; }

/* One wide char with an extended (int) colour pair: ncurses >= 6.1 takes the int pair through
   setcchar's `opts` pointer. */
static inline int ps_mvadd_wch_pair(WINDOW *w, int y, int x, wchar_t ch, attr_t attrs, int pair) {
    cchar_t cc;
    wchar_t s[2] = { ch, 0 };
    setcchar(&cc, s, attrs, (short)(pair > 0x7fff ? 0 : pair), &pair);
    return mvwadd_wch(w, y, x, &cc);
}

/* One cell from a NUL-terminated wide string (a spacing character plus up to CCHARW_MAX-1
   combining marks) with an extended colour pair, as above. */
static inline int ps_mvadd_cell(WINDOW *w, int y, int x, const wchar_t *chars, attr_t attrs, int pair) {
    cchar_t cc;
    if (setcchar(&cc, chars, attrs, (short)(pair > 0x7fff ? 0 : pair), &pair) == ERR) return ERR;
    return mvwadd_wch(w, y, x, &cc);
}
static inline int ps_ccharw_max(void) { return CCHARW_MAX; }

/* Looks `term` up in terminfo without printing anything, checks that it can address the cursor
   and clear the screen, and frees the description again. 0 = usable, 1 = hardcopy terminal,
   -1 = no terminfo database, -2 = unknown type, -3 = no cursor addressing, -4 = no clear. */
static inline int ps_check_terminfo(const char *term) {
    int status = 0;
    if (setupterm((char *)term, 1, &status) != OK) return status == 1 ? 1 : status == -1 ? -1 : -2;
    char *cup = tigetstr("cup"), *clr = tigetstr("clear");
    int result = (cup == 0 || cup == (char *)-1) ? -3 : (clr == 0 || clr == (char *)-1) ? -4 : 0;
    del_curterm(set_curterm(0));
    return result;
}
#endif
