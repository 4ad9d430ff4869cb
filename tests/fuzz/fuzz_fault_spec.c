/*
 * libFuzzer target for sim/faults: the input, cut at its first NUL, is a
 * --fault spec. A refused spec must say why (a non-empty message inside the
 * buffer) and leave no rule behind. An accepted one must be listed once,
 * the listing must be accepted back by faults_add_json and list the same,
 * and the rule must then give the same plan in both sets for a few paths,
 * its own pattern among them. The input is also tried as a JSON rule.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/faults.h"
#include "model/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static int n_rules(struct faults *f)
{
	cJSON *list = faults_to_json(f);
	int n = cJSON_GetArraySize(list);

	cJSON_Delete(list);
	return n;
}

static void same_plans(struct faults *a, struct faults *b, const char *own)
{
	static const char *const methods[] = {"GET", "POST", "DELETE"};
	const char *paths[] = {"/v1/boxes", "/v1/boxes/x/export", "/", "", own};
	struct fault_plan pa, pb;

	for (size_t m = 0; m < ARRAY_LEN(methods); m++) {
		for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
			faults_plan(a, methods[m], paths[i], &pa);
			faults_plan(b, methods[m], paths[i], &pb);
			check(pa.status == pb.status && pa.latency_ms == pb.latency_ms &&
			      pa.truncate == pb.truncate && pa.not_json == pb.not_json &&
			      pa.pad_bytes == pb.pad_bytes && pa.drip_ms == pb.drip_ms &&
			      pa.drop_after == pb.drop_after && pa.retry_after == pb.retry_after);
			check(pa.status == 0 || (pa.status >= 400 && pa.status <= 599));
		}
	}
}

/* The listed rule, added to a fresh set, lists the same and plans the same. */
static void round_trip(struct faults *f)
{
	struct faults *g = faults_new(9);
	cJSON *list = faults_to_json(f);
	cJSON *rule = cJSON_GetArrayItem(list, 0);
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(rule, "path");
	char err[256];
	cJSON *again;
	char *a, *b;

	check(faults_add_json(g, rule, err, sizeof(err)) == 0);
	again = faults_to_json(g);
	a = cJSON_PrintUnformatted(list);
	b = cJSON_PrintUnformatted(again);
	check(strcmp(a, b) == 0);
	check(cJSON_IsString(path));
	same_plans(f, g, path->valuestring);
	free(a);
	free(b);
	cJSON_Delete(again);
	cJSON_Delete(list);
	faults_free(&g);
}

static void fuzz_spec(const char *spec)
{
	struct faults *f = faults_new(9);
	char err[96];

	memset(err, 'Z', sizeof(err));
	if (faults_add_spec(f, spec, err, sizeof(err)) == 0) {
		check(n_rules(f) == 1);
		round_trip(f);
	} else {
		check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		check(n_rules(f) == 0);
	}
	faults_free(&f);
}

static void fuzz_json(const char *text, size_t len)
{
	cJSON *rule = cJSON_ParseWithLength(text, len);
	struct faults *f = faults_new(9);
	char err[96];

	memset(err, 'Z', sizeof(err));
	if (faults_add_json(f, rule, err, sizeof(err)) == 0)
		round_trip(f);
	else
		check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
	cJSON_Delete(rule);
	faults_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);

	memcpy(in, data, size);
	in[size] = '\0';
	fuzz_spec(in);
	fuzz_json(in, strlen(in));
	free(in);
	return 0;
}
