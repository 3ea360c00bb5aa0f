package dev.mlv.server.webhooks;

import dev.mlv.errors.MlvException;
import dev.mlv.webhooks.Webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where webhooks may be delivered: a scheme of {@link WebhookSettings#allowedSchemes()} and, unless private addresses
 * are allowed, a host all of whose addresses are public (not loopback, private, link-local such as the cloud metadata
 * service at 169.254.169.254, shared, multicast or reserved). Checked when a webhook is saved, and by
 * {@link #resolve} on every connection, against the very addresses the connection then uses, so a name that
 * resolves elsewhere later (DNS rebinding) cannot reach an internal service.
 */
public final class WebhookUrlPolicy {
    /** A host refused because it resolves to an address that is not public. */
    public static final class NotPublicException extends UnknownHostException {
        NotPublicException(String message) {
            super(message);
        }
    }

    private final WebhookSettings settings;

    public WebhookUrlPolicy(WebhookSettings settings) {
        this.settings = settings;
    }

    /**
     * Refuses with {@code INVALID_PARAMETER_VALUE} a URL this server must not deliver to: {@link #allowed} and every
     * address of its host public ({@link #resolve}). For saving a webhook.
     */
    public void check(String url) {
        URI u = allowed(url);
        try {
            resolve(u.getHost());
        } catch (UnknownHostException e) {
            throw MlvException.invalid("Invalid webhook URL '" + url + "': " + e.getMessage());
        }
    }

    /**
     * {@code url} when its shape and scheme are allowed (credentials in it are not); the addresses are checked when a
     * connection is made ({@link #resolve}). For each delivery attempt, which must not resolve the name twice.
     */
    public URI allowed(String url) {
        URI u = Webhook.httpUrl(url);
        if (!settings.allowedSchemes().contains(u.getScheme().toLowerCase(Locale.ROOT))) {
            throw MlvException.invalid("Invalid webhook URL '" + url + "': the scheme must be one of " + settings.allowedSchemes()
                    + " (set MLV_WEBHOOK_ALLOWED_SCHEMES to change)");
        }
        if (u.getRawUserInfo() != null) {
            throw MlvException.invalid("Invalid webhook URL '" + url + "': credentials in the URL are not allowed; use a secret");
        }
        return u;
    }

    /**
     * The addresses of {@code host}, when this server may connect to every one of them; else
     * {@link NotPublicException} naming the address refused ({@link UnknownHostException} for a name that does not
     * resolve).
     */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all = InetAddress.getAllByName(bare);
        if (!settings.allowPrivateIps()) {
            for (InetAddress a : all) {
                if (!isPublic(a)) {
                    throw new NotPublicException(host + " resolves to " + a.getHostAddress() + ", which is not a public "
                            + "address (set MLV_WEBHOOK_ALLOW_PRIVATE_IPS=true to allow private addresses)");
                }
            }
        }
        return all;
    }

    /** Whether {@code a} is a globally routable unicast address. */
    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) return isPublicV4(b);
        if (a instanceof Inet6Address) {
            boolean mappedOrCompatible = true;
            for (int i = 0; i < 10; i++) mappedOrCompatible &= b[i] == 0;
            if (mappedOrCompatible && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]});
            }
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) return false; // unique local fc00::/7
            if (first == 0x20 && b[1] == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) return false; // documentation
            if (first == 0x20 && b[1] == 0x02) return isPublicV4(new byte[] {b[2], b[3], b[4], b[5]}); // 6to4
            if (first == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]}); // NAT64
            }
            return (first & 0xe0) == 0x20; // global unicast 2000::/3
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int x = b[0] & 0xff, y = b[1] & 0xff, z = b[2] & 0xff;
        return !(x == 0 || x == 10 || x == 127 || x >= 224 // this network, private, loopback, multicast and reserved
                || (x == 100 && y >= 64 && y <= 127) // shared address space (carrier-grade NAT)
                || (x == 169 && y == 254) // link-local, cloud metadata
                || (x == 172 && y >= 16 && y <= 31) || (x == 192 && y == 168) // private
                || (x == 192 && y == 0 && (z == 0 || z == 2)) // IETF protocol assignments, documentation
                || (x == 198 && (y == 18 || y == 19)) // benchmarking
                || (x == 198 && y == 51 && z == 100) || (x == 203 && y == 0 && z == 113)); // documentation
    }
}
