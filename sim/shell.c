/*
 * shell: a deterministic built-in shell for simulated boxes.
 *
 * The shell is a state machine stepped by its caller (shell_step): it
 * prints a prompt, reads a line, parses it into an and-or list of
 * pipelines, runs each pipeline and goes back for the next line. A
 * pipeline is an array of procs, one per command, joined by bounded pipes
 * (PIPE_CAP); each proc is a builtin's run function that does what it can
 * without blocking and returns: it blocks on input (an empty pipe or
 * stdin), on output (a full pipe, the caller's budget, the per-step work
 * bound) or on time (sleep, top). A pass runs every proc in order, and
 * passes repeat while anything moved, so `yes | head -n 3` ends by head
 * closing its pipe and yes meeting EPIPE, as in a real system.
 *
 * Every byte to the caller goes through term_write, which keeps to the
 * step's budget and turns "\n" into "\r\n" in TTY mode (onlcr). The
 * shell's own words (prompt, echo, syntax errors) wait in tq and go
 * before any proc's output. In TTY mode stdin passes a line discipline
 * (ldisc) in shell_step: echo, erase, kill, Ctrl-C, Ctrl-D; completed
 * lines land in `in`, which readers (the shell, cat, head) share.
 *
 * Words are kept raw (quotes and $ intact) until their pipeline starts, so
 * `false; echo $?` sees the status of false.
 */
#include "shell.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ftree.h"
#include "model/xalloc.h"

#define PIPE_CAP  (64 * 1024)
#define REDIR_MAX (16 * 1024 * 1024)
/* Bytes a step may move where no budget applies (pipes, files, /dev/null). */
#define WORK_MAX (4 * 1024 * 1024)
#define CHUNK    4096
#define ECHO_MAX 4096

