// Ssl3Server.java: a JSSE (OpenJDK) server for decrypt_ssl3.sh that speaks only the protocols
// and suites named on the command line (SSLv3 with an RSA key exchange), answers one HTTP
// request per connection, and serves N connections. Run with -Djava.security.properties=FILE
// where FILE clears jdk.tls.disabledAlgorithms (OpenJDK disables SSLv3, JDK-8061210).
//   usage: java Ssl3Server.java PORT KEYSTORE.p12 PASSWORD PROTOCOLS SUITES CONNECTIONS
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public final class Ssl3Server {
    public static void main(String[] args) throws Exception {
        char[] pass = args[2].toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream f = new FileInputStream(args[1])) {
            ks.load(f, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(Integer.parseInt(args[0]), 8, InetAddress.getByName("127.0.0.1"))) {
            ss.setEnabledProtocols(args[3].split(","));
            ss.setEnabledCipherSuites(args[4].split(","));
            for (int i = 0; i < Integer.parseInt(args[5]); i++) {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(5000);
                    s.startHandshake();
                    System.out.println("handshake: " + s.getSession().getProtocol() + " "
                            + s.getSession().getCipherSuite());
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    int n = in.read(buf);
                    System.out.println("request: " + n + " bytes");
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.io.IOException e) {
                    System.out.println("error: " + e);
                }
            }
        }
    }
}
