package io.hasp.token;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shape and hashing of token secrets. A token reads {@code hasp_<id>_<secret>}: the id finds the stored entry
 * without scanning, the 256-bit random secret is what proves possession. Only HMAC-SHA256(salt, secret) is stored,
 * and hashes are compared with {@link MessageDigest#isEqual}, which takes the same time wherever they differ.
 */
final class TokenSecrets {

    static final String PREFIX = "hasp_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private TokenSecrets() {
    }

    /** A token's two parts. */
    record Parsed(String id, String secret) {
        @Override
        public String toString() {
            return "Parsed[id=" + id + ", secret=***]";
        }
    }

    static String newId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return B64URL.encodeToString(bytes);
    }

    static String newSalt() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static String format(String id, String secret) {
        return PREFIX + id + "_" + secret;
    }

    /** Splits a presented token; empty when it cannot be one of ours. */
    static Optional<Parsed> parse(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 200) {
            return Optional.empty();
        }
        int sep = token.indexOf('_', PREFIX.length());
        if (sep < 0 || sep == PREFIX.length() || sep == token.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(token.substring(PREFIX.length(), sep), token.substring(sep + 1)));
    }

    static String hash(String salt, String secret) {
        return Base64.getEncoder().encodeToString(hmac(Base64.getDecoder().decode(salt), secret));
    }

    /** Constant-time check of {@code secret} against a stored salt and hash. */
    static boolean matches(String salt, String storedHash, String secret) {
        byte[] expected = Base64.getDecoder().decode(storedHash);
        byte[] actual = hmac(Base64.getDecoder().decode(salt), secret);
        return MessageDigest.isEqual(expected, actual);
    }

    /** SHA-256 of a secret, for comparing with the bootstrap admin token in constant time. */
    static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static byte[] hmac(byte[] key, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }
}
