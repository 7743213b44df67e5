/* temp_file.h: an unnamed temporary file, in $TMPDIR (or /tmp): tmpfile(3)
 * ignores TMPDIR, and a large capture may need more room than /tmp has. */
#ifndef TLSX_TEMP_FILE_H
#define TLSX_TEMP_FILE_H

#include <stdio.h>

/* Opened for reading and writing, already unlinked; NULL with errno set. */
FILE *temp_file(void);

#endif
