/* The parts of PETSc's C API that osteon-petsc binds (see build.rs). */
#include <petscksp.h>
