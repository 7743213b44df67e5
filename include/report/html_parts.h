/* html_parts.h: the pieces of the --html page, one file each: escaping and
 * small helpers (html_escape.c), the style sheet (html_style.c), the
 * timeline per server (html_timeline.c), the ladder drawn as an SVG
 * sequence diagram (html_ladder.c), the card of a failed or incomplete
 * connection (html_cards.c); html_page.c puts them together as the HTML
 * reporter. Private to those files.
 *
 * No script anywhere: inline CSS and SVG only. Every string reaches the
 * page through html_esc*, which first makes bytes printable (text_safe_buf:
 * control bytes and invalid UTF-8 as \xHH) and then escapes & < > " '. */
#ifndef TLSX_REPORT_HTML_PARTS_H
#define TLSX_REPORT_HTML_PARTS_H

#include <stddef.h>
#include <stdio.h>
#include "facts/conn.h"
#include "util/escape.h"
#include "rules/diagnosis.h"
#include "rules/verdict.h"

#define HTML_MAX_DETAILS 200       /* failed connections drawn in full, per file */
#define HTML_MAX_INCOMPLETE 50     /* incomplete connections listed, per file */

__attribute__((format(printf, 2, 3))) void html_escf(FILE *f, const char *fmt, ...);

/* The SNI as printable text, "" when none. */
void html_sni(const struct conn *c, char *buf, size_t len);
/* The CSS class of a verdict. */
const char *html_verdict_class(int verdict);
/* The main finding of a diagnosed connection, or NULL. */
const struct finding *html_main_finding(const struct conn *c);

/* The style sheet, a <style> element. */
extern const char html_style[];

/* Per server, a bar per TLS connection; bars of failed and incomplete
 * connections link to their cards (the same order and limits as
 * html_cards). */
void html_timelines(FILE *f, const struct conn *const *conns, size_t n, size_t file_no);
/* The ladder of one connection (ladder_model.c) as an SVG sequence diagram;
 * frames cited as evidence are highlighted. */
void html_ladder_svg(FILE *f, const struct conn *c);
/* The cards of the connections with this verdict, at most max; returns how
 * many more there were. */
size_t html_cards(FILE *f, const struct conn *const *conns, size_t n, enum verdict v, size_t max,
                  size_t file_no);

#endif
