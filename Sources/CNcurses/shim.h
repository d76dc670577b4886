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
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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

/* The terminal reset for crashes and fatal signals, with async-signal-safe calls only: write(2)
   of the reset sequence (leave the alternate screen, show the cursor, plain attributes, keypad
   off) and tcsetattr with the modes saved before curses started, then the signal again through
   the handler that was there before (the Swift runtime's backtracer, or the default action).
   Armed while a curses screen is up; a normal endwin disarms it. */
struct ps_reset_state {
    char sequence[512];
    size_t length;
    struct termios modes;
    int modes_saved;
    int modes_fd;
    int fd;
    volatile sig_atomic_t armed;
    struct sigaction previous[65];
};
/* One state per process (only TerminalRestore calls these; a function-local static, because
   Swift does not emit a header's static variables). */
static inline struct ps_reset_state *ps_reset(void) {
    static struct ps_reset_state state = { .fd = -1, .modes_fd = -1 };
    return &state;
}

/* The reset itself (idempotent: the first caller disarms it). */
static inline void ps_terminal_reset_now(void) {
    struct ps_reset_state *r = ps_reset();
    if (!r->armed) return;
    r->armed = 0;
    size_t done = 0;
    while (done < r->length) {
        ssize_t n = write(r->fd, r->sequence + done, r->length - done);
        if (n <= 0) break;
        done += (size_t)n;
    }
    if (r->modes_saved) tcsetattr(r->modes_fd, TCSANOW, &r->modes);
}

static inline void ps_terminal_reset_handler(int sig) {
    ps_terminal_reset_now();
    if (sig > 0 && sig < 65) sigaction(sig, &ps_reset()->previous[sig], 0);
    else signal(sig, SIG_DFL);
    raise(sig);
}

/* Remembers the terminal's modes; call before curses changes them (newterm already does). */
static inline void ps_terminal_reset_save_modes(int modes_fd) {
    struct ps_reset_state *r = ps_reset();
    r->modes_fd = modes_fd;
    r->modes_saved = tcgetattr(modes_fd, &r->modes) == 0;
}

/* Where to write the reset (`fd`, the terminal curses draws on) and the reset sequence. */
static inline void ps_terminal_reset_sequence(int fd, const char *sequence) {
    struct ps_reset_state *r = ps_reset();
    r->fd = fd;
    size_t n = strlen(sequence);
    if (n >= sizeof r->sequence) n = sizeof r->sequence - 1;
    memcpy(r->sequence, sequence, n);
    r->length = n;
}

static inline void ps_terminal_reset_arm(int armed) { ps_reset()->armed = armed; }

/* A terminfo string capability of the current terminal, or NULL. */
static inline const char *ps_tigetstr(const char *name) {
    char *value = tigetstr((char *)name);
    return (value == 0 || value == (char *)-1) ? 0 : value;
}

/* Installs the reset handler for `sig` (on the alternate signal stack). Afterwards the signal
   goes on to the previous action when `pass_on` (a crash: the runtime's backtracer), otherwise to
   the default action (exit status 128 + sig). A signal the process ignores stays ignored (1). */
static inline int ps_install_reset_handler(int sig, int pass_on) {
    if (sig <= 0 || sig >= 65) return -1;
    struct sigaction previous;
    if (sigaction(sig, 0, &previous) != 0) return -1;
    if (previous.sa_handler == SIG_IGN) return 1;
    if (previous.sa_handler == ps_terminal_reset_handler) return 0;
    if (!pass_on) {
        memset(&previous, 0, sizeof previous);
        previous.sa_handler = SIG_DFL;
        sigemptyset(&previous.sa_mask);
    }
    ps_reset()->previous[sig] = previous;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = ps_terminal_reset_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_ONSTACK;
    return sigaction(sig, &action, 0);
}

/* An alternate signal stack for the calling thread (a stack overflow still gets its reset). */
static inline int ps_install_alternate_stack(void) {
    stack_t current;
    if (sigaltstack(0, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return 0;
    size_t size = 64 * 1024;
    stack_t stack;
    stack.ss_sp = malloc(size);
    if (stack.ss_sp == 0) return -1;
    stack.ss_size = size;
    stack.ss_flags = 0;
    return sigaltstack(&stack, 0);
}
#endif
