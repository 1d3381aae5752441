#include "CShims.h"
#include <malloc.h>

int sluice_sqlite3_db_config_defensive(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, (int *)0);
}

sqlite3_destructor_type sluice_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}

int sluice_malloc_trim(void) {
    return malloc_trim(0);
}
