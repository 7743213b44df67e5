/* input_stream.c: captures as FILE streams over a file descriptor or over
 * libarchive's decompressed data (fopencookie), so libpcap reads compressed
 * and archived captures as it reads plain ones, and nothing is written to
 * disk. The first bytes are read ahead to tell the kind, then replayed, so a
 * pipe works as well as a file. */
#define _GNU_SOURCE /* fopencookie */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture/archive_lib.h"
#include "capture/input_progress.h"
#include "capture/input_stream.h"

#define INPUT_READ_BLOCK 65536
/* libpcap reads a record at a time: this many bytes per read(2) */
#define INPUT_STREAM_BUFFER (256 * 1024)

/* Bytes read ahead and handed out again before the rest of the stream. */
struct replay {
    uint8_t buf[INPUT_SNIFF_BYTES];
    size_t len, pos;
};

struct input_source {
    char *path;
    int fd;
    bool own_fd;            /* not standard input */
    bool seekable;          /* a regular file: libarchive may skip and seek */
    enum input_kind kind;
    struct replay head;     /* the file's first bytes */
    const struct archive_lib *al; /* loaded for compressed or archived input */
    struct archive *ar;     /* compressed or archived input, else NULL */
    bool ended;
    FILE *open_fp;          /* the capture handed out and not closed yet */
    struct replay member;   /* the current member's first bytes */
    /* a compressed member (x.pcap.gz in a zip): decompressed by a second
     * archive reader over the member's data, one level deep, else NULL */
    struct archive *inner;
    struct replay inner_head;
    /* where the capture handed out reads from: the member, or inner */
    struct archive *data_ar;
    struct replay *data_head;
    char *name;             /* the current item's name */
    char read_error[256];
    struct progress *pg;
    input_tap_fn *tap;      /* sees the capture's bytes as libpcap reads them */
    void *tap_ud;
    uint8_t block[INPUT_READ_BLOCK];
    uint8_t inner_block[INPUT_READ_BLOCK];
    char fp_buffer[INPUT_STREAM_BUFFER]; /* open_fp's: glibc takes a size only with one */
};

