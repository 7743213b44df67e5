// ReasonClient.java: a JSSE (OpenJDK) TLS client for reason.sh that offers only the protocols
// named on the command line, e.g. SSLv3, and trusts any certificate (the captures are about
// version negotiation, not trust). Run with -Djava.security.properties=FILE where FILE clears
// jdk.tls.disabledAlgorithms, since OpenJDK disables SSLv3 by default (JDK-8061210).
//   usage: java ReasonClient.java HOST PORT PROTOCOL[,PROTOCOL...] [SUITE[,SUITE...]]
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public final class ReasonClient {
    public static void main(String[] args) throws Exception {
        TrustManager[] any = {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {}
            public void checkServerTrusted(X509Certificate[] c, String a) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }};
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, any, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(args[0], Integer.parseInt(args[1]))) {
            s.setEnabledProtocols(args[2].split(","));
            if (args.length > 3) {
                s.setEnabledCipherSuites(args[3].split(","));
            }
            s.setSoTimeout(5000);
            s.startHandshake();
            System.out.println("handshake: " + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite());
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) > 0) {
                // drain the answer until the server closes
            }
        } catch (java.io.IOException e) {
            System.out.println("error: " + e);
        }
    }
}
