package dev.mlv.data;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A remote opened with a {@code jobs} option passes the whole contract, as the remote itself does. */
class LocalRemoteWithJobsTest extends RemoteContractTest {
    @Override
    protected Remote newRemote() {
        return Remotes.open(tmp.resolve("remote").toString(), Map.of(Remotes.JOBS, "3"));
    }

    @Test
    void onlyItsParallelismDiffers() {
        assertThat(remote).isInstanceOf(Remotes.WithJobs.class);
        assertThat(remote.parallelism()).isEqualTo(3);
        assertThat(remote.localFile(Digests.sha256(new byte[0]))).isNotNull(); // a folder's objects are still copied in place
        for (Method m : Remote.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) continue;
            assertThat(declares(m)).as("WithJobs passes %s on to the remote", m.getName()).isTrue();
        }
    }

    private static boolean declares(Method m) {
        try {
            Remotes.WithJobs.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
