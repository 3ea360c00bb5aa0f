package dev.mlv.client.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialsTest {
    static final String ALICE = Credentials.basic("alice", "pw");

    @TempDir
    Path dir;

    @Test
    void theTrackingServerGetsTheMlvOrMlflowVariables() {
        assertThat(Credentials.forTrackingServer("http://any:5000", Map.of("MLV_TRACKING_USERNAME", "alice", "MLV_TRACKING_PASSWORD", "pw")::get))
                .contains(ALICE);
        assertThat(Credentials.forTrackingServer("http://any:5000", Map.of("MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", "pw")::get))
                .contains(ALICE);
        assertThat(Credentials.forTrackingServer("http://any:5000", Map.of("MLFLOW_TRACKING_USERNAME", "alice")::get)).isEmpty();
        assertThat(Credentials.basic("u", "p")).isEqualTo("Basic dTpw");
        assertThat(Credentials.forTrackingServer("http://any:5000", Map.of("MLFLOW_TRACKING_TOKEN", "t0k")::get)).contains("Bearer t0k");
        assertThat(Credentials.forTrackingServer("http://any:5000", Map.of("MLV_TRACKING_TOKEN", "a", "MLFLOW_TRACKING_TOKEN", "b")::get))
                .contains("Bearer a");
        assertThat(Credentials.forTrackingServer("http://any:5000", Map.of("MLFLOW_TRACKING_TOKEN", "t0k",
                "MLV_TRACKING_USERNAME", "alice", "MLV_TRACKING_PASSWORD", "pw")::get)).as("user and password first").contains(ALICE);
    }

    @Test
    void aServerFromARepositoryGetsTheVariablesOnlyWhenItIsTheTrackingServer() {
        Map<String, String> env = Map.of("MLV_TRACKING_URI", "http://MLV.example.com:80/",
                "MLV_TRACKING_USERNAME", "alice", "MLV_TRACKING_PASSWORD", "pw", "NETRC", dir.resolve("none").toString());
        assertThat(Credentials.forConfiguredServer("http://mlv.example.com", env::get)).contains(ALICE);
        assertThat(Credentials.forConfiguredServer("http://mlv.example.com:80", env::get)).contains(ALICE);
        assertThat(Credentials.forConfiguredServer("http://evil.example.com", env::get)).isEmpty();
        assertThat(Credentials.forConfiguredServer("http://mlv.example.com:8080", env::get)).isEmpty();
        assertThat(Credentials.forConfiguredServer("https://mlv.example.com", env::get)).isEmpty();
        assertThat(Credentials.forConfiguredServer("http://mlv.example.com.evil.org", env::get)).isEmpty();
        // without a tracking URI it is the default one, http://127.0.0.1:5000
        Map<String, String> noUri = Map.of("MLV_TRACKING_USERNAME", "alice", "MLV_TRACKING_PASSWORD", "pw",
                "NETRC", dir.resolve("none").toString());
        assertThat(Credentials.forConfiguredServer("http://127.0.0.1:5000", noUri::get)).contains(ALICE);
        assertThat(Credentials.forConfiguredServer("http://127.0.0.1:5001", noUri::get)).isEmpty();
    }

    @Test
    void netrcGivesEachHostItsOwnCredentials() throws IOException {
        Path netrc = Files.writeString(dir.resolve("netrc"), """
                machine tracking.example.com login alice password pw
                macdef init
                machine fake.example.com login mallory password stolen

                machine data.example.com
                  login bob
                  password data-pw
                default login anonymous password guest
                """);
        Map<String, String> env = Map.of("NETRC", netrc.toString());
        assertThat(Credentials.forTrackingServer("https://tracking.example.com", env::get)).contains(ALICE);
        assertThat(Credentials.forConfiguredServer("http://DATA.example.com:8080", env::get)).contains(Credentials.basic("bob", "data-pw"));
        assertThat(Credentials.forConfiguredServer("http://fake.example.com", env::get)).contains(Credentials.basic("anonymous", "guest"));
        // the variables win over netrc
        Map<String, String> both = Map.of("NETRC", netrc.toString(), "MLV_TRACKING_USERNAME", "carol", "MLV_TRACKING_PASSWORD", "x");
        assertThat(Credentials.forTrackingServer("https://tracking.example.com", both::get)).contains(Credentials.basic("carol", "x"));

        Path noDefault = Files.writeString(dir.resolve("netrc2"), "machine data.example.com login bob\n");
        assertThat(Credentials.fromNetrc("http://data.example.com", Map.of("NETRC", noDefault.toString())::get)).isEmpty();
        assertThat(Credentials.fromNetrc("http://other.example.com", Map.of("NETRC", noDefault.toString())::get)).isEmpty();
        assertThat(Credentials.fromNetrc("http://data.example.com", Map.of("NETRC", dir.resolve("missing").toString())::get)).isEmpty();
    }
}
