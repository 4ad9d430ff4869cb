/*
 * boxlite-sim: entry point. The simulator is not built yet; this skeleton
 * answers --help and --version and refuses to pretend to serve.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			puts("usage: boxlite-sim [--help] [--version]\n\n"
			     "The BoxLite REST simulator. Not built yet: it serves nothing.");
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("boxlite-sim %s\n", BOXTOP_VERSION);
			return 0;
		}
	}
	fputs("boxlite-sim: not built yet; it serves nothing.\n", stderr);
	return 1;
}