static const char DEFAULT_PATH[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/* Byte queues */

struct queue {
	unsigned char *p;
	size_t off, len, cap;
};

static void q_push(struct queue *q, const void *d, size_t n)
{
	if (n == 0)
		return;
	if (q->off + q->len + n > q->cap) {
		if (q->off > 0) {
			memmove(q->p, q->p + q->off, q->len);
			q->off = 0;
		}
		if (q->len + n > q->cap) {
			size_t c = q->cap ? q->cap : 256;

			while (c < q->len + n)
				c *= 2;
			q->p = xrealloc(q->p, c);
			q->cap = c;
		}
	}
	memcpy(q->p + q->off + q->len, d, n);
	q->len += n;
}

static void q_puts(struct queue *q, const char *s)
{
	q_push(q, s, strlen(s));
}

static void q_putc(struct queue *q, char c)
{
	q_push(q, &c, 1);
}

__attribute__((format(printf, 2, 3))) static void q_printf(struct queue *q, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		q_push(q, small, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	q_push(q, big, (size_t)n);
	free(big);
}

static unsigned char *q_data(const struct queue *q)
{
	return q->p != NULL ? q->p + q->off : NULL;
}

static void q_drop(struct queue *q, size_t n)
{
	q->off += n;
	q->len -= n;
	if (q->len == 0)
		q->off = 0;
}

static void q_clear(struct queue *q)
{
	q->off = 0;
	q->len = 0;
}

static void q_free(struct queue *q)
{
	free(q->p);
	*q = (struct queue){0};
}

/* The queue's bytes as a string the caller frees; the queue is left empty. */
static char *q_take_str(struct queue *q)
{
	char *s = xmalloc(q->len + 1);

	if (q->len > 0)
		memcpy(s, q_data(q), q->len);
	s[q->len] = '\0';
	q_free(q);
	return s;
}

/* Parsed scripts */

enum redir_op {
	R_OUT,    /* > */
	R_APPEND, /* >> */
	R_IN,     /* < */
	R_DUP,    /* N>&M */
};

struct redir {
	int fd, dupfd;
	enum redir_op op;
	char *target; /* raw */
};

struct cmd {
	char **words; /* raw, or literal when the command came from spec->args */
	size_t nw;
	struct redir *r;
	size_t nr;
};

enum conn {
	C_SEQ, /* ; or newline */
	C_AND, /* && */
	C_OR,  /* || */
};

struct item {
	struct cmd *cmds;
	size_t nc;
	enum conn conn; /* how it joins the item before it */
};

struct script {
	struct item *items;
	size_t n, next;
	bool literal;
};

/* Running pipelines */

enum src_kind {
	SRC_STDIN,
	SRC_PIPE,
	SRC_BLOB,
	SRC_NULL,
};

struct pipe {
	struct queue q;
	bool rclosed, wclosed;
};

struct src {
	enum src_kind kind;
	struct pipe *pipe;
	struct ftree_blob *blob;
	size_t pos;
};

enum sink_kind {
	SINK_TERM,
	SINK_PIPE,
	SINK_FILE,
	SINK_NULL,
};

struct rfile {
	char *path;
	struct queue data;
};

struct sink {
	enum sink_kind kind;
	enum shell_stream stream;
	struct pipe *pipe;
	struct rfile *file;
};

struct shell;
struct proc;

struct builtin {
	const char *name;
	/* Output-at-once builtins: fill p->pend, return the status. */
	int (*text)(struct shell *sh, struct proc *p);
	/* Streaming builtins: do what can be done now, finish() when done. */
	void (*run)(struct shell *sh, struct proc *p);
};

struct proc {
	const struct builtin *b;
	char *name; /* as typed, for "not found" */
	int argc;
	char **argv;
	struct src in;   /* its stdin */
	struct src file; /* a file being read (cat, head, wc) */
	struct src *cur; /* &in or &file while reading, else NULL */
	struct sink out[3];
	struct rfile *files[8];
	size_t nfiles;
	bool solo; /* the only command of its pipeline: cd, exit, export act on the shell */
	bool started, done, raw;
	int status, werr;
	struct queue pend[3];
	int64_t wake; /* > 0: wants to run at this time */
	/* builtin state */
	int argi;
	bool any;
	long long n, cur_n, step, last;
	int mode;
	unsigned char *chunk;
	size_t clen, cpos;
	int64_t t0, next;
	long long counts[3];
};

struct pipeline {
	struct proc *procs;
	size_t n;
	struct pipe *pipes;
};

enum state {
	ST_PROMPT,
	ST_READ,
	ST_NEXT,
	ST_RUN,
	ST_EXIT,
};

struct shell {
	shell_out_fn out;
	void *arg;
	struct ftree *files;
	bool tty, interactive, noecho;
	unsigned cols, rows;
	char *hostname;
	char *cwd;
	char **vars; /* "K=V", in order */
	size_t nvars;
	int last;
	enum state state;
	struct script script;
	struct pipeline pl;
	bool exit_req;
	int exit_req_code;
	bool exited;
	int exit_code;
	/* stdin: raw bytes (TTY, before ldisc), the line being edited, readable bytes */
	struct queue raw, edit, in;
	bool eof_once, stdin_closed, raw_mode, discarding;
	int pending_sig;
	struct queue tq[3];
	/* per step */
	int64_t now;
	size_t budget, work;
	bool starved;
	long wait;
	unsigned progress;
};

/* Variables */

static const char *var_get(const struct shell *sh, const char *name, size_t len)
{
	for (size_t i = 0; i < sh->nvars; i++)
		if (strncmp(sh->vars[i], name, len) == 0 && sh->vars[i][len] == '=')
			return sh->vars[i] + len + 1;
	return NULL;
}

static void var_unset(struct shell *sh, const char *name, size_t len)
{
	for (size_t i = 0; i < sh->nvars; i++) {
		if (strncmp(sh->vars[i], name, len) == 0 && sh->vars[i][len] == '=') {
			free(sh->vars[i]);
			memmove(&sh->vars[i], &sh->vars[i + 1],
				(sh->nvars - i - 1) * sizeof(char *));
			sh->nvars--;
			return;
		}
	}
}

/* kv is "K=V"; replaces K in place or appends. */
static void var_put(struct shell *sh, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t len = eq != NULL ? (size_t)(eq - kv) : strlen(kv);

	if (eq == NULL)
		return;
	for (size_t i = 0; i < sh->nvars; i++) {
		if (strncmp(sh->vars[i], kv, len) == 0 && sh->vars[i][len] == '=') {
			free(sh->vars[i]);
			sh->vars[i] = xstrdup(kv);
			return;
		}
	}
	sh->vars = xreallocarray(sh->vars, sh->nvars + 1, sizeof(char *));
	sh->vars[sh->nvars++] = xstrdup(kv);
}

static void var_set(struct shell *sh, const char *name, const char *value)
{
	char *kv = xasprintf("%s=%s", name, value);

	var_put(sh, kv);
	free(kv);
}

static size_t name_len(const char *s)
{
	size_t n = 0;

	if (!(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	while (s[n] == '_' || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
	       (s[n] >= '0' && s[n] <= '9'))
		n++;
	return n;
}

static bool is_assignment(const char *w)
{
	size_t n = name_len(w);

	return n > 0 && w[n] == '=';
}

/* Paths */

/* rel resolved against cwd, "." and ".." folded: an absolute path the caller frees. */
static char *path_resolve(const char *cwd, const char *rel)
{
	char *joined = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", cwd, rel);
	size_t n = strlen(joined), o = 0;
	char *out = xmalloc(n + 2);
	const char *p = joined;

	while (*p != '\0') {
		const char *e;
		size_t len;

		while (*p == '/')
			p++;
		e = p;
		while (*e != '\0' && *e != '/')
			e++;
		len = (size_t)(e - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(joined);
	return out;
}

static enum ftree_rc f_stat(struct shell *sh, const char *path, bool follow, struct ftree_stat *st)
{
	enum ftree_rc rc;
	char *real = NULL;

	if (sh->files == NULL) {
		if (strcmp(path, "/") != 0)
			return FTREE_NOT_FOUND;
		*st = (struct ftree_stat){.type = FTREE_DIR, .mode = 0755};
		return FTREE_OK;
	}
	if (!follow)
		return ftree_stat(sh->files, path, st);
	rc = ftree_realpath(sh->files, path, &real);
	if (rc == FTREE_OK)
		rc = ftree_stat(sh->files, real, st);
	free(real);
	return rc;
}

static bool is_dir(struct shell *sh, const char *path)
{
	struct ftree_stat st;

	return f_stat(sh, path, true, &st) == FTREE_OK && st.type == FTREE_DIR;
}

static enum ftree_rc f_blob(struct shell *sh, const char *path, struct ftree_blob **out)
{
	*out = NULL;
	return sh->files == NULL ? FTREE_NOT_FOUND : ftree_blob_at(sh->files, path, out);
}

static const char *errstr(enum ftree_rc rc)
{
	switch (rc) {
	case FTREE_NOT_FOUND:
		return "No such file or directory";
	case FTREE_NOT_DIR:
		return "Not a directory";
	case FTREE_IS_DIR:
		return "Is a directory";
	case FTREE_EXISTS:
		return "File exists";
	case FTREE_FULL:
		return "No space left on device";
	case FTREE_BAD_PATH:
		return "Invalid argument";
	case FTREE_OK:
		break;
	}
	return "Success";
}

/* Whether the directory that would hold path exists (ftree_put would make it). */
static enum ftree_rc parent_ok(struct shell *sh, const char *path)
{
	char *dir = path_resolve(path, "..");
	struct ftree_stat st;
	enum ftree_rc rc = f_stat(sh, dir, true, &st);

	free(dir);
	if (rc == FTREE_OK && st.type != FTREE_DIR)
		rc = FTREE_NOT_DIR;
	return rc;
}

/* Puts data at path as a file (0644, mtime from now). */
static enum ftree_rc put_file(struct shell *sh, const char *path, const void *data, size_t n)
{
	if (sh->files == NULL)
		return FTREE_NOT_FOUND;
	return ftree_put(sh->files, path, FTREE_FILE, 0644, sh->now / 1000, ftree_blob_new(data, n),
			 NULL);
}

/* Terminal output */

static void say(struct shell *sh, enum shell_stream s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct shell *sh, enum shell_stream s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	q_puts(&sh->tq[sh->tty ? SHELL_STDOUT : s], buf);
}

/* Writes what the budget allows of d to the caller; returns how much of d went. */
/* TTY output: "\n" becomes "\r\n" (onlcr), in chunks of one out() call each. */
static size_t term_write_tty(struct shell *sh, const unsigned char *d, size_t n)
{
	unsigned char buf[CHUNK];
	size_t done = 0;

	while (done < n && sh->budget > 0) {
		size_t o = 0;

		while (done < n && o + 2 <= sizeof(buf) && o < sh->budget) {
			if (d[done] == '\n') {
				if (o + 2 > sh->budget)
					break;
				buf[o++] = '\r';
			}
			buf[o++] = d[done++];
		}
		if (o == 0)
			break;
		sh->out(sh->arg, SHELL_STDOUT, buf, o);
		sh->budget -= o;
	}
	return done;
}

/* Writes what the budget allows of d to the caller; returns how much of d went. */
static size_t term_write(struct shell *sh, enum shell_stream s, const unsigned char *d, size_t n)
{
	size_t done;

	if (sh->tty) {
		done = term_write_tty(sh, d, n);
	} else {
		done = n < sh->budget ? n : sh->budget;
		if (done > 0)
			sh->out(sh->arg, s, d, done);
		sh->budget -= done;
	}
	if (done < n)
		sh->starved = true;
	return done;
}

static bool tq_flush(struct shell *sh)
{
	for (int s = SHELL_STDOUT; s <= SHELL_STDERR; s++) {
		struct queue *q = &sh->tq[s];

		if (q->len > 0)
			q_drop(q, term_write(sh, (enum shell_stream)s, q_data(q), q->len));
	}
	return sh->tq[1].len == 0 && sh->tq[2].len == 0;
}

/* Procs: input, output, end */

/*
 * Up to max bytes of src (to and including a newline when line is set):
 * > 0 read, 0 end of file, -1 nothing yet.
 */
static long src_read(struct shell *sh, struct src *s, unsigned char *buf, size_t max, bool line)
{
	const unsigned char *d = NULL;
	size_t have = 0;
	struct queue *q = NULL;

	switch (s->kind) {
	case SRC_NULL:
		return 0;
	case SRC_BLOB:
		d = ftree_blob_data(s->blob) + s->pos;
		have = ftree_blob_len(s->blob) - s->pos;
		break;
	case SRC_PIPE:
		q = &s->pipe->q;
		break;
	case SRC_STDIN:
		q = &sh->in;
		break;
	}
	if (q != NULL) {
		d = q_data(q);
		have = q->len;
	}
	if (have == 0) {
		if (s->kind == SRC_BLOB || (s->kind == SRC_PIPE && s->pipe->wclosed) ||
		    (s->kind == SRC_STDIN && sh->stdin_closed))
			return 0;
		if (s->kind == SRC_STDIN && sh->eof_once) {
			sh->eof_once = false;
			return 0;
		}
		return -1;
	}
	if (have > max)
		have = max;
	if (line) {
		const unsigned char *nl = memchr(d, '\n', have);

		if (nl != NULL)
			have = (size_t)(nl - d) + 1;
	}
	memcpy(buf, d, have);
	if (q != NULL)
		q_drop(q, have);
	else
		s->pos += have;
	sh->progress++;
	return (long)have;
}

/* Writes to fd 1 or 2 of p: bytes taken (0: blocked), or -1 with p->werr set. */
static long proc_write(struct shell *sh, struct proc *p, int fd, const void *d, size_t n)
{
	struct sink *k = &p->out[fd];
	size_t w = n;

	if (k->kind == SINK_TERM) {
		if (sh->tq[1].len > 0 || sh->tq[2].len > 0)
			return 0;
		w = term_write(sh, k->stream, d, n);
	} else {
		if (sh->work >= WORK_MAX) {
			sh->starved = true;
			return 0;
		}
		if (k->kind == SINK_PIPE) {
			if (k->pipe->rclosed) {
				p->werr = EPIPE;
				return -1;
			}
			if (w > PIPE_CAP - k->pipe->q.len)
				w = PIPE_CAP - k->pipe->q.len;
			q_push(&k->pipe->q, d, w);
		} else if (k->kind == SINK_FILE) {
			if (k->file->data.len + n > REDIR_MAX) {
				p->werr = ENOSPC;
				return -1;
			}
			q_push(&k->file->data, d, n);
		}
		sh->work += w;
	}
	if (w > 0)
		sh->progress++;
	return (long)w;
}

static void rfile_write(struct shell *sh, struct rfile *f)
{
	enum ftree_rc rc = put_file(sh, f->path, q_data(&f->data), f->data.len);

	if (rc != FTREE_OK)
		say(sh, SHELL_STDERR, "sh: %s: %s\n", f->path, errstr(rc));
	q_free(&f->data);
	free(f->path);
	free(f);
}

/* Ends p: closes its pipes, writes its redirected files. */
static void finish(struct shell *sh, struct proc *p, int status)
{
	if (p->done)
		return;
	p->done = true;
	p->status = status;
	if (p->in.kind == SRC_PIPE)
		p->in.pipe->rclosed = true;
	for (int fd = 1; fd <= 2; fd++)
		if (p->out[fd].kind == SINK_PIPE)
			p->out[fd].pipe->wclosed = true;
	for (size_t i = 0; i < p->nfiles; i++)
		rfile_write(sh, p->files[i]);
	p->nfiles = 0;
	if (p->raw)
		sh->raw_mode = false;
	p->raw = false;
	sh->progress++;
}

static void write_failed(struct shell *sh, struct proc *p)
{
	if (p->werr == EPIPE) {
		finish(sh, p, 128 + SIGPIPE);
		return;
	}
	say(sh, SHELL_STDERR, "%s: write error: %s\n", p->argv[0], strerror(p->werr));
	finish(sh, p, 1);
}

/* Writes p's pending output; true when all of it went (false also when p ended). */
static bool drain(struct shell *sh, struct proc *p)
{
	for (int fd = 1; fd <= 2; fd++) {
		struct queue *q = &p->pend[fd];

		while (q->len > 0) {
			long w = proc_write(sh, p, fd, q_data(q), q->len);

			if (w < 0) {
				write_failed(sh, p);
				return false;
			}
			if (w == 0)
				return false;
			q_drop(q, (size_t)w);
		}
	}
	return !p->done;
}

static void run_text(struct shell *sh, struct proc *p)
{
	if (!p->started) {
		p->started = true;
		p->status = p->b->text(sh, p);
	}
	if (drain(sh, p))
		finish(sh, p, p->status);
}

static void perr(struct proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void perr(struct proc *p, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	q_puts(&p->pend[2], buf);
}

static bool parse_ll(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}

/* Opens a file operand for reading into p->file ("-": stdin); false after a message. */
static bool open_operand(struct shell *sh, struct proc *p, const char *name)
{
	char *path;
	enum ftree_rc rc;
	struct ftree_blob *b;

	if (strcmp(name, "-") == 0) {
		p->cur = &p->in;
		return true;
	}
	path = path_resolve(sh->cwd, name);
	rc = f_blob(sh, path, &b);
	free(path);
	if (rc != FTREE_OK) {
		perr(p, "%s: %s: %s\n", p->argv[0], name, errstr(rc));
		return false;
	}
	ftree_blob_unref(p->file.blob);
	p->file = (struct src){.kind = SRC_BLOB, .blob = b};
	p->cur = &p->file;
	return true;
}

/* Builtins that print at once */

static int b_true(struct shell *sh, struct proc *p)
{
	(void)sh;
	(void)p;
	return 0;
}

static int b_false(struct shell *sh, struct proc *p)
{
	(void)sh;
	(void)p;
	return 1;
}

static int b_notfound(struct shell *sh, struct proc *p)
{
	(void)sh;
	perr(p, "sh: %s: not found\n", p->name);
	return 127;
}

static void put_escaped(struct queue *q, const char *s, bool *stop)
{
	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			q_putc(q, *s);
			continue;
		}
		switch (*++s) {
		case 'n':
			q_putc(q, '\n');
			break;
		case 't':
			q_putc(q, '\t');
			break;
		case 'r':
			q_putc(q, '\r');
			break;
		case 'a':
			q_putc(q, '\a');
			break;
		case 'e':
			q_putc(q, 0x1b);
			break;
		case '\\':
			q_putc(q, '\\');
			break;
		case 'c':
			if (stop != NULL)
				*stop = true;
			return;
		default:
			q_putc(q, '\\');
			q_putc(q, *s);
		}
	}
}

static int b_echo(struct shell *sh, struct proc *p)
{
	bool nl = true, esc = false, stop = false;
	int i = 1;

	(void)sh;
	for (; i < p->argc && p->argv[i][0] == '-' && p->argv[i][1] != '\0'; i++) {
		const char *o = p->argv[i] + 1;

		if (strspn(o, "neE") != strlen(o))
			break;
		for (; *o != '\0'; o++) {
			if (*o == 'n')
				nl = false;
			else
				esc = *o == 'e';
		}
	}
	for (int first = i; i < p->argc && !stop; i++) {
		if (i > first)
			q_putc(&p->pend[1], ' ');
		if (esc)
			put_escaped(&p->pend[1], p->argv[i], &stop);
		else
			q_puts(&p->pend[1], p->argv[i]);
	}
	if (nl && !stop)
		q_putc(&p->pend[1], '\n');
	return 0;
}

/* One printf conversion of arg: flags '-' and '0', a width and a precision. */
static void printf_one(struct queue *q, const char *flags, char conv, const char *arg, long long v)
{
	bool left = false, zero = false;
	long width = 0, prec = -1;
	char num[32];
	const char *body = num;
	size_t len;

	for (; *flags == '-' || *flags == '0' || *flags == '+' || *flags == ' ' || *flags == '#';
	     flags++) {
		left = left || *flags == '-';
		zero = zero || *flags == '0';
	}
	for (; *flags >= '0' && *flags <= '9'; flags++)
		width = width < 4096 ? width * 10 + (*flags - '0') : width;
	if (*flags == '.')
		prec = strtol(flags + 1, NULL, 10);
	if (conv == 's') {
		body = arg;
	} else if (conv == 'x') {
		snprintf(num, sizeof(num), "%llx", (unsigned long long)v);
	} else if (conv == 'X') {
		snprintf(num, sizeof(num), "%llX", (unsigned long long)v);
	} else if (conv == 'o') {
		snprintf(num, sizeof(num), "%llo", (unsigned long long)v);
	} else if (conv == 'u') {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	} else {
		snprintf(num, sizeof(num), "%lld", v);
	}
	len = strlen(body);
	if (conv == 's' && prec >= 0 && (size_t)prec < len)
		len = (size_t)prec;
	if (width > 4096)
		width = 4096;
	if (conv != 's' && zero && !left && body[0] == '-') {
		q_putc(q, '-');
		body++;
		len--;
		width--;
	}
	for (long i = (long)len; !left && i < width; i++)
		q_putc(q, zero && conv != 's' ? '0' : ' ');
	q_push(q, body, len);
	for (long i = (long)len; left && i < width; i++)
		q_putc(q, ' ');
}

/* printf: %s %b %c %d %i %u %x %X %o %% with flags, width, precision; the format reused. */
static int b_printf(struct shell *sh, struct proc *p)
{
	int ai = 2, rc = 0;

	(void)sh;
	if (p->argc < 2) {
		perr(p, "printf: usage: printf format [arguments]\n");
		return 2;
	}
	do {
		int used = ai;

		for (const char *f = p->argv[1]; *f != '\0'; f++) {
			char flags[24], two[3] = {'\\', f[1], '\0'};
			size_t fl = 0;
			long long v = 0;
			const char *arg;

			if (*f == '\\') {
				put_escaped(&p->pend[1], two, NULL);
				f += f[1] != '\0';
				continue;
			}
			if (*f != '%') {
				q_putc(&p->pend[1], *f);
				continue;
			}
			for (f++; *f != '\0' && strchr("-+ 0#.123456789", *f) != NULL; f++)
				if (fl + 1 < sizeof(flags))
					flags[fl++] = *f;
			flags[fl] = '\0';
			if (*f == '\0')
				break;
			if (*f == '%') {
				q_putc(&p->pend[1], '%');
				continue;
			}
			arg = ai < p->argc ? p->argv[ai++] : "";
			if (*f == 'b') {
				put_escaped(&p->pend[1], arg, NULL);
			} else if (*f == 'c') {
				q_push(&p->pend[1], arg, arg[0] != '\0');
			} else if (*f == 's') {
				printf_one(&p->pend[1], flags, 's', arg, 0);
			} else if (strchr("diuxXo", *f) != NULL) {
				if (arg[0] != '\0' && !parse_ll(arg, &v)) {
					perr(p, "printf: %s: invalid number\n", arg);
					rc = 1;
				}
				printf_one(&p->pend[1], flags, *f, arg, v);
			} else {
				perr(p, "printf: %%%c: invalid directive\n", *f);
				return 1;
			}
		}
		if (ai == used)
			break;
	} while (ai < p->argc);
	return rc;
}

static int b_pwd(struct shell *sh, struct proc *p)
{
	q_printf(&p->pend[1], "%s\n", sh->cwd);
	return 0;
}

static int b_cd(struct shell *sh, struct proc *p)
{
	const char *to = p->argc > 1 ? p->argv[1] : var_get(sh, "HOME", 4);
	struct ftree_stat st;
	enum ftree_rc rc;
	char *path;

	if (to == NULL || to[0] == '\0')
		to = "/";
	if (strcmp(to, "-") == 0) {
		to = var_get(sh, "OLDPWD", 6);
		if (to == NULL) {
			perr(p, "sh: cd: OLDPWD not set\n");
			return 1;
		}
		q_printf(&p->pend[1], "%s\n", to);
	}
	path = path_resolve(sh->cwd, to);
	rc = f_stat(sh, path, true, &st);
	if (rc == FTREE_OK && st.type != FTREE_DIR)
		rc = FTREE_NOT_DIR;
	if (rc != FTREE_OK) {
		perr(p, "sh: cd: %s: %s\n", to, errstr(rc));
		free(path);
		return 1;
	}
	if (p->solo) {
		var_set(sh, "OLDPWD", sh->cwd);
		var_set(sh, "PWD", path);
		free(sh->cwd);
		sh->cwd = path;
		path = NULL;
	}
	free(path);
	return 0;
}

static int b_exit(struct shell *sh, struct proc *p)
{
	long long v = sh->last;

	if (p->argc > 1 && !parse_ll(p->argv[1], &v)) {
		perr(p, "sh: exit: %s: numeric argument required\n", p->argv[1]);
		v = 2;
	}
	if (p->solo) {
		sh->exit_req = true;
		sh->exit_req_code = (int)(v & 0xff);
	}
	return (int)(v & 0xff);
}

static int b_export(struct shell *sh, struct proc *p)
{
	for (int i = 1; i < p->argc && p->solo; i++) {
		if (strchr(p->argv[i], '=') != NULL)
			var_put(sh, p->argv[i]);
	}
	if (p->argc == 1)
		for (size_t i = 0; i < sh->nvars; i++)
			q_printf(&p->pend[1], "export %s\n", sh->vars[i]);
	return 0;
}

static int b_assign(struct shell *sh, struct proc *p)
{
	for (int i = 0; i < p->argc && p->solo; i++)
		var_put(sh, p->argv[i]);
	return 0;
}

static int b_unset(struct shell *sh, struct proc *p)
{
	for (int i = 1; i < p->argc && p->solo; i++)
		var_unset(sh, p->argv[i], strlen(p->argv[i]));
	return 0;
}

static int b_env(struct shell *sh, struct proc *p)
{
	if (p->argc > 1) {
		perr(p, "env: running a command is not supported here\n");
		return 125;
	}
	for (size_t i = 0; i < sh->nvars; i++)
		q_printf(&p->pend[1], "%s\n", sh->vars[i]);
	return 0;
}

static int b_hostname(struct shell *sh, struct proc *p)
{
	q_printf(&p->pend[1], "%s\n", sh->hostname);
	return 0;
}

static int b_uname(struct shell *sh, struct proc *p)
{
	static const char *const part[] = {
		"Linux", NULL, "6.1.0-boxlite", "#1 SMP PREEMPT_DYNAMIC", "x86_64", "GNU/Linux"};
	static const char letters[] = "snrvmo";
	bool want[6] = {false};
	bool any = false, first = true;

	for (int i = 1; i < p->argc; i++) {
		const char *o = p->argv[i];

		if (o[0] != '-') {
			perr(p, "uname: extra operand '%s'\n", o);
			return 1;
		}
		for (o++; *o != '\0'; o++) {
			const char *at = strchr(letters, *o);

			if (*o == 'a') {
				memset(want, 1, sizeof(want));
			} else if (at != NULL) {
				want[at - letters] = true;
			} else {
				perr(p, "uname: invalid option -- '%c'\n", *o);
				return 1;
			}
			any = true;
		}
	}
	if (!any)
		want[0] = true;
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		if (!want[i])
			continue;
		q_printf(&p->pend[1], "%s%s", first ? "" : " ", i == 1 ? sh->hostname : part[i]);
		first = false;
	}
	q_putc(&p->pend[1], '\n');
	return 0;
}

static int b_stty(struct shell *sh, struct proc *p)
{
	if (!sh->tty || p->in.kind != SRC_STDIN) {
		perr(p, "stty: 'standard input': Inappropriate ioctl for device\n");
		return 1;
	}
	for (int i = 1; i < p->argc; i++) {
		const char *a = p->argv[i];
		long long v;

		if (strcmp(a, "size") == 0) {
			q_printf(&p->pend[1], "%u %u\n", sh->rows, sh->cols);
		} else if (strcmp(a, "-echo") == 0) {
			sh->noecho = true;
		} else if (strcmp(a, "echo") == 0 || strcmp(a, "sane") == 0) {
			sh->noecho = false;
		} else if ((strcmp(a, "rows") == 0 || strcmp(a, "cols") == 0 ||
			    strcmp(a, "columns") == 0) &&
			   i + 1 < p->argc && parse_ll(p->argv[i + 1], &v) && v > 0 && v < 10000) {
			if (a[0] == 'r')
				sh->rows = (unsigned)v;
			else
				sh->cols = (unsigned)v;
			i++;
		}
	}
	return 0;
}

static int b_clear(struct shell *sh, struct proc *p)
{
	(void)sh;
	q_puts(&p->pend[1], "\x1b[H\x1b[2J\x1b[3J");
	return 0;
}

static int b_mkdir(struct shell *sh, struct proc *p)
{
	bool parents = false;
	int rc = 0;

	for (int i = 1; i < p->argc; i++) {
		const char *a = p->argv[i];
		struct ftree_stat st;
		enum ftree_rc r;
		char *path;

		if (strcmp(a, "-p") == 0) {
			parents = true;
			continue;
		}
		path = path_resolve(sh->cwd, a);
		r = f_stat(sh, path, true, &st);
		if (r == FTREE_OK) {
			if (st.type != FTREE_DIR || !parents)
				r = FTREE_EXISTS;
		} else {
			r = parents ? FTREE_OK : parent_ok(sh, path);
			if (r == FTREE_OK)
				r = sh->files != NULL ? ftree_mkdir(sh->files, path, 0755)
						      : FTREE_NOT_FOUND;
		}
		if (r != FTREE_OK) {
			perr(p, "mkdir: cannot create directory '%s': %s\n", a, errstr(r));
			rc = 1;
		}
		free(path);
	}
	if (p->argc < 2) {
		perr(p, "mkdir: missing operand\n");
		rc = 1;
	}
	return rc;
}

static int b_touch(struct shell *sh, struct proc *p)
{
	int rc = 0;

	for (int i = 1; i < p->argc; i++) {
		char *path = path_resolve(sh->cwd, p->argv[i]);
		struct ftree_blob *b = NULL;
		enum ftree_rc r = f_blob(sh, path, &b);

		if (r == FTREE_OK)
			r = ftree_put(sh->files, path, FTREE_FILE, 0644, sh->now / 1000, b, NULL);
		else if (r == FTREE_NOT_FOUND && (r = parent_ok(sh, path)) == FTREE_OK)
			r = put_file(sh, path, "", 0);
		else if (r == FTREE_IS_DIR)
			r = FTREE_OK;
		if (r != FTREE_OK) {
			perr(p, "touch: cannot touch '%s': %s\n", p->argv[i], errstr(r));
			rc = 1;
		}
		free(path);
	}
	if (p->argc < 2) {
		perr(p, "touch: missing file operand\n");
		rc = 1;
	}
	return rc;
}

static int b_rm(struct shell *sh, struct proc *p)
{
	int rc = 0;

	for (int i = 1; i < p->argc; i++) {
		struct ftree_stat st;
		char *path;

		if (p->argv[i][0] == '-')
			continue;
		path = path_resolve(sh->cwd, p->argv[i]);
		if (f_stat(sh, path, false, &st) != FTREE_OK)
			perr(p, "rm: cannot remove '%s': No such file or directory\n", p->argv[i]);
		else
			perr(p, "rm: cannot remove '%s': Operation not permitted\n", p->argv[i]);
		rc = 1;
		free(path);
	}
	return rc;
}

/* ls */

struct ls_opts {
	bool all, almost, longf, dir_only;
};

static void ls_mode(char out[11], enum ftree_type type, unsigned mode)
{
	static const char rwx[] = "rwxrwxrwx";

	out[0] = type == FTREE_DIR ? 'd' : type == FTREE_LINK ? 'l' : '-';
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static void ls_line(struct queue *q, const struct ls_opts *o, const char *name,
		    enum ftree_type type, unsigned mode, int64_t mtime, uint64_t size,
		    const char *target)
{
	char m[11], when[32];
	time_t t = (time_t)mtime;
	struct tm tm;

	if (!o->longf) {
		q_printf(q, "%s\n", name);
		return;
	}
	ls_mode(m, type, mode);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%b %e %H:%M", &tm);
	q_printf(q, "%s %u root root %8" PRIu64 " %s %s", m, type == FTREE_DIR ? 2u : 1u,
		 type == FTREE_DIR ? (uint64_t)4096 : size, when, name);
	if (type == FTREE_LINK && target != NULL)
		q_printf(q, " -> %s", target);
	q_putc(q, '\n');
}

static void ls_dir(struct shell *sh, struct proc *p, const struct ls_opts *o, const char *path)
{
	struct ftree_entry *e = NULL;
	size_t n = 0;
	uint64_t blocks = 0;
	struct ftree_stat st;

	if (sh->files != NULL && ftree_list(sh->files, path, &e, &n) != FTREE_OK)
		n = 0;
	for (size_t i = 0; i < n; i++)
		if (o->all || o->almost || e[i].path[0] != '.')
			blocks += e[i].type == FTREE_DIR
					  ? 4
					  : (ftree_blob_len(e[i].blob) + 4095) / 4096 * 4;
	if (o->longf)
		q_printf(&p->pend[1], "total %" PRIu64 "\n", blocks);
	if (o->all && f_stat(sh, path, true, &st) == FTREE_OK) {
		ls_line(&p->pend[1], o, ".", FTREE_DIR, st.mode, st.mtime, 0, NULL);
		ls_line(&p->pend[1], o, "..", FTREE_DIR, 0755, st.mtime, 0, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		const char *name =
			strrchr(e[i].path, '/') ? strrchr(e[i].path, '/') + 1 : e[i].path;
		uint64_t size = e[i].type == FTREE_FILE ? ftree_blob_len(e[i].blob)
				: e[i].target != NULL   ? strlen(e[i].target)
							: 0;

		if (name[0] == '.' && !o->all && !o->almost)
			continue;
		ls_line(&p->pend[1], o, name, e[i].type, e[i].mode, e[i].mtime, size, e[i].target);
	}
	ftree_entries_free(e, n);
}

/* ls's options into o and its operands into ops ("." when none); -1 on a bad option. */
static int ls_args(struct proc *p, struct ls_opts *o, const char **ops, size_t *nops)
{
	*nops = 0;
	for (int i = 1; i < p->argc; i++) {
		const char *a = p->argv[i];

		if (a[0] != '-' || a[1] == '\0') {
			ops[(*nops)++] = a;
			continue;
		}
		for (a++; *a != '\0'; a++) {
			if (*a == 'a') {
				o->all = true;
			} else if (*a == 'A') {
				o->almost = true;
			} else if (*a == 'l') {
				o->longf = true;
			} else if (*a == 'd') {
				o->dir_only = true;
			} else if (strchr("1hFp", *a) == NULL) {
				perr(p, "ls: invalid option -- '%c'\n", *a);
				return -1;
			}
		}
	}
	if (*nops == 0)
		ops[(*nops)++] = ".";
	return 0;
}

/* ls [-laAd] [path...]: files first, then directories (one name a line, sorted by name). */
static int b_ls(struct shell *sh, struct proc *p)
{
	struct ls_opts o = {0};
	const char **ops = xcalloc((size_t)p->argc + 1, sizeof(char *));
	const char **dirs = xcalloc((size_t)p->argc + 1, sizeof(char *));
	size_t nd = 0, nops = 0;
	int rc = 0;
	bool printed = false;

	if (ls_args(p, &o, ops, &nops) < 0)
		rc = 2;
	for (size_t i = 0; rc != 2 && i < nops; i++) {
		struct ftree_stat st, lst;
		char *path = path_resolve(sh->cwd, ops[i]);

		if (f_stat(sh, path, false, &lst) != FTREE_OK) {
			perr(p, "ls: cannot access '%s': No such file or directory\n", ops[i]);
			rc = 2;
		} else if (f_stat(sh, path, true, &st) == FTREE_OK && st.type == FTREE_DIR &&
			   !o.dir_only && !(o.longf && lst.type == FTREE_LINK)) {
			dirs[nd++] = ops[i];
		} else {
			ls_line(&p->pend[1], &o, ops[i], lst.type, lst.mode, lst.mtime, lst.size,
				NULL);
			printed = true;
		}
		free(path);
	}
	for (size_t i = 0; i < nd; i++) {
		char *path = path_resolve(sh->cwd, dirs[i]);

		if (printed || i > 0)
			q_putc(&p->pend[1], '\n');
		if (nops > 1)
			q_printf(&p->pend[1], "%s:\n", dirs[i]);
		ls_dir(sh, p, &o, path);
		free(path);
	}
	free(ops);
	free(dirs);
	return rc;
}

/* Streaming builtins */

/* cat: each operand (stdin when none) copied to stdout. */
static void run_cat(struct shell *sh, struct proc *p)
{
	unsigned char buf[CHUNK];

	while (drain(sh, p)) {
		if (p->cur == NULL) {
			const char *a = NULL;

			while (p->argi + 1 < p->argc && a == NULL) {
				a = p->argv[++p->argi];
				if (a[0] == '-' && a[1] != '\0')
					a = NULL;
			}
			if (a == NULL && p->any) {
				finish(sh, p, p->status);
				return;
			}
			p->any = true;
			if (!open_operand(sh, p, a != NULL ? a : "-"))
				p->status = 1;
			continue;
		}
		long n = src_read(sh, p->cur, buf, sizeof(buf), false);

		if (n < 0)
			return;
		if (n == 0)
			p->cur = NULL;
		q_push(&p->pend[1], buf, (size_t)n);
	}
}

/* head -n N / -c N: the first lines or bytes of each operand (stdin when none). */
static bool head_opts(struct proc *p)
{
	p->n = 10;
	p->mode = 'n';
	for (p->argi = 1; p->argi < p->argc; p->argi++) {
		const char *a = p->argv[p->argi];
		const char *v = NULL;

		if (a[0] != '-' || a[1] == '\0')
			break;
		if ((a[1] == 'n' || a[1] == 'c') && a[2] == '\0' && p->argi + 1 < p->argc)
			v = p->argv[++p->argi];
		else if (a[1] == 'n' || a[1] == 'c')
			v = a + 2;
		else if (a[1] >= '0' && a[1] <= '9')
			v = a + 1;
		if (v == NULL || !parse_ll(v, &p->n) || p->n < 0) {
			perr(p, "head: invalid option or number '%s'\n", a);
			return false;
		}
		p->mode = a[1] == 'c' ? 'c' : 'n';
	}
	p->argi--;
	return true;
}

static void run_head(struct shell *sh, struct proc *p)
{
	unsigned char buf[CHUNK];

	if (!p->started) {
		p->started = true;
		if (!head_opts(p)) {
			p->status = 1;
			p->any = true;
			p->argi = p->argc;
		}
	}
	while (drain(sh, p)) {
		if (p->cur == NULL) {
			if (p->argi + 1 >= p->argc && p->any) {
				finish(sh, p, p->status);
				return;
			}
			p->any = true;
			p->cur_n = p->n;
			if (!open_operand(sh, p, p->argi + 1 < p->argc ? p->argv[++p->argi] : "-"))
				p->status = 1;
			continue;
		}
		size_t want = sizeof(buf);
		long n = 0;

		if (p->mode == 'c' && (long long)want > p->cur_n)
			want = (size_t)p->cur_n;
		if (p->cur_n > 0)
			n = src_read(sh, p->cur, buf, want, p->mode == 'n');
		if (n < 0)
			return;
		if (n == 0) {
			p->cur = NULL;
			continue;
		}
		q_push(&p->pend[1], buf, (size_t)n);
		p->cur_n -= p->mode == 'c' ? n : buf[n - 1] == '\n';
	}
}

static void wc_report(struct proc *p)
{
	const char *sep = "";

	for (int i = 0; i < 3; i++) {
		if (p->mode & (1 << i)) {
			q_printf(&p->pend[1], p->mode == (1 << i) ? "%s%lld" : "%s%7lld", sep,
				 p->counts[i]);
			sep = " ";
		}
	}
	if (p->cur == &p->file)
		q_printf(&p->pend[1], " %s", p->argv[p->argi]);
	q_putc(&p->pend[1], '\n');
}

/* wc [-lwc] [file]: lines, words, bytes. */
static void run_wc(struct shell *sh, struct proc *p)
{
	unsigned char buf[CHUNK];

	if (!p->started) {
		p->started = true;
		p->cur = &p->in;
		for (p->argi = 1; p->argi < p->argc && p->argv[p->argi][0] == '-'; p->argi++)
			for (const char *o = p->argv[p->argi] + 1; *o != '\0'; o++)
				p->mode |= *o == 'l' ? 1 : *o == 'w' ? 2 : *o == 'c' ? 4 : 0;
		if (p->mode == 0)
			p->mode = 7;
		if (p->argi < p->argc && !open_operand(sh, p, p->argv[p->argi])) {
			p->status = 1;
			p->cur = NULL;
		}
	}
	while (drain(sh, p)) {
		long n = p->cur != NULL ? src_read(sh, p->cur, buf, sizeof(buf), false) : 0;

		if (n < 0)
			return;
		if (n == 0 && p->cur != NULL) {
			wc_report(p);
			p->cur = NULL;
			continue;
		}
		if (n == 0) {
			finish(sh, p, p->status);
			return;
		}
		for (long i = 0; i < n; i++) {
			bool space = buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t';

			p->counts[0] += buf[i] == '\n';
			p->counts[1] += !space && !p->any;
			p->any = !space;
		}
		p->counts[2] += n;
	}
}

static void run_yes(struct shell *sh, struct proc *p)
{
	if (p->chunk == NULL) {
		struct queue line = {0}, chunk = {0};

		for (int i = 1; i < p->argc; i++) {
			if (i > 1)
				q_putc(&line, ' ');
			q_puts(&line, p->argv[i]);
		}
		if (p->argc < 2)
			q_putc(&line, 'y');
		q_putc(&line, '\n');
		do
			q_push(&chunk, q_data(&line), line.len);
		while (chunk.len + line.len <= CHUNK);
		q_free(&line);
		p->clen = chunk.len;
		p->chunk = (unsigned char *)q_take_str(&chunk);
	}
	for (;;) {
		long w = proc_write(sh, p, 1, p->chunk + p->cpos, p->clen - p->cpos);

		if (w < 0) {
			write_failed(sh, p);
			return;
		}
		if (w == 0)
			return;
		p->cpos = (p->cpos + (size_t)w) % p->clen;
	}
}

static void run_seq(struct shell *sh, struct proc *p)
{
	if (!p->started) {
		long long a[3];
		int n = p->argc - 1;

		p->started = true;
		for (int i = 0; i < n && i < 3; i++) {
			if (!parse_ll(p->argv[i + 1], &a[i])) {
				perr(p, "seq: invalid argument: '%s'\n", p->argv[i + 1]);
				n = -1;
			}
		}
		if (n < 1 || n > 3) {
			if (n >= 0)
				perr(p, "seq: %s operand\n", n < 1 ? "missing" : "extra");
			p->status = 1;
			p->cur_n = 1;
			p->last = 0;
			p->step = 1;
		} else {
			p->cur_n = n == 1 ? 1 : a[0];
			p->step = n == 3 ? a[1] : 1;
			p->last = a[n - 1];
			if (p->step == 0) {
				perr(p, "seq: invalid Zero increment value: '0'\n");
				p->status = 1;
				p->last = p->cur_n - 1;
				p->step = 1;
			}
		}
	}
	while (drain(sh, p)) {
		if (p->step > 0 ? p->cur_n > p->last : p->cur_n < p->last) {
			finish(sh, p, p->status);
			return;
		}
		for (int i = 0;
		     i < 256 && (p->step > 0 ? p->cur_n <= p->last : p->cur_n >= p->last); i++) {
			q_printf(&p->pend[1], "%lld\n", p->cur_n);
			if ((p->step > 0 && p->cur_n > LLONG_MAX - p->step) ||
			    (p->step < 0 && p->cur_n < LLONG_MIN - p->step)) {
				p->last = p->step > 0 ? LLONG_MIN : LLONG_MAX;
				break;
			}
			p->cur_n += p->step;
		}
	}
}

/* A duration in ms ("1", "0.5", "2m", "infinity"); -1 when it is not one. */
static long long parse_duration(const char *s)
{
	char *end;
	double v;

	if (strcmp(s, "infinity") == 0)
		return LLONG_MAX / 4;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0 || !isfinite(v))
		return -1;
	if (*end == 'm')
		v *= 60;
	else if (*end == 'h')
		v *= 3600;
	else if (*end == 'd')
		v *= 86400;
	else if (*end != 's' && *end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	v *= 1000;
	return v > (double)(LLONG_MAX / 4) ? LLONG_MAX / 4 : (long long)ceil(v);
}

static void run_sleep(struct shell *sh, struct proc *p)
{
	if (!p->started) {
		long long total = 0;

		p->started = true;
		for (int i = 1; i < p->argc; i++) {
			long long ms = parse_duration(p->argv[i]);

			if (ms < 0) {
				perr(p, "sleep: invalid time interval '%s'\n", p->argv[i]);
				p->status = 1;
			}
			total += ms > 0 ? ms : 0;
			if (total > LLONG_MAX / 4)
				total = LLONG_MAX / 4;
		}
		if (p->argc < 2) {
			perr(p, "sleep: missing operand\n");
			p->status = 1;
		}
		p->next = p->status != 0 ? sh->now : sh->now + total;
	}
	if (!drain(sh, p))
		return;
	if (sh->now >= p->next)
		finish(sh, p, p->status);
	else
		p->wake = p->next;
}

/* top: a screen redrawn every second from now_ms until q, Ctrl-C or -n frames. */
static void top_frame(struct shell *sh, struct proc *p)
{
	int64_t up = (sh->now - p->t0) / 1000 + 60;
	long long tick = (sh->now - p->t0) / 1000;
	unsigned cpu = (unsigned)(tick * 37 % 50);
	char lines[12][160];
	int n = 0;
	struct tm tm;
	time_t t = (time_t)(sh->now / 1000);

	gmtime_r(&t, &tm);
	snprintf(lines[n++], sizeof(lines[0]),
		 "top - %02d:%02d:%02d up %2" PRId64
		 " min,  0 users,  load average: 0.%02u, 0.%02u, "
		 "0.%02u",
		 tm.tm_hour, tm.tm_min, tm.tm_sec, up / 60, cpu, cpu / 2, cpu / 4);
	snprintf(lines[n++], sizeof(lines[0]),
		 "Tasks:   2 total,   1 running,   1 sleeping,   0 stopped,   0 zombie");
	snprintf(lines[n++], sizeof(lines[0]),
		 "%%Cpu(s):  %u.%u us,  0.3 sy,  0.0 ni, %2u.%u id,  0.0 wa,  0.0 hi,  0.0 si,  "
		 "0.0 st",
		 cpu / 10, cpu % 10, 99 - cpu / 10, 9 - cpu % 10);
	snprintf(lines[n++], sizeof(lines[0]),
		 "MiB Mem :    512.0 total,    %3u.0 free,     %2u.0 used,      8.0 buff/cache",
		 480 - cpu / 5, 24 + cpu / 5);
	snprintf(lines[n++], sizeof(lines[0]),
		 "MiB Swap:      0.0 total,      0.0 free,      0.0 used.    %3u.0 avail Mem",
		 480 - cpu / 5);
	lines[n++][0] = '\0';
	snprintf(
		lines[n++], sizeof(lines[0]),
		"    PID USER      PR  NI    VIRT    RES    SHR S  %%CPU  %%MEM     TIME+ COMMAND");
	snprintf(lines[n++], sizeof(lines[0]),
		 "      1 root      20   0    2480    580    512 S   0.0   0.1   0:00.01 sh");
	snprintf(lines[n++], sizeof(lines[0]),
		 "      7 root      20   0    7292   3104   2716 R   %u.%u   0.6   0:%02lld.%02lld "
		 "top",
		 cpu / 10, cpu % 10, tick / 100 % 60, tick % 100);
	if (!p->mode)
		q_puts(&p->pend[1], "\x1b[H\x1b[2J");
	for (int i = 0; i < n && (unsigned)i < sh->rows; i++) {
		size_t len = strlen(lines[i]);

		q_push(&p->pend[1], lines[i], len < sh->cols ? len : sh->cols);
		q_putc(&p->pend[1], '\n');
	}
	if (p->mode)
		q_putc(&p->pend[1], '\n');
}

static void run_top(struct shell *sh, struct proc *p)
{
	unsigned char buf[64];

	if (!p->started) {
		p->started = true;
		p->t0 = sh->now;
		p->next = sh->now;
		p->step = 1000;
		p->n = -1;
		for (int i = 1; i < p->argc; i++) {
			long long v;

			if (strcmp(p->argv[i], "-b") == 0)
				p->mode = 1;
			else if (strcmp(p->argv[i], "-n") == 0 && i + 1 < p->argc &&
				 parse_ll(p->argv[++i], &v) && v > 0)
				p->n = v;
			else if (strcmp(p->argv[i], "-d") == 0 && i + 1 < p->argc &&
				 parse_duration(p->argv[i + 1]) > 0)
				p->step = parse_duration(p->argv[++i]);
		}
		if (sh->tty && p->in.kind == SRC_STDIN) {
			p->raw = true;
			sh->raw_mode = true;
		}
	}
	while (drain(sh, p)) {
		long n = src_read(sh, &p->in, buf, sizeof(buf), false);

		if (n > 0 && memchr(buf, 'q', (size_t)n) != NULL) {
			finish(sh, p, 0);
			return;
		}
		if (n > 0)
			continue;
		if (p->n == 0) {
			finish(sh, p, 0);
			return;
		}
		if (sh->now < p->next) {
			p->wake = p->next;
			return;
		}
		top_frame(sh, p);
		p->n -= p->n > 0;
		p->next += p->step;
		if (p->next <= sh->now)
			p->next = sh->now + p->step;
	}
}

static const struct builtin builtins[] = {
	{":", b_true, NULL},
	{"cat", NULL, run_cat},
	{"cd", b_cd, NULL},
	{"clear", b_clear, NULL},
	{"echo", b_echo, NULL},
	{"env", b_env, NULL},
	{"exit", b_exit, NULL},
	{"export", b_export, NULL},
	{"false", b_false, NULL},
	{"head", NULL, run_head},
	{"hostname", b_hostname, NULL},
	{"ls", b_ls, NULL},
	{"mkdir", b_mkdir, NULL},
	{"printenv", b_env, NULL},
	{"printf", b_printf, NULL},
	{"pwd", b_pwd, NULL},
	{"rm", b_rm, NULL},
	{"seq", NULL, run_seq},
	{"sleep", NULL, run_sleep},
	{"stty", b_stty, NULL},
	{"top", NULL, run_top},
	{"touch", b_touch, NULL},
	{"true", b_true, NULL},
	{"uname", b_uname, NULL},
	{"unset", b_unset, NULL},
	{"wc", NULL, run_wc},
	{"yes", NULL, run_yes},
};

static const struct builtin b_assign_entry = {"=", b_assign, NULL};
static const struct builtin b_notfound_entry = {"?", b_notfound, NULL};

static const char *base_name(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash != NULL ? slash + 1 : s;
}

static bool is_shell_name(const char *name)
{
	return strcmp(name, "sh") == 0 || strcmp(name, "bash") == 0 || strcmp(name, "ash") == 0 ||
	       strcmp(name, "dash") == 0;
}

static const struct builtin *builtin_find(const char *cmd)
{
	const char *name = base_name(cmd);

	for (size_t i = 0; i < ARRAY_LEN(builtins); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* Parsing */

static void cmd_free(struct cmd *c)
{
	for (size_t i = 0; i < c->nw; i++)
		free(c->words[i]);
	for (size_t i = 0; i < c->nr; i++)
		free(c->r[i].target);
	free(c->words);
	free(c->r);
}

static void script_free(struct script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = 0; j < s->items[i].nc; j++)
			cmd_free(&s->items[i].cmds[j]);
		free(s->items[i].cmds);
	}
	free(s->items);
	*s = (struct script){0};
}

static struct cmd *cur_cmd(struct script *s)
{
	struct item *it = &s->items[s->n - 1];

	return &it->cmds[it->nc - 1];
}

static void new_item(struct script *s, enum conn conn)
{
	s->items = xreallocarray(s->items, s->n + 1, sizeof(*s->items));
	s->items[s->n++] =
		(struct item){.cmds = xcalloc(1, sizeof(struct cmd)), .nc = 1, .conn = conn};
}

static void new_cmd(struct script *s)
{
	struct item *it = &s->items[s->n - 1];

	it->cmds = xreallocarray(it->cmds, it->nc + 1, sizeof(*it->cmds));
	it->cmds[it->nc++] = (struct cmd){0};
}

static bool cmd_empty(const struct cmd *c)
{
	return c->nw == 0 && c->nr == 0;
}

/* One raw word from *pp (quotes kept); NULL with *err on an unterminated quote. */
static char *lex_word(const char **pp, const char *end, const char **err)
{
	const char *p = *pp, *start = p;

	while (p < end && strchr(" \t\n;|&<>", *p) == NULL) {
		if (*p == '\\') {
			p += p + 1 < end ? 2 : 1;
		} else if (*p == '\'' || *p == '"') {
			char qc = *p++;

			while (p < end && *p != qc)
				p += (qc == '"' && *p == '\\' && p + 1 < end) ? 2 : 1;
			if (p >= end) {
				*err = "unterminated quoted string";
				return NULL;
			}
			p++;
		} else {
			p++;
		}
	}
	*pp = p;
	return xstrndup(start, (size_t)(p - start));
}

static int lex_redir(const char **pp, const char *end, struct cmd *c, const char **err)
{
	const char *p = *pp;
	struct redir r = {.fd = 1, .dupfd = -1};

	if (*p >= '0' && *p <= '9')
		r.fd = *p++ - '0';
	else if (*p == '<')
		r.fd = 0;
	if (*p == '<') {
		r.op = R_IN;
		p++;
	} else if (p + 1 < end && p[1] == '>') {
		r.op = R_APPEND;
		p += 2;
	} else if (p + 2 < end && p[1] == '&' && p[2] >= '0' && p[2] <= '9') {
		r.op = R_DUP;
		r.dupfd = p[2] - '0';
		p += 3;
	} else {
		r.op = R_OUT;
		p++;
	}
	if (r.op != R_DUP) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || strchr("\n;|&<>", *p) != NULL) {
			*err = "syntax error: missing file name after redirection";
			return -1;
		}
		r.target = lex_word(&p, end, err);
		if (r.target == NULL)
			return -1;
	}
	if (r.fd > 2 || r.dupfd > 2) {
		free(r.target);
		*err = "only file descriptors 0, 1 and 2 can be redirected";
		return -1;
	}
	c->r = xreallocarray(c->r, c->nr + 1, sizeof(*c->r));
	c->r[c->nr++] = r;
	*pp = p;
	return 0;
}

/* Ends the item being built; an empty one is dropped, a dangling | or && is an error. */
static int end_item(struct script *s, bool after_op, const char **err)
{
	struct item *it = &s->items[s->n - 1];

	if (!cmd_empty(&it->cmds[it->nc - 1]))
		return 0;
	if (it->nc > 1 || after_op) {
		*err = "syntax error: unexpected end of command";
		return -1;
	}
	free(it->cmds);
	s->n--;
	return 0;
}

/* Parses src into s (words stay raw); -1 with *err on a syntax error. */
static int parse(const char *src, size_t len, struct script *s, const char **err)
{
	const char *p = src, *end = src + len;
	bool after_op = false;

	*s = (struct script){0};
	new_item(s, C_SEQ);
	while (p < end) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '\r') {
			p++;
		} else if (c == '#') {
			while (p < end && *p != '\n')
				p++;
		} else if (c == '\n' || c == ';' || (c == '&' && (p + 1 >= end || p[1] != '&'))) {
			if (end_item(s, after_op && c == ';', err) < 0)
				goto fail;
			after_op = false;
			new_item(s, C_SEQ);
			p++;
		} else if ((c == '&' || c == '|') && p + 1 < end && p[1] == c) {
			if (cmd_empty(cur_cmd(s))) {
				*err = "syntax error near unexpected token";
				goto fail;
			}
			new_item(s, c == '&' ? C_AND : C_OR);
			after_op = true;
			p += 2;
		} else if (c == '|') {
			if (cmd_empty(cur_cmd(s))) {
				*err = "syntax error near unexpected token `|'";
				goto fail;
			}
			new_cmd(s);
			after_op = true;
			p++;
		} else if (c == '<' || c == '>' ||
			   (c >= '0' && c <= '9' && p + 1 < end && (p[1] == '>' || p[1] == '<') &&
			    (p == src || strchr(" \t\n;|&", p[-1]) != NULL))) {
			if (lex_redir(&p, end, cur_cmd(s), err) < 0)
				goto fail;
			after_op = false;
		} else {
			struct cmd *cm = cur_cmd(s);
			char *w = lex_word(&p, end, err);

			if (w == NULL)
				goto fail;
			cm->words = xreallocarray(cm->words, cm->nw + 1, sizeof(char *));
			cm->words[cm->nw++] = w;
			after_op = false;
		}
	}
	if (end_item(s, after_op, err) < 0)
		goto fail;
	return 0;
fail:
	script_free(s);
	return -1;
}

/* Expansion: quotes removed, $VAR ${VAR} $? $$ $0 $# and a leading ~ expanded. */

static const char *expand_var(struct shell *sh, const char **pp, char num[24])
{
	const char *p = *pp;
	size_t n;

	if (*p == '?') {
		snprintf(num, 24, "%d", sh->last);
		*pp = p + 1;
		return num;
	}
	if (*p == '$' || *p == '#' || *p == '0' || *p == '!') {
		*pp = p + 1;
		return *p == '$' ? "1" : *p == '#' ? "0" : *p == '0' ? "sh" : "";
	}
	if (*p >= '1' && *p <= '9') {
		*pp = p + 1;
		return "";
	}
	if (*p == '{') {
		const char *close = strchr(p, '}');

		n = name_len(p + 1);
		if (close != NULL && n > 0 && p + 1 + n == close) {
			*pp = close + 1;
			return var_get(sh, p + 1, n);
		}
		if (close != NULL && close == p + 2 && p[1] == '?') {
			*pp = close + 1;
			snprintf(num, 24, "%d", sh->last);
			return num;
		}
	}
	n = name_len(p);
	if (n == 0)
		return "$";
	*pp = p + n;
	return var_get(sh, p, n);
}

/* The expanded word, or NULL when it vanishes (empty and unquoted). */
static char *expand(struct shell *sh, const char *w)
{
	struct queue q = {0};
	bool quoted = false;
	char num[24];
	const char *v;

	if (w[0] == '~' && (w[1] == '\0' || w[1] == '/')) {
		v = var_get(sh, "HOME", 4);
		q_puts(&q, v != NULL ? v : "/");
		w++;
	}
	while (*w != '\0') {
		if (*w == '\'') {
			const char *close = strchr(w + 1, '\'');

			quoted = true;
			q_push(&q, w + 1, (size_t)(close - w - 1));
			w = close + 1;
		} else if (*w == '"') {
			quoted = true;
			for (w++; *w != '"'; w++) {
				if (*w == '\\' && strchr("$\"\\`", w[1]) != NULL) {
					q_putc(&q, *++w);
				} else if (*w == '$' && w[1] != '"') {
					w++;
					v = expand_var(sh, &w, num);
					q_puts(&q, v != NULL ? v : "");
					w--;
				} else {
					q_putc(&q, *w);
				}
			}
			w++;
		} else if (*w == '\\') {
			quoted = true;
			if (w[1] != '\0')
				q_putc(&q, *++w);
			w++;
		} else if (*w == '$' && w[1] != '\0') {
			w++;
			v = expand_var(sh, &w, num);
			q_puts(&q, v != NULL ? v : "");
		} else {
			q_putc(&q, *w++);
		}
	}
	if (q.len == 0 && !quoted) {
		q_free(&q);
		return NULL;
	}
	return q_take_str(&q);
}

/* Pipelines */

static void proc_free(struct proc *p)
{
	for (int i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->name);
	for (size_t i = 0; i < p->nfiles; i++) {
		q_free(&p->files[i]->data);
		free(p->files[i]->path);
		free(p->files[i]);
	}
	ftree_blob_unref(p->in.blob);
	ftree_blob_unref(p->file.blob);
	q_free(&p->pend[1]);
	q_free(&p->pend[2]);
	free(p->chunk);
}

/* Ends the pipeline: redirected files written, everything freed. */
static void pipeline_end(struct shell *sh, int status)
{
	struct pipeline *pl = &sh->pl;

	for (size_t i = 0; i < pl->n; i++) {
		finish(sh, &pl->procs[i], status);
		proc_free(&pl->procs[i]);
	}
	for (size_t i = 0; pl->n > 0 && i < pl->n - 1; i++)
		q_free(&pl->pipes[i].q);
	free(pl->procs);
	free(pl->pipes);
	*pl = (struct pipeline){0};
	sh->raw_mode = false;
}

/* Applies c's redirections to p; -1 after a message on p's stderr. */
/* Opens path for p's fd (> or >>): the file is written into the tree when p ends. */
static enum ftree_rc redirect_out(struct shell *sh, struct proc *p, const struct redir *r,
				  const char *path)
{
	struct ftree_blob *b = NULL;
	struct rfile *f;
	enum ftree_rc rc;

	if (r->fd == 0 || p->nfiles == ARRAY_LEN(p->files))
		return FTREE_BAD_PATH;
	if (is_dir(sh, path))
		return FTREE_IS_DIR;
	rc = parent_ok(sh, path);
	if (rc != FTREE_OK)
		return rc;
	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	if (r->op == R_APPEND && f_blob(sh, path, &b) == FTREE_OK)
		q_push(&f->data, ftree_blob_data(b), ftree_blob_len(b));
	ftree_blob_unref(b);
	p->files[p->nfiles++] = f;
	p->out[r->fd] = (struct sink){.kind = SINK_FILE, .file = f};
	return FTREE_OK;
}

static enum ftree_rc redirect(struct shell *sh, struct proc *p, const struct redir *r,
			      const char *path)
{
	struct ftree_blob *b = NULL;
	enum ftree_rc rc;

	if (r->op == R_DUP) {
		if (r->fd == 0 || r->dupfd == 0)
			return FTREE_BAD_PATH;
		p->out[r->fd] = p->out[r->dupfd];
		return FTREE_OK;
	}
	if (path == NULL)
		return FTREE_NOT_FOUND;
	if (r->op != R_IN && strcmp(path, "/dev/null") == 0) {
		p->out[r->fd] = (struct sink){.kind = SINK_NULL};
		return FTREE_OK;
	}
	if (r->op != R_IN)
		return redirect_out(sh, p, r, path);
	if (strcmp(path, "/dev/null") == 0) {
		rc = FTREE_OK;
	} else {
		rc = f_blob(sh, path, &b);
		if (rc != FTREE_OK)
			return rc;
	}
	ftree_blob_unref(p->in.blob);
	p->in = (struct src){.kind = b != NULL ? SRC_BLOB : SRC_NULL, .blob = b};
	return rc;
}

/* Applies c's redirections to p in order; -1 after a message. */
static int apply_redirs(struct shell *sh, struct proc *p, const struct cmd *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		const struct redir *r = &c->r[i];
		char *t = r->target != NULL ? expand(sh, r->target) : NULL;
		char *path = t != NULL ? path_resolve(sh->cwd, t) : NULL;
		enum ftree_rc rc = redirect(sh, p, r, path);

		if (rc != FTREE_OK)
			say(sh, SHELL_STDERR, "sh: %s: %s\n", t != NULL ? t : "", errstr(rc));
		free(t);
		free(path);
		if (rc != FTREE_OK)
			return -1;
	}
	return 0;
}

static void proc_setup(struct shell *sh, struct proc *p, const struct cmd *c, bool literal)
{
	size_t nw = 0;

	p->argv = xcalloc(c->nw + 1, sizeof(char *));
	for (size_t i = 0; i < c->nw; i++) {
		char *w = literal ? xstrdup(c->words[i]) : expand(sh, c->words[i]);

		if (w != NULL)
			p->argv[nw++] = w;
	}
	p->argc = (int)nw;
	/* Leading assignments before a command are dropped (no per-command environment). */
	size_t skip = 0;

	while (!literal && skip < nw && is_assignment(p->argv[skip]))
		skip++;
	if (nw == 0) {
		p->b = &builtins[0];
	} else if (skip == nw) {
		p->b = &b_assign_entry;
	} else {
		if (skip > 0) {
			for (size_t i = 0; i < skip; i++)
				free(p->argv[i]);
			memmove(p->argv, p->argv + skip, (nw - skip + 1) * sizeof(char *));
			p->argc -= (int)skip;
		}
		p->name = xstrdup(p->argv[0]);
		p->b = builtin_find(p->argv[0]);
		if (p->b == NULL && is_shell_name(base_name(p->argv[0]))) {
			say(sh, SHELL_STDERR, "sh: %s: nested shells are not supported here\n",
			    p->argv[0]);
			p->b = builtin_find("false");
		}
		if (p->b == NULL)
			p->b = &b_notfound_entry;
	}
	if (p->argc == 0) {
		p->argv[0] = xstrdup(p->b->name);
		p->argc = 1;
	}
}

/* Starts the pipeline of item it. */
static void pipeline_start(struct shell *sh, const struct item *it, bool literal)
{
	struct pipeline *pl = &sh->pl;

	pl->n = it->nc;
	pl->procs = xcalloc(pl->n, sizeof(*pl->procs));
	pl->pipes = pl->n > 1 ? xcalloc(pl->n - 1, sizeof(*pl->pipes)) : NULL;
	for (size_t i = 0; i < pl->n; i++) {
		struct proc *p = &pl->procs[i];

		p->in.kind = i == 0 ? SRC_STDIN : SRC_PIPE;
		p->in.pipe = i == 0 ? NULL : &pl->pipes[i - 1];
		p->out[1] = i + 1 < pl->n
				    ? (struct sink){.kind = SINK_PIPE, .pipe = &pl->pipes[i]}
				    : (struct sink){.kind = SINK_TERM, .stream = SHELL_STDOUT};
		p->out[2] = (struct sink){.kind = SINK_TERM, .stream = SHELL_STDERR};
		p->solo = pl->n == 1;
		proc_setup(sh, p, &it->cmds[i], literal);
		if (apply_redirs(sh, p, &it->cmds[i]) < 0)
			finish(sh, p, 1);
	}
}

/* Runs the pipeline's procs until nothing moves; true when all have ended. */
static bool pipeline_run(struct shell *sh)
{
	struct pipeline *pl = &sh->pl;
	unsigned before;
	bool all_done;

	do {
		before = sh->progress;
		all_done = true;
		for (size_t i = 0; i < pl->n; i++) {
			struct proc *p = &pl->procs[i];

			p->wake = 0;
			if (p->done)
				continue;
			if (p->b->run != NULL)
				p->b->run(sh, p);
			else
				run_text(sh, p);
			all_done = all_done && p->done;
		}
	} while (sh->progress != before && !all_done);
	for (size_t i = 0; i < pl->n && !all_done; i++) {
		struct proc *p = &pl->procs[i];

		if (!p->done && p->wake > 0) {
			long ms = p->wake - sh->now > LONG_MAX / 2 ? LONG_MAX / 2
								   : (long)(p->wake - sh->now);

			if (sh->wait < 0 || ms < sh->wait)
				sh->wait = ms;
		}
	}
	return all_done;
}

/* The shell's state machine */

static void set_exit(struct shell *sh, int code)
{
	sh->exit_code = code;
	sh->state = ST_EXIT;
	script_free(&sh->script);
}

static void after_script(struct shell *sh)
{
	script_free(&sh->script);
	if (sh->interactive)
		sh->state = ST_PROMPT;
	else
		set_exit(sh, sh->last);
}

/* SIGINT or SIGQUIT: the running command ends; the interactive shell goes on. */
static void interrupt(struct shell *sh, int sig, bool keyboard)
{
	bool running = sh->state == ST_RUN;

	if (sh->state == ST_EXIT || (sh->interactive && sig == SIGQUIT && !running))
		return;
	if (running)
		pipeline_end(sh, 128 + sig);
	sh->last = 128 + sig;
	if (!sh->interactive) {
		set_exit(sh, 128 + sig);
		return;
	}
	if (!keyboard && sh->tty)
		say(sh, SHELL_STDOUT, "\n");
	script_free(&sh->script);
	q_clear(&sh->edit);
	sh->discarding = false;
	sh->state = ST_PROMPT;
}

static void push_prompt(struct shell *sh)
{
	if (sh->tty && sh->interactive)
		say(sh, SHELL_STDOUT, "%s:%s# ", sh->hostname, sh->cwd);
}

/* A line of stdin for the shell to run: 1 and *line (caller frees), 0 at end of file, -1 none. */
static int read_cmdline(struct shell *sh, char **line, size_t *len)
{
	struct queue *q = &sh->in;

	for (;;) {
		unsigned char *d = q_data(q);
		unsigned char *nl = q->len > 0 ? memchr(d, '\n', q->len) : NULL;
		size_t full = nl != NULL ? (size_t)(nl - d) : q->len;
		size_t n = full < SHELL_LINE_MAX ? full : SHELL_LINE_MAX;

		if (sh->discarding) {
			q_drop(q, nl != NULL ? full + 1 : full);
			if (nl == NULL)
				break;
			sh->discarding = false;
			continue;
		}
		if (nl == NULL && full < SHELL_LINE_MAX && !(sh->stdin_closed && full > 0))
			break;
		*line = xstrndup((const char *)d, n); /* a NUL byte ends the line early */
		*len = strlen(*line);
		if (nl != NULL && full <= SHELL_LINE_MAX) {
			q_drop(q, n + 1);
		} else {
			q_drop(q, n);
			sh->discarding = nl != NULL || !sh->stdin_closed;
		}
		sh->progress++;
		return 1;
	}
	if (q->len == 0 && (sh->stdin_closed || sh->eof_once)) {
		sh->eof_once = false;
		return 0;
	}
	return -1;
}

static bool st_read(struct shell *sh)
{
	char *line = NULL;
	size_t len = 0;
	const char *err = NULL;
	int r = read_cmdline(sh, &line, &len);

	if (r < 0)
		return false;
	if (r == 0) {
		set_exit(sh, sh->last);
		return true;
	}
	if (parse(line, len, &sh->script, &err) < 0) {
		say(sh, SHELL_STDERR, "sh: %s\n", err);
		sh->last = 2;
		sh->state = ST_PROMPT;
	} else {
		sh->state = ST_NEXT;
	}
	free(line);
	return true;
}

static void st_next(struct shell *sh)
{
	struct script *s = &sh->script;

	while (s->next < s->n) {
		const struct item *it = &s->items[s->next++];

		if ((it->conn == C_AND && sh->last != 0) || (it->conn == C_OR && sh->last == 0))
			continue;
		pipeline_start(sh, it, s->literal);
		sh->state = ST_RUN;
		return;
	}
	after_script(sh);
}

static void st_run(struct shell *sh)
{
	if (!pipeline_run(sh))
		return;
	sh->last = sh->pl.procs[sh->pl.n - 1].status;
	pipeline_end(sh, sh->last);
	if (sh->exit_req)
		set_exit(sh, sh->exit_req_code);
	else
		sh->state = ST_NEXT;
}

/* One move of the state machine; false when it is blocked. */
static bool advance(struct shell *sh)
{
	unsigned before = sh->progress;
	enum state was = sh->state;

	switch (sh->state) {
	case ST_PROMPT:
		push_prompt(sh);
		sh->state = ST_READ;
		return true;
	case ST_READ:
		return st_read(sh);
	case ST_NEXT:
		st_next(sh);
		return true;
	case ST_RUN:
		st_run(sh);
		break;
	case ST_EXIT:
		if (sh->tq[1].len > 0 || sh->tq[2].len > 0)
			return false;
		sh->exited = true;
		return true;
	}
	return sh->state != was || sh->progress != before;
}

/* Line discipline (TTY) */

static void echo_str(struct shell *sh, const char *s)
{
	if (!sh->noecho)
		q_puts(&sh->tq[SHELL_STDOUT], s);
}

static void ldisc_erase(struct shell *sh)
{
	struct queue *e = &sh->edit;

	/* a UTF-8 character is one column: drop its continuation bytes with it */
	while (e->len > 0 && (q_data(e)[e->len - 1] & 0xc0) == 0x80)
		e->len--;
	if (e->len > 0) {
		e->len--;
		echo_str(sh, "\b \b");
	}
}

static void ldisc_byte(struct shell *sh, unsigned char c)
{
	if (c == 0x03 || c == 0x1c) {
		echo_str(sh, c == 0x03 ? "^C\n" : "^\\\n");
		q_clear(&sh->edit);
		interrupt(sh, c == 0x03 ? SIGINT : SIGQUIT, true);
	} else if (sh->raw_mode) {
		q_putc(&sh->in, (char)c);
	} else if (c == 0x04) {
		if (sh->edit.len == 0)
			sh->eof_once = true;
		q_push(&sh->in, q_data(&sh->edit), sh->edit.len);
		q_clear(&sh->edit);
	} else if (c == 0x7f || c == 0x08) {
		ldisc_erase(sh);
	} else if (c == 0x15) {
		while (sh->edit.len > 0)
			ldisc_erase(sh);
	} else if (c == '\r' || c == '\n') {
		echo_str(sh, "\n");
		q_push(&sh->in, q_data(&sh->edit), sh->edit.len);
		q_putc(&sh->in, '\n');
		q_clear(&sh->edit);
	} else if (sh->edit.len < SHELL_LINE_MAX) {
		char ctl[4] = {'^', (char)(c ^ 0x40), '\0', '\0'};

		q_putc(&sh->edit, (char)c);
		if (c < 0x20 && c != '\t')
			echo_str(sh, ctl);
		else if (!sh->noecho)
			q_putc(&sh->tq[SHELL_STDOUT], (char)c);
	}
}

/* Feeds raw stdin through the line discipline while the echo is small; true when it took any. */
static bool ldisc(struct shell *sh)
{
	size_t i = 0;

	while (i < sh->raw.len && sh->tq[SHELL_STDOUT].len < ECHO_MAX && sh->state != ST_EXIT)
		ldisc_byte(sh, q_data(&sh->raw)[i++]);
	q_drop(&sh->raw, i);
	return i > 0;
}

/* Public interface */

static _Thread_local char why_buf[512];

static void init_vars(struct shell *sh, const struct shell_spec *spec)
{
	var_set(sh, "PATH", DEFAULT_PATH);
	var_set(sh, "HOSTNAME", sh->hostname);
	if (spec->tty)
		var_set(sh, "TERM", "xterm");
	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++)
		var_put(sh, spec->env[i]);
	if (var_get(sh, "HOME", 4) == NULL)
		var_set(sh, "HOME", "/root");
}

