package io.raftkv.cli;

import io.raftkv.api.AuthChangeResponse;
import io.raftkv.api.User;
import io.raftkv.client.RaftKvClient;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** raftkv user add | delete | list | passwd | grant-role | revoke-role. */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users (role admin needed).",
    subcommands = {UserCommand.Add.class, UserCommand.Delete.class, UserCommand.ListUsers.class,
        UserCommand.Passwd.class, UserCommand.GrantRole.class, UserCommand.RevokeRole.class})
final class UserCommand {
  /** Where add and passwd read the new password: a file, else $RAFTKV_NEW_PASSWORD, else asked twice. */
  static final PasswordSource NEW_PASSWORD = new PasswordSource("--new-password-file", "RAFTKV_NEW_PASSWORD");

  static char[] newPassword(String file, String user) {
    return NEW_PASSWORD.read(file, System.getenv("RAFTKV_NEW_PASSWORD"), "new password of user '" + user + "'", true);
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Add a user with a password (from --new-password-file, else $RAFTKV_NEW_PASSWORD, else asked"
          + " twice), or with none (--no-password: it authenticates by client certificate).")
  static final class Add implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--new-password-file", paramLabel = "FILE", description = "The new user's password: the file's"
        + " first line.")
    String passwordFile;

    @Option(names = "--no-password", description = "The user has no password.")
    boolean noPassword;

    @Override
    public Integer call() {
      if (noPassword && passwordFile != null) {
        throw new IllegalArgumentException("--no-password and --new-password-file contradict each other: give one");
      }
      char[] password = noPassword ? null : newPassword(passwordFile, name);
      try (RaftKvClient c = client.connect()) {
        if (noPassword) {
          c.auth().addUserWithoutPassword(name);
        } else {
          c.auth().addUser(name, password);
        }
        System.out.println("OK user '" + name + "' added");
        return ExitCodes.OK;
      } finally {
        if (password != null) {
          Arrays.fill(password, '\0');
        }
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a user.")
  static final class Delete implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return client.answer(c -> {
        c.auth().deleteUser(name);
        return "OK user '" + name + "' deleted";
      });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users and their roles.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      try (RaftKvClient c = client.connect()) {
        System.out.printf("%-24s %-9s %s%n", "USER", "PASSWORD", "ROLES");
        for (User u : c.auth().users()) {
          System.out.printf("%-24s %-9s %s%n", u.getName() + (u.getBuiltIn() ? " (built-in)" : ""),
              u.getHasPassword() ? "yes" : "no", String.join(",", u.getRolesList()));
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "passwd", mixinStandardHelpOptions = true,
      description = "Set a user's password (from --new-password-file, else $RAFTKV_NEW_PASSWORD, else asked twice);"
          + " its tokens stop working.")
  static final class Passwd implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--new-password-file", paramLabel = "FILE", description = "The new password: the file's first"
        + " line.")
    String passwordFile;

    @Override
    public Integer call() {
      char[] password = newPassword(passwordFile, name);
      try (RaftKvClient c = client.connect()) {
        c.auth().changePassword(name, password);
        System.out.println("OK password of user '" + name + "' changed");
        return ExitCodes.OK;
      } finally {
        Arrays.fill(password, '\0');
      }
    }
  }

  @Command(name = "grant-role", mixinStandardHelpOptions = true, description = "Give a user a role.")
  static final class GrantRole implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "USER")
    String user;

    @Parameters(index = "1", paramLabel = "ROLE")
    String role;

    @Override
    public Integer call() {
      return client.answer(c -> {
        AuthChangeResponse r = c.auth().grantRole(user, role);
        return r.getChanged() ? "OK role '" + role + "' granted to user '" + user + "'"
            : "OK user '" + user + "' already holds role '" + role + "'";
      });
    }
  }

  @Command(name = "revoke-role", mixinStandardHelpOptions = true, description = "Take a role from a user.")
  static final class RevokeRole implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "USER")
    String user;

    @Parameters(index = "1", paramLabel = "ROLE")
    String role;

    @Override
    public Integer call() {
      return client.answer(c -> {
        AuthChangeResponse r = c.auth().revokeRole(user, role);
        return r.getChanged() ? "OK role '" + role + "' revoked from user '" + user + "'"
            : "OK user '" + user + "' did not hold role '" + role + "'";
      });
    }
  }
}
