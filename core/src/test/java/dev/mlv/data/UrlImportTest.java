package dev.mlv.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of {@code import-url} that need no source: output names, folder versions, URL checks. */
class UrlImportTest {
    @Test
    void theOutputIsNamedAfterTheUrlsLastSegment() {
        assertThat(UrlImport.lastSegment("https://h/a/train%20set.csv?sig=x")).isEqualTo("train set.csv");
        assertThat(UrlImport.lastSegment("s3://bucket/lake/shots/")).isEqualTo("shots");
        assertThat(UrlImport.lastSegment("https://h/a+b.csv")).isEqualTo("a+b.csv");
        assertThat(UrlImport.lastSegment("https://h/")).isNull();
        assertThat(UrlImport.lastSegment("s3://bucket")).isNull();
    }

    @Test
    void aFoldersVersionDependsOnEveryFileButNotOnListingOrder() {
        var a = new UrlReader.Listed("a.csv", new UrlReader.Version("\"1\"", null, 3L, null));
        var b = new UrlReader.Listed("d/b.csv", new UrlReader.Version("\"2\"", null, 4L, null));
        var b2 = new UrlReader.Listed("d/b.csv", new UrlReader.Version("\"3\"", null, 4L, null));
        String tag = UrlImport.listingTag(List.of(a, b));
        assertThat(tag).hasSize(64).isEqualTo(UrlImport.listingTag(List.of(b, a)));
        assertThat(UrlImport.listingTag(List.of(a, b2))).isNotEqualTo(tag);
        assertThat(UrlImport.listingTag(List.of(a))).isNotEqualTo(tag);
    }

    @Test
    void urlsAreCheckedBeforeAnythingIsRead() {
        assertThatThrownBy(() -> UrlReaders.of("http://h/x\0")).hasMessageContaining("Invalid source URL");
        assertThatThrownBy(() -> UrlReaders.of("https://user:pw@h/x")).hasMessageContaining("holds credentials").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> UrlReaders.of("https:///x")).hasMessageContaining("no host");
        assertThatThrownBy(() -> UrlReaders.of("https://h/x y")).hasMessageContaining("Invalid URL");
        assertThatThrownBy(() -> UrlReaders.of("gopher://h/x")).hasMessageContaining("no reader for scheme 'gopher'");
        assertThat(UrlReaders.of("https://h/x.csv").schemes()).contains("https");
        assertThat(UrlReaders.of("/tmp/x.csv").schemes()).contains("file");
    }
}
