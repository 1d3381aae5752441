// wslay.h uses ssize_t and the fixed-width integer types without including their headers.
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <wslay/wslay.h>
