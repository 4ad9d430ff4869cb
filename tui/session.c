/*
 * session: one poll loop over the terminal, a self-pipe the signal
 * handlers write to, and the attach's socket. Output is written whole
 * before the attach is read again, so a slow reader of our stdout slows
 * the command down instead of filling memory, and stdin is not read while
 * more than STDIN_QUEUE_MAX bytes wait for the server.
 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "model/sanitize.h"
#include "model/timeutil.h"
#include "model/xalloc.h"

#define STDIN_QUEUE_MAX (1u << 20)
#define READ_CHUNK      (64u * 1024)
#define QUICK_SIGNALS   3    /* this many SIGINTs ... */
#define QUICK_MS        2000 /* ... this close together leave (the command runs on) */

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* full pipe: the loop has signals to read already */
	}
	errno = saved;
}

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};

struct saved {
	struct sigaction act[ARRAY_LEN(forwarded)];
	struct termios tio;
	bool raw;
};

static int setup(const struct session_opts *o, struct saved *sv)
{
	struct sigaction sa;

	if (pipe(sig_pipe) < 0)
		return -1;
	fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(sig_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(sig_pipe[1], F_SETFD, FD_CLOEXEC);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(forwarded); i++)
		sigaction(forwarded[i], &sa, &sv->act[i]);
	sv->raw = false;
	if (o->tty && isatty(o->in_fd) && tcgetattr(o->in_fd, &sv->tio) == 0) {
		struct termios raw = sv->tio;

		cfmakeraw(&raw);
		sv->raw = tcsetattr(o->in_fd, TCSAFLUSH, &raw) == 0;
	}
	return 0;
}