/* Sets up what the shell runs: a shell (interactive or -c) or one builtin. */
static int init_script(struct shell *sh, const struct shell_spec *spec, const char **why)
{
	const char *name = base_name(spec->command);
	const char *const *args = spec->args;
	size_t nargs = 0;
	const char *err = NULL;

	while (args != NULL && args[nargs] != NULL)
		nargs++;
	if (is_shell_name(name)) {
		size_t i = 0;
		bool c_mode = false;

		/* options: -c (also in -lc, -ec, ...) takes the string; -i, -l, -s, -e are ignored
		 */
		for (; i < nargs && args[i][0] == '-' && args[i][1] != '\0'; i++)
			c_mode = c_mode || strchr(args[i], 'c') != NULL;
		if (!c_mode && i == nargs) {
			sh->interactive = true;
			sh->state = ST_PROMPT;
			return 0;
		}
		if (!c_mode || i >= nargs) {
			snprintf(why_buf, sizeof(why_buf),
				 c_mode ? "%s: -c: option requires an argument"
					: "%s: only an interactive shell or -c STRING runs here",
				 spec->command);
			*why = why_buf;
			return -1;
		}
		sh->state = ST_NEXT;
		if (parse(args[i], strlen(args[i]), &sh->script, &err) < 0) {
			say(sh, SHELL_STDERR, "sh: %s\n", err);
			set_exit(sh, 2);
		}
		return 0;
	}
	if (builtin_find(name) == NULL) {
		snprintf(why_buf, sizeof(why_buf),
			 "exec: \"%s\": executable file not found in $PATH", spec->command);
		*why = why_buf;
		return -1;
	}
	new_item(&sh->script, C_SEQ);
	struct cmd *c = cur_cmd(&sh->script);

	c->words = xcalloc(nargs + 1, sizeof(char *));
	c->words[c->nw++] = xstrdup(spec->command);
	for (size_t i = 0; i < nargs; i++)
		c->words[c->nw++] = xstrdup(args[i]);
	sh->script.literal = true;
	sh->state = ST_NEXT;
	return 0;
}

