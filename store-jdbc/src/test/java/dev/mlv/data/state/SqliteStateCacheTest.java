package dev.mlv.data.state;

import dev.mlv.data.StateCache;
import dev.mlv.data.StateCacheContractTest;

import java.nio.file.Path;

class SqliteStateCacheTest extends StateCacheContractTest {
    @Override
    protected StateCache open(Path dir) {
        return SqliteStateCache.inDirectory(dir);
    }
}
