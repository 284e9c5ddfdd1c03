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
 *   'R' from NUL to NUL                               rename(from, to)
 *   'W' uid:i32le gid:i32le mode:u32le flags:u8 xattrs:u32le size:u32le content[size]
 *       (name NUL length:u32le value[length]) * xattrs  temp NUL dest NUL
 *                                                     one whole store object: an O_TMPFILE in
 *                                                     dest's directory (else temp, O_EXCL; a
 *                                                     symlink to `content` when mode says so),
 *                                                     write content, fchown unless uid is -1,
 *                                                     fchmod, set xattrs, zero atime and mtime
 *                                                     when flags bit 0 is set, then link it as
 *                                                     dest (else rename temp to dest). On any
 *                                                     failure nothing is left behind, so dest
 *                                                     only ever names a complete object.
 *       With flags bit 1 set, content[size] is replaced by index:u32le: the content is the
 *       index-th of the Buffers passed beside the batch, which must be `size` bytes long.
 *       Large contents travel that way instead of being copied into the batch.
 * A failed operation does not stop the batch: the result is an Int32Array of
 * (record index, errno) pairs, which the caller redoes or reports with its own error handling.
 * A record that cannot be decoded ends the batch with errno EINVAL at its index.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
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

#define WRITE_ZERO_TIMES 1
#define WRITE_ATTACHED 2

/* The Buffers passed beside a batch, for 'W' records whose content is attached. */
typedef struct {
  const uint8_t **data;
  size_t *length;
  uint32_t count;
} attachments_t;

typedef struct {
  int32_t uid, gid;
  uint32_t mode;
  uint8_t flags;
  uint32_t xattr_count;
  const uint8_t *content;
  uint32_t size;
  const uint8_t *xattrs; /* xattr_count records of name NUL length value, already bounds-checked */
  const char *temp, *dest;
} object_write_t;

static uint32_t take_u32(const uint8_t *data) {
  return (uint32_t)take_i32(data);
}

/* Sets the record's xattrs on fd, or on the path itself when fd is -1 (a symlink). */
static int set_xattrs(const object_write_t *w, int fd) {
  const uint8_t *at = w->xattrs;
  for (uint32_t index = 0; index < w->xattr_count; index++) {
    const char *name = (const char *)at;
    at += strlen(name) + 1;
    uint32_t length = take_u32(at);
    at += 4;
    int rc = fd >= 0 ? fsetxattr(fd, name, at, length, 0) : lsetxattr(w->temp, name, at, length, 0);
    if (rc != 0) return -1;
    at += length;
  }
  return 0;
}

