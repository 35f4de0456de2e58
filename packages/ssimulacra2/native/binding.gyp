{
  "targets": [
    {
      "target_name": "kpress_ssimulacra2",
      "sources": ["addon.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
