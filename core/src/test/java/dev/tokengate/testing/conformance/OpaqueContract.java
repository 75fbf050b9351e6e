package dev.tokengate.testing.conformance;

/** TODO(issue 10): this suite is being written. */
public abstract class OpaqueContract extends ConformanceContract {
}
