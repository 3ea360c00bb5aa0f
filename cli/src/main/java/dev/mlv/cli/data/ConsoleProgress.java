package dev.mlv.cli.data;

import dev.mlv.data.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * Messages and progress bars on stderr. Bars only when stderr is a terminal (and the task is big enough to be worth
 * one); messages always.
 */
public final class ConsoleProgress implements Progress {
    private static final long MIN_BYTES = 32L << 20;
    private static final long MIN_ITEMS = 200;
    private final PrintWriter err;
    private final boolean terminal;

    public ConsoleProgress(PrintWriter err) {
        this.err = err;
        this.terminal = System.console() != null && System.getenv("MLV_NO_PROGRESS") == null;
    }

    @Override
    public void message(String line) {
        err.println("mlv: " + line);
        err.flush();
    }

    @Override
    public Task start(String name, long total, boolean bytes) {
        if (!terminal || total < (bytes ? MIN_BYTES : MIN_ITEMS)) return SILENT.start(name, total, bytes);
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(name).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
                .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true)))
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS).showSpeed().setMaxRenderedLength(100);
        if (bytes) b.setUnit("MiB", 1 << 20);
        ProgressBar bar = b.build();
        return new Task() {
            @Override
            public void advance(long units) {
                bar.stepBy(units);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

}
