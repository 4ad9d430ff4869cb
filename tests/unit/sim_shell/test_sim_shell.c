/*
 * Unit tests for sim/shell: the built-in shell of a simulated box, driven
 * the way sim/exec.c drives it (stdin in, steps with a clock and a byte
 * budget, output captured per stream), over a real sim/ftree.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/ftree.h"
#include "sim/shell.h"
#include "model/xalloc.h"

struct cap {
	char *buf[3];
	size_t len[3];
	size_t calls;
};

static void cap_out(void *arg, enum shell_stream s, const void *data, size_t len)
{
	struct cap *c = arg;

	assert_true(s == SHELL_STDOUT || s == SHELL_STDERR);
	assert_true(len > 0);
	c->buf[s] = xrealloc(c->buf[s], c->len[s] + len + 1);
	memcpy(c->buf[s] + c->len[s], data, len);
	c->len[s] += len;
	c->buf[s][c->len[s]] = '\0';
	c->calls++;
}

static const char *cap_str(struct cap *c, int s)
{
	return c->buf[s] != NULL ? c->buf[s] : "";
}

static void cap_reset(struct cap *c)
{
	for (int i = 0; i < 3; i++) {
		free(c->buf[i]);
		c->buf[i] = NULL;
		c->len[i] = 0;
	}
}

static struct ftree *tree(void)
{
	struct ftree *t = ftree_new(1 << 20);
	static const char hosts[] = "127.0.0.1 localhost\n";

	assert_int_equal(ftree_mkdir(t, "/root", 0700), FTREE_OK);
	assert_int_equal(ftree_mkdir(t, "/a/b", 0755), FTREE_OK);
	assert_int_equal(ftree_mkdir(t, "/tmp", 01777), FTREE_OK);
	assert_int_equal(ftree_put(t, "/etc/hosts", FTREE_FILE, 0644, 0,
				   ftree_blob_new(hosts, strlen(hosts)), NULL),
			 FTREE_OK);
	return t;
}

struct rig {
	struct ftree *t;
	struct shell *sh;
	struct cap cap;
	int64_t now;
};

static void rig_open(struct rig *r, const struct shell_spec *spec)
{
	const char *why = NULL;

	memset(r, 0, sizeof(*r));
	r->t = tree();
	r->sh = shell_new(spec, r->t, cap_out, &r->cap, &why);
	if (r->sh == NULL)
		fail_msg("shell_new: %s", why);
}

static void rig_close(struct rig *r)
{
	shell_free(&r->sh);
	assert_null(r->sh);
	ftree_free(&r->t);
	cap_reset(&r->cap);
}

/* Steps until the shell blocks (input, time) or exits; the last return. */
static long run(struct rig *r, size_t budget)
{
	long w = 0;

	for (int i = 0; i < 10000; i++) {
		w = shell_step(r->sh, r->now, budget);
		if (w != 0)
			return w;
	}
	fail_msg("the shell never blocked");
	return w;
}

static int exit_code(struct rig *r)
{
	int code = -1;

	if (!shell_exited(r->sh, &code))
		fail_msg("not exited; stdout '%s' stderr '%s'", cap_str(&r->cap, 1),
			 cap_str(&r->cap, 2));
	return code;
}

static void feed(struct rig *r, const char *s)
{
	assert_int_equal(shell_input(r->sh, s, strlen(s)), strlen(s));
}

/* sh -c script, run to the end with no stdin: its status, output in r. */
static int sh_c(struct rig *r, const char *script)
{
	const char *args[] = {"-c", script, NULL};
	struct shell_spec spec = {.command = "/bin/sh", .args = args};

	rig_open(r, &spec);
	shell_eof(r->sh);
	assert_int_equal(run(r, 1 << 20), SHELL_DONE);
	return exit_code(r);
}

