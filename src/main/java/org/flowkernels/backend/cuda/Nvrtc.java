package org.flowkernels.backend.cuda;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;
import jcuda.nvrtc.nvrtcResult;
import org.flowkernels.backend.device.UserProgram;

/**
 * NVRTC, CUDA's run-time compiler, through JCuda's jnvrtc: builds a user's snippet (the library's
 * kernel program with the user's functions, {@link UserProgram}) to PTX for the device, which
 * the driver then loads like the fatbin. JCuda 12.0.0's jnvrtc needs libnvrtc.so.12 (CUDA 12);
 * a CUDA 13 machine has libnvrtc.so.13 instead, and then user snippets cannot run on CUDA: the
 * backend says exactly that ({@link #unavailableReason()}), and never falls back to another backend.
 */
final class Nvrtc {
    private Nvrtc() {}

    /** The soname JCuda 12.0.0's jnvrtc links against. */
    static final String NEEDED = "libnvrtc.so.12";

    private static volatile String reason;

    /** Null when NVRTC loads; else why not, in one line (e.g. "libnvrtc.so.12 not found (...)"). */
    static String unavailableReason() {
        String r = reason;
        if (r == null) {
            synchronized (Nvrtc.class) {
                if (reason == null) reason = load();
                r = reason;
            }
        }
        return r.isEmpty() ? null : r;
    }

    private static String load() {
        try {
            JNvrtc.setExceptionsEnabled(false);
            int[] major = new int[1], minor = new int[1];
            int status = JNvrtc.nvrtcVersion(major, minor);
            if (status != nvrtcResult.NVRTC_SUCCESS) return "nvrtcVersion failed: " + nvrtcResult.stringFor(status);
            return "";
        } catch (LinkageError e) {
            return describe(e, found(searchPath()));
        }
    }

    /** The one-line reason for a failed load, naming what is installed instead. */
    static String describe(Throwable e, List<String> installed) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(' ').append(t.getMessage());
        String others = installed.isEmpty() ? "no libnvrtc.so.* was found on the library path"
                : "this machine has " + String.join(", ", installed) + (installed.stream().anyMatch(s -> s.contains(".so.13"))
                ? " (CUDA 13), which JCuda 12.0.0 cannot use" : "");
        if (all.toString().contains("libnvrtc") || !installed.contains(NEEDED))
            return NEEDED + " not found (JCuda 12.0.0's NVRTC binding needs it; " + others + ")";
        return "JCuda's NVRTC binding could not be loaded: " + firstLine(e);
    }

    /** The folders the dynamic loader and CUDA installs use. */
    static List<String> searchPath() {
        List<String> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(File.pathSeparator)) if (!d.isEmpty()) dirs.add(d);
        dirs.addAll(List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu",
                "/usr/lib64", "/usr/lib"));
        return dirs;
    }

    /** The libnvrtc.so.N files in those folders. */
    static List<String> found(List<String> dirs) {
        TreeSet<String> out = new TreeSet<>();
        for (String d : dirs) {
            String[] names = new File(d).list();
            if (names == null) continue;
            for (String n : names) if (n.matches("libnvrtc\\.so\\.\\d+(\\.\\d+)*")) out.add(n.replaceAll("^(libnvrtc\\.so\\.\\d+).*", "$1"));
        }
        return new ArrayList<>(out);
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).trim();
    }

    /**
     * PTX of the user's program for compute capability major.minor; a compile error throws the
     * program's {@link UserProgram#failure} with NVRTC's log. Call only when {@link #unavailableReason()} is null.
     */
    static byte[] ptx(UserProgram program, int major, int minor) {
        nvrtcProgram p = new nvrtcProgram();
        check(JNvrtc.nvrtcCreateProgram(p, program.source(), "flowkernels-user.cu", 0, null, null), "nvrtcCreateProgram");
        try {
            String[] options = {"--gpu-architecture=compute_" + major + minor, "-std=c++17"};
            int status = JNvrtc.nvrtcCompileProgram(p, options.length, options);
            if (status != nvrtcResult.NVRTC_SUCCESS) {
                String[] log = new String[1];
                JNvrtc.nvrtcGetProgramLog(p, log);
                throw program.failure("NVRTC (" + nvrtcResult.stringFor(status) + ")", log[0] == null ? "" : log[0]);
            }
            String[] ptx = new String[1];
            check(JNvrtc.nvrtcGetPTX(p, ptx), "nvrtcGetPTX");
            byte[] text = ptx[0].getBytes(StandardCharsets.US_ASCII);
            return java.util.Arrays.copyOf(text, text.length + 1); // cuModuleLoadData reads a NUL-terminated image
        } finally {
            JNvrtc.nvrtcDestroyProgram(p);
        }
    }

    private static void check(int status, String call) {
        if (status != nvrtcResult.NVRTC_SUCCESS)
            throw new org.flowkernels.FlowKernelsException(call + ": " + nvrtcResult.stringFor(status));
    }
}