static void teardown(const struct session_opts *o, struct saved *sv)
{
	if (sv->raw)
		tcsetattr(o->in_fd, TCSAFLUSH, &sv->tio);
	for (size_t i = 0; i < ARRAY_LEN(forwarded); i++)
		sigaction(forwarded[i], &sv->act[i], NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

static void send_size(struct attach *t, int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
		attach_resize(t, ws.ws_col, ws.ws_row);
}

void session_why(const char *box, const struct net_error *err, char *buf, size_t size)
{
	if (err->kind == NET_STATUS && err->api.http_status == 409)
		snprintf(buf, size,
			 "%s: %s (another client may be attached: its log can be read without "
			 "taking it, with boxtop logs or l)",
			 box, err->message);
	else if (err->kind == NET_STATUS && err->api.http_status == 404)
		snprintf(buf, size, "%s: %s (does this server serve exec?)", box, err->message);
	else
		snprintf(buf, size, "%s: %s", box, err->message);
}

bool detach_scan(struct detach_scan *d, const char *in, size_t n, char *out, size_t *out_n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (d->state == 2) {
			d->state = 0;
			if (c == '.') {
				*out_n = k;
				return true;
			}
			if (c != '~')
				out[k++] = '~';
			out[k++] = c;
			continue;
		}
		if (d->state == 1 && c == '~') {
			d->state = 2;
			continue;
		}
		out[k++] = c;
		d->state = c == '\r' || c == '\n' ? 1 : 0;
	}
	*out_n = k;
	return false;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};

			poll(&pf, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct loop {
	const struct session_opts *o;
	struct attach *t;
	struct detach_scan scan;
	bool in_eof, out_gone;
	int quick;
	int64_t first_quick_ms;
};

static void on_output(void *arg, enum attach_stream s, const uint8_t *data, size_t len)
{
	struct loop *l = arg;
	int fd = s == ATTACH_STDERR ? l->o->err_fd : l->o->out_fd;

	/* a reader that went away (`| head`) takes nothing more; the command is not told */
	if (!l->out_gone && write_all(fd, data, len) < 0 && fd == l->o->out_fd)
		l->out_gone = true;
}

/* The server's error message (a refused write, say): said on stderr, the session goes on. */
static void on_error(void *arg, const char *code, const char *message)
{
	struct loop *l = arg;
	char *safe = sanitize_dup(message[0] != '\0' ? message : code, 200);
	char line[300];
	int n = snprintf(line, sizeof(line), "boxtop: the server says: %s%s", safe,
			 l->o->tty ? "\r\n" : "\n");

	free(safe);
	if (n > 0)
		write_all(l->o->err_fd, (const uint8_t *)line,
			  (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Signals that came: forwarded, or the window size sent. Returns true to detach. */
static bool take_signals(struct loop *l)
{
	unsigned char sigs[32];
	ssize_t n = read(sig_pipe[0], sigs, sizeof(sigs));

	for (ssize_t i = 0; i < n; i++) {
		if (sigs[i] == SIGWINCH) {
			if (l->o->tty)
				send_size(l->t, l->o->in_fd);
			continue;
		}
		attach_signal(l->t, sigs[i]);
		if (sigs[i] != SIGINT)
			continue;
		if (l->quick == 0 || time_mono_ms() - l->first_quick_ms > QUICK_MS) {
			l->quick = 0;
			l->first_quick_ms = time_mono_ms();
		}
		if (++l->quick >= QUICK_SIGNALS)
			return true;
	}
	return false;
}

/* Reads stdin once. Returns true to detach. */
static bool take_stdin(struct loop *l)
{
	char in[READ_CHUNK], out[READ_CHUNK + 1];
	ssize_t n = read(l->o->in_fd, in, sizeof(in));
	size_t k = (size_t)(n > 0 ? n : 0);
	bool detach = false;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		l->in_eof = true;
		attach_stdin_eof(l->t);
		return false;
	}
	if (l->o->detach_keys)
		detach = detach_scan(&l->scan, in, k, out, &k);
	else
		memcpy(out, in, k);
	attach_stdin(l->t, out, k);
	return detach;
}

enum session_end session_run(struct attach *t, const struct session_opts *o, int *exit_code,
			     struct net_error *err)
{
	struct loop l = {.o = o, .t = t, .scan = {.state = 1}};
	struct attach_cb cb = {.output = on_output, .error = on_error, .arg = &l};
	struct saved sv;
	enum session_end end = SESSION_FAILED;

	if (setup(o, &sv) < 0) {
		net_error_set(err, NET_LOCAL, "cannot make a pipe: %s", strerror(errno));
		return SESSION_FAILED;
	}
	if (o->tty)
		send_size(t, o->in_fd);
	/* as docker exec without -i: the command's input ends at once */
	if (!o->send_stdin)
		attach_stdin_eof(t);
	for (;;) {
		struct pollfd pf[3] = {
			{.fd = sig_pipe[0], .events = POLLIN},
			{.fd = attach_fd(t),
			 .events = POLLIN | (attach_wants_write(t) ? POLLOUT : 0)},
			{.fd = o->in_fd, .events = POLLIN},
		};
		bool reading = o->send_stdin && !l.in_eof && attach_queued(t) < STDIN_QUEUE_MAX;
		int rc;

		if (poll(pf, reading ? 3 : 2, attach_timeout_ms(t)) < 0 && errno != EINTR) {
			net_error_set(err, NET_LOCAL, "poll: %s", strerror(errno));
			break;
		}
		if ((pf[0].revents & POLLIN) && take_signals(&l)) {
			end = SESSION_DETACHED;
			break;
		}
		if (reading && (pf[2].revents & (POLLIN | POLLHUP | POLLERR)) && take_stdin(&l)) {
			end = SESSION_DETACHED;
			break;
		}
		rc = attach_service(t, &cb, exit_code, err);
		if (l.out_gone) {
			end = SESSION_NO_READER;
			break;
		}
		if (rc == 1) {
			end = SESSION_EXITED;
			break;
		}
		if (rc < 0)
			break;
	}
	if (end == SESSION_DETACHED || end == SESSION_NO_READER)
		attach_detach(t);
	teardown(o, &sv);
	return end;
}
