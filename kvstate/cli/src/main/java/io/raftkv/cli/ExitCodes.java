package io.raftkv.cli;

/** Exit codes a script can rely on. */
public final class ExitCodes {
  /** Done. */
  public static final int OK = 0;
  /** The key was not found (get), or a compare-and-set did not match (cas). */
  public static final int NOT_FOUND_OR_NOT_MATCHED = 1;
  /** Bad command line: unknown option, missing or malformed value. */
  public static final int USAGE = 2;
  /** The cluster could not be reached or did not answer in time (the write may or may not have applied). */
  public static final int UNAVAILABLE = 3;
  /** The cluster refused the request (e.g. a key or value over the size limit). */
  public static final int REFUSED = 4;
  /**
   * raftkv server: the node's storage failed (disk full, I/O error, corrupt file) and the node stopped; fix
   * the cause (e.g. free space) and start it again: it recovers from what it had synced.
   */
  public static final int STORAGE_FAILURE = 5;
  /**
   * raftkv server cannot start on what it was given: a port in use, or its data directory (the message says why);
   * raftkv certs init cannot write into its directory.
   */
  public static final int CANNOT_START = 6;
  /** raftkv server: the node stopped on an unexpected internal error (a bug; its log says which). */
  public static final int NODE_FAILURE = 7;

  private ExitCodes() {}
}
