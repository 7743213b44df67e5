/* html_ladder.c: the ladder of a connection (ladder_model.c, the same rungs
 * and labels as the text ladder) drawn as an SVG sequence diagram: client
 * and server lifelines, an arrow per rung coloured by its kind, the frames
 * cited as evidence highlighted. */
#include <stdlib.h>
#include <string.h>
#include "report/ladder_model.h"
#include "report/html_parts.h"

#define LD_W 940
#define LD_CX 150
#define LD_SX 880
#define LD_ROW 26
#define LD_TOP 44
#define LD_LABEL_MAX 100

void html_ladder_svg(FILE *f, const struct conn *c)
{
    struct ladder *l = malloc(sizeof *l);
    if (l == NULL) {
        fputs("<p class=\"note\">(ladder lost: out of memory)</p>\n", f);
        return;
    }
    ladder_build(c, l);
    const struct rung *r = l->rungs;
    size_t n = l->n;
    const struct finding *x = html_main_finding(c);
    char cl[64], sv[64];
    addr_format(&c->client, c->client_port, cl, sizeof cl);
    addr_format(&c->server, c->server_port, sv, sizeof sv);
    int height = LD_TOP + (int)n * LD_ROW + 12;
    fprintf(f, "<svg class=\"ladder\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "role=\"img\">\n",
            LD_W, height, LD_W, height);
    fprintf(f, "<text class=\"head\" x=\"8\" y=\"16\">frame</text>"
               "<text class=\"head\" x=\"%d\" y=\"16\" text-anchor=\"middle\">client</text>"
               "<text class=\"head\" x=\"%d\" y=\"16\" text-anchor=\"middle\">server</text>\n",
            LD_CX, LD_SX);
    fprintf(f, "<text class=\"addr\" x=\"%d\" y=\"32\" text-anchor=\"middle\">", LD_CX);
    html_esc(f, cl);
    fprintf(f, "</text><text class=\"addr\" x=\"%d\" y=\"32\" text-anchor=\"middle\">", LD_SX);
    html_esc(f, sv);
    fputs("</text>\n", f);
    fprintf(f, "<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
               "<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            LD_CX, LD_TOP - 6, LD_CX, height - 4, LD_SX, LD_TOP - 6, LD_SX, height - 4);
    for (size_t i = 0; i < n; i++) {
        int y = LD_TOP + (int)i * LD_ROW;
        bool cited = false;
        for (size_t e = 0; x != NULL && e < x->n_evidence; e++)
            cited = cited || x->evidence[e].frame == r[i].frame;
        bool right = r[i].from == SIDE_CLIENT;
        int xa = right ? LD_CX : LD_SX, xb = right ? LD_SX - 8 : LD_CX + 8;
        const char *k = ladder_kind_name(r[i].kind);
        fprintf(f, "<g class=\"rung %s%s\"><title>", k, cited ? " cited" : "");
        html_escf(f, "frame %llu, %s to %s: %s%s", (unsigned long long)r[i].frame,
             right ? "client" : "server", right ? "server" : "client", r[i].label,
             cited ? " (evidence)" : "");
        fputs("</title>", f);
        if (cited)
            fprintf(f, "<rect class=\"hl\" x=\"2\" y=\"%d\" width=\"%d\" height=\"%d\"/>", y,
                    LD_W - 4, LD_ROW - 2);
        fprintf(f, "<text class=\"frame\" x=\"8\" y=\"%d\">%llu</text>", y + 19,
                (unsigned long long)r[i].frame);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", xa, y + 19, xb, y + 19);
        fprintf(f, "<polygon points=\"%d,%d %d,%d %d,%d\"/>", right ? LD_SX : LD_CX, y + 19,
                xb, y + 15, xb, y + 23);
        fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
                (LD_CX + LD_SX) / 2, y + 13);
        size_t len = strlen(r[i].label);
        if (len > LD_LABEL_MAX) {
            /* cut at a character boundary, not inside a UTF-8 sequence */
            size_t cut = LD_LABEL_MAX;
            while (cut > 0 && ((unsigned char)r[i].label[cut] & 0xc0) == 0x80)
                cut--;
            html_esc_n(f, r[i].label, cut);
            fputs("\xe2\x80\xa6", f);
        } else {
            html_esc(f, r[i].label);
        }
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n", f);
    if (l->cut)
        fputs("<p class=\"note\">The ladder is cut: the connection has more messages than "
              "are kept.</p>\n",
              f);
    free(l);
}