static void set_err(char *err, size_t n, const char *what, const char *detail)
{
    snprintf(err, n, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

static size_t replay_take(struct replay *r, void *out, size_t n)
{
    size_t left = r->len - r->pos;
    if (n > left)
        n = left;
    memcpy(out, r->buf + r->pos, n);
    r->pos += n;
    return n;
}

/* Reads the file itself; counts the bytes for progress. */
static ssize_t raw_read(struct input_source *s, void *buf, size_t n)
{
    ssize_t r;
    do
        r = read(s->fd, buf, n);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        progress_read(s->pg, (uint64_t)r);
    return r;
}

/* Reads the file after its replayed head. */
static ssize_t fd_read(struct input_source *s, void *buf, size_t n)
{
    if (s->head.pos < s->head.len)
        return (ssize_t)replay_take(&s->head, buf, n);
    return raw_read(s, buf, n);
}

/* Fills r from `fill` until INPUT_SNIFF_BYTES or the end. */
static ssize_t fill_head(struct replay *r, ssize_t (*fill)(void *, void *, size_t), void *ud)
{
    r->len = r->pos = 0;
    while (r->len < sizeof r->buf) {
        ssize_t got = fill(ud, r->buf + r->len, sizeof r->buf - r->len);
        if (got < 0)
            return got;
        if (got == 0)
            break;
        r->len += (size_t)got;
    }
    return (ssize_t)r->len;
}

/* ---- libarchive's callbacks: the raw file ---- */

static la_ssize_t ar_read(struct archive *a, void *ud, const void **out)
{
    struct input_source *s = ud;
    ssize_t r = fd_read(s, s->block, sizeof s->block);
    if (r < 0) {
        s->al->archive_set_error(a, errno, "read failed: %s", strerror(errno));
        return -1;
    }
    *out = s->block;
    return r;
}

static la_int64_t ar_skip(struct archive *a, void *ud, la_int64_t request)
{
    struct input_source *s = ud;
    (void)a;
    if (!s->seekable || request <= 0)
        return 0; /* libarchive then reads through */
    if (lseek(s->fd, (off_t)request, SEEK_CUR) < 0)
        return 0;
    progress_read(s->pg, (uint64_t)request);
    return request;
}

static la_int64_t ar_seek(struct archive *a, void *ud, la_int64_t offset, int whence)
{
    struct input_source *s = ud;
    (void)a;
    off_t r = lseek(s->fd, (off_t)offset, whence);
    return r < 0 ? ARCHIVE_FATAL : (la_int64_t)r;
}

/* ---- the capture streams handed to libpcap ---- */

/* Bytes handed to libpcap, shown to the tap first. */
static ssize_t tapped(struct input_source *s, const char *buf, ssize_t r)
{
    if (r > 0 && s->tap != NULL)
        s->tap(s->tap_ud, (const uint8_t *)buf, (size_t)r);
    return r;
}

static ssize_t plain_cookie_read(void *ud, char *buf, size_t n)
{
    return tapped(ud, buf, fd_read(ud, buf, n));
}

static ssize_t member_cookie_read(void *ud, char *buf, size_t n)
{
    struct input_source *s = ud;
    if (s->data_head->pos < s->data_head->len)
        return tapped(s, buf, (ssize_t)replay_take(s->data_head, buf, n));
    la_ssize_t r = s->al->archive_read_data(s->data_ar, buf, n);
    if (r < 0) {
        /* libpcap reports a read error by errno; the real reason is kept */
        const char *why = s->al->archive_error_string(s->data_ar);
        snprintf(s->read_error, sizeof s->read_error, "%s", why ? why : "read failed");
        errno = EIO;
        return -1;
    }
    return tapped(s, buf, (ssize_t)r);
}

static int cookie_close(void *ud)
{
    struct input_source *s = ud;
    s->open_fp = NULL;
    progress_capture_done(s->pg); /* its report is written next */
    return 0;
}

static enum status hand_out(struct input_source *s, cookie_read_function_t *rd,
                            struct input_item *item, char *err, size_t errlen)
{
    cookie_io_functions_t io = {.read = rd, .close = cookie_close};
    FILE *fp = fopencookie(s, "r", io);
    if (fp == NULL) {
        set_err(err, errlen, "cannot open a stream", strerror(errno));
        return ST_NOMEM;
    }
    setvbuf(fp, s->fp_buffer, _IOFBF, sizeof s->fp_buffer);
    s->open_fp = fp;
    s->tap = NULL; /* the last capture's tap is gone with it */
    s->read_error[0] = '\0';
    item->what = INPUT_ITEM_CAPTURE;
    item->name = s->name;
    item->fp = fp;
    return ST_OK;
}

static void close_open_capture(struct input_source *s)
{
    if (s->open_fp != NULL)
        fclose(s->open_fp); /* cookie_close clears open_fp */
}

static ssize_t fd_fill(void *ud, void *buf, size_t n)
{
    return raw_read(ud, buf, n);
}

static enum status open_archive(struct input_source *s, char *err, size_t errlen)
{
    char why[200];
    s->al = archive_lib(why, sizeof why);
    if (s->al == NULL) {
        set_err(err, errlen, "cannot decompress or unpack without libarchive", why);
        return ST_IO;
    }
    s->ar = s->al->archive_read_new();
    ENSURE(s->ar != NULL, ST_NOMEM);
    /* only what the sniffer sends here: no filter that runs an outside program */
    s->al->archive_read_support_filter_gzip(s->ar);
    s->al->archive_read_support_filter_bzip2(s->ar);
    s->al->archive_read_support_filter_xz(s->ar);
    s->al->archive_read_support_filter_zstd(s->ar);
    s->al->archive_read_support_format_tar(s->ar);
    s->al->archive_read_support_format_zip(s->ar);
    s->al->archive_read_support_format_raw(s->ar); /* a compressed file that is no archive */
    s->al->archive_read_set_callback_data(s->ar, s);
    s->al->archive_read_set_read_callback(s->ar, ar_read);
    s->al->archive_read_set_skip_callback(s->ar, ar_skip);
    if (s->seekable) /* then zip reads the central directory, as unzip does */
        s->al->archive_read_set_seek_callback(s->ar, ar_seek);
    if (s->al->archive_read_open1(s->ar) != ARCHIVE_OK) {
        bool archive = s->kind == INPUT_ZIP || s->kind == INPUT_TAR;
        set_err(err, errlen, archive ? "cannot read the archive" : "cannot decompress",
                s->al->archive_error_string(s->ar));
        return ST_IO;
    }
    return ST_OK;
}

static enum status open_source(struct input_source *s, char *err, size_t errlen);

enum status input_source_open(const char *path, struct progress *pg,
                              struct input_source **out, char *err, size_t errlen)
{
    *out = NULL;
    struct input_source *s = calloc(1, sizeof *s);
    ENSURE(s != NULL, ST_NOMEM);
    s->pg = pg;
    s->fd = -1;
    s->path = strdup(path);
    if (s->path == NULL) {
        free(s);
        return ST_NOMEM;
    }
    *out = s;
    enum status st = open_source(s, err, errlen);
    if (st != ST_OK)
        s->ended = true; /* next() then gives nothing; close() frees it */
    return st;
}

static enum status open_source(struct input_source *s, char *err, size_t errlen)
{
    if (strcmp(s->path, "-") == 0) {
        s->fd = STDIN_FILENO;
    } else {
        s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
        s->own_fd = s->fd >= 0;
    }
    if (s->fd < 0) {
        set_err(err, errlen, "cannot read", strerror(errno));
        return ST_IO;
    }
    struct stat st;
    if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* a folder the walk could not list comes here: say why */
        DIR *d = opendir(s->path);
        set_err(err, errlen, "cannot read the folder", d ? "nothing to read" : strerror(errno));
        if (d)
            closedir(d);
        return ST_IO;
    }
    s->seekable = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
    if (fill_head(&s->head, fd_fill, s) < 0) {
        set_err(err, errlen, "cannot read", strerror(errno));
        return ST_IO;
    }
    s->kind = input_sniff(s->head.buf, s->head.len);
    if (!input_kind_is_packed(s->kind))
        return ST_OK;
    /* libarchive seeks in a regular file itself: start it at offset 0 */
    if (s->seekable) {
        if (lseek(s->fd, 0, SEEK_SET) != 0) {
            set_err(err, errlen, "cannot read", strerror(errno));
            return ST_IO;
        }
        s->head.len = s->head.pos = 0;
    }
    return open_archive(s, err, errlen);
}

static enum status set_name(struct input_source *s, const char *member)
{
    free(s->name);
    s->name = NULL;
    size_t plen = strlen(s->path), mlen = member ? strnlen(member, INPUT_MAX_MEMBER_NAME) : 0;
    size_t n = plen + (member ? 1 + mlen : 0) + 1;
    s->name = malloc(n);
    ENSURE(s->name != NULL, ST_NOMEM);
    if (member)
        snprintf(s->name, n, "%s:%.*s", s->path, (int)mlen, member);
    else
        snprintf(s->name, n, "%s", s->path);
    return ST_OK;
}

static ssize_t member_fill(void *ud, void *buf, size_t n)
{
    struct input_source *s = ud;
    la_ssize_t r = s->al->archive_read_data(s->ar, buf, n);
    return r < 0 ? -1 : (ssize_t)r;
}

static ssize_t inner_fill(void *ud, void *buf, size_t n)
{
    struct input_source *s = ud;
    la_ssize_t r = s->al->archive_read_data(s->inner, buf, n);
    return r < 0 ? -1 : (ssize_t)r;
}

/* The inner reader's input: the member's replayed head, then its data. */
static la_ssize_t inner_read(struct archive *a, void *ud, const void **out)
{
    struct input_source *s = ud;
    *out = s->inner_block;
    if (s->member.pos < s->member.len)
        return (la_ssize_t)replay_take(&s->member, s->inner_block, sizeof s->inner_block);
    la_ssize_t r = s->al->archive_read_data(s->ar, s->inner_block, sizeof s->inner_block);
    if (r < 0) {
        const char *why = s->al->archive_error_string(s->ar);
        s->al->archive_set_error(a, EIO, "%s", why ? why : "read failed");
        return -1;
    }
    return r;
}

static void close_inner(struct input_source *s)
{
    if (s->inner != NULL)
        s->al->archive_read_free(s->inner);
    s->inner = NULL;
}

static enum status skip_item(struct input_item *item, const char *name, enum input_skip_why why)
{
    item->what = INPUT_ITEM_SKIP;
    item->name = name;
    item->why = why;
    return ST_OK;
}

/* A compressed member: read through a second reader (filters and the raw
 * format only, so an archive in it is not opened: one level deep). A member
 * that cannot be decompressed is passed over with the reason; the members
 * after it can still be read. */
static enum status open_inner(struct input_source *s, struct input_item *item, char *err,
                              size_t errlen)
{
    s->inner = s->al->archive_read_new();
    ENSURE(s->inner != NULL, ST_NOMEM);
    s->al->archive_read_support_filter_gzip(s->inner);
    s->al->archive_read_support_filter_bzip2(s->inner);
    s->al->archive_read_support_filter_xz(s->inner);
    s->al->archive_read_support_filter_zstd(s->inner);
    s->al->archive_read_support_format_raw(s->inner);
    s->al->archive_read_set_callback_data(s->inner, s);
    s->al->archive_read_set_read_callback(s->inner, inner_read);
    struct archive_entry *e = NULL;
    if (s->al->archive_read_open1(s->inner) != ARCHIVE_OK ||
        s->al->archive_read_next_header(s->inner, &e) != ARCHIVE_OK ||
        fill_head(&s->inner_head, inner_fill, s) < 0)
        return skip_item(item, s->name, SKIP_WHY_COMPRESSED_DAMAGED);
    enum input_kind k = input_sniff(s->inner_head.buf, s->inner_head.len);
    s->data_ar = s->inner;
    s->data_head = &s->inner_head;
    if (input_kind_is_capture(k))
        return hand_out(s, member_cookie_read, item, err, errlen);
    if (k == INPUT_EMPTY)
        return skip_item(item, s->name, SKIP_WHY_COMPRESSED_EMPTY);
    if (input_kind_is_packed(k))
        return skip_item(item, s->name, SKIP_WHY_NESTED);
    return skip_item(item, s->name, SKIP_WHY_COMPRESSED_NOT_CAPTURE);
}

/* The next entry of a compressed file or archive. */
static enum status next_packed(struct input_source *s, struct input_item *item, char *err,
                               size_t errlen)
{
    close_inner(s);
    for (unsigned retries = 0;;) {
        struct archive_entry *e = NULL;
        int r = s->al->archive_read_next_header(s->ar, &e);
        if (r == ARCHIVE_EOF) {
            s->ended = true;
            item->what = INPUT_ITEM_END;
            return ST_OK;
        }
        if (r == ARCHIVE_RETRY && ++retries < 4)
            continue;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            s->ended = true;
            set_err(err, errlen, "archive damaged, read stopped early",
                    s->al->archive_error_string(s->ar));
            return ST_IO;
        }
        bool raw = s->al->archive_format(s->ar) == ARCHIVE_FORMAT_RAW;
        if (!raw && s->al->archive_entry_filetype(e) == AE_IFDIR)
            continue; /* folders in an archive are not inputs */
        TRY(set_name(s, raw ? NULL : s->al->archive_entry_pathname(e) ? s->al->archive_entry_pathname(e)
                                                               : "?"));
        if (!raw && s->al->archive_entry_filetype(e) != AE_IFREG)
            return skip_item(item, s->name, SKIP_WHY_NOT_REGULAR);
        if (s->al->archive_entry_is_data_encrypted(e))
            return skip_item(item, s->name, SKIP_WHY_ENCRYPTED);
        if (fill_head(&s->member, member_fill, s) < 0) {
            s->ended = true;
            set_err(err, errlen, raw ? "cannot decompress" : "archive damaged, read stopped early",
                    s->al->archive_error_string(s->ar));
            return ST_IO;
        }
        enum input_kind k = input_sniff(s->member.buf, s->member.len);
        s->data_ar = s->ar;
        s->data_head = &s->member;
        if (input_kind_is_capture(k))
            return hand_out(s, member_cookie_read, item, err, errlen);
        if (!raw && (k == INPUT_GZIP || k == INPUT_BZIP2 || k == INPUT_XZ || k == INPUT_ZSTD))
            return open_inner(s, item, err, errlen);
        if (raw)
            return skip_item(item, s->name, k == INPUT_EMPTY ? SKIP_WHY_COMPRESSED_EMPTY
                                                             : SKIP_WHY_COMPRESSED_NOT_CAPTURE);
        if (k == INPUT_EMPTY)
            return skip_item(item, s->name, SKIP_WHY_EMPTY);
        if (input_kind_is_packed(k))
            return skip_item(item, s->name, SKIP_WHY_NESTED);
        return skip_item(item, s->name, SKIP_WHY_NOT_CAPTURE);
    }
}