struct shell *shell_new(const struct shell_spec *spec, struct ftree *files, shell_out_fn out,
			void *arg, const char **why)
{
	const char *dummy;
	struct shell *sh;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (spec == NULL || spec->command == NULL || out == NULL) {
		*why = "exec: no command";
		return NULL;
	}
	sh = xcalloc(1, sizeof(*sh));
	sh->out = out;
	sh->arg = arg;
	sh->files = files;
	sh->tty = spec->tty;
	sh->cols = spec->cols ? spec->cols : 80;
	sh->rows = spec->rows ? spec->rows : 24;
	sh->hostname =
		xstrdup(spec->hostname != NULL && spec->hostname[0] ? spec->hostname : "box");
	sh->wait = -1;
	init_vars(sh, spec);
	if (spec->working_dir != NULL && spec->working_dir[0] != '\0') {
		sh->cwd = path_resolve("/", spec->working_dir);
		if (!is_dir(sh, sh->cwd)) {
			snprintf(why_buf, sizeof(why_buf),
				 "chdir to cwd (\"%s\"): no such file or directory",
				 spec->working_dir);
			*why = why_buf;
			shell_free(&sh);
			return NULL;
		}
	} else {
		sh->cwd = xstrdup(is_dir(sh, "/root") ? "/root" : "/");
	}
	if (init_script(sh, spec, why) < 0)
		shell_free(&sh);
	return sh;
}

