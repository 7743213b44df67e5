/* quic_shim.c: LD_PRELOAD shim that makes ngtcp2's GnuTLS examples misbehave
 * the way real deployments do, for test-captures/gen/quic.sh.
 *   QUIC_SHIM_ALPN=h2      the server offers only this ALPN, mandatory: a
 *                          client asking for h3 gets no_application_protocol
 *   QUIC_SHIM_VERIFY=name  the client verifies the server certificate for
 *                          this name against the system trust store (the
 *                          example client does not verify at all)
 * Build: cc -shared -fPIC -o quic_shim.so quic_shim.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>

int gnutls_alpn_set_protocols(gnutls_session_t session, const gnutls_datum_t *protocols,
                              unsigned protocols_size, unsigned flags)
{
    int (*real)(gnutls_session_t, const gnutls_datum_t *, unsigned, unsigned) =
        (int (*)(gnutls_session_t, const gnutls_datum_t *, unsigned, unsigned))dlsym(
            RTLD_NEXT, "gnutls_alpn_set_protocols");
    const char *alpn = getenv("QUIC_SHIM_ALPN");
    if (alpn == NULL)
        return real(session, protocols, protocols_size, flags);
    gnutls_datum_t only = {(unsigned char *)alpn, (unsigned)strlen(alpn)};
    return real(session, &only, 1, flags | GNUTLS_ALPN_MANDATORY);
}

int gnutls_init(gnutls_session_t *session, unsigned int flags)
{
    int (*real)(gnutls_session_t *, unsigned int) =
        (int (*)(gnutls_session_t *, unsigned int))dlsym(RTLD_NEXT, "gnutls_init");
    int rc = real(session, flags);
    const char *name = getenv("QUIC_SHIM_VERIFY");
    if (rc == 0 && name != NULL && (flags & GNUTLS_CLIENT))
        gnutls_session_set_verify_cert(*session, name, 0);
    return rc;
}
