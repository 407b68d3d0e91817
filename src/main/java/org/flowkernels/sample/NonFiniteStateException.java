package org.flowkernels.sample;

/**
 * A chain proposed a state with an infinite or NaN coordinate (the step size is too large for
 * the drift, or the drift itself is not finite there). The chain was frozen at its last finite
 * state; the run stops, and what it computed so far can still be read from it.
 */
public final class NonFiniteStateException extends ArithmeticException {
    private final int chain, step, chainsAffected;

    NonFiniteStateException(int chain, int step, int chainsAffected) {
        super("chain " + chain + " produced a non-finite state at step " + step + (chainsAffected > 1
                ? " (" + chainsAffected + " chains in all)" : "")
                + "; the step size is too large for the drift, or the drift is not finite there. The run stopped; "
                + "its states and statistics up to this launch can still be read");
        this.chain = chain;
        this.step = step;
        this.chainsAffected = chainsAffected;
    }

    /** The first chain (by index) that went non-finite at the earliest step. */
    public int chain() { return chain; }

    /** The global step (from 0, warm-up included) of that proposal. */
    public int step() { return step; }

    public int chainsAffected() { return chainsAffected; }
}
