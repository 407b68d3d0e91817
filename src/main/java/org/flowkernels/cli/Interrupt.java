package org.flowkernels.cli;

/**
 * Ctrl-C for long runs: a run works in chunks and asks {@link #requested()} between them, so
 * the first Ctrl-C stops it after the chunk in flight; the command then writes what it has
 * computed, and {@link #close()} lets the JVM finish exiting (it waits up to 30 s for that).
 * One run at a time.
 */
final class Interrupt implements AutoCloseable {
    private static final Object LOCK = new Object();
    private static boolean hooked, running, requested;

    private Interrupt() {}

    /** Catches Ctrl-C (the JVM's shutdown) until closed. */
    static Interrupt arm() {
        synchronized (LOCK) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(Interrupt::onShutdown, "flowkernels-ctrl-c"));
                hooked = true;
            }
            running = true;
            requested = false;
        }
        return new Interrupt();
    }

    private static void onShutdown() {
        synchronized (LOCK) {
            if (!running) return;
            requested = true;
            System.err.println("\nflowkernels: interrupted; finishing the current chunk and writing the results so far...");
            long end = System.currentTimeMillis() + 30_000;
            try {
                for (long left; running && (left = end - System.currentTimeMillis()) > 0; ) LOCK.wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether Ctrl-C was pressed: stop after the current chunk. */
    boolean requested() {
        synchronized (LOCK) {
            return requested;
        }
    }

    /** The results are written: a pending Ctrl-C may exit now. */
    @Override
    public void close() {
        synchronized (LOCK) {
            running = false;
            LOCK.notifyAll();
        }
    }
}
