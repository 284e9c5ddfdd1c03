#ifndef ARBOR_OBJECT_INDEX_H
#define ARBOR_OBJECT_INDEX_H
#include <node_api.h>

/* Adds the objectIndex* functions (see object_index.c) to the addon's exports. */
void register_object_index(napi_env env, napi_value exports);

#endif
