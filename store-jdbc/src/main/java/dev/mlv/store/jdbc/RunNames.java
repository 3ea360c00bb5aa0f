package dev.mlv.store.jdbc;

import java.util.Random;

/** Random run names in MLflow's style: {@code <adjective>-<noun>-<number>}, e.g. {@code bright-owl-417}. */
final class RunNames {
    private static final String[] ADJECTIVES = {"able", "amazing", "bold", "brave", "bright", "calm", "clean", "clever",
            "crisp", "dapper", "eager", "fair", "fast", "gentle", "glad", "grand", "happy", "honest", "jolly", "keen",
            "kind", "lucky", "merry", "neat", "nimble", "polite", "proud", "quick", "quiet", "rare", "sharp", "shy",
            "silent", "sleek", "smart", "steady", "sunny", "swift", "tidy", "upbeat", "valiant", "vivid", "warm", "wise"};
    private static final String[] NOUNS = {"ant", "bass", "bat", "bear", "bee", "bird", "carp", "cat", "colt", "crab",
            "crane", "deer", "doe", "dove", "duck", "eel", "elk", "finch", "fox", "frog", "goat", "gull", "hare", "hawk",
            "hen", "horse", "jay", "koi", "lark", "lynx", "mole", "moth", "newt", "owl", "ox", "panda", "pig", "ram",
            "seal", "shrew", "skunk", "sow", "squid", "stag", "swan", "toad", "trout", "whale", "wolf", "wren", "yak"};

    private RunNames() {
    }

    static String generate(Random random) {
        return ADJECTIVES[random.nextInt(ADJECTIVES.length)] + "-" + NOUNS[random.nextInt(NOUNS.length)] + "-"
                + random.nextInt(1000);
    }
}
