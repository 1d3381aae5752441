/*
 * ws_client: the timing side of bench/ws_latency.py, in C so that the client adds
 * microseconds, not Python's milliseconds, to what it measures.
 *
 *   ws_client listen PORT PATH NSOCK BASE NLEADS WARMBASE OUT
 *       Opens NSOCK WebSockets at PATH (e.g. /ws?token=...), prints "ready", then stamps
 *       (CLOCK_MONOTONIC, right after the recv that brought it) every
 *       new_lead_notification whose lead has vendorLeadId "BENCH-<number>":
 *       number - BASE in [0, NLEADS) is a benchmark lead, number >= WARMBASE a warm-up
 *       lead. Prints "warm" once every socket has seen a warm-up lead. Stops when every
 *       socket has every lead, on SIGTERM, or after SIGUSR1 once no lead has come for 5 s; then writes OUT (u64 nsock, u64 nleads,
 *       nsock*nleads u64 stamps, 0 = never received) and prints "summary {json}".
 *
 *   ws_client send PORT SID APIKEY RATE NLEADS BASE STRIDE OFFSET NCONN T0NS TEMPLATE OUT
 *       Posts NextGen webhooks i = OFFSET, OFFSET+STRIDE, ... < NLEADS on NCONN keep-alive
 *       connections, lead i due at T0NS + i/RATE seconds (open loop: a due lead waits
 *       only when every connection has a request in flight). TEMPLATE is the JSON body
 *       with every "@N@" replaced by the 7-digit number BASE + i. Writes OUT (3 arrays of
 *       NLEADS u64: write stamp, reply stamp, HTTP status; 0 for other senders' leads)
 *       and prints "summary {json}".
 *
 *   ws_client baseline COUNT RATE
 *       The floor of this harness: one process writes a timestamped 1 KiB message on a
 *       loopback TCP socket at RATE/s, another stamps its arrival exactly as the
 *       listener does. Prints "summary {json}" with the one-way p50/p99/max in µs.
 *
 * Linux only (epoll, timerfd). Built by ws_latency.py with `gcc -O2`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0, draining = 0;

static void on_signal(int sig) {
    if (sig == SIGUSR1)
        draining = 1;
    else
        stopping = 1;
}

/* After SIGUSR1 (the senders are done), a listener stops once no benchmark frame has come
   for this long: what has not arrived by then is lost. */
#define DRAIN_IDLE_NS 5000000000ull

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "ws_client: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* --- a latency histogram: 1 µs buckets below 100 ms, 1 ms buckets up to 100 s ----------- */

#define HIST_FINE 100000 /* µs */
#define HIST_BUCKETS (HIST_FINE + 100000)
typedef struct {
    uint64_t *counts;
    uint64_t n;
    uint64_t max_ns;
} hist_t;

static void hist_init(hist_t *h) {
    h->counts = calloc(HIST_BUCKETS + 1, sizeof(uint64_t));
    if (!h->counts) die("calloc");
    h->n = 0;
    h->max_ns = 0;
}

static void hist_add(hist_t *h, uint64_t ns) {
    uint64_t us = ns / 1000, b = us < HIST_FINE ? us : HIST_FINE + (us - HIST_FINE) / 1000;
    h->counts[b < HIST_BUCKETS ? b : HIST_BUCKETS]++;
    h->n++;
    if (ns > h->max_ns) h->max_ns = ns;
}

/* The lower bound (µs) of the bucket holding quantile q (nearest rank). */
static uint64_t hist_quantile(const hist_t *h, double q) {
    if (h->n == 0) return 0;
    uint64_t rank = (uint64_t)(q * (double)h->n), seen = 0;
    if ((double)rank < q * (double)h->n) rank++;
    if (rank == 0) rank = 1;
    for (uint64_t i = 0; i <= HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) return i < HIST_FINE ? i : HIST_FINE + (i - HIST_FINE) * 1000;
    }
    return h->max_ns / 1000;
}

static void hist_json(const hist_t *h, const char *name, FILE *f) {
    fprintf(f, "\"%s\":{\"n\":%llu,\"p50Us\":%llu,\"p99Us\":%llu,\"maxUs\":%.1f}", name, (unsigned long long)h->n,
            (unsigned long long)hist_quantile(h, 0.5), (unsigned long long)hist_quantile(h, 0.99),
            (double)h->max_ns / 1000.0);
}

