package io.tributary.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
    @Property(tries = 200)
    void aGeneratedKeyParsesBackAndMatchesOnlyItsOwnHash(@ForAll @IntRange(min = 0, max = 80) int flip) {
        ApiKey key = ApiKey.generate();
        ApiKey parsed = ApiKey.parse(key.value());
        assertThat(parsed).isEqualTo(key);
        assertThat(parsed.matches(key.secretHash())).isTrue();
        assertThat(parsed.matches(ApiKey.generate().secretHash())).isFalse();
        // Any one character of the secret changed: another secret, refused.
        char[] v = key.value().toCharArray();
        int at = 21 + flip % 43;
        v[at] = v[at] == 'A' ? 'B' : 'A';
        ApiKey tampered = ApiKey.parse(new String(v));
        assertThat(tampered).isNotNull();
        assertThat(tampered.matches(key.secretHash())).isFalse();
    }

    @Test
    void otherFormsAreNotKeys() {
        String good = ApiKey.generate().value();
        assertThat(ApiKey.parse(good + "x")).isNull();
        assertThat(ApiKey.parse(good.substring(0, good.length() - 1))).isNull();
        assertThat(ApiKey.parse(good.replace("trb_", "trx_"))).isNull();
        assertThat(ApiKey.parse("trb_0123456789ABCDEF_" + "a".repeat(43))).as("the id is lower-case hex").isNull();
        assertThat(ApiKey.parse("trb_0123456789abcdef_" + "a".repeat(42) + "=")).isNull();
        assertThat(ApiKey.generate().matches("not hex")).isFalse();
    }

    @Test
    void theSecretNeverShowsInToString() {
        ApiKey key = ApiKey.generate();
        assertThat(key.toString()).contains(key.id()).doesNotContain(key.secret());
    }

    @Test
    void aPermissionMatchesWholeNamesAndTheEmptyPatternNothing() {
        Permission p = Permission.of("", "orders|audit.*", ".*");
        assertThat(p.allows(Permission.Access.WRITE, "orders")).isTrue();
        assertThat(p.allows(Permission.Access.WRITE, "audit-2026")).isTrue();
        assertThat(p.allows(Permission.Access.WRITE, "orders-eu")).isFalse();
        assertThat(p.allows(Permission.Access.WRITE, "my-orders")).isFalse();
        assertThat(p.allows(Permission.Access.CONFIGURE, "orders")).isFalse();
        assertThat(p.allows(Permission.Access.READ, "anything")).isTrue();
    }
}
