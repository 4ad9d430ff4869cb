/*
 * app: the event loop. One thread owns curses. It sleeps in poll() on the
 * terminal, the store's wake fd and a self-pipe the signal handlers write
 * to, with a timeout that is the next thing due (the clock's next second, a
 * debounced resize, a message that expires). Whatever woke it, it handles
 * every input first and then draws at most one frame: erase the windows,
 * draw, wnoutrefresh each, one doupdate. ncurses sends the difference, so a
 * frame where little changed costs a few bytes over SSH; the screen is only
 * cleared on resize and Ctrl-L.
 *
 * The terminal comes from /dev/tty, not stdin, so `--api-key-file -` can
 * read the key from a pipe and the dashboard still gets the keyboard.
 */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "model/timeutil.h"
#include "ui.h"

#define RESIZE_DEBOUNCE_MS 50
#define FLASH_MS           5000

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t quit_signal;
/* For the crash and out-of-memory paths, which must restore the terminal. */
static volatile sig_atomic_t curses_up;

void ui_flash(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(ui->flash);
	ui->flash = xstrdup(buf);
	ui->flash_error = error;
	ui->flash_until_ms = time_mono_ms() + FLASH_MS;
	ui->react |= REDRAW_FOOT;
}

size_t ui_active_jobs(struct ui *ui)
{
	size_t n = 0;

	for (size_t i = 0; i < store_view_job_count(&ui->view); i++)
		n += !job_is_finished(store_view_job_at(&ui->view, i));
	return n;
}

/* ---- signals ---- */

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
		quit_signal = sig;
	if (write(sig_pipe[1], &b, 1) < 0) {
		/* the pipe is full: a wake-up is already pending */
	}
	errno = saved;
}

static void restore_terminal(void)
{
	if (curses_up) {
		curses_up = 0;
		endwin();
	}
}

/* A crash restores the terminal, then dies of the same signal (core dump and all). */
static void on_crash(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int install_signals(void)
{
	static const int quits[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCONT};
	static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa = {.sa_handler = on_signal};

	if (pipe(sig_pipe) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
	}
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(quits); i++)
		sigaction(quits[i], &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < ARRAY_LEN(crashes); i++)
		sigaction(crashes[i], &sa, NULL);
	xalloc_set_fatal_hook(restore_terminal);
	return 0;
}

/* ---- the terminal ---- */

static void setup_colors(struct ui *ui)
{
	static const struct {
		short fg, bg;
		attr_t mono;
	} pairs[C_COLOR_COUNT] = {
		[C_NORMAL] = {-1, -1, A_NORMAL},
		[C_HEADER] = {COLOR_BLACK, COLOR_CYAN, A_REVERSE},
		[C_TAB] = {-1, -1, A_NORMAL},
		[C_TAB_ON] = {COLOR_BLACK, COLOR_CYAN, A_REVERSE},
		[C_RUNNING] = {COLOR_GREEN, -1, A_BOLD},
		[C_STOPPED] = {-1, -1, A_NORMAL},
		[C_PAUSED] = {COLOR_YELLOW, -1, A_NORMAL},
		[C_FAILED] = {COLOR_RED, -1, A_BOLD},
		[C_CONFIGURED] = {COLOR_CYAN, -1, A_NORMAL},
		[C_DIM] = {-1, -1, A_DIM},
		[C_OK] = {COLOR_GREEN, -1, A_NORMAL},
		[C_WARN] = {COLOR_YELLOW, -1, A_BOLD},
		[C_ERROR] = {COLOR_RED, -1, A_BOLD},
		[C_SELECTED] = {-1, -1, A_REVERSE},
		[C_BANNER] = {COLOR_WHITE, COLOR_RED, A_REVERSE | A_BOLD},
		[C_GRAPH] = {COLOR_CYAN, -1, A_NORMAL},
	};
	const char *no_color = getenv("NO_COLOR");

	ui->color =
		has_colors() && !ui->opts->no_color && (no_color == NULL || no_color[0] == '\0');
	if (ui->color) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < C_COLOR_COUNT; i++) {
		ui->attr[i] = pairs[i].mono;
		if (!ui->color || i == C_NORMAL || i == C_DIM || i == C_SELECTED)
			continue;
		init_pair((short)i, pairs[i].fg, pairs[i].bg);
		ui->attr[i] = COLOR_PAIR(i) | (pairs[i].mono & A_BOLD);
	}
	/* a log's eight colours on the default background; the bright ones bold */
	for (int c = 0; c < 8 && ui->color && COLORS >= 8; c++) {
		init_pair((short)(C_COLOR_COUNT + c), (short)c, -1);
		ui->log_fg[1 + c] = COLOR_PAIR(C_COLOR_COUNT + c);
		ui->log_fg[9 + c] = COLOR_PAIR(C_COLOR_COUNT + c) | A_BOLD;
	}
}

