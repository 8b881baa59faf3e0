#ifndef SPANSCOPE_CNCURSESW_SHIM_H
#define SPANSCOPE_CNCURSESW_SHIM_H
// The wide-character API (cchar_t, get_wch, addwstr) is only declared with this set.
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <ncursesw/curses.h>

// Swift 6 refuses ncurses' mutable globals and cannot import its macros: reach them here.
static inline int shim_lines(void) { return LINES; }
static inline int shim_cols(void) { return COLS; }
static inline int shim_colors(void) { return COLORS; }
static inline int shim_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *shim_stdscr(void) { return stdscr; }
static inline attr_t shim_a_bold(void) { return A_BOLD; }
static inline attr_t shim_a_reverse(void) { return A_REVERSE; }
static inline attr_t shim_a_underline(void) { return A_UNDERLINE; }
static inline attr_t shim_a_dim(void) { return A_DIM; }
static inline attr_t shim_a_normal(void) { return A_NORMAL; }
static inline attr_t shim_color_pair(int n) { return COLOR_PAIR(n); }
static inline int shim_attrset(attr_t a) { return attrset(a); }
static inline int shim_key_resize(void) { return KEY_RESIZE; }
static inline int shim_key_mouse(void) { return KEY_MOUSE; }
static inline int shim_key_f(int n) { return KEY_F(n); }
#endif
