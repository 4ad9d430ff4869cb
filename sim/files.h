/*
 * files: `PUT|GET /{prefix}/boxes/{box_id}/files?path=...`, a box's files
 * as tar archives (sim/ftree.h holds them). Route handlers for routes.c's
 * table.
 */
#ifndef BOXTOP_SIM_FILES_H
#define BOXTOP_SIM_FILES_H

#include <microhttpd.h>

struct call;

/* Unpacks the tar body at ?path= (overwrite, default true): 204. */
enum MHD_Result files_upload(struct call *c);
/* Streams ?path= (follow_symlinks; "/." for a directory's contents) as a tar: 200. */
enum MHD_Result files_download(struct call *c);

#endif
