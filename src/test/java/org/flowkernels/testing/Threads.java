package org.flowkernels.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** For the concurrency contract tests: callers sharing a backend and a module at once. */
public final class Threads {
    private Threads() {}

    /** Runs the tasks at once, a thread each, waits for all, and rethrows the first failure as itself. */
    public static void runConcurrently(List<? extends Callable<?>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Callable<?> t : tasks) futures.add(pool.submit(t));
            for (Future<?> f : futures)
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) throw err;
                    if (e.getCause() instanceof Exception ex) throw ex;
                    throw e;
                }
        } finally {
            pool.shutdownNow();
        }
    }
}
