/*
 * decode_check: runs one of boxtop's own decoders over a file, so the
 * integration tests prove the simulator's answers decode in the client.
 * Usage: decode_check box|box_list|config|principal|snapshot|snapshot_list|\n"
			"                    runtime_metrics|box_metrics FILE. Exit 0 when
 * the document decodes, 1 when it does not, 2 on bad usage or an unreadable file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/api_error.h"
#include "model/box.h"
#include "model/image.h"
#include "model/metrics.h"
#include "model/principal.h"
#include "model/server_config.h"
#include "model/snapshot.h"
#include "model/xalloc.h"

#define MAX_FILE (16u * 1024 * 1024)

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;

	if (fp == NULL)
		return NULL;
	buf = xmalloc(MAX_FILE);
	*len = fread(buf, 1, MAX_FILE, fp);
	fclose(fp);
	return buf;
}

static int decode_snapshot(const char *buf, size_t len, struct decode_error *err)
{
	struct snapshot *s = NULL;
	int rc = snapshot_decode(buf, len, &s, err);

	snapshot_free(&s);
	return rc;
}

static int decode_snapshot_list(const char *buf, size_t len, struct decode_error *err)
{
	struct snapshot_list *l = NULL;
	int rc = snapshot_list_decode(buf, len, &l, err);

	snapshot_list_free(&l);
	return rc;
}

static int decode_images(const char *kind, const char *buf, size_t len, struct decode_error *err)
{
	struct image_list *l = NULL;
	struct image_detail *d = NULL;
	struct image_usage u = {0};
	int rc = -2;

	if (strcmp(kind, "image_list") == 0)
		rc = image_list_decode(buf, len, &l, err);
	else if (strcmp(kind, "image_detail") == 0)
		rc = image_detail_decode(buf, len, &d, err);
	else if (strcmp(kind, "image_usage") == 0)
		rc = image_usage_decode(buf, len, &u, err);
	image_list_free(&l);
	image_detail_free(&d);
	return rc;
}

/* An error body: the decoder never fails, so it must at least find a code and a message. */
static int decode_api_error(const char *buf, size_t len)
{
	struct api_error e;
	char line[800];

	api_error_decode(0, buf, len, NULL, &e);
	printf("%s\n", api_error_str(&e, line, sizeof(line)));
	return e.message[0] != '\0' && e.kind != API_ERR_UNKNOWN ? 0 : -1;
}

static int decode(const char *kind, const char *buf, size_t len, struct decode_error *err)
{
	struct box *b = NULL;
	struct box_list *l = NULL;
	struct server_config *c = NULL;
	struct principal *p = NULL;
	int rc = -2;

	if (strcmp(kind, "box") == 0)
		rc = box_decode(buf, len, &b, err);
	else if (strcmp(kind, "box_list") == 0)
		rc = box_list_decode(buf, len, &l, err);
	else if (strcmp(kind, "config") == 0)
		rc = server_config_decode(buf, len, &c, err);
	else if (strcmp(kind, "principal") == 0)
		rc = principal_decode(buf, len, &p, err);
	else if (strcmp(kind, "snapshot") == 0)
		rc = decode_snapshot(buf, len, err);
	else if (strcmp(kind, "snapshot_list") == 0)
		rc = decode_snapshot_list(buf, len, err);
	else if (strcmp(kind, "runtime_metrics") == 0)
		rc = runtime_metrics_decode(buf, len, &(struct runtime_metrics){0}, err);
	else if (strcmp(kind, "box_metrics") == 0)
		rc = box_metrics_decode(buf, len, &(struct box_metrics){0}, err);
	else if (strncmp(kind, "image_", 6) == 0)
		rc = decode_images(kind, buf, len, err);
	else if (strcmp(kind, "api_error") == 0)
		rc = decode_api_error(buf, len);
	box_free(&b);
	box_list_free(&l);
	server_config_free(&c);
	principal_free(&p);
	return rc;
}

int main(int argc, char **argv)
{
	struct decode_error err = {0};
	char msg[300];
	size_t len = 0;
	char *buf;
	int rc = 2;

	if (argc != 3)
		goto out;
	buf = read_file(argv[2], &len);
	if (buf == NULL)
		goto out;
	rc = decode(argv[1], buf, len, &err);
	free(buf);
	if (rc == -1)
		fprintf(stderr, "decode_check: %s: %s\n", argv[2],
			decode_error_str(&err, msg, sizeof(msg)));
	rc = rc == 0 ? 0 : rc == -1 ? 1 : 2;
out:
	if (rc == 2)
		fprintf(stderr, "usage: decode_check "
				"box|box_list|config|principal|snapshot|snapshot_list|\n"
				"                    runtime_metrics|box_metrics|image_list|\n"
				"                    image_detail|image_usage|api_error FILE\n");
	return rc;
}