static void expect_sh(const char *script, int status, const char *out, const char *err)
{
	struct rig r;
	int got = sh_c(&r, script);

	if (got != status || strcmp(cap_str(&r.cap, 1), out) != 0 ||
	    (err != NULL && strstr(cap_str(&r.cap, 2), err) == NULL))
		fail_msg("sh -c '%s': status %d, stdout '%s', stderr '%s'", script, got,
			 cap_str(&r.cap, 1), cap_str(&r.cap, 2));
	rig_close(&r);
}

static void test_degenerate(void **state)
{
	struct shell *sh = NULL;
	const char *why = NULL;
	struct shell_spec spec = {.command = "/usr/bin/python3"};
	struct cap c = {0};
	int code = 7;

	(void)state;
	shell_free(&sh);
	shell_free(NULL);
	assert_false(shell_exited(NULL, &code));
	assert_int_equal(shell_step(NULL, 0, 100), SHELL_DONE);
	assert_int_equal(shell_input(NULL, "x", 1), 0);
	assert_null(shell_new(NULL, NULL, cap_out, &c, &why));
	assert_null(shell_new(&spec, NULL, cap_out, &c, &why));
	assert_string_equal(why, "exec: \"/usr/bin/python3\": executable file not found in $PATH");
	spec.command = "echo";
	spec.working_dir = "/nowhere";
	assert_null(shell_new(&spec, NULL, cap_out, &c, &why));
	assert_non_null(strstr(why, "/nowhere"));
	/* no tree at all: still a shell */
	spec.working_dir = NULL;
	sh = shell_new(&spec, NULL, cap_out, &c, &why);
	assert_non_null(sh);
	assert_int_equal(shell_step(sh, 0, 100), SHELL_DONE);
	assert_true(shell_exited(sh, &code));
	assert_int_equal(code, 0);
	assert_string_equal(cap_str(&c, 1), "\n");
	assert_int_equal(c.calls, 1);
	shell_free(&sh);
	cap_reset(&c);
}

static void test_echo(void **state)
{
	const char *args[] = {"hello", "  two ", "$HOME", NULL};
	struct shell_spec spec = {.command = "/bin/echo", .args = args};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_int_equal(exit_code(&r), 0);
	/* a command's own args are not expanded: no shell in between */
	assert_string_equal(cap_str(&r.cap, 1), "hello   two  $HOME\n");
	assert_int_equal(r.cap.len[2], 0);
	rig_close(&r);
	expect_sh("echo -n a; echo b", 0, "ab\n", NULL);
	expect_sh("echo -e 'x\\ty'", 0, "x\ty\n", NULL);
	expect_sh("echo 'a  b' \"$HOME\" \\$x ~ \"$NOPE\"end", 0, "a  b /root $x /root end\n",
		  NULL);
	expect_sh("X=1; export Y=2; echo $X${Y}", 0, "12\n", NULL);
	expect_sh("printf '%s=%03d|%-3s|\\n' a 7 b c 12 d", 0, "a=007|b  |\nc=012|d  |\n", NULL);
}

static void test_lists_and_status(void **state)
{
	(void)state;
	expect_sh("echo a; false; echo $?; true && echo yes || echo no; false || echo alt", 0,
		  "a\n1\nyes\nalt\n", NULL);
	expect_sh("false && echo never", 1, "", NULL);
	expect_sh("exit 3; echo never", 3, "", NULL);
	expect_sh("false", 1, "", NULL);
	expect_sh("nosuch arg", 127, "", "sh: nosuch: not found\n");
	expect_sh("nosuch 2>/dev/null; echo $?", 0, "127\n", NULL);
	expect_sh("echo 'open", 2, "", "unterminated");
	expect_sh("echo a |", 2, "", "syntax error");
	expect_sh("# only a comment", 0, "", NULL);
	expect_sh("exit 300", 44, "", NULL);
}

