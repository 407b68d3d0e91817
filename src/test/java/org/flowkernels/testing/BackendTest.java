package org.flowkernels.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * A contract test: written once, run on every backend of the machine. The first parameter
 * of the method is the {@link org.flowkernels.Backend}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{displayName} on {0}")
@ArgumentsSource(AvailableBackends.class)
@ExtendWith(BackendGuard.class)
public @interface BackendTest {}
