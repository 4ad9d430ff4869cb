/*
 * opts: the command line. getopt_long permutes, so options may come before
 * or after the command (`boxtop export web -o web.boxlite` and `boxtop -o
 * web.boxlite export web` mean the same); the checks after parsing refuse
 * what does not fit the mode.
 */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "net/pool.h"
#include "model/xalloc.h"

enum {
	OPT_URL = 256,
	OPT_PROFILE,
	OPT_PATH_PREFIX,
	OPT_API_KEY_FILE,
	OPT_CA_FILE,
	OPT_INSECURE,
	OPT_WORKERS,
	OPT_DEMO,
	OPT_JSON,
	OPT_FILTER,
	OPT_READONLY,
	OPT_NO_COLOR,
	OPT_ASCII,
	OPT_NO_MOUSE,
	OPT_EXPORT_DIR,
	OPT_NAME,
	OPT_FORCE,
	OPT_NO_VERIFY,
	OPT_PRINT_CONFIG,
	OPT_YES,
};

static const struct option long_opts[] = {
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"url", required_argument, NULL, OPT_URL},
	{"profile", required_argument, NULL, OPT_PROFILE},
	{"path-prefix", required_argument, NULL, OPT_PATH_PREFIX},
	{"api-key-file", required_argument, NULL, OPT_API_KEY_FILE},
	{"ca-file", required_argument, NULL, OPT_CA_FILE},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"delay", required_argument, NULL, 'd'},
	{"workers", required_argument, NULL, OPT_WORKERS},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"batch", no_argument, NULL, 'b'},
	{"iterations", required_argument, NULL, 'n'},
	{"json", no_argument, NULL, OPT_JSON},
	{"filter", required_argument, NULL, OPT_FILTER},
	{"readonly", no_argument, NULL, OPT_READONLY},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
	{"export-dir", required_argument, NULL, OPT_EXPORT_DIR},
	{"output", required_argument, NULL, 'o'},
	{"name", required_argument, NULL, OPT_NAME},
	{"force", no_argument, NULL, OPT_FORCE},
	{"no-verify", no_argument, NULL, OPT_NO_VERIFY},
	{"print-config", no_argument, NULL, OPT_PRINT_CONFIG},
	{"yes", no_argument, NULL, OPT_YES},
	{"tty", no_argument, NULL, 't'},
	{"interactive", no_argument, NULL, 'i'},
	{"env", required_argument, NULL, 'e'},
	{"workdir", required_argument, NULL, 'w'},
	{"follow", no_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

/* Whether the long option name[0..len) takes a value. */
static bool lo_takes_arg(const char *name, size_t len)
{
	for (const struct option *lo = long_opts; lo->name != NULL; lo++)
		if (strlen(lo->name) == len && strncmp(lo->name, name, len) == 0)
			return lo->has_arg == required_argument;
	return false;
}

/* The commands that are not actions, and the usage line each says when its arguments are wrong. */
static const struct {
	const char *name;
	enum opts_mode mode;
	const char *usage;
	const char *help;
} commands[] = {
	{"images", MODE_IMAGES, "images [--json]", "the image cache as a table, or JSON"},
	{"keys", MODE_KEYS, "keys", "every key of the dashboard, by view"},
	{"exec", MODE_EXEC, "exec BOX [-t] [-i] [-e K=V] [-w DIR] -- CMD [ARGS]",
	 "run a command in a box; its exit status is boxtop's"},
	{"shell", MODE_EXEC, "shell BOX",
	 "a shell in a box (exec -it BOX -- the configured shell)"},
	{"logs", MODE_LOGS, "logs BOX [-f]", "what the box's main session wrote; -f follows"},
};

void opts_usage(FILE *out)
{
	size_t n;
	const struct action_def *defs = action_defs(&n);
	char usage[160];

	fputs("usage: boxtop [options]                  the dashboard\n"
	      "       boxtop -b|--json [-n N] [options] boxes as text or JSON, N times\n",
	      out);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (strlen(commands[i].usage) <= 26)
			fprintf(out, "       boxtop %-26s %s\n", commands[i].usage,
				commands[i].help);
		else
			fprintf(out, "       boxtop %s\n%41s%s\n", commands[i].usage, "",
				commands[i].help);
	fputs("       boxtop COMMAND ARGS [--json]      one action, as the dashboard's key does "
	      "it;\n"
	      "                                         the result on stdout (--json: the job)\n",
	      out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "        %-46s %s\n", action_usage(&defs[i], usage, sizeof(usage)),
			defs[i].help);
	fputs("\n"
	      "connection (else BOXLITE_* variables, else ~/.boxlite/credentials.toml):\n"
	      "  --url URL            server, e.g. http://localhost:8100\n"
	      "  --profile NAME       credentials.toml profile (default \"default\")\n"
	      "  --path-prefix P      tenant prefix, e.g. us-east/team-42 (\"\" for none);\n"
	      "                       else asked of the server (GET /v1/me)\n"
	      "  --api-key-file PATH  read the API key from PATH (- for stdin); never on\n"
	      "                       the command line\n"
	      "  --ca-file PATH       trust this CA bundle\n"
	      "  --insecure           do not verify TLS certificates (loudly warned)\n"
	      "  --demo               start boxlite-sim on a free loopback port and use it\n"
	      "\n"
	      "dashboard and batch:\n"
	      "  -d, --delay SECS     refresh interval (default 2)\n"
	      "  --workers N          worker threads for actions and transfers (default 4)\n"
	      "  -b, --batch          print the boxes table as text each refresh\n"
	      "  --json               print one JSON document per refresh (with images:\n"
	      "                       the image list as one document)\n"
	      "  -n, --iterations N   refreshes to print, then exit\n"
	      "  --filter QUERY       only boxes matching QUERY (status:running, label:k=v, ...)\n"
	      "  --readonly           no key changes anything on the server\n"
	      "  --export-dir DIR     where exports go by default (default .)\n"
	      "  --no-color           no colours (also NO_COLOR=1)\n"
	      "  --ascii              no line-drawing or block glyphs (automatic when the\n"
	      "                       locale is not UTF-8)\n"
	      "  --no-mouse           leave the mouse to the terminal\n"
	      "  --print-config       every setting in effect and where it came from\n"
	      "\n"
	      "actions (progress on stderr; the result on stdout: the snapshot's name, the\n"
	      "new box's id, the saved path):\n"
	      "  -o, --output PATH    export: where to save (default <box>-<UTC time>.boxlite)\n"
	      "  --force              export: replace an existing file\n"
	      "  --no-verify          export: skip the archive check after downloading\n"
	      "  --name NAME          the name of what it makes (a snapshot's default:\n"
	      "                       snap-<UTC time>; a box's: the server's or the archive's)\n"
	      "  -y, --yes            do not ask first (without a terminal to ask on, an\n"
	      "                       action that asks needs it)\n"
	      "\n"
	      "exec, shell and logs (they attach to the box: on boxlite serve that is use\n"
	      "of it; logs never starts a stopped box, exec and shell only one that\n"
	      "resumes on use):\n"

	      "  -i, --interactive    exec: stdin goes to the command\n"
	      "  -t, --tty            exec: a terminal (raw, resized with this one);\n"
	      "                       ~. after Enter leaves it running\n"
	      "  -e, --env NAME=VALUE exec: set a variable (repeatable)\n"
	      "  -w, --workdir DIR    exec: where the command starts\n"
	      "  -f, --follow         logs: keep reading until Ctrl-C\n"
	      "\n"
	      "  -h, --help           this text      -V, --version   the version\n"
	      "\n"
	      "Settings file: $XDG_CONFIG_HOME/boxtop/config.toml (see boxtop(1)).\n"
	      "In the dashboard, ? lists the keys (boxtop keys prints them all).\n"
	      "Exit status: 0 done, 1 failed, 2 usage, 128+N stopped by signal N;\n"
	      "exec and shell: the command's, 255 when its end was not learnt.\n",
	      out);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole decimal number in [lo, hi]. */
static int parse_count(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Seconds, fractions allowed, from 0.1 to an hour, into milliseconds. */
static int parse_delay(const char *s, unsigned *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.1 && v <= 3600))
		return -1;
	*ms = (unsigned)lround(v * 1000);
	return 0;
}

static int take(struct opts *o, int c, const char *arg, char *err, size_t errlen)
{
	long n;

	switch (c) {
	case 'h':
		o->mode = MODE_HELP;
		break;
	case 'V':
		o->mode = MODE_VERSION;
		break;
	case OPT_URL:
		o->conn.url = arg;
		break;
	case OPT_PROFILE:
		o->conn.profile = arg;
		break;
	case OPT_PATH_PREFIX:
		o->conn.path_prefix = arg;
		break;
	case OPT_API_KEY_FILE:
		o->conn.api_key_file = arg;
		break;
	case OPT_CA_FILE:
		o->conn.ca_file = arg;
		break;
	case OPT_INSECURE:
		o->conn.insecure = true;
		break;
	case 'd':
		if (parse_delay(arg, &o->interval_ms) < 0)
			return fail(err, errlen, "-d '%s': expected seconds from 0.1 to 3600", arg);
		break;
	case OPT_WORKERS:
		if (parse_count(arg, 1, POOL_MAX_WORKERS, &n) < 0)
			return fail(err, errlen,
				    "--workers '%s': expected a number from 1 to " STRINGIFY(
					    POOL_MAX_WORKERS),
				    arg);
		o->workers = (unsigned)n;
		break;
	case OPT_DEMO:
		o->demo = true;
		break;
	case 'b':
		o->batch = true;
		break;
	case 'n':
		if (parse_count(arg, 1, 1000000000L, &o->iterations) < 0)
			return fail(err, errlen,
				    "-n '%s': expected a number of refreshes, 1 or more", arg);
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_FILTER:
		o->filter = arg;
		break;
	case OPT_READONLY:
		o->readonly = true;
		break;
	case OPT_NO_COLOR:
		o->no_color = true;
		break;
	case OPT_ASCII:
		o->ascii = true;
		break;
	case OPT_NO_MOUSE:
		o->no_mouse = true;
		break;
	case OPT_EXPORT_DIR:
		o->export_dir = arg;
		break;
	case 'o':
		o->output = arg;
		break;
	case OPT_NAME:
		o->name = arg;
		break;
	case OPT_FORCE:
		o->force = true;
		break;
	case OPT_NO_VERIFY:
		o->no_verify = true;
		break;
	case OPT_PRINT_CONFIG:
		o->print_config = true;
		break;
	case 'y':
	case OPT_YES:
		o->yes = true;
		break;
	case 't':
		o->tty = true;
		break;
	case 'i':
		o->interactive = true;
		break;
	case 'f':
		o->follow = true;
		break;
	case 'w':
		o->workdir = arg;
		break;
	case 'e':
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			return fail(err, errlen, "-e '%s': expected NAME=VALUE", arg);
		if (o->n_env == OPTS_ENV_MAX)
			return fail(err, errlen, "-e: at most %d of them", OPTS_ENV_MAX);
		o->env[o->n_env++] = arg;
		break;
	default:
		return fail(err, errlen, "%s", "unknown option (see boxtop --help)");
	}
	return 0;
}

/* How many arguments an action takes: what it acts on, then a snapshot (or cp's other side). */
static int action_args(const struct action_def *d)
{
	return ((d->needs & (ACT_BOX | ACT_IMAGE | ACT_FILE)) != 0) +
	       ((d->needs & (ACT_SNAPSHOT | ACT_LOCAL)) != 0);
}

/* "snapshot, restore, ... images, keys": what `boxtop COMMAND` may be. */
static void command_names(char *buf, size_t size)
{
	size_t n, used = 0;
	const struct action_def *defs = action_defs(&n);

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s, ", defs[i].command);
	for (size_t i = 0; i < ARRAY_LEN(commands) && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", commands[i].name,
					 i + 1 < ARRAY_LEN(commands) ? ", " : "");
}

/* The commands whose needs hold bit ("export" for ACT_DEST), for a refusal. */
static void commands_with(unsigned bit, enum action_confirm any_confirm, char *buf, size_t size)
{
	size_t n, used = 0;
	const struct action_def *defs = action_defs(&n);

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		if ((bit != 0 && (defs[i].needs & bit)) ||
		    (bit == 0 && defs[i].confirm != any_confirm))
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
						 defs[i].command);
}

