#ifndef ARBOR_FS_BATCH_H
#define ARBOR_FS_BATCH_H
#include <node_api.h>

/* Adds fsBatch and fsBatchAsync (see fs_batch.c) to the addon's exports. */
void register_fs_batch(napi_env env, napi_value exports);

#endif