enum status input_source_next(struct input_source *s, struct input_item *item, char *err,
                              size_t errlen)
{
    memset(item, 0, sizeof *item);
    close_open_capture(s);
    if (s->ended) {
        item->what = INPUT_ITEM_END;
        return ST_OK;
    }
    if (s->ar != NULL)
        return next_packed(s, item, err, errlen);
    s->ended = true; /* a plain file is one item */
    TRY(set_name(s, NULL));
    /* whatever it holds: libpcap knows more formats than the sniffer, and
     * says best why it cannot read one */
    return hand_out(s, plain_cookie_read, item, err, errlen);
}

void input_source_tap(struct input_source *s, input_tap_fn *fn, void *ud)
{
    s->tap = fn;
    s->tap_ud = ud;
}

const char *input_source_read_error(const struct input_source *s)
{
    return s->read_error[0] ? s->read_error : NULL;
}

enum input_kind input_source_kind(const struct input_source *s)
{
    return s->kind;
}

void input_source_close(struct input_source *s)
{
    if (s == NULL)
        return;
    close_open_capture(s);
    close_inner(s);
    if (s->ar != NULL)
        s->al->archive_read_free(s->ar);
    if (s->own_fd)
        close(s->fd);
    progress_file_done(s->pg);
    free(s->name);
    free(s->path);
    free(s);
}
