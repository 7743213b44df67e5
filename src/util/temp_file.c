/* temp_file.c: an unlinked temporary file where TMPDIR says (temp_file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/temp_file.h"

FILE *temp_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/tlsexplain.XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    (void)unlink(path); /* gone with the last descriptor, whatever happens */
    FILE *f = fdopen(fd, "w+b");
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}
