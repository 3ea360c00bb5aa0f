package dev.mlv.cli.data;

import dev.mlv.data.DataConfig;
import dev.mlv.data.DataRepo;
import dev.mlv.data.LinkType;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "config", description = "Show the settings in effect (.mlv/config, with .mlv/config.local over it), or set "
        + "one: link_type (reflink, the default: clones where the file system can, else copies; copy; hardlink "
        + "or symlink: how workspace files are made from the cache), gc_grace_seconds (gc keeps younger objects) or "
        + "cache_dir (a cache outside the repository, which several repositories can share, as DVC's cache.dir), "
        + "cache_shared (group: the cache's folders writable by the group, for several users, as DVC's cache.shared) and "
        + "autostage (true: commands 'git add' the pointers and .gitignore files they change, as DVC's core.autostage).",
        footer = {"", "Examples:",
                "  mlv data config                      # every setting",
                "  mlv data config link_type hardlink   # workspace files: read-only cache links",
                "  mlv data config gc_grace_seconds 86400",
                "  mlv data config cache_dir /mnt/data/mlv-cache   # shared: 'gc' then needs --projects",
                "  mlv data config cache_dir --unset               # back to .mlv/cache",
                "  mlv data config cache_shared group              # then: chmod g+s /mnt/data/mlv-cache",
                "  mlv data config autostage true"})
final class DataConfigCommand implements Callable<Integer> {
    private static final String LINK_TYPE = "link_type";
    private static final String GC_GRACE = "gc_grace_seconds";
    private static final String CACHE_DIR = "cache_dir";
    private static final String CACHE_SHARED = "cache_shared";
    private static final String AUTOSTAGE = "autostage";
    private static final java.util.Set<String> KEYS = java.util.Set.of(LINK_TYPE, GC_GRACE, CACHE_DIR, CACHE_SHARED, AUTOSTAGE);

    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KEY", description = "link_type, gc_grace_seconds, cache_dir, cache_shared or autostage.")
    String key;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "The new value (default: show the current one).")
    String value;

    @Option(names = "--unset", description = "Remove the setting (cache_dir or cache_shared: the others have a value always; "
            + "with --local any, so that .mlv/config's value counts again).")
    boolean unset;

    @Option(names = "--local", description = "Set it in .mlv/config.local: this clone's own settings, git-ignored, which "
            + "override .mlv/config (as 'dvc config --local'), e.g. a cache_dir on this machine's big disk.")
    boolean local;

    @Override
    public Integer call() {
        if (key != null && !KEYS.contains(key)) {
            throw MlvException.invalid("Unknown setting '" + key + "': use " + LINK_TYPE + ", " + GC_GRACE + ", " + CACHE_DIR
                    + ", " + CACHE_SHARED + " or " + AUTOSTAGE + " (remotes: 'mlv data remote')");
        }
        if (unset && (key == null || value != null || (!local && !(CACHE_DIR.equals(key) || CACHE_SHARED.equals(key))))) {
            throw MlvException.invalid("--unset takes " + CACHE_DIR + " or " + CACHE_SHARED + " (with --local: any setting), with no value");
        }
        try (DataRepo r = repo.open()) {
            if (local && (unset || value != null)) {
                // the value as .mlv/config would hold it: parsed, checked and written back in its canonical form
                Object canonical = unset ? null : settings(with(DataConfig.defaults(), key, value)).get(key);
                r.editLocalConfig(t -> {
                    if (canonical == null) t.remove(key);
                    else t.set(key, t.pojoNode(canonical));
                }, c -> { });
            } else if (unset) {
                r.saveConfig(key.equals(CACHE_DIR) ? r.sharedConfig().withCacheDir(null) : r.sharedConfig().withCacheGroupShared(false));
            } else if (value != null) {
                r.saveConfig(with(r.sharedConfig(), key, value));
            }
            Map<String, Object> settings = settings(r.config());
            if (key != null) settings.keySet().retainAll(java.util.Set.of(key));
            if (repo.json()) repo.output().json(settings);
            else settings.forEach((k, v) -> repo.output().println(k + " = " + (v != null ? v : k.equals(CACHE_DIR) ? DataRepo.DIR + "/cache (default)" : "(unset)")));
        }
        return 0;
    }

    private static DataConfig with(DataConfig c, String key, String value) {
        if (key.equals(LINK_TYPE)) return c.withLinkType(LinkType.parse(value));
        if (key.equals(CACHE_DIR)) return c.withCacheDir(value);
        if (key.equals(CACHE_SHARED)) return c.withCacheGroupShared(DataConfig.cacheShared(value, CACHE_SHARED));
        if (key.equals(AUTOSTAGE)) return c.withAutostage(DataConfig.bool(value, AUTOSTAGE, "the command line"));
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0) throw MlvException.invalid("Invalid " + GC_GRACE + " '" + value + "': a whole number of seconds, 0 or more");
        return c.withGcGrace(Duration.ofSeconds(seconds));
    }

    private static Map<String, Object> settings(DataConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(LINK_TYPE, c.linkType().id());
        m.put(GC_GRACE, c.gcGrace().toSeconds());
        m.put(CACHE_DIR, c.cacheDir()); // null: .mlv/cache
        m.put(CACHE_SHARED, c.cacheGroupShared() ? "group" : null); // null: private
        m.put(AUTOSTAGE, c.autostage());
        return m;
    }
}
