/* faults: placeholder until fault rules land (being written now). */
#include "faults.h"

#include <stdio.h>
#include <stdlib.h>

#include "model/xalloc.h"

struct faults {
	bool expired;
};

struct faults *faults_new(uint64_t seed)
{
	(void)seed;
	return xcalloc(1, sizeof(struct faults));
}

void faults_free(struct faults **f)
{
	if (f == NULL)
		return;
	free(*f);
	*f = NULL;
}

int faults_add_spec(struct faults *f, const char *spec, char *err, size_t errlen)
{
	(void)f;
	snprintf(err, errlen, "faults not implemented: %s", spec);
	return -1;
}

int faults_add_json(struct faults *f, const cJSON *rule, char *err, size_t errlen)
{
	(void)f;
	(void)rule;
	snprintf(err, errlen, "faults not implemented");
	return -1;
}

cJSON *faults_to_json(struct faults *f)
{
	(void)f;
	return cJSON_CreateArray();
}

void faults_clear(struct faults *f)
{
	(void)f;
}

void faults_plan(struct faults *f, const char *method, const char *path, struct fault_plan *out)
{
	(void)f;
	(void)method;
	(void)path;
	*out = (struct fault_plan){.drop_after = -1};
}

void faults_set_key_expired(struct faults *f, bool expired)
{
	f->expired = expired;
}

bool faults_key_expired(struct faults *f)
{
	return f->expired;
}
