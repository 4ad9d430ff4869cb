/*
 * shell: the small, deterministic shell that runs inside a simulated box.
 *
 * `POST /boxes/{id}/exec` never runs anything on the host: every command is
 * one of the builtins here (sh -c, echo, cat, ls, cd, pwd, env, seq, head,
 * yes, sleep, stty, top, mkdir, touch, printf, ...), working on the box's
 * files (sim/ftree.h). The object is a state machine the caller drives:
 * stdin bytes go in with shell_input, and all output comes out of
 * shell_step, through out(), at most budget bytes a call. Time is only the
 * now_ms the caller passes to shell_step, so a run is a function of its
 * inputs.
 *
 * Not thread-safe: one caller at a time (the execution's lock).
 */
#ifndef BOXTOP_SIM_SHELL_H
#define BOXTOP_SIM_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ftree;
struct shell;

enum shell_stream {
	SHELL_STDOUT = 1,
	SHELL_STDERR = 2,
};

/* Output sink; with tty set everything comes on SHELL_STDOUT (a pty merges the streams). */
typedef void (*shell_out_fn)(void *arg, enum shell_stream s, const void *data, size_t len);

struct shell_spec {
	const char *command; /* "/bin/sh", "sh", "echo", "/bin/ls", ... (basename is looked up) */
	const char *const *args; /* NULL-terminated, may be NULL */
	const char *const *env;  /* "K=V", NULL-terminated, may be NULL */
	const char *working_dir; /* NULL: /root when it is a directory, else "/" */
	bool tty;
	unsigned cols, rows;  /* 0: 80x24 */
	const char *hostname; /* for the prompt, hostname and uname -n; NULL: "box" */
};

#define SHELL_IDLE (-1L)
#define SHELL_DONE (-2L)

/* A line longer than this is cut; stdin waiting to be read is bounded by SHELL_INPUT_MAX. */
#define SHELL_LINE_MAX  (64 * 1024)
#define SHELL_INPUT_MAX (1024 * 1024)

/*
 * A shell running spec->command, or NULL when it cannot start: the command
 * is not a builtin (*why: `exec: "foo": executable file not found in
 * $PATH`) or working_dir is not a directory. *why (may be NULL) is valid
 * until the next shell_new on the same thread. files may be NULL (no
 * files) and must outlive the shell; out is called only from shell_step.
 * Caller frees with shell_free.
 */
struct shell *shell_new(const struct shell_spec *spec, struct ftree *files, shell_out_fn out,
			void *arg, const char **why);
/*
 * Stdin bytes. Returns how many were taken (fewer when SHELL_INPUT_MAX are
 * waiting, 0 after shell_eof or the exit): the caller keeps the rest and
 * offers them again after a shell_step. In TTY mode they go through the
 * line discipline (echo, erase, Ctrl-C, Ctrl-D) during the next shell_step.
 */
size_t shell_input(struct shell *sh, const void *data, size_t len);
/* Stdin is closed: readers see end of file once what is waiting is read. */
void shell_eof(struct shell *sh);
/* The terminal's size (stty size, top); 0 keeps the old value. */
void shell_resize(struct shell *sh, unsigned cols, unsigned rows);
/*
 * SIGINT and SIGQUIT interrupt the running command (status 128+sig); the
 * interactive shell survives them, a command or sh -c ends with that
 * status. SIGWINCH, SIGCHLD, SIGCONT, SIGURG, SIGSTOP and SIGTSTP are
 * ignored. Every other signal (TERM, HUP, KILL, USR1, ...) ends everything
 * with 128+sig at once; waiting output is dropped.
 */
void shell_signal(struct shell *sh, int sig);
/*
 * Runs until blocked, writing at most budget bytes through out(). Returns
 * the ms until it wants to run again (0: at once, e.g. budget used up; a
 * sleep's or top's remaining time), SHELL_IDLE when it waits for input, or
 * SHELL_DONE when it has exited (0 also when output waits and budget is
 * 0: call again when there is room). A "\r\n" is never split across steps.
 * now_ms is the caller's clock (any origin; files the shell writes get
 * mtime now_ms / 1000). The interactive shell ends at end of stdin (Ctrl-D
 * on an empty line in TTY mode) with the last command's status, as sh does.
 */
long shell_step(struct shell *sh, int64_t now_ms, size_t budget);
/* Whether it has exited, and then its status in *exit_code (may be NULL). */
bool shell_exited(const struct shell *sh, int *exit_code);
/* Accepts NULL and a NULL *sh; NULLs the pointer. */
void shell_free(struct shell **sh);

#endif
