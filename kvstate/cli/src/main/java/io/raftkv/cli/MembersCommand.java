package io.raftkv.cli;

import io.raftkv.api.ListMembersResponse;
import io.raftkv.api.Member;
import io.raftkv.api.MembershipResponse;
import io.raftkv.client.Endpoints;
import io.raftkv.client.RaftKvClient;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** raftkv members list | add | remove. */
@Command(name = "members", mixinStandardHelpOptions = true, description = "List, add or remove cluster members.",
    subcommands = {MembersCommand.ListMembers.class, MembersCommand.Add.class, MembersCommand.Remove.class})
final class MembersCommand {
  static void print(java.util.List<Member> members, long leaderId) {
    System.out.printf("%-5s %-22s %-22s %s%n", "ID", "PEER", "CLIENT", "ROLE");
    for (Member m : members) {
      System.out.printf("%-5d %-22s %-22s %s%n", m.getId(), m.getPeerAddress(), m.getClientAddress(),
          (m.getLearner() ? "learner" : "voter") + (m.getId() == leaderId ? ", leader" : ""));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the members.")
  static final class ListMembers implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      try (RaftKvClient c = client.connect()) {
        ListMembersResponse r = c.members();
        print(r.getMembersList(), r.getLeaderId());
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Add a node; then start it with 'raftkv server --join' and the same addresses.")
  static final class Add implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID", description = "The new node's id (a positive number).")
    long id;

    @Option(names = "--peer-addr", required = true, paramLabel = "HOST:PORT")
    String peerAddress;

    @Option(names = "--client-addr", required = true, paramLabel = "HOST:PORT")
    String clientAddress;

    @Option(names = "--learner", description = "Add as a learner (receives the log, does not vote).")
    boolean learner;

    @Override
    public Integer call() {
      if (id <= 0) {
        throw new IllegalArgumentException("ID is " + id + ": node ids are positive numbers");
      }
      checkAddress("--peer-addr", peerAddress);
      checkAddress("--client-addr", clientAddress);
      if (peerAddress.equals(clientAddress)) {
        throw new IllegalArgumentException("--peer-addr and --client-addr are both " + peerAddress
            + ": a node needs one port for peers and another for clients");
      }
      try (RaftKvClient c = client.connect()) {
        MembershipResponse r = c.addMember(Member.newBuilder().setId(id).setPeerAddress(peerAddress)
            .setClientAddress(clientAddress).setLearner(learner).build());
        print(r.getMembersList(), 0);
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a node from the cluster.")
  static final class Remove implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID")
    long id;

    @Override
    public Integer call() {
      if (id <= 0) {
        throw new IllegalArgumentException("ID is " + id + ": node ids are positive numbers");
      }
      try (RaftKvClient c = client.connect()) {
        MembershipResponse r = c.removeMember(id);
        print(r.getMembersList(), 0);
        return ExitCodes.OK;
      }
    }
  }

  private static void checkAddress(String option, String address) {
    try {
      Endpoints.check(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }
}