static void rusage_json(FILE *f) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(f, "\"cpuUser\":%.3f,\"cpuSys\":%.3f", (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
            (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

/* --- sockets ------------------------------------------------------------------------ */

static int connect_loopback(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) die("fcntl");
}

static void write_all(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            usleep(100);
            continue;
        }
        if (w <= 0) die("send");
        p += w;
        n -= (size_t)w;
    }
}

static void write_file(const char *path, const void *const *parts, const size_t *sizes, int count) {
    FILE *f = fopen(path, "wb");
    if (!f) die(path);
    for (int i = 0; i < count; i++)
        if (sizes[i] && fwrite(parts[i], 1, sizes[i], f) != sizes[i]) die(path);
    if (fclose(f) != 0) die(path);
}

/* --- listen ------------------------------------------------------------------------- */

typedef struct {
    int fd;
    unsigned char *buf;
    size_t len, cap;
    int close_code; /* 0 open, else the server's close code (1006 = dropped) */
    uint64_t got;   /* distinct benchmark leads received */
    uint64_t warm;
} ws_t;

typedef struct {
    uint64_t base, nleads, warmbase;
    uint64_t *stamps; /* nsock * nleads */
    uint64_t frames, lead_frames, other_frames, duplicates, foreign, warm_sockets, complete_sockets;
    uint64_t last_lead_ns; /* when the last benchmark frame came */
    hist_t process_ms; /* the server's own "processMs" in each benchmark frame (received → frame built) */
} listen_ctx;

/* The HTTP upgrade, blocking; bytes after the 101 head stay in the socket's buffer. */
static void ws_handshake(ws_t *w, int port, const char *path) {
    char req[2048];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: c2x1aWNlLWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     path, port);
    write_all(w->fd, req, (size_t)n);
    w->cap = 65536;
    w->buf = malloc(w->cap);
    if (!w->buf) die("malloc");
    w->len = 0;
    for (;;) {
        ssize_t r = recv(w->fd, w->buf + w->len, w->cap - w->len, 0);
        if (r <= 0) {
            fprintf(stderr, "ws_client: the server closed during the WebSocket handshake\n");
            exit(1);
        }
        w->len += (size_t)r;
        unsigned char *end = memmem(w->buf, w->len, "\r\n\r\n", 4);
        if (!end) continue;
        if (w->len < 12 || memcmp(w->buf + 9, "101", 3) != 0) {
            fprintf(stderr, "ws_client: the upgrade was refused: %.*s\n", (int)(w->len < 200 ? w->len : 200),
                    (char *)w->buf);
            exit(1);
        }
        size_t head = (size_t)(end - w->buf) + 4;
        memmove(w->buf, w->buf + head, w->len - head);
        w->len -= head;
        return;
    }
}

