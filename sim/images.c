/* images: placeholder until the image cache lands (being written now). */
#include "images.h"

#include <stdlib.h>

#include "call.h"
#include "model/xalloc.h"

struct images {
	uint64_t seed;
};

struct images *images_new(uint64_t seed, struct fleet *fleet)
{
	struct images *im = xcalloc(1, sizeof(*im));

	(void)fleet;
	im->seed = seed;
	return im;
}

void images_free(struct images **im)
{
	if (im == NULL)
		return;
	free(*im);
	*im = NULL;
}

enum MHD_Result images_list(struct call *c)
{
	return call_error(c, CALL_INTERNAL, "images: not implemented");
}

enum MHD_Result images_usage(struct call *c)
{
	return call_error(c, CALL_INTERNAL, "images: not implemented");
}

enum MHD_Result images_get(struct call *c)
{
	return call_error(c, CALL_INTERNAL, "images: not implemented");
}

enum MHD_Result images_delete(struct call *c)
{
	return call_error(c, CALL_INTERNAL, "images: not implemented");
}
