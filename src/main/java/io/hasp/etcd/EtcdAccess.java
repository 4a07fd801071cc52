package io.hasp.etcd;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How Hasp proves itself to etcd and checks the members: a user and password (etcd's {@code auth enable}; Hasp
 * authenticates once and sends the token with every call, authenticating again when the cluster rejects it), and for
 * {@code https://} endpoints the CA that signed the members' certificates and, for members started with
 * {@code --client-cert-auth}, Hasp's client certificate and its PKCS#8 PEM key.
 */
public record EtcdAccess(Optional<String> user, Optional<String> password, Optional<Path> caFile,
                         Optional<Path> certFile, Optional<Path> keyFile) {

    /** No authentication, and the JVM's default trust store for {@code https://} endpoints. */
    public static final EtcdAccess NONE = new EtcdAccess(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    /** @throws IllegalArgumentException when only half of a pair is given (user/password, certificate/key) */
    public EtcdAccess {
        if (user.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("hasp.etcd.user and hasp.etcd.password go together: set both or none");
        }
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException(
                    "hasp.etcd.tls.cert-file and hasp.etcd.tls.key-file go together: set both or none");
        }
    }

    boolean authenticates() {
        return user.isPresent();
    }

    boolean configuresTls() {
        return caFile.isPresent() || certFile.isPresent();
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "EtcdAccess[user=" + user.orElse("-") + ", tls files=" + configuresTls() + "]";
    }
}
