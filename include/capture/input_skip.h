/* input_skip.h: why an input, or a member of an archive, is not read. */
#ifndef TLSX_INPUT_SKIP_H
#define TLSX_INPUT_SKIP_H

enum input_skip_why {
    SKIP_WHY_NONE,           /* read */
    SKIP_WHY_NOT_CAPTURE,
    SKIP_WHY_EMPTY,
    SKIP_WHY_COMPRESSED_NOT_CAPTURE,
    SKIP_WHY_COMPRESSED_EMPTY,
    SKIP_WHY_NESTED,         /* an archive inside an archive, or inside a compressed member */
    SKIP_WHY_COMPRESSED_DAMAGED, /* a compressed member that cannot be decompressed */
    SKIP_WHY_ENCRYPTED,
    SKIP_WHY_NOT_REGULAR,
    SKIP_WHY_HIDDEN,
    SKIP_WHY_HIDDEN_FOLDER,
    SKIP_WHY_FOLDER_LINK,
    SKIP_WHY_TOO_DEEP,
    SKIP_WHY_BROKEN_LINK,
    SKIP_WHY_NO_CAPTURE_INSIDE, /* an archive with no member to read */
    SKIP_WHY_COUNT
};

/* The reason in words, for the summary and the JSON "skipped" lines. */
const char *input_skip_text(enum input_skip_why why);

#endif