static void make_windows(struct ui *ui)
{
	if (ui->head != NULL) {
		delwin(ui->head);
		delwin(ui->body);
		delwin(ui->foot);
	}
	getmaxyx(stdscr, ui->rows, ui->cols);
	ui->head = newwin(3, ui->cols, 0, 0);
	ui->body = newwin(ui->rows > 5 ? ui->rows - 5 : 1, ui->cols, 3, 0);
	ui->foot = newwin(2, ui->cols, ui->rows > 2 ? ui->rows - 2 : 0, 0);
}

static int open_terminal(struct ui *ui, char *err, size_t errlen)
{
	ui->tty = fopen("/dev/tty", "r+e");
	if (ui->tty == NULL) {
		snprintf(err, errlen,
			 "no terminal (/dev/tty: %s); use -b or --json for output "
			 "without one",
			 strerror(errno));
		return -1;
	}
	ui->screen = newterm(NULL, ui->tty, ui->tty);
	if (ui->screen == NULL) {
		snprintf(err, errlen, "cannot use terminal type '%s'",
			 getenv("TERM") != NULL ? getenv("TERM") : "(unset)");
		return -1;
	}
	set_term(ui->screen);
	curses_up = 1;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	typeahead(-1); /* a frame is never cut short to look for keys */
	curs_set(0);
	if (!ui->opts->no_mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED |
				  BUTTON4_PRESSED | BUTTON5_PRESSED,
			  NULL);
	mouseinterval(0);
	setup_colors(ui);
	ui->glyphs = glyph_set_pick(ui->opts->ascii, nl_langinfo(CODESET));
	draw_init(ui->glyphs);
	make_windows(ui);
	/* stdscr, which keys are read from, is refreshed now: a first wget_wch would
	 * paint it (blank) over the windows, and a frame redraws only what changed */
	refresh();
	return 0;
}

static void close_terminal(struct ui *ui)
{
	if (ui->head != NULL) {
		delwin(ui->head);
		delwin(ui->body);
		delwin(ui->foot);
	}
	restore_terminal();
	if (ui->screen != NULL)
		delscreen(ui->screen);
	if (ui->tty != NULL)
		fclose(ui->tty);
}