static void test_pwd_cd(void **state)
{
	(void)state;
	expect_sh("pwd; cd /a/b; pwd; cd ..; pwd; cd ../../..; pwd; cd a/./b/../b && pwd", 0,
		  "/root\n/a/b\n/a\n/\n/a/b\n", NULL);
	expect_sh("cd /nope", 1, "", "sh: cd: /nope: No such file or directory");
	expect_sh("cd /etc/hosts", 1, "", "Not a directory");
	expect_sh("cd /a; cd; pwd; cd -", 0, "/root\n/a\n", NULL);
	/* cd in a pipeline is a subshell's: the shell stays */
	expect_sh("cd /a | true; pwd", 0, "/root\n", NULL);
}

static void test_ls(void **state)
{
	struct rig r;

	(void)state;
	expect_sh("touch /tmp/b /tmp/a /tmp/.h; mkdir /tmp/c; ls /tmp", 0, "a\nb\nc\n", NULL);
	expect_sh("touch /tmp/b /tmp/.h; ls -a /tmp", 0, ".\n..\n.h\nb\n", NULL);
	expect_sh("ls /etc/hosts /nope", 2, "/etc/hosts\n", "cannot access '/nope'");
	expect_sh("ls /a /etc", 0, "/a:\nb\n\n/etc:\nhosts\n", NULL);
	assert_int_equal(sh_c(&r, "ls -l /etc; ls -ld /a"), 0);
	assert_non_null(strstr(cap_str(&r.cap, 1), "total "));
	assert_non_null(strstr(cap_str(&r.cap, 1), "-rw-r--r-- 1 root root       20 "));
	assert_non_null(strstr(cap_str(&r.cap, 1), " hosts\n"));
	assert_non_null(strstr(cap_str(&r.cap, 1), "drwxr-xr-x 2 root root     4096 "));
	rig_close(&r);
	expect_sh("ls -z", 2, "", "invalid option");
}

static void test_cat_files(void **state)
{
	(void)state;
	expect_sh("cat /etc/hosts", 0, "127.0.0.1 localhost\n", NULL);
	expect_sh("cd /etc; cat hosts ../etc/hosts", 0,
		  "127.0.0.1 localhost\n127.0.0.1 localhost\n", NULL);
	expect_sh("cat /nope /etc/hosts", 1, "127.0.0.1 localhost\n",
		  "cat: /nope: No such file or directory");
	expect_sh("cat /a", 1, "", "Is a directory");
	expect_sh("head -n 1 /etc/hosts; head -c 3 /etc/hosts; echo", 0,
		  "127.0.0.1 localhost\n127\n", NULL);
	expect_sh("cat < /etc/hosts", 0, "127.0.0.1 localhost\n", NULL);
}

static void test_cat_stdin(void **state)
{
	struct shell_spec spec = {.command = "cat"};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	feed(&r, "abc");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "abc");
	feed(&r, "def\n");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_false(shell_exited(r.sh, NULL));
	shell_eof(r.sh);
	assert_int_equal(shell_input(r.sh, "late", 4), 0);
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_int_equal(exit_code(&r), 0);
	assert_string_equal(cap_str(&r.cap, 1), "abcdef\n");
	rig_close(&r);
}

static void test_input_bounded(void **state)
{
	struct shell_spec spec = {.command = "cat"};
	size_t big = SHELL_INPUT_MAX + 1000;
	char *buf = xmalloc(big);
	struct rig r;
	size_t took, total = 0;

	(void)state;
	memset(buf, 'x', big);
	rig_open(&r, &spec);
	took = shell_input(r.sh, buf, big);
	assert_int_equal(took, SHELL_INPUT_MAX);
	assert_int_equal(shell_input(r.sh, buf, 10), 0);
	/* reading makes room again: the caller's backpressure */
	assert_int_equal(shell_step(r.sh, 0, 10000), 0);
	assert_int_equal(r.cap.len[1], 10000);
	took = shell_input(r.sh, buf, 20000);
	assert_true(took >= 10000 && took <= 10000 + 4096);
	assert_int_equal(shell_input(r.sh, buf, 10), 0);
	shell_eof(r.sh);
	for (int i = 0; i < 1000 && !shell_exited(r.sh, NULL); i++)
		total += (size_t)(shell_step(r.sh, 0, 65536) == SHELL_DONE);
	assert_int_equal(exit_code(&r), 0);
	assert_int_equal(r.cap.len[1], SHELL_INPUT_MAX + took);
	(void)total;
	free(buf);
	rig_close(&r);
}

