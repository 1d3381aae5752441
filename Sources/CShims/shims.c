#define _GNU_SOURCE
#include "CShims.h"
#include <malloc.h>
#include <pthread.h>

int sluice_sqlite3_db_config_defensive(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, (int *)0);
}

int sluice_malloc_trim(void) {
    return malloc_trim(0);
}

int sluice_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
