/* test_input.c: inputs told by content, and archives read as streams. The
 * archives are written here with libarchive's writer (tar.gz, zip, xz), so
 * the test does not depend on files or outside tools. */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture/input_list.h"
#include "capture/input_sniff.h"
#include "capture/input_stream.h"
#include "testlib.h"

/* A pcap header (little-endian, microseconds, Ethernet) and one 4-byte record. */
static const uint8_t pcap_le[] = {
    0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef};

TEST(sniff_magic_numbers)
{
    static const struct {
        uint8_t head[8];
        size_t len;
        enum input_kind kind;
    } cases[] = {
        {{0xd4, 0xc3, 0xb2, 0xa1}, 4, INPUT_PCAP},
        {{0xa1, 0xb2, 0xc3, 0xd4}, 4, INPUT_PCAP},
        {{0x4d, 0x3c, 0xb2, 0xa1}, 4, INPUT_PCAP},   /* nanosecond */
        {{0xa1, 0xb2, 0x3c, 0x4d}, 4, INPUT_PCAP},
        {{0x0a, 0x0d, 0x0d, 0x0a, 0x1c}, 5, INPUT_PCAPNG},
        {{0x1f, 0x8b, 0x08}, 3, INPUT_GZIP},
        {{'B', 'Z', 'h', '9'}, 4, INPUT_BZIP2},
        {{0xfd, '7', 'z', 'X', 'Z', 0x00}, 6, INPUT_XZ},
        {{0x28, 0xb5, 0x2f, 0xfd}, 4, INPUT_ZSTD},
        {{'P', 'K', 3, 4}, 4, INPUT_ZIP},
        {{'P', 'K', 5, 6}, 4, INPUT_ZIP},
        {{'G', 'E', 'T', ' '}, 4, INPUT_UNKNOWN},
        {{0}, 0, INPUT_EMPTY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ_INT(input_sniff(cases[i].head, cases[i].len), cases[i].kind);
    /* every proper prefix of a magic number is not that kind */
    static const uint8_t xz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    for (size_t n = 1; n < sizeof xz; n++)
        CHECK(input_sniff(xz, n) != INPUT_XZ);
    static const uint8_t pcapng[] = {0x0a, 0x0d, 0x0d, 0x0a};
    for (size_t n = 1; n < sizeof pcapng; n++)
        CHECK(input_sniff(pcapng, n) != INPUT_PCAPNG);
}

/* A ustar header for "a.pcap" with the checksum filled in (POSIX.1 ustar). */
static void tar_block(uint8_t b[512], bool good_sum)
{
    memset(b, 0, 512);
    memcpy(b, "a.pcap", 6);
    memcpy(b + 100, "0000644", 7);
    memcpy(b + 124, "00000000044", 11);
    b[156] = '0';
    memcpy(b + 257, "ustar", 6);
    memset(b + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < 512; i++)
        sum += b[i];
    snprintf((char *)b + 148, 8, "%06o", good_sum ? sum : sum + 1);
}

TEST(sniff_tar_by_checksum)
{
    uint8_t b[512];
    tar_block(b, true);
    CHECK_EQ_INT(input_sniff(b, sizeof b), INPUT_TAR);
    CHECK_EQ_INT(input_sniff(b, 511), INPUT_UNKNOWN); /* a header is a whole block */
    tar_block(b, false);
    CHECK_EQ_INT(input_sniff(b, sizeof b), INPUT_UNKNOWN);
    memset(b, 0, sizeof b); /* the zero block that ends an archive is no header */
    CHECK_EQ_INT(input_sniff(b, sizeof b), INPUT_UNKNOWN);
}

/* Writes an archive with the given members to a temporary file; returns its path. */
static char *write_archive(int format, int filter, const char *const names[],
                           const uint8_t *const datas[], const size_t lens[], size_t n)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tlsx-test-input.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    struct archive *a = archive_write_new();
    archive_write_set_format(a, format);
    if (filter != ARCHIVE_FILTER_NONE)
        archive_write_add_filter(a, filter);
    archive_write_open_fd(a, fd);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, names[i]);
        archive_entry_set_size(e, (la_int64_t)lens[i]);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, datas[i], lens[i]);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    close(fd);
    return path;
}

/* Reads a whole capture stream into buf; returns the byte count. */
static size_t slurp(FILE *fp, uint8_t *buf, size_t cap)
{
    size_t n = 0, r;
    while (n < cap && (r = fread(buf + n, 1, cap - n, fp)) > 0)
        n += r;
    return n;
}

