package io.raftkv.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (set by the build), for --version. */
final class Version implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = RaftKvCli.class.getPackage().getImplementationVersion();
    return new String[] {"raftkv " + (version == null ? "development build" : version)};
  }
}
