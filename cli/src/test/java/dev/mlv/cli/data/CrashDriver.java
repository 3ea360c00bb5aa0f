package dev.mlv.cli.data;

import dev.mlv.cli.Main;

/** Runs {@code mlv data add TARGETS…} then {@code mlv data push} in one JVM; the crash test kills it. */
public final class CrashDriver {
    public static void main(String[] args) {
        String dir = args[0];
        String[] add = new String[args.length + 3];
        add[0] = "data";
        add[1] = "add";
        add[2] = "-C";
        add[3] = dir;
        System.arraycopy(args, 1, add, 4, args.length - 1);
        int code = Main.run(add);
        if (code == 0) code = Main.run("data", "push", "-C", dir);
        System.exit(code);
    }
}
