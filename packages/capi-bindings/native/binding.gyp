{
  # The addon loads libcapi20.so.3 with dlopen at run time, so it neither links against
  # libcapi20 nor needs libcapi20-dev: the prototypes are declared in src/capi_lib.h.
  # Built by ../build.mjs on a copy in build/gyp/ with the source paths and the node-addon-api
  # include directory filled in (so the file is plain JSON apart from whole-line comments).
  "targets": [
    {
      "target_name": "capi20",
      "sources": [
        "src/addon.cc",
        "src/capi_lib.cc",
        "src/capi_thread.cc",
        "src/frame.cc",
        "src/handles.cc"
      ],
      "include_dirs": ["node-addon-api (set by build.mjs)"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
