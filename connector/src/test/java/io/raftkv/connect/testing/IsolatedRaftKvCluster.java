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
import java.util.Map;

/**
 * The test kit's {@code InProcessCluster}, serving TLS, loaded in a class loader of its own (from the test class
 * path that Maven wrote to a file), so the JVM's class path can stay free of gRPC, protobuf and the RaftKV client,
 * as a Connect worker's is. Only JDK types cross between the loaders.
 */
public final class IsolatedRaftKvCluster implements AutoCloseable {
  /** Named, not referenced: the test kit is not on this JVM's class path, only on the isolated one. */
  private static final String CLUSTER_CLASS = "io.raftkv.testkit.InProcessCluster";
  private final URLClassLoader loader;
  private final Object cluster;
  private final Method endpoints;
  private final Method getUtf8;
  private final Map<String, String> sslConfig;

  private IsolatedRaftKvCluster(URLClassLoader loader, Object cluster, Map<String, String> sslConfig)
      throws NoSuchMethodException {
    this.loader = loader;
    this.cluster = cluster;
    this.endpoints = cluster.getClass().getMethod("endpoints");
    this.getUtf8 = cluster.getClass().getMethod("getUtf8", String.class);
    this.sslConfig = Map.copyOf(sslConfig);
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
    // builder(root, 3).clusterId(id).tls().startWithLeader(), through reflection: the builder's types stay inside.
    Object cluster = within(loader, () -> {
      Object builder = loader.loadClass(CLUSTER_CLASS).getMethod("builder", Path.class, int.class)
          .invoke(null, root, 3);
      builder = call(builder, "clusterId", SinkTestEnvironment.CLUSTER_ID);
      builder = call(builder, "tls");
      return call(builder, "startWithLeader");
    });
    Object admin = within(loader, () -> call(((java.util.Optional<?>) call(cluster, "certificates")).orElseThrow(),
        "user", "admin"));
    Map<String, String> ssl = Map.of(
        "raftkv.ssl.ca.location", within(loader, () -> call(admin, "trustedCa")).toString(),
        "raftkv.ssl.certificate.location", within(loader, () -> call(admin, "certChain")).toString(),
        "raftkv.ssl.key.location", within(loader, () -> call(admin, "privateKey")).toString());
    return new IsolatedRaftKvCluster(loader, cluster, ssl);
  }

  /** Calls the public method {@code name} of {@code target} that takes {@code args} (Strings, or none). */
  private static Object call(Object target, String name, String... args) throws Exception {
    Class<?>[] types = new Class<?>[args.length];
    java.util.Arrays.fill(types, String.class);
    return target.getClass().getMethod(name, types).invoke(target, (Object[]) args);
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

  /** The {@code raftkv.ssl.*} options of a connector that reaches this cluster as its admin user. */
  public Map<String, String> sslConfig() {
    return sslConfig;
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
