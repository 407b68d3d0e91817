package org.flowkernels.backend.cpu;

import org.flowkernels.SnippetException;

/** What the CPU backend says when a user's Java function throws. */
final class UserCode {
    private UserCode() {}

    /**
     * A {@link SnippetException} naming the user's function and the file and line of the first
     * stack frame outside the library and the JDK (the user's own line), with the failure as its cause.
     */
    static SnippetException failure(String name, Object function, RuntimeException e) {
        if (e instanceof SnippetException s) return s;
        StackTraceElement at = null;
        for (StackTraceElement f : e.getStackTrace()) {
            String c = f.getClassName();
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("org.flowkernels.backend.")) {
                at = f;
                break;
            }
        }
        String file = at != null && at.getFileName() != null ? at.getFileName() : function.getClass().getName();
        SnippetException out = new SnippetException(file, at != null ? Math.max(0, at.getLineNumber()) : 0,
                "the Java code of user function '" + name + "' threw " + e, "");
        out.initCause(e);
        return out;
    }
}