/* A masked control frame (clients must mask; a zero key leaves the payload as it is). */
static void ws_send_control(int fd, int opcode, const unsigned char *payload, size_t n) {
    unsigned char frame[2 + 4 + 125];
    if (n > 125) n = 125;
    frame[0] = (unsigned char)(0x80 | opcode);
    frame[1] = (unsigned char)(0x80 | n);
    memset(frame + 2, 0, 4);
    memcpy(frame + 6, payload, n);
    send(fd, frame, 6 + n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static const char LEAD_TYPE[] = "{\"type\":\"new_lead_notification\"";
static const char LEAD_ID_KEY[] = "\"vendorLeadId\":\"BENCH-";
static const char PROCESS_MS_KEY[] = "\"processMs\":";

/* The frame's processMs (a decimal number of milliseconds) in nanoseconds, or -1. */
static int64_t process_ns(const unsigned char *p, size_t n) {
    const unsigned char *k = NULL, *from = p;
    for (;;) { /* the last occurrence: it is appended at the end of data */
        const unsigned char *m = memmem(from, (size_t)(p + n - from), PROCESS_MS_KEY, sizeof PROCESS_MS_KEY - 1);
        if (!m) break;
        k = m;
        from = m + 1;
    }
    if (!k) return -1;
    char num[32];
    size_t len = 0;
    for (const unsigned char *d = k + sizeof PROCESS_MS_KEY - 1; d < p + n && len < sizeof num - 1; d++) {
        if ((*d < '0' || *d > '9') && *d != '.' && *d != 'e' && *d != 'E' && *d != '-' && *d != '+') break;
        num[len++] = (char)*d;
    }
    num[len] = 0;
    return len ? (int64_t)(atof(num) * 1e6) : -1;
}

static void on_text(listen_ctx *c, ws_t *w, size_t sock, const unsigned char *p, size_t n, uint64_t t) {
    c->frames++;
    if (n < sizeof LEAD_TYPE - 1 || memcmp(p, LEAD_TYPE, sizeof LEAD_TYPE - 1) != 0) {
        c->other_frames++;
        return;
    }
    const unsigned char *k = memmem(p, n, LEAD_ID_KEY, sizeof LEAD_ID_KEY - 1);
    if (!k) {
        c->foreign++;
        return;
    }
    const unsigned char *d = k + sizeof LEAD_ID_KEY - 1, *end = p + n;
    uint64_t number = 0;
    while (d < end && *d >= '0' && *d <= '9') number = number * 10 + (uint64_t)(*d++ - '0');
    if (number >= c->warmbase) {
        if (w->warm++ == 0) c->warm_sockets++;
        return;
    }
    if (number < c->base || number - c->base >= c->nleads) {
        c->foreign++;
        return;
    }
    c->lead_frames++;
    c->last_lead_ns = t;
    int64_t pns = process_ns(p, n);
    if (pns >= 0) hist_add(&c->process_ms, (uint64_t)pns);
    uint64_t *slot = &c->stamps[sock * c->nleads + (number - c->base)];
    if (*slot) {
        c->duplicates++;
        return;
    }
    *slot = t;
    if (++w->got == c->nleads) c->complete_sockets++;
}

/* Parses every whole frame in the socket's buffer; returns -1 once the socket is closed. */
static int ws_parse(listen_ctx *c, ws_t *w, size_t sock, uint64_t t) {
    size_t off = 0;
    while (w->len - off >= 2) {
        unsigned char *f = w->buf + off;
        int opcode = f[0] & 0x0F;
        uint64_t plen = f[1] & 0x7F;
        size_t head = 2 + ((f[1] & 0x80) ? 4 : 0);
        if (plen == 126) {
            if (w->len - off < 4) break;
            plen = ((uint64_t)f[2] << 8) | f[3];
            head += 2;
        } else if (plen == 127) {
            if (w->len - off < 10) break;
            plen = 0;
            for (int i = 0; i < 8; i++) plen = (plen << 8) | f[2 + i];
            head += 8;
        }
        if (w->len - off < head + plen) {
            if (head + plen > w->cap) {
                w->cap = head + plen + 65536;
                memmove(w->buf, w->buf + off, w->len - off);
                w->len -= off;
                off = 0;
                w->buf = realloc(w->buf, w->cap);
                if (!w->buf) die("realloc");
            }
            break;
        }
        const unsigned char *payload = f + head;
        if (opcode == 1) {
            on_text(c, w, sock, payload, (size_t)plen, t);
        } else if (opcode == 9) {
            ws_send_control(w->fd, 10, payload, (size_t)plen);
        } else if (opcode == 8) {
            w->close_code = plen >= 2 ? (payload[0] << 8 | payload[1]) : 1005;
            return -1;
        }
        off += head + (size_t)plen;
    }
    memmove(w->buf, w->buf + off, w->len - off);
    w->len -= off;
    return 0;
}

static int cmd_listen(int argc, char **argv) {
    if (argc != 9) return 2;
    int port = atoi(argv[2]);
    const char *path = argv[3];
    size_t nsock = strtoull(argv[4], NULL, 10);
    listen_ctx c = {0};
    c.base = strtoull(argv[5], NULL, 10);
    c.nleads = strtoull(argv[6], NULL, 10);
    c.warmbase = strtoull(argv[7], NULL, 10);
    const char *out = argv[8];
    c.stamps = calloc(nsock * c.nleads + 1, sizeof(uint64_t));
    ws_t *ws = calloc(nsock, sizeof(ws_t));
    if (!c.stamps || !ws) die("calloc");
    hist_init(&c.process_ms);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    for (size_t i = 0; i < nsock; i++) {
        ws[i].fd = connect_loopback(port);
        ws_handshake(&ws[i], port, path);
        set_nonblocking(ws[i].fd);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, ws[i].fd, &ev) != 0) die("epoll_ctl");
    }
    printf("ready\n");
    fflush(stdout);

    hist_t stamp_lag, wakeup;  /* client overhead: epoll return → this recv; whole wake-up */
    hist_init(&stamp_lag);
    hist_init(&wakeup);
    size_t open = nsock;
    int said_warm = 0;
    uint64_t drain_from = 0;
    struct epoll_event evs[256];
    while (!stopping && open > 0 && (c.nleads == 0 || c.complete_sockets < nsock)) {
        int n = epoll_wait(ep, evs, 256, 200);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        uint64_t woke = now_ns();
        for (int e = 0; e < n; e++) {
            size_t i = evs[e].data.u64;
            ws_t *w = &ws[i];
            if (w->len == w->cap) {
                w->cap *= 2;
                w->buf = realloc(w->buf, w->cap);
                if (!w->buf) die("realloc");
            }
            ssize_t r = recv(w->fd, w->buf + w->len, w->cap - w->len, 0);
            uint64_t t = now_ns();
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r > 0) {
                hist_add(&stamp_lag, t - woke);
                w->len += (size_t)r;
                if (ws_parse(&c, w, i, t) == 0) continue;
            } else {
                w->close_code = 1006;
            }
            epoll_ctl(ep, EPOLL_CTL_DEL, w->fd, NULL);
            close(w->fd);
            open--;
        }
        if (n > 0) hist_add(&wakeup, now_ns() - woke);
        if (draining) {
            uint64_t t = now_ns(); /* later than every stamp taken so far */
            if (drain_from == 0) drain_from = t;
            uint64_t last = c.last_lead_ns > drain_from ? c.last_lead_ns : drain_from;
            if (t - last > DRAIN_IDLE_NS) break;
        }
        if (!said_warm && c.warm_sockets == nsock) {
            said_warm = 1;
            printf("warm\n");
            fflush(stdout);
        }
    }

    uint64_t header[2] = {nsock, c.nleads};
    const void *parts[2] = {header, c.stamps};
    size_t sizes[2] = {sizeof header, nsock * c.nleads * sizeof(uint64_t)};
    write_file(out, parts, sizes, 2);

    printf("summary {\"sockets\":%zu,\"frames\":%llu,\"leadFrames\":%llu,\"otherFrames\":%llu,"
           "\"duplicates\":%llu,\"foreign\":%llu,\"completeSockets\":%llu,\"drainedForMs\":%.1f,\"closes\":[",
           nsock, (unsigned long long)c.frames, (unsigned long long)c.lead_frames,
           (unsigned long long)c.other_frames, (unsigned long long)c.duplicates, (unsigned long long)c.foreign,
           (unsigned long long)c.complete_sockets, drain_from ? (double)(now_ns() - drain_from) / 1e6 : 0.0);
    int first = 1;
    for (size_t i = 0; i < nsock; i++)
        if (ws[i].close_code) {
            printf("%s%d", first ? "" : ",", ws[i].close_code);
            first = 0;
        }
    printf("],");
    hist_json(&stamp_lag, "stampLag", stdout);
    printf(",");
    hist_json(&wakeup, "wakeup", stdout);
    printf(",");
    hist_json(&c.process_ms, "processMs", stdout);
    printf(",");
    rusage_json(stdout);
    printf("}\n");
    fflush(stdout);
    return 0;
}

