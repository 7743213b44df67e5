/* archive_lib.h: libarchive, loaded the first time a compressed or
 * archived input comes (dlopen). Linked, it and the 9 libraries only it
 * brings (libxml2, ICU, libstdc++, nettle, acl, zlib, bzip2: 10 of the 24
 * the program loaded) took about 2.3 ms of every start, 40% of reading one
 * small capture, in every process and every -j worker, though most inputs
 * are plain captures.
 * The function types are the installed <archive.h>'s. */
#ifndef TLSX_ARCHIVE_LIB_H
#define TLSX_ARCHIVE_LIB_H

#include <stddef.h>
#include <archive.h>
#include <archive_entry.h>

/* libarchive's soname in Debian 12 (package libarchive13) */
#define ARCHIVE_LIB_SONAME "libarchive.so.13"

#define ARCHIVE_LIB_FUNCTIONS(X)                                                        \
    X(archive_read_new) X(archive_read_free) X(archive_read_open1)                      \
    X(archive_read_support_filter_gzip) X(archive_read_support_filter_bzip2)            \
    X(archive_read_support_filter_xz) X(archive_read_support_filter_zstd)               \
    X(archive_read_support_format_tar) X(archive_read_support_format_zip)               \
    X(archive_read_support_format_raw) X(archive_read_set_callback_data)                \
    X(archive_read_set_read_callback) X(archive_read_set_skip_callback)                 \
    X(archive_read_set_seek_callback) X(archive_read_next_header) X(archive_read_data)  \
    X(archive_error_string) X(archive_set_error) X(archive_format)                      \
    X(archive_entry_filetype) X(archive_entry_pathname) X(archive_entry_is_data_encrypted)

struct archive_lib {
#define ARCHIVE_LIB_FIELD(name) __typeof__(name) *name;
    ARCHIVE_LIB_FUNCTIONS(ARCHIVE_LIB_FIELD)
#undef ARCHIVE_LIB_FIELD
};

/* The library, loaded at the first call; NULL when it cannot be, with the
 * reason in why (dlerror's words). */
const struct archive_lib *archive_lib(char *why, size_t why_len);

#endif
