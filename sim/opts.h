/*
 * opts: how this simulator run behaves, set once from the command line
 * before the server starts and read-only afterwards (so every thread may
 * read it without a lock).
 */
#ifndef BOXTOP_SIM_OPTS_H
#define BOXTOP_SIM_OPTS_H

#include <stdbool.h>
#include <stdint.h>

enum sim_flavor {
	FLAVOR_SPEC,  /* follows the OpenAPI description (default) */
	FLAVOR_SERVE, /* `boxlite serve` as its mainline code behaves (docs/sim.md) */
	FLAVOR_CLOUD, /* opaque tokens, flat error bodies for 429/502/503/504 */
};

/* file_transfer_max_bytes unless --transfer-max says otherwise: 8 GiB. */
#define SIM_TRANSFER_MAX (8ull << 30)

struct sim_opts {
	enum sim_flavor flavor;
	bool strict_stopped;      /* snapshot, clone and export refuse running boxes */
	bool control;             /* serve the /_sim/ control API */
	bool no_etag;             /* send no ETag (like a server without them) */
	uint64_t disk_size;       /* default disk content per box, bytes */
	uint64_t rate;            /* transfer throttle, bytes/s; 0 = unlimited */
	uint64_t transfer_max;    /* largest import accepted (413 above); 0 = SIM_TRANSFER_MAX */
	uint64_t files_max;       /* each box's files budget (--files-max); 0 = 64 MiB */
	unsigned tick_ms;         /* how often metrics evolve and the AutoStop sweep runs */
	unsigned export_delay_ms; /* serve: the silence while the archive is built */
	bool export_chunked;      /* serve: the branch's export, chunked from the first byte */
	bool auto_stop_given;     /* --auto-stop: every seeded box gets auto_stop */
	int64_t auto_stop;
	unsigned caps_off;     /* capabilities --disable turned off (routes_caps_parse bits) */
	const char *state_dir; /* archives and uploads live here */
	const char *base_path; /* "" or e.g. "/api": prepended to every route */
	unsigned log_rate;     /* main sessions' log lines per second (0: silent) */
	unsigned log_line_len; /* pad each log line to this length (0: as made) */
	unsigned reap_grace;   /* seconds an ended, unattached execution is kept */
};

#endif
