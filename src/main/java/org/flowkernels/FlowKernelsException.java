package org.flowkernels;

/** A failure of a device runtime or of a kernel build: names the call and the error code,
 *  and for an OpenCL build failure carries the build log in its message. */
public class FlowKernelsException extends RuntimeException {
    public FlowKernelsException(String message) { super(message); }
    public FlowKernelsException(String message, Throwable cause) { super(message, cause); }
}