static void test_yes_budget(void **state)
{
	const char *args[] = {"-c", "yes | head -c 100000; echo end", NULL};
	struct shell_spec spec = {.command = "sh", .args = args};
	struct rig r;
	int steps = 0;
	long w = 0;

	(void)state;
	rig_open(&r, &spec);
	while (w != SHELL_DONE && steps < 1000) {
		size_t before = r.cap.len[1];

		w = shell_step(r.sh, 0, 4096);
		assert_true(r.cap.len[1] - before <= 4096);
		assert_true(w == 0 || w == SHELL_DONE);
		steps++;
	}
	assert_int_equal(w, SHELL_DONE);
	assert_int_equal(exit_code(&r), 0);
	assert_true(steps >= 100000 / 4096);
	assert_int_equal(r.cap.len[1], 100000 + 4);
	for (size_t i = 0; i < 100000; i++)
		assert_int_equal(r.cap.buf[1][i], i % 2 ? '\n' : 'y');
	assert_string_equal(r.cap.buf[1] + 100000, "end\n");
	rig_close(&r);

	/* yes alone: exactly the budget each step, forever, until a signal */
	struct shell_spec yes = {.command = "yes", .args = (const char *[]){"ab", NULL}};

	rig_open(&r, &yes);
	for (int i = 0; i < 5; i++)
		assert_int_equal(shell_step(r.sh, 0, 1000), 0);
	assert_int_equal(r.cap.len[1], 5000);
	assert_memory_equal(r.cap.buf[1], "ab\nab\nab\n", 9);
	shell_signal(r.sh, SIGTERM);
	assert_int_equal(exit_code(&r), 143);
	assert_int_equal(shell_step(r.sh, 0, 1000), SHELL_DONE);
	assert_int_equal(r.cap.len[1], 5000);
	rig_close(&r);

	/* nothing to pace it: /dev/null takes all, the work bound still returns */
	expect_sh(
		"seq 1000000 > /dev/null; seq 3 | head -n 2; yes | head -n 3; seq 1000000 | wc -l",
		0, "1\n2\ny\ny\ny\n1000000\n", NULL);
}

static void test_sleep(void **state)
{
	const char *args[] = {"-c", "echo start; sleep 1.5; echo done", NULL};
	struct shell_spec spec = {.command = "sh", .args = args};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	r.now = 10000;
	assert_int_equal(run(&r, 4096), 1500);
	assert_string_equal(cap_str(&r.cap, 1), "start\n");
	r.now = 11000;
	assert_int_equal(run(&r, 4096), 500);
	r.now = 11499;
	assert_int_equal(run(&r, 4096), 1);
	r.now = 11500;
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_string_equal(cap_str(&r.cap, 1), "start\ndone\n");
	assert_int_equal(exit_code(&r), 0);
	rig_close(&r);
	expect_sh("sleep x", 1, "", "invalid time interval");

	/* SIGINT ends a command (not interactive: the shell too), 130 */
	struct shell_spec s2 = {.command = "sleep", .args = (const char *[]){"100", NULL}};

	rig_open(&r, &s2);
	assert_int_equal(run(&r, 4096), 100000);
	shell_signal(r.sh, SIGWINCH);
	assert_int_equal(run(&r, 4096), 100000);
	shell_signal(r.sh, SIGINT);
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_int_equal(exit_code(&r), 130);
	rig_close(&r);
}

static void test_sigterm(void **state)
{
	struct shell_spec spec = {.command = "sh", .tty = true};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	feed(&r, "sleep 100\r");
	assert_int_equal(run(&r, 4096), 100000);
	shell_signal(r.sh, SIGTERM);
	assert_true(shell_exited(r.sh, NULL));
	assert_int_equal(exit_code(&r), 143);
	assert_int_equal(shell_step(r.sh, 0, 4096), SHELL_DONE);
	rig_close(&r);

	rig_open(&r, &spec);
	shell_signal(r.sh, SIGHUP);
	assert_int_equal(exit_code(&r), 129);
	rig_close(&r);
}

