/*
 * xfer: streamed export and import of .boxlite archives.
 *
 * Export streams the answer straight to "<dest>.part" (created O_EXCL |
 * O_NOFOLLOW, mode 0600), verifies it (zstd, tar, manifest, the sha256 of
 * disk.qcow2 against container_disk_checksum), fsyncs it, renames it to
 * dest (refusing to replace an existing file unless asked) and fsyncs the
 * directory. Whatever goes wrong, and on cancel, the .part file is removed:
 * a file under the final name is always complete and verified. Import
 * checks the file is a .boxlite before sending a byte, then streams it up
 * with its length. Memory use does not depend on the archive's size. The
 * long silences of a real server (building an archive before its first
 * byte, checking one after its last) are said through waiting and never
 * time out; a stall once bytes flow does (http.h).
 */
#ifndef BOXTOP_NET_XFER_H
#define BOXTOP_NET_XFER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "http.h"

struct xfer_opts {
	bool force;                /* replace an existing file at dest */
	bool no_verify;            /* skip the archive check after download */
	const atomic_bool *cancel; /* may be NULL */
	http_progress_fn progress; /* may be NULL; gets progress_arg */
	void *progress_arg;
	/*
	 * May be NULL; gets progress_arg. What the transfer waits for while no
	 * byte moves: XFER_WAIT_BUILD (an export before its first byte: the
	 * server builds the whole archive first), XFER_WAIT_CHECK (an import
	 * after its last: the server checks it), then NULL once bytes flow.
	 */
	void (*waiting)(void *arg, const char *what);
};

#define XFER_WAIT_BUILD "waiting for the server to build the archive"
#define XFER_WAIT_CHECK "waiting for the server to check and unpack the archive"

/*
 * Exports box id to dest. Returns 0, or -1 with err (NET_LOCAL for a file
 * problem, NET_DECODE for an archive that does not verify, NET_CANCELLED).
 */
int xfer_export(struct api *a, const char *id, const char *dest, const struct xfer_opts *o,
		struct net_error *err);

/*
 * A download of req's 2xx body into fd (and tee unless -1), with o's
 * progress and "waiting for the server" until the first byte; sent again
 * (same request, Idempotency-Key and all) on a 429, 502, 503 or 504 with
 * Retry-After honoured: such an answer wrote nothing (only a 2xx body goes
 * to fd). A connection cut mid-body is not retried: the caller cleans up
 * and says so. Exports and boxtop cp's tars come through it.
 */
int xfer_download(struct api *a, const struct http_req *req, int fd, int tee,
		  const struct xfer_opts *o, struct http_resp *resp, struct net_error *err);

/*
 * A written part file made final: fsync fd, rename part to dest (never over
 * an existing dest unless force, the check and the rename one step), fsync
 * the directory. For whatever boxtop saves (exports, a log).
 */
int xfer_commit_part(int fd, const char *part, const char *dest, bool force, struct net_error *err);

/*
 * One upload of the whole of fd (size bytes) from its start: an api_try_fn
 * for api_mutate (arg: struct xfer_upload), with o's progress and cancel,
 * the stall rules and "waiting for the server" once all is sent. Imports
 * and boxtop cp's tars go through it.
 */
struct xfer_upload {
	const struct http_req *req;
	int fd;
	int64_t size;
	const struct xfer_opts *o;
};

int xfer_upload_try(struct api *a, void *arg, struct http_resp *out, struct net_error *err);

/*
 * Imports the archive at path as a new box called name (NULL: the server
 * picks). On 0, *out is the new box (caller frees).
 */
int xfer_import(struct api *a, const char *path, const char *name, const struct xfer_opts *o,
		struct box **out, struct net_error *err);

/*
 * The default export path: "<dir>/<name>-<yyyymmdd-HHMMSS>.boxlite" in UTC,
 * name made safe (only [A-Za-z0-9._-], no leading dot, at most 64
 * characters; "box" when nothing is left) whatever the server calls the box.
 * Caller frees.
 */
char *xfer_default_name(const char *dir, const char *box_name, int64_t now);

#endif
