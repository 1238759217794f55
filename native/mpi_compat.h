// The one place where differences between MPI implementations are handled.
#pragma once

// Open MPI's and MPICH's mpi.h pull in the long-deprecated MPI C++ bindings when compiled as C++; the addon would
// then fail to load with undefined MPI::* symbols. The build defines these too; this guards other builds.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

namespace mpi4js {

#if defined(OPEN_MPI)
constexpr const char* kMpiFamily = "openmpi";
#elif defined(MPICH)
constexpr const char* kMpiFamily = "mpich";
#else
constexpr const char* kMpiFamily = "unknown";
#endif

}  // namespace mpi4js
