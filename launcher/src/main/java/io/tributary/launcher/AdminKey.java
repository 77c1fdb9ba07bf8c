package io.tributary.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The local cluster's first credential: an API key for the user {@code admin}, generated on
 * the first {@code up} into {@code .tributary/admin.key} (owner-only, like an SSH key) and
 * handed to the gateways as {@code TRIBUTARY_ADMIN_KEY}; the first gateway creates the user
 * with it (the gateway's {@code auth.AdminBootstrap}). Nothing has a default password.
 *
 * <p>The form is the gateway's {@code auth.ApiKey}: {@code trb_<16 hex id>_<43 base64url
 * secret>} (64 + 256 random bits); the gateway refuses to start with a key of another form.
 */
public final class AdminKey {
    public static final String FILE = "admin.key";
    public static final String ENV = "TRIBUTARY_ADMIN_KEY";
    private static final SecureRandom RANDOM = new SecureRandom();

    private AdminKey() {
    }

    /** The key in {@code home/admin.key}, made (mode 0600) when there is none yet. */
    public static String loadOrCreate(Path home) throws IOException {
        Path f = home.resolve(FILE);
        if (Files.isRegularFile(f)) {
            return Files.readString(f, StandardCharsets.UTF_8).strip();
        }
        String key = generate();
        Files.createDirectories(home);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, key + "\n", StandardCharsets.UTF_8);
        return key;
    }

    public static String generate() {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        return "trb_" + HexFormat.of().formatHex(id) + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
