package dev.mlv.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code .mlv/config}, a small YAML file meant for git:
 * <pre>
 * remotes:
 *   origin: s3://bucket/datasets
 *   minio:                     # a remote with options (as DVC's 'remote modify'), which its provider reads
 *     url: s3://data/sets
 *     endpoint_url: http://minio.internal:9000
 * default_remote: origin
 * link_type: reflink         # reflink (clones where the file system can, else copies) | copy | hardlink | symlink
 * gc_grace_seconds: 3600     # gc never removes objects younger than this
 * cache_dir: ../shared-cache  # optional (as DVC's cache.dir): the cache, instead of .mlv/cache; relative to the top
 * cache_shared: group        # optional (as DVC's cache.shared): the cache's folders writable by the group
 * autostage: true            # optional (as DVC's core.autostage): commands 'git add' the pointers and .gitignore files they change
 * </pre>
 * Beside it, {@code .mlv/config.local} (as DVC's {@code config.local}) holds this clone's own settings in the same
 * format, git-ignored; whatever it sets overrides {@code .mlv/config} ({@link #ofRepository}), a remote's options one
 * by one.
 * {@code remotes} maps each remote's name to its URL, {@code remoteOptions} to its options (absent: none);
 * {@code cacheDir} is null for the default {@code .mlv/cache}; {@code cacheGroupShared} makes the cache's folders
 * group-writable, for a cache several users share.
 */
public record DataConfig(Map<String, String> remotes, Map<String, Map<String, String>> remoteOptions, String defaultRemote,
                         LinkType linkType, Duration gcGrace, String cacheDir, boolean cacheGroupShared, boolean autostage) {
    public static final Duration DEFAULT_GC_GRACE = Duration.ofHours(1);
    private static final Pattern REMOTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Reads and writes mlv's YAML files (also pre-commit's configuration, {@link GitHooks}). */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    public DataConfig {
        remotes = Map.copyOf(new LinkedHashMap<>(remotes));
        Map<String, Map<String, String>> options = new LinkedHashMap<>();
        for (var e : remoteOptions.entrySet()) {
            if (remotes.containsKey(e.getKey()) && !e.getValue().isEmpty()) options.put(e.getKey(), Map.copyOf(e.getValue()));
        }
        remoteOptions = Map.copyOf(options);
        if (linkType == null) linkType = LinkType.REFLINK;
        if (gcGrace == null) gcGrace = DEFAULT_GC_GRACE;
    }

    public static DataConfig defaults() {
        return new DataConfig(Map.of(), Map.of(), null, LinkType.REFLINK, DEFAULT_GC_GRACE, null, false, false);
    }

    /** The shared settings file in {@code .mlv/}, meant for git. */
    public static final String FILE = "config";
    /** This clone's own settings in {@code .mlv/}, git-ignored, over {@link #FILE}. */
    public static final String LOCAL_FILE = "config.local";

    public static DataConfig read(Path file) {
        return parse(readTree(file), file.toString());
    }

    /** The settings of the repository whose {@code .mlv} folder is {@code mlvDir}: its config with its config.local over it. */
    public static DataConfig ofRepository(Path mlvDir) {
        Path local = mlvDir.resolve(LOCAL_FILE);
        return Files.exists(local) ? withLocal(mlvDir, readTree(local)) : read(mlvDir.resolve(FILE));
    }

    /** The settings of the repository whose {@code .mlv} folder is {@code mlvDir} if its config.local held {@code local}. */
    static DataConfig withLocal(Path mlvDir, ObjectNode local) {
        return parse(merge(readTree(mlvDir.resolve(FILE)), local), mlvDir.resolve(FILE) + " with " + LOCAL_FILE);
    }

    /** A config file as YAML (an empty mapping when there is none). */
    static ObjectNode readTree(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return YAML.createObjectNode();
        } catch (IOException e) {
            throw MlvException.invalid("Malformed " + file + ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " "));
        }
        if (root == null || root.isMissingNode() || root.isNull()) return YAML.createObjectNode();
        if (!root.isObject()) throw MlvException.invalid("Malformed " + file + ": expected a mapping");
        return (ObjectNode) root;
    }

    /** {@code local} over {@code shared}: each setting local sets wins; a remote's url and options override one by one. */
    static ObjectNode merge(ObjectNode shared, ObjectNode local) {
        ObjectNode out = shared.deepCopy();
        local.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("remotes") || !e.getValue().isObject() || !out.path("remotes").isObject()) {
                out.set(e.getKey(), e.getValue().deepCopy());
                return;
            }
            ObjectNode remotes = (ObjectNode) out.get("remotes");
            e.getValue().fields().forEachRemaining(r -> {
                ObjectNode entry = remoteEntry(remotes.get(r.getKey()));
                remoteEntry(r.getValue()).fields().forEachRemaining(o -> entry.set(o.getKey(), o.getValue()));
                remotes.set(r.getKey(), entry);
            });
        });
        return out;
    }

    /** A remote's entry as a mapping: a bare URL becomes {@code {url: URL}}; a copy, to change. */
    static ObjectNode remoteEntry(JsonNode entry) {
        if (entry == null || entry.isNull()) return YAML.createObjectNode();
        if (entry.isObject()) return ((ObjectNode) entry).deepCopy();
        return YAML.createObjectNode().put("url", entry.asText());
    }

    /** Writes a config file's YAML atomically. */
    static void writeTree(Path file, ObjectNode tree) {
        try {
            AtomicFiles.write(file, YAML.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the YAML of a config (e.g. read from git history); {@code where} names it in errors. */
    public static DataConfig parse(byte[] bytes, String where) {
        JsonNode root;
        try {
            root = YAML.readTree(bytes);
        } catch (IOException e) {
            throw MlvException.invalid("Malformed " + where + ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " "));
        }
        return parse(root, where);
    }

    static DataConfig parse(JsonNode root, String where) {
        if (root == null || root.isMissingNode() || root.isNull()) return defaults();
        if (!root.isObject()) throw MlvException.invalid("Malformed " + where + ": expected a mapping");
        Map<String, String> remotes = new LinkedHashMap<>();
        Map<String, Map<String, String>> options = new LinkedHashMap<>();
        root.path("remotes").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (!v.isObject()) {
                remotes.put(e.getKey(), v.asText());
                return;
            }
            if (!v.hasNonNull("url")) throw MlvException.invalid("Malformed " + where + ": remote '" + e.getKey() + "' has no url");
            Map<String, String> o = new LinkedHashMap<>();
            v.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("url")) o.put(f.getKey(), f.getValue().asText());
            });
            remotes.put(e.getKey(), v.get("url").asText());
            options.put(e.getKey(), o);
        });
        String def = root.hasNonNull("default_remote") ? root.get("default_remote").asText() : null;
        LinkType link = root.hasNonNull("link_type") ? LinkType.parse(root.get("link_type").asText()) : LinkType.REFLINK;
        Duration grace = root.hasNonNull("gc_grace_seconds") ? Duration.ofSeconds(root.get("gc_grace_seconds").asLong()) : DEFAULT_GC_GRACE;
        String cacheDir = root.hasNonNull("cache_dir") ? requireCacheDir(root.get("cache_dir").asText(), where) : null;
        boolean group = root.hasNonNull("cache_shared") && cacheShared(root.get("cache_shared").asText(), where);
        boolean autostage = root.hasNonNull("autostage") && bool(root.get("autostage").asText(), "autostage", where);
        return new DataConfig(remotes, options, def, link, grace, cacheDir, group, autostage);
    }

    public void write(Path file) {
        writeTree(file, toTree());
    }

    /** The settings as the YAML tree {@link #write} writes. */
    ObjectNode toTree() {
        ObjectNode root = YAML.createObjectNode();
        ObjectNode r = root.putObject("remotes");
        remotes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Map<String, String> o = options(e.getKey());
            if (o.isEmpty()) {
                r.put(e.getKey(), e.getValue());
                return;
            }
            ObjectNode entry = r.putObject(e.getKey()).put("url", e.getValue());
            new TreeMap<>(o).forEach(entry::put);
        });
        if (defaultRemote != null) root.put("default_remote", defaultRemote);
        root.put("link_type", linkType.id());
        root.put("gc_grace_seconds", gcGrace.toSeconds());
        if (cacheDir != null) root.put("cache_dir", cacheDir);
        if (cacheGroupShared) root.put("cache_shared", "group");
        if (autostage) root.put("autostage", true);
        return root;
    }

    public DataConfig withRemote(String name, String url, boolean makeDefault) {
        if (!REMOTE_NAME.matcher(name).matches()) {
            throw MlvException.invalid("Invalid remote name '" + name + "': letters, digits, '.', '_', '-' (max 64)");
        }
        Map<String, String> m = new LinkedHashMap<>(remotes);
        m.put(name, url);
        Map<String, Map<String, String>> options = new LinkedHashMap<>(remoteOptions);
        options.remove(name); // a replaced remote starts without options
        return new DataConfig(m, options, makeDefault || defaultRemote == null ? name : defaultRemote, linkType, gcGrace, cacheDir, cacheGroupShared, autostage);
    }

    /** With remote {@code name}'s URL changed to {@code url}, its options kept. */
    public DataConfig withRemoteUrl(String name, String url) {
        Map<String, String> m = new LinkedHashMap<>(remotes);
        m.put(requireKnown(name), url);
        return new DataConfig(m, remoteOptions, defaultRemote, linkType, gcGrace, cacheDir, cacheGroupShared, autostage);
    }

    /** The options of remote {@code name} (empty when it has none or is unknown). */
    public Map<String, String> options(String name) {
        return remoteOptions.getOrDefault(name, Map.of());
    }

    /** With option {@code key} of remote {@code name} set to {@code value}, or removed when {@code value} is null. */
    public DataConfig withRemoteOption(String name, String key, String value) {
        Map<String, String> o = new LinkedHashMap<>(options(requireKnown(name)));
        if (value == null) o.remove(key);
        else o.put(key, value);
        Map<String, Map<String, String>> all = new LinkedHashMap<>(remoteOptions);
        all.put(name, o);
        return new DataConfig(remotes, all, defaultRemote, linkType, gcGrace, cacheDir, cacheGroupShared, autostage);
    }

    /** Without remote {@code name} (no longer the default if it was); {@code RESOURCE_DOES_NOT_EXIST} when unknown. */
    public DataConfig withoutRemote(String name) {
        requireKnown(name);
        Map<String, String> m = new LinkedHashMap<>(remotes);
        m.remove(name);
        return new DataConfig(m, remoteOptions, name.equals(defaultRemote) ? null : defaultRemote, linkType, gcGrace, cacheDir, cacheGroupShared, autostage);
    }

    /** With remote {@code name} as the default; {@code RESOURCE_DOES_NOT_EXIST} when unknown. */
    public DataConfig withDefaultRemote(String name) {
        return new DataConfig(remotes, remoteOptions, requireKnown(name), linkType, gcGrace, cacheDir, cacheGroupShared, autostage);
    }

    /** With remote {@code from} renamed {@code to} (still the default if it was). */
    public DataConfig withRemoteRenamed(String from, String to) {
        String url = remotes.get(requireKnown(from));
        if (remotes.containsKey(to)) throw MlvException.alreadyExists("A remote named '" + to + "' already exists");
        DataConfig added = withoutRemote(from).withRemote(to, url, from.equals(defaultRemote));
        Map<String, Map<String, String>> options = new LinkedHashMap<>(remoteOptions);
        options.put(to, options(from));
        return new DataConfig(added.remotes, options, from.equals(defaultRemote) ? to : defaultRemote, linkType, gcGrace, cacheDir, cacheGroupShared, autostage);
    }

    private String requireKnown(String name) {
        if (!remotes.containsKey(name)) {
            throw MlvException.notFound("Unknown remote '" + name + "' (known: " + String.join(", ", remotes.keySet()) + ")");
        }
        return name;
    }

    public DataConfig withLinkType(LinkType t) {
        return new DataConfig(remotes, remoteOptions, defaultRemote, t, gcGrace, cacheDir, cacheGroupShared, autostage);
    }

    /** With the cache at {@code dir} (relative: to the top of the repository); null for the default {@code .mlv/cache}. */
    public DataConfig withCacheDir(String dir) {
        return new DataConfig(remotes, remoteOptions, defaultRemote, linkType, gcGrace, dir == null ? null : requireCacheDir(dir, "cache_dir"),
                cacheGroupShared, autostage);
    }

    /** With the cache's folders group-writable ({@code cache_shared: group}) or not. */
    public DataConfig withCacheGroupShared(boolean group) {
        return new DataConfig(remotes, remoteOptions, defaultRemote, linkType, gcGrace, cacheDir, group, autostage);
    }

    /** With {@code autostage} (as DVC's {@code core.autostage}) on or off. */
    public DataConfig withAutostage(boolean on) {
        return new DataConfig(remotes, remoteOptions, defaultRemote, linkType, gcGrace, cacheDir, cacheGroupShared, on);
    }

    /** A yes/no setting: {@code true} or {@code false} (as YAML and DVC write them). */
    public static boolean bool(String value, String key, String where) {
        if ("true".equalsIgnoreCase(value)) return true;
        if ("false".equalsIgnoreCase(value)) return false;
        throw MlvException.invalid("Invalid " + key + " '" + value + "' in " + where + ": true or false");
    }

    /** {@code cache_shared}'s value: {@code group} is the only one (as DVC's). */
    public static boolean cacheShared(String value, String where) {
        if ("group".equals(value)) return true;
        throw MlvException.invalid("Invalid cache_shared '" + value + "' in " + where + ": the only value is 'group' (unset: private)");
    }

    /** {@code dir} when it is a usable path (not empty, no NUL); {@code where} names it in errors. */
    private static String requireCacheDir(String dir, String where) {
        try {
            if (!dir.isBlank() && Path.of(dir).getFileName() != null) return dir;
        } catch (java.nio.file.InvalidPathException e) {
            // refused below
        }
        throw MlvException.invalid("Invalid cache_dir '" + dir.replace("\0", "\\0") + "' in " + where + ": a folder path, absolute or relative to the top of the repository");
    }

    public DataConfig withGcGrace(Duration grace) {
        return new DataConfig(remotes, remoteOptions, defaultRemote, linkType, grace, cacheDir, cacheGroupShared, autostage);
    }

    /** The URL of {@code name}, or of the default remote when {@code name} is null. */
    public String remoteUrl(String name) {
        return remotes.get(remoteName(name));
    }

    /** {@code name} when it is a known remote, else the default remote when {@code name} is null. */
    public String remoteName(String name) {
        String n = name != null ? name : defaultRemote;
        if (n == null) {
            throw MlvException.invalid("No remote given and no default remote: add one with 'mlv data remote add NAME URL --default'");
        }
        if (!remotes.containsKey(n)) throw MlvException.invalid("Unknown remote '" + n + "' (known: " + String.join(", ", remotes.keySet()) + ")");
        return n;
    }
}
