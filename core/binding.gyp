{
  "targets": [
    {
      "target_name": "arbor_native",
      "sources": ["native/arbor_native.c", "native/fs_batch.c", "native/object_index.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
