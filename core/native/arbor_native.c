/*
 * arbor_native: the few Linux syscalls Node does not expose and the store needs.
 *   - lgetxattrs / lsetxattr / lremovexattr: extended attributes without following symlinks
 *     (SELinux labels and file capabilities live on symlinks and files alike), xattr(7).
 *   - flock: shared/exclusive advisory locks released by the kernel when the process dies,
 *     flock(2); the repo lock builds on it.
 *   - syncfs: one flush of the filesystem that holds a directory, syncfs(2), instead of an
 *     fsync per written object.
 *   - fsBatch / fsBatchAsync: mkdir, link, chown and chmod, and whole object writes, in
 *     batches (fs_batch.c).
 *   - objectIndex*: the set of objects a repo holds, read on the pool (object_index.c).
 *   - markTopDir: sets the "top of directory hierarchy" inode flag (chattr +T), ioctl_iflags(2),
 *     so ext4 places each new staging directory in a block group of its own.
 * Everything is synchronous: callers run it in worker threads or in tight loops, where the
 * libuv thread pool would only add per-call overhead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <node_api.h>
#include "fs_batch.h"
#include "object_index.h"

#define PATH_BUF 4096
#define NAME_BUF 256

/* Throws an Error shaped like Node's own fs errors: code, errno, syscall and path. */
static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  char message[PATH_BUF + 128];
  const char *code = NULL;
  switch (err) {
    case ENOENT: code = "ENOENT"; break;
    case EACCES: code = "EACCES"; break;
    case EPERM: code = "EPERM"; break;
    case ENOTSUP: code = "ENOTSUP"; break;
    case ENODATA: code = "ENODATA"; break;
    case ERANGE: code = "ERANGE"; break;
    case E2BIG: code = "E2BIG"; break;
    case ENOSPC: code = "ENOSPC"; break;
    case EDQUOT: code = "EDQUOT"; break;
    case ENOTDIR: code = "ENOTDIR"; break;
    case ELOOP: code = "ELOOP"; break;
    case ENAMETOOLONG: code = "ENAMETOOLONG"; break;
    case EBADF: code = "EBADF"; break;
    case EINVAL: code = "EINVAL"; break;
    case EIO: code = "EIO"; break;
    case EROFS: code = "EROFS"; break;
    case EWOULDBLOCK: code = "EWOULDBLOCK"; break;
    case EINTR: code = "EINTR"; break;
    default: code = "EUNKNOWN"; break;
  }
  if (path) snprintf(message, sizeof message, "%s: %s, %s '%s'", code, strerror(err), syscall, path);
  else snprintf(message, sizeof message, "%s: %s, %s", code, strerror(err), syscall);
  napi_value msg, error, value;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "code", value);
  napi_create_int32(env, -err, &value);
  napi_set_named_property(env, error, "errno", value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "syscall", value);
  if (path) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, error, "path", value);
  }
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* A path argument: a string (UTF-8) or a Buffer holding the raw bytes of the name. */
static int get_path(napi_env env, napi_value value, char *out, size_t size) {
  bool is_buffer = false;
  napi_is_buffer(env, value, &is_buffer);
  if (is_buffer) {
    void *data;
    size_t length;
    napi_get_buffer_info(env, value, &data, &length);
    if (length >= size || memchr(data, 0, length)) return 0;
    memcpy(out, data, length);
    out[length] = 0;
    return 1;
  }
  size_t length;
  if (napi_get_value_string_utf8(env, value, out, size, &length) != napi_ok) return 0;
  return length < size - 1 && strlen(out) == length;
}

/* Attribute names are byte strings; JavaScript sees them as latin1 so every byte survives. */
static int get_name(napi_env env, napi_value value, char *out, size_t size) {
  size_t length;
  if (napi_get_value_string_latin1(env, value, out, size, &length) != napi_ok) return 0;
  return length > 0 && length < size - 1 && strlen(out) == length;
}

/* lgetxattrs(path) -> [name, value, name, value, ...] in the order the filesystem lists them. */
static napi_value lgetxattrs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  char path[PATH_BUF];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_path(env, argv[0], path, sizeof path)) return throw_type(env, "lgetxattrs(path): bad path");
  napi_create_array(env, &result);

  char stack_list[1024];
  char *list = stack_list;
  ssize_t list_size;
  for (int attempt = 0;; attempt++) {
    list_size = llistxattr(path, list, list == stack_list ? sizeof stack_list : (size_t)list_size);
    if (list_size >= 0) break;
    if (errno == ENOTSUP) return result;
    if (errno != ERANGE || attempt > 8) {
      int err = errno;
      if (list != stack_list) free(list);
      return throw_errno(env, err, "llistxattr", path);
    }
    /* The list outgrew the buffer (or changed between calls): ask its size and retry. */
    ssize_t needed = llistxattr(path, NULL, 0);
    if (needed < 0) {
      int err = errno;
      if (list != stack_list) free(list);
      return throw_errno(env, err, "llistxattr", path);
    }
    if (list != stack_list) free(list);
    list = malloc((size_t)needed + 1);
    list_size = needed + 1;
    if (!list) return throw_errno(env, ENOMEM, "llistxattr", path);
  }

  uint32_t index = 0;
  char stack_value[4096];
  for (ssize_t offset = 0; offset < list_size;) {
    const char *name = list + offset;
    size_t name_length = strlen(name);
    offset += (ssize_t)name_length + 1;
    if (name_length == 0) continue;
    ssize_t value_size = lgetxattr(path, name, stack_value, sizeof stack_value);
    napi_value js_name, js_value;
    void *data;
    if (value_size >= 0) {
      napi_create_buffer_copy(env, (size_t)value_size, stack_value, &data, &js_value);
    } else if (errno == ERANGE) {
      ssize_t needed = lgetxattr(path, name, NULL, 0);
      if (needed < 0) goto fail;
      napi_create_buffer(env, (size_t)needed, &data, &js_value);
      value_size = lgetxattr(path, name, data, (size_t)needed);
      if (value_size < 0) goto fail;
      if (value_size != needed) napi_create_buffer_copy(env, (size_t)value_size, data, &data, &js_value);
    } else if (errno == ENODATA) {
      continue; /* removed between list and get */
    } else {
      goto fail;
    }
    napi_create_string_latin1(env, name, name_length, &js_name);
    napi_set_element(env, result, index++, js_name);
    napi_set_element(env, result, index++, js_value);
    continue;
  fail: {
      int err = errno;
      if (list != stack_list) free(list);
      return throw_errno(env, err, "lgetxattr", path);
    }
  }
  if (list != stack_list) free(list);
  return result;
}

