{
  # node-gyp builds the same sources as CMakeLists.txt, with the flags of the MPI compiler wrapper chosen by
  # MPI4JS_MPICC (else `mpicc` on PATH). prebuildify drives this file.
  "targets": [
    {
      "target_name": "mpi4js",
      "sources": ["<!@(node -p \"require('fs').readdirSync('native').filter(f => f.endsWith('.cc')).map(f => 'native/' + f).join(' ')\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS", "OMPI_SKIP_MPICXX", "MPICH_SKIP_MPICXX"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "<!@(node scripts/mpi-config.js cflags)"],
      "libraries": ["<!@(node scripts/mpi-config.js libs)"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-Wall", "-Wextra", "<!@(node scripts/mpi-config.js cflags)"]
      }
    }
  ]
}
