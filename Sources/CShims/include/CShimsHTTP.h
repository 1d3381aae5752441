#ifndef SLUICE_CSHIMS_HTTP_H
#define SLUICE_CSHIMS_HTTP_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <microhttpd.h>
// The WebSocket loop's epoll and eventfd (Swift's Glibc module does not export them).
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// Wraps the variadic `MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
/// MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls, MHD_OPTION_ARRAY, options, MHD_OPTION_END)`.
struct MHD_Daemon *sluice_mhd_start_daemon(unsigned int flags,
                                           MHD_AccessHandlerCallback handler, void *handler_cls,
                                           MHD_RequestCompletedCallback completed, void *completed_cls,
                                           struct MHD_OptionItem *options);

/// Wraps the variadic `MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS)`;
/// NULL when unknown.
const struct sockaddr *sluice_mhd_client_address(struct MHD_Connection *connection);

/// Wraps the variadic `MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD)`;
/// -1 when unknown.
int sluice_mhd_connection_fd(struct MHD_Connection *connection);

/// Wraps the variadic `MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE)`: closes an upgraded
/// socket (never `close()` it directly). Call exactly once per upgrade handle.
enum MHD_Result sluice_mhd_upgrade_close(struct MHD_UpgradeResponseHandle *urh);

/// `send()` flags for a WebSocket write: never SIGPIPE, and MSG_MORE when more follows.
/// (A function because Swift sees the MSG_ constants from two modules here.)
static inline int sluice_ws_send_flags(int more) { return MSG_NOSIGNAL | (more ? MSG_MORE : 0); }

/// Turns Nagle's algorithm off on a connected TCP socket (`TCP_NODELAY`); 0 on success.
/// A WebSocket writes small frames one after another: with Nagle on, a frame written while
/// the previous one is unacknowledged waits for the peer's delayed ACK (up to 40 ms).
static inline int sluice_tcp_nodelay(int fd) {
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

#endif
