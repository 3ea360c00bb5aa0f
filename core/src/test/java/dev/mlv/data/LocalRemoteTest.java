package dev.mlv.data;

class LocalRemoteTest extends RemoteContractTest {
    @Override
    protected Remote newRemote() {
        return new LocalRemote(tmp.resolve("remote"));
    }
}