size_t shell_input(struct shell *sh, const void *data, size_t len)
{
	struct queue *q;
	size_t room;

	if (sh == NULL || sh->exited || sh->stdin_closed || sh->state == ST_EXIT)
		return 0;
	q = sh->tty ? &sh->raw : &sh->in;
	room = sh->raw.len + sh->in.len >= SHELL_INPUT_MAX
		       ? 0
		       : SHELL_INPUT_MAX - sh->raw.len - sh->in.len;
	if (len > room)
		len = room;
	q_push(q, data, len);
	return len;
}

void shell_eof(struct shell *sh)
{
	if (sh != NULL)
		sh->stdin_closed = true;
}

void shell_resize(struct shell *sh, unsigned cols, unsigned rows)
{
	if (sh == NULL)
		return;
	if (cols > 0)
		sh->cols = cols;
	if (rows > 0)
		sh->rows = rows;
}

void shell_signal(struct shell *sh, int sig)
{
	if (sh == NULL || sh->exited)
		return;
	switch (sig) {
	case SIGWINCH:
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGSTOP:
	case SIGTSTP:
		return;
	case SIGINT:
	case SIGQUIT:
		sh->pending_sig = sig;
		return;
	default:
		break;
	}
	if (sig <= 0 || sig >= 128)
		return;
	if (sh->state == ST_RUN)
		pipeline_end(sh, 128 + sig);
	script_free(&sh->script);
	sh->state = ST_EXIT;
	sh->exited = true;
	sh->exit_code = 128 + sig;
}

