#include <sqlite3.h>

/// The file object of Sluice's log write-combining VFS (`LogWriteCombiner.swift`):
/// SQLite's base object first, then the buffer of log writes not yet handed to the
/// real file. The real VFS's own file object follows in the same allocation (`real`).
/// `end` is where the current log's frames end (writes before it are rewrites);
/// `writes` counts the writes handed to the real file.
typedef struct sluice_log_file {
    sqlite3_file base;
    sqlite3_file *real;
    unsigned char *buffer;
    sqlite3_int64 offset;
    sqlite3_int64 end;
    sqlite3_int64 writes;
    int length;
    int capacity;
    int flushAfterNextWrite;
} sluice_log_file;
