/*
 * The C boundary to libedit. Swift 6 rejects libedit's mutable rl_* globals and
 * cannot call its variadic el_set/history, so each gets one wrapper here.
 */
#ifndef DTLSH_CLIBEDIT_H
#define DTLSH_CLIBEDIT_H

#include <stdio.h>
#include <wchar.h>
#include <histedit.h>
#include <editline/readline.h>

static inline void CLibEdit_rl_setReadlineName(const char *n) { rl_readline_name = n; }
static inline void CLibEdit_rl_setCatchSignals(int on) { rl_catch_signals = on; }
static inline void CLibEdit_rl_setAttemptedCompletion(rl_completion_func_t *fn) { rl_attempted_completion_function = fn; }
static inline void CLibEdit_rl_setAttemptedCompletionOver(int over) { rl_attempted_completion_over = over; }
static inline void CLibEdit_rl_setCompletionAppendCharacter(int c) { rl_completion_append_character = c; }
static inline const char *CLibEdit_rl_lineBuffer(void) { return rl_line_buffer; }
static inline int CLibEdit_rl_point(void) { return rl_point; }
static inline void CLibEdit_rl_setPoint(int p) { rl_point = p; }
static inline int CLibEdit_rl_end(void) { return rl_end; }
static inline void CLibEdit_rl_setBasicWordBreakCharacters(const char *chars) { rl_basic_word_break_characters = chars; }
static inline void CLibEdit_rl_setCompletionQueryItems(int n) { rl_completion_query_items = n; }
static inline int CLibEdit_history_base(void) { return history_base; }
static inline int CLibEdit_history_length(void) { return history_length; }
/* libedit measures characters with wcwidth, which glibc declares only for X/Open; redraw maths must agree. */
extern int wcwidth(wchar_t c);
static inline int CLibEdit_wcwidth(wchar_t c) { return wcwidth(c); }
static inline void CLibEdit_writeStdout(const char *s) { fputs(s, stdout); fflush(stdout); }

#endif