/* exec BOX CMD [ARGS], shell BOX, logs BOX: the box, and the command exec runs. */
static int take_box_command(struct opts *o, int argc, char **argv, const char *usage, char *err,
			    size_t errlen)
{
	bool is_exec = strcmp(argv[optind], "exec") == 0;
	int have = argc - optind - 1;

	if (have < 1 || (is_exec && have < 2) || (!is_exec && have != 1))
		return fail(err, errlen, "usage: boxtop %s", usage);
	o->target = argv[optind + 1];
	o->argv = is_exec ? argv + optind + 2 : NULL;
	o->argc = is_exec ? have - 1 : 0;
	if (strcmp(argv[optind], "shell") == 0)
		o->tty = o->interactive = true;
	return 0;
}

/* The command and its arguments, from what getopt left. */
static int take_command(struct opts *o, int argc, char **argv, char *err, size_t errlen)
{
	const struct action_def *d;
	char usage[160], names[400];
	int want;

	if (optind >= argc)
		return 0;
	d = action_by_command(argv[optind]);
	for (size_t i = 0; d == NULL && i < ARRAY_LEN(commands); i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			o->mode = commands[i].mode;
			if (o->mode == MODE_EXEC || o->mode == MODE_LOGS)
				return take_box_command(o, argc, argv, commands[i].usage, err,
							errlen);
			if (argc - optind != 1)
				return fail(err, errlen, "usage: boxtop %s", commands[i].usage);
			return 0;
		}
	if (d == NULL) {
		command_names(names, sizeof(names));
		return fail(err, errlen, "unknown command '%s' (commands: %s)", argv[optind],
			    names);
	}
	o->mode = MODE_ACTION;
	o->action = d;
	want = action_args(d);
	if (argc - optind != 1 + want)
		return fail(err, errlen, "usage: boxtop %s", action_usage(d, usage, sizeof(usage)));
	o->target = want > 0 ? argv[optind + 1] : NULL;
	o->second = want > 1 ? argv[optind + 2] : NULL;
	return 0;
}