long shell_step(struct shell *sh, int64_t now_ms, size_t budget)
{
	if (sh == NULL || sh->exited)
		return SHELL_DONE;
	sh->now = now_ms;
	sh->budget = budget;
	sh->work = 0;
	sh->starved = false;
	sh->wait = -1;
	if (sh->pending_sig != 0) {
		interrupt(sh, sh->pending_sig, false);
		sh->pending_sig = 0;
	}
	for (;;) {
		if (!tq_flush(sh))
			return 0;
		bool moved = sh->tty && ldisc(sh);

		if (!tq_flush(sh))
			return 0;
		sh->wait = -1;
		moved = advance(sh) || moved;
		if (sh->exited)
			return SHELL_DONE;
		if (!moved && sh->tq[1].len == 0 && sh->tq[2].len == 0)
			break;
	}
	if (sh->starved)
		return 0;
	return sh->wait >= 0 ? sh->wait : SHELL_IDLE;
}

bool shell_exited(const struct shell *sh, int *exit_code)
{
	if (sh == NULL || !sh->exited)
		return false;
	if (exit_code != NULL)
		*exit_code = sh->exit_code;
	return true;
}

void shell_free(struct shell **shp)
{
	struct shell *sh = shp != NULL ? *shp : NULL;

	if (sh == NULL)
		return;
	if (sh->pl.n > 0)
		pipeline_end(sh, 128 + SIGKILL);
	script_free(&sh->script);
	for (size_t i = 0; i < sh->nvars; i++)
		free(sh->vars[i]);
	free(sh->vars);
	free(sh->cwd);
	free(sh->hostname);
	q_free(&sh->raw);
	q_free(&sh->edit);
	q_free(&sh->in);
	q_free(&sh->tq[1]);
	q_free(&sh->tq[2]);
	free(sh);
	*shp = NULL;
}
