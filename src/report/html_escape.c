/* html_escape.c: formatted text for the HTML page (escaped with util's
 * html_esc), and small helpers the page's parts share (html_parts.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "report/html_parts.h"

void html_escf(FILE *f, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    html_esc(f, buf);
}

void html_sni(const struct conn *c, char *buf, size_t len)
{
    buf[0] = '\0';
    if (c->ch->has_sni)
        text_safe_buf(buf, len, c->ch->sni, c->ch->sni_len);
}

const char *html_verdict_class(int v)
{
    switch ((enum verdict)v) {
    case VERDICT_OK: return "ok";
    case VERDICT_FAILED: return "failed";
    case VERDICT_INCOMPLETE: return "incomplete";
    case VERDICT_NOT_TLS: return "nottls";
    case VERDICT_TCP_ONLY: return "tcponly";
    }
    return "incomplete";
}

const struct finding *html_main_finding(const struct conn *c)
{
    const struct diagnosis *d = c->diagnosis;
    return d != NULL && d->main.id != NULL ? &d->main : NULL;
}
