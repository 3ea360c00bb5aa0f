package dev.mlv.registry;

import dev.mlv.errors.MlvException;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The input rules of the registry, applied by every store so that every entry point (REST, CLI, tests) gets the same:
 * model names, aliases (MLflow's: {@code ^[\w\-]*$}, at most 255 characters, {@code latest} and {@code v<digits>}
 * reserved whatever their case), tag limits (key 250, value 5000), versions.
 *
 * <p>Model names are stricter than MLflow's so that a name can never be confused with another one (CVE-2024-3099:
 * a URL-encoded name colliding with an existing one): no percent-escapes, no {@code /}, {@code \}, control
 * characters, not {@code .} or {@code ..}, no leading or trailing white space, Unicode NFC. {@link #nameKey} is what uniqueness is checked on.
 */
public final class RegistryRules {
    public static final int MAX_NAME_LENGTH = 256;
    public static final int MAX_ALIAS_LENGTH = 255;
    public static final int MAX_TAG_KEY_LENGTH = 250;
    public static final int MAX_TAG_VALUE_LENGTH = 5000;
    public static final int MAX_DESCRIPTION_LENGTH = 65536;
    private static final Pattern ALIAS = Pattern.compile("^[\\w\\-]*$");
    private static final Pattern VERSION_ALIAS = Pattern.compile("^v\\d+$", Pattern.CASE_INSENSITIVE);
    private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");
    private static final Pattern VERSION = Pattern.compile("^[1-9]\\d{0,17}$");

    private RegistryRules() {
    }

    /** Validates a registered-model name and returns it. */
    public static String name(String name) {
        if (name == null || name.isEmpty()) throw MlvException.invalid("Registered model name cannot be empty.");
        if (name.length() > MAX_NAME_LENGTH) {
            throw MlvException.invalid("Registered model name is longer than " + MAX_NAME_LENGTH + " characters.");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) throw badName(name, "a control character");
            if (c == '/' || c == '\\') throw badName(name, "'" + c + "'");
        }
        if (PERCENT_ESCAPE.matcher(name).find()) throw badName(name, "a percent-escape (%XX)");
        if (name.equals(".") || name.equals("..")) throw badName(name, "only dots");
        if (!name.equals(name.strip())) throw badName(name, "leading or trailing white space");
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) throw badName(name, "characters that are not in Unicode NFC form");
        return name;
    }

    /** The key two names collide on: NFKC-folded, lower-case. */
    public static String nameKey(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    private static MlvException badName(String name, String why) {
        StringBuilder shown = new StringBuilder();
        name.chars().limit(200).forEach(c -> shown.append(Character.isISOControl(c) ? '?' : (char) c));
        return MlvException.invalid("Invalid registered model name '" + shown + "': it contains " + why + ".");
    }

    /** Validates an alias name (MLflow's rules) and returns it. */
    public static String alias(String alias) {
        if (alias == null || alias.isEmpty()) throw MlvException.invalid("Registered model alias name cannot be empty.");
        if (alias.length() > MAX_ALIAS_LENGTH) {
            throw MlvException.invalid("Registered model alias name '" + alias.substring(0, 40)
                    + "…' exceeds the maximum length of " + MAX_ALIAS_LENGTH + " characters");
        }
        if (!ALIAS.matcher(alias).matches()) {
            throw MlvException.invalid("Invalid alias name: '" + alias
                    + "'. Names may only contain alphanumerics, underscores (_) and dashes (-).");
        }
        if (alias.equalsIgnoreCase("latest")) {
            throw MlvException.invalid("'" + alias + "' alias name (case insensitive) is reserved.");
        }
        if (VERSION_ALIAS.matcher(alias).matches()) {
            throw MlvException.invalid("Version alias name '" + alias + "' (case insensitive) is reserved.");
        }
        return alias;
    }

    /** Validates a version string (a positive decimal) and returns it. */
    public static String version(String version) {
        if (version == null || version.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'version'");
        if (!VERSION.matcher(version).matches()) {
            throw MlvException.invalid("Model version must be an integer, got '"
                    + (version.length() > 40 ? version.substring(0, 40) + "…" : version) + "'");
        }
        return version;
    }

    /** Validates a registered-model or model-version tag. */
    public static void tag(String key, String value) {
        if (key == null || key.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'key'");
        if (key.length() > MAX_TAG_KEY_LENGTH) {
            throw MlvException.invalid("Tag key '" + key.substring(0, 40) + "…' had length " + key.length()
                    + ", which exceeded length limit of " + MAX_TAG_KEY_LENGTH);
        }
        if (!key.matches("^[/\\w.\\- ]*$") || key.contains("..") || key.startsWith("/")) {
            throw MlvException.invalid("Invalid tag name: '" + key + "'. Names may only contain alphanumerics, "
                    + "underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
        }
        if (value != null && value.length() > MAX_TAG_VALUE_LENGTH) {
            throw MlvException.invalid("Tag value '" + value.substring(0, 40) + "…' had length " + value.length()
                    + ", which exceeded length limit of " + MAX_TAG_VALUE_LENGTH);
        }
    }

    public static String description(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION_LENGTH) {
            throw MlvException.invalid("Description is longer than " + MAX_DESCRIPTION_LENGTH + " characters");
        }
        return description;
    }
}
