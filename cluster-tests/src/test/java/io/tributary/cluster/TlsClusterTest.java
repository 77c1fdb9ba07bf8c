package io.tributary.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.launcher.DevCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** {@code bin/tributary up --tls}'s gateway: HTTPS and WSS with the development certificate, and nothing in plain text. */
class TlsClusterTest {
    private final TestCluster cluster = TestCluster.get();

    @Test
    void theGatewayServesHttpsAndWssWithItsOwnCertificateOnly() throws Exception {
        DevCertificate cert = cluster.tlsGateway();
        String base = cluster.layout().service(TestCluster.TLS_GATEWAY).baseUrl("127.0.0.1");
        assertThat(base).startsWith("https://");
        assertThat(Files.readString(cert.certificate())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cert.keyStore()))).isEqualTo("rw-------");

        HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(DevCertificate.trusting(cert.keyStore(), cert.password())).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> me = trusting.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/whoami"))
                .header("Authorization", "Bearer " + TestCluster.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains("\"user\":\"admin\"");

        // A client that does not trust the development certificate cannot talk to it at all.
        HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> defaults.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);

        // Plain HTTP on the TLS port gets no HTTP answer.
        String plain = base.replaceFirst("^https", "http");
        int status;
        try {
            status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain + "/actuator/health"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException refused) {
            status = -1;
        }
        assertThat(status).as("plain HTTP on the TLS port").isNotEqualTo(200);

        // WSS: a consumer over the same certificate receives what was published.
        Api api = cluster.api();
        api.topicWithSubscription("tls-orders", 1, "w");
        Published.batch(api, "tls-orders", 3, 1);
        try (WsClient ws = WsClient.open(trusting, base, "/ws/v1/vhosts/default/topics/tls-orders/subscriptions/w", null,
                TestCluster.ADMIN_KEY)) {
            assertThat(ws.take(3, Duration.ofSeconds(30))).hasSize(3);
        }
    }
}
