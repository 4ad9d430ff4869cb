/* model/execution: exec's request, its answers and the attach's text messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/execution.h"

static void test_spec(void **state)
{
	const char *args[] = {"-c", "echo \"hi\""};
	const char *env[] = {"A=1", "B=x=y", "A=2"};
	struct exec_spec s = {.command = "/bin/sh",
			      .args = args,
			      .n_args = 2,
			      .env = env,
			      .n_env = 3,
			      .working_dir = "/root",
			      .tty = true};
	char *j = exec_spec_encode(&s);

	(void)state;
	assert_string_equal(
		j, "{\"command\":\"/bin/sh\",\"args\":[\"-c\",\"echo \\\"hi\\\"\"],"
		   "\"env\":{\"B\":\"x=y\",\"A\":\"2\"},\"working_dir\":\"/root\",\"tty\":true}");
	free(j);
	s = (struct exec_spec){.command = "ls"};
	j = exec_spec_encode(&s);
	assert_string_equal(j, "{\"command\":\"ls\",\"args\":[],\"env\":{},\"tty\":false}");
	free(j);
	/* refused: no command, an env entry that is no K=V */
	s = (struct exec_spec){.command = ""};
	assert_null(exec_spec_encode(&s));
	env[0] = "NOEQUALS";
	s = (struct exec_spec){.command = "ls", .env = env, .n_env = 1};
	assert_null(exec_spec_encode(&s));
	env[0] = "=v";
	assert_null(exec_spec_encode(&s));
}

static void test_answers(void **state)
{
	struct decode_error e;
	char *id;

	(void)state;
	assert_int_equal(execution_id_decode("{\"execution_id\":\"e1\"}", 21, &id, &e), 0);
	assert_string_equal(id, "e1");
	free(id);
	assert_int_equal(execution_id_decode("{}", 2, &id, &e), -1);
	assert_string_equal(e.field, "execution_id");
	assert_null(id);
	assert_int_equal(execution_id_decode("[1]", 3, &id, &e), -1);
}

static void test_messages(void **state)
{
	struct attach_msg m;
	const char *exit0 = "{\"type\":\"exit\",\"exit_code\":130}";
	const char *err =
		"{\"type\":\"error\",\"code\":\"read_only_attach\",\"message\":\"no\",\"x\":1}";
	const char *other = "{\"type\":\"hello\"}";
	char *j;

	(void)state;
	assert_int_equal(attach_msg_decode(exit0, strlen(exit0), &m), 0);
	assert_int_equal(m.type, ATTACH_MSG_EXIT);
	assert_int_equal(m.exit_code, 130);
	assert_int_equal(attach_msg_decode(err, strlen(err), &m), 0);
	assert_int_equal(m.type, ATTACH_MSG_ERROR);
	assert_string_equal(m.code, "read_only_attach");
	assert_string_equal(m.message, "no");
	assert_int_equal(attach_msg_decode(other, strlen(other), &m), 0);
	assert_int_equal(m.type, ATTACH_MSG_OTHER);
	/* an exit without a usable code says -1, not 0 */
	assert_int_equal(
		attach_msg_decode("{\"type\":\"exit\"}", strlen("{\"type\":\"exit\"}"), &m), 0);
	assert_int_equal(m.exit_code, -1);
	assert_int_equal(attach_msg_decode("{\"type\":\"exit\",\"exit_code\":1e300}",
					   strlen("{\"type\":\"exit\",\"exit_code\":1e300}"), &m),
			 0);
	assert_int_equal(m.exit_code, -1);
	assert_int_equal(attach_msg_decode("not json", strlen("not json"), &m), -1);
	assert_int_equal(attach_msg_decode("{\"type\":1}", strlen("{\"type\":1}"), &m), -1);

	j = attach_resize_encode(120, 40);
	assert_string_equal(j, "{\"type\":\"resize\",\"cols\":120,\"rows\":40}");
	free(j);
	j = attach_signal_encode(2);
	assert_string_equal(j, "{\"type\":\"signal\",\"sig\":2}");
	free(j);
	j = attach_eof_encode();
	assert_string_equal(j, "{\"type\":\"stdin_eof\"}");
	free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests_name("execution", tests, NULL, NULL);
}
