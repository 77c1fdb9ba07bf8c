package io.tributary.gateway.auth;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who made a request, as every check after authentication sees it: the user, its tags, its
 * permission in each vhost, and how it proved who it is ({@code credential}: an API key id
 * or "jwt"). {@code expiresAt} is a token's expiry (null for an API key), which ends a
 * long-lived session at that moment.
 */
public record Caller(String user, List<String> tags, Map<String, Permission> permissions, String credential, Instant expiresAt) {
    public static final String ADMINISTRATOR = "administrator";

    public boolean isAdministrator() {
        return tags.contains(ADMINISTRATOR);
    }

    /** The permission in {@code vhost}, or null: no access to it at all. */
    public Permission in(String vhost) {
        return permissions.get(vhost);
    }

    public boolean allows(String vhost, Permission.Access access, String name) {
        Permission p = permissions.get(vhost);
        return p != null && p.allows(access, name);
    }

    /** Refuses with 403 unless the caller has {@code access} on the {@code kind} named {@code name} in {@code vhost}. */
    public void require(String vhost, Permission.Access access, String kind, String name) {
        if (!allows(vhost, access, name)) {
            throw new TributaryException(ProblemType.FORBIDDEN, "user '" + user + "' has no " + access.wireName() + " permission on "
                    + kind + " '" + name + "' in vhost '" + vhost + "'");
        }
    }
}