static void test_tty_echo(void **state)
{
	struct shell_spec spec = {.command = "/bin/sh", .tty = true, .hostname = "box1"};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "box1:/root# ");
	/* input is echoed only from shell_step */
	feed(&r, "ecx\x7fho hi\r");
	assert_string_equal(cap_str(&r.cap, 1), "box1:/root# ");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "box1:/root# ecx\b \bho hi\r\nhi\r\nbox1:/root# ");
	assert_int_equal(r.cap.len[2], 0);
	cap_reset(&r.cap);
	/* Ctrl-U kills the line; stderr comes on stdout (a pty) */
	feed(&r, "ab\x15"
		 "cd /x\r");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1),
			    "ab\b \b\b \bcd /x\r\nsh: cd: /x: No such file or directory\r\n"
			    "box1:/root# ");
	assert_int_equal(r.cap.len[2], 0);
	cap_reset(&r.cap);
	/* Ctrl-C at the prompt: a new prompt, $? 130 */
	feed(&r, "echo x\x03");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "echo x^C\r\nbox1:/root# ");
	cap_reset(&r.cap);
	feed(&r, "echo $?\r");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "echo $?\r\n130\r\nbox1:/root# ");
	cap_reset(&r.cap);
	/* Ctrl-D on an empty line ends the shell with the last status */
	feed(&r, "true\r\x04");
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_int_equal(exit_code(&r), 0);
	rig_close(&r);
}

static void test_tty_ctrl_c_yes(void **state)
{
	struct shell_spec spec = {.command = "sh", .tty = true, .hostname = "h"};
	struct rig r;
	const char *s;

	(void)state;
	rig_open(&r, &spec);
	assert_int_equal(run(&r, 5000), SHELL_IDLE);
	cap_reset(&r.cap);
	feed(&r, "yes\r");
	for (int i = 0; i < 3; i++)
		assert_int_equal(shell_step(r.sh, 0, 5000), 0);
	/* never more than the budget; a "\r\n" is not split across steps */
	assert_true(r.cap.len[1] <= 15000 && r.cap.len[1] >= 14997);
	assert_memory_equal(cap_str(&r.cap, 1), "yes\r\ny\r\ny\r\n", 11);
	assert_false(shell_exited(r.sh, NULL));
	cap_reset(&r.cap);
	feed(&r, "\x03");
	assert_int_equal(run(&r, 5000), SHELL_IDLE);
	s = cap_str(&r.cap, 1);
	assert_true(strlen(s) >= strlen("^C\r\nh:/root# "));
	assert_string_equal(s + strlen(s) - strlen("^C\r\nh:/root# "), "^C\r\nh:/root# ");
	cap_reset(&r.cap);
	feed(&r, "echo $?\r");
	assert_int_equal(run(&r, 5000), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "echo $?\r\n130\r\nh:/root# ");
	cap_reset(&r.cap);
	/* cat of the terminal: lines as typed, Ctrl-D ends it, the shell goes on */
	feed(&r, "cat\rone\r\x04");
	assert_int_equal(run(&r, 5000), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "cat\r\none\r\none\r\nh:/root# ");
	rig_close(&r);
}

static void test_stty_size(void **state)
{
	struct shell_spec spec = {.command = "sh", .tty = true, .cols = 100, .rows = 30};
	const char *args[] = {"size", NULL};
	struct shell_spec one = {.command = "stty", .args = args, .tty = true};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	feed(&r, "stty size\r");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_non_null(strstr(cap_str(&r.cap, 1), "stty size\r\n30 100\r\n"));
	shell_resize(r.sh, 132, 50);
	cap_reset(&r.cap);
	feed(&r, "stty size\r");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_non_null(strstr(cap_str(&r.cap, 1), "stty size\r\n50 132\r\n"));
	rig_close(&r);

	rig_open(&r, &one);
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_string_equal(cap_str(&r.cap, 1), "24 80\r\n");
	rig_close(&r);
	/* no terminal */
	expect_sh("stty size", 1, "", "Inappropriate ioctl");
}

