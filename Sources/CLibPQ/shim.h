#ifndef CAMPAIGND_CLIBPQ_SHIM_H
#define CAMPAIGND_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
