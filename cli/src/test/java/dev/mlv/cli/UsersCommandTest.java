package dev.mlv.cli;

import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.permissions.ResourceType;
import dev.mlv.server.auth.UsersFile;
import dev.mlv.store.jdbc.JdbcMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv users add}: a PBKDF2 hash per user in the users file, a password change replacing it. */
class UsersCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String stdin, String... args) {
        return InProcessCli.run(stdin, args);
    }

    @Test
    void removingAUserRemovesTheirGrantsFromTheDatabaseInTheSameStep() throws Exception {
        Path file = dir.resolve("users");
        run("pw\n", "users", "add", "alice", "--auth-file", file.toString(), "--password-stdin");
        run("pw\n", "users", "add", "bob", "--auth-file", file.toString(), "--password-stdin");
        String db = "sqlite:///" + dir.resolve("mlv.db");
        try (JdbcMetadataStore store = JdbcMetadataStore.open(db, dir.resolve("artifacts").toString())) {
            store.permissions().create(new Grant(ResourceType.EXPERIMENT, "1", "alice", Permission.EDIT), "root");
            store.permissions().create(new Grant(ResourceType.REGISTERED_MODEL, "fraud", "alice", Permission.MANAGE), "root");
            store.permissions().create(new Grant(ResourceType.EXPERIMENT, "1", "bob", Permission.READ), "root");
        }

        String[] removed = run("", "users", "remove", "alice", "--auth-file", file.toString(), "--backend-store-uri", db);
        assertThat(removed[0]).as(removed[2]).isEqualTo("0");
        assertThat(removed[1]).isEqualTo("Removed user alice from " + file + " and their 2 permission grants from " + db + "\n");
        assertThat(UsersFile.read(file).names()).containsExactly("bob");
        try (JdbcMetadataStore store = JdbcMetadataStore.open(db, dir.resolve("artifacts").toString())) {
            assertThat(store.permissions().grantsOf("alice")).isEmpty();
            assertThat(store.permissions().grantsOf("bob")).hasSize(1);
            assertThat(store.registry().auditEvents(null, 100, null).items()).filteredOn(e -> e.action().equals("permission.delete")).hasSize(2);
        }

        // an unknown user changes nothing, in the file or the database
        String[] unknown = run("", "users", "remove", "carol", "--auth-file", file.toString(), "--backend-store-uri", db);
        assertThat(unknown[0]).isEqualTo("1");
        assertThat(unknown[2]).startsWith("mlv: error: No user 'carol'");
        // without a database named (and not the default layout), the user goes and the grants' fate is said
        assertThat(run("", "users", "remove", "bob", "--auth-file", file.toString())[1])
                .contains("Removed user bob from " + file + " (their permission grants stay", "--backend-store-uri");
    }

    @Test
    void addsAUserThenChangesTheirPassword() throws Exception {
        Path file = dir.resolve("conf/users");
        String[] added = run("first password\n", "users", "add", "alice", "--auth-file", file.toString(), "--password-stdin");
        assertThat(added[0]).as(added[2]).isEqualTo("0");
        assertThat(added[1]).startsWith("Added user alice in " + file).contains("--auth-file");
        assertThat(UsersFile.read(file).authenticate("alice", "first password")).contains("alice");

        String[] changed = run("second\n", "users", "add", "alice", "--auth-file", file.toString(), "--password-stdin");
        assertThat(changed[1]).startsWith("Changed the password of alice");
        UsersFile users = UsersFile.read(file);
        assertThat(users.size()).isEqualTo(1);
        assertThat(users.authenticate("alice", "first password")).isEmpty();
        assertThat(users.authenticate("alice", "second")).contains("alice");
        assertThat(Files.readString(file)).doesNotContain("second").contains("$" + UsersFile.DEFAULT_ITERATIONS + "$");

        String[] bad = run("pw\n", "users", "add", "al ice", "--auth-file", file.toString(), "--password-stdin");
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[2]).startsWith("mlv: error: Invalid user name");

        run("bob's password\n", "users", "add", "bob", "--auth-file", file.toString(), "--password-stdin");
        assertThat(run("", "users", "list", "--auth-file", file.toString())[1]).isEqualTo("alice\nbob\n");
        assertThat(run("", "users", "remove", "alice", "--auth-file", file.toString())[1]).startsWith("Removed user alice");
        assertThat(UsersFile.read(file).names()).containsExactly("bob");
        String[] gone = run("", "users", "remove", "alice", "--auth-file", file.toString());
        assertThat(gone[0]).isEqualTo("1");
        assertThat(gone[2]).startsWith("mlv: error: No user 'alice'");
    }

    @Test
    void administratorsAreMarkedInTheFileAndKeepTheirRoleThroughAPasswordChange() throws Exception {
        Path file = dir.resolve("users");
        run("pw\n", "users", "add", "root", "--admin", "--auth-file", file.toString(), "--password-stdin");
        run("pw\n", "users", "add", "dev", "--auth-file", file.toString(), "--password-stdin");
        assertThat(run("", "users", "list", "--auth-file", file.toString())[1]).isEqualTo("root (admin)\ndev\n");
        assertThat(Files.readString(file)).containsPattern("(?m)^root:pbkdf2_sha256\\$[^:]+:admin$");

        run("new pw\n", "users", "add", "root", "--auth-file", file.toString(), "--password-stdin");
        assertThat(UsersFile.read(file).isAdmin("root")).isTrue();
        assertThat(UsersFile.read(file).authenticate("root", "new pw")).contains("root");

        assertThat(run("", "users", "set-admin", "root", "false", "--auth-file", file.toString())[1])
                .isEqualTo("root is no longer an administrator\n");
        assertThat(run("", "users", "set-admin", "dev", "true", "--auth-file", file.toString())[0]).isEqualTo("0");
        assertThat(UsersFile.read(file).isAdmin("root")).isFalse();
        assertThat(UsersFile.read(file).isAdmin("dev")).isTrue();
        String[] unknown = run("", "users", "set-admin", "ghost", "true", "--auth-file", file.toString());
        assertThat(unknown[0]).isEqualTo("1");
        assertThat(unknown[2]).startsWith("mlv: error: No user 'ghost'");

        Files.writeString(file, Files.readString(file).replace(":admin", ":owner"));
        assertThat(run("", "users", "list", "--auth-file", file.toString())[2]).contains("Malformed line 2", "[:admin]");
    }
}
