package dev.tokengate.jaxrs;

import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The client's address and certificate as {@link ServletPeer} found them, read when the gate first asks (a policy on
 * addresses or certificates, the call log, a trusted proxy's header), once: on Jersey the first call of the injected
 * servlet request costs a lookup of the request-scoped servlet request, about a tenth of a request's CPU in the
 * end-to-end profile, which a request that needs neither does not pay. No Servlet API type: the request views ask
 * for it also where that API is absent. Read on the request's thread, or on the thread that finishes an asynchronous
 * request, which the runtime gives the request's context.
 */
final class Peer {

    private Supplier<String> addressSource;
    private Supplier<Optional<X509Certificate>> certificateSource;
    private String address;
    private Optional<X509Certificate> certificate;

    Peer(Supplier<String> address, Supplier<Optional<X509Certificate>> certificate) {
        this.addressSource = address;
        this.certificateSource = certificate;
    }

    /** The peer's address, empty when unknown. */
    String address() {
        if (addressSource != null) {
            address = addressSource.get();
            addressSource = null;
        }
        return address;
    }

    /** The client's own certificate of a mutual-TLS connection, as the container verified it. */
    Optional<X509Certificate> certificate() {
        if (certificateSource != null) {
            certificate = certificateSource.get();
            certificateSource = null;
        }
        return certificate;
    }
}
