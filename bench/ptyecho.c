/*
 * ptyecho: keystroke-to-echo latency through a program in a pseudo-terminal,
 * for bench_exec.sh. It runs CMD in a pty of 80x24, waits for its output to
 * go quiet (the prompt drawn), then N times: writes one letter, times until
 * that letter comes back, writes DEL to erase it and waits for the output to
 * go quiet again (not timed). Prints the latencies in ms:
 *   min MIN median MED p99 P99 max MAX n N
 * Against `cat` (the kernel's echo in cooked mode) this is the floor of the
 * measurement; against `boxtop shell BOX` it is the whole path: boxtop's
 * raw terminal, the WebSocket, the server's shell echoing, and back.
 *   ptyecho N CMD [ARGS...]
 * Built by bench_exec.sh with `cc -O2 ... -lutil` (not part of make all).
 */
#define _DEFAULT_SOURCE
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Reads what comes until quiet_ms of silence (or limit_ms in all); 0, or -1 at EOF. */
static int drain(int fd, int quiet_ms, int limit_ms)
{
	double end = now_ms() + limit_ms;
	char buf[4096];

	while (now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, quiet_ms);

		if (r == 0)
			return 0;
		if (r < 0 || read(fd, buf, sizeof(buf)) <= 0)
			return -1;
	}
	return 0;
}

/* Reads until byte c comes; its time in ms, or -1 (EOF, or 5 s without it). */
static double wait_for(int fd, char c, double t0)
{
	char buf[4096];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			return -1;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return -1;
		if (memchr(buf, c, (size_t)n) != NULL)
			return now_ms() - t0;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	int fd, n, status;
	double *t;
	pid_t pid;

	if (argc < 3 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: ptyecho N CMD [ARGS...]\n");
		return 2;
	}
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL || drain(fd, 700, 10000) < 0) {
		fprintf(stderr, "ptyecho: %s ended before any key\n", argv[2]);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char c = (char)('a' + i % 26), del = 0x7f;
		double t0 = now_ms();

		if (write(fd, &c, 1) != 1 || (t[i] = wait_for(fd, c, t0)) < 0) {
			fprintf(stderr, "ptyecho: no echo of key %d\n", i + 1);
			return 1;
		}
		if (write(fd, &del, 1) != 1 || drain(fd, 30, 5000) < 0)
			return 1;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("min %.3f median %.3f p99 %.3f max %.3f n %d\n", t[0], t[(n - 1) / 2],
	       t[(int)((n - 1) * 0.99 + 0.5)], t[n - 1], n);
	close(fd);
	kill(pid, SIGHUP);
	usleep(200000);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	free(t);
	return 0;
}
