#ifndef POSESTUDIO_COPENBLAS_SHIM_H
#define POSESTUDIO_COPENBLAS_SHIM_H
/* OpenBLAS for TensorEngine (its only importer). pkg-config `openblas` adds
   -I/usr/include/x86_64-linux-gnu/openblas-pthread/, so this is OpenBLAS's own cblas.h, not the
   update-alternatives symlink that may point at another BLAS. */
#include <cblas.h>
#endif
