/* archive_lib.c: libarchive loaded on first use (archive_lib.h). */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include "capture/archive_lib.h"

static struct archive_lib lib;
static bool loaded;

const struct archive_lib *archive_lib(char *why, size_t why_len)
{
    if (loaded)
        return &lib;
    /* RTLD_LOCAL: its symbols are reached through the table only */
    void *h = dlopen(ARCHIVE_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *e = dlerror();
        snprintf(why, why_len, "%s", e != NULL ? e : "cannot load " ARCHIVE_LIB_SONAME);
        return NULL;
    }
    struct archive_lib l = {0};
    bool all = true;
#define ARCHIVE_LIB_LOAD(name)                                                         \
    *(void **)&l.name = dlsym(h, #name);                                               \
    all = all && l.name != NULL;
    ARCHIVE_LIB_FUNCTIONS(ARCHIVE_LIB_LOAD)
#undef ARCHIVE_LIB_LOAD
    if (!all) {
        snprintf(why, why_len, "%s lacks a function this build calls", ARCHIVE_LIB_SONAME);
        dlclose(h);
        return NULL;
    }
    lib = l; /* kept loaded to the end of the process */
    loaded = true;
    return &lib;
}
