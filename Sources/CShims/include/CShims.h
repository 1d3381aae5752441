#ifndef SLUICE_CSHIMS_H
#define SLUICE_CSHIMS_H

#include <sqlite3.h>
#include "CShimsHTTP.h"

/// Wraps the variadic `sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL)`.
int sluice_sqlite3_db_config_defensive(sqlite3 *db, int on);

/// Wraps `malloc_trim(0)` (glibc, <malloc.h>): returns freed heap memory to the system.
int sluice_malloc_trim(void);

/// Wraps `pthread_setname_np(pthread_self(), name)` (glibc, <pthread.h>, needs
/// _GNU_SOURCE): names the calling thread (at most 15 bytes; `top -H`, `perf` and /proc
/// show it). Returns 0, or an errno value (ERANGE when the name is too long).
int sluice_set_thread_name(const char *name);

#endif
