/*
 * fs_batch: many small filesystem calls in one trip from JavaScript.
 *
 * A hardlink checkout is a syscall floor: one mkdir per directory, one link per file, one
 * chown and chmod per directory. Made one by one from JavaScript, each call pays Node's
 * argument checks, path conversion and error objects, which cost more than the syscall
 * itself. Here a Buffer carries a list of operations that runs in one call, on the calling
 * thread (fsBatch) or on a libuv pool thread (fsBatchAsync), so that several batches over
 * disjoint subtrees run side by side.
 *
 * Encoding, one record after another:
 *   'D' path NUL                                      mkdir(path, 0700)
 *   'L' target NUL path NUL                           link(target, path)
 *   'M' uid:i32le gid:i32le mode:u32le path NUL       lchown(path, uid, gid) unless uid is -1,
 *                                                     then chmod(path, mode & 07777)
 * A failed operation does not stop the batch: the result is an Int32Array of
 * (record index, errno) pairs, which the caller redoes or reports with its own error handling.
 * A record that cannot be decoded ends the batch with errno EINVAL at its index.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <node_api.h>
#include "fs_batch.h"

typedef struct {
  int32_t *pairs;
  size_t count;
  size_t capacity;
} failures_t;

static void add_failure(failures_t *failures, uint32_t record, int err) {
  if (failures->count + 2 > failures->capacity) {
    size_t capacity = failures->capacity ? failures->capacity * 2 : 64;
    int32_t *grown = realloc(failures->pairs, capacity * sizeof(int32_t));
    if (!grown) return; /* out of memory: the failure is lost, the caller sees the next one */
    failures->pairs = grown;
    failures->capacity = capacity;
  }
  failures->pairs[failures->count++] = (int32_t)record;
  failures->pairs[failures->count++] = err;
}

/* The NUL-terminated string at *offset, or NULL when the buffer ends first. */
static const char *take_string(const uint8_t *data, size_t length, size_t *offset) {
  const uint8_t *start = data + *offset;
  const uint8_t *end = memchr(start, 0, length - *offset);
  if (!end || end == start) return NULL;
  *offset = (size_t)(end - data) + 1;
  return (const char *)start;
}

static int32_t take_i32(const uint8_t *data) {
  return (int32_t)((uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24);
}

static void run_batch(const uint8_t *data, size_t length, failures_t *failures) {
  size_t offset = 0;
  for (uint32_t record = 0; offset < length; record++) {
    uint8_t op = data[offset++];
    int rc = 0;
    if (op == 'D') {
      const char *path = take_string(data, length, &offset);
      if (!path) goto malformed;
      rc = mkdir(path, 0700);
    } else if (op == 'L') {
      const char *target = take_string(data, length, &offset);
      const char *path = target ? take_string(data, length, &offset) : NULL;
      if (!path) goto malformed;
      rc = link(target, path);
    } else if (op == 'M') {
      if (length - offset < 12) goto malformed;
      int32_t uid = take_i32(data + offset), gid = take_i32(data + offset + 4);
      uint32_t mode = (uint32_t)take_i32(data + offset + 8);
      offset += 12;
      const char *path = take_string(data, length, &offset);
      if (!path) goto malformed;
      if (uid != -1) rc = lchown(path, (uid_t)uid, (gid_t)gid);
      /* chown clears setuid and setgid, so the mode comes after it. */
      if (rc == 0) rc = chmod(path, mode & 07777);
    } else {
      goto malformed;
    }
    if (rc != 0) add_failure(failures, record, errno);
    continue;
  malformed:
    add_failure(failures, record, EINVAL);
    return;
  }
}

static napi_value failures_to_js(napi_env env, failures_t *failures) {
  napi_value buffer, array;
  void *data;
  napi_create_arraybuffer(env, failures->count * sizeof(int32_t), &data, &buffer);
  if (failures->count) memcpy(data, failures->pairs, failures->count * sizeof(int32_t));
  napi_create_typedarray(env, napi_int32_array, failures->count, buffer, 0, &array);
  free(failures->pairs);
  failures->pairs = NULL;
  failures->count = failures->capacity = 0;
  return array;
}

static int get_ops(napi_env env, napi_callback_info info, napi_value *value, const uint8_t **data, size_t *length) {
  size_t argc = 1;
  bool is_buffer = false;
  napi_get_cb_info(env, info, &argc, value, NULL, NULL);
  if (argc < 1) return 0;
  napi_is_buffer(env, *value, &is_buffer);
  if (!is_buffer) return 0;
  napi_get_buffer_info(env, *value, (void **)data, length);
  return 1;
}

/* fsBatch(ops: Buffer) -> Int32Array of (record, errno) pairs */
static napi_value fs_batch(napi_env env, napi_callback_info info) {
  napi_value value;
  const uint8_t *data;
  size_t length;
  if (!get_ops(env, info, &value, &data, &length)) {
    napi_throw_type_error(env, NULL, "fsBatch(ops): a Buffer expected");
    return NULL;
  }
  failures_t failures = { 0 };
  run_batch(data, length, &failures);
  return failures_to_js(env, &failures);
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref ops; /* keeps the Buffer, and so its bytes, alive while a pool thread reads them */
  const uint8_t *data;
  size_t length;
  failures_t failures;
} batch_job_t;

static void execute_job(napi_env env, void *arg) {
  batch_job_t *job = arg;
  run_batch(job->data, job->length, &job->failures);
}

static void complete_job(napi_env env, napi_status status, void *arg) {
  batch_job_t *job = arg;
  napi_value result = failures_to_js(env, &job->failures);
  napi_resolve_deferred(env, job->deferred, result);
  napi_delete_reference(env, job->ops);
  napi_delete_async_work(env, job->work);
  free(job);
}

/* fsBatchAsync(ops: Buffer) -> Promise<Int32Array>, run on a libuv pool thread */
static napi_value fs_batch_async(napi_env env, napi_callback_info info) {
  napi_value value, promise, name;
  const uint8_t *data;
  size_t length;
  if (!get_ops(env, info, &value, &data, &length)) {
    napi_throw_type_error(env, NULL, "fsBatchAsync(ops): a Buffer expected");
    return NULL;
  }
  batch_job_t *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ENOMEM", "fsBatchAsync: out of memory");
    return NULL;
  }
  job->data = data;
  job->length = length;
  napi_create_reference(env, value, 1, &job->ops);
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "arbor:fsBatch", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute_job, complete_job, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

void register_fs_batch(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    { "fsBatch", NULL, fs_batch, NULL, NULL, NULL, napi_enumerable, NULL },
    { "fsBatchAsync", NULL, fs_batch_async, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
}
