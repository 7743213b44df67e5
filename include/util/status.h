/* status.h: the one error type. Functions that can fail return it. */
#ifndef TLSX_STATUS_H
#define TLSX_STATUS_H

#define MUST_USE __attribute__((warn_unused_result))

enum status {
    ST_OK = 0,
    ST_TRUNCATED,   /* the input ends before the structure does */
    ST_MALFORMED,   /* the bytes do not follow the grammar */
    ST_LIMIT,       /* a cap on memory or count was reached */
    ST_NOMEM,       /* allocation failed */
    ST_IO,          /* reading a file failed */
    ST_UNSUPPORTED  /* valid, but not something we decode */
};

const char *status_name(enum status st);

/* Propagate a failure to the caller; a plain return, nothing hidden. */
#define TRY(expr)                                    \
    do {                                             \
        enum status try_st_ = (expr);                \
        if (try_st_ != ST_OK) return try_st_;        \
    } while (0)

#define ENSURE(cond, st)                             \
    do {                                             \
        if (!(cond)) return (st);                    \
    } while (0)

#endif
