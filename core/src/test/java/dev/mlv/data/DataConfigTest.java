package dev.mlv.data;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code .mlv/config}: remotes as plain URLs or with options, kept through every change and a write and read. */
class DataConfigTest {
    private static final String YAML = """
            remotes:
              origin: s3://bucket/datasets
              minio:
                url: s3://data/sets
                endpoint_url: http://minio.internal:9000
                region: eu-west-1
            default_remote: origin
            """;

    @Test
    void remotesWithAndWithoutOptionsRoundTrip(@TempDir Path tmp) {
        DataConfig c = DataConfig.parse(YAML.getBytes(StandardCharsets.UTF_8), "test");
        assertThat(c.remotes()).containsEntry("origin", "s3://bucket/datasets").containsEntry("minio", "s3://data/sets");
        assertThat(c.options("origin")).isEmpty();
        assertThat(c.options("minio")).isEqualTo(Map.of("endpoint_url", "http://minio.internal:9000", "region", "eu-west-1"));

        Path file = tmp.resolve("config");
        c.write(file);
        assertThat(DataConfig.read(file)).isEqualTo(c);
        assertThat(readString(file)).contains("origin: s3://bucket/datasets").contains("url: s3://data/sets").doesNotContain("cache_dir");

        DataConfig shared = c.withCacheDir("../team-cache");
        shared.write(file);
        assertThat(readString(file)).contains("cache_dir: ../team-cache");
        assertThat(DataConfig.read(file)).isEqualTo(shared);
        assertThatThrownBy(() -> DataConfig.parse("cache_dir: \"a\\0b\"\n".getBytes(StandardCharsets.UTF_8), "x.yaml"))
                .hasMessageContaining("Invalid cache_dir 'a\\0b' in x.yaml");
    }

    @Test
    void optionsFollowTheirRemote() {
        DataConfig c = DataConfig.parse(YAML.getBytes(StandardCharsets.UTF_8), "test");
        DataConfig renamed = c.withRemoteRenamed("minio", "lake");
        assertThat(renamed.options("lake")).containsEntry("endpoint_url", "http://minio.internal:9000");
        assertThat(renamed.options("minio")).isEmpty();
        assertThat(renamed.defaultRemote()).isEqualTo("origin");

        assertThat(c.withRemoteUrl("minio", "s3://other/x").options("minio")).hasSize(2);
        assertThat(c.withRemote("minio", "s3://other/x", false).options("minio")).as("a replaced remote starts over").isEmpty();
        assertThat(c.withoutRemote("minio").withRemote("minio", "s3://data/sets", false).options("minio")).isEmpty();
        assertThat(c.withRemoteOption("minio", "region", null).options("minio")).containsOnlyKeys("endpoint_url");
        assertThat(c.withRemoteOption("origin", "region", "us-west-2").options("origin")).containsEntry("region", "us-west-2");
        assertThatThrownBy(() -> c.withRemoteOption("nope", "region", "x")).isInstanceOf(MlvException.class)
                .hasMessageContaining("Unknown remote 'nope'");
    }

    @Test
    void aRemoteEntryWithoutUrlIsMalformed() {
        byte[] bad = "remotes:\n  minio:\n    endpoint_url: http://x:9000\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DataConfig.parse(bad, ".mlv/config")).isInstanceOf(MlvException.class)
                .hasMessage("Malformed .mlv/config: remote 'minio' has no url");
    }

    @Test
    void localRemotesTakeOnlyJobs(@TempDir Path dir) {
        String url = dir.resolve("remote").toString();
        assertThatThrownBy(() -> Remotes.open(url, Map.of("endpoint_url", "http://x"))).isInstanceOf(MlvException.class)
                .hasMessage("A remote at '" + url + "' takes no option 'endpoint_url' (it takes jobs)");
        try (Remote plain = Remotes.open(url); Remote three = Remotes.open(url, Map.of("jobs", "3"))) {
            assertThat(plain.parallelism()).isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
            assertThat(three.parallelism()).isEqualTo(3);
            assertThat(three.url()).isEqualTo(plain.url());
        }
        for (String bad : new String[]{"0", "129", "many", " "}) {
            assertThatThrownBy(() -> Remotes.open(url, Map.of("jobs", bad))).isInstanceOf(MlvException.class)
                    .hasMessage("jobs must be a whole number from 1 to 128, not '" + bad + "'");
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void configLocalOverridesSettingsAndRemoteOptionsOneByOne(@TempDir Path tmp) throws Exception {
        Path mlv = Files.createDirectories(tmp.resolve(".mlv"));
        Files.writeString(mlv.resolve(DataConfig.FILE), YAML + "link_type: hardlink\ngc_grace_seconds: 60\n");
        assertThat(DataConfig.ofRepository(mlv)).isEqualTo(DataConfig.read(mlv.resolve(DataConfig.FILE)));
        Files.writeString(mlv.resolve(DataConfig.LOCAL_FILE), """
                remotes:
                  origin:
                    profile: mine
                  minio: s3://elsewhere/sets
                  laptop: /mnt/usb/datasets
                default_remote: laptop
                link_type: copy
                """);
        DataConfig c = DataConfig.ofRepository(mlv);
        assertThat(c.remotes()).containsEntry("origin", "s3://bucket/datasets").containsEntry("minio", "s3://elsewhere/sets")
                .containsEntry("laptop", "/mnt/usb/datasets");
        assertThat(c.options("origin")).isEqualTo(Map.of("profile", "mine"));
        assertThat(c.options("minio")).as("a local url keeps the shared options")
                .containsEntry("endpoint_url", "http://minio.internal:9000").containsEntry("region", "eu-west-1");
        assertThat(c.defaultRemote()).isEqualTo("laptop");
        assertThat(c.linkType()).isEqualTo(LinkType.COPY);
        assertThat(c.gcGrace()).isEqualTo(java.time.Duration.ofSeconds(60));

        Files.writeString(mlv.resolve(DataConfig.LOCAL_FILE), "remotes:\n  ghost:\n    profile: x\n");
        assertThatThrownBy(() -> DataConfig.ofRepository(mlv)).isInstanceOf(dev.mlv.errors.MlvException.class)
                .hasMessageContaining("remote 'ghost' has no url");
    }
}
