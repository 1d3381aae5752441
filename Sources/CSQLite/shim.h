#include <sqlite3.h>

/// The file object of Sluice's log write-combining VFS (`LogWriteCombiner.swift`):
/// SQLite's base object first, then the buffer of log writes not yet handed to the
/// real file. The real VFS's own file object follows in the same allocation (`real`).
typedef struct sluice_log_file {
    sqlite3_file base;
    sqlite3_file *real;
    unsigned char *buffer;
    sqlite3_int64 offset;
    int length;
    int capacity;
    int flushAfterNextWrite;
} sluice_log_file;
