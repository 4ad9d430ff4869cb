/*
 * boxtop: entry point. The dashboard itself (tui/), the network layer (net/)
 * and the simulator it runs against by default (sim/) are being built in
 * stages; this skeleton answers --help and --version truthfully and says
 * what is not there yet.
 */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("usage: boxtop [--help] [--version]\n"
	      "\n"
	      "boxtop is the terminal dashboard for BoxLite. This build holds the\n"
	      "data model only: the dashboard, the network layer and --demo are\n"
	      "not built yet.\n",
	      out);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("boxtop %s\n", BOXTOP_VERSION);
			return 0;
		}
		fprintf(stderr, "boxtop: unknown option '%s'\n", argv[i]);
		usage(stderr);
		return 2;
	}
	fputs("boxtop: the dashboard is not built yet; this build holds the data model only.\n",
	      stderr);
	return 1;
}
