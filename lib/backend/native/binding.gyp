{
  "targets": [
    {
      "target_name": "avlab_blas",
      "sources": ["blas.c", "lstm.c", "batchnorm.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/x86_64-linux-gnu"],
      "libraries": ["-lopenblas", "-lm"],
      "cflags": ["-O3", "-fno-trapping-math"]
    }
  ]
}