static void check_archive(int *failures_, int format, int filter)
{
    static const char text[] = "not a capture\n";
    const char *names[] = {"dir/cap.pcap", "readme.txt", "empty"};
    const uint8_t *datas[] = {pcap_le, (const uint8_t *)text, (const uint8_t *)""};
    const size_t lens[] = {sizeof pcap_le, sizeof text - 1, 0};
    char *path = write_archive(format, filter, names, datas, lens, 3);
    CHECK(path != NULL);
    if (path == NULL)
        return;
    struct input_source *s;
    char err[256] = "";
    CHECK_EQ_INT(input_source_open(path, NULL, &s, err, sizeof err), ST_OK);
    struct input_item it;
    char want[128];
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_CAPTURE);
    snprintf(want, sizeof want, "%s:dir/cap.pcap", path);
    CHECK_EQ_STR(it.name, want);
    if (it.what == INPUT_ITEM_CAPTURE) {
        uint8_t got[256];
        size_t n = slurp(it.fp, got, sizeof got);
        CHECK_EQ_INT(n, sizeof pcap_le);
        CHECK(memcmp(got, pcap_le, sizeof pcap_le) == 0);
        CHECK(input_source_read_error(s) == NULL);
        fclose(it.fp);
    }
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_SKIP);
    CHECK_EQ_INT(it.why, SKIP_WHY_NOT_CAPTURE);
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_SKIP);
    CHECK_EQ_INT(it.why, SKIP_WHY_EMPTY);
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_END);
    input_source_close(s);
    unlink(path);
}

TEST(tar_gz_members)
{
    check_archive(failures_, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP);
}

TEST(zip_members)
{
    check_archive(failures_, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE);
}

TEST(tar_xz_members)
{
    check_archive(failures_, ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_XZ);
}

/* A gzip-compressed capture inside a zip is read through a second reader;
 * a tar inside a gzip member is not opened (one level deep). */
TEST(compressed_member_in_zip)
{
    const char *gz_names[] = {"x.pcap"};
    const uint8_t *gz_datas[] = {pcap_le};
    const size_t gz_lens[] = {sizeof pcap_le};
    char *gz = write_archive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, gz_names, gz_datas,
                             gz_lens, 1);
    CHECK(gz != NULL);
    if (gz == NULL)
        return;
    static uint8_t gzbytes[4096];
    FILE *f = fopen(gz, "rb");
    size_t gzlen = f ? fread(gzbytes, 1, sizeof gzbytes, f) : 0;
    if (f)
        fclose(f);
    unlink(gz);
    CHECK(gzlen > 0 && gzlen < sizeof gzbytes);
    const char *names[] = {"x.pcap.gz", "junk.gz"};
    static const uint8_t junk[] = {0x1f, 0x8b, 0x08, 0x00, 'n', 'o', 't', ' ', 'g', 'z'};
    const uint8_t *datas[] = {gzbytes, junk};
    const size_t lens[] = {gzlen, sizeof junk};
    char *path = write_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, names, datas, lens, 2);
    CHECK(path != NULL);
    if (path == NULL)
        return;
    struct input_source *s;
    char err[256];
    struct input_item it;
    CHECK_EQ_INT(input_source_open(path, NULL, &s, err, sizeof err), ST_OK);
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_CAPTURE);
    if (it.what == INPUT_ITEM_CAPTURE) {
        uint8_t got[256];
        CHECK(strstr(it.name, ":x.pcap.gz") != NULL);
        CHECK_EQ_INT(slurp(it.fp, got, sizeof got), sizeof pcap_le);
        CHECK(memcmp(got, pcap_le, sizeof pcap_le) == 0);
    }
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_SKIP);
    CHECK_EQ_INT(it.why, SKIP_WHY_COMPRESSED_DAMAGED);
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_END);
    input_source_close(s);
    unlink(path);
}

/* A capture whose stream is left open (libpcap refused it) is closed by the next call. */
TEST(open_capture_closed_by_next)
{
    const char *names[] = {"a.pcap", "b.pcap"};
    const uint8_t *datas[] = {pcap_le, pcap_le};
    const size_t lens[] = {sizeof pcap_le, sizeof pcap_le};
    char *path = write_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, names, datas, lens, 2);
    CHECK(path != NULL);
    if (path == NULL)
        return;
    struct input_source *s;
    char err[256];
    struct input_item it;
    CHECK_EQ_INT(input_source_open(path, NULL, &s, err, sizeof err), ST_OK);
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_CAPTURE);
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK); /* a.pcap not closed */
    CHECK_EQ_INT(it.what, INPUT_ITEM_CAPTURE);
    CHECK(strstr(it.name, ":b.pcap") != NULL);
    input_source_close(s); /* and b.pcap closed here */
    unlink(path);
}