/* lsetxattr(path, name, value) */
static napi_value lsetxattr_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char path[PATH_BUF], name[NAME_BUF];
  bool is_buffer = false;
  void *data;
  size_t length;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || !get_path(env, argv[0], path, sizeof path)) return throw_type(env, "lsetxattr(path, name, value): bad path");
  if (!get_name(env, argv[1], name, sizeof name)) return throw_type(env, "lsetxattr(path, name, value): bad name");
  napi_is_buffer(env, argv[2], &is_buffer);
  if (!is_buffer) return throw_type(env, "lsetxattr(path, name, value): value must be a Buffer");
  napi_get_buffer_info(env, argv[2], &data, &length);
  if (lsetxattr(path, name, data, length, 0) != 0) return throw_errno(env, errno, "lsetxattr", path);
  return NULL;
}

/* lremovexattr(path, name) */
static napi_value lremovexattr_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char path[PATH_BUF], name[NAME_BUF];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || !get_path(env, argv[0], path, sizeof path)) return throw_type(env, "lremovexattr(path, name): bad path");
  if (!get_name(env, argv[1], name, sizeof name)) return throw_type(env, "lremovexattr(path, name): bad name");
  if (lremovexattr(path, name) != 0) return throw_errno(env, errno, "lremovexattr", path);
  return NULL;
}

/* flock(fd, operation) -> true when taken, false when LOCK_NB was asked and it is held elsewhere. */
static napi_value flock_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int32_t fd, operation;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &operation) != napi_ok) {
    return throw_type(env, "flock(fd, operation): numbers expected");
  }
  int rc;
  do rc = flock(fd, operation); while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno == EWOULDBLOCK && (operation & LOCK_NB)) {
      napi_get_boolean(env, false, &result);
      return result;
    }
    return throw_errno(env, errno, "flock", NULL);
  }
  napi_get_boolean(env, true, &result);
  return result;
}

/* syncfs(fd): flushes the whole filesystem that holds fd. */
static napi_value syncfs_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_type(env, "syncfs(fd): number expected");
  if (syncfs(fd) != 0) return throw_errno(env, errno, "syncfs", NULL);
  return NULL;
}

/*
 * markTopDir(path) -> true when the directory now has FS_TOPDIR_FL, false where the filesystem
 * has no such flag or refuses it. Only ext2/3/4 act on it; nothing is lost elsewhere.
 */
static napi_value mark_top_dir(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  char path[PATH_BUF];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_path(env, argv[0], path, sizeof path)) return throw_type(env, "markTopDir(path): bad path");
  bool marked = false;
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "open", path);
  int flags = 0;
  if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
    if (flags & FS_TOPDIR_FL) {
      marked = true;
    } else {
      flags |= FS_TOPDIR_FL;
      marked = ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
  }
  close(fd);
  napi_get_boolean(env, marked, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    { "lgetxattrs", NULL, lgetxattrs, NULL, NULL, NULL, napi_enumerable, NULL },
    { "lsetxattr", NULL, lsetxattr_js, NULL, NULL, NULL, napi_enumerable, NULL },
    { "lremovexattr", NULL, lremovexattr_js, NULL, NULL, NULL, napi_enumerable, NULL },
    { "flock", NULL, flock_js, NULL, NULL, NULL, napi_enumerable, NULL },
    { "syncfs", NULL, syncfs_js, NULL, NULL, NULL, napi_enumerable, NULL },
    { "markTopDir", NULL, mark_top_dir, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  register_fs_batch(env, exports);
  register_object_index(env, exports);
  napi_value value;
  napi_create_int32(env, LOCK_SH, &value); napi_set_named_property(env, exports, "LOCK_SH", value);
  napi_create_int32(env, LOCK_EX, &value); napi_set_named_property(env, exports, "LOCK_EX", value);
  napi_create_int32(env, LOCK_NB, &value); napi_set_named_property(env, exports, "LOCK_NB", value);
  napi_create_int32(env, LOCK_UN, &value); napi_set_named_property(env, exports, "LOCK_UN", value);
  return exports;
}

NAPI_MODULE_INIT() {
  return init(env, exports);
}
