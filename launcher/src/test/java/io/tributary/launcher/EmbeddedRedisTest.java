package io.tributary.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedRedisTest {
    @TempDir
    Path dir;

    @Test
    void startsARealRedisServerThatAnswersAndKeepsAnAppendOnlyFile() throws Exception {
        int port = Ports.free();
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("bin"), dir.resolve("data"), port, true, dir.resolve("redis.log"))) {
            assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + port);
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                out.write("SET k v\r\nGET k\r\nCONFIG GET appendonly\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("+OK");
                assertThat(in.readLine()).isEqualTo("$1");
                assertThat(in.readLine()).isEqualTo("v");
                assertThat(in.readLine()).isEqualTo("*2");
                in.readLine();
                in.readLine();
                in.readLine();
                assertThat(in.readLine()).isEqualTo("yes");
            }
        }
    }
}