static int write_all(int fd, const uint8_t *bytes, size_t size) {
  while (size > 0) {
    ssize_t written = write(fd, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    bytes += written;
    size -= (size_t)written;
  }
  return 0;
}

static int write_symlink(const object_write_t *w) {
  char target[4097];
  if (w->size == 0 || w->size >= sizeof target || memchr(w->content, 0, w->size)) {
    errno = EINVAL;
    return -1;
  }
  memcpy(target, w->content, w->size);
  target[w->size] = 0;
  if (symlink(target, w->temp) != 0) return -1;
  const struct timespec zero[2] = { { 0, 0 }, { 0, 0 } };
  if ((w->uid != -1 && lchown(w->temp, (uid_t)w->uid, (gid_t)w->gid) != 0) || set_xattrs(w, -1) != 0 ||
      ((w->flags & WRITE_ZERO_TIMES) && utimensat(AT_FDCWD, w->temp, zero, AT_SYMLINK_NOFOLLOW) != 0)) {
    return -2; /* created: the caller removes it */
  }
  return 0;
}

/* Fills fd: content, owner, mode, xattrs, times. */
static int fill_regular(const object_write_t *w, int fd) {
  const struct timespec zero[2] = { { 0, 0 }, { 0, 0 } };
  /* chown clears setuid, setgid and security.capability, so it comes first. */
  if (write_all(fd, w->content, w->size) != 0 || (w->uid != -1 && fchown(fd, (uid_t)w->uid, (gid_t)w->gid) != 0) ||
      fchmod(fd, w->mode & 07777) != 0 || set_xattrs(w, fd) != 0 ||
      ((w->flags & WRITE_ZERO_TIMES) && futimens(fd, zero) != 0)) {
    return -1;
  }
  return 0;
}

/*
 * An anonymous file in dest's directory (O_TMPFILE), filled, then given its name with linkat:
 * no temp name, no rename, and the inode is allocated without holding the directory's lock,
 * so pool threads writing into one directory do not queue behind each other. Returns 1 when
 * the filesystem or kernel has no O_TMPFILE, for the caller to fall back.
 */
static int write_regular_anonymous(const object_write_t *w) {
  char dir[4096];
  const char *slash = strrchr(w->dest, '/');
  size_t dir_length = slash ? (size_t)(slash - w->dest) : 0;
  if (dir_length == 0 || dir_length >= sizeof dir) return 1;
  memcpy(dir, w->dest, dir_length);
  dir[dir_length] = 0;
  int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ? 1 : -1;
  int rc = fill_regular(w, fd);
  if (rc == 0) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    rc = linkat(AT_FDCWD, proc, AT_FDCWD, w->dest, AT_SYMLINK_FOLLOW);
    if (rc != 0 && errno == ENOENT) rc = linkat(fd, "", AT_FDCWD, w->dest, AT_EMPTY_PATH); /* no /proc */
    /* The same ID is already there: objects are content-addressed, so that copy serves. */
    if (rc != 0 && errno == EEXIST) rc = 0;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc == 0 ? 0 : -1;
}

static int write_regular(const object_write_t *w) {
  int fd = open(w->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (fill_regular(w, fd) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -2;
  }
  if (close(fd) != 0) return -2;
  return 0;
}

static int write_object(const object_write_t *w) {
  if (!S_ISLNK(w->mode)) {
    int anonymous = write_regular_anonymous(w);
    if (anonymous <= 0) return anonymous;
  }
  int rc = S_ISLNK(w->mode) ? write_symlink(w) : write_regular(w);
  if (rc == 0 && rename(w->temp, w->dest) == 0) return 0;
  if (rc == -1) return -1; /* nothing was created */
  int saved = errno;
  unlink(w->temp);
  errno = saved;
  return -1;
}

/* Decodes a 'W' record after its op byte; 0 when the buffer ends or lies first. */
static int take_object_write(const uint8_t *data, size_t length, size_t *offset, const attachments_t *attachments, object_write_t *w) {
  size_t at = *offset;
  if (length - at < 21) return 0;
  w->uid = take_i32(data + at);
  w->gid = take_i32(data + at + 4);
  w->mode = take_u32(data + at + 8);
  w->flags = data[at + 12];
  w->xattr_count = take_u32(data + at + 13);
  w->size = take_u32(data + at + 17);
  at += 21;
  if (w->flags & WRITE_ATTACHED) {
    if (length - at < 4) return 0;
    uint32_t index = take_u32(data + at);
    at += 4;
    if (index >= attachments->count || attachments->length[index] != w->size) return 0;
    w->content = attachments->data[index];
  } else {
    if (length - at < w->size) return 0;
    w->content = data + at;
    at += w->size;
  }
  w->xattrs = data + at;
  for (uint32_t index = 0; index < w->xattr_count; index++) {
    if (!take_string(data, length, &at) || length - at < 4) return 0;
    uint32_t value_length = take_u32(data + at);
    at += 4;
    if (length - at < value_length) return 0;
    at += value_length;
  }
  w->temp = take_string(data, length, &at);
  w->dest = w->temp ? take_string(data, length, &at) : NULL;
  if (!w->dest) return 0;
  *offset = at;
  return 1;
}

static void run_batch(const uint8_t *data, size_t length, const attachments_t *attachments, failures_t *failures) {
  size_t offset = 0;
  for (uint32_t record = 0; offset < length; record++) {
    uint8_t op = data[offset++];
    int rc = 0;
    if (op == 'D') {
      const char *path = take_string(data, length, &offset);
      if (!path) goto malformed;
      rc = mkdir(path, 0700);
    } else if (op == 'L' || op == 'R') {
      const char *from = take_string(data, length, &offset);
      const char *to = from ? take_string(data, length, &offset) : NULL;
      if (!to) goto malformed;
      rc = op == 'L' ? link(from, to) : rename(from, to);
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
    } else if (op == 'W') {
      object_write_t write_request;
      if (!take_object_write(data, length, &offset, attachments, &write_request)) goto malformed;
      rc = write_object(&write_request);
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

/*
 * The arguments (ops: Buffer, attachments?: Buffer[]). With `refs`, each attachment gets a
 * reference, kept until the batch is done; the pointers are read now, on the JS thread.
 */
static int get_batch(napi_env env, napi_callback_info info, napi_value *ops, const uint8_t **data, size_t *length,
                     attachments_t *attachments, napi_ref **refs) {
  size_t argc = 2;
  napi_value argv[2];
  bool is_buffer = false, is_array = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return 0;
  *ops = argv[0];
  napi_is_buffer(env, argv[0], &is_buffer);
  if (!is_buffer) return 0;
  napi_get_buffer_info(env, argv[0], (void **)data, length);
  memset(attachments, 0, sizeof *attachments);
  if (argc < 2) return 1;
  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type == napi_undefined) return 1;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) return 0;
  uint32_t count;
  napi_get_array_length(env, argv[1], &count);
  if (count == 0) return 1;
  attachments->data = calloc(count, sizeof *attachments->data);
  attachments->length = calloc(count, sizeof *attachments->length);
  if (refs) *refs = calloc(count, sizeof **refs);
  if (!attachments->data || !attachments->length || (refs && !*refs)) return 0;
  for (uint32_t index = 0; index < count; index++) {
    napi_value element;
    bool element_is_buffer = false;
    napi_get_element(env, argv[1], index, &element);
    napi_is_buffer(env, element, &element_is_buffer);
    if (!element_is_buffer) return 0;
    napi_get_buffer_info(env, element, (void **)&attachments->data[index], &attachments->length[index]);
    if (refs) napi_create_reference(env, element, 1, &(*refs)[index]);
    attachments->count = index + 1;
  }
  return 1;
}

static void free_attachments(napi_env env, attachments_t *attachments, napi_ref *refs) {
  for (uint32_t index = 0; refs && index < attachments->count; index++) napi_delete_reference(env, refs[index]);
  free(refs);
  free(attachments->data);
  free(attachments->length);
}

/* fsBatch(ops: Buffer, attachments?: Buffer[]) -> Int32Array of (record, errno) pairs */
static napi_value fs_batch(napi_env env, napi_callback_info info) {
  napi_value value;
  const uint8_t *data;
  size_t length;
  attachments_t attachments;
  if (!get_batch(env, info, &value, &data, &length, &attachments, NULL)) {
    free_attachments(env, &attachments, NULL);
    napi_throw_type_error(env, NULL, "fsBatch(ops, attachments): a Buffer and an optional array of Buffers expected");
    return NULL;
  }
  failures_t failures = { 0 };
  run_batch(data, length, &attachments, &failures);
  free_attachments(env, &attachments, NULL);
  return failures_to_js(env, &failures);
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref ops; /* keeps the Buffer, and so its bytes, alive while a pool thread reads them */
  napi_ref *attachment_refs; /* the same for each attachment */
  const uint8_t *data;
  size_t length;
  attachments_t attachments;
  failures_t failures;
} batch_job_t;

/*
 * A pool thread that runs batches is marked SCHED_BATCH once: the kernel then never lets it
 * preempt the thread that woke it. Without this, each write handed to the pool could stall
 * the main thread, which hands them out and is what a pull waits on (5% of an incremental
 * pull, measured). The thread keeps its normal priority and share of the CPU.
 */
static __thread int batch_policy_set;

static void execute_job(napi_env env, void *arg) {
  batch_job_t *job = arg;
  if (!batch_policy_set) {
    struct sched_param param = { 0 };
    sched_setscheduler(0, SCHED_BATCH, &param);
    batch_policy_set = 1;
  }
  run_batch(job->data, job->length, &job->attachments, &job->failures);
}

static void complete_job(napi_env env, napi_status status, void *arg) {
  batch_job_t *job = arg;
  napi_value result = failures_to_js(env, &job->failures);
  napi_resolve_deferred(env, job->deferred, result);
  napi_delete_reference(env, job->ops);
  free_attachments(env, &job->attachments, job->attachment_refs);
  napi_delete_async_work(env, job->work);
  free(job);
}

/* fsBatchAsync(ops: Buffer, attachments?: Buffer[]) -> Promise<Int32Array>, run on a libuv pool thread */
static napi_value fs_batch_async(napi_env env, napi_callback_info info) {
  napi_value value, promise, name;
  batch_job_t *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ENOMEM", "fsBatchAsync: out of memory");
    return NULL;
  }
  if (!get_batch(env, info, &value, &job->data, &job->length, &job->attachments, &job->attachment_refs)) {
    free_attachments(env, &job->attachments, job->attachment_refs);
    free(job);
    napi_throw_type_error(env, NULL, "fsBatchAsync(ops, attachments): a Buffer and an optional array of Buffers expected");
    return NULL;
  }
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
