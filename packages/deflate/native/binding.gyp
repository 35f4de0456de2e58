{
  "targets": [
    {
      "target_name": "kpress_deflate",
      "sources": ["deflate.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-l:libdeflate.a"]
    }
  ]
}
