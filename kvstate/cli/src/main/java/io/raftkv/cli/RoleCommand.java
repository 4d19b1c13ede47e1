package io.raftkv.cli;

import io.raftkv.api.AuthChangeResponse;
import io.raftkv.api.KeyRange;
import io.raftkv.api.Permission;
import io.raftkv.api.Role;
import io.raftkv.client.RaftKvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** raftkv role add | delete | list | grant | revoke. */
@Command(name = "role", mixinStandardHelpOptions = true,
    description = "Manage roles and their key permissions (role admin needed).",
    subcommands = {RoleCommand.Add.class, RoleCommand.Delete.class, RoleCommand.ListRoles.class,
        RoleCommand.Grant.class, RoleCommand.Revoke.class})
final class RoleCommand {
  /** A permission as list shows it: "readwrite prefix 'orders/'" or "read range ['a', 'm')". */
  static String describe(Permission p) {
    String access = p.getAccess() == Permission.Access.READWRITE ? "readwrite" : "read";
    if (p.getKeysCase() == Permission.KeysCase.RANGE) {
      KeyRange r = p.getRange();
      return access + " range ['" + Bytes.display(r.getStart()) + "', "
          + (r.getEnd().isEmpty() ? "end of keys" : "'" + Bytes.display(r.getEnd()) + "'") + ")";
    }
    return access + (p.getPrefix().isEmpty() ? " every key" : " prefix '" + Bytes.display(p.getPrefix()) + "'");
  }

  /** Which keys and what access a grant or revoke names, from its flags. */
  static final class PermissionOptions {
    @Option(names = "--prefix", paramLabel = "P", description = "Keys starting with P (\"\": every key).")
    String prefix;

    @Option(names = "--from", paramLabel = "A", description = "Keys from A (with --to: up to B, B excluded).")
    String from;

    @Option(names = "--to", paramLabel = "B", description = "With --from: keys before B (left out: no upper bound).")
    String to;

    @Option(names = "--read", description = "Read the keys.")
    boolean read;

    @Option(names = "--readwrite", description = "Read and write the keys.")
    boolean readWrite;

    Permission permission() {
      if (read == readWrite) {
        throw new IllegalArgumentException("give exactly one of --read and --readwrite");
      }
      if ((prefix == null) == (from == null)) {
        throw new IllegalArgumentException("give either --prefix P or --from A [--to B]: which keys the permission"
            + " covers");
      }
      if (to != null && from == null) {
        throw new IllegalArgumentException("--to needs --from");
      }
      Permission.Builder p = Permission.newBuilder()
          .setAccess(readWrite ? Permission.Access.READWRITE : Permission.Access.READ);
      if (prefix != null) {
        return p.setPrefix(Bytes.of(prefix)).build();
      }
      if (to != null && com.google.protobuf.ByteString.unsignedLexicographicalComparator()
          .compare(Bytes.of(from), Bytes.of(to)) >= 0) {
        throw new IllegalArgumentException("--from '" + from + "' is not before --to '" + to + "': the range [from, to)"
            + " would be empty");
      }
      return p.setRange(KeyRange.newBuilder().setStart(Bytes.of(from)).setEnd(to == null ? Bytes.of("")
          : Bytes.of(to))).build();
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a role (with no permissions).")
  static final class Add implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return client.answer(c -> {
        c.auth().addRole(name);
        return "OK role '" + name + "' added";
      });
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a role; its users lose it.")
  static final class Delete implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return client.answer(c -> {
        c.auth().deleteRole(name);
        return "OK role '" + name + "' deleted";
      });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the roles and their permissions.")
  static final class ListRoles implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      try (RaftKvClient c = client.connect()) {
        for (Role r : c.auth().roles()) {
          if (r.getBuiltIn()) {
            System.out.println(r.getName() + " (built-in): every permission (all keys, membership, leader transfer,"
                + " backup, faults, auth)");
            continue;
          }
          System.out.println(r.getName() + (r.getPermissionsCount() == 0 ? ": no permissions" : ":"));
          r.getPermissionsList().forEach(p -> System.out.println("  " + describe(p)));
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "grant", mixinStandardHelpOptions = true,
      description = "Grant a role read or read-write on a key prefix or range.")
  static final class Grant implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "ROLE")
    String role;

    @Mixin
    PermissionOptions keys;

    @Override
    public Integer call() {
      Permission p = keys.permission();
      return client.answer(c -> {
        AuthChangeResponse r = c.auth().grantPermission(role, p);
        return (r.getChanged() ? "OK granted " : "OK role '" + role + "' already holds ") + describe(p)
            + (r.getChanged() ? " to role '" + role + "'" : "");
      });
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a permission from a role (the same flags as it was granted with).")
  static final class Revoke implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "ROLE")
    String role;

    @Mixin
    PermissionOptions keys;

    @Override
    public Integer call() {
      Permission p = keys.permission();
      return client.answer(c -> {
        AuthChangeResponse r = c.auth().revokePermission(role, p);
        return (r.getChanged() ? "OK revoked " : "OK role '" + role + "' did not hold ") + describe(p)
            + (r.getChanged() ? " from role '" + role + "'" : "");
      });
    }
  }
}
