/* final_pass.h: the connections a capture held to its end, judged in id
 * order with the context of the whole capture: the ones still in memory
 * (the analysis's slots) and the ones stowed away while it was read
 * (held_store.h), read back one at a time. The phases are those of
 * rules_diagnose: verdicts (and QUIC fallbacks), the context, TCP attempts
 * and plain text where TLS was expected, then the diagnoses. */
#ifndef TLSX_FINAL_PASS_H
#define TLSX_FINAL_PASS_H

#include <stdbool.h>
#include "analyze.h"
#include "held_store.h"
#include "rules/rules.h"
#include "util/status.h"

/* Verdicts and the context; store may be NULL (nothing stowed). */
MUST_USE enum status final_pass_fold(struct analysis *a, struct held_store *store,
                                     struct rule_ctx *ctx);
/* After final_pass_fold: each connection diagnosed, then handed to `each`
 * in id order (stowed: true when it was read back, and is freed after). */
typedef enum status final_pass_each_fn(void *ud, struct conn *c, bool stowed);
MUST_USE enum status final_pass_judge(struct analysis *a, struct held_store *store,
                                      struct rule_ctx *ctx, final_pass_each_fn *each, void *ud);

#endif
