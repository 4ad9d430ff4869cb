/*
 * files: `boxtop cp`, copying files out of and into a running box the way
 * `docker cp` does, over `GET|PUT /boxes/{id}/files?path=...` with tar
 * bodies. libarchive makes and reads the tars; memory use does not depend on
 * the size of what is copied.
 *
 * Out (files_copy_out): the answer streams through a pipe into a thread that
 * unpacks it into a temporary directory ".boxtop-cp-XXXXXX" next to where
 * the copy goes, refusing entries with absolute paths, ".." or a path
 * through a symlink; only once the whole tar is unpacked is its top entry
 * renamed into place (a directory onto an existing one merged, each file
 * renamed), so no partial file ever has its final name. On failure or
 * cancel the temporary directory is removed.
 *
 * In (files_copy_in): SRC is walked first (its total is the job's), packed
 * into an unlinked temporary tar in $TMPDIR (else /tmp), then sent with its
 * length. A PUT changes the box: without announced idempotency a lost answer
 * is not sent again blindly (api_mutate says so in the error).
 *
 * Where things go (docker cp's rules): BOX:/d/file -> DEST, or DEST/file when
 * DEST is a directory; BOX:/d/dir -> DEST/dir when DEST is a directory, else
 * DEST made as the copy; BOX:/d/dir/. -> the contents into DEST (made when
 * missing). The same the other way: for a directory SRC the box is asked
 * (a GET of the path, stopped after its first entry) whether PATH is a
 * directory already.
 */
#ifndef BOXTOP_NET_FILES_H
#define BOXTOP_NET_FILES_H

#include <stdbool.h>

#include "api.h"
#include "http.h"
#include "xfer.h"

/* The temporary directory's name, before its random part. */
#define FILES_TMP_PREFIX ".boxtop-cp-"

/*
 * "BOX:PATH" split into a box (name or id) and the path inside it, as docker
 * cp reads its arguments: the part before the first ':' must be non-empty
 * and hold no '/', and the argument must not start with '/' or '.' (so
 * "./a:b" and "/tmp/a:b" are local paths). Returns true with *box and *path
 * (caller frees both), or false (nothing allocated).
 */
bool files_split_arg(const char *arg, char **box, char **path);

/*
 * Copies path out of box id to dest (o->force and o->no_verify are not
 * read; o->waiting hears XFER_WAIT_BUILD until the first byte). Progress is
 * the tar's bytes; the total is -1 unless the server sends a length. On 0,
 * *saved is the local path of the copy (caller frees). Returns -1 with err:
 * NET_LOCAL for a local problem or an entry refused, NET_DECODE for a body
 * that is no tar, NET_STATUS (a 409's message says the box must run),
 * NET_CANCELLED.
 */
int files_copy_out(struct api *a, const char *id, const char *path, const char *dest,
		   const struct xfer_opts *o, char **saved, struct net_error *err);

/*
 * Copies the local src (a file or a directory; "dir/." for its contents)
 * into box id at path. Progress is the content packed (total: the walk's),
 * then the tar's bytes sent (total: its size). On 0, *where is the path in
 * the box it went to: PATH, or PATH/name for a directory put inside the
 * directory PATH (caller frees). A file sent to an existing directory lands
 * inside it; *where still says PATH (the box is not asked about files).
 */
int files_copy_in(struct api *a, const char *id, const char *src, const char *path,
		  const struct xfer_opts *o, char **where, struct net_error *err);

#endif
