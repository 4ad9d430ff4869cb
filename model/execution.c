/*
 * execution: exec's JSON both ways. The exit message's code is taken as
 * sent when it fits an int (a shell's 0-255, or 128+signal); anything
 * else about a message is optional, so a newer server's extra fields and
 * types pass.
 */
#include "execution.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static cJSON *string_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static char *print(cJSON *root)
{
	char *s = cJSON_PrintUnformatted(root);

	cJSON_Delete(root);
	if (s == NULL)
		fatal("execution: out of memory");
	return s;
}

char *exec_spec_encode(const struct exec_spec *spec)
{
	cJSON *root, *env;

	if (spec->command == NULL || spec->command[0] == '\0')
		return NULL;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "command", spec->command);
	cJSON_AddItemToObject(root, "args", string_array(spec->args, spec->n_args));
	env = cJSON_AddObjectToObject(root, "env");
	for (size_t i = 0; i < spec->n_env; i++) {
		const char *eq = strchr(spec->env[i], '=');
		char *key;

		if (eq == NULL || eq == spec->env[i]) {
			cJSON_Delete(root);
			return NULL;
		}
		key = xstrndup(spec->env[i], (size_t)(eq - spec->env[i]));
		cJSON_DeleteItemFromObjectCaseSensitive(env, key);
		cJSON_AddStringToObject(env, key, eq + 1);
		free(key);
	}
	if (spec->working_dir != NULL)
		cJSON_AddStringToObject(root, "working_dir", spec->working_dir);
	cJSON_AddBoolToObject(root, "tty", spec->tty);
	return print(root);
}

static int id_json(const cJSON *root, const struct json_ctx *ctx, void *out)
{
	if (json_want_object(root, NULL, ctx) < 0)
		return -1;
	return json_req_string(root, "execution_id", ctx, out);
}

int execution_id_decode(const char *buf, size_t len, char **id, struct decode_error *err)
{
	*id = NULL;
	return json_decode_doc(buf, len, "execution", err, id_json, id);
}

static void copy_string(const cJSON *obj, const char *name, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(v))
		snprintf(out, size, "%s", v->valuestring);
}

int attach_msg_decode(const char *buf, size_t len, struct attach_msg *m)
{
	cJSON *root = len < JSON_MAX_BYTES ? cJSON_ParseWithLength(buf, len) : NULL;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
	const cJSON *code;

	*m = (struct attach_msg){.type = ATTACH_MSG_OTHER};
	if (!cJSON_IsObject(root) || !cJSON_IsString(type)) {
		cJSON_Delete(root);
		return -1;
	}
	if (strcmp(type->valuestring, "exit") == 0) {
		code = cJSON_GetObjectItemCaseSensitive(root, "exit_code");
		m->type = ATTACH_MSG_EXIT;
		m->exit_code = cJSON_IsNumber(code) && code->valuedouble >= -2147483648.0 &&
					       code->valuedouble <= 2147483647.0
				       ? (int)code->valuedouble
				       : -1;
	} else if (strcmp(type->valuestring, "error") == 0) {
		m->type = ATTACH_MSG_ERROR;
		copy_string(root, "code", m->code, sizeof(m->code));
		copy_string(root, "message", m->message, sizeof(m->message));
	}
	cJSON_Delete(root);
	return 0;
}

char *attach_resize_encode(unsigned cols, unsigned rows)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "type", "resize");
	cJSON_AddNumberToObject(root, "cols", cols);
	cJSON_AddNumberToObject(root, "rows", rows);
	return print(root);
}

char *attach_signal_encode(int sig)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "type", "signal");
	cJSON_AddNumberToObject(root, "sig", sig);
	return print(root);
}

char *attach_eof_encode(void)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "type", "stdin_eof");
	return print(root);
}
