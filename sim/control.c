/* control: placeholder until the control API lands (being written now). */
#include "control.h"

#include "call.h"

enum MHD_Result control_dispatch(struct call *c)
{
	return call_error(c, CALL_NOT_FOUND, "no such control route");
}