/* --- send --------------------------------------------------------------------------- */

typedef struct {
    int fd;
    int64_t lead; /* in flight, or -1 */
    char buf[16384];
    size_t len;
} http_t;

static int64_t content_length(const char *head, size_t n) {
    static const char key[] = "\r\ncontent-length:";
    for (size_t i = 0; i + sizeof key - 1 < n; i++)
        if (strncasecmp(head + i, key, sizeof key - 1) == 0) return strtoll(head + i + sizeof key - 1, NULL, 10);
    return -1;
}

static int wants_close(const char *head, size_t n) {
    static const char key[] = "\r\nconnection: close";
    for (size_t i = 0; i + sizeof key - 1 < n; i++)
        if (strncasecmp(head + i, key, sizeof key - 1) == 0) return 1;
    return 0;
}

static void http_open(http_t *h, int port, int ep, size_t index) {
    h->fd = connect_loopback(port);
    set_nonblocking(h->fd);
    h->lead = -1;
    h->len = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = index + 1};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, h->fd, &ev) != 0) die("epoll_ctl");
}

static void arm(int tfd, uint64_t at) {
    struct itimerspec its = {0};
    its.it_value.tv_sec = (time_t)(at / 1000000000ull);
    its.it_value.tv_nsec = (long)(at % 1000000000ull);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int cmd_send(int argc, char **argv) {
    if (argc != 14) return 2;
    int port = atoi(argv[2]);
    const char *sid = argv[3], *apikey = argv[4];
    double rate = atof(argv[5]);
    uint64_t nleads = strtoull(argv[6], NULL, 10), base = strtoull(argv[7], NULL, 10);
    uint64_t stride = strtoull(argv[8], NULL, 10), offset = strtoull(argv[9], NULL, 10);
    size_t nconn = strtoull(argv[10], NULL, 10);
    uint64_t t0 = strtoull(argv[11], NULL, 10);
    const char *template = argv[12], *out = argv[13];
    uint64_t *t_write = calloc(nleads + 1, 8), *t_reply = calloc(nleads + 1, 8), *status = calloc(nleads + 1, 8);
    http_t *conns = calloc(nconn, sizeof(http_t));
    if (!t_write || !t_reply || !status || !conns) die("calloc");
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake at the due time, not up to 50 µs later */

    int ep = epoll_create1(EPOLL_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (ep < 0 || tfd < 0) die("epoll/timerfd");
    struct epoll_event tev = {.events = EPOLLIN, .data.u64 = 0};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
    for (size_t i = 0; i < nconn; i++) http_open(&conns[i], port, ep, i);

    size_t *idle = malloc(nconn * sizeof(size_t)), nidle = 0;
    for (size_t i = 0; i < nconn; i++) idle[nidle++] = nconn - 1 - i;
    hist_t late;
    hist_init(&late);
    char body[8192], request[12288];
    uint64_t next = offset, inflight = 0, sent = 0, answered = 0, failed = 0, reconnects = 0;
    /* Leads that came due while every connection had a request in flight (the server, not
       this client, held them back). */
    uint64_t starved = 0, starved_lead = UINT64_MAX;
    double period = 1e9 / rate;
    uint64_t last_due = t0 + (uint64_t)((double)(nleads ? nleads - 1 : 0) * period);
    uint64_t deadline = last_due + 15000000000ull;
    if (next < nleads) arm(tfd, t0 + (uint64_t)((double)next * period));
    struct epoll_event evs[64];

    while ((next < nleads || inflight > 0) && !stopping && now_ns() < deadline) {
        int n = epoll_wait(ep, evs, 64, 100);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int e = 0; e < n; e++) {
            if (evs[e].data.u64 == 0) {
                uint64_t ticks;
                (void)!read(tfd, &ticks, sizeof ticks);
                continue;
            }
            size_t ci = evs[e].data.u64 - 1;
            http_t *h = &conns[ci];
            ssize_t r = recv(h->fd, h->buf + h->len, sizeof h->buf - 1 - h->len, 0);
            uint64_t t = now_ns();
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            int reopen = r <= 0;
            if (r > 0) {
                h->len += (size_t)r;
                h->buf[h->len] = 0;
                char *end = memmem(h->buf, h->len, "\r\n\r\n", 4);
                if (!end) continue;
                size_t head = (size_t)(end - h->buf) + 4;
                int64_t cl = content_length(h->buf, head);
                if (cl < 0) cl = 0;
                if (h->len < head + (size_t)cl) continue;
                if (h->lead >= 0) {
                    t_reply[h->lead] = t;
                    status[h->lead] = (uint64_t)atoi(h->buf + 9);
                    if (status[h->lead] < 200 || status[h->lead] > 299) failed++;
                    answered++;
                    inflight--;
                    h->lead = -1;
                }
                reopen = wants_close(h->buf, head);
                h->len = 0;
            }
            if (reopen) {
                if (h->lead >= 0) { /* dropped with a request in flight */
                    failed++;
                    inflight--;
                }
                epoll_ctl(ep, EPOLL_CTL_DEL, h->fd, NULL);
                close(h->fd);
                http_open(h, port, ep, ci);
                reconnects++;
            }
            idle[nidle++] = ci;
        }
        /* Send everything due, on idle connections; a lead that finds none waits (late). */
        uint64_t t = now_ns();
        while (next < nleads && nidle > 0 && t0 + (uint64_t)((double)next * period) <= t) {
            http_t *h = &conns[idle[--nidle]];
            char number[16];
            snprintf(number, sizeof number, "%07llu", (unsigned long long)(base + next));
            size_t blen = 0;
            for (const char *p = template; *p && blen < sizeof body - 16;) {
                if (p[0] == '@' && p[1] == 'N' && p[2] == '@') {
                    memcpy(body + blen, number, strlen(number));
                    blen += strlen(number);
                    p += 3;
                } else {
                    body[blen++] = *p++;
                }
            }
            int rn = snprintf(request, sizeof request,
                              "POST /api/webhooks/nextgen HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                              "Content-Type: application/json\r\nsid: %s\r\napikey: %s\r\n"
                              "Content-Length: %zu\r\n\r\n",
                              port, sid, apikey, blen);
            memcpy(request + rn, body, blen);
            h->lead = (int64_t)next;
            uint64_t due = t0 + (uint64_t)((double)next * period);
            t_write[next] = now_ns(); /* just before the POST is written */
            hist_add(&late, t_write[next] - due);
            write_all(h->fd, request, (size_t)rn + blen);
            inflight++;
            sent++;
            next += stride;
            t = now_ns();
        }
        if (next < nleads && nidle == 0 && t0 + (uint64_t)((double)next * period) <= t && starved_lead != next) {
            starved++;
            starved_lead = next;
        }
        if (next < nleads && nidle > 0) arm(tfd, t0 + (uint64_t)((double)next * period));
    }

    const void *parts[3] = {t_write, t_reply, status};
    size_t sizes[3] = {nleads * 8, nleads * 8, nleads * 8};
    write_file(out, parts, sizes, 3);
    printf("summary {\"sent\":%llu,\"answered\":%llu,\"failed\":%llu,\"unsent\":%llu,\"reconnects\":%llu,\"waitedForConnection\":%llu,",
           (unsigned long long)sent, (unsigned long long)answered, (unsigned long long)failed,
           (unsigned long long)(next < nleads ? (nleads - next + stride - 1) / stride : 0),
           (unsigned long long)reconnects, (unsigned long long)starved);
    hist_json(&late, "late", stdout);
    printf(",");
    rusage_json(stdout);
    printf("}\n");
    fflush(stdout);
    return 0;
}

/* --- baseline ----------------------------------------------------------------------- */

static int cmd_baseline(int argc, char **argv) {
    if (argc != 4) return 2;
    uint64_t count = strtoull(argv[2], NULL, 10);
    double rate = atof(argv[3]);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 1) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) != 0)
        die("listen");
    int port = ntohs(a.sin_port);
    uint64_t t0 = now_ns() + 100000000ull;
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
        int fd = connect_loopback(port);
        unsigned char msg[1024] = {0};
        for (uint64_t k = 0; k < count; k++) {
            uint64_t due = t0 + (uint64_t)((double)k * 1e9 / rate);
            struct timespec ts = {.tv_sec = (time_t)(due / 1000000000ull), .tv_nsec = (long)(due % 1000000000ull)};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
            }
            uint64_t t = now_ns();
            memcpy(msg, &t, 8);
            write_all(fd, msg, sizeof msg);
        }
        close(fd);
        _exit(0);
    }
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) die("accept");
    set_nonblocking(fd);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    hist_t h;
    hist_init(&h);
    unsigned char buf[65536];
    size_t len = 0;
    for (;;) {
        int n = epoll_wait(ep, &ev, 1, 1000);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        ssize_t r = recv(fd, buf + len, sizeof buf - len, 0);
        uint64_t t = now_ns();
        if (r < 0 && errno == EAGAIN) continue;
        if (r <= 0) break;
        len += (size_t)r;
        size_t off = 0;
        for (; len - off >= 1024; off += 1024) {
            uint64_t sent;
            memcpy(&sent, buf + off, 8);
            hist_add(&h, t - sent);
        }
        memmove(buf, buf + off, len - off);
        len -= off;
    }
    waitpid(child, NULL, 0);
    printf("summary {");
    hist_json(&h, "oneWay", stdout);
    printf("}\n");
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    int status = 2;
    if (argc >= 2 && strcmp(argv[1], "listen") == 0) status = cmd_listen(argc, argv);
    else if (argc >= 2 && strcmp(argv[1], "send") == 0) status = cmd_send(argc, argv);
    else if (argc >= 2 && strcmp(argv[1], "baseline") == 0) status = cmd_baseline(argc, argv);
    if (status == 2) fprintf(stderr, "usage: see the comment at the top of bench/ws_client.c\n");
    return status;
}
