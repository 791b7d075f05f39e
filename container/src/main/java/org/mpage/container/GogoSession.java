package org.mpage.container;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * A Gogo command session opened from outside the framework. Gogo's API classes live in its bundle,
 * not on the launcher's class path, so the session is driven through the interface the bundle
 * loaded.
 */
final class GogoSession implements AutoCloseable {
  private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
  private static final String SESSION = "org.apache.felix.service.command.CommandSession";

  /** {@code Converter.INSPECT}: the level the Gogo shell prints results at. */
  private static final int INSPECT = 0;

  private final Object session;
  private final Method execute;
  private final Method format;
  private final Method close;

  private GogoSession(Object session, Class<?> type) throws NoSuchMethodException {
    this.session = session;
    this.execute = type.getMethod("execute", CharSequence.class);
    this.format = type.getMethod("format", Object.class, int.class);
    this.close = type.getMethod("close");
  }

  /** Waits (at most {@code seconds}) for Gogo's command processor and opens a session on it. */
  static GogoSession open(
      BundleContext context, InputStream in, OutputStream out, OutputStream err, long seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ServiceReference<?> ref;
    while ((ref = context.getServiceReference(PROCESSOR)) == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Gogo's command processor did not start");
      }
      Thread.sleep(20);
    }
    Object processor = context.getService(ref);
    Class<?> processorType = ref.getBundle().loadClass(PROCESSOR);
    Object session =
        processorType
            .getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
            .invoke(processor, in, out, err);
    return new GogoSession(session, ref.getBundle().loadClass(SESSION));
  }

  /** Runs one command line; returns its result (null for none). */
  Object execute(String line) throws Exception {
    return call(execute, line);
  }

  /** A result as the Gogo shell would print it. */
  String format(Object result) throws Exception {
    return String.valueOf(call(format, result, INSPECT));
  }

  private Object call(Method m, Object... args) throws Exception {
    try {
      return m.invoke(session, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    call(close);
  }
}
