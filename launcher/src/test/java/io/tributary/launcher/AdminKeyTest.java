package io.tributary.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminKeyTest {
    @Test
    void theFirstUpMakesAnOwnerOnlyKeyAndLaterUpsReadTheSameOne(@TempDir Path home) throws Exception {
        String key = AdminKey.loadOrCreate(home.resolve(".tributary"));
        // The gateway's auth.ApiKey form: trb_<16 lower-case hex>_<43 base64url>.
        assertThat(key).matches("trb_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        Path file = home.resolve(".tributary").resolve(AdminKey.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(AdminKey.loadOrCreate(home.resolve(".tributary"))).isEqualTo(key);
        assertThat(AdminKey.generate()).isNotEqualTo(key);
    }
}
