/*
 * session: the local terminal (or pipes) joined to an attach, for
 * `boxtop exec`, `boxtop shell` and the dashboard's `!`.
 *
 * stdin bytes go to the command, its stdout and stderr come out apart, the
 * window size is sent at the start and on every SIGWINCH, and SIGINT,
 * SIGTERM and SIGHUP are forwarded as signals (in a TTY session Ctrl-C is
 * a byte the remote terminal turns into its own SIGINT). With a TTY the
 * local terminal is raw for the session's length and restored exactly on
 * every way out, failures included, before anything is printed.
 *
 * Detaching: like ssh, "~." typed at the start of a line (after Enter)
 * leaves without ending the command; "~~" sends one "~". The command keeps
 * running in the box and its output keeps (the last 256 KiB) for the next
 * attach.
 */
#ifndef BOXTOP_TUI_SESSION_H
#define BOXTOP_TUI_SESSION_H

#include <stdbool.h>

#include "net/exec.h"

struct session_opts {
	int in_fd, out_fd, err_fd;
	bool send_stdin;  /* stdin goes to the command (else it is not read: its input ends at once)
			   */
	bool tty;         /* raw mode on in_fd, window sizes sent */
	bool detach_keys; /* "~." detaches */
};

enum session_end {
	SESSION_EXITED,    /* the command ended: *exit_code */
	SESSION_DETACHED,  /* ~. or a signal past the third: the command runs on */
	SESSION_FAILED,    /* err says why: lost connection, closed without an exit status */
	SESSION_NO_READER, /* our stdout was closed (`| head`): the command is not needed */
};

/* Runs the session until one of the ends above. */
enum session_end session_run(struct attach *t, const struct session_opts *o, int *exit_code,
			     struct net_error *err);

/*
 * Why an exec or an attach to box failed, in the operator's words: the
 * server's message, and what to do about a 409 (another client attached:
 * reading the log does not take it) or a 404 (a server without exec).
 */
void session_why(const char *box, const struct net_error *err, char *buf, size_t size);

/* The detach sequence's scanner, apart so it can be tested. */
struct detach_scan {
	int state; /* 0 mid-line, 1 at a line's start, 2 after a '~' there */
};

/*
 * Feeds in[0..n) through the scanner: out (room for n + 1 bytes) gets what
 * goes to the command, *out_n its length. Returns true when "~." was typed:
 * what came before it is in out, the rest is dropped.
 */
bool detach_scan(struct detach_scan *d, const char *in, size_t n, char *out, size_t *out_n);

#endif
