package dev.mlv.s3;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3LocationTest {

    @Test
    void parsesBucketAndPrefix() {
        S3Location loc = S3Location.parse("s3://my-bucket/team//models/");
        assertThat(loc.bucket()).isEqualTo("my-bucket");
        assertThat(loc.prefix().toString()).isEqualTo("team/models");
        assertThat(loc.uri()).isEqualTo("s3://my-bucket/team/models");
        assertThat(loc.key(ArtifactPath.parse("a/b.txt"))).isEqualTo("team/models/a/b.txt");
        assertThat(loc.directoryKey(ArtifactPath.ROOT)).isEqualTo("team/models/");
        assertThat(loc.relativePath("team/models/a/b.txt")).isEqualTo(ArtifactPath.parse("a/b.txt"));
        assertThat(loc.resolve(ArtifactPath.parse("x")).uri()).isEqualTo("s3://my-bucket/team/models/x");
    }

    @Test
    void wholeBucket() {
        S3Location loc = S3Location.parse("S3://bucket.v2");
        assertThat(loc.prefix().isRoot()).isTrue();
        assertThat(loc.key(ArtifactPath.parse("f"))).isEqualTo("f");
        assertThat(loc.directoryKey(ArtifactPath.ROOT)).isEmpty();
        assertThat(loc.directoryKey(ArtifactPath.parse("d"))).isEqualTo("d/");
        assertThat(loc.uri()).isEqualTo("s3://bucket.v2");
    }

    @Test
    void rejectsBadUrisWithInvalidParameterValue() {
        for (String bad : new String[]{"http://b/x", "s3://", "s3:///x", "s3://Upper/x", "s3://ab", "s3://a..b/x",
                "s3://bucket/../x", "s3://bucket/a/%2e%2e/b", "s3://bucket/a\\b", "s3://-bucket/x", null}) {
            assertThatThrownBy(() -> S3Location.parse(bad)).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(MlvException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        }
    }

    @Test
    void keysOutsideThePrefixAreRefused() {
        S3Location loc = S3Location.parse("s3://bucket/p");
        assertThatThrownBy(() -> loc.relativePath("other/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loc.relativePath("px/y")).isInstanceOf(IllegalArgumentException.class);
    }
}
