/* input_progress.c: the progress line. One shared page holds the counters
 * and a lock; whoever reads bytes (the run, or a --jobs child) may draw, but
 * only one process at a time and at most every PROGRESS_INTERVAL_NS. */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "capture/input_progress.h"

#define PROGRESS_INTERVAL_NS 250000000ull

struct progress {
    int fd;
    uint64_t start_ns;
    uint64_t total_bytes;
    uint64_t total_files;
    bool erase_each;
    atomic_uint_fast64_t bytes;
    atomic_uint_fast64_t files;
    atomic_uint_fast64_t last_draw_ns;
    atomic_int lock;       /* 0 free, 1 taken: drawing, or held by the parent */
    atomic_bool shown;     /* a line is on the terminal */
};

/* Lock-free atomics in a MAP_SHARED page work across processes: the
 * counters must not fall back to a lock that lives in one address space. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2 &&
                   ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_BOOL_LOCK_FREE == 2,
               "progress counters need lock-free atomics");

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct progress *progress_new(int fd, size_t files, uint64_t bytes, bool erase_each)
{
    void *mem = mmap(NULL, sizeof(struct progress), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return NULL;
    struct progress *p = mem;
    p->fd = fd;
    p->start_ns = now_ns();
    p->total_bytes = bytes;
    p->total_files = files;
    p->erase_each = erase_each;
    atomic_init(&p->bytes, 0);
    atomic_init(&p->files, 0);
    atomic_init(&p->last_draw_ns, 0);
    atomic_init(&p->lock, 0);
    atomic_init(&p->shown, false);
    return p;
}

static bool try_lock(struct progress *p)
{
    int expected = 0;
    return atomic_compare_exchange_strong(&p->lock, &expected, 1);
}

/* Waits for the lock a drawing process holds for microseconds; after 100 ms
 * (a child killed while it drew) takes it anyway: the run must not hang on
 * its progress line. */
static void lock_wait(struct progress *p)
{
    for (int i = 0; i < 1000 && !try_lock(p); i++)
        nanosleep(&(struct timespec){0, 100000}, NULL);
    atomic_store(&p->lock, 1);
}

static void unlock(struct progress *p)
{
    atomic_store(&p->lock, 0);
}

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the terminal went away: progress is not worth an error */
        s += w;
        n -= (size_t)w;
    }
}

/* 1.5 kB, 12.0 MB, 3.1 GB: decimal units, as disk sizes are given. */
static void human_bytes(char *out, size_t n, double v)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    size_t u = 0;
    while (v >= 1000.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1000.0;
        u++;
    }
    snprintf(out, n, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static void human_time(char *out, size_t n, double s)
{
    long t = s > 1e9 ? 1000000000L : (long)(s + 0.5);
    if (t < 60)
        snprintf(out, n, "%ld s", t);
    else if (t < 3600)
        snprintf(out, n, "%ld min %02ld s", t / 60, t % 60);
    else
        snprintf(out, n, "%ld h %02ld min", t / 3600, (t % 3600) / 60);
}

/* Called with the lock taken. */
static void draw(struct progress *p, uint64_t now)
{
    uint64_t bytes = atomic_load(&p->bytes), files = atomic_load(&p->files);
    double secs = (double)(now - p->start_ns) / 1e9;
    char done[24], total[24], rate[24], left[32], line[160];
    human_bytes(done, sizeof done, (double)bytes);
    human_bytes(total, sizeof total, (double)p->total_bytes);
    if (secs > 0.2 && bytes > 0) {
        double bps = (double)bytes / secs;
        human_bytes(rate, sizeof rate, bps);
        if (p->total_bytes >= bytes)
            human_time(left, sizeof left, (double)(p->total_bytes - bytes) / bps);
        else
            snprintf(left, sizeof left, "?");
    } else {
        snprintf(rate, sizeof rate, "- B");
        snprintf(left, sizeof left, "?");
    }
    int len;
    if (p->total_bytes > 0)
        len = snprintf(line, sizeof line, "\r%llu/%llu files, %s of %s, %s/s, %s left",
                       (unsigned long long)files, (unsigned long long)p->total_files, done,
                       total, rate, left);
    else
        len = snprintf(line, sizeof line, "\r%llu/%llu files, %s, %s/s",
                       (unsigned long long)files, (unsigned long long)p->total_files, done,
                       rate);
    if (len < 0)
        return;
    size_t n = (size_t)len < sizeof line ? (size_t)len : sizeof line - 1;
    /* never wider than the terminal: a wrapped line cannot be erased with \r */
    struct winsize ws;
    if (ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && n > ws.ws_col)
        n = ws.ws_col;
    write_all(p->fd, line, n);
    write_all(p->fd, "\033[K", 3); /* EL: erase what a longer line left */
    atomic_store(&p->shown, true);
}

static void maybe_draw(struct progress *p)
{
    uint64_t now = now_ns(), last = atomic_load(&p->last_draw_ns);
    if (last != 0 && now - last < PROGRESS_INTERVAL_NS)
        return;
    if (!atomic_compare_exchange_strong(&p->last_draw_ns, &last, now))
        return; /* another process draws this tick */
    if (!try_lock(p))
        return;
    draw(p, now);
    unlock(p);
}

void progress_read(struct progress *p, uint64_t n)
{
    if (p == NULL)
        return;
    atomic_fetch_add(&p->bytes, n);
    maybe_draw(p);
}

void progress_file_done(struct progress *p)
{
    if (p == NULL)
        return;
    atomic_fetch_add(&p->files, 1);
}

static void erase(struct progress *p)
{
    if (atomic_exchange(&p->shown, false))
        write_all(p->fd, "\r\033[K", 4);
}

void progress_clear(struct progress *p)
{
    if (p == NULL)
        return;
    lock_wait(p);
    erase(p);
    /* the next read draws at once, so the line does not stay away a whole tick */
    atomic_store(&p->last_draw_ns, 0);
    unlock(p);
}

void progress_capture_done(struct progress *p)
{
    if (p != NULL && p->erase_each)
        progress_clear(p);
}

void progress_hold(struct progress *p, bool to_stderr)
{
    if (p == NULL)
        return;
    lock_wait(p);
    if (p->erase_each || to_stderr) {
        erase(p);
        atomic_store(&p->last_draw_ns, 0); /* back at the next read */
    }
}

void progress_release(struct progress *p)
{
    if (p != NULL)
        unlock(p);
}

void progress_free(struct progress *p)
{
    if (p == NULL)
        return;
    progress_hold(p, true);
    munmap(p, sizeof *p);
}
