{
  "targets": [
    {
      "target_name": "kpress_core",
      "sources": ["addon.c", "tree_assign.c", "seed.c", "hamerly.c", "nearest.c", "dither.c", "colour_grid.c", "palette_tables.c", "tree_build.c", "hist.c", "coarse.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-fno-fast-math", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
