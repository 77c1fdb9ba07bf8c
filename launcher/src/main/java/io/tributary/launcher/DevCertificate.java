package io.tributary.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The development certificate of {@code bin/tributary up --tls}: a self-signed EC key pair for
 * {@code localhost} and {@code 127.0.0.1}, made once with the JDK's own {@code keytool} under
 * {@code .tributary/tls/}: {@code gateway.p12} (the key store the gateway serves with, owner-only),
 * {@code gateway.p12.password} (owner-only) and {@code gateway.crt} (the certificate in PEM, for
 * {@code curl --cacert}). Nobody else trusts it: it is for a laptop, not for production, where
 * the certificate comes from a secret (README, Security).
 */
public record DevCertificate(Path keyStore, String password, Path certificate) {
    public static final String DIR = "tls";

    /** The certificate under {@code home/tls}, made when there is none yet. */
    public static DevCertificate ensure(Path home) throws IOException {
        Path dir = Files.createDirectories(home.resolve(DIR));
        Path store = dir.resolve("gateway.p12");
        Path pass = dir.resolve("gateway.p12.password");
        Path pem = dir.resolve("gateway.crt");
        if (!Files.isRegularFile(store) || !Files.isRegularFile(pass)) {
            Files.deleteIfExists(store);
            Files.deleteIfExists(pass);
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            String password = HexFormat.of().formatHex(secret);
            Files.createFile(pass, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(pass, password, StandardCharsets.UTF_8);
            keytool(List.of("-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-validity", "825", "-dname", "CN=localhost", "-ext", "SAN=DNS:localhost,IP:127.0.0.1",
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password));
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
            Files.deleteIfExists(pem);
            keytool(List.of("-exportcert", "-rfc", "-alias", "gateway", "-keystore", store.toString(), "-storepass", password,
                    "-file", pem.toString()));
        }
        return new DevCertificate(store, Files.readString(pass, StandardCharsets.UTF_8).strip(), pem);
    }

    /** A TLS context that trusts exactly the certificate in {@code keyStore} (what the launcher's readiness probe uses). */
    public static SSLContext trusting(Path keyStore, String password) {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the key store " + keyStore + ": " + e.getMessage(), e);
        }
    }

    private static void keytool(List<String> args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("keytool failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
