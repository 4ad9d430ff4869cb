/*
 * images: the simulator's image cache, seeded from the images the fleet's
 * boxes run plus a few only cached, behind its own mutex. Handlers answer
 * the image routes (paged list, usage, detail and delete by name); see
 * call.h for how they are called.
 */
#ifndef BOXTOP_SIM_IMAGES_H
#define BOXTOP_SIM_IMAGES_H

#include <stdint.h>

#include <microhttpd.h>

struct call;
struct fleet;

struct images;

/*
 * The cache for this seed; fleet (borrowed, outlives the cache) says which
 * images are in use. Caller frees with images_free.
 */
struct images *images_new(uint64_t seed, struct fleet *fleet);
void images_free(struct images **im);

/* GET images, GET images/usage, GET images/{name}, DELETE images/{name}. */
enum MHD_Result images_list(struct call *c);
enum MHD_Result images_usage(struct call *c);
enum MHD_Result images_get(struct call *c);
enum MHD_Result images_delete(struct call *c);

#endif
