/*
 * object_index: which objects a repo holds, as a hash set of 32-byte IDs with a bit per kind,
 * filled from the shard directories' listings (objects/XX/<62 hex>.<kind>).
 *
 * Why native: a pull asks about every object of a commit (23k here). In JavaScript, reading the
 * listings into a Map cost ~20 ms of the main thread and the check of a commit's size index
 * ~15 ms more, before any object could be fetched. Here the listings are read and parsed on a
 * libuv pool thread while the network works, and a size index is checked in one call.
 *
 *   objectIndexCreate(kinds: string[]) -> handle        kinds[i] is the suffix of kind bit i
 *   objectIndexLoad(handle, objectsDir, shards: Uint8Array) -> Promise<void>
 *       reads those shard directories on the pool
 *   objectIndexLoadSync(handle, objectsDir, shard)
 *   objectIndexHas(handle, hexId, kind) -> boolean
 *   objectIndexAdd(handle, hexId, kind)
 *   objectIndexMissing(handle, records: Buffer, offset, count, stride, kindMap: Uint8Array) -> Uint32Array
 *       the numbers of the records (a 32-byte ID then a kind byte, every `stride` bytes from
 *       `offset`) not present as kindMap[kind]; a kindMap entry of 255 skips the record
 *   objectIndexScanDirTree(handle, dirtree: Buffer, fileKind, dirtreeKind, dirmetaKind)
 *       -> { files: string[], dirs: string[] } | null
 *       checks a dirtree the way decodeDirTree does (docs/format.md) and lists what it names
 *       that the set lacks: file IDs, and [tree, meta] ID pairs of subdirectories missing
 *       either. null when the dirtree is invalid in any way; the caller's decoder then says why.
 *
 * The set belongs to the main thread: a pool thread only ever fills a private list, which the
 * completion callback merges on the main thread. Adding is idempotent, so a shard also read
 * synchronously meanwhile merges to the same set.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "object_index.h"

#define ID_BYTES 32
#define MAX_KINDS 8
#define KIND_NAME 16
#define SKIP_KIND 255

typedef struct {
  uint8_t id[ID_BYTES];
  uint8_t kinds; /* 0: an empty slot */
} slot_t;

typedef struct {
  slot_t *slots;
  size_t capacity; /* a power of two */
  size_t count;
  int kind_count;
  char kind_names[MAX_KINDS][KIND_NAME];
} object_index_t;

/* One object found in a listing. */
typedef struct {
  uint8_t id[ID_BYTES];
  uint8_t kind;
} found_t;

typedef struct {
  found_t *items;
  size_t count, capacity;
} found_list_t;

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* `length` hex characters into length / 2 bytes; 0 on anything but lowercase hex. */
static int parse_hex(const char *hex, size_t length, uint8_t *out) {
  for (size_t i = 0; i < length; i += 2) {
    int high = hex_value((unsigned char)hex[i]), low = hex_value((unsigned char)hex[i + 1]);
    if (high < 0 || low < 0) return 0;
    out[i / 2] = (uint8_t)(high << 4 | low);
  }
  return 1;
}

/* IDs are BLAKE3 digests, uniform already: their first bytes are the hash. */
static size_t slot_of(const object_index_t *index, const uint8_t *id) {
  uint64_t hash;
  memcpy(&hash, id, sizeof hash);
  return (size_t)hash & (index->capacity - 1);
}

static slot_t *find(const object_index_t *index, const uint8_t *id) {
  for (size_t at = slot_of(index, id);; at = (at + 1) & (index->capacity - 1)) {
    slot_t *slot = &index->slots[at];
    if (slot->kinds == 0 || memcmp(slot->id, id, ID_BYTES) == 0) return slot;
  }
}

static int grow(object_index_t *index) {
  size_t old_capacity = index->capacity;
  slot_t *old = index->slots;
  slot_t *slots = calloc(old_capacity * 2, sizeof *slots);
  if (!slots) return 0;
  index->slots = slots;
  index->capacity = old_capacity * 2;
  for (size_t i = 0; i < old_capacity; i++) {
    if (old[i].kinds) *find(index, old[i].id) = old[i];
  }
  free(old);
  return 1;
}

