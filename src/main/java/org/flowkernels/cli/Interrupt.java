package org.flowkernels.cli;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C: long runs work in chunks and ask {@link #requested()} between chunks, so the first
 * Ctrl-C stops the run after the chunk in flight and the command writes what it has computed
 * so far; the JVM waits (briefly) for that before exiting.
 */
final class Interrupt {
    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static final Object DONE = new Object();
    private static volatile boolean running;

    private Interrupt() {}

    /** Installs the hook for the duration of a long run. */
    static void arm() {
        running = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!running) return;
            REQUESTED.set(true);
            System.err.println("\nflowkernels: interrupted; finishing the current chunk and writing results...");
            synchronized (DONE) {
                try {
                    DONE.wait(30_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "flowkernels-ctrl-c"));
    }

    static boolean requested() { return REQUESTED.get(); }

    /** The run has written its results: let a pending Ctrl-C exit. */
    static void finished() {
        running = false;
        synchronized (DONE) {
            DONE.notifyAll();
        }
    }
}
