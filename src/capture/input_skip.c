/* input_skip.c: the reasons an input is passed over, in words. */
#include "capture/input_skip.h"

static const char *const texts[SKIP_WHY_COUNT] = {
    [SKIP_WHY_NONE] = "read",
    [SKIP_WHY_NOT_CAPTURE] = "not a capture",
    [SKIP_WHY_EMPTY] = "empty",
    [SKIP_WHY_COMPRESSED_NOT_CAPTURE] = "compressed, but no capture inside",
    [SKIP_WHY_COMPRESSED_EMPTY] = "compressed, empty inside",
    [SKIP_WHY_NESTED] = "an archive inside an archive: not read, unpack the outer one",
    [SKIP_WHY_COMPRESSED_DAMAGED] = "compressed, cannot be decompressed",
    [SKIP_WHY_ENCRYPTED] = "encrypted",
    [SKIP_WHY_NOT_REGULAR] = "not a regular file",
    [SKIP_WHY_HIDDEN] = "hidden",
    [SKIP_WHY_HIDDEN_FOLDER] = "hidden folder, not searched",
    [SKIP_WHY_FOLDER_LINK] = "link to a folder, not followed",
    [SKIP_WHY_TOO_DEEP] = "folder nested too deep, not searched",
    [SKIP_WHY_BROKEN_LINK] = "broken link",
    [SKIP_WHY_NO_CAPTURE_INSIDE] = "archive holds no capture",
};

const char *input_skip_text(enum input_skip_why why)
{
    return (unsigned)why < SKIP_WHY_COUNT && texts[why] ? texts[why] : "not read";
}
