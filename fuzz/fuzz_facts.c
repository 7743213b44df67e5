/* fuzz_facts.c: the facts --merge --context batch reads back (--facts):
 * ctl(1) then the bytes of one connection (ctl even) or of one capture's
 * context (ctl odd), as the JSON Lines carry them base64'd. A connection
 * read back goes on as the merge takes it: its verdict, the rules against
 * an empty context, and the JSON and text reporters. Seeds: fuzz/seeds.py
 * facts, from tlsexplain --json --facts over the captures. */
#include <stdio.h>
#include "report/facts_codec.h"
#include "report/report.h"
#include "rules/verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void judge_and_print(struct conn *c)
{
    struct rule_ctx *ctx = rules_ctx_new(NULL);
    FILE *sink = fopen("/dev/null", "w");
    if (ctx != NULL && sink != NULL) {
        verdict_decide(c);
        struct conn *one[1] = {c};
        if (rules_diagnose(ctx, (struct conn_slots){.v = one, .n = 1}) == ST_OK) {
            const struct report_opts o = {.all = true, .verbose = true, .width = 100};
            report_json_connection(sink, "fuzz", c, NULL);
            report_text_connection(sink, c, &o);
        }
    }
    if (sink != NULL)
        fclose(sink);
    rules_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        struct rule_ctx *ctx = rules_ctx_new(NULL);
        if (ctx != NULL && facts_decode_ctx(data + 1, size - 1, ctx) == ST_OK) {
            rules_ctx_freeze(ctx);
            char words[160];
            ctx_frame_words(ctx, 1, 6, words, sizeof words);
        }
        rules_ctx_free(ctx);
        return 0;
    }
    struct conn *c = NULL;
    if (facts_decode_conn(data + 1, size - 1, &c) == ST_OK) {
        judge_and_print(c);
        conn_free(c);
    }
    return 0;
}