static int insert(object_index_t *index, const uint8_t *id, int kind) {
  if ((index->count + 1) * 2 > index->capacity && !grow(index)) return 0;
  slot_t *slot = find(index, id);
  if (slot->kinds == 0) {
    memcpy(slot->id, id, ID_BYTES);
    index->count++;
  }
  slot->kinds |= (uint8_t)(1u << kind);
  return 1;
}

static int kind_of(const char kinds[][KIND_NAME], int kind_count, const char *suffix) {
  for (int kind = 0; kind < kind_count; kind++) {
    if (strcmp(kinds[kind], suffix) == 0) return kind;
  }
  return -1;
}

static int push_found(found_list_t *list, const found_t *item) {
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? list->capacity * 2 : 1024;
    found_t *items = realloc(list->items, capacity * sizeof *items);
    if (!items) return 0;
    list->items = items;
    list->capacity = capacity;
  }
  list->items[list->count++] = *item;
  return 1;
}

/* Lists objects/XX; a missing directory holds nothing. 0 only when memory ran out. */
static int read_shard(const char *objects_dir, int shard, const char kinds[][KIND_NAME], int kind_count, found_list_t *out) {
  char path[4096];
  static const char digits[] = "0123456789abcdef";
  int written = snprintf(path, sizeof path, "%s/%c%c", objects_dir, digits[shard >> 4], digits[shard & 15]);
  if (written < 0 || (size_t)written >= sizeof path) return 1;
  DIR *dir = opendir(path);
  if (!dir) return 1;
  int ok = 1;
  struct dirent *entry;
  while (ok && (entry = readdir(dir)) != NULL) {
    const char *name = entry->d_name;
    /* <62 hex>.<kind>; temp files and anything else are not objects. */
    if (strlen(name) < 64 || name[62] != '.') continue;
    found_t item;
    item.id[0] = (uint8_t)shard;
    int kind = kind_of(kinds, kind_count, name + 63);
    if (kind < 0 || !parse_hex(name, 62, item.id + 1)) continue;
    item.kind = (uint8_t)kind;
    ok = push_found(out, &item);
  }
  closedir(dir);
  return ok;
}

static void finalize_index(napi_env env, void *data, void *hint) {
  object_index_t *index = data;
  free(index->slots);
  free(index);
}

static object_index_t *get_index(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return data;
}

static int get_string(napi_env env, napi_value value, char *out, size_t size, size_t *length) {
  return napi_get_value_string_latin1(env, value, out, size, length) == napi_ok && *length < size - 1;
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* objectIndexCreate(kinds: string[]) */
static napi_value index_create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  uint32_t kind_count = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_array_length(env, argv[0], &kind_count) != napi_ok || kind_count == 0 || kind_count > MAX_KINDS) {
    return throw_type(env, "objectIndexCreate(kinds): 1 to 8 kind names expected");
  }
  object_index_t *index = calloc(1, sizeof *index);
  if (!index || !(index->slots = calloc(1024, sizeof(slot_t)))) {
    free(index);
    napi_throw_error(env, "ENOMEM", "objectIndexCreate: out of memory");
    return NULL;
  }
  index->capacity = 1024;
  index->kind_count = (int)kind_count;
  for (uint32_t kind = 0; kind < kind_count; kind++) {
    napi_value name;
    size_t length;
    napi_get_element(env, argv[0], kind, &name);
    if (!get_string(env, name, index->kind_names[kind], KIND_NAME, &length)) {
      finalize_index(env, index, NULL);
      return throw_type(env, "objectIndexCreate(kinds): kind names are short strings");
    }
  }
  napi_create_external(env, index, finalize_index, NULL, &result);
  return result;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref handle; /* keeps the index alive until the merge */
  object_index_t *index;
  char objects_dir[4096];
  uint8_t shards[256];
  int shard_count;
  char kinds[MAX_KINDS][KIND_NAME];
  int kind_count;
  found_list_t found;
  int failed;
} load_job_t;

static void execute_load(napi_env env, void *arg) {
  load_job_t *job = arg;
  for (int i = 0; i < job->shard_count && !job->failed; i++) {
    if (!read_shard(job->objects_dir, job->shards[i], job->kinds, job->kind_count, &job->found)) job->failed = 1;
  }
}

