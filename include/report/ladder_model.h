/* ladder_model.h: the ladder of a connection built once, as data: what each
 * side sent, in frame order. The text ladder (-v) and the HTML/SVG ladder
 * draw the same rungs with the same labels; only the drawing differs. */
#ifndef TLSX_REPORT_LADDER_MODEL_H
#define TLSX_REPORT_LADDER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"

#define LADDER_MAX_RUNGS 96
#define LADDER_LABEL_MAX 200

enum rung_kind { RUNG_TCP, RUNG_HANDSHAKE, RUNG_ALERT, RUNG_DATA, RUNG_GAP, RUNG_OTHER };

/* Flags a drawing may show apart from the label (which already says them). */
enum rung_flag {
    RUNG_ENCRYPTED = 1u << 0,  /* sent under keys the capture does not hold */
    RUNG_DECRYPTED = 1u << 1,  /* read with a key log */
    RUNG_NO_TIME = 1u << 2     /* the facts keep no time for this frame */
};

struct rung {
    uint64_t frame;
    struct tstamp ts;          /* meaningless with RUNG_NO_TIME */
    enum side from;
    enum rung_kind kind;
    unsigned flags;            /* enum rung_flag */
    uint32_t order;            /* insertion order: rungs of one frame keep it */
    char label[LADDER_LABEL_MAX];
};

struct ladder {
    struct rung rungs[LADDER_MAX_RUNGS];
    size_t n;
    bool cut;                  /* more happened than the rungs or the facts hold */
};

/* Fills *out from the connection's facts; never fails (rungs past the cap
 * are dropped and cut is set). */
void ladder_build(const struct conn *c, struct ladder *out);
const char *ladder_kind_name(enum rung_kind k);

#endif
