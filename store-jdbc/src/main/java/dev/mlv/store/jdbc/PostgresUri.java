package dev.mlv.store.jdbc;

import dev.mlv.errors.MlvException;
import dev.mlv.store.MetadataStores;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A PostgreSQL backend-store URI as MLflow users write it (SQLAlchemy style) turned into what JDBC needs:
 * {@code postgresql://USER:PASSWORD@HOST[:PORT]/DB[?param=value&…]}, also with a driver suffix such as
 * {@code postgresql+psycopg2://…} (the suffix is ignored) or the short scheme {@code postgres://…}. User and password
 * may be percent-encoded; the port defaults to 5432; query parameters are passed to the JDBC driver
 * (e.g. {@code sslmode=require}).
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/db[?query]}, without credentials
 * @param user     the user, or null to let the driver decide
 * @param password the password, or null
 * @param display  the URI with the password masked, for logs and messages
 */
public record PostgresUri(String jdbcUrl, String user, String password, String display) {
    public static final int DEFAULT_PORT = 5432;

    /** True for the schemes this class parses: {@code postgresql}, {@code postgresql+<driver>}, {@code postgres}. */
    public static boolean handles(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        return lower.startsWith("postgresql:") || lower.startsWith("postgresql+") || lower.startsWith("postgres:");
    }

    /** Parses {@code uri}; throws {@code INVALID_PARAMETER_VALUE} naming the problem (never showing the password). */
    public static PostgresUri parse(String uri) {
        String masked = MetadataStores.masked(uri);
        if (!handles(uri)) throw bad(masked, "expected postgresql://user:password@host:port/database");
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw bad(masked, "not a valid URI (percent-encode special characters of the password)");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) throw bad(masked, "no host");
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        String db = path.startsWith("/") ? path.substring(1) : path;
        if (db.isEmpty() || db.contains("/")) throw bad(masked, "expected one database name after the host, e.g. /mlv");
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null && !u.getRawUserInfo().isEmpty()) {
            String[] up = u.getRawUserInfo().split(":", 2);
            user = decode(up[0]);
            if (up.length > 1) password = decode(up[1]);
        }
        int port = u.getPort() > 0 ? u.getPort() : DEFAULT_PORT;
        String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + port + "/" + db
                + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
        return new PostgresUri(jdbc, user, password, masked);
    }


    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static MlvException bad(String masked, String why) {
        return MlvException.invalid("Invalid PostgreSQL backend store URI '" + masked + "': " + why);
    }

    @Override
    public String toString() {
        return display;
    }
}
