/*
 * The C boundary to libedit's native API. Swift cannot call libedit's
 * variadic el_set/el_get/history, and Swift 6 rejects C's mutable stdio
 * globals, so each call we need gets one wrapper here.
 *
 * Not the readline-compat layer (editline/readline.h): in callback mode it
 * keeps rl_line_buffer pointing into el_line()'s conversion buffer, which
 * libedit reallocates as the line grows, and then writes the line's
 * terminator through the stale pointer (libedit 3.1-20221030,
 * _rl_update_pos): heap corruption once a line passes about 1 KB.
 */
#ifndef DTLSH_CLIBEDIT_H
#define DTLSH_CLIBEDIT_H

#include <stdio.h>
#include <wchar.h>
#include <histedit.h>

typedef char *(*CLibEdit_PromptFunction)(EditLine *);
typedef unsigned char (*CLibEdit_BoundFunction)(EditLine *, int);
typedef int (*CLibEdit_ReadCharFunction)(EditLine *, wchar_t *);

static inline EditLine *CLibEdit_el_initStdio(const char *program) { return el_init(program, stdin, stdout, stderr); }
static inline int CLibEdit_el_setPrompt(EditLine *el, CLibEdit_PromptFunction fn, char invisibleDelimiter) {
    return el_set(el, EL_PROMPT_ESC, fn, invisibleDelimiter);
}
static inline int CLibEdit_el_setEditor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int CLibEdit_el_setSignal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int CLibEdit_el_setHistory(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int CLibEdit_el_setClientData(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *CLibEdit_el_clientData(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int CLibEdit_el_setReadChar(EditLine *el, CLibEdit_ReadCharFunction fn) { return el_set(el, EL_GETCFN, fn); }
static inline int CLibEdit_el_addFunction(EditLine *el, const char *name, const char *help, CLibEdit_BoundFunction fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int CLibEdit_el_bind(EditLine *el, const char *keys, const char *function) {
    return el_set(el, EL_BIND, keys, function, (const char *)NULL);
}
/* On: one command per el_wgets, which then returns; the line is kept between calls. */
static inline int CLibEdit_el_setUnbuffered(EditLine *el, int on) { return el_set(el, EL_UNBUFFERED, on); }
/* Raw (on) or cooked (off) terminal mode. */
static inline int CLibEdit_el_prepareTerminal(EditLine *el, int on) { return el_set(el, EL_PREP_TERM, on); }
/* Forgets what libedit thinks is on screen and draws the prompt and line from the cursor. */
static inline int CLibEdit_el_redraw(EditLine *el) { return el_set(el, EL_REFRESH); }
static inline int CLibEdit_el_columns(EditLine *el) {
    int columns = 0;
    if (el_get(el, EL_GETTC, "co", &columns, (void *)NULL) != 0) return 0;
    return columns;
}
/* ~/.editrc (or $EDITRC): the user's bindings, in this program's section. */
static inline int CLibEdit_el_sourceUserSettings(EditLine *el) { return el_source(el, NULL); }

static inline int CLibEdit_history_setSize(History *h, int n) { HistEvent ev; return history(h, &ev, H_SETSIZE, n); }
static inline int CLibEdit_history_size(History *h) {
    HistEvent ev;
    return history(h, &ev, H_GETSIZE) == 0 ? ev.num : 0;
}
static inline int CLibEdit_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int CLibEdit_history_clear(History *h) { HistEvent ev; return history(h, &ev, H_CLEAR); }
/* Oldest entry first: H_LAST is the oldest, H_PREV steps towards the newest. NULL when there is none. */
static inline const char *CLibEdit_history_oldest(History *h) {
    HistEvent ev;
    return history(h, &ev, H_LAST) == 0 ? ev.str : NULL;
}
static inline const char *CLibEdit_history_newer(History *h) {
    HistEvent ev;
    return history(h, &ev, H_PREV) == 0 ? ev.str : NULL;
}
static inline const char *CLibEdit_history_newest(History *h) {
    HistEvent ev;
    return history(h, &ev, H_FIRST) == 0 ? ev.str : NULL;
}

/* libedit measures characters with wcwidth, which glibc declares only for X/Open; redraw maths must agree. */
extern int wcwidth(wchar_t c);
static inline int CLibEdit_wcwidth(wchar_t c) { return wcwidth(c); }
static inline void CLibEdit_writeStdout(const char *s) { fputs(s, stdout); fflush(stdout); }

#endif
