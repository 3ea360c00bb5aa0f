package dev.mlv.data;

/** How long operations report to the user: one-line messages and progress of counted work (objects or bytes). */
public interface Progress {

    /** A line for the user (e.g. on stderr). */
    void message(String line);

    /** Starts a counted task of {@code total} units; {@code bytes} says whether units are bytes. */
    Task start(String name, long total, boolean bytes);

    interface Task extends AutoCloseable {
        void advance(long units);

        @Override
        void close();
    }

    Progress SILENT = new Progress() {
        @Override
        public void message(String line) {
        }

        @Override
        public Task start(String name, long total, boolean bytes) {
            return new Task() {
                @Override
                public void advance(long units) {
                }

                @Override
                public void close() {
                }
            };
        }
    };
}
