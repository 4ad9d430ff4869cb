/*
 * simproc: fork, exec, read the first line of the child's stdout through a
 * pipe with a deadline, then leave the pipe open (the simulator writes
 * nothing more) until stop.
 */
#include "simproc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

static void run_child(int out, const char *const *args)
{
	const char *sim = getenv("SIM") != NULL ? getenv("SIM") : "build/boxlite-sim";
	char *argv[MAX_ARGS + 4] = {strdup(sim), strdup("--port"), strdup("0")};
	size_t n = 3;

	/* Copies: execv takes char *const[], and this is the child, about to exec. */
	for (size_t i = 0; args != NULL && args[i] != NULL && n < MAX_ARGS + 3; i++)
		argv[n++] = strdup(args[i]);
	argv[n] = NULL;
	dup2(out, STDOUT_FILENO);
	/* A test that fails half-way must not leave its simulator running. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	execv(sim, argv);
	fprintf(stderr, "simproc: exec %s: %s\n", sim, strerror(errno));
	_exit(127);
}

/* Reads the listening line within 10 s. */
static int read_url(int fd, char *url, size_t size)
{
	char line[256];
	size_t n = 0;

	while (n < sizeof(line) - 1 && memchr(line, '\n', n) == NULL) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 10000) <= 0)
			return -1;
		r = read(fd, line + n, sizeof(line) - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
	}
	line[n] = '\0';
	if (sscanf(line, "listening on %63s", url) != 1 || strlen(url) >= size)
		return -1;
	return 0;
}

int simproc_start(struct simproc *s, const char *const *args)
{
	int p[2];

	memset(s, 0, sizeof(*s));
	if (pipe(p) < 0)
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		close(p[0]);
		run_child(p[1], args);
	}
	close(p[1]);
	if (s->pid < 0 || read_url(p[0], s->url, sizeof(s->url)) < 0) {
		fprintf(stderr, "simproc: the simulator did not start\n");
		if (s->pid > 0)
			simproc_stop(s);
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return 0;
}

int simproc_stop(struct simproc *s)
{
	int status = 0;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