/* A gzip cut short: the bytes before the cut are read, then the reason is kept. */
TEST(truncated_gzip_reports_why)
{
    static uint8_t big[200000];
    memcpy(big, pcap_le, 24);
    uint32_t x = 2463534242u; /* xorshift32: bytes gzip cannot shrink much */
    for (size_t i = 24; i < sizeof big; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big[i] = (uint8_t)x;
    }
    const char *names[] = {"big.pcap"};
    const uint8_t *datas[] = {big};
    const size_t lens[] = {sizeof big};
    char *path = write_archive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, names, datas, lens, 1);
    CHECK(path != NULL);
    if (path == NULL)
        return;
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && sb.st_size > 150000);
    CHECK_EQ_INT(truncate(path, 150000), 0);
    struct input_source *s;
    char err[256] = "";
    struct input_item it;
    enum status opened = input_source_open(path, NULL, &s, err, sizeof err);
    CHECK_EQ_STR(err, "");
    CHECK_EQ_INT(opened, ST_OK);
    if (opened != ST_OK) {
        input_source_close(s);
        unlink(path);
        return;
    }
    CHECK_EQ_INT(input_source_next(s, &it, err, sizeof err), ST_OK);
    CHECK_EQ_INT(it.what, INPUT_ITEM_CAPTURE);
    CHECK_EQ_STR(it.name, path); /* a compressed file is named as it is */
    if (it.what == INPUT_ITEM_CAPTURE) {
        static uint8_t got[sizeof big];
        size_t n = slurp(it.fp, got, sizeof got);
        CHECK(n > 24 && n < sizeof big);
        CHECK(memcmp(got, big, n) == 0);
        CHECK(ferror(it.fp));
        CHECK(input_source_read_error(s) != NULL);
        fclose(it.fp);
    }
    input_source_close(s);
    unlink(path);
}

TEST(skips_round_trip)
{
    struct input_entry e = {0}, back = {0};
    CHECK_EQ_INT(input_entry_skip(&e, "a.zip:readme.txt", SKIP_WHY_NOT_CAPTURE), ST_OK);
    CHECK_EQ_INT(input_entry_skip(&e, "a.zip:x\ny", SKIP_WHY_ENCRYPTED), ST_OK);
    e.captures = 3;
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (f == NULL)
        return;
    input_skips_write(f, &e);
    fputs("99 forged reason\nnot a line\n", f); /* ignored, never a reason out of the table */
    rewind(f);
    CHECK_EQ_INT(input_skips_read(f, &back), ST_OK);
    fclose(f);
    CHECK_EQ_INT(back.captures, 3);
    CHECK_EQ_INT(back.n_skipped, 2);
    if (back.n_skipped == 2) {
        CHECK_EQ_STR(back.skipped[0].name, "a.zip:readme.txt");
        CHECK_EQ_INT(back.skipped[0].why, SKIP_WHY_NOT_CAPTURE);
        CHECK_EQ_STR(back.skipped[1].name, "?"); /* a name with \n cannot be a line */
        CHECK_EQ_INT(back.skipped[1].why, SKIP_WHY_ENCRYPTED);
    }
    struct input_list l = {0};
    l.v = calloc(2, sizeof *l.v);
    if (l.v == NULL)
        return;
    l.v[0] = e;
    l.v[1] = back;
    l.n = l.cap = 2;
    l.v[0].path = strdup("a");
    l.v[1].path = strdup("b");
    CHECK_EQ_INT(input_list_skipped(&l), 4);
    input_list_free(&l);
}

TEST_MAIN("input", TEST_ENTRY(sniff_magic_numbers), TEST_ENTRY(sniff_tar_by_checksum),
          TEST_ENTRY(tar_gz_members), TEST_ENTRY(zip_members), TEST_ENTRY(tar_xz_members),
          TEST_ENTRY(compressed_member_in_zip), TEST_ENTRY(open_capture_closed_by_next), TEST_ENTRY(truncated_gzip_reports_why),
          TEST_ENTRY(skips_round_trip))
