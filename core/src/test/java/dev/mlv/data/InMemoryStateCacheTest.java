package dev.mlv.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

class InMemoryStateCacheTest extends StateCacheContractTest {
    private final Map<Path, StateCache> byFolder = new HashMap<>();

    @Override
    protected StateCache open(Path dir) {
        return byFolder.computeIfAbsent(dir, d -> StateCache.inMemory()); // "storage" lives as long as the test
    }
}
