package io.raftkv.raft;

/** A proposal the node cannot accept now (no leader known, leader transfer, pending conf change). */
public final class ProposalDroppedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProposalDroppedException(String message) {
    super(message);
  }
}
