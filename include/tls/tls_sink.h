/* tls_sink.h: the TLS record layer (tls_stream.h) as the flow table's stream
 * sink: the driver wires a connection's reassembled bytes to it. */
#ifndef TLSX_TLS_SINK_H
#define TLSX_TLS_SINK_H

#include "tcp/stream_sink.h"

struct keylog;

/* keylog: TLS 1.3 secrets for every connection (--keylog), or NULL;
 * borrowed, it must outlive the flow table. */
struct stream_sink tls_stream_sink(const struct keylog *keylog);

#endif
