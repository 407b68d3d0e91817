package org.flowkernels.backend.cpu;

import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.BackendProvider;
import org.flowkernels.DeviceInfo;

/** The Java CPU backend, always there: one device named "cpu". */
public final class CpuProvider implements BackendProvider {
    @Override public String kind() { return "cpu"; }

    @Override public int rank() { return 2; }

    @Override public Discovery discover() { return new Discovery(List.of(CpuBackend.describe(CpuBackend.defaultThreads(), BlockOps.CHOSEN)), ""); }

    @Override public String name(int index) { return "cpu"; }

    @Override public Backend open(int index) { return new CpuBackend(); }

    /** The CPU is the fallback, never an automatic choice over a GPU. */
    @Override public boolean automatic(DeviceInfo device) { return false; }
}
