package dev.mlv.users;

import dev.mlv.errors.ErrorCode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The user contract on a users file, and what only a file has: comments kept, owner-only mode, malformed lines. */
class UsersFileTest extends UserStoreContractTest {
    private Path file;

    @Override
    protected UserStore newStore(Path dir, List<AutoCloseable> closeAfter) throws Exception {
        file = dir.resolve("users");
        Files.writeString(file, "# team users\n\n");
        return new UsersFile(file);
    }

    @Test
    void keepsCommentsAndIsReadableByItsOwnerOnly() throws Exception {
        users.create(User.withPassword(id + "-a", "pw", FAST, true), "root");
        assertThat(Files.readString(file)).startsWith("# team users\n\n").contains(id + "-a:pbkdf2_sha256$").contains(":admin\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aMalformedFileIsRefusedNamingTheLineAndNeverRewritten() throws Exception {
        Path broken = file.resolveSibling("broken-" + id);
        String text = "alice:pbkdf2_sha256$1000$c2FsdA==$aGFzaA==\nbob:plaintext\n";
        Files.writeString(broken, text);
        UsersFile f = new UsersFile(broken);
        assertThat(error(f::list).getMessage()).contains("line 2").contains("mlv users add");
        assertThat(error(() -> f.create(User.withPassword("carol", "pw", FAST, false), "root")).code())
                .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(Files.readString(broken)).isEqualTo(text);
        assertThat(new UsersFile(file.resolveSibling("missing-" + id)).list()).as("a missing file has no users").isEmpty();
    }
}