static void test_env(void **state)
{
	const char *env[] = {"FOO=bar baz", "HOME=/a", NULL};
	struct shell_spec spec = {.command = "env", .env = env, .hostname = "hb"};
	struct rig r;
	const char *s;

	(void)state;
	rig_open(&r, &spec);
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	s = cap_str(&r.cap, 1);
	assert_non_null(strstr(s, "\nFOO=bar baz\n"));
	assert_non_null(strstr(s, "PATH=/usr/local/sbin:"));
	assert_non_null(strstr(s, "HOSTNAME=hb\n"));
	assert_non_null(strstr(s, "HOME=/a\n"));
	assert_null(strstr(s, "TERM="));
	rig_close(&r);
	expect_sh("hostname; uname; uname -sn", 0, "box\nLinux\nLinux box\n", NULL);
}

static void test_redirection(void **state)
{
	struct rig r;
	struct ftree_blob *b = NULL;

	(void)state;
	assert_int_equal(sh_c(&r, "echo hi > /tmp/f; echo more >> /tmp/f; cat /tmp/f; "
				  "seq 3 > /root/n; nosuch 2> /tmp/err; echo x > /nodir/f"),
			 1);
	assert_string_equal(cap_str(&r.cap, 1), "hi\nmore\n");
	assert_non_null(strstr(cap_str(&r.cap, 2), "/nodir/f"));
	assert_int_equal(ftree_blob_at(r.t, "/tmp/f", &b), FTREE_OK);
	assert_int_equal(ftree_blob_len(b), 8);
	assert_memory_equal(ftree_blob_data(b), "hi\nmore\n", 8);
	ftree_blob_unref(b);
	assert_int_equal(ftree_blob_at(r.t, "/root/n", &b), FTREE_OK);
	assert_memory_equal(ftree_blob_data(b), "1\n2\n3\n", 6);
	ftree_blob_unref(b);
	assert_int_equal(ftree_blob_at(r.t, "/tmp/err", &b), FTREE_OK);
	assert_memory_equal(ftree_blob_data(b), "sh: nosuch: not found\n", 22);
	ftree_blob_unref(b);
	rig_close(&r);
	expect_sh("echo x > /a", 1, "", "Is a directory");
	expect_sh("nosuch 2>&1 | wc -l", 0, "1\n", NULL);
	expect_sh("echo err >&2", 0, "", "err\n");
}

static void test_pipeline(void **state)
{
	(void)state;
	expect_sh("seq 10 | head -n 2", 0, "1\n2\n", NULL);
	expect_sh("seq 2 4; seq 5 -2 1", 0, "2\n3\n4\n5\n3\n1\n", NULL);
	expect_sh("cat /etc/hosts | cat | head -c 9", 0, "127.0.0.1", NULL);
	expect_sh("echo one two three | wc -w", 0, "3\n", NULL);
	expect_sh("true | false", 1, "", NULL);
	expect_sh("mkdir -p /x/y; mkdir /x/y; ls /x", 0, "y\n", "File exists");
}

static void test_interactive_pipe(void **state)
{
	struct shell_spec spec = {.command = "sh"};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	/* stdin is not a terminal: no prompt, no echo; head reads only its line */
	feed(&r, "echo a\nhead -n 1\nline one\necho b\n");
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	assert_string_equal(cap_str(&r.cap, 1), "a\nline one\nb\n");
	feed(&r, "exit 4\necho never\n");
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_int_equal(exit_code(&r), 4);
	rig_close(&r);

	/* SIGINT interrupts the command; the interactive shell survives */
	rig_open(&r, &spec);
	feed(&r, "sleep 5; echo skipped\n");
	assert_int_equal(run(&r, 4096), 5000);
	shell_signal(r.sh, SIGINT);
	assert_int_equal(run(&r, 4096), SHELL_IDLE);
	feed(&r, "echo $?\n");
	shell_eof(r.sh);
	assert_int_equal(run(&r, 4096), SHELL_DONE);
	assert_string_equal(cap_str(&r.cap, 1), "130\n");
	assert_int_equal(exit_code(&r), 0);
	rig_close(&r);
}