/* Options that belong to another mode are refused, not silently ignored. */
static int check_mode(const struct opts *o, char *err, size_t errlen)
{
	unsigned needs = o->mode == MODE_ACTION ? o->action->needs : 0;
	bool asks = o->mode == MODE_ACTION && o->action->confirm != CONFIRM_NONE;
	char with[200];

	if ((o->output != NULL || o->no_verify || o->force) && !(needs & ACT_DEST)) {
		commands_with(ACT_DEST, CONFIRM_NONE, with, sizeof(with));
		return fail(err, errlen, "-o, --force and --no-verify go with %s", with);
	}
	if (o->name != NULL && !(needs & ACT_NAME)) {
		commands_with(ACT_NAME, CONFIRM_NONE, with, sizeof(with));
		return fail(err, errlen, "--name goes with %s", with);
	}
	if (o->yes && !asks) {
		commands_with(0, CONFIRM_NONE, with, sizeof(with));
		return fail(err, errlen, "--yes goes with what asks first: %s", with);
	}
	if ((o->mode == MODE_IMAGES || o->mode == MODE_ACTION) && (o->batch || o->iterations != 0))
		return fail(err, errlen, "-b and -n do not go with %s (--json does)",
			    o->mode == MODE_IMAGES ? "images" : o->action->command);
	if ((o->tty || o->interactive || o->n_env > 0 || o->workdir != NULL) &&
	    o->mode != MODE_EXEC)
		return fail(err, errlen, "%s", "-t, -i, -e and -w go with exec");
	if (o->follow && o->mode != MODE_LOGS)
		return fail(err, errlen, "%s", "-f goes with logs");
	if ((o->mode == MODE_EXEC || o->mode == MODE_LOGS) &&
	    (o->batch || o->json || o->iterations != 0))
		return fail(err, errlen, "%s",
			    "-b, -n and --json do not go with exec, shell or logs");
	if (o->mode == MODE_KEYS && (o->batch || o->json || o->iterations != 0))
		return fail(err, errlen, "%s", "keys takes no option");
	if (o->iterations != 0 && !(o->batch || o->json))
		return fail(err, errlen, "%s", "-n goes with -b or --json");
	if (o->filter != NULL && o->mode != MODE_DASHBOARD && o->mode != MODE_BATCH)
		return fail(err, errlen, "%s", "--filter goes with the dashboard, -b or --json");
	return 0;
}

