package io.raftkv.connect.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The test kit's {@code InProcessCluster} loaded in a class loader of its own (from the test class path that Maven
 * wrote to a file), so the JVM's class path can stay free of gRPC, protobuf and the RaftKV client, as a
 * Connect worker's is. Only JDK types cross between the loaders.
 */
public final class IsolatedRaftKvCluster implements AutoCloseable {
  /** Named, not referenced: the test kit is not on this JVM's class path, only on the isolated one. */
  private static final String CLUSTER_CLASS = "io.raftkv.testkit.InProcessCluster";
  private final URLClassLoader loader;
  private final Object cluster;
  private final Method endpoints;
  private final Method getUtf8;

  private IsolatedRaftKvCluster(URLClassLoader loader, Object cluster) throws NoSuchMethodException {
    this.loader = loader;
    this.cluster = cluster;
    this.endpoints = cluster.getClass().getMethod("endpoints");
    this.getUtf8 = cluster.getClass().getMethod("getUtf8", String.class);
  }

  /**
   * @param classpathFile the class path of the cluster, one line separated by the path separator
   * @param testClasses this module's test classes (first on the isolated class path, as the tests see it)
   */
  public static IsolatedRaftKvCluster start(Path classpathFile, Path testClasses, Path root) throws Exception {
    List<URL> urls = new ArrayList<>();
    urls.add(testClasses.toUri().toURL());
    for (String entry : Files.readString(classpathFile).trim().split(java.io.File.pathSeparator)) {
      urls.add(toUrl(entry));
    }
    URLClassLoader loader = new URLClassLoader("isolated-raftkv", urls.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader());
    Object cluster = within(loader, () -> loader.loadClass(CLUSTER_CLASS)
        .getMethod("startWithLeader", Path.class, int.class, String.class)
        .invoke(null, root, 3, SinkTestEnvironment.CLUSTER_ID));
    return new IsolatedRaftKvCluster(loader, cluster);
  }

  private static URL toUrl(String entry) {
    try {
      return Path.of(entry).toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("bad class path entry " + entry, e);
    }
  }

  private interface Call {
    Object call() throws Exception;
  }

  /** Runs {@code call} with the isolated loader as the context class loader, unwrapping reflection. */
  private static Object within(ClassLoader loader, Call call) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return call.call();
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  public String endpoints() throws Exception {
    return (String) within(loader, () -> endpoints.invoke(cluster));
  }

  /** The value of {@code key} as UTF-8, or null if absent. */
  public String getUtf8(String key) throws Exception {
    return (String) within(loader, () -> getUtf8.invoke(cluster, key));
  }

  @Override
  public void close() {
    try {
      within(loader, () -> {
        ((AutoCloseable) cluster).close();
        return null;
      });
      loader.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not stop the isolated RaftKV cluster", e);
    }
  }
}