/* After SIGWINCH (debounced): the new size, fresh windows, one full repaint. */
static void apply_resize(struct ui *ui)
{
	struct winsize ws;

	if (ioctl(fileno(ui->tty), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	make_windows(ui);
}

/* ---- a frame ---- */

static void draw_too_small(struct ui *ui)
{
	char need[64];

	snprintf(need, sizeof(need), "(needs %dx%d; q quits)", MIN_COLS, MIN_ROWS);
	werase(stdscr);
	mvwaddnstr(stdscr, 0, 0, "boxtop: terminal too small", ui->cols);
	mvwaddnstr(stdscr, 1, 0, need, ui->cols);
	wnoutrefresh(stdscr);
	doupdate();
}

/* Learns the prefix the poller discovered, for the actions submitted from now on. */
static void follow_prefix(struct ui *ui)
{
	const struct principal *me = store_view_principal(&ui->view);

	if (me != NULL && settings_prefix(ui->settings) == NULL)
		actions_set_prefix(ui->actions, me->path_prefix);
}

/* What the poller was last told, to tell it only of changes. */
struct told {
	char **ids;
	size_t n_ids;
	char *selected;
	bool images;
	char *image;
};

static struct told told;

static void told_clear(void)
{
	for (size_t i = 0; i < told.n_ids; i++)
		free(told.ids[i]);
	free(told.ids);
	free(told.selected);
	free(told.image);
	told = (struct told){0};
}

static bool told_already(const struct interest *in)
{
	if (told.n_ids != in->n_ids || told.images != in->images ||
	    !xstreq(told.selected, in->selected) || !xstreq(told.image, in->image))
		return false;
	for (size_t i = 0; i < in->n_ids; i++)
		if (strcmp(told.ids[i], in->ids[i]) != 0)
			return false;
	return true;
}

/* Tells the poller what the screen shows (the views say), when that changed. */
static void update_interest(struct ui *ui)
{
	struct interest in = {0};

	for (size_t i = 0; i < view_count(); i++) {
		struct view *v = &ui->views[i];

		if (v->cls->interest != NULL)
			v->cls->interest(ui, v, &in, i == ui->current);
	}
	if (told_already(&in))
		return;
	told_clear();
	told.ids = in.n_ids > 0 ? xcalloc(in.n_ids, sizeof(char *)) : NULL;
	for (size_t i = 0; i < in.n_ids; i++)
		told.ids[i] = xstrdup(in.ids[i]);
	told.n_ids = in.n_ids;
	told.selected = xstrdup(in.selected);
	told.images = in.images;
	told.image = xstrdup(in.image);
	poller_set_interest(ui->poller, in.ids, in.n_ids, told.selected, told.images, told.image);
}

/* Reads the store and tells the views what changed. Returns the reaction. */
static unsigned absorb(struct ui *ui)
{
	unsigned changed = ui->paused ? 0 : store_read(ui->store, &ui->view);
	unsigned react = 0;

	if (changed & STORE_PRINCIPAL)
		follow_prefix(ui);
	if (changed != 0)
		react |= views_update(ui, changed);
	react |= flow_poll(ui);
	update_interest(ui);
	return react;
}

/*
 * Draws what react says changed. A modal box lies over every window, so
 * with one open any change redraws them all and the box on top.
 */
static void frame(struct ui *ui, unsigned react)
{
	struct view *v = ui_current(ui);

	if (ui->cols < MIN_COLS || ui->rows < MIN_ROWS) {
		draw_too_small(ui);
		return;
	}
	if (ui->modal.kind != MODAL_NONE && react != 0)
		react |= REDRAW_ALL;
	if (react & REDRAW_SCREEN)
		clearok(curscr, TRUE);
	if (react & REDRAW_HEAD) {
		werase(ui->head);
		draw_header(ui);
		wnoutrefresh(ui->head);
	}
	if (react & REDRAW_BODY) {
		werase(ui->body);
		v->cls->draw(ui, v, ui->body);
		wnoutrefresh(ui->body);
	}
	if (react & REDRAW_FOOT) {
		werase(ui->foot);
		draw_footer(ui);
		wnoutrefresh(ui->foot);
	}
	if (ui->modal.kind != MODAL_NONE && react != 0)
		draw_modal(ui);
	if (react != 0)
		doupdate();
}

/* ---- input ---- */

static unsigned read_mouse(struct ui *ui)
{
	MEVENT ev;
	int button = 0;

	if (getmouse(&ev) != OK)
		return 0;
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		button = 2;
	else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		button = 1;
	else if (ev.bstate & BUTTON4_PRESSED)
		button = 4;
	else if (ev.bstate & BUTTON5_PRESSED)
		button = 5;
	return button != 0 ? keys_mouse(ui, ev.y, ev.x, button) : 0;
}

static unsigned read_keys(struct ui *ui)
{
	unsigned react = 0;

	for (int i = 0; i < 256 && !ui->quit; i++) {
		wint_t ch;
		int r = wget_wch(stdscr, &ch);

		if (r == ERR)
			break;
		if (r == KEY_CODE_YES && ch == KEY_RESIZE)
			continue; /* our own SIGWINCH handling sizes the screen */
		if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
			react |= read_mouse(ui);
			continue;
		}
		if (ui->modal.kind != MODAL_NONE)
			react |= modal_key(ui, (int)ch | (r == KEY_CODE_YES ? KEY_FLAG : 0));
		else
			react |= keys_handle(ui, (int)ch | (r == KEY_CODE_YES ? KEY_FLAG : 0));
	}
	return react;
}

/* Drains the self-pipe. Returns true when a resize is due. */
static bool read_signals(struct ui *ui)
{
	unsigned char buf[64];
	bool resize = false;
	ssize_t n;

	while ((n = read(sig_pipe[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH)
				resize = true;
			if (buf[i] == SIGCONT)
				ui->react |= REDRAW_ALL | REDRAW_SCREEN;
		}
	if (quit_signal != 0)
		ui->quit = true;
	return resize;
}

/* Milliseconds until the next thing is due: the clock, a message, a resize. */
static int next_timeout(const struct ui *ui, int64_t resize_due)
{
	int64_t now = time_mono_ms();
	struct timespec wall;
	int64_t t;

	clock_gettime(CLOCK_REALTIME, &wall);
	t = 1000 - wall.tv_nsec / 1000000; /* the header's clock turns over */
	if (ui->flash != NULL && ui->flash_until_ms - now < t)
		t = ui->flash_until_ms - now;
	if (resize_due != 0 && resize_due - now < t)
		t = resize_due - now;
	return t < 0 ? 0 : (int)t;
}

static unsigned expire_flash(struct ui *ui)
{
	if (ui->flash == NULL || time_mono_ms() < ui->flash_until_ms)
		return 0;
	free(ui->flash);
	ui->flash = NULL;
	return REDRAW_FOOT;
}

/* The clock turned a second: the header's clock, and a view whose times age. */
static unsigned tick(struct ui *ui, time_t *last)
{
	time_t now = time(NULL);

	if (now == *last)
		return 0;
	*last = now;
	return REDRAW_HEAD | (ui_current(ui)->cls->ages ? REDRAW_BODY : 0);
}

static void loop(struct ui *ui)
{
	struct pollfd pfd[3] = {
		{.fd = fileno(ui->tty), .events = POLLIN},
		{.fd = store_wake_fd(ui->store), .events = POLLIN},
		{.fd = sig_pipe[0], .events = POLLIN},
	};
	int64_t resize_due = 0;
	time_t second = 0;
	unsigned react = REDRAW_ALL | views_update(ui, STORE_ALL);

	while (!ui->quit) {
		react |= absorb(ui) | tick(ui, &second) | ui->react;
		ui->react = 0;
		frame(ui, react);
		react = 0;
		if (poll(pfd, 3, next_timeout(ui, resize_due)) < 0 && errno != EINTR)
			break;
		if (read_signals(ui))
			resize_due = time_mono_ms() + RESIZE_DEBOUNCE_MS;
		if (resize_due != 0 && time_mono_ms() >= resize_due) {
			resize_due = 0;
			apply_resize(ui);
			react |= REDRAW_ALL | REDRAW_SCREEN;
		}
		if (pfd[1].revents & POLLIN)
			store_drain_wake(ui->store);
		if (pfd[0].revents & (POLLHUP | POLLERR))
			ui->quit = true; /* the terminal went away */
		react |= read_keys(ui) | expire_flash(ui);
		if (ui->quit_when_idle && ui_active_jobs(ui) == 0)
			ui->quit = true;
	}
}

/* ---- start and stop ---- */

static int start_workers(struct ui *ui, char *err, size_t errlen)
{
	struct http_conf conf = settings_http_conf(ui->settings);
	struct poller_opts po = {
		.base_url = ui->settings->url,
		.prefix = settings_prefix(ui->settings),
		.http = conf,
		.interval_ms = ui->opts->interval_ms,
	};

	ui->login = login_new(ui->settings);
	po.login = ui->login;
	ui->store = store_new();
	if (ui->store != NULL)
		ui->pool = pool_new(ui->opts->workers, ui->store);
	if (ui->pool != NULL)
		ui->poller = poller_start(&po, ui->store);
	if (ui->poller == NULL) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(errno));
		return -1;
	}
	ui->actions = actions_new(ui->settings->url, settings_prefix(ui->settings), &conf,
				  ui->login, ui->pool, ui->poller);
	return 0;
}

/* Cancels what still runs (a transfer removes its .part file) and stops every thread. */
static void stop_workers(struct ui *ui)
{
	size_t active = ui->store != NULL ? ui_active_jobs(ui) : 0;

	pool_free(&ui->pool); /* its jobs read the actions: they end first */
	actions_free(&ui->actions);
	poller_stop(&ui->poller);
	login_free(&ui->login);
	if (active > 0)
		fprintf(stderr, "boxtop: cancelled %zu unfinished job%s\n", active,
			active == 1 ? "" : "s");
}

static void free_ui(struct ui *ui)
{
	views_destroy(ui);
	store_view_release(&ui->view);
	store_free(&ui->store);
	eventlog_clear(&ui->events);
	modal_close(ui);
	flow_forget(ui);
	told_clear();
	free(ui->flash);
}

int app_run(const struct opts *o, const struct settings *s)
{
	struct ui ui = {.opts = o, .settings = s};
	char err[512] = "";
	int rc = 1;

	if (views_create(&ui, err, sizeof(err)) < 0)
		goto out;
	if (install_signals() < 0 || start_workers(&ui, err, sizeof(err)) < 0 ||
	    open_terminal(&ui, err, sizeof(err)) < 0)
		goto out;
	eventlog_add(&ui.events, time(NULL), EVENT_INFO, "boxtop %s started; server %s",
		     BOXTOP_VERSION, s->url);
	for (size_t i = 0; i < s->n_warnings; i++) {
		eventlog_add(&ui.events, time(NULL), EVENT_WARN, "%s", s->warnings[i]);
		ui_flash(&ui, true, "warning: %s", s->warnings[i]);
	}
	loop(&ui);
	rc = quit_signal != 0 ? 128 + quit_signal : ui.exit_status;
out:
	close_terminal(&ui);
	if (err[0] != '\0')
		fprintf(stderr, "boxtop: %s\n", err);
	stop_workers(&ui);
	free_ui(&ui);
	return rc;
}