/*
 * getopt_long takes any unambiguous abbreviation, so "--api-key SECRET"
 * would become --api-key-file with the secret as a path (and echo it in the
 * error). Long options must be spelled out in full.
 */
static int check_long_names(int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		size_t len = strcspn(a, "=");
		bool known = false;

		if (strncmp(a, "--", 2) != 0)
			continue;
		for (const struct option *lo = long_opts; lo->name != NULL && !known; lo++)
			known = strlen(lo->name) == len - 2 &&
				strncmp(lo->name, a + 2, len - 2) == 0;
		if (!known)
			return fail(err, errlen, "unknown option '%.*s' (see boxtop --help)",
				    (int)len, a);
		if (lo_takes_arg(a + 2, len - 2) && a[len] == '\0')
			i++; /* its value, which may itself start with "--" */
	}
	return 0;
}

int opts_parse(int argc, char **argv, struct opts *o, char *err, size_t errlen)
{
	int c;

	*o = (struct opts){.mode = MODE_DASHBOARD,
			   .log_lines = OPTS_LOG_LINES,
			   .log_bytes = (size_t)OPTS_LOG_MIB << 20,
			   .shell = OPTS_SHELL};
	if (check_long_names(argc, argv, err, errlen) < 0)
		return -1;
	optind = 0; /* glibc: 0 also resets its scanning state, for a second parse */
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":hVd:bn:o:ytife:w:", long_opts, NULL);
		if (c == -1)
			break;
		if (c == '?')
			return fail(err, errlen, "unknown option '%s' (see boxtop --help)",
				    argv[optind - 1]);
		if (c == ':')
			return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		if (take(o, c, optarg, err, errlen) < 0)
			return -1;
	}
	if (o->mode == MODE_HELP || o->mode == MODE_VERSION)
		return 0;
	if (take_command(o, argc, argv, err, errlen) < 0)
		return -1;
	if (o->mode == MODE_DASHBOARD && (o->batch || o->json))
		o->mode = MODE_BATCH;
	return check_mode(o, err, errlen);
}