static void test_long_line(void **state)
{
	struct shell_spec spec = {.command = "sh"};
	size_t n = SHELL_LINE_MAX + 100;
	char *line = xmalloc(n + 1);
	struct rig r;

	(void)state;
	memcpy(line, "echo ", 5);
	memset(line + 5, 'z', n - 5);
	line[n] = '\n';
	rig_open(&r, &spec);
	assert_int_equal(shell_input(r.sh, line, n + 1), n + 1);
	feed(&r, "echo next\n");
	shell_eof(r.sh);
	assert_int_equal(run(&r, 1 << 20), SHELL_DONE);
	/* the line is cut at SHELL_LINE_MAX, its tail dropped, the next line intact */
	assert_int_equal(r.cap.len[1], SHELL_LINE_MAX - 5 + 1 + 5);
	assert_string_equal(r.cap.buf[1] + SHELL_LINE_MAX - 4, "next\n");
	free(line);
	rig_close(&r);
}

static void test_top(void **state)
{
	struct shell_spec spec = {.command = "top", .tty = true, .cols = 40, .rows = 5};
	struct rig r;

	(void)state;
	rig_open(&r, &spec);
	r.now = 5000;
	assert_int_equal(run(&r, 65536), 1000);
	assert_memory_equal(cap_str(&r.cap, 1), "\x1b[H\x1b[2Jtop - ", 13);
	assert_int_equal(strchr(cap_str(&r.cap, 1), '\r') - cap_str(&r.cap, 1), 7 + 40);
	cap_reset(&r.cap);
	r.now = 5600;
	assert_int_equal(run(&r, 65536), 400);
	assert_int_equal(r.cap.len[1], 0);
	r.now = 6000;
	assert_int_equal(run(&r, 65536), 1000);
	assert_memory_equal(cap_str(&r.cap, 1), "\x1b[H\x1b[2J", 7);
	/* q is not echoed and ends it */
	cap_reset(&r.cap);
	feed(&r, "q");
	assert_int_equal(run(&r, 65536), SHELL_DONE);
	assert_int_equal(exit_code(&r), 0);
	assert_int_equal(r.cap.len[1], 0);
	rig_close(&r);

	/* Ctrl-C in the shell ends top, 130 */
	struct shell_spec in_sh = {.command = "sh", .tty = true};

	rig_open(&r, &in_sh);
	feed(&r, "top\r");
	assert_int_equal(run(&r, 65536), 1000);
	feed(&r, "\x03");
	cap_reset(&r.cap);
	assert_int_equal(run(&r, 65536), SHELL_IDLE);
	assert_memory_equal(cap_str(&r.cap, 1), "^C\r\n", 4);
	rig_close(&r);
	expect_sh("top -b -n 1 | head -n 1", 0,
		  "top - 00:00:00 up  1 min,  0 users,  load "
		  "average: 0.00, 0.00, 0.00\n",
		  NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_lists_and_status),
		cmocka_unit_test(test_pwd_cd),
		cmocka_unit_test(test_ls),
		cmocka_unit_test(test_cat_files),
		cmocka_unit_test(test_cat_stdin),
		cmocka_unit_test(test_input_bounded),
		cmocka_unit_test(test_yes_budget),
		cmocka_unit_test(test_sleep),
		cmocka_unit_test(test_sigterm),
		cmocka_unit_test(test_tty_echo),
		cmocka_unit_test(test_tty_ctrl_c_yes),
		cmocka_unit_test(test_stty_size),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_redirection),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_interactive_pipe),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