/* On the main thread: merges what the pool read. */
static void complete_load(napi_env env, napi_status status, void *arg) {
  load_job_t *job = arg;
  napi_value result;
  for (size_t i = 0; i < job->found.count && !job->failed && status == napi_ok; i++) {
    if (!insert(job->index, job->found.items[i].id, job->found.items[i].kind)) job->failed = 1;
  }
  if (job->failed || status != napi_ok) {
    napi_value message, error;
    napi_create_string_utf8(env, "objectIndexLoad: out of memory", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_get_undefined(env, &result);
    napi_resolve_deferred(env, job->deferred, result);
  }
  free(job->found.items);
  napi_delete_reference(env, job->handle);
  napi_delete_async_work(env, job->work);
  free(job);
}

/* objectIndexLoad(handle, objectsDir, shards: Uint8Array) -> Promise<void> */
static napi_value index_load(napi_env env, napi_callback_info info) {
  size_t argc = 3, length;
  napi_value argv[3], promise, name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  object_index_t *index = argc >= 3 ? get_index(env, argv[0]) : NULL;
  if (!index) return throw_type(env, "objectIndexLoad(handle, objectsDir, shards): bad handle");
  load_job_t *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ENOMEM", "objectIndexLoad: out of memory");
    return NULL;
  }
  napi_typedarray_type type;
  size_t shard_count = 0;
  void *shards = NULL;
  if (!get_string(env, argv[1], job->objects_dir, sizeof job->objects_dir, &length) ||
      napi_get_typedarray_info(env, argv[2], &type, &shard_count, &shards, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      shard_count > 256) {
    free(job);
    return throw_type(env, "objectIndexLoad(handle, objectsDir, shards): a path and a Uint8Array of shard numbers expected");
  }
  memcpy(job->shards, shards, shard_count);
  job->shard_count = (int)shard_count;
  job->index = index;
  memcpy(job->kinds, index->kind_names, sizeof job->kinds);
  job->kind_count = index->kind_count;
  napi_create_reference(env, argv[0], 1, &job->handle);
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "arbor:objectIndexLoad", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute_load, complete_load, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

/* objectIndexLoadSync(handle, objectsDir, shard) */
static napi_value index_load_sync(napi_env env, napi_callback_info info) {
  size_t argc = 3, length;
  napi_value argv[3];
  char objects_dir[4096];
  int32_t shard;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  object_index_t *index = argc >= 3 ? get_index(env, argv[0]) : NULL;
  if (!index || !get_string(env, argv[1], objects_dir, sizeof objects_dir, &length) ||
      napi_get_value_int32(env, argv[2], &shard) != napi_ok || shard < 0 || shard > 255) {
    return throw_type(env, "objectIndexLoadSync(handle, objectsDir, shard): bad arguments");
  }
  found_list_t found = { 0 };
  int ok = read_shard(objects_dir, shard, (const char(*)[KIND_NAME])index->kind_names, index->kind_count, &found);
  for (size_t i = 0; ok && i < found.count; i++) ok = insert(index, found.items[i].id, found.items[i].kind);
  free(found.items);
  if (!ok) napi_throw_error(env, "ENOMEM", "objectIndexLoadSync: out of memory");
  return NULL;
}

/* The (handle, hexId, kind) arguments of has and add; NULL after throwing. */
static object_index_t *id_arguments(napi_env env, napi_callback_info info, uint8_t *id, int32_t *kind, const char *usage) {
  size_t argc = 3, length;
  napi_value argv[3];
  char hex[72];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  object_index_t *index = argc >= 3 ? get_index(env, argv[0]) : NULL;
  if (!index || !get_string(env, argv[1], hex, sizeof hex, &length) || length != 2 * ID_BYTES || !parse_hex(hex, length, id) ||
      napi_get_value_int32(env, argv[2], kind) != napi_ok || *kind < 0 || *kind >= index->kind_count) {
    throw_type(env, usage);
    return NULL;
  }
  return index;
}

/* objectIndexHas(handle, hexId, kind) -> boolean */
static napi_value index_has(napi_env env, napi_callback_info info) {
  uint8_t id[ID_BYTES];
  int32_t kind;
  napi_value result;
  object_index_t *index = id_arguments(env, info, id, &kind, "objectIndexHas(handle, hexId, kind): bad arguments");
  if (!index) return NULL;
  napi_get_boolean(env, (find(index, id)->kinds >> kind) & 1, &result);
  return result;
}

/* objectIndexAdd(handle, hexId, kind) */
static napi_value index_add(napi_env env, napi_callback_info info) {
  uint8_t id[ID_BYTES];
  int32_t kind;
  object_index_t *index = id_arguments(env, info, id, &kind, "objectIndexAdd(handle, hexId, kind): bad arguments");
  if (index && !insert(index, id, kind)) napi_throw_error(env, "ENOMEM", "objectIndexAdd: out of memory");
  return NULL;
}

/* objectIndexMissing(handle, records, offset, count, stride, kindMap) -> Uint32Array */
static napi_value index_missing(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], buffer, result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  object_index_t *index = argc >= 6 ? get_index(env, argv[0]) : NULL;
  uint8_t *records = NULL, *map = NULL;
  size_t records_length = 0, map_length = 0;
  uint32_t offset, count, stride;
  napi_typedarray_type type;
  bool is_buffer = false;
  if (index) napi_is_buffer(env, argv[1], &is_buffer);
  if (!index || !is_buffer || napi_get_buffer_info(env, argv[1], (void **)&records, &records_length) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &offset) != napi_ok || napi_get_value_uint32(env, argv[3], &count) != napi_ok ||
      napi_get_value_uint32(env, argv[4], &stride) != napi_ok || stride < ID_BYTES + 1 ||
      napi_get_typedarray_info(env, argv[5], &type, &map_length, (void **)&map, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      (uint64_t)offset + (uint64_t)count * stride > records_length) {
    return throw_type(env, "objectIndexMissing(handle, records, offset, count, stride, kindMap): bad arguments");
  }
  uint32_t *missing = malloc(((size_t)count + 1) * sizeof *missing);
  if (!missing) {
    napi_throw_error(env, "ENOMEM", "objectIndexMissing: out of memory");
    return NULL;
  }
  size_t found = 0;
  for (uint32_t record = 0; record < count; record++) {
    const uint8_t *at = records + offset + (size_t)record * stride;
    uint8_t kind = at[ID_BYTES] < map_length ? map[at[ID_BYTES]] : SKIP_KIND;
    if (kind == SKIP_KIND || kind >= index->kind_count) continue;
    if (!((find(index, at)->kinds >> kind) & 1)) missing[found++] = record;
  }
  void *data;
  napi_create_arraybuffer(env, found * sizeof *missing, &data, &buffer);
  if (found) memcpy(data, missing, found * sizeof *missing);
  free(missing);
  napi_create_typedarray(env, napi_uint32_array, found, buffer, 0, &result);
  return result;
}

#define DIRTREE_MAGIC "arbt"
#define DIRTREE_VERSION 1
#define ENTRY_FILE 1
#define ENTRY_DIR 2
#define NAME_MAX_BYTES 255

static uint32_t read_u32be(const uint8_t *at) {
  return (uint32_t)at[0] << 24 | (uint32_t)at[1] << 16 | (uint32_t)at[2] << 8 | at[3];
}

/* Same order as JavaScript's < on latin1 strings: byte by byte, a prefix first. */
static int compare_names(const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length) {
  int order = memcmp(a, b, a_length < b_length ? a_length : b_length);
  if (order != 0) return order;
  return a_length < b_length ? -1 : a_length > b_length ? 1 : 0;
}

static int name_allowed(const uint8_t *name, size_t length) {
  if (length == 0 || length > NAME_MAX_BYTES) return 0;
  if (name[0] == '.' && (length == 1 || (length == 2 && name[1] == '.'))) return 0;
  return memchr(name, '/', length) == NULL && memchr(name, 0, length) == NULL;
}

static napi_value hex_string(napi_env env, const uint8_t *id) {
  static const char digits[] = "0123456789abcdef";
  char hex[2 * ID_BYTES];
  napi_value result;
  for (int i = 0; i < ID_BYTES; i++) {
    hex[2 * i] = digits[id[i] >> 4];
    hex[2 * i + 1] = digits[id[i] & 15];
  }
  napi_create_string_latin1(env, hex, sizeof hex, &result);
  return result;
}

static int has_kind(const object_index_t *index, const uint8_t *id, int kind) {
  return (find(index, id)->kinds >> kind) & 1;
}

/* objectIndexScanDirTree(handle, dirtree, fileKind, dirtreeKind, dirmetaKind) */
static napi_value index_scan_dirtree(napi_env env, napi_callback_info info) {
  size_t argc = 5, length = 0;
  napi_value argv[5], result, files, dirs;
  int32_t kinds[3];
  uint8_t *bytes = NULL;
  bool is_buffer = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  object_index_t *index = argc >= 5 ? get_index(env, argv[0]) : NULL;
  if (index) napi_is_buffer(env, argv[1], &is_buffer);
  int kinds_ok = index != NULL;
  for (int i = 0; kinds_ok && i < 3; i++) {
    kinds_ok = napi_get_value_int32(env, argv[2 + i], &kinds[i]) == napi_ok && kinds[i] >= 0 && kinds[i] < index->kind_count;
  }
  if (!is_buffer || !kinds_ok || napi_get_buffer_info(env, argv[1], (void **)&bytes, &length) != napi_ok) {
    return throw_type(env, "objectIndexScanDirTree(handle, dirtree, fileKind, dirtreeKind, dirmetaKind): bad arguments");
  }
  napi_get_null(env, &result);
  if (length < 9 || memcmp(bytes, DIRTREE_MAGIC, 4) != 0 || bytes[4] != DIRTREE_VERSION) return result;
  uint32_t count = read_u32be(bytes + 5);
  size_t at = 9;
  if ((uint64_t)count * 36 > length - at) return result;
  napi_create_array(env, &files);
  napi_create_array(env, &dirs);
  uint32_t file_count = 0, dir_count = 0;
  const uint8_t *previous = NULL;
  size_t previous_length = 0;
  for (uint32_t entry = 0; entry < count; entry++) {
    if (length - at < 3) return result;
    uint8_t kind = bytes[at];
    size_t name_length = (size_t)bytes[at + 1] << 8 | bytes[at + 2];
    at += 3;
    if (length - at < name_length) return result;
    const uint8_t *name = bytes + at;
    at += name_length;
    if (!name_allowed(name, name_length)) return result;
    if (previous && compare_names(previous, previous_length, name, name_length) >= 0) return result;
    previous = name;
    previous_length = name_length;
    if (kind == ENTRY_FILE) {
      if (length - at < ID_BYTES) return result;
      const uint8_t *file = bytes + at;
      at += ID_BYTES;
      if (!has_kind(index, file, kinds[0])) napi_set_element(env, files, file_count++, hex_string(env, file));
    } else if (kind == ENTRY_DIR) {
      if (length - at < 2 * ID_BYTES) return result;
      const uint8_t *tree = bytes + at, *meta = bytes + at + ID_BYTES;
      at += 2 * ID_BYTES;
      if (!has_kind(index, tree, kinds[1]) || !has_kind(index, meta, kinds[2])) {
        napi_set_element(env, dirs, dir_count++, hex_string(env, tree));
        napi_set_element(env, dirs, dir_count++, hex_string(env, meta));
      }
    } else {
      return result;
    }
  }
  if (at != length) return result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "files", files);
  napi_set_named_property(env, result, "dirs", dirs);
  return result;
}

void register_object_index(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    { "objectIndexCreate", NULL, index_create, NULL, NULL, NULL, napi_enumerable, NULL },
    { "objectIndexLoad", NULL, index_load, NULL, NULL, NULL, napi_enumerable, NULL },
    { "objectIndexLoadSync", NULL, index_load_sync, NULL, NULL, NULL, napi_enumerable, NULL },
    { "objectIndexHas", NULL, index_has, NULL, NULL, NULL, napi_enumerable, NULL },
    { "objectIndexAdd", NULL, index_add, NULL, NULL, NULL, napi_enumerable, NULL },
    { "objectIndexMissing", NULL, index_missing, NULL, NULL, NULL, napi_enumerable, NULL },
    { "objectIndexScanDirTree", NULL, index_scan_dirtree, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
}
