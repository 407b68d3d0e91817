package org.flowkernels.testing;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Runs a contract test only on a backend that exists: an unavailable backend is skipped with
 * its reason, or fails the test when its kind is required (-Dflowkernels.require=cpu,opencl),
 * and a backend that is present but failed to start always fails.
 */
public final class BackendGuard implements InvocationInterceptor {
    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        if (!call.getArguments().isEmpty() && call.getArguments().get(0) == null) {
            String display = context.getDisplayName();
            String name = display.substring(display.lastIndexOf(" on ") + 4);
            TestBackends.Entry e = TestBackends.entries().get(name);
            invocation.skip();
            String why = "backend " + name + ": " + (e == null ? "unknown" : e.reason());
            if (e != null && (e.broken() || TestBackends.requiredKinds().contains(e.kind())))
                throw new AssertionFailedError(why + (e.broken() ? "" : " (required by flowkernels.require)"));
            throw new TestAbortedException(why);
        }
        invocation.proceed();
    }
}
