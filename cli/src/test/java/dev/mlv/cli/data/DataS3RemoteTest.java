package dev.mlv.cli.data;

import dev.mlv.data.Remote;
import dev.mlv.data.RemoteContractTest;
import dev.mlv.data.Remotes;
import dev.mlv.s3.S3Location;
import dev.mlv.s3.S3ProxyExtension;
import dev.mlv.s3.S3ProxyFixture;
import dev.mlv.s3.data.S3Remote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The S3 remote against a real S3 endpoint (s3proxy in-process): the Remote contract and the full CLI cycle. */
class DataS3RemoteTest extends RemoteContractTest {
    static final String BUCKET = "mlv-data";
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension(BUCKET);

    @Override
    protected Remote newRemote() {
        return new S3Remote(S3.fixture().client(), S3Location.parse("s3://" + BUCKET + "/contract-" + UUID.randomUUID()), true);
    }

    @Test
    void theFactoryOpensS3Urls() {
        try (Remote r = Remotes.open("s3://" + BUCKET + "/x")) {
            assertThat(r).isInstanceOf(S3Remote.class);
            assertThat(r.url()).isEqualTo("s3://" + BUCKET + "/x");
        }
    }

    /**
     * A remote's own endpoint and AWS profile from {@code .mlv/config} ({@code remote modify}): a second S3 endpoint,
     * reached with the credentials of a profile while the JVM's default credentials are gone.
     */
    @Test
    void aRemoteUsesTheEndpointAndProfileOfItsConfigEntry() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "own-endpoint");
        Files.writeString(repo.resolve("train.csv"), "a,b\n1,2\n");
        DataTestKit.mlv(repo, "add", "train.csv").ok();
        try (S3ProxyFixture second = S3ProxyFixture.start(tmp.resolve("second-s3"))) {
            second.createBucket("lake");
            DataTestKit.mlv(repo, "remote add", "lake", "s3://lake/sets").ok();
            DataTestKit.mlv(repo, "remote modify", "lake", "endpoint_url", second.endpoint().toString()).ok();
            DataTestKit.mlv(repo, "remote modify", "lake", "profile", "mlv-test").ok();
            assertThat(DataTestKit.mlv(repo, "remote modify", "lake", "access_key_id", "AKIA").code()).isNotZero();
            assertThat(DataTestKit.mlv(repo, "remote modify", "lake", "access_key_id", "AKIA").err())
                    .contains("takes no option 'access_key_id' (it takes endpoint_url, jobs, profile, region)");
            assertThat(DataTestKit.mlv(repo, "remote modify", "lake", "endpoint_url", "ftp://x").err())
                    .contains("Invalid S3 endpoint URL 'ftp://x'");
            assertThat(Files.readString(repo.resolve(".mlv/config")))
                    .contains("url: s3://lake/sets", "endpoint_url: " + second.endpoint(), "profile: mlv-test");
            assertThat(DataTestKit.mlv(repo, "remote list").ok().out()).contains("endpoint_url=" + second.endpoint() + ", profile=mlv-test");
            assertThat(DataTestKit.mlv(repo, "remote list", "--json").ok().out()).contains("\"name\" : \"lake\"", "\"url\" : \"s3://lake/sets\"",
                    "\"profile\" : \"mlv-test\"");

            Path credentials = Files.writeString(tmp.resolve("aws-credentials"), "[mlv-test]\naws_access_key_id = "
                    + S3ProxyFixture.ACCESS_KEY + "\naws_secret_access_key = " + S3ProxyFixture.SECRET_KEY + "\n");
            Map<String, String> saved = new HashMap<>();
            for (String k : List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sharedCredentialsFile", "aws.configFile")) {
                saved.put(k, System.getProperty(k));
            }
            try {
                System.clearProperty("aws.accessKeyId");
                System.clearProperty("aws.secretAccessKey");
                System.setProperty("aws.sharedCredentialsFile", credentials.toString());
                System.setProperty("aws.configFile", tmp.resolve("no-aws-config").toString());
                assertThat(DataTestKit.mlv(repo, "push", "-r", "lake").ok().out()).contains("pushed 1 object(s)");
            } finally {
                saved.forEach((k, v) -> {
                    if (v == null) System.clearProperty(k);
                    else System.setProperty(k, v);
                });
            }
            String key = second.client().listObjectsV2(b -> b.bucket("lake")).contents().get(0).key();
            assertThat(key).startsWith("sets/sha256/");
            assertThat(S3.fixture().client().listBuckets().buckets()).noneMatch(b -> b.name().equals("lake"));

            DataTestKit.mlv(repo, "remote rename", "lake", "archive").ok();
            assertThat(DataTestKit.mlv(repo, "remote list").ok().out()).containsPattern("archive +s3://lake/sets +.*profile=mlv-test");
            DataTestKit.mlv(repo, "remote modify", "archive", "profile", "--unset").ok();
            assertThat(Files.readString(repo.resolve(".mlv/config"))).doesNotContain("profile");

            // remote://NAME/… sources are read with the remote's endpoint, which the environment does not name
            var lake = second.client();
            lake.putObject(b -> b.bucket("lake").key("sets/raw/iris.csv"), software.amazon.awssdk.core.sync.RequestBody.fromString("a,b\n1,2\n"));
            lake.putObject(b -> b.bucket("lake").key("sets/raw/more/x.csv"), software.amazon.awssdk.core.sync.RequestBody.fromString("x\n"));
            assertThat(DataTestKit.mlv(repo, "ls-url", "remote://archive/raw", "--size").ok().out().lines().toList())
                    .containsExactly(String.format("%-24s  iris.csv", "8 bytes"), String.format("%-24s  more/", "2 bytes, 1 file"));
            DataTestKit.mlv(repo, "import-url", "remote://archive/raw/iris.csv", "data/iris.csv").ok();
            assertThat(Files.readString(repo.resolve("data/iris.csv"))).isEqualTo("a,b\n1,2\n");
            assertThat(dev.mlv.data.PointerFile.read(repo.resolve("data/iris.csv.mlv")).external().etag())
                    .isEqualTo(lake.headObject(b -> b.bucket("lake").key("sets/raw/iris.csv")).eTag());
            lake.putObject(b -> b.bucket("lake").key("sets/raw/iris.csv"), software.amazon.awssdk.core.sync.RequestBody.fromString("a,b\n3,4\n"));
            assertThat(DataTestKit.mlv(repo, "status").ok().out()).contains("update available: data/iris.csv (remote://archive/raw/iris.csv changed");
            DataTestKit.mlv(repo, "update", "data/iris.csv").ok();
            assertThat(Files.readString(repo.resolve("data/iris.csv"))).isEqualTo("a,b\n3,4\n");
            DataTestKit.mlv(repo, "get-url", "remote://archive/raw", "copy").ok();
            assertThat(Files.readString(repo.resolve("copy/more/x.csv"))).isEqualTo("x\n");
            assertThat(DataTestKit.mlv(repo, "get-url", "s3://lake/sets/raw/iris.csv", "direct.csv").err())
                    .as("the same object without the remote's endpoint is not found").contains("mlv: error:");
        }
    }

    /** {@code import-url s3://bucket/key}: the object's ETag is the version; a new upload is an update. */
    @Test
    void importUrlFollowsAnObjectsEtag() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "import-url");
        var s3 = S3.fixture().client();
        s3.putObject(b -> b.bucket(BUCKET).key("lake/iris.csv"), software.amazon.awssdk.core.sync.RequestBody.fromString("a,b\n1,2\n"));
        String etag = s3.headObject(b -> b.bucket(BUCKET).key("lake/iris.csv")).eTag();
        DataTestKit.mlv(repo, "import-url", "s3://" + BUCKET + "/lake/iris.csv", "data/iris.csv").ok();
        assertThat(Files.readString(repo.resolve("data/iris.csv"))).isEqualTo("a,b\n1,2\n");
        dev.mlv.data.PointerFile.External e = dev.mlv.data.PointerFile.read(repo.resolve("data/iris.csv.mlv")).external();
        assertThat(e).isEqualTo(new dev.mlv.data.PointerFile.External("s3://" + BUCKET + "/lake/iris.csv", etag, null, 8L, null));
        assertThat(DataTestKit.mlv(repo, "status").ok().out()).contains("up to date");

        s3.putObject(b -> b.bucket(BUCKET).key("lake/iris.csv"), software.amazon.awssdk.core.sync.RequestBody.fromString("a,b\n1,2\n3,4\n"));
        assertThat(DataTestKit.mlv(repo, "status").ok().out()).contains("update available: data/iris.csv (s3://" + BUCKET + "/lake/iris.csv changed");
        assertThat(DataTestKit.mlv(repo, "update").ok().out()).contains("updated data/iris.csv.mlv");
        assertThat(Files.readString(repo.resolve("data/iris.csv"))).isEqualTo("a,b\n1,2\n3,4\n");

        DataTestKit.deleteTree(repo.resolve(".mlv/cache/sha256"));
        Files.delete(repo.resolve("data/iris.csv"));
        assertThat(DataTestKit.mlv(repo, "pull").ok().out()).contains("fetched 1 object(s), 12 bytes (imports' sources)");
        assertThat(DataTestKit.mlv(repo, "import-url", "s3://" + BUCKET + "/lake/nope.csv").err())
                .contains("No object at s3://" + BUCKET + "/lake/nope.csv");

        // a prefix is a folder: its objects' ETags make its version
        for (String k : List.of("shots/a.png", "shots/deep/b.png")) {
            s3.putObject(b -> b.bucket(BUCKET).key("lake/" + k), software.amazon.awssdk.core.sync.RequestBody.fromString(k));
        }
        DataTestKit.mlv(repo, "import-url", "s3://" + BUCKET + "/lake/shots/").ok();
        assertThat(Files.readString(repo.resolve("shots/deep/b.png"))).isEqualTo("shots/deep/b.png");
        dev.mlv.data.PointerFile shots = dev.mlv.data.PointerFile.read(repo.resolve("shots.mlv"));
        assertThat(shots.outs().get(0).nfiles()).isEqualTo(2);
        assertThat(shots.external().etag()).hasSize(64);
        assertThat(DataTestKit.mlv(repo, "status").ok().out()).contains("up to date");
        s3.putObject(b -> b.bucket(BUCKET).key("lake/shots/c.png"), software.amazon.awssdk.core.sync.RequestBody.fromString("c"));
        assertThat(DataTestKit.mlv(repo, "status").ok().out()).contains("update available: shots (s3://" + BUCKET + "/lake/shots/ changed");
        assertThat(DataTestKit.mlv(repo, "update", "shots").ok().out()).contains("updated shots.mlv");
        assertThat(Files.readString(repo.resolve("shots/c.png"))).isEqualTo("c");
        DataTestKit.deleteTree(repo.resolve(".mlv/cache/sha256"));
        DataTestKit.deleteTree(repo.resolve("shots"));
        assertThat(DataTestKit.mlv(repo, "pull").ok().out()).contains("fetched 4 object(s)");
        assertThat(Files.readString(repo.resolve("shots/deep/b.png"))).isEqualTo("shots/deep/b.png");
    }

    @Test
    void fullCycleThroughS3() throws Exception {
        DataTestKit.fullCycle(Files.createDirectories(tmp.resolve("cycle")), "s3://" + BUCKET + "/datasets");
    }

    @Test
    void aPushWithLostCacheObjectsSendsTheRestAndNamesThem() throws Exception {
        DataTestKit.pushWithLostCacheObjects(tmp, "s3://" + BUCKET + "/lost");
    }

    @Test
    void gcCloudRemovesFromTheBucketWhatNoPointerInScopeUses() throws Exception {
        var s3 = S3.fixture().client();
        DataTestKit.gcCloudCycle(Files.createDirectories(tmp.resolve("gc")), "s3://" + BUCKET + "/gc-cloud", () -> {
            java.util.Set<String> keys = new java.util.HashSet<>();
            for (var o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("gc-cloud/")).contents()) keys.add(o.key());
            return keys;
        });
    }
}
