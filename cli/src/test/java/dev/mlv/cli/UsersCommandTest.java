package dev.mlv.cli;

import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.permissions.ResourceType;
import dev.mlv.users.PasswordHash;
import dev.mlv.users.User;
import dev.mlv.users.UsersFile;
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
        assertThat(new UsersFile(file).list()).extracting(User::name).containsExactly("bob");
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
        assertThat(new UsersFile(file).get("alice").orElseThrow().matches("first password")).isTrue();

        String[] changed = run("second\n", "users", "add", "alice", "--auth-file", file.toString(), "--password-stdin");
        assertThat(changed[1]).startsWith("Changed the password of alice");
        assertThat(new UsersFile(file).list()).hasSize(1);
        User alice = new UsersFile(file).get("alice").orElseThrow();
        assertThat(alice.matches("first password")).isFalse();
        assertThat(alice.matches("second")).isTrue();
        assertThat(Files.readString(file)).doesNotContain("second").contains("$" + PasswordHash.DEFAULT_ITERATIONS + "$");

        String[] bad = run("pw\n", "users", "add", "al ice", "--auth-file", file.toString(), "--password-stdin");
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[2]).startsWith("mlv: error: Invalid user name");

        run("bob's password\n", "users", "add", "bob", "--auth-file", file.toString(), "--password-stdin");
        assertThat(run("", "users", "list", "--auth-file", file.toString())[1]).isEqualTo("alice\nbob\n");
        assertThat(run("", "users", "remove", "alice", "--auth-file", file.toString())[1]).startsWith("Removed user alice");
        assertThat(new UsersFile(file).list()).extracting(User::name).containsExactly("bob");
        String[] gone = run("", "users", "remove", "alice", "--auth-file", file.toString());
        assertThat(gone[0]).isEqualTo("1");
        assertThat(gone[2]).startsWith("mlv: error: No user 'alice'");
    }

    @Test
    void administratorsAreMarkedInTheFileAndKeepTheirRoleThroughAPasswordChange() throws Exception {
        Path file = dir.resolve("users");
        run("pw\n", "users", "add", "root", "--admin", "--auth-file", file.toString(), "--password-stdin");
        run("pw\n", "users", "add", "dev", "--auth-file", file.toString(), "--password-stdin");
        assertThat(run("", "users", "list", "--auth-file", file.toString())[1]).isEqualTo("dev\nroot (admin)\n");
        assertThat(Files.readString(file)).containsPattern("(?m)^root:pbkdf2_sha256\\$[^:]+:admin$");

        run("new pw\n", "users", "add", "root", "--auth-file", file.toString(), "--password-stdin");
        assertThat(new UsersFile(file).get("root").orElseThrow().admin()).isTrue();
        assertThat(new UsersFile(file).get("root").orElseThrow().matches("new pw")).isTrue();

        assertThat(run("", "users", "set-admin", "root", "false", "--auth-file", file.toString())[1])
                .isEqualTo("root is no longer an administrator\n");
        assertThat(run("", "users", "set-admin", "dev", "true", "--auth-file", file.toString())[0]).isEqualTo("0");
        assertThat(new UsersFile(file).get("root").orElseThrow().admin()).isFalse();
        assertThat(new UsersFile(file).get("dev").orElseThrow().admin()).isTrue();
        String[] unknown = run("", "users", "set-admin", "ghost", "true", "--auth-file", file.toString());
        assertThat(unknown[0]).isEqualTo("1");
        assertThat(unknown[2]).startsWith("mlv: error: No user 'ghost'");

        Files.writeString(file, Files.readString(file).replace(":admin", ":owner"));
        assertThat(run("", "users", "list", "--auth-file", file.toString())[2]).contains("Malformed line", "[:admin]");
    }

    @Test
    void usersInTheDatabaseWithTheirGrantsAndAnImportFromAFile() throws Exception {
        String db = "sqlite:///" + dir.resolve("team.db");
        String[] added = run("root pw\n", "users", "add", "root", "--admin", "--backend-store-uri", db, "--password-stdin");
        assertThat(added[0]).as(added[2]).isEqualTo("0");
        assertThat(added[1]).isEqualTo("Added user root in " + db + " (start the server with --auth)\n");
        run("bob pw\n", "users", "add", "bob", "--backend-store-uri", db, "--password-stdin");
        run("bob new\n", "users", "add", "bob", "--backend-store-uri", db, "--password-stdin");
        assertThat(run("", "users", "list", "--backend-store-uri", db)[1]).isEqualTo("bob\nroot (admin)\n");
        try (JdbcMetadataStore store = JdbcMetadataStore.open(db, dir.resolve("artifacts").toString())) {
            assertThat(store.users().get("bob").orElseThrow().matches("bob new")).isTrue();
            store.permissions().create(new Grant(ResourceType.EXPERIMENT, "1", "bob", Permission.EDIT), "root");
        }

        assertThat(run("", "users", "remove", "bob", "--backend-store-uri", db)[1])
                .isEqualTo("Removed user bob and their 1 permission grant from " + db + "\n");
        String[] again = run("", "users", "remove", "bob", "--backend-store-uri", db);
        assertThat(again[0]).isEqualTo("1");
        assertThat(again[2]).startsWith("mlv: error: No user 'bob' in " + db);
        assertThat(run("", "users", "set-admin", "ghost", "true", "--backend-store-uri", db)[2]).startsWith("mlv: error: No user 'ghost'");

        // --home names a server's home, as 'mlv server --home' does: its database is DIR/mlv.db
        Path serverHome = dir.resolve("server-home");
        assertThat(run("pw\n", "users", "add", "ops", "--home", serverHome.toString(), "--password-stdin")[1])
                .isEqualTo("Added user ops in sqlite:///" + serverHome.resolve("mlv.db") + " (start the server with --auth)\n");

        // a users file moves into the database with its hashes: the same passwords work, nobody is asked for them
        Path file = dir.resolve("users");
        run("carol pw\n", "users", "add", "carol", "--admin", "--auth-file", file.toString(), "--password-stdin");
        run("other\n", "users", "add", "root", "--auth-file", file.toString(), "--password-stdin");
        String[] imported = run("", "users", "import", file.toString(), "--backend-store-uri", db);
        assertThat(imported[0]).as(imported[2]).isEqualTo("0");
        assertThat(imported[1]).isEqualTo("Kept root: already a user\nImported 1 of 2 users from " + file + " into " + db
                + " (start the server with --auth)\n");
        try (JdbcMetadataStore store = JdbcMetadataStore.open(db, dir.resolve("artifacts").toString())) {
            User carol = store.users().get("carol").orElseThrow();
            assertThat(carol.matches("carol pw")).isTrue();
            assertThat(carol.admin()).isTrue();
            assertThat(store.users().get("root").orElseThrow().matches("root pw")).as("the database's root is kept").isTrue();
            assertThat(store.permissions().grantsOf("bob")).isEmpty();
            assertThat(store.registry().auditEvents(null, 100, null).items()).extracting(e -> e.action())
                    .containsSubsequence("user.create", "user.create", "user.update", "permission.create", "user.delete", "user.create");
        }
    }
}
