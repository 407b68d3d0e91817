package org.flowkernels.cli;

/**
 * Ctrl-C (SIGINT, and SIGTERM) during a long run: the run works in chunks and asks
 * {@link #requested()} between them, so the signal stops it after the chunk in flight; the
 * command then prints and writes what it has computed, and the JVM's shutdown waits (up to
 * 30 s) until {@link Main#run} has finished, error messages included, before it exits. The
 * process then exits with the signal's status (130 for SIGINT, 143 for SIGTERM).
 */
final class Interrupt {
    private static final Object LOCK = new Object();
    private static boolean hooked, running, requested;

    private Interrupt() {}

    /** Catches the shutdown signal until {@link #release()}. */
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

    /** Whether the signal came: stop after the current chunk. */
    boolean requested() {
        synchronized (LOCK) {
            return requested;
        }
    }

    /** The command is done (results written, errors printed): a pending shutdown may go on. */
    static void release() {
        synchronized (LOCK) {
            running = false;
            LOCK.notifyAll();
        }
    }
}
